//! `init` creates a workspace that the tool itself accepts, and never overwrites one.

use super::support::cli;

#[test]
fn init_creates_the_layout_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("tuan-giao");
    cli()
        .arg("init")
        .arg(&workspace)
        .args(["--han", "31/12/2026"])
        .assert()
        .success();
    for folder in [
        "master",
        "assignments/overrides",
        "assignments/doan-thanh-nien",
        "reports",
        "out",
    ] {
        assert!(workspace.join(folder).is_dir(), "{folder} created");
    }
    let settings =
        std::fs::read_to_string(workspace.join("vneid-recon.toml")).expect("settings written");
    assert!(settings.contains("Tuần Giáo") && settings.contains("Pú Xi"));
    assert!(
        settings.contains("deadline = 2026-12-31"),
        "the office's deadline"
    );
    let before = std::fs::read(workspace.join("vneid-recon.toml")).expect("settings");
    cli().arg("init").arg(&workspace).assert().code(3);
    assert_eq!(
        std::fs::read(workspace.join("vneid-recon.toml")).expect("settings"),
        before,
        "not overwritten"
    );
}

#[test]
fn init_without_a_deadline_writes_none_and_run_says_to_fill_it_in() {
    // Issue 36: a new office must not inherit the example's deadline (its first chat text said
    // "overdue by 1037 days"). Run from a script (no console to ask on), init writes none.
    let dir = tempfile::tempdir().expect("temp dir");
    let init = cli().arg("init").arg(dir.path()).output().expect("init");
    assert!(init.status.success());
    let said = String::from_utf8_lossy(&init.stdout);
    assert!(said.contains("ĐIỀN HẠN"), "{said}");
    assert!(said.contains("Việc tiếp theo"), "{said}");
    let settings = std::fs::read_to_string(dir.path().join("vneid-recon.toml")).expect("settings");
    assert!(
        !settings.contains("\ndeadline = 2024-02-05"),
        "no inherited deadline"
    );
    let run = cli()
        .args(["run", "--date", "2024-01-15", "-w"])
        .arg(dir.path())
        .output()
        .expect("run");
    // A settings error, as SPEC §7 codes it.
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("deadline"), "{stderr}");
    // A date that is not one is refused before anything is written.
    let other = tempfile::tempdir().expect("temp dir");
    let bad = cli()
        .arg("init")
        .arg(other.path())
        .args(["--han", "31/02/2026"])
        .output()
        .expect("init");
    assert_eq!(bad.status.code(), Some(2));
    assert!(!other.path().join("vneid-recon.toml").exists());
}
