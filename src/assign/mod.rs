//! One officer per citizen (SPEC §6, §11.4-§11.5): assignment rows get their force and unit, rows of
//! the same (citizen, force, unit, officer) are merged into one candidate by a polars group-by, and
//! [`rules`] picks each citizen's winner and explains every loser.

pub mod directory;
pub mod master;
pub mod rules;
pub mod sender;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::codes::RejectReason;
use crate::ingest::{Position, SourcedRow};
use crate::ix::{CommuneIx, ForceIx, UnitIx};
use crate::normalize::id::CitizenId;
use directory::{ForceMatcher, Naming, Officers, UnitCache, Units};
use master::Master;
use rules::{Rule, RuleInputs, deciding_rule, pick_winner};

/// An assignment row and where it sits.
#[derive(Debug, Clone)]
pub struct AssignmentRow {
    pub source: SourcedRow,
    pub is_override: bool,
    /// Its first-level folder under `assignments/` (or under `assignments/overrides/`).
    pub force_folder: Option<String>,
}

/// A row rejected by a later stage than ingest (its force cannot be determined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageReject {
    pub position: Position,
    pub reason: RejectReason,
    /// The row's value that failed (the force column's text, if any).
    pub value: String,
}

/// A candidate officer for a citizen: one or more rows with the same force, unit and officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub force: ForceIx,
    pub unit: UnitIx,
    /// The officer as the candidate's first row names them, shared with that row (empty when the
    /// row names none).
    pub officer: crate::ingest::sheet::Shared,
    /// The officer's id in [`Assignments::officers`] (same id, same officer ignoring spelling).
    pub officer_id: u32,
    pub assigned_on: Option<NaiveDate>,
    pub position: Position,
    pub is_override: bool,
    /// The unit's commune as this candidate's first row gives it.
    pub commune: Option<CommuneIx>,
}

/// A losing candidate, with the winner and the rule that decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub id: CitizenId,
    pub winner: Candidate,
    pub loser: Candidate,
    pub rule: Rule,
}

/// The outcome of assignment.
#[derive(Debug, Clone, Default)]
pub struct Assignments {
    /// The winning candidate of every assigned ID (in the master list or not).
    pub winners: crate::normalize::id::IdMap<Candidate>,
    /// Losers of master citizens, by ID then loser position.
    pub conflicts: Vec<Conflict>,
    /// Master citizens with more than one candidate.
    pub conflicted_citizens: u64,
    /// Assigned IDs that are not in the master list, sorted.
    pub not_in_master: Vec<CitizenId>,
    pub rejects: Vec<StageReject>,
    /// Every officer named by an assignment row.
    pub officers: Officers,
}

/// A row after force and unit resolution, borrowing its texts and position from the row.
struct Resolved<'a> {
    position: &'a Position,
    id: CitizenId,
    force: ForceIx,
    unit: UnitIx,
    officer: &'a crate::ingest::sheet::Shared,
    officer_id: u32,
    commune: Option<CommuneIx>,
    assigned_on: Option<NaiveDate>,
    is_override: bool,
}

/// Every assigned citizen's candidates, before the rules pick a winner: what [`candidates`] finds
/// without the master list, so a run can merge the master list at the same time.
pub struct Candidates {
    /// By citizen, in (ID, position) order.
    by_citizen: Vec<(CitizenId, Vec<Candidate>)>,
    rejects: Vec<StageReject>,
    officers: Officers,
}

/// Resolves forces and units and merges each citizen's rows into candidates. `rows` must be in
/// position order.
pub fn candidates(
    rows: &[AssignmentRow],
    naming: &Naming<'_>,
    units: &mut Units,
) -> Result<Candidates, PolarsError> {
    let forces = ForceMatcher::new(naming.settings);
    let mut unit_cache = UnitCache::default();
    let mut rejects = Vec::new();
    let mut officers = Officers::default();
    let mut resolved = Vec::with_capacity(rows.len());
    let no_officer: crate::ingest::sheet::Shared = "".into();
    for row in rows {
        let fields = &row.source.row.fields;
        let force = match forces.force_of_row(&row.source, row.force_folder.as_deref()) {
            Ok(force) => force,
            Err(reject) => {
                rejects.push(reject);
                continue;
            }
        };
        let (unit, commune) = unit_cache.resolve(
            naming,
            units,
            force,
            fields.unit.as_deref(),
            fields.commune.as_deref(),
        );
        let officer = fields.officer.as_ref().unwrap_or(&no_officer);
        resolved.push(Resolved {
            position: &row.source.position,
            id: row.source.row.id,
            force,
            unit,
            officer,
            officer_id: officers.intern(officer.as_ref()),
            commune,
            assigned_on: fields.assigned_on,
            is_override: row.is_override,
        });
    }
    Ok(Candidates {
        by_citizen: merge_candidates(&resolved)?,
        rejects,
        officers,
    })
}

