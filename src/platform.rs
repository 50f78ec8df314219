//! What differs between Windows and the other systems, for the people who start the tool without a
//! terminal: where the remembered workspace is kept, the default workspace folder, and opening the
//! browser. Nothing else in the code asks which system it runs on (the lock and the publication of
//! `out/D/` are in [`crate::fsio`]).
//!
//! Console text needs nothing here: Rust's standard library writes to a Windows console through
//! `WriteConsoleW`, so Vietnamese shows right whatever the console's code page; output redirected
//! to a file or a pipe is UTF-8 everywhere.

use std::path::PathBuf;

/// The file that remembers the workspace opened by a double click.
const REMEMBERED: &str = "thu-muc-lam-viec.txt";

/// The tool's own settings folder: `%APPDATA%\vneid-recon` on Windows, `$XDG_CONFIG_HOME` (or
/// `~/.config`) `/vneid-recon` elsewhere. `VNEID_CONFIG_DIR` overrides it (tests).
fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("VNEID_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    #[cfg(windows)]
    let base = std::env::var_os("APPDATA").map(PathBuf::from);
    #[cfg(not(windows))]
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")));
    base.map(|base| base.join("vneid-recon"))
}

/// The workspace remembered from an earlier start, if it still has its settings file.
pub fn remembered_workspace() -> Option<PathBuf> {
    let text = std::fs::read_to_string(config_dir()?.join(REMEMBERED)).ok()?;
    let path = PathBuf::from(text.trim());
    path.join(crate::workspace::SETTINGS_FILE)
        .is_file()
        .then_some(path)
}

/// Remembers the workspace for the next start.
pub fn remember_workspace(workspace: &std::path::Path) -> std::io::Result<()> {
    let dir = config_dir().ok_or_else(|| std::io::Error::other("no settings folder"))?;
    fs_err::create_dir_all(&dir)?;
    let absolute = std::path::absolute(workspace)?;
    crate::fsio::write_file(&dir.join(REMEMBERED), absolute.to_string_lossy().as_bytes())
}

/// Where a first start makes its workspace: `Documents\vneid-recon` in the user's profile on
/// Windows (a folder only that user and the administrators can read), `~/vneid-recon` elsewhere.
pub fn default_workspace() -> PathBuf {
    #[cfg(windows)]
    let home = std::env::var_os("USERPROFILE").map(|p| PathBuf::from(p).join("Documents"));
    #[cfg(not(windows))]
    let home = std::env::var_os("HOME").map(PathBuf::from);
    home.unwrap_or_else(|| PathBuf::from("."))
        .join("vneid-recon")
}

/// Limits this process's address space to `bytes` (the OLE2 probe's child), best effort: on Unix
/// through `setrlimit`; on Windows not at all (that needs a job object, which safe Rust cannot
/// make): there the probe still isolates a reader's crash, and its time limit still holds.
pub fn limit_own_memory(bytes: u64) {
    #[cfg(unix)]
    let _ = rlimit::setrlimit(rlimit::Resource::AS, bytes, bytes);
    #[cfg(not(unix))]
    let _ = bytes;
}

/// Opens an address in the user's browser; false when no way to do so was found. Skipped when
/// `VNEID_NO_BROWSER` is set (tests, servers without a desktop).
pub fn open_browser(url: &str) -> bool {
    if std::env::var_os("VNEID_NO_BROWSER").is_some() {
        return false;
    }
    #[cfg(windows)]
    let mut command = {
        // `start` is a built-in of cmd; its first quoted argument is the window title.
        let mut command = std::process::Command::new("cmd");
        command.args(["/C", "start", ""]).arg(url);
        command
    };
    #[cfg(target_os = "macos")]
    let mut command = {
        let mut command = std::process::Command::new("open");
        command.arg(url);
        command
    };
    #[cfg(not(any(windows, target_os = "macos")))]
    let mut command = {
        let mut command = std::process::Command::new("xdg-open");
        command.arg(url);
        command
    };
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}
