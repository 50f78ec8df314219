//! What the page keeps while it runs: the workspace, the environment's knobs, the settings and the
//! links (read again only when their files change), the log, the reading of what was known before
//! a day, the same-origin secret, the run's progress and each force link's daily row count.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};

use chrono::NaiveDate;

use super::problem::Problem;
use super::roles::Role;
use crate::fsio::Watched;
use crate::pipeline::jobs::{self, JobError};
use crate::pipeline::journal::{self, Action, Journal};
use crate::pipeline::known::KnownCache;
use crate::pipeline::links::Links;
use crate::pipeline::{Context, Knobs, receive};
use crate::settings::Settings;
use crate::workspace::Workspace;

/// The server's shared state.
#[derive(Clone)]
pub struct AppState(pub(super) Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// How far the current run has read.
#[derive(Default)]
pub struct RunProgress {
    pub active: AtomicBool,
    pub read: AtomicUsize,
    pub total: AtomicUsize,
}

pub struct Shared {
    pub workspace: Workspace,
    pub knobs: Knobs,
    /// A district token from the command line, beside the links of `lien-ket.toml`.
    pub extra_token: Option<String>,
    settings: Watched<Settings>,
    links: Watched<Links>,
    pub journal: Journal,
    /// What the workspace knew before a day, shared by every upload while the lists stay.
    pub known: KnownCache,
    /// The secret the same-origin tokens are derived from ([`Shared::csrf_for`]).
    pub csrf: String,
    /// Listening on loopback: only loopback host names are answered, and no token is needed.
    pub loopback: bool,
    /// Held while this server runs a consolidation or makes forms.
    pub running: tokio::sync::Mutex<()>,
    pub progress: RunProgress,
    /// Rows each force's link had read today (issue 35), by role code: (day, rows).
    force_rows: receive::DailyRows,
}

impl Shared {
    pub fn new(
        workspace: Workspace,
        knobs: Knobs,
        extra_token: Option<String>,
        csrf: String,
        loopback: bool,
    ) -> Self {
        Self {
            journal: Journal::new(&workspace),
            workspace,
            knobs,
            extra_token,
            settings: Watched::default(),
            links: Watched::default(),
            known: KnownCache::default(),
            csrf,
            loopback,
            running: tokio::sync::Mutex::new(()),
            progress: RunProgress::default(),
            force_rows: receive::DailyRows::default(),
        }
    }

    /// The workspace's settings, read again only when `vneid-recon.toml` changed.
    pub fn settings(&self) -> Result<Arc<Settings>, Problem> {
        self.settings
            .get(&self.workspace.settings_file(), || {
                jobs::load_settings(self.workspace.root())
            })
            .map_err(Problem::from)
    }

    /// A request's context for a day: the workspace's settings as they are now.
    pub fn context(&self, date: NaiveDate) -> Result<Context, JobError> {
        jobs::resolve(
            self.workspace.root(),
            Some(date),
            crate::vietnam_now(),
            self.knobs.clone(),
        )
    }

    /// Off loopback every request needs a token.
    pub fn requires_token(&self) -> bool {
        !self.loopback
    }

    /// The role a token opens, if any (the links read again only when `lien-ket.toml` changed).
    pub fn role_of(&self, token: &str) -> Option<Role> {
        if self
            .extra_token
            .as_deref()
            .is_some_and(|extra| crate::secret::same_secret(token, extra))
        {
            return Some(Role::District);
        }
        let links = self
            .links
            .get(&self.workspace.links_file(), || {
                Links::load(self.workspace.root())
            })
            .ok()?;
        let settings = self.settings().ok()?;
        Role::of_link(links.role_of(token, &settings)?, &settings)
    }

    /// What a role may do, for a refusal.
    pub fn refusal(&self, role: &Role) -> String {
        match self.settings() {
            Ok(settings) => role.refusal(&settings),
            Err(_) => "Việc này chỉ Công an huyện làm được.".to_string(),
        }
    }

    /// A role's name as the page says it.
    pub fn label(&self, role: &Role) -> String {
        match self.settings() {
            Ok(settings) => role.label(&settings),
            Err(_) => role.code().to_string(),
        }
    }

    /// The same-origin token a role's POSTs carry: one per role (issue 35), so a token seen in one
    /// clerk's page proves nothing for another role's requests.
    pub fn csrf_for(&self, role: &Role) -> String {
        let derived =
            crate::secret::hex_sha256(format!("{}\n{}", self.csrf, role.code()).as_bytes());
        derived[..32].to_string()
    }

    /// Appends an event to the log.
    pub fn record(
        &self,
        caller: &super::guard::Caller,
        action: Action,
        file: Option<&str>,
        sha256: Option<&str>,
        outcome: &str,
    ) {
        self.journal.record(&journal::Event {
            time: journal::now_text(),
            role: caller.role.code().to_string(),
            action,
            file: file.map(str::to_string),
            sha256: sha256.map(str::to_string),
            outcome: outcome.to_string(),
            remote: caller.remote.clone(),
        });
    }

    /// Rows a force's link may still have read today; `None` for the district.
    pub fn rows_left(&self, role: &Role) -> Option<u64> {
        role.force()?;
        Some(self.force_rows.left(role.code(), crate::today_in_vietnam()))
    }

    /// Counts rows a force's link had read.
    pub fn count_rows(&self, role: &Role, rows: u64) {
        if role.force().is_some() {
            self.force_rows
                .count(role.code(), rows, crate::today_in_vietnam());
        }
    }
}
