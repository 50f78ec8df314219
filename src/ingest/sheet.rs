//! One sheet → typed rows (SPEC §4-§5). Every row below the header ends in exactly one class,
//! accepted, rejected (with a reason) or skipped, so `read = accepted + rejected + skipped` holds for
//! every sheet; the checks are made in the order `docs/reference.md` documents.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::aliases::{AliasTable, Field};
use super::grid::{Cell, Grid, Row};
use super::header::{Header, is_numbering_row, is_repeated_header, locate_header};
use super::mark::{self, Mark};
use crate::codes::{RejectReason, WarningCode};
use crate::normalize::date::{self, DateValue, YearAlone};
use crate::normalize::id::{self, CitizenId, NormalizedId, Sex};

/// What the reader needs besides the cells.
#[derive(Debug, Clone, Copy)]
pub struct SheetContext<'a> {
    pub aliases: &'a AliasTable,
    /// The as-of year: an ID born after it is `bad_century`.
    pub as_of_year: i32,
    pub is_1904: bool,
}

/// A rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    pub row: u32,
    pub column: String,
    pub value: String,
    pub reason: RejectReason,
}

/// A warning on an accepted row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowWarning {
    pub row: u32,
    pub column: String,
    pub code: WarningCode,
}

/// How a sheet was read: the `inspect` view of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SheetReport {
    pub name: String,
    pub header_row: Option<u32>,
    /// `empty`, `no_header` or `damaged` when the sheet gave no rows.
    pub skipped_reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field → column letter, written in the sheet's column order.
    #[serde(serialize_with = "columns_in_sheet_order")]
    pub columns: BTreeMap<Field, String>,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub skipped: u64,
    pub ids_padded: u64,
    /// Cells that took their value from a cell merged down over them (SPEC §4 Cells).
    pub merge_filled: u64,
    /// Field → accepted rows with a value in its column: shows what a merged unit or officer column
    /// gave to the rows under it.
    pub values: BTreeMap<Field, u64>,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<RowWarning>,
}

fn columns_in_sheet_order<S: serde::Serializer>(
    columns: &BTreeMap<Field, String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut entries: Vec<(&Field, &String)> = columns.iter().collect();
    entries.sort_by_key(|(_, letter)| (letter.len(), letter.as_str()));
    let mut map = serializer.serialize_map(Some(entries.len()))?;
    for (field, letter) in entries {
        map.serialize_entry(field, letter)?;
    }
    map.end()
}

/// The fields of an accepted row, cleaned. A province holds millions of rows at once: texts are
/// boxed (no spare capacity), and the texts a list repeats row after row (commune, village, force,
/// unit, officer) are shared by every row of the sheet that has them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowFields {
    pub name: Option<Box<str>>,
    pub dob: Option<DateValue>,
    pub gender: Option<Sex>,
    pub commune: Option<Shared>,
    pub village: Option<Shared>,
    pub address: Option<Box<str>>,
    pub phone: Option<Box<str>>,
    pub force: Option<Shared>,
    pub unit: Option<Shared>,
    pub officer: Option<Shared>,
    pub assigned_on: Option<NaiveDate>,
    pub activated_on: Option<NaiveDate>,
}

/// A text shared by the rows that repeat it.
pub type Shared = std::sync::Arc<str>;

/// Hands out one [`Shared`] per distinct text of a sheet.
#[derive(Debug, Default)]
struct Texts {
    by_text: rustc_hash::FxHashMap<String, Shared>,
    /// Per field, the text given last: lists repeat a commune, unit or officer row after row, and
    /// comparing with the last one costs less than hashing.
    last: [Option<Shared>; Field::ALL.len()],
}

impl Texts {
    /// The sheet's one copy of a field's text (a text seen before costs no allocation).
    fn share(&mut self, field: Field, text: &str) -> Shared {
        let last = &mut self.last[field as usize];
        if let Some(shared) = last.as_ref().filter(|shared| ***shared == *text) {
            return shared.clone();
        }
        let shared = match self.by_text.get(text) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Shared = text.into();
                self.by_text.insert(text.to_owned(), shared.clone());
                shared
            }
        };
        *last = Some(shared.clone());
        shared
    }
}

