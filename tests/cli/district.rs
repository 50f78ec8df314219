//! The shipped district workspace `fixtures/tuan-giao` (the README's main command) checked number by
//! number against `expected-summary.json`, which `expected_summary.py` computes from the generator's
//! planted data model with its own implementation of SPEC §6 and §11, not from this tool's output.

use serde_json::Value;

use super::support::{cli, repo};

const UNIT_KEYS: [&str; 10] = [
    "force",
    "unit",
    "commune",
    "assigned",
    "activated",
    "activated_today",
    "remaining",
    "reported_today",
    "zero_days",
    "status",
];
const CELL_KEYS: [&str; 9] = [
    "force",
    "commune",
    "target",
    "assigned",
    "activated",
    "activated_today",
    "remaining",
    "required_per_day",
    "status",
];
const TOTAL_KEYS: [&str; 9] = [
    "master",
    "assigned",
    "unassigned",
    "not_in_master",
    "conflicts",
    "target",
    "activated",
    "activated_today",
    "remaining",
];

fn pick(value: &Value, keys: &[&str]) -> Value {
    Value::Object(
        keys.iter()
            .map(|k| (k.to_string(), value[*k].clone()))
            .collect(),
    )
}

fn pick_all(list: &Value, keys: &[&str]) -> Vec<Value> {
    list.as_array()
        .map(|items| items.iter().map(|item| pick(item, keys)).collect())
        .unwrap_or_default()
}

pub fn run_fixture(out: &std::path::Path) -> Value {
    // Copy the workspace so the test never writes into the repository.
    let source = repo().join("fixtures/tuan-giao");
    super::support::copy_tree(&source, out);
    let output = cli()
        .args(["run", "--quiet", "--json", "--date", "2024-01-15", "-w"])
        .arg(out)
        .output()
        .expect("run");
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("summary JSON on stdout")
}

#[test]
fn district_summary_matches_the_independent_expectations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let actual = run_fixture(&dir.path().join("tuan-giao"));
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("fixtures/tuan-giao/expected-summary.json"))
            .expect("expectations"),
    )
    .expect("expectations are JSON");
    assert_eq!(
        pick(&actual["totals"], &TOTAL_KEYS),
        pick(&expected["totals"], &TOTAL_KEYS),
        "totals"
    );
    assert_eq!(actual["claims"], expected["claims"], "claims");
    for (section, expected_counts) in [
        ("rejected_rows", &expected["rejected_rows"]),
        ("warnings", &expected["warnings"]),
    ] {
        for (code, count) in expected_counts.as_object().expect("counts") {
            assert_eq!(
                actual[section][code].as_u64().unwrap_or(0),
                count.as_u64().unwrap_or(0),
                "{section}.{code}"
            );
        }
        for (code, count) in actual[section].as_object().expect("counts") {
            assert_eq!(
                count.as_u64().unwrap_or(0),
                expected_counts[code].as_u64().unwrap_or(0),
                "{section}.{code}"
            );
        }
    }
    if let Some(rules) = expected.get("conflicts_by_rule") {
        assert_eq!(&actual["conflicts_by_rule"], rules, "conflicts by rule");
    }
    let cells = (
        pick_all(&actual["by_force_commune"], &CELL_KEYS),
        pick_all(&expected["by_force_commune"], &CELL_KEYS),
    );
    assert_eq!(cells.0.len(), cells.1.len(), "by_force_commune rows");
    for (a, e) in cells.0.iter().zip(&cells.1) {
        assert_eq!(a, e, "by_force_commune");
    }
    let units = (
        pick_all(&actual["units"], &UNIT_KEYS),
        pick_all(&expected["units"], &UNIT_KEYS),
    );
    for (a, e) in units.0.iter().zip(&units.1) {
        assert_eq!(a, e, "units");
    }
    assert_eq!(units.0.len(), units.1.len(), "unit count");
}

