//! Nhận báo cáo: a clerk's files received through the page (issues 13, 26). Each file is checked
//! with the `check` rules against what the workspace knew before the day and the answer shown;
//! only when the clerk sends it is it stored in `reports/D/<force-id>/` where the next `run` reads
//! it — beside the unit's earlier file, or replacing it (the earlier one is kept in
//! `reports/D/.thay-the/`, which `run` does not read).
//!
//! Guarantees: the content decides (its first bytes and zip parts name the format, never the
//! extension); an unreadable file (encrypted, damaged, not a spreadsheet, over 20 MB) is refused
//! with its Vietnamese reason and nothing is stored; a stored file is never overwritten (a name
//! already taken by other content gets ` (2)`, ` (3)`, …; the same content, by SHA-256, anywhere in
//! the day's folder is "already received"); every write is atomic and inside the workspace.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::check::{Checker, Problem, check_file};
use super::{Context, Stages};
use crate::assign::directory::{ForceMatcher, Naming};
use crate::assign::sender;
use crate::ingest::FileReport;
use crate::ingest::aliases::AliasTable;
use crate::ix::ForceIx;
use crate::workspace::Workspace;

/// The largest file the page accepts.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// The most rows a force clerk's request may hold (issue 35): a unit reports the citizens it
/// guided that day, tens or hundreds; a force's whole day across a province is a few thousand.
pub const MAX_FORCE_ROWS_PER_REQUEST: u64 = 10_000;
/// The most rows one force's link may have checked or sent in a day (Vietnam time).
pub const MAX_FORCE_ROWS_PER_DAY: u64 = 50_000;

/// Rows each force's link had read today (issue 35), by role code: kept by the running page, so it
/// starts again each day (Vietnam time) and at a restart.
#[derive(Default)]
pub struct DailyRows(std::sync::Mutex<std::collections::HashMap<String, (NaiveDate, u64)>>);

impl DailyRows {
    /// Rows `who` may still have read on `today`.
    pub fn left(&self, who: &str, today: NaiveDate) -> u64 {
        let used = self
            .0
            .lock()
            .ok()
            .and_then(|rows| rows.get(who).copied())
            .filter(|(day, _)| *day == today)
            .map_or(0, |(_, rows)| rows);
        MAX_FORCE_ROWS_PER_DAY.saturating_sub(used)
    }

    /// Counts rows `who` had read on `today`.
    pub fn count(&self, who: &str, rows: u64, today: NaiveDate) {
        if let Ok(mut counts) = self.0.lock() {
            let entry = counts.entry(who.to_string()).or_insert((today, 0));
            if entry.0 != today {
                *entry = (today, 0);
            }
            entry.1 += rows;
        }
    }
}

/// One file as it arrived.
#[derive(Debug)]
pub struct Upload {
    /// The name the browser or script gave.
    pub name: String,
    /// The bytes; `None` when the file was over [`MAX_UPLOAD_BYTES`] (not kept).
    pub bytes: Option<Vec<u8>>,
}

crate::code_set! {
    /// What happened to a file: the code the API and the log write, and the label the page shows.
    pub enum Outcome {
        /// Checked only (the intake's first step, `POST /api/check`); nothing stored.
        Checked = "checked" => "Đã kiểm tra, chưa gửi",
        /// Stored in `reports/D/<force>/`.
        Stored = "stored" => "Đã lưu",
        /// Stored, and the earlier file of the same unit moved to `reports/D/.thay-the/`.
        Replaced = "replaced" => "Đã lưu, thay tệp trước",
        /// The same content was already in the day's folder; nothing stored.
        AlreadyReceived = "already_received" => "Đã nhận trước đó",
        /// Readable, but its force is unknown: send it again with a force chosen.
        NeedsForce = "needs_force" => "Cần chọn lực lượng",
        /// A force clerk's file with rows of another force; nothing stored.
        NotYours = "not_yours" => "Không phải của lực lượng này",
        /// Unreadable or too large; nothing stored.
        Refused = "refused" => "Không nhận",
    }
}

