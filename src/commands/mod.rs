//! The command layer: each command parses its flags, resolves one [`Context`] at the edge (settings,
//! date, now, environment), calls the [`crate::pipeline`] and prints. No domain logic lives here.
//! This module is the one place that decides the exit code ([`ExitStatus`]).

mod check;
mod check_fixed;
mod init;
mod inspect;
mod run;
mod serve;
mod split;

use std::path::Path;

use chrono::NaiveDate;

use crate::cli::Command;
use crate::pipeline::{Context, Days, Inputs, Knobs, Timings};
use crate::settings::{self, SETTINGS_FILE, Settings};

/// The exit codes of SPEC §8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitStatus {
    /// Done.
    Success = 0,
    /// Done, but some input files were unreadable (or the checked files have errors).
    Partial = 1,
    /// Usage or settings error; nothing written.
    Usage = 2,
    /// Could not run (workspace missing, output not writable, lock held); nothing written.
    CannotRun = 3,
}

/// A command that stopped, with the exit status it stops with.
#[derive(Debug)]
pub struct Failure {
    status: ExitStatus,
    error: anyhow::Error,
}

impl Failure {
    /// A usage or settings error (exit 2).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self {
            status: ExitStatus::Usage,
            error: error.into(),
        }
    }

    /// Could not run (exit 3).
    pub fn cannot_run(error: impl Into<anyhow::Error>) -> Self {
        Self {
            status: ExitStatus::CannotRun,
            error: error.into(),
        }
    }

    /// The exit status.
    pub fn status(&self) -> ExitStatus {
        self.status
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if f.alternate() {
            write!(f, "{:#}", self.error)
        } else {
            write!(f, "{}", self.error)
        }
    }
}

/// Runs a command.
pub fn dispatch(command: Command) -> Result<ExitStatus, Failure> {
    match command {
        Command::Init { dir } => init::run(&dir),
        Command::Inspect {
            files,
            date,
            workspace,
            json,
        } => inspect::run(&files, date, workspace.as_deref(), json),
        Command::Run {
            workspace,
            date,
            json,
            quiet,
            verbose,
            parquet,
        } => run::run(&run::RunArgs {
            workspace,
            date,
            json,
            quiet,
            verbose,
            parquet,
        }),
        Command::Check {
            workspace,
            date,
            files,
            fixed,
            json,
        } => check::run(&check::CheckArgs {
            workspace,
            date,
            files,
            fixed,
            json,
        }),
        Command::Serve {
            workspace,
            listen,
            token,
        } => serve::run(&serve::ServeArgs {
            workspace,
            listen,
            token,
            open_browser: false,
        }),
        Command::Split {
            workspace,
            date,
            quiet,
        } => split::run(&workspace, date, quiet),
        Command::Demo {
            dir,
            citizens,
            days,
            seed,
            communes,
            as_of,
        } => {
            if dir.join(SETTINGS_FILE).exists() {
                return Err(Failure::cannot_run(anyhow::anyhow!(
                    "{} đã có tệp cài đặt; chọn thư mục mới cho dữ liệu mẫu",
                    dir.display()
                )));
            }
            let options = crate::demo::DemoOptions {
                citizens,
                days,
                seed,
                communes,
                as_of,
            };
            let files = crate::demo::write_workspace(&dir, &options, settings::TEMPLATE)
                .map_err(Failure::cannot_run)?;
            eprintln!(
                "Đã tạo dữ liệu mẫu: {citizens} công dân, {files} tệp trong {}",
                dir.display()
            );
            // The reports end at the as-of date: a run for another day would read none of them.
            eprintln!(
                "Chạy tổng hợp trên dữ liệu này:\n  vneid-recon run -w {} --date {}",
                shell_word(&dir.display().to_string()),
                as_of.format("%Y-%m-%d")
            );
            Ok(ExitStatus::Success)
        }
        Command::Probe { file } => {
            println!("{}", crate::ingest::isolation::run_probe(&file));
            Ok(ExitStatus::Success)
        }
    }
}

/// No command (a double click): the office page on the workspace given, remembered or new, and the
/// browser opened on it.
pub fn open(given: Option<std::path::PathBuf>) -> Result<ExitStatus, Failure> {
    let workspace = given
        .or_else(crate::platform::remembered_workspace)
        .unwrap_or_else(crate::platform::default_workspace);
    if !workspace.join(SETTINGS_FILE).exists() {
        init::run(&workspace)?;
    }
    if let Err(error) = crate::platform::remember_workspace(&workspace) {
        eprintln!("Lưu ý: không ghi nhớ được thư mục làm việc cho lần sau ({error}).");
    }
    // Loopback only: a double click never opens the page to the network. `VNEID_LISTEN` moves the
    // port (tests, a machine where 8686 is taken).
    let listen = std::env::var("VNEID_LISTEN")
        .ok()
        .and_then(|text| text.parse::<std::net::SocketAddr>().ok())
        .filter(|address| address.ip().is_loopback())
        .unwrap_or(std::net::SocketAddr::from(([127, 0, 0, 1], 8686)));
    serve::run(&serve::ServeArgs {
        workspace,
        listen,
        token: None,
        open_browser: true,
    })
}

