//! No file can take the 20:00 run down (issue 14). Each hostile file is made here (small committed
//! regressions found by fuzzing live in `tests/hostile/`): a stray "x" far to the right on every
//! row, a sheet whose `<dimension>` claims the whole grid, an `.ods` whose repeated columns expand to
//! billions of cells, a zip bomb, a truncated file. Each is reported with its code and the run goes
//! on with the others, every other number unchanged.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use super::support::{assert_rows_conserved, inspect_json, repo, run_json, workspace_copy};

/// A minimal `.xlsx` whose one sheet has the XML written by `sheet`.
fn minimal_xlsx(sheet: impl FnOnce(&mut dyn Write)) -> Vec<u8> {
    minimal_xlsx_with_strings(None, sheet)
}

/// [`minimal_xlsx`] with a shared-strings part holding `shared` as string 0.
pub(super) fn minimal_xlsx_with_strings(
    shared: Option<&str>,
    sheet: impl FnOnce(&mut dyn Write),
) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
            ),
        ];
        for (name, text) in parts {
            zip.start_file(name, options).expect("part");
            zip.write_all(text.as_bytes()).expect("write");
        }
        if let Some(text) = shared {
            zip.start_file("xl/sharedStrings.xml", options)
                .expect("strings");
            write!(zip, r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>"#).expect("strings");
        }
        zip.start_file("xl/worksheets/sheet1.xml", options)
            .expect("sheet");
        sheet(&mut zip);
        zip.finish().expect("zip");
    }
    out
}

