//! The jobs a command or the office page performs on a workspace, each whole: resolve an
//! invocation's [`Context`], take the workspace lock, read the inputs, consolidate a day (compute →
//! report → publish `out/D/`), say what was known before a day, write the units' forms. `run`,
//! `check`, `split` and the page call these and nothing below them; each failure is a [`JobError`]
//! that the command layer turns into its exit code and the page into its HTTP status.
//!
//! Guarantees: nothing here prints, reads the clock or the environment (the caller passes `now`
//! and the [`Knobs`]); `out/D/` appears whole or not at all.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{NaiveDate, NaiveDateTime};

use super::{Context, Days, Inputs, Knobs, Stages, Timings};
use crate::ingest::workspace::Role;
use crate::report::{layout, summary};
use crate::settings::{self, Settings};
use crate::workspace::{PASSWORDS_FILE, SETTINGS_FILE, Workspace};

/// Why a job did not run.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The settings, or what was asked (a day that has not come), cannot be run as they are: exit
    /// 2, a 400 on the page.
    #[error("{0:#}")]
    Settings(anyhow::Error),
    /// Another run holds the workspace lock: exit 3, a 409 on the page.
    #[error("{0:#}")]
    Busy(anyhow::Error),
    /// The workspace cannot be read or written, or has nothing to work on: exit 3, a 500.
    #[error("{0:#}")]
    CannotRun(anyhow::Error),
}

impl JobError {
    fn cannot_run(error: impl Into<anyhow::Error>) -> Self {
        Self::CannotRun(error.into())
    }
}

impl From<super::Error> for JobError {
    fn from(error: super::Error) -> Self {
        Self::cannot_run(error)
    }
}

/// Loads `DIR/vneid-recon.toml`; a missing workspace or file says what to create.
pub fn load_settings(workspace: &Path) -> Result<Settings, JobError> {
    let path = Workspace::new(workspace).settings_file();
    if !workspace.is_dir() {
        return Err(JobError::cannot_run(anyhow::anyhow!(
            "không thấy thư mục làm việc {}; tạo mới bằng: vneid-recon init {}",
            workspace.display(),
            workspace.display()
        )));
    }
    let text = match fs_err::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(JobError::cannot_run(anyhow::anyhow!(
                "thiếu tệp cài đặt {}; tạo mới bằng: vneid-recon init {}",
                path.display(),
                workspace.display()
            )));
        }
        Err(error) => return Err(JobError::cannot_run(error)),
    };
    settings::parse(&text, &path.display().to_string()).map_err(|e| JobError::Settings(e.into()))
}

/// An invocation's context: the workspace's settings, the day (default today in Vietnam), `now` and
/// the knobs the caller read.
pub fn resolve(
    workspace: &Path,
    date: Option<NaiveDate>,
    now: NaiveDateTime,
    knobs: Knobs,
) -> Result<Context, JobError> {
    let settings = load_settings(workspace)?;
    let force_ids: Vec<&str> = settings.forces.iter().map(|f| f.id.as_str()).collect();
    let passwords = crate::protect::Passwords::load(workspace, knobs.password.clone(), &force_ids)
        .map_err(|message| JobError::Settings(anyhow::anyhow!(message)))?;
    let mut context = Context::new(workspace.to_path_buf(), settings, date, now, knobs);
    if context.protect && passwords.district.is_none() {
        return Err(JobError::Settings(anyhow::anyhow!(
            "khóa tệp (--protect hoặc [protect] trong vneid-recon.toml) cần mật khẩu: ghi \
             district = \"…\" vào {} (chỉ chủ tệp đọc được, chmod 600) hoặc đặt biến môi trường \
             VNEID_PASSWORD; không bao giờ ghi mật khẩu trên dòng lệnh",
            Workspace::new(workspace).passwords_file().display()
        )));
    }
    context.knobs.read_options.passwords = passwords.received.clone();
    context.passwords = passwords;
    Ok(context)
}

