//! Opening one input file, whatever it turns out to be (SPEC §4): the content decides the reader,
//! not the extension, because real lists arrive renamed, encrypted or as HTML saved as `.xls`.
//!
//! Guarantees: no input is modified; a reader panic is caught; a file never takes the run down (the
//! budgets and the child process of [`super::isolation`]): `.xlsx`/`.xlsm`/`.xlsb` are streamed
//! within a cell budget after their zip part sizes are checked, `.xls` and `.ods` (whose readers
//! build whole sheets in memory) are first read in a child process with bounded memory and time.
//! Rows are sparse: memory follows the cells present, not a sheet's extent.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use calamine::{Data, Ods, Reader, Xls, Xlsb, Xlsx, open_workbook};

use super::csv_reader;
use super::errors::ReaderError;
pub use super::errors::{FileError, FileErrorCode};
use super::grid::{Cell, Grid, Merge, RawSheet, RawWorkbook, Row};
use super::isolation::{
    MAX_SHEET_CELLS, ZipBudget, catch_reader_panic, check_zip_budget, probe_in_child, zip_budget,
};

/// How to read files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The executable to run the isolated OLE2 probe with (`vneid-recon __probe FILE`); `None` reads
    /// OLE2 files in-process (tests of the library without the binary).
    pub probe_exe: Option<PathBuf>,
    /// Passwords the office knows for received files (`mat-khau.toml`'s `received`), tried on an
    /// encrypted workbook; one that opens it lets it be read like any other (issue 27).
    pub passwords: Vec<crate::secret::Secret>,
    /// What a zip package's parts may declare: the run's budget, or the tighter one of a file
    /// received through the office page.
    pub zip_budget: ZipBudget,
}

/// The extensions we read.
pub const EXTENSIONS: [&str; 6] = ["xlsx", "xlsm", "xlsb", "xls", "ods", "csv"];

/// What the first bytes say the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Zip,
    Ole2,
    Other,
}

/// The first bytes of an OLE2 container: a `.xls`, or any workbook locked with a password.
pub const OLE2_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn sniff(path: &Path) -> Result<(Container, Vec<u8>), FileError> {
    let mut head = Vec::with_capacity(512);
    File::open(path)
        .and_then(|file| file.take(512).read_to_end(&mut head))
        .map_err(|e| FileError::new(FileErrorCode::Damaged, format!("cannot open: {e}")))?;
    Ok((container_of(&head), head))
}