/// Days since 1970-01-01, the integer form dates take in data frames.
pub fn epoch_days(date: NaiveDate) -> i32 {
    (date - NaiveDate::default()).num_days() as i32
}

fn from_epoch_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::default().checked_add_signed(chrono::Duration::days(days.into()))
}

/// Groups rows by (citizen, unit, officer ignoring case/spacing/form): a unit belongs to one force,
/// so this is the (force, unit, officer) of SPEC §11.5. Each group keeps its first row (rows are in
/// position order, so the smallest index is the smallest position), its earliest date, and whether
/// any row is an override. Returns candidates grouped by citizen, in (ID, position) order.
fn merge_candidates(
    rows: &[Resolved<'_>],
) -> Result<Vec<(CitizenId, Vec<Candidate>)>, PolarsError> {
    // Every key is an integer: the officer's comparison key is interned (`Officers`).
    let frame = df!(
        "id" => rows.iter().map(|r| r.id.as_u64()).collect::<Vec<u64>>(),
        "unit" => rows.iter().map(|r| r.unit.as_u32()).collect::<Vec<u32>>(),
        "officer" => rows.iter().map(|r| r.officer_id).collect::<Vec<u32>>(),
        "row" => (0..rows.len() as u32).collect::<Vec<u32>>(),
        "assigned_on" => rows.iter().map(|r| r.assigned_on.map(epoch_days)).collect::<Vec<Option<i32>>>(),
        "is_override" => rows.iter().map(|r| r.is_override).collect::<Vec<bool>>(),
    )?;
    let grouped = frame
        .lazy()
        .group_by([col("id"), col("unit"), col("officer")])
        .agg([
            col("row").min().alias("first_row"),
            col("assigned_on").min(),
            col("is_override").any(true),
        ])
        .sort(["id", "first_row"], SortMultipleOptions::default())
        .collect()?;
    let ids = grouped.column("id")?.u64()?;
    let first_rows = grouped.column("first_row")?.u32()?;
    let dates = grouped.column("assigned_on")?.i32()?;
    let overrides = grouped.column("is_override")?.bool()?;
    let mut by_citizen: Vec<(CitizenId, Vec<Candidate>)> = Vec::new();
    for index in 0..grouped.height() {
        let (Some(id), Some(first)) = (
            ids.get(index).and_then(CitizenId::from_u64),
            first_rows.get(index),
        ) else {
            continue;
        };
        let row = &rows[first as usize];
        let candidate = Candidate {
            force: row.force,
            unit: row.unit,
            officer: row.officer.clone(),
            officer_id: row.officer_id,
            assigned_on: dates.get(index).and_then(from_epoch_days),
            position: row.position.clone(),
            is_override: overrides.get(index).unwrap_or(false),
            commune: row.commune,
        };
        match by_citizen.last_mut() {
            Some((last, list)) if *last == id => list.push(candidate),
            _ => by_citizen.push((id, vec![candidate])),
        }
    }
    Ok(by_citizen)
}

/// Picks each citizen's winner by the rules and explains every loser.
pub fn decide(candidates: Candidates, master: &Master) -> Assignments {
    let Candidates {
        by_citizen,
        rejects,
        officers,
    } = candidates;
    let mut outcome = Assignments {
        rejects,
        officers,
        ..Assignments::default()
    };
    outcome.winners.reserve(by_citizen.len());
    for (id, mut candidates) in by_citizen {
        let citizen = master.get(id);
        if citizen.is_none() {
            outcome.not_in_master.push(id);
        }
        // Most citizens have one candidate: nothing to decide.
        if candidates.len() == 1 {
            if let Some(only) = candidates.pop() {
                outcome.winners.insert(id, only);
            }
            continue;
        }
        let commune = citizen.and_then(|c| c.commune);
        let inputs: Vec<RuleInputs> = candidates
            .iter()
            .map(|c| RuleInputs {
                is_override: c.is_override,
                commune: c.commune,
                force_rank: c.force,
                assigned_on: c.assigned_on,
                position: c.position.clone(),
            })
            .collect();
        let winner = pick_winner(&inputs, commune);
        if citizen.is_some() {
            outcome.conflicted_citizens += 1;
            for (index, loser) in candidates.iter().enumerate().filter(|(i, _)| *i != winner) {
                outcome.conflicts.push(Conflict {
                    id,
                    winner: candidates[winner].clone(),
                    loser: loser.clone(),
                    rule: deciding_rule(&inputs[winner], &inputs[index], commune),
                });
            }
        }
        outcome.winners.insert(id, candidates.swap_remove(winner));
    }
    outcome
}
