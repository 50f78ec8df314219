//! `vneid-recon check FILE…`: a clerk's check of a daily report before sending it (17:00). Reads
//! each file as a report of the date and applies the check rules of [`crate::pipeline::check`]
//! against what the workspace knew before that day (with no workspace, against the file alone).
//! Prints each problem in Vietnamese with file, sheet and row, or all of them as JSON; writes
//! nothing unless `--fixed` asks for a cleaned copy.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::{ExitStatus, Failure, resolve};
pub use crate::cli::CheckArgs;
use crate::ingest::FileReport;
use crate::ingest::aliases::AliasTable;
use crate::pipeline::check::{Checker, Problem, check_file, read_reports};
use crate::pipeline::{self, jobs};
use crate::workspace::{SETTINGS_FILE, Workspace};

/// What `check --json` prints.
#[derive(Serialize)]
struct CheckOutput<'a> {
    date: NaiveDate,
    /// Checked against the workspace's lists; false: the files' format only.
    compared_with_lists: bool,
    files: usize,
    clean_rows: u64,
    problems: &'a [Problem],
}

/// Runs the check; exit 1 when any problem was found.
pub fn run(args: &CheckArgs) -> Result<ExitStatus, Failure> {
    let now = crate::vietnam_now();
    let context = if args.workspace.join(SETTINGS_FILE).exists() {
        Some(resolve(&args.workspace, args.date, args.protect)?)
    } else if args.protect {
        return Err(Failure::usage(anyhow::anyhow!(
            "--protect cần thư mục làm việc có vneid-recon.toml và mat-khau.toml (-w)"
        )));
    } else {
        None
    };
    let date = context
        .as_ref()
        .map_or_else(|| args.date.unwrap_or(now.date()), |c| c.as_of);
    jobs::refuse_future_day(date, now)?;
    let stages = match &context {
        Some(context) if context.workspace.master().is_dir() => Some(jobs::known_before(context)?),
        _ => None,
    };
    let checker = context
        .as_ref()
        .zip(stages.as_ref())
        .map(|(context, stages)| Checker::new(&context.settings, stages));
    let uncompared = checker
        .is_none()
        .then(|| why_not_compared(args, context.as_ref()));
    if let Some(why) = &uncompared {
        say_not_compared(args, why);
    }
    let aliases = context.as_ref().map_or_else(AliasTable::default, |c| {
        AliasTable::new(&c.settings.aliases)
    });
    let options = context.as_ref().map_or_else(
        || super::knobs_from_env().read_options,
        |c| c.knobs.read_options.clone(),
    );
    let reports = read_reports(&args.files, &aliases, date, &options);
    let mut problems = Vec::new();
    let mut clean_rows = 0;
    for (path, report) in args.files.iter().zip(&reports) {
        let folder = Workspace::new(&args.workspace).report_force_of(path);
        let found = check_file(report, date, folder.as_deref(), checker.as_ref());
        problems.extend(found.problems);
        clean_rows += found.clean_rows;
    }
    problems.sort_by(|a, b| (&a.file, &a.sheet, a.row).cmp(&(&b.file, &b.sheet, b.row)));
    print_problems(args, (date, uncompared.is_none()), clean_rows, &problems)?;
    note_cutoff(now, date, context.as_ref());
    if let Some(out) = &args.fixed {
        write_fixed(args, out, &reports, &problems, (date, context.as_ref()))?;
    }
    Ok(if uncompared.is_some() && !args.format_only {
        ExitStatus::CannotRun
    } else if problems.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Partial
    })
}

