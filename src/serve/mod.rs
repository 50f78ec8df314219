//! The district office's page (`vneid-recon serve`, issue 13): a thin web layer over the
//! pipeline's [`jobs`], beside the command layer. A local web application in Vietnamese: Tiến độ (a day's progress, from the
//! `out/D/` a run wrote), Nhận báo cáo (files checked with the `check` rules and stored in
//! `reports/D/<force>/`), Chạy tổng hợp (the `run` consolidation, under the same workspace lock as
//! cron), and the JSON API under `/api` the page itself uses.
//!
//! Guarantees: one binary, every asset embedded, nothing loaded from another origin; listens on
//! 127.0.0.1 unless told otherwise, and anywhere else only with a token ([`guard`]); reads the
//! workspace and writes only where `run` and the intake write (`out/D/`, `reports/D/<force>/`),
//! atomically. Citizens' data is shown only on the pages that need it and never logged.

mod days;
mod files;
mod guard;
mod intake;
mod pages;
mod problem;
mod upload;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Json};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::pipeline::jobs::{self, JobError};
use crate::pipeline::{Context, Days, Knobs, Timings};
use crate::report::layout;
use crate::report::summary::Summary;
use guard::PostProven;
use intake::MAX_UPLOAD_BYTES;
use problem::{Problem, json_problem, not_found};
use upload::{UploadForm, read_upload};

/// What the page is started with (the command layer resolves it from its flags).
#[derive(Debug, Clone)]
pub struct ServeArgs {
    pub workspace: PathBuf,
    pub listen: SocketAddr,
    /// The access token every request must carry; `None` on loopback only.
    pub token: Option<String>,
    /// The environment's settings, read once by the command layer.
    pub knobs: Knobs,
}

/// A request may carry up to this many bytes (several files of at most 20 MB each).
const MAX_REQUEST_BYTES: usize = 16 * MAX_UPLOAD_BYTES;

/// The server's shared state.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    workspace: PathBuf,
    knobs: Knobs,
    /// Required on every request when set.
    token: Option<String>,
    /// The same-origin token every POST carries.
    csrf: String,
    /// Listening on loopback: only loopback host names are answered.
    loopback: bool,
    /// Held while this server runs a consolidation.
    running: tokio::sync::Mutex<()>,
    progress: RunProgress,
}

impl AppState {
    /// A request's context for a day: the workspace's settings as they are now.
    fn context(&self, date: NaiveDate) -> Result<Context, JobError> {
        jobs::resolve(
            &self.workspace,
            Some(date),
            crate::vietnam_now(),
            self.knobs.clone(),
        )
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// How far the current run has read.
#[derive(Default)]
struct RunProgress {
    active: AtomicBool,
    read: AtomicUsize,
    total: AtomicUsize,
}

/// Runs the page until Ctrl-C. `on_listening` is told the settings, the address listened on and
/// the token once the page answers (the command layer prints them and may open the browser).
pub fn serve(
    args: &ServeArgs,
    on_listening: impl FnOnce(&crate::settings::Settings, SocketAddr, Option<&str>),
) -> Result<(), JobError> {
    let settings = jobs::load_settings(&args.workspace)?;
    let loopback = guard::is_loopback(&args.listen);
    let token = match &args.token {
        Some(token) => Some(token.trim().to_string()),
        None if loopback => None,
        None => Some(guard::random_secret()),
    };
    let csrf = guard::random_secret();
    if csrf.is_empty() || token.as_deref() == Some("") {
        return Err(JobError::CannotRun(anyhow::anyhow!(
            "không lấy được số ngẫu nhiên của hệ điều hành để tạo mã truy cập"
        )));
    }
    let state = AppState(Arc::new(Shared {
        workspace: args.workspace.clone(),
        knobs: args.knobs.clone(),
        token,
        csrf,
        loopback,
        running: tokio::sync::Mutex::new(()),
        progress: RunProgress::default(),
    }));
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
        on_listening(&settings, address, state.token.as_deref());
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(cannot_run)
    })
}

/// Every route.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(dashboard))
        .route("/nhan-bao-cao", get(intake_page).post(intake_post))
        .route("/chay", post(run_post))
        .route("/phieu", post(forms_post))
        .route("/tai/{date}/{*path}", get(files::download))
        .route("/static/{name}", get(files::asset))
        .route("/api/days", get(api_days))
        .route("/api/summary", get(api_summary))
        .route("/api/reports", post(api_reports))
        .route("/api/run", post(api_run))
        .route("/api/run/status", get(api_run_status))
        .route("/api/csrf", get(api_csrf))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::gate,
        ))
        .with_state(state)
}

