//! File-system writes: new files with owner-only permissions, written aside and renamed so that a
//! reader never sees half a file.

use std::io::Write;
use std::path::Path;

/// Writes a file that must not exist yet: the content goes to a temporary file in the same folder,
/// which is then renamed into place. Mode 0600 on Unix.
pub fn write_new_file(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    temporary.write_all(content)?;
    temporary.as_file().sync_all()?;
    set_owner_only(temporary.path())?;
    temporary.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
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

/// Publishes a folder of files whole: they are written into a staging folder beside `target`
/// (same file system), then the staging folder replaces `target` by rename. A crash before the
/// rename leaves the previous `target` untouched; readers never see a half-written folder.
pub fn publish_dir(target: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(parent)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.partial-"))
        .tempdir_in(parent)?;
    for (file, content) in files {
        let path = staging.path().join(file);
        if let Some(folder) = path.parent() {
            fs_err::create_dir_all(folder)?;
        }
        let mut handle = fs_err::File::create(&path)?;
        handle.write_all(content)?;
        handle.sync_all()?;
        set_owner_only(&path)?;
    }
    let staged = staging.keep();
    if target.exists() {
        let retired = parent.join(format!(".{name}.old-{}", std::process::id()));
        fs_err::rename(target, &retired)?;
        fs_err::rename(&staged, target)?;
        fs_err::remove_dir_all(&retired)?;
    } else {
        fs_err::rename(&staged, target)?;
    }
    Ok(())
}
