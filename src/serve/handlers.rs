//! The page's handlers: each decodes its request, calls one job of the pipeline (on a blocking
//! thread where it reads or writes the workspace) and renders a view of [`super::pages`]. The
//! helpers the JSON API shares with them (the day asked for, the same-origin proof, the intake and
//! the run as the caller's role allows) are here too.

use std::sync::atomic::Ordering;

use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::NaiveDate;
use serde::Deserialize;

use super::guard::{Caller, PostProven};
use super::pages;
use super::problem::Problem;
use super::roles::Role;
use super::state::AppState;
use super::upload::read_upload;
use crate::pipeline::days;
use crate::pipeline::jobs::{self, JobError};
use crate::pipeline::journal::Action;
use crate::pipeline::receive::{self, Answer, Mode, Outcome, Upload};
use crate::report::layout;
use crate::report::summary::Summary;

pub(super) fn parse_day(text: &str) -> Result<NaiveDate, Problem> {
    crate::pipeline::parse_date(text)
        .map_err(|message| Problem::new(StatusCode::BAD_REQUEST, message))
}

/// The requested day, else the latest day run, else the latest with reports, else today.
pub(super) fn chosen_day(state: &AppState, text: Option<&str>) -> Result<NaiveDate, Problem> {
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

/// The intake's day: the form's, else today.
pub(super) fn intake_day(text: Option<&str>) -> Result<NaiveDate, Problem> {
    match text.filter(|t| !t.is_empty()) {
        Some(text) => parse_day(text),
        None => Ok(crate::today_in_vietnam()),
    }
}

/// Who sent a POST, and whether the gate already proved it comes from the page or a script holding
/// a link (a bearer token, or the same-origin token in a header).
pub(super) struct Poster {
    pub caller: Caller,
    pub proven: bool,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Poster {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Problem> {
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| Problem::new(StatusCode::UNAUTHORIZED, "Chưa có vai trò."))?;
        let proven = parts
            .extensions
            .get::<PostProven>()
            .is_some_and(|PostProven(proven)| *proven);
        Ok(Self { caller, proven })
    }
}

/// A POST's proof that it comes from the page: the gate's (a bearer token or the header), or the
/// role's same-origin token in the form.
pub(super) fn require_post_proof(
    proven: bool,
    field: Option<&str>,
    state: &AppState,
    caller: &Caller,
) -> Result<(), Problem> {
    let given = |token: &str| crate::secret::same_secret(token, &state.csrf_for(&caller.role));
    if proven || field.is_some_and(given) {
        return Ok(());
    }
    Err(Problem::new(
        StatusCode::FORBIDDEN,
        "Từ chối: thiếu mã của trang (mở lại trang rồi gửi lại).",
    ))
}

/// A page form's fields that carry the role's same-origin token.
pub(super) trait PageForm {
    fn csrf(&self) -> Option<&str>;
}

/// The page's forms: each carries its `csrf` field.
macro_rules! page_forms {
    ($($form:ty),*) => {$(
        impl PageForm for $form {
            fn csrf(&self) -> Option<&str> {
                self.csrf.as_deref()
            }
        }
    )*};
}
page_forms!(DayForm, SendForm);

/// A urlencoded POST of the page, its same-origin proof checked: who sent it, and the form.
pub(super) struct Proven<T> {
    pub caller: Caller,
    pub form: T,
}

impl<T> axum::extract::FromRequest<AppState> for Proven<T>
where
    T: serde::de::DeserializeOwned + PageForm + Send,
{
    type Rejection = Problem;

    async fn from_request(
        request: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Problem> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = request.into_parts();
        let Poster { caller, proven } = Poster::from_request_parts(&mut parts, state).await?;
        let request = axum::extract::Request::from_parts(parts, body);
        let Form(form) = Form::<T>::from_request(request, state).await.map_err(|_| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "Biểu mẫu gửi lên không đọc được: mở lại trang rồi làm lại.",
            )
        })?;
        require_post_proof(proven, form.csrf(), state, &caller)?;
        Ok(Self { caller, form })
    }
}

/// A day's summary as the role may see it (a force clerk: her force's units and files only).
pub(super) fn summary_for(
    state: &AppState,
    role: &Role,
    date: NaiveDate,
) -> Result<Option<Summary>, Problem> {
    let force = match role {
        Role::District => None,
        Role::Force { id, .. } => Some(id.as_str()),
    };
    days::summary_for(&state.workspace, date, force)
        .map_err(|message| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, message))
}