/// One file's answer (`POST /api/check` and `POST /api/reports` answer a list of these).
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    /// The plain file name it was received as.
    pub name: String,
    /// The SHA-256 of its bytes (empty when it was too large to keep).
    pub sha256: String,
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
    /// Files of the same unit already stored for the day (what a replacement would replace).
    pub same_unit_files: Vec<String>,
    /// Where the replaced file was kept (`reports/D/.thay-the/…`).
    pub replaced: Option<String>,
    /// Rows read (below the header): what a force's allowance counts.
    #[serde(skip)]
    pub rows_read: u64,
}

impl Received {
    fn refused(name: String, sha256: String, message: String, problems: Vec<Problem>) -> Self {
        Self {
            name,
            sha256,
            stored_as: None,
            force: None,
            unit: None,
            accepted: 0,
            clean_rows: 0,
            outcome: Outcome::Refused,
            message,
            problems,
            same_unit_files: Vec::new(),
            replaced: None,
            rows_read: 0,
        }
    }
}

/// Check only, or store (replacing an earlier file of the same unit when asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode<'a> {
    Check {
        /// Keep each readable, checked file for "Gửi báo cáo", in this role's share of the
        /// staging folder ([`stage`]).
        keep_for: Option<&'a str>,
    },
    Store {
        /// The earlier file to replace, as `stored_as` named it.
        replace: Option<&'a str>,
    },
}

/// What the request asks and who asks it.
pub struct Request<'a> {
    pub mode: Mode<'a>,
    /// The force chosen on the form, for files that name none.
    pub force_answer: Option<&'a str>,
    /// A force clerk's own force: her files go there, a file with any row naming another force
    /// is refused, and the check answers only about her force's list.
    pub own_force: Option<ForceIx>,
    /// Rows her link may still have read today; `None` for the district (no limit).
    pub rows_left: Option<u64>,
}

/// The request's answer: every file's, or — when a force clerk sent a file naming another force —
/// a refusal of the whole request, nothing stored.
pub enum Answer {
    Files(Vec<Received>),
    NotYours(Vec<Received>),
    /// A force clerk's request held more rows than a unit sends, or than her link's day allows:
    /// nothing checked is answered and nothing stored.
    TooMany(String),
}

/// A file read and examined, not yet stored.
struct Examined {
    received: Received,
    bytes: Vec<u8>,
}

/// Receives files for the day of `context`: reads and checks each (against `known`, what the
/// workspace knew before the day; `None` without a master list) and, in store mode, stores the
/// readable ones whose force is known (from the content, the file name, else the form's answer).
pub fn receive(
    context: &Context,
    known: Option<&Stages>,
    uploads: Vec<Upload>,
    request: &Request<'_>,
) -> std::io::Result<Answer> {
    let settings = &context.settings;
    let checker = known.map(|stages| {
        let checker = Checker::new(settings, stages);
        match request.own_force {
            Some(force) => checker.for_force(force),
            None => checker,
        }
    });
    let tools = Tools {
        forces: ForceMatcher::new(settings),
        naming: Naming::new(settings),
        aliases: AliasTable::new(&settings.aliases),
    };
    let answer = request
        .own_force
        .or_else(|| request.force_answer.and_then(|id| settings.force_by_id(id)));
    let scratch = tempfile::Builder::new()
        .prefix(".nhan-bao-cao-")
        .tempdir_in(context.workspace.root())?;
    // What the day already holds, hashed once for the whole request and kept up to date with what
    // it stores.
    let mut day_files = DayFiles::read(&context.workspace, context.as_of);
    let mut examined = Vec::with_capacity(uploads.len());
    for (index, upload) in uploads.into_iter().enumerate() {
        let folder = scratch.path().join(index.to_string());
        examined.push(examine(
            context,
            &tools,
            checker.as_ref(),
            (answer, request.own_force),
            &mut day_files,
            (upload, &folder),
        )?);
    }
    if let Some(refusal) = too_many_rows(request, &examined) {
        return Ok(Answer::TooMany(refusal));
    }
    let replace = match request.mode {
        Mode::Check { keep_for } => {
            if let Some(role) = keep_for {
                keep_checked(&context.workspace, role, &examined)?;
            }
            return Ok(Answer::Files(
                examined.into_iter().map(|e| e.received).collect(),
            ));
        }
        Mode::Store { replace } => replace,
    };
    if examined
        .iter()
        .any(|e| e.received.outcome == Outcome::NotYours)
    {
        return Ok(Answer::NotYours(
            examined.into_iter().map(|e| e.received).collect(),
        ));
    }
    let mut answers = Vec::with_capacity(examined.len());
    for file in examined {
        answers.push(store(context, &mut day_files, file, replace)?);
    }
    Ok(Answer::Files(answers))
}