#[test]
fn district_run_is_byte_identical_on_rerun() {
    let dir = tempfile::tempdir().expect("temp dir");
    let workspace = dir.path().join("tuan-giao");
    run_fixture(&workspace);
    let first = std::fs::read(workspace.join("out/2024-01-15/summary.json")).expect("summary");
    cli()
        .args(["run", "--quiet", "--date", "2024-01-15", "-w"])
        .arg(&workspace)
        .assert()
        .success();
    assert_eq!(
        first,
        std::fs::read(workspace.join("out/2024-01-15/summary.json")).expect("summary")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(workspace.join("out/2024-01-15/summary.json"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only output");
    }
}

/// A column of a Parquet table as text values (null as "").
fn text_column(frame: &polars::prelude::DataFrame, name: &str) -> Vec<String> {
    let values = frame
        .column(name)
        .expect("column present")
        .str()
        .expect("text column");
    (0..values.len())
        .map(|i| values.get(i).unwrap_or_default().to_string())
        .collect()
}

#[test]
fn parquet_tables_agree_with_the_summary() {
    use polars::prelude::{ParquetReader, SerReader};
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("tuan-giao");
    let summary = run_fixture(&out);
    assert!(
        !out.join("out/2024-01-15/parquet").exists(),
        "Parquet only on request"
    );
    cli()
        .args(["run", "--quiet", "--parquet", "--date", "2024-01-15", "-w"])
        .arg(&out)
        .assert()
        .code(0);
    let read = |name: &str| {
        let file = std::fs::File::open(out.join("out/2024-01-15/parquet").join(name))
            .expect("parquet file written");
        ParquetReader::new(file).finish().expect("valid Parquet")
    };
    let count = |values: &[String], wanted: &str| values.iter().filter(|v| *v == wanted).count();
    let number = |path: &[&str]| {
        path.iter()
            .fold(&summary, |value, key| &value[*key])
            .as_u64()
            .expect("count in summary") as usize
    };

    let citizens = read("citizens.parquet");
    assert_eq!(citizens.height(), number(&["totals", "master"]));
    let ids = text_column(&citizens, "id");
    assert!(
        ids.iter()
            .all(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
    );
    assert_eq!(
        ids.iter().collect::<std::collections::HashSet<_>>().len(),
        ids.len(),
        "one row per citizen"
    );
    let status = text_column(&citizens, "status");
    assert_eq!(
        count(&status, "activated"),
        number(&["totals", "activated"])
    );
    assert_eq!(
        count(&status, "activated") + count(&status, "remaining"),
        citizens.height(),
        "every citizen is activated or remaining"
    );
    let credited_forces = text_column(&citizens, "credited_force");
    assert!(
        status
            .iter()
            .zip(&credited_forces)
            .all(|(s, f)| (s == "activated") != f.is_empty()),
        "an activated citizen names the credited unit's force, a remaining one none"
    );
    let forces = text_column(&citizens, "force");
    assert_eq!(count(&forces, ""), number(&["totals", "unassigned"]));
    let columns: Vec<String> = citizens
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(
        !columns
            .iter()
            .any(|c| c == "name" || c == "phone" || c == "dob"),
        "no personal data beyond the ID: {columns:?}"
    );

    let claims = read("claims.parquet");
    let classes = text_column(&claims, "class");
    for class in ["counted", "unknown", "repeat", "duplicate"] {
        assert_eq!(
            count(&classes, class),
            number(&["claims", class]),
            "{class}"
        );
    }
    let outside = claims
        .column("outside_assignment")
        .expect("column")
        .bool()
        .expect("bool")
        .sum()
        .unwrap_or(0) as usize;
    assert_eq!(outside, number(&["claims", "outside_assignment"]));

    let conflicts = read("conflicts.parquet");
    let rules = text_column(&conflicts, "rule");
    for (rule, expected) in summary["conflicts_by_rule"].as_object().expect("rules") {
        assert_eq!(
            count(&rules, rule),
            expected.as_u64().expect("n") as usize,
            "{rule}"
        );
    }
    let conflicted: std::collections::HashSet<String> =
        text_column(&conflicts, "id").into_iter().collect();
    assert_eq!(conflicted.len(), number(&["totals", "conflicts"]));

    let rejected = read("rejected_rows.parquet");
    let reasons = text_column(&rejected, "reason");
    for (reason, expected) in summary["rejected_rows"].as_object().expect("reasons") {
        assert_eq!(
            count(&reasons, reason),
            expected.as_u64().expect("n") as usize,
            "{reason}"
        );
    }
}
