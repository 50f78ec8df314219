//! The in-memory shape every reader produces: a sheet as rows of typed cells, text already cleaned
//! (legacy encodings converted, NFC, trimmed, spaces collapsed), with its position in the sheet so
//! row numbers and column letters shown to users are Excel's.

use chrono::NaiveDate;

/// One cell, read as what it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    /// Cleaned text; never empty (an empty text cell is [`Cell::Empty`]).
    Text(String),
    Int(i64),
    Number(f64),
    /// A cell formatted as a date.
    Date(NaiveDate),
    Bool(bool),
    /// An Excel error value such as `#N/A`.
    Error,
}

impl Cell {
    /// A text cell from raw text, cleaned; blank text becomes [`Cell::Empty`].
    pub fn text(raw: &str) -> Cell {
        let clean = crate::normalize::text::clean_cell_text(raw);
        if clean.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(clean.into_owned())
        }
    }

    /// True for an empty cell.
    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The text of a text cell.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The cell as a user would read it: integers without a fraction, dates as dd/mm/yyyy.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Int(value) => value.to_string(),
            Cell::Number(value) => match crate::normalize::id::checked_integer(*value) {
                Some(integer) => integer.to_string(),
                None => value.to_string(),
            },
            Cell::Date(date) => date.format("%d/%m/%Y").to_string(),
            Cell::Bool(value) => if *value { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Error => "#ERROR".to_string(),
        }
    }

    /// [`Cell::display`], moving a text out instead of copying it.
    pub fn into_display(self) -> String {
        match self {
            Cell::Text(text) => text,
            other => other.display(),
        }
    }
}

/// One row's non-empty cells with their grid column, in column order. Memory follows the cells
/// present: a stray "x" typed in column XFD costs one entry, not 16,384 empty cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    cells: Vec<(u32, Cell)>,
}

impl Row {
    /// A row with no cell.
    pub const fn new() -> Self {
        Self { cells: Vec::new() }
    }

    /// A row from cells in column order from column 0 (empty cells are dropped).
    pub fn from_dense(cells: Vec<Cell>) -> Self {
        Self {
            cells: (0u32..)
                .zip(cells)
                .filter(|(_, cell)| !cell.is_empty())
                .collect(),
        }
    }

    /// The cell in a grid column, empty when there is none.
    pub fn get(&self, col: usize) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        match self.position(col) {
            Ok(index) => &self.cells[index].1,
            Err(_) => &EMPTY,
        }
    }

    fn position(&self, col: usize) -> Result<usize, usize> {
        let col = u32::try_from(col).unwrap_or(u32::MAX);
        self.cells.binary_search_by_key(&col, |(c, _)| *c)
    }

    /// Removes the cell in a grid column and gives it (empty when there is none).
    pub fn take(&mut self, col: usize) -> Cell {
        match self.position(col) {
            Ok(index) => self.cells.remove(index).1,
            Err(_) => Cell::Empty,
        }
    }

    /// Sets a cell (an empty value removes it).
    pub fn set(&mut self, col: usize, cell: Cell) {
        let position = self.position(col);
        match (position, cell.is_empty()) {
            (Ok(index), true) => {
                self.cells.remove(index);
            }
            (Ok(index), false) => self.cells[index].1 = cell,
            (Err(_), true) => {}
            (Err(index), false) => self
                .cells
                .insert(index, (u32::try_from(col).unwrap_or(u32::MAX), cell)),
        }
    }

    /// Appends a cell right of every cell present (the readers' fast path); a cell out of order is
    /// placed by [`Row::set`].
    pub fn push(&mut self, col: u32, cell: Cell) {
        match self.cells.last() {
            Some((last, _)) if *last >= col => self.set(col as usize, cell),
            _ if cell.is_empty() => {}
            _ => self.cells.push((col, cell)),
        }
    }

    /// The non-empty cells with their grid column, left to right.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &Cell)> {
        self.cells.iter().map(|(col, cell)| (*col as usize, cell))
    }

    /// The non-empty cells, mutable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (usize, &mut Cell)> {
        self.cells
            .iter_mut()
            .map(|(col, cell)| (*col as usize, cell))
    }

    /// True when the row has no non-empty cell.
    pub fn is_blank(&self) -> bool {
        self.cells.is_empty()
    }

    /// One past the rightmost non-empty cell's column.
    pub fn width(&self) -> usize {
        self.cells.last().map_or(0, |(col, _)| *col as usize + 1)
    }
}

/// One sheet's cells. `rows[i]` is Excel row `first_row + i + 1`; grid column `j` is Excel column
/// `first_col + j`.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub first_row: u32,
    pub first_col: u32,
    pub rows: Vec<Row>,
    /// Rows whose only content was given by a merged cell above them ([`Grid::fill_merges`]): they
    /// read as blank. Empty when no merge filled anything.
    pub fill_only: Vec<bool>,
    /// Cells that took their value from a merged cell above them.
    pub merge_filled: u64,
    /// The filled cells of the first [`HEADER_AREA_ROWS`] grid rows, (row, column), sorted: a
    /// header cell merged down over a sub-header row leaves a copy there that is not a sub-header
    /// of its own (SPEC §11.17).
    pub header_copies: Vec<(usize, usize)>,
}

/// How many rows from the top keep a record of their merge copies: the header is looked for in the
/// first 30 Excel rows, and a grid may start a little lower.
pub const HEADER_AREA_ROWS: usize = 64;

/// A sheet whose merged regions would fill more cells than the budget allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeBudget;

