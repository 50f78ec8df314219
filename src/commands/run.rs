//! `vneid-recon run`: the daily consolidation. Chains the stages (read the workspace → merge the
//! master → assign → classify claims → progress → summary) and writes `out/D/` whole or not at all.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use rayon::prelude::*;

use super::{ExitStatus, Failure, load_settings, read_options};
use crate::assign::directory::{Naming, Units};
use crate::assign::master::Master;
use crate::assign::{self, AssignmentRow, StageReject};
use crate::codes::{RejectReason, WarningCode};
use crate::ingest::aliases::{AliasTable, Field};
use crate::ingest::sheet::{Reject, RowWarning};
use crate::ingest::workspace::{Discovery, Role, Source, discover};
use crate::ingest::{FileReport, Position, SourcedRow, read_file};
use crate::reconcile::claims::{self, ClaimRow};
use crate::reconcile::progress::{self, ProgressInputs};
use crate::reconcile::targets::read_targets;
use crate::report::summary;
use crate::settings::Settings;

/// How long a run waits for another run on the same workspace before giving up (exit 3): 10 s, or
/// `VNEID_LOCK_WAIT` seconds.
pub(super) fn lock_wait() -> std::time::Duration {
    let seconds = std::env::var("VNEID_LOCK_WAIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    std::time::Duration::from_secs(seconds)
}

/// Takes the workspace lock for a command that writes into it; exit 3 naming the holder.
pub(super) fn take_lock(
    workspace: &Path,
    now: chrono::NaiveDateTime,
) -> Result<crate::fsio::WorkspaceLock, Failure> {
    crate::fsio::lock_workspace(
        workspace,
        &now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        lock_wait(),
    )
    .map_err(|error| {
        Failure::cannot_run(anyhow::anyhow!(
            "không chạy được: {error}; đợi lần chạy kia xong rồi chạy lại"
        ))
    })
}

/// Stage durations, printed to standard error when `VNEID_TIMINGS` is set (the benchmark reads them).
pub(super) struct StageTimer {
    enabled: bool,
    last: std::time::Instant,
}

impl StageTimer {
    pub(super) fn new() -> Self {
        Self {
            enabled: std::env::var_os("VNEID_TIMINGS").is_some(),
            last: std::time::Instant::now(),
        }
    }

    pub(super) fn stage(&mut self, name: &str) {
        if self.enabled {
            eprintln!("timing {name} {:.3}", self.last.elapsed().as_secs_f64());
        }
        self.last = std::time::Instant::now();
    }
}

/// A progress bar over the input files, drawn only on a terminal and never with `--quiet`.
fn progress_bar(files: u64, wanted: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !wanted || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(files);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("Đang đọc {pos}/{len} tệp [{bar:30}] {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

/// Flags of `run`.
#[derive(Debug, Clone)]
pub struct RunArgs {
    pub workspace: std::path::PathBuf,
    pub date: Option<NaiveDate>,
    pub json: bool,
    pub quiet: bool,
    /// Also print the per-sheet lines.
    pub verbose: bool,
    /// Also write the canonical tables as Parquet.
    pub parquet: bool,
}

/// Everything read from the workspace.
pub(super) struct Inputs {
    as_of: NaiveDate,
    discovery: Discovery,
    files: Vec<FileReport>,
    targets: Option<BTreeMap<(usize, usize), u64>>,
}

/// Runs the daily consolidation.
pub fn run(args: &RunArgs) -> Result<ExitStatus, Failure> {
    let settings = load_settings(&args.workspace)?;
    if !args.workspace.join("master").is_dir() {
        return Err(Failure::cannot_run(anyhow::anyhow!(
            "thiếu thư mục {}/master (danh sách chưa kích hoạt của Công an); tạo bằng: vneid-recon init {}",
            args.workspace.display(),
            args.workspace.display()
        )));
    }
    let now = crate::vietnam_now();
    let _lock = take_lock(&args.workspace, now)?;
    crate::fsio::remove_stale_staging(&args.workspace.join("out"));
    let as_of = args.date.unwrap_or(now.date());
    let provisional = as_of == now.date() && now.time() < settings.district_cutoff;
    let mut timer = StageTimer::new();
    let inputs = read_inputs(&args.workspace, &settings, as_of, true, !args.quiet)?;
    timer.stage("ingest");
    let stages = reconcile(&settings, inputs, &mut timer).map_err(Failure::cannot_run)?;
    let data = stages.data(&settings, as_of, provisional);
    let summary = summary::build(&data).map_err(Failure::cannot_run)?;
    let json = summary::to_json(&summary).map_err(Failure::cannot_run)?;
    let mut outputs =
        crate::report::all_outputs(&data, json.clone()).map_err(Failure::cannot_run)?;
    if args.parquet {
        let tables = crate::report::parquet::tables(&data)
            .context("không ghi được các bảng Parquet")
            .map_err(Failure::cannot_run)?;
        outputs.extend(tables);
    }
    timer.stage("report");
    let out_dir = args
        .workspace
        .join("out")
        .join(as_of.format("%Y-%m-%d").to_string());
    let files: Vec<(&str, &[u8])> = outputs
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    crate::fsio::publish_dir_keeping(&out_dir, &files, &["don-vi"])
        .with_context(|| format!("không ghi được kết quả vào {}", out_dir.display()))
        .map_err(Failure::cannot_run)?;
    timer.stage("write");
    if !args.quiet {
        eprint!(
            "{}",
            run_log(&summary, &inputs_by_role(&stages), &out_dir, args.verbose)
        );
    }
    if args.json {
        print!("{json}");
    }
    Ok(if summary.unreadable_files.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Partial
    })
}

/// How many files of each role were read (unreadable ones included).
#[derive(Debug, Default)]
struct RoleCounts {
    master: usize,
    assignments: usize,
    reports: usize,
    report_days: usize,
    targets: bool,
}

fn inputs_by_role(stages: &Stages) -> RoleCounts {
    let mut counts = RoleCounts {
        report_days: stages.inputs.discovery.report_dates.len(),
        ..RoleCounts::default()
    };
    for source in &stages.inputs.discovery.sources {
        match source.role {
            Role::Master => counts.master += 1,
            Role::Assignment { .. } => counts.assignments += 1,
            Role::Report { .. } => counts.reports += 1,
            Role::Targets => counts.targets = true,
        }
    }
    counts
}

/// What `run` prints: a few lines (files read by role, each unreadable file with its reason, rows
/// rejected by reason, the district line, where the results are); `verbose` adds a line per sheet.
fn run_log(
    summary: &summary::Summary,
    roles: &RoleCounts,
    out_dir: &Path,
    verbose: bool,
) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if verbose {
        for input in &summary.inputs {
            let _ = writeln!(
                out,
                "{} [{}]: đọc {} = nhận {} + loại {} + bỏ qua {}",
                input.path, input.sheet, input.read, input.accepted, input.rejected, input.skipped
            );
        }
    }
    let _ = writeln!(
        out,
        "Đã đọc {} tệp danh sách chưa kích hoạt, {} tệp phân công, {} tệp báo cáo của {} ngày{}.",
        roles.master,
        roles.assignments,
        roles.reports,
        roles.report_days,
        if roles.targets {
            ", tệp chỉ tiêu targets.xlsx"
        } else {
            ""
        }
    );
    for file in &summary.unreadable_files {
        let _ = writeln!(out, "KHÔNG ĐỌC ĐƯỢC {}: {}", file.path, file.message);
    }
    for folder in &summary.skipped_report_folders {
        let _ = writeln!(
            out,
            "Bỏ qua thư mục {folder}: tên thư mục báo cáo phải là ngày dạng NNNN-TT-NN"
        );
    }
    let rejected: u64 = summary.rejected_rows.values().sum();
    if rejected > 0 {
        let reasons: Vec<String> = summary
            .rejected_rows
            .iter()
            .filter(|(_, count)| **count > 0)
            .map(|(reason, count)| format!("{reason} {count}"))
            .collect();
        let sheets = summary.inputs.iter().filter(|i| i.rejected > 0).count();
        let _ = writeln!(
            out,
            "Loại {rejected} dòng ở {sheets} trang ({}): xem trang \"Lỗi dữ liệu\" của bảng tổng hợp, hoặc chạy vneid-recon inspect TỆP",
            reasons.join(", ")
        );
    }
    let t = &summary.totals;
    let _ = writeln!(
        out,
        "Toàn huyện: đã kích hoạt {}/{} (hôm nay {}), còn {}.",
        t.activated, t.target, t.activated_today, t.remaining
    );
    let _ = writeln!(out, "Kết quả ghi tại {}", out_dir.display());
    out
}

pub(super) fn read_inputs(
    workspace: &Path,
    settings: &Settings,
    as_of: NaiveDate,
    include_day: bool,
    progress: bool,
) -> Result<Inputs, Failure> {
    use chrono::Datelike;
    let mut discovery = discover(workspace, as_of)
        .with_context(|| format!("không đọc được thư mục làm việc {}", workspace.display()))
        .map_err(Failure::cannot_run)?;
    if !include_day {
        discovery
            .sources
            .retain(|s| !matches!(s.role, Role::Report { date, .. } if date == as_of));
        discovery.report_dates.retain(|d| *d < as_of);
    }
    let aliases = AliasTable::new(&settings.aliases);
    let options = read_options();
    let lists: Vec<&Source> = discovery
        .sources
        .iter()
        .filter(|s| s.role != Role::Targets)
        .collect();
    let bar = progress_bar(lists.len() as u64, progress);
    let files: Vec<FileReport> = lists
        .par_iter()
        .inspect(|_| bar.inc(1))
        .map(|source| {
            read_file(
                &source.path,
                &source.relative,
                &aliases,
                as_of.year(),
                &options,
            )
        })
        .collect();
    bar.finish_and_clear();
    let mut files = files;
    let mut targets = None;
    if let Some(source) = discovery.sources.iter().find(|s| s.role == Role::Targets) {
        match read_targets_file(source, settings, &aliases, &options) {
            Ok(found) => targets = Some(found),
            Err(error) => files.push(FileReport::unreadable(&source.relative, error)),
        }
    }
    Ok(Inputs {
        as_of,
        discovery,
        files,
        targets,
    })
}

/// Targets per (force, commune).
type Targets = BTreeMap<(usize, usize), u64>;

/// The targets of `targets.xlsx`. A file that cannot be read, or in which no targets header can be
/// found (`no_header`, SPEC §11.15), is reported like any other unreadable input, and the targets
/// fall back to the assigned counts.
fn read_targets_file(
    source: &Source,
    settings: &Settings,
    aliases: &AliasTable,
    options: &crate::ingest::ReadOptions,
) -> Result<Targets, crate::ingest::FileError> {
    let forces = crate::assign::directory::ForceMatcher::new(settings);
    let communes = crate::normalize::commune::CommuneMatcher::new(&settings.communes);
    let workbook = crate::ingest::file::read_workbook(&source.path, options)?;
    let mut targets = BTreeMap::new();
    let mut found_header = false;
    for mut sheet in workbook.sheets.into_iter().filter_map(|s| s.grid.ok()) {
        let sheet_targets = read_targets(&mut sheet, &forces, &communes, aliases);
        found_header |= sheet_targets.header_row.is_some();
        for (key, value) in sheet_targets.targets {
            let cell = targets.entry(key).or_insert(0u64);
            *cell = cell.saturating_add(value);
        }
    }
    if !found_header {
        return Err(crate::ingest::FileError {
            code: crate::ingest::FileErrorCode::NoHeader,
            detail: "no targets header (commune column and force columns) in the first 30 rows"
                .into(),
        });
    }
    Ok(targets)
}

/// The stages' outputs, owned.
pub(super) struct Stages {
    pub(super) inputs: Inputs,
    pub(super) master: Master,
    pub(super) assignments: assign::Assignments,
    pub(super) claims: claims::Claims,
    pub(super) units: Units,
    progress: progress::Progress,
}

impl Stages {
    pub(super) fn data<'a>(
        &'a self,
        settings: &'a Settings,
        as_of: NaiveDate,
        provisional: bool,
    ) -> crate::report::RunData<'a> {
        crate::report::RunData {
            settings,
            as_of,
            provisional,
            files: &self.inputs.files,
            discovery: &self.inputs.discovery,
            master: &self.master,
            assignments: &self.assignments,
            claims: &self.claims,
            units: &self.units,
            progress: &self.progress,
        }
    }
}

