//! Finding the header of a sheet under its title block (SPEC §4): the first of the first 30 rows with
//! at least two recognised cells, one of them the citizen ID; a parent row above or a sub-header row
//! below is combined with it; a numbering row under it is recognised.

use std::collections::BTreeMap;

use super::aliases::{AliasTable, Field};
use super::grid::{Cell, Grid, Row};

/// How far down the header is looked for.
const HEADER_SCAN_ROWS: u32 = 30;

/// What header cells can name, and when a row is a header. The ID lists' fields (SPEC §4) and the
/// targets appendix's commune and force columns (§11.15) are two vocabularies of one detector.
pub trait Vocabulary {
    /// What a column can be.
    type Key: Copy + Ord + Eq;
    /// The key a header cell names, by the alias-prefix rule.
    fn key_of(&self, text: &str) -> Option<Self::Key>;
    /// The key a cell names exactly: rows above and below a header must look like headers.
    fn key_of_exact(&self, text: &str) -> Option<Self::Key>;
    /// The column every data row hangs on: the citizen ID, or the commune for targets.
    fn anchor(&self) -> Self::Key;
    /// True when a row (or two combined) naming these keys is a header.
    fn is_header(&self, keys: &[Option<Self::Key>]) -> bool;
    /// The key a sub-header cell names only because of the parent above it ("Nam" under "Năm
    /// sinh"); none by default.
    fn key_under(&self, _parent: Self::Key, _text: &str) -> Option<Self::Key> {
        None
    }
}

impl Vocabulary for AliasTable {
    type Key = Field;

    fn key_of(&self, text: &str) -> Option<Field> {
        self.field_of(text)
    }

    fn key_of_exact(&self, text: &str) -> Option<Field> {
        self.field_of_exact(text)
    }

    fn anchor(&self) -> Field {
        Field::Id
    }

    /// At least two recognised cells, one of them the citizen ID (SPEC §4).
    fn is_header(&self, keys: &[Option<Field>]) -> bool {
        keys.iter().flatten().count() >= 2 && keys.contains(&Some(Field::Id))
    }

    fn key_under(&self, parent: Field, text: &str) -> Option<Field> {
        self.field_under(parent, text)
    }
}

/// A sheet's header: where it is and which column holds which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<K: Ord = Field> {
    /// Grid index of the header's first row (a parent row when there is one).
    pub top: usize,
    /// Grid index of the header's last row (a sub-header row when there is one).
    pub bottom: usize,
    /// Key → grid column; the leftmost column wins when two name the same key.
    pub columns: BTreeMap<K, usize>,
    /// The last row below the header with a value of its own in the anchor column (an ID, a
    /// commune): the data rows end there and the footer begins. Set by [`locate_header`].
    pub last_data_row: Option<usize>,
}

impl Header<Field> {
    /// The citizen ID column (a header always has one).
    pub fn id_column(&self) -> usize {
        self.columns.get(&Field::Id).copied().unwrap_or(0)
    }
}

/// The key each column of a row names, by column (`None` where it names none).
fn keys_by_column<'c, K: Copy>(
    width: usize,
    cells: impl Iterator<Item = (usize, &'c Cell)>,
    key_of: impl Fn(&str) -> Option<K>,
) -> Vec<Option<K>> {
    let mut keys = vec![None; width];
    for (col, cell) in cells {
        keys[col] = cell.as_text().and_then(&key_of);
    }
    keys
}

fn matches_of<V: Vocabulary>(grid: &Grid, row: usize, vocabulary: &V) -> Vec<Option<V::Key>> {
    grid.rows
        .get(row)
        .map(|cells| keys_by_column(cells.width(), cells.iter(), |text| vocabulary.key_of(text)))
        .unwrap_or_default()
}

/// Matches of a row that may only be a header row if it looks like one: every text cell names a
/// key exactly or names none, and no cell is a number or a date. "Bản Phiêng" starts with the
/// alias "Bản" but a row holding it is data, not a sub-header. A cell that is the copy of a header
/// cell merged down over this row is no cell of the row's own: it neither names a key nor stops
/// the row from being a sub-header, whatever it says (SPEC §11.17).
fn exact_matches_of<V: Vocabulary>(grid: &Grid, row: usize, vocabulary: &V) -> Vec<Option<V::Key>> {
    let Some(cells) = grid.rows.get(row) else {
        return Vec::new();
    };
    let own_cells = || {
        cells
            .iter()
            .filter(|(col, _)| !grid.is_merge_copy(row, *col))
    };
    let header_like = own_cells().all(|(_, cell)| match cell {
        Cell::Empty => true,
        Cell::Text(text) => {
            vocabulary.key_of_exact(text).is_some() || vocabulary.key_of(text).is_none()
        }
        _ => false,
    });
    if !header_like {
        return Vec::new();
    }
    keys_by_column(cells.width(), own_cells(), |text| {
        vocabulary.key_of_exact(text)
    })
}

