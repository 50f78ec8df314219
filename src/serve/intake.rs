//! Nhận báo cáo: a clerk's files received through the page (issue 13). Each file is checked at once
//! with the `check` rules against what the workspace knew before the day, then stored in
//! `reports/D/<force-id>/` where the next `run` reads it.
//!
//! Guarantees: the content decides (its first bytes and zip parts name the format, never the
//! extension); an unreadable file (encrypted, damaged, not a spreadsheet, over 20 MB) is refused
//! with its Vietnamese reason and nothing is stored; a stored file is never overwritten (a name
//! already taken by other content gets ` (2)`, ` (3)`, …; the same content, by SHA-256, anywhere in
//! the day's folder is "already received"); every write is atomic and inside the workspace.

use std::path::{Path, PathBuf};

use chrono::Datelike;
use serde::Serialize;

use super::guard::{numbered_name, plain_file_name};
use crate::assign::directory::{ForceMatcher, Naming};
use crate::assign::sender;
use crate::ingest::FileReport;
use crate::ingest::aliases::AliasTable;
use crate::ix::ForceIx;
use crate::pipeline::check::{Checker, Problem, check_file};
use crate::pipeline::{Context, Stages};

/// The largest file the page accepts.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// One file as it arrived.
#[derive(Debug)]
pub struct Upload {
    /// The name the browser or script gave.
    pub name: String,
    /// The bytes; `None` when the file was over [`MAX_UPLOAD_BYTES`] (not kept).
    pub bytes: Option<Vec<u8>>,
}

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Stored in `reports/D/<force>/`.
    Stored,
    /// The same content was already in the day's folder; nothing stored.
    AlreadyReceived,
    /// Readable, but its force is unknown: send it again with a force chosen.
    NeedsForce,
    /// Unreadable or too large; nothing stored.
    Refused,
}

/// One file's answer (`POST /api/reports` answers a list of these).
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    /// The plain file name it was received as.
    pub name: String,
    /// Where it is, relative to the workspace with `/` (also for "already received"), or null.
    pub stored_as: Option<String>,
    /// The force id.
    pub force: Option<String>,
    /// The reporting unit, as `run` names it.
    pub unit: Option<String>,
    /// Rows read with a valid citizen ID.
    pub accepted: u64,
    /// Rows with no problem at all.
    pub clean_rows: u64,
    pub outcome: Outcome,
    /// What the clerk is told, in Vietnamese.
    pub message: String,
    /// Every problem, as in `check --json`.
    pub problems: Vec<Problem>,
}

impl Received {
    fn refused(name: String, message: String, problems: Vec<Problem>) -> Self {
        Self {
            name,
            stored_as: None,
            force: None,
            unit: None,
            accepted: 0,
            clean_rows: 0,
            outcome: Outcome::Refused,
            message,
            problems,
        }
    }
}

/// Receives files for the day of `context`: checks each, stores the readable ones whose force is
/// known (from the content, the file name, else `force_answer`). `known` is what the workspace knew
/// before the day (`None` without a master list: the files are checked alone).
pub fn receive(
    context: &Context,
    known: Option<&Stages>,
    uploads: Vec<Upload>,
    force_answer: Option<&str>,
) -> std::io::Result<Vec<Received>> {
    let settings = &context.settings;
    let checker = known.map(|stages| Checker::new(settings, stages));
    let forces = ForceMatcher::new(settings);
    let naming = Naming::new(settings);
    let answer = force_answer.and_then(|id| settings.force_by_id(id));
    let aliases = AliasTable::new(&settings.aliases);
    let scratch = tempfile::Builder::new()
        .prefix(".nhan-bao-cao-")
        .tempdir_in(&context.workspace)?;
    // What the day already holds, hashed once for the whole request and kept up to date with what
    // it stores.
    let mut day_files = DayFiles::read(
        &context
            .workspace
            .join("reports")
            .join(context.as_of.format("%Y-%m-%d").to_string()),
    );
    let mut answers = Vec::with_capacity(uploads.len());
    for (index, upload) in uploads.into_iter().enumerate() {
        let name = match plain_file_name(&upload.name) {
            name if name.is_empty() => "bao-cao".to_string(),
            name => name,
        };
        let Some(bytes) = upload.bytes else {
            answers.push(Received::refused(
                name,
                format!(
                    "Tệp lớn hơn {} MB: không nhận. Xóa các trang, ô thừa rồi lưu lại dạng .xlsx.",
                    MAX_UPLOAD_BYTES >> 20
                ),
                Vec::new(),
            ));
            continue;
        };
        let Some(extension) = sniffed_extension(&bytes, &name) else {
            answers.push(Received::refused(
                name,
                "Nội dung tệp không phải bảng tính (.xlsx, .xlsm, .xlsb, .xls, .ods, .csv): không nhận. Mở bằng Excel và lưu lại dạng .xlsx.".to_string(),
                Vec::new(),
            ));
            continue;
        };
        // The copy keeps the clerk's name (a CSV's sheet is named after its file).
        let name = with_extension(&name, extension);
        let folder = scratch.path().join(index.to_string());
        fs_err::create_dir(&folder)?;
        let copy = folder.join(&name);
        fs_err::write(&copy, &bytes)?;
        let mut report = crate::pipeline::read_files(
            std::slice::from_ref(&copy),
            &aliases,
            context.as_of.year(),
            &context.knobs.read_options,
        )
        .pop()
        .unwrap_or_else(|| unreadable_placeholder(&name));
        report.path = name.clone();
        report.void_activations_after(context.as_of);
        let file = Incoming {
            name,
            bytes: &bytes,
            report: &report,
        };
        answers.push(file.receive(
            context,
            &forces,
            &naming,
            checker.as_ref(),
            answer,
            &mut day_files,
        )?);
    }
    Ok(answers)
}