/// A path as one shell word: quoted when it holds anything but plain characters.
fn shell_word(text: &str) -> String {
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c));
    if plain && !text.is_empty() {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Loads `DIR/vneid-recon.toml`; a missing file is exit 3 with what to create, a bad one exit 2.
pub fn load_settings(workspace: &Path) -> Result<Settings, Failure> {
    let path = workspace.join(SETTINGS_FILE);
    if !workspace.is_dir() {
        return Err(Failure::cannot_run(anyhow::anyhow!(
            "không thấy thư mục làm việc {}; tạo mới bằng: vneid-recon init {}",
            workspace.display(),
            workspace.display()
        )));
    }
    let text = match fs_err::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::cannot_run(anyhow::anyhow!(
                "thiếu tệp cài đặt {}; tạo mới bằng: vneid-recon init {}",
                path.display(),
                workspace.display()
            )));
        }
        Err(error) => return Err(Failure::cannot_run(error)),
    };
    settings::parse(&text, &path.display().to_string()).map_err(Failure::usage)
}

/// The invocation's context: the workspace's settings, the date (default today in Vietnam), now,
/// and the environment knobs, read once here.
pub(crate) fn resolve(workspace: &Path, date: Option<NaiveDate>) -> Result<Context, Failure> {
    let settings = load_settings(workspace)?;
    Ok(Context::new(
        workspace.to_path_buf(),
        settings,
        date,
        crate::vietnam_now(),
        Knobs::from_env(),
    ))
}

/// Exit 2 for a day that has not come yet in Vietnam (SPEC §11.21): nothing can have been reported
/// for it, and a day written for it would pass for a real one.
pub(crate) fn refuse_future_day(day: NaiveDate, now: chrono::NaiveDateTime) -> Result<(), Failure> {
    if day <= now.date() {
        return Ok(());
    }
    Err(Failure::usage(anyhow::anyhow!(
        "ngày {} chưa đến (hôm nay là {} theo giờ Việt Nam): chỉ tổng hợp, kiểm tra hoặc nhận báo cáo cho hôm nay hoặc ngày đã qua; bỏ --date hoặc sửa lại ngày",
        day.format("%d/%m/%Y"),
        now.date().format("%d/%m/%Y")
    )))
}

/// Exit 3 when the workspace has no `master/` folder, saying how to make one.
fn require_master(context: &Context) -> Result<(), Failure> {
    if context.workspace.join("master").is_dir() {
        return Ok(());
    }
    Err(Failure::cannot_run(anyhow::anyhow!(
        "thiếu thư mục {}/master (danh sách chưa kích hoạt của Công an); tạo bằng: vneid-recon init {}",
        context.workspace.display(),
        context.workspace.display()
    )))
}

/// Takes the workspace lock for a command that writes into it, waiting at most `wait` for another
/// holder; exit 3 naming the holder.
fn take_lock(
    context: &Context,
    wait: std::time::Duration,
) -> Result<crate::fsio::WorkspaceLock, Failure> {
    lock_waiting(context, wait).map_err(|error| {
        Failure::cannot_run(anyhow::anyhow!(
            "không chạy được: {error}; đợi lần chạy kia xong rồi chạy lại"
        ))
    })
}

/// The workspace lock (the one cron's `run` takes), waiting at most `wait` for another holder.
fn lock_waiting(
    context: &Context,
    wait: std::time::Duration,
) -> Result<crate::fsio::WorkspaceLock, crate::fsio::LockError> {
    crate::fsio::lock_workspace(
        &context.workspace,
        &context.now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        wait,
    )
}

/// Discovers and reads the workspace's inputs, with a progress bar over the files when standard
/// error is a terminal and `progress` is asked for.
fn read_with_progress(context: &Context, days: Days, progress: bool) -> Result<Inputs, Failure> {
    use std::io::IsTerminal;
    let bar = if progress && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("Đang đọc {pos}/{len} tệp [{bar:30}] {elapsed}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let inputs = read_workspace(context, days, |total| bar.set_length(total as u64), &|| {
        bar.inc(1)
    });
    bar.finish_and_clear();
    inputs
}

/// Discovers and reads the workspace's inputs, telling `on_total` how many lists there are and
/// calling `on_file` after each (the terminal's bar, the office page's progress).
fn read_workspace(
    context: &Context,
    days: Days,
    on_total: impl FnOnce(usize),
    on_file: &(dyn Fn() + Sync),
) -> Result<Inputs, Failure> {
    let discovery = crate::pipeline::discover_inputs(&context.workspace, context.as_of, days)
        .map_err(Failure::cannot_run)?;
    on_total(crate::pipeline::list_count(&discovery));
    Ok(crate::pipeline::read_inputs(
        discovery,
        &context.settings,
        context.as_of,
        &read_options(),
        on_file,
    ))
}

/// Stage durations on standard error (`VNEID_TIMINGS`, read by the benchmark).
fn print_timings(timings: &Timings) {
    for (name, seconds) in &timings.steps {
        eprintln!("timing {name} {seconds:.3}");
    }
}

/// Options for reading files from this binary: OLE2 files are probed in a child process.
pub fn read_options() -> crate::ingest::ReadOptions {
    crate::ingest::ReadOptions {
        probe_exe: std::env::current_exe().ok(),
    }
}