const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// An inline-string cell.
fn cell(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The header row and `rows` citizens; `extra` adds cells to each data row.
fn list_xml(rows: u32, dimension: &str, extra: impl Fn(u32) -> String) -> String {
    let mut xml = format!(
        r#"{SHEET_START}<dimension ref="{dimension}"/><sheetData><row r="1">{}{}</row>"#,
        cell("A1", "Số định danh cá nhân"),
        cell("B1", "Họ và tên")
    );
    for r in 2..rows + 2 {
        xml.push_str(&format!(
            r#"<row r="{r}">{}{}{}</row>"#,
            cell(&format!("A{r}"), &format!("0110900{:05}", r - 2)),
            cell(&format!("B{r}"), &format!("Lò Văn {r}")),
            extra(r)
        ));
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

#[test]
fn a_formula_saved_without_its_value_reads_as_an_empty_cell() {
    // docs/reference.md "How a sheet is read": a program that does not calculate saves `<f>` with no `<v>`;
    // what Excel would show is not in the file, so the ID cell is empty (missing_id), while a
    // formula with its cached value reads as that value.
    let dir = tempfile::tempdir().expect("dir");
    let xml = format!(
        r#"{SHEET_START}<sheetData><row r="1">{}{}</row><row r="2"><c r="A2" t="str"><f>"0111"&amp;"95001235"</f></c>{}</row><row r="3"><c r="A3" t="str"><f>"0110"&amp;"95001234"</f><v>011095001234</v></c>{}</row></sheetData></worksheet>"#,
        cell("A1", "Số định danh cá nhân"),
        cell("B1", "Họ và tên"),
        cell("B2", "Quàng Thị Hoa"),
        cell("B3", "Lò Văn Bình"),
    );
    let path = write(
        dir.path(),
        "formulas.xlsx",
        &minimal_xlsx(|w| w.write_all(xml.as_bytes()).expect("xml")),
    );
    let (code, file) = inspect_one(&path);
    assert_eq!(code, 0);
    let sheet = &file["sheets"][0];
    assert_eq!(sheet["accepted"], 1, "the cached value is the ID");
    assert_eq!(sheet["rejects"][0]["row"], 2);
    assert_eq!(sheet["rejects"][0]["reason"], "missing_id");
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// The one file's inspect entry.
fn inspect_one(path: &Path) -> (i32, Value) {
    let (code, json) = inspect_json(&[path], "2024-01-15");
    assert_rows_conserved(&json);
    (code, json["files"][0].clone())
}

#[test]
fn a_stray_cell_in_column_xfd_on_every_row_costs_nothing() {
    // Issue 14: 30,000 rows, each with an "x" in XFD, took 11.7 GB when rows were widened.
    let dir = tempfile::tempdir().expect("dir");
    let xml = list_xml(30_000, "A1:XFD30001", |r| cell(&format!("XFD{r}"), "x"));
    let path = write(
        dir.path(),
        "stray.xlsx",
        &minimal_xlsx(|w| {
            w.write_all(xml.as_bytes()).expect("xml");
        }),
    );
    let (code, file) = inspect_one(&path);
    assert_eq!(code, 0);
    assert_eq!(file["sheets"][0]["accepted"], 30_000);
}

#[test]
fn a_dimension_claiming_the_whole_grid_with_few_cells_reads_its_cells() {
    let dir = tempfile::tempdir().expect("dir");
    let xml = list_xml(3, "A1:XFD1048576", |_| String::new());
    let path = write(
        dir.path(),
        "extent.xlsx",
        &minimal_xlsx(|w| {
            w.write_all(xml.as_bytes()).expect("xml");
        }),
    );
    let (code, file) = inspect_one(&path);
    assert_eq!(code, 0);
    let sheet = &file["sheets"][0];
    assert_eq!(
        (sheet["read"].as_u64(), sheet["accepted"].as_u64()),
        (Some(3), Some(3))
    );
}

/// An `.ods` whose one row repeats a non-empty cell over every column, repeated over `rows` rows:
/// `rows` × 16,384 cells once expanded.
fn ods_bomb(rows: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", stored).expect("mimetype");
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .expect("write");
        zip.start_file("META-INF/manifest.xml", stored)
            .expect("manifest");
        zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).expect("write");
        zip.start_file("content.xml", stored).expect("content");
        zip.write_all(format!(r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="DS"><table:table-row><table:table-cell office:value-type="string"><text:p>S&#7889; &#273;&#7883;nh danh c&#225; nh&#226;n</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#).as_bytes()).expect("write");
        zip.finish().expect("zip");
    }
    out
}

/// A `.xlsx` whose sheet inflates to more than the 1 GiB a part may hold: a few MB on disk.
fn zip_bomb() -> Vec<u8> {
    minimal_xlsx(|w| {
        w.write_all(SHEET_START.as_bytes()).expect("xml");
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..1100 {
            w.write_all(&spaces).expect("spaces");
        }
        w.write_all(b"<sheetData/></worksheet>").expect("xml");
    })
}

#[test]
fn hostile_files_are_reported_alone() {
    let dir = tempfile::tempdir().expect("dir");
    // Under calamine's own cap of 100 million cells: the reader child runs out of its memory.
    let ods = write(dir.path(), "bomb.ods", &ods_bomb(6_000));
    let (code, file) = inspect_one(&ods);
    assert_eq!(code, 1);
    assert_eq!(
        file["error"], "reader_crashed",
        "the child ran out of memory: {file}"
    );
    // Over it: calamine refuses to expand it.
    let ods = write(dir.path(), "huge.ods", &ods_bomb(1_000_000));
    let (_, file) = inspect_one(&ods);
    assert_eq!(file["error"], "too_large", "{file}");
    let bomb = write(dir.path(), "bomb.xlsx", &zip_bomb());
    assert!(std::fs::metadata(&bomb).expect("size").len() < 8 << 20);
    let (code, file) = inspect_one(&bomb);
    assert_eq!((code, &file["error"]), (1, &Value::from("too_large")));
    let original =
        std::fs::read(repo().join("fixtures/layouts/files/merged-unit.xlsx")).expect("fixture");
    let truncated = write(dir.path(), "cut.xlsx", &original[..original.len() / 2]);
    let (code, file) = inspect_one(&truncated);
    assert_eq!((code, &file["error"]), (1, &Value::from("damaged")));
}

#[test]
fn a_run_goes_on_past_hostile_reports_and_every_other_number_stands() {
    let clean = workspace_copy("fixtures/layouts/ws");
    let (_, expected) = run_json(clean.path(), "2024-01-15");
    let hostile = workspace_copy("fixtures/layouts/ws");
    let day = hostile.path().join("reports/2024-01-15/doan-thanh-nien");
    write(&day, "bomb.ods", &ods_bomb(6_000));
    write(&day, "bomb.xlsx", &zip_bomb());
    let original = std::fs::read(day.join("chi-doan-co-muong.xlsx")).expect("report");
    write(&day, "cut.xlsx", &original[..original.len() / 3]);
    let (code, got) = run_json(hostile.path(), "2024-01-15");
    assert_eq!(code, 1);
    let reasons: Vec<(String, String)> = got["unreadable_files"]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("p").to_string(),
                f["reason"].as_str().expect("r").to_string(),
            )
        })
        .filter(|(path, _)| path.contains("doan-thanh-nien"))
        .collect();
    let folder = "reports/2024-01-15/doan-thanh-nien";
    assert_eq!(
        reasons,
        [
            (format!("{folder}/bomb.ods"), "reader_crashed".to_string()),
            (format!("{folder}/bomb.xlsx"), "too_large".to_string()),
            (format!("{folder}/cut.xlsx"), "damaged".to_string()),
        ]
    );
    super::support::assert_same_numbers(&got, &expected, "unchanged by the hostile files");
}

/// Regression files found by `examples/fuzz.rs`, each with the code it must be reported with.
const FOUND_BY_FUZZING: [(&str, &str); 1] = [
    // 822 bytes on which calamine 0.38's .ods reader never returns: the child's time limit
    // (10 s for a small file) ends it.
    ("ods-reader-loops.ods", "reader_crashed"),
];

#[test]
fn files_found_by_fuzzing_are_reported_and_the_reading_goes_on() {
    for (name, code) in FOUND_BY_FUZZING {
        let path = repo().join("tests/hostile").join(name);
        let (exit, file) = inspect_one(&path);
        assert_eq!((exit, &file["error"]), (1, &Value::from(code)), "{name}");
    }
}

/// The regressions of the review of this round's reading code: a file must not make the reader
/// allocate by its coordinates, copy one string without bound, loop over overlapping merges, or
/// sort cells quadratically.
#[test]
fn coordinates_text_merges_and_cell_order_are_bounded() {
    let dir = tempfile::tempdir().expect("dir");
    // A cell below Excel's last row: the sheet is damaged, not 4·10⁹ rows allocated.
    let xml = list_xml(2, "A1:A3", |r| {
        if r == 2 {
            cell("A4000000000", "x")
        } else {
            String::new()
        }
    });
    let far = write(
        dir.path(),
        "far.xlsx",
        &minimal_xlsx(|w| w.write_all(xml.as_bytes()).expect("xml")),
    );
    let (_, file) = inspect_one(&far);
    assert_eq!(file["sheets"][0]["skipped_reason"], "damaged", "{file}");
    // One 1 MB shared string used by 600 cells: 600 MB of copies, past the text budget.
    let big = "x".repeat(1 << 20);
    let strings = minimal_xlsx_with_strings(Some(&big), |w| {
        w.write_all(SHEET_START.as_bytes()).expect("xml");
        w.write_all(b"<sheetData>").expect("xml");
        for r in 1..=600 {
            write!(w, r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#).expect("xml");
        }
        w.write_all(b"</sheetData></worksheet>").expect("xml");
    });
    let strings = write(dir.path(), "strings.xlsx", &strings);
    let (code, file) = inspect_one(&strings);
    assert_eq!((code, &file["error"]), (1, &Value::from("too_large")));
    // 2,000 rows under 20,000 distinct overlapping merges of column A: past the merge budget.
    let mut xml = list_xml(2_000, "A1:B2001", |_| String::new());
    xml.truncate(xml.len() - "</worksheet>".len());
    xml.push_str("<mergeCells>");
    for last in 0..20_000 {
        xml.push_str(&format!(r#"<mergeCell ref="A1:A{}"/>"#, 2_001 + last));
    }
    xml.push_str("</mergeCells></worksheet>");
    let merges = write(
        dir.path(),
        "merges.xlsx",
        &minimal_xlsx(|w| w.write_all(xml.as_bytes()).expect("xml")),
    );
    let (code, file) = inspect_one(&merges);
    assert_eq!((code, &file["error"]), (1, &Value::from("too_large")));
    // Cells written right to left are read as if in order.
    let mut xml = format!(
        r#"{SHEET_START}<sheetData><row r="1">{}{}</row>"#,
        cell("B1", "Họ và tên"),
        cell("A1", "Số định danh cá nhân")
    );
    for r in 2..=501 {
        xml.push_str(&format!(
            r#"<row r="{r}">{}{}</row>"#,
            cell(&format!("B{r}"), "Lò Văn A"),
            cell(&format!("A{r}"), &format!("0110900{:05}", r))
        ));
    }
    xml.push_str("</sheetData></worksheet>");
    let reversed = write(
        dir.path(),
        "reversed.xlsx",
        &minimal_xlsx(|w| w.write_all(xml.as_bytes()).expect("xml")),
    );
    let (code, file) = inspect_one(&reversed);
    assert_eq!(code, 0);
    assert_eq!(file["sheets"][0]["accepted"], 500);
    assert_eq!(file["sheets"][0]["columns"]["id"], "A");
}