fn parse_day(text: &str) -> Result<NaiveDate, Problem> {
    crate::pipeline::parse_date(text)
        .map_err(|message| Problem::new(StatusCode::BAD_REQUEST, message))
}

/// The requested day, else the latest day run, else the latest with reports, else today.
fn chosen_day(state: &AppState, text: Option<&str>) -> Result<NaiveDate, Problem> {
    match text.filter(|t| !t.is_empty()) {
        Some(text) => parse_day(text),
        None => {
            let days = days::days(&state.workspace);
            Ok(days
                .iter()
                .find(|d| d.run)
                .or(days.first())
                .map_or_else(crate::today_in_vietnam, |d| d.date))
        }
    }
}

fn settings(state: &AppState) -> Result<crate::settings::Settings, Problem> {
    jobs::load_settings(&state.workspace).map_err(Problem::from_job)
}

fn require_post_proof(proven: bool, field: Option<&str>, state: &AppState) -> Result<(), Problem> {
    if proven || field.is_some_and(|given| guard::same_secret(given, &state.csrf)) {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::FORBIDDEN,
            "Từ chối: thiếu mã của trang (mở lại trang rồi gửi lại).",
        ))
    }
}

#[derive(Debug, Deserialize)]
struct DayQuery {
    date: Option<String>,
    /// The exit code of a run just made from the page.
    ran: Option<u8>,
    /// A run was refused: another held the lock.
    busy: Option<u8>,
    /// The units' forms were just made: how many.
    forms: Option<usize>,
}