/// A report that could not be produced at all (never expected: one path read gives one report).
fn unreadable_placeholder(name: &str) -> FileReport {
    FileReport::unreadable(
        name,
        crate::ingest::FileError::new(crate::ingest::FileErrorCode::Damaged, "not read"),
    )
}

/// One readable-or-not file being received.
struct Incoming<'a> {
    name: String,
    bytes: &'a [u8],
    report: &'a FileReport,
}

impl Incoming<'_> {
    fn receive(
        self,
        context: &Context,
        forces: &ForceMatcher,
        naming: &Naming<'_>,
        checker: Option<&Checker<'_>>,
        answer: Option<ForceIx>,
        day: &mut DayFiles,
    ) -> std::io::Result<Received> {
        let report = self.report;
        if let (Some(_), Some(explanation)) = (report.error, &report.message) {
            let problems = check_file(report, context.as_of, None, None).problems;
            return Ok(Received::refused(
                self.name,
                format!("Không nhận: {explanation}."),
                problems,
            ));
        }
        let settings = &context.settings;
        let force = sender::force_of_content(report, forces, settings)
            .or_else(|| sender::force_of_name(&self.name, settings))
            .or(answer);
        let folder = force.map(|f| settings.force(f).id.as_str());
        let found = check_file(report, context.as_of, folder, checker);
        let mut received = Received {
            name: self.name.clone(),
            stored_as: None,
            force: folder.map(str::to_string),
            unit: force.and_then(|f| sender::unit_of_content(report, f, naming)),
            accepted: report.rows.len() as u64,
            clean_rows: found.clean_rows,
            outcome: Outcome::NeedsForce,
            message: String::new(),
            problems: found.problems,
        };
        let Some(folder) = folder else {
            received.message = "Tệp không ghi rõ lực lượng (không có cột Lực lượng hoặc Đơn vị): chọn lực lượng rồi gửi lại tệp.".to_string();
            return Ok(received);
        };
        if let Some(existing) = day.with_content(&report.sha256) {
            received.stored_as = Some(crate::ingest::workspace::relative(
                &context.workspace,
                &existing,
            ));
            received.outcome = Outcome::AlreadyReceived;
            received.message =
                "Tệp này đã nhận rồi (cùng nội dung): không lưu lại lần nữa.".to_string();
            return Ok(received);
        }
        let stored = store_new(&day.folder.join(folder), &self.name, self.bytes)?;
        day.files.push((report.sha256.clone(), stored.clone()));
        received.stored_as = Some(crate::ingest::workspace::relative(
            &context.workspace,
            &stored,
        ));
        received.outcome = Outcome::Stored;
        received.message = if received.problems.is_empty() {
            "Đã nhận và lưu; không có vấn đề.".to_string()
        } else {
            format!(
                "Đã nhận và lưu; có {} vấn đề cần đơn vị xem lại (bảng dưới).",
                received.problems.len()
            )
        };
        Ok(received)
    }
}

