//! Build script: gives `--version` the date of the commit the binary is built from
//! (`git log -1 --format=%cs`), or "unknown" outside a git checkout (a source tarball).

use std::path::Path;
use std::process::Command;

fn main() {
    let date = Command::new("git")
        .args(["log", "-1", "--format=%cs"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=VNEID_COMMIT_DATE={date}");
    // A new commit moves a ref; only existing paths are watched, so a tarball build is not redone.
    for watched in [".git/HEAD", ".git/refs", ".git/packed-refs"] {
        if Path::new(watched).exists() {
            println!("cargo:rerun-if-changed={watched}");
        }
    }
    if !Path::new(".git").exists() {
        println!("cargo:rerun-if-changed=build.rs");
    }
}
