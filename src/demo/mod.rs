//! `vneid-recon demo`: a deterministic, realistic synthetic district workspace: Vietnamese names,
//! villages, the messy shapes of real lists (title blocks, IDs stored as numbers, overlapping
//! assignments across forces) and daily per-unit reports. The same seed gives the same bytes. Large
//! sizes are written file by file with constant-memory worksheets: 1,000,000 citizens peak at about
//! 400 MB (the citizens themselves are held once).

mod people;

use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

pub use people::Rng;
use people::{Person, person};

use crate::normalize::commune::commune_phrase;

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub citizens: u64,
    pub days: u32,
    pub seed: u64,
    /// Number of communes; beyond the template's own, synthetic names are added.
    pub communes: usize,
    pub as_of: NaiveDate,
}

/// The settings template's forces: folder id and the column value a list writes.
const FORCES: [(&str, &str, &str); 4] = [
    ("doan-thanh-nien", "Đoàn Thanh niên", "Đoàn"),
    ("hoi-phu-nu", "Hội Liên hiệp Phụ nữ", "Hội Phụ nữ"),
    ("giao-duc", "Giáo dục", "Trường THCS"),
    ("cong-an", "Công an", "Công an"),
];

/// A commune as a list's commune column writes it: "Xã Ta Ma", "Thị trấn Tuần Giáo".
fn commune_cell(name: &str) -> String {
    let phrase = commune_phrase(name);
    let mut chars = phrase.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// First and second syllables of synthetic commune names for provinces larger than Tuần Giáo. No
/// two syllables of one list fold to the same letters, so every generated name is distinct even
/// without diacritics, and no generated name sits inside another.
const FIRST_SYLLABLES: [&str; 20] = [
    "Mường", "Nà", "Pú", "Chiềng", "Huổi", "Phình", "Co", "Sín", "Tả", "Búng", "Keo", "Nậm", "Pa",
    "Sa", "Long", "Thanh", "Hua", "Ẳng", "Mùn", "Quài",
];
const SECOND_SYLLABLES: [&str; 20] = [
    "Phăng", "Lay", "Tở", "Nưa", "Luân", "Hồ", "Chải", "Pồng", "Nhé", "Mằn", "Khoa", "Chà", "Lói",
    "Tùng", "Ảng", "Báng", "Ten", "Cang", "Sáng", "Đông",
];

/// `count` commune names: the template's own communes first, then synthetic two-syllable names
/// ("Mường Phăng", "Nà Lay", …) skipping any the template already has.
pub fn commune_names(template: &[String], count: usize) -> anyhow::Result<Vec<String>> {
    let taken: std::collections::HashSet<String> = template
        .iter()
        .map(|name| crate::normalize::commune::commune_key(name))
        .collect();
    let synthetic = FIRST_SYLLABLES.iter().flat_map(|first| {
        SECOND_SYLLABLES
            .iter()
            .map(move |second| format!("{first} {second}"))
    });
    let names: Vec<String> = template
        .iter()
        .cloned()
        .chain(
            synthetic.filter(|name| !taken.contains(&crate::normalize::commune::commune_key(name))),
        )
        .collect();
    if count == 0 || count > names.len() {
        anyhow::bail!("số xã phải từ 1 đến {}; đã chọn {count}", names.len());
    }
    Ok(names.into_iter().take(count).collect())
}

/// The settings text with its `communes = [...]` list replaced by `communes`.
pub fn with_communes(settings_text: &str, communes: &[String]) -> anyhow::Result<String> {
    let start = settings_text
        .find("\ncommunes = [")
        .ok_or_else(|| anyhow::anyhow!("mẫu cài đặt không có danh sách communes"))?
        + 1;
    let end = settings_text[start..]
        .find("\n]")
        .map(|offset| start + offset + 2)
        .ok_or_else(|| anyhow::anyhow!("mẫu cài đặt không có dấu ] đóng danh sách communes"))?;
    let mut list = String::from("communes = [\n");
    for chunk in communes.chunks(5) {
        let quoted: Vec<String> = chunk.iter().map(|name| format!("\"{name}\"")).collect();
        list.push_str(&format!("  {},\n", quoted.join(", ")));
    }
    list.push(']');
    Ok(format!(
        "{}{list}{}",
        &settings_text[..start],
        &settings_text[end..]
    ))
}

/// A generated file: path relative to the workspace and its bytes.
pub type DemoFile = (String, Vec<u8>);

fn fixed_properties(as_of: NaiveDate) -> Result<DocProperties, XlsxError> {
    let created =
        ExcelDateTime::from_ymd(as_of.year() as u16, as_of.month() as u8, as_of.day() as u8)?;
    Ok(DocProperties::new().set_creation_datetime(&created))
}

/// A list workbook in the shape police and unions send: title block, header on row 6, data.
fn list_workbook(
    title: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
    as_of: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&fixed_properties(as_of)?);
    let bold = Format::new().set_bold();
    let sheet = if rows.len() > 20_000 {
        workbook.add_worksheet_with_constant_memory()?
    } else {
        workbook.add_worksheet()
    };
    sheet.set_name("Danh sách")?;
    sheet.write_string_with_format(0, 0, "CÔNG AN HUYỆN TUẦN GIÁO", &bold)?;
    sheet.write_string_with_format(0, 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", &bold)?;
    sheet.write_string_with_format(2, 0, title, &bold)?;
    sheet.write_string(
        3,
        0,
        format!("(Tính đến ngày {})", as_of.format("%d/%m/%Y")),
    )?;
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(5, col as u16, *header, &bold)?;
    }
    for (index, row) in rows.iter().enumerate() {
        let r = 6 + index as u32;
        for (col, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(text) => sheet.write_string(r, col as u16, text)?,
                Cell::Number(value) => sheet.write_number(r, col as u16, *value)?,
            };
        }
    }
    workbook.save_to_buffer()
}