/// Gives the unnamed cells of a sub-header row the keys their parent makes of them ("Nam" and
/// "Nữ" under "Năm sinh", SPEC §11.19). A cell's parent is the header cell above it or, where that
/// is empty, the nearest one to its left: a parent merged across holds its text in its first
/// column only.
fn name_under_parents<V: Vocabulary>(
    grid: &Grid,
    row: usize,
    own: &[Option<V::Key>],
    below: &mut [Option<V::Key>],
    vocabulary: &V,
) {
    for (col, key) in below.iter_mut().enumerate() {
        if key.is_some() || grid.is_merge_copy(row + 1, col) {
            continue;
        }
        let Some(text) = grid.cell(row + 1, col).as_text() else {
            continue;
        };
        let parent = (0..=col)
            .rev()
            .find(|&c| !grid.cell(row, c).is_empty())
            .and_then(|c| own.get(c).copied().flatten());
        *key = parent.and_then(|parent| vocabulary.key_under(parent, text));
    }
}

/// Finds the header, or `None` when the first 30 rows have none. A row that is a header on its own
/// comes first; failing that, a row that is one together with the header-like row under it (a
/// two-row header whose second row carries some of the defining columns, as when a merged parent
/// stands over the force columns of a targets appendix read without its merges).
pub fn find_header<V: Vocabulary>(grid: &Grid, vocabulary: &V) -> Option<Header<V::Key>> {
    let scan = || (0..grid.rows.len()).take_while(|&r| grid.excel_row(r) <= HEADER_SCAN_ROWS);
    scan()
        .find(|&r| vocabulary.is_header(&matches_of(grid, r, vocabulary)))
        .and_then(|row| header_at(grid, row, vocabulary, false))
        .or_else(|| scan().find_map(|row| header_at(grid, row, vocabulary, true)))
}

/// The header whose main row is `row`, with a parent row above and a sub-header row below where
/// they fit. With `needs_sub`, only a header completed by its sub-header row is returned.
fn header_at<V: Vocabulary>(
    grid: &Grid,
    row: usize,
    vocabulary: &V,
    needs_sub: bool,
) -> Option<Header<V::Key>> {
    let anchor = Some(vocabulary.anchor());
    let own = matches_of(grid, row, vocabulary);
    let mut below = exact_matches_of(grid, row + 1, vocabulary);
    name_under_parents(grid, row, &own, &mut below, vocabulary);
    let anchor_column = own
        .iter()
        .position(|m| *m == anchor)
        .or_else(|| below.iter().position(|m| *m == anchor))?;
    let parent = row
        .checked_sub(1)
        .map(|r| exact_matches_of(grid, r, vocabulary))
        .filter(|above| {
            // The header row is empty under the parent's cell, or holds that cell's copy where a
            // title cell merged down over both rows was filled (SPEC §4 Cells).
            above.iter().enumerate().any(|(col, m)| {
                let under = grid.cell(row, col);
                m.is_some() && (under.is_empty() || under == grid.cell(row - 1, col))
            })
        });
    let anchor_free = grid.cell(row + 1, anchor_column).is_empty()
        || grid.is_merge_copy(row + 1, anchor_column)
        || below.get(anchor_column) == Some(&anchor);
    // A sub-header row names something the header row does not say in that column.
    let sub = Some(below).filter(|below| {
        anchor_free
            && below
                .iter()
                .enumerate()
                .any(|(col, m)| m.is_some() && own.get(col).copied().flatten() != *m)
    });
    if needs_sub && sub.is_none() {
        return None;
    }
    let mut columns = BTreeMap::new();
    let mut keys = Vec::new();
    for col in 0..grid.width() {
        let pick = |matches: &Option<Vec<Option<V::Key>>>| {
            matches.as_ref().and_then(|m| m.get(col).copied().flatten())
        };
        let key = pick(&sub)
            .or_else(|| own.get(col).copied().flatten())
            .or_else(|| pick(&parent));
        keys.push(key);
        if let Some(key) = key {
            columns.entry(key).or_insert(col);
        }
    }
    (columns.contains_key(&vocabulary.anchor()) && (!needs_sub || vocabulary.is_header(&keys)))
        .then(|| Header {
            top: if parent.is_some() { row - 1 } else { row },
            bottom: if sub.is_some() { row + 1 } else { row },
            columns,
            last_data_row: None,
        })
}

