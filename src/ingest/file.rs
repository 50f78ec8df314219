//! Opening one input file, whatever it turns out to be (SPEC §4): the content decides the reader,
//! not the extension, because real lists arrive renamed, encrypted or as HTML saved as `.xls`.
//!
//! Guarantees: no input is modified; a reader panic is caught; an OLE2 (`.xls`) file, the container
//! whose parser can be driven to allocate gigabytes by a hostile file, is first read in a child process
//! with bounded memory and a time limit ([`probe_in_child`]), so such a file is reported as
//! `reader_crashed` instead of taking the run down.

use std::cell::Cell as StdCell;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use calamine::{Data, Ods, Reader, Xls, Xlsb, Xlsx, open_workbook};
use serde::Serialize;

use super::csv_reader;
use super::grid::{Cell, Grid, Merge, RawSheet, RawWorkbook, Row};

/// Why a file could not be read. The JSON spelling is the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileErrorCode {
    Encrypted,
    Damaged,
    NotSpreadsheet,
    UnsupportedFormat,
    ReaderCrashed,
    /// A file whose role needs a header (the targets appendix) and has none.
    NoHeader,
}

impl FileErrorCode {
    /// The code as written in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Self::Encrypted => "encrypted",
            Self::Damaged => "damaged",
            Self::NotSpreadsheet => "not_spreadsheet",
            Self::UnsupportedFormat => "unsupported_format",
            Self::ReaderCrashed => "reader_crashed",
            Self::NoHeader => "no_header",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [
            Self::Encrypted,
            Self::Damaged,
            Self::NotSpreadsheet,
            Self::UnsupportedFormat,
            Self::ReaderCrashed,
            Self::NoHeader,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }

    /// What a clerk is told, with what to do.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::Encrypted => {
                "Tệp có mật khẩu: mở tệp, gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại"
            }
            Self::Damaged => {
                "Tệp bị hỏng, không đọc được: xin gửi lại bản gốc hoặc mở bằng Excel và lưu lại dạng .xlsx"
            }
            Self::NotSpreadsheet => {
                "Nội dung tệp không phải bảng tính: mở bằng Excel và lưu lại dạng .xlsx"
            }
            Self::UnsupportedFormat => {
                "Định dạng không hỗ trợ: chỉ đọc .xlsx, .xlsm, .xlsb, .xls, .ods, .csv"
            }
            Self::ReaderCrashed => {
                "Bộ đọc Excel gặp lỗi nghiêm trọng với tệp này (tệp hỏng): mở bằng Excel và lưu lại dạng .xlsx"
            }
            Self::NoHeader => {
                "Không tìm thấy dòng tiêu đề chỉ tiêu (cột Xã và cột của từng lực lượng) trong 30 dòng đầu: chỉ tiêu tạm lấy theo số được phân công; sửa tiêu đề rồi chạy lại"
            }
        }
    }
}

/// A file that could not be read, with the technical detail for developers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {detail}", code.code())]
pub struct FileError {
    pub code: FileErrorCode,
    pub detail: String,
}

impl FileError {
    fn new(code: FileErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
}

/// How to read files.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The executable to run the isolated OLE2 probe with (`vneid-recon __probe FILE`); `None` reads
    /// OLE2 files in-process (tests of the library without the binary).
    pub probe_exe: Option<PathBuf>,
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

const OLE2_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

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
            catch_reader_panic(|| {
                let workbook = Xlsx::new(std::io::Cursor::new(bytes))
                    .map_err(|e: calamine::XlsxError| classify(&e.to_string()))?;
                Ok(read_xlsx(workbook))
            })
        }
        Container::Zip => catch_reader_panic(|| read_zip(path, &ext)),
        Container::Ole2 => {
            if let Some(exe) = &options.probe_exe {
                probe_in_child(exe, path)?;
            }
            catch_reader_panic(|| read_ole2(path))
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
                open_workbook(path).map_err(|e: calamine::XlsbError| classify(&e.to_string()))?;
            let is_1904 = workbook.has_1904_epoch();
            let names = workbook.sheet_names();
            Ok(streamed("xlsb", is_1904, names, |name| {
                match workbook.worksheet_cells_reader(name) {
                    Ok(mut reader) => stream_grid(|| reader.next_cell().map_err(|e| e.to_string())),
                    Err(error) => Err(error.to_string()),
                }
            }))
        }
        _ => {
            let workbook: Xlsx<_> =
                open_workbook(path).map_err(|e: calamine::XlsxError| classify(&e.to_string()))?;
            Ok(read_xlsx(workbook))
        }
    }
}