/// A force clerk's request over her allowance: the refusal to give.
fn too_many_rows(request: &Request<'_>, examined: &[Examined]) -> Option<String> {
    request.own_force?;
    let rows: u64 = examined.iter().map(|e| e.received.rows_read).sum();
    if rows > MAX_FORCE_ROWS_PER_REQUEST {
        return Some(format!(
            "Không kiểm tra: các tệp có {rows} dòng, quá {MAX_FORCE_ROWS_PER_REQUEST} dòng một lần \
             của đường dẫn lực lượng (báo cáo hằng ngày của đơn vị chỉ gồm những người đã hướng \
             dẫn trong ngày). Chia nhỏ tệp, hoặc nhờ Công an huyện kiểm tra."
        ));
    }
    match request.rows_left {
        Some(left) if rows > left => Some(format!(
            "Không kiểm tra: hôm nay đường dẫn này đã kiểm tra và gửi gần {MAX_FORCE_ROWS_PER_DAY} \
             dòng, mức tối đa một ngày của một lực lượng. Gửi tiếp vào ngày mai, hoặc nhờ Công an \
             huyện nhận báo cáo."
        )),
        _ => None,
    }
}

/// Keeps the readable, checked files of a check for "Gửi báo cáo"; refused files are never kept.
fn keep_checked(workspace: &Workspace, role: &str, examined: &[Examined]) -> std::io::Result<()> {
    for file in examined {
        if matches!(
            file.received.outcome,
            Outcome::Checked | Outcome::NeedsForce
        ) {
            stage(workspace, role, &file.bytes)?;
        }
    }
    Ok(())
}

/// What examining needs of the settings, made once per request.
struct Tools<'s> {
    forces: ForceMatcher,
    naming: Naming<'s>,
    aliases: AliasTable,
}

/// An upload read as a report, or the refusal it got (too large, not a spreadsheet, unreadable).
enum Read {
    Report {
        name: String,
        report: FileReport,
        bytes: Vec<u8>,
    },
    Refused(Examined),
}

/// Reads one upload in its own scratch folder, within the upload's budgets; decides nothing else.
fn read_upload(
    context: &Context,
    tools: &Tools<'_>,
    (upload, folder): (Upload, &Path),
) -> std::io::Result<Read> {
    let name = match plain_file_name(&upload.name) {
        name if name.is_empty() => "bao-cao".to_string(),
        name => name,
    };
    let refused = |name: String, sha: String, message: String, bytes: Vec<u8>| {
        Read::Refused(Examined {
            received: Received::refused(name, sha, message, Vec::new()),
            bytes,
        })
    };
    let Some(bytes) = upload.bytes else {
        return Ok(refused(
            name,
            String::new(),
            format!(
                "Tệp lớn hơn {} MB: không nhận. Xóa các trang, ô thừa rồi lưu lại dạng .xlsx.",
                MAX_UPLOAD_BYTES >> 20
            ),
            Vec::new(),
        ));
    };
    let sha256 = crate::ingest::hex_sha256(&bytes);
    let Some(extension) = sniffed_extension(&bytes, &name) else {
        return Ok(refused(
            name,
            sha256,
            "Nội dung tệp không phải bảng tính (.xlsx, .xlsm, .xlsb, .xls, .ods, .csv): không nhận. Mở bằng Excel và lưu lại dạng .xlsx.".to_string(),
            bytes,
        ));
    };
    // The copy keeps the clerk's name (a CSV's sheet is named after its file).
    let name = with_extension(&name, extension);
    fs_err::create_dir(folder)?;
    let copy = folder.join(&name);
    fs_err::write(&copy, &bytes)?;
    let mut report = super::check::read_reports(
        std::slice::from_ref(&copy),
        &tools.aliases,
        context.as_of,
        &upload_read_options(context),
    )
    .pop()
    .unwrap_or_else(|| unreadable_placeholder(&name));
    report.path = name.clone();
    if let (Some(_), Some(explanation)) = (report.error, &report.message) {
        let problems = check_file(&report, context.as_of, None, None).problems;
        return Ok(Read::Refused(Examined {
            received: Received::refused(
                name,
                sha256,
                format!("Không nhận: {explanation}."),
                problems,
            ),
            bytes,
        }));
    }
    Ok(Read::Report {
        name,
        report,
        bytes,
    })
}

