//! `check` (the clerk's 17:00 check) and the unattended-run guarantees built so far: the workspace
//! lock and `--quiet`.

use super::support::{A, B, C, SMALL_SETTINGS, cli, small_workspace, write_under};

fn workspace() -> tempfile::TempDir {
    let dir = small_workspace();
    write_under(
        dir.path(),
        "reports/2024-01-14/doan-thanh-nien/ta-ma.csv",
        &format!("Họ và tên;Số định danh cá nhân;Đơn vị\nLò Văn An;{A};Đoàn xã Ta Ma\n"),
    );
    dir
}

/// A report with one clean row (6) and one problem of each kind on rows 2, 3, 4, 5 and 7.
fn report_with_every_problem() -> String {
    format!(
        "Họ và tên;Số định danh cá nhân;Lực lượng;Đơn vị\n\
             Lò Văn An;{A};Đoàn TN;Đoàn xã Ta Ma\n\
             Sai số;040123456;Đoàn TN;Đoàn xã Ta Ma\n\
             Người lạ;011095000099;Đoàn TN;Đoàn xã Ta Ma\n\
             Cà Văn Cường;{C};Đoàn TN;Đoàn xã Ta Ma\n\
             Quàng Thị Bình;{B};Đoàn TN;Đoàn xã Ta Ma\n\
             Quàng Thị Bình;{B};Đoàn TN;Đoàn xã Ta Ma\n"
    )
}

#[test]
fn a_clean_report_passes() {
    let dir = workspace();
    let report = dir.path().join("bao-cao.csv");
    std::fs::write(&report, format!("Họ và tên;Số định danh cá nhân;Lực lượng;Đơn vị\nQuàng Thị Bình;{B};Đoàn TN;Đoàn xã Ta Ma\n")).expect("write");
    let output = cli()
        .args(["check", "--date", "2024-01-15", "-w"])
        .arg(dir.path())
        .arg(&report)
        .output()
        .expect("check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("1 dòng hợp lệ, 0 vấn đề"), "{stdout}");
}

#[test]
fn every_kind_of_problem_is_named_with_file_sheet_and_row() {
    let dir = workspace();
    let report = dir.path().join("bao-cao.csv");
    std::fs::write(&report, report_with_every_problem()).expect("write");
    let fixed = dir.path().join("sach.xlsx");
    let output = cli()
        .args(["check", "--date", "2024-01-15", "-w"])
        .arg(dir.path())
        .arg(&report)
        .arg("--fixed")
        .arg(&fixed)
        .output()
        .expect("check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let line = |row: u32, words: &str| {
        stdout.lines().any(|l| {
            l.contains("bao-cao.csv [bao-cao] dòng ")
                && l.contains(&format!("dòng {row}:"))
                && l.contains(words)
        })
    };
    assert!(
        line(2, "đã được ghi nhận kích hoạt ngày 14/01/2024"),
        "{stdout}"
    );
    assert!(line(3, "old_cmnd"), "{stdout}");
    assert!(
        line(4, "không có trong danh sách chưa kích hoạt"),
        "{stdout}"
    );
    assert!(
        line(
            5,
            "không được phân công cho đơn vị này: đã giao cho Công an xã Quài Tở"
        ),
        "{stdout}"
    );
    assert!(line(7, "trùng với dòng 6"), "{stdout}");
    assert!(stdout.contains("1 dòng hợp lệ, 5 vấn đề"), "{stdout}");
    // The cleaned copy holds the one clean row and lists the five problems.
    use calamine::{Reader, Xlsx, open_workbook};
    let mut workbook: Xlsx<_> = open_workbook(&fixed).expect("cleaned copy");
    let rows = workbook.worksheet_range("Báo cáo").expect("sheet");
    assert_eq!(rows.get((3, 2)).map(|d| d.to_string()), Some(B.to_string()));
    assert_eq!(rows.height(), 4);
    assert_eq!(
        workbook
            .worksheet_range("Vấn đề")
            .expect("problems")
            .height(),
        6
    );
}

#[test]
fn a_file_alone_is_checked_without_a_workspace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("bc.csv");
    std::fs::write(
        &report,
        format!("Họ và tên;Số định danh cá nhân\nA;{A}\nB;1,12E+11\n"),
    )
    .expect("write");
    // Asked for the format alone (without it, no comparison is exit 3: see below).
    let output = cli()
        .args(["check", "--chi-dinh-dang", "--date", "2024-01-15", "-w"])
        .arg(dir.path())
        .arg(&report)
        .output()
        .expect("check");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("dòng 3: cột B"));
}

