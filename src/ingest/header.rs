//! Finding the header of a sheet under its title block (SPEC §4): the first of the first 30 rows with
//! at least two recognised cells, one of them the citizen ID; a parent row above or a sub-header row
//! below is combined with it; a numbering row under it is recognised.

use std::collections::BTreeMap;

use super::aliases::{AliasTable, Field};
use super::grid::{Cell, Grid};

/// How far down the header is looked for.
const HEADER_SCAN_ROWS: u32 = 30;

/// A sheet's header: where it is and which column holds which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Grid index of the header's first row (a parent row when there is one).
    pub top: usize,
    /// Grid index of the header's last row (a sub-header row when there is one).
    pub bottom: usize,
    /// Field → grid column; the leftmost column wins when two name the same field.
    pub columns: BTreeMap<Field, usize>,
}

impl Header {
    /// The citizen ID column (a header always has one).
    pub fn id_column(&self) -> usize {
        self.columns.get(&Field::Id).copied().unwrap_or(0)
    }
}

fn matches_of(grid: &Grid, row: usize, aliases: &AliasTable) -> Vec<Option<Field>> {
    grid.rows
        .get(row)
        .map(|cells| {
            cells
                .iter()
                .map(|cell| cell.as_text().and_then(|text| aliases.field_of(text)))
                .collect()
        })
        .unwrap_or_default()
}

/// Matches of a row that may only be a header row if it looks like one: every text cell names a
/// field exactly or names none, and no cell is a number or a date. "Bản Phiêng" starts with the
/// alias "Bản" but a row holding it is data, not a sub-header.
fn exact_matches_of(grid: &Grid, row: usize, aliases: &AliasTable) -> Vec<Option<Field>> {
    let Some(cells) = grid.rows.get(row) else {
        return Vec::new();
    };
    let header_like = cells.iter().all(|cell| match cell {
        Cell::Empty => true,
        Cell::Text(text) => {
            aliases.field_of_exact(text).is_some() || aliases.field_of(text).is_none()
        }
        _ => false,
    });
    if !header_like {
        return Vec::new();
    }
    cells
        .iter()
        .map(|cell| cell.as_text().and_then(|text| aliases.field_of_exact(text)))
        .collect()
}

/// Finds the header, or `None` when the first 30 rows have none.
pub fn find_header(grid: &Grid, aliases: &AliasTable) -> Option<Header> {
    let row = (0..grid.rows.len())
        .take_while(|&r| grid.excel_row(r) <= HEADER_SCAN_ROWS)
        .find(|&r| {
            let matches = matches_of(grid, r, aliases);
            matches.iter().flatten().count() >= 2 && matches.contains(&Some(Field::Id))
        })?;
    let own = matches_of(grid, row, aliases);
    let id_column = own.iter().position(|m| *m == Some(Field::Id))?;
    let parent = row
        .checked_sub(1)
        .map(|r| exact_matches_of(grid, r, aliases))
        .filter(|above| {
            above
                .iter()
                .enumerate()
                .any(|(col, m)| m.is_some() && grid.cell(row, col).is_empty())
        });
    let sub = Some(exact_matches_of(grid, row + 1, aliases)).filter(|below| {
        let id_cell_free = grid.cell(row + 1, id_column).is_empty()
            || below.get(id_column) == Some(&Some(Field::Id));
        id_cell_free
            && below
                .iter()
                .enumerate()
                .any(|(col, m)| m.is_some() && own.get(col).copied().flatten().is_none())
    });
    let width = grid.width();
    let mut columns = BTreeMap::new();
    for col in 0..width {
        let pick = |matches: &Option<Vec<Option<Field>>>| {
            matches.as_ref().and_then(|m| m.get(col).copied().flatten())
        };
        let field = pick(&sub)
            .or_else(|| own.get(col).copied().flatten())
            .or_else(|| pick(&parent));
        if let Some(field) = field {
            columns.entry(field).or_insert(col);
        }
    }
    columns.contains_key(&Field::Id).then(|| Header {
        top: if parent.is_some() { row - 1 } else { row },
        bottom: if sub.is_some() { row + 1 } else { row },
        columns,
    })
}

/// `1 2 3 …` or `(1) (2) (3) …`: at least two non-empty cells, all of them column numbers.
pub fn is_numbering_row(cells: &[Cell]) -> bool {
    let mut count = 0;
    for cell in cells {
        let numbered = match cell {
            Cell::Empty => continue,
            Cell::Int(value) => (0..1000).contains(value),
            Cell::Number(value) => value.fract() == 0.0 && (0.0..1000.0).contains(value),
            Cell::Text(text) => {
                let inner = text
                    .strip_prefix('(')
                    .and_then(|t| t.strip_suffix(')'))
                    .unwrap_or(text);
                !inner.is_empty() && inner.len() <= 3 && inner.bytes().all(|b| b.is_ascii_digit())
            }
            _ => false,
        };
        if !numbered {
            return false;
        }
        count += 1;
    }
    count >= 2
}

