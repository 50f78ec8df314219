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
mod journal;
mod known;
mod pages;
mod problem;
pub mod roles;
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
use guard::{Caller, PostProven};
use intake::MAX_UPLOAD_BYTES;
use problem::{Problem, json_problem, not_found};
use upload::{UploadForm, read_upload};

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
    pub settings: &'a crate::settings::Settings,
    pub address: SocketAddr,
    /// Links made at this start: shown once.
    pub new_links: &'a [roles::NewLink],
    /// Off loopback: every request needs a link's token.
    pub needs_token: bool,
}

/// A request may carry up to this many bytes (several files of at most 20 MB each).
const MAX_REQUEST_BYTES: usize = 16 * MAX_UPLOAD_BYTES;

/// The server's shared state.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    workspace: PathBuf,
    knobs: Knobs,
    /// A district token from the command line, beside the links of `lien-ket.toml`.
    extra_token: Option<String>,
    /// The links' hashes, read again when the file changes (`vneid-recon links` while serving).
    links: std::sync::Mutex<(Option<std::time::SystemTime>, roles::Links)>,
    journal: journal::Journal,
    /// What the workspace knew before a day, shared by every upload while the lists stay.
    known: known::KnownCache,
    /// The secret the same-origin tokens are derived from ([`Shared::csrf_for`]).
    csrf: String,
    /// Listening on loopback: only loopback host names are answered, and no token is needed.
    loopback: bool,
    /// Held while this server runs a consolidation.
    running: tokio::sync::Mutex<()>,
    progress: RunProgress,
    /// Rows each force's link had read today (issue 35), by role code: (day, rows).
    force_rows: std::sync::Mutex<std::collections::HashMap<String, (NaiveDate, u64)>>,
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

impl Shared {
    /// The same-origin token a role's POSTs carry: one per role (issue 35), so a token seen in one
    /// clerk's page proves nothing for another role's requests.
    fn csrf_for(&self, role: &roles::Role) -> String {
        let derived =
            crate::ingest::hex_sha256(format!("{}\n{}", self.csrf, role.code()).as_bytes());
        derived[..32].to_string()
    }

    /// Off loopback every request needs a token.
    fn requires_token(&self) -> bool {
        !self.loopback
    }

    /// The role a token opens, if any.
    fn role_of(&self, token: &str) -> Option<roles::Role> {
        if self
            .extra_token
            .as_deref()
            .is_some_and(|extra| guard::same_secret(token, extra))
        {
            return Some(roles::Role::District);
        }
        let path = roles::Links::path(&self.workspace);
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        let mut links = self.links.lock().ok()?;
        if links.0 != modified {
            *links = (modified, roles::Links::load(&self.workspace).ok()?);
        }
        let settings = jobs::load_settings(&self.workspace).ok()?;
        links.1.role_of(token, &settings)
    }

    /// The question asked when a link of `opened` is opened in a browser holding `held`'s cookie.
    fn switch_page(
        &self,
        held: &roles::Role,
        opened: &roles::Role,
        path: &str,
        rest: &str,
        token: &str,
    ) -> Response {
        let label = |role: &roles::Role| match jobs::load_settings(&self.workspace) {
            Ok(settings) => role.label(&settings),
            Err(_) => role.code().to_string(),
        };
        let path = guard::same_origin_path(path);
        let query = |extra: &str| {
            let joined: Vec<&str> = [rest, extra]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect();
            if joined.is_empty() {
                path.clone()
            } else {
                format!("{path}?{}", joined.join("&"))
            }
        };
        let switch = query(&format!("token={token}&{}", guard::SWITCH_FLAG));
        let stay = query("");
        Html(pages::switch_role(&label(held), &label(opened), &switch, &stay).into_string())
            .into_response()
    }

    /// What a role may do, for a refusal.
    fn refusal(&self, role: &roles::Role) -> String {
        match jobs::load_settings(&self.workspace) {
            Ok(settings) => role.refusal(&settings),
            Err(_) => "Việc này chỉ Công an huyện làm được.".to_string(),
        }
    }