/// The container format from a file's first bytes.
fn container_of(head: &[u8]) -> Container {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Container::Zip
    } else if head.starts_with(&OLE2_MAGIC) {
        Container::Ole2
    } else {
        Container::Other
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Reads every sheet of a file into grids.
pub fn read_workbook(path: &Path, options: &ReadOptions) -> Result<RawWorkbook, FileError> {
    read_workbook_in(path, None, options)
}

/// [`read_workbook`] from the file's bytes when the caller already holds them (the usual .xlsx is
/// then parsed from memory rather than by seeks and reads through the file).
pub fn read_workbook_in(
    path: &Path,
    content: Option<&[u8]>,
    options: &ReadOptions,
) -> Result<RawWorkbook, FileError> {
    let ext = extension(path);
    if !EXTENSIONS.contains(&ext.as_str()) {
        return Err(FileError::new(
            FileErrorCode::UnsupportedFormat,
            format!("extension .{ext}"),
        ));
    }
    let (container, head) = match content {
        Some(bytes) => (container_of(bytes), bytes[..bytes.len().min(512)].to_vec()),
        None => sniff(path)?,
    };
    match container {
        Container::Zip if !matches!(ext.as_str(), "ods" | "xlsb") && content.is_some() => {
            let bytes = content.unwrap_or_default();
            // The zip directory is read once for the budget and the merges' tail; an archive the
            // zip reader cannot list is left to calamine, which says why.
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok();
            if let Some(archive) = archive.as_mut() {
                zip_budget(archive, options.zip_budget)?;
            }
            catch_reader_panic(|| {
                let workbook = Xlsx::new(std::io::Cursor::new(bytes))
                    .map_err(|e: calamine::XlsxError| e.to_file_error())?;
                let merges = archive
                    .as_mut()
                    .and_then(super::merges::single_sheet_merges);
                read_xlsx(workbook, merges)
            })
        }
        Container::Zip => {
            match File::open(path) {
                Ok(file) => check_zip_budget(BufReader::new(file), options.zip_budget)?,
                Err(error) => {
                    return Err(FileError::new(
                        FileErrorCode::Damaged,
                        format!("cannot open: {error}"),
                    ));
                }
            }
            if let (Some(exe), "ods") = (&options.probe_exe, ext.as_str()) {
                probe_in_child(exe, path)?;
                let _one_at_a_time = whole_sheet_reads();
                return catch_reader_panic(|| read_zip(path, &ext));
            }
            catch_reader_panic(|| read_zip(path, &ext))
        }
        Container::Ole2 => {
            let read = || {
                if let Some(exe) = &options.probe_exe {
                    probe_in_child(exe, path)?;
                }
                let _one_at_a_time = whole_sheet_reads();
                catch_reader_panic(|| read_ole2(path))
            };
            match read() {
                Err(error) if error.code == FileErrorCode::Encrypted => {
                    read_unlocked(path, content, options).unwrap_or(Err(error))
                }
                other => other,
            }
        }
        Container::Other if ext == "csv" => csv_reader::read_csv(path),
        Container::Other if head.is_empty() => {
            Err(FileError::new(FileErrorCode::NotSpreadsheet, "empty file"))
        }
        Container::Other => Err(FileError::new(
            FileErrorCode::NotSpreadsheet,
            describe_content(&head),
        )),
    }
}

/// Held while a `.xls` or `.ods` is read in-process after its probe: each such read may need up to
/// the probe's memory, so two never run at once (the `.xlsx` lists keep both cores).
fn whole_sheet_reads() -> std::sync::MutexGuard<'static, ()> {
    static WHOLE_SHEET_READS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    WHOLE_SHEET_READS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// An encrypted workbook read through one of the office's passwords, from memory (the unlocked
/// bytes are never written anywhere); `None` when no password opens it.
fn read_unlocked(
    path: &Path,
    content: Option<&[u8]>,
    options: &ReadOptions,
) -> Option<Result<RawWorkbook, FileError>> {
    if options.passwords.is_empty() {
        return None;
    }
    let locked = match content {
        Some(bytes) => bytes.to_vec(),
        None => std::fs::read(path).ok()?,
    };
    let unlocked = unlock(&locked, &options.passwords)?;
    let without_passwords = ReadOptions {
        probe_exe: options.probe_exe.clone(),
        passwords: Vec::new(),
        zip_budget: options.zip_budget,
    };
    Some(read_workbook_in(path, Some(&unlocked), &without_passwords))
}

/// The workbook inside a locked file, when one of the passwords opens it (tried in order). The
/// decrypting library does not check the password itself (a wrong one gives noise), so a password
/// opens the file only when what comes out is a zip package whose directory can be read. A panic in
/// the library on a hostile file is caught: the file stays locked.
pub fn unlock(locked: &[u8], passwords: &[crate::secret::Secret]) -> Option<Vec<u8>> {
    let is_package = |bytes: &Vec<u8>| {
        bytes.starts_with(b"PK\x03\x04")
            && zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).is_ok()
    };
    passwords.iter().find_map(|password| {
        std::panic::catch_unwind(|| {
            office_crypto::decrypt_from_bytes(locked.to_vec(), password.expose()).ok()
        })
        .ok()
        .flatten()
        .filter(is_package)
    })
}

fn describe_content(head: &[u8]) -> String {
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    if text.contains("<html") || text.contains("<table") || text.contains("<!doctype") {
        "HTML page saved with a spreadsheet extension".into()
    } else if text.contains("<?xml") {
        "XML document (Excel 2003 XML or other), not a workbook container".into()
    } else {
        "unknown content".into()
    }
}

fn read_zip(path: &Path, ext: &str) -> Result<RawWorkbook, FileError> {
    match ext {
        // calamine gives no merged regions for .ods and .xlsb: their merges are not filled.
        "ods" => collect::<Ods<_>>(open_workbook(path), "ods", |_| false, |_, _| Vec::new()),
        "xlsb" => {
            let mut workbook: Xlsb<_> =
                open_workbook(path).map_err(|e: calamine::XlsbError| e.to_file_error())?;
            let is_1904 = workbook.has_1904_epoch();
            let names = workbook.sheet_names();
            streamed("xlsb", is_1904, names, |name| {
                match workbook.worksheet_cells_reader(name) {
                    Ok(mut reader) => stream_grid(reserve_hint(reader.dimensions()), || {
                        reader.next_cell().map_err(|e| e.to_string())
                    }),
                    Err(error) => Err(SheetError::Damaged(error.to_string())),
                }
            })
        }
        _ => {
            let workbook: Xlsx<_> =
                open_workbook(path).map_err(|e: calamine::XlsxError| e.to_file_error())?;
            read_xlsx(workbook, None)
        }
    }
}

