//! `init` creates a workspace that the tool itself accepts, and never overwrites one.

use super::support::cli;

#[test]
fn init_creates_the_layout_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("tuan-giao");
    cli().arg("init").arg(&workspace).assert().success();
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
    let before = std::fs::read(workspace.join("vneid-recon.toml")).expect("settings");
    cli().arg("init").arg(&workspace).assert().code(3);
    assert_eq!(
        std::fs::read(workspace.join("vneid-recon.toml")).expect("settings"),
        before,
        "not overwritten"
    );
}