/// Reads and checks one upload (in its own scratch folder); stores nothing.
fn examine(
    context: &Context,
    tools: &Tools<'_>,
    checker: Option<&Checker<'_>>,
    (answer, own_force): (Option<ForceIx>, Option<ForceIx>),
    day: &mut DayFiles,
    upload: (Upload, &Path),
) -> std::io::Result<Examined> {
    let (name, report, bytes) = match read_upload(context, tools, upload)? {
        Read::Report {
            name,
            report,
            bytes,
        } => (name, report, bytes),
        Read::Refused(examined) => return Ok(examined),
    };
    let settings = &context.settings;
    let named = sender::force_of_content(&report, &tools.forces, settings)
        .or_else(|| sender::force_of_name(&name, settings));
    let force = match own_force {
        Some(own) => own,
        None => match named.or(answer) {
            Some(force) => force,
            None => {
                let mut received = examined_received(context, checker, &report, None, tools, name);
                received.outcome = Outcome::NeedsForce;
                received.message = "Tệp không ghi rõ lực lượng (không có cột Lực lượng hoặc Đơn vị): chọn lực lượng rồi gửi lại tệp.".to_string();
                return Ok(Examined { received, bytes });
            }
        },
    };
    let mut received = examined_received(context, checker, &report, Some(force), tools, name);
    if own_force.is_some()
        && let Some(message) = refusal_of_other_forces(&report, force, tools, settings)
    {
        received.outcome = Outcome::NotYours;
        received.message = message;
        return Ok(Examined { received, bytes });
    }
    if let Some(named) = named.filter(|named| *named != force) {
        received.outcome = Outcome::NotYours;
        received.message = format!(
            "Tệp này là báo cáo của lực lượng {} (theo nội dung tệp): đường dẫn của lực lượng {} chỉ \
             gửi được báo cáo của {}. Không lưu.",
            settings.force(named).name,
            settings.force(force).name,
            settings.force(force).name
        );
        return Ok(Examined { received, bytes });
    }
    if let Some(existing) = day.with_content(&received.sha256) {
        received.stored_as = Some(context.workspace.relative(&existing));
        received.outcome = Outcome::AlreadyReceived;
        received.message =
            "Tệp này đã nhận rồi (cùng nội dung): không lưu lại lần nữa.".to_string();
        return Ok(Examined { received, bytes });
    }
    let folder_id = &settings.force(force).id;
    if let Some(unit) = &received.unit {
        received.same_unit_files = day
            .same_unit(context, tools, force, folder_id, unit)
            .iter()
            .map(|path| context.workspace.relative(path))
            .collect();
    }
    received.outcome = Outcome::Checked;
    received.message = if received.problems.is_empty() {
        "Đã kiểm tra, chưa gửi: không có vấn đề.".to_string()
    } else {
        format!(
            "Đã kiểm tra, chưa gửi: có {} vấn đề (bảng dưới). Sửa tệp rồi kiểm tra lại, hoặc vẫn gửi.",
            received.problems.len()
        )
    };
    Ok(Examined { received, bytes })
}

/// The reading budget of a file received through the page: the run's, with the tighter zip budget
/// of an upload (issue 35).
fn upload_read_options(context: &Context) -> crate::ingest::ReadOptions {
    crate::ingest::ReadOptions {
        zip_budget: crate::ingest::isolation::ZipBudget::UPLOAD,
        ..context.knobs.read_options.clone()
    }
}

