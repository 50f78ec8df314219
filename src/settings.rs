//! The settings file `vneid-recon.toml` (SPEC §9) resolved into one [`Settings`] value. Every
//! cross-check of the settings lives here, and every problem is reported with its line and what is
//! allowed, in Vietnamese, because a clerk edits this file.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use toml::Spanned;

use crate::codes::Field;
use crate::ix::{CommuneIx, ForceIx};

/// The settings file name inside a workspace.
pub use crate::workspace::SETTINGS_FILE;

/// Who a counted claim credits, SPEC §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Credit {
    Assignee,
    Reporter,
}

/// One force, in priority order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Force {
    pub id: String,
    pub name: String,
    pub unit_label: String,
    pub aliases: Vec<String>,
}

/// The settings template `init` writes and the tests use: Tuần Giáo (Điện Biên), its 19 communes and
/// the four forces, commented in Vietnamese. `fixtures/tuan-giao/vneid-recon.toml` is a verbatim copy.
pub const TEMPLATE: &str = include_str!("settings_template.toml");

/// The template's settings, for tests.
#[cfg(test)]
pub fn template() -> Settings {
    parse(TEMPLATE, "vneid-recon.toml").expect("the template parses")
}

/// The resolved settings.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Settings {
    pub district: String,
    pub province: String,
    pub agency: String,
    pub deadline: NaiveDate,
    pub unit_cutoff: NaiveTime,
    pub district_cutoff: NaiveTime,
    pub credit: Credit,
    pub communes: Vec<String>,
    pub forces: Vec<Force>,
    /// Extra header aliases per field, on top of the built-in ones.
    pub aliases: BTreeMap<Field, Vec<String>>,
    /// `[protect] enabled = true`: every run locks the workbooks that carry personal data with
    /// the passwords of `mat-khau.toml` (as `run --protect`).
    pub protect: bool,
}

impl Settings {
    /// A configured force.
    pub fn force(&self, force: ForceIx) -> &Force {
        &self.forces[force.get()]
    }

    /// A configured commune's name.
    pub fn commune(&self, commune: CommuneIx) -> &str {
        &self.communes[commune.get()]
    }

    /// The force with this id.
    pub fn force_by_id(&self, id: &str) -> Option<ForceIx> {
        self.forces
            .iter()
            .position(|f| f.id == id)
            .map(ForceIx::new)
    }

    /// Every configured force, in rank order.
    pub fn force_ixs(&self) -> impl Iterator<Item = ForceIx> + Clone + use<> {
        ForceIx::all(self.forces.len())
    }

    /// Every configured commune, in the settings' order.
    pub fn commune_ixs(&self) -> impl Iterator<Item = CommuneIx> + Clone + use<> {
        CommuneIx::all(self.communes.len())
    }
}