/// Check only (keeping the checked files for "Gửi báo cáo" or not), or store (replacing an earlier
/// file), owned for the blocking thread.
#[derive(Debug, Clone)]
pub(super) enum Sending {
    Check {
        keep: bool,
    },
    Store {
        replace: Option<String>,
    },
    /// Files already checked and kept, checked again to show their results.
    Recheck,
}

/// The intake job for a day, on a blocking thread, as the caller's role allows; every file's
/// outcome goes to the log, and a force link's rows to its daily count.
pub(super) async fn receive(
    state: &AppState,
    caller: &Caller,
    date: NaiveDate,
    (files, force_answer): (Vec<Upload>, Option<String>),
    sending: Sending,
) -> Result<Answer, Problem> {
    let state = state.clone();
    let caller = caller.clone();
    tokio::task::spawn_blocking(move || -> Result<Answer, Problem> {
        let context = state.context(date)?;
        jobs::refuse_future_day(date, context.now)?;
        let known = if days::has_master_files(&context.workspace) {
            Some(state.known.get(&context)?)
        } else {
            None
        };
        let mode = match &sending {
            Sending::Check { keep } => Mode::Check {
                keep_for: keep.then(|| caller.role.code()),
            },
            Sending::Store { replace } => Mode::Store {
                replace: replace.as_deref(),
            },
            Sending::Recheck => Mode::Check {
                keep_for: Some(caller.role.code()),
            },
        };
        let recheck = matches!(sending, Sending::Recheck);
        let request = receive::Request {
            mode,
            force_answer: force_answer.as_deref(),
            own_force: caller.role.force(),
            rows_left: state.rows_left(&caller.role).filter(|_| !recheck),
        };
        let answer =
            receive::receive(&context, known.as_deref(), files, &request).map_err(|e| {
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("Không lưu được tệp vào thư mục báo cáo: {e}"),
                )
            })?;
        if !recheck {
            log_answer(&state, &caller, &answer);
        }
        Ok(answer)
    })
    .await
    .map_err(|error| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?
}

/// Every file's outcome in the log, and the rows read in the link's daily count.
fn log_answer(state: &AppState, caller: &Caller, answer: &Answer) {
    let results = match answer {
        Answer::Files(results) | Answer::NotYours(results) => results,
        Answer::TooMany(_) => {
            state.record(caller, Action::Refuse, None, None, "too_many_rows");
            return;
        }
    };
    state.count_rows(&caller.role, results.iter().map(|r| r.rows_read).sum());
    for result in results {
        let action = match result.outcome {
            Outcome::Checked | Outcome::NeedsForce => Action::Check,
            Outcome::Stored | Outcome::AlreadyReceived => Action::Store,
            Outcome::Replaced => Action::Replace,
            Outcome::NotYours | Outcome::Refused => Action::Refuse,
        };
        let file = result.stored_as.as_deref().unwrap_or(&result.name);
        let sha = Some(result.sha256.as_str()).filter(|s| !s.is_empty());
        state.record(caller, action, Some(file), sha, result.outcome.code());
        if let Some(kept) = &result.replaced {
            state.record(caller, Action::SetAside, Some(kept), sha, "kept");
        }
    }
}

/// What a consolidation started from the page gave.
pub(super) enum Ran {
    Done {
        /// 0, or 1 when some input files were unreadable (as `run` exits).
        exit_code: u8,
        json: String,
    },
    /// Another run holds the lock (this server's or cron's).
    Busy(String),
}

