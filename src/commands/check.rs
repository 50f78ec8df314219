//! `vneid-recon check FILE…`: a clerk's check of a daily report before sending it (17:00). Each file
//! is read as a report of the date and checked against what the workspace knows (master list,
//! assignments, earlier days' reports); with no workspace, against the file alone. Every problem is
//! printed in Vietnamese with file, sheet and row; nothing is written unless `--fixed` asks for a
//! cleaned copy.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use super::run::{Stages, read_inputs, reconcile};
use super::{ExitStatus, Failure, load_settings, read_options};
use crate::assign::directory::{ForceMatcher, Naming};
use crate::ingest::aliases::AliasTable;
use crate::ingest::{FileReport, read_file};
use crate::reconcile::claims::ClaimClass;
use crate::settings::{SETTINGS_FILE, Settings};

/// Flags of `check`.
#[derive(Debug, Clone)]
pub struct CheckArgs {
    pub workspace: PathBuf,
    pub date: Option<NaiveDate>,
    pub files: Vec<PathBuf>,
    pub fixed: Option<PathBuf>,
}

/// One problem found in a checked file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub sheet: String,
    pub row: u32,
    pub message: String,
}

/// What the workspace knows before the day being checked.
struct Context {
    settings: Option<Settings>,
    stages: Option<Stages>,
}