/// A force clerk's file in which some rows name another force in their force column: the refusal
/// naming those rows, or `None` when every row is hers.
fn refusal_of_other_forces(
    report: &FileReport,
    own: ForceIx,
    tools: &Tools<'_>,
    settings: &crate::settings::Settings,
) -> Option<String> {
    let rows = sender::rows_of_other_forces(report, own, &tools.forces);
    if rows.is_empty() {
        return None;
    }
    let forces: std::collections::BTreeSet<ForceIx> = rows.iter().map(|(_, f)| *f).collect();
    let count = rows.len();
    let mut shown = rows
        .iter()
        .take(10)
        .map(|(row, _)| format!("trang {} dòng {}", report.sheet_name(row), row.row))
        .collect::<Vec<_>>()
        .join(", ");
    if count > 10 {
        shown.push_str(&format!(" và {} dòng khác", count - 10));
    }
    let others: Vec<&str> = forces
        .iter()
        .map(|f| settings.force(*f).name.as_str())
        .collect();
    let own = &settings.force(own).name;
    Some(format!(
        "Không lưu cả tệp: {count} dòng ghi lực lượng {} ({shown}). Đường dẫn của lực lượng {own} \
         chỉ gửi được các dòng của {own}: xóa các dòng đó (lực lượng kia tự gửi) rồi gửi lại.",
        others.join(", ")
    ))
}

/// The check of a readable file whose force is known (or not yet).
fn examined_received(
    context: &Context,
    checker: Option<&Checker<'_>>,
    report: &FileReport,
    force: Option<ForceIx>,
    tools: &Tools<'_>,
    name: String,
) -> Received {
    let folder = force.map(|f| context.settings.force(f).id.as_str());
    let found = check_file(report, context.as_of, folder, checker);
    Received {
        name,
        sha256: report.sha256.clone(),
        stored_as: None,
        force: folder.map(str::to_string),
        unit: force.and_then(|f| sender::unit_of_content(report, f, &tools.naming)),
        accepted: report.rows.len() as u64,
        clean_rows: found.clean_rows,
        outcome: Outcome::Checked,
        message: String::new(),
        problems: found.problems,
        same_unit_files: Vec::new(),
        replaced: None,
        rows_read: report.sheets.iter().map(|sheet| sheet.read).sum(),
    }
}

/// Stores an examined file (a checked one; any other outcome is answered as it is), first moving
/// the file it replaces aside.
fn store(
    context: &Context,
    day: &mut DayFiles,
    file: Examined,
    replace: Option<&str>,
) -> std::io::Result<Received> {
    let mut received = file.received;
    if received.outcome != Outcome::Checked {
        return Ok(received);
    }
    let Some(force) = received.force.clone() else {
        return Ok(received);
    };
    let folder = context.workspace.report_force(context.as_of, &force);
    if let Some(replace) = replace {
        match replaced_file(context, &received, replace) {
            Some(earlier) => {
                let kept = set_aside(
                    &context.workspace.replaced(context.as_of),
                    &earlier,
                    context.now,
                )?;
                day.files.retain(|(_, path)| *path != earlier);
                received.replaced = Some(context.workspace.relative(&kept));
            }
            None => {
                received.outcome = Outcome::Refused;
                received.message = format!(
                    "Không thay được “{replace}”: đó không phải tệp đã gửi của đơn vị này trong ngày \
                     (tải lại trang rồi chọn lại). Không lưu."
                );
                return Ok(received);
            }
        }
    }
    let stored = store_new(&folder, &received.name, &file.bytes)?;
    day.files.push((received.sha256.clone(), stored.clone()));
    received.stored_as = Some(context.workspace.relative(&stored));
    let problems = if received.problems.is_empty() {
        "không có vấn đề".to_string()
    } else {
        format!(
            "có {} vấn đề cần đơn vị xem lại (bảng dưới)",
            received.problems.len()
        )
    };
    match &received.replaced {
        Some(kept) => {
            received.outcome = Outcome::Replaced;
            received.message = format!(
                "Đã gửi và lưu, thay cho tệp trước của đơn vị (tệp cũ vẫn giữ tại {kept}, không \
                 tính nữa); {problems}."
            );
        }
        None => {
            received.outcome = Outcome::Stored;
            received.message = format!("Đã nhận và lưu; {problems}.");
        }
    }
    received.same_unit_files.clear();
    Ok(received)
}

