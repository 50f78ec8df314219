//! The command line. The doc comments here are the `--help` text.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

/// The version `--version` shows: the crate version and the date of the commit it was built from.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("VNEID_COMMIT_DATE"),
    ")"
);

/// Đối soát danh sách kích hoạt tài khoản định danh điện tử mức 2 (Đề án 06).
///
/// Reconciles the VNeID level-2 activation lists of a district: reads the police master lists, the
/// forces' assignment lists and the daily reports, gives each citizen exactly one responsible
/// officer, and writes progress against the deadline. Exit codes: 0 done; 1 done but some input
/// files were unreadable (or checked files have errors); 2 usage or settings error, nothing
/// written; 3 could not run (workspace missing, output not writable, lock held), nothing written.
///
/// With no command (a double click on vneid-recon.exe, or a folder dropped on it): opens the office
/// page on 127.0.0.1:8686 for the workspace given, else the one remembered from the last start,
/// else a new one made with `init` (Documents\vneid-recon on Windows, ~/vneid-recon elsewhere),
/// and opens the browser on it.
#[derive(Debug, Parser)]
#[command(
    name = "vneid-recon",
    version = VERSION,
    propagate_version = true,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Without a command: the workspace to open the office page on (remembered for next time).
    #[arg(value_name = "WORKSPACE")]
    pub open: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new workspace: a commented vneid-recon.toml (Tuần Giáo's 19 communes and the four
    /// forces as the example) and the folders master/, assignments/<force>/, assignments/overrides/,
    /// reports/ and out/.
    Init {
        /// The workspace folder to create (it may exist, but must not hold a vneid-recon.toml).
        dir: PathBuf,
    },
    /// Show how each sheet of each file is read: header row, which column became which field, the
    /// rows read/accepted/rejected/skipped, every rejected row with its reason, and the warnings.
    Inspect {
        /// Files to inspect (.xlsx .xlsm .xlsb .xls .ods .csv).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The as-of date (YYYY-MM-DD or DD/MM/YYYY): IDs born after its year are rejected.
        /// Default: today in Vietnam (UTC+7).
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
        /// Workspace whose vneid-recon.toml adds header aliases (default: the current folder, if it
        /// has a settings file).
        #[arg(short, long)]
        workspace: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The daily consolidation (20:00, cron): reads master/, assignments/, targets.xlsx and
    /// reports/YYYY-MM-DD/ up to the date, gives each citizen one officer, classifies the claims and
    /// writes out/DATE/ whole or not at all: summary.json, tong-hop-DATE.xlsx (the district workbook),
    /// <force-id>-DATE.xlsx (one per force, for its re-check), tin-nhan-DATE.txt (the chat
    /// message), bieu-do-DATE.png (the progress picture for the chat groups) and bieu-do-DATE.svg (the
    /// same picture for the office page). Prints a few lines:
    /// files read, unreadable files with their reason, rejected rows by reason, the district line. A run for today before the district cutoff (20:00) is marked provisional (tạm tính).
    Run(RunArgs),
    /// A clerk's check of a daily report before sending it (before 17:00): reads the files as reports
    /// of the date and prints, in Vietnamese, each problem with file, sheet and row: invalid ID (with
    /// the reason), not in the master list, not assigned to this unit (and to whom), already counted
    /// on an earlier day (which day), duplicated in the file, an unclear "Đã kích hoạt" mark, an
    /// activation date after the report's day. A day after today is refused (exit 2). Exit 0 when clean, 1 when there are
    /// problems. Writes nothing unless --fixed is given. The unit is the file's Đơn vị column, else
    /// named from its Xã column; the force is its Lực lượng column, else its folder under
    /// reports/DATE/ of the workspace.
    Check(CheckArgs),
    /// One workbook per unit, out/DATE/don-vi/<force-id>/<unit>.xlsx: the citizens the unit must
    /// still guide (with officer, village, phone), laid out as the daily report form with a
    /// "Đã kích hoạt" column to mark with x and the activation date. A filled-in form dropped into
    /// reports/DATE/ is read as that unit's claims for the rows whose mark says yes (x, v, ✓, Có,
    /// Rồi, Đã kích hoạt…); a mark that says no (blank, 0, -, Chưa…, Không…) keeps the citizen on
    /// the to-do list, and any other mark is rejected unclear_mark (SPEC §11.20).
    Split {
        /// The workspace folder.
        #[arg(short, long, default_value = ".")]
        workspace: PathBuf,
        /// The day the forms are for (YYYY-MM-DD or DD/MM/YYYY); citizens counted before it are left
        /// out. Default: today in Vietnam (UTC+7).
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
        /// Print nothing on success.
        #[arg(short, long)]
        quiet: bool,
        /// Lock each form with its force's password (else the district's) from mat-khau.toml.
        #[arg(long)]
        protect: bool,
    },
    /// The district office's page: a local web application in Vietnamese for people who do not
    /// use a terminal. Tiến độ shows a day's progress (totals, the curve against the plan line, the
    /// commune × force table, units that did not report, downloads and the chat text); Nhận báo cáo
    /// takes the units' files (drag and drop), checks each with the `check` rules, and on "Gửi báo
    /// cáo" stores it in reports/DATE/<force-id>/ (beside the unit's earlier file, or replacing it:
    /// the earlier one is kept in reports/DATE/.thay-the/); Chạy tổng hợp runs `run` under the same
    /// workspace lock as cron; Nhật ký lists who did what (nhat-ky/YYYY-MM.jsonl). A JSON API under
    /// /api serves scripts. Listens on 127.0.0.1 only (the district officer's page, no token),
    /// unless --listen names another address: then every request needs a link's token, and each
    /// role has its own link — the district officer's (everything) and one per force (that force's
    /// units, workbook, forms and reports only). Links missing from the workspace's lien-ket.toml
    /// are made and printed at start (only their SHA-256 is kept); `vneid-recon links` replaces
    /// them. Needs no internet; no data leaves the machine.
    Serve(ServeArgs),
    /// New links for the office page: replaces every role's token (or only --only's), keeps their
    /// SHA-256 in the workspace's lien-ket.toml (readable by its owner only) and prints the links
    /// once. An old link stops working at once, also on a page already running.
    Links(LinksArgs),
    /// Create a workspace full of realistic synthetic data (deterministic for a seed): the Tuần Giáo
    /// settings, master lists per commune, each force's assignment list (about one citizen in twelve
    /// assigned twice), and per-unit daily reports up to the as-of date. For trying the tool and for
    /// benchmarks (1,000,000 citizens take about 400 MB of memory to write).
    Demo {
        /// The folder to fill (it must not hold a vneid-recon.toml yet).
        dir: PathBuf,
        /// Number of citizens in the master lists.
        #[arg(long, default_value_t = 2000)]
        citizens: u64,
        /// Number of report days, ending at the as-of date.
        #[arg(long, default_value_t = 14)]
        days: u32,
        /// Number of communes: the first 19 are Tuần Giáo's, more get synthetic names (up to 414),
        /// for province-sized benchmarks. Each commune has one unit per force.
        #[arg(long, default_value_t = 19)]
        communes: usize,
        /// Random seed: the same seed gives the same files.
        #[arg(long, default_value_t = 6)]
        seed: u64,
        /// The last report day (YYYY-MM-DD or DD/MM/YYYY).
        #[arg(long, value_parser = parse_date, default_value = "2024-01-15")]
        as_of: NaiveDate,
    },
    /// Read an OLE2 file in an isolated process (internal: used by the reader itself).
    #[command(name = "__probe", hide = true)]
    Probe { file: PathBuf },
}

use crate::pipeline::parse_date;

/// Flags of `run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The workspace folder.
    #[arg(short, long, default_value = ".")]
    pub workspace: PathBuf,
    /// The as-of date (YYYY-MM-DD or DD/MM/YYYY); report folders after it are not read.
    /// Default: today in Vietnam (UTC+7).
    #[arg(long, value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// Also print summary.json to standard output.
    #[arg(long)]
    pub json: bool,
    /// Print nothing on success (for cron); problems still go to standard error.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print one line per sheet read: read = accepted + rejected + skipped.
    #[arg(short, long)]
    pub verbose: bool,
    /// Also write the canonical tables as Parquet in out/DATE/parquet/ (citizens with their
    /// assignment and status, claims, conflicts, rejected rows), for DuckDB or Spark.
    #[arg(long)]
    pub parquet: bool,
    /// Lock the workbooks that carry personal data with the passwords of the workspace's
    /// mat-khau.toml (or VNEID_PASSWORD): Excel's "password to open" (also `[protect]` in
    /// vneid-recon.toml). Never give a password on the command line.
    #[arg(long)]
    pub protect: bool,
}

