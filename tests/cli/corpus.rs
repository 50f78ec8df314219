//! Every file of `shared/corpus/excel-wild` (407 real-world hostile spreadsheets) goes through
//! `inspect`: the process survives (no panic, no abort, no hang), every file ends with data or a clear
//! reason, rows are conserved, and the files that crash or exhaust memory in calamine itself are
//! reported as `reader_crashed`.

use std::collections::HashMap;
use std::path::PathBuf;

use super::support::{assert_rows_conserved, inspect_json, shared};

struct Entry {
    path: String,
    note: String,
    probe: String,
}

fn corpus() -> Vec<Entry> {
    let root = shared().join("corpus/excel-wild");
    let manifest = std::fs::read_to_string(root.join("manifest.tsv")).unwrap_or_else(|e| {
        panic!(
            "the corpus is expected at {} ({e}); set VNEID_SHARED",
            root.display()
        )
    });
    let probe = std::fs::read_to_string(root.join("calamine-0.38.0-probe.tsv"))
        .expect("probe results beside the manifest");
    let probe: HashMap<&str, &str> = probe
        .lines()
        .skip(1)
        .filter_map(|line| {
            line.split('\t')
                .collect::<Vec<_>>()
                .get(..2)
                .map(|f| (f[0], f[1]))
        })
        .collect();
    manifest
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            Entry {
                path: fields[0].to_string(),
                note: fields.get(6).unwrap_or(&"").to_string(),
                probe: probe.get(fields[0]).unwrap_or(&"").to_string(),
            }
        })
        .collect()
}

#[test]
fn every_corpus_file_ends_with_data_or_a_reason() {
    let entries = corpus();
    assert!(entries.len() >= 400, "the corpus has its 407 files");
    let root = shared().join("corpus/excel-wild");
    let paths: Vec<PathBuf> = entries.iter().map(|e| root.join(&e.path)).collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    let (code, json) = inspect_json(&refs, "2024-01-15");
    assert_eq!(code, 1, "some corpus files are unreadable, so exit 1");
    let files = json["files"].as_array().expect("files");
    assert_eq!(
        files.len(),
        entries.len(),
        "every file is reported, in order"
    );
    assert_rows_conserved(&json);

    let supported = ["xlsx", "xlsm", "xlsb", "xls", "ods", "csv"];
    for (entry, file) in entries.iter().zip(files) {
        let error = file["error"].as_str();
        let ext = entry
            .path
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if error.is_some() {
            let message = file["message"].as_str().unwrap_or("");
            assert!(
                !message.is_empty(),
                "{}: an error has a message",
                entry.path
            );
        } else {
            assert!(
                file["sheets"].is_array(),
                "{}: data or an error",
                entry.path
            );
        }
        if matches!(entry.probe.as_str(), "PANIC" | "ABORT") {
            assert_eq!(
                error,
                Some("reader_crashed"),
                "{}: calamine crashes on it",
                entry.path
            );
        }
        if entry.note.starts_with("encrypted") {
            assert_eq!(error, Some("encrypted"), "{}: {}", entry.path, entry.note);
        }
        if !supported.contains(&ext.as_str()) {
            assert_eq!(error, Some("unsupported_format"), "{}", entry.path);
        } else if entry.probe == "OK" {
            assert_eq!(error, None, "{}: calamine reads it, so must we", entry.path);
        }
    }
}
