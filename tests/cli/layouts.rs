//! Lists laid out the way offices lay them out (issue 10): merged unit columns, formulas, legacy
//! font columns, unreadable dates, the two-row targets appendix, `.xlsm`/`.xlsb`/`.xls`/`.ods`
//! containers and password-protected files in a workspace. The files are in `fixtures/layouts/`,
//! made by `make_layouts.py`; the expectations come from its `expected.json` and README, worked out
//! by hand from the SPEC, never from the tool's output.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::support::{assert_rows_conserved, inspect_json, repo, run_json, workspace_copy};

fn layouts() -> PathBuf {
    repo().join("fixtures/layouts")
}

fn expected() -> Value {
    let bytes = std::fs::read(layouts().join("expected.json")).expect("expected.json");
    serde_json::from_slice(&bytes).expect("JSON")
}

/// The first sheet of the one file inspected.
fn inspect_sheet(relative: &str) -> Value {
    let path = layouts().join(relative);
    let (code, json) = inspect_json(&[path.as_path()], "2024-01-15");
    assert_eq!(code, 0, "{relative} reads");
    assert_rows_conserved(&json);
    json["files"][0]["sheets"][0].clone()
}

fn rejected_rows(sheet: &Value) -> Vec<(u64, String)> {
    sheet["rejects"]
        .as_array()
        .expect("rejects")
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().expect("row"),
                r["reason"].as_str().expect("reason").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_unit_column_merged_down_fills_every_row_of_its_block() {
    for file in ["files/merged-unit.xlsx", "files/merged-unit.xls"] {
        let sheet = inspect_sheet(file);
        assert_eq!(
            (
                &sheet["read"],
                &sheet["accepted"],
                &sheet["rejected"],
                &sheet["skipped"]
            ),
            (
                &Value::from(12),
                &Value::from(7),
                &Value::from(2),
                &Value::from(3)
            ),
            "{file}"
        );
        // Every accepted row has its commune, unit and officer from the vertical merges.
        for field in ["commune", "unit", "officer"] {
            assert_eq!(sheet["values"][field], 7, "{file}: {field}");
        }
        // D, E, F merged over 4 + 3 rows: (3 + 3 + 1 + 1) + (2 + 2 + 2) cells filled.
        assert_eq!(sheet["merge_filled"], 14, "{file}");
        // The group headings "XÃ QUÀI TỞ" / "XÃ TA MA" are merged across the row: they give the ID
        // column nothing, so each is a row with content and no ID between data rows.
        assert_eq!(
            rejected_rows(&sheet),
            [
                (6, "missing_id".to_string()),
                (11, "missing_id".to_string())
            ],
            "{file}"
        );
    }
}

#[test]
fn ods_and_xlsb_merges_are_not_filled_as_the_readme_says() {
    // calamine exposes no merged regions for these formats: only a merge's first row has the value.
    let sheet = inspect_sheet("files/merged-unit.ods");
    assert_eq!(sheet["accepted"], 7);
    assert_eq!(sheet["values"]["unit"], 2, "one value per block");
    assert_eq!(sheet["merge_filled"], 0);
    let sheet = inspect_sheet("files/report.xlsb");
    assert_eq!(sheet["accepted"], 3);
    assert_eq!(sheet["values"]["unit"], 1);
}

#[test]
fn xlsm_from_libreoffice_and_xlsb_are_read() {
    let path = layouts().join("files/report.xlsm");
    let (code, json) = inspect_json(&[path.as_path()], "2024-01-15");
    assert_eq!(code, 0);
    assert_eq!(json["files"][0]["format"], "xlsx");
    assert_eq!(json["files"][0]["sheets"][0]["accepted"], 3);
    let path = layouts().join("files/report.xlsb");
    let (code, json) = inspect_json(&[path.as_path()], "2024-01-15");
    assert_eq!(code, 0);
    assert_eq!(json["files"][0]["format"], "xlsb");
}

#[test]
fn every_unreadable_date_cell_is_a_bad_date_warning() {
    let sheet = inspect_sheet("files/dates-text.xlsx");
    assert_eq!(sheet["accepted"], 5, "rows with bad dates are kept");
    let mut cells: Vec<String> = sheet["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| w["code"] == "bad_date")
        .map(|w| format!("{}{}", w["column"].as_str().expect("column"), w["row"]))
        .collect();
    cells.sort();
    // "chưa rõ", "31/02/1990", "00/00/0000", "x" in date of birth (D), assignment (E) and
    // activation (F) dates.
    assert_eq!(cells, ["D6", "D9", "E7", "E8", "F5", "F7"]);
}

/// A temporary workspace: the layouts' settings, with files copied in or written.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        let workspace = Self {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        workspace.copy("ws/vneid-recon.toml", "vneid-recon.toml");
        workspace
    }

    /// A copy of the layouts workspace `ws/`.
    fn layouts_ws() -> Self {
        Self {
            dir: workspace_copy("fixtures/layouts/ws"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn copy(&self, from: &str, to: &str) -> &Self {
        let target = self.path().join(to);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(layouts().join(from), target).expect("copy");
        self
    }

    fn write(&self, to: &str, text: &str) -> &Self {
        let target = self.path().join(to);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::write(target, text).expect("write");
        self
    }

    fn run(&self) -> (i32, Value) {
        run_json(self.path(), "2024-01-15")
    }
}

/// A master list (CSV) of the given IDs and names, all in Quài Tở.
fn master_csv(citizens: &[(String, String)]) -> String {
    let mut text = String::from("Số định danh cá nhân;Họ và tên;Xã\n");
    for (id, name) in citizens {
        text.push_str(&format!("{id};{name};Quài Tở\n"));
    }
    text
}

#[test]
fn formula_cells_are_read_as_their_cached_values() {
    // The master holds the IDs and names the formulas compute; the formula list, used as an
    // assignment list, must match every one of them exactly.
    let expected = expected();
    let rows = expected["files"]["files/formulas.xlsx"]["rows"]
        .as_array()
        .expect("rows");
    let citizens: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str().expect("id").into(),
                r["name"].as_str().expect("name").into(),
            )
        })
        .collect();
    assert!(
        rows.iter()
            .any(|r| !r["formulas"].as_array().expect("f").is_empty())
    );
    let ws = Workspace::new();
    ws.write("master/ds.csv", &master_csv(&citizens))
        .copy("files/formulas.xlsx", "assignments/doan-thanh-nien/ds.xlsx");
    let (code, s) = ws.run();
    assert_eq!(code, 0);
    assert_eq!(
        s["totals"]["assigned"], 3,
        "every formula ID is a master ID"
    );
    assert_eq!(s["totals"]["not_in_master"], 0);
    assert_eq!(
        s["warnings"]["name_mismatch"], 0,
        "formula names read as computed"
    );
    assert_eq!(
        s["rejected_rows"]
            .as_object()
            .expect("map")
            .values()
            .filter(|v| **v != 0)
            .count(),
        0
    );
}

