//! Finding the input files of a workspace (SPEC §3): `master/`, `assignments/` (with `overrides/`),
//! `targets.xlsx` and `reports/YYYY-MM-DD/` up to the as-of date (§11.1). Files whose names start
//! with `~$` or `.` are ignored; every list is in byte order of the path relative to the workspace,
//! written with `/`, so results never depend on directory listing order.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::workspace::{Place, Workspace, parse_day_name};

/// Where an input file sits, which decides how its rows are used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Master,
    /// An assignment list; `force_folder` is its first-level subfolder under `assignments/`.
    Assignment {
        force_folder: Option<String>,
        is_override: bool,
    },
    /// A daily report dated by its folder; `force_folder` is its first-level subfolder.
    Report {
        date: NaiveDate,
        force_folder: Option<String>,
    },
    Targets,
}

/// One input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    /// Relative to the workspace, with `/`.
    pub relative: String,
    pub role: Role,
}

/// The workspace's inputs, and what was passed over.
#[derive(Debug, Default)]
pub struct Discovery {
    /// All sources in byte order of `relative`.
    pub sources: Vec<Source>,
    /// Report folders whose name is not a date (relative paths).
    pub undated_report_folders: Vec<String>,
    /// Dates of the report folders read (≤ as-of), ascending.
    pub report_dates: Vec<NaiveDate>,
}

/// True for `~$lock` files of Office and hidden files.
fn is_ignored(name: &str) -> bool {
    name.starts_with("~$") || name.starts_with('.')
}

/// Every file under `dir`, recursively, as (absolute, relative-with-slashes); ignored names skipped.
fn files_under(root: &Path, dir: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut found = Vec::new();
    if !dir.is_dir() {
        return Ok(found);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs_err::read_dir(&folder)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_ignored(&name) {
                continue;
            }
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                found.push((path.clone(), relative(root, &path)));
            }
        }
    }
    Ok(found)
}

pub use crate::workspace::relative;

/// Lists the inputs of the workspace for a run as of `as_of`.
pub fn discover(workspace: &Workspace, as_of: NaiveDate) -> std::io::Result<Discovery> {
    let root = workspace.root();
    let mut discovery = Discovery::default();
    for (path, rel) in files_under(root, &workspace.master())? {
        discovery.sources.push(Source {
            path,
            relative: rel,
            role: Role::Master,
        });
    }
    for (path, rel) in files_under(root, &workspace.assignments())? {
        let Place::Assignment {
            force_folder,
            is_override,
        } = Place::of(&rel)
        else {
            continue;
        };
        discovery.sources.push(Source {
            path,
            relative: rel,
            role: Role::Assignment {
                force_folder,
                is_override,
            },
        });
    }
    let targets = workspace.targets_file();
    if targets.is_file() {
        discovery.sources.push(Source {
            relative: workspace.relative(&targets),
            path: targets,
            role: Role::Targets,
        });
    }
    discover_reports(workspace, as_of, &mut discovery)?;
    discovery
        .sources
        .sort_by(|a, b| a.relative.as_bytes().cmp(b.relative.as_bytes()));
    discovery.report_dates.sort();
    Ok(discovery)
}

fn discover_reports(
    workspace: &Workspace,
    as_of: NaiveDate,
    discovery: &mut Discovery,
) -> std::io::Result<()> {
    let reports = workspace.reports();
    if !reports.is_dir() {
        return Ok(());
    }
    for entry in fs_err::read_dir(&reports)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_ignored(&name) || !entry.file_type()?.is_dir() {
            continue;
        }
        // Only the canonical spelling is a date: `2024-1-5` is reported, not silently read or dropped.
        let Some(date) = parse_day_name(&name) else {
            discovery
                .undated_report_folders
                .push(workspace.relative(&entry.path()));
            continue;
        };
        if date > as_of {
            continue;
        }
        discovery.report_dates.push(date);
        for (path, rel) in files_under(workspace.root(), &entry.path())? {
            let force_folder = Place::of(&rel).force_folder().map(str::to_string);
            discovery.sources.push(Source {
                path,
                relative: rel,
                role: Role::Report { date, force_folder },
            });
        }
    }
    discovery.undated_report_folders.sort();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_orders_by_bytes_and_skips_what_it_must() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for file in [
            "master/b.xlsx",
            "master/A.xlsx",
            "master/~$b.xlsx",
            "master/.hidden.xlsx",
            "assignments/overrides/o.xlsx",
            "assignments/doan-thanh-nien/d.xlsx",
            "reports/2024-01-15/x.xlsx",
            "reports/2024-01-16/future.xlsx",
            "reports/ghi-chu/y.xlsx",
            "reports/2024-1-5/z.xlsx",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, b"").expect("write");
        }
        let found = discover(
            &Workspace::new(root),
            NaiveDate::from_ymd_opt(2024, 1, 15).expect("date"),
        )
        .expect("discover");
        let names: Vec<&str> = found.sources.iter().map(|s| s.relative.as_str()).collect();
        assert_eq!(
            names,
            [
                "assignments/doan-thanh-nien/d.xlsx",
                "assignments/overrides/o.xlsx",
                "master/A.xlsx",
                "master/b.xlsx",
                "reports/2024-01-15/x.xlsx"
            ]
        );
        assert_eq!(
            found.undated_report_folders,
            ["reports/2024-1-5", "reports/ghi-chu"]
        );
        assert_eq!(found.report_dates.len(), 1);
    }
}