/// Flags of `check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The workspace to check against (default: the current folder; without a
    /// vneid-recon.toml there, each file is checked alone).
    #[arg(short, long, default_value = ".")]
    pub workspace: PathBuf,
    /// The report's date (YYYY-MM-DD or DD/MM/YYYY). Default: today in Vietnam (UTC+7).
    #[arg(long, value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// Write a cleaned copy (rows without problems, plus a sheet listing the problems).
    #[arg(long, value_name = "OUT.xlsx")]
    pub fixed: Option<PathBuf>,
    /// Print the problems as JSON (file, sheet, row, column, code, message and the code's
    /// facts: the reject reason, the unit/force/officer assigned, the day already counted).
    #[arg(long)]
    pub json: bool,
    /// Lock the workbooks that carry personal data with the passwords of the workspace's
    /// mat-khau.toml (or VNEID_PASSWORD): Excel's "password to open" (also `[protect]` in
    /// vneid-recon.toml). Never give a password on the command line.
    #[arg(long)]
    pub protect: bool,
}

/// Flags of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The workspace folder.
    #[arg(short, long, default_value = ".")]
    pub workspace: PathBuf,
    /// The address to listen on (0.0.0.0:8686 for the office network, with a token).
    #[arg(long, default_value = "127.0.0.1:8686")]
    pub listen: std::net::SocketAddr,
    /// A district officer's access token (at least 16 characters), beside the links; kept in
    /// memory only. Off loopback, without it, the district's link is made and printed at first
    /// start. A token is sent as `Authorization: Bearer T`, or once as `?token=T` (the page then
    /// keeps it in a cookie).
    #[arg(long, env = "VNEID_TOKEN")]
    pub token: Option<String>,
    /// Replace every role's link at start (the old links stop working) and print the new ones.
    #[arg(long)]
    pub new_links: bool,
}

/// Flags of `links`.
#[derive(Debug, Clone, Args)]
pub struct LinksArgs {
    /// The workspace folder.
    #[arg(short, long, default_value = ".")]
    pub workspace: PathBuf,
    /// Replace only this role's link: `huyen` (the district officer) or a force id.
    #[arg(long)]
    pub only: Option<String>,
    /// The address the links point to (the office network address of this machine).
    #[arg(long, default_value = "0.0.0.0:8686")]
    pub listen: std::net::SocketAddr,
}