/// The header's column of each field, looked up by field index for every row.
struct FieldColumns([Option<usize>; Field::ALL.len()]);

impl FieldColumns {
    fn new(header: &Header) -> Self {
        let mut columns = [None; Field::ALL.len()];
        for (field, col) in &header.columns {
            columns[*field as usize] = Some(*col);
        }
        Self(columns)
    }

    /// A row's cell in a field's column; empty when the header has no such column.
    fn cell<'r>(&self, cells: &'r Row, field: Field) -> &'r Cell {
        static EMPTY: Cell = Cell::Empty;
        self.0[field as usize].map_or(&EMPTY, |col| cells.get(col))
    }

    /// True when the name is split in two columns and there is no whole-name column (SPEC §11.18).
    fn has_split_name(&self) -> bool {
        self.0[Field::Name as usize].is_none()
            && self.0[Field::Surname as usize].is_some()
            && self.0[Field::GivenName as usize].is_some()
    }

    /// Moves a row's cell in a field's column out of the row (empty when there is none).
    fn take(&self, cells: &mut Row, field: Field) -> Cell {
        self.0[field as usize].map_or(Cell::Empty, |col| cells.take(col))
    }
}

/// An accepted row with its place in the sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct InputRow {
    pub sheet_index: u32,
    /// Excel's 1-based row number.
    pub row: u32,
    pub id: CitizenId,
    pub fields: RowFields,
}

/// Reads one sheet's grid: finds its header, converts its legacy-font text (SPEC §11.13) and
/// classifies every row below the header.
///
/// One loop over the rows; it is over 80 lines by the counters it keeps for `inspect` beside it.
pub fn read_sheet(
    grid: &mut Grid,
    name: &str,
    sheet_index: u32,
    context: &SheetContext<'_>,
) -> (SheetReport, Vec<InputRow>) {
    let mut report = SheetReport {
        name: name.to_string(),
        merge_filled: grid.merge_filled,
        ..SheetReport::default()
    };
    let Some(last_filled) = grid.last_content_row() else {
        report.skipped_reason = Some("empty");
        return (report, Vec::new());
    };
    let Some(header) = locate_header(grid, context.aliases) else {
        report.skipped_reason = Some("no_header");
        return (report, Vec::new());
    };
    report.header_row = Some(grid.excel_row(header.top));
    report.columns = header
        .columns
        .iter()
        .map(|(field, col)| (*field, grid.column_letter(*col)))
        .collect();
    let first = header.bottom + 1;
    // Rows after the last row with an ID are the footer (found with the header).
    let last_with_id = header.last_data_row;
    let columns = FieldColumns::new(&header);
    let counted_columns: Vec<usize> = header.columns.values().copied().collect();
    // Sized once for the rows down to the last ID (a province's lists have 270,000 rows).
    let mut rows =
        Vec::with_capacity(last_with_id.map_or(0, |last| (last + 1).saturating_sub(first)));
    let mut texts = Texts::default();
    let mut values: Vec<u64> = vec![0; counted_columns.len()];
    let mut present = Vec::with_capacity(counted_columns.len());
    for r in first..=last_filled.max(header.bottom) {
        report.read += 1;
        static BLANK: Row = Row::new();
        let cells = grid.rows.get(r).unwrap_or(&BLANK);
        match class_before_reading(grid, r, first, &header, &columns, context) {
            Before::Read => {}
            Before::Skip => {
                report.skipped += 1;
                continue;
            }
            Before::Reject(reject) => {
                report.rejected += 1;
                report.rejects.push(reject);
                continue;
            }
        }
        // Which columns have a value, counted if the row is accepted: before its texts move out.
        present.clear();
        present.extend(
            counted_columns
                .iter()
                .map(|&col| !cells.get(col).is_empty()),
        );
        let place = RowPlace {
            excel_row: grid.excel_row(r),
            first_col: grid.first_col,
            header: &header,
        };
        let Some(cells) = grid.rows.get_mut(r) else {
            continue;
        };
        match read_row(cells, &place, &columns, context, &mut report, &mut texts) {
            Ok(row) => {
                report.accepted += 1;
                for (count, present) in values.iter_mut().zip(&present) {
                    *count += u64::from(*present);
                }
                rows.push(InputRow { sheet_index, ..row });
            }
            Err(reject) => {
                report.rejected += 1;
                report.rejects.push(reject);
            }
        }
    }
    report.values = header.columns.keys().copied().zip(values).collect();
    report.sort_warnings();
    (report, rows)
}

