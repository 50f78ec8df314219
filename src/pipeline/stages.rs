//! The stages of the daily job, SPEC §6 and §11, chained as named steps: route the rows read by
//! their file's role, merge the master, assign one officer per citizen, classify the claims, move
//! the rows a stage rejected into their sheets' counts, add the name warnings, compute progress.
//! Each step's duration is recorded in [`Timings`]; nothing prints.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use chrono::NaiveDate;

use super::Error;
use super::inputs::Inputs;
use crate::assign::directory::{Naming, Units};
use crate::assign::master::Master;
use crate::assign::{self, AssignmentRow, StageReject};
use crate::codes::WarningCode;
use crate::ingest::aliases::Field;
use crate::ingest::sheet::{Reject, RowWarning};
use crate::ingest::workspace::Role;
use crate::ingest::{FileReport, InputRow, Position, SourcedRow};
use crate::normalize::commune::CommuneMatcher;
use crate::reconcile::claims::{self, ClaimRow};
use crate::reconcile::progress::{self, ProgressInputs};
use crate::settings::Settings;

/// How long each step took, in order.
#[derive(Debug, Clone)]
pub struct Timings {
    last: std::time::Instant,
    pub steps: Vec<(&'static str, f64)>,
}

impl Timings {
    /// Starts the clock.
    pub fn start() -> Self {
        Self {
            last: std::time::Instant::now(),
            steps: Vec::new(),
        }
    }

    /// Records the time since the last step as `name`.
    pub fn step(&mut self, name: &'static str) {
        self.steps.push((name, self.last.elapsed().as_secs_f64()));
        self.last = std::time::Instant::now();
    }
}

/// The stages' outputs, owned: what every output is made from.
pub struct Stages {
    pub inputs: Inputs,
    pub master: Master,
    pub assignments: assign::Assignments,
    pub claims: claims::Claims,
    pub units: Units,
    pub progress: progress::Progress,
    /// The day each citizen was first counted, indexed when first asked (the clerk's check; the
    /// page asks it of one shared reading for every upload).
    counted_days: std::sync::OnceLock<crate::normalize::id::IdMap<NaiveDate>>,
}

impl Stages {
    /// The day each citizen was first counted.
    pub fn counted_days(&self) -> &crate::normalize::id::IdMap<NaiveDate> {
        self.counted_days
            .get_or_init(|| self.claims.counted().map(|c| (c.id, c.date)).collect())
    }

    /// The view the report writers take.
    pub fn data<'a>(
        &'a self,
        settings: &'a Settings,
        as_of: NaiveDate,
        provisional: bool,
    ) -> crate::report::RunData<'a> {
        crate::report::RunData {
            settings,
            as_of,
            provisional,
            files: &self.inputs.files,
            discovery: &self.inputs.discovery,
            master: &self.master,
            assignments: &self.assignments,
            claims: &self.claims,
            units: &self.units,
            progress: &self.progress,
            officers: std::sync::OnceLock::new(),
            remaining: std::sync::OnceLock::new(),
        }
    }
}

/// The rows of every file, routed by the file's role.
#[derive(Default)]
struct Routed {
    master: Vec<SourcedRow>,
    assignments: Vec<AssignmentRow>,
    claims: Vec<ClaimRow>,
}