/// Every sheet of an opened .xlsx/.xlsm, streamed, with its merged cells filled (SPEC §4 Cells).
fn read_xlsx<RS: std::io::Read + std::io::Seek>(mut workbook: Xlsx<RS>) -> RawWorkbook {
    let is_1904 = workbook.has_1904_epoch();
    let names = workbook.sheet_names();
    streamed("xlsx", is_1904, names, |name| {
        let mut grid = match workbook.worksheet_cells_reader(name) {
            Ok(mut reader) => stream_grid(|| reader.next_cell().map_err(|e| e.to_string()))?,
            Err(error) => return Err(error.to_string()),
        };
        // A sheet whose merge list cannot be read still gives its cells.
        if let Ok(merges) = workbook.merge_cells_by_sheet_name(name) {
            grid.fill_merges(&merges_of(&merges));
        }
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

/// A workbook whose sheets are streamed one by one through `grid_of` (.xlsx and .xlsb: their cell
/// readers are different types with the same shape).
fn streamed(
    format: &'static str,
    is_1904: bool,
    names: Vec<String>,
    mut grid_of: impl FnMut(&str) -> Result<Grid, String>,
) -> RawWorkbook {
    let sheets = names
        .into_iter()
        .map(|name| {
            let grid = grid_of(&name);
            RawSheet { name, grid }
        })
        .collect();
    RawWorkbook {
        format,
        is_1904,
        sheets,
    }
}

/// Columns whose last text [`stream_grid`] remembers (a sheet's data lives in its first columns).
const REMEMBERED_COLUMNS: usize = 64;

/// Builds a grid from streamed cells. Memory follows the cells present, not the sheet's extent:
/// calamine's dense `Range` of a hostile sheet with cells at A1 and XFD1048576 would need 17·10⁹
/// cells, while here it costs one empty row vector per row in between.
fn stream_grid<'a>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<calamine::DataRef<'a>>>, String>,
) -> Result<Grid, String> {
    let mut cells: Vec<(u32, u32, Cell)> = Vec::new();
    // Per column, the last non-ASCII raw text and where its cleaned cell went in `cells` (None when
    // it cleaned to nothing). Unit, commune and officer columns repeat one value down the sheet, and
    // cleaning non-ASCII text (legacy-encoding detection, NFC) is the costly part of reading.
    let mut recent: Vec<(String, Option<usize>)> = Vec::new();
    while let Some(cell) = next()? {
        let (row, col) = cell.get_position();
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
        if let (Some(raw), Some(slot)) = (raw, slot) {
            if recent.len() <= slot {
                recent.resize(slot + 1, (String::new(), None));
            }
            let (last, index) = &mut recent[slot];
            if last == raw {
                if let Some(index) = *index {
                    let value = cells[index].2.clone();
                    cells.push((row, col, value));
                }
                continue;
            }
            let value = Cell::text(raw);
            last.clear();
            last.push_str(raw);
            *index = (!value.is_empty()).then_some(cells.len());
            if !value.is_empty() {
                cells.push((row, col, value));
            }
            continue;
        }
        let value = to_cell_ref(data);
        if !value.is_empty() {
            cells.push((row, col, value));
        }
    }
    let (Some(first_row), Some(first_col)) = (
        cells.iter().map(|c| c.0).min(),
        cells.iter().map(|c| c.1).min(),
    ) else {
        return Ok(Grid::default());
    };
    let last_row = cells.iter().map(|c| c.0).max().unwrap_or(first_row);
    let mut rows: Vec<Row> = vec![Row::default(); (last_row - first_row + 1) as usize];
    for (row, col, value) in cells {
        rows[(row - first_row) as usize].push(col - first_col, value);
    }
    Ok(Grid::from_rows(first_row, first_col, rows))
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
    R::Error: std::fmt::Display,
{
    let mut workbook = opened.map_err(|e| classify(&e.to_string()))?;
    let is_1904 = is_1904(&workbook);
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let grid = workbook
            .worksheet_range(&name)
            .map(|range| to_grid(&range))
            .map_err(|e| e.to_string())
            .map(|mut grid| {
                grid.fill_merges(&merges(&mut workbook, &name));
                grid
            });
        sheets.push(RawSheet { name, grid });
    }
    Ok(RawWorkbook {
        format,
        is_1904,
        sheets,
    })
}

fn classify(message: &str) -> FileError {
    let code = if message.contains("password protected") {
        FileErrorCode::Encrypted
    } else if message.contains("Cannot detect file format")
        || message.contains("not an office document")
    {
        FileErrorCode::NotSpreadsheet
    } else {
        FileErrorCode::Damaged
    };
    FileError::new(code, message)
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

thread_local! {
    static IN_READER: StdCell<bool> = const { StdCell::new(false) };
}

static QUIET_READER_PANICS: Once = Once::new();

/// Runs a reader, turning a panic inside it into `reader_crashed`. The panic's default message is
/// kept off the terminal: the file is reported like any other unreadable file.
fn catch_reader_panic<T>(read: impl FnOnce() -> Result<T, FileError>) -> Result<T, FileError> {
    QUIET_READER_PANICS.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_READER.with(StdCell::get) {
                previous(info);
            }
        }));
    });
    IN_READER.with(|flag| flag.set(true));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    IN_READER.with(|flag| flag.set(false));
    outcome.unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(FileError::new(
            FileErrorCode::ReaderCrashed,
            format!("reader panicked: {detail}"),
        ))
    })
}