pub(super) fn reconcile(
    settings: &Settings,
    mut inputs: Inputs,
    timer: &mut StageTimer,
) -> anyhow::Result<Stages> {
    let as_of = inputs.as_of;
    let roles: HashMap<&str, &Role> = inputs
        .discovery
        .sources
        .iter()
        .map(|s| (s.relative.as_str(), &s.role))
        .collect();
    let mut master_rows = Vec::new();
    let mut assignment_rows = Vec::new();
    let mut claim_rows = Vec::new();
    for file in &mut inputs.files {
        let Some(role) = roles.get(file.path.as_str()) else {
            continue;
        };
        // The rows move into the stages; the file keeps its per-sheet counts for the reports.
        let path: std::sync::Arc<str> = file.path.as_str().into();
        for row in std::mem::take(&mut file.rows) {
            let position = Position {
                path: path.clone(),
                sheet: row.sheet_index,
                row: row.row,
            };
            let source = SourcedRow { position, row };
            match role {
                Role::Master => master_rows.push(source),
                Role::Assignment {
                    force_folder,
                    is_override,
                } => assignment_rows.push(AssignmentRow {
                    source,
                    is_override: *is_override,
                    force_folder: force_folder.clone(),
                }),
                Role::Report { date, force_folder } => claim_rows.push(ClaimRow {
                    source,
                    date: *date,
                    force_folder: force_folder.clone(),
                }),
                Role::Targets => {}
            }
        }
    }
    claim_rows.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then_with(|| a.source.position.cmp(&b.source.position))
    });
    timer.stage("collect");
    let naming = Naming::new(settings);
    let master = Master::merge(&master_rows, &naming.communes);
    timer.stage("master");
    let mut units = Units::default();
    let assignments = assign::assign(&assignment_rows, &master, &naming, &mut units)?;
    timer.stage("assign");
    let claims = claims::classify(
        &claim_rows,
        &master,
        &assignments,
        &naming,
        &mut units,
        settings.credit,
    );
    timer.stage("claims");
    let stage_rejects: Vec<&StageReject> =
        assignments.rejects.iter().chain(&claims.rejects).collect();
    apply_stage_rejects(&mut inputs.files, &stage_rejects);
    let name_checked: Vec<&SourcedRow> = master_rows
        .iter()
        .chain(assignment_rows.iter().map(|r| &r.source))
        .chain(claim_rows.iter().map(|r| &r.source))
        .collect();
    add_name_mismatches(&mut inputs.files, &name_checked, &master, &stage_rejects);
    timer.stage("checks");
    let progress = progress::compute(&ProgressInputs {
        settings,
        as_of,
        units: &units,
        master: &master,
        assignments: &assignments,
        claims: &claims,
        targets: inputs.targets.as_ref(),
        first_report_day: inputs.discovery.report_dates.first().copied(),
    })?;
    timer.stage("progress");
    Ok(Stages {
        inputs,
        master,
        assignments,
        claims,
        units,
        progress,
    })
}