/// Every sheet of an opened .xlsx/.xlsm, streamed, with its merged cells filled (SPEC §4 Cells).
/// `single_sheet_merges`: the merges already read from a one-sheet package's tail, if any.
fn read_xlsx<RS: std::io::Read + std::io::Seek>(
    mut workbook: Xlsx<RS>,
    single_sheet_merges: Option<Vec<Merge>>,
) -> Result<RawWorkbook, FileError> {
    let is_1904 = workbook.has_1904_epoch();
    let names = workbook.sheet_names();
    let mut known = single_sheet_merges.filter(|_| names.len() == 1);
    streamed("xlsx", is_1904, names, |name| {
        let mut grid = match workbook.worksheet_cells_reader(name) {
            Ok(mut reader) => stream_grid(reserve_hint(reader.dimensions()), || {
                reader.next_cell().map_err(|e| e.to_string())
            })?,
            Err(error) => return Err(SheetError::Damaged(error.to_string())),
        };
        // A sheet whose merge list cannot be read still gives its cells.
        let merges = match known.take() {
            Some(merges) => merges,
            None => workbook
                .merge_cells_by_sheet_name(name)
                .map(|regions| merges_of(&regions))
                .unwrap_or_default(),
        };
        grid.fill_merges(&merges, MAX_SHEET_CELLS)
            .map_err(|_| SheetError::TooLarge)?;
        Ok(grid)
    })
}

/// calamine's merged regions as [`Merge`]s.
fn merges_of(regions: &[calamine::Dimensions]) -> Vec<Merge> {
    regions
        .iter()
        .map(|region| Merge {
            first: region.start,
            last: region.end,
        })
        .collect()
}

/// Why one streamed sheet could not be read.
enum SheetError {
    /// The sheet is damaged; the file's other sheets are still read.
    Damaged(String),
    /// The sheet holds more than [`MAX_SHEET_CELLS`] cells: the whole file is `too_large`.
    TooLarge,
}

/// A workbook whose sheets are streamed one by one through `grid_of` (.xlsx and .xlsb: their cell
/// readers are different types with the same shape).
fn streamed(
    format: &'static str,
    is_1904: bool,
    names: Vec<String>,
    mut grid_of: impl FnMut(&str) -> Result<Grid, SheetError>,
) -> Result<RawWorkbook, FileError> {
    let mut sheets = Vec::with_capacity(names.len());
    for name in names {
        let grid = match grid_of(&name) {
            Ok(grid) => Ok(grid),
            Err(SheetError::Damaged(detail)) => Err(detail),
            Err(SheetError::TooLarge) => {
                return Err(FileError::new(
                    FileErrorCode::TooLarge,
                    format!("sheet {name} holds more than {MAX_SHEET_CELLS} cells"),
                ));
            }
        };
        sheets.push(RawSheet { name, grid });
    }
    Ok(RawWorkbook {
        format,
        is_1904,
        sheets,
    })
}

/// Excel's grid: 1,048,576 rows × 16,384 columns (0-based bounds).
const EXCEL_ROWS: u32 = 1 << 20;
const EXCEL_COLUMNS: u32 = 1 << 14;

/// Text one sheet may hold in its cells, all copies counted.
const MAX_SHEET_TEXT_BYTES: usize = 512 << 20;

/// Columns whose last text [`stream_grid`] remembers (a sheet's data lives in its first columns).
const REMEMBERED_COLUMNS: usize = 64;

