//! Lists as schools, unions and households lay them out (issue 24, SPEC §11.17-19) and the report
//! marks a clerk writes (issue 29, SPEC §11.20-21). The files are in `fixtures/lists/`, made by
//! `make_lists.py`; every expectation below was worked out by hand in its README from the SPEC.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::{Value, json};

use super::support::{assert_rows_conserved, cli, inspect_json, repo, run_json, workspace_copy};

const DAY: &str = "2024-01-15";

fn lists() -> PathBuf {
    repo().join("fixtures/lists")
}

/// Every sheet of one file, as `inspect --json` (default aliases, no workspace) reads it.
fn inspect_sheets(relative: &str) -> Vec<Value> {
    let path = lists().join(relative);
    let (code, json) = inspect_json(&[path.as_path()], DAY);
    assert_eq!(code, 0, "{relative} reads");
    assert_rows_conserved(&json);
    json["files"][0]["sheets"]
        .as_array()
        .expect("sheets")
        .clone()
}

/// (read, accepted, rejected, skipped) of a sheet.
fn counts(sheet: &Value) -> [u64; 4] {
    ["read", "accepted", "rejected", "skipped"].map(|k| sheet[k].as_u64().expect(k))
}

/// (row, column, code) of each warning of a sheet.
fn warnings(sheet: &Value) -> Vec<(u64, String, String)> {
    sheet["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            (
                w["row"].as_u64().expect("row"),
                w["column"].as_str().expect("column").to_string(),
                w["code"].as_str().expect("code").to_string(),
            )
        })
        .collect()
}

fn warned(list: &[(u64, &str, &str)]) -> Vec<(u64, String, String)> {
    list.iter()
        .map(|(row, column, code)| (*row, column.to_string(), code.to_string()))
        .collect()
}

/// The names the library reads from each accepted row of a file, by (sheet index, Excel row).
fn names(relative: &str) -> Vec<(u32, u32, Option<String>)> {
    use vneid_recon::ingest::{ReadOptions, aliases::AliasTable, read_file};
    let path = lists().join(relative);
    let report = read_file(
        &path,
        relative,
        &AliasTable::default(),
        2024,
        &ReadOptions::default(),
    );
    report
        .rows
        .iter()
        .map(|row| {
            let name = row.fields.name.as_deref().map(str::to_string);
            (row.sheet_index, row.row, name)
        })
        .collect()
}

fn named(list: &[(u32, u32, &str)]) -> Vec<(u32, u32, Option<String>)> {
    list.iter()
        .map(|(sheet, row, name)| (*sheet, *row, Some(name.to_string())))
        .collect()
}

#[test]
fn a_police_report_with_a_two_row_header_merged_down_keeps_unit_and_officer() {
    // SPEC §11.17, with the default aliases alone: the copies of STT, the name, the ID ("Số định
    // danh công dân", "Số định danh cá nhân (CCCD)": aliases only by their beginning) and the
    // address in row 6 do not stop it from being the sub-header row.
    let sheets = inspect_sheets("files/phan-cong-hai-dong.xlsx");
    let columns = json!({"name": "B", "id": "C", "address": "D", "unit": "E", "officer": "F"});
    for (sheet, rows) in sheets.iter().zip([3, 2]) {
        assert_eq!(sheet["header_row"], 5, "{}", sheet["name"]);
        assert_eq!(sheet["columns"], columns, "{}", sheet["name"]);
        // Rows 7.. hold the data, then one blank row and the footer "Người lập biểu".
        assert_eq!(counts(sheet), [rows + 2, rows, 0, 2], "{}", sheet["name"]);
        for field in ["unit", "officer"] {
            assert_eq!(sheet["values"][field], rows, "{}: {field}", sheet["name"]);
        }
        assert!(warnings(sheet).is_empty());
    }
    assert_eq!(
        names("files/phan-cong-hai-dong.xlsx"),
        named(&[
            (0, 7, "Lò Văn Phanh"),
            (0, 8, "Quàng Thị Xiêng"),
            (0, 9, "Cà Văn Ón"),
            (1, 7, "GIÀNG A DÌNH"),
            (1, 8, "MÙA THỊ MỶ"),
        ])
    );
}

