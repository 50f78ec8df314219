//! The targets appendix `targets.xlsx` (SPEC §6, §11.7, §11.15): either wide (a commune column and
//! one column per force, the usual chỉ tiêu appendix, often with a merged parent "Chỉ tiêu giao cho
//! từng lực lượng" over the force columns) or long (rows of force, commune, target). The header is
//! found by the same detector as the ID lists' (`ingest::header`), with merged cells filled and
//! legacy text converted alike. A targets file is not an ID list: rows are used or skipped (totals,
//! numbering, unknown communes), never rejected. Which force a text names is the settings' business:
//! the caller passes it as a [`ForceOf`] lookup (`assign::directory::ForceMatcher::force_of_folded`).

use std::collections::BTreeMap;

use crate::ingest::aliases::{AliasTable, Field};
use crate::ingest::grid::{Cell, Grid};
use crate::ingest::header::{Vocabulary, locate_header};
use crate::ix::{CommuneIx, ForceIx};
use crate::normalize::commune::CommuneMatcher;
use crate::normalize::text::fold;

/// Header texts of the target column in the long shape (folded prefixes).
const TARGET_HEADERS: [&str; 4] = ["chi tieu", "so luong", "muc tieu", "target"];

/// Leading words a force column's header may carry before the force: "Lực lượng Công an",
/// "Chỉ tiêu Đoàn Thanh niên" (folded).
const FORCE_HEADER_PREFIXES: [&str; 2] = ["luc luong", "chi tieu"];

/// The targets read from one sheet, and the row counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetTargets {
    pub header_row: Option<u32>,
    pub read: u64,
    pub accepted: u64,
    pub skipped: u64,
    pub targets: Targets,
}

/// Targets per (force index, commune index), in settings order.
pub type Targets = BTreeMap<(ForceIx, CommuneIx), u64>;

/// What a column of the appendix can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TargetColumn {
    Commune,
    /// The targets of one force (the wide shape).
    Force(ForceIx),
    /// The force of each row (the long shape).
    ForceName,
    /// The target of each row (the long shape).
    Target,
}

/// The force a folded text (id, name or alias) names.
pub type ForceOf<'a> = &'a dyn Fn(&str) -> Option<ForceIx>;

/// The appendix's header vocabulary: communes from the field aliases, forces from the settings.
struct TargetVocabulary<'a> {
    forces: ForceOf<'a>,
    aliases: &'a AliasTable,
}

impl TargetVocabulary<'_> {
    /// The force a column header names: its folded text, less leading "lực lượng" / "chỉ tiêu",
    /// is a force's id, name or alias.
    fn force_of_header(&self, text: &str) -> Option<ForceIx> {
        let folded = fold(text);
        let mut key = folded.as_str();
        loop {
            if let Some(force) = (self.forces)(key) {
                return Some(force);
            }
            key = FORCE_HEADER_PREFIXES
                .iter()
                .find_map(|prefix| key.strip_prefix(prefix)?.strip_prefix(' '))?;
        }
    }

    fn key(
        &self,
        text: &str,
        field_of: impl Fn(&str) -> Option<Field>,
        exact: bool,
    ) -> Option<TargetColumn> {
        let field = field_of(text);
        if field == Some(Field::Commune) {
            return Some(TargetColumn::Commune);
        }
        if let Some(force) = self.force_of_header(text) {
            return Some(TargetColumn::Force(force));
        }
        if field == Some(Field::Force) {
            return Some(TargetColumn::ForceName);
        }
        let folded = fold(text);
        TARGET_HEADERS
            .iter()
            .any(|h| folded == *h || (!exact && folded.starts_with(&format!("{h} "))))
            .then_some(TargetColumn::Target)
    }
}

impl Vocabulary for TargetVocabulary<'_> {
    type Key = TargetColumn;

    fn key_of(&self, text: &str) -> Option<TargetColumn> {
        self.key(text, |t| self.aliases.field_of(t), false)
    }

    fn key_of_exact(&self, text: &str) -> Option<TargetColumn> {
        self.key(text, |t| self.aliases.field_of_exact(t), true)
    }

    fn anchor(&self) -> TargetColumn {
        TargetColumn::Commune
    }

    /// A commune column and either a force column or the long shape's force and target columns.
    fn is_header(&self, keys: &[Option<TargetColumn>]) -> bool {
        let has = |wanted: TargetColumn| keys.contains(&Some(wanted));
        has(TargetColumn::Commune)
            && (keys
                .iter()
                .any(|k| matches!(k, Some(TargetColumn::Force(_))))
                || (has(TargetColumn::ForceName) && has(TargetColumn::Target)))
    }
}

enum Shape {
    /// (column, force) of each force's column.
    Wide(Vec<(usize, ForceIx)>),
    Long {
        force: usize,
        target: usize,
    },
}