/// The outputs of a day with each personal-data workbook locked by its password, when the context
/// protects them (summary, chat text and picture carry counts only and stay open). Locking is
/// spread over the cores: each costs the 100,000 rounds of its key derivation.
pub fn locked_outputs(
    context: &Context,
    outputs: Vec<(String, Vec<u8>)>,
) -> Result<Vec<(String, Vec<u8>)>, JobError> {
    use rayon::prelude::*;
    if !context.protect {
        return Ok(outputs);
    }
    let force_ids: Vec<&str> = context
        .settings
        .forces
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    outputs
        .into_par_iter()
        .map(|(name, bytes)| {
            match context.passwords.for_output(&name, &force_ids) {
                Some(password) => crate::protect::lock(&bytes, password)
                    .with_context(|| format!("không khóa được {name}"))
                    .map(|locked| (name, locked)),
                None => Ok((name, bytes)),
            }
            .map_err(JobError::cannot_run)
        })
        .collect()
}

/// A day that has not come yet in Vietnam is refused (SPEC §11.21): nothing can have been
/// reported for it, and a day written for it would pass for a real one.
pub fn refuse_future_day(day: NaiveDate, now: NaiveDateTime) -> Result<(), JobError> {
    if day <= now.date() {
        return Ok(());
    }
    Err(JobError::Settings(anyhow::anyhow!(
        "ngày {} chưa đến (hôm nay là {} theo giờ Việt Nam): chỉ tổng hợp, kiểm tra hoặc nhận báo cáo cho hôm nay hoặc ngày đã qua; bỏ --date hoặc sửa lại ngày",
        day.format("%d/%m/%Y"),
        now.date().format("%d/%m/%Y")
    )))
}

/// The workspace must have its `master/` folder.
pub fn require_master(context: &Context) -> Result<(), JobError> {
    if context.workspace.master().is_dir() {
        return Ok(());
    }
    Err(JobError::cannot_run(anyhow::anyhow!(
        "thiếu thư mục {}/master (danh sách chưa kích hoạt của Công an); tạo bằng: vneid-recon init {}",
        context.workspace.root().display(),
        context.workspace.root().display()
    )))
}

/// The workspace lock (the one cron's `run` takes), waiting at most `wait` for another holder.
pub fn lock(
    context: &Context,
    wait: std::time::Duration,
) -> Result<crate::fsio::WorkspaceLock, JobError> {
    let started = context.now.format("%Y-%m-%dT%H:%M:%S").to_string();
    crate::fsio::lock_workspace(context.workspace.root(), &started, wait).map_err(|error| {
        let message =
            anyhow::anyhow!("không chạy được: {error}; đợi lần chạy kia xong rồi chạy lại");
        match error {
            crate::fsio::LockError::Held(_) => JobError::Busy(message),
            crate::fsio::LockError::Io(_) => JobError::CannotRun(message),
        }
    })
}

/// Discovers and reads the workspace's inputs, telling `on_total` how many lists there are and
/// calling `on_file` after each (the terminal's bar, the page's progress).
pub fn read_workspace(
    context: &Context,
    days: Days,
    on_total: impl FnOnce(usize),
    on_file: &(dyn Fn() + Sync),
) -> Result<Inputs, JobError> {
    let discovery = super::discover_inputs(&context.workspace, context.as_of, days)?;
    on_total(super::list_count(&discovery));
    Ok(super::read_inputs(
        discovery,
        &context.settings,
        context.as_of,
        &context.knobs.read_options,
        on_file,
    ))
}

/// How many files of each role a consolidation read (unreadable ones included).
#[derive(Debug, Default)]
pub struct RoleCounts {
    pub master: usize,
    pub assignments: usize,
    pub reports: usize,
    pub report_days: usize,
    pub targets: bool,
}

impl RoleCounts {
    fn of(stages: &Stages) -> Self {
        let mut counts = Self {
            report_days: stages.inputs.discovery.report_dates.len(),
            ..Self::default()
        };
        for source in &stages.inputs.discovery.sources {
            match source.role {
                Role::Master => counts.master += 1,
                Role::Assignment { .. } => counts.assignments += 1,
                Role::Report { .. } => counts.reports += 1,
                Role::Targets => counts.targets = true,
            }
        }
        counts
    }
}

/// What a consolidation wrote and found.
pub struct Consolidated {
    pub summary: summary::Summary,
    /// `summary.json`'s text.
    pub json: String,
    /// Some input files could not be read (exit 1).
    pub some_unreadable: bool,
    pub out_dir: PathBuf,
    pub roles: RoleCounts,
    pub timings: Timings,
}