/// A merged region in Excel's 0-based (row, column) coordinates, both corners included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Merge {
    pub first: (u32, u32),
    pub last: (u32, u32),
}

impl Grid {
    /// The cell at a grid position, empty when out of range.
    pub fn cell(&self, row: usize, col: usize) -> &Cell {
        static EMPTY: Cell = Cell::Empty;
        self.rows.get(row).map_or(&EMPTY, |r| r.get(col))
    }

    /// A grid from rows (no merges filled).
    pub fn from_rows(first_row: u32, first_col: u32, rows: Vec<Row>) -> Self {
        Self {
            first_row,
            first_col,
            rows,
            ..Self::default()
        }
    }

    /// A grid from dense rows of cells starting at A1 (tests and small readers).
    pub fn from_dense(rows: Vec<Vec<Cell>>) -> Self {
        Self::from_rows(0, 0, rows.into_iter().map(Row::from_dense).collect())
    }

    /// True when a grid row holds a cell of its own (a value filled from a merge above does not
    /// count: a row that only lies under a merged unit cell is blank to a reader).
    pub fn has_content(&self, row: usize) -> bool {
        !self.fill_only.get(row).copied().unwrap_or(false)
            && self.rows.get(row).is_some_and(|cells| !cells.is_blank())
    }

    /// The last grid row with content of its own.
    pub fn last_content_row(&self) -> Option<usize> {
        (0..self.rows.len())
            .rev()
            .find(|&row| self.has_content(row))
    }

    /// Gives each merge that spans several rows its top-left value in every row it spans, in the
    /// top-left cell's column only (SPEC §4 Cells). A merge within one row (a title, a group heading
    /// spread over the row) gives nothing. Only rows with cells of their own are filled: a row that
    /// lies under a merge and holds nothing else is blank either way, and is never read.
    ///
    /// The work is bounded: duplicate merges count once, and past `budget` filled or visited cells
    /// (a hostile file of overlapping merges) it stops with `Err`.
    pub fn fill_merges(&mut self, merges: &[Merge], budget: usize) -> Result<(), MergeBudget> {
        let own: Vec<bool> = (0..self.rows.len()).map(|r| self.has_content(r)).collect();
        let content_rows: Vec<usize> = (0..own.len()).filter(|&r| own[r]).collect();
        let mut merges: Vec<Merge> = merges
            .iter()
            .copied()
            .filter(|m| m.last.0 > m.first.0)
            .collect();
        merges.sort_by_key(|m| (m.first, m.last));
        merges.dedup();
        let mut work: usize = 0;
        for merge in &merges {
            let (Some(top), Some(col)) = (
                merge.first.0.checked_sub(self.first_row),
                merge.first.1.checked_sub(self.first_col),
            ) else {
                continue;
            };
            let (top, col) = (top as usize, col as usize);
            let value = self.cell(top, col).clone();
            if value.is_empty() {
                continue;
            }
            let last = merge.last.0.saturating_sub(self.first_row) as usize;
            // The content rows strictly below the top-left cell, down to the merge's last row.
            let from = content_rows.partition_point(|&r| r <= top);
            let to = content_rows.partition_point(|&r| r <= last);
            for &row in &content_rows[from..to.max(from)] {
                work += 1;
                if work > budget {
                    return Err(MergeBudget);
                }
                let cells = &mut self.rows[row];
                if cells.get(col).is_empty() {
                    cells.set(col, value.clone());
                    self.merge_filled += 1;
                    if row < HEADER_AREA_ROWS {
                        self.header_copies.push((row, col));
                    }
                }
            }
        }
        if self.merge_filled > 0 {
            self.fill_only = own.into_iter().map(|has| !has).collect();
        }
        self.header_copies.sort_unstable();
        self.header_copies.dedup();
        Ok(())
    }

    /// True when the cell holds the copy of a merged cell above it rather than a value of its own.
    /// Known for the header area only ([`HEADER_AREA_ROWS`]), which is where it is asked.
    pub fn is_merge_copy(&self, row: usize, col: usize) -> bool {
        self.header_copies.binary_search(&(row, col)).is_ok()
    }

    /// The widest row's width.
    pub fn width(&self) -> usize {
        self.rows.iter().map(Row::width).max().unwrap_or(0)
    }

    /// Excel's 1-based row number of a grid row.
    pub fn excel_row(&self, row: usize) -> u32 {
        self.first_row + row as u32 + 1
    }

    /// Excel's column letters of a grid column.
    pub fn column_letter(&self, col: usize) -> String {
        column_letter(self.first_col + col as u32)
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
pub fn column_letter(index: u32) -> String {
    let mut n = index as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A named sheet as read from a file.
#[derive(Debug, Clone)]
pub struct RawSheet {
    pub name: String,
    /// The cells, or why this sheet could not be read while the others could.
    pub grid: Result<Grid, String>,
}

/// A whole file as read.
#[derive(Debug, Clone)]
pub struct RawWorkbook {
    pub format: &'static str,
    /// Serial numbers in this workbook count from 1904.
    pub is_1904: bool,
    pub sheets: Vec<RawSheet>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn display_numbers_as_people_read_them() {
        assert_eq!(Cell::Number(11_090_012_345.0).display(), "11090012345");
        assert_eq!(Cell::Number(1.5).display(), "1.5");
        assert_eq!(Cell::text("  a  b "), Cell::Text("a b".into()));
        assert_eq!(Cell::text("   "), Cell::Empty);
    }
}
