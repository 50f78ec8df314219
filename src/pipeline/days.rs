//! What the page reads from the workspace: the days there is something for, a day's
//! `summary.json` (the fields the dashboard shows), and the day's output files to download.
//!
//! Guarantees: read-only; only `reports/` and `out/` are listed, and only folders named by a date.

use std::collections::BTreeMap;
use std::path::Path;

use crate::workspace::{Place, Workspace};

use chrono::NaiveDate;
use serde::Serialize;

use crate::report::summary::Summary;

/// One day of the workspace (`GET /api/days`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    /// `out/D/summary.json` exists.
    pub run: bool,
    /// Files received in `reports/D/`.
    pub report_files: usize,
}

fn dated_folders(folder: &Path) -> Vec<NaiveDate> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| crate::workspace::parse_day_name(&e.file_name().to_string_lossy()))
        .collect()
}

/// Counts the files under `folder` (recursively, hidden and Office lock files left out) for which
/// `counts` says yes.
fn count_files_where(folder: &Path, counts: &dyn Fn(&std::fs::DirEntry) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with(['.', '~']))
        .map(|e| match e.file_type() {
            Ok(kind) if kind.is_dir() => count_files_where(&e.path(), counts),
            Ok(_) => usize::from(counts(&e)),
            Err(_) => 0,
        })
        .sum()
}

fn count_files(folder: &Path) -> usize {
    count_files_where(folder, &|_| true)
}

/// Report files a day's result has not seen: those under `reports/D'/` for every `D' ≤ date`
/// (a day's result is cumulative) changed after the day's `summary.json` was written. 0 when the
/// day has not been run.
pub fn waiting_files(workspace: &Workspace, date: NaiveDate) -> usize {
    let Some(ran_at) = std::fs::metadata(summary_path(workspace, date))
        .and_then(|m| m.modified())
        .ok()
    else {
        return 0;
    };
    dated_folders(&workspace.reports())
        .into_iter()
        .filter(|day| *day <= date)
        .map(|day| files_changed_after(&workspace.report_day(day), ran_at))
        .sum()
}

fn files_changed_after(folder: &Path, moment: std::time::SystemTime) -> usize {
    count_files_where(folder, &|entry| {
        entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|changed| changed > moment)
    })
}

/// True when `master/` holds at least one file a run could read: without one, the page shows how
/// to begin instead of empty numbers.
pub fn has_master_files(workspace: &Workspace) -> bool {
    count_files(&workspace.master()) > 0
}

/// Every day with reports or results, latest first.
pub fn days(workspace: &Workspace) -> Vec<Day> {
    let mut days: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    for date in dated_folders(&workspace.reports()) {
        days.insert(
            date,
            Day {
                date,
                run: false,
                report_files: count_files(&workspace.report_day(date)),
            },
        );
    }
    for date in dated_folders(&workspace.out()) {
        if summary_path(workspace, date).is_file() {
            days.entry(date)
                .or_insert(Day {
                    date,
                    run: false,
                    report_files: 0,
                })
                .run = true;
        }
    }
    days.into_values().rev().collect()
}

/// `out/D/summary.json`.
pub fn summary_path(workspace: &Workspace, date: NaiveDate) -> std::path::PathBuf {
    workspace.output(date, crate::report::layout::SUMMARY)
}

/// The day's `summary.json` text, if the day was run.
pub fn summary_text(workspace: &Workspace, date: NaiveDate) -> Option<String> {
    std::fs::read_to_string(summary_path(workspace, date)).ok()
}

/// The day's output files, relative to `out/D/` with `/`, in name order (forms after the rest).
pub fn outputs(workspace: &Workspace, date: NaiveDate) -> Vec<String> {
    let root = workspace.out_day(date);
    let mut found = Vec::new();
    let mut stack = vec![(root.clone(), 0)];
    while let Some((folder, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            match entry.file_type() {
                Ok(kind) if kind.is_dir() && depth < 2 => stack.push((entry.path(), depth + 1)),
                Ok(kind) if kind.is_file() => {
                    found.push(crate::workspace::relative(&root, &entry.path()));
                }
                _ => {}
            }
        }
    }
    found.sort_by_key(|name| (name.contains('/'), name.clone()));
    found
}

/// A day's summary as a role may see it (`force`: a force's clerk, see [`for_force`]); `None` when
/// the day was not run, an error when its `summary.json` does not read.
pub fn summary_for(
    workspace: &Workspace,
    date: NaiveDate,
    force: Option<&str>,
) -> Result<Option<Summary>, String> {
    let Some(text) = summary_text(workspace, date) else {
        return Ok(None);
    };
    let summary = serde_json::from_str::<Summary>(&text)
        .map_err(|error| format!("summary.json hỏng: {error}"))?;
    Ok(Some(match force {
        None => summary,
        Some(id) => for_force(summary, id),
    }))
}

/// A day's summary as a force's clerk may see it: the district's, the forces' and the communes'
/// counts as they are; the units, the files read and the unreadable files of her force only (a
/// file is a force's when it sits in that force's folder of `assignments/` or `reports/D/`).
pub fn for_force(mut summary: Summary, force_id: &str) -> Summary {
    let hers = |path: &str| Place::of(path).force_folder() == Some(force_id);
    summary.units.retain(|u| u.force == force_id);
    summary.inputs.retain(|i| hers(&i.path));
    summary.unreadable_files.retain(|f| hers(&f.path));
    // Undated report folders belong to no force: the district's to tidy.
    summary.skipped_report_folders.retain(|path| hers(path));
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_come_from_dated_report_and_result_folders() {
        let dir = tempfile::tempdir().expect("temp");
        let root = dir.path();
        for path in [
            "reports/2024-01-12/cong-an/a.xlsx",
            "reports/2024-01-12/b.xlsx",
            "reports/2024-01-12/~$b.xlsx",
            "reports/ghi-chu/c.xlsx",
            "out/2024-01-13/summary.json",
            "out/2024-01-13/don-vi/cong-an/x.xlsx",
            "out/2024-01-11/tong-hop-2024-01-11.xlsx",
        ] {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, b"x").expect("write");
        }
        let day = |d: u32| NaiveDate::from_ymd_opt(2024, 1, d).expect("day");
        let root = &Workspace::new(root);
        assert_eq!(
            days(root),
            vec![
                Day {
                    date: day(13),
                    run: true,
                    report_files: 0
                },
                Day {
                    date: day(12),
                    run: false,
                    report_files: 2
                },
            ]
        );
        assert_eq!(
            outputs(root, day(13)),
            vec![
                "summary.json".to_string(),
                "don-vi/cong-an/x.xlsx".to_string()
            ]
        );
    }
}