/// Builds a grid from streamed cells. Memory follows the cells present, not the sheet's extent:
/// calamine's dense `Range` of a hostile sheet with cells at A1 and XFD1048576 would need 17·10⁹
/// cells, while here it costs one empty row vector per row in between.
fn stream_grid<'a>(
    reserve: usize,
    mut next: impl FnMut() -> Result<Option<calamine::Cell<calamine::DataRef<'a>>>, String>,
) -> Result<Grid, SheetError> {
    let mut cells: Vec<(u32, u32, Cell)> = Vec::with_capacity(reserve);
    // Per column, the last non-ASCII raw text and where its cleaned cell went in `cells` (None when
    // it cleaned to nothing). Unit, commune and officer columns repeat one value down the sheet, and
    // cleaning non-ASCII text (legacy-encoding detection, NFC) is the costly part of reading.
    let mut recent: Vec<(String, Option<usize>)> = Vec::new();
    // Text held by the sheet's cells: a repeated shared string is copied into every cell using it.
    let mut text_bytes: usize = 0;
    while let Some(cell) = next().map_err(SheetError::Damaged)? {
        let (row, col) = cell.get_position();
        // Coordinates become allocation sizes: nothing outside an Excel sheet is accepted.
        if row >= EXCEL_ROWS || col >= EXCEL_COLUMNS {
            return Err(SheetError::Damaged(format!(
                "a cell at row {row}, column {col} lies outside an Excel sheet"
            )));
        }
        let data = cell.get_value();
        let raw = match data {
            calamine::DataRef::SharedString(text) => Some(*text),
            calamine::DataRef::String(text) => Some(text.as_str()),
            _ => None,
        };
        let slot = raw
            .filter(|raw| !raw.is_ascii())
            .and_then(|_| usize::try_from(col).ok())
            .filter(|&col| col < REMEMBERED_COLUMNS);
        let value = match (raw, slot) {
            (Some(raw), Some(slot)) => {
                if recent.len() <= slot {
                    recent.resize(slot + 1, (String::new(), None));
                }
                let (last, index) = &mut recent[slot];
                if last == raw {
                    index.map(|index| cells[index].2.clone())
                } else {
                    let value = Cell::text(raw);
                    last.clear();
                    last.push_str(raw);
                    *index = (!value.is_empty()).then_some(cells.len());
                    Some(value)
                }
            }
            _ => Some(to_cell_ref(data)),
        };
        let Some(value) = value.filter(|value| !value.is_empty()) else {
            continue;
        };
        text_bytes += value.as_text().map_or(0, str::len);
        if cells.len() >= MAX_SHEET_CELLS || text_bytes > MAX_SHEET_TEXT_BYTES {
            return Err(SheetError::TooLarge);
        }
        cells.push((row, col, value));
    }
    let (Some(first_row), Some(first_col)) = (
        cells.iter().map(|c| c.0).min(),
        cells.iter().map(|c| c.1).min(),
    ) else {
        return Ok(Grid::default());
    };
    let last_row = cells.iter().map(|c| c.0).max().unwrap_or(first_row);
    // Writers emit cells in row and column order; a file that does not is sorted once (a stable
    // sort: of two cells at one place, the later wins as in `Row::push`).
    if !cells.is_sorted_by_key(|c| (c.0, c.1)) {
        cells.sort_by_key(|c| (c.0, c.1));
    }
    let mut rows: Vec<Row> = vec![Row::default(); (last_row - first_row + 1) as usize];
    for (row, col, value) in cells {
        rows[(row - first_row) as usize].push(col - first_col, value);
    }
    Ok(Grid::from_rows(first_row, first_col, rows))
}

/// The cells to reserve for a sheet, from the extent its `<dimension>` claims: the lists writers
/// produce are dense, so this is about the cells to come, and growing a province's lists by doubling
/// copied them several times. A hostile claim (the whole grid) reserves at most 2 million cells.
fn reserve_hint(dimensions: calamine::Dimensions) -> usize {
    const MAX_RESERVED_CELLS: u64 = 1 << 21;
    let rows = u64::from(dimensions.end.0.saturating_sub(dimensions.start.0)) + 1;
    let columns = u64::from(dimensions.end.1.saturating_sub(dimensions.start.1)) + 1;
    rows.saturating_mul(columns).min(MAX_RESERVED_CELLS) as usize
}

fn to_cell_ref(data: &calamine::DataRef<'_>) -> Cell {
    use calamine::DataRef;
    match data {
        DataRef::SharedString(text) => Cell::text(text),
        DataRef::String(text) => Cell::text(text),
        DataRef::Empty => Cell::Empty,
        DataRef::Int(value) => Cell::Int(*value),
        DataRef::Float(value) => Cell::Number(*value),
        DataRef::Bool(value) => Cell::Bool(*value),
        DataRef::DateTime(datetime) => to_cell(&Data::DateTime(*datetime)),
        DataRef::DateTimeIso(text) => to_cell(&Data::DateTimeIso(text.clone())),
        DataRef::DurationIso(text) => Cell::text(text),
        DataRef::Error(_) => Cell::Error,
    }
}