/// Reads targets from a sheet (its legacy text is converted in place).
pub fn read_targets(
    grid: &mut Grid,
    forces: ForceOf<'_>,
    communes: &CommuneMatcher,
    aliases: &AliasTable,
) -> SheetTargets {
    let mut out = SheetTargets::default();
    let vocabulary = TargetVocabulary { forces, aliases };
    let Some(header) = locate_header(grid, &vocabulary) else {
        return out;
    };
    let grid = &*grid;
    out.header_row = Some(grid.excel_row(header.top));
    let column = |key| header.columns.get(&key).copied();
    let force_columns: Vec<(usize, ForceIx)> = header
        .columns
        .iter()
        .filter_map(|(key, col)| match key {
            TargetColumn::Force(force) => Some((*col, *force)),
            _ => None,
        })
        .collect();
    let shape = match (
        column(TargetColumn::ForceName),
        column(TargetColumn::Target),
    ) {
        _ if !force_columns.is_empty() => Shape::Wide(force_columns),
        (Some(force), Some(target)) => Shape::Long { force, target },
        _ => return out,
    };
    let commune_col = column(TargetColumn::Commune).unwrap_or(0);
    let last_filled = grid.last_content_row().unwrap_or(0);
    for r in header.bottom + 1..=last_filled {
        out.read += 1;
        let Some(commune) = grid
            .cell(r, commune_col)
            .as_text()
            .and_then(|t| communes.find(t))
        else {
            out.skipped += 1;
            continue;
        };
        let found: Vec<(ForceIx, u64)> = match &shape {
            Shape::Wide(columns) => columns
                .iter()
                .filter_map(|&(col, force)| Some((force, number(grid.cell(r, col))?)))
                .collect(),
            Shape::Long { force, target } => grid
                .cell(r, *force)
                .as_text()
                .and_then(|t| forces(&fold(t)))
                .zip(number(grid.cell(r, *target)))
                .into_iter()
                .collect(),
        };
        for (force, value) in &found {
            let cell = out.targets.entry((*force, commune)).or_insert(0);
            *cell = cell.saturating_add(*value);
        }
        if found.is_empty() {
            out.skipped += 1
        } else {
            out.accepted += 1
        }
    }
    out
}

fn number(cell: &Cell) -> Option<u64> {
    match cell {
        Cell::Int(v) => u64::try_from(*v).ok(),
        Cell::Number(v) => crate::normalize::id::checked_integer(*v),
        Cell::Text(t) => t.replace(['.', ',', ' '], "").parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (crate::settings::Settings, AliasTable) {
        let settings = crate::settings::template();
        (settings, AliasTable::default())
    }

    fn grid(rows: Vec<Vec<Cell>>) -> Grid {
        Grid::from_dense(rows)
    }

    #[test]
    fn wide_appendix() {
        let (settings, aliases) = setup();
        let (forces, communes) = (
            crate::assign::directory::ForceMatcher::new(&settings),
            CommuneMatcher::new(&settings.communes),
        );
        let mut g = grid(vec![
            vec![Cell::text("PHỤ LỤC CHỈ TIÊU")],
            vec![
                Cell::text("STT"),
                Cell::text("Xã, thị trấn"),
                Cell::text("Đoàn Thanh niên"),
                Cell::text("Công an"),
            ],
            vec![
                Cell::Int(1),
                Cell::text("Xã Ta Ma"),
                Cell::Int(40),
                Cell::Number(25.0),
            ],
            vec![
                Cell::Empty,
                Cell::text("Tổng cộng"),
                Cell::Int(40),
                Cell::Int(25),
            ],
        ]);
        let t = read_targets(
            &mut g,
            &|key| forces.force_of_folded(key),
            &communes,
            &aliases,
        );
        let ta_ma = settings
            .communes
            .iter()
            .position(|c| c == "Ta Ma")
            .map(CommuneIx::new)
            .expect("Ta Ma");
        assert_eq!(t.targets.get(&(ForceIx::new(0), ta_ma)), Some(&40));
        assert_eq!(t.targets.get(&(ForceIx::new(3), ta_ma)), Some(&25));
        assert_eq!(
            (t.header_row, t.read, t.accepted, t.skipped),
            (Some(2), 2, 1, 1)
        );
    }

    #[test]
    fn long_rows() {
        let (settings, aliases) = setup();
        let (forces, communes) = (
            crate::assign::directory::ForceMatcher::new(&settings),
            CommuneMatcher::new(&settings.communes),
        );
        let mut g = grid(vec![
            vec![
                Cell::text("Lực lượng"),
                Cell::text("Xã"),
                Cell::text("Chỉ tiêu"),
            ],
            vec![
                Cell::text("Hội Phụ nữ"),
                Cell::text("Pú Xi"),
                Cell::text("1.200"),
            ],
        ]);
        let t = read_targets(
            &mut g,
            &|key| forces.force_of_folded(key),
            &communes,
            &aliases,
        );
        let pu_xi = settings
            .communes
            .iter()
            .position(|c| c == "Pú Xi")
            .map(CommuneIx::new)
            .expect("Pú Xi");
        assert_eq!(t.targets.get(&(ForceIx::new(1), pu_xi)), Some(&1200));
    }
}
