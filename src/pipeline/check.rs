//! The clerk's check of a daily report (SPEC §8 `check`): every row read as a claim of the day and
//! checked against what the workspace knew before that day. The rules are stated as data — a
//! [`ProblemKind`] with a stable code and its facts — and [`Problem::message`] is their one
//! Vietnamese wording, shared by the terminal, `check --json`, the cleaned copy and the office page.
//!
//! Guarantees: linear in rows. The force and unit matchers and the map of counted citizens are
//! built once per check ([`Checker::new`]), not per row.

use chrono::NaiveDate;
use serde::Serialize;

use super::Stages;
use crate::assign::directory::{ForceMatcher, Naming, unit_key};
use crate::codes::{RejectReason, WarningCode};
use crate::ingest::aliases::Field;
use crate::ingest::{FileReport, InputRow};
use crate::ix::ForceIx;
use crate::normalize::id::IdMap;
use crate::settings::Settings;

/// What is wrong, with the facts a clerk needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ProblemKind {
    /// The file could not be read at all.
    UnreadableFile {
        reason: &'static str,
        explanation: String,
    },
    /// The row's citizen ID is invalid.
    InvalidId { reason: RejectReason, value: String },
    /// The row's "Đã kích hoạt" mark says neither yes nor no (SPEC §11.20): nothing is counted.
    UnclearMark { value: String },
    /// The activation date cannot be read or is after the report's day (SPEC §11.21).
    BadDate { day: NaiveDate },
    /// The citizen is not on the master list.
    NotInMaster,
    /// The citizen was already counted on an earlier day.
    AlreadyCounted { day: NaiveDate },
    /// The citizen is assigned to another unit.
    AssignedElsewhere {
        unit: String,
        force: String,
        officer: Option<String>,
    },
    /// The citizen is listed twice in the file.
    DuplicateInFile { first_row: u32 },
    /// A force clerk's check (issue 35): the ID is not on her force's list. Whether it is on the
    /// master list at all, to whom it is assigned and whether it was counted is not said.
    NotInForceList { force: String },
}

impl ProblemKind {
    /// Every code, in the order they are documented.
    pub const CODES: [&'static str; 9] = [
        "unreadable_file",
        "invalid_id",
        "unclear_mark",
        "bad_date",
        "not_in_master",
        "already_counted",
        "assigned_elsewhere",
        "duplicate_in_file",
        "not_in_force_list",
    ];

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnreadableFile { .. } => Self::CODES[0],
            Self::InvalidId { .. } => Self::CODES[1],
            Self::UnclearMark { .. } => Self::CODES[2],
            Self::BadDate { .. } => Self::CODES[3],
            Self::NotInMaster => Self::CODES[4],
            Self::AlreadyCounted { .. } => Self::CODES[5],
            Self::AssignedElsewhere { .. } => Self::CODES[6],
            Self::DuplicateInFile { .. } => Self::CODES[7],
            Self::NotInForceList { .. } => Self::CODES[8],
        }
    }
}

/// One problem found in a checked file. `sheet` is "-" and `row` 0 for a whole-file problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    pub sheet: String,
    pub row: u32,
    /// The column letter, where the problem is in one cell.
    pub column: Option<String>,
    #[serde(flatten)]
    pub kind: ProblemKind,
    /// The Vietnamese sentence ([`Problem::message`]), for JSON readers.
    pub message: String,
}

impl Problem {
    fn new(file: &str, sheet: &str, row: u32, column: Option<String>, kind: ProblemKind) -> Self {
        let message = message(&kind, column.as_deref());
        Self {
            file: file.to_string(),
            sheet: sheet.to_string(),
            row,
            column,
            kind,
            message,
        }
    }

    /// The problem as one line of the terminal report.
    pub fn line(&self) -> String {
        format!(
            "{} [{}] dòng {}: {}",
            self.file, self.sheet, self.row, self.message
        )
    }
}