/// A cell of a generated list.
#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Number(f64),
}

fn id_cell(person: &Person, rng: &mut Rng) -> Cell {
    // One list in five stores IDs as numbers, the way Excel does when nobody set the column to text.
    if rng.below(5) == 0 {
        Cell::Number(person.id as f64)
    } else {
        Cell::Text(format!("{:012}", person.id))
    }
}

/// Generates the whole workspace in memory, file by file, in a fixed order. One pass in the
/// order the files are written keeps the seeded random draws (and so every demo) unchanged.
pub fn generate(
    options: &DemoOptions,
    communes: &[String],
    mut emit: impl FnMut(DemoFile) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut rng = Rng::new(options.seed);
    let people: Vec<Person> = (0..options.citizens)
        .map(|i| person(i, communes.len(), &mut rng))
        .collect();
    master_lists(options, communes, &people, &mut rng, &mut emit)?;
    let assigned = draw_assignments(&people, &mut rng);
    let first_day = options.as_of - Duration::days(i64::from(options.days.saturating_sub(1)));
    assignment_lists(
        options, communes, &people, &assigned, first_day, &mut rng, &mut emit,
    )?;
    reports(
        options, communes, &people, &assigned, first_day, &mut rng, &mut emit,
    )
}

/// The master lists: one per commune.
fn master_lists(
    options: &DemoOptions,
    communes: &[String],
    people: &[Person],
    rng: &mut Rng,
    emit: &mut impl FnMut(DemoFile) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    for (commune_index, commune) in communes.iter().enumerate() {
        let rows: Vec<Vec<Cell>> = people
            .iter()
            .filter(|p| p.commune == commune_index)
            .map(|p| {
                vec![
                    Cell::Text(p.name.clone()),
                    id_cell(p, rng),
                    Cell::Text(p.dob.clone()),
                    Cell::Text(commune_cell(commune)),
                    Cell::Text(p.village.clone()),
                    Cell::Text(p.phone.clone()),
                ]
            })
            .collect();
        let headers = [
            "Họ và tên",
            "Số định danh cá nhân",
            "Ngày sinh",
            "Xã",
            "Thôn/Bản",
            "Số điện thoại",
        ];
        let title =
            "DANH SÁCH CÔNG DÂN ĐÃ ĐƯỢC CẤP TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2 CHƯA KÍCH HOẠT";
        emit((
            format!("master/ds-{:02}.xlsx", commune_index + 1),
            list_workbook(title, &headers, &rows, options.as_of)?,
        ))?;
    }
    Ok(())
}

