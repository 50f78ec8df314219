//! The daily job as a library: a resolved [`Context`] → [`discover_inputs`] → [`read_inputs`] →
//! [`compute`] → the typed
//! [`Stages`] every output is written from, and the clerk's [`check`] rules. `run`, `check`,
//! `split` and the office page call it through its [`jobs`]; nothing in it prints or reads the clock
//! or the environment (the command resolves those once, into the context).

pub mod check;
mod context;
pub mod days;
mod inputs;
pub mod jobs;
pub mod journal;
pub mod known;
pub mod links;
pub mod receive;
mod stages;

pub use crate::workspace::Workspace;
pub use context::{Context, Knobs, cutoff_passed, parse_date};
pub use inputs::{Days, Inputs, Targets, discover_inputs, list_count, read_files, read_inputs};
pub use jobs::JobError;
pub use stages::{Stages, Timings, compute, drop_aside};

/// What stops the pipeline (a data problem never does: it is a row in a report).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The workspace's folders cannot be listed.
    #[error("không đọc được thư mục làm việc {}: {source}", path.display())]
    Workspace {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// The reconciliation engine failed (polars reports only resource failures on our frames).
    #[error("bộ máy đối soát (polars) báo lỗi: {0}")]
    Engine(#[from] polars::prelude::PolarsError),
}