/// Runs every stage on what was read.
pub fn compute(
    settings: &Settings,
    mut inputs: Inputs,
    timings: &mut Timings,
) -> Result<Stages, Error> {
    let routed = route_rows(&mut inputs);
    timings.step("collect");
    // Every accepted row's name is compared with the master record's.
    let name_checked: Vec<&SourcedRow> = routed
        .master
        .iter()
        .chain(routed.assignments.iter().map(|r| &r.source))
        .chain(routed.claims.iter().map(|r| &r.source))
        .collect();
    // The master list is merged while the assignment rows are grouped into candidates: neither
    // needs the other, and each keeps one core. The merge ends first, and the name comparison that
    // needs only the master list follows it on that core (and on both once the candidates are in).
    let mut units = Units::default();
    // The naming (and the units it has already named) then serves the claims.
    let ((master, mismatched), (candidates, naming)) = rayon::join(
        || {
            let communes = CommuneMatcher::new(&settings.communes);
            let master = Master::merge(&routed.master, &communes);
            let mismatched = name_mismatched(&name_checked, &master);
            (master, mismatched)
        },
        || {
            let naming = Naming::new(settings);
            let candidates = assign::candidates(&routed.assignments, &naming, &mut units);
            (candidates, naming)
        },
    );
    timings.step("master");
    let assignments = assign::decide(candidates?, &master);
    timings.step("assign");
    let claims = claims::classify(
        &routed.claims,
        &master,
        &assignments,
        &naming,
        &mut units,
        settings.credit,
    );
    timings.step("claims");
    let stage_rejects: Vec<&StageReject> =
        assignments.rejects.iter().chain(&claims.rejects).collect();
    apply_stage_rejects(&mut inputs.files, &stage_rejects);
    add_name_mismatches(&mut inputs.files, &mismatched, &stage_rejects);
    drop(name_checked);
    drop_aside(routed);
    timings.step("checks");
    let progress = progress::compute(&ProgressInputs {
        settings,
        as_of: inputs.as_of,
        units: &units,
        master: &master,
        assignments: &assignments,
        claims: &claims,
        targets: inputs.targets.as_ref(),
        first_report_day: inputs.discovery.report_dates.first().copied(),
    })?;
    timings.step("progress");
    Ok(Stages {
        inputs,
        master,
        assignments,
        claims,
        units,
        progress,
        counted_days: std::sync::OnceLock::new(),
    })
}

/// Frees `value` on a thread of its own. A province's rows are millions of small allocations, and
/// freeing them keeps a core busy for a tenth of a second that the next step, or the end of the
/// process, need not wait for; a process that ends first returns the memory whole. (If no thread
/// can be started, the value is freed here.)
pub fn drop_aside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

/// Moves every file's rows into the stage its role feeds; the file keeps its per-sheet counts for
/// the reports. Claims are put in processing order: date, then path, sheet, row (SPEC §6). The three
/// stages' rows are gathered at the same time (a province moves millions of rows).
fn route_rows(inputs: &mut Inputs) -> Routed {
    let roles: HashMap<&str, &Role> = inputs
        .discovery
        .sources
        .iter()
        .map(|s| (s.relative.as_str(), &s.role))
        .collect();
    // Each file's rows with its path and what its role says of every row.
    let mut master = Vec::new();
    let mut assignments = Vec::new();
    let mut claims = Vec::new();
    for file in &mut inputs.files {
        let Some(role) = roles.get(file.path.as_str()) else {
            continue;
        };
        // Shared by every row of the file (a province has millions of rows).
        let path: Arc<str> = file.path.as_str().into();
        let rows = std::mem::take(&mut file.rows);
        match role {
            Role::Master => master.push((path, (), rows)),
            Role::Assignment {
                force_folder,
                is_override,
            } => assignments.push((path, (force_folder, *is_override), rows)),
            Role::Report { date, force_folder } => claims.push((path, (*date, force_folder), rows)),
            Role::Targets => {}
        }
    }
    let (master, (assignments, mut claims)) = rayon::join(
        || gather(master, |source, ()| source),
        || {
            rayon::join(
                || {
                    gather(assignments, |source, (force_folder, is_override)| {
                        AssignmentRow {
                            source,
                            is_override,
                            force_folder: force_folder.clone(),
                        }
                    })
                },
                || {
                    gather(claims, |source, (date, force_folder)| ClaimRow {
                        source,
                        date,
                        force_folder: force_folder.clone(),
                    })
                },
            )
        },
    );
    claims.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then_with(|| a.source.position.cmp(&b.source.position))
    });
    Routed {
        master,
        assignments,
        claims,
    }
}

