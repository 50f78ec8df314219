//! Progress as of the run date (SPEC §6, §11.6-§11.10) for every unit, force × commune, force,
//! commune and the district. polars does the counting: the per-unit group-by over counted claims
//! (total, today, the 7-day window, the last credited day), the per-unit assigned counts and the
//! force × commune sums; [`Metrics::compute`] does the arithmetic.

use std::collections::HashSet;

use chrono::NaiveDate;
use polars::prelude::*;

use super::claims::Claims;
use super::metrics::{Counts, Metrics};
use crate::assign::Assignments;
use crate::assign::directory::Units;
use crate::assign::epoch_days;
use crate::assign::master::Master;
use crate::ix::{CommuneIx, ForceCommuneGrid, ForceIx, UnitIx};
use crate::settings::Settings;

/// A unit's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitProgress {
    pub unit: UnitIx,
    pub metrics: Metrics,
    pub reported_today: bool,
    pub zero_days: u64,
    /// 1 = best within its force (percent, then activated, descending; ties share a rank).
    pub rank: u32,
}

/// Progress of a force × commune cell, a force (commune `None`) or a commune (force `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupProgress {
    pub force: Option<ForceIx>,
    pub commune: Option<CommuneIx>,
    pub metrics: Metrics,
}

/// Everything the progress sheets and `summary.json` show.
#[derive(Debug, Clone)]
pub struct Progress {
    pub units: Vec<UnitProgress>,
    pub by_force_commune: Vec<GroupProgress>,
    pub by_force: Vec<GroupProgress>,
    pub by_commune: Vec<GroupProgress>,
    pub district: Metrics,
}

/// What progress is computed from.
pub struct ProgressInputs<'a> {
    pub settings: &'a Settings,
    pub as_of: NaiveDate,
    pub units: &'a Units,
    pub master: &'a Master,
    pub assignments: &'a Assignments,
    pub claims: &'a Claims,
    /// Targets per (force, commune) from `targets.xlsx`, when there is one.
    pub targets: Option<&'a crate::ingest::targets::Targets>,
    /// The first report day read, which bounds `zero_days`.
    pub first_report_day: Option<NaiveDate>,
}

/// Per-unit counts from polars, indexed by unit.
struct UnitCounts {
    counts: Vec<Counts>,
    last_credit_day: Vec<Option<i32>>,
}

/// The two tables the per-unit query starts from: every counted claim's (credited unit, day) and
/// every assigned master citizen's unit.
fn credit_and_assignment_frames(
    inputs: &ProgressInputs<'_>,
) -> PolarsResult<(DataFrame, DataFrame)> {
    let credited: Vec<(u32, i32)> = inputs
        .claims
        .claims
        .iter()
        .filter_map(|c| c.credited_unit.map(|u| (u.as_u32(), epoch_days(c.date))))
        .collect();
    let credits = df!(
        "unit" => credited.iter().map(|c| c.0).collect::<Vec<u32>>(),
        "day" => credited.iter().map(|c| c.1).collect::<Vec<i32>>(),
    )?;
    let assigned_units: Vec<u32> = inputs
        .master
        .citizens
        .iter()
        .filter_map(|c| {
            inputs
                .assignments
                .winners
                .get(&c.id)
                .map(|w| w.unit.as_u32())
        })
        .collect();
    Ok((credits, df!("unit" => assigned_units)?))
}