/// The earlier file a replacement names, when it is one of this unit's files of the day.
fn replaced_file(context: &Context, received: &Received, replace: &str) -> Option<PathBuf> {
    received
        .same_unit_files
        .iter()
        .find(|stored| stored.as_str() == replace)
        .map(|stored| context.workspace.path_of(stored))
        .filter(|path| path.is_file())
}

/// Moves a replaced file to `reports/D/.thay-the/` under its time and name (never overwriting);
/// `run` does not read hidden folders.
fn set_aside(aside: &Path, earlier: &Path, now: chrono::NaiveDateTime) -> std::io::Result<PathBuf> {
    fs_err::create_dir_all(aside)?;
    let name = earlier
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stamped = format!("{}-{name}", now.format("%H%M%S"));
    for candidate in free_name_candidates(&stamped) {
        let target = aside.join(&candidate);
        if target.exists() {
            continue;
        }
        crate::fsio::move_file(earlier, &target)?;
        return Ok(target);
    }
    Err(std::io::Error::other("quá nhiều tệp đã thay trong ngày"))
}

/// Checked files kept for one role at most (issue 35): a clerk checks a few files, then sends.
pub const STAGED_PER_ROLE: usize = 8;
/// Bytes kept for all roles together at most; the oldest files go first.
pub const STAGED_TOTAL_BYTES: u64 = 160 << 20;
/// A kept file not sent within this time is dropped.
const STAGED_FOR: std::time::Duration = std::time::Duration::from_secs(2 * 24 * 3600);

/// Keeps a checked file's bytes for "Gửi báo cáo", by their SHA-256, in the role's own folder;
/// then drops what is over two days old, over [`STAGED_PER_ROLE`] for this role, and over
/// [`STAGED_TOTAL_BYTES`] in all, oldest first (never the file just kept).
pub fn stage(workspace: &Workspace, role: &str, bytes: &[u8]) -> std::io::Result<String> {
    let folder = role_staging(workspace, role);
    fs_err::create_dir_all(&folder)?;
    let sha = crate::ingest::hex_sha256(bytes);
    let kept = folder.join(&sha);
    crate::fsio::write_file(&kept, bytes)?;
    let mut files = staged_files(&workspace.staging());
    // Oldest first; the file just kept is the newest of all.
    files.sort_by(|a, b| a.modified.cmp(&b.modified).then(a.path.cmp(&b.path)));
    let now = std::time::SystemTime::now();
    let mut role_count = files
        .iter()
        .filter(|f| f.path.parent() == Some(&folder))
        .count();
    let mut total: u64 = files.iter().map(|f| f.bytes).sum();
    for file in &files {
        if file.path == kept {
            continue;
        }
        let mine = file.path.parent() == Some(folder.as_path());
        let expired = now
            .duration_since(file.modified)
            .is_ok_and(|age| age > STAGED_FOR);
        let over = expired || (mine && role_count > STAGED_PER_ROLE) || total > STAGED_TOTAL_BYTES;
        if over && std::fs::remove_file(&file.path).is_ok() {
            total = total.saturating_sub(file.bytes);
            role_count -= usize::from(mine);
        }
    }
    Ok(sha)
}

/// One kept file.
struct StagedFile {
    path: PathBuf,
    modified: std::time::SystemTime,
    bytes: u64,
}

/// Every kept file, in every role's folder.
fn staged_files(folder: &Path) -> Vec<StagedFile> {
    let Ok(roles) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for role in roles.flatten() {
        let Ok(entries) = std::fs::read_dir(role.path()) else {
            // A file left at the top by an older version: dropped.
            let _ = std::fs::remove_file(role.path());
            continue;
        };
        for entry in entries.flatten() {
            if let Ok(meta) = entry.metadata()
                && meta.is_file()
            {
                files.push(StagedFile {
                    path: entry.path(),
                    modified: meta.modified().unwrap_or(std::time::UNIX_EPOCH),
                    bytes: meta.len(),
                });
            }
        }
    }
    files
}

/// A role's share of the staging folder (`district` or a force id, reduced to a plain name).
fn role_staging(workspace: &Workspace, role: &str) -> PathBuf {
    let name = match plain_file_name(role) {
        name if name.is_empty() => "khac".to_string(),
        name => name,
    };
    workspace.staging().join(name)
}

