//! Every route of the page, declared once: its method, its path and what a role needs to reach it.
//! The router is built from this table, and each route's declaration is enforced by a layer on
//! that route alone, so the table is the single source of who may reach what (the tests walk every
//! route with every role against it). What a force's clerk sees *on* a route she may reach (her
//! force's units, her force's files) is the handler's business.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use super::guard::Caller;
use super::problem::{Problem, json_problem, not_found};
use super::roles::Role;
use super::state::AppState;
use super::{api, files, handlers};
use crate::pipeline::journal::Action;

/// What a role needs to reach a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// The district officer only.
    District,
    /// Any signed-in role; a force's clerk is shown and may send only her own force's part.
    OwnForce,
    /// Anyone, even without a link: the page's style sheet, script and fonts, so that the answer
    /// to a missing link is laid out too (nothing of the workspace).
    Public,
}

impl Needs {
    /// Whether `role` may reach a route that needs this.
    pub fn allows(self, role: &Role) -> bool {
        match self {
            Needs::District => *role == Role::District,
            Needs::OwnForce | Needs::Public => true,
        }
    }
}

/// Whether a path is a [`Needs::Public`] route's (a GET the gate answers without a role).
pub fn is_public(path: &str) -> bool {
    ROUTES.iter().any(|route| {
        route.needs == Needs::Public
            && route
                .path
                .split_once('{')
                .is_some_and(|(prefix, _)| path.starts_with(prefix))
    })
}

/// One route.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    /// The path as the router writes it (`{date}`, `{*path}` are parameters).
    pub path: &'static str,
    pub needs: Needs,
    endpoint: Endpoint,
}

/// The handler behind a route.
#[derive(Debug, Clone, Copy)]
enum Endpoint {
    Dashboard,
    IntakePage,
    IntakeCheck,
    IntakeSend,
    Journal,
    Run,
    Forms,
    SignOut,
    Download,
    Asset,
    Days,
    Summary,
    Check,
    Reports,
    RunApi,
    RunStatus,
    Csrf,
}

const fn route(
    method: &'static str,
    path: &'static str,
    needs: Needs,
    endpoint: Endpoint,
) -> Route {
    Route {
        method,
        path,
        needs,
        endpoint,
    }
}

/// Every route of the page: one a line, so the table reads as one (hence unformatted).
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route("GET", "/", Needs::OwnForce, Endpoint::Dashboard),
    route("GET", "/nhan-bao-cao", Needs::OwnForce, Endpoint::IntakePage),
    route("POST", "/nhan-bao-cao", Needs::OwnForce, Endpoint::IntakeCheck),
    route("POST", "/nhan-bao-cao/gui", Needs::OwnForce, Endpoint::IntakeSend),
    route("GET", "/nhat-ky", Needs::District, Endpoint::Journal),
    route("POST", "/chay", Needs::District, Endpoint::Run),
    route("POST", "/phieu", Needs::District, Endpoint::Forms),
    route("GET", "/dang-xuat", Needs::OwnForce, Endpoint::SignOut),
    route("GET", "/tai/{date}/{*path}", Needs::OwnForce, Endpoint::Download),
    route("GET", "/static/{name}", Needs::Public, Endpoint::Asset),
    route("GET", "/api/days", Needs::OwnForce, Endpoint::Days),
    route("GET", "/api/summary", Needs::OwnForce, Endpoint::Summary),
    route("POST", "/api/check", Needs::OwnForce, Endpoint::Check),
    route("POST", "/api/reports", Needs::OwnForce, Endpoint::Reports),
    route("POST", "/api/run", Needs::District, Endpoint::RunApi),
    route("GET", "/api/run/status", Needs::OwnForce, Endpoint::RunStatus),
    route("GET", "/api/csrf", Needs::OwnForce, Endpoint::Csrf),
];

/// A request may carry up to this many bytes (several files of at most 20 MB each).
const MAX_REQUEST_BYTES: usize = 16 * crate::pipeline::receive::MAX_UPLOAD_BYTES;

fn handler(endpoint: Endpoint) -> MethodRouter<AppState> {
    match endpoint {
        Endpoint::Dashboard => get(handlers::dashboard),
        Endpoint::IntakePage => get(handlers::intake_page),
        Endpoint::IntakeCheck => post(handlers::intake_check),
        Endpoint::IntakeSend => post(handlers::intake_send),
        Endpoint::Journal => get(handlers::journal),
        Endpoint::Run => post(handlers::run),
        Endpoint::Forms => post(handlers::forms),
        Endpoint::SignOut => get(handlers::sign_out),
        Endpoint::Download => get(files::download),
        Endpoint::Asset => get(files::asset),
        Endpoint::Days => get(api::days),
        Endpoint::Summary => get(api::summary),
        Endpoint::Check => post(api::files::<false>),
        Endpoint::Reports => post(api::files::<true>),
        Endpoint::RunApi => post(api::run),
        Endpoint::RunStatus => get(api::run_status),
        Endpoint::Csrf => get(api::csrf),
    }
}

/// The router: every route of [`ROUTES`] behind its own [`Needs`], then the gate in front of all.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in ROUTES {
        let needs = route.needs;
        let guarded = handler(route.endpoint).route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            move |state, request, next| require(needs, state, request, next),
        ));
        router = router.route(route.path, guarded);
    }
    router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::guard::gate,
        ))
        .with_state(state)
}

/// A route's declaration enforced: a role that does not have what it needs gets 403, saying what
/// it may do, and the refusal is logged.
async fn require(
    needs: Needs,
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if needs == Needs::Public {
        return next.run(request).await;
    }
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    if needs.allows(&caller.role) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_string();
    state.record(&caller, Action::Forbidden, Some(&path), None, "403");
    let problem = Problem::new(StatusCode::FORBIDDEN, state.refusal(&caller.role));
    if path.starts_with("/api/") {
        json_problem(problem)
    } else {
        problem.into_response()
    }
}
