//! Who sent a report (the office page's intake): the force and the unit a file's rows name, or its
//! file name. The same naming as `run`'s ([`Naming`]), so a stored report lands in the folder of the
//! force `run` will credit.

use std::collections::BTreeMap;

use super::directory::{ForceMatcher, Naming};
use crate::ingest::FileReport;
use crate::ix::ForceIx;
use crate::normalize::text::fold;

/// The force the rows name: their force column, else a unit column starting with a force's unit
/// label ("Đoàn xã Ta Ma"); the most frequent wins (ties to the first force).
pub fn force_of_content(
    report: &FileReport,
    forces: &ForceMatcher,
    settings: &crate::settings::Settings,
) -> Option<ForceIx> {
    let labels: Vec<String> = settings
        .forces
        .iter()
        .map(|f| fold(&f.unit_label))
        .collect();
    let mut votes = vec![0usize; settings.forces.len()];
    for row in &report.rows {
        let by_column = forces.resolve(row.fields.force.as_deref(), None);
        let by_unit = || {
            let unit = fold(row.fields.unit.as_deref()?);
            labels
                .iter()
                .position(|label| !label.is_empty() && starts_with_words(&unit, label))
                .map(ForceIx::new)
        };
        if let Some(force) = by_column.or_else(by_unit) {
            votes[force.get()] += 1;
        }
    }
    most_voted(&votes)
}

/// The rows whose force column names a force other than `own` (SPEC §11.4 would credit that
/// force), with the force each names: what a force's link may not file (issue 35).
pub fn rows_of_other_forces<'r>(
    report: &'r FileReport,
    own: ForceIx,
    forces: &ForceMatcher,
) -> Vec<(&'r crate::ingest::InputRow, ForceIx)> {
    report
        .rows
        .iter()
        .filter_map(|row| {
            let named = forces.resolve(row.fields.force.as_deref(), None)?;
            (named != own).then_some((row, named))
        })
        .collect()
}

/// The force a file name starts with: its id (`cong-an-xa-….xlsx`) or its unit label
/// (`doan-thi-tran-….xlsx`).
pub fn force_of_name(name: &str, settings: &crate::settings::Settings) -> Option<ForceIx> {
    let key = fold(name);
    let found = settings.forces.iter().position(|force| {
        [fold(&force.id), fold(&force.unit_label)]
            .iter()
            .any(|prefix| !prefix.is_empty() && starts_with_words(&key, prefix))
    });
    found.map(ForceIx::new)
}

fn starts_with_words(text: &str, prefix: &str) -> bool {
    text == prefix || text.starts_with(&format!("{prefix} "))
}

fn most_voted(votes: &[usize]) -> Option<ForceIx> {
    let best = *votes.iter().max()?;
    (best > 0)
        .then(|| votes.iter().position(|&v| v == best))
        .flatten()
        .map(ForceIx::new)
}

/// The unit most rows name, as `run` names it.
pub fn unit_of_content(report: &FileReport, force: ForceIx, naming: &Naming<'_>) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for row in &report.rows {
        let (unit, _) = naming.unit_of(
            force,
            row.fields.unit.as_deref(),
            row.fields.commune.as_deref(),
        );
        if !unit.trim().is_empty() {
            *counts.entry(unit).or_default() += 1;
        }
    }
    let best = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(unit, _)| unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_named_force_wins() {
        assert_eq!(most_voted(&[0, 3, 3, 1]), Some(ForceIx::new(1)));
        assert_eq!(most_voted(&[0, 0]), None);
        assert!(starts_with_words("doan xa ta ma", "doan"));
        assert!(!starts_with_words("doanh nghiep", "doan"));
    }
}
