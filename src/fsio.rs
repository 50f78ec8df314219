//! File-system writes: new files with owner-only permissions, written aside and renamed so that a
//! reader never sees half a file.

use std::io::Write;
use std::path::Path;

/// Writes a file that must not exist yet: the content goes to a temporary file in the same folder,
/// which is then renamed into place. Mode 0600 on Unix.
pub fn write_new_file(path: &Path, content: &[u8]) -> std::io::Result<()> {
    written_aside(path, content)?
        .persist_noclobber(path)
        .map_err(|e| e.error)?;
    Ok(())
}

/// The content in a synced owner-only temporary file beside `path`, ready to be renamed into place.
fn written_aside(path: &Path, content: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    temporary.write_all(content)?;
    temporary.as_file().sync_all()?;
    set_owner_only(temporary.path())?;
    Ok(temporary)
}

/// Restricts a file to its owner (0600); a no-op off Unix.
pub fn set_owner_only(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates a folder (and its parents) and restricts it to its owner (0700); off Unix, creates it.
pub fn create_owner_only_dir(path: &Path) -> std::io::Result<()> {
    fs_err::create_dir_all(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Whether any folder or file from `base` down to `base/parts…` is a symbolic link (or cannot be
/// looked at): a download never follows one out of the results folder.
pub fn any_symlink(base: &Path, parts: &[&str]) -> bool {
    let mut path = base.to_path_buf();
    let check = |path: &Path| {
        std::fs::symlink_metadata(path).map_or(true, |meta| meta.file_type().is_symlink())
    };
    if check(&path) {
        return true;
    }
    for part in parts {
        path.push(part);
        if check(&path) {
            return true;
        }
    }
    false
}

/// Publishes a folder of files whole: they are written into a staging folder beside `target`
/// (same file system), then the staging folder replaces `target` by rename. A crash before the
/// rename leaves the previous `target` untouched; readers never see a half-written folder.
pub fn publish_dir(target: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    publish_dir_keeping(target, files, &[])
}

/// [`publish_dir`], carrying the named entries of the previous `target` over into the new one (the
/// day's `don-vi/` forms survive a rerun of the consolidation).
pub fn publish_dir_keeping(
    target: &Path,
    files: &[(&str, &[u8])],
    keep: &[&str],
) -> std::io::Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(parent)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.partial-"))
        .tempdir_in(parent)?;
    for (file, _) in files {
        if let Some(folder) = staging.path().join(file).parent() {
            fs_err::create_dir_all(folder)?;
        }
    }
    // The files are written and synced by a few threads at once: the waits for the disk overlap
    // instead of adding up (a province's workbooks are over 100 MB; `split` writes hundreds of
    // small forms).
    const WRITERS: usize = 8;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let write_next = || -> std::io::Result<()> {
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some((file, content)) = files.get(index) else {
                return Ok(());
            };
            let path = staging.path().join(file);
            let mut handle = fs_err::File::create(&path)?;
            handle.write_all(content)?;
            handle.sync_all()?;
            set_owner_only(&path)?;
        }
    };
    std::thread::scope(|scope| {
        let writers: Vec<_> = (0..files.len().min(WRITERS))
            .map(|_| scope.spawn(write_next))
            .collect();
        writers.into_iter().try_for_each(|writer| {
            writer
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("a file writer panicked")))
        })
    })?;
    for entry in keep {
        let old = target.join(entry);
        if old.exists() {
            copy_tree(&old, &staging.path().join(entry))?;
        }
    }
    let staged = staging.keep();
    let published = replace_dir(&staged, target, parent, &name);
    if published.is_err() {
        let _ = std::fs::remove_dir_all(&staged);
    }
    published
}

/// How long a folder held by another program (a workbook open in Excel, an antivirus scan) is
/// waited for before the publication gives up.
const HELD_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Puts `staged` in the place of `target`: the previous folder is renamed aside, the new one into
/// place, the old one removed. On Windows a folder cannot be renamed while a program holds one of
/// its files open without sharing (Excel does): such a file is waited for [`HELD_WAIT`], then the
/// publication fails naming it, and the previous folder stays whole where it was.
fn replace_dir(staged: &Path, target: &Path, parent: &Path, name: &str) -> std::io::Result<()> {
    if !target.exists() {
        return retrying(|| std::fs::rename(staged, target));
    }
    let held = |open: &Path| {
        std::io::Error::other(format!(
            "tệp {} đang được mở trong chương trình khác (thường là Excel): đóng tệp đó rồi chạy lại; kết quả cũ trong {} vẫn giữ nguyên",
            open.display(),
            target.display()
        ))
    };
    // Windows: a file held open without sharing is waited for, then named. Asked before the
    // rename, so the outcome does not depend on how the system treats a folder holding it.
    if cfg!(windows) {
        retrying(|| open_file_in(target).map_or(Ok(()), |open| Err(held(&open))))?;
    }
    let retired = parent.join(format!(".{name}.old-{}", std::process::id()));
    if let Err(error) = retrying(|| std::fs::rename(target, &retired)) {
        return Err(open_file_in(target).map_or(error, |open| held(&open)));
    }
    if let Err(error) = retrying(|| std::fs::rename(staged, target)) {
        // Put the previous folder back: the day is never left without its results.
        let _ = std::fs::rename(&retired, target);
        return Err(error);
    }
    // The old folder is gone from its place: a file in it still open only delays its removal.
    let _ = std::fs::remove_dir_all(&retired);
    Ok(())
}

