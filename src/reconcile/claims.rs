//! Daily claims (SPEC §6, §11.2-§11.3): each accepted report row is a claim dated by its folder,
//! processed in (date, path, sheet, row) order and classified once:
//! - `unknown` — the ID is not in the master list;
//! - `repeat` — the ID was counted on an earlier day;
//! - `duplicate` — another claim of the same day on the ID is counted: the first claim from the
//!   assigned unit when there is one, else the day's first claim;
//! - `counted` — otherwise; flagged `outside_assignment` when the citizen is assigned to another unit.

use chrono::NaiveDate;

use crate::assign::directory::{ForceMatcher, Naming, UnitCache, Units};
use crate::assign::master::Master;
use crate::assign::{Assignments, StageReject};
use crate::ingest::{Position, SourcedRow};
use crate::ix::UnitIx;
use crate::normalize::id::{CitizenId, IdMap};
use crate::settings::Credit;

/// A report row and its folder.
#[derive(Debug, Clone)]
pub struct ClaimRow {
    pub source: SourcedRow,
    pub date: NaiveDate,
    pub force_folder: Option<String>,
}

crate::code_set! {
    /// The class of a claim (SPEC §6).
    pub enum ClaimClass {
        Counted = "counted" => "Được ghi nhận",
        Unknown = "unknown" => "Không có trong danh sách chưa kích hoạt",
        Repeat = "repeat" => "Đã được ghi nhận ở ngày trước",
        Duplicate = "duplicate" => "Trùng với báo cáo khác trong cùng ngày",
    }
}

/// A classified claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: CitizenId,
    pub date: NaiveDate,
    pub position: Position,
    /// The reporting unit (its force is `units.get(unit).force`).
    pub unit: UnitIx,
    pub class: ClaimClass,
    pub outside_assignment: bool,
    /// The unit credited, for counted claims.
    pub credited_unit: Option<UnitIx>,
    /// For repeats: the day the ID was counted.
    pub counted_on: Option<NaiveDate>,
    /// The name the report gave, kept only for a citizen not on the master list, whose name
    /// nothing else knows (the workbooks' "Báo cáo bất thường").
    pub reported_name: Option<Box<str>>,
}

/// Claims in processing order, and the rows rejected here.
#[derive(Debug, Clone, Default)]
pub struct Claims {
    pub claims: Vec<Claim>,
    pub rejects: Vec<StageReject>,
    /// The IDs of the counted claims (kept once: every report sheet asks).
    counted_ids: crate::normalize::id::IdSet,
}

impl Claims {
    /// The counted claims, in processing order: at most one per citizen.
    pub fn counted(&self) -> impl Iterator<Item = &Claim> {
        self.claims
            .iter()
            .filter(|c| c.class == ClaimClass::Counted)
    }

    /// The citizens counted up to the as-of date.
    pub fn counted_ids(&self) -> &crate::normalize::id::IdSet {
        &self.counted_ids
    }
}

/// Classifies claim rows given in (date, position) order.
pub fn classify(
    rows: &[ClaimRow],
    master: &Master,
    assignments: &Assignments,
    naming: &Naming<'_>,
    units: &mut Units,
    credit: Credit,
) -> Claims {
    let forces = ForceMatcher::new(naming.settings);
    let mut unit_cache = UnitCache::default();
    let mut outcome = Claims::default();
    let mut counted_on: IdMap<NaiveDate> = IdMap::default();
    let mut day_start = 0;
    while day_start < rows.len() {
        let date = rows[day_start].date;
        let day_end = rows[day_start..]
            .iter()
            .position(|r| r.date != date)
            .map_or(rows.len(), |n| day_start + n);
        let day = resolve_day(
            &rows[day_start..day_end],
            (naming, master),
            &forces,
            (units, &mut unit_cache),
            &mut outcome.rejects,
        );
        classify_day(
            day,
            master,
            assignments,
            credit,
            &mut counted_on,
            &mut outcome.claims,
        );
        day_start = day_end;
    }
    outcome.counted_ids = outcome.counted().map(|c| c.id).collect();
    outcome
}

/// Gives each row of one day its reporting unit; rows without a force are rejected.
fn resolve_day<'r>(
    rows: &'r [ClaimRow],
    (naming, master): (&Naming<'_>, &Master),
    forces: &ForceMatcher,
    (units, unit_cache): (&mut Units, &mut UnitCache<'r>),
    rejects: &mut Vec<StageReject>,
) -> Vec<Claim> {
    let mut claims = Vec::with_capacity(rows.len());
    for row in rows {
        let fields = &row.source.row.fields;
        let id = row.source.row.id;
        let force = match forces.force_of_row(&row.source, row.force_folder.as_deref()) {
            Ok(force) => force,
            Err(reject) => {
                rejects.push(reject);
                continue;
            }
        };
        let (unit, _) = unit_cache.resolve(
            naming,
            units,
            force,
            fields.unit.as_deref(),
            fields.commune.as_deref(),
        );
        claims.push(Claim {
            id,
            date: row.date,
            position: row.source.position.clone(),
            unit,
            class: ClaimClass::Unknown,
            outside_assignment: false,
            credited_unit: None,
            counted_on: None,
            reported_name: fields.name.clone().filter(|_| !master.contains(id)),
        });
    }
    claims
}

fn classify_day(
    mut day: Vec<Claim>,
    master: &Master,
    assignments: &Assignments,
    credit: Credit,
    counted_on: &mut IdMap<NaiveDate>,
    out: &mut Vec<Claim>,
) {
    let mut by_id: IdMap<Vec<usize>> = IdMap::default();
    for (index, claim) in day.iter().enumerate() {
        by_id.entry(claim.id).or_default().push(index);
    }
    for (id, indices) in by_id {
        let assigned_unit = assignments
            .winners
            .get(&id)
            .filter(|_| master.contains(id))
            .map(|w| w.unit);
        let class_of_rest = if !master.contains(id) {
            ClaimClass::Unknown
        } else if let Some(&earlier) = counted_on.get(&id) {
            indices
                .iter()
                .for_each(|&i| day[i].counted_on = Some(earlier));
            ClaimClass::Repeat
        } else {
            let winner = indices
                .iter()
                .copied()
                .find(|&i| Some(day[i].unit) == assigned_unit)
                .unwrap_or(indices[0]);
            let claim = &mut day[winner];
            claim.class = ClaimClass::Counted;
            claim.outside_assignment = assigned_unit.is_some_and(|unit| unit != claim.unit);
            claim.credited_unit = Some(match (credit, assigned_unit) {
                (Credit::Assignee, Some(unit)) => unit,
                _ => claim.unit,
            });
            counted_on.insert(id, claim.date);
            ClaimClass::Duplicate
        };
        for &i in &indices {
            if day[i].class != ClaimClass::Counted {
                day[i].class = class_of_rest;
            }
        }
    }
    out.extend(day);
}