    /// Appends an event to the log.
    fn record(
        &self,
        caller: &guard::Caller,
        action: &str,
        file: Option<&str>,
        sha256: Option<&str>,
        outcome: &str,
    ) {
        self.journal.record(&journal::Event {
            time: journal::now_text(),
            role: caller.role.code().to_string(),
            action: action.to_string(),
            file: file.map(str::to_string),
            sha256: sha256.map(str::to_string),
            outcome: outcome.to_string(),
            remote: caller.remote.clone(),
        });
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

/// Makes the links the workspace lacks (every one with `replace_all`; off loopback the district's
/// too, unless a district token was given) and saves their hashes. The new links are returned: their
/// tokens are shown once.
pub fn ensure_links(
    workspace: &std::path::Path,
    settings: &crate::settings::Settings,
    replace_all: bool,
    with_district: bool,
) -> Result<Vec<roles::NewLink>, JobError> {
    let cannot = |error: std::io::Error| JobError::CannotRun(error.into());
    let mut links = roles::Links::load(workspace).map_err(cannot)?;
    let now = crate::vietnam_now();
    let mut made = Vec::new();
    for role in roles::every_role(settings) {
        if role == roles::LinkFor::District && !with_district {
            continue;
        }
        if replace_all || !links.has(&role) {
            made.push(links.issue(role, now).map_err(cannot)?);
        }
    }
    if !made.is_empty() {
        links.save(workspace).map_err(cannot)?;
    }
    Ok(made)
}

/// Replaces one role's link (`vneid-recon links --only ROLE`), or every one.
pub fn replace_links(
    workspace: &std::path::Path,
    only: Option<&str>,
) -> Result<(crate::settings::Settings, Vec<roles::NewLink>), JobError> {
    let settings = jobs::load_settings(workspace)?;
    let Some(only) = only else {
        let made = ensure_links(workspace, &settings, true, true)?;
        return Ok((settings, made));
    };
    let role = roles::LinkFor::parse(only, &settings)
        .map_err(|message| JobError::Settings(anyhow::anyhow!(message)))?;
    let cannot = |error: std::io::Error| JobError::CannotRun(error.into());
    let mut links = roles::Links::load(workspace).map_err(cannot)?;
    let made = links.issue(role, crate::vietnam_now()).map_err(cannot)?;
    links.save(workspace).map_err(cannot)?;
    Ok((settings, vec![made]))
}

/// Runs the page until Ctrl-C. `on_listening` is told the settings, the address listened on and
/// the links made at this start once the page answers (the command layer prints them and may
/// open the browser).
pub fn serve(args: &ServeArgs, on_listening: impl FnOnce(&Listening<'_>)) -> Result<(), JobError> {
    let settings = jobs::load_settings(&args.workspace)?;
    let loopback = guard::is_loopback(&args.listen);
    let extra_token = args.token.as_ref().map(|t| t.trim().to_string());
    let new_links = if loopback && !args.new_links {
        Vec::new()
    } else {
        ensure_links(
            &args.workspace,
            &settings,
            args.new_links,
            extra_token.is_none(),
        )?
    };
    let csrf = guard::random_secret();
    if csrf.is_empty() {
        return Err(JobError::CannotRun(anyhow::anyhow!(
            "không lấy được số ngẫu nhiên của hệ điều hành để tạo mã truy cập"
        )));
    }
    let state = AppState(Arc::new(Shared {
        workspace: args.workspace.clone(),
        knobs: args.knobs.clone(),
        extra_token,
        links: std::sync::Mutex::default(),
        journal: journal::Journal::new(&args.workspace),
        known: known::KnownCache::default(),
        csrf,
        loopback,
        running: tokio::sync::Mutex::new(()),
        progress: RunProgress::default(),
        force_rows: std::sync::Mutex::default(),
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
        on_listening(&Listening {
            settings: &settings,
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

/// Every route.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(dashboard))
        .route("/nhan-bao-cao", get(intake_page).post(intake_post))
        .route("/nhan-bao-cao/gui", post(intake_send))
        .route("/nhat-ky", get(journal_page))
        .route("/chay", post(run_post))
        .route("/phieu", post(forms_post))
        .route("/tai/{date}/{*path}", get(files::download))
        .route("/static/{name}", get(files::asset))
        .route("/api/days", get(api_days))
        .route("/api/summary", get(api_summary))
        .route("/api/check", post(api_check))
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

fn require_post_proof(
    proven: bool,
    field: Option<&str>,
    state: &AppState,
    caller: &Caller,
) -> Result<(), Problem> {
    if proven || field.is_some_and(|given| guard::same_secret(given, &state.csrf_for(&caller.role)))
    {
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

/// A day's summary as the role may see it (a force clerk: her force's units and files only).
fn summary_for(
    state: &AppState,
    role: &roles::Role,
    date: NaiveDate,
) -> Result<Option<Summary>, Problem> {
    let Some(text) = days::summary_text(&state.workspace, date) else {
        return Ok(None);
    };
    let summary = serde_json::from_str::<Summary>(&text).map_err(|e| {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("summary.json hỏng: {e}"),
        )
    })?;
    Ok(Some(match role {
        roles::Role::District => summary,
        roles::Role::Force { id, .. } => days::for_force(summary, id),
    }))
}

async fn dashboard(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<DayQuery>,
) -> Response {
    let page = || -> Result<String, Problem> {
        let settings = settings(&state)?;
        let date = chosen_day(&state, query.date.as_deref())?;
        let all_days = days::days(&state.workspace);
        let summary = summary_for(&state, &caller.role, date)?;
        let folder = layout::day_folder(&state.workspace, date);
        let chart = std::fs::read_to_string(folder.join(layout::picture(date, "svg"))).ok();
        let chat = std::fs::read_to_string(folder.join(layout::chat_text(date))).ok();
        let outputs: Vec<String> = days::outputs(&state.workspace, date)
            .into_iter()
            .filter(|name| caller.role.may_download(name, &settings))
            .collect();
        let markup = pages::dashboard(&pages::Dashboard {
            settings: &settings,
            role: &caller.role,
            date,
            days: &all_days,
            summary: summary.as_ref(),
            chart_svg: chart.as_deref().filter(|svg| svg.starts_with("<svg")),
            chat: chat.as_deref(),
            outputs: &outputs,
            csrf: &state.csrf_for(&caller.role),
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

async fn intake_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<DayQuery>,
) -> Response {
    let page = || -> Result<String, Problem> {
        let settings = settings(&state)?;
        let date = intake_day(query.date.as_deref())?;
        let (today, after_cutoff) = intake_clock(&settings);
        Ok(pages::intake(&pages::Intake {
            settings: &settings,
            role: &caller.role,
            date,
            today,
            after_cutoff,
            csrf: &state.csrf_for(&caller.role),
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

/// Check only, or store (replacing an earlier file), owned for the blocking thread.
#[derive(Debug, Clone)]
enum Sending {
    /// `keep`: the page's "Kiểm tra" keeps the checked files for "Gửi báo cáo".
    Check {
        keep: bool,
    },
    Store {
        replace: Option<String>,
    },
}

impl Shared {
    /// Rows a force's link may still have read today; `None` for the district.
    fn rows_left(&self, role: &roles::Role) -> Option<u64> {
        role.force()?;
        let today = crate::today_in_vietnam();
        let used = self
            .force_rows
            .lock()
            .ok()
            .and_then(|rows| rows.get(role.code()).copied())
            .filter(|(day, _)| *day == today)
            .map_or(0, |(_, rows)| rows);
        Some(intake::MAX_FORCE_ROWS_PER_DAY.saturating_sub(used))
    }

    /// Counts rows a force's link had read.
    fn count_rows(&self, role: &roles::Role, rows: u64) {
        if role.force().is_none() {
            return;
        }
        let today = crate::today_in_vietnam();
        if let Ok(mut counts) = self.force_rows.lock() {
            let entry = counts.entry(role.code().to_string()).or_insert((today, 0));
            if entry.0 != today {
                *entry = (today, 0);
            }
            entry.1 += rows;
        }
    }
}

/// Checks (and, when sending, stores) uploaded files for a day, on a blocking thread, as the
/// caller's role allows; every file's outcome goes to the log.
async fn receive(
    state: &AppState,
    caller: &Caller,
    date: NaiveDate,
    files: Vec<intake::Upload>,
    force_answer: Option<String>,
    sending: Sending,
) -> Result<intake::Answer, Problem> {
    let state = state.clone();
    let caller = caller.clone();
    tokio::task::spawn_blocking(move || -> Result<intake::Answer, Problem> {
        let context = state.context(date).map_err(Problem::from_job)?;
        jobs::refuse_future_day(date, context.now).map_err(Problem::from_job)?;
        let known = if days::has_master_files(&context.workspace) {
            Some(state.known.get(&context).map_err(Problem::from_job)?)
        } else {
            None
        };
        let mode = match &sending {
            Sending::Check { keep } => intake::Mode::Check {
                keep_for: keep.then(|| caller.role.code()),
            },
            Sending::Store { replace } => intake::Mode::Store {
                replace: replace.as_deref(),
            },
        };
        let request = intake::Request {
            mode,
            force_answer: force_answer.as_deref(),
            own_force: caller.role.force(),
            rows_left: state.rows_left(&caller.role),
        };
        let answer =
            intake::receive(&context, known.as_deref(), files, &request).map_err(|error| {
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("Không lưu được tệp vào thư mục báo cáo: {error}"),
                )
            })?;
        let results = match &answer {
            intake::Answer::Files(results) | intake::Answer::NotYours(results) => results,
            intake::Answer::TooMany(_) => {
                state.record(&caller, "refuse", None, None, "too_many_rows");
                return Ok(answer);
            }
        };
        state.count_rows(&caller.role, results.iter().map(|r| r.rows_read).sum());
        for result in results {
            let action = match result.outcome {
                intake::Outcome::Checked | intake::Outcome::NeedsForce => "check",
                intake::Outcome::Stored | intake::Outcome::AlreadyReceived => "store",
                intake::Outcome::Replaced => "replace",
                intake::Outcome::NotYours | intake::Outcome::Refused => "refuse",
            };
            let outcome = result.outcome.code();
            let file = result.stored_as.as_deref().unwrap_or(&result.name);
            let sha = Some(result.sha256.as_str()).filter(|s| !s.is_empty());
            state.record(&caller, action, Some(file), sha, outcome);
            if let Some(kept) = &result.replaced {
                state.record(&caller, "set_aside", Some(kept), sha, "kept");
            }
        }
        Ok(answer)
    })
    .await
    .map_err(|error| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?
}

/// The intake page's day: the form's, else today.
fn intake_day(text: Option<&str>) -> Result<NaiveDate, Problem> {
    match text.filter(|t| !t.is_empty()) {
        Some(text) => parse_day(text),
        None => Ok(crate::today_in_vietnam()),
    }
}

/// The intake page with the results of a check or a send.
fn intake_answer(
    state: &AppState,
    caller: &Caller,
    date: NaiveDate,
    force: Option<&str>,
    answer: intake::Answer,
    error: Option<&str>,
) -> Result<Response, Problem> {
    let settings = settings(state)?;
    let (today, after_cutoff) = intake_clock(&settings);
    let (status, results, refusal) = match answer {
        intake::Answer::Files(results) => (StatusCode::OK, results, None),
        intake::Answer::NotYours(results) => (StatusCode::FORBIDDEN, results, None),
        intake::Answer::TooMany(message) => {
            (StatusCode::TOO_MANY_REQUESTS, Vec::new(), Some(message))
        }
    };
    let error = refusal.as_deref().or(error);
    let html = pages::intake(&pages::Intake {
        settings: &settings,
        role: &caller.role,
        date,
        today,
        after_cutoff,
        csrf: &state.csrf_for(&caller.role),
        force,
        results: &results,
        error,
    })
    .into_string();
    Ok((status, Html(html)).into_response())
}

/// "Kiểm tra": the files are checked and kept aside (not in the reports) for "Gửi báo cáo".
async fn intake_post(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(PostProven(proven)): Extension<PostProven>,
    multipart: Multipart,
) -> Response {
    let answer = async {
        let form = read_upload(multipart).await?;
        require_post_proof(proven, form.csrf.as_deref(), &state, &caller)?;
        let date = intake_day(form.date.as_deref())?;
        let error = form
            .files
            .is_empty()
            .then_some("Chưa chọn tệp nào: bấm vào ô chọn tệp hoặc kéo thả tệp vào.");
        let force = form.force.clone();
        let answer = receive(
            &state,
            &caller,
            date,
            form.files,
            form.force,
            Sending::Check { keep: true },
        )
        .await?;
        intake_answer(&state, &caller, date, force.as_deref(), answer, error)
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
struct SendForm {
    csrf: Option<String>,
    date: Option<String>,
    force: Option<String>,
    /// The SHA-256 of a file checked and kept aside.
    staged: String,
    name: String,
    replace: Option<String>,
}

/// "Gửi báo cáo": a checked file is stored (beside, or replacing, the unit's earlier file).
async fn intake_send(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(PostProven(proven)): Extension<PostProven>,
    Form(form): Form<SendForm>,
) -> Response {
    let answer = async {
        require_post_proof(proven, form.csrf.as_deref(), &state, &caller)?;
        let date = intake_day(form.date.as_deref())?;
        let bytes = intake::staged(&state.workspace, caller.role.code(), &form.staged).ok_or_else(
            || {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "Không còn tệp đã kiểm tra này: chọn tệp rồi kiểm tra lại.",
                )
            },
        )?;
        let upload = intake::Upload {
            name: form.name.clone(),
            bytes: Some(bytes),
        };
        let force = form.force.clone().filter(|f| !f.is_empty());
        let sending = Sending::Store {
            replace: form.replace.clone().filter(|r| !r.is_empty()),
        };
        let answer = receive(&state, &caller, date, vec![upload], force.clone(), sending).await?;
        if let intake::Answer::Files(results) = &answer
            && results.iter().any(|r| r.stored_as.is_some())
        {
            intake::unstage(&state.workspace, caller.role.code(), &form.staged);
        }
        intake_answer(&state, &caller, date, force.as_deref(), answer, None)
    };
    answer.await.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Debug, Deserialize)]
struct DateOnly {
    date: Option<String>,
}

/// The API's files: the day from the query or the form, the force (a clerk's own or none).
async fn api_upload(
    state: &AppState,
    caller: &Caller,
    proven: bool,
    query: DateOnly,
    multipart: Multipart,
) -> Result<(NaiveDate, UploadForm), Problem> {
    let form = read_upload(multipart).await?;
    require_post_proof(proven, form.csrf.as_deref(), state, caller)?;
    let date = intake_day(query.date.as_deref().or(form.date.as_deref()))?;
    if let Some(force) = &form.force {
        let settings = settings(state)?;
        let Some(chosen) = settings.force_by_id(force) else {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                format!("không có lực lượng \"{force}\" trong vneid-recon.toml"),
            ));
        };
        if caller.role.force().is_some_and(|own| own != chosen) {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                caller.role.refusal(&settings),
            ));
        }
    }
    if form.files.is_empty() {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "không có trường file nào",
        ));
    }
    Ok((date, form))
}

/// The API's answer: the files' results, or 403 when a force clerk's file names another force.
fn api_answer(answer: intake::Answer) -> Response {
    match answer {
        intake::Answer::Files(results) => Json(results).into_response(),
        intake::Answer::TooMany(message) => (
            StatusCode::TOO_MANY_REQUESTS,
            Json(serde_json::json!({ "error": message, "files": [] })),
        )
            .into_response(),
        intake::Answer::NotYours(results) => {
            let message = results
                .iter()
                .find(|r| r.outcome == intake::Outcome::NotYours)
                .map(|r| r.message.clone())
                .unwrap_or_default();
            (
                StatusCode::FORBIDDEN,
                Json(serde_json::json!({ "error": message, "files": results })),
            )
                .into_response()
        }
    }
}

/// `POST /api/check`: every problem of the files; nothing stored.
async fn api_check(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(PostProven(proven)): Extension<PostProven>,
    Query(query): Query<DateOnly>,
    multipart: Multipart,
) -> Response {
    let answer = async {
        let (date, form) = api_upload(&state, &caller, proven, query, multipart).await?;
        receive(
            &state,
            &caller,
            date,
            form.files,
            form.force,
            Sending::Check { keep: false },
        )
        .await
    };
    match answer.await {
        Ok(answer) => api_answer(answer),
        Err(problem) => json_problem(problem),
    }
}

/// `POST /api/reports`: checks and stores the files (`replace=<stored_as>` with one file replaces
/// the unit's earlier file of the day).
async fn api_reports(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(PostProven(proven)): Extension<PostProven>,
    Query(query): Query<DateOnly>,
    multipart: Multipart,
) -> Response {
    let answer = async {
        let (date, form) = api_upload(&state, &caller, proven, query, multipart).await?;
        if form.replace.is_some() && form.files.len() != 1 {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "replace chỉ dùng khi gửi đúng một tệp",
            ));
        }
        let sending = Sending::Store {
            replace: form.replace,
        };
        receive(&state, &caller, date, form.files, form.force, sending).await
    };
    match answer.await {
        Ok(answer) => api_answer(answer),
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
async fn consolidate(state: &AppState, caller: &Caller, date: NaiveDate) -> Result<Ran, Problem> {
    let Ok(_running) = state.running.try_lock() else {
        state.record(caller, "run", Some(&date.to_string()), None, "busy");
        return Ok(Ran::Busy("đang chạy tổng hợp trên trang này".into()));
    };
    let shared = state.clone();
    let ran = tokio::task::spawn_blocking(move || {
        shared.progress.active.store(true, Ordering::SeqCst);
        let result = run_blocking(&shared, date);
        shared.progress.active.store(false, Ordering::SeqCst);
        result
    })
    .await
    .map_err(|error| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?;
    let outcome = match &ran {
        Ok(Ran::Done { exit_code, .. }) => format!("exit {exit_code}"),
        Ok(Ran::Busy(_)) => "busy".to_string(),
        Err(problem) => format!("error {}", problem.status.as_u16()),
    };
    state.record(caller, "run", Some(&date.to_string()), None, &outcome);
    ran
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
    Extension(caller): Extension<Caller>,
    Extension(PostProven(proven)): Extension<PostProven>,
    Form(form): Form<RunForm>,
) -> Response {
    let answer = async {
        require_post_proof(proven, form.csrf.as_deref(), &state, &caller)?;
        let date = chosen_day(&state, form.date.as_deref())?;
        Ok::<_, Problem>(match consolidate(&state, &caller, date).await? {
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
    Extension(caller): Extension<Caller>,
    Extension(PostProven(proven)): Extension<PostProven>,
    Form(form): Form<RunForm>,
) -> Response {
    let answer = async {
        require_post_proof(proven, form.csrf.as_deref(), &state, &caller)?;
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
        state.record(
            &caller,
            "forms",
            Some(&date.to_string()),
            None,
            &made.forms.to_string(),
        );
        Ok::<_, Problem>(format!("/?date={date}&forms={}", made.forms))
    };
    match answer.await {
        Ok(location) => Redirect::to(&location).into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn api_run(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Extension(PostProven(proven)): Extension<PostProven>,
    Query(query): Query<DateOnly>,
) -> Response {
    let answer = async {
        require_post_proof(proven, None, &state, &caller)?;
        let date = chosen_day(&state, query.date.as_deref())?;
        consolidate(&state, &caller, date).await
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

async fn api_summary(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<DateOnly>,
) -> Response {
    let date = match chosen_day(&state, query.date.as_deref()) {
        Ok(date) => date,
        Err(problem) => return json_problem(problem),
    };
    if caller.role == roles::Role::District
        && let Some(text) = days::summary_text(&state.workspace, date)
    {
        // The file as written, byte for byte.
        return ([(header::CONTENT_TYPE, "application/json")], text).into_response();
    }
    match summary_for(&state, &caller.role, date) {
        Err(problem) => json_problem(problem),
        Ok(Some(summary)) => Json(summary).into_response(),
        Ok(None) => json_problem(Problem::new(
            StatusCode::NOT_FOUND,
            format!("ngày {} chưa chạy tổng hợp", date.format("%d/%m/%Y")),
        )),
    }
}

async fn api_csrf(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> Response {
    Json(serde_json::json!({ "csrf": state.csrf_for(&caller.role) })).into_response()
}

async fn journal_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let page = || -> Result<String, Problem> {
        let settings = settings(&state)?;
        let viewer = pages::Viewer {
            settings: &settings,
            role: &caller.role,
        };
        let events = state.journal.latest(500);
        Ok(pages::journal(
            &viewer,
            crate::today_in_vietnam(),
            &events,
            state.journal.failing(),
        )
        .into_string())
    };
    match page() {
        Ok(html) => Html(html).into_response(),
        Err(problem) => problem.into_response(),
    }
}