/// Moves a file within a file system (a replaced report into its day's hidden folder); on Windows
/// it waits a moment for a program holding the file open, then says which file is held.
pub fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    retrying(|| std::fs::rename(from, to)).map_err(|error| {
        std::io::Error::new(
            error.kind(),
            format!(
                "không chuyển được {} (đang mở trong chương trình khác?): {error}",
                from.display()
            ),
        )
    })
}

/// Runs a step again while it fails (for at most [`HELD_WAIT`]), as a file held open for a moment
/// makes a rename fail on Windows; elsewhere the first failure is final.
fn retrying(mut step: impl FnMut() -> std::io::Result<()>) -> std::io::Result<()> {
    let started = std::time::Instant::now();
    loop {
        match step() {
            Ok(()) => return Ok(()),
            Err(error) if started.elapsed() >= HELD_WAIT || !cfg!(windows) => return Err(error),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(250)),
        }
    }
}

/// A file under `folder` that cannot be opened for writing (held by another program).
fn open_file_in(folder: &Path) -> Option<std::path::PathBuf> {
    for entry in std::fs::read_dir(folder).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(open) = open_file_in(&path) {
                return Some(open);
            }
        } else if std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .is_err()
        {
            return Some(path);
        }
    }
    None
}

/// Copies a folder tree (the previous output's kept entries), keeping owner-only permissions.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        fs_err::create_dir_all(to)?;
        for entry in fs_err::read_dir(from)? {
            let entry = entry?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else {
        fs_err::copy(from, to)?;
    }
    Ok(())
}

/// The lock file of a workspace, held for the length of a run.
pub const LOCK_FILE: &str = ".vneid-recon.lock";

/// Who holds a workspace lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    pub pid: u32,
    pub started: String,
}

/// The file a lock's holder keeps locked by the operating system for the run's length.
const HELD_FILE: &str = ".vneid-recon.lock.held";

/// A held workspace lock; released when dropped. `.vneid-recon.lock` says who holds it (created
/// only if absent, so one run at a time gets it); beside it, `.vneid-recon.lock.held` is held
/// locked by the operating system (`flock` on Unix, `LockFileEx` on Windows) while the run lives,
/// so a run that was killed leaves a lock nobody holds, which the next run takes over on every
/// system. The two are separate because Windows refuses to read a file another process has locked.
#[derive(Debug)]
pub struct WorkspaceLock {
    path: std::path::PathBuf,
    held: std::path::PathBuf,
    /// Open and locked until the lock is dropped (after both files are removed).
    _held_file: std::fs::File,
}

impl Drop for WorkspaceLock {
    fn drop(&mut self) {
        // Removed while still locked: nobody can take the lock over half-released.
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_file(&self.held);
    }
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("một lần chạy khác đang giữ thư mục làm việc (tiến trình {}, bắt đầu lúc {})", .0.pid, .0.started)]
    Held(LockHolder),
}

/// Takes the workspace lock, waiting up to `wait` for another run to finish. A lock that no process
/// holds (a killed run) is taken over.
pub fn lock_workspace(
    workspace: &Path,
    started: &str,
    wait: std::time::Duration,
) -> Result<WorkspaceLock, LockError> {
    let path = workspace.join(LOCK_FILE);
    let held = workspace.join(HELD_FILE);
    let deadline = std::time::Instant::now() + wait;
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                let held_file = std::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&held)?;
                if held_file.try_lock().is_err() {
                    // A run taking over the same stale lock at this very moment: let it.
                    let _ = std::fs::remove_file(&path);
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    continue;
                }
                writeln!(file, "{} {started}", std::process::id())?;
                file.flush()?;
                return Ok(WorkspaceLock {
                    path,
                    held,
                    _held_file: held_file,
                });
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                // Nobody holds it (released meanwhile, or left by a killed run): again at once.
                if let Some(holder) = holder_of(&path, &held) {
                    if std::time::Instant::now() >= deadline {
                        return Err(LockError::Held(holder));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// Who holds the lock, or `None` when nobody does (a lock left by a killed run is removed). A lock
/// made a moment ago whose holder has not locked yet counts as held.
fn holder_of(path: &Path, held: &Path) -> Option<LockHolder> {
    let text = std::fs::read_to_string(path).ok()?;
    let holder = parse_holder(&text).unwrap_or(LockHolder {
        pid: 0,
        started: "?".to_string(),
    });
    let locked = std::fs::OpenOptions::new()
        .write(true)
        .open(held)
        .is_ok_and(|file| matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock)));
    let young = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| modified.elapsed().ok())
        .is_some_and(|age| age < std::time::Duration::from_secs(5));
    if locked || young {
        return Some(holder);
    }
    let _ = std::fs::remove_file(path);
    None
}

