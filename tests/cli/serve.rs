//! `serve`, the office page, over real HTTP on loopback: every endpoint, the intake's storing
//! rules, the token off loopback, the same-origin rule for POSTs, and the lock shared with cron.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

use serde_json::Value;

use super::support::{A, B, C, repo, small_workspace, workspace_copy};

/// A running `vneid-recon serve`, killed on drop.
pub struct Server {
    child: Child,
    /// Kept open: the server's later lines have somewhere to go.
    _stdout: BufReader<std::process::ChildStdout>,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The token it printed, when it listens off loopback.
    pub token: Option<String>,
    /// The forces' links it printed: (force id, token).
    pub force_tokens: Vec<(String, String)>,
}

impl Server {
    /// Starts `serve -w WORKSPACE` with the extra arguments; waits for its address line.
    pub fn start(workspace: &Path, extra: &[&str]) -> Self {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vneid-recon"))
            .arg("serve")
            .arg("-w")
            .arg(workspace)
            .args(extra)
            .env_remove("VNEID_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader.read_line(&mut line).expect("address line");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let (address, token) = match url.split_once("/?token=") {
            Some((address, token)) => (address.to_string(), Some(token.to_string())),
            None => (url.trim_end_matches('/').to_string(), None),
        };
        // Off loopback the printed address is this machine's network address: connect through
        // loopback, on the same port.
        let port = address.rsplit(':').next().unwrap_or_default();
        let base = format!("http://127.0.0.1:{port}");
        // Then the forces' links, one per line, up to the closing line.
        let mut force_tokens = Vec::new();
        loop {
            let mut next = String::new();
            if reader.read_line(&mut next).unwrap_or(0) == 0 || next.starts_with("Dừng bằng") {
                break;
            }
            if let (Some(open), Some((_, token))) = (next.find("("), next.split_once("?token=")) {
                let id = next[open + 1..].split(')').next().unwrap_or("").to_string();
                force_tokens.push((id, token.trim().to_string()));
            }
        }
        Self {
            child,
            _stdout: reader,
            base,
            token,
            force_tokens,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's process id (its memory is read from `/proc`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A force's link token.
    pub fn force_token(&self, id: &str) -> String {
        self.force_tokens
            .iter()
            .find(|(force, _)| force == id)
            .map(|(_, token)| token.clone())
            .unwrap_or_else(|| panic!("no link for {id}: {:?}", self.force_tokens))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that returns every status as a response and follows no redirect.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .build()
        .into()
}

/// A multipart body: text fields, then files as (name, bytes); returns (content type, body).
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "vneid-recon-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn csrf(server: &Server) -> String {
    let mut answer = agent().get(server.url("/api/csrf")).call().expect("csrf");
    let json: Value = answer.body_mut().read_json().expect("json");
    json["csrf"].as_str().expect("token").to_string()
}

/// POSTs files to `/api/reports` and returns the status and the JSON answer.
fn post_reports(
    server: &Server,
    date: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> (u16, Value) {
    let (content_type, body) = multipart(fields, files);
    let mut answer = agent()
        .post(server.url(&format!("/api/reports?date={date}")))
        .header("Content-Type", &content_type)
        .header("X-CSRF-Token", &csrf(server))
        .send(&body[..])
        .expect("post");
    let status = answer.status().as_u16();
    let json = answer.body_mut().read_json().expect("json answer");
    (status, json)
}

fn files_under(folder: &Path) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(folder) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path.to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn the_intake_stores_checks_and_never_overwrites() {
    let dir = small_workspace();
    let server = Server::start(dir.path(), &["--listen", "127.0.0.1:0"]);
    let day = dir.path().join("reports/2024-01-15");
    let clean = format!(
        "Họ và tên;Số định danh cá nhân;Lực lượng;Đơn vị\nLò Văn An;{A};Đoàn TN;Đoàn xã Ta Ma\n"
    );

    // A clean report is stored under its force, named by its content's force column.
    let (status, answer) = post_reports(
        &server,
        "2024-01-15",
        &[],
        &[("bao-cao.csv", clean.as_bytes())],
    );
    assert_eq!(status, 200, "{answer}");
    let first = &answer[0];
    assert_eq!(first["outcome"], "stored", "{first}");
    assert_eq!(
        first["stored_as"],
        "reports/2024-01-15/doan-thanh-nien/bao-cao.csv"
    );
    assert_eq!(first["force"], "doan-thanh-nien");
    assert_eq!(first["unit"], "Đoàn xã Ta Ma");
    assert_eq!(first["accepted"], 1);
    assert_eq!(first["problems"], serde_json::json!([]));
    let stored = day.join("doan-thanh-nien/bao-cao.csv");
    assert_eq!(std::fs::read_to_string(&stored).expect("stored"), clean);

    // The same content again (under another name) is recognised, not stored twice.
    let (_, answer) = post_reports(
        &server,
        "2024-01-15",
        &[],
        &[("gui-lai.csv", clean.as_bytes())],
    );
    assert_eq!(answer[0]["outcome"], "already_received", "{answer}");
    assert_eq!(
        answer[0]["stored_as"],
        "reports/2024-01-15/doan-thanh-nien/bao-cao.csv"
    );
    assert_eq!(files_under(&day).len(), 1);

    // The same name with other content keeps both; its problems are listed row by row.
    let problems = format!(
        "Họ và tên;Số định danh cá nhân;Lực lượng;Đơn vị\n\
         Quàng Thị Bình;{B};Đoàn TN;Đoàn xã Ta Ma\n\
         Sai số;040123456;Đoàn TN;Đoàn xã Ta Ma\n\
         Người lạ;011095000099;Đoàn TN;Đoàn xã Ta Ma\n\
         Cà Văn Cường;{C};Đoàn TN;Đoàn xã Ta Ma\n\
         Quàng Thị Bình;{B};Đoàn TN;Đoàn xã Ta Ma\n"
    );
    let (_, answer) = post_reports(
        &server,
        "2024-01-15",
        &[],
        &[("bao-cao.csv", problems.as_bytes())],
    );
    let second = &answer[0];
    assert_eq!(second["outcome"], "stored", "{second}");
    assert_eq!(
        second["stored_as"],
        "reports/2024-01-15/doan-thanh-nien/bao-cao (2).csv"
    );
    assert_eq!(std::fs::read_to_string(&stored).expect("first kept"), clean);
    let found: Vec<(u64, &str)> = second["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().expect("row"),
                p["code"].as_str().expect("code"),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (3, "invalid_id"),
            (4, "not_in_master"),
            (5, "assigned_elsewhere"),
            (6, "duplicate_in_file"),
        ]
    );
    assert_eq!(second["accepted"], 4, "rows with a valid ID");
    assert_eq!(second["clean_rows"], 1);

    // An encrypted workbook is refused with its reason; nothing is stored.
    let encrypted = std::fs::read(
        repo().join("fixtures/layouts/ws/reports/2024-01-15/hoi-phu-nu/bao-cao-hoi.xlsx"),
    )
    .expect("encrypted fixture");
    let (_, answer) = post_reports(&server, "2024-01-15", &[], &[("mat-khau.xlsx", &encrypted)]);
    assert_eq!(answer[0]["outcome"], "refused", "{answer}");
    assert_eq!(answer[0]["stored_as"], Value::Null);
    assert_eq!(answer[0]["problems"][0]["reason"], "encrypted");
    assert!(
        answer[0]["message"]
            .as_str()
            .expect("message")
            .contains("mật khẩu")
    );

    // A name with directories is reduced to its last part and stored inside the force folder.
    let other = format!(
        "Họ và tên;Số định danh cá nhân;Lực lượng;Đơn vị\nCà Văn Cường;{C};Công an;Công an xã Quài Tở\n"
    );
    let (_, answer) = post_reports(
        &server,
        "2024-01-15",
        &[],
        &[("../../../ngoai.csv", other.as_bytes())],
    );
    assert_eq!(
        answer[0]["stored_as"], "reports/2024-01-15/cong-an/ngoai.csv",
        "{answer}"
    );
    assert!(!dir.path().join("ngoai.csv").exists());
    assert!(!dir.path().join("reports/ngoai.csv").exists());

    // Over the size limit: refused, nothing stored.
    let mut huge = other.clone().into_bytes();
    huge.resize(20 * 1024 * 1024 + 1, b' ');
    let (_, answer) = post_reports(&server, "2024-01-15", &[], &[("lon.csv", &huge)]);
    assert_eq!(answer[0]["outcome"], "refused", "{answer}");
    assert!(
        answer[0]["message"]
            .as_str()
            .expect("message")
            .contains("20 MB")
    );

    // Not a spreadsheet (a PDF renamed .xlsx): refused by content.
    let (_, answer) = post_reports(
        &server,
        "2024-01-15",
        &[],
        &[("bao-cao.xlsx", b"%PDF-1.4 ...")],
    );
    assert_eq!(answer[0]["outcome"], "refused", "{answer}");

    // No force in the content or the name: the page asks; the answer field stores it.
    let neutral = format!("Họ và tên;Số định danh cá nhân\nCà Văn Cường;{C}\n");
    let (_, answer) = post_reports(
        &server,
        "2024-01-15",
        &[],
        &[("ds.csv", neutral.as_bytes())],
    );
    assert_eq!(answer[0]["outcome"], "needs_force", "{answer}");
    assert_eq!(answer[0]["stored_as"], Value::Null);
    let (_, answer) = post_reports(
        &server,
        "2024-01-15",
        &[("force", "cong-an")],
        &[("ds.csv", neutral.as_bytes())],
    );
    assert_eq!(
        answer[0]["stored_as"], "reports/2024-01-15/cong-an/ds.csv",
        "{answer}"
    );

    assert_eq!(
        files_under(&day).len(),
        4,
        "stored: bao-cao.csv, bao-cao (2).csv, ngoai.csv, ds.csv: {:?}",
        files_under(&day)
    );
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".nhan"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "scratch copies removed: {leftovers:?}"
    );

    // The page itself: the same checks through the form, with the same-origin field; the form
    // checks only, and "Gửi báo cáo" then stores the file kept aside.
    let token = csrf(&server);
    let (content_type, body) = multipart(
        &[("csrf", &token), ("date", "2024-01-16")],
        &[("bao-cao.csv", problems.as_bytes())],
    );
    let mut page = agent()
        .post(server.url("/nhan-bao-cao"))
        .header("Content-Type", &content_type)
        .send(&body[..])
        .expect("form post");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.body_mut().read_to_string().expect("html");
    assert!(html.contains("Đã kiểm tra, chưa gửi"), "{html}");
    assert!(html.contains("trùng với dòng 2 trong cùng tệp"), "{html}");
    assert!(
        !dir.path().join("reports/2024-01-16").exists(),
        "a check stores nothing"
    );
    let staged = html
        .split("name=\"staged\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the send form names the checked file")
        .to_string();
    let mut sent = agent()
        .post(server.url("/nhan-bao-cao/gui"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(format!(
            "csrf={token}&date=2024-01-16&force=doan-thanh-nien&staged={staged}&name=bao-cao.csv&replace="
        ))
        .expect("send");
    assert_eq!(sent.status().as_u16(), 200);
    let html = sent.body_mut().read_to_string().expect("html");
    assert!(html.contains("Đã lưu"), "{html}");
    assert_eq!(
        std::fs::read_to_string(
            dir.path()
                .join("reports/2024-01-16/doan-thanh-nien/bao-cao.csv")
        )
        .expect("stored on send"),
        problems
    );
    // Without the same-origin field, the form post is refused and nothing is stored.
    let (content_type, body) = multipart(&[("date", "2024-01-17")], &[("x.csv", clean.as_bytes())]);
    let answer = agent()
        .post(server.url("/nhan-bao-cao"))
        .header("Content-Type", &content_type)
        .send(&body[..])
        .expect("post");
    assert_eq!(answer.status().as_u16(), 403);
    assert!(!dir.path().join("reports/2024-01-17").exists());
}

#[test]
fn the_page_runs_shows_and_serves_the_day() {
    let dir = workspace_copy("fixtures/tuan-giao");
    let server = Server::start(dir.path(), &["--listen", "127.0.0.1:0"]);
    let http = agent();
    let expected: Value = serde_json::from_slice(
        &std::fs::read(repo().join("fixtures/tuan-giao/expected-summary.json")).expect("expected"),
    )
    .expect("json");

    let mut answer = http
        .get(server.url("/api/summary?date=2024-01-15"))
        .call()
        .expect("get");
    assert_eq!(answer.status().as_u16(), 404, "not run yet");
    let days: Value = http
        .get(server.url("/api/days"))
        .call()
        .expect("days")
        .body_mut()
        .read_json()
        .expect("json");
    let listed: Vec<&str> = days
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["date"].as_str().expect("date"))
        .collect();
    assert!(
        listed.contains(&"2024-01-15") && listed.contains(&"2024-01-02"),
        "{days}"
    );
    assert_eq!(days[0]["run"], false);

    // A POST without the same-origin token, or from another site, is refused.
    let refused = http
        .post(server.url("/api/run?date=2024-01-15"))
        .send_empty()
        .expect("post");
    assert_eq!(refused.status().as_u16(), 403);
    let cross = http
        .post(server.url("/api/run?date=2024-01-15"))
        .header("X-CSRF-Token", &csrf(&server))
        .header("Origin", "http://evil.example")
        .send_empty()
        .expect("post");
    assert_eq!(cross.status().as_u16(), 403);
    assert!(!dir.path().join("out/2024-01-15").exists());

    // The run: its exit code and summary, equal to the fixture's expected numbers.
    let mut ran = http
        .post(server.url("/api/run?date=2024-01-15"))
        .header("X-CSRF-Token", &csrf(&server))
        .send_empty()
        .expect("run");
    assert_eq!(ran.status().as_u16(), 200);
    let ran: Value = ran.body_mut().read_json().expect("json");
    assert_eq!(ran["exit_code"], 0, "{}", ran["error"]);
    for (key, value) in expected["totals"].as_object().expect("totals") {
        assert_eq!(&ran["summary"]["totals"][key], value, "totals.{key}");
    }
    let progress: Value = http
        .get(server.url("/api/run/status"))
        .call()
        .expect("status")
        .body_mut()
        .read_json()
        .expect("json");
    assert_eq!(progress["running"], false);
    assert!(progress["total"].as_u64() > Some(100), "{progress}");
    assert_eq!(progress["read"], progress["total"], "every list read");
    let on_disk =
        std::fs::read_to_string(dir.path().join("out/2024-01-15/summary.json")).expect("written");
    answer = http
        .get(server.url("/api/summary?date=2024-01-15"))
        .call()
        .expect("summary");
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.body_mut().read_to_string().expect("text"), on_disk);

    // The dashboard: the district total, the chart, the table, the downloads; the headers.
    let mut page = http
        .get(server.url("/?date=2024-01-15"))
        .call()
        .expect("page");
    let headers = page.headers().clone();
    let html = page.body_mut().read_to_string().expect("html");
    let activated = expected["totals"]["activated"].as_u64().expect("activated");
    assert!(
        html.contains(&format!(
            "<span id=\"district-activated\">{activated}</span>"
        )),
        "{html}"
    );
    assert!(html.contains("<svg"), "the chart is inline");
    assert!(
        html.contains("<th scope=\"row\">Tỏa Tình</th>"),
        "the commune table"
    );
    // Every force × commune cell of summary.json is in the table, under the force's name.
    let summary = &ran["summary"];
    // A cell where the force was given no one reads "Không giao" (issue 36), as many times as
    // there are such cells.
    let cells = summary["by_force_commune"].as_array().expect("cells");
    for cell in cells.iter().filter(|c| c["target"] != 0) {
        let shown = format!("{}/{}<br>", cell["activated"], cell["target"]);
        assert!(html.contains(&shown), "{cell} not shown");
    }
    let not_given = cells
        .iter()
        .filter(|c| c["target"] == 0 && c["activated"] == 0)
        .count();
    let communes = summary["by_commune"].as_array().expect("communes").len();
    let forces = summary["by_force"].as_array().expect("forces").len();
    let missing = communes * forces - cells.len();
    assert_eq!(
        html.matches(">Không giao</td>").count(),
        not_given + missing,
        "every cell without an assignment"
    );
    assert!(html.contains("<th>Đoàn Thanh niên</th>"));
    let silent = summary["units"]
        .as_array()
        .expect("units")
        .iter()
        .filter(|u| u["reported_today"] == false && u["remaining"].as_u64() > Some(0))
        .count();
    assert!(
        html.contains(&format!("Đơn vị chưa báo cáo hôm nay ({silent})")),
        "{silent}"
    );
    assert!(html.contains("/tai/2024-01-15/tong-hop-2024-01-15.xlsx"));
    let csp = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "no CORS"
    );

