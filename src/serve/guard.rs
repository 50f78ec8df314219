//! What keeps the office page safe to run on an office network (issue 13): the access token, the
//! same-origin token for POSTs, the host check against DNS rebinding, the response headers, and the
//! reduction of uploaded names and requested paths to something that can only name a file inside
//! the workspace.
//!
//! Guarantees: a request is let through only when it carries a link's token (off loopback) and comes
//! to a host this server answers as, and only to the routes its role may reach ([`super::roles`]);
//! a POST only when it also proves it came from the page itself
//! (the same-origin token, or the access token in an `Authorization` header, which a cross-site form
//! cannot send); every answer forbids other origins (CSP), framing and caching.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::secret::same_secret;

/// The cookie the page keeps the access token in after `?token=T`.
pub const TOKEN_COOKIE: &str = "vneid_token";
/// The header scripts send the same-origin token in (the page's forms send the field `csrf`).
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The Content-Security-Policy of every answer: nothing from another origin, no inline script.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                   base-uri 'none'";

/// Whether a request already proved it comes from the page or from a script holding the token, so a
/// form handler need not look for the `csrf` field.
#[derive(Debug, Clone, Copy)]
pub struct PostProven(pub bool);

/// The host names a loopback server answers to; any other `Host` is a rebinding attempt.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// A cookie's value from the `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The last pair of a query string that `take` accepts (what it gives for it), and the query
/// without the pairs it accepted.
fn take_pair<T>(query: &str, take: impl Fn(&str) -> Option<T>) -> (Option<T>, String) {
    let mut taken = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match take(pair) {
            Some(value) => taken = Some(value),
            None => rest.push(pair),
        }
    }
    (taken, rest.join("&"))
}

/// The `token` parameter of a query string, and the query without it.
fn split_token(query: &str) -> (Option<String>, String) {
    take_pair(query, |pair| {
        pair.strip_prefix("token=").map(str::to_string)
    })
}

/// The query flag of a role switch the visitor confirmed on the page ([`super::pages::switch_role`]).
pub const SWITCH_FLAG: &str = "doi-vai-tro=1";

/// Whether the query holds `flag`, and the query without it.
fn split_flag(query: &str, flag: &str) -> (bool, String) {
    let (found, rest) = take_pair(query, |pair| (pair == flag).then_some(()));
    (found.is_some(), rest)
}

/// A navigation the browser says started on this page (a click on the switch question), or one
/// from a browser too old to say.
fn same_origin_navigation(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|h| h.to_str().ok())
        .is_none_or(|site| site == "same-origin")
}

/// The path a redirect may name: always on this page's own origin. A path such as `//other-host/`
/// or `/\other-host` would be read by a browser as another server's address (issue 35).
pub fn same_origin_path(path: &str) -> String {
    let rest = path.trim_start_matches(['/', '\\']);
    if rest.contains('\\') || rest.chars().any(char::is_control) {
        return "/".to_string();
    }
    format!("/{rest}")
}

/// The question asked when a link of `opened` is opened in a browser holding `held`'s cookie.
fn switch_page(
    state: &AppState,
    (held, opened): (&super::roles::Role, &super::roles::Role),
    path: &str,
    rest: &str,
    token: &str,
) -> Response {
    let path = same_origin_path(path);
    let with = |extra: &str| {
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
    let switch = with(&format!("token={token}&{SWITCH_FLAG}"));
    let page =
        super::pages::switch_role(&state.label(held), &state.label(opened), &switch, &with(""));
    axum::response::Html(page.into_string()).into_response()
}

/// A plain-text refusal in Vietnamese.
fn refuse(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.to_string(),
    )
        .into_response()
}

/// Who sent a request: the role its token gives (or the district's, on loopback without a token)
/// and the address it came from (for the log).
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: super::roles::Role,
    pub remote: String,
}