fn parse_holder(text: &str) -> Option<LockHolder> {
    let (pid, started) = text.trim().split_once(' ')?;
    Some(LockHolder {
        pid: pid.parse().ok()?,
        started: started.to_string(),
    })
}

/// Removes staging folders left in `folder` by a run that was killed before it published.
pub fn remove_stale_staging(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && (name.contains(".partial-") || name.contains(".old-")) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes a file (replacing it if present) by writing aside and renaming; mode 0600.
pub fn write_file(path: &Path, content: &[u8]) -> std::io::Result<()> {
    written_aside(path, content)?
        .persist(path)
        .map_err(|e| e.error)?;
    Ok(())
}

/// A file's stamp: its modification time and length (`None` when it does not exist).
pub type Stamp = Option<(std::time::SystemTime, u64)>;

/// A file's modification time and length, to notice it change.
pub fn stamp(path: &std::path::Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// A value read from a file, read again only when the file's stamp changes.
pub struct Watched<T> {
    last: std::sync::Mutex<Option<(Stamp, std::sync::Arc<T>)>>,
}

impl<T> Default for Watched<T> {
    fn default() -> Self {
        Self {
            last: std::sync::Mutex::new(None),
        }
    }
}

impl<T> Watched<T> {
    /// The value, read again by `read` only when the file's stamp changed since the last read.
    pub fn get<E>(
        &self,
        path: &std::path::Path,
        read: impl FnOnce() -> Result<T, E>,
    ) -> Result<std::sync::Arc<T>, E> {
        let now = stamp(path);
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((seen, value)) = &*last
            && *seen == now
        {
            return Ok(std::sync::Arc::clone(value));
        }
        let value = std::sync::Arc::new(read()?);
        *last = Some((now, std::sync::Arc::clone(&value)));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_lock_is_taken_over_and_a_live_one_is_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        // Left by a killed run: its file says who, but nobody holds it any more.
        let stale = dir.path().join(LOCK_FILE);
        std::fs::write(&stale, "4000000 2024-01-15T20:00:00").expect("write");
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .and_then(|file| file.set_modified(old))
            .expect("aged");
        let lock = lock_workspace(dir.path(), "now", std::time::Duration::ZERO)
            .expect("stale lock taken over");
        let error =
            lock_workspace(dir.path(), "later", std::time::Duration::ZERO).expect_err("held by us");
        assert!(
            matches!(error, LockError::Held(LockHolder { pid, .. }) if pid == std::process::id())
        );
        drop(lock);
        assert!(!dir.path().join(LOCK_FILE).exists(), "released on drop");
        assert!(!dir.path().join(HELD_FILE).exists(), "released on drop");
    }

    #[test]
    fn publishing_replaces_the_folder_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("2024-01-15");
        publish_dir(&target, &[("a.txt", b"1")]).expect("first");
        publish_dir(&target, &[("b.txt", b"2")]).expect("second");
        assert!(!target.join("a.txt").exists());
        assert_eq!(std::fs::read(target.join("b.txt")).expect("b"), b"2");
        std::fs::create_dir(dir.path().join(".2024-01-15.partial-x")).expect("leftover");
        remove_stale_staging(dir.path());
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn more_files_than_writers_are_all_published_in_their_folders() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("2024-01-15");
        let names: Vec<String> = (0..21)
            .map(|n| format!("don-vi/f{}/{n}.txt", n % 3))
            .collect();
        let contents: Vec<Vec<u8>> = (0..21).map(|n| vec![b'a' + n as u8; 1000 + n]).collect();
        let files: Vec<(&str, &[u8])> = names
            .iter()
            .zip(&contents)
            .map(|(name, content)| (name.as_str(), content.as_slice()))
            .collect();
        publish_dir(&target, &files).expect("published");
        for (name, content) in &files {
            assert_eq!(
                std::fs::read(target.join(name)).expect("file"),
                *content,
                "{name}"
            );
        }
        // A file that cannot be written fails the publication and leaves no folder behind.
        let clash = [("x", b"1".as_slice()), ("x/y", b"2".as_slice())];
        assert!(publish_dir(&dir.path().join("other"), &clash).is_err());
        assert!(!dir.path().join("other").exists());
    }
}
