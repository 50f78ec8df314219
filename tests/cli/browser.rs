//! The office page in a real browser: Debian's Chromium driven through ChromeDriver (W3C WebDriver,
//! plain JSON over HTTP on loopback). It opens the fixture's intake page, uploads a report through
//! the page's own file input, reads the problems table, runs the consolidation with the page's
//! button, and reads the district total off the dashboard, which must equal `summary.json`.
//! Screenshots of both pages are saved under the test's temporary target folder.
//!
//! Skipped where Chromium or ChromeDriver is missing, unless `VNEID_REQUIRE_BROWSER` is set
//! (`.ci/run` installs both and sets it).

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::serve::{Server, agent};
use super::support::workspace_copy;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub(super) struct Driver {
    child: Child,
    base: String,
    session: String,
}

impl Driver {
    pub(super) fn start() -> Self {
        Self::start_with(json!({}))
    }

    /// A phone's screen, as Chromium's device emulation gives it: `width`×`height` CSS pixels at
    /// scale 2, touch, the mobile viewport rules.
    pub(super) fn start_phone(width: u32, height: u32) -> Self {
        Self::start_with(json!({ "mobileEmulation": { "deviceMetrics": {
            "width": width, "height": height, "pixelRatio": 2.0, "touch": true, "mobile": true
        }}}))
    }

