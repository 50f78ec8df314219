//! Legacy-font text in a sheet (TCVN3 `.VnTime`, VNI-Times), converted the way SPEC §11.13 reads it:
//! per row for the header (a header row is typed in one font) and per column for the data rows (a
//! column is typed in one font, so "Loà Thò Ly", which alone reads as valid Vietnamese, is VNI for
//! "Lồ Thị Ly" when its column also holds "Chaù Thò Sy").
//!
//! Guarantees: only cells made of Windows-1252 characters are converted; a cell holding any other
//! letter is Unicode and kept. Readers leave text unconverted; this is the only place that converts.

use std::borrow::Cow;

use super::grid::{Cell, Grid, Row};
use crate::normalize::legacy::{self, LegacyEncoding};

/// A copy of the first `rows` rows, each converted on its own evidence: what the header is looked
/// for in. The copy keeps the grid's coordinates, so a header found in it is a header of `grid`.
/// A sheet no longer than that whose text has nothing to convert (almost every daily report) is
/// its own view, without a copy.
pub fn header_view(grid: &Grid, rows: usize) -> Cow<'_, Grid> {
    let has_candidate = |row: &Row| {
        row.iter()
            .any(|(_, cell)| cell.as_text().is_some_and(legacy::is_legacy_candidate))
    };
    if grid.rows.len() <= rows && !grid.rows.iter().any(has_candidate) {
        return Cow::Borrowed(grid);
    }
    let mut view = Grid::from_rows(
        grid.first_row,
        grid.first_col,
        grid.rows.iter().take(rows).cloned().collect(),
    );
    view.fill_only = grid.fill_only.iter().take(rows).copied().collect();
    view.header_copies.clone_from(&grid.header_copies);
    for row in &mut view.rows {
        convert_row(row);
    }
    Cow::Owned(view)
}

/// Converts the grid in place: rows up to `header_bottom` (title block and header) and after
/// `data_end` (footer, signatures) per row, the data rows between per column.
pub fn convert(grid: &mut Grid, header_bottom: usize, data_end: usize) {
    let split = (header_bottom + 1).min(grid.rows.len());
    let end = (data_end + 1).clamp(split, grid.rows.len());
    let (head, rest) = grid.rows.split_at_mut(split);
    let (data, footer) = rest.split_at_mut(end - split);
    for row in head.iter_mut().chain(footer.iter_mut()) {
        convert_row(row);
    }
    let encodings = column_encodings(data);
    if encodings.iter().all(Option::is_none) {
        return;
    }
    // A unit or commune column repeats one value down the sheet: decode it once.
    let mut last: Vec<Option<(String, String)>> = vec![None; encodings.len()];
    for row in data {
        for (col, cell) in row.iter_mut() {
            let Some(encoding) = encodings.get(col).copied().flatten() else {
                continue;
            };
            let Cell::Text(text) = cell else { continue };
            if !legacy::is_legacy_candidate(text) {
                continue;
            }
            match &last[col] {
                Some((raw, unicode)) if raw == text => *text = unicode.clone(),
                _ => {
                    let unicode = legacy::decode(text, encoding);
                    last[col] = Some((std::mem::replace(text, unicode.clone()), unicode));
                }
            }
        }
    }
}

/// The encoding of each column of the data rows.
fn column_encodings(rows: &[Row]) -> Vec<Option<LegacyEncoding>> {
    let mut found: Vec<Option<LegacyEncoding>> = Vec::new();
    // Per column, the last text looked at: a unit, commune or village column repeats one value
    // down the sheet, and the same text gives the same evidence.
    let mut last: Vec<&str> = Vec::new();
    for row in rows {
        for (col, cell) in row.iter() {
            let Cell::Text(text) = cell else { continue };
            if text.is_ascii() || found.get(col) == Some(&Some(LegacyEncoding::Tcvn3)) {
                // Nothing to find, or nothing more to find: TCVN3 evidence decides.
                continue;
            }
            if last.len() <= col {
                last.resize(col + 1, "");
            }
            if last[col] == text.as_str() {
                continue;
            }
            last[col] = text.as_str();
            let Some(encoding) = legacy::detect_cells([text.as_str()]) else {
                continue;
            };
            if found.len() <= col {
                found.resize(col + 1, None);
            }
            // TCVN3 evidence anywhere in the column decides; VNI only where there is none.
            if found[col] != Some(LegacyEncoding::Tcvn3) {
                found[col] = Some(encoding);
            }
        }
    }
    found
}

/// Converts one row on the evidence of its own cells.
fn convert_row(row: &mut Row) {
    let Some(encoding) = legacy::detect_cells(row.iter().filter_map(|(_, cell)| cell.as_text()))
    else {
        return;
    };
    for (_, cell) in row.iter_mut() {
        if let Cell::Text(text) = cell
            && legacy::is_legacy_candidate(text)
        {
            *text = legacy::decode(text, encoding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_grid(rows: &[&[&str]]) -> Grid {
        Grid::from_dense(
            rows.iter()
                .map(|r| r.iter().map(|t| Cell::text(t)).collect())
                .collect(),
        )
    }

    fn texts(grid: &Grid, col: usize) -> Vec<String> {
        grid.rows.iter().map(|r| r.get(col).display()).collect()
    }

    #[test]
    fn a_vni_column_converts_even_its_valid_looking_names() {
        let mut grid = text_grid(&[
            &["Số định danh", "Họ và tên", "Xã"],
            &["011", "Loà Thò Ly", "Quài Tở"],
            &["012", "Chaù Thò Sy", "Quài Tở"],
            &["013", "Lò Thị Ánh", "Quài Tở"],
        ]);
        convert(&mut grid, 0, 3);
        assert_eq!(
            texts(&grid, 1),
            ["Họ và tên", "Lồ Thị Ly", "Chá Thị Sy", "Lò Thị Ánh"]
        );
        // A column without evidence keeps its text, Unicode or not.
        assert_eq!(texts(&grid, 2)[1], "Quài Tở");
    }

    #[test]
    fn a_footer_in_a_legacy_font_is_no_evidence_for_the_data_above() {
        // Regression (review): a .VnTime signature line under Unicode data must not turn the
        // column into TCVN3 ("Pú Nhung" would become "Pỳ Nhung").
        let mut grid = text_grid(&[
            &["Số định danh", "Xã"],
            &["011", "Pú Nhung"],
            &["012", "Nà Tòng"],
            &["", "TuÇn Gi¸o, ngµy 15"],
        ]);
        convert(&mut grid, 0, 2);
        assert_eq!(texts(&grid, 1)[1..3], ["Pú Nhung", "Nà Tòng"]);
        assert_eq!(texts(&grid, 1)[3], "Tuần Giáo, ngày 15");
    }

    #[test]
    fn the_header_is_converted_per_row() {
        let grid = text_grid(&[
            &["DANH SÁCH"],
            &["STT", "Hä vµ tªn", "Sè §DCN"],
            &["1", "Loà Thò Ly", "011"],
        ]);
        let view = header_view(&grid, 3);
        assert_eq!(texts(&view, 1)[1], "Họ và tên");
        // The data row alone has no evidence: per row it stays as typed.
        assert_eq!(texts(&view, 1)[2], "Loà Thò Ly");
    }
}