#[test]
fn a_second_run_waits_then_exits_3_naming_the_holder() {
    let dir = workspace();
    // A live holder, as a cron run holds it: this test process, through the same lock.
    let holder = vneid_recon::fsio::lock_workspace(
        dir.path(),
        "2024-01-15T20:00:01",
        std::time::Duration::ZERO,
    )
    .expect("lock");
    let output = cli()
        .env("VNEID_LOCK_WAIT", "1")
        .args(["run", "--date", "2024-01-15", "-w"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&std::process::id().to_string()) && stderr.contains("2024-01-15T20:00:01"),
        "{stderr}"
    );
    // The holder was killed: its lock file stays, saying who, but nobody holds it any more.
    drop(holder);
    let lock_file = dir.path().join(".vneid-recon.lock");
    std::fs::write(&lock_file, "4000000 2024-01-15T20:00:01\n").expect("stale lock");
    std::fs::File::options()
        .write(true)
        .open(&lock_file)
        .and_then(|f| {
            f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(60))
        })
        .expect("aged");
    assert!(
        !dir.path().join("out/2024-01-15").exists(),
        "nothing written"
    );
    // Once the holder is gone its lock is stale and is taken over.
    let output = cli()
        .args(["run", "--quiet", "--date", "2024-01-15", "-w"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stdout.is_empty() && output.stderr.is_empty(),
        "--quiet prints nothing on success"
    );
    assert!(!dir.path().join(".vneid-recon.lock").exists(), "released");
}

#[test]
fn a_run_killed_while_working_leaves_the_previous_output_intact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("tuan-giao");
    super::district::run_fixture(&workspace);
    let out = workspace.join("out/2024-01-15");
    let before = super::support::snapshot_dir(&out);
    let binary = assert_cmd::cargo::cargo_bin("vneid-recon");
    for delay_ms in [20, 60, 120, 200, 300] {
        let mut child = std::process::Command::new(&binary)
            .args(["run", "--quiet", "--date", "2024-01-15", "-w"])
            .arg(&workspace)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run starts");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        assert_eq!(
            super::support::snapshot_dir(&out),
            before,
            "killed after {delay_ms} ms: out/2024-01-15 is whole and unchanged"
        );
    }
    // The next run takes over the dead run's lock, clears its staging folder and succeeds.
    cli()
        .args(["run", "--quiet", "--date", "2024-01-15", "-w"])
        .arg(&workspace)
        .assert()
        .success();
    assert_eq!(super::support::snapshot_dir(&out), before);
    let leftovers: Vec<_> = std::fs::read_dir(workspace.join("out"))
        .expect("out")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        leftovers,
        vec![std::ffi::OsString::from("2024-01-15")],
        "no staging folder left"
    );
}

