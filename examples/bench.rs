//! The scale benchmark of SPEC §10 (issue 6). Generates a district and a province workspace with
//! `demo`, then measures, in one sitting:
//!
//! - `run` end to end, in a fresh process each time: wall time (median of the runs), peak memory
//!   (the child's `VmHWM`), and the stage times it prints under `VNEID_TIMINGS`;
//! - the floor: calamine alone reading every input workbook into memory (`worksheet_range` of every
//!   sheet, files in parallel and scheduled like `run` does, in a process with `run`'s allocator
//!   and settings, no normalisation, no output), and `run`'s ingest stage and wall time as ratios
//!   to it (the median of each run's ratio to the floor measured just before it);
//! - `run --parquet` right after each timed run: the median extra time the Parquet tables cost;
//! - the write floor: rust_xlsxwriter alone writing every cell value of the run's five workbooks
//!   (read back from `out/D/` once, untimed): no styles, merges, conditional formats or chart,
//!   sheets over 20,000 rows in constant-memory mode and deflate level 1 as `run` writes them, the
//!   district's workbook on one core and the forces' on the other. `run`'s report stage is compared
//!   with it, and the run with the sum of the two floors: a run must read its inputs and write its
//!   workbooks, and each floor is the least the crate doing that half needs.
//!
//! ```text
//! cargo run --release --example bench                      # district and province, 3 runs each
//! cargo run --release --example bench -- --runs 5 district # one workspace, 5 runs
//! ```
//!
//! Workspaces are generated once into `--dir` (default `$TMPDIR/vneid-recon-bench`) and reused.
//! Targets (2-core machine, issue 11): district ≤ 1 s and ≤ 2.5× the floor; province ≤ 30 s, ≤ 2×
//! the floor and ≤ 2 GB; ingest ≤ 1.3× the floor; `--parquet` ≤ 1.5 s extra on the province.
//! Timings are printed, never asserted: they belong here, not in tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use calamine::{Data, Range, Reader};
use clap::Parser;
use rayon::prelude::*;

/// The day every benchmark workspace is generated up to and run for.
const AS_OF: &str = "2024-01-15";

/// One benchmark workspace: its `demo` parameters.
struct Scale {
    name: &'static str,
    citizens: u64,
    communes: usize,
    days: u32,
}

const SCALES: [Scale; 2] = [
    // Tuần Giáo's 19 communes × 4 forces = 76 units, 60 days: about 3,700 files.
    Scale {
        name: "district",
        citizens: 30_000,
        communes: 19,
        days: 60,
    },
    // 100 communes × 4 forces = 400 units, 60 days: about 19,000 report files.
    Scale {
        name: "province",
        citizens: 1_000_000,
        communes: 100,
        days: 60,
    },
];

#[derive(Parser, Debug)]
#[command(about = "vneid-recon scale benchmark (SPEC §10)")]
struct Args {
    /// Timed runs per workspace (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Where the workspaces are generated (and reused).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Which workspaces: district, province (default both).
    scales: Vec<String>,
    /// Also run this other `vneid-recon` binary (the code before a speed change) on each workspace
    /// and require every output file, the Parquet tables included, to be byte-identical to this
    /// build's; exit 1 otherwise.
    #[arg(long)]
    same_as: Option<PathBuf>,
    /// Internal: run the tool's command line in this process (the timed child).
    #[arg(long, hide = true, num_args = 1.., allow_hyphen_values = true)]
    child: Option<Vec<String>>,
}

fn main() -> anyhow::Result<()> {
    // The floor and the timed child run with the tool's own process settings (and, through the
    // library, its allocator), so the ratio compares the work, not the allocators.
    vneid_recon::tune_process();
    let args = Args::parse();
    if let Some(command) = args.child {
        return child(command);
    }
    let dir = args
        .dir
        .unwrap_or_else(|| std::env::temp_dir().join("vneid-recon-bench"));
    let wanted: Vec<&Scale> = SCALES
        .iter()
        .filter(|s| args.scales.is_empty() || args.scales.iter().any(|w| w == s.name))
        .collect();
    if wanted.is_empty() {
        bail!("unknown workspace; choose among: district, province");
    }
    let mut rows = Vec::new();
    let mut verdicts = Vec::new();
    for scale in wanted {
        let workspace = generate(&dir, scale)?;
        rows.push(measure(scale, &workspace, args.runs.max(1))?);
        if let Some(baseline) = &args.same_as {
            verdicts.push(same_outputs(scale, &workspace, baseline)?);
        }
    }
    println!();
    println!(
        "| workspace | files | input rows | runs | run median | min–max | peak RSS | ingest | assign | reconcile | report | floor (calamine) | ingest / floor | run / floor | write floor (rust_xlsxwriter) | report / write floor | run / both floors | `--parquet` extra |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    for (verdict, same) in &verdicts {
        println!("{verdict}");
        if !same {
            bail!("outputs differ from {:?}", args.same_as);
        }
    }
    Ok(())
}

