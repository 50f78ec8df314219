//! `inspect --json` on the hand-made fixtures of `fixtures/inspect/` gives exactly the expectations
//! written by hand beside each fixture (`X.expected.json`, derived from what was put in the file, not
//! from the tool's output): header row, column mapping, counts, rejects and warnings.

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::support::{assert_rows_conserved, cli, inspect_json, repo};

const SHEET_KEYS: [&str; 11] = [
    "name",
    "header_row",
    "skipped_reason",
    "columns",
    "read",
    "accepted",
    "rejected",
    "skipped",
    "ids_padded",
    "rejects",
    "warnings",
];

fn fixtures() -> Vec<(PathBuf, PathBuf)> {
    let folder = repo().join("fixtures/inspect");
    let mut pairs: Vec<(PathBuf, PathBuf)> = std::fs::read_dir(&folder)
        .expect("fixtures/inspect exists")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path
                .file_name()?
                .to_str()?
                .strip_suffix(".expected.json")?
                .to_string();
            Some((folder.join(name), path))
        })
        .collect();
    pairs.sort();
    pairs
}

/// The parts of an inspect file entry that the expectations cover.
fn restrict(file: &Value) -> Value {
    let sheets: Vec<Value> = file["sheets"]
        .as_array()
        .map(|sheets| {
            sheets
                .iter()
                .map(|sheet| {
                    let kept: Map<String, Value> = SHEET_KEYS
                        .iter()
                        .map(|k| (k.to_string(), sheet.get(*k).cloned().unwrap_or(Value::Null)))
                        .collect();
                    Value::Object(kept)
                })
                .collect()
        })
        .unwrap_or_default();
    serde_json::json!({"path": file["path"], "format": file["format"], "sheets": sheets})
}

#[test]
fn fixtures_read_exactly_as_expected_by_hand() {
    let pairs = fixtures();
    assert!(pairs.len() >= 4, "the inspect fixtures are present");
    for (fixture, expected_path) in pairs {
        let relative = fixture
            .strip_prefix(repo())
            .expect("inside the repo")
            .to_path_buf();
        let (code, json) = inspect_json(&[relative.as_path()], "2024-01-15");
        assert_eq!(code, 0, "{} is readable", relative.display());
        assert_rows_conserved(&json);
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).expect("expectation"))
                .expect("the expectation is JSON");
        let expected = expected
            .get("files")
            .and_then(|f| f.get(0))
            .cloned()
            .unwrap_or(expected);
        let actual = restrict(&json["files"][0]);
        assert_eq!(
            serde_json::to_string_pretty(&actual).expect("json"),
            serde_json::to_string_pretty(&restrict(&expected)).expect("json"),
            "inspect of {}",
            relative.display()
        );
    }
}

#[test]
fn an_unreadable_file_is_named_and_the_others_are_still_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fake = dir.path().join("bao-cao.xlsx");
    std::fs::write(&fake, b"<html><table><tr><td>1</td></tr></table></html>").expect("write");
    let broken_zip = dir.path().join("hong.xlsx");
    std::fs::write(&broken_zip, b"PK\x03\x04 truncated").expect("write");
    let good = dir.path().join("ds.csv");
    std::fs::write(&good, "Họ và tên;Số CCCD\nLò Văn A;011090012345\n").expect("write");
    let (code, json) = inspect_json(
        &[fake.as_path(), broken_zip.as_path(), good.as_path()],
        "2024-01-15",
    );
    assert_eq!(code, 1);
    assert_eq!(json["files"][0]["error"], "not_spreadsheet");
    assert_eq!(json["files"][1]["error"], "damaged");
    assert_eq!(json["files"][2]["sheets"][0]["accepted"], 1);
    let text = cli()
        .arg("inspect")
        .arg(&fake)
        .output()
        .expect("inspect runs");
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("bao-cao.xlsx") && stdout.contains("không phải bảng tính"),
        "{stdout}"
    );
}

#[test]
fn inputs_are_never_modified() {
    for (fixture, _) in fixtures() {
        let before = std::fs::read(&fixture).expect("fixture");
        let modified = std::fs::metadata(&fixture).and_then(|m| m.modified()).ok();
        let _ = inspect_json(&[fixture.as_path()], "2024-01-15");
        assert_eq!(std::fs::read(&fixture).expect("fixture"), before);
        assert_eq!(
            std::fs::metadata(&fixture).and_then(|m| m.modified()).ok(),
            modified
        );
    }
}

#[test]
fn a_sheet_with_cells_far_apart_is_read_without_a_dense_grid() {
    // Regression (review): A1 and XFD1048576 would make a dense reader allocate 17·10⁹ cells.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("xa.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Số CCCD").expect("write");
    sheet.write_string(0, 1, "Họ và tên").expect("write");
    sheet.write_string(1, 0, "011090012345").expect("write");
    sheet.write_string(1_048_575, 16_383, "x").expect("write");
    workbook.save(&path).expect("save");
    let (code, json) = inspect_json(&[path.as_path()], "2024-01-15");
    assert_eq!(code, 0);
    assert_rows_conserved(&json);
    assert_eq!(json["files"][0]["sheets"][0]["accepted"], 1);
}