    fn start_with(extra_options: Value) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = std::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while agent().get(format!("{base}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut driver = Self {
            child,
            base,
            session: String::new(),
        };
        let answer = driver.call(
            "POST",
            "/session",
            json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": chrome_options(extra_options)
            }}}),
        );
        driver.session = answer["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        driver
    }

    /// One WebDriver command; panics with the driver's message on an error.
    pub(super) fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = if path == "/session" {
            format!("{}/session", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let http = agent();
        let mut answer = match method {
            "GET" => http.get(&url).call(),
            "DELETE" => http.delete(&url).call(),
            _ => http.post(&url).send_json(&body),
        }
        .expect("webdriver answers");
        let status = answer.status().as_u16();
        let json: Value = answer.body_mut().read_json().expect("webdriver json");
        assert!(status < 400, "{method} {path}: {json}");
        json["value"].clone()
    }

    pub(super) fn open(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    /// The first element matching a CSS selector, waiting up to 60 s for it to appear.
    pub(super) fn find(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let url = format!("{}/session/{}/element", self.base, self.session);
            let mut answer = agent()
                .post(&url)
                .send_json(json!({"using": "css selector", "value": css}))
                .expect("find");
            let ok = answer.status().as_u16() < 400;
            let json: Value = answer.body_mut().read_json().expect("json");
            if ok {
                // The reference is the one value of the object (its key is the W3C element name).
                return json["value"]
                    .as_object()
                    .and_then(|reference| reference.values().next())
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("no element reference in {json}"))
                    .to_string();
            }
            if started.elapsed() > Duration::from_secs(60) {
                let source = self.call("GET", "/source", Value::Null);
                let url = self.call("GET", "/url", Value::Null);
                panic!(
                    "no element {css} on {url}: {}",
                    source.as_str().unwrap_or("")
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub(super) fn text(&self, css: &str) -> String {
        let element = self.find(css);
        self.call("GET", &format!("/element/{element}/text"), Value::Null)
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub(super) fn click(&self, css: &str) {
        let element = self.find(css);
        self.call("POST", &format!("/element/{element}/click"), json!({}));
    }

    pub(super) fn screenshot(&self, path: &Path) {
        use base64::Engine;
        let data = self.call("GET", "/screenshot", Value::Null);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().expect("base64"))
            .expect("png");
        std::fs::write(path, bytes).expect("screenshot written");
    }
}

/// Headless Chromium's options, with `extra` (device emulation) merged in.
fn chrome_options(extra: Value) -> Value {
    let mut options = json!({
        "binary": CHROMIUM,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-dev-shm-usage", "--window-size=1280,1800", "--lang=vi"]
    });
    if let (Some(options), Value::Object(extra)) = (options.as_object_mut(), extra) {
        options.extend(extra);
    }
    options
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = agent()
                .delete(format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn browser_available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present && std::env::var_os("VNEID_REQUIRE_BROWSER").is_some() {
        panic!("VNEID_REQUIRE_BROWSER is set but {CHROMIUM} or {CHROMEDRIVER} is missing");
    }
    present
}

#[test]
fn a_clerk_uploads_runs_and_reads_the_total_in_chromium() {
    if !browser_available() {
        eprintln!("skipped: Chromium and ChromeDriver are not installed");
        return;
    }
    let dir = workspace_copy("fixtures/tuan-giao");
    let server = Server::start(dir.path(), &["--listen", "127.0.0.1:0"]);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("office-page");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    // A commune police report with two problems: an ID of 9 digits and an ID not on the list.
    let report = dir.path().join("cong-an-xa-ta-ma-bo-sung.csv");
    std::fs::write(
        &report,
        "Họ và tên;Số định danh cá nhân;Lực lượng;Đơn vị\n\
         Lò Văn Sai;040123456;Công an;Công an xã Ta Ma\n\
         Cà Thị Lạ;011095000099;Công an;Công an xã Ta Ma\n",
    )
    .expect("report");

    let driver = Driver::start();
    driver.open(&server.url("/nhan-bao-cao?date=2024-01-15"));
    let input = driver.find("#files");
    driver.call(
        "POST",
        &format!("/element/{input}/value"),
        json!({ "text": report.to_string_lossy() }),
    );
    driver.click("#upload-form button[type=submit]");
    let results = driver.text("#results");
    assert!(
        results.contains("cong-an-xa-ta-ma-bo-sung.csv"),
        "{results}"
    );
    let rows = driver.text("#results table.problems tbody");
    let lines: Vec<&str> = rows.lines().collect();
    assert_eq!(lines.len(), 2, "{rows}");
    assert!(
        lines[0].contains('2') && lines[0].contains("12 chữ số"),
        "{rows}"
    );
    assert!(
        lines[1].contains('3') && lines[1].contains("không có trong danh sách"),
        "{rows}"
    );
    let stored = dir
        .path()
        .join("reports/2024-01-15/cong-an/cong-an-xa-ta-ma-bo-sung.csv");
    assert!(!stored.exists(), "a check stores nothing");
    driver.screenshot(&shots.join("nhan-bao-cao.png"));
    driver.click("#results form.send button");
    // Found on the answer's page only (the checked page is still there right after the click).
    assert!(
        driver
            .text("#results article[data-outcome=stored]")
            .contains("Đã lưu")
    );
    assert!(stored.is_file(), "stored under the force its content names");

    driver.open(&server.url("/?date=2024-01-15"));
    driver.click("#run-form button");
    // The run ends by sending the browser back to the dashboard with its exit code.
    let started = Instant::now();
    loop {
        let url = driver.call("GET", "/url", Value::Null);
        if url.as_str().is_some_and(|u| u.contains("ran=")) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the run did not finish: {url}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let shown = driver.text("#district-activated").replace('.', "");
    let summary: Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("out/2024-01-15/summary.json")).expect("summary written"),
    )
    .expect("json");
    assert_eq!(
        shown.parse::<u64>().expect("a number"),
        summary["totals"]["activated"].as_u64().expect("activated")
    );
    assert!(driver.text("#commune-table").contains("Tỏa Tình"));
    driver.screenshot(&shots.join("tien-do.png"));
}

#[test]
fn the_page_shows_a_new_workspace_files_waiting_and_errors_in_chromium() {
    // Issue 29: what the page does not know yet, seen in a real browser.
    if !browser_available() {
        eprintln!("skipped: Chromium and ChromeDriver are not installed");
        return;
    }
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("office-page");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let driver = Driver::start();

    // A new workspace: the guide, not numbers of nothing.
    let fresh = super::support::new_workspace();
    let server = Server::start(fresh.path(), &["--listen", "127.0.0.1:0"]);
    driver.open(&server.url("/"));
    let guide = driver.text("#first-use");
    assert!(
        guide.contains("Bắt đầu sử dụng") && guide.contains("master"),
        "{guide}"
    );
    driver.screenshot(&shots.join("bat-dau.png"));
    drop(server);

    // A day run, then a report received later: the page says the numbers wait for a run.
    let dir = super::support::fixture_run();
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(
        dir.path().join("reports/2024-01-15/cong-an/bo-sung.csv"),
        "Họ và tên;Số định danh cá nhân;Lực lượng\nCà Thị Lạ;011095000099;Công an\n",
    )
    .expect("late report");
    let server = Server::start(dir.path(), &["--listen", "127.0.0.1:0"]);
    driver.open(&server.url("/?date=2024-01-15"));
    let waiting = driver.text("#waiting");
    assert!(waiting.contains("1 tệp mới chưa tổng hợp"), "{waiting}");
    driver.screenshot(&shots.join("tep-moi.png"));

    // A day that is not a date: a page in the page's frame, in Vietnamese.
    driver.open(&server.url("/?date=xyz"));
    let problem = driver.text("#problem");
    assert!(problem.contains("xyz"), "{problem}");
    assert_eq!(driver.text("h1"), "Yêu cầu không hợp lệ");
    driver.screenshot(&shots.join("loi.png"));
}

/// The source of the page the browser shows.
pub(super) fn source(driver: &Driver) -> String {
    driver
        .call("GET", "/source", Value::Null)
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn a_force_clerk_checks_fixes_sends_and_replaces_in_chromium() {
    // Issue 26: a Youth Union clerk on her own link, in a real browser.
    if !browser_available() {
        eprintln!("skipped: Chromium and ChromeDriver are not installed");
        return;
    }
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("office-page");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let dir = super::support::fixture_run();
    let server = Server::start(dir.path(), &["--listen", "0.0.0.0:0"]);
    let youth = server
        .force_tokens
        .iter()
        .find(|(id, _)| id == "doan-thanh-nien")
        .map(|(_, token)| token.clone())
        .expect("the Youth Union's link");
    let driver = Driver::start();

    // Her link opens her page: who is signed in, her workbook, not the district's.
    driver.open(&server.url(&format!("/?date=2024-01-15&token={youth}")));
    assert!(driver.text("#signed-in").contains("Đoàn Thanh niên"));
    let page = source(&driver);
    assert!(
        page.contains("doan-thanh-nien-2024-01-15.xlsx"),
        "her workbook"
    );
    assert!(
        !page.contains("tong-hop-2024-01-15.xlsx"),
        "no district workbook"
    );
    assert!(
        !page.contains("cong-an-2024-01-15.xlsx"),
        "no other force's workbook"
    );
    assert!(!page.contains("run-form"), "no run button");
    driver.screenshot(&shots.join("luc-luong-tien-do.png"));

    // A report with a 9-digit ID: checked, the problem shown, nothing stored.
    let folder = dir.path().join("reports/2024-01-15/doan-thanh-nien");
    let before = std::fs::read_dir(&folder).map(|d| d.count()).unwrap_or(0);
    let header = "Họ và tên;Số định danh cá nhân;Lực lượng;Đơn vị\n";
    let good = "Chá Thị Xá;011171591451;Đoàn Thanh niên;Đoàn xã Ta Ma\n";
    let bad = "Lò Văn Sai;040123456;Đoàn Thanh niên;Đoàn xã Ta Ma\n";
    let upload = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("report");
        driver.open(&server.url("/nhan-bao-cao?date=2024-01-15"));
        let input = driver.find("#files");
        driver.call(
            "POST",
            &format!("/element/{input}/value"),
            json!({ "text": path.to_string_lossy() }),
        );
        driver.click("#check-button");
        driver.text("#results")
    };
    let results = upload("doan-xa-ta-ma.csv", &format!("{header}{good}{bad}"));
    assert!(results.contains("Đã kiểm tra, chưa gửi"), "{results}");
    assert!(
        driver
            .text("#results table.problems tbody")
            .contains("12 chữ số")
    );
    assert_eq!(
        std::fs::read_dir(&folder).map(|d| d.count()).unwrap_or(0),
        before
    );
    driver.screenshot(&shots.join("luc-luong-kiem-tra.png"));

    // Fixed, checked again, sent.
    let results = upload("doan-xa-ta-ma.csv", &format!("{header}{good}"));
    assert!(!results.contains("12 chữ số"), "{results}");
    driver.click("#results form.send button");
    let results = driver.text("#results article[data-outcome=stored]");
    assert!(results.contains("Đã lưu"), "{results}");
    let first = folder.join("doan-xa-ta-ma.csv");
    assert!(first.is_file());

    // A later version of the same unit's report replaces the first, which is kept aside.
    let later = "Cà Văn Tiến;011083281229;Đoàn Thanh niên;Đoàn xã Ta Ma\n";
    let results = upload("doan-xa-ta-ma-lan-2.csv", &format!("{header}{good}{later}"));
    assert!(
        results.contains("Gửi, thay tệp đã gửi doan-xa-ta-ma.csv"),
        "{results}"
    );
    driver.screenshot(&shots.join("luc-luong-thay-tep.png"));
    driver.click("#results form.send button.replace");
    let results = driver.text("#results article[data-outcome=replaced]");
    assert!(results.contains("Đã lưu, thay tệp trước"), "{results}");
    assert!(!first.exists());
    assert!(folder.join("doan-xa-ta-ma-lan-2.csv").is_file());
    let kept: Vec<_> = std::fs::read_dir(dir.path().join("reports/2024-01-15/.thay-the"))
        .expect("kept aside")
        .flatten()
        .collect();
    assert_eq!(kept.len(), 1);
    driver.screenshot(&shots.join("luc-luong-da-thay.png"));

    // The district workbook stays closed to her, even typed in by hand.
    driver.open(&server.url("/tai/2024-01-15/tong-hop-2024-01-15.xlsx"));
    assert_eq!(driver.text("h1"), "Không được phép");
}
