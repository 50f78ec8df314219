//! The Windows build under Wine (issue 28): `vneid-recon.exe` made by `scripts/windows/build.sh`
//! and run through `scripts/windows/wine.sh`. The fixture run by the `.exe` gives the Linux build's
//! `summary.json` byte for byte and workbooks with the same cell values; `check` and `inspect
//! --json` agree; the office page answers on 127.0.0.1; a workbook of the previous result held open
//! the way Excel holds it gives the outcome docs/windows.md describes.
//!
//! Run when `VNEID_WINDOWS_EXE` names the `.exe` (`.ci/run` builds it and sets it); skipped
//! otherwise, unless `VNEID_REQUIRE_WINDOWS` is set.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use calamine::{Data, Reader, open_workbook_auto};
use serde_json::Value;

use super::support::{cli, copy_tree, repo};

const DAY: &str = "2024-01-15";

/// The `.exe` under test, or `None` (the test is skipped) when none was built.
fn windows_exe() -> Option<PathBuf> {
    match std::env::var_os("VNEID_WINDOWS_EXE") {
        Some(exe) => Some(PathBuf::from(exe)),
        None if std::env::var_os("VNEID_REQUIRE_WINDOWS").is_some() => {
            panic!("VNEID_REQUIRE_WINDOWS is set but VNEID_WINDOWS_EXE is not")
        }
        None => {
            eprintln!("skipped: no Windows build (VNEID_WINDOWS_EXE)");
            None
        }
    }
}

/// A Linux path as the Windows program sees it: drive Z: is Wine's `/`, with backslashes.
fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.to_string_lossy().replace('/', "\\"))
}

/// The `.exe` under Wine, with these arguments.
fn wine(exe: &Path) -> Command {
    let mut command = Command::new(repo().join("scripts/windows/wine.sh"));
    command.arg(exe).env("VNEID_NO_BROWSER", "1");
    command
}

fn output_of(command: &mut Command) -> Output {
    command.output().expect("the program starts")
}

/// A copy of the fixture in a folder whose path has Vietnamese letters and spaces.
fn fixture_copy(root: &Path, folder: &str) -> PathBuf {
    let workspace = root.join(folder).join("tuan-giao");
    std::fs::create_dir_all(&workspace).expect("folder");
    copy_tree(&repo().join("fixtures/tuan-giao"), &workspace);
    workspace
}

/// Every cell of every sheet of a workbook.
fn cells(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut workbook =
        open_workbook_auto(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let names = workbook.sheet_names().to_vec();
    names
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).expect("sheet");
            let rows = range.rows().map(<[Data]>::to_vec).collect();
            (name, rows)
        })
        .collect()
}

#[test]
fn the_exe_gives_the_linux_numbers_and_cells_on_a_vietnamese_path() {
    let Some(exe) = windows_exe() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let linux = fixture_copy(dir.path(), "linux");
    let windows = fixture_copy(dir.path(), "Thư mục Công an huyện");
    let ran = cli()
        .args(["run", "--quiet", "--date", DAY, "-w"])
        .arg(&linux)
        .output()
        .expect("runs");
    assert_eq!(ran.status.code(), Some(0));
    let ran = output_of(
        wine(&exe)
            .args(["run", "--quiet", "--date", DAY, "-w"])
            .arg(windows_path(&windows)),
    );
    assert_eq!(
        ran.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let out = |workspace: &Path| workspace.join("out").join(DAY);
    for file in ["summary.json", &format!("tin-nhan-{DAY}.txt")] {
        assert_eq!(
            std::fs::read(out(&windows).join(file)).expect("written by the .exe"),
            std::fs::read(out(&linux).join(file)).expect("written by Linux"),
            "{file}"
        );
    }
    let workbooks: Vec<String> = std::fs::read_dir(out(&linux))
        .expect("out")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".xlsx"))
        .collect();
    assert_eq!(workbooks.len(), 5);
    for name in &workbooks {
        assert_eq!(
            cells(&out(&windows).join(name)),
            cells(&out(&linux).join(name)),
            "{name}"
        );
    }
    // The console's Vietnamese: a settings error printed by the .exe reads as the Linux one.
    let missing = output_of(
        wine(&exe)
            .args(["run", "-w"])
            .arg(windows_path(&dir.path().join("không có"))),
    );
    assert_eq!(missing.status.code(), Some(3));
    let message = String::from_utf8_lossy(&missing.stderr);
    assert!(message.contains("không thấy thư mục làm việc"), "{message}");
}

