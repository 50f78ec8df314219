//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared folder beside the repository (corpus, seeds); `VNEID_SHARED` overrides it.
pub fn shared() -> PathBuf {
    std::env::var_os("VNEID_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"))
}

/// The CLI, run from the repository root.
pub fn cli() -> Command {
    let mut command =
        Command::cargo_bin("vneid-recon").expect("the binary is built for integration tests");
    command.current_dir(repo());
    command
}

/// Runs `inspect --json` and returns the exit code and the parsed output.
pub fn inspect_json(files: &[&Path], date: &str) -> (i32, Value) {
    let output = cli()
        .arg("inspect")
        .arg("--json")
        .arg("--date")
        .arg(date)
        .args(files)
        .timeout(std::time::Duration::from_secs(600))
        .output()
        .expect("inspect runs");
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "inspect printed no JSON ({e}); exit {code}; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, json)
}

/// Asserts read = accepted + rejected + skipped for every sheet of an inspect output.
pub fn assert_rows_conserved(json: &Value) {
    for file in json["files"].as_array().expect("files") {
        for sheet in file["sheets"].as_array().expect("sheets") {
            let n = |k: &str| {
                sheet[k]
                    .as_u64()
                    .unwrap_or_else(|| panic!("{k} in {sheet}"))
            };
            assert_eq!(
                n("read"),
                n("accepted") + n("rejected") + n("skipped"),
                "row conservation in {} / {}",
                file["path"],
                sheet["name"]
            );
            assert_eq!(
                n("rejected") as usize,
                sheet["rejects"].as_array().map_or(0, Vec::len),
                "every reject listed"
            );
        }
    }
}

/// The files directly in a folder, as (name, bytes), sorted: for byte-identical comparisons.
pub fn snapshot_dir(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(folder)
        .expect("the folder exists")
        .map(|entry| entry.expect("entry").path())
        .map(|path| {
            (
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(&path).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}

/// Copies a folder tree, as a fixture's inputs: without the `out/` results and the lock a run of
/// the README's first command may have left in it (the tests must not read them).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name == "out" || name.starts_with(".vneid-recon.lock") {
            continue;
        }
        let target = to.join(&name);
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// A copy of a fixture workspace (a path relative to the repository) in a temporary folder.
pub fn workspace_copy(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&repo().join(fixture), dir.path());
    dir
}

/// A copy of the Tuần Giáo fixture, run for 15/01/2024 (the page's tests start from it).
pub fn fixture_run() -> tempfile::TempDir {
    let dir = workspace_copy("fixtures/tuan-giao");
    let ran = cli()
        .args(["run", "--quiet", "--date", "2024-01-15", "-w"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert_eq!(ran.status.code(), Some(0), "the fixture runs");
    dir
}

/// A new workspace made by `init`, with Tuần Giáo's deadline.
pub fn new_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let init = cli()
        .arg("init")
        .arg(dir.path())
        .args(["--han", "2024-02-05"])
        .output()
        .expect("init");
    assert!(init.status.success(), "init");
    dir
}

/// Runs `run --quiet --json` on a workspace for a date: the exit code and the summary.
pub fn run_json(workspace: &Path, date: &str) -> (i32, Value) {
    let output = cli()
        .args(["run", "--quiet", "--json", "--date", date, "-w"])
        .arg(workspace)
        .output()
        .expect("run starts");
    let code = output.status.code().unwrap_or(-1);
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); exit {code}; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, json)
}

/// Asserts two summaries agree on every number an unreadable file must not move: totals, claims,
/// rejected rows, warnings, force × commune and units (`unreadable_files` and `inputs` may differ).
pub fn assert_same_numbers(got: &Value, expected: &Value, why: &str) {
    for key in [
        "totals",
        "claims",
        "rejected_rows",
        "warnings",
        "by_force_commune",
        "units",
    ] {
        assert_eq!(got[key], expected[key], "{key}: {why}");
    }
}

/// Settings of the three-citizen workspace: two communes, two forces.
pub const SMALL_SETTINGS: &str = "deadline = 2024-02-05\ncommunes = [\"Ta Ma\", \"Quài Tở\"]\n[[forces]]\nid = \"doan-thanh-nien\"\nname = \"Đoàn Thanh niên\"\nunit_label = \"Đoàn\"\n[[forces]]\nid = \"cong-an\"\nname = \"Công an\"\nunit_label = \"Công an\"\n";
/// The three citizens: A and B assigned to Đoàn xã Ta Ma, C to the commune police of Quài Tở.
pub const A: &str = "011090000001";
pub const B: &str = "011190000002";
pub const C: &str = "011085000003";

/// Writes a file (and its folders) under a workspace.
pub fn write_under(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// The three-citizen workspace (CSV lists, no reports yet).
pub fn small_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_under(root, "vneid-recon.toml", SMALL_SETTINGS);
    write_under(
        root,
        "master/ds.csv",
        &format!(
            "Họ và tên;Số định danh cá nhân;Xã\nLò Văn An;{A};Ta Ma\nQuàng Thị Bình;{B};Ta Ma\nCà Văn Cường;{C};Quài Tở\n"
        ),
    );
    write_under(
        root,
        "assignments/doan-thanh-nien/pc.csv",
        &format!(
            "Họ và tên;Số định danh cá nhân;Xã;Đơn vị;Cán bộ phụ trách\nLò Văn An;{A};Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú\nQuàng Thị Bình;{B};Ta Ma;Đoàn xã Ta Ma;Lò Văn Tú\n"
        ),
    );
    write_under(
        root,
        "assignments/cong-an/pc.csv",
        &format!(
            "Họ và tên;Số định danh cá nhân;Xã;Cán bộ phụ trách\nCà Văn Cường;{C};Quài Tở;Vì Văn Hùng\n"
        ),
    );
    dir
}