/// The day's whole run (`run`, cron and the page's button): refuses a day that has not come,
/// requires the master list, takes the workspace lock (waiting at most `wait`), reads every input
/// up to the day (telling `on_total` and `on_file` how far it is) and consolidates.
pub fn run_day(
    context: &Context,
    parquet: bool,
    wait: std::time::Duration,
    on_total: impl FnOnce(usize),
    on_file: &(dyn Fn() + Sync),
) -> Result<Consolidated, JobError> {
    refuse_future_day(context.as_of, context.now)?;
    require_master(context)?;
    let _lock = lock(context, wait)?;
    let mut timings = Timings::start();
    let inputs = read_workspace(context, Days::ThroughAsOf, on_total, on_file)?;
    timings.step("ingest");
    consolidate(context, inputs, parquet, timings)
}

/// Consolidates a day after its inputs are read; the caller holds the workspace lock and has
/// timed the read. Computes, builds every output and publishes `out/D/` whole.
pub fn consolidate(
    context: &Context,
    inputs: Inputs,
    parquet: bool,
    mut timings: Timings,
) -> Result<Consolidated, JobError> {
    crate::fsio::remove_stale_staging(&context.workspace.out());
    if context.protect && parquet {
        return Err(JobError::Settings(anyhow::anyhow!(
            "--parquet không dùng được khi khóa tệp: các bảng Parquet mang số định danh mà không \
             khóa được bằng mật khẩu; bỏ --parquet hoặc bỏ khóa"
        )));
    }
    let stages = super::compute(&context.settings, inputs, &mut timings)?;
    require_citizens(context, &stages)?;
    let data = stages.data(&context.settings, context.as_of, context.provisional);
    let summary = summary::build(&data);
    let json = summary::to_json(&summary).map_err(JobError::cannot_run)?;
    // The Parquet tables are built beside the workbooks, on whichever core is free.
    let (outputs, tables) = rayon::join(
        || crate::report::all_outputs(&data, json.clone()),
        || parquet.then(|| crate::report::parquet::tables(&data)),
    );
    let mut outputs = locked_outputs(context, outputs.map_err(JobError::cannot_run)?)?;
    // Locking: the day's forms made before (an earlier `split` without a lock) are locked too, so
    // no form with citizens' names is left open beside locked workbooks (issue 35).
    let keep: &[&str] = if context.protect {
        outputs.extend(existing_forms_locked(context)?);
        &[]
    } else {
        &[layout::FORMS]
    };
    if let Some(tables) = tables {
        let tables = tables
            .context("không ghi được các bảng Parquet")
            .map_err(JobError::cannot_run)?;
        outputs.extend(tables);
    }
    timings.step("report");
    let out_dir = context.out_dir();
    let files: Vec<(&str, &[u8])> = outputs
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    crate::fsio::publish_dir_keeping(&out_dir, &files, keep)
        .with_context(|| format!("không ghi được kết quả vào {}", out_dir.display()))
        .map_err(JobError::cannot_run)?;
    timings.step("write");
    let some_unreadable = !summary.unreadable_files.is_empty();
    let roles = RoleCounts::of(&stages);
    drop(data);
    super::drop_aside(stages);
    Ok(Consolidated {
        summary,
        json,
        some_unreadable,
        out_dir,
        roles,
        timings,
    })
}

/// The forms already in `out/D/don-vi/`, as outputs named `don-vi/…`, each locked with its password
/// unless it already is (an OLE2 container: what a locked workbook is).
fn existing_forms_locked(context: &Context) -> Result<Vec<(String, Vec<u8>)>, JobError> {
    let folder = context.out_dir().join(layout::FORMS);
    let mut forms = Vec::new();
    let mut stack = vec![folder.clone()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => stack.push(path),
                Ok(kind) if kind.is_file() => {
                    let bytes = fs_err::read(&path).map_err(JobError::cannot_run)?;
                    let relative = path
                        .strip_prefix(&folder)
                        .map(|p| p.to_string_lossy().replace('\\', "/"))
                        .unwrap_or_default();
                    forms.push((format!("{}/{relative}", layout::FORMS), bytes));
                }
                _ => {}
            }
        }
    }
    let (locked, open): (Vec<_>, Vec<_>) = forms
        .into_iter()
        .partition(|(_, bytes)| bytes.starts_with(&crate::ingest::file::OLE2_MAGIC));
    let mut forms = locked;
    forms.extend(locked_outputs(context, open)?);
    Ok(forms)
}

