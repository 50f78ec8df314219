//! `summary.json` (SPEC §7): counts only, no personal data, keys in a stable order (the spec's keys
//! first, in its order; this tool's extra keys after them), lists sorted by force order, then
//! commune order (unknown last), then unit name. One type is written by `run` and read back by the
//! office page; reading is lenient (a key missing in a file written by an older version reads as
//! empty).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ix::{CommuneIx, ForceIx};
use crate::reconcile::metrics::Metrics;
/// The status a summary carries, and how it is shown (the page reads both back).
pub use crate::reconcile::metrics::{Shown, Status};

/// The whole file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Summary {
    pub as_of: NaiveDate,
    pub deadline: NaiveDate,
    pub provisional: bool,
    pub totals: Totals,
    pub claims: ClaimCounts,
    pub rejected_rows: BTreeMap<String, u64>,
    pub warnings: BTreeMap<String, u64>,
    pub by_force_commune: Vec<ForceCommuneEntry>,
    pub units: Vec<UnitEntry>,
    pub inputs: Vec<InputEntry>,
    pub unreadable_files: Vec<UnreadableEntry>,
    // Extras beyond the spec's minimum.
    pub district: String,
    pub province: String,
    pub by_force: Vec<ForceEntry>,
    pub by_commune: Vec<CommuneEntry>,
    pub conflicts_by_rule: BTreeMap<String, u64>,
    pub report_days: Vec<NaiveDate>,
    pub skipped_report_folders: Vec<String>,
    pub tool_version: String,
}

/// District totals (SPEC §11.8).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Totals {
    pub master: u64,
    pub assigned: u64,
    pub unassigned: u64,
    pub not_in_master: u64,
    pub conflicts: u64,
    pub target: u64,
    pub activated: u64,
    pub activated_today: u64,
    pub remaining: u64,
    pub master_duplicates: u64,
    pub percent: Option<f64>,
    pub days_left: i64,
    /// Days past the deadline; 0 up to the deadline day.
    pub overdue_days: i64,
    pub required_per_day: u64,
    pub pace_7d: f64,
    pub projected_finish: Option<NaiveDate>,
    pub status: Status,
}

/// Claim classes, cumulative to the as-of date (SPEC §11.2).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClaimCounts {
    pub counted: u64,
    pub unknown: u64,
    pub repeat: u64,
    pub duplicate: u64,
    pub outside_assignment: u64,
}

/// One force × commune cell.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ForceCommuneEntry {
    pub force: String,
    pub commune: String,
    pub target: u64,
    pub assigned: u64,
    pub activated: u64,
    pub activated_today: u64,
    pub remaining: u64,
    pub required_per_day: u64,
    pub status: Status,
    pub percent: Option<f64>,
    pub pace_7d: f64,
    pub projected_finish: Option<NaiveDate>,
}

/// One unit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UnitEntry {
    pub force: String,
    pub unit: String,
    pub commune: String,
    pub assigned: u64,
    pub activated: u64,
    pub activated_today: u64,
    pub remaining: u64,
    pub reported_today: bool,
    pub zero_days: u64,
    pub status: Status,
    pub target: u64,
    pub percent: Option<f64>,
    pub required_per_day: u64,
    pub pace_7d: f64,
    pub projected_finish: Option<NaiveDate>,
    pub rank: u32,
}

/// One force.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ForceEntry {
    pub force: String,
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// One commune.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CommuneEntry {
    pub commune: String,
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// One sheet of one input file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InputEntry {
    pub path: String,
    pub sheet: String,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub skipped: u64,
    pub sha256: String,
}

/// A file that could not be read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UnreadableEntry {
    pub path: String,
    /// The stable code (`encrypted`, `damaged`, `not_spreadsheet`, `unsupported_format`,
    /// `reader_crashed`, `no_header`).
    pub reason: String,
    /// What a clerk is told, in Vietnamese.
    pub message: String,
}

impl Totals {
    /// Totals from the district metrics and the citizen counts.
    pub fn new(
        district: &Metrics,
        master: u64,
        not_in_master: u64,
        conflicts: u64,
        master_duplicates: u64,
    ) -> Self {
        Self {
            master,
            assigned: district.assigned,
            unassigned: master - district.assigned,
            not_in_master,
            conflicts,
            target: district.target,
            activated: district.activated,
            activated_today: district.activated_today,
            remaining: district.remaining,
            master_duplicates,
            percent: district.percent,
            days_left: district.days_left,
            overdue_days: district.overdue_days,
            required_per_day: district.required_per_day,
            pace_7d: district.pace_7d,
            projected_finish: district.projected_finish,
            status: district.status,
        }
    }
}

/// The JSON text, with a final newline.
pub fn to_json(summary: &Summary) -> serde_json::Result<String> {
    serde_json::to_string_pretty(summary).map(|mut text| {
        text.push('\n');
        text
    })
}

/// A commune's configured name, or `unknown`.
pub fn commune_name(settings: &crate::settings::Settings, commune: Option<CommuneIx>) -> String {
    commune.map_or_else(
        || "unknown".to_string(),
        |c| settings.commune(c).to_string(),
    )
}