/// A settings problem, with the line it is on when it has one.
#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(", dòng {l}")).unwrap_or_default())]
pub struct SettingsError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    district: Option<String>,
    province: Option<String>,
    agency: Option<String>,
    deadline: Option<Spanned<toml::Value>>,
    unit_cutoff: Option<Spanned<String>>,
    district_cutoff: Option<Spanned<String>>,
    credit: Option<Spanned<String>>,
    communes: Option<Spanned<Vec<Spanned<String>>>>,
    forces: Option<Spanned<Vec<Spanned<RawForce>>>>,
    aliases: Option<BTreeMap<Spanned<String>, Vec<String>>>,
    protect: Option<RawProtect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProtect {
    #[serde(default)]
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForce {
    id: Spanned<String>,
    name: Option<String>,
    unit_label: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

/// Parses and checks a settings file's text. `file` names it in messages.
pub fn parse(text: &str, file: &str) -> Result<Settings, SettingsError> {
    let error = |span: Option<Range<usize>>, message: String| SettingsError {
        file: file.to_string(),
        line: span.map(|s| line_of(text, s.start)),
        message,
    };
    let raw: RawSettings =
        toml::from_str(text).map_err(|e| error(e.span(), translate_toml_error(e.message())))?;
    let deadline = match raw.deadline {
        None => {
            return Err(error(
                None,
                "thiếu khóa bắt buộc `deadline` (ví dụ: deadline = 2024-02-05)".into(),
            ));
        }
        Some(value) => parse_deadline(value.get_ref()).ok_or_else(|| {
            error(
                Some(value.span()),
                "`deadline` phải là một ngày dạng NNNN-TT-NN, ví dụ deadline = 2024-02-05".into(),
            )
        })?,
    };
    let cutoff = |value: Option<Spanned<String>>, key: &str, default: NaiveTime| match value {
        None => Ok(default),
        Some(value) => NaiveTime::parse_from_str(value.get_ref(), "%H:%M").map_err(|_| {
            error(
                Some(value.span()),
                format!(
                    "`{key}` = \"{}\" không hợp lệ; cần giờ dạng \"HH:MM\", ví dụ \"17:00\"",
                    value.get_ref()
                ),
            )
        }),
    };
    let unit_cutoff = cutoff(raw.unit_cutoff, "unit_cutoff", default_unit_cutoff())?;
    let district_cutoff = cutoff(raw.district_cutoff, "district_cutoff", hour(20))?;
    let credit = match raw.credit {
        None => Credit::Assignee,
        Some(value) => match value.get_ref().as_str() {
            "assignee" => Credit::Assignee,
            "reporter" => Credit::Reporter,
            other => {
                return Err(error(
                    Some(value.span()),
                    format!(
                        "`credit` = \"{other}\" không hợp lệ; chỉ nhận \"assignee\" hoặc \"reporter\""
                    ),
                ));
            }
        },
    };
    let communes = check_communes(raw.communes, &error)?;
    let forces = check_forces(raw.forces, &error)?;
    let aliases = check_aliases(raw.aliases, &error)?;
    let district = raw.district.unwrap_or_default();
    Ok(Settings {
        agency: raw.agency.unwrap_or_else(|| {
            if district.is_empty() {
                "Công an huyện".into()
            } else {
                format!("Công an huyện {district}")
            }
        }),
        district,
        province: raw.province.unwrap_or_default(),
        deadline,
        unit_cutoff,
        district_cutoff,
        credit,
        communes,
        forces,
        aliases,
        protect: raw.protect.is_some_and(|p| p.enabled),
    })
}

/// SPEC §9's `unit_cutoff` when the settings (or the workspace) give none: 17:00 Vietnam time.
pub fn default_unit_cutoff() -> NaiveTime {
    hour(17)
}

fn hour(h: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN)
}

fn parse_deadline(value: &toml::Value) -> Option<NaiveDate> {
    let text = match value {
        toml::Value::Datetime(datetime) => datetime.to_string(),
        toml::Value::String(text) => text.clone(),
        _ => return None,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()
}

type ErrorAt<'a> = dyn Fn(Option<Range<usize>>, String) -> SettingsError + 'a;

fn check_communes(
    communes: Option<Spanned<Vec<Spanned<String>>>>,
    error: &ErrorAt<'_>,
) -> Result<Vec<String>, SettingsError> {
    let Some(communes) = communes else {
        return Err(error(
            None,
            "thiếu khóa bắt buộc `communes` (danh sách các xã, thị trấn của huyện)".into(),
        ));
    };
    if communes.get_ref().is_empty() {
        return Err(error(
            Some(communes.span()),
            "`communes` phải có ít nhất một xã, thị trấn".into(),
        ));
    }
    let mut seen = BTreeMap::new();
    let mut names = Vec::new();
    for commune in communes.into_inner() {
        let name = crate::normalize::text::clean_cell_text(commune.get_ref()).into_owned();
        let key = crate::normalize::commune::commune_key(&name);
        if key.is_empty() {
            return Err(error(
                Some(commune.span()),
                "tên xã không được để trống".into(),
            ));
        }
        if let Some(previous) = seen.insert(key, name.clone()) {
            return Err(error(
                Some(commune.span()),
                format!("xã \"{name}\" trùng với \"{previous}\" trong `communes`"),
            ));
        }
        names.push(name);
    }
    Ok(names)
}

fn check_forces(
    forces: Option<Spanned<Vec<Spanned<RawForce>>>>,
    error: &ErrorAt<'_>,
) -> Result<Vec<Force>, SettingsError> {
    let Some(forces) = forces else {
        return Err(error(
            None,
            "cần ít nhất một lực lượng [[forces]] (id, name)".into(),
        ));
    };
    if forces.get_ref().is_empty() {
        return Err(error(
            Some(forces.span()),
            "cần ít nhất một lực lượng [[forces]] (id, name)".into(),
        ));
    }
    let mut resolved: Vec<Force> = Vec::new();
    for force in forces.into_inner() {
        let span = force.span();
        let force = force.into_inner();
        let id = force.id.get_ref().clone();
        let id_ok = !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            return Err(error(
                Some(force.id.span()),
                format!(
                    "id lực lượng \"{id}\" không hợp lệ; chỉ dùng chữ thường không dấu, chữ số và dấu gạch ngang (ví dụ \"doan-thanh-nien\"), vì id là tên thư mục và tên tệp"
                ),
            ));
        }
        if resolved.iter().any(|f| f.id == id) {
            return Err(error(
                Some(span),
                format!("id lực lượng \"{id}\" bị khai báo hai lần"),
            ));
        }
        let name = force.name.unwrap_or_else(|| id.clone());
        resolved.push(Force {
            unit_label: force.unit_label.unwrap_or_else(|| name.clone()),
            name,
            aliases: force.aliases,
            id,
        });
    }
    Ok(resolved)
}

fn check_aliases(
    aliases: Option<BTreeMap<Spanned<String>, Vec<String>>>,
    error: &ErrorAt<'_>,
) -> Result<BTreeMap<Field, Vec<String>>, SettingsError> {
    let mut resolved = BTreeMap::new();
    for (key, values) in aliases.unwrap_or_default() {
        let field = Field::from_code(key.get_ref()).ok_or_else(|| {
            let allowed: Vec<&str> = Field::ALL.iter().map(|f| f.code()).collect();
            error(
                Some(key.span()),
                format!(
                    "[aliases] không có trường \"{}\"; chỉ nhận: {}",
                    key.get_ref(),
                    allowed.join(", ")
                ),
            )
        })?;
        resolved.insert(field, values);
    }
    Ok(resolved)
}

/// Turns the TOML parser's and serde's messages into Vietnamese, wholly: a clerk reads the line
/// number (given beside the message) and what to write there. The English text is never shown.
fn translate_toml_error(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let key = rest.split(',').next().unwrap_or(rest);
        let allowed = rest
            .split_once("expected ")
            .map(|(_, a)| a.trim_start_matches("one of ").trim())
            .unwrap_or("");
        return format!("khóa {key} không được hỗ trợ; các khóa hợp lệ: {allowed}");
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("thiếu khóa bắt buộc {}", rest.trim());
    }
    if let Some(rest) = message.strip_prefix("duplicate key") {
        let key = rest.split_whitespace().next().unwrap_or("");
        return format!("khóa {key} được ghi hai lần; chỉ giữ một dòng").replace("  ", " ");
    }
    /// Fragments of the parser's messages → what to write instead.
    const HINTS: [(&str, &str); 9] = [
        (
            "must be quoted",
            "chữ phải đặt trong dấu nháy kép, ví dụ name = \"Công an\"",
        ),
        (
            "invalid type",
            "giá trị không đúng kiểu: chữ đặt trong dấu nháy kép, danh sách trong ngoặc vuông [ ], ngày dạng NNNN-TT-NN",
        ),
        (
            "unclosed",
            "thiếu dấu đóng: một dấu nháy kép \", ngoặc vuông ] hoặc ngoặc nhọn } chưa được đóng",
        ),
        ("expected `=`", "thiếu dấu = giữa tên khóa và giá trị"),
        ("key with no value", "thiếu dấu = giữa tên khóa và giá trị"),
        (
            "invalid table header",
            "tên bảng viết sai: dạng [aliases] hoặc [[forces]]",
        ),
        ("expected newline", "mỗi khóa phải nằm trên một dòng riêng"),
        (
            "invalid escape",
            "dấu \\ trong chuỗi không hợp lệ: dùng / hoặc viết \\\\",
        ),
        (
            "datetime",
            "ngày giờ không hợp lệ: ngày dạng NNNN-TT-NN, giờ dạng \"HH:MM\"",
        ),
    ];
    let hint = HINTS
        .iter()
        .find(|(fragment, _)| message.contains(fragment))
        .map_or(
            "kiểm tra dấu nháy kép quanh chữ, dấu = sau tên khóa và các ngoặc vuông",
            |(_, hint)| hint,
        );
    format!("tệp cài đặt không đúng cú pháp TOML: {hint}")
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "deadline = 2024-02-05\ncommunes = [\"Ta Ma\", \"Thị trấn Tuần Giáo\"]\n[[forces]]\nid = \"cong-an\"\nname = \"Công an\"\n";

    #[test]
    fn minimal_settings_get_the_defaults() {
        let settings = parse(MINIMAL, "vneid-recon.toml").expect("minimal settings are valid");
        assert_eq!(
            settings.deadline,
            NaiveDate::from_ymd_opt(2024, 2, 5).expect("valid date")
        );
        assert_eq!(settings.credit, Credit::Assignee);
        assert_eq!(settings.unit_cutoff, hour(17));
        assert_eq!(settings.district_cutoff, hour(20));
        assert_eq!(settings.forces[0].unit_label, "Công an");
        assert_eq!(settings.communes, vec!["Ta Ma", "Thị trấn Tuần Giáo"]);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = format!("{MINIMAL}\n[extra]\n");
        let text = text.replacen("deadline", "dedline = 1\ndeadline", 1);
        let error = parse(&text, "f.toml").expect_err("unknown key");
        assert_eq!(error.line, Some(1));
        assert!(error.message.contains("dedline"), "{}", error.message);
    }

    #[test]
    fn parser_messages_are_wholly_vietnamese() {
        // Regression (issue 29): the TOML parser's English reached the clerk.
        for broken in [
            "deadline = 2024-02-05\ndistrict = Tuần Giáo\n",
            "deadline = 2024-02-05\ndistrict = \"Tuần Giáo\n",
            "deadline = 2024-02-05\ncommunes = \"Ta Ma\"\n",
            "deadline = 2024-02-05\ndistrict\n",
            "deadline = 2024-02-05\n[[forces]\n",
            "deadline = 2024-02-05\ndeadline = 2024-02-06\n",
            "deadline = 2024-02-05\n[[forces]]\nname = \"Công an\"\n",
            "deadline = 2024-02-05\nfoo = 1\n",
        ] {
            let error = parse(broken, "f.toml").expect_err(broken);
            for english in [
                "expected", "string", "invalid", "one of", "missing", "unknown", "value",
            ] {
                assert!(
                    !error.message.contains(english),
                    "{broken:?}: {}",
                    error.message
                );
            }
            assert!(error.line.is_some(), "{broken:?}");
        }
    }

    #[test]
    fn bad_values_say_what_is_allowed() {
        let text = MINIMAL.replace(
            "deadline = 2024-02-05\n",
            "deadline = 2024-02-05\ncredit = \"both\"\n",
        );
        let error = parse(&text, "f.toml").expect_err("bad credit");
        assert_eq!(error.line, Some(2));
        assert!(error.message.contains("assignee"), "{}", error.message);

        let text = MINIMAL.replace(
            "deadline = 2024-02-05\n",
            "deadline = 2024-02-05\nunit_cutoff = \"5pm\"\n",
        );
        let error = parse(&text, "f.toml").expect_err("bad cutoff");
        assert_eq!(error.line, Some(2));

        let text = MINIMAL.replace("cong-an", "Công An");
        let error = parse(&text, "f.toml").expect_err("bad id");
        assert_eq!(error.line, Some(4));
    }

    #[test]
    fn required_keys() {
        assert!(
            parse("communes = [\"A\"]\n[[forces]]\nid = \"a\"\n", "f")
                .expect_err("no deadline")
                .message
                .contains("deadline")
        );
        assert!(
            parse("deadline = 2024-02-05\n[[forces]]\nid = \"a\"\n", "f")
                .expect_err("no communes")
                .message
                .contains("communes")
        );
        assert!(
            parse("deadline = 2024-02-05\ncommunes = [\"A\"]\n", "f")
                .expect_err("no forces")
                .message
                .contains("forces")
        );
    }

    #[test]
    fn duplicate_commune_and_force() {
        let text = MINIMAL.replace("\"Ta Ma\",", "\"Ta Ma\", \"xã Ta Ma\",");
        assert_eq!(
            parse(&text, "f").expect_err("duplicate commune").line,
            Some(2)
        );
        let text = format!("{MINIMAL}[[forces]]\nid = \"cong-an\"\n");
        assert_eq!(
            parse(&text, "f").expect_err("duplicate force").line,
            Some(6)
        );
    }

    #[test]
    fn alias_fields_are_checked() {
        let text = format!("{MINIMAL}[aliases]\nid = [\"Số thẻ căn cước\"]\n");
        let settings = parse(&text, "f").expect("valid aliases");
        assert_eq!(settings.aliases[&Field::Id], vec!["Số thẻ căn cước"]);
        let text = format!("{MINIMAL}[aliases]\nidd = [\"x\"]\n");
        assert_eq!(
            parse(&text, "f").expect_err("bad alias field").line,
            Some(7)
        );
    }
}
