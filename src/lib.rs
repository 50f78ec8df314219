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
pub mod normalize;
pub mod pipeline;
pub mod reconcile;
pub mod report;
pub mod settings;

/// Today's date in Vietnam (UTC+7, no daylight saving time).
pub fn today_in_vietnam() -> chrono::NaiveDate {
    vietnam_now().date()
}

/// The current time in Vietnam (UTC+7).
pub fn vietnam_now() -> chrono::NaiveDateTime {
    (chrono::Utc::now() + chrono::Duration::hours(7)).naive_utc()
}
