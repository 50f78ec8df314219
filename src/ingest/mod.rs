//! Workbooks → typed rows with provenance (file, sheet, Excel row), SPEC §4-§5. Only this stage,
//! `report` and `fsio` touch input files. Nothing here prints; problems are returned as data.

pub mod aliases;
pub mod csv_reader;
pub mod errors;
pub mod file;
pub mod grid;
pub mod header;
pub mod isolation;
pub mod legacy_columns;
pub mod mark;
mod merges;
pub mod sheet;
pub mod targets;
pub mod workspace;

use std::path::Path;

use serde::Serialize;

pub use file::{FileError, FileErrorCode, ReadOptions};
pub use sheet::{InputRow, RowFields, SheetContext, SheetReport};

/// Where a row sits: compared as (relative path bytewise, sheet index from 0, Excel row), which is
/// the `first_seen` order of SPEC §11.5 and the processing order of claims.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    /// Shared by every row of the file (a province has millions of rows).
    pub path: std::sync::Arc<str>,
    pub sheet: u32,
    pub row: u32,
}

/// An accepted row with the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct SourcedRow {
    pub position: Position,
    pub row: InputRow,
}

/// Everything read from one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The path as shown to users (relative to the workspace, with `/`).
    pub path: String,
    pub format: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip)]
    pub error_detail: Option<String>,
    /// SHA-256 of the file's bytes, hex.
    #[serde(skip)]
    pub sha256: String,
    pub sheets: Vec<SheetReport>,
    #[serde(skip)]
    pub rows: Vec<InputRow>,
}

impl FileReport {
    /// The name of the sheet a row was read from ("-" where it is not known).
    pub fn sheet_name(&self, row: &InputRow) -> &str {
        self.sheets
            .get(row.sheet_index as usize)
            .map_or("-", |sheet| sheet.name.as_str())
    }

    /// A file that could not be read at all.
    pub fn unreadable(shown_path: &str, error: FileError) -> Self {
        Self {
            path: shown_path.to_string(),
            format: None,
            error: Some(error.code.code()),
            message: Some(error.code.explanation().to_string()),
            error_detail: Some(error.detail),
            sha256: String::new(),
            sheets: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// True when the file could not be read at all.
    pub fn is_unreadable(&self) -> bool {
        self.error.is_some()
    }

    /// Read as a report of `day`: an activation date after it cannot be true, so it is left empty
    /// and warned `bad_date` like any date that cannot be read (SPEC §11.21).
    pub fn void_activations_after(&mut self, day: chrono::NaiveDate) {
        let mut touched = Vec::new();
        for row in &mut self.rows {
            if row.fields.activated_on.is_none_or(|on| on <= day) {
                continue;
            }
            row.fields.activated_on = None;
            let Some(sheet) = self.sheets.get_mut(row.sheet_index as usize) else {
                continue;
            };
            let column = sheet
                .columns
                .get(&aliases::Field::ActivatedOn)
                .cloned()
                .unwrap_or_default();
            sheet.warnings.push(sheet::RowWarning {
                row: row.row,
                column,
                code: crate::codes::WarningCode::BadDate,
            });
            touched.push(row.sheet_index as usize);
        }
        touched.dedup();
        for index in touched {
            if let Some(sheet) = self.sheets.get_mut(index) {
                sheet.sort_warnings();
            }
        }
    }
}

/// Reads one file: every sheet, every row classified. A file whose size or modification time
/// moves while it is read (a clerk's file still being copied in) is reported `changed` and gives
/// no rows: the next run reads it whole.
pub fn read_file(
    path: &Path,
    shown_path: &str,
    aliases: &aliases::AliasTable,
    as_of_year: i32,
    options: &ReadOptions,
) -> FileReport {
    let before = crate::fsio::stamp(path);
    let mut report = read_file_once(path, shown_path, aliases, as_of_year, options);
    let after = crate::fsio::stamp(path);
    if before != after {
        report = FileReport::unreadable(
            shown_path,
            FileError::new(
                FileErrorCode::Changed,
                format!("size/modification time {before:?} before reading, {after:?} after"),
            ),
        );
    }
    report
}

fn read_file_once(
    path: &Path,
    shown_path: &str,
    aliases: &aliases::AliasTable,
    as_of_year: i32,
    options: &ReadOptions,
) -> FileReport {
    let mut report = FileReport {
        path: shown_path.to_string(),
        format: None,
        error: None,
        message: None,
        error_detail: None,
        sha256: String::new(),
        sheets: Vec::new(),
        rows: Vec::new(),
    };
    // Read once: the bytes give the SHA-256 and are parsed from memory.
    let content = read_whole(path);
    report.sha256 = match &content {
        Some(bytes) => hex_sha256(bytes),
        None => sha256_of(path),
    };
    let read = file::read_workbook_in(path, content.as_deref(), options);
    drop(content);
    let workbook = match read {
        Ok(workbook) => workbook,
        Err(error) => {
            return FileReport {
                sha256: report.sha256,
                ..FileReport::unreadable(shown_path, error)
            };
        }
    };
    report.format = Some(workbook.format);
    let context = SheetContext {
        aliases,
        as_of_year,
        is_1904: workbook.is_1904,
    };
    for (index, sheet) in workbook.sheets.into_iter().enumerate() {
        match sheet.grid {
            Ok(mut grid) => {
                let (sheet_report, rows) =
                    sheet::read_sheet(&mut grid, &sheet.name, index as u32, &context);
                report.sheets.push(sheet_report);
                report.rows.extend(rows);
            }
            Err(detail) => report.sheets.push(SheetReport {
                name: sheet.name.clone(),
                skipped_reason: Some("damaged"),
                detail: Some(detail),
                ..SheetReport::default()
            }),
        }
    }
    report
}

/// Files up to this size are read into memory whole; larger ones are read through the file.
const IN_MEMORY_BYTES: u64 = 256 << 20;

/// The whole file, when it is a readable regular file of at most [`IN_MEMORY_BYTES`] (a special
/// file reporting size 0 cannot make the read grow without bound).
fn read_whole(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() || metadata.len() > IN_MEMORY_BYTES {
        return None;
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(IN_MEMORY_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= IN_MEMORY_BYTES).then_some(bytes)
}

/// The SHA-256 of bytes, hex.
pub use crate::secret::hex_sha256;

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a file, hex; empty when it cannot be read.
fn sha256_of(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    let Ok(mut file) = std::fs::File::open(path) else {
        return String::new();
    };
    let mut hasher = Sha256::new();
    if std::io::copy(&mut file, &mut hasher).is_err() {
        return String::new();
    }
    hex(&hasher.finalize())
}
