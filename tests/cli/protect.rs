//! Issue 27: workbooks locked with a password, and locked reports read when the office knows the
//! password. The locked files are opened in the test by the decrypting crate and, independently,
//! by LibreOffice; unlocked, they are byte for byte the unprotected run's.

use std::collections::BTreeMap;
use std::path::Path;

use super::support::{cli, run_json, workspace_copy};

const DISTRICT: &str = "Huyện@Tuần-Giáo 2024";
const POLICE: &str = "CA-bí-mật-15";
const RECEIVED: &str = "Đoàn xã 2024";

const CFB: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn write_passwords(workspace: &Path, text: &str) {
    let path = workspace.join("mat-khau.toml");
    std::fs::write(&path, text).expect("passwords");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}

/// Every file under `out/D/` (forms included), by its path relative to it.
fn outputs(day: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![day.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(day)
                    .expect("inside")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                found.insert(name, std::fs::read(&path).expect("read"));
            }
        }
    }
    found
}

fn run(workspace: &Path, extra: &[&str]) -> std::process::Output {
    cli()
        .args(["run", "--quiet", "--date", "2024-01-15", "-w"])
        .arg(workspace)
        .args(extra)
        .env_remove("VNEID_PASSWORD")
        .output()
        .expect("run")
}

fn split(workspace: &Path, extra: &[&str]) {
    let output = cli()
        .args(["split", "--quiet", "--date", "2024-01-15", "-w"])
        .arg(workspace)
        .args(extra)
        .env_remove("VNEID_PASSWORD")
        .output()
        .expect("split");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}

fn decrypt(bytes: &[u8], password: &str) -> Option<Vec<u8>> {
    vneid_recon::ingest::file::unlock(bytes, &[vneid_recon::protect::Secret::new(password)])
}

