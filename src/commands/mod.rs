//! The command layer: each command parses its flags, resolves one [`Context`] at the edge (settings,
//! date, now, environment), calls the [`crate::pipeline`] and prints. No domain logic lives here.
//! This module is the one place that decides the exit code ([`ExitStatus`]).

mod check;
mod init;
mod inspect;
mod run;
mod serve;
mod split;

use std::path::Path;

use chrono::NaiveDate;

use crate::cli::Command;
use crate::pipeline::{Context, JobError, Knobs, Timings, jobs};
use crate::settings::{self, SETTINGS_FILE};

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
        Command::Init { dir, deadline } => init::run(&dir, deadline.as_deref()),
        Command::Inspect {
            files,
            date,
            workspace,
            json,
        } => inspect::run(&files, date, workspace.as_deref(), json),
        Command::Run(args) => run::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Serve(args) => serve::run(&args, false),
        Command::Links(args) => serve::links(&args),
        Command::Split {
            workspace,
            date,
            quiet,
            protect,
        } => split::run(&workspace, date, quiet, protect),
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
            // Best effort: where the limit cannot be set, the probe still isolates crashes.
            crate::platform::limit_own_memory(crate::ingest::isolation::PROBE_MEMORY_LIMIT);
            println!("{}", crate::ingest::file::run_probe(&file));
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
        init::run(&workspace, None)?;
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
    let args = crate::cli::ServeArgs {
        workspace,
        listen,
        token: None,
        new_links: false,
    };
    serve::run(&args, true)
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

impl From<JobError> for Failure {
    /// A job's error, as the exit code of SPEC §8: settings and refused days 2, the rest 3.
    fn from(error: JobError) -> Self {
        match error {
            JobError::Settings(error) => Self::usage(error),
            JobError::Busy(error) | JobError::CannotRun(error) => Self::cannot_run(error),
        }
    }
}

/// The environment's settings, read once at the command's edge.
pub fn knobs_from_env() -> Knobs {
    let seconds = std::env::var("VNEID_LOCK_WAIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    Knobs {
        lock_wait: std::time::Duration::from_secs(seconds),
        timings: std::env::var_os("VNEID_TIMINGS").is_some(),
        // OLE2 files are probed in a child process of this same binary.
        read_options: crate::ingest::ReadOptions {
            probe_exe: std::env::current_exe().ok(),
            ..crate::ingest::ReadOptions::default()
        },
        protect: false,
        // Stands in for mat-khau.toml's `district` (cron); never printed.
        password: std::env::var("VNEID_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .map(crate::protect::Secret::new),
    }
}

/// The invocation's context: the workspace's settings, the date (default today in Vietnam), now,
/// and the environment knobs, read once here.
pub(crate) fn resolve(
    workspace: &Path,
    date: Option<NaiveDate>,
    protect: bool,
) -> Result<Context, Failure> {
    let knobs = crate::pipeline::Knobs {
        protect,
        ..knobs_from_env()
    };
    Ok(jobs::resolve(workspace, date, crate::vietnam_now(), knobs)?)
}

/// The terminal's progress bar while the lists are read (hidden off a terminal or with `--quiet`).
struct ReadingBar(indicatif::ProgressBar);

impl ReadingBar {
    fn new(shown: bool) -> Self {
        use std::io::IsTerminal;
        if !(shown && std::io::stderr().is_terminal()) {
            return Self(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("Đang đọc {pos}/{len} tệp [{bar:30}] {elapsed}")
        {
            bar.set_style(style);
        }
        Self(bar)
    }

    fn set_total(&self, files: usize) {
        self.0.set_length(files as u64);
    }

    fn file_read(&self) {
        self.0.inc(1);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Stage durations on standard error (`VNEID_TIMINGS`, read by the benchmark).
fn print_timings(timings: &Timings) {
    for (name, seconds) in &timings.steps {
        eprintln!("timing {name} {seconds:.3}");
    }
}
