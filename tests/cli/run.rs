//! `run` on small planted workspaces, one per conflict rule and claim class, each with its exact
//! expected outcome worked out by hand from SPEC §6 and §11; plus the bad-input behaviour, exit codes
//! and determinism of §7-§8.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::support::cli;

/// Three communes, four forces in the template's priority order.
const SETTINGS: &str = r#"district = "Tuần Giáo"
deadline = 2024-02-05
communes = ["Ta Ma", "Quài Tở", "Thị trấn Tuần Giáo"]
[[forces]]
id = "doan-thanh-nien"
name = "Đoàn Thanh niên"
unit_label = "Đoàn"
[[forces]]
id = "hoi-phu-nu"
name = "Hội Liên hiệp Phụ nữ"
unit_label = "Hội Phụ nữ"
aliases = ["Hội LHPN"]
[[forces]]
id = "giao-duc"
name = "Giáo dục"
unit_label = "Giáo dục"
[[forces]]
id = "cong-an"
name = "Công an"
unit_label = "Công an"
"#;

const ASSIGN_HEADER: &str =
    "Họ và tên;Số định danh cá nhân;Xã;Đơn vị;Cán bộ phụ trách;Ngày phân công\n";
const REPORT_HEADER: &str = "Họ và tên;Số định danh cá nhân;Đơn vị\n";

/// A planted workspace in a temporary folder.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        let workspace = Self {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        workspace.file("vneid-recon.toml", SETTINGS);
        workspace
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self, relative: &str, content: &str) -> &Self {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
        self
    }

    /// A master list: (id, name, commune).
    fn master(&self, relative: &str, citizens: &[(&str, &str, &str)]) -> &Self {
        let mut text = String::from("Họ và tên;Số định danh cá nhân;Xã\n");
        for (id, name, commune) in citizens {
            text.push_str(&format!("{name};{id};{commune}\n"));
        }
        self.file(relative, &text)
    }

    fn run(&self, date: &str) -> (i32, Value) {
        super::support::run_json(self.path(), date)
    }

    fn summary_bytes(&self, date: &str) -> Vec<u8> {
        std::fs::read(self.path().join("out").join(date).join("summary.json"))
            .expect("summary.json written")
    }
}

fn unit<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == name)
        .unwrap_or_else(|| panic!("unit {name} in {}", summary["units"]))
}

const A: &str = "011090000001";
const B: &str = "011190000002";
const C: &str = "011085000003";
const X: &str = "011095000099";

fn three_citizens(workspace: &Workspace) {
    workspace.master(
        "master/ds.csv",
        &[
            (A, "Lò Văn An", "Ta Ma"),
            (B, "Quàng Thị Bình", "Ta Ma"),
            (C, "Cà Văn Cường", "Quài Tở"),
        ],
    );
}

#[test]
fn rule_override_wins_over_everything() {
    let ws = Workspace::new();
    three_citizens(&ws);
    ws.file(
        "assignments/doan-thanh-nien/a.csv",
        &format!("{ASSIGN_HEADER}Lò Văn An;{A};Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú;01/01/2024\n"),
    );
    ws.file(
        "assignments/overrides/quyet-dinh.csv",
        &format!("Số định danh cá nhân;Lực lượng;Đơn vị;Cán bộ phụ trách\n{A};Công an;Công an xã Quài Tở;Vì Văn Hùng\n"),
    );
    let (code, s) = ws.run("2024-01-15");
    assert_eq!(code, 0);
    assert_eq!(s["totals"]["conflicts"], 1);
    assert_eq!(s["conflicts_by_rule"]["override"], 1);
    assert_eq!(unit(&s, "Công an xã Quài Tở")["assigned"], 1);
    assert_eq!(
        unit(&s, "Đoàn xã Ta Ma")["assigned"],
        0,
        "a losing unit is still listed"
    );
    assert_eq!(s["totals"]["assigned"], 1);
    assert_eq!(s["totals"]["unassigned"], 2);
}