/// A row that repeats the header (a list pasted page by page).
pub fn is_repeated_header(cells: &[Cell], header: &Header, aliases: &AliasTable) -> bool {
    let field_at = |col: usize| {
        cells
            .get(col)
            .and_then(Cell::as_text)
            // A header names a field in words; a data cell (an ID, a date) skips the folding.
            .filter(|text| text.chars().any(char::is_alphabetic))
            .and_then(|text| aliases.field_of_exact(text))
    };
    field_at(header.id_column()) == Some(Field::Id)
        && header
            .columns
            .iter()
            .any(|(field, col)| *field != Field::Id && field_at(*col) == Some(*field))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid {
            first_row: 0,
            first_col: 0,
            rows: rows
                .iter()
                .map(|r| r.iter().map(|t| Cell::text(t)).collect())
                .collect(),
        }
    }

    #[test]
    fn header_under_a_title_block() {
        let g = grid(&[
            &["CÔNG AN HUYỆN TUẦN GIÁO"],
            &["DANH SÁCH CÔNG DÂN CHƯA KÍCH HOẠT"],
            &[],
            &["STT", "Họ và tên", "Số định danh cá nhân", "Ngày sinh"],
            &["1", "2", "3", "4"],
        ]);
        let header = find_header(&g, &AliasTable::default()).expect("header on row 4");
        assert_eq!((header.top, header.bottom), (3, 3));
        assert_eq!(header.columns[&Field::Id], 2);
        assert_eq!(header.columns[&Field::Name], 1);
        assert!(is_numbering_row(&g.rows[4]));
    }

    #[test]
    fn two_row_header_with_sub_headers_below() {
        let g = grid(&[
            &["STT", "Họ và tên", "Số CCCD", "Địa chỉ", ""],
            &["", "", "", "Xã", "Thôn/Bản"],
            &["(1)", "(2)", "(3)", "(4)", "(5)"],
        ]);
        let header = find_header(&g, &AliasTable::default()).expect("two-row header");
        assert_eq!((header.top, header.bottom), (0, 1));
        assert_eq!(header.columns[&Field::Commune], 3);
        assert_eq!(header.columns[&Field::Village], 4);
        assert!(!header.columns.contains_key(&Field::Address));
        assert!(is_numbering_row(&g.rows[2]));
    }

    #[test]
    fn two_row_header_with_parent_above() {
        let g = grid(&[
            &["STT", "Họ và tên", "Thông tin", ""],
            &["", "", "Số CCCD", "Ngày sinh"],
        ]);
        let header = find_header(&g, &AliasTable::default()).expect("parent above");
        assert_eq!((header.top, header.bottom), (0, 1));
        assert_eq!(header.columns[&Field::Name], 1);
        assert_eq!(header.columns[&Field::Id], 2);
    }

    #[test]
    fn a_data_row_is_not_a_sub_header() {
        let g = grid(&[
            &["Họ và tên", "Số CCCD", "Ghi chú"],
            &["Lò Văn A", "011090012345", "Bản Phiêng"],
        ]);
        let header = find_header(&g, &AliasTable::default()).expect("header");
        assert_eq!(header.bottom, 0);
    }

    #[test]
    fn a_data_row_starting_with_an_alias_is_not_a_sub_header() {
        // Regression (review): "Bản Phiêng, xã Quài Tở" starts with the alias "Bản" but is data.
        let g = grid(&[
            &[
                "STT",
                "Họ và tên",
                "Số định danh cá nhân",
                "Nơi đăng ký thường trú",
            ],
            &["1", "Lò Văn A", "", "Bản Phiêng, xã Quài Tở"],
        ]);
        let header = find_header(&g, &AliasTable::default()).expect("header");
        assert_eq!(header.bottom, 0);
        assert!(!header.columns.contains_key(&Field::Village));
    }

    #[test]
    fn a_bad_id_row_is_not_a_repeated_header() {
        let g = grid(&[&["Số CCCD", "Xã"]]);
        let header =
            find_header(&grid(&[&["Số CCCD", "Xã"]]), &AliasTable::default()).expect("header");
        let row = [Cell::text("CCCD 011090012345"), Cell::text("Xã Quài Tở")];
        assert!(!is_repeated_header(&row, &header, &AliasTable::default()));
        assert!(is_repeated_header(
            &g.rows[0],
            &header,
            &AliasTable::default()
        ));
    }

    #[test]
    fn no_header_without_an_id_column() {
        let g = grid(&[&["Họ và tên", "Ngày sinh", "Xã"]]);
        assert_eq!(find_header(&g, &AliasTable::default()), None);
    }

    #[test]
    fn numbering_needs_two_numbers_only() {
        assert!(!is_numbering_row(&[Cell::text("1")]));
        assert!(!is_numbering_row(&[
            Cell::text("1"),
            Cell::text("Lò Văn A")
        ]));
        assert!(is_numbering_row(&[Cell::Number(1.0), Cell::Number(2.0)]));
    }
}