fn read_ole2(path: &Path) -> Result<RawWorkbook, FileError> {
    let merges = |workbook: &mut Xls<_>, name: &str| {
        workbook
            .merge_cells_by_sheet_name(name)
            .map(|regions| merges_of(&regions))
            .unwrap_or_default()
    };
    match collect::<Xls<_>>(open_workbook(path), "xls", Xls::has_1904_epoch, merges) {
        Ok(workbook) => Ok(workbook),
        Err(error) if error.code == FileErrorCode::Encrypted => Err(error),
        Err(error) => {
            // An encrypted OOXML package is an OLE2 container, whatever its extension; and an
            // encrypted BIFF file can fail on its scrambled codepage before its FILEPASS record.
            let ooxml_encrypted = matches!(
                open_workbook::<Xlsx<_>, _>(path),
                Err(calamine::XlsxError::Password)
            );
            if ooxml_encrypted || is_encrypted_ole2(path) {
                Err(FileError::new(FileErrorCode::Encrypted, error.detail))
            } else {
                Err(error)
            }
        }
    }
}

/// True when an OLE2 file holds an encrypted OOXML package or a BIFF workbook with a FILEPASS record.
fn is_encrypted_ole2(path: &Path) -> bool {
    let Ok(mut container) = cfb::open(path) else {
        return false;
    };
    if container.exists("/EncryptedPackage") {
        return true;
    }
    for stream in ["/Workbook", "/Book"] {
        if let Ok(mut reader) = container.open_stream(stream) {
            let mut globals = Vec::new();
            // The FILEPASS record sits in the first records of the globals substream.
            if reader
                .by_ref()
                .take(64 * 1024)
                .read_to_end(&mut globals)
                .is_ok()
            {
                return biff_has_filepass(&globals);
            }
        }
    }
    false
}

fn biff_has_filepass(stream: &[u8]) -> bool {
    const FILEPASS: u16 = 0x002F;
    const EOF: u16 = 0x000A;
    let mut offset = 0;
    while offset + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[offset], stream[offset + 1]]);
        let len = u16::from_le_bytes([stream[offset + 2], stream[offset + 3]]) as usize;
        match kind {
            FILEPASS => return true,
            EOF => return false,
            _ => offset += 4 + len,
        }
    }
    false
}

fn collect<R>(
    opened: Result<R, R::Error>,
    format: &'static str,
    is_1904: impl Fn(&R) -> bool,
    merges: impl Fn(&mut R, &str) -> Vec<Merge>,
) -> Result<RawWorkbook, FileError>
where
    R: Reader<BufReader<File>>,
    R::Error: ReaderError,
{
    let mut workbook = opened.map_err(|e| e.to_file_error())?;
    let is_1904 = is_1904(&workbook);
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let grid = workbook
            .worksheet_range(&name)
            .map(|range| to_grid(&range))
            .map_err(|e| e.to_string())
            .and_then(|mut grid| {
                grid.fill_merges(&merges(&mut workbook, &name), MAX_SHEET_CELLS)
                    .map_err(|_| {
                        format!("merged regions fill more than {MAX_SHEET_CELLS} cells")
                    })?;
                Ok(grid)
            });
        sheets.push(RawSheet { name, grid });
    }
    Ok(RawWorkbook {
        format,
        is_1904,
        sheets,
    })
}

fn to_grid(range: &calamine::Range<Data>) -> Grid {
    let Some((first_row, first_col)) = range.start() else {
        return Grid::default();
    };
    let rows = range
        .rows()
        .map(|row| {
            let mut cells = Row::default();
            for (col, data) in (0u32..).zip(row) {
                if !matches!(data, Data::Empty) {
                    cells.push(col, to_cell(data));
                }
            }
            cells
        })
        .collect();
    Grid::from_rows(first_row, first_col, rows)
}