/// The first line when the files could not be compared with the lists, whatever follows: a clean
/// format is no all-clear (issue 36). On standard error with `--json`.
fn say_not_compared(args: &CheckArgs, why: &str) {
    let line = if args.format_only {
        format!("Chỉ kiểm tra định dạng tệp (--chi-dinh-dang), không đối chiếu danh sách: {why}.")
    } else {
        format!(
            "KHÔNG ĐỐI CHIẾU ĐƯỢC VỚI DANH SÁCH: {why}. Chỉ kiểm tra được định dạng tệp; chưa \
             biết công dân có trong danh sách chưa kích hoạt, có được giao cho đơn vị này không. \
             Chỉ ra thư mục làm việc bằng -w, hoặc thêm --chi-dinh-dang nếu chỉ cần kiểm tra \
             định dạng."
        )
    };
    if args.json {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

/// Past the units' cutoff (17:00 in Vietnam) on the day checked: a reminder on standard error.
fn note_cutoff(
    now: chrono::NaiveDateTime,
    date: chrono::NaiveDate,
    context: Option<&crate::pipeline::Context>,
) {
    let cutoff = context.map_or_else(crate::settings::default_unit_cutoff, |c| {
        c.settings.unit_cutoff
    });
    let passed = context.map_or_else(
        || pipeline::cutoff_passed(now, date, cutoff),
        |c| c.unit_cutoff_passed,
    );
    if passed {
        eprintln!(
            "Lưu ý: đã quá {} (giờ Việt Nam), hạn gửi báo cáo của đơn vị trong ngày.",
            cutoff.format("%H:%M")
        );
    }
}

/// Why the files could not be compared with the workspace's lists.
fn why_not_compared(args: &CheckArgs, context: Option<&crate::pipeline::Context>) -> String {
    match context {
        None if !args.workspace.is_dir() => {
            format!("không có thư mục làm việc {}", args.workspace.display())
        }
        None => format!(
            "thư mục {} không có tệp cài đặt {SETTINGS_FILE}",
            args.workspace.display()
        ),
        Some(context) => format!(
            "thư mục {} chưa có danh sách chưa kích hoạt",
            context.workspace.master().display()
        ),
    }
}

fn print_problems(
    args: &CheckArgs,
    (date, compared_with_lists): (NaiveDate, bool),
    clean_rows: u64,
    problems: &[Problem],
) -> Result<(), Failure> {
    if args.json {
        let output = CheckOutput {
            date,
            compared_with_lists,
            files: args.files.len(),
            clean_rows,
            problems,
        };
        let text = serde_json::to_string_pretty(&output).map_err(Failure::cannot_run)?;
        println!("{text}");
        return Ok(());
    }
    for problem in problems {
        println!("{}", problem.line());
    }
    println!(
        "Đã kiểm tra {} tệp: {} dòng hợp lệ, {} vấn đề.",
        args.files.len(),
        clean_rows,
        problems.len()
    );
    Ok(())
}

fn write_fixed(
    args: &CheckArgs,
    out: &Path,
    reports: &[FileReport],
    problems: &[Problem],
    (date, context): (NaiveDate, Option<&crate::pipeline::Context>),
) -> Result<(), Failure> {
    if args.files.iter().any(|f| same_file(f, out)) {
        return Err(Failure::usage(anyhow::anyhow!(
            "--fixed không được ghi đè lên tệp đang kiểm tra: {}",
            out.display()
        )));
    }
    let flagged: Vec<crate::report::cleaned::Flagged<'_>> = problems
        .iter()
        .map(|p| crate::report::cleaned::Flagged {
            file: &p.file,
            sheet: &p.sheet,
            row: p.row,
            message: &p.message,
        })
        .collect();
    let mut bytes = crate::report::cleaned::cleaned_copy(reports, &flagged, date)
        .map_err(Failure::cannot_run)?;
    // A protected workspace's clean copy carries the rows' personal data: locked with the
    // district's password (resolving the context made sure there is one).
    if let Some(password) = context
        .filter(|c| c.protect)
        .and_then(|c| c.passwords.district.as_ref())
    {
        bytes = crate::protect::lock(&bytes, password).map_err(Failure::cannot_run)?;
    }
    crate::fsio::write_file(out, &bytes).map_err(Failure::cannot_run)?;
    if !args.json {
        println!("Đã ghi bản đã làm sạch: {}", out.display());
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