#[test]
fn a_name_in_two_columns_is_joined_with_or_without_the_merged_parent() {
    // SPEC §11.18: "Họ và tên" merged over "Họ đệm" | "Tên"; "Họ và chữ đệm" | "Tên" side by
    // side, where "Tên đơn vị" is no given name (exact texts only).
    let sheets = inspect_sheets("files/ho-ten-hai-cot.xlsx");
    assert_eq!(sheets[0]["header_row"], 4);
    assert_eq!(
        sheets[0]["columns"],
        json!({"surname": "B", "given_name": "C", "id": "D", "dob": "E"})
    );
    assert_eq!(counts(&sheets[0]), [4, 4, 0, 0]);
    assert_eq!(sheets[1]["header_row"], 4);
    assert_eq!(
        sheets[1]["columns"],
        json!({"surname": "B", "given_name": "C", "id": "D"})
    );
    assert_eq!(counts(&sheets[1]), [3, 3, 0, 0]);
    assert!(sheets.iter().all(|sheet| warnings(sheet).is_empty()));
    assert_eq!(
        names("files/ho-ten-hai-cot.xlsx"),
        named(&[
            (0, 6, "Lò Văn Thanh"),
            (0, 7, "Quàng Thị Ín"),
            // No surname: the given name alone.
            (0, 8, "Páo"),
            // "Lường  Thị" + " Hoa ": normalised as any name.
            (0, 9, "Lường Thị Hoa"),
            (1, 5, "Tòng Văn Khánh"),
            (1, 6, "Vì Thị Duyên"),
            (1, 7, "Điêu Văn Hặc"),
        ])
    );
}

#[test]
fn birth_years_under_nam_and_nu_give_the_date_and_the_gender() {
    // SPEC §11.19: a year or a date under the citizen's sex; a year under the wrong sex is
    // gender_mismatch, both cells filled is bad_date on the female cell.
    let sheets = inspect_sheets("files/nam-sinh-nam-nu.xlsx");
    let household = &sheets[0];
    assert_eq!(household["header_row"], 4);
    assert_eq!(
        household["columns"],
        json!({"name": "B", "dob_male": "C", "dob_female": "D", "id": "E"})
    );
    assert_eq!(counts(household), [7, 7, 0, 0]);
    assert_eq!(
        warnings(household),
        warned(&[
            (10, "D", "gender_mismatch"),
            (11, "D", "bad_date"),
            (12, "C", "dob_mismatch"),
        ])
    );
    // Under "Ngày, tháng, năm sinh", with the ID documents' own labels.
    let documents = &sheets[1];
    assert_eq!(documents["header_row"], 1);
    assert_eq!(
        documents["columns"],
        json!({"name": "B", "id": "C", "dob_male": "D", "dob_female": "E"})
    );
    assert_eq!(counts(documents), [2, 2, 0, 0]);
    assert!(warnings(documents).is_empty());
}

#[test]
fn the_id_cards_labels_are_read_from_a_csv_with_commas_in_quoted_headers() {
    let sheets = inspect_sheets("files/the-can-cuoc.csv");
    assert_eq!(sheets[0]["header_row"], 1);
    assert_eq!(
        sheets[0]["columns"],
        json!({"name": "B", "id": "C", "dob": "D"})
    );
    assert_eq!(counts(&sheets[0]), [2, 2, 0, 0]);
    assert!(warnings(&sheets[0]).is_empty());
    assert_eq!(
        names("files/the-can-cuoc.csv"),
        named(&[(0, 2, "Lò Văn Phanh"), (0, 3, "Quàng Thị Xiêng")])
    );
}

