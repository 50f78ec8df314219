//! The layout of a workspace (SPEC §3), defined once. [`Workspace`] is the one type that joins a
//! workspace's paths: its settings and secret files, the input folders (`master/`, `assignments/`
//! with `overrides/`, `targets.xlsx`), a day's report folder and its force subfolders, `out/D/`,
//! and the page's own places (the staging of checked files, the log). [`Place`] reads a relative
//! path back into what it is, for every module that must tell a report of a force from a list.
//!
//! It sits below every stage (like [`crate::ix`] and [`crate::settings`]): ingest discovers the
//! inputs through it, the pipeline writes through it, the page reads through it; it touches no
//! file itself.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

/// `vneid-recon.toml`, the settings (SPEC §9).
pub const SETTINGS_FILE: &str = "vneid-recon.toml";
/// `mat-khau.toml`, the passwords of locked workbooks (owner-only).
pub const PASSWORDS_FILE: &str = "mat-khau.toml";
/// `lien-ket.toml`, the hashes of the page's links (owner-only).
pub const LINKS_FILE: &str = "lien-ket.toml";
/// `targets.xlsx`, the optional targets appendix.
pub const TARGETS_FILE: &str = "targets.xlsx";

const MASTER: &str = "master";
const ASSIGNMENTS: &str = "assignments";
const OVERRIDES: &str = "overrides";
const REPORTS: &str = "reports";
const OUT: &str = "out";
/// The hidden folder of a day's replaced reports (`reports/D/.thay-the/`), which `run` skips.
pub const REPLACED: &str = ".thay-the";
/// The tool's own hidden folder: the page's checked files waiting to be sent.
const STATE: &str = ".vneid-recon";
const STAGING: &str = "cho-gui";
/// The page's log (`nhat-ky/YYYY-MM.jsonl`).
const JOURNAL: &str = "nhat-ky";

/// A day as its folders are named: `YYYY-MM-DD`.
pub fn day_name(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// A day folder's name read back; only the canonical spelling is a day (`2024-1-5` is not).
pub fn parse_day_name(name: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(name, "%Y-%m-%d")
        .ok()
        .filter(|_| name.len() == 10)
}

/// A workspace folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn settings_file(&self) -> PathBuf {
        self.root.join(SETTINGS_FILE)
    }

    pub fn passwords_file(&self) -> PathBuf {
        self.root.join(PASSWORDS_FILE)
    }

    pub fn links_file(&self) -> PathBuf {
        self.root.join(LINKS_FILE)
    }

    /// `master/`, the police's lists of citizens not yet activated.
    pub fn master(&self) -> PathBuf {
        self.root.join(MASTER)
    }

    /// `assignments/`, the forces' assignment lists.
    pub fn assignments(&self) -> PathBuf {
        self.root.join(ASSIGNMENTS)
    }

    pub fn targets_file(&self) -> PathBuf {
        self.root.join(TARGETS_FILE)
    }

    /// `reports/`, every day's received reports.
    pub fn reports(&self) -> PathBuf {
        self.root.join(REPORTS)
    }

    /// `reports/D/`.
    pub fn report_day(&self, day: NaiveDate) -> PathBuf {
        self.reports().join(day_name(day))
    }

    /// `reports/D/<force-id>/`, where a force's reports of the day are stored.
    pub fn report_force(&self, day: NaiveDate, force_id: &str) -> PathBuf {
        self.report_day(day).join(force_id)
    }

    /// `reports/D/.thay-the/`, where a replaced report is kept.
    pub fn replaced(&self, day: NaiveDate) -> PathBuf {
        self.report_day(day).join(REPLACED)
    }

    /// `out/`, every day's results.
    pub fn out(&self) -> PathBuf {
        self.root.join(OUT)
    }

    /// `out/D/`, a day's results.
    pub fn out_day(&self, day: NaiveDate) -> PathBuf {
        self.out().join(day_name(day))
    }

    /// A file of a day's results, by its name relative to `out/D/` (with `/`).
    pub fn output(&self, day: NaiveDate, name: &str) -> PathBuf {
        let mut path = self.out_day(day);
        path.extend(name.split('/'));
        path
    }

    /// `.vneid-recon/cho-gui/`, the page's checked files waiting to be sent.
    pub fn staging(&self) -> PathBuf {
        self.root.join(STATE).join(STAGING)
    }

    /// `nhat-ky/`, the page's log.
    pub fn journal(&self) -> PathBuf {
        self.root.join(JOURNAL)
    }

    /// A path given relative to the workspace with `/` (as [`Workspace::relative`] wrote it).
    pub fn path_of(&self, relative: &str) -> PathBuf {
        let mut path = self.root.clone();
        path.extend(relative.split('/'));
        path
    }

    /// The folders a new workspace starts with (`init`): the input folders, one assignments
    /// folder per force, `reports/` and `out/`.
    pub fn skeleton(&self, force_ids: &[&str]) -> Vec<PathBuf> {
        let mut folders = vec![
            self.master(),
            self.assignments(),
            self.assignments().join(OVERRIDES),
            self.reports(),
            self.out(),
        ];
        folders.extend(force_ids.iter().map(|id| self.assignments().join(id)));
        folders
    }

    /// A path as shown to users: relative to the workspace, with `/`.
    pub fn relative(&self, path: &Path) -> String {
        relative(&self.root, path)
    }

    /// The force subfolder of a file under `reports/D/<force>/`, when it is inside this workspace's
    /// report folders (the clerk's `check` of a file in place).
    pub fn report_force_of(&self, path: &Path) -> Option<String> {
        let absolute = path.canonicalize().ok()?;
        let root = self.root.canonicalize().ok()?;
        let inside = absolute.strip_prefix(root).ok()?;
        match Place::of(&relative(Path::new(""), inside)) {
            Place::Report { force_folder, .. } => force_folder,
            _ => None,
        }
    }
}

