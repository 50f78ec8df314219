//! Issue 35 over real HTTP, as an attacker holding the Youth Union's link would try it: the check
//! is no lookup of the master list, a force's link files only its force's rows, "Kiểm tra" keeps
//! only what it checked and within a quota, an upload is read within a budget, redirects stay on
//! the page's origin and a link never silently replaces another role's cookie.

use std::io::{Read, Write};
use std::path::Path;

use serde_json::Value;

use super::serve::{Server, agent, multipart};
use super::support::{A, B, C, cli, run_json, small_workspace, write_under};

/// POSTs files with a link's token as `Authorization: Bearer`.
fn post_files(
    server: &Server,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> (u16, String) {
    let (content_type, body) = multipart(fields, files);
    let mut answer = agent()
        .post(server.url(path))
        .header("Content-Type", &content_type)
        .header("Authorization", &format!("Bearer {token}"))
        .send(&body[..])
        .expect("post");
    let status = answer.status().as_u16();
    (
        status,
        answer.body_mut().read_to_string().unwrap_or_default(),
    )
}

fn get(server: &Server, path: &str, token: &str) -> (u16, String) {
    let mut answer = agent()
        .get(server.url(path))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("get");
    let status = answer.status().as_u16();
    (
        status,
        answer.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// Every file under a folder, relative, sorted (none when it does not exist).
fn files_under(folder: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(
                    path.strip_prefix(folder)
                        .expect("inside")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    found.sort();
    found
}

/// The small workspace after a run of 15/01 in which the commune police counted C; served off
/// loopback, so every role needs its link.
fn served_workspace() -> (tempfile::TempDir, Server) {
    let dir = small_workspace();
    let root = dir.path();
    write_under(
        root,
        "reports/2024-01-15/cong-an/bc.csv",
        &format!("Số định danh cá nhân;Lực lượng\n{C};Công an\n"),
    );
    assert_eq!(run_json(root, "2024-01-15").0, 0);
    let server = Server::start(root, &["--listen", "0.0.0.0:0"]);
    (dir, server)
}

/// A valid citizen ID that is on no list of the small workspace.
const NOBODY: &str = "011064000123";

#[test]
fn a_force_check_says_nothing_of_other_forces_lists() {
    let (_dir, server) = served_workspace();
    let youth = server.force_token("doan-thanh-nien");
    let district = server.token.clone().expect("district link");
    // A: hers; C: the police's, already counted; NOBODY: not on the master list.
    let file = format!(
        "Số định danh cá nhân;Lực lượng;Đơn vị\n{A};Đoàn TN;Đoàn xã Ta Ma\n{C};Đoàn TN;Đoàn xã Ta Ma\n{NOBODY};Đoàn TN;Đoàn xã Ta Ma\n"
    );
    let (status, text) = post_files(
        &server,
        "/api/check?date=2024-01-16",
        &youth,
        &[],
        &[("bc.csv", file.as_bytes())],
    );
    assert_eq!(status, 200, "{text}");
    let answer: Value = serde_json::from_str(&text).expect("json");
    let problems = answer[0]["problems"].as_array().expect("problems");
    let by_row =
        |row: u64| -> Vec<&Value> { problems.iter().filter(|p| p["row"] == row).collect() };
    assert!(
        by_row(2).is_empty(),
        "her own citizen is clean: {problems:?}"
    );
    let (police, nobody) = (by_row(3), by_row(4));
    assert_eq!(police.len(), 1, "{problems:?}");
    assert_eq!(nobody.len(), 1, "{problems:?}");
    assert_eq!(police[0]["code"], "not_in_force_list");
    // A citizen of another force and an ID on no list get the very same answer.
    assert_eq!(police[0]["message"], nobody[0]["message"]);
    assert_eq!(police[0]["code"], nobody[0]["code"]);
    for secret in [
        "Vì Văn Hùng",
        "Quài Tở",
        "not_in_master",
        "assigned_elsewhere",
        "already_counted",
        "15/01/2024",
    ] {
        assert!(
            !text.contains(secret),
            "the answer reveals {secret}: {text}"
        );
    }
    assert_eq!(answer[0]["clean_rows"], 1);
    // The district officer keeps the full answer.
    let (status, text) = post_files(
        &server,
        "/api/check?date=2024-01-16",
        &district,
        &[],
        &[("bc.csv", file.as_bytes())],
    );
    assert_eq!(status, 200, "{text}");
    for told in ["assigned_elsewhere", "already_counted", "not_in_master"] {
        assert!(text.contains(told), "the district is told {told}: {text}");
    }
}

#[test]
fn a_force_check_of_more_rows_than_a_unit_sends_is_refused() {
    let (dir, server) = served_workspace();
    let youth = server.force_token("doan-thanh-nien");
    let rows = |from: u32, count: u32| {
        let mut text = String::from("Số định danh cá nhân;Lực lượng;Đơn vị\n");
        for n in from..from + count {
            text.push_str(&format!(
                "011064{n:06};Đoàn Thanh niên;Đoàn xã Phình Sáng\n"
            ));
        }
        text
    };
    // The attack of the issue: 200,000 candidate IDs in one request.
    let (status, text) = post_files(
        &server,
        "/api/check?date=2024-01-16",
        &youth,
        &[],
        &[("ids.csv", rows(0, 200_000).as_bytes())],
    );
    assert_eq!(status, 429, "{text}");
    let answer: Value = serde_json::from_str(&text).expect("json");
    assert!(
        answer["error"]
            .as_str()
            .unwrap_or("")
            .contains("10000 dòng"),
        "{text}"
    );
    assert_eq!(
        answer["files"],
        Value::Array(Vec::new()),
        "nothing answered"
    );
    assert!(!text.contains("011064"), "no ID in the refusal");
    // Within a request's limit, a day allows five such checks, then refuses.
    for part in 0..5 {
        let (status, text) = post_files(
            &server,
            "/api/check?date=2024-01-16",
            &youth,
            &[],
            &[("ids.csv", rows(part * 10_000, 10_000).as_bytes())],
        );
        assert_eq!(
            status,
            200,
            "request {part}: {}",
            &text[..text.len().min(300)]
        );
    }
    let (status, text) = post_files(
        &server,
        "/api/check?date=2024-01-16",
        &youth,
        &[],
        &[("ids.csv", rows(60_000, 1).as_bytes())],
    );
    assert_eq!(status, 429, "{text}");
    assert!(text.contains("ngày mai"), "{text}");
    // The district officer has no such limit; nothing was stored or kept for anyone.
    let district = server.token.clone().expect("district link");
    let (status, _) = post_files(
        &server,
        "/api/check?date=2024-01-16",
        &district,
        &[],
        &[("ids.csv", rows(0, 20_000).as_bytes())],
    );
    assert_eq!(status, 200);
    assert!(!dir.path().join("reports/2024-01-16").exists());
    assert!(files_under(&dir.path().join(".vneid-recon/cho-gui")).is_empty());
}

#[test]
fn a_force_link_files_only_its_own_force_s_rows() {
    let (dir, server) = served_workspace();
    let root = dir.path();
    let youth = server.force_token("doan-thanh-nien");
    // Two rows of hers and one row naming the commune police: a 2-1 majority is hers, but the
    // police row would be credited to the police by `run` (SPEC §11.4).
    let mixed = format!(
        "Số định danh cá nhân;Lực lượng;Đơn vị\n{A};Đoàn Thanh niên;Đoàn xã Ta Ma\n{B};Đoàn Thanh niên;Đoàn xã Ta Ma\n{C};Công an;Công an xã Quài Tở\n"
    );
    let (status, text) = post_files(
        &server,
        "/api/reports?date=2024-01-16",
        &youth,
        &[],
        &[("bc.csv", mixed.as_bytes())],
    );
    assert_eq!(status, 403, "{text}");
    let answer: Value = serde_json::from_str(&text).expect("json");
    let error = answer["error"].as_str().unwrap_or("");
    assert!(
        error.contains("dòng 4") && error.contains("Công an"),
        "{error}"
    );
    assert!(!root.join("reports/2024-01-16").exists(), "nothing stored");
    // The page's form answers the same and keeps nothing aside for sending.
    let (status, html) = post_files(
        &server,
        "/nhan-bao-cao",
        &youth,
        &[("date", "2024-01-16")],
        &[("bc.csv", mixed.as_bytes())],
    );
    assert_eq!(status, 200, "a check only: {html}");
    assert!(html.contains("dòng 4"), "{html}");
    assert!(files_under(&root.join(".vneid-recon/cho-gui")).is_empty());
    // Her own rows alone are stored in her folder.
    let own = format!(
        "Số định danh cá nhân;Lực lượng;Đơn vị\n{A};Đoàn Thanh niên;Đoàn xã Ta Ma\n{B};Đoàn Thanh niên;Đoàn xã Ta Ma\n"
    );
    let (status, text) = post_files(
        &server,
        "/api/reports?date=2024-01-16",
        &youth,
        &[],
        &[("bc.csv", own.as_bytes())],
    );
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        files_under(&root.join("reports/2024-01-16")),
        vec!["doan-thanh-nien/bc.csv".to_string()]
    );
    // The district officer files a mixed file as SPEC §11.4 reads it.
    let district = server.token.clone().expect("district link");
    let (status, text) = post_files(
        &server,
        "/api/reports?date=2024-01-16",
        &district,
        &[],
        &[("tong.csv", mixed.as_bytes())],
    );
    assert_eq!(status, 200, "{text}");
}

#[test]
fn checking_keeps_only_readable_files_within_a_quota() {
    let (dir, server) = served_workspace();
    let root = dir.path();
    let youth = server.force_token("doan-thanh-nien");
    let staged = root.join(".vneid-recon/cho-gui");
    // Random bytes under spreadsheet names: refused, never kept.
    let noise: Vec<Vec<u8>> = (0..4u8)
        .map(|seed| {
            (0..1_000_000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761).rotate_left(u32::from(seed)) >> 11) as u8)
                .collect()
        })
        .collect();
    let files: Vec<(&str, &[u8])> = noise.iter().map(|b| ("bc.xlsx", b.as_slice())).collect();
    let (status, html) = post_files(
        &server,
        "/nhan-bao-cao",
        &youth,
        &[("date", "2024-01-16")],
        &files,
    );
    assert_eq!(status, 200);
    assert!(html.contains("không phải bảng tính"), "refused");
    assert!(
        files_under(&staged).is_empty(),
        "refused files are not kept"
    );
    // Twelve readable reports checked one after another: only the newest eight are kept.
    for n in 0..12u32 {
        let report = format!("Số định danh cá nhân;Đơn vị;Ghi chú\n{A};Đoàn xã Ta Ma;lần {n}\n");
        let (status, _) = post_files(
            &server,
            "/nhan-bao-cao",
            &youth,
            &[("date", "2024-01-16")],
            &[(&format!("bc{n}.csv"), report.as_bytes())],
        );
        assert_eq!(status, 200);
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
    let kept = files_under(&staged.join("doan-thanh-nien"));
    assert_eq!(kept.len(), 8, "{kept:?}");
    assert!(
        files_under(&staged)
            .iter()
            .all(|f| f.starts_with("doan-thanh-nien"))
    );
    // The newest is among them, the first is not.
    let sha_of = |n: u32| {
        let report = format!("Số định danh cá nhân;Đơn vị;Ghi chú\n{A};Đoàn xã Ta Ma;lần {n}\n");
        vneid_recon::ingest::hex_sha256(report.as_bytes())
    };
    assert!(kept.contains(&sha_of(11)));
    assert!(!kept.contains(&sha_of(0)));
    // Another role cannot send her kept file.
    let police = server.force_token("cong-an");
    let form = format!("date=2024-01-16&staged={}&name=bc11.csv", sha_of(11));
    let answer = agent()
        .post(server.url("/nhan-bao-cao/gui"))
        .header("Authorization", &format!("Bearer {police}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form.as_str())
        .expect("send");
    assert_eq!(answer.status().as_u16(), 400);
    assert!(!root.join("reports/2024-01-16").exists());
}

/// A workbook of 300 KB whose shared string is 300 MB once inflated.
fn string_bomb() -> Vec<u8> {
    let text = "A".repeat(300 << 20);
    super::hostile::minimal_xlsx_with_strings(Some(&text), |sheet| {
        sheet
            .write_all(
                br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#,
            )
            .expect("sheet");
    })
}

/// The server's resident memory now and at its peak, in MB (Linux).
fn server_memory(server: &Server) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map(|kb| kb / 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

#[test]
fn an_upload_that_inflates_to_hundreds_of_megabytes_is_refused_without_them() {
    let (dir, server) = served_workspace();
    let youth = server.force_token("doan-thanh-nien");
    let bomb = string_bomb();
    assert!(bomb.len() < 1 << 20, "small as sent: {} bytes", bomb.len());
    // Warm the page's reading of the lists first: the memory measured is the upload's.
    let harmless = format!("Số định danh cá nhân;Đơn vị\n{A};Đoàn xã Ta Ma\n");
    let (status, _) = post_files(
        &server,
        "/api/check?date=2024-01-16",
        &youth,
        &[],
        &[("bc.csv", harmless.as_bytes())],
    );
    assert_eq!(status, 200);
    let before = server_memory(&server);
    let (status, text) = post_files(
        &server,
        "/api/check?date=2024-01-16",
        &youth,
        &[],
        &[("bom.xlsx", bomb.as_slice())],
    );
    assert_eq!(status, 200, "{text}");
    let answer: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(answer[0]["outcome"], "refused", "{text}");
    assert!(
        answer[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Không nhận"),
        "{text}"
    );
    if let (Some((_, peak_before)), Some((_, peak_after))) = (before, server_memory(&server)) {
        assert!(
            peak_after < peak_before + 64,
            "the server's peak grew from {peak_before} MB to {peak_after} MB"
        );
    }
    assert!(files_under(&dir.path().join(".vneid-recon/cho-gui")).is_empty());
}

/// A raw HTTP/1.1 request (the path exactly as given), returning the answer's head and body.
fn raw_get(server: &Server, target: &str, headers: &[&str]) -> String {
    let address = server.base.trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&address).expect("connect");
    let mut request = format!("GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for header in headers {
        request.push_str(header);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

fn location(answer: &str) -> Option<&str> {
    answer.lines().find_map(|line| {
        line.strip_prefix("location: ")
            .or(line.strip_prefix("Location: "))
    })
}

#[test]
fn links_never_lead_elsewhere_nor_switch_roles_unasked() {
    let (_dir, server) = served_workspace();
    let youth = server.force_token("doan-thanh-nien");
    let district = server.token.clone().expect("district link");
    for (target, expected) in [
        (format!("//other-host/?token={youth}"), "/other-host/"),
        (
            format!("/?token={youth}&date=2024-01-15"),
            "/?date=2024-01-15",
        ),
    ] {
        let answer = raw_get(&server, &target, &[]);
        assert!(answer.starts_with("HTTP/1.1 303"), "{target}: {answer}");
        assert_eq!(location(&answer), Some(expected), "{target}");
    }
    // The district officer's browser opens a clerk's link: asked, cookie kept.
    let cookie = format!("Cookie: vneid_token={district}");
    let answer = raw_get(&server, &format!("/?token={youth}"), &[&cookie]);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("Đổi vai trò") && answer.contains("Công an huyện"),
        "{answer}"
    );
    assert!(!answer.to_lowercase().contains("set-cookie"), "{answer}");
    // The switch link itself, from another site: asked again.
    let switch = format!("/?token={youth}&doi-vai-tro=1");
    let answer = raw_get(&server, &switch, &[&cookie, "Sec-Fetch-Site: cross-site"]);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(!answer.to_lowercase().contains("set-cookie"));
    // Clicked on the question: switched.
    let answer = raw_get(&server, &switch, &[&cookie, "Sec-Fetch-Site: same-origin"]);
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(answer.contains(&format!("vneid_token={youth}")), "{answer}");
    assert_eq!(location(&answer), Some("/"));
    // Each role has its own same-origin token.
    let csrf = |token: &str| {
        let (_, text) = get(&server, "/api/csrf", token);
        serde_json::from_str::<Value>(&text).expect("json")["csrf"].clone()
    };
    assert_ne!(csrf(&youth), csrf(&district));
}

#[test]
fn the_smaller_holes_are_closed() {
    let (dir, server) = served_workspace();
    let root = dir.path();
    let youth = server.force_token("doan-thanh-nien");
    let district = server.token.clone().expect("district link");
    // The log and its folder are the owner's only.
    let (status, _) = get(&server, "/tai/2024-01-15/tong-hop-2024-01-15.xlsx", &youth);
    assert_eq!(status, 403);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |path: &Path| std::fs::metadata(path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&root.join("nhat-ky")), 0o700);
        for file in files_under(&root.join("nhat-ky")) {
            assert_eq!(mode(&root.join("nhat-ky").join(file)), 0o600);
        }
        // A symbolic link placed among the results is not followed.
        std::os::unix::fs::symlink(
            root.join("vneid-recon.toml"),
            root.join("out/2024-01-15/doan-thanh-nien-lien-ket.xlsx"),
        )
        .expect("symlink");
        let (status, body) = get(
            &server,
            "/tai/2024-01-15/doan-thanh-nien-lien-ket.xlsx",
            &district,
        );
        assert_eq!(status, 404, "{body}");
        assert!(!body.contains("deadline"));
    }
    // A force's summary lists none of the district's skipped folders.
    drop(server);
    write_under(root, "reports/ghi-chu/x.csv", "a\n");
    assert_eq!(run_json(root, "2024-01-15").0, 0);
    // The links made at the first start still open the page.
    let server = Server::start(root, &["--listen", "0.0.0.0:0"]);
    let (_, text) = get(&server, "/api/summary?date=2024-01-15", &district);
    assert!(text.contains("reports/ghi-chu"), "{text}");
    let (_, text) = get(&server, "/api/summary?date=2024-01-15", &youth);
    assert!(!text.contains("ghi-chu"), "{text}");
}

#[test]
fn locking_a_day_also_locks_its_earlier_forms() {
    let dir = small_workspace();
    let root = dir.path();
    let split = cli()
        .args(["split", "--quiet", "--date", "2024-01-15", "-w"])
        .arg(root)
        .output()
        .expect("split");
    assert_eq!(split.status.code(), Some(0));
    let forms = root.join("out/2024-01-15/don-vi");
    let before = files_under(&forms);
    assert!(!before.is_empty());
    let run = cli()
        .args(["run", "--quiet", "--protect", "--date", "2024-01-15", "-w"])
        .arg(root)
        .env("VNEID_PASSWORD", "mat-khau-thu")
        .output()
        .expect("run");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(files_under(&forms), before, "every form kept");
    const OLE2: [u8; 4] = [0xD0, 0xCF, 0x11, 0xE0];
    for form in before {
        let bytes = std::fs::read(forms.join(&form)).expect("form");
        assert!(bytes.starts_with(&OLE2), "{form} is locked");
    }
}