/// Each citizen to one force's unit in their commune; one in twelve also to another. By force:
/// (citizen index, commune index).
fn draw_assignments(people: &[Person], rng: &mut Rng) -> Vec<Vec<(usize, usize)>> {
    let mut assigned: Vec<Vec<(usize, usize)>> = vec![Vec::new(); FORCES.len()];
    for (index, p) in people.iter().enumerate() {
        let force = rng.below(FORCES.len() as u64) as usize;
        assigned[force].push((index, p.commune));
        if rng.below(12) == 0 {
            assigned[(force + 1 + rng.below(3) as usize) % FORCES.len()].push((index, p.commune));
        }
    }
    assigned
}

/// One assignment list per force.
fn assignment_lists(
    options: &DemoOptions,
    communes: &[String],
    people: &[Person],
    assigned: &[Vec<(usize, usize)>],
    first_day: NaiveDate,
    rng: &mut Rng,
    emit: &mut impl FnMut(DemoFile) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    for (force, (id, _, label)) in FORCES.iter().enumerate() {
        let rows: Vec<Vec<Cell>> = assigned[force]
            .iter()
            .map(|&(index, commune)| {
                let p = &people[index];
                let assigned_on = first_day - Duration::days(3 + rng.below(10) as i64);
                vec![
                    Cell::Text(p.name.clone()),
                    Cell::Text(format!("{:012}", p.id)),
                    Cell::Text(communes[commune].clone()),
                    Cell::Text(format!("{label} {}", commune_phrase(&communes[commune]))),
                    Cell::Text(people::officer(force, commune, rng)),
                    Cell::Text(assigned_on.format("%d/%m/%Y").to_string()),
                ]
            })
            .collect();
        let headers = [
            "Họ và tên",
            "Số định danh cá nhân",
            "Xã",
            "Đơn vị",
            "Cán bộ phụ trách",
            "Ngày phân công",
        ];
        emit((
            format!("assignments/{id}/phan-cong.xlsx"),
            list_workbook(
                "DANH SÁCH PHÂN CÔNG CÁN BỘ PHỤ TRÁCH",
                &headers,
                &rows,
                options.as_of,
            )?,
        ))?;
    }
    Ok(())
}