impl SheetReport {
    /// Warnings in row order, then in the sheet's column order.
    pub fn sort_warnings(&mut self) {
        let column_order = |column: &String| (column.len(), column.clone());
        self.warnings
            .sort_by_key(|w| (w.row, column_order(&w.column)));
    }
}

/// A row's class before its fields are read.
enum Before {
    /// Blank, the numbering row, the footer, a repeated header, or a mark that says no.
    Skip,
    /// A mark that says neither yes nor no (SPEC §11.20).
    Reject(Reject),
    /// A row to read.
    Read,
}

/// Decides the classes that need no field of the row, in the order of `docs/reference.md`.
fn class_before_reading(
    grid: &Grid,
    r: usize,
    first: usize,
    header: &Header,
    columns: &FieldColumns,
    context: &SheetContext<'_>,
) -> Before {
    static BLANK: Row = Row::new();
    let cells = grid.rows.get(r).unwrap_or(&BLANK);
    let skip = !grid.has_content(r)
        || (r == first && is_numbering_row(cells))
        || header.last_data_row.is_none_or(|last| r > last)
        || is_repeated_header(cells, header, context.aliases);
    if skip {
        return Before::Skip;
    }
    match mark_of(cells, columns, context.is_1904) {
        Mark::Yes => Before::Read,
        Mark::No => Before::Skip,
        Mark::Unclear => {
            // Only a sheet with a mark column has unclear marks.
            let col = header
                .columns
                .get(&Field::Activated)
                .copied()
                .unwrap_or_default();
            Before::Reject(Reject {
                row: grid.excel_row(r),
                column: grid.column_letter(col),
                value: cells.get(col).display(),
                reason: RejectReason::UnclearMark,
            })
        }
    }
}

/// Where a row sits, for its rejects and warnings: column letters are spelled only when needed.
struct RowPlace<'a> {
    excel_row: u32,
    /// The grid's first column in the sheet.
    first_col: u32,
    header: &'a Header,
}

impl RowPlace<'_> {
    /// The column letters of a field's column (empty when the header has none).
    fn letter(&self, field: Field) -> String {
        self.header
            .columns
            .get(&field)
            .map(|col| super::grid::column_letter(self.first_col + *col as u32))
            .unwrap_or_default()
    }
}