/// Nothing is written when the master list gave no citizen: every number of the day would be 0
/// of 0 and read as "done". Says what to put where, and which master files could not be read.
fn require_citizens(context: &Context, stages: &Stages) -> Result<(), JobError> {
    if !stages.master.citizens.is_empty() {
        return Ok(());
    }
    let unreadable: Vec<&str> = stages
        .inputs
        .files
        .iter()
        .filter(|file| file.path.starts_with("master/") && file.is_unreadable())
        .map(|file| file.path.as_str())
        .collect();
    let why = if unreadable.is_empty() {
        "không có dòng công dân nào đọc được".to_string()
    } else {
        format!("không đọc được tệp {}", unreadable.join(", "))
    };
    Err(JobError::cannot_run(anyhow::anyhow!(
        "danh sách chưa kích hoạt trống ({why}): đặt tệp Excel danh sách công dân chưa kích hoạt tài khoản định danh điện tử mức 2 (do Công an huyện cấp, có cột Số định danh cá nhân) vào thư mục {} rồi chạy lại; chưa ghi kết quả nào",
        context.workspace.master().display()
    )))
}

/// What the workspace knew before the context's day (the clerk's check, the page's intake).
pub fn known_before(context: &Context) -> Result<Stages, JobError> {
    let inputs = read_workspace(context, Days::BeforeAsOf, |_| {}, &|| {})?;
    Ok(super::compute(
        &context.settings,
        inputs,
        &mut Timings::start(),
    )?)
}

/// A fingerprint of every file [`known_before`] would read for `day` (and of the settings and the
/// passwords): their
/// relative paths, sizes and modification times. Equal fingerprints, equal readings: the page keeps
/// one reading while the lists stay (issue 26). Stat calls only; a folder that cannot be listed
/// gives a fingerprint of its own, so nothing is cached against it.
pub fn known_fingerprint(workspace: &Workspace, day: NaiveDate) -> String {
    let discovery = match super::inputs::discover_inputs(workspace, day, Days::BeforeAsOf) {
        Ok(discovery) => discovery,
        Err(_) => return format!("unlisted {}", crate::vietnam_now()),
    };
    let mut text = String::new();
    let paths = discovery
        .sources
        .iter()
        .map(|s| (s.relative.as_str(), s.path.clone()))
        .chain([
            (SETTINGS_FILE, workspace.settings_file()),
            // Its `received` passwords open locked reports.
            (PASSWORDS_FILE, workspace.passwords_file()),
        ]);
    for (relative, path) in paths {
        let (len, modified) = std::fs::metadata(&path)
            .map(|m| (m.len(), m.modified().ok()))
            .unwrap_or((0, None));
        let nanos = modified
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        text.push_str(&format!("{relative}\t{len}\t{nanos}\n"));
    }
    crate::ingest::hex_sha256(text.as_bytes())
}

/// What [`write_forms`] made.
pub struct Forms {
    pub forms: usize,
    pub folder: PathBuf,
    /// Some input files could not be read (exit 1).
    pub some_unreadable: bool,
}

/// Writes the day's forms (`split` and the page's button): under the workspace lock, waiting at
/// most `wait` for another holder; `out/D/don-vi/` is published whole.
pub fn write_forms(context: &Context, wait: std::time::Duration) -> Result<Forms, JobError> {
    require_master(context)?;
    let _lock = lock(context, wait)?;
    let inputs = read_workspace(context, Days::BeforeAsOf, |_| {}, &|| {})?;
    let stages = super::compute(&context.settings, inputs, &mut Timings::start())?;
    let data = stages.data(&context.settings, context.as_of, false);
    let forms = crate::report::forms::unit_forms(&data).map_err(JobError::cannot_run)?;
    let forms = locked_outputs(context, forms)?;
    let folder = context.out_dir().join(layout::FORMS);
    let files: Vec<(&str, &[u8])> = forms
        .iter()
        .map(|(name, bytes)| {
            (
                name.strip_prefix(layout::FORMS)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .unwrap_or(name),
                bytes.as_slice(),
            )
        })
        .collect();
    crate::fsio::publish_dir(&folder, &files)
        .with_context(|| format!("không ghi được {}", folder.display()))
        .map_err(JobError::cannot_run)?;
    let some_unreadable = data
        .files
        .iter()
        .any(crate::ingest::FileReport::is_unreadable);
    Ok(Forms {
        forms: forms.len(),
        folder,
        some_unreadable,
    })
}