/// Runs the day's job: one at a time in this server, and under the workspace lock shared with
/// cron (no waiting: a held lock is "đang chạy").
pub(super) async fn consolidate(
    state: &AppState,
    caller: &Caller,
    date: NaiveDate,
) -> Result<Ran, Problem> {
    let Ok(_running) = state.running.try_lock() else {
        state.record(caller, Action::Run, Some(&date.to_string()), None, "busy");
        return Ok(Ran::Busy("đang chạy tổng hợp trên trang này".into()));
    };
    let shared = state.clone();
    let ran = tokio::task::spawn_blocking(move || {
        let progress = &shared.progress;
        progress.active.store(true, Ordering::SeqCst);
        progress.read.store(0, Ordering::SeqCst);
        let result = shared.context(date).and_then(|context| {
            jobs::run_day(
                &context,
                false,
                std::time::Duration::ZERO,
                |total| progress.total.store(total, Ordering::SeqCst),
                &|| {
                    progress.read.fetch_add(1, Ordering::SeqCst);
                },
            )
        });
        progress.active.store(false, Ordering::SeqCst);
        match result {
            Ok(done) => Ok(Ran::Done {
                exit_code: u8::from(done.some_unreadable),
                json: done.json,
            }),
            Err(JobError::Busy(error)) => Ok(Ran::Busy(format!("đang chạy: {error}"))),
            Err(error) => Err(Problem::from(error)),
        }
    })
    .await
    .map_err(|error| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?;
    let outcome = match &ran {
        Ok(Ran::Done { exit_code, .. }) => format!("exit {exit_code}"),
        Ok(Ran::Busy(_)) => "busy".to_string(),
        Err(problem) => format!("error {}", problem.status.as_u16()),
    };
    state.record(caller, Action::Run, Some(&date.to_string()), None, &outcome);
    ran
}

#[derive(Debug, Deserialize)]
pub(super) struct DayQuery {
    date: Option<String>,
    /// The exit code of a run just made from the page.
    ran: Option<u8>,
    /// A run was refused: another held the lock.
    busy: Option<u8>,
    /// The units' forms were just made: how many.
    forms: Option<usize>,
}

/// Tiến độ: a day's progress, as the role may see it.
pub(super) async fn dashboard(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<DayQuery>,
) -> Result<Response, Problem> {
    let settings = state.settings()?;
    let date = chosen_day(&state, query.date.as_deref())?;
    let all_days = days::days(&state.workspace);
    let summary = summary_for(&state, &caller.role, date)?;
    let read = |name: String| std::fs::read_to_string(state.workspace.output(date, &name)).ok();
    let chart = read(layout::picture(date, "svg"));
    let phone_chart = read(layout::phone_picture(date));
    let chat = read(layout::chat_text(date));
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
        phone_svg: phone_chart.as_deref().filter(|svg| svg.starts_with("<svg")),
        chat: chat.as_deref(),
        outputs: &outputs,
        csrf: &state.csrf_for(&caller.role),
        ran: query.ran,
        busy: query.busy.is_some(),
        waiting: days::waiting_files(&state.workspace, date),
        has_master: days::has_master_files(&state.workspace),
        workspace: state.workspace.root(),
        forms_made: query.forms,
    });
    Ok(Html(markup.into_string()).into_response())
}

/// The intake page, with the results of a check or a send (or none yet).
fn intake_view(
    state: &AppState,
    caller: &Caller,
    date: NaiveDate,
    force: Option<&str>,
    answer: Answer,
    error: Option<&str>,
) -> Result<Response, Problem> {
    let settings = state.settings()?;
    let now = crate::vietnam_now();
    let (status, results, refusal) = match answer {
        Answer::Files(results) => (StatusCode::OK, results, None),
        Answer::NotYours(results) => (StatusCode::FORBIDDEN, results, None),
        Answer::TooMany(message) => (StatusCode::TOO_MANY_REQUESTS, Vec::new(), Some(message)),
    };
    let html = pages::intake(&pages::Intake {
        settings: &settings,
        role: &caller.role,
        date,
        today: now.date(),
        after_cutoff: now.time() >= settings.district_cutoff,
        csrf: &state.csrf_for(&caller.role),
        force,
        results: &results,
        error: refusal.as_deref().or(error),
    })
    .into_string();
    Ok((status, Html(html)).into_response())
}

/// Nhận báo cáo.
pub(super) async fn intake_page(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<DayQuery>,
) -> Result<Response, Problem> {
    let date = intake_day(query.date.as_deref())?;
    intake_view(&state, &caller, date, None, Answer::Files(Vec::new()), None)
}

/// "Kiểm tra": the files are checked and the readable ones kept aside for "Gửi báo cáo".
pub(super) async fn intake_check(
    State(state): State<AppState>,
    Poster { caller, proven }: Poster,
    multipart: Multipart,
) -> Result<Response, Problem> {
    let form = read_upload(multipart).await?;
    require_post_proof(proven, form.csrf.as_deref(), &state, &caller)?;
    let date = intake_day(form.date.as_deref())?;
    let error = form
        .files
        .is_empty()
        .then_some("Chưa chọn tệp nào: bấm vào ô chọn tệp hoặc kéo thả tệp vào.");
    let force = form.force.clone();
    let sending = Sending::Check { keep: true };
    let answer = receive(&state, &caller, date, (form.files, form.force), sending).await?;
    intake_view(&state, &caller, date, force.as_deref(), answer, error)
}

#[derive(Debug, Deserialize)]
pub(super) struct SendForm {
    csrf: Option<String>,
    date: Option<String>,
    force: Option<String>,
    /// The SHA-256 of a file checked and kept aside.
    staged: String,
    name: String,
    replace: Option<String>,
    /// The other files checked with it, one a line, `<sha256> <name>`: their results stay on the
    /// page after this one is sent (issue 36).
    others: Option<String>,
}

