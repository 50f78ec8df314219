//! Mutation fuzzing of the whole reading path (issue 14): `cargo run --release --example fuzz --
//! --seconds 480` takes the spreadsheets of `../shared/corpus/excel-wild/` and `fixtures/` as seeds,
//! mutates them and feeds each mutant to `vneid-recon inspect --json` in a child process under a
//! memory limit and a time limit: sniffing, reading, header detection, row classification and the
//! normalisers all run on it. The stable toolchain has no cargo-fuzz, so this is a plain mutation
//! loop with a seeded generator (SplitMix64, reproducible for a seed).
//!
//! A finding is an input that makes the reader crash (a signal or a panic exit), hang (over the
//! time limit), blow up (over the memory limit: the child is killed), or break an invariant (no
//! JSON, or a sheet whose read ≠ accepted + rejected + skipped). Findings are copied to
//! `--out` (default `target/fuzz-findings/`) with their kind in the name; each one fixed becomes a
//! regression file under `tests/hostile/`.
//!
//! Mutations: byte flips, truncation, random insertions, splicing two seeds, and for zip packages
//! (.xlsx .xlsm .xlsb .ods) the same mutations applied *inside* one part of the package, which is
//! then re-zipped with a valid checksum, so the XML and record parsers see the damage rather than
//! the zip reader.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;

#[derive(Debug, Parser)]
struct Args {
    /// Seconds to fuzz each format.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Formats to fuzz (by extension).
    #[arg(long, value_delimiter = ',', default_value = "xlsx,xls,ods,csv")]
    formats: Vec<String>,
    /// Seed of the mutation generator.
    #[arg(long, default_value_t = 20240115)]
    seed: u64,
    /// Where findings are written.
    #[arg(long, default_value = "target/fuzz-findings")]
    out: PathBuf,
    /// Memory limit of each child, in MiB.
    #[arg(long, default_value_t = 4096)]
    memory_mib: u64,
    /// Time limit of each child, in seconds.
    #[arg(long, default_value_t = 20)]
    timeout: u64,
}

/// SplitMix64: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

#[derive(Debug, Default)]
struct Tally {
    executions: u64,
    findings: Vec<(String, PathBuf)>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = std::env::current_exe()?
        .parent()
        .and_then(Path::parent)
        .map(|release| release.join("vneid-recon"))
        .context("locating the vneid-recon binary")?;
    if !binary.is_file() {
        bail!(
            "build the binary first: cargo build --release ({} missing)",
            binary.display()
        );
    }
    std::fs::create_dir_all(&args.out)?;
    let work = tempfile::tempdir()?;
    // A private copy: a rebuild during the run must not swap the binary under the fuzzer.
    let private = work.path().join("vneid-recon");
    std::fs::copy(&binary, &private)?;
    let binary = private;
    let mut rng = Rng(args.seed);
    println!(
        "| format | seeds | seconds | executions | exec/s | crashes | hangs | blow-ups | invariants |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for format in &args.formats {
        let seeds = seeds_of(format)?;
        if seeds.is_empty() {
            println!("| {format} | 0 | - | - | - | - | - | - | - |");
            continue;
        }
        let started = Instant::now();
        let mut tally = Tally::default();
        while started.elapsed() < Duration::from_secs(args.seconds) {
            let input = mutate(&seeds, &mut rng);
            let file = work.path().join(format!("input.{format}"));
            std::fs::write(&file, &input)?;
            tally.executions += 1;
            // A finding counts when it reproduces: the machine's own hiccups are not the reader's.
            if let Some(kind) = execute(&binary, &file, &args)
                .filter(|kind| execute(&binary, &file, &args).as_ref() == Some(kind))
            {
                let name = format!("{kind}-{:016x}.{format}", hash(&input));
                let kept = args.out.join(&name);
                std::fs::write(&kept, &input)?;
                tally.findings.push((kind, kept));
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let count = |kind: &str| tally.findings.iter().filter(|(k, _)| k == kind).count();
        println!(
            "| {format} | {} | {seconds:.0} | {} | {:.1} | {} | {} | {} | {} |",
            seeds.len(),
            tally.executions,
            tally.executions as f64 / seconds,
            count("crash"),
            count("hang"),
            count("blowup"),
            count("invariant"),
        );
        for (kind, path) in &tally.findings {
            eprintln!("  {kind}: {}", path.display());
        }
    }
    Ok(())
}

/// The seed files of a format: the corpus and the fixtures, by extension (`xlsx` takes `.xlsm` and
/// `.xlsb` too: one zip family).
fn seeds_of(format: &str) -> anyhow::Result<Vec<Vec<u8>>> {
    let extensions: Vec<&str> = match format {
        "xlsx" => vec!["xlsx", "xlsm", "xlsb"],
        other => vec![other],
    };
    let mut seeds = Vec::new();
    for root in ["../shared/corpus/excel-wild", "fixtures"] {
        collect(Path::new(root), &extensions, &mut seeds)?;
    }
    Ok(seeds)
}

fn collect(dir: &Path, extensions: &[&str], seeds: &mut Vec<Vec<u8>>) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, extensions, seeds)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e.to_ascii_lowercase().as_str()))
            && std::fs::metadata(&path).is_ok_and(|m| m.len() < 4 << 20)
        {
            seeds.push(std::fs::read(&path)?);
        }
    }
    Ok(())
}