fn to_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) => Cell::text(text),
        Data::Int(value) => Cell::Int(*value),
        Data::Float(value) => Cell::Number(*value),
        Data::Bool(value) => Cell::Bool(*value),
        Data::DateTime(datetime) => match datetime.as_datetime() {
            Some(moment) if datetime.is_datetime() => Cell::Date(moment.date()),
            _ => Cell::Number(datetime.as_f64()),
        },
        Data::DateTimeIso(text) => match crate::normalize::date::from_text(
            text,
            crate::normalize::date::YearAlone::NotAllowed,
        ) {
            Some(crate::normalize::date::DateValue::Day(day)) => Cell::Date(day),
            _ => Cell::text(text),
        },
        Data::DurationIso(text) => Cell::text(text),
        Data::Error(_) => Cell::Error,
    }
}

/// The child side of [`probe_in_child`]: reads the file fully in-process and returns the text to
/// print, `ok` or `<code> <detail>`. The command limits the child's memory first
/// ([`super::isolation::PROBE_MEMORY_LIMIT`]).
pub fn run_probe(path: &Path) -> String {
    match read_workbook(path, &ReadOptions::default()) {
        Ok(_) => "ok".to_string(),
        Err(error) => format!("{} {}", error.code.code(), error.detail.replace('\n', " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filepass_is_found_before_eof() {
        // BOF (0x0809, len 4), FILEPASS (0x002F, len 2).
        let stream = [0x09, 0x08, 4, 0, 0, 6, 5, 0, 0x2F, 0, 2, 0, 1, 0];
        assert!(biff_has_filepass(&stream));
        let stream = [0x09, 0x08, 4, 0, 0, 6, 5, 0, 0x0A, 0, 0, 0, 0x2F, 0, 0, 0];
        assert!(!biff_has_filepass(&stream));
        assert!(!biff_has_filepass(&[0x09]));
    }

    /// What a grid of streamed cells must be: at each place the last value that cleans to
    /// something, the grid starting at the smallest row and column holding one.
    fn expected_grid(cells: &[((u32, u32), Option<&str>)]) -> Option<(u32, u32, Vec<Row>)> {
        let mut at = std::collections::BTreeMap::new();
        for &(position, text) in cells {
            let value = text.map_or(Cell::Number(1.5), Cell::text);
            if !value.is_empty() {
                at.insert(position, value);
            }
        }
        let first_row = at.keys().map(|p| p.0).min()?;
        let first_col = at.keys().map(|p| p.1).min()?;
        let last_row = at.keys().map(|p| p.0).max()?;
        let mut rows = vec![Row::new(); (last_row - first_row + 1) as usize];
        for ((row, col), value) in at {
            rows[(row - first_row) as usize].set((col - first_col) as usize, value);
        }
        Some((first_row, first_col, rows))
    }

    fn streamed_grid(cells: &[((u32, u32), Option<&str>)]) -> Grid {
        let strings: Vec<String> = cells
            .iter()
            .map(|(_, text)| text.unwrap_or_default().to_string())
            .collect();
        let mut stream = cells
            .iter()
            .zip(&strings)
            .map(|(&(position, text), string)| {
                let value = match text {
                    Some(_) => calamine::DataRef::SharedString(string.as_str()),
                    None => calamine::DataRef::Float(1.5),
                };
                calamine::Cell::new(position, value)
            });
        match stream_grid(cells.len(), || Ok(stream.next())) {
            Ok(grid) => grid,
            Err(_) => panic!("a small sheet streams"),
        }
    }

    proptest::proptest! {
        /// Cells streamed in order, out of order or twice at one place give the grid they define;
        /// a repeated non-ASCII text, cleaned once per column, gives the same cells.
        #[test]
        fn streamed_cells_give_the_grid_they_define(
            positions in proptest::collection::vec((0u32..6, 0u32..5), 0..40),
            texts in proptest::collection::vec(0usize..5, 40),
            in_order: bool,
        ) {
            const TEXTS: [Option<&str>; 5] =
                [Some("Bản  Mường"), Some("Bản  Mường"), Some("\u{a0}"), Some("x"), None];
            let mut positions = positions;
            if in_order {
                positions.sort_unstable();
                positions.dedup();
            }
            let cells: Vec<((u32, u32), Option<&str>)> =
                positions.into_iter().zip(texts).map(|(p, t)| (p, TEXTS[t])).collect();
            let grid = streamed_grid(&cells);
            match expected_grid(&cells) {
                None => proptest::prop_assert!(grid.rows.is_empty()),
                Some((first_row, first_col, rows)) => {
                    proptest::prop_assert_eq!((grid.first_row, grid.first_col), (first_row, first_col));
                    proptest::prop_assert_eq!(grid.rows, rows);
                }
            }
        }
    }
}
