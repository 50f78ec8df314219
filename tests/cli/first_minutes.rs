//! The first minutes of a new user (issue 15): a run that speaks briefly, `--verbose` for the
//! per-sheet lines, `demo` printing the command to run on what it made, the deadline passed, and
//! `--version`.

use std::path::Path;

use super::support::{cli, workspace_copy};

/// Runs the CLI and returns (exit code, standard error).
fn run(args: &[&str], workspace: &Path) -> (i32, String) {
    let output = cli()
        .args(args)
        .arg("-w")
        .arg(workspace)
        .output()
        .expect("run starts");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_default_run_speaks_briefly_and_names_every_unreadable_file() {
    let dir = workspace_copy("fixtures/layouts/ws");
    let (code, log) = run(&["run", "--date", "2024-01-15"], dir.path());
    assert_eq!(code, 1);
    let lines: Vec<&str> = log.lines().collect();
    assert!(lines.len() <= 15, "{} lines:\n{log}", lines.len());
    for path in [
        "assignments/hoi-phu-nu/phan-cong-hoi.xlsx",
        "reports/2024-01-15/hoi-phu-nu/bao-cao-hoi.xlsx",
    ] {
        assert!(
            lines.iter().any(|l| l.contains("KHÔNG ĐỌC ĐƯỢC")
                && l.contains(path)
                && l.contains("mật khẩu")),
            "{path} named with its reason:\n{log}"
        );
    }
    assert!(log.contains("Loại 1 dòng"), "rejected rows summed:\n{log}");
    assert!(
        log.contains("Lỗi dữ liệu"),
        "points to the errors sheet:\n{log}"
    );
    assert!(
        log.contains("đã kích hoạt 6/20"),
        "the district line:\n{log}"
    );
    assert!(
        !log.contains("bỏ qua 0"),
        "no per-sheet lines by default:\n{log}"
    );
}

#[test]
fn the_fixture_run_fits_a_screen_and_verbose_lists_every_sheet() {
    let dir = workspace_copy("fixtures/tuan-giao");
    let (code, log) = run(&["run", "--date", "2024-01-15"], dir.path());
    assert_eq!(code, 0);
    assert!(log.lines().count() <= 15, "{log}");
    let (_, verbose) = run(&["run", "--date", "2024-01-15", "--verbose"], dir.path());
    let summary: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("out/2024-01-15/summary.json")).expect("summary"),
    )
    .expect("JSON");
    let sheets = summary["inputs"].as_array().expect("inputs").len();
    let sheet_lines = verbose.lines().filter(|l| l.contains(" = nhận ")).count();
    assert_eq!(sheet_lines, sheets, "one line per sheet read");
    let (_, quiet) = run(&["run", "--date", "2024-01-15", "--quiet"], dir.path());
    assert_eq!(quiet, "");
}

#[test]
fn demo_prints_a_command_that_runs_as_printed() {
    let parent = tempfile::tempdir().expect("temp dir");
    let target = parent.path().join("thu-nghiem");
    let output = cli()
        .args(["demo", "--citizens", "300", "--days", "3"])
        .arg(&target)
        .output()
        .expect("demo runs");
    assert!(output.status.success());
    let log = String::from_utf8_lossy(&output.stderr);
    let command = log
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("vneid-recon run "))
        .unwrap_or_else(|| panic!("a command in:\n{log}"));
    assert!(command.contains("--date 2024-01-15"), "{command}");
    // Run it as printed (split on spaces: the printed path is a plain word here).
    let words: Vec<&str> = command.split(' ').skip(1).collect();
    let ran = cli()
        .args(&words)
        .output()
        .expect("the printed command runs");
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert!(target.join("out/2024-01-15/summary.json").is_file());
}

#[test]
fn past_the_deadline_the_outputs_say_so() {
    // The deadline is 05/02/2024; as of 01/03/2024 it is 25 days past.
    let dir = workspace_copy("fixtures/layouts/ws");
    let (_, _) = run(&["run", "--date", "2024-03-01", "--quiet"], dir.path());
    let out = dir.path().join("out/2024-03-01");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary"))
            .expect("JSON");
    assert_eq!(summary["totals"]["days_left"], 0);
    assert_eq!(summary["totals"]["overdue_days"], 25);
    let message = std::fs::read_to_string(out.join("tin-nhan-2024-03-01.txt")).expect("message");
    assert!(message.contains("Đã quá hạn 25 ngày"), "{message}");
    assert!(
        !message.contains("cần bình quân"),
        "no daily rate past the deadline:\n{message}"
    );
    let heading = workbook_texts(&out.join("tong-hop-2024-03-01.xlsx"), "Tổng hợp");
    assert!(
        heading.iter().any(|t| t.contains("đã quá hạn 25 ngày")),
        "the workbook's title block says so: {heading:?}"
    );
    // Before the deadline the message asks for the daily rate and nothing is overdue.
    let (_, _) = run(&["run", "--date", "2024-01-15", "--quiet"], dir.path());
    let before = std::fs::read_to_string(dir.path().join("out/2024-01-15/tin-nhan-2024-01-15.txt"))
        .expect("message");
    assert!(
        before.contains("Còn 21 ngày đến hạn 05/02/2024"),
        "{before}"
    );
}

#[test]
fn version_names_the_build() {
    let output = cli().arg("--version").output().expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        text.starts_with(&format!("vneid-recon {version} (")),
        "{text}"
    );
    // The commit date (YYYY-MM-DD) or "unknown" outside a git checkout.
    let inside = text
        .trim()
        .rsplit('(')
        .next()
        .and_then(|t| t.strip_suffix(')'));
    assert!(
        inside.is_some_and(|d| d == "unknown"
            || (d.len() == 10 && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())),
        "{text}"
    );
}

/// Every text cell of a sheet.
fn workbook_texts(path: &Path, sheet: &str) -> Vec<String> {
    use calamine::{Reader, open_workbook_auto};
    let mut workbook = open_workbook_auto(path).expect("workbook opens");
    let range = workbook.worksheet_range(sheet).expect("sheet");
    range
        .used_cells()
        .filter_map(|(_, _, cell)| match cell {
            calamine::Data::String(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}