/// SHA-256 of every file under a folder, by path relative to it.
fn hashes(root: &Path) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    use sha2::{Digest, Sha256};
    let mut found = std::collections::BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let digest = Sha256::digest(std::fs::read(&path)?);
                let relative = path.strip_prefix(root)?.to_string_lossy().into_owned();
                found.insert(relative, format!("{digest:x}"));
            }
        }
    }
    Ok(found)
}

/// Runs `baseline run` on the workspace this build just ran and compares `out/D/` file by file.
fn same_outputs(
    scale: &Scale,
    workspace: &Path,
    baseline: &Path,
) -> anyhow::Result<(String, bool)> {
    let out = workspace.join("out").join(AS_OF);
    // Both with the Parquet tables, so they are compared too.
    let path = workspace.to_string_lossy().into_owned();
    spawn(
        &["run", "-w", &path, "--date", AS_OF, "--quiet", "--parquet"],
        false,
    )?;
    let ours = hashes(&out)?;
    let status = Command::new(baseline)
        .args(["run", "--quiet", "--parquet", "--date", AS_OF, "-w"])
        .arg(workspace)
        .status()
        .context("cannot start the baseline binary")?;
    if !status.success() && status.code() != Some(1) {
        bail!("the baseline run failed: {status}");
    }
    let theirs = hashes(&out)?;
    let differing: Vec<&String> = ours
        .keys()
        .chain(theirs.keys())
        .filter(|name| ours.get(*name) != theirs.get(*name))
        .collect();
    let same = differing.is_empty();
    let verdict = if same {
        format!(
            "{}: all {} output files byte-identical to {}",
            scale.name,
            ours.len(),
            baseline.display()
        )
    } else {
        format!(
            "{}: {} of {} output files differ from {}: {differing:?}",
            scale.name,
            differing.len(),
            ours.len().max(theirs.len()),
            baseline.display()
        )
    };
    Ok((verdict, same))
}

/// The timed child: the tool's own command line, then its peak memory on standard error.
fn child(command: Vec<String>) -> anyhow::Result<()> {
    let cli = vneid_recon::cli::Cli::parse_from(
        std::iter::once("vneid-recon".to_string()).chain(command),
    );
    let command = cli
        .command
        .ok_or_else(|| anyhow::anyhow!("the timed child needs a command"))?;
    let status = vneid_recon::commands::dispatch(command);
    eprintln!("peak_rss_kb {}", peak_rss_kb().unwrap_or(0));
    match status {
        Ok(vneid_recon::commands::ExitStatus::Success) => Ok(()),
        Ok(other) => bail!("run ended with {other:?}"),
        Err(failure) => bail!("{failure:#}"),
    }
}

/// This process's peak resident set (`VmHWM` in /proc/self/status), in KiB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs this benchmark binary as a child on a tool command line; returns (wall seconds, stderr).
fn spawn(command: &[&str], timings: bool) -> anyhow::Result<(f64, String)> {
    let mut child = Command::new(std::env::current_exe()?);
    child.arg("--child").args(command);
    if timings {
        child.env("VNEID_TIMINGS", "1");
    }
    let start = Instant::now();
    let output = child.output().context("cannot start the benchmark child")?;
    let seconds = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        bail!("{command:?} failed:\n{stderr}");
    }
    Ok((seconds, stderr))
}

/// The workspace of a scale, generated by `demo` unless it is already there.
fn generate(dir: &Path, scale: &Scale) -> anyhow::Result<PathBuf> {
    let workspace = dir.join(format!(
        "{}-{}c-{}x-{}d",
        scale.name, scale.citizens, scale.communes, scale.days
    ));
    if workspace.join("vneid-recon.toml").exists() {
        eprintln!("{}: reusing {}", scale.name, workspace.display());
        return Ok(workspace);
    }
    let _ = std::fs::remove_dir_all(&workspace);
    let citizens = scale.citizens.to_string();
    let communes = scale.communes.to_string();
    let days = scale.days.to_string();
    let path = workspace.to_string_lossy().into_owned();
    let (seconds, _) = spawn(
        &[
            "demo",
            &path,
            "--citizens",
            &citizens,
            "--communes",
            &communes,
            "--days",
            &days,
            "--as-of",
            AS_OF,
        ],
        false,
    )?;
    eprintln!("{}: generated in {seconds:.1} s", scale.name);
    Ok(workspace)
}