#[test]
fn rule_local_beats_force_priority() {
    let ws = Workspace::new();
    three_citizens(&ws);
    ws.file(
        "assignments/doan-thanh-nien/a.csv",
        &format!("{ASSIGN_HEADER}Lò Văn An;{A};Quài Tở;Đoàn xã Quài Tở;Lò Văn Tú;\n"),
    );
    ws.file(
        "assignments/cong-an/a.csv",
        &format!("{ASSIGN_HEADER}Lò Văn An;{A};Ta Ma;;Vì Văn Hùng;\n"),
    );
    let (_, s) = ws.run("2024-01-15");
    assert_eq!(s["conflicts_by_rule"]["local"], 1);
    assert_eq!(
        unit(&s, "Công an xã Ta Ma")["assigned"],
        1,
        "unit named from its commune"
    );
    assert_eq!(unit(&s, "Công an xã Ta Ma")["commune"], "Ta Ma");
    assert_eq!(unit(&s, "Đoàn xã Quài Tở")["assigned"], 0);
}

#[test]
fn rule_force_priority_then_earliest_then_first_seen() {
    let ws = Workspace::new();
    three_citizens(&ws);
    // A: two forces, both local → the first force (Đoàn) wins.
    // B: one force, two units both local, dated → the earlier wins.
    // C: one force, two units, no dates → the first seen (path a.csv < b.csv) wins.
    ws.file(
        "assignments/doan-thanh-nien/a.csv",
        &format!(
            "{ASSIGN_HEADER}Lò Văn An;{A};Ta Ma;Chi đoàn bản Phiêng;Lò Văn Tú;\n\
             Quàng Thị Bình;{B};Ta Ma;Chi đoàn bản Hới;Lò Thị Mai;05/01/2024\n\
             Cà Văn Cường;{C};Quài Tở;Chi đoàn bản Chăn;Cà Văn Dũng;\n"
        ),
    );
    ws.file(
        "assignments/doan-thanh-nien/b.csv",
        &format!(
            "{ASSIGN_HEADER}Quàng Thị Bình;{B};Ta Ma;Chi đoàn bản Ta Ma;Tòng Văn Sơn;03/01/2024\n\
             Cà Văn Cường;{C};Quài Tở;Chi đoàn bản Xôm;Cà Thị Hoa;\n"
        ),
    );
    ws.file(
        "assignments/hoi-phu-nu/a.csv",
        &format!("{ASSIGN_HEADER}Lò Văn An;{A};Ta Ma;Chi hội bản Phiêng;Lò Thị Xuân;\n"),
    );
    let (_, s) = ws.run("2024-01-15");
    assert_eq!(s["totals"]["conflicts"], 3);
    assert_eq!(s["conflicts_by_rule"]["force_priority"], 1);
    assert_eq!(s["conflicts_by_rule"]["earliest"], 1);
    assert_eq!(s["conflicts_by_rule"]["first_seen"], 1);
    assert_eq!(unit(&s, "Chi đoàn bản Phiêng")["assigned"], 1);
    assert_eq!(unit(&s, "Chi hội bản Phiêng")["assigned"], 0);
    assert_eq!(
        unit(&s, "Chi đoàn bản Ta Ma")["assigned"],
        1,
        "03/01 is earlier than 05/01"
    );
    assert_eq!(unit(&s, "Chi đoàn bản Hới")["assigned"], 0);
    assert_eq!(
        unit(&s, "Chi đoàn bản Chăn")["assigned"],
        1,
        "a.csv is seen before b.csv"
    );
    assert_eq!(unit(&s, "Chi đoàn bản Xôm")["assigned"], 0);
}

#[test]
fn same_force_unit_and_officer_is_one_candidate() {
    let ws = Workspace::new();
    three_citizens(&ws);
    ws.file(
        "assignments/doan-thanh-nien/a.csv",
        &format!("{ASSIGN_HEADER}Lò Văn An;{A};Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú;\n"),
    );
    ws.file(
        "assignments/doan-thanh-nien/b.csv",
        &format!("{ASSIGN_HEADER}Lò Văn An;{A};Ta Ma;đoàn xã  TA MA;LÒ VĂN TÚ;\n"),
    );
    let (_, s) = ws.run("2024-01-15");
    assert_eq!(s["totals"]["conflicts"], 0);
    assert_eq!(unit(&s, "Đoàn xã Ta Ma")["assigned"], 1);
}

/// A: assigned to Đoàn xã Ta Ma; B: assigned to Hội Phụ nữ xã Ta Ma; C: unassigned.
fn claims_workspace() -> Workspace {
    let ws = Workspace::new();
    three_citizens(&ws);
    ws.file(
        "assignments/doan-thanh-nien/a.csv",
        &format!("{ASSIGN_HEADER}Lò Văn An;{A};Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú;\n"),
    );
    ws.file(
        "assignments/hoi-phu-nu/a.csv",
        &format!("{ASSIGN_HEADER}Quàng Thị Bình;{B};Ta Ma;Hội Phụ nữ xã Ta Ma;Lò Thị Mai;\n"),
    );
    ws
}