async fn dashboard(State(state): State<AppState>, Query(query): Query<DayQuery>) -> Response {
    let page = || -> Result<String, Problem> {
        let settings = settings(&state)?;
        let date = chosen_day(&state, query.date.as_deref())?;
        let all_days = days::days(&state.workspace);
        let text = days::summary_text(&state.workspace, date);
        let summary = match &text {
            Some(text) => Some(serde_json::from_str::<Summary>(text).map_err(|e| {
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("summary.json hỏng: {e}"),
                )
            })?),
            None => None,
        };
        let folder = layout::day_folder(&state.workspace, date);
        let chart = std::fs::read_to_string(folder.join(layout::picture(date, "svg"))).ok();
        let chat = std::fs::read_to_string(folder.join(layout::chat_text(date))).ok();
        let outputs = days::outputs(&state.workspace, date);
        let markup = pages::dashboard(&pages::Dashboard {
            settings: &settings,
            date,
            days: &all_days,
            summary: summary.as_ref(),
            chart_svg: chart.as_deref().filter(|svg| svg.starts_with("<svg")),
            chat: chat.as_deref(),
            outputs: &outputs,
            csrf: &state.csrf,
            ran: query.ran,
            busy: query.busy.is_some(),
            waiting: days::waiting_files(&state.workspace, date),
            has_master: days::has_master_files(&state.workspace),
            forms_made: query.forms,
        });
        Ok(markup.into_string())
    };
    match page() {
        Ok(html) => Html(html).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// Today in Vietnam, and whether the district's cutoff has passed: what the intake page says.
fn intake_clock(settings: &crate::settings::Settings) -> (NaiveDate, bool) {
    let now = crate::vietnam_now();
    (now.date(), now.time() >= settings.district_cutoff)
}

async fn intake_page(State(state): State<AppState>, Query(query): Query<DayQuery>) -> Response {
    let page = || -> Result<String, Problem> {
        let settings = settings(&state)?;
        let date = match query.date.as_deref().filter(|t| !t.is_empty()) {
            Some(text) => parse_day(text)?,
            None => crate::today_in_vietnam(),
        };
        let (today, after_cutoff) = intake_clock(&settings);
        Ok(pages::intake(&pages::Intake {
            settings: &settings,
            date,
            today,
            after_cutoff,
            csrf: &state.csrf,
            force: None,
            results: &[],
            error: None,
        })
        .into_string())
    };
    match page() {
        Ok(html) => Html(html).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// Checks and stores uploaded files for a day, on a blocking thread.
async fn receive(
    state: &AppState,
    date: NaiveDate,
    form: UploadForm,
) -> Result<Vec<intake::Received>, Problem> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || -> Result<Vec<intake::Received>, Problem> {
        let context = state.context(date).map_err(Problem::from_job)?;
        jobs::refuse_future_day(date, context.now).map_err(Problem::from_job)?;
        let known = if context.workspace.join("master").is_dir() {
            Some(jobs::known_before(&context).map_err(Problem::from_job)?)
        } else {
            None
        };
        intake::receive(&context, known.as_ref(), form.files, form.force.as_deref()).map_err(
            |error| {
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("Không lưu được tệp vào thư mục báo cáo: {error}"),
                )
            },
        )
    })
    .await
    .map_err(|error| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?
}

async fn intake_post(
    State(state): State<AppState>,
    Extension(PostProven(proven)): Extension<PostProven>,
    multipart: Multipart,
) -> Response {
    let answer = async {
        let form = read_upload(multipart).await?;
        require_post_proof(proven, form.csrf.as_deref(), &state)?;
        let settings = settings(&state)?;
        let date = match form.date.as_deref() {
            Some(text) => parse_day(text)?,
            None => crate::today_in_vietnam(),
        };
        let force = form.force.clone();
        let error = form
            .files
            .is_empty()
            .then_some("Chưa chọn tệp nào: bấm vào ô chọn tệp hoặc kéo thả tệp vào.");
        let results = receive(&state, date, form).await?;
        let (today, after_cutoff) = intake_clock(&settings);
        Ok::<_, Problem>(
            pages::intake(&pages::Intake {
                settings: &settings,
                date,
                today,
                after_cutoff,
                csrf: &state.csrf,
                force: force.as_deref(),
                results: &results,
                error,
            })
            .into_string(),
        )
    };
    match answer.await {
        Ok(html) => Html(html).into_response(),
        Err(problem) => problem.into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct DateOnly {
    date: Option<String>,
}

async fn api_reports(
    State(state): State<AppState>,
    Extension(PostProven(proven)): Extension<PostProven>,
    Query(query): Query<DateOnly>,
    multipart: Multipart,
) -> Response {
    let answer = async {
        let form = read_upload(multipart).await?;
        require_post_proof(proven, form.csrf.as_deref(), &state)?;
        let date = match query.date.as_deref().or(form.date.as_deref()) {
            Some(text) => parse_day(text)?,
            None => crate::today_in_vietnam(),
        };
        if let Some(force) = &form.force {
            let settings = settings(&state)?;
            if !settings.forces.iter().any(|f| &f.id == force) {
                return Err(Problem::new(
                    StatusCode::BAD_REQUEST,
                    format!("không có lực lượng \"{force}\" trong vneid-recon.toml"),
                ));
            }
        }
        if form.files.is_empty() {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "không có trường file nào",
            ));
        }
        receive(&state, date, form).await
    };
    match answer.await {
        Ok(results) => Json(results).into_response(),
        Err(problem) => json_problem(problem),
    }
}

/// What a consolidation started from the page gave.
enum Ran {
    Done {
        /// 0, or 1 when some input files were unreadable (as `run` exits).
        exit_code: u8,
        json: String,
    },
    /// Another run holds the lock (this server's or cron's).
    Busy(String),
}

/// Runs the consolidation for a day: one at a time in this server, and under the workspace lock
/// shared with cron (no waiting: a held lock is "đang chạy").
async fn consolidate(state: &AppState, date: NaiveDate) -> Result<Ran, Problem> {
    let Ok(_running) = state.running.try_lock() else {
        return Ok(Ran::Busy("đang chạy tổng hợp trên trang này".into()));
    };
    let shared = state.clone();
    tokio::task::spawn_blocking(move || {
        shared.progress.active.store(true, Ordering::SeqCst);
        let result = run_blocking(&shared, date);
        shared.progress.active.store(false, Ordering::SeqCst);
        result
    })
    .await
    .map_err(|error| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?
}

fn run_blocking(state: &AppState, date: NaiveDate) -> Result<Ran, Problem> {
    let context = state.context(date).map_err(Problem::from_job)?;
    jobs::refuse_future_day(context.as_of, context.now).map_err(Problem::from_job)?;
    jobs::require_master(&context).map_err(Problem::from_job)?;
    let _lock = match jobs::lock(&context, std::time::Duration::ZERO) {
        Ok(lock) => lock,
        Err(JobError::Busy(error)) => return Ok(Ran::Busy(format!("đang chạy: {error}"))),
        Err(error) => return Err(Problem::from_job(error)),
    };
    let mut timings = Timings::start();
    let progress = &state.progress;
    progress.read.store(0, Ordering::SeqCst);
    let inputs = jobs::read_workspace(
        &context,
        Days::ThroughAsOf,
        |total| progress.total.store(total, Ordering::SeqCst),
        &|| {
            progress.read.fetch_add(1, Ordering::SeqCst);
        },
    )
    .map_err(Problem::from_job)?;
    timings.step("ingest");
    let done = jobs::consolidate(&context, inputs, false, timings).map_err(Problem::from_job)?;
    Ok(Ran::Done {
        exit_code: u8::from(done.some_unreadable),
        json: done.json,
    })
}

#[derive(Debug, Deserialize)]
struct RunForm {
    csrf: Option<String>,
    date: Option<String>,
}

async fn run_post(
    State(state): State<AppState>,
    Extension(PostProven(proven)): Extension<PostProven>,
    Form(form): Form<RunForm>,
) -> Response {
    let answer = async {
        require_post_proof(proven, form.csrf.as_deref(), &state)?;
        let date = chosen_day(&state, form.date.as_deref())?;
        Ok::<_, Problem>(match consolidate(&state, date).await? {
            Ran::Done { exit_code, .. } => format!("/?date={date}&ran={exit_code}"),
            Ran::Busy(_) => format!("/?date={date}&busy=1"),
        })
    };
    match answer.await {
        Ok(location) => Redirect::to(&location).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// Makes the units' forms of a day (what `split` does), under the workspace lock, one at a time.
async fn forms_post(
    State(state): State<AppState>,
    Extension(PostProven(proven)): Extension<PostProven>,
    Form(form): Form<RunForm>,
) -> Response {
    let answer = async {
        require_post_proof(proven, form.csrf.as_deref(), &state)?;
        let date = chosen_day(&state, form.date.as_deref())?;
        let Ok(_running) = state.running.try_lock() else {
            return Ok(format!("/?date={date}&busy=1"));
        };
        let context = state.context(date).map_err(Problem::from_job)?;
        let made = tokio::task::spawn_blocking(move || {
            jobs::write_forms(&context, std::time::Duration::ZERO)
        })
        .await
        .map_err(|error| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?
        .map_err(Problem::from_job)?;
        Ok::<_, Problem>(format!("/?date={date}&forms={}", made.forms))
    };
    match answer.await {
        Ok(location) => Redirect::to(&location).into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn api_run(
    State(state): State<AppState>,
    Extension(PostProven(proven)): Extension<PostProven>,
    Query(query): Query<DateOnly>,
) -> Response {
    let answer = async {
        require_post_proof(proven, None, &state)?;
        let date = chosen_day(&state, query.date.as_deref())?;
        consolidate(&state, date).await
    };
    match answer.await {
        Ok(Ran::Done { exit_code, json }) => {
            let summary: serde_json::Value =
                serde_json::from_str(&json).unwrap_or(serde_json::Value::Null);
            Json(serde_json::json!({ "exit_code": exit_code, "summary": summary })).into_response()
        }
        // `run` exits 3 when another run holds the workspace.
        Ok(Ran::Busy(message)) => (
            StatusCode::CONFLICT,
            Json(serde_json::json!({ "exit_code": 3, "error": message })),
        )
            .into_response(),
        Err(problem) => json_problem(problem),
    }
}

async fn api_run_status(State(state): State<AppState>) -> Response {
    let progress = &state.progress;
    Json(serde_json::json!({
        "running": progress.active.load(Ordering::SeqCst),
        "read": progress.read.load(Ordering::SeqCst),
        "total": progress.total.load(Ordering::SeqCst),
    }))
    .into_response()
}

async fn api_days(State(state): State<AppState>) -> Response {
    Json(days::days(&state.workspace)).into_response()
}

async fn api_summary(State(state): State<AppState>, Query(query): Query<DateOnly>) -> Response {
    let date = match chosen_day(&state, query.date.as_deref()) {
        Ok(date) => date,
        Err(problem) => return json_problem(problem),
    };
    match days::summary_text(&state.workspace, date) {
        Some(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        None => json_problem(Problem::new(
            StatusCode::NOT_FOUND,
            format!("ngày {} chưa chạy tổng hợp", date.format("%d/%m/%Y")),
        )),
    }
}

async fn api_csrf(State(state): State<AppState>) -> Response {
    Json(serde_json::json!({ "csrf": state.csrf })).into_response()
}
