//! `run --parquet`: the canonical tables of a run as Parquet files in `out/D/parquet/`, for a
//! province or national analyst who loads many districts into DuckDB or Spark.
//!
//! Four tables, one row per entity, with the codes of `summary.json` (not the Vietnamese labels):
//! - `citizens.parquet`: every master citizen with the assigned force, unit and officer and the
//!   status (`activated` or `remaining`), the day counted and the unit credited (force and name:
//!   units are told apart by both);
//! - `claims.parquet`: every report row, classified (`counted`, `unknown`, `repeat`, `duplicate`);
//! - `conflicts.parquet`: every losing candidate with the winner and the deciding rule;
//! - `rejected_rows.parquet`: every rejected input row with its file, sheet, row, column, raw value
//!   and reason.
//!
//! Citizens are identified by their ID only: names, dates of birth and phones stay in the
//! workbooks, where a reader needs them. Dates are ISO 8601 text (`2024-01-15`), which DuckDB and
//! Spark cast with `CAST(x AS DATE)`. Files are compressed with Zstandard.

use chrono::NaiveDate;
use polars::prelude::*;

use super::RunData;
use crate::assign::Candidate;
use crate::ix::{CommuneIx, ForceIx, UnitIx};

/// The folder inside `out/D/`.
pub const FOLDER: &str = super::layout::PARQUET;

/// Every day's ISO text, formatted once (a province has millions of dated rows over a few dozen
/// days).
#[derive(Default)]
struct Days(std::collections::BTreeMap<NaiveDate, String>);

impl Days {
    fn of(data: &RunData<'_>) -> Self {
        let dated: std::collections::BTreeSet<NaiveDate> = data
            .claims
            .claims
            .iter()
            .flat_map(|c| [Some(c.date), c.counted_on])
            .flatten()
            .collect();
        Self(
            dated
                .into_iter()
                .map(|d| (d, d.format("%Y-%m-%d").to_string()))
                .collect(),
        )
    }

    fn text(&self, date: Option<NaiveDate>) -> Option<&str> {
        date.and_then(|d| self.0.get(&d)).map(String::as_str)
    }
}

/// The Parquet files of a run: (name inside `out/D/`, bytes).
pub fn tables(data: &RunData<'_>) -> PolarsResult<Vec<super::OutputFile>> {
    let days = Days::of(data);
    let mut files = Vec::new();
    for (name, mut frame) in [
        ("citizens", citizens(data, &days)?),
        ("claims", claims(data, &days)?),
        ("conflicts", conflicts(data)?),
        ("rejected_rows", rejected_rows(data)?),
    ] {
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut frame)?;
        files.push((format!("{FOLDER}/{name}.parquet"), bytes));
    }
    Ok(files)
}

// Columns are built from borrowed text: a province's tables have millions of rows.

fn force_id<'a>(data: &RunData<'a>, force: ForceIx) -> &'a str {
    data.settings.force(force).id.as_str()
}

fn unit_name<'a>(data: &RunData<'a>, unit: UnitIx) -> &'a str {
    data.units.get(unit).name.as_str()
}

/// The force of a unit: units are told apart by force and name, so a unit column comes with one.
fn unit_force<'a>(data: &RunData<'a>, unit: UnitIx) -> &'a str {
    force_id(data, data.units.get(unit).force)
}

fn commune_name<'a>(data: &RunData<'a>, commune: Option<CommuneIx>) -> Option<&'a str> {
    commune.map(|c| data.settings.commune(c))
}

fn citizens(data: &RunData<'_>, days: &Days) -> PolarsResult<DataFrame> {
    // The counted claim of each citizen: the day and the unit credited.
    let counted: crate::normalize::id::IdMap<(NaiveDate, Option<UnitIx>)> = data
        .claims
        .counted()
        .map(|c| (c.id, (c.date, c.credited_unit)))
        .collect();
    let citizens = &data.master.citizens;
    // Each citizen's winner and credit, looked up once for the columns that use them.
    let winners: Vec<Option<&Candidate>> = citizens
        .iter()
        .map(|c| data.assignments.winners.get(&c.id))
        .collect();
    let credits: Vec<Option<&(NaiveDate, Option<UnitIx>)>> =
        citizens.iter().map(|c| counted.get(&c.id)).collect();
    df!(
        "id" => citizens.iter().map(|c| c.id.to_string()).collect::<Vec<_>>(),
        "commune" => citizens.iter().map(|c| commune_name(data, c.commune)).collect::<Vec<_>>(),
        "village" => citizens.iter().map(|c| c.village.as_deref()).collect::<Vec<_>>(),
        "force" => winners.iter().map(|w| w.map(|w| force_id(data, w.force))).collect::<Vec<_>>(),
        "unit" => winners.iter().map(|w| w.map(|w| unit_name(data, w.unit))).collect::<Vec<_>>(),
        "officer" => winners.iter().map(|w| w.map(|w| &*w.officer).filter(|o| !o.is_empty())).collect::<Vec<_>>(),
        "status" => credits.iter().map(|c| if c.is_some() { "activated" } else { "remaining" }).collect::<Vec<_>>(),
        "activated_on" => credits.iter().map(|c| days.text(c.map(|(d, _)| *d))).collect::<Vec<_>>(),
        "credited_force" => credits.iter().map(|c| c.and_then(|(_, u)| *u).map(|u| unit_force(data, u))).collect::<Vec<_>>(),
        "credited_unit" => credits.iter().map(|c| c.and_then(|(_, u)| *u).map(|u| unit_name(data, u))).collect::<Vec<_>>(),
    )
}

