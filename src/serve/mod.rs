//! The district office's page (`vneid-recon serve`, issue 13): routes, state, handlers and views
//! over the pipeline's jobs, beside the command layer. A local web application in Vietnamese:
//! Tiến độ (a day's progress, from the `out/D/` a run wrote), Nhận báo cáo (files checked with the
//! `check` rules and stored in `reports/D/<force>/` by the pipeline's `receive` job), Chạy tổng hợp
//! (the pipeline's `run_day`, under the same workspace lock as cron), Nhật ký, and the JSON API
//! under `/api` the page itself uses.
//!
//! - [`routes`]: every route once, with what a role needs to reach it; the router is built from it.
//! - `state`: what the page keeps (settings and links read again only when their files change).
//! - `guard`: the gate every request passes (host, token, role, same-origin, headers).
//! - `handlers`, `api`, `files`: decode, call one job, render; `pages`: the views (maud).
//! - [`roles`]: who is asking (the links' storage and the log are the pipeline's).
//!
//! Guarantees: one binary, every asset embedded, nothing loaded from another origin; listens on
//! 127.0.0.1 unless told otherwise, and anywhere else only with a token; reads the workspace and
//! writes only where `run` and the intake write (`out/D/`, `reports/D/<force>/`), atomically.
//! Citizens' data is shown only on the pages that need it and never logged.

mod api;
mod files;
mod guard;
mod handlers;
mod pages;
mod problem;
pub mod roles;
pub mod routes;
mod state;
mod upload;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::pipeline::Knobs;
use crate::pipeline::jobs::{self, JobError};
pub use crate::pipeline::links::{ensure_links, replace_links};
use crate::workspace::Workspace;
pub use routes::router;
pub use state::AppState;
use state::Shared;

/// What the page is started with (the command layer resolves it from its flags).
#[derive(Debug, Clone)]
pub struct ServeArgs {
    pub workspace: PathBuf,
    pub listen: SocketAddr,
    /// A district token given on the command line (kept in memory only), beside the links.
    pub token: Option<String>,
    /// Replace every link's token at start (`--new-links`).
    pub new_links: bool,
    /// The environment's settings, read once by the command layer.
    pub knobs: Knobs,
}

/// What the page tells its starter once it listens.
pub struct Listening<'a> {
    /// The settings, or why they cannot be used yet (on loopback the page opens anyway and says
    /// what to fix: a new workspace's deadline not filled in yet).
    pub settings: Result<&'a crate::settings::Settings, &'a JobError>,
    pub address: SocketAddr,
    /// Links made at this start: shown once.
    pub new_links: &'a [crate::pipeline::links::NewLink],
    /// Off loopback: every request needs a link's token.
    pub needs_token: bool,
}

/// Runs the page until Ctrl-C. `on_listening` is told the settings, the address listened on and
/// the links made at this start once the page answers (the command layer prints them and may
/// open the browser).
pub fn serve(args: &ServeArgs, on_listening: impl FnOnce(&Listening<'_>)) -> Result<(), JobError> {
    let loopback = guard::is_loopback(&args.listen);
    let extra_token = args.token.as_ref().map(|t| t.trim().to_string());
    let settings = jobs::load_settings(&args.workspace);
    let new_links = if loopback && !args.new_links {
        Vec::new()
    } else {
        // The links are the forces' of the settings: off loopback the settings must be usable.
        let settings = settings
            .as_ref()
            .map_err(|error| JobError::Settings(anyhow::anyhow!("{error}")))?;
        crate::pipeline::links::ensure_links(
            &args.workspace,
            settings,
            args.new_links,
            extra_token.is_none(),
        )?
    };
    let csrf = crate::secret::random_hex();
    if csrf.is_empty() {
        return Err(JobError::CannotRun(anyhow::anyhow!(
            "không lấy được số ngẫu nhiên của hệ điều hành để tạo mã truy cập"
        )));
    }
    let state = AppState(Arc::new(Shared::new(
        Workspace::new(args.workspace.clone()),
        args.knobs.clone(),
        extra_token,
        csrf,
        loopback,
    )));
    let cannot_run = |error: std::io::Error| JobError::CannotRun(error.into());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(cannot_run)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|error| {
                JobError::CannotRun(anyhow::anyhow!(
                    "không mở được cổng {}: {error}; chọn cổng khác bằng --listen",
                    args.listen
                ))
            })?;
        let address = listener.local_addr().map_err(cannot_run)?;
        on_listening(&Listening {
            settings: settings.as_ref(),
            address,
            new_links: &new_links,
            needs_token: !loopback,
        });
        let service = router(state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(cannot_run)
    })
}