/// "Gửi báo cáo": a checked file is stored (beside, or replacing, the unit's earlier file).
pub(super) async fn intake_send(
    State(state): State<AppState>,
    Proven { caller, form }: Proven<SendForm>,
) -> Result<Response, Problem> {
    let date = intake_day(form.date.as_deref())?;
    let role = caller.role.code();
    let bytes = receive::staged(&state.workspace, role, &form.staged).ok_or_else(|| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "Không còn tệp đã kiểm tra này: chọn tệp rồi kiểm tra lại.",
        )
    })?;
    let upload = Upload {
        name: form.name.clone(),
        bytes: Some(bytes),
    };
    let force = form.force.clone().filter(|f| !f.is_empty());
    let sending = Sending::Store {
        replace: form.replace.clone().filter(|r| !r.is_empty()),
    };
    let answer = receive(
        &state,
        &caller,
        date,
        (vec![upload], force.clone()),
        sending,
    )
    .await?;
    let mut answer = answer;
    if let Answer::Files(results) = &mut answer
        && results.iter().any(|r| r.stored_as.is_some())
    {
        receive::unstage(&state.workspace, role, &form.staged);
        results.extend(still_waiting(&state, &caller, date, form.others.as_deref()).await?);
    }
    intake_view(&state, &caller, date, force.as_deref(), answer, None)
}

/// The other files checked with a file just sent, checked again from where they are kept: the
/// same bytes, so the same answer; not counted again in the link's rows, nor logged again.
async fn still_waiting(
    state: &AppState,
    caller: &Caller,
    date: NaiveDate,
    others: Option<&str>,
) -> Result<Vec<receive::Received>, Problem> {
    let role = caller.role.code();
    let files: Vec<Upload> = others
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.trim().split_once(' '))
        .filter_map(|(sha, name)| {
            let bytes = receive::staged(&state.workspace, role, sha)?;
            Some(Upload {
                name: name.to_string(),
                bytes: Some(bytes),
            })
        })
        .collect();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    Ok(
        match receive(state, caller, date, (files, None), Sending::Recheck).await? {
            Answer::Files(results) | Answer::NotYours(results) => results,
            Answer::TooMany(_) => Vec::new(),
        },
    )
}

/// Nhật ký: the latest events of the log.
pub(super) async fn journal(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, Problem> {
    let settings = state.settings()?;
    let viewer = pages::Viewer {
        settings: &settings,
        role: &caller.role,
    };
    let events = state.journal.latest(500);
    let page = pages::journal(
        &viewer,
        crate::today_in_vietnam(),
        &events,
        state.journal.failing(),
    );
    Ok(Html(page.into_string()).into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct DayForm {
    csrf: Option<String>,
    date: Option<String>,
}

/// "Chạy tổng hợp": the day's run, then back to the dashboard saying how it went.
pub(super) async fn run(
    State(state): State<AppState>,
    Proven { caller, form }: Proven<DayForm>,
) -> Result<Response, Problem> {
    let date = chosen_day(&state, form.date.as_deref())?;
    let location = match consolidate(&state, &caller, date).await? {
        Ran::Done { exit_code, .. } => format!("/?date={date}&ran={exit_code}"),
        Ran::Busy(_) => format!("/?date={date}&busy=1"),
    };
    Ok(Redirect::to(&location).into_response())
}

/// "Tạo phiếu": the units' forms of a day (what `split` does), under the workspace lock.
pub(super) async fn forms(
    State(state): State<AppState>,
    Proven { caller, form }: Proven<DayForm>,
) -> Result<Response, Problem> {
    let date = chosen_day(&state, form.date.as_deref())?;
    let Ok(_running) = state.running.try_lock() else {
        return Ok(Redirect::to(&format!("/?date={date}&busy=1")).into_response());
    };
    let context = state.context(date)?;
    let made =
        tokio::task::spawn_blocking(move || jobs::write_forms(&context, std::time::Duration::ZERO))
            .await
            .map_err(|error| {
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
            })??;
    let count = made.forms.to_string();
    state.record(
        &caller,
        Action::Forms,
        Some(&date.to_string()),
        None,
        &count,
    );
    Ok(Redirect::to(&format!("/?date={date}&forms={}", made.forms)).into_response())
}

/// "Đăng xuất": the browser forgets its link (the cookie is dropped); the link itself still works
/// where it is opened again.
pub(super) async fn sign_out() -> Response {
    let mut response = Html(pages::signed_out().into_string()).into_response();
    if let Ok(value) = header::HeaderValue::from_str(&format!(
        "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
        super::guard::TOKEN_COOKIE
    )) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