/// The one Vietnamese wording of each problem.
fn message(kind: &ProblemKind, column: Option<&str>) -> String {
    match kind {
        ProblemKind::UnreadableFile { explanation, .. } => {
            format!("không đọc được tệp: {explanation}")
        }
        ProblemKind::InvalidId { reason, .. } => format!(
            "cột {}: {} ({})",
            column.unwrap_or("-"),
            reason.explanation(),
            reason.code()
        ),
        ProblemKind::UnclearMark { value } => format!(
            "cột {}: dấu «{value}» không cho biết công dân đã kích hoạt hay chưa: ghi x nếu đã kích hoạt, để trống nếu chưa (unclear_mark)",
            column.unwrap_or("-"),
        ),
        ProblemKind::BadDate { day } => format!(
            "cột {}: ngày kích hoạt không đọc được hoặc sau ngày báo cáo {}: sửa lại dạng ngày/tháng/năm hoặc để trống (bad_date)",
            column.unwrap_or("-"),
            day.format("%d/%m/%Y")
        ),
        ProblemKind::NotInMaster => "không có trong danh sách chưa kích hoạt (có thể đã kích hoạt từ trước hoặc nhập sai số)".to_string(),
        ProblemKind::AlreadyCounted { day } => format!(
            "đã được ghi nhận kích hoạt ngày {}",
            day.format("%d/%m/%Y")
        ),
        ProblemKind::AssignedElsewhere {
            unit,
            force,
            officer,
        } => {
            let officer = officer
                .as_ref()
                .map(|name| format!(", cán bộ {name}"))
                .unwrap_or_default();
            format!("không được phân công cho đơn vị này: đã giao cho {unit} ({force}){officer}")
        }
        ProblemKind::DuplicateInFile { first_row } => {
            format!("trùng với dòng {first_row} trong cùng tệp")
        }
        ProblemKind::NotInForceList { force } => format!(
            "không có trong danh sách giao cho lực lượng {force}: xem lại số định danh, hoặc hỏi Công an xã nếu công dân do đơn vị khác phụ trách"
        ),
    }
}

/// What the workspace knew before the day, indexed for the check.
pub struct Checker<'a> {
    settings: &'a Settings,
    stages: &'a Stages,
    /// The day each citizen was first counted (indexed once per reading of the stages).
    counted: &'a IdMap<NaiveDate>,
    forces: ForceMatcher,
    naming: Naming<'a>,
    /// A force clerk's check: only her force's list is answered about.
    only_force: Option<ForceIx>,
}

impl<'a> Checker<'a> {
    /// Indexes the stages once.
    pub fn new(settings: &'a Settings, stages: &'a Stages) -> Self {
        Self {
            settings,
            stages,
            counted: stages.counted_days(),
            forces: ForceMatcher::new(settings),
            naming: Naming::new(settings),
            only_force: None,
        }
    }

    /// The check a force's clerk gets (issue 35): a row whose citizen is not assigned to `force`
    /// is answered with [`ProblemKind::NotInForceList`] alone, so her link cannot be used to learn
    /// who is on the master list, to whom another force assigned a citizen, or whether that
    /// citizen was counted. Rows of her own force's list get the full answer.
    pub fn for_force(mut self, force: ForceIx) -> Self {
        self.only_force = Some(force);
        self
    }

    /// The problems of one row read as a claim; `folder` is the file's force folder, if any.
    fn row_problems(&self, row: &InputRow, folder: Option<&str>) -> Vec<ProblemKind> {
        let mut found = Vec::new();
        if let Some(own) = self.only_force {
            let hers = self.stages.master.contains(row.id)
                && self
                    .stages
                    .assignments
                    .winners
                    .get(&row.id)
                    .is_some_and(|winner| winner.force == own);
            if !hers {
                found.push(ProblemKind::NotInForceList {
                    force: self.settings.force(own).name.clone(),
                });
                return found;
            }
        }
        if !self.stages.master.contains(row.id) {
            found.push(ProblemKind::NotInMaster);
            return found;
        }
        if let Some(&day) = self.counted.get(&row.id) {
            found.push(ProblemKind::AlreadyCounted { day });
        }
        let Some(winner) = self.stages.assignments.winners.get(&row.id) else {
            return found;
        };
        let assigned = self.stages.units.get(winner.unit);
        let force = self.forces.resolve(row.fields.force.as_deref(), folder);
        // The reporting unit: named as `run` names it when the force is known; otherwise the
        // row's unit column alone is compared, and without one there is nothing to compare.
        let unit = match force {
            Some(force) => Some((
                Some(force),
                self.naming
                    .unit_of(
                        force,
                        row.fields.unit.as_deref(),
                        row.fields.commune.as_deref(),
                    )
                    .0,
            )),
            None => row
                .fields
                .unit
                .as_deref()
                .map(|unit| (None, unit.to_string())),
        };
        if let Some((force, unit)) = unit {
            let same_unit = unit_key(&assigned.name) == unit_key(&unit);
            if !same_unit || force.is_some_and(|f| f != winner.force) {
                found.push(ProblemKind::AssignedElsewhere {
                    unit: assigned.name.clone(),
                    force: self.settings.force(winner.force).name.clone(),
                    officer: Some(winner.officer.to_string()).filter(|o| !o.is_empty()),
                });
            }
        }
        found
    }
}

/// Reads files as the reports of `day`: every sheet as SPEC §4 reads it, then an activation date
/// after the day made void (SPEC §11.21). `check` and the page's intake read the same way.
pub fn read_reports(
    paths: &[std::path::PathBuf],
    aliases: &crate::ingest::aliases::AliasTable,
    day: NaiveDate,
    options: &crate::ingest::ReadOptions,
) -> Vec<FileReport> {
    use chrono::Datelike;
    let mut reports = super::read_files(paths, aliases, day.year(), options);
    for report in &mut reports {
        report.void_activations_after(day);
    }
    reports
}

