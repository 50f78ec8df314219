//! vneid-recon: batch reconciliation of VNeID level-2 activation lists (Project 06).
//!
//! The data flows one way, one module per stage: [`ingest`] (workbooks → typed rows with
//! provenance) → [`normalize`] (pure normalisers used by ingest) → [`assign`] → [`reconcile`] →
//! [`report`]. [`pipeline`] chains the stages as a library (every command and the office page call
//! it); the [`commands`] layer parses, resolves one context, calls the pipeline and prints, and is
//! the only one that prints.

pub mod assign;
pub mod cli;
pub mod codes;
pub mod commands;
pub mod demo;
pub mod fsio;
pub mod ingest;
pub mod ix;
pub mod normalize;
pub mod pipeline;
pub mod platform;
pub mod protect;
pub mod reconcile;
pub mod report;
pub mod secret;
pub mod serve;
pub mod settings;
pub mod workspace;

/// mimalloc instead of the system allocator, for every binary built on this library (the tool, the
/// benchmark, the tests): see Cargo.toml (issue 11).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Process settings a run is measured with; called first by `main` (and by the benchmark).
///
/// Where transparent huge pages are "always" (as on Debian's default kernels), memory the allocator
/// hands back and takes again is faulted in 2 MiB at a time and zeroed: on a province run that was a
/// third of the system time and about 3 s of wall time. They are switched off for this process
/// (and the reader probes it starts). Best effort: elsewhere, or on an older kernel, nothing changes.
pub fn tune_process() {
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

/// Today's date in Vietnam (UTC+7, no daylight saving time).
pub fn today_in_vietnam() -> chrono::NaiveDate {
    vietnam_now().date()
}

/// The current time in Vietnam (UTC+7).
pub fn vietnam_now() -> chrono::NaiveDateTime {
    (chrono::Utc::now() + chrono::Duration::hours(7)).naive_utc()
}