#[test]
fn legacy_font_columns_are_converted_per_column() {
    // The VNI sheet holds "Loà Thò Ly" (VNI for "Lồ Thị Ly", valid-looking on its own) next to
    // "Chaù Thò Sy"; the TCVN3 sheet has its header in TCVN3 too. The master has the Unicode names.
    let expected = expected();
    let file = &expected["files"]["files/vni-names.xlsx"];
    let mut citizens = Vec::new();
    for sheet in ["VNI", "TCVN3"] {
        let ids = file["sheets"][sheet]["ids"].as_array().expect("ids");
        let names: Vec<&str> = file["legacy_cells"]
            .as_array()
            .expect("cells")
            .iter()
            .filter(|c| {
                c["sheet"] == sheet && c["cell"].as_str().is_some_and(|c| c.starts_with('C'))
            })
            .filter(|c| c["cell"] != "C4")
            .map(|c| c["unicode"].as_str().expect("unicode"))
            .collect();
        assert_eq!(ids.len(), names.len(), "{sheet}");
        for (id, name) in ids.iter().zip(names) {
            citizens.push((id.as_str().expect("id").to_string(), name.to_string()));
        }
    }
    assert!(citizens.iter().any(|(_, name)| name == "Lồ Thị Ly"));
    let ws = Workspace::new();
    ws.write("master/ds.csv", &master_csv(&citizens)).copy(
        "files/vni-names.xlsx",
        "assignments/doan-thanh-nien/ds.xlsx",
    );
    let (code, s) = ws.run();
    assert_eq!(code, 0);
    assert_eq!(s["totals"]["assigned"], 11);
    assert_eq!(
        s["warnings"]["name_mismatch"], 0,
        "every legacy name converted"
    );
    // The VNI commune column ("Quaøi Tôû") converts too: the unit is named from it.
    let units: Vec<&str> = s["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["unit"].as_str().expect("unit"))
        .collect();
    assert!(units.contains(&"Đoàn xã Quài Tở"), "{units:?}");
}

fn target_of(summary: &Value, force: &str, commune: &str) -> u64 {
    summary["by_force_commune"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["force"] == force && r["commune"] == commune)
        .and_then(|r| r["target"].as_u64())
        .unwrap_or_else(|| panic!("{force} × {commune}"))
}

#[test]
fn the_two_row_targets_appendix_is_read() {
    let expected = expected();
    let targets = &expected["files"]["files/targets-two-row.xlsx"]["targets"];
    let ws = Workspace::layouts_ws();
    ws.copy("files/targets-two-row.xlsx", "targets.xlsx");
    let (_, s) = ws.run();
    let mut sum = 0;
    for (force, communes) in targets.as_object().expect("forces") {
        for (commune, target) in communes.as_object().expect("communes") {
            let target = target.as_u64().expect("number");
            assert_eq!(target_of(&s, force, commune), target, "{force} × {commune}");
            sum += target;
        }
    }
    assert_eq!(
        s["totals"]["target"], sum,
        "communes not listed have target 0"
    );
    assert!(
        s["unreadable_files"]
            .as_array()
            .expect("list")
            .iter()
            .all(|f| f["path"] != "targets.xlsx")
    );
}

#[test]
fn a_targets_file_without_a_header_is_unreadable_and_targets_fall_back() {
    let ws = Workspace::layouts_ws();
    ws.copy("files/targets-no-header.xlsx", "targets.xlsx");
    let (code, s) = ws.run();
    assert_eq!(code, 1);
    let entry = s["unreadable_files"]
        .as_array()
        .expect("list")
        .iter()
        .find(|f| f["path"] == "targets.xlsx")
        .cloned()
        .expect("targets.xlsx listed");
    assert_eq!(entry["reason"], "no_header");
    assert!(
        entry["message"]
            .as_str()
            .is_some_and(|m| m.contains("tiêu đề"))
    );
    // Targets are the assigned counts now.
    assert_eq!(s["totals"]["target"], s["totals"]["assigned"]);
    assert_eq!(target_of(&s, "cong-an", "Ta Ma"), 6);
}

#[test]
fn encrypted_files_in_a_workspace_are_listed_and_change_nothing_else() {
    let ws = Workspace::layouts_ws();
    let (code, with) = ws.run();
    assert_eq!(code, 1, "some files could not be read");
    let unreadable: Vec<(&str, &str)> = with["unreadable_files"]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path"),
                f["reason"].as_str().expect("reason"),
            )
        })
        .collect();
    assert_eq!(
        unreadable,
        [
            ("assignments/hoi-phu-nu/phan-cong-hoi.xlsx", "encrypted"),
            (
                "reports/2024-01-15/hoi-phu-nu/bao-cao-hoi.xlsx",
                "encrypted"
            ),
        ]
    );
    // The hand-worked numbers of fixtures/layouts/README.md.
    let totals = &with["totals"];
    assert_eq!(
        [
            &totals["master"],
            &totals["assigned"],
            &totals["conflicts"],
            &totals["activated"]
        ],
        [
            &Value::from(20),
            &Value::from(14),
            &Value::from(1),
            &Value::from(6)
        ]
    );
    assert_eq!(with["conflicts_by_rule"]["local"], 1);
    assert_eq!(with["claims"]["outside_assignment"], 1);
    assert_eq!(with["rejected_rows"]["missing_id"], 1, "the group heading");
    std::fs::remove_file(ws.path().join("assignments/hoi-phu-nu/phan-cong-hoi.xlsx")).expect("rm");
    std::fs::remove_file(
        ws.path()
            .join("reports/2024-01-15/hoi-phu-nu/bao-cao-hoi.xlsx"),
    )
    .expect("rm");
    let (code, without) = ws.run();
    assert_eq!(code, 0);
    super::support::assert_same_numbers(&with, &without, "the same without the encrypted files");
}
