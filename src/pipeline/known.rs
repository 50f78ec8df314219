//! What the workspace knew before a day (the master list, the assignments, the earlier reports),
//! read once and shared by every upload while those files stay as they are (issue 26): in the last
//! minutes before 17:00 a hundred clerks send a small file each, and each answer must not re-read
//! a province's lists.
//!
//! Guarantees: an answer is never checked against stale lists — the cache is keyed by the day and
//! by the size and modification time of every file the reading would see (settings, lists,
//! appendix, the earlier days' reports); requests arriving while it is being read wait for that one
//! reading instead of starting their own.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::jobs::{self, JobError};
use super::{Context, Stages};

/// The last reading, by day and fingerprint.
#[derive(Default)]
pub struct KnownCache {
    last: Mutex<Option<(NaiveDate, String, Arc<Stages>)>>,
}

impl KnownCache {
    /// What the workspace knew before the context's day: the cached reading while nothing it read
    /// changed, else a new one (the lock is held while reading, so concurrent callers share it).
    pub fn get(&self, context: &Context) -> Result<Arc<Stages>, JobError> {
        let fingerprint = jobs::known_fingerprint(&context.workspace, context.as_of);
        let mut last = self
            .last
            .lock()
            .map_err(|_| JobError::CannotRun(anyhow::anyhow!("bộ nhớ đệm của trang bị hỏng")))?;
        if let Some((day, print, stages)) = &*last
            && *day == context.as_of
            && *print == fingerprint
        {
            return Ok(Arc::clone(stages));
        }
        // Drop the old reading first: a province's lists are large.
        *last = None;
        let stages = Arc::new(jobs::known_before(context)?);
        *last = Some((context.as_of, fingerprint, Arc::clone(&stages)));
        Ok(stages)
    }
}