fn claims(data: &RunData<'_>, days: &Days) -> PolarsResult<DataFrame> {
    let claims = &data.claims.claims;
    let files: rustc_hash::FxHashMap<&str, &crate::ingest::FileReport> =
        data.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let sheet_name = |path: &str, sheet: u32| {
        files
            .get(path)
            .and_then(|f| f.sheets.get(sheet as usize))
            .map_or("", |s| s.name.as_str())
    };
    df!(
        "date" => claims.iter().map(|c| days.text(Some(c.date)).unwrap_or_default()).collect::<Vec<_>>(),
        "id" => claims.iter().map(|c| c.id.to_string()).collect::<Vec<_>>(),
        "path" => claims.iter().map(|c| &*c.position.path).collect::<Vec<_>>(),
        "sheet" => claims.iter().map(|c| sheet_name(&c.position.path, c.position.sheet)).collect::<Vec<_>>(),
        "row" => claims.iter().map(|c| c.position.row).collect::<Vec<_>>(),
        "force" => claims.iter().map(|c| unit_force(data, c.unit)).collect::<Vec<_>>(),
        "unit" => claims.iter().map(|c| unit_name(data, c.unit)).collect::<Vec<_>>(),
        "class" => claims.iter().map(|c| c.class.code()).collect::<Vec<_>>(),
        "outside_assignment" => claims.iter().map(|c| c.outside_assignment).collect::<Vec<_>>(),
        "credited_force" => claims.iter().map(|c| c.credited_unit.map(|u| unit_force(data, u))).collect::<Vec<_>>(),
        "credited_unit" => claims.iter().map(|c| c.credited_unit.map(|u| unit_name(data, u))).collect::<Vec<_>>(),
        "counted_on" => claims.iter().map(|c| days.text(c.counted_on)).collect::<Vec<_>>(),
    )
}

fn conflicts(data: &RunData<'_>) -> PolarsResult<DataFrame> {
    let conflicts = &data.assignments.conflicts;
    let side = |pick: fn(&crate::assign::Conflict) -> &Candidate| {
        let force: Vec<&str> = conflicts
            .iter()
            .map(|c| force_id(data, pick(c).force))
            .collect();
        let unit: Vec<&str> = conflicts
            .iter()
            .map(|c| unit_name(data, pick(c).unit))
            .collect();
        let officer: Vec<&str> = conflicts.iter().map(|c| &*pick(c).officer).collect();
        (force, unit, officer)
    };
    let (winner_force, winner_unit, winner_officer) = side(|c| &c.winner);
    let (loser_force, loser_unit, loser_officer) = side(|c| &c.loser);
    df!(
        "id" => conflicts.iter().map(|c| c.id.to_string()).collect::<Vec<_>>(),
        "winner_force" => winner_force,
        "winner_unit" => winner_unit,
        "winner_officer" => winner_officer,
        "loser_force" => loser_force,
        "loser_unit" => loser_unit,
        "loser_officer" => loser_officer,
        "rule" => conflicts.iter().map(|c| c.rule.code()).collect::<Vec<_>>(),
        "loser_path" => conflicts.iter().map(|c| &*c.loser.position.path).collect::<Vec<_>>(),
        "loser_row" => conflicts.iter().map(|c| c.loser.position.row).collect::<Vec<_>>(),
    )
}

fn rejected_rows(data: &RunData<'_>) -> PolarsResult<DataFrame> {
    let (mut path, mut sheet, mut row, mut column, mut value, mut reason) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for file in data.files {
        for report in &file.sheets {
            for reject in &report.rejects {
                path.push(file.path.clone());
                sheet.push(report.name.clone());
                row.push(reject.row);
                column.push(reject.column.clone());
                value.push(reject.value.clone());
                reason.push(reject.reason.code());
            }
        }
    }
    df!(
        "path" => path,
        "sheet" => sheet,
        "row" => row,
        "column" => column,
        "value" => value,
        "reason" => reason,
    )
}