/// A path relative to `root`, written with `/`.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// What a path relative to the workspace (with `/`) is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Under `master/`.
    Master,
    /// Under `assignments/`; `force_folder` is its first-level subfolder (under `overrides/` for an
    /// override).
    Assignment {
        force_folder: Option<String>,
        is_override: bool,
    },
    /// `targets.xlsx`.
    Targets,
    /// Under `reports/<folder>/`: `day` when the folder is named by a day; `force_folder` is the
    /// first-level subfolder below it.
    Report {
        folder: String,
        day: Option<NaiveDate>,
        force_folder: Option<String>,
    },
    /// Anything else.
    Other,
}

impl Place {
    /// Reads a relative path.
    pub fn of(relative: &str) -> Self {
        let parts: Vec<&str> = relative.split('/').collect();
        // The first-level folder below a prefix, when the file is inside it.
        let folder_below = |prefix_len: usize| -> Option<String> {
            (parts.len() > prefix_len + 1).then(|| parts[prefix_len].to_string())
        };
        match parts.as_slice() {
            [TARGETS_FILE] => Place::Targets,
            [MASTER, _, ..] => Place::Master,
            [ASSIGNMENTS, OVERRIDES, _, ..] => Place::Assignment {
                force_folder: folder_below(2),
                is_override: true,
            },
            [ASSIGNMENTS, _, ..] => Place::Assignment {
                force_folder: folder_below(1),
                is_override: false,
            },
            [REPORTS, folder, _, ..] => Place::Report {
                folder: (*folder).to_string(),
                day: parse_day_name(folder),
                force_folder: folder_below(2),
            },
            _ => Place::Other,
        }
    }

    /// The force folder a list or report sits in, if any.
    pub fn force_folder(&self) -> Option<&str> {
        match self {
            Place::Assignment { force_folder, .. } | Place::Report { force_folder, .. } => {
                force_folder.as_deref()
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_place_is_read_back() {
        let day = NaiveDate::from_ymd_opt(2024, 1, 15).expect("a day");
        let table = [
            ("master/ds.xlsx", Place::Master),
            ("master/a/b.xlsx", Place::Master),
            (
                "assignments/pc.xlsx",
                Place::Assignment {
                    force_folder: None,
                    is_override: false,
                },
            ),
            (
                "assignments/doan-thanh-nien/x/pc.xlsx",
                Place::Assignment {
                    force_folder: Some("doan-thanh-nien".into()),
                    is_override: false,
                },
            ),
            (
                "assignments/overrides/quyet-dinh.xlsx",
                Place::Assignment {
                    force_folder: None,
                    is_override: true,
                },
            ),
            (
                "assignments/overrides/cong-an/q.xlsx",
                Place::Assignment {
                    force_folder: Some("cong-an".into()),
                    is_override: true,
                },
            ),
            ("targets.xlsx", Place::Targets),
            (
                "reports/2024-01-15/bc.xlsx",
                Place::Report {
                    folder: "2024-01-15".into(),
                    day: Some(day),
                    force_folder: None,
                },
            ),
            (
                "reports/2024-01-15/cong-an/bc.xlsx",
                Place::Report {
                    folder: "2024-01-15".into(),
                    day: Some(day),
                    force_folder: Some("cong-an".into()),
                },
            ),
            (
                "reports/2024-1-5/bc.xlsx",
                Place::Report {
                    folder: "2024-1-5".into(),
                    day: None,
                    force_folder: None,
                },
            ),
            ("vneid-recon.toml", Place::Other),
            ("out/2024-01-15/summary.json", Place::Other),
        ];
        for (path, expected) in table {
            assert_eq!(Place::of(path), expected, "{path}");
        }
    }

    #[test]
    fn paths_are_joined_in_one_place() {
        let day = NaiveDate::from_ymd_opt(2024, 1, 15).expect("a day");
        let workspace = Workspace::new("/ws");
        assert_eq!(workspace.out_day(day), Path::new("/ws/out/2024-01-15"));
        assert_eq!(
            workspace.output(day, "don-vi/cong-an/x.xlsx"),
            Path::new("/ws/out/2024-01-15/don-vi/cong-an/x.xlsx")
        );
        assert_eq!(
            workspace.report_force(day, "cong-an"),
            Path::new("/ws/reports/2024-01-15/cong-an")
        );
        assert_eq!(
            workspace.replaced(day),
            Path::new("/ws/reports/2024-01-15/.thay-the")
        );
        assert_eq!(workspace.staging(), Path::new("/ws/.vneid-recon/cho-gui"));
        assert_eq!(
            workspace.relative(Path::new("/ws/reports/2024-01-15/a.xlsx")),
            "reports/2024-01-15/a.xlsx"
        );
        assert_eq!(parse_day_name("2024-1-5"), None);
        assert_eq!(parse_day_name(&day_name(day)), Some(day));
    }
}