/// What checking one file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileCheck {
    pub problems: Vec<Problem>,
    /// Rows with no problem.
    pub clean_rows: u64,
}

/// Checks one file read as a report: its rejected rows, duplicates within it, and, with a
/// workspace, each row against what the workspace knew.
pub fn check_file(
    report: &FileReport,
    day: NaiveDate,
    folder: Option<&str>,
    checker: Option<&Checker<'_>>,
) -> FileCheck {
    let mut out = FileCheck::default();
    let file = report.path.as_str();
    if let (Some(reason), Some(explanation)) = (report.error, &report.message) {
        let kind = ProblemKind::UnreadableFile {
            reason,
            explanation: explanation.clone(),
        };
        out.problems.push(Problem::new(file, "-", 0, None, kind));
        return out;
    }
    for sheet in &report.sheets {
        for reject in &sheet.rejects {
            let kind = match reject.reason {
                RejectReason::UnclearMark => ProblemKind::UnclearMark {
                    value: reject.value.clone(),
                },
                reason => ProblemKind::InvalidId {
                    reason,
                    value: reject.value.clone(),
                },
            };
            let column = Some(reject.column.clone());
            out.problems
                .push(Problem::new(file, &sheet.name, reject.row, column, kind));
        }
    }
    // Rows whose activation date is unusable: listed once here, and not clean below.
    let mut dated_wrong = std::collections::HashSet::new();
    for (index, sheet) in report.sheets.iter().enumerate() {
        let activation_column = sheet.columns.get(&Field::ActivatedOn);
        for warning in &sheet.warnings {
            if warning.code == WarningCode::BadDate && Some(&warning.column) == activation_column {
                dated_wrong.insert((index as u32, warning.row));
                let kind = ProblemKind::BadDate { day };
                let column = Some(warning.column.clone());
                out.problems
                    .push(Problem::new(file, &sheet.name, warning.row, column, kind));
            }
        }
    }
    let mut seen: IdMap<u32> = IdMap::default();
    for row in &report.rows {
        let sheet = report.sheet_name(row);
        let mut found = Vec::new();
        match seen.get(&row.id) {
            Some(&first_row) => found.push(ProblemKind::DuplicateInFile { first_row }),
            None => {
                seen.insert(row.id, row.row);
            }
        }
        if let Some(checker) = checker {
            found.extend(checker.row_problems(row, folder));
        }
        if found.is_empty() && !dated_wrong.contains(&(row.sheet_index, row.row)) {
            out.clean_rows += 1;
        }
        out.problems.extend(
            found
                .into_iter()
                .map(|kind| Problem::new(file, sheet, row.row, None, kind)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_has_its_code_and_one_wording() {
        let day = NaiveDate::from_ymd_opt(2024, 1, 12).expect("day");
        let kinds = [
            ProblemKind::UnreadableFile {
                reason: "encrypted",
                explanation: "Tệp có mật khẩu".into(),
            },
            ProblemKind::InvalidId {
                reason: RejectReason::BadLength,
                value: "0111".into(),
            },
            ProblemKind::UnclearMark { value: "o".into() },
            ProblemKind::BadDate { day },
            ProblemKind::NotInMaster,
            ProblemKind::AlreadyCounted { day },
            ProblemKind::AssignedElsewhere {
                unit: "Đoàn xã Ta Ma".into(),
                force: "Đoàn Thanh niên".into(),
                officer: Some("Lò Văn Tú".into()),
            },
            ProblemKind::DuplicateInFile { first_row: 7 },
            ProblemKind::NotInForceList {
                force: "Đoàn Thanh niên".into(),
            },
        ];
        let codes: Vec<&str> = kinds.iter().map(ProblemKind::code).collect();
        assert_eq!(codes, ProblemKind::CODES);
        let problem = Problem::new("a.xlsx", "DS", 9, None, kinds[6].clone());
        assert_eq!(
            problem.line(),
            "a.xlsx [DS] dòng 9: không được phân công cho đơn vị này: đã giao cho Đoàn xã Ta Ma (Đoàn Thanh niên), cán bộ Lò Văn Tú"
        );
        let json = serde_json::to_value(&problem).expect("json");
        assert_eq!(json["code"], "assigned_elsewhere");
        assert_eq!(json["officer"], "Lò Văn Tú");
        let counted = Problem::new("a.xlsx", "DS", 9, None, kinds[5].clone());
        let json = serde_json::to_value(&counted).expect("json");
        assert_eq!(json["day"], "2024-01-12");
        assert!(counted.message.contains("12/01/2024"));
    }
}
