//! Issue 36: the office page on a phone. Chromium's device emulation gives a real phone screen
//! (360×800 and 390×844 CSS pixels, scale 2, touch); on each, every page of both roles — the
//! district officer and the Youth Union's clerk — is measured as the browser lays it out:
//!
//! - nothing wider than the screen (`scrollWidth` against the emulated width: a phone browser
//!   widens `innerWidth` to fit a page that overflows, so that is not compared);
//! - every button, link, field and folded list's heading at least 44 px tall;
//! - the chart's smallest text at least 11 px as rendered;
//! - the clerk's own force's total on her first screen, and the check's answer in view after
//!   "Kiểm tra".
//!
//! Screenshots of every page go to the test's temporary folder (`office-page/dien-thoai-*.png`).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::browser::{Driver, browser_available};
use super::serve::Server;

/// The phones measured: width × height in CSS pixels.
const PHONES: [(u32, u32); 2] = [(360, 800), (390, 844)];

/// The page's layout as the browser measured it.
const MEASURE: &str = r#"
const tappable = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
const small = [];
for (const e of document.querySelectorAll(tappable)) {
  const r = e.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue; // not shown (inside a folded list)
  if (r.height < 44) small.push(`${e.tagName} #${e.id} "${e.textContent.trim().slice(0, 40)}" ${r.height.toFixed(1)} px`);
}
let chartMin = null;
const svg = [...document.querySelectorAll('figure.chart svg')].find((e) => e.getBoundingClientRect().width > 0);
if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width > 0) {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll('text')].map((t) => parseFloat(t.getAttribute('font-size')) * scale);
  chartMin = Math.min(...sizes);
}
const own = document.getElementById('own-total');
const results = document.getElementById('ket-qua');
return {
  scrollWidth: document.documentElement.scrollWidth,
  small,
  chartMin,
  ownBottom: own ? own.getBoundingClientRect().bottom + window.scrollY : null,
  resultsTop: results ? results.getBoundingClientRect().top : null,
  scrollY: window.scrollY,
};
"#;

/// One page measured on one phone.
struct Measured {
    scroll_width: u64,
    small: Vec<String>,
    chart_min: Option<f64>,
    own_bottom: Option<f64>,
    results_top: Option<f64>,
}