/// Each unit's counts, from one polars query (a single lazy plan over every unit, left-joined with
/// its assigned citizens and its credits).
fn unit_counts(inputs: &ProgressInputs<'_>) -> PolarsResult<UnitCounts> {
    let today = epoch_days(inputs.as_of);
    let unit_count = inputs.units.list.len();
    let (credits, assigned) = credit_and_assignment_frames(inputs)?;
    let units = df!("unit" => (0..unit_count as u32).collect::<Vec<u32>>())?;
    let left = || JoinArgs::new(JoinType::Left);
    let frame = units
        .lazy()
        .join(
            assigned
                .lazy()
                .group_by([col("unit")])
                .agg([len().cast(DataType::UInt64).alias("assigned")]),
            [col("unit")],
            [col("unit")],
            left(),
        )
        .join(
            credits.lazy().group_by([col("unit")]).agg([
                len().cast(DataType::UInt64).alias("activated"),
                col("day")
                    .eq(lit(today))
                    .cast(DataType::UInt64)
                    .sum()
                    .alias("today"),
                col("day")
                    .gt_eq(lit(today - 6))
                    .cast(DataType::UInt64)
                    .sum()
                    .alias("last_7_days"),
                col("day").max().alias("last_day"),
            ]),
            [col("unit")],
            [col("unit")],
            left(),
        )
        .sort(["unit"], SortMultipleOptions::default())
        .collect()?;
    let column = |name: &str| -> PolarsResult<Vec<u64>> {
        Ok(frame
            .column(name)?
            .u64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let (assigned, activated, today, last_7) = (
        column("assigned")?,
        column("activated")?,
        column("today")?,
        column("last_7_days")?,
    );
    let counts = (0..unit_count)
        .map(|i| Counts {
            target: assigned[i],
            assigned: assigned[i],
            activated: activated[i],
            activated_today: today[i],
            last_7_days: last_7[i],
        })
        .collect();
    let last_credit_day = frame.column("last_day")?.i32()?.iter().collect();
    Ok(UnitCounts {
        counts,
        last_credit_day,
    })
}

/// Computes progress for every level.
pub fn compute(inputs: &ProgressInputs<'_>) -> PolarsResult<Progress> {
    let (as_of, deadline) = (inputs.as_of, inputs.settings.deadline);
    let per_unit = unit_counts(inputs)?;
    let mut units = unit_progress(inputs, &per_unit);
    rank_within_forces(&mut units, inputs.units);
    let cells = force_commune_cells(inputs, &per_unit);
    let group = |force, commune, counts| GroupProgress {
        force,
        commune,
        metrics: Metrics::compute(counts, as_of, deadline),
    };
    let by_force_commune = cells
        .planned
        .cells()
        .map(|(f, c, counts)| group(Some(f), Some(c), *counts))
        .collect();
    let by_force = (inputs.settings.force_ixs())
        .map(|f| group(Some(f), None, cells.force_total(f)))
        .collect();
    let by_commune = (inputs.settings.commune_ixs())
        .map(|c| group(None, Some(c), cells.commune_total(c)))
        .collect();
    let district = district_counts(inputs, &cells.planned);
    Ok(Progress {
        units,
        by_force_commune,
        by_force,
        by_commune,
        district: Metrics::compute(district, as_of, deadline),
    })
}

/// Each unit's metrics, whether it reported today and its days without a result.
fn unit_progress(inputs: &ProgressInputs<'_>, per_unit: &UnitCounts) -> Vec<UnitProgress> {
    let (as_of, deadline) = (inputs.as_of, inputs.settings.deadline);
    let reported: HashSet<UnitIx> = inputs
        .claims
        .claims
        .iter()
        .filter(|c| c.date == as_of)
        .map(|c| c.unit)
        .collect();
    UnitIx::all(inputs.units.list.len())
        .map(|unit| UnitProgress {
            unit,
            metrics: Metrics::compute(per_unit.counts[unit.get()], as_of, deadline),
            reported_today: reported.contains(&unit),
            zero_days: zero_days(
                per_unit.last_credit_day[unit.get()],
                as_of,
                inputs.first_report_day,
            ),
            rank: 0,
        })
        .collect()
}

/// The units' counts summed per force × commune (SPEC §11.7), with the targets of the appendix
/// when there is one, and each force's activity wherever its units' communes are.
struct Cells {
    planned: ForceCommuneGrid<Counts>,
    /// Activations of each force's units, including units of no known commune, by force.
    force_activity: Vec<Counts>,
}

impl Cells {
    /// A force's targets and assignments from its cells, its activations from all its units.
    fn force_total(&self, force: ForceIx) -> Counts {
        let planned = self
            .planned
            .row(force)
            .iter()
            .fold(Counts::default(), |sum, c| {
                sum + Counts {
                    target: c.target,
                    assigned: c.assigned,
                    ..Counts::default()
                }
            });
        Counts {
            target: planned.target,
            assigned: planned.assigned,
            ..self.force_activity[force.get()]
        }
    }

    /// A commune's cells summed over the forces.
    fn commune_total(&self, commune: CommuneIx) -> Counts {
        self.planned
            .cells()
            .filter(|(_, c, _)| *c == commune)
            .fold(Counts::default(), |sum, (_, _, counts)| sum + *counts)
    }
}

fn force_commune_cells(inputs: &ProgressInputs<'_>, per_unit: &UnitCounts) -> Cells {
    let force_count = inputs.settings.forces.len();
    let commune_count = inputs.settings.communes.len();
    let mut planned = ForceCommuneGrid::new(force_count, commune_count, Counts::default());
    let mut force_activity = vec![Counts::default(); force_count];
    for (unit, counts) in inputs.units.list.iter().zip(&per_unit.counts) {
        let activity = &mut force_activity[unit.force.get()];
        *activity = *activity
            + Counts {
                target: 0,
                assigned: 0,
                ..*counts
            };
        if let Some(commune) = unit.commune {
            let cell = planned.get_mut(unit.force, commune);
            *cell = *cell + *counts;
        }
    }
    if let Some(targets) = inputs.targets {
        for (force, commune, cell) in planned.cells_mut() {
            cell.target = targets.get(&(force, commune)).copied().unwrap_or(0);
        }
    }
    Cells {
        planned,
        force_activity,
    }
}

/// District totals (SPEC §11.8): the target is the sum of the force × commune targets; activations
/// are every counted claim, wherever credited.
fn district_counts(inputs: &ProgressInputs<'_>, cells: &ForceCommuneGrid<Counts>) -> Counts {
    let planned = cells
        .cells()
        .fold(Counts::default(), |sum, (_, _, c)| sum + *c);
    let counted: Vec<&super::claims::Claim> = inputs
        .claims
        .claims
        .iter()
        .filter(|c| c.credited_unit.is_some())
        .collect();
    let window_start = inputs.as_of - chrono::Duration::days(6);
    Counts {
        target: planned.target,
        assigned: inputs
            .master
            .citizens
            .iter()
            .filter(|c| inputs.assignments.winners.contains_key(&c.id))
            .count() as u64,
        activated: counted.len() as u64,
        activated_today: counted.iter().filter(|c| c.date == inputs.as_of).count() as u64,
        last_7_days: counted.iter().filter(|c| c.date >= window_start).count() as u64,
    }
}

/// Consecutive days ending at the as-of date, back to the first report day, with nothing credited.
fn zero_days(
    last_credit: Option<i32>,
    as_of: NaiveDate,
    first_report_day: Option<NaiveDate>,
) -> u64 {
    let Some(first) = first_report_day.filter(|f| *f <= as_of) else {
        return 0;
    };
    let today = epoch_days(as_of);
    let before_first = epoch_days(first) - 1;
    let last_busy = last_credit.map_or(before_first, |d| d.max(before_first));
    (today - last_busy).max(0) as u64
}

/// Ranks units within each force by percent, then activated, descending; equal keys share a rank.
fn rank_within_forces(progress: &mut [UnitProgress], units: &Units) {
    let key = |p: &UnitProgress| (p.metrics.percent.unwrap_or(0.0), p.metrics.activated);
    let mut order: Vec<usize> = (0..progress.len()).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key(&progress[a]), key(&progress[b]));
        let force = |i: usize| units.get(progress[i].unit).force;
        force(a)
            .cmp(&force(b))
            .then(kb.0.total_cmp(&ka.0))
            .then(kb.1.cmp(&ka.1))
    });
    let mut previous: Option<(ForceIx, (f64, u64))> = None;
    let mut rank = 0;
    for &index in &order {
        let force = units.get(progress[index].unit).force;
        let this = key(&progress[index]);
        let first_of_force = previous.is_none_or(|(f, _)| f != force);
        if first_of_force {
            rank = 1;
        } else if previous.is_some_and(|(_, k)| k != this) {
            rank += 1;
        }
        progress[index].rank = rank;
        previous = Some((force, this));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, d).expect("a January day")
    }

    #[test]
    fn zero_days_counts_back_to_the_first_report_day() {
        assert_eq!(
            zero_days(Some(epoch_days(day(15))), day(15), Some(day(1))),
            0
        );
        assert_eq!(
            zero_days(Some(epoch_days(day(12))), day(15), Some(day(1))),
            3
        );
        assert_eq!(zero_days(None, day(15), Some(day(10))), 6);
        assert_eq!(zero_days(None, day(15), None), 0);
    }
}
