//! A request the page cannot answer: a page in the page's frame saying what went wrong in
//! Vietnamese, or `{"error": …}` under `/api`; a job's error mapped to its HTTP status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::pages;
use crate::pipeline::jobs::JobError;

/// A request's problem, answered as a short page or JSON.
pub struct Problem {
    pub status: StatusCode,
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// A job's error: the settings or the request's fault (400), another run holding the
    /// workspace (409), anything else the server's (500).
    pub fn from_job(error: JobError) -> Self {
        let status = match &error {
            JobError::Settings(_) => StatusCode::BAD_REQUEST,
            JobError::Busy(_) => StatusCode::CONFLICT,
            JobError::CannotRun(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self::new(status, error.to_string())
    }
}

impl From<JobError> for Problem {
    fn from(error: JobError) -> Self {
        Self::from_job(error)
    }
}

/// A problem of the JSON API: answered as `{"error": …}` with its status.
pub struct ApiProblem(pub Problem);

impl From<Problem> for ApiProblem {
    fn from(problem: Problem) -> Self {
        Self(problem)
    }
}

impl From<JobError> for ApiProblem {
    fn from(error: JobError) -> Self {
        Self(Problem::from_job(error))
    }
}

impl IntoResponse for ApiProblem {
    fn into_response(self) -> Response {
        json_problem(self.0)
    }
}

impl IntoResponse for Problem {
    /// A page in the office page's frame, in Vietnamese (`/api` answers JSON: [`json_problem`]).
    fn into_response(self) -> Response {
        let title = match self.status {
            StatusCode::NOT_FOUND => "Không có trang này",
            StatusCode::FORBIDDEN => "Không được phép",
            StatusCode::UNAUTHORIZED => "Cần đường dẫn của Công an huyện",
            status if status.is_client_error() => "Yêu cầu không hợp lệ",
            _ => "Có lỗi khi xử lý",
        };
        (
            self.status,
            Html(pages::problem(title, &self.message).into_string()),
        )
            .into_response()
    }
}

/// Any other path: a page saying so, or JSON under `/api`.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    let problem = Problem::new(
        StatusCode::NOT_FOUND,
        format!(
            "Không có trang {}: chọn “Tiến độ” hoặc “Nhận báo cáo” ở đầu trang.",
            uri.path()
        ),
    );
    if uri.path().starts_with("/api/") {
        json_problem(problem)
    } else {
        problem.into_response()
    }
}

/// The same problem as JSON (`{"error": …}`), for `/api`.
pub fn json_problem(problem: Problem) -> Response {
    (
        problem.status,
        Json(serde_json::json!({ "error": problem.message })),
    )
        .into_response()
}