/// Where a role's kept file is, by the SHA-256 the page gave (anything but 64 hex digits names
/// nothing; another role's file is not found).
fn staged_path(workspace: &Workspace, role: &str, sha256: &str) -> Option<PathBuf> {
    let plain = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
    plain.then(|| role_staging(workspace, role).join(sha256))
}

/// A role's kept file's bytes.
pub fn staged(workspace: &Workspace, role: &str, sha256: &str) -> Option<Vec<u8>> {
    std::fs::read(staged_path(workspace, role, sha256)?).ok()
}

/// Forgets a kept file once sent.
pub fn unstage(workspace: &Workspace, role: &str, sha256: &str) {
    if let Some(path) = staged_path(workspace, role, sha256) {
        let _ = std::fs::remove_file(path);
    }
}

/// A report that could not be produced at all (never expected: one path read gives one report).
fn unreadable_placeholder(name: &str) -> FileReport {
    FileReport::unreadable(
        name,
        crate::ingest::FileError::new(crate::ingest::FileErrorCode::Damaged, "not read"),
    )
}

/// The format the content is, as the extension the readers go by: a zip package by its parts
/// (`.ods`, `.xlsb`, `.xlsm`, else `.xlsx`), an OLE2 container `.xls` (or the `.xlsx`/`.xlsm` its
/// name says: a workbook locked with a password is OLE2, and the reader opens it or says so), and
/// text only when the name says `.csv`. `None`: not a spreadsheet.
pub fn sniffed_extension(bytes: &[u8], name: &str) -> Option<&'static str> {
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
    if bytes.starts_with(&crate::ingest::file::OLE2_MAGIC) {
        // A workbook locked with a password is an OLE2 container whatever it holds: a name saying
        // .xlsx/.xlsm keeps it (the reader goes by the content either way).
        let lower = name.to_lowercase();
        return Some(match lower.rsplit_once('.').map(|(_, ext)| ext) {
            Some("xlsx") => "xlsx",
            Some("xlsm") => "xlsm",
            _ => "xls",
        });
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

/// The files already in a day's report folder, by SHA-256 (hidden folders, such as the replaced
/// files', are not the day's).
struct DayFiles {
    workspace: Workspace,
    day: chrono::NaiveDate,
    /// (SHA-256, path), in folder order.
    files: Vec<(String, PathBuf)>,
    /// The unit each stored file names, read when first asked.
    units: std::collections::HashMap<PathBuf, Option<String>>,
}

impl DayFiles {
    /// Hashes every file under the day's folder (none when it does not exist yet).
    fn read(workspace: &Workspace, day: chrono::NaiveDate) -> Self {
        let folder = workspace.report_day(day);
        let mut files = Vec::new();
        let mut stack = vec![folder.clone()];
        while let Some(current) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&current) else {
                continue;
            };
            let mut entries: Vec<_> = entries.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for entry in entries {
                let path = entry.path();
                if entry.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
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
            workspace: workspace.clone(),
            day,
            files,
            units: Default::default(),
        }
    }

    /// The stored files of a force's folder whose content names this unit.
    fn same_unit(
        &mut self,
        context: &Context,
        tools: &Tools<'_>,
        force: ForceIx,
        force_id: &str,
        unit: &str,
    ) -> Vec<PathBuf> {
        let folder = self.workspace.report_force(self.day, force_id);
        let paths: Vec<PathBuf> = self
            .files
            .iter()
            .map(|(_, path)| path.clone())
            .filter(|path| path.parent() == Some(folder.as_path()))
            .collect();
        let unread: Vec<PathBuf> = paths
            .iter()
            .filter(|p| !self.units.contains_key(*p))
            .cloned()
            .collect();
        let reports = crate::pipeline::read_files(
            &unread,
            &tools.aliases,
            context.as_of.year(),
            &upload_read_options(context),
        );
        for (path, report) in unread.into_iter().zip(reports) {
            let named = sender::unit_of_content(&report, force, &tools.naming);
            self.units.insert(path, named);
        }
        paths
            .into_iter()
            .filter(|p| self.units.get(p).and_then(Option::as_deref) == Some(unit))
            .collect()
    }

    /// A file with this SHA-256.
    fn with_content(&self, sha256: &str) -> Option<PathBuf> {
        self.files
            .iter()
            .find(|(sha, _)| sha == sha256)
            .map(|(_, path)| path.clone())
    }
}

