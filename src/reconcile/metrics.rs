//! The progress arithmetic of SPEC §6 and §11.10 for one entity (unit, force × commune, force,
//! commune, district), exact and in one place.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

crate::code_set! {
    /// done / on track / behind (SPEC §6).
    pub enum Status {
        Done = "done" => "Hoàn thành",
        OnTrack = "on_track" => "Đúng tiến độ",
        Behind = "behind" => "Chậm tiến độ",
    }
}

/// What a summary written without a status reads as.
impl Default for Status {
    fn default() -> Self {
        Self::Behind
    }
}

impl Status {
    /// The Vietnamese label for workbooks and messages.
    pub fn label(self) -> &'static str {
        self.explanation()
    }
}

crate::code_set! {
    /// A status as a reader sees it (workbooks, the picture, the page): the [`Status`], except
    /// that where nothing was asked (target 0) it reads "Không giao" in a neutral colour, not a
    /// green "Hoàn thành" a reader would take for finished work (issue 29). `summary.json` keeps
    /// the SPEC's `status`.
    pub enum Shown {
        Done = "done" => "Hoàn thành",
        OnTrack = "on_track" => "Đúng tiến độ",
        Behind = "behind" => "Chậm tiến độ",
        NotAsked = "not_asked" => "Không giao",
    }
}

impl Shown {
    /// How a status with its target is shown.
    pub fn of(status: Status, target: u64) -> Self {
        match status {
            _ if target == 0 => Self::NotAsked,
            Status::Done => Self::Done,
            Status::OnTrack => Self::OnTrack,
            Status::Behind => Self::Behind,
        }
    }

    /// The Vietnamese label.
    pub fn label(self) -> &'static str {
        self.explanation()
    }

    /// (fill, stroke) colours of the workbooks and the picture.
    pub fn colours(self) -> (&'static str, &'static str) {
        match self {
            Self::Done => ("#C6EFCE", "#2E7D32"),
            Self::OnTrack => ("#FFEB9C", "#B7950B"),
            Self::Behind => ("#FFC7CE", "#C00000"),
            Self::NotAsked => ("#EDEDED", "#7F7F7F"),
        }
    }
}

/// The counts an entity's progress is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub target: u64,
    pub assigned: u64,
    pub activated: u64,
    pub activated_today: u64,
    /// Counted over D−6 … D.
    pub last_7_days: u64,
}

impl std::ops::Add for Counts {
    type Output = Counts;
    fn add(self, other: Counts) -> Counts {
        Counts {
            target: self.target.saturating_add(other.target),
            assigned: self.assigned.saturating_add(other.assigned),
            activated: self.activated.saturating_add(other.activated),
            activated_today: self.activated_today.saturating_add(other.activated_today),
            last_7_days: self.last_7_days.saturating_add(other.last_7_days),
        }
    }
}

/// Progress as of a date against the deadline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metrics {
    pub target: u64,
    pub assigned: u64,
    pub activated: u64,
    pub activated_today: u64,
    pub remaining: u64,
    /// activated / target; `None` when the target is 0.
    pub percent: Option<f64>,
    pub days_left: i64,
    /// Days past the deadline (0 up to the deadline day): past it, no daily rate is asked for.
    pub overdue_days: i64,
    pub required_per_day: u64,
    pub pace_7d: f64,
    pub projected_finish: Option<NaiveDate>,
    pub status: Status,
}

impl Metrics {
    /// Computes the metrics of SPEC §6 from counts, as of `as_of` with deadline `deadline`.
    pub fn compute(counts: Counts, as_of: NaiveDate, deadline: NaiveDate) -> Self {
        let remaining = counts.target.saturating_sub(counts.activated);
        let days_left = (deadline - as_of).num_days().max(0);
        let required_per_day = if days_left == 0 {
            remaining
        } else {
            remaining.div_ceil(days_left as u64)
        };
        let c7 = counts.last_7_days;
        let projected_finish = if remaining == 0 {
            Some(as_of)
        } else if c7 == 0 {
            None
        } else {
            // Checked: a hostile target can make the projection leave chrono's range.
            remaining
                .checked_mul(7)
                .map(|days| days.div_ceil(c7))
                .and_then(|days| i64::try_from(days).ok())
                .and_then(Duration::try_days)
                .and_then(|days| as_of.checked_add_signed(days))
        };
        let status = match projected_finish {
            _ if remaining == 0 => Status::Done,
            Some(finish) if finish <= deadline => Status::OnTrack,
            _ => Status::Behind,
        };
        Self {
            target: counts.target,
            assigned: counts.assigned,
            activated: counts.activated,
            activated_today: counts.activated_today,
            remaining,
            percent: (counts.target > 0).then(|| counts.activated as f64 / counts.target as f64),
            days_left,
            overdue_days: (as_of - deadline).num_days().max(0),
            required_per_day,
            pace_7d: c7 as f64 / 7.0,
            projected_finish,
            status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, d).expect("a January day")
    }

    #[test]
    fn arithmetic_is_exact() {
        let counts = Counts {
            target: 100,
            assigned: 100,
            activated: 30,
            activated_today: 5,
            last_7_days: 21,
        };
        let m = Metrics::compute(counts, day(15), day(25));
        assert_eq!(m.remaining, 70);
        assert_eq!(m.days_left, 10);
        assert_eq!(m.required_per_day, 7);
        // 15 + ceil(7·70/21) = 15 + ceil(23.33) = 15 + 24 = 39 January → 8 February: behind.
        assert_eq!(m.projected_finish, NaiveDate::from_ymd_opt(2024, 2, 8));
        assert_eq!(m.status, Status::Behind);
        assert_eq!(m.percent, Some(0.3));
    }

    #[test]
    fn on_track_done_and_no_pace() {
        let counts = Counts {
            target: 10,
            activated: 3,
            last_7_days: 7,
            ..Counts::default()
        };
        let m = Metrics::compute(counts, day(15), day(25));
        assert_eq!(m.projected_finish, Some(day(22)));
        assert_eq!(m.status, Status::OnTrack);
        let done = Metrics::compute(
            Counts {
                target: 10,
                activated: 12,
                ..Counts::default()
            },
            day(15),
            day(25),
        );
        assert_eq!(
            (done.remaining, done.status, done.projected_finish),
            (0, Status::Done, Some(day(15)))
        );
        let idle = Metrics::compute(
            Counts {
                target: 10,
                ..Counts::default()
            },
            day(15),
            day(25),
        );
        assert_eq!((idle.status, idle.projected_finish), (Status::Behind, None));
    }

    #[test]
    fn a_huge_target_has_no_projection_instead_of_a_panic() {
        let m = Metrics::compute(
            Counts {
                target: u64::MAX,
                activated: 0,
                last_7_days: 1,
                ..Counts::default()
            },
            day(15),
            day(25),
        );
        assert_eq!((m.projected_finish, m.status), (None, Status::Behind));
    }

    #[test]
    fn past_the_deadline_everything_is_due_now() {
        let m = Metrics::compute(
            Counts {
                target: 10,
                activated: 4,
                ..Counts::default()
            },
            day(26),
            day(25),
        );
        assert_eq!((m.days_left, m.required_per_day), (0, 6));
        let zero = Metrics::compute(Counts::default(), day(15), day(25));
        assert_eq!((zero.percent, zero.status), (None, Status::Done));
    }
}