#[test]
fn split_forms_come_back_as_claims_for_the_marked_rows_only() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let write = |rel: &str, text: &str| write_under(root, rel, text);
    let ids = ["011090000011", "011090000012", "011090000013"];
    write("vneid-recon.toml", SMALL_SETTINGS);
    let mut master = String::from("Họ và tên;Số định danh cá nhân;Xã;Thôn/Bản;Số điện thoại\n");
    let mut assignments = String::from("Số định danh cá nhân;Xã;Đơn vị;Cán bộ phụ trách\n");
    for (i, id) in ids.iter().enumerate() {
        master.push_str(&format!(
            "Công dân {i};{id};Ta Ma;Bản Phiêng;091234567{i}\n"
        ));
        assignments.push_str(&format!("{id};Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú\n"));
    }
    write("master/ds.csv", &master);
    write("assignments/doan-thanh-nien/pc.csv", &assignments);
    cli()
        .args(["split", "--quiet", "--date", "2024-01-15", "-w"])
        .arg(root)
        .assert()
        .success();
    let form = root.join("out/2024-01-15/don-vi/doan-thanh-nien/doan-xa-ta-ma.xlsx");
    let mut workbook: Xlsx<_> = open_workbook(&form).expect("the unit's form");
    let range = workbook.worksheet_range("Báo cáo").expect("form sheet");
    // The clerk marks the first and the third citizen with "x" and sends the form back.
    let filled = root.join("reports/2024-01-15/doan-thanh-nien/bao-cao-ta-ma.xlsx");
    std::fs::create_dir_all(filled.parent().expect("parent")).expect("mkdir");
    let mut copy = rust_xlsxwriter::Workbook::new();
    let sheet = copy.add_worksheet();
    let mut listed = Vec::new();
    for (row, cells) in range.rows().enumerate() {
        for (col, value) in cells.iter().enumerate() {
            match value {
                Data::String(text) => {
                    sheet
                        .write_string(row as u32, col as u16, text)
                        .expect("write");
                }
                Data::Float(number) => {
                    sheet
                        .write_number(row as u32, col as u16, *number)
                        .expect("write");
                }
                _ => {}
            }
        }
        if let Some(Data::String(id)) = cells.get(1).filter(|_| row > 5) {
            listed.push(id.clone());
            if listed.len() != 2 {
                sheet.write_string(row as u32, 9, "x").expect("mark");
            }
        }
    }
    copy.save(&filled).expect("save the filled form");
    assert_eq!(
        listed, ids,
        "the form lists the unit's remaining citizens with their IDs as text"
    );
    let output = cli()
        .args(["run", "--quiet", "--json", "--date", "2024-01-15", "-w"])
        .arg(root)
        .output()
        .expect("run");
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("summary");
    assert_eq!(
        summary["claims"]["counted"], 2,
        "exactly the two marked rows"
    );
    assert_eq!(summary["claims"]["outside_assignment"], 0);
    let unit = summary["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == "Đoàn xã Ta Ma")
        .cloned()
        .expect("unit");
    assert_eq!(
        (unit["activated"].as_u64(), unit["reported_today"].as_bool()),
        (Some(2), Some(true))
    );
    assert!(form.exists(), "the run kept the day's forms");
}

#[test]
fn demo_is_deterministic_and_runs_end_to_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for target in [&a, &b] {
        cli()
            .args(["demo", "--citizens", "600", "--days", "5", "--seed", "7"])
            // Five communes beyond Tuần Giáo's 19 get synthetic names.
            .args(["--communes", "24"])
            .arg(target)
            .assert()
            .success();
    }
    let listing = |root: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(folder) = stack.pop() {
            for entry in std::fs::read_dir(&folder)
                .expect("read")
                .map(|e| e.expect("entry"))
            {
                if entry.file_type().expect("type").is_dir() {
                    stack.push(entry.path());
                } else {
                    let relative = entry
                        .path()
                        .strip_prefix(root)
                        .expect("inside")
                        .to_string_lossy()
                        .into_owned();
                    files.push((relative, std::fs::read(entry.path()).expect("read")));
                }
            }
        }
        files.sort();
        files
    };
    let files = listing(&a);
    assert_eq!(files, listing(&b), "the same seed gives the same bytes");
    assert!(
        files
            .iter()
            .any(|(p, _)| p.starts_with("reports/2024-01-15/"))
    );
    let output = cli()
        .args(["run", "--quiet", "--json", "--date", "2024-01-15", "-w"])
        .arg(&a)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).expect("summary");
    assert_eq!(
        summary["totals"]["master"], 600,
        "every generated citizen has a valid, unique ID"
    );
    assert_eq!(summary["totals"]["unassigned"], 0);
    assert_eq!(
        summary["by_force_commune"].as_array().expect("cells").len(),
        4 * 24,
        "every force in every commune, synthetic ones included"
    );
    let units = summary["units"].as_array().expect("units");
    let staffed = summary["by_force_commune"]
        .as_array()
        .expect("cells")
        .iter()
        .filter(|cell| cell["assigned"].as_u64() > Some(0))
        .count();
    assert!(
        staffed > 4 * 22,
        "nearly every force has citizens in every commune"
    );
    assert_eq!(
        units.len(),
        staffed,
        "one unit per force and commune with citizens"
    );
    assert!(
        units
            .iter()
            .all(|u| u["commune"].as_str().is_some_and(|c| !c.is_empty())),
        "every unit is placed in its commune"
    );
    assert!(
        summary["totals"]["conflicts"].as_u64().expect("conflicts") > 10,
        "lists overlap"
    );
    assert!(summary["claims"]["counted"].as_u64().expect("counted") > 100);
    let rejected: u64 = summary["rejected_rows"]
        .as_object()
        .expect("rejects")
        .values()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(rejected, 0);
    cli().args(["demo"]).arg(&a).assert().code(3);
}

