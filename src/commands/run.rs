//! `vneid-recon run`: the daily consolidation. Parses its flags, resolves the context, holds the
//! workspace lock, calls the pipeline, writes `out/D/` whole or not at all, and prints a few lines.

use std::path::Path;

use super::{ExitStatus, Failure, ReadingBar, print_timings, resolve};
pub use crate::cli::RunArgs;
use crate::pipeline::jobs::{self, RoleCounts};
use crate::report::summary;

/// Runs the daily consolidation.
pub fn run(args: &RunArgs) -> Result<ExitStatus, Failure> {
    let context = resolve(&args.workspace, args.date, args.protect)?;
    let bar = ReadingBar::new(!args.quiet);
    let done = jobs::run_day(
        &context,
        args.parquet,
        context.knobs.lock_wait,
        |total| bar.set_total(total),
        &|| bar.file_read(),
    );
    bar.finish();
    let done = done?;
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
    Ok(if done.some_unreadable {
        ExitStatus::Partial
    } else {
        ExitStatus::Success
    })
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
            .map(
                |(reason, count)| match crate::codes::RejectReason::from_code(reason) {
                    Some(known) => format!("{} ({reason}): {count}", known.explanation()),
                    None => format!("{reason}: {count}"),
                },
            )
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
    if summary.provisional {
        let _ = writeln!(
            out,
            "TẠM TÍNH: chạy cho hôm nay trước giờ chốt của huyện, các đơn vị còn có thể gửi báo cáo; \
             chạy lại sau giờ chốt (mặc định 20:00) để có số liệu chính thức của ngày."
        );
    }
    out
}
