//! CSV lists (SPEC §4): UTF-8 with or without a BOM, `,` or `;` as separator. A file that is not valid
//! UTF-8 is decoded as Windows-1252, which is how legacy TCVN3/VNI text arrives; the cell cleaner then
//! converts it.

use std::borrow::Cow;
use std::path::Path;

use super::errors::{FileError, FileErrorCode};
use super::grid::{Cell, Grid, RawSheet, RawWorkbook, Row};

/// The largest CSV read (a 1,048,576-row list is about 100 MB): the file is held in memory.
const MAX_CSV_BYTES: u64 = 512 << 20;

/// Reads a CSV file as a one-sheet workbook (the sheet is named after the file).
pub fn read_csv(path: &Path) -> Result<RawWorkbook, FileError> {
    let size = fs_err::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_CSV_BYTES {
        return Err(FileError::new(
            FileErrorCode::TooLarge,
            format!("{size} bytes, more than {MAX_CSV_BYTES}"),
        ));
    }
    let bytes = fs_err::read(path).map_err(|e| FileError {
        code: FileErrorCode::Damaged,
        detail: e.to_string(),
    })?;
    let text = decode(&bytes);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let grid = parse(text).map_err(|detail| FileError {
        code: FileErrorCode::Damaged,
        detail,
    })?;
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("csv")
        .to_string();
    Ok(RawWorkbook {
        format: "csv",
        is_1904: false,
        sheets: vec![RawSheet {
            name,
            grid: Ok(grid),
        }],
    })
}

fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// The separator with more occurrences on the first line, outside quoted cells (a header cell
/// "Họ, chữ đệm và tên" in quotes holds commas); `,` on a tie.
fn separator(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or("");
    let (mut semicolons, mut commas, mut quoted) = (0, 0, false);
    for c in first_line.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semicolons += 1,
            ',' if !quoted => commas += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

fn parse(text: &str) -> Result<Grid, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("line {}: {e}", index + 1))?;
        rows.push(Row::from_dense(record.iter().map(Cell::text).collect()));
    }
    Ok(Grid::from_rows(0, 0, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_and_quotes() {
        let grid = parse("Họ và tên;Số CCCD\n\"Lò Văn; A\";011090012345\n").expect("valid csv");
        assert_eq!(grid.cell(1, 0), &Cell::Text("Lò Văn; A".into()));
        assert_eq!(grid.cell(1, 1), &Cell::Text("011090012345".into()));
    }

    #[test]
    fn a_quoted_header_cell_with_commas_does_not_decide_the_separator() {
        // Regression (issue 24): the ID card's label "Họ, chữ đệm và tên" quoted in a `;` file.
        let text = "STT;\"Họ, chữ đệm, và tên\";Số căn cước\n1;Lò Văn A;011090012345\n";
        let grid = parse(text).expect("valid csv");
        assert_eq!(grid.cell(0, 1), &Cell::Text("Họ, chữ đệm, và tên".into()));
        assert_eq!(grid.cell(1, 2), &Cell::Text("011090012345".into()));
    }

    #[test]
    fn commas_by_default() {
        let grid = parse("a,b\n1,2\n").expect("valid csv");
        assert_eq!(grid.rows[0].width(), 2);
    }

    #[test]
    fn windows_1252_bytes_are_decoded() {
        // "Hä vµ tªn" in TCVN3 bytes.
        let bytes = [b'H', 0xE4, b' ', b'v', 0xB5, b' ', b't', 0xAA, b'n'];
        assert_eq!(decode(&bytes), "Hä vµ tªn");
    }
}
