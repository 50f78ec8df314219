//! The five rules that give each citizen exactly one officer (SPEC §6, §11.5), in one place.
//! With more than one candidate the winner is decided by the first rule that separates them:
//! 1. `override` — a candidate with a row in `assignments/overrides/`;
//! 2. `local` — the candidate unit's commune equals the citizen's (known) commune;
//! 3. `force_priority` — the force listed first in the settings;
//! 4. `earliest` — the earlier `assigned_on`, where both have one;
//! 5. `first_seen` — the smaller (relative path, sheet index, Excel row).
//!
//! The rules are applied as successive filters over the candidates; each loser is then reported with
//! the first rule that separates it from the winner.

use chrono::NaiveDate;

use crate::ix::{CommuneIx, ForceIx};

pub use crate::ingest::Position;

crate::code_set! {
    /// The rule that decided a conflict (SPEC §6), in the order they are tried.
    pub enum Rule {
        Override = "override" => "Quyết định xử lý trùng (thư mục overrides)",
        Local = "local" => "Đơn vị cùng xã với công dân",
        ForcePriority = "force_priority" => "Lực lượng được ưu tiên theo thứ tự trong cài đặt",
        Earliest = "earliest" => "Được phân công sớm hơn",
        FirstSeen = "first_seen" => "Xuất hiện trước trong danh sách (tệp, trang, dòng)",
    }
}

/// What the rules look at in a candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInputs {
    pub is_override: bool,
    /// The candidate unit's commune (index into the configured communes).
    pub commune: Option<CommuneIx>,
    /// The force's index in the settings: smaller wins.
    pub force_rank: ForceIx,
    pub assigned_on: Option<NaiveDate>,
    pub position: Position,
}

/// Picks the winner among candidates (non-empty), returning its index.
pub fn pick_winner(candidates: &[RuleInputs], citizen_commune: Option<CommuneIx>) -> usize {
    let mut remaining: Vec<usize> = (0..candidates.len()).collect();
    let keep = |remaining: &mut Vec<usize>, test: &dyn Fn(&RuleInputs) -> bool| {
        if remaining.iter().any(|&i| test(&candidates[i])) {
            remaining.retain(|&i| test(&candidates[i]));
        }
    };
    keep(&mut remaining, &|c| c.is_override);
    if let Some(commune) = citizen_commune {
        keep(&mut remaining, &|c| c.commune == Some(commune));
    }
    if let Some(best) = remaining.iter().map(|&i| candidates[i].force_rank).min() {
        remaining.retain(|&i| candidates[i].force_rank == best);
    }
    // Earliest: a dated candidate later than the earliest date loses; undated ones stay, since the
    // rule only separates two candidates that both have a date.
    if let Some(earliest) = remaining
        .iter()
        .filter_map(|&i| candidates[i].assigned_on)
        .min()
    {
        remaining.retain(|&i| candidates[i].assigned_on.is_none_or(|d| d == earliest));
    }
    remaining
        .into_iter()
        .min_by(|&a, &b| candidates[a].position.cmp(&candidates[b].position))
        .unwrap_or(0)
}

/// The first rule that separates a loser from the winner.
pub fn deciding_rule(
    winner: &RuleInputs,
    loser: &RuleInputs,
    citizen_commune: Option<CommuneIx>,
) -> Rule {
    if winner.is_override != loser.is_override {
        return Rule::Override;
    }
    if let Some(commune) = citizen_commune
        && (winner.commune == Some(commune)) != (loser.commune == Some(commune))
    {
        return Rule::Local;
    }
    if winner.force_rank != loser.force_rank {
        return Rule::ForcePriority;
    }
    match (winner.assigned_on, loser.assigned_on) {
        (Some(a), Some(b)) if a != b => Rule::Earliest,
        _ => Rule::FirstSeen,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(force_rank: usize, commune: Option<usize>, path: &str) -> RuleInputs {
        RuleInputs {
            is_override: false,
            commune: commune.map(CommuneIx::new),
            force_rank: ForceIx::new(force_rank),
            assigned_on: None,
            position: Position {
                path: path.into(),
                sheet: 0,
                row: 2,
            },
        }
    }

    fn decide(candidates: &[RuleInputs], commune: Option<usize>) -> (usize, Vec<Rule>) {
        let commune = commune.map(CommuneIx::new);
        let winner = pick_winner(candidates, commune);
        let rules = (0..candidates.len())
            .filter(|&i| i != winner)
            .map(|i| deciding_rule(&candidates[winner], &candidates[i], commune))
            .collect();
        (winner, rules)
    }

    #[test]
    fn override_beats_everything() {
        let mut a = candidate(0, Some(1), "a");
        let mut b = candidate(3, None, "z");
        b.is_override = true;
        a.assigned_on = NaiveDate::from_ymd_opt(2024, 1, 1);
        assert_eq!(decide(&[a, b], Some(1)), (1, vec![Rule::Override]));
    }

    #[test]
    fn local_beats_force_priority() {
        let a = candidate(0, Some(2), "a");
        let b = candidate(1, Some(1), "b");
        assert_eq!(decide(&[a, b], Some(1)), (1, vec![Rule::Local]));
    }

    #[test]
    fn local_needs_a_known_citizen_commune() {
        let a = candidate(1, Some(1), "a");
        let b = candidate(0, Some(2), "b");
        assert_eq!(decide(&[a, b], None), (1, vec![Rule::ForcePriority]));
    }

    #[test]
    fn earliest_then_first_seen() {
        let mut a = candidate(0, None, "b");
        let mut b = candidate(0, None, "a");
        a.assigned_on = NaiveDate::from_ymd_opt(2024, 1, 2);
        b.assigned_on = NaiveDate::from_ymd_opt(2024, 1, 3);
        assert_eq!(
            decide(&[a.clone(), b.clone()], None),
            (0, vec![Rule::Earliest])
        );
        b.assigned_on = None;
        assert_eq!(decide(&[a, b], None), (1, vec![Rule::FirstSeen]));
    }

    #[test]
    fn first_seen_compares_path_bytes_then_sheet_then_row() {
        let a = candidate(0, None, "b.xlsx");
        let b = candidate(0, None, "B.xlsx");
        assert_eq!(decide(&[a, b], None), (1, vec![Rule::FirstSeen]));
        let mut c = candidate(0, None, "a");
        let mut d = candidate(0, None, "a");
        c.position.row = 9;
        d.position.row = 3;
        assert_eq!(decide(&[c, d], None).0, 1);
    }

    #[test]
    fn each_loser_gets_its_own_rule() {
        let winner = candidate(0, Some(1), "c");
        let other_force = candidate(1, Some(1), "a");
        let not_local = candidate(0, Some(2), "b");
        let (w, rules) = decide(&[other_force, not_local, winner], Some(1));
        assert_eq!(w, 2);
        assert_eq!(rules, vec![Rule::ForcePriority, Rule::Local]);
    }
}