/// The format the content is, as the extension the readers go by: a zip package by its parts
/// (`.ods`, `.xlsb`, `.xlsm`, else `.xlsx`), an OLE2 container `.xls` (an encrypted package is
/// OLE2 too, and the reader says so), and text only when the name says `.csv`. `None`: not a
/// spreadsheet.
pub fn sniffed_extension(bytes: &[u8], name: &str) -> Option<&'static str> {
    const OLE2: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(b"PK\x03\x04") {
        let Ok(archive) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
            // A damaged package: read as .xlsx, and the reader says what is wrong.
            return Some("xlsx");
        };
        let has = |part: &str| archive.file_names().any(|n| n.is_ok_and(|n| n == part));
        return Some(if has("content.xml") {
            "ods"
        } else if has("xl/workbook.bin") {
            "xlsb"
        } else if has("xl/vbaProject.bin") {
            "xlsm"
        } else {
            "xlsx"
        });
    }
    if bytes.starts_with(&OLE2) {
        return Some("xls");
    }
    let text = name.to_lowercase().ends_with(".csv") && !bytes.contains(&0);
    text.then_some("csv")
}

/// The name with the extension of its content (a `.xls` that is really `.xlsx` is stored as
/// `….xlsx`, so the run reads it with the right reader).
fn with_extension(name: &str, extension: &str) -> String {
    match name.rsplit_once('.') {
        Some((_, ext)) if ext.eq_ignore_ascii_case(extension) => name.to_string(),
        Some((stem, ext))
            if crate::ingest::file::EXTENSIONS.contains(&ext.to_lowercase().as_str()) =>
        {
            format!("{stem}.{extension}")
        }
        _ => format!("{name}.{extension}"),
    }
}

/// The files already in a day's report folder, by SHA-256.
struct DayFiles {
    folder: PathBuf,
    /// (SHA-256, path), in folder order.
    files: Vec<(String, PathBuf)>,
}

impl DayFiles {
    /// Hashes every file under the day's folder (none when it does not exist yet).
    fn read(folder: &Path) -> Self {
        let mut files = Vec::new();
        let mut stack = vec![folder.to_path_buf()];
        while let Some(current) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&current) else {
                continue;
            };
            let mut entries: Vec<_> = entries.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for entry in entries {
                let path = entry.path();
                match entry.file_type() {
                    Ok(kind) if kind.is_dir() => stack.push(path),
                    Ok(kind) if kind.is_file() => {
                        if let Ok(bytes) = std::fs::read(&path) {
                            files.push((crate::ingest::hex_sha256(&bytes), path));
                        }
                    }
                    _ => {}
                }
            }
        }
        Self {
            folder: folder.to_path_buf(),
            files,
        }
    }

    /// A file with this SHA-256.
    fn with_content(&self, sha256: &str) -> Option<PathBuf> {
        self.files
            .iter()
            .find(|(sha, _)| sha == sha256)
            .map(|(_, path)| path.clone())
    }
}

/// Stores the bytes under `name` in `folder`, or under the first free numbered name; never
/// replaces a file (the final rename refuses an existing name, so two uploads at once cannot
/// clash either).
fn store_new(folder: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    fs_err::create_dir_all(folder)?;
    for n in 1..=999 {
        let candidate = if n == 1 {
            name.to_string()
        } else {
            numbered_name(name, n)
        };
        let path = folder.join(&candidate);
        match crate::fsio::write_new_file(&path, bytes) {
            Ok(()) => return Ok(path),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(std::io::Error::other(format!(
        "đã có 999 tệp tên {name} trong {}",
        folder.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_names_the_format() {
        assert_eq!(sniffed_extension(b"a,b\n1,2\n", "bc.csv"), Some("csv"));
        assert_eq!(sniffed_extension(b"a,b\n1,2\n", "bc.xlsx"), None);
        assert_eq!(sniffed_extension(b"<html>", "bc.xls"), None);
        assert_eq!(
            sniffed_extension(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0], "x"),
            Some("xls")
        );
        assert_eq!(
            sniffed_extension(b"PK\x03\x04garbage", "bc.pdf"),
            Some("xlsx")
        );
        assert_eq!(with_extension("bc.xls", "xlsx"), "bc.xlsx");
        assert_eq!(with_extension("bc.XLSX", "xlsx"), "bc.XLSX");
        assert_eq!(with_extension("bao cao", "xlsx"), "bao cao.xlsx");
        assert_eq!(with_extension("v1.2 bc", "xls"), "v1.2 bc.xls");
    }

    #[test]
    fn a_taken_name_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("temp");
        let first = store_new(dir.path(), "bc.xlsx", b"one").expect("first");
        let second = store_new(dir.path(), "bc.xlsx", b"two").expect("second");
        assert_eq!(first.file_name().and_then(|n| n.to_str()), Some("bc.xlsx"));
        assert_eq!(
            second.file_name().and_then(|n| n.to_str()),
            Some("bc (2).xlsx")
        );
        assert_eq!(std::fs::read(first).expect("read"), b"one");
        assert_eq!(
            DayFiles::read(dir.path()).with_content(&crate::ingest::hex_sha256(b"two")),
            Some(second)
        );
    }
}
