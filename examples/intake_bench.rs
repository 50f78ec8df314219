//! The intake's answer time in the last minutes before 17:00 (issue 26). Starts `vneid-recon serve`
//! on a generated workspace (the province of `bench`: 1,000,000 citizens, 100 communes, 60 days of
//! reports; or the district) and sends small reports through `POST /api/reports`:
//!
//! - the first one (the page reads what the workspace knew before the day: the lists and 60 days
//!   of reports);
//! - then one at a time (the reading is shared while the lists stay): the median answer time;
//! - then 20 at once, from 20 threads: the slowest and the median answer, and the wall time;
//! - the server's memory (`VmRSS` after, `VmHWM` peak) from `/proc`.
//!
//! ```text
//! cargo run --release --example intake_bench                 # the province
//! cargo run --release --example intake_bench -- district     # the district
//! ```
//!
//! Workspaces are generated into `--dir` (default `$TMPDIR/vneid-recon-bench`, shared with `bench`)
//! and reused. The reports are stored for 2024-01-16 (the day after the workspace's last) and removed
//! at the end. Timings are printed, never asserted.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "vneid-recon intake benchmark (issue 26)")]
struct Args {
    /// Where the workspaces are generated (and reused).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Answers timed one at a time after the first.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Reports sent at once.
    #[arg(long, default_value_t = 20)]
    concurrent: usize,
    /// province (default) or district.
    #[arg(default_value = "province")]
    scale: String,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (citizens, communes) = match args.scale.as_str() {
        "province" => (1_000_000u64, 100usize),
        "district" => (30_000, 19),
        other => bail!("unknown workspace {other}; choose province or district"),
    };
    let dir = args
        .dir
        .unwrap_or_else(|| std::env::temp_dir().join("vneid-recon-bench"));
    let tool = tool_path()?;
    let workspace = dir.join(format!("{}-{citizens}c-{communes}x-60d", args.scale));
    if !workspace.join("vneid-recon.toml").is_file() {
        println!("generating {} …", workspace.display());
        let status = Command::new(&tool)
            .args(["demo", "--days", "60", "--as-of", "2024-01-15"])
            .args(["--citizens", &citizens.to_string()])
            .args(["--communes", &communes.to_string()])
            .arg(&workspace)
            .status()?;
        if !status.success() {
            bail!("demo failed");
        }
    }
    let day = workspace.join("reports/2024-01-16");
    let _ = std::fs::remove_dir_all(&day);
    let mut server = Command::new(&tool)
        .args(["serve", "--listen", "127.0.0.1:0", "-w"])
        .arg(&workspace)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let pid = server.id();
    let mut line = String::new();
    BufReader::new(server.stdout.take().context("stdout")?).read_line(&mut line)?;
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .context("no address printed")?
        .trim_end_matches('/')
        .to_string();
    let result = measure(&base, pid, args.rounds, args.concurrent);
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&day);
    let figures = result?;
    println!();
    println!(
        "| workspace | first answer | then, median of {} | {} at once: slowest | median | wall | server RSS after | server peak |",
        args.rounds, args.concurrent
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {:.2} s | {:.3} s | {:.3} s | {:.3} s | {:.2} s | {} MB | {} MB |",
        args.scale,
        figures.first,
        figures.median,
        figures.burst_max,
        figures.burst_median,
        figures.burst_wall,
        figures.rss_mb,
        figures.peak_mb
    );
    Ok(())
}

struct Figures {
    first: f64,
    median: f64,
    burst_max: f64,
    burst_median: f64,
    burst_wall: f64,
    rss_mb: u64,
    peak_mb: u64,
}

fn measure(base: &str, pid: u32, rounds: usize, concurrent: usize) -> anyhow::Result<Figures> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(600)))
        .build()
        .into();
    let mut answer = agent.get(format!("{base}/api/csrf")).call()?;
    let json: serde_json::Value = answer.body_mut().read_json()?;
    let csrf = json["csrf"].as_str().context("csrf")?.to_string();
    let send = |n: usize| -> anyhow::Result<f64> {
        // A small report of a commune police, different each time (nothing is "already received").
        let mut text = String::from("Số định danh cá nhân;Lực lượng;Đơn vị\n");
        for row in 0..10 {
            text.push_str(&format!(
                "0110{:08};Công an;Công an xã {}\n",
                n * 10 + row,
                n % 7
            ));
        }
        let boundary = "bench-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bc-{n}.csv\"\r\n\r\n{text}\r\n--{boundary}--\r\n"
        );
        let started = Instant::now();
        let mut answer = agent
            .post(format!("{base}/api/reports?date=2024-01-16"))
            .header(
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            )
            .header("X-CSRF-Token", &csrf)
            .send(body.as_bytes())?;
        let elapsed = started.elapsed().as_secs_f64();
        if answer.status().as_u16() != 200 {
            bail!(
                "answer {}: {}",
                answer.status(),
                answer.body_mut().read_to_string()?
            );
        }
        Ok(elapsed)
    };
    let first = send(0)?;
    let mut singles: Vec<f64> = (1..=rounds).map(send).collect::<anyhow::Result<_>>()?;
    let started = Instant::now();
    let mut burst: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..concurrent)
            .map(|i| scope.spawn(move || send(1000 + i)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| anyhow::anyhow!("a sender panicked"))?)
            .collect::<anyhow::Result<Vec<f64>>>()
    })?;
    let burst_wall = started.elapsed().as_secs_f64();
    let (rss_mb, peak_mb) = memory(pid);
    Ok(Figures {
        first,
        median: median(&mut singles),
        burst_max: burst.iter().copied().fold(0.0, f64::max),
        burst_median: median(&mut burst),
        burst_wall,
        rss_mb,
        peak_mb,
    })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// The server's resident and peak memory in MB (Linux `/proc`; 0 elsewhere).
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The tool built beside this example (`target/release/vneid-recon`).
fn tool_path() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let release = exe
        .parent()
        .and_then(Path::parent)
        .context("the example's folder")?;
    let tool = release.join(format!("vneid-recon{}", std::env::consts::EXE_SUFFIX));
    if !tool.is_file() {
        bail!(
            "{} is missing: run `cargo build --release` first",
            tool.display()
        );
    }
    Ok(tool)
}