/// Memory the probe child may map: enough for any real `.xls` (at most 65,536 × 256 cells).
const PROBE_MEMORY_LIMIT: u64 = 2 << 30;
/// Time the probe child may take.
const PROBE_TIME_LIMIT: Duration = Duration::from_secs(60);

/// Reads an OLE2 file in a child process with bounded memory and time. `Ok` means the file can be
/// read in-process safely; a clean reader error is returned as it is; a crash is `reader_crashed`.
pub fn probe_in_child(exe: &Path, path: &Path) -> Result<(), FileError> {
    let mut child = Command::new(exe)
        .arg("__probe")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            FileError::new(
                FileErrorCode::ReaderCrashed,
                format!("cannot start the reader process: {e}"),
            )
        })?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > PROBE_TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(FileError::new(
                    FileErrorCode::ReaderCrashed,
                    "reader did not finish in 60 s",
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                return Err(FileError::new(
                    FileErrorCode::ReaderCrashed,
                    format!("reader process: {e}"),
                ));
            }
        }
    };
    let mut output = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut output);
    }
    match output.trim().split_once(' ') {
        _ if output.trim() == "ok" && status.success() => Ok(()),
        Some((code, detail)) if status.success() => match FileErrorCode::from_code(code) {
            Some(code) => Err(FileError::new(code, detail)),
            None => Err(FileError::new(FileErrorCode::ReaderCrashed, output.trim())),
        },
        _ => Err(FileError::new(
            FileErrorCode::ReaderCrashed,
            format!("reader process ended abnormally ({status})"),
        )),
    }
}

/// The child side of [`probe_in_child`]: limits its own memory, reads the file fully and prints
/// `ok` or `<code> <detail>`. Returns the text to print.
pub fn run_probe(path: &Path) -> String {
    // Best effort: where the limit cannot be set, the probe still isolates panics.
    let _ = rlimit::setrlimit(rlimit::Resource::AS, PROBE_MEMORY_LIMIT, PROBE_MEMORY_LIMIT);
    match catch_reader_panic(|| read_ole2(path)) {
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

    #[test]
    fn messages_are_classified() {
        assert_eq!(
            classify("Xlsx error: Workbook is password protected").code,
            FileErrorCode::Encrypted
        );
        assert_eq!(
            classify("Cannot detect file format").code,
            FileErrorCode::NotSpreadsheet
        );
        assert_eq!(
            classify("Xlsx error: Zip error: invalid Zip archive").code,
            FileErrorCode::Damaged
        );
    }

    #[test]
    fn a_panicking_reader_is_reported_not_propagated() {
        let outcome: Result<(), FileError> = catch_reader_panic(|| panic!("boom"));
        assert_eq!(
            outcome.map_err(|e| e.code),
            Err(FileErrorCode::ReaderCrashed)
        );
    }
}