/// Reads one row's fields. The row's texts that become boxed fields (name, address, phone) are
/// moved out of the grid rather than copied: the grid is not read again below this row.
fn read_row(
    cells: &mut Row,
    place: &RowPlace<'_>,
    columns: &FieldColumns,
    context: &SheetContext<'_>,
    report: &mut SheetReport,
    texts: &mut Texts,
) -> Result<InputRow, Reject> {
    let excel_row = place.excel_row;
    let id_cell = columns.cell(cells, Field::Id);
    let normalized = id_from_cell(id_cell, context.as_of_year).map_err(|reason| Reject {
        row: excel_row,
        column: place.letter(Field::Id),
        value: id_cell.display(),
        reason,
    })?;
    if normalized.padded {
        report.ids_padded += 1;
    }
    let id = normalized.id;
    let mut warn = |field: Field, code: WarningCode| {
        report.warnings.push(RowWarning {
            row: excel_row,
            column: place.letter(field),
            code,
        });
    };
    let dates = read_dates(cells, columns, context.is_1904, id, &mut warn);
    let mut shared = |field: Field| match columns.cell(cells, field) {
        Cell::Text(t) => Some(texts.share(field, t)),
        other => Some(other.display())
            .filter(|t| !t.is_empty())
            .map(|t| texts.share(field, &t)),
    };
    let commune = shared(Field::Commune);
    let village = shared(Field::Village);
    let force = shared(Field::Force);
    let unit = shared(Field::Unit);
    let officer = shared(Field::Officer);
    let fields = RowFields {
        name: name_of(cells, columns),
        dob: dates.dob,
        gender: dates.gender,
        commune,
        village,
        address: boxed_text(columns.take(cells, Field::Address)),
        phone: phone_of(columns.take(cells, Field::Phone)).map(String::into_boxed_str),
        force,
        unit,
        officer,
        assigned_on: dates.assigned_on,
        activated_on: dates.activated_on,
    };
    Ok(InputRow {
        sheet_index: 0,
        row: excel_row,
        id,
        fields,
    })
}

/// A row's dates and gender, checked against its ID.
struct RowDates {
    dob: Option<DateValue>,
    gender: Option<Sex>,
    assigned_on: Option<NaiveDate>,
    activated_on: Option<NaiveDate>,
}

/// Reads the dates of a row (a cell that is not a valid day-first date is `bad_date`) and its
/// gender, and warns where they disagree with the ID. The date of birth is in its own column, or
/// under the citizen's sex (SPEC §11.19): the one of "Nam" / "Nữ" that holds a value gives the date
/// and the gender; both filled give neither, and the female cell is `bad_date`.
fn read_dates(
    cells: &Row,
    columns: &FieldColumns,
    is_1904: bool,
    id: CitizenId,
    warn: &mut impl FnMut(Field, WarningCode),
) -> RowDates {
    let cell = |field: Field| columns.cell(cells, field);
    let (dob_field, sex_of_dob) = match (
        cell(Field::DobMale).is_empty(),
        cell(Field::DobFemale).is_empty(),
    ) {
        (false, true) => (Field::DobMale, Some(Sex::Male)),
        (true, false) => (Field::DobFemale, Some(Sex::Female)),
        (false, false) => {
            warn(Field::DobFemale, WarningCode::BadDate);
            (Field::Dob, None)
        }
        (true, true) => (Field::Dob, None),
    };
    let mut date_of =
        |field: Field, year_alone: YearAlone| match read_date(cell(field), is_1904, year_alone) {
            Ok(value) => value,
            Err(()) => {
                warn(field, WarningCode::BadDate);
                None
            }
        };
    let dob = date_of(dob_field, YearAlone::Allowed);
    let assigned_on = date_of(Field::AssignedOn, YearAlone::NotAllowed).and_then(DateValue::day);
    let activated_on = date_of(Field::ActivatedOn, YearAlone::NotAllowed).and_then(DateValue::day);
    if dob.is_some_and(|dob| dob.year() != id.birth_year()) {
        warn(dob_field, WarningCode::DobMismatch);
    }
    let (gender_field, gender) = match cell(Field::Gender).as_text().and_then(parse_gender) {
        Some(sex) => (Field::Gender, Some(sex)),
        None => (dob_field, sex_of_dob),
    };
    if gender.is_some_and(|sex| sex != id.sex()) {
        warn(gender_field, WarningCode::GenderMismatch);
    }
    RowDates {
        dob,
        gender,
        assigned_on,
        activated_on,
    }
}

/// A cell's text, moved out of the row; `None` when empty.
fn boxed_text(cell: Cell) -> Option<Box<str>> {
    Some(cell.into_display())
        .filter(|t| !t.is_empty())
        .map(String::into_boxed_str)
}