fn measure(driver: &Driver) -> Measured {
    let value = driver.call(
        "POST",
        "/execute/sync",
        json!({ "script": MEASURE, "args": [] }),
    );
    Measured {
        scroll_width: value["scrollWidth"].as_u64().expect("scrollWidth"),
        small: value["small"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        chart_min: value["chartMin"].as_f64(),
        own_bottom: value["ownBottom"].as_f64(),
        results_top: value["resultsTop"].as_f64(),
    }
}

/// The page now shown fits the phone; its screenshot is kept as `dien-thoai-<name>-<width>.png`.
fn fits(driver: &Driver, (width, _): (u32, u32), name: &str, shots: &Path) -> Measured {
    // Laid out and its fonts loaded before it is measured.
    driver.find("footer, main");
    let measured = measure(driver);
    driver.screenshot(&shots.join(format!("dien-thoai-{name}-{width}.png")));
    assert!(
        measured.scroll_width <= u64::from(width),
        "{name} at {width} px: the page is {} px wide",
        measured.scroll_width
    );
    assert!(
        measured.small.is_empty(),
        "{name} at {width} px: tap targets under 44 px: {:#?}",
        measured.small
    );
    measured
}

fn shots() -> PathBuf {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("office-page");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    shots
}

/// A report for the intake, written beside the workspace: one good row, one 9-digit ID.
fn report_with_a_problem(dir: &Path) -> PathBuf {
    let path = dir.join("doan-xa-ta-ma.csv");
    std::fs::write(
        &path,
        "Họ và tên;Số định danh cá nhân;Lực lượng;Đơn vị\n\
         Chá Thị Xá;011171591451;Đoàn Thanh niên;Đoàn xã Ta Ma\n\
         Lò Văn Sai;040123456;Đoàn Thanh niên;Đoàn xã Ta Ma\n",
    )
    .expect("report");
    path
}

#[test]
fn every_page_fits_a_phone_for_the_district_and_a_clerk_in_chromium() {
    if !browser_available() {
        eprintln!("skipped: Chromium and ChromeDriver are not installed");
        return;
    }
    let shots = shots();
    let dir = super::support::fixture_run();
    let server = Server::start(dir.path(), &["--listen", "0.0.0.0:0"]);
    let district = server.token.clone().expect("the district's link");
    let youth = server
        .force_tokens
        .iter()
        .find(|(id, _)| id == "doan-thanh-nien")
        .map(|(_, token)| token.clone())
        .expect("the Youth Union's link");
    let report = report_with_a_problem(dir.path());
    for phone in PHONES {
        for (role, token) in [("huyen", &district), ("doan", &youth)] {
            let driver = Driver::start_phone(phone.0, phone.1);
            driver.open(&server.url(&format!("/?date=2024-01-15&token={token}")));
            let progress = fits(&driver, phone, &format!("{role}-tien-do"), &shots);
            let chart = progress.chart_min.expect("the chart is on the page");
            assert!(
                chart >= 11.0,
                "{role} at {}: chart text {chart:.1} px",
                phone.0
            );
            if role == "doan" {
                let bottom = progress.own_bottom.expect("her force's total");
                assert!(
                    bottom <= f64::from(phone.1),
                    "her total ends at {bottom} px, below the first screen"
                );
                assert!(driver.text("#own-total").contains("Đoàn Thanh niên"));
            }
            // Folded downloads open on a tap, and still fit.
            driver.click("#downloads details summary");
            fits(&driver, phone, &format!("{role}-tai-ve"), &shots);

            driver.open(&server.url("/nhan-bao-cao?date=2024-01-15"));
            fits(&driver, phone, &format!("{role}-nhan-bao-cao"), &shots);
            let input = driver.find("#files");
            driver.call(
                "POST",
                &format!("/element/{input}/value"),
                json!({ "text": report.to_string_lossy() }),
            );
            driver.click("#check-button");
            driver.find("#results table.problems");
            let checked = fits(&driver, phone, &format!("{role}-kiem-tra"), &shots);
            let top = checked.results_top.expect("the answer");
            assert!(
                (0.0..f64::from(phone.1) / 2.0).contains(&top),
                "the answer starts at {top} px on the screen, not in view"
            );

            if role == "huyen" {
                driver.open(&server.url("/nhat-ky"));
                fits(&driver, phone, "huyen-nhat-ky", &shots);
            }
            driver.open(&server.url("/?date=xyz"));
            fits(&driver, phone, &format!("{role}-loi"), &shots);
            driver.open(&server.url("/dang-xuat"));
            fits(&driver, phone, &format!("{role}-dang-xuat"), &shots);
        }
    }
}

#[test]
fn a_new_workspace_and_a_missing_link_fit_a_phone_in_chromium() {
    if !browser_available() {
        eprintln!("skipped: Chromium and ChromeDriver are not installed");
        return;
    }
    let shots = shots();
    let fresh = super::support::new_workspace();
    let server = Server::start(fresh.path(), &["--listen", "127.0.0.1:0"]);
    let closed = Server::start(fresh.path(), &["--listen", "0.0.0.0:0"]);
    for phone in PHONES {
        let driver = Driver::start_phone(phone.0, phone.1);
        driver.open(&server.url("/"));
        let guide = driver.text("#first-use");
        assert!(guide.contains("Bắt đầu sử dụng"), "{guide}");
        let shown = driver.text("#workspace-path");
        assert_eq!(
            Path::new(&shown),
            fresh.path(),
            "the guide names the workspace"
        );
        fits(&driver, phone, "bat-dau", &shots);
        // Off loopback without a link: the page's own answer, in Vietnamese.
        driver.open(&closed.url("/"));
        assert!(driver.text("#problem").contains("Công an huyện"));
        fits(&driver, phone, "can-duong-dan", &shots);
    }
}
