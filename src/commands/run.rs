//! `vneid-recon run`: the daily consolidation. Parses its flags, resolves the context, holds the
//! workspace lock, calls the pipeline, writes `out/D/` whole or not at all, and prints a few lines.

use std::path::Path;

use anyhow::Context as _;
use chrono::NaiveDate;

use super::{
    ExitStatus, Failure, print_timings, read_with_progress, require_master, resolve, take_lock,
};
use crate::ingest::workspace::Role;
use crate::pipeline::{self, Days, Stages, Timings};
use crate::report::summary;

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

/// Runs the daily consolidation.
pub fn run(args: &RunArgs) -> Result<ExitStatus, Failure> {
    let context = resolve(&args.workspace, args.date)?;
    super::refuse_future_day(context.as_of, context.now)?;
    require_master(&context)?;
    let _lock = take_lock(&context, context.knobs.lock_wait)?;
    let mut timings = Timings::start();
    let inputs = read_with_progress(&context, Days::ThroughAsOf, !args.quiet)?;
    timings.step("ingest");
    let done = consolidate(&context, inputs, args.parquet, timings)?;
    if context.knobs.timings {
        print_timings(&done.timings);
    }
    if !args.quiet {
        eprint!(
            "{}",
            run_log(&done.summary, &done.roles, &done.out_dir, args.verbose)
        );
    }
    if args.json {
        print!("{}", done.json);
    }
    Ok(done.status)
}

/// What a consolidation wrote and found.
pub(crate) struct Consolidated {
    pub summary: summary::Summary,
    /// `summary.json`'s text.
    pub json: String,
    /// 0, or 1 when some input files were unreadable.
    pub status: ExitStatus,
    pub out_dir: std::path::PathBuf,
    roles: RoleCounts,
    timings: Timings,
}

/// The consolidation after the inputs are read, shared by `run` and the office page: the caller
/// holds the workspace lock and has timed the read. Computes, builds every output and publishes
/// `out/D/` whole.
pub(crate) fn consolidate(
    context: &pipeline::Context,
    inputs: pipeline::Inputs,
    parquet: bool,
    mut timings: Timings,
) -> Result<Consolidated, Failure> {
    crate::fsio::remove_stale_staging(&context.workspace.join("out"));
    let stages =
        pipeline::compute(&context.settings, inputs, &mut timings).map_err(Failure::cannot_run)?;
    require_citizens(context, &stages)?;
    let data = stages.data(&context.settings, context.as_of, context.provisional);
    let summary = summary::build(&data);
    let json = summary::to_json(&summary).map_err(Failure::cannot_run)?;
    // The Parquet tables are built beside the workbooks, on whichever core is free.
    let (outputs, tables) = rayon::join(
        || crate::report::all_outputs(&data, json.clone()),
        || parquet.then(|| crate::report::parquet::tables(&data)),
    );
    let mut outputs = outputs.map_err(Failure::cannot_run)?;
    if let Some(tables) = tables {
        let tables = tables
            .context("không ghi được các bảng Parquet")
            .map_err(Failure::cannot_run)?;
        outputs.extend(tables);
    }
    timings.step("report");
    let out_dir = context.out_dir();
    let files: Vec<(&str, &[u8])> = outputs
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    crate::fsio::publish_dir_keeping(&out_dir, &files, &["don-vi"])
        .with_context(|| format!("không ghi được kết quả vào {}", out_dir.display()))
        .map_err(Failure::cannot_run)?;
    timings.step("write");
    let status = if summary.unreadable_files.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Partial
    };
    let roles = inputs_by_role(&stages);
    drop(data);
    pipeline::drop_aside(stages);
    Ok(Consolidated {
        roles,
        summary,
        json,
        status,
        out_dir,
        timings,
    })
}

/// Exit 3, nothing written, when the master list gave no citizen: every number of the day would
/// be 0 of 0 and read as "done". Says what to put where, and which master files could not be read.
fn require_citizens(context: &pipeline::Context, stages: &Stages) -> Result<(), Failure> {
    if !stages.master.citizens.is_empty() {
        return Ok(());
    }
    let unreadable: Vec<&str> = stages
        .inputs
        .files
        .iter()
        .filter(|file| file.path.starts_with("master/") && file.is_unreadable())
        .map(|file| file.path.as_str())
        .collect();
    let why = if unreadable.is_empty() {
        "không có dòng công dân nào đọc được".to_string()
    } else {
        format!("không đọc được tệp {}", unreadable.join(", "))
    };
    Err(Failure::cannot_run(anyhow::anyhow!(
        "danh sách chưa kích hoạt trống ({why}): đặt tệp Excel danh sách công dân chưa kích hoạt tài khoản định danh điện tử mức 2 (do Công an huyện cấp, có cột Số định danh cá nhân) vào thư mục {} rồi chạy lại; chưa ghi kết quả nào",
        context.workspace.join("master").display()
    )))
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
