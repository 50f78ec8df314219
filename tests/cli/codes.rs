//! Every code of every code set has its Vietnamese explanation and is documented in README.md or
//! docs/ (the tables are in docs/reference.md): the codes are written once (`code_set!`), and this
//! keeps the documentation in step with them.

use vneid_recon::assign::rules::Rule;
use vneid_recon::codes::{RejectReason, WarningCode};
use vneid_recon::ingest::errors::FileErrorCode;
use vneid_recon::pipeline::check::ProblemKind;
use vneid_recon::reconcile::claims::ClaimClass;
use vneid_recon::reconcile::metrics::Status;

use super::support::repo;

/// README.md followed by every `docs/*.md`, in file-name order.
fn documentation() -> String {
    let mut text = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let mut pages: Vec<std::path::PathBuf> = std::fs::read_dir(repo().join("docs"))
        .expect("docs/")
        .map(|entry| entry.expect("docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.sort();
    for page in pages {
        text.push('\n');
        text.push_str(
            &std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display())),
        );
    }
    text
}

#[test]
fn every_code_is_explained_and_in_the_readme() {
    let docs = documentation();
    let mut sets: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    macro_rules! set {
        ($name:literal, $ty:ty) => {
            sets.push((
                $name,
                <$ty>::ALL
                    .iter()
                    .map(|c| (c.code(), c.explanation()))
                    .collect(),
            ));
        };
    }
    set!("reject reasons", RejectReason);
    set!("warnings", WarningCode);
    set!("file errors", FileErrorCode);
    set!("claim classes", ClaimClass);
    set!("statuses", Status);
    set!("conflict rules", Rule);
    for (set, codes) in &sets {
        assert!(!codes.is_empty(), "{set}");
        for (code, explanation) in codes {
            assert!(
                !explanation.is_ascii(),
                "{set}: {code} has a Vietnamese explanation"
            );
            assert!(
                docs.contains(&format!("`{code}`")),
                "{set}: `{code}` in README.md or docs/"
            );
        }
    }
    for code in ProblemKind::CODES {
        assert!(
            docs.contains(&format!("`{code}`")),
            "check problem `{code}` in README.md or docs/"
        );
    }
}