#[test]
fn a_protected_run_locks_every_workbook_with_personal_data() {
    // The same workspace unprotected, then protected: the day's outputs compared file by file.
    let plain = workspace_copy("fixtures/tuan-giao");
    assert_eq!(run(plain.path(), &[]).status.code(), Some(0));
    split(plain.path(), &[]);
    let expected = outputs(&plain.path().join("out/2024-01-15"));

    let dir = workspace_copy("fixtures/tuan-giao");
    let root = dir.path();
    // Without a password, locking is a settings error (exit 2) and nothing is written.
    let refused = run(root, &["--protect"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("mat-khau.toml"));
    assert!(!root.join("out/2024-01-15").exists());
    // A passwords file others can read is refused, without quoting it.
    write_passwords(
        root,
        &format!("district = \"{DISTRICT}\"\n[forces]\ncong-an = \"{POLICE}\"\n"),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = root.join("mat-khau.toml");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let open = run(root, &["--protect"]);
        assert_eq!(open.status.code(), Some(2));
        let said = String::from_utf8_lossy(&open.stderr);
        assert!(
            said.contains("chmod 600") && !said.contains(DISTRICT),
            "{said}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    // --parquet would write the IDs unlocked: refused.
    assert_eq!(
        run(root, &["--protect", "--parquet"]).status.code(),
        Some(2)
    );

    let done = run(root, &["--protect"]);
    assert_eq!(done.status.code(), Some(0), "{done:?}");
    split(root, &["--protect"]);
    let locked = outputs(&root.join("out/2024-01-15"));
    assert_eq!(
        locked.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    let mut workbooks = 0;
    for (name, bytes) in &locked {
        let plain_bytes = &expected[name];
        if !name.ends_with(".xlsx") {
            // summary.json, the chat text and the picture carry counts only: open, and the same.
            assert_eq!(bytes, plain_bytes, "{name} stays open and unchanged");
            continue;
        }
        workbooks += 1;
        assert!(bytes.starts_with(&CFB), "{name} is a compound file");
        assert!(!bytes.starts_with(b"PK"), "{name} is not an open zip");
        let (own, other) = if name.starts_with("cong-an-") || name.starts_with("don-vi/cong-an/") {
            (POLICE, DISTRICT)
        } else {
            (DISTRICT, POLICE)
        };
        // Determinism: the random salts differ, what they lock is the unprotected run's bytes.
        assert_eq!(
            decrypt(bytes, own).as_ref(),
            Some(plain_bytes),
            "{name} opens with its password to the same workbook"
        );
        assert_eq!(decrypt(bytes, other), None, "{name}: another password");
        assert_eq!(
            decrypt(bytes, "sai mật khẩu"),
            None,
            "{name}: a wrong password"
        );
    }
    // The district's, four forces' and every unit's form.
    assert!(workbooks > 5 + 10, "{workbooks}");
    // Nothing of a password in any output or message.
    for text in [&done.stdout, &done.stderr] {
        let text = String::from_utf8_lossy(text);
        assert!(!text.contains(DISTRICT) && !text.contains(POLICE));
    }
    for (name, bytes) in &locked {
        for password in [DISTRICT, POLICE] {
            assert!(
                !bytes
                    .windows(password.len())
                    .any(|w| w == password.as_bytes()),
                "{name} holds no password"
            );
        }
    }
    libreoffice_opens_with_the_password(
        &root.join("out/2024-01-15/cong-an-2024-01-15.xlsx"),
        &plain.path().join("out/2024-01-15/cong-an-2024-01-15.xlsx"),
    );
}

/// LibreOffice (Python bridge) opens the locked workbook with its password, and its first sheet
/// converts to the same cells as the unprotected workbook's; a wrong password does not open it.
fn libreoffice_opens_with_the_password(locked: &Path, plain: &Path) {
    let python = Path::new("/usr/bin/python3");
    let has_uno = python.exists()
        && std::process::Command::new(python)
            .args(["-c", "import uno"])
            .status()
            .is_ok_and(|s| s.success());
    if !has_uno {
        assert!(
            std::env::var_os("VNEID_REQUIRE_SOFFICE").is_none(),
            "LibreOffice's Python bridge (python3-uno) is required here"
        );
        eprintln!("SKIPPED: LibreOffice's Python bridge is not installed");
        return;
    }
    let script = super::support::repo().join("tests/scripts/lo_unlock.py");
    let dir = tempfile::tempdir().expect("temp");
    let convert = |file: &Path, out: &str, password: Option<&str>| {
        let mut command = std::process::Command::new(python);
        command.arg(&script).arg(file).arg(dir.path().join(out));
        if let Some(password) = password {
            command.arg(password);
        }
        command.status().expect("python").code()
    };
    assert_eq!(convert(locked, "locked.csv", Some(POLICE)), Some(0));
    assert_eq!(convert(plain, "plain.csv", None), Some(0));
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect("csv");
    let cells = read("locked.csv");
    assert!(cells.contains("CÔNG AN HUYỆN"), "{cells}");
    assert_eq!(cells, read("plain.csv"));
    assert_eq!(convert(locked, "wrong.csv", Some("sai")), Some(3));
}

#[test]
fn a_locked_report_counts_when_its_password_is_known() {
    let dir = workspace_copy("fixtures/tuan-giao");
    let root = dir.path();
    let (code, baseline) = run_json(root, "2024-01-15");
    assert_eq!(code, 0);
    // A unit's report locked by its clerk, under the same name.
    let report = root.join("reports/2024-01-12/cong-an/cong-an-xa-chieng-dong.xlsx");
    let bytes = std::fs::read(&report).expect("report");
    let locked = vneid_recon::protect::lock(&bytes, &vneid_recon::protect::Secret::new(RECEIVED))
        .expect("locked");
    std::fs::write(&report, locked).expect("write");

    // Unknown password: `encrypted`, named, exit 1, as before.
    let (code, summary) = run_json(root, "2024-01-15");
    assert_eq!(code, 1);
    let unreadable = summary["unreadable_files"].as_array().expect("list");
    assert!(
        unreadable.iter().any(|f| f["path"]
            == "reports/2024-01-12/cong-an/cong-an-xa-chieng-dong.xlsx"
            && f["reason"] == "encrypted"),
        "{unreadable:?}"
    );
    assert_ne!(summary["claims"], baseline["claims"]);

    // Listed among the received passwords (after a wrong one): read like any other.
    write_passwords(root, &format!("received = [\"khác\", \"{RECEIVED}\"]\n"));
    let (code, summary) = run_json(root, "2024-01-15");
    assert_eq!(code, 0, "{}", summary["unreadable_files"]);
    assert_eq!(summary["claims"], baseline["claims"]);
    assert_eq!(summary["totals"], baseline["totals"]);
    // The check of a clerk's file opens it the same way.
    let output = cli()
        .args(["check", "--json", "--date", "2024-01-12", "-w"])
        .arg(root)
        .arg(&report)
        .output()
        .expect("check");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("encrypted"), "{text}");
    assert!(!text.contains(RECEIVED));

    // Removed from the list: `encrypted` again.
    write_passwords(root, "received = [\"khác\"]\n");
    let (code, summary) = run_json(root, "2024-01-15");
    assert_eq!(code, 1);
    assert!(summary.to_string().contains("encrypted"));
}

#[test]
fn the_page_reads_a_locked_report_with_a_known_password() {
    use super::serve::{Server, agent, multipart};
    let dir = workspace_copy("fixtures/tuan-giao");
    let root = dir.path();
    let report = root.join("reports/2024-01-12/cong-an/cong-an-xa-chieng-dong.xlsx");
    let plain = std::fs::read(&report).expect("report");
    let locked = vneid_recon::protect::lock(&plain, &vneid_recon::protect::Secret::new(RECEIVED))
        .expect("locked");
    let server = Server::start(root, &["--listen", "127.0.0.1:0"]);
    let check = |bytes: &[u8]| {
        let mut answer = agent().get(server.url("/api/csrf")).call().expect("csrf");
        let json: serde_json::Value = answer.body_mut().read_json().expect("json");
        let csrf = json["csrf"].as_str().expect("csrf").to_string();
        let (content_type, body) = multipart(&[("force", "cong-an")], &[("bao-cao.xlsx", bytes)]);
        let mut answer = agent()
            .post(server.url("/api/check?date=2024-01-15"))
            .header("Content-Type", &content_type)
            .header("X-CSRF-Token", &csrf)
            .send(&body[..])
            .expect("post");
        let json: serde_json::Value = answer.body_mut().read_json().expect("json");
        json[0].clone()
    };
    let expected = check(&plain);
    assert_eq!(expected["outcome"], "checked", "{expected}");
    // Unknown password: refused as encrypted.
    let refused = check(&locked);
    assert_eq!(refused["outcome"], "refused", "{refused}");
    // Known (the page re-reads mat-khau.toml with the lists): checked like the open file.
    write_passwords(root, &format!("received = [\"{RECEIVED}\"]\n"));
    let opened = check(&locked);
    assert_eq!(opened["outcome"], "checked", "{opened}");
    assert_eq!(opened["accepted"], expected["accepted"]);
    assert_eq!(opened["problems"], expected["problems"]);
    assert!(!opened.to_string().contains(RECEIVED));
}
