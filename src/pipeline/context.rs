//! One resolved value per command invocation: the workspace, its settings, the as-of date, "now" in
//! Vietnam, whether the run is provisional, whether the unit cutoff has passed, and the environment
//! knobs. Built once at the command's edge; nothing below reads the clock or the environment.

use std::path::PathBuf;

use crate::workspace::Workspace;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};

use crate::settings::Settings;

/// Parses an as-of day as a user types it: `YYYY-MM-DD` or day-first `DD/MM/YYYY` (the flags, the
/// page's `?date=`).
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    match crate::normalize::date::from_text(text, crate::normalize::date::YearAlone::NotAllowed) {
        Some(crate::normalize::date::DateValue::Day(day)) => Ok(day),
        _ => Err(format!(
            "ngày \"{text}\" không hợp lệ; dùng dạng 2024-01-15 hoặc 15/01/2024"
        )),
    }
}

/// Settings from the environment, read once by the command layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Knobs {
    /// How long a command waits for another one holding the workspace lock: 10 s, or
    /// `VNEID_LOCK_WAIT` seconds.
    pub lock_wait: Duration,
    /// Print stage durations to standard error (`VNEID_TIMINGS`, read by the benchmark).
    pub timings: bool,
    /// How files are read (the executable that probes OLE2 files in a child process).
    pub read_options: crate::ingest::ReadOptions,
    /// `--protect`: lock the workbooks that carry personal data (also `[protect]` in the settings).
    pub protect: bool,
    /// `VNEID_PASSWORD`: stands in for `mat-khau.toml`'s `district`.
    pub password: Option<crate::protect::Secret>,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            lock_wait: Duration::from_secs(10),
            timings: false,
            read_options: crate::ingest::ReadOptions::default(),
            protect: false,
            password: None,
        }
    }
}

/// Everything a command needs to know about its invocation, resolved once.
#[derive(Debug, Clone)]
pub struct Context {
    pub workspace: Workspace,
    pub settings: Settings,
    /// The day the run is for (`--date`, default today in Vietnam).
    pub as_of: NaiveDate,
    /// Now, in Vietnam (UTC+7).
    pub now: NaiveDateTime,
    /// A run for today before the district cutoff (20:00): every output says "tạm tính".
    pub provisional: bool,
    /// The check of a report for today after the unit cutoff (17:00): the clerk is reminded.
    pub unit_cutoff_passed: bool,
    pub knobs: Knobs,
    /// The workspace's passwords (`mat-khau.toml`, `VNEID_PASSWORD`); the received ones are also
    /// in `knobs.read_options`.
    pub passwords: crate::protect::Passwords,
    /// Lock the workbooks that carry personal data (`--protect` or `[protect]`).
    pub protect: bool,
}

impl Context {
    /// Resolves an invocation: `date` defaults to today in Vietnam.
    pub fn new(
        workspace: PathBuf,
        settings: Settings,
        date: Option<NaiveDate>,
        now: NaiveDateTime,
        knobs: Knobs,
    ) -> Self {
        let as_of = date.unwrap_or(now.date());
        let protect = knobs.protect || settings.protect;
        Self {
            protect,
            passwords: crate::protect::Passwords::default(),
            provisional: as_of == now.date()
                && !cutoff_passed(now, as_of, settings.district_cutoff),
            unit_cutoff_passed: cutoff_passed(now, as_of, settings.unit_cutoff),
            workspace: Workspace::new(workspace),
            settings,
            as_of,
            now,
            knobs,
        }
    }

    /// `out/YYYY-MM-DD/` of the workspace.
    pub fn out_dir(&self) -> PathBuf {
        self.workspace.out_day(self.as_of)
    }
}

/// True when `as_of` is today and the cutoff time of the day has passed.
pub fn cutoff_passed(now: NaiveDateTime, as_of: NaiveDate, cutoff: chrono::NaiveTime) -> bool {
    as_of == now.date() && now.time() >= cutoff
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str, time: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{day} {time}"), "%Y-%m-%d %H:%M").expect("a moment")
    }

    #[test]
    fn provisional_and_cutoffs_are_decided_once() {
        let settings = crate::settings::template();
        let day = NaiveDate::from_ymd_opt(2024, 1, 15);
        let resolve = |now| Context::new(".".into(), settings.clone(), day, now, Knobs::default());
        let morning = resolve(at("2024-01-15", "09:00"));
        assert!(morning.provisional && !morning.unit_cutoff_passed);
        let evening = resolve(at("2024-01-15", "18:00"));
        assert!(evening.provisional && evening.unit_cutoff_passed);
        let night = resolve(at("2024-01-15", "20:00"));
        assert!(!night.provisional && night.unit_cutoff_passed);
        let next_day = resolve(at("2024-01-16", "09:00"));
        assert!(!next_day.provisional && !next_day.unit_cutoff_passed);
        assert_eq!(next_day.out_dir(), std::path::Path::new("./out/2024-01-15"));
    }
}
