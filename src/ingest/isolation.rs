//! Keeping one hostile file from taking a run down (issue 14). Three guards, each documented in the
//! reliability section of `docs/reliability.md`:
//!
//! - **Budgets** for the readers that stream (`.xlsx`, `.xlsm`, `.xlsb`): at most
//!   [`MAX_SHEET_CELLS`] cells in a sheet and [`MAX_ZIP_ENTRY_BYTES`] uncompressed bytes in any part
//!   of the package, so a zip bomb or a sheet of millions of stray cells stops cleanly (`too_large`).
//! - **A child process** with bounded memory and time (scaled to the file's size) for the readers that build a whole sheet in
//!   memory before we see it (`.xls`, `.ods`): [`probe_in_child`] reads the file there first, and a
//!   file that exhausts the child's memory, crashes it or loops is `reader_crashed`.
//! - **Panics** inside a reader are caught and reported as `reader_crashed`. The library installs no
//!   panic hook; [`in_reader`] lets the binary keep such panics off the terminal with its own.

use std::cell::Cell as StdCell;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::errors::{FileError, FileErrorCode};

/// Cells one sheet may hold: a full Excel sheet of 1,048,576 rows has room for about 19 columns
/// under it, far more than any list (a province's longest sheet has about 10 million cells).
pub const MAX_SHEET_CELLS: usize = 20_000_000;

/// Uncompressed bytes any one part of a zip package may declare (a sheet of 1,048,576 rows of a
/// list is about 400 MB of XML), and all parts together.
pub const MAX_ZIP_ENTRY_BYTES: u64 = 1 << 30;
pub const MAX_ZIP_TOTAL_BYTES: u64 = 2 << 30;

/// The uncompressed bytes a zip package's parts may declare, each and together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipBudget {
    pub part: u64,
    pub total: u64,
}

impl ZipBudget {
    /// The run's: room for a full sheet of a province's list.
    pub const RUN: Self = Self {
        part: MAX_ZIP_ENTRY_BYTES,
        total: MAX_ZIP_TOTAL_BYTES,
    };
    /// A file received through the office page (issue 35): a unit's daily report, at most 20 MB
    /// as sent. 64 MB of XML in one part is a sheet of about 150,000 rows of a list, far more than
    /// a unit sends, and a 300 KB file declaring a 300 MB part is refused before anything is
    /// inflated, so a clerk's link cannot make the office's machine hold hundreds of megabytes.
    pub const UPLOAD: Self = Self {
        part: 64 << 20,
        total: 96 << 20,
    };
}

impl Default for ZipBudget {
    fn default() -> Self {
        Self::RUN
    }
}

/// Memory the reader child may map: generous for any real `.xls` (65,536 × 256 cells) or `.ods`.
pub const PROBE_MEMORY_LIMIT: u64 = 4 << 30;
/// Time the reader child may take: 10 s, and 2 s more per MiB of file (a real `.xls` or `.ods` reads
/// at several MiB a second), at most 300 s. calamine 0.38's `.ods` reader loops forever on some
/// damaged files (found by fuzzing, `tests/hostile/`): such a file costs 10 s, not the run.
fn probe_time_limit(file_bytes: u64) -> Duration {
    let seconds = 10 + 2 * file_bytes.div_ceil(1 << 20);
    Duration::from_secs(seconds.min(300))
}

thread_local! {
    static IN_READER: StdCell<bool> = const { StdCell::new(false) };
}

/// True while this thread runs a reader under [`catch_reader_panic`]: a panic hook can then stay
/// silent, since the panic is reported as `reader_crashed` with the file.
pub fn in_reader() -> bool {
    IN_READER.with(StdCell::get)
}

/// Runs a reader, turning a panic inside it into `reader_crashed`.
pub fn catch_reader_panic<T>(read: impl FnOnce() -> Result<T, FileError>) -> Result<T, FileError> {
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

/// Checks a zip package's declared part sizes against the budget before any part is inflated.
pub fn check_zip_budget<R: std::io::Read + std::io::Seek>(
    package: R,
    budget: ZipBudget,
) -> Result<(), FileError> {
    // An archive the zip reader cannot list is left to the workbook reader, which says why.
    match zip::ZipArchive::new(package) {
        Ok(mut archive) => zip_budget(&mut archive, budget),
        Err(_) => Ok(()),
    }
}

/// [`check_zip_budget`] on a zip directory already read.
pub fn zip_budget<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    budget: ZipBudget,
) -> Result<(), FileError> {
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(index) else {
            continue;
        };
        let size = entry.size();
        total = total.saturating_add(size);
        if size > budget.part || total > budget.total {
            return Err(FileError::new(
                FileErrorCode::TooLarge,
                format!(
                    "zip part {} declares {size} bytes uncompressed ({total} so far)",
                    entry.name().unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// Reads a file in a child process (`EXE __probe FILE`) with bounded memory and time. `Ok` means the
/// file reads to its end within the budget, so it can be read in-process safely; a clean reader
/// error is returned as it is; a crash, an exhausted memory or a timeout is `reader_crashed`.
pub fn probe_in_child(exe: &Path, path: &Path) -> Result<(), FileError> {
    let crashed = |detail: String| FileError::new(FileErrorCode::ReaderCrashed, detail);
    let mut child = Command::new(exe)
        .arg("__probe")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| crashed(format!("cannot start the reader process: {e}")))?;
    let limit = probe_time_limit(std::fs::metadata(path).map_or(0, |m| m.len()));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(crashed(format!(
                    "reader did not finish in {} s",
                    limit.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(crashed(format!("reader process: {e}"))),
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
            None => Err(crashed(output.trim().to_string())),
        },
        _ => Err(crashed(format!(
            "reader process ended abnormally ({status})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_reader_is_reported_not_propagated() {
        let outcome: Result<(), FileError> = catch_reader_panic(|| panic!("boom"));
        assert_eq!(
            outcome.map_err(|e| e.code),
            Err(FileErrorCode::ReaderCrashed)
        );
        assert!(!in_reader(), "the flag is cleared after the reader");
    }

    #[test]
    fn the_child_time_limit_follows_the_file_size() {
        assert_eq!(probe_time_limit(822), Duration::from_secs(12));
        assert_eq!(probe_time_limit(50 << 20), Duration::from_secs(110));
        assert_eq!(probe_time_limit(1 << 40), Duration::from_secs(300));
    }

    #[test]
    fn a_zip_bomb_is_refused_from_its_declared_sizes() {
        use std::io::Write;
        let mut bytes = Vec::new();
        {
            let mut writer = zip::ZipWriter::new(std::io::Cursor::new(&mut bytes));
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            writer
                .start_file("xl/worksheets/sheet1.xml", options)
                .expect("entry");
            let block = vec![b' '; 1 << 20];
            for _ in 0..1100 {
                writer.write_all(&block).expect("write");
            }
            writer.finish().expect("finish");
        }
        assert!(
            bytes.len() < 4 << 20,
            "small on disk: {} bytes",
            bytes.len()
        );
        let outcome = check_zip_budget(std::io::Cursor::new(&bytes), ZipBudget::RUN);
        assert_eq!(outcome.map_err(|e| e.code), Err(FileErrorCode::TooLarge));
    }
}