    // A download is the file on disk; a path out of the day folder is refused.
    let mut workbook = http
        .get(server.url("/tai/2024-01-15/tong-hop-2024-01-15.xlsx"))
        .call()
        .expect("download");
    assert_eq!(workbook.status().as_u16(), 200);
    let bytes = workbook
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .expect("bytes");
    assert_eq!(
        bytes,
        std::fs::read(dir.path().join("out/2024-01-15/tong-hop-2024-01-15.xlsx")).expect("on disk")
    );
    for path in [
        "/tai/2024-01-15/..%2F..%2Fvneid-recon.toml",
        "/tai/2024-01-15/%2E%2E/%2E%2E/vneid-recon.toml",
        "/tai/..%2F..%2Fetc/passwd",
    ] {
        let mut escaped = http.get(server.url(path)).call().expect("get");
        let status = escaped.status().as_u16();
        let text = escaped.body_mut().read_to_string().unwrap_or_default();
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!text.contains("deadline"), "{path} served the settings");
    }
    let mut font = http
        .get(server.url("/static/DejaVuSans.ttf"))
        .call()
        .expect("font");
    assert_eq!(font.status().as_u16(), 200);
    assert!(
        font.body_mut()
            .with_config()
            .limit(16 << 20)
            .read_to_vec()
            .expect("font")
            .len()
            > 100_000
    );

    // A loopback server answers only loopback host names (no DNS rebinding).
    let rebound = http
        .get(server.url("/"))
        .header("Host", "evil.example")
        .call()
        .expect("get");
    assert_eq!(rebound.status().as_u16(), 421);
}