/// Moves rows rejected after ingest (unknown force) from accepted to rejected in their sheet: one
/// pass per sheet, whatever the number of rejected rows.
fn apply_stage_rejects(files: &mut [FileReport], rejects: &[&StageReject]) {
    let index: HashMap<String, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    let mut by_sheet: BTreeMap<(usize, usize), Vec<&StageReject>> = BTreeMap::new();
    for reject in rejects {
        if let Some(&file) = index.get(&*reject.position.path) {
            by_sheet
                .entry((file, reject.position.sheet as usize))
                .or_default()
                .push(reject);
        }
    }
    for ((file, sheet), rejects) in by_sheet {
        let Some(sheet) = files[file].sheets.get_mut(sheet) else {
            continue;
        };
        let rows: std::collections::HashSet<u32> = rejects.iter().map(|r| r.position.row).collect();
        sheet.accepted -= rejects.len() as u64;
        sheet.rejected += rejects.len() as u64;
        sheet.warnings.retain(|w| !rows.contains(&w.row));
        let column = sheet
            .columns
            .get(&Field::Force)
            .cloned()
            .unwrap_or_default();
        for reject in rejects {
            sheet.rejects.push(Reject {
                row: reject.position.row,
                column: column.clone(),
                value: reject.value.clone(),
                reason: reject.reason,
            });
        }
        sheet.rejects.sort_by_key(|r| r.row);
    }
}