/// Every request passes here: host check, a link being opened, the token and the role it gives,
/// same-origin POSTs, then the security headers on whatever the handler answers. What a role may
/// reach is each route's declaration ([`super::routes`]).
pub async fn gate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string();
    if state.loopback && !is_loopback_host(&host) {
        return secured(refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "Trang này chỉ mở được tại http://127.0.0.1 trên chính máy này.",
        ));
    }
    let remote = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_default();
    if let Some(answer) = link_opened(&state, &request) {
        return secured(answer);
    }
    if request.method() == Method::GET && super::routes::is_public(request.uri().path()) {
        return secured(next.run(request).await);
    }
    // Each token is looked up only when presented, the cookie only without a bearer token.
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .and_then(|given| state.role_of(given.trim()));
    let bearer_proven = bearer.is_some();
    let role =
        bearer.or_else(|| cookie(headers, TOKEN_COOKIE).and_then(|given| state.role_of(given)));
    let role = match role {
        Some(role) => role,
        None if !state.requires_token() => super::roles::Role::District,
        None => {
            let problem = super::problem::Problem::new(
                StatusCode::UNAUTHORIZED,
                "Trang này cần đường dẫn riêng của bạn: mở đường dẫn (có ?token=…) mà Công an \
                 huyện đã gửi. Chưa có, hoặc đường dẫn cũ không còn dùng được: xin Công an huyện \
                 cấp đường dẫn mới. (Chương trình gửi tiêu đề Authorization: Bearer ….)",
            );
            let api = request.uri().path().starts_with("/api/");
            return secured(if api {
                super::problem::json_problem(problem)
            } else {
                problem.into_response()
            });
        }
    };
    let caller = Caller { role, remote };
    if request.method() == Method::POST {
        if cross_site(request.headers(), &host) {
            return secured(refuse(
                StatusCode::FORBIDDEN,
                "Từ chối: yêu cầu gửi từ trang khác, không phải từ trang của vneid-recon.",
            ));
        }
        let header_token = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|given| same_secret(given, &state.csrf_for(&caller.role)));
        request
            .extensions_mut()
            .insert(PostProven(bearer_proven || header_token));
    }
    request.extensions_mut().insert(caller);
    secured(next.run(request).await)
}

/// A link opened (`GET …?token=T` with a valid token): its token moves into the cookie and the
/// browser is sent to the same page without it. Where the browser already holds another role's,
/// the visitor is asked first (issue 35): a link sent in a chat must not silently turn the district
/// officer's browser into a clerk's, or the other way round. `None`: not a link being opened.
fn link_opened(state: &AppState, request: &Request) -> Option<Response> {
    let (given, rest) = split_token(request.uri().query().unwrap_or(""));
    let given = given.filter(|_| request.method() == Method::GET)?;
    let opened = state.role_of(&given)?;
    let headers = request.headers();
    let (confirmed, rest) = split_flag(&rest, SWITCH_FLAG);
    let held = cookie(headers, TOKEN_COOKIE).and_then(|kept| state.role_of(kept));
    let asked_here = confirmed && same_origin_navigation(headers);
    if let Some(held) = held.filter(|held| *held != opened && !asked_here) {
        let path = request.uri().path();
        return Some(switch_page(state, (&held, &opened), path, &rest, &given));
    }
    Some(token_accepted(request.uri().path(), &rest, &given))
}

/// A POST a browser says comes from another site: by `Sec-Fetch-Site` where the browser sends it,
/// else by an `Origin` that is not this host (`null`, sent by privacy settings, leaves it to the
/// same-origin token).
fn cross_site(headers: &HeaderMap, host: &str) -> bool {
    let text = |name: &str| headers.get(name).and_then(|h| h.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match text("origin") {
        None | Some("null") => false,
        Some(origin) => {
            let origin_host = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .unwrap_or("");
            origin_host != host
        }
    }
}

/// `?token=T` was right: keep it in an HttpOnly cookie and show the same page without it in the
/// address bar (so it is not bookmarked or shared with the link).
fn token_accepted(path: &str, rest: &str, token: &str) -> Response {
    let path = same_origin_path(path);
    let location = if rest.is_empty() {
        path
    } else {
        format!("{path}?{rest}")
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
    )) {
        headers.insert(header::SET_COOKIE, value);
    }
    response
}