/// Runs the check; exit 1 when any problem was found.
pub fn run(args: &CheckArgs) -> Result<ExitStatus, Failure> {
    let now = crate::vietnam_now();
    let date = args.date.unwrap_or(now.date());
    let context = load_context(&args.workspace, date)?;
    let aliases = context
        .settings
        .as_ref()
        .map_or_else(AliasTable::default, |s| AliasTable::new(&s.aliases));
    let options = read_options();
    let mut problems = Vec::new();
    let mut clean_rows = 0;
    let mut reports = Vec::new();
    for path in &args.files {
        let shown = path.to_string_lossy().into_owned();
        let report = read_file(path, &shown, &aliases, date.year(), &options);
        let (found, clean) = check_file(&report, path, &args.workspace, &context);
        problems.extend(found);
        clean_rows += clean;
        reports.push(report);
    }
    problems.sort_by(|a, b| (&a.file, &a.sheet, a.row).cmp(&(&b.file, &b.sheet, b.row)));
    for problem in &problems {
        println!(
            "{} [{}] dòng {}: {}",
            problem.file, problem.sheet, problem.row, problem.message
        );
    }
    println!(
        "Đã kiểm tra {} tệp: {} dòng hợp lệ, {} vấn đề.",
        args.files.len(),
        clean_rows,
        problems.len()
    );
    let cutoff = context.settings.as_ref().map_or_else(
        || chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
        |s| s.unit_cutoff,
    );
    if date == now.date() && now.time() >= cutoff {
        eprintln!(
            "Lưu ý: đã quá {} (giờ Việt Nam), hạn gửi báo cáo của đơn vị trong ngày.",
            cutoff.format("%H:%M")
        );
    }
    if let Some(out) = &args.fixed {
        let bytes = super::check_fixed::cleaned_copy(&reports, &problems, date)
            .map_err(Failure::cannot_run)?;
        if args.files.iter().any(|f| same_file(f, out)) {
            return Err(Failure::usage(anyhow::anyhow!(
                "--fixed không được ghi đè lên tệp đang kiểm tra: {}",
                out.display()
            )));
        }
        crate::fsio::write_file(out, &bytes).map_err(Failure::cannot_run)?;
        println!("Đã ghi bản đã làm sạch: {}", out.display());
    }
    Ok(if problems.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Partial
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn load_context(workspace: &Path, date: NaiveDate) -> Result<Context, Failure> {
    if !workspace.join(SETTINGS_FILE).exists() {
        return Ok(Context {
            settings: None,
            stages: None,
        });
    }
    let settings = load_settings(workspace)?;
    let stages = if workspace.join("master").is_dir() {
        let inputs = read_inputs(workspace, &settings, date, false, false)?;
        Some(
            reconcile(&settings, inputs, &mut super::run::StageTimer::new())
                .map_err(Failure::cannot_run)?,
        )
    } else {
        None
    };
    Ok(Context {
        settings: Some(settings),
        stages,
    })
}

/// The force folder of a file inside `reports/<date>/<force>/` of the workspace.
fn force_folder(path: &Path, workspace: &Path) -> Option<String> {
    let absolute = path.canonicalize().ok()?;
    let reports = workspace.join("reports").canonicalize().ok()?;
    let relative = absolute.strip_prefix(reports).ok()?;
    let mut parts = relative.components();
    parts.next()?;
    let folder = parts.next()?.as_os_str().to_string_lossy().into_owned();
    parts.next().map(|_| folder)
}

fn check_file(
    report: &FileReport,
    path: &Path,
    workspace: &Path,
    context: &Context,
) -> (Vec<Problem>, u64) {
    let mut problems = Vec::new();
    let problem = |sheet: &str, row: u32, message: String| Problem {
        file: report.path.clone(),
        sheet: sheet.to_string(),
        row,
        message,
    };
    if let Some(message) = &report.message {
        problems.push(problem("-", 0, format!("không đọc được tệp: {message}")));
        return (problems, 0);
    }
    for sheet in &report.sheets {
        for reject in &sheet.rejects {
            let message = format!(
                "cột {}: {} ({})",
                reject.column,
                reject.reason.explanation(),
                reject.reason.code()
            );
            problems.push(problem(&sheet.name, reject.row, message));
        }
    }
    let folder = force_folder(path, workspace);
    let mut seen: crate::normalize::id::IdMap<(usize, u32)> = Default::default();
    let mut clean = 0;
    for row in &report.rows {
        let sheet = report
            .sheets
            .get(row.sheet_index as usize)
            .map_or("-", |s| s.name.as_str());
        let mut found = Vec::new();
        if let Some(&(_, first)) = seen.get(&row.id) {
            found.push(format!("trùng với dòng {first} trong cùng tệp"));
        } else {
            seen.insert(row.id, (row.sheet_index as usize, row.row));
        }
        if let (Some(settings), Some(stages)) = (&context.settings, &context.stages) {
            found.extend(check_against_workspace(
                row,
                settings,
                stages,
                folder.as_deref(),
            ));
        }
        if found.is_empty() {
            clean += 1;
        }
        problems.extend(
            found
                .into_iter()
                .map(|message| problem(sheet, row.row, message)),
        );
    }
    (problems, clean)
}

fn check_against_workspace(
    row: &crate::ingest::InputRow,
    settings: &Settings,
    stages: &Stages,
    folder: Option<&str>,
) -> Vec<String> {
    let mut found = Vec::new();
    if !stages.master.contains(row.id) {
        found.push("không có trong danh sách chưa kích hoạt (có thể đã kích hoạt từ trước hoặc nhập sai số)".to_string());
        return found;
    }
    if let Some(earlier) = stages
        .claims
        .claims
        .iter()
        .find(|c| c.id == row.id && c.class == ClaimClass::Counted)
    {
        found.push(format!(
            "đã được ghi nhận kích hoạt ngày {}",
            earlier.date.format("%d/%m/%Y")
        ));
    }
    let naming = Naming::new(settings);
    let force = ForceMatcher::new(settings).resolve(row.fields.force.as_deref(), folder);
    let Some(winner) = stages.assignments.winners.get(&row.id) else {
        return found;
    };
    let assigned = &stages.units.list[winner.unit];
    // The reporting unit: named as `run` names it when the force is known; otherwise the row's
    // unit column alone is compared, and without one there is nothing to compare.
    let unit = match force {
        Some(force) => Some((
            Some(force),
            naming
                .unit_of(
                    force,
                    row.fields.unit.as_deref(),
                    row.fields.commune.as_deref(),
                )
                .0,
        )),
        None => row.fields.unit.clone().map(|unit| (None, unit)),
    };
    if let Some((force, unit)) = unit {
        let same_unit = crate::assign::directory::unit_key(&assigned.name)
            == crate::assign::directory::unit_key(&unit);
        if !same_unit || force.is_some_and(|f| f != winner.force) {
            let officer = if winner.officer.is_empty() {
                String::new()
            } else {
                format!(", cán bộ {}", winner.officer)
            };
            found.push(format!(
                "không được phân công cho đơn vị này: đã giao cho {} ({}){officer}",
                assigned.name, settings.forces[winner.force].name
            ));
        }
    }
    found
}