/// The rows of some files, each with its position and its file's role information, made into one
/// stage's rows (sized once: growing by doubling would copy millions of rows).
fn gather<I: Copy, T>(
    files: Vec<(Arc<str>, I, Vec<InputRow>)>,
    make: impl Fn(SourcedRow, I) -> T,
) -> Vec<T> {
    let mut gathered = Vec::with_capacity(files.iter().map(|(_, _, rows)| rows.len()).sum());
    for (path, info, rows) in files {
        for row in rows {
            let position = Position {
                path: path.clone(),
                sheet: row.sheet_index,
                row: row.row,
            };
            gathered.push(make(SourcedRow { position, row }, info));
        }
    }
    gathered
}

/// Each file's index by its shown path.
fn file_index(files: &[FileReport]) -> HashMap<String, usize> {
    files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect()
}

/// A sheet of the run's files: the file's position in the list, the sheet's in the file.
type SheetAt = (usize, usize);

/// Moves rows rejected after ingest (unknown force) from accepted to rejected in their sheet: one
/// pass per sheet, whatever the number of rejected rows.
fn apply_stage_rejects(files: &mut [FileReport], rejects: &[&StageReject]) {
    let index = file_index(files);
    let mut by_sheet: BTreeMap<SheetAt, Vec<&StageReject>> = BTreeMap::new();
    for reject in rejects {
        if let Some(&file) = index.get(&*reject.position.path) {
            by_sheet
                .entry((file, reject.position.sheet as usize))
                .or_default()
                .push(reject);
        }
    }
    for ((file, sheet), rejects) in by_sheet {
        let Some(sheet) = files[file].sheets.get_mut(sheet) else {
            continue;
        };
        let rows: HashSet<u32> = rejects.iter().map(|r| r.position.row).collect();
        sheet.accepted -= rejects.len() as u64;
        sheet.rejected += rejects.len() as u64;
        sheet.warnings.retain(|w| !rows.contains(&w.row));
        let column = sheet
            .columns
            .get(&Field::Force)
            .cloned()
            .unwrap_or_default();
        for reject in rejects {
            sheet.rejects.push(Reject {
                row: reject.position.row,
                column: column.clone(),
                value: reject.value.clone(),
                reason: reject.reason,
            });
        }
        sheet.rejects.sort_by_key(|r| r.row);
    }
}

/// The accepted rows whose name differs from the master record's, in the rows' order: a master
/// lookup per row, on both cores.
fn name_mismatched<'r>(rows: &[&'r SourcedRow], master: &Master) -> Vec<&'r SourcedRow> {
    use rayon::prelude::*;
    rows.par_iter()
        .copied()
        .filter(|row| master.name_mismatch(row.row.id, row.row.fields.name.as_deref()))
        .collect()
}

/// Adds `name_mismatch` warnings for the mismatched rows a later stage did not reject.
fn add_name_mismatches(
    files: &mut [FileReport],
    mismatched: &[&SourcedRow],
    rejects: &[&StageReject],
) {
    let rejected: HashSet<&Position> = rejects.iter().map(|r| &r.position).collect();
    let index = file_index(files);
    for row in mismatched {
        if rejected.contains(&row.position) {
            continue;
        }
        let Some(&file) = index.get(&*row.position.path) else {
            continue;
        };
        let Some(sheet) = files[file].sheets.get_mut(row.position.sheet as usize) else {
            continue;
        };
        // A name split in two columns (SPEC §11.18) is named by its surname column.
        let column = sheet
            .columns
            .get(&Field::Name)
            .or_else(|| sheet.columns.get(&Field::Surname))
            .cloned()
            .unwrap_or_default();
        sheet.warnings.push(RowWarning {
            row: row.position.row,
            column,
            code: WarningCode::NameMismatch,
        });
    }
}