/// The security headers every answer carries.
fn secured(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Whether an address is loopback (no token needed there).
pub fn is_loopback(address: &SocketAddr) -> bool {
    address.ip().is_loopback()
}

/// A requested path inside a folder of results (`don-vi/<force>/x.xlsx`), as its plain components
/// (at most three): none
/// empty, none `.` or `..`, none hidden, no backslash or control characters. `None` refuses it.
pub fn safe_relative_path(path: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = path.split('/').collect();
    let plain = |part: &&str| {
        !part.is_empty()
            && !part.starts_with('.')
            && !part.contains('\\')
            && !part.chars().any(char::is_control)
    };
    (!parts.is_empty() && parts.len() <= 3 && parts.iter().all(plain)).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_paths_stay_inside_the_day_folder() {
        let table: [(&str, Option<Vec<&str>>); 10] = [
            (
                "tong-hop-2024-01-15.xlsx",
                Some(vec!["tong-hop-2024-01-15.xlsx"]),
            ),
            (
                "don-vi/Đoàn xã Ta Ma.xlsx",
                Some(vec!["don-vi", "Đoàn xã Ta Ma.xlsx"]),
            ),
            (
                "don-vi/cong-an/ca-xa.xlsx",
                Some(vec!["don-vi", "cong-an", "ca-xa.xlsx"]),
            ),
            ("../vneid-recon.toml", None),
            ("don-vi/../../x", None),
            ("/etc/passwd", None),
            (".lock", None),
            ("a\\..\\b", None),
            ("a//b", None),
            ("a/b/c/d", None),
        ];
        for (given, expected) in table {
            assert_eq!(safe_relative_path(given), expected, "{given:?}");
        }
    }

    #[test]
    fn tokens_and_hosts() {
        assert!(is_loopback_host("127.0.0.1:8686"));
        assert!(is_loopback_host("localhost:8686"));
        assert!(is_loopback_host("[::1]:8686"));
        assert!(!is_loopback_host("evil.example:8686"));
        assert!(!is_loopback_host("127.0.0.1.evil.example"));
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, HeaderValue::from_static(value));
            }
            map
        };
        let host = "127.0.0.1:8686";
        assert!(!cross_site(&headers(&[]), host), "a script");
        assert!(!cross_site(
            &headers(&[("sec-fetch-site", "same-origin"), ("origin", "null")]),
            host
        ));
        assert!(cross_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            host
        ));
        assert!(cross_site(
            &headers(&[("sec-fetch-site", "same-site")]),
            host
        ));
        assert!(cross_site(
            &headers(&[("origin", "http://evil.example")]),
            host
        ));
        assert!(!cross_site(
            &headers(&[("origin", "http://127.0.0.1:8686")]),
            host
        ));
        assert_eq!(
            split_token("date=2024-01-15&token=abc"),
            (Some("abc".to_string()), "date=2024-01-15".to_string())
        );
        assert_eq!(
            split_flag("date=2024-01-15&doi-vai-tro=1", SWITCH_FLAG),
            (true, "date=2024-01-15".to_string())
        );
        assert_eq!(
            split_flag("date=1", SWITCH_FLAG),
            (false, "date=1".to_string())
        );
    }

    #[test]
    fn redirects_stay_on_this_origin() {
        let table = [
            ("/", "/"),
            ("/nhan-bao-cao", "/nhan-bao-cao"),
            ("//other-host/", "/other-host/"),
            ("///other-host", "/other-host"),
            ("/\\other-host/", "/other-host/"),
            ("/a\\b", "/"),
            ("", "/"),
        ];
        for (given, expected) in table {
            assert_eq!(same_origin_path(given), expected, "{given:?}");
        }
    }
}