#[test]
fn check_json_gives_each_problem_its_code_and_facts() {
    let dir = workspace();
    let report = dir.path().join("bao-cao.csv");
    std::fs::write(&report, report_with_every_problem()).expect("write");
    let output = cli()
        .args(["check", "--json", "--date", "2024-01-15", "-w"])
        .arg(dir.path())
        .arg(&report)
        .output()
        .expect("check");
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["clean_rows"], 1);
    let problems = json["problems"].as_array().expect("problems");
    let found: Vec<(u64, &str)> = problems
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().expect("row"),
                p["code"].as_str().expect("code"),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (2, "already_counted"),
            (3, "invalid_id"),
            (4, "not_in_master"),
            (5, "assigned_elsewhere"),
            (7, "duplicate_in_file"),
        ]
    );
    let by_row = |row: u64| {
        problems
            .iter()
            .find(|p| p["row"] == row)
            .expect("problem")
            .clone()
    };
    assert_eq!(by_row(2)["day"], "2024-01-14");
    assert_eq!(by_row(3)["reason"], "old_cmnd");
    assert_eq!(by_row(3)["column"], "B");
    assert_eq!(by_row(3)["value"], "040123456");
    let elsewhere = by_row(5);
    assert_eq!(elsewhere["unit"], "Công an xã Quài Tở");
    assert_eq!(elsewhere["force"], "Công an");
    assert_eq!(elsewhere["officer"], "Vì Văn Hùng");
    assert_eq!(by_row(7)["first_row"], 6);
    for problem in problems {
        assert!(
            problem["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("bao-cao.csv"))
        );
        assert_eq!(problem["sheet"], "bao-cao");
        assert!(problem["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[test]
fn check_without_a_workspace_is_no_all_clear() {
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("bc.csv");
    std::fs::write(
        &file,
        "Số định danh cá nhân;Đơn vị\n011090000001;Đoàn xã Ta Ma\n",
    )
    .expect("write");
    for workspace in [dir.path().join("khong-co"), dir.path().to_path_buf()] {
        let output = cli()
            .args(["check", "--date", "2024-01-15", "-w"])
            .arg(&workspace)
            .arg(&file)
            .output()
            .expect("check");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(3), "{stdout}");
        let first = stdout.lines().next().unwrap_or("");
        assert!(
            first.starts_with("KHÔNG ĐỐI CHIẾU ĐƯỢC VỚI DANH SÁCH"),
            "{first}"
        );
    }
    // Asked for the format alone: said so first, and the format's verdict decides.
    let output = cli()
        .args(["check", "--chi-dinh-dang", "--date", "2024-01-15", "-w"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("Chỉ kiểm tra định dạng"), "{stdout}");
    let output = cli()
        .args(["check", "--json", "--date", "2024-01-15", "-w"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("check");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(json["compared_with_lists"], false);
    assert_eq!(output.status.code(), Some(3));
}

#[test]
fn every_command_s_help_is_vietnamese() {
    let vietnamese = |text: &str| {
        text.chars().any(|c| {
            "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
                .contains(c.to_lowercase().next().unwrap_or(c))
        })
    };
    for command in [
        "init", "inspect", "run", "check", "split", "serve", "links", "demo",
    ] {
        let output = cli().args([command, "--help"]).output().expect("help");
        assert_eq!(output.status.code(), Some(0), "{command}");
        let text = String::from_utf8_lossy(&output.stdout);
        let first = text.lines().next().unwrap_or("");
        assert!(vietnamese(first), "{command}: {first}");
        assert!(text.contains("Ví dụ:"), "{command} has examples");
        // Every option's description starts in Vietnamese (clap's own help and version aside).
        let mut lines = text
            .lines()
            .skip_while(|l| !l.starts_with("Options:"))
            .skip(1);
        while let Some(line) = lines.next() {
            let trimmed = line.trim_start();
            if !trimmed.starts_with('-') {
                continue;
            }
            let description = lines.next().unwrap_or("").trim();
            if description.starts_with("Print help") || description.starts_with("Print version") {
                continue;
            }
            assert!(
                vietnamese(description),
                "{command} {trimmed}: {description}"
            );
        }
    }
    let top = cli().arg("--help").output().expect("help");
    assert!(vietnamese(
        String::from_utf8_lossy(&top.stdout)
            .lines()
            .next()
            .unwrap_or("")
    ));
}