/// Builds the summary from the stages' outputs.
pub fn build(inputs: &super::RunData<'_>) -> Summary {
    let settings = inputs.settings;
    let (rejected_rows, warnings) = row_counts(inputs.files);
    let progress = inputs.progress;
    let totals = Totals::new(
        &progress.district,
        inputs.master.citizens.len() as u64,
        inputs.assignments.not_in_master.len() as u64,
        inputs.assignments.conflicted_citizens,
        inputs.master.merged_duplicates,
    );
    Summary {
        as_of: inputs.as_of,
        deadline: settings.deadline,
        provisional: inputs.provisional,
        totals,
        claims: claim_counts(inputs),
        rejected_rows,
        warnings,
        by_force_commune: force_commune_entries(inputs),
        units: unit_entries(inputs),
        inputs: input_entries(inputs.files),
        unreadable_files: inputs
            .files
            .iter()
            .filter_map(|f| {
                Some(UnreadableEntry {
                    path: f.path.clone(),
                    reason: f.error?.to_string(),
                    message: f.message.clone().unwrap_or_default(),
                })
            })
            .collect(),
        district: settings.district.clone(),
        province: settings.province.clone(),
        by_force: progress
            .by_force
            .iter()
            .filter_map(|g| {
                g.force.map(|f| ForceEntry {
                    force: settings.force(f).id.clone(),
                    metrics: g.metrics.clone(),
                })
            })
            .collect(),
        by_commune: progress
            .by_commune
            .iter()
            .map(|g| CommuneEntry {
                commune: commune_name(settings, g.commune),
                metrics: g.metrics.clone(),
            })
            .collect(),
        conflicts_by_rule: conflicts_by_rule(inputs),
        report_days: inputs.discovery.report_dates.clone(),
        skipped_report_folders: inputs.discovery.undated_report_folders.clone(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// The claims by class (SPEC §11.2).
fn claim_counts(inputs: &super::RunData<'_>) -> ClaimCounts {
    use crate::reconcile::claims::ClaimClass;
    let mut claims = ClaimCounts::default();
    for claim in &inputs.claims.claims {
        match claim.class {
            ClaimClass::Counted => claims.counted += 1,
            ClaimClass::Unknown => claims.unknown += 1,
            ClaimClass::Repeat => claims.repeat += 1,
            ClaimClass::Duplicate => claims.duplicate += 1,
        }
        claims.outside_assignment += u64::from(claim.outside_assignment);
    }
    claims
}

/// Rejected rows by reason and warnings by code, every code listed (0 when none).
fn row_counts(
    files: &[crate::ingest::FileReport],
) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let mut rejected_rows: BTreeMap<String, u64> = crate::codes::RejectReason::ALL
        .iter()
        .map(|r| (r.code().to_string(), 0))
        .collect();
    let mut warnings: BTreeMap<String, u64> = crate::codes::WarningCode::ALL
        .iter()
        .map(|w| (w.code().to_string(), 0))
        .collect();
    for sheet in files.iter().flat_map(|f| &f.sheets) {
        for reject in &sheet.rejects {
            *rejected_rows
                .entry(reject.reason.code().to_string())
                .or_insert(0) += 1;
        }
        // Counted per accepted row (SPEC §11.11): two bad dates on one row are one bad_date.
        let per_row: std::collections::BTreeSet<(u32, &'static str)> = sheet
            .warnings
            .iter()
            .map(|w| (w.row, w.code.code()))
            .collect();
        for (_, code) in per_row {
            *warnings.entry(code.to_string()).or_insert(0) += 1;
        }
    }
    (rejected_rows, warnings)
}

/// The conflicts by the rule that decided them.
fn conflicts_by_rule(inputs: &super::RunData<'_>) -> BTreeMap<String, u64> {
    let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
    for conflict in &inputs.assignments.conflicts {
        *by_rule.entry(conflict.rule.code().to_string()).or_insert(0) += 1;
    }
    by_rule
}

fn force_commune_entries(inputs: &super::RunData<'_>) -> Vec<ForceCommuneEntry> {
    let settings = inputs.settings;
    inputs
        .progress
        .by_force_commune
        .iter()
        .filter_map(|g| {
            let m = &g.metrics;
            Some(ForceCommuneEntry {
                force: settings.force(g.force?).id.clone(),
                commune: commune_name(settings, g.commune),
                target: m.target,
                assigned: m.assigned,
                activated: m.activated,
                activated_today: m.activated_today,
                remaining: m.remaining,
                required_per_day: m.required_per_day,
                status: m.status,
                percent: m.percent,
                pace_7d: m.pace_7d,
                projected_finish: m.projected_finish,
            })
        })
        .collect()
}

fn unit_entries(inputs: &super::RunData<'_>) -> Vec<UnitEntry> {
    let settings = inputs.settings;
    let mut entries: Vec<(ForceIx, usize, String, UnitEntry)> = inputs
        .progress
        .units
        .iter()
        .map(|p| {
            let unit = inputs.units.get(p.unit);
            let m = &p.metrics;
            let entry = UnitEntry {
                force: settings.force(unit.force).id.clone(),
                unit: unit.name.clone(),
                commune: commune_name(settings, unit.commune),
                assigned: m.assigned,
                activated: m.activated,
                activated_today: m.activated_today,
                remaining: m.remaining,
                reported_today: p.reported_today,
                zero_days: p.zero_days,
                status: m.status,
                target: m.target,
                percent: m.percent,
                required_per_day: m.required_per_day,
                pace_7d: m.pace_7d,
                projected_finish: m.projected_finish,
                rank: p.rank,
            };
            (
                unit.force,
                unit.commune.map_or(usize::MAX, CommuneIx::get),
                unit.name.clone(),
                entry,
            )
        })
        .collect();
    entries.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    entries.into_iter().map(|(_, _, _, e)| e).collect()
}

fn input_entries(files: &[crate::ingest::FileReport]) -> Vec<InputEntry> {
    files
        .iter()
        .filter(|f| !f.is_unreadable())
        .flat_map(|f| {
            f.sheets.iter().map(|s| InputEntry {
                path: f.path.clone(),
                sheet: s.name.clone(),
                read: s.read,
                accepted: s.accepted,
                rejected: s.rejected,
                skipped: s.skipped,
                sha256: f.sha256.clone(),
            })
        })
        .collect()
}