/// Adds `name_mismatch` warnings: an accepted row whose name differs from the master record's.
fn add_name_mismatches(
    files: &mut [FileReport],
    rows: &[&SourcedRow],
    master: &Master,
    rejects: &[&StageReject],
) {
    let rejected: std::collections::HashSet<&Position> =
        rejects.iter().map(|r| &r.position).collect();
    let index: HashMap<String, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    for row in rows {
        if rejected.contains(&row.position)
            || !master.name_mismatch(row.row.id, row.row.fields.name.as_deref())
        {
            continue;
        }
        let Some(&file) = index.get(&*row.position.path) else {
            continue;
        };
        let Some(sheet) = files[file].sheets.get_mut(row.position.sheet as usize) else {
            continue;
        };
        let column = sheet.columns.get(&Field::Name).cloned().unwrap_or_default();
        sheet.warnings.push(RowWarning {
            row: row.position.row,
            column,
            code: WarningCode::NameMismatch,
        });
    }
}

/// Every reject reason, for zero counts in the summary.
pub const ALL_REJECT_REASONS: [RejectReason; 8] = [
    RejectReason::MissingId,
    RejectReason::NotDigits,
    RejectReason::PrecisionLost,
    RejectReason::OldCmnd,
    RejectReason::BadLength,
    RejectReason::BadProvince,
    RejectReason::BadCentury,
    RejectReason::UnknownForce,
];