/// The entries of a count map that are not 0 (`summary.json` lists every code).
fn nonzero(counts: &Value) -> Value {
    counts
        .as_object()
        .expect("counts")
        .iter()
        .filter(|(_, n)| n.as_u64() != Some(0))
        .map(|(code, n)| (code.clone(), n.clone()))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The row of a sheet holding `id`, as text cells.
fn row_with(path: &Path, sheet: &str, id: &str) -> Vec<String> {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("workbook");
    let range = workbook.worksheet_range(sheet).expect("sheet");
    range
        .rows()
        .find(|row| row.iter().any(|cell| *cell == Data::String(id.into())))
        .unwrap_or_else(|| panic!("{id} in {sheet}"))
        .iter()
        .map(|cell| cell.to_string())
        .collect()
}

#[test]
fn the_lists_workspace_reads_every_layout_and_counts_only_the_yes_marks() {
    let dir = workspace_copy("fixtures/lists/ws");
    let (code, summary) = run_json(dir.path(), DAY);
    assert_eq!(code, 0);
    let expected = json!({"master": 32, "assigned": 32, "unassigned": 0, "not_in_master": 0,
        "conflicts": 0, "target": 32, "activated": 16, "activated_today": 16, "remaining": 16});
    for (key, value) in expected.as_object().expect("totals") {
        assert_eq!(&summary["totals"][key], value, "totals.{key}");
    }
    // 16 yes-marks counted; the 6 unclear ones rejected; the 10 no-marks skipped.
    assert_eq!(
        summary["claims"],
        json!({"counted": 16, "unknown": 0, "repeat": 0, "duplicate": 0, "outside_assignment": 0})
    );
    assert_eq!(
        nonzero(&summary["rejected_rows"]),
        json!({"unclear_mark": 6})
    );
    // The future activation date, the year under Nữ of a man, and the one assignment row whose
    // name differs from the master's joined name.
    assert_eq!(
        nonzero(&summary["warnings"]),
        json!({"bad_date": 1, "gender_mismatch": 1, "name_mismatch": 1})
    );
    let inputs: Vec<(String, [u64; 4])> = summary["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| (i["path"].as_str().expect("path").to_string(), counts(i)))
        .collect();
    assert_eq!(
        inputs,
        [
            (
                "assignments/cong-an/phan-cong.xlsx".to_string(),
                [34, 32, 0, 2]
            ),
            ("master/ds-chua-kich-hoat.xlsx".to_string(), [32, 32, 0, 0]),
            (
                "reports/2024-01-15/cong-an/bao-cao.xlsx".to_string(),
                [32, 16, 6, 10]
            ),
        ]
    );
    let units: Vec<(String, u64, u64)> = summary["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| {
            (
                u["unit"].as_str().expect("unit").to_string(),
                u["assigned"].as_u64().expect("assigned"),
                u["activated"].as_u64().expect("activated"),
            )
        })
        .collect();
    assert_eq!(
        units,
        [
            ("Công an xã Quài Tở".to_string(), 16, 16),
            ("Công an xã Ta Ma".to_string(), 16, 0)
        ]
    );
    // The to-do list shows the master's joined name and the officer read under the merged parent.
    let workbook = dir
        .path()
        .join("out")
        .join(DAY)
        .join(format!("tong-hop-{DAY}.xlsx"));
    // Citizen 17 of the master: "Lò Văn" | "Phanh", born 1996 under Nam, in Ta Ma.
    let row = row_with(&workbook, "Chưa kích hoạt", "011096760017");
    for expected in ["Lò Văn Phanh", "Trần Thị Lan", "Công an xã Ta Ma"] {
        assert!(
            row.iter().any(|cell| cell == expected),
            "{expected} in {row:?}"
        );
    }
}

#[test]
fn check_names_each_unclear_mark_and_the_future_activation_date() {
    let dir = workspace_copy("fixtures/lists/ws");
    let report = dir.path().join("reports/2024-01-15/cong-an/bao-cao.xlsx");
    let output = cli()
        .args(["check", "--json", "--date", DAY, "-w"])
        .arg(dir.path())
        .arg(&report)
        .output()
        .expect("check runs");
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let problems: Vec<(u64, String, String)> = json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().expect("row"),
                p["column"].as_str().unwrap_or("").to_string(),
                p["code"].as_str().expect("code").to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        warned(&[
            (19, "F", "bad_date"),
            (30, "E", "unclear_mark"),
            (31, "E", "unclear_mark"),
            (32, "E", "unclear_mark"),
            (33, "E", "unclear_mark"),
            (34, "E", "unclear_mark"),
            (35, "E", "unclear_mark"),
        ])
    );
    // 16 yes-marks, one of them with a date after the report's day.
    assert_eq!(json["clean_rows"], 15);
}

#[test]
fn a_day_that_has_not_come_is_refused_and_nothing_is_written() {
    let dir = workspace_copy("fixtures/lists/ws");
    let tomorrow = (vneid_recon::today_in_vietnam() + chrono::Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    for command in ["run", "check"] {
        let output = cli()
            .args([command, "--date", &tomorrow, "-w"])
            .arg(dir.path())
            .args((command == "check").then(|| dir.path().join("master/ds-chua-kich-hoat.xlsx")))
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("chưa đến"), "{command}: {stderr}");
    }
    assert!(!dir.path().join("out").exists(), "nothing written");
}

#[test]
fn a_workspace_whose_master_list_is_empty_is_a_setup_error() {
    let dir = super::support::new_workspace();
    let output = cli()
        .args(["run", "--date", DAY, "-w"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("danh sách chưa kích hoạt trống"),
        "{stderr}"
    );
    assert!(stderr.contains("master"), "{stderr}");
    assert!(
        !dir.path().join("out").join(DAY).exists(),
        "nothing written"
    );
}