/// Every input workbook of a workspace (master, assignments, reports).
fn input_files(workspace: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![
        workspace.join("master"),
        workspace.join("assignments"),
        workspace.join("reports"),
    ];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "xlsx") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The floor: calamine reading every sheet of every file into memory, in parallel, scheduled as
/// `run` schedules its reads (largest file first, one file per task). Returns the seconds and the
/// number of cells read (so the work cannot be optimised away).
fn calamine_floor(files: &[PathBuf]) -> anyhow::Result<(f64, u64)> {
    let start = Instant::now();
    let mut by_size: Vec<(u64, &PathBuf)> = files
        .iter()
        .map(|path| (std::fs::metadata(path).map_or(0, |m| m.len()), path))
        .collect();
    by_size.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let cells: anyhow::Result<Vec<u64>> = by_size
        .par_iter()
        .with_max_len(1)
        .map(|&(_, path)| {
            let mut workbook = calamine::open_workbook_auto(path)
                .with_context(|| format!("calamine cannot open {}", path.display()))?;
            let mut cells = 0u64;
            for name in workbook.sheet_names() {
                let range = workbook.worksheet_range(&name)?;
                cells += range.used_cells().count() as u64;
            }
            Ok(cells)
        })
        .collect();
    Ok((start.elapsed().as_secs_f64(), cells?.iter().sum()))
}

/// One output workbook read back for the write floor: its file name and every sheet's cells.
struct WrittenBook {
    name: String,
    sheets: Vec<(String, Range<Data>)>,
}

/// The workbooks of `out/D/`, read back with calamine (untimed): what the write floor writes again.
fn read_outputs(out: &Path) -> anyhow::Result<Vec<WrittenBook>> {
    let mut books = Vec::new();
    for entry in std::fs::read_dir(out)? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "xlsx") {
            continue;
        }
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&path)
            .with_context(|| format!("calamine cannot open {}", path.display()))?;
        let mut sheets = Vec::new();
        for sheet in workbook.sheet_names() {
            let range = workbook.worksheet_range(&sheet)?;
            sheets.push((sheet, range));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        books.push(WrittenBook { name, sheets });
    }
    books.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(books)
}

/// The write floor: rust_xlsxwriter writing every cell value of the run's workbooks into workbook
/// bytes, as `run` schedules them (the district's workbook on one core, the four forces' on the
/// other), with `run`'s sheet modes and deflate level but no styles. Returns the seconds and the
/// bytes written (so the work cannot be optimised away).
fn write_floor(books: &[WrittenBook]) -> anyhow::Result<(f64, usize)> {
    let start = Instant::now();
    let (district, forces): (Vec<&WrittenBook>, Vec<&WrittenBook>) =
        books.iter().partition(|b| b.name.starts_with("tong-hop"));
    let write_all = |books: &[&WrittenBook]| -> anyhow::Result<usize> {
        let mut bytes = 0;
        for book in books {
            bytes += write_values(book)?;
        }
        Ok(bytes)
    };
    let (a, b) = rayon::join(|| write_all(&district), || write_all(&forces));
    Ok((start.elapsed().as_secs_f64(), a? + b?))
}

/// One workbook's cell values, unstyled, written as `run` writes its sheets; its size in bytes.
fn write_values(book: &WrittenBook) -> anyhow::Result<usize> {
    use rust_xlsxwriter::Workbook;
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(1);
    for (name, range) in &book.sheets {
        let sheet = if range.height() > 20_000 {
            workbook.add_worksheet_with_constant_memory()?
        } else {
            workbook.add_worksheet()
        };
        sheet.set_name(name)?;
        let (top, left) = range.start().unwrap_or((0, 0));
        for (row, col, value) in range.used_cells() {
            let (row, col) = (top + row as u32, (left as usize + col) as u16);
            match value {
                Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => {
                    sheet.write_string(row, col, text)?;
                }
                Data::Float(number) => {
                    sheet.write_number(row, col, *number)?;
                }
                Data::Int(number) => {
                    sheet.write_number(row, col, *number as f64)?;
                }
                Data::DateTime(date) => {
                    sheet.write_number(row, col, date.as_f64())?;
                }
                Data::Bool(flag) => {
                    sheet.write_boolean(row, col, *flag)?;
                }
                Data::Error(_) | Data::Empty => {}
            }
        }
    }
    Ok(workbook.save_to_buffer()?.len())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A stage time printed by `run` under `VNEID_TIMINGS` ("timing <stage> <seconds>").
fn stage(stderr: &str, name: &str) -> f64 {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("timing "))
        .filter_map(|rest| rest.split_once(' '))
        .filter(|(stage, _)| *stage == name)
        .filter_map(|(_, seconds)| seconds.parse::<f64>().ok())
        .sum()
}

