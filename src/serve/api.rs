//! The JSON API under `/api` (what the page's script uses; for scripts too): the same jobs as the
//! page's handlers, answered as JSON, and every problem as `{"error": …}` ([`ApiProblem`]).

use std::sync::atomic::Ordering;

use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::NaiveDate;
use serde::Deserialize;

use super::guard::Caller;
use super::handlers::{Poster, require_post_proof, summary_for};
use super::handlers::{Ran, Sending, chosen_day, consolidate, intake_day, receive};
use super::problem::{ApiProblem, Problem};
use super::roles::Role;
use super::state::AppState;
use super::upload::{UploadForm, read_upload};
use crate::pipeline::days;
use crate::pipeline::receive::{Answer, Outcome};

#[derive(Debug, Deserialize)]
pub(super) struct DateOnly {
    date: Option<String>,
}

/// The API's files: the day from the query or the form, the force (a clerk's own or none).
async fn upload(
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
        let settings = state.settings()?;
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

/// The files' results; 403 when a force clerk's file has rows of another force, 429 when her
/// request is over its rows.
fn answered(answer: Answer) -> Response {
    match answer {
        Answer::Files(results) => Json(results).into_response(),
        Answer::TooMany(message) => (
            StatusCode::TOO_MANY_REQUESTS,
            Json(serde_json::json!({ "error": message, "files": [] })),
        )
            .into_response(),
        Answer::NotYours(results) => {
            let message = results
                .iter()
                .find(|r| r.outcome == Outcome::NotYours)
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

/// `POST /api/check` (`STORE` false: every problem of the files, nothing stored) and
/// `POST /api/reports` (`STORE` true: checks and stores the files; `replace=<stored_as>` with one
/// file replaces the unit's earlier file of the day).
pub(super) async fn files<const STORE: bool>(
    State(state): State<AppState>,
    Poster { caller, proven }: Poster,
    Query(query): Query<DateOnly>,
    multipart: Multipart,
) -> Result<Response, ApiProblem> {
    let (date, form) = upload(&state, &caller, proven, query, multipart).await?;
    let sending = if STORE {
        if form.replace.is_some() && form.files.len() != 1 {
            let message = "replace chỉ dùng khi gửi đúng một tệp";
            return Err(Problem::new(StatusCode::BAD_REQUEST, message).into());
        }
        Sending::Store {
            replace: form.replace,
        }
    } else {
        Sending::Check { keep: false }
    };
    let answer = receive(&state, &caller, date, (form.files, form.force), sending).await?;
    Ok(answered(answer))
}

/// `POST /api/run`: the day's run; 409 while another holds the workspace (as `run` exits 3).
pub(super) async fn run(
    State(state): State<AppState>,
    Poster { caller, proven }: Poster,
    Query(query): Query<DateOnly>,
) -> Result<Response, ApiProblem> {
    require_post_proof(proven, None, &state, &caller)?;
    let date = chosen_day(&state, query.date.as_deref())?;
    Ok(match consolidate(&state, &caller, date).await? {
        Ran::Done { exit_code, json } => {
            let summary: serde_json::Value =
                serde_json::from_str(&json).unwrap_or(serde_json::Value::Null);
            Json(serde_json::json!({ "exit_code": exit_code, "summary": summary })).into_response()
        }
        Ran::Busy(message) => (
            StatusCode::CONFLICT,
            Json(serde_json::json!({ "exit_code": 3, "error": message })),
        )
            .into_response(),
    })
}

/// `GET /api/run/status`: how far the current run has read.
pub(super) async fn run_status(State(state): State<AppState>) -> Response {
    let progress = &state.progress;
    Json(serde_json::json!({
        "running": progress.active.load(Ordering::SeqCst),
        "read": progress.read.load(Ordering::SeqCst),
        "total": progress.total.load(Ordering::SeqCst),
    }))
    .into_response()
}

/// `GET /api/days`: every day with reports or results, latest first.
pub(super) async fn days(State(state): State<AppState>) -> Response {
    Json(days::days(&state.workspace)).into_response()
}

/// `GET /api/summary`: the district's `summary.json` as written, or a force's part of it.
pub(super) async fn summary(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<DateOnly>,
) -> Result<Response, ApiProblem> {
    let date = chosen_day(&state, query.date.as_deref())?;
    if caller.role == Role::District
        && let Some(text) = days::summary_text(&state.workspace, date)
    {
        // The file as written, byte for byte.
        return Ok(([(header::CONTENT_TYPE, "application/json")], text).into_response());
    }
    match summary_for(&state, &caller.role, date)? {
        Some(summary) => Ok(Json(summary).into_response()),
        None => Err(Problem::new(
            StatusCode::NOT_FOUND,
            format!("ngày {} chưa chạy tổng hợp", date.format("%d/%m/%Y")),
        )
        .into()),
    }
}

/// `GET /api/csrf`: the caller's role's same-origin token, for scripts.
pub(super) async fn csrf(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Response {
    Json(serde_json::json!({ "csrf": state.csrf_for(&caller.role) })).into_response()
}
