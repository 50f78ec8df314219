//! Reading a workspace (SPEC §3-§4): discovery of every input in byte order of its path, then every
//! list read in parallel (one [`FileReport`] per file, rows classified) and the targets appendix. A
//! caller that wants progress passes a callback called once per file read.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

use super::Error;
use crate::ingest::aliases::AliasTable;
use crate::ingest::file::{FileError, FileErrorCode, ReadOptions};
use crate::ingest::targets::read_targets;
use crate::ingest::workspace::{Discovery, Role, Source, discover};
use crate::ingest::{FileReport, read_file};
use crate::settings::Settings;

pub use crate::ingest::targets::Targets;

/// Which report days are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Days {
    /// Every report folder up to and including the as-of date: the daily run.
    ThroughAsOf,
    /// Folders before the as-of date only: what was known before the day being checked or split.
    BeforeAsOf,
}

/// Everything read from the workspace.
#[derive(Debug)]
pub struct Inputs {
    pub as_of: NaiveDate,
    pub discovery: Discovery,
    /// The lists read, in discovery order, then the targets file when it could not be read.
    pub files: Vec<FileReport>,
    /// From `targets.xlsx`; `None` without one (or when it was unreadable).
    pub targets: Option<Targets>,
}

/// Finds the workspace's inputs as of `as_of` (SPEC §3, §11.1).
pub fn discover_inputs(
    workspace: &crate::workspace::Workspace,
    as_of: NaiveDate,
    days: Days,
) -> Result<Discovery, Error> {
    let mut discovery = discover(workspace, as_of).map_err(|source| Error::Workspace {
        path: workspace.root().to_path_buf(),
        source,
    })?;
    if days == Days::BeforeAsOf {
        discovery
            .sources
            .retain(|s| !matches!(s.role, Role::Report { date, .. } if date == as_of));
        discovery.report_dates.retain(|d| *d < as_of);
    }
    Ok(discovery)
}

/// The ID lists among the sources: every input but the targets appendix.
fn lists(discovery: &Discovery) -> impl Iterator<Item = &Source> {
    discovery.sources.iter().filter(|s| s.role != Role::Targets)
}

/// The lists a read will cover (for a progress bar's length).
pub fn list_count(discovery: &Discovery) -> usize {
    lists(discovery).count()
}

/// Reads every input found; `on_file` is called after each list is read. An unreadable file is a
/// [`FileReport`] with its reason, never an error.
pub fn read_inputs(
    discovery: Discovery,
    settings: &Settings,
    as_of: NaiveDate,
    options: &ReadOptions,
    on_file: &(dyn Fn() + Sync),
) -> Inputs {
    let aliases = AliasTable::new(&settings.aliases);
    let lists: Vec<&Source> = lists(&discovery).collect();
    // Largest first, one file per task: a province's four 100 MiB assignment lists start at once
    // and the small reports fill in around them, so no core waits alone at the end. The reports
    // are then put back in discovery order.
    let mut order: Vec<(u64, usize)> = lists
        .iter()
        .enumerate()
        .map(|(index, source)| {
            let size = std::fs::metadata(&source.path).map_or(0, |m| m.len());
            (size, index)
        })
        .collect();
    order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut read: Vec<(usize, FileReport)> = order
        .par_iter()
        .with_max_len(1)
        .map(|&(_, index)| {
            let source = lists[index];
            let mut report = read_file(
                &source.path,
                &source.relative,
                &aliases,
                as_of.year(),
                options,
            );
            if let Role::Report { date, .. } = source.role {
                report.void_activations_after(date);
            }
            on_file();
            (index, report)
        })
        .collect();
    read.sort_unstable_by_key(|(index, _)| *index);
    let mut files: Vec<FileReport> = read.into_iter().map(|(_, report)| report).collect();
    let mut targets = None;
    if let Some(source) = discovery.sources.iter().find(|s| s.role == Role::Targets) {
        match read_targets_file(source, settings, &aliases, options) {
            Ok(found) => targets = Some(found),
            Err(error) => files.push(FileReport::unreadable(&source.relative, error)),
        }
    }
    Inputs {
        as_of,
        discovery,
        files,
        targets,
    }
}

/// Reads files given by name, outside a workspace's roles (`inspect`, `check`), in parallel and in
/// the order given; each path is shown as given.
pub fn read_files(
    paths: &[std::path::PathBuf],
    aliases: &AliasTable,
    as_of_year: i32,
    options: &ReadOptions,
) -> Vec<FileReport> {
    paths
        .par_iter()
        .map(|path| read_file(path, &path.to_string_lossy(), aliases, as_of_year, options))
        .collect()
}

/// The targets of `targets.xlsx`. A file that cannot be read, or in which no targets header can be
/// found (`no_header`, SPEC §11.15), is reported like any other unreadable input, and the targets
/// fall back to the assigned counts.
fn read_targets_file(
    source: &Source,
    settings: &Settings,
    aliases: &AliasTable,
    options: &ReadOptions,
) -> Result<Targets, FileError> {
    let forces = crate::assign::directory::ForceMatcher::new(settings);
    let communes = crate::normalize::commune::CommuneMatcher::new(&settings.communes);
    let workbook = crate::ingest::file::read_workbook(&source.path, options)?;
    let mut targets = BTreeMap::new();
    let mut found_header = false;
    for mut sheet in workbook.sheets.into_iter().filter_map(|s| s.grid.ok()) {
        let sheet_targets = read_targets(
            &mut sheet,
            &|key| forces.force_of_folded(key),
            &communes,
            aliases,
        );
        found_header |= sheet_targets.header_row.is_some();
        for (key, value) in sheet_targets.targets {
            let cell = targets.entry(key).or_insert(0u64);
            *cell = cell.saturating_add(value);
        }
    }
    if !found_header {
        return Err(FileError::new(
            FileErrorCode::NoHeader,
            "no targets header (commune column and force columns) in the first 30 rows",
        ));
    }
    Ok(targets)
}