/// Finds a sheet's header and converts the sheet's legacy-font text: the header is looked for in a
/// copy of the first rows converted row by row, then the data rows are converted column by column
/// (SPEC §11.13). One function for the ID lists and the targets appendix.
pub fn locate_header<V: Vocabulary>(grid: &mut Grid, vocabulary: &V) -> Option<Header<V::Key>> {
    let view = super::legacy_columns::header_view(grid, HEADER_SCAN_ROWS as usize + 1);
    let mut header = find_header(&view, vocabulary)?;
    // The data rows end at the last row with its own anchor value (an ID, a commune): the footer
    // and signature block below are not a column's evidence (SPEC §11.13 speaks of data rows).
    let anchor = header
        .columns
        .get(&vocabulary.anchor())
        .copied()
        .unwrap_or(0);
    header.last_data_row = (header.bottom + 1..grid.rows.len())
        .rev()
        .find(|&r| grid.has_content(r) && !grid.cell(r, anchor).is_empty());
    let data_end = header.last_data_row.unwrap_or(header.bottom);
    super::legacy_columns::convert(grid, header.bottom, data_end);
    Some(header)
}

/// `1 2 3 …` or `(1) (2) (3) …`: at least two non-empty cells, all of them column numbers.
pub fn is_numbering_row(cells: &Row) -> bool {
    let mut count = 0;
    for (_, cell) in cells.iter() {
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
pub fn is_repeated_header(cells: &Row, header: &Header<Field>, aliases: &AliasTable) -> bool {
    let field_at = |col: usize| {
        cells
            .get(col)
            .as_text()
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
    use super::super::grid::Merge;
    use super::*;

    fn grid(rows: &[&[&str]]) -> Grid {
        Grid::from_dense(
            rows.iter()
                .map(|r| r.iter().map(|t| Cell::text(t)).collect())
                .collect(),
        )
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
    fn a_header_completed_by_its_second_row() {
        // No row is a header alone: the name is above, the ID only in the second row (a parent
        // merged over some columns in a file whose merges are not filled).
        let g = grid(&[
            &["DANH SÁCH"],
            &["STT", "Họ và tên", "Thông tin định danh", ""],
            &["", "", "Số CCCD", "Ngày sinh"],
            &["1", "Lò Văn A", "011090012345", "1990"],
        ]);
        let header = find_header(&g, &AliasTable::default()).expect("two rows together");
        assert_eq!((header.top, header.bottom), (1, 2));
        assert_eq!(header.columns[&Field::Name], 1);
        assert_eq!(header.columns[&Field::Id], 2);
        assert_eq!(header.columns[&Field::Dob], 3);
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
        let row = Row::from_dense(vec![
            Cell::text("CCCD 011090012345"),
            Cell::text("Xã Quài Tở"),
        ]);
        assert!(!is_repeated_header(&row, &header, &AliasTable::default()));
        assert!(is_repeated_header(
            &g.rows[0],
            &header,
            &AliasTable::default()
        ));
    }

    #[test]
    fn a_stray_cell_far_right_costs_one_entry() {
        // Issue 14: an "x" typed in column XFD on every row must not widen rows to 16,384 cells.
        let mut row = Row::from_dense(vec![Cell::text("011090012345"), Cell::text("Lò Văn A")]);
        row.push(16_383, Cell::text("x"));
        assert_eq!(row.iter().count(), 3);
        assert_eq!(row.width(), 16_384);
        assert_eq!(row.get(16_383), &Cell::text("x"));
        assert!(row.get(100).is_empty());
        row.set(5, Cell::text("y"));
        let columns: Vec<usize> = row.iter().map(|(col, _)| col).collect();
        assert_eq!(columns, [0, 1, 5, 16_383], "kept in column order");
    }

    /// The police report of issue 24: STT, name, ID, address and note merged down over rows 1-2,
    /// "Phân công phụ trách hướng dẫn" merged across the unit and officer sub-headers.
    fn police_report(id_header: &str) -> Grid {
        let mut g = grid(&[
            &[
                "STT",
                "Họ và tên",
                id_header,
                "Địa chỉ",
                "Phân công phụ trách hướng dẫn",
                "",
                "Ghi chú",
            ],
            &["", "", "", "", "Đơn vị phụ trách", "Người phụ trách", ""],
            &[
                "1",
                "Lò Văn A",
                "011090012345",
                "Quài Tở",
                "Công an xã",
                "Lò Văn B",
                "",
            ],
        ]);
        let merges: Vec<Merge> = [0, 1, 2, 3, 6]
            .into_iter()
            .map(|col| Merge {
                first: (0, col),
                last: (1, col),
            })
            .collect();
        g.fill_merges(&merges, 1000).expect("within budget");
        g
    }

    #[test]
    fn a_header_cell_merged_down_is_one_header_cell() {
        // SPEC §11.17: the copies in row 2 (also of an ID header that only starts with an alias)
        // never stop it from being the sub-header row.
        for id_header in [
            "Số định danh cá nhân",
            "Số định danh công dân",
            "Số định danh cá nhân (CCCD)",
        ] {
            let g = police_report(id_header);
            assert!(g.is_merge_copy(1, 2) && !g.is_merge_copy(1, 4));
            let header = find_header(&g, &AliasTable::default()).expect("header");
            assert_eq!((header.top, header.bottom), (0, 1), "{id_header}");
            let columns: Vec<(Field, usize)> =
                header.columns.iter().map(|(f, c)| (*f, *c)).collect();
            assert_eq!(
                columns,
                [
                    (Field::Id, 2),
                    (Field::Name, 1),
                    (Field::Address, 3),
                    (Field::Unit, 4),
                    (Field::Officer, 5)
                ],
                "{id_header}"
            );
        }
    }

    #[test]
    fn a_name_in_two_columns_under_a_merged_parent_or_side_by_side() {
        let merged = grid(&[
            &["STT", "Họ và tên", "", "Số CCCD"],
            &["", "Họ đệm", "Tên", ""],
        ]);
        let header = find_header(&merged, &AliasTable::default()).expect("header");
        assert_eq!(header.bottom, 1);
        assert_eq!(header.columns.get(&Field::Surname), Some(&1));
        assert_eq!(header.columns.get(&Field::GivenName), Some(&2));
        assert!(!header.columns.contains_key(&Field::Name));
        let side = grid(&[&["STT", "Họ và chữ đệm", "Tên", "Số CCCD", "Tên đơn vị"]]);
        let header = find_header(&side, &AliasTable::default()).expect("header");
        assert_eq!(header.columns.get(&Field::Surname), Some(&1));
        assert_eq!(header.columns.get(&Field::GivenName), Some(&2));
        assert_eq!(header.columns.len(), 3, "Tên đơn vị names nothing");
    }

    #[test]
    fn nam_and_nu_under_a_birth_year_parent() {
        let g = grid(&[
            &["STT", "Họ và tên", "Năm sinh", "", "Số định danh cá nhân"],
            &["", "", "Nam", "Nữ", ""],
        ]);
        let header = find_header(&g, &AliasTable::default()).expect("header");
        assert_eq!(header.bottom, 1);
        assert_eq!(header.columns.get(&Field::DobMale), Some(&2));
        assert_eq!(header.columns.get(&Field::DobFemale), Some(&3));
        assert!(!header.columns.contains_key(&Field::Dob));
        // Without the parent, "Nam" and "Nữ" name nothing.
        let g = grid(&[
            &["STT", "Họ và tên", "Ghi chú", "", "Số định danh cá nhân"],
            &["", "", "Nam", "Nữ", ""],
        ]);
        let header = find_header(&g, &AliasTable::default()).expect("header");
        assert_eq!(header.bottom, 0);
        assert!(!header.columns.contains_key(&Field::DobMale));
    }

    #[test]
    fn no_header_without_an_id_column() {
        let g = grid(&[&["Họ và tên", "Ngày sinh", "Xã"]]);
        assert_eq!(find_header(&g, &AliasTable::default()), None);
    }

    #[test]
    fn numbering_needs_two_numbers_only() {
        let row = |cells: Vec<Cell>| Row::from_dense(cells);
        assert!(!is_numbering_row(&row(vec![Cell::text("1")])));
        assert!(!is_numbering_row(&row(vec![
            Cell::text("1"),
            Cell::text("Lò Văn A")
        ])));
        assert!(is_numbering_row(&row(vec![
            Cell::Number(1.0),
            Cell::Number(2.0)
        ])));
    }
}