fn measure(scale: &Scale, workspace: &Path, runs: usize) -> anyhow::Result<String> {
    let files = input_files(workspace)?;
    let path = workspace.to_string_lossy().into_owned();
    let command = ["run", "-w", &path, "--date", AS_OF, "--quiet"];
    let with_parquet = ["run", "-w", &path, "--date", AS_OF, "--quiet", "--parquet"];
    // One untimed run warms the page cache for both the floor and the timed runs.
    let (_, _) = spawn(&command, false)?;
    let written = read_outputs(&workspace.join("out").join(AS_OF))?;
    let mut write_floors = Vec::new();
    let mut report_ratios = Vec::new();
    let mut both_ratios = Vec::new();
    let mut wall = Vec::new();
    let mut peak = Vec::new();
    let mut stages: [Vec<f64>; 4] = Default::default();
    let mut floor = Vec::new();
    let mut parquet_extra = Vec::new();
    let mut cells = 0;
    for run in 1..=runs {
        // The floor and the run alternate, so both see the same machine noise.
        let (seconds, counted) = calamine_floor(&files)?;
        floor.push(seconds);
        cells = counted;
        let (seconds, stderr) = spawn(&command, true)?;
        wall.push(seconds);
        peak.push(stage_peak(&stderr) as f64);
        let ingest = stage(&stderr, "ingest");
        let assign =
            stage(&stderr, "collect") + stage(&stderr, "master") + stage(&stderr, "assign");
        let reconcile =
            stage(&stderr, "claims") + stage(&stderr, "checks") + stage(&stderr, "progress");
        let report = stage(&stderr, "report") + stage(&stderr, "write");
        for (list, value) in stages.iter_mut().zip([ingest, assign, reconcile, report]) {
            list.push(value);
        }
        // `run --parquet` right after, against the run just before it.
        let (with_tables, _) = spawn(&with_parquet, false)?;
        parquet_extra.push(with_tables - seconds);
        // The write floor last: it runs in this process, after the children have ended.
        let (write_seconds, _) = write_floor(&written)?;
        write_floors.push(write_seconds);
        report_ratios.push(stage(&stderr, "report") / write_seconds);
        both_ratios.push(seconds / (floor[floor.len() - 1] + write_seconds));
        eprintln!(
            "{} run {run}/{runs}: {:.2} s, peak {:.0} MB, ingest {ingest:.2} s, floor {:.2} s, report {:.2} s, write floor {write_seconds:.2} s",
            scale.name,
            seconds,
            peak[peak.len() - 1] / 1024.0,
            floor[floor.len() - 1],
            stage(&stderr, "report"),
        );
    }
    let input_rows = input_rows(workspace)?;
    let (min, max) = (
        wall.iter().copied().fold(f64::INFINITY, f64::min),
        wall.iter().copied().fold(0.0, f64::max),
    );
    // Each run's ingest and wall time against the floor measured just before it, so both see the
    // same noise.
    let mut ratios: Vec<f64> = stages[0].iter().zip(&floor).map(|(i, f)| i / f).collect();
    let ratio = median(&mut ratios);
    let mut run_ratios: Vec<f64> = wall.iter().zip(&floor).map(|(w, f)| w / f).collect();
    let run_ratio = median(&mut run_ratios);
    let ingest = median(&mut stages[0]);
    let floor_median = median(&mut floor);
    Ok(format!(
        "| {} | {} | {} | {runs} | {:.2} s | {min:.2}–{max:.2} s | {:.0} MB | {ingest:.2} s | {:.2} s | {:.2} s | {:.2} s | {floor_median:.2} s ({cells} cells) | {:.2}× | {run_ratio:.2}× | {:.2} s | {:.2}× | {:.2}× | {:+.2} s |",
        scale.name,
        files.len(),
        input_rows,
        median(&mut wall),
        median(&mut peak) / 1024.0,
        median(&mut stages[1]),
        median(&mut stages[2]),
        median(&mut stages[3]),
        ratio,
        median(&mut write_floors),
        median(&mut report_ratios),
        median(&mut both_ratios),
        median(&mut parquet_extra),
    ))
}

/// The peak memory the child printed.
fn stage_peak(stderr: &str) -> u64 {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("peak_rss_kb "))
        .filter_map(|kb| kb.trim().parse().ok())
        .next_back()
        .unwrap_or(0)
}

/// The rows `run` read, from the summary of the last run (sum of `read` over every input sheet).
fn input_rows(workspace: &Path) -> anyhow::Result<u64> {
    let summary = workspace.join("out").join(AS_OF).join("summary.json");
    let text = std::fs::read_to_string(&summary)
        .with_context(|| format!("cannot read {}", summary.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    Ok(json["inputs"]
        .as_array()
        .map(|inputs| inputs.iter().filter_map(|i| i["read"].as_u64()).sum())
        .unwrap_or(0))
}