#[test]
fn claim_classes_and_credit() {
    let ws = claims_workspace();
    // Day 1: A claimed by the Công an (first in path order) and by its assigned Đoàn (second):
    // the assigned unit's claim is counted, the other is a duplicate. X is not in master: unknown.
    ws.file(
        "reports/2024-01-14/cong-an/ta-ma.csv",
        &format!("{REPORT_HEADER}Lò Văn An;{A};Công an xã Ta Ma\nAi đó;{X};Công an xã Ta Ma\n"),
    );
    ws.file(
        "reports/2024-01-14/doan-thanh-nien/ta-ma.csv",
        &format!("{REPORT_HEADER}Lò Văn An;{A};Đoàn xã Ta Ma\n"),
    );
    // Day 2: A again (repeat); B claimed only by the Đoàn (counted, outside its assignment, credited
    // to the assignee Hội Phụ nữ); C (unassigned) claimed by the Đoàn (counted, credited to it).
    ws.file(
        "reports/2024-01-15/doan-thanh-nien/ta-ma.csv",
        &format!("{REPORT_HEADER}Lò Văn An;{A};Đoàn xã Ta Ma\nQuàng Thị Bình;{B};Đoàn xã Ta Ma\nCà Văn Cường;{C};Đoàn xã Quài Tở\n"),
    );
    // After the as-of date: never read.
    ws.file(
        "reports/2024-01-16/doan-thanh-nien/ta-ma.csv",
        &format!("{REPORT_HEADER}Cà Văn Cường;{C};Đoàn xã Quài Tở\n"),
    );
    let (code, s) = ws.run("2024-01-15");
    assert_eq!(code, 0);
    let claims = &s["claims"];
    assert_eq!(
        (claims["counted"].as_u64(), claims["unknown"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        (claims["repeat"].as_u64(), claims["duplicate"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        claims["outside_assignment"], 1,
        "B by the Đoàn; C is unassigned so never outside"
    );
    assert_eq!(s["totals"]["activated"], 3);
    assert_eq!(s["totals"]["activated_today"], 2);
    assert_eq!(unit(&s, "Đoàn xã Ta Ma")["activated"], 1);
    assert_eq!(
        unit(&s, "Hội Phụ nữ xã Ta Ma")["activated"],
        1,
        "credit goes to the assignee"
    );
    assert_eq!(
        unit(&s, "Đoàn xã Quài Tở")["activated"],
        1,
        "an unassigned citizen credits the reporter"
    );
    assert_eq!(unit(&s, "Công an xã Ta Ma")["reported_today"], false);
    assert_eq!(unit(&s, "Đoàn xã Ta Ma")["reported_today"], true);
    assert_eq!(unit(&s, "Hội Phụ nữ xã Ta Ma")["reported_today"], false);
    assert_eq!(
        s["report_days"],
        serde_json::json!(["2024-01-14", "2024-01-15"])
    );
}

#[test]
fn credit_to_reporter() {
    let ws = claims_workspace();
    let settings = SETTINGS.replace("deadline =", "credit = \"reporter\"\ndeadline =");
    ws.file("vneid-recon.toml", &settings);
    ws.file(
        "reports/2024-01-15/doan-thanh-nien/ta-ma.csv",
        &format!("{REPORT_HEADER}Quàng Thị Bình;{B};Đoàn xã Ta Ma\n"),
    );
    let (_, s) = ws.run("2024-01-15");
    assert_eq!(unit(&s, "Đoàn xã Ta Ma")["activated"], 1);
    assert_eq!(unit(&s, "Hội Phụ nữ xã Ta Ma")["activated"], 0);
    assert_eq!(s["claims"]["outside_assignment"], 1);
}

#[test]
fn progress_numbers_for_a_unit() {
    let ws = Workspace::new();
    let citizens: Vec<(String, String)> = (1..=10)
        .map(|i| (format!("0110900000{i:02}"), format!("Công dân {i}")))
        .collect();
    let mut master = String::from("Họ và tên;Số định danh cá nhân;Xã\n");
    let mut assignments = String::from(ASSIGN_HEADER);
    for (id, name) in &citizens {
        master.push_str(&format!("{name};{id};Ta Ma\n"));
        assignments.push_str(&format!("{name};{id};Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú;\n"));
    }
    ws.file("master/ds.csv", &master);
    ws.file("assignments/doan-thanh-nien/a.csv", &assignments);
    // Two counted on 08/01 (outside the 7-day window of 15/01: 09/01..15/01), one on 12/01.
    // A report without unit column values: the unit is named from the row's commune column.
    let report = |rows: &[&(String, String)]| {
        let mut text = String::from("Họ và tên;Số định danh cá nhân;Xã\n");
        for (id, name) in rows {
            text.push_str(&format!("{name};{id};Xã Ta Ma\n"));
        }
        text
    };
    ws.file(
        "reports/2024-01-08/doan-thanh-nien/r.csv",
        &report(&[&citizens[0], &citizens[1]]),
    );
    ws.file(
        "reports/2024-01-12/doan-thanh-nien/r.csv",
        &report(&[&citizens[2]]),
    );
    let (_, s) = ws.run("2024-01-15");
    let u = unit(&s, "Đoàn xã Ta Ma");
    assert_eq!(
        (
            u["assigned"].as_u64(),
            u["activated"].as_u64(),
            u["remaining"].as_u64()
        ),
        (Some(10), Some(3), Some(7))
    );
    // days_left = 21; required = ceil(7/21) = 1; c7 = 1 → finish 15/01 + 49 days = 04/03 > 05/02: behind.
    assert_eq!(u["required_per_day"], 1);
    assert_eq!(u["projected_finish"], "2024-03-04");
    assert_eq!(u["status"], "behind");
    // Nothing credited on 13, 14, 15 January.
    assert_eq!(u["zero_days"], 3);
    assert_eq!(u["reported_today"], false);
    let cell = s["by_force_commune"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| c["force"] == "doan-thanh-nien" && c["commune"] == "Ta Ma")
        .cloned();
    let cell = cell.expect("a cell for Đoàn × Ta Ma");
    assert_eq!(
        (cell["target"].as_u64(), cell["activated"].as_u64()),
        (Some(10), Some(3))
    );
    assert_eq!(
        s["by_force_commune"].as_array().map(Vec::len),
        Some(12),
        "4 forces × 3 communes"
    );
    assert_eq!(s["totals"]["target"], 10);
}

#[test]
fn targets_appendix_sets_force_commune_targets() {
    let ws = claims_workspace();
    ws.file("targets.csv", "unused");
    let (_, without) = ws.run("2024-01-15");
    assert_eq!(
        without["totals"]["target"], 2,
        "assigned counts without an appendix"
    );
    write_targets_xlsx(&ws.path().join("targets.xlsx"));
    let (_, with) = ws.run("2024-01-15");
    let cell = |s: &Value, force: &str, commune: &str| {
        s["by_force_commune"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["force"] == force && c["commune"] == commune)
            .map(|c| c["target"].clone())
    };
    assert_eq!(
        cell(&with, "doan-thanh-nien", "Ta Ma"),
        Some(Value::from(40))
    );
    assert_eq!(cell(&with, "cong-an", "Quài Tở"), Some(Value::from(7)));
    assert_eq!(with["totals"]["target"], 40 + 25 + 7);
}

fn write_targets_xlsx(path: &Path) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows: [[&str; 4]; 4] = [
        ["PHỤ LỤC CHỈ TIÊU KÍCH HOẠT", "", "", ""],
        ["Xã, thị trấn", "Đoàn Thanh niên", "Hội LHPN", "Công an"],
        ["Xã Ta Ma", "40", "25", ""],
        ["Quài Tở", "", "", "7"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if let Ok(number) = value.parse::<f64>() {
                sheet
                    .write_number(r as u32, c as u16, number)
                    .expect("write");
            } else if !value.is_empty() {
                sheet
                    .write_string(r as u32, c as u16, *value)
                    .expect("write");
            }
        }
    }
    workbook.save(path).expect("save targets");
}

#[test]
fn unknown_force_is_rejected_not_guessed() {
    let ws = claims_workspace();
    ws.file(
        "assignments/khong-ro.csv",
        &format!("{ASSIGN_HEADER}Cà Văn Cường;{C};Quài Tở;Chi đoàn Xôm;Cà Thị Hoa;\n"),
    );
    ws.file(
        "reports/2024-01-15/bao-cao-xa.csv",
        &format!("{REPORT_HEADER}Cà Văn Cường;{C};Chi đoàn Xôm\n"),
    );
    let (_, s) = ws.run("2024-01-15");
    assert_eq!(s["rejected_rows"]["unknown_force"], 2);
    assert_eq!(s["totals"]["unassigned"], 1);
    assert_eq!(s["claims"]["counted"], 0);
    let input = s["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .find(|i| i["path"] == "assignments/khong-ro.csv")
        .cloned()
        .expect("listed");
    assert_eq!(
        (input["accepted"].as_u64(), input["rejected"].as_u64()),
        (Some(0), Some(1))
    );
}

#[test]
fn bad_rows_and_warnings_are_counted() {
    let ws = Workspace::new();
    // "1-ds.csv" sorts before "2-bo-sung.csv": its name is the master record's.
    ws.file(
        "master/1-ds.csv",
        &format!("Họ và tên;Số định danh cá nhân;Xã\nLò Văn An;{A};Ta Ma\nKhông số;;Ta Ma\nSai;040123456;Ta Ma\nQuàng Thị Bình;{B};Ta Ma\n"),
    );
    ws.file(
        "master/2-bo-sung.csv",
        &format!("Họ và tên;Số định danh cá nhân;Xã\nLò Văn Ân;{A};Ta Ma\nlò  văn an;{A};Ta Ma\n"),
    );
    let (_, s) = ws.run("2024-01-15");
    assert_eq!(s["totals"]["master"], 2);
    assert_eq!(s["totals"]["master_duplicates"], 2);
    assert_eq!(s["rejected_rows"]["missing_id"], 1);
    assert_eq!(s["rejected_rows"]["old_cmnd"], 1);
    assert_eq!(
        s["warnings"]["name_mismatch"], 1,
        "Ân differs from An; case and spacing do not"
    );
}

#[test]
fn missing_workspace_parts_say_what_to_create() {
    let ws = Workspace::new();
    let output = cli()
        .args(["run", "--date", "2024-01-15", "-w"])
        .arg(ws.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(3), "no master/ folder");
    assert!(String::from_utf8_lossy(&output.stderr).contains("vneid-recon init"));
    let empty = tempfile::tempdir().expect("temp dir");
    let output = cli()
        .args(["run", "-w"])
        .arg(empty.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(3), "no settings");
    assert!(String::from_utf8_lossy(&output.stderr).contains("vneid-recon init"));
    ws.file("vneid-recon.toml", "deadline = 2024-02-05\ncommunes = []\n");
    std::fs::create_dir_all(ws.path().join("master")).expect("mkdir");
    let output = cli()
        .args(["run", "-w"])
        .arg(ws.path())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "bad settings");
    assert!(String::from_utf8_lossy(&output.stderr).contains("dòng 2"));
    assert!(!ws.path().join("out").exists(), "nothing written");
}

#[test]
fn unreadable_file_and_undated_folder() {
    let ws = claims_workspace();
    ws.file(
        "reports/2024-01-15/doan-thanh-nien/hong.xlsx",
        "PK\u{3}\u{4} broken",
    );
    ws.file(
        "reports/ghi-chu/note.csv",
        &format!("{REPORT_HEADER}Cà Văn Cường;{C};Đoàn xã Ta Ma\n"),
    );
    ws.file(
        "reports/2024-01-15/doan-thanh-nien/ok.csv",
        &format!("{REPORT_HEADER}Lò Văn An;{A};Đoàn xã Ta Ma\n"),
    );
    let (code, s) = ws.run("2024-01-15");
    assert_eq!(code, 1);
    assert_eq!(
        s["unreadable_files"][0]["path"],
        "reports/2024-01-15/doan-thanh-nien/hong.xlsx"
    );
    assert_eq!(
        s["skipped_report_folders"],
        serde_json::json!(["reports/ghi-chu"])
    );
    assert_eq!(s["claims"]["counted"], 1, "the other files are still read");
}

#[test]
fn reruns_and_renames_give_identical_summaries() {
    let ws = claims_workspace();
    ws.file(
        "reports/2024-01-15/doan-thanh-nien/ta-ma.csv",
        &format!("{REPORT_HEADER}Quàng Thị Bình;{B};Đoàn xã Ta Ma\n"),
    );
    ws.run("2024-01-15");
    let first = ws.summary_bytes("2024-01-15");
    ws.run("2024-01-15");
    assert_eq!(
        first,
        ws.summary_bytes("2024-01-15"),
        "byte-identical rerun"
    );
    // Renaming a file whose position decides nothing changes nothing but its path in `inputs`.
    let from = ws
        .path()
        .join("reports/2024-01-15/doan-thanh-nien/ta-ma.csv");
    std::fs::rename(
        &from,
        ws.path()
            .join("reports/2024-01-15/doan-thanh-nien/bao-cao.csv"),
    )
    .expect("rename");
    ws.run("2024-01-15");
    let renamed: Value = serde_json::from_slice(&ws.summary_bytes("2024-01-15")).expect("json");
    let original: Value = serde_json::from_slice(&first).expect("json");
    for key in [
        "totals",
        "claims",
        "units",
        "by_force_commune",
        "rejected_rows",
        "warnings",
    ] {
        assert_eq!(renamed[key], original[key], "{key}");
    }
}

#[allow(dead_code)]
fn fixture(path: &str) -> PathBuf {
    super::support::repo().join(path)
}

#[test]
fn officers_are_compared_like_names() {
    // SPEC §11.14: "Lò Văn Hòa" and "Lò văn Hoà" (old tone placement, other case) are one officer,
    // so A has one candidate; B has two officers of one unit and is a conflict.
    let ws = Workspace::new();
    three_citizens(&ws);
    ws.file(
        "assignments/doan-thanh-nien/a.csv",
        &format!(
            "{ASSIGN_HEADER}Lò Văn An;{A};Ta Ma;Chi đoàn bản Phiêng;Lò Văn Hòa;\n\
             Lò Văn An;{A};Ta Ma;Chi đoàn bản Phiêng;Lò  văn Hoà;\n\
             Quàng Thị Bình;{B};Ta Ma;Chi đoàn bản Phiêng;Lò Văn Hòa;\n\
             Quàng Thị Bình;{B};Ta Ma;Chi đoàn bản Phiêng;Lò Văn Hoa;\n"
        ),
    );
    let (code, s) = ws.run("2024-01-15");
    assert_eq!(code, 0);
    assert_eq!(s["totals"]["conflicts"], 1, "only B: Hoa is not Hòa");
    assert_eq!(s["conflicts_by_rule"]["first_seen"], 1);
    assert_eq!(unit(&s, "Chi đoàn bản Phiêng")["assigned"], 2);
}

#[test]
fn bad_date_in_every_date_column() {
    // SPEC §11.16: each unreadable date cell gets a bad_date warning (inspect lists all four); the
    // summary counts them per accepted row (§11.11), so A's two bad dates on one assignment row are
    // one. The rows are kept and a claim's date stays its folder's date.
    let ws = Workspace::new();
    three_citizens(&ws);
    ws.file(
        "assignments/doan-thanh-nien/a.csv",
        &format!(
            "Họ và tên;Số định danh cá nhân;Ngày sinh;Xã;Đơn vị;Cán bộ phụ trách;Ngày phân công\n\
             Lò Văn An;{A};31/02/1990;Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú;chưa rõ\n\
             Quàng Thị Bình;{B};1990;Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú;02/01/2024\n"
        ),
    );
    ws.file(
        "reports/2024-01-15/doan-thanh-nien/bao-cao.csv",
        &format!(
            "Họ và tên;Số định danh cá nhân;Đơn vị;Ngày kích hoạt\n\
             Lò Văn An;{A};Đoàn xã Ta Ma;00/00/0000\n\
             Quàng Thị Bình;{B};Đoàn xã Ta Ma;x\n"
        ),
    );
    let (code, s) = ws.run("2024-01-15");
    assert_eq!(code, 0);
    assert_eq!(s["warnings"]["bad_date"], 3);
    assert_eq!(s["claims"]["counted"], 2);
    assert_eq!(s["totals"]["activated_today"], 2);
}

#[test]
fn a_vni_name_column_converts_its_valid_looking_names() {
    // SPEC §11.13: "Loà Thò Ly" alone reads as valid Vietnamese, but its column also holds
    // "Chaù Thò Sy", so the column is VNI and both convert; no name_mismatch against the master.
    let ws = Workspace::new();
    ws.master(
        "master/ds.csv",
        &[(A, "Lồ Thị Ly", "Ta Ma"), (B, "Chá Thị Sy", "Ta Ma")],
    );
    ws.file(
        "assignments/doan-thanh-nien/a.csv",
        &format!(
            "{ASSIGN_HEADER}Loà Thò Ly;{A};Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú;\n\
             Chaù Thò Sy;{B};Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú;\n"
        ),
    );
    let (code, s) = ws.run("2024-01-15");
    assert_eq!(code, 0);
    assert_eq!(s["warnings"]["name_mismatch"], 0);
    assert_eq!(s["totals"]["assigned"], 2);
}
