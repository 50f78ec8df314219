//! The workbooks of a run, read back with calamine (SPEC §7, issue "Workbooks"): sheet names, header
//! cells, IDs as 12-digit text with their leading zero, Tổng hợp totals equal to summary.json, a
//! force's workbook holding no citizen assigned to another force, byte-identical reruns, and a real
//! LibreOffice opening every file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use serde_json::Value;

use super::district::run_fixture;

const DAY: &str = "2024-01-15";
const FORCES: [&str; 4] = ["doan-thanh-nien", "hoi-phu-nu", "giao-duc", "cong-an"];
/// The header row of every table (Excel row 9).
const HEADER: usize = 8;

fn sheet(path: &Path, name: &str) -> calamine::Range<Data> {
    let mut workbook: Xlsx<_> =
        open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    workbook
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text(range: &calamine::Range<Data>, row: usize, col: usize) -> String {
    range
        .get((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

fn is_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn district() -> (tempfile::TempDir, PathBuf, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("tuan-giao");
    let summary = run_fixture(&workspace);
    let out = workspace.join("out").join(DAY);
    (dir, out, summary)
}

#[test]
fn district_workbook_sheets_headers_ids_and_totals() {
    let (_dir, out, summary) = district();
    let path = out.join(format!("tong-hop-{DAY}.xlsx"));
    let workbook: Xlsx<_> = open_workbook(&path).expect("tong-hop opens");
    assert_eq!(
        workbook.sheet_names(),
        [
            "Tổng hợp",
            "Theo đơn vị",
            "Theo cán bộ",
            "Chưa kích hoạt",
            "Trùng phân công",
            "Chưa phân công",
            "Ngoài danh sách",
            "Báo cáo bất thường",
            "Lỗi dữ liệu",
            "Nguồn dữ liệu"
        ]
    );
    let totals = sheet(&path, "Tổng hợp");
    assert_eq!(text(&totals, 0, 0), "CÔNG AN HUYỆN TUẦN GIÁO");
    assert_eq!(
        text(&totals, 4, 0),
        "BÁO CÁO TIẾN ĐỘ HƯỚNG DẪN KÍCH HOẠT TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2"
    );
    assert_eq!(
        text(&totals, 5, 0),
        "Số liệu tính đến 20 giờ 00 ngày 15/01/2024"
    );
    assert_eq!(text(&totals, HEADER, 1), "Xã, thị trấn");
    // The "Toàn huyện" row: the district target and activations equal summary.json.
    let row = (HEADER..HEADER + 40)
        .find(|&r| text(&totals, r, 1) == "Toàn huyện")
        .expect("a district total row");
    let headers: Vec<String> = (0..30).map(|c| text(&totals, HEADER, c)).collect();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let number = |col: usize| {
        totals
            .get((row, col))
            .and_then(|d| d.as_f64())
            .unwrap_or(-1.0)
    };
    assert_eq!(
        number(column("Chỉ tiêu")),
        summary["totals"]["target"].as_f64().expect("target")
    );
    assert_eq!(
        number(column("Đã kích hoạt")),
        summary["totals"]["activated"].as_f64().expect("activated")
    );
    assert_eq!(
        number(column("Còn lại")),
        summary["totals"]["remaining"].as_f64().expect("remaining")
    );
    assert_eq!(
        number(column("Trong ngày")),
        summary["totals"]["activated_today"]
            .as_f64()
            .expect("today")
    );

    let remaining = sheet(&path, "Chưa kích hoạt");
    assert_eq!(text(&remaining, HEADER, 1), "Số định danh cá nhân");
    let first_id = remaining.get((HEADER + 1, 1)).expect("a remaining citizen");
    assert!(
        matches!(first_id, Data::String(s) if is_id(s) && s.starts_with('0')),
        "ID as 12-digit text: {first_id:?}"
    );
    let rows = remaining.height() - HEADER - 1;
    assert_eq!(
        rows as u64,
        summary["totals"]["master"].as_u64().expect("master")
            - summary["claims"]["counted"].as_u64().expect("counted")
    );

    let units = sheet(&path, "Theo đơn vị");
    assert_eq!(
        units.height() - HEADER - 1,
        summary["units"].as_array().expect("units").len()
    );
    let errors = sheet(&path, "Lỗi dữ liệu");
    let rejected: u64 = summary["rejected_rows"]
        .as_object()
        .expect("rejects")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    let warnings: u64 = summary["warnings"]
        .as_object()
        .expect("warnings")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(
        (errors.height() - HEADER - 1) as u64,
        rejected + warnings,
        "every rejected row and warning listed"
    );
}

/// ID → assigned force name, from the district workbook's citizen sheets.
fn assigned_forces(district: &Path) -> HashMap<String, String> {
    let mut forces = HashMap::new();
    for (name, id_col, force_col) in [
        ("Chưa kích hoạt", 1, 7),
        ("Trùng phân công", 1, 4),
        ("Ngoài danh sách", 1, 2),
    ] {
        let range = sheet(district, name);
        for row in HEADER + 1..range.height() {
            let id = text(&range, row, id_col);
            if is_id(&id) {
                forces.insert(id, text(&range, row, force_col));
            }
        }
    }
    forces
}

#[test]
fn a_force_workbook_holds_only_its_own_citizens() {
    let (_dir, out, _) = district();
    let assigned = assigned_forces(&out.join(format!("tong-hop-{DAY}.xlsx")));
    let names = [
        "Đoàn Thanh niên",
        "Hội Liên hiệp Phụ nữ",
        "Giáo dục",
        "Công an",
    ];
    for (force, name) in FORCES.iter().zip(names) {
        let path = out.join(format!("{force}-{DAY}.xlsx"));
        let mut workbook: Xlsx<_> = open_workbook(&path).expect("force workbook opens");
        let mut checked = 0;
        for sheet_name in workbook.sheet_names() {
            let range = workbook.worksheet_range(&sheet_name).expect("sheet");
            for cell in range.used_cells() {
                if let Data::String(id) = cell.2 {
                    if let Some(other) = assigned
                        .get(id)
                        .filter(|f| f.as_str() != name && f.as_str() != "(chưa phân công)")
                    {
                        panic!("{force}: {sheet_name} shows {id}, assigned to {other}");
                    }
                    checked += usize::from(is_id(id));
                }
            }
        }
        assert!(checked > 20, "{force}: its citizens are listed ({checked})");
    }
}

#[test]
fn every_output_is_byte_identical_on_rerun() {
    let (dir, out, _) = district();
    let first = super::support::snapshot_dir(&out);
    assert_eq!(
        first.len(),
        10,
        "summary, district, four forces, message, picture (PNG, SVG, the phone's SVG)"
    );
    super::support::cli()
        .args(["run", "--quiet", "--date", DAY, "-w"])
        .arg(dir.path().join("tuan-giao"))
        .assert()
        .success();
    assert_eq!(first, super::support::snapshot_dir(&out));
    let message = String::from_utf8(
        first
            .iter()
            .find(|(n, _)| n.starts_with("tin-nhan"))
            .expect("message")
            .1
            .clone(),
    )
    .expect("utf-8");
    let expected: serde_json::Value = serde_json::from_slice(
        &std::fs::read(super::support::repo().join("fixtures/tuan-giao/expected-summary.json"))
            .expect("expected summary"),
    )
    .expect("JSON");
    let activated = expected["totals"]["activated"].as_u64().expect("activated");
    assert!(
        activated < 1000,
        "the phrase below has no thousands separator"
    );
    assert!(
        message.contains(&format!("đã kích hoạt {activated}/2.045")),
        "{message}"
    );
    assert!(
        !message.split(|c: char| !c.is_ascii_digit()).any(is_id),
        "no citizen ID in the message"
    );
}

#[test]
fn libreoffice_opens_every_workbook() {
    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok()
    }) else {
        assert!(
            std::env::var_os("VNEID_REQUIRE_SOFFICE").is_none(),
            "LibreOffice is required here but not installed"
        );
        eprintln!("SKIPPED: LibreOffice is not installed (.ci/run installs it)");
        return;
    };
    let (dir, out, _) = district();
    let pdf_dir = dir.path().join("pdf");
    for name in std::iter::once(format!("tong-hop-{DAY}.xlsx"))
        .chain(FORCES.iter().map(|f| format!("{f}-{DAY}.xlsx")))
    {
        let status = std::process::Command::new(soffice)
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(&pdf_dir)
            .arg(out.join(&name))
            .env("HOME", dir.path())
            .output()
            .expect("soffice runs");
        assert!(
            status.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        let pdf = pdf_dir.join(name.replace(".xlsx", ".pdf"));
        let size = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
        assert!(
            size > 10_000,
            "{name} converted to a real PDF ({size} bytes)"
        );
    }
}

#[test]
fn the_progress_picture_is_a_1200_px_png_of_counts_only() {
    let (_dir, out, _) = district();
    let bytes = std::fs::read(out.join(format!("bieu-do-{DAY}.png"))).expect("the picture");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    assert_eq!(width, 1200);
    // The curve panel and one bar per commune (19).
    assert!(height > 560 + 19 * 26, "{height}");
}