/// The names tried for a file under a name that may be taken: the name, then `name (2)` … `(999)`.
fn free_name_candidates(name: &str) -> impl Iterator<Item = String> + '_ {
    (1..=999).map(move |n| {
        if n == 1 {
            name.to_string()
        } else {
            numbered_name(name, n)
        }
    })
}

/// Stores the bytes under `name` in `folder`, or under the first free numbered name; never
/// replaces a file (the final rename refuses an existing name, so two uploads at once cannot
/// clash either).
fn store_new(folder: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    fs_err::create_dir_all(folder)?;
    for candidate in free_name_candidates(name) {
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

/// An uploaded file's name reduced to a plain file name: the last path component (either slash),
/// no control characters, no characters Windows forbids, no leading dots or spaces (no hidden
/// files, no `..`), at most 120 characters; Vietnamese letters are kept (NFC). Empty when nothing
/// is left.
pub fn plain_file_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .nfc()
        .filter(|c| !c.is_control() && !"<>:\"|?*".contains(*c))
        .collect();
    let trimmed = cleaned
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    trimmed.chars().take(120).collect()
}

/// A file name with ` (n)` before its extension: the name kept for a different file that arrived
/// under a name already taken.
pub fn numbered_name(name: &str, n: u32) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
        _ => format!("{name} ({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_become_plain_file_names() {
        let table = [
            ("bao-cao.xlsx", "bao-cao.xlsx"),
            ("../../etc/passwd", "passwd"),
            ("..\\..\\vneid-recon.toml", "vneid-recon.toml"),
            (
                "C:\\Users\\Lan\\Báo cáo Đoàn xã Quài Cang.xlsx",
                "Báo cáo Đoàn xã Quài Cang.xlsx",
            ),
            ("..", ""),
            (".hidden.xlsx", "hidden.xlsx"),
            ("a\u{0}b\u{7}c\n.xlsx", "abc.xlsx"),
            ("ds<1>:2?.xlsx", "ds12.xlsx"),
            // Decomposed (NFD) Vietnamese from a Mac becomes NFC.
            ("Ta\u{302}\u{300}m.xls", "Tầm.xls"),
            ("báo cáo. ", "báo cáo"),
        ];
        for (given, expected) in table {
            assert_eq!(plain_file_name(given), expected, "{given:?}");
        }
        assert_eq!(plain_file_name(&"á".repeat(300)).chars().count(), 120);
    }

    #[test]
    fn a_taken_name_gets_a_number_before_its_extension() {
        assert_eq!(numbered_name("bc.xlsx", 2), "bc (2).xlsx");
        assert_eq!(numbered_name("bc.tar.xlsx", 3), "bc.tar (3).xlsx");
        assert_eq!(numbered_name("bc", 2), "bc (2)");
    }

    #[test]
    fn the_content_names_the_format() {
        assert_eq!(sniffed_extension(b"a,b\n1,2\n", "bc.csv"), Some("csv"));
        assert_eq!(sniffed_extension(b"a,b\n1,2\n", "bc.xlsx"), None);
        assert_eq!(sniffed_extension(b"<html>", "bc.xls"), None);
        let ole2 = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0];
        assert_eq!(sniffed_extension(&ole2, "x"), Some("xls"));
        assert_eq!(
            sniffed_extension(&ole2, "bc.XLSX"),
            Some("xlsx"),
            "a locked .xlsx"
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
        let workspace = Workspace::new(dir.path());
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 15).expect("day");
        let folder = workspace.report_force(day, "cong-an");
        let first = store_new(&folder, "bc.xlsx", b"one").expect("first");
        let second = store_new(&folder, "bc.xlsx", b"two").expect("second");
        assert_eq!(first.file_name().and_then(|n| n.to_str()), Some("bc.xlsx"));
        assert_eq!(
            second.file_name().and_then(|n| n.to_str()),
            Some("bc (2).xlsx")
        );
        assert_eq!(std::fs::read(first).expect("read"), b"one");
        assert_eq!(
            DayFiles::read(&workspace, day).with_content(&crate::ingest::hex_sha256(b"two")),
            Some(second)
        );
    }
}