/// `check --json` or `inspect --json` with the given file paths replaced by one placeholder.
fn json_without(output: &Output, given: &str) -> Value {
    let text =
        String::from_utf8_lossy(&output.stdout).replace(&given.replace('\\', "\\\\"), "FILE");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn check_and_inspect_agree_with_the_linux_build() {
    let Some(exe) = windows_exe() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = fixture_copy(dir.path(), "Đối soát");
    let report = workspace.join("reports/2024-01-15/cong-an/cong-an-xa-ta-ma.xlsx");
    let report = if report.is_file() {
        report
    } else {
        // Any report of the day will do.
        let folder = workspace.join("reports/2024-01-15/cong-an");
        std::fs::read_dir(&folder)
            .expect("reports")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "xlsx"))
            .expect("a report")
    };
    let linux_check = cli()
        .args(["check", "--json", "--date", DAY, "-w"])
        .arg(&workspace)
        .arg(&report)
        .output()
        .expect("check runs");
    let windows_check = output_of(
        wine(&exe)
            .args(["check", "--json", "--date", DAY, "-w"])
            .arg(windows_path(&workspace))
            .arg(windows_path(&report)),
    );
    assert_eq!(windows_check.status.code(), linux_check.status.code());
    assert_eq!(
        json_without(&windows_check, &windows_path(&report)),
        json_without(&linux_check, &report.to_string_lossy())
    );
    let master = std::fs::read_dir(workspace.join("master"))
        .expect("master")
        .flatten()
        .map(|e| e.path())
        .next()
        .expect("a master list");
    let linux_inspect = cli()
        .args(["inspect", "--json", "--date", DAY])
        .arg(&master)
        .output()
        .expect("inspect runs");
    let windows_inspect = output_of(
        wine(&exe)
            .args(["inspect", "--json", "--date", DAY])
            .arg(windows_path(&master)),
    );
    assert_eq!(linux_inspect.status.code(), Some(0));
    assert_eq!(windows_inspect.status.code(), Some(0));
    assert_eq!(
        json_without(&windows_inspect, &windows_path(&master)),
        json_without(&linux_inspect, &master.to_string_lossy())
    );
}

#[test]
fn the_office_page_answers_on_loopback() {
    let Some(exe) = windows_exe() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = fixture_copy(dir.path(), "Trang văn phòng");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut server = wine(&exe)
        .args(["serve", "-w"])
        .arg(windows_path(&workspace))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address line");
    assert!(
        line.contains(&format!("http://127.0.0.1:{port}/")),
        "{line}"
    );
    let answer = super::serve::agent()
        .get(format!("http://127.0.0.1:{port}/api/days"))
        .call();
    let _ = server.kill();
    let _ = server.wait();
    let days: Value = answer
        .expect("answered")
        .body_mut()
        .read_json()
        .expect("json");
    let listed: Vec<&str> = days
        .as_array()
        .expect("days")
        .iter()
        .filter_map(|d| d["date"].as_str())
        .collect();
    assert!(
        listed.contains(&DAY) && listed.contains(&"2024-01-02"),
        "{days}"
    );
}

#[test]
fn a_workbook_held_open_keeps_the_previous_result_whole() {
    let Some(exe) = windows_exe() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = fixture_copy(dir.path(), "Sổ đang mở");
    let run = || {
        output_of(
            wine(&exe)
                .env("VNEID_LOCK_WAIT", "1")
                .args(["run", "--quiet", "--date", DAY, "-w"])
                .arg(windows_path(&workspace)),
        )
    };
    assert_eq!(run().status.code(), Some(0), "the previous result");
    let out = workspace.join("out").join(DAY);
    let before = super::support::snapshot_dir(&out);
    // Excel's way: open for reading and writing, sharing only reading.
    let helper = dir.path().join("hold-open.exe");
    let built = Command::new("x86_64-w64-mingw32-gcc-posix")
        .arg("-municode")
        .arg("-o")
        .arg(&helper)
        .arg(repo().join("scripts/windows/stand-in/hold-open.c"))
        .status()
        .expect("mingw gcc");
    assert!(built.success());
    let workbook = out.join(format!("tong-hop-{DAY}.xlsx"));
    let mut holder = wine(&helper)
        .arg(windows_path(&workbook))
        .arg("120")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the holder starts");
    let mut line = String::new();
    BufReader::new(holder.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("held");
    assert_eq!(line.trim(), "held");
    let second = run();
    let _ = holder.kill();
    let _ = holder.wait();
    // docs/windows.md: the run waits for the file, then stops with exit 3 naming it, and the
    // previous result stays whole; nothing half-written is left beside it.
    assert_eq!(second.status.code(), Some(3));
    let message = String::from_utf8_lossy(&second.stderr);
    assert!(
        message.contains("đang được mở") && message.contains(&format!("tong-hop-{DAY}.xlsx")),
        "{message}"
    );
    assert_eq!(super::support::snapshot_dir(&out), before);
    let leftovers: Vec<String> = std::fs::read_dir(workspace.join("out"))
        .expect("out")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Closed: the next run publishes.
    assert_eq!(run().status.code(), Some(0));
}
