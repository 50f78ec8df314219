//! What the page serves as files: a day's outputs to download (names encoded for every browser)
//! and the assets embedded in the binary (style sheet, script, fonts).

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::guard::Caller;
use super::handlers::parse_day;
use super::problem::Problem;
use super::{AppState, guard};
use crate::pipeline::journal::Action;

/// A file of `out/D/` (workbooks, forms, the chat text, the picture), as the caller's role allows;
/// every download and every refusal goes to the log.
pub async fn download(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((date, path)): Path<(String, String)>,
) -> Response {
    let Ok(date) = parse_day(&date) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(parts) = guard::safe_relative_path(&path) else {
        // A clerk's link gets the same refusal as for any file not hers.
        let problem = match caller.role {
            super::roles::Role::District => {
                Problem::new(StatusCode::BAD_REQUEST, "Đường dẫn không hợp lệ.")
            }
            super::roles::Role::Force { .. } => {
                Problem::new(StatusCode::FORBIDDEN, state.refusal(&caller.role))
            }
        };
        state.record(
            &caller,
            Action::Forbidden,
            Some(&path),
            None,
            problem.status.as_str(),
        );
        return problem.into_response();
    };
    let settings = match state.settings() {
        Ok(settings) => settings,
        Err(problem) => return problem.into_response(),
    };
    if !caller.role.may_download(&parts.join("/"), &settings) {
        state.record(&caller, Action::Forbidden, Some(&path), None, "403");
        return Problem::new(StatusCode::FORBIDDEN, caller.role.refusal(&settings)).into_response();
    }
    let day_folder = state.workspace.out_day(date);
    let mut file = day_folder.clone();
    for part in &parts {
        file.push(part);
    }
    // A symbolic link placed among the results is never followed (issue 35).
    if crate::fsio::any_symlink(&day_folder, &parts) {
        return Problem::new(StatusCode::NOT_FOUND, "Không có tệp này.").into_response();
    }
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return Problem::new(StatusCode::NOT_FOUND, "Không có tệp này.").into_response();
    };
    let sha = crate::secret::hex_sha256(&bytes);
    state.record(
        &caller,
        Action::Download,
        Some(&format!("out/{date}/{}", parts.join("/"))),
        Some(&sha),
        "200",
    );
    let name = parts.last().copied().unwrap_or("tep");
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            })
            .collect::<String>(),
        percent_encoding::utf8_percent_encode(name, ATTR_CHAR)
    );
    (
        [
            (header::CONTENT_TYPE, content_type(name).to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// RFC 5987's attr-char: what a file name keeps unencoded in `filename*=`.
const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("txt") => "text/plain; charset=utf-8",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

const APP_CSS: &str = include_str!("../../assets/web/app.css");
const APP_JS: &str = include_str!("../../assets/web/app.js");

/// The embedded style sheet, script and fonts.
pub async fn asset(Path(name): Path<String>) -> Response {
    match name.as_str() {
        "app.css" => ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS).into_response(),
        "app.js" => (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            APP_JS,
        )
            .into_response(),
        _ => match crate::report::chart::FONTS
            .iter()
            .find(|(file, _)| *file == name)
        {
            Some((_, bytes)) => ([(header::CONTENT_TYPE, "font/ttf")], *bytes).into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_encoded_for_every_browser() {
        assert_eq!(
            percent_encoding::utf8_percent_encode("Đoàn xã.xlsx", ATTR_CHAR).to_string(),
            "%C4%90o%C3%A0n%20x%C3%A3.xlsx"
        );
        assert!(content_type("tong-hop-2024-01-15.xlsx").contains("spreadsheetml"));
        assert_eq!(content_type("x.bin"), "application/octet-stream");
    }
}