/// Daily reports: every unit (force × commune) on most days reports a few of its citizens.
fn reports(
    options: &DemoOptions,
    communes: &[String],
    people: &[Person],
    assigned: &[Vec<(usize, usize)>],
    first_day: NaiveDate,
    rng: &mut Rng,
    emit: &mut impl FnMut(DemoFile) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut queues: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new(); communes.len()]; FORCES.len()];
    for (force, list) in assigned.iter().enumerate() {
        for &(index, commune) in list {
            queues[force][commune].push(index);
        }
    }
    let per_day_share = 0.7 / f64::from(options.days.max(1));
    for day in first_day.iter_days().take(options.days as usize) {
        for (force, (id, _, label)) in FORCES.iter().enumerate() {
            for (commune, name) in communes.iter().enumerate() {
                let queue = &mut queues[force][commune];
                // Some units skip days: the seed's "no result for weeks".
                if queue.is_empty() || rng.below(10) < 2 {
                    continue;
                }
                let count = ((queue.len() as f64 * per_day_share * 1.5).ceil() as usize)
                    .min(queue.len())
                    .max(1);
                let claimed: Vec<usize> = queue.drain(..count).collect();
                let unit = format!("{label} {}", commune_phrase(name));
                let rows: Vec<Vec<Cell>> = claimed
                    .iter()
                    .map(|&index| {
                        let p = &people[index];
                        vec![
                            Cell::Text(p.name.clone()),
                            Cell::Text(format!("{:012}", p.id)),
                            Cell::Text(unit.clone()),
                            Cell::Text(day.format("%d/%m/%Y").to_string()),
                        ]
                    })
                    .collect();
                let headers = [
                    "Họ và tên",
                    "Số định danh cá nhân",
                    "Đơn vị",
                    "Ngày kích hoạt",
                ];
                let path = format!(
                    "reports/{}/{id}/{}.xlsx",
                    day.format("%Y-%m-%d"),
                    crate::report::forms::slug(&unit)
                );
                emit((
                    path,
                    list_workbook(
                        "DANH SÁCH CÔNG DÂN ĐÃ KÍCH HOẠT TRONG NGÀY",
                        &headers,
                        &rows,
                        day,
                    )?,
                ))?;
            }
        }
    }
    Ok(())
}

/// Writes a demo workspace into `dir` (which must not hold a settings file yet).
pub fn write_workspace(
    dir: &Path,
    options: &DemoOptions,
    settings_text: &str,
) -> anyhow::Result<u64> {
    let template = crate::settings::parse(settings_text, crate::settings::SETTINGS_FILE)?;
    let settings_text = with_communes(
        settings_text,
        &commune_names(&template.communes, options.communes)?,
    )?;
    let settings = crate::settings::parse(&settings_text, crate::settings::SETTINGS_FILE)?;
    fs_err::create_dir_all(dir)?;
    crate::fsio::write_new_file(
        &dir.join(crate::settings::SETTINGS_FILE),
        settings_text.as_bytes(),
    )?;
    let mut files = 0u64;
    generate(options, &settings.communes, |(relative, bytes)| {
        let path = dir.join(&relative);
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        files += 1;
        crate::fsio::write_file(&path, &bytes)
    })?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ix::CommuneIx;
    use crate::normalize::commune::CommuneMatcher;

    #[test]
    fn synthetic_communes_are_distinct_and_found_in_unit_names() {
        let template = crate::settings::parse(crate::settings::TEMPLATE, "t")
            .expect("template parses")
            .communes;
        let names = commune_names(&template, 300).expect("300 communes");
        assert_eq!(&names[..19], &template[..]);
        let matcher = CommuneMatcher::new(&names);
        for (index, name) in names.iter().enumerate() {
            assert_eq!(matcher.find(name), Some(CommuneIx::new(index)), "{name}");
            let unit = format!("Đoàn {}", commune_phrase(name));
            assert_eq!(
                matcher.find_within(&unit),
                Some(CommuneIx::new(index)),
                "{unit}"
            );
        }
        let available = commune_names(&template, 414).expect("414 communes").len();
        assert_eq!(
            available, 414,
            "19 + 400 synthetic names less the 5 the template has"
        );
        for wrong in [0, 415] {
            let message = commune_names(&template, wrong)
                .expect_err("out of range")
                .to_string();
            assert!(message.contains("từ 1 đến 414"), "{message}");
        }
    }

    #[test]
    fn settings_text_takes_the_new_commune_list() {
        let names: Vec<String> = ["Ta Ma", "Mường Phăng", "Nà Lay"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let text = with_communes(crate::settings::TEMPLATE, &names).expect("replaced");
        let settings = crate::settings::parse(&text, "t").expect("still parses");
        assert_eq!(settings.communes, names);
        assert_eq!(settings.forces.len(), 4);
    }
}