/// The row's name: its name column, or its surname and given-name columns joined (SPEC §11.18).
fn name_of(cells: &mut Row, columns: &FieldColumns) -> Option<Box<str>> {
    if columns.has_split_name() {
        joined_name(
            boxed_text(columns.take(cells, Field::Surname)),
            boxed_text(columns.take(cells, Field::GivenName)),
        )
    } else {
        boxed_text(columns.take(cells, Field::Name))
    }
}

/// What a row's "Đã kích hoạt" mark says (SPEC §11.20); yes for a sheet without a mark column. A
/// blank mark beside a valid activation date is unclear: the clerk wrote a date and no mark.
fn mark_of(cells: &Row, columns: &FieldColumns, is_1904: bool) -> Mark {
    if columns.0[Field::Activated as usize].is_none() {
        return Mark::Yes;
    }
    match mark::classify(columns.cell(cells, Field::Activated)) {
        Mark::No if columns.cell(cells, Field::Activated).is_empty() => {
            let dated = read_date(
                columns.cell(cells, Field::ActivatedOn),
                is_1904,
                YearAlone::NotAllowed,
            );
            if matches!(dated, Ok(Some(_))) {
                Mark::Unclear
            } else {
                Mark::No
            }
        }
        mark => mark,
    }
}

/// A name split in two columns: surname, a space, given name; either alone when the other is
/// empty (SPEC §11.18). Both halves are already clean text, so the join is too.
fn joined_name(surname: Option<Box<str>>, given_name: Option<Box<str>>) -> Option<Box<str>> {
    match (surname, given_name) {
        (Some(surname), Some(given)) => Some(format!("{surname} {given}").into_boxed_str()),
        (half, None) | (None, half) => half,
    }
}

/// The ID from a cell of any type; an empty cell is `missing_id`.
pub fn id_from_cell(cell: &Cell, as_of_year: i32) -> Result<NormalizedId, RejectReason> {
    match cell {
        Cell::Empty => Err(RejectReason::MissingId),
        Cell::Text(text) => id::from_text(text, as_of_year),
        Cell::Number(value) => id::from_number(*value, as_of_year),
        Cell::Int(value) => match u64::try_from(*value) {
            Ok(value) if value < 1 << 53 => id::from_number(value as f64, as_of_year),
            Ok(_) => Err(RejectReason::BadLength),
            Err(_) => Err(RejectReason::NotDigits),
        },
        Cell::Date(_) | Cell::Bool(_) | Cell::Error => Err(RejectReason::NotDigits),
    }
}

/// A date cell: `Ok(None)` when empty, `Err` when present but not a valid day-first date.
fn read_date(cell: &Cell, is_1904: bool, year_alone: YearAlone) -> Result<Option<DateValue>, ()> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(day) => Ok(Some(date::from_date_cell(*day, is_1904, year_alone))),
        Cell::Text(text) => date::from_text(text, year_alone).map(Some).ok_or(()),
        Cell::Number(value) => date::from_number(*value, is_1904, year_alone)
            .map(Some)
            .ok_or(()),
        Cell::Int(value) => date::from_number(*value as f64, is_1904, year_alone)
            .map(Some)
            .ok_or(()),
        Cell::Bool(_) | Cell::Error => Err(()),
    }
}

fn parse_gender(text: &str) -> Option<Sex> {
    match crate::normalize::text::fold(text).as_str() {
        "nam" | "male" | "m" => Some(Sex::Male),
        "nu" | "female" | "f" => Some(Sex::Female),
        _ => None,
    }
}

/// A phone number; a numeric cell lost its leading zero (Vietnamese numbers have 10 digits).
fn phone_of(cell: Cell) -> Option<String> {
    let numeric = matches!(cell, Cell::Int(_) | Cell::Number(_));
    let text = cell.into_display();
    if numeric && text.len() == 9 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("0{text}"));
    }
    Some(text).filter(|t| !t.is_empty())
}
