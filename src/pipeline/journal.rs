//! Nhật ký (issue 26): who did what on the page, one JSON line per event in the workspace's
//! `nhat-ky/YYYY-MM.jsonl` — every report stored, replaced or refused, every download, every run
//! and forms job, every request refused to a role. So when a force disputes a number the next
//! morning, the district can say what was received from whom and when.
//!
//! Guarantees: no citizen data (a file's name and SHA-256, never its rows); lines are appended whole
//! under one lock, so two requests never interleave; a log that cannot be written never stops the
//! clerk's work (the page goes on, and the district's page says the log is failing).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

crate::code_set! {
    /// What was done: the code the log writes, and the words the Nhật ký tab shows.
    pub enum Action {
        Check = "check" => "Kiểm tra",
        Store = "store" => "Gửi",
        Replace = "replace" => "Gửi thay tệp trước",
        SetAside = "set_aside" => "Giữ tệp bị thay",
        Refuse = "refuse" => "Từ chối tệp",
        Download = "download" => "Tải về",
        Run = "run" => "Chạy tổng hợp",
        Forms = "forms" => "Tạo phiếu",
        Forbidden = "forbidden" => "Bị chặn",
    }
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Vietnam time, `2024-01-15T16:55:02+07:00`.
    pub time: String,
    /// `district` or a force id.
    pub role: String,
    pub action: Action,
    /// The file concerned (as stored, or as sent, or the route refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// What came of it (`stored`, `already_received`, `refused`, an exit code, …).
    pub outcome: String,
    /// The caller's address.
    pub remote: String,
}

/// The workspace's log.
pub struct Journal {
    folder: PathBuf,
    lock: Mutex<()>,
    /// The last append failed.
    failing: AtomicBool,
}

impl Journal {
    pub fn new(workspace: &crate::workspace::Workspace) -> Self {
        Self {
            folder: workspace.journal(),
            lock: Mutex::new(()),
            failing: AtomicBool::new(false),
        }
    }

    /// Appends an event to this month's file.
    pub fn record(&self, event: &Event) {
        let Ok(line) = serde_json::to_string(event) else {
            return;
        };
        let month = event.time.get(..7).unwrap_or("khong-ro");
        let _held = self.lock.lock();
        // Owner-only, the folder and each month's file (issue 35): the log says who sent what.
        let written = crate::fsio::create_owner_only_dir(&self.folder).and_then(|()| {
            let path = self.folder.join(format!("{month}.jsonl"));
            let mut file = fs_err::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)?;
            crate::fsio::set_owner_only(&path)?;
            file.write_all(format!("{line}\n").as_bytes())
        });
        self.failing.store(written.is_err(), Ordering::SeqCst);
    }

    /// Whether the last event could not be written.
    pub fn failing(&self) -> bool {
        self.failing.load(Ordering::SeqCst)
    }

    /// The latest events, newest first: this month's file, then last month's, at most `limit`.
    pub fn latest(&self, limit: usize) -> Vec<Event> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.folder)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        let mut events = Vec::new();
        for file in files.iter().rev().take(2) {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            events.extend(
                text.lines()
                    .rev()
                    .filter_map(|line| serde_json::from_str::<Event>(line).ok()),
            );
            if events.len() >= limit {
                break;
            }
        }
        events.truncate(limit);
        events
    }
}

/// The current time in Vietnam as the log writes it.
pub fn now_text() -> String {
    format!("{}+07:00", crate::vietnam_now().format("%Y-%m-%dT%H:%M:%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_appended_and_read_back_newest_first() {
        let dir = tempfile::tempdir().expect("temp");
        let workspace = crate::workspace::Workspace::new(dir.path());
        let journal = Journal::new(&workspace);
        for (time, action) in [
            ("2024-01-31T16:00:00+07:00", Action::Store),
            ("2024-02-01T08:00:00+07:00", Action::Download),
            ("2024-02-01T20:00:00+07:00", Action::Run),
        ] {
            journal.record(&Event {
                time: time.into(),
                role: "district".into(),
                action,
                file: None,
                sha256: None,
                outcome: "ok".into(),
                remote: "127.0.0.1".into(),
            });
        }
        let actions: Vec<Action> = journal.latest(10).into_iter().map(|e| e.action).collect();
        assert_eq!(actions, [Action::Run, Action::Download, Action::Store]);
        assert_eq!(journal.latest(2).len(), 2);
        let january =
            std::fs::read_to_string(workspace.journal().join("2024-01.jsonl")).expect("january");
        assert_eq!(january.lines().count(), 1);
    }
}
