//! Every code of every code set has its Vietnamese explanation and is documented in the README:
//! the codes are written once (`code_set!`), and this keeps the README in step with them.

use vneid_recon::assign::rules::Rule;
use vneid_recon::codes::{RejectReason, WarningCode};
use vneid_recon::ingest::errors::FileErrorCode;
use vneid_recon::pipeline::check::ProblemKind;
use vneid_recon::reconcile::claims::ClaimClass;
use vneid_recon::reconcile::metrics::Status;

use super::support::repo;

#[test]
fn every_code_is_explained_and_in_the_readme() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
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
                readme.contains(&format!("`{code}`")),
                "{set}: `{code}` in README.md"
            );
        }
    }
    for code in ProblemKind::CODES {
        assert!(
            readme.contains(&format!("`{code}`")),
            "check problem `{code}` in README.md"
        );
    }
}