fn mutate(seeds: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let seed = &seeds[rng.below(seeds.len())];
    let zipped = seed.starts_with(b"PK\x03\x04");
    if zipped
        && rng.below(3) > 0
        && let Some(mutant) = mutate_inside_zip(seed, seeds, rng)
    {
        return mutant;
    }
    mutate_bytes(seed, seeds, rng)
}

fn mutate_bytes(data: &[u8], seeds: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut out = data.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        match rng.below(6) {
            0 | 1 if !out.is_empty() => {
                for _ in 0..1 + rng.below(16) {
                    let at = rng.below(out.len());
                    out[at] ^= 1 << rng.below(8);
                }
            }
            2 if !out.is_empty() => out.truncate(rng.below(out.len())),
            3 => {
                let at = rng.below(out.len() + 1);
                let bytes: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next() as u8).collect();
                out.splice(at..at, bytes);
            }
            4 if !out.is_empty() => {
                // Repeat a chunk: long runs of the same structure (rows, columns, records).
                let start = rng.below(out.len());
                let len = (1 + rng.below(256)).min(out.len() - start);
                let chunk = out[start..start + len].to_vec();
                let times = 1 + rng.below(64);
                let at = rng.below(out.len() + 1);
                out.splice(at..at, chunk.repeat(times));
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let cut = rng.below(out.len() + 1);
                let from = rng.below(other.len() + 1);
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
        }
    }
    out
}

/// Mutates one part of a zip package and re-zips it with valid checksums.
fn mutate_inside_zip(data: &[u8], seeds: &[Vec<u8>], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(data)).ok()?;
    let mut parts = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).ok()?;
        let mut bytes = Vec::new();
        entry.by_ref().take(16 << 20).read_to_end(&mut bytes).ok()?;
        parts.push((entry.name().ok()?.to_string(), bytes));
    }
    if parts.is_empty() {
        return None;
    }
    let target = rng.below(parts.len());
    parts[target].1 = mutate_bytes(&parts[target].1, seeds, rng);
    let mut out = Vec::new();
    {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in &parts {
            writer.start_file(name.as_str(), options).ok()?;
            writer.write_all(bytes).ok()?;
        }
        writer.finish().ok()?;
    }
    Some(out)
}

/// Runs `inspect` on one input; the kind of finding, if any.
fn execute(binary: &Path, file: &Path, args: &Args) -> Option<String> {
    // The shell's ulimit bounds the child's memory (the crate forbids `unsafe`, so no pre_exec).
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {}; exec \"$0\" inspect --json --date 2024-01-15 \"$1\"",
            args.memory_mib * 1024
        ))
        .arg(binary)
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stdout.read_to_end(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > Duration::from_secs(args.timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                return Some("hang".into());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(_) => return Some("crash".into()),
        }
    };
    let output = reader.join().unwrap_or_default();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    match status.code() {
        Some(0 | 1) => {}
        _ if stderr.contains("memory allocation") => return Some("blowup".into()),
        _ => return Some("crash".into()),
    }
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&output) else {
        return Some("invariant".into());
    };
    let conserved = json["files"].as_array().into_iter().flatten().all(|file| {
        file["sheets"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|sheet| {
                let n = |k: &str| sheet[k].as_u64().unwrap_or(u64::MAX);
                n("read") == n("accepted") + n("rejected") + n("skipped")
            })
    });
    (!conserved).then(|| "invariant".into())
}

fn hash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