#[test]
fn a_run_while_another_holds_the_lock_is_told_it_is_running() {
    let dir = small_workspace();
    // A live holder (this test process), as a cron run holds it.
    let _holder = vneid_recon::fsio::lock_workspace(
        dir.path(),
        "2024-01-15T20:00:00",
        std::time::Duration::ZERO,
    )
    .expect("lock");
    let server = Server::start(dir.path(), &["--listen", "127.0.0.1:0"]);
    let mut answer = agent()
        .post(server.url("/api/run?date=2024-01-15"))
        .header("X-CSRF-Token", &csrf(&server))
        .send_empty()
        .expect("run");
    assert_eq!(answer.status().as_u16(), 409);
    let json: Value = answer.body_mut().read_json().expect("json");
    assert_eq!(json["exit_code"], 3);
    assert!(
        json["error"].as_str().expect("error").contains("đang chạy"),
        "{json}"
    );
    // The page's button is sent back to the dashboard with the notice.
    let form = format!("csrf={}&date=2024-01-15", csrf(&server));
    let redirect = agent()
        .post(server.url("/chay"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form.as_bytes())
        .expect("post");
    assert_eq!(redirect.status().as_u16(), 303);
    let location = redirect
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(location, "/?date=2024-01-15&busy=1");
    assert!(
        !dir.path().join("out/2024-01-15").exists(),
        "nothing written"
    );
}

#[test]
fn off_loopback_every_request_needs_the_token() {
    let dir = small_workspace();
    let server = Server::start(dir.path(), &["--listen", "0.0.0.0:0"]);
    let token = server
        .token
        .clone()
        .expect("a token is generated and printed");
    assert!(token.len() >= 32, "{token}");
    let http = agent();
    for path in ["/", "/api/days", "/api/summary?date=2024-01-15"] {
        let answer = http.get(server.url(path)).call().expect("get");
        assert_eq!(answer.status().as_u16(), 401, "{path}");
    }
    // The style sheet is public (issue 36: the answer to a missing link is laid out too); it
    // holds nothing of the workspace.
    let sheet = http.get(server.url("/static/app.css")).call().expect("get");
    assert_eq!(sheet.status().as_u16(), 200);
    let wrong = http
        .get(server.url("/api/days"))
        .header("Authorization", "Bearer 0123456789abcdef0123456789abcdef")
        .call()
        .expect("get");
    assert_eq!(wrong.status().as_u16(), 401);
    let right = http
        .get(server.url("/api/days"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("get");
    assert_eq!(right.status().as_u16(), 200);
    // ?token=T once: kept in an HttpOnly cookie, and the address loses it.
    let first = http
        .get(server.url(&format!("/?date=2024-01-15&token={token}")))
        .call()
        .expect("get");
    assert_eq!(first.status().as_u16(), 303);
    let cookie = first
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(
        first
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/?date=2024-01-15")
    );
    let pair = cookie.split(';').next().unwrap_or("").to_string();
    let page = http
        .get(server.url("/?date=2024-01-15"))
        .header("Cookie", &pair)
        .call()
        .expect("get");
    assert_eq!(page.status().as_u16(), 200);
    // A script with the token in its Authorization header needs no page token to POST.
    let (content_type, body) = multipart(
        &[],
        &[(
            "ds.csv",
            format!("Số định danh cá nhân;Lực lượng\n{C};Công an\n").as_bytes(),
        )],
    );
    let mut posted = http
        .post(server.url("/api/reports?date=2024-01-15"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", &content_type)
        .send(&body[..])
        .expect("post");
    assert_eq!(posted.status().as_u16(), 200);
    let json: Value = posted.body_mut().read_json().expect("json");
    assert_eq!(
        json[0]["stored_as"], "reports/2024-01-15/cong-an/ds.csv",
        "{json}"
    );
    // A short token given on the command line is refused at start (exit 2).
    let output = super::support::cli()
        .args(["serve", "--listen", "0.0.0.0:0", "--token", "short", "-w"])
        .arg(dir.path())
        .output()
        .expect("serve");
    assert_eq!(output.status.code(), Some(2));
}

/// A page's HTML: its status and text.
fn page(server: &Server, path: &str) -> (u16, String) {
    let mut answer = agent().get(server.url(path)).call().expect("get");
    let status = answer.status().as_u16();
    (status, answer.body_mut().read_to_string().expect("html"))
}

#[test]
fn the_page_says_what_it_does_not_know_yet() {
    // Issue 29: errors in the page's frame, a future day refused, the forms from a button, new
    // files waiting, the intake on today's folder, a new workspace's guide.
    let dir = workspace_copy("fixtures/tuan-giao");
    let server = Server::start(dir.path(), &["--listen", "127.0.0.1:0"]);
    let http = agent();

    for (path, status, says) in [
        ("/?date=xyz", 400, "Yêu cầu không hợp lệ"),
        ("/khong-co", 404, "Không có trang /khong-co"),
    ] {
        let (got, html) = page(&server, path);
        assert_eq!(got, status, "{path}");
        assert!(html.starts_with("<!DOCTYPE html>"), "{path}: {html}");
        assert!(
            html.contains(says) && html.contains("Về trang Tiến độ"),
            "{path}: {html}"
        );
    }
    let (status, json) = {
        let mut answer = http.get(server.url("/api/khong-co")).call().expect("get");
        let status = answer.status().as_u16();
        (
            status,
            answer.body_mut().read_json::<Value>().expect("json"),
        )
    };
    assert_eq!(status, 404);
    assert!(
        json["error"]
            .as_str()
            .is_some_and(|e| e.contains("Không có trang"))
    );

    // A day that has not come: nothing stored.
    let tomorrow = (vneid_recon::today_in_vietnam() + chrono::Days::new(1)).to_string();
    let clean = format!("Họ và tên;Số định danh cá nhân;Lực lượng\nLò Văn An;{A};Đoàn TN\n");
    let (status, answer) = post_reports(&server, &tomorrow, &[], &[("a.csv", clean.as_bytes())]);
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("chưa đến")),
        "{answer}"
    );
    assert!(!dir.path().join("reports").join(&tomorrow).exists());

    // The intake opens on today's folder and says so in words, whatever day the dashboard shows.
    let (_, html) = page(&server, "/?date=2024-01-15");
    assert!(
        html.contains("href=\"/nhan-bao-cao\""),
        "no past day in the intake link"
    );
    let (_, html) = page(&server, "/nhan-bao-cao");
    let today = vneid_recon::today_in_vietnam()
        .format("%d/%m/%Y")
        .to_string();
    assert!(html.contains(&format!("{today} (hôm nay)")), "{html}");

    // The units' forms from a button.
    let form = format!("csrf={}&date=2024-01-15", csrf(&server));
    let made = http
        .post(server.url("/phieu"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form.as_bytes())
        .expect("forms");
    assert_eq!(made.status().as_u16(), 303);
    let location = made.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert_eq!(location, "/?date=2024-01-15&forms=66");
    assert_eq!(
        files_under(&dir.path().join("out/2024-01-15/don-vi")).len(),
        66
    );

    // After the run, a report file received later is waiting.
    let ran = http
        .post(server.url("/api/run?date=2024-01-15"))
        .header("X-CSRF-Token", &csrf(&server))
        .send_empty()
        .expect("run");
    assert_eq!(ran.status().as_u16(), 200);
    let (_, html) = page(&server, "/?date=2024-01-15");
    assert!(!html.contains("tệp mới chưa tổng hợp"), "nothing waits yet");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let late = dir.path().join("reports/2024-01-15/cong-an/den-muon.csv");
    std::fs::write(&late, clean.as_bytes()).expect("late file");
    let (_, html) = page(&server, "/?date=2024-01-15");
    assert!(html.contains("1 tệp mới chưa tổng hợp"), "{html}");

    // A new workspace: a guide instead of numbers.
    let fresh = super::support::new_workspace();
    let server = Server::start(fresh.path(), &["--listen", "127.0.0.1:0"]);
    let (status, html) = page(&server, "/");
    assert_eq!(status, 200);
    assert!(
        html.contains("Bắt đầu sử dụng") && html.contains("master"),
        "{html}"
    );
}

/// `vneid-recon [FOLDER]` with no command, as a double click starts it: the page's first line.
fn open_page(folder: Option<&Path>, config: &Path) -> (Child, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vneid-recon"))
        .args(folder)
        .env("VNEID_CONFIG_DIR", config)
        .env("VNEID_NO_BROWSER", "1")
        .env("VNEID_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    // `init` may speak first; the page's address line follows.
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut seen = String::new();
    let url = loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break None;
        }
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break Some(url.to_string());
        }
        seen.push_str(&line);
    };
    match url {
        Some(url) => (child, url),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no address in {seen:?}")
        }
    }
}

#[test]
fn a_double_click_opens_the_page_on_a_new_then_remembered_workspace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config");
    let folder = dir.path().join("Công an huyện");
    // A folder given (dropped on the .exe): made a workspace with init, remembered.
    let (mut first, url) = open_page(Some(&folder), &config);
    let get = |url: &str| {
        let mut answer = agent().get(url).call().expect("page");
        answer.body_mut().read_to_string().expect("html")
    };
    // Started without a console to ask on, init wrote no deadline: the page opens anyway and
    // says to fill it in (issue 36), then shows the first steps once it is.
    let html = get(&url);
    assert!(folder.join("vneid-recon.toml").is_file(), "init made it");
    assert!(html.contains("deadline"), "{html}");
    let settings_file = folder.join("vneid-recon.toml");
    let text = std::fs::read_to_string(&settings_file).expect("settings");
    std::fs::write(&settings_file, format!("deadline = 2024-02-05\n{text}")).expect("deadline");
    let html = get(&url);
    let _ = first.kill();
    let _ = first.wait();
    assert!(html.contains("Bắt đầu sử dụng"), "{html}");
    let remembered =
        std::fs::read_to_string(config.join("thu-muc-lam-viec.txt")).expect("remembered");
    assert_eq!(Path::new(remembered.trim()), folder);
    // No folder the next time: the remembered one.
    std::fs::write(
        folder.join("master/ds.csv"),
        format!("Họ và tên;Số định danh cá nhân;Xã\nLò Văn An;{A};Ta Ma\n"),
    )
    .expect("master");
    let (mut second, url) = open_page(None, &config);
    let html = agent()
        .get(&url)
        .call()
        .expect("page")
        .body_mut()
        .read_to_string()
        .expect("html");
    let _ = second.kill();
    let _ = second.wait();
    assert!(
        !html.contains("Bắt đầu sử dụng"),
        "the same workspace, now with a master list"
    );
    assert!(html.contains("Tuần Giáo"), "{html}");
}
