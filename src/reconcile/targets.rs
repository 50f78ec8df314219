//! The targets appendix `targets.xlsx` (SPEC §6, §11.7): either wide (a commune column and one column
//! per force, the usual chỉ tiêu appendix) or long (rows of force, commune, target). A targets file
//! is not an ID list: rows are used or skipped (totals, unknown communes), never rejected.

use std::collections::BTreeMap;

use crate::assign::directory::ForceMatcher;
use crate::ingest::aliases::{AliasTable, Field};
use crate::ingest::grid::{Cell, Grid};
use crate::normalize::commune::CommuneMatcher;
use crate::normalize::text::fold;

/// Header texts of the target column in the long shape (folded prefixes).
const TARGET_HEADERS: [&str; 4] = ["chi tieu", "so luong", "muc tieu", "target"];

/// The targets read from one sheet, and the row counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetTargets {
    pub header_row: Option<u32>,
    pub read: u64,
    pub accepted: u64,
    pub skipped: u64,
    pub targets: BTreeMap<(usize, usize), u64>,
}

enum Shape {
    Wide {
        commune: usize,
        forces: Vec<(usize, usize)>,
    },
    Long {
        force: usize,
        commune: usize,
        target: usize,
    },
}

/// Reads targets from a sheet.
pub fn read_targets(
    grid: &Grid,
    forces: &ForceMatcher,
    communes: &CommuneMatcher,
    aliases: &AliasTable,
) -> SheetTargets {
    let mut out = SheetTargets::default();
    let Some((header, shape)) = (0..grid.rows.len().min(30))
        .find_map(|r| shape_of(grid, r, forces, aliases).map(|s| (r, s)))
    else {
        return out;
    };
    out.header_row = Some(grid.excel_row(header));
    // Computed once: rows after the last filled one are not read.
    let last_filled = grid
        .rows
        .iter()
        .rposition(|row| row.iter().any(|c| !c.is_empty()))
        .unwrap_or(0);
    for r in header + 1..=last_filled {
        out.read += 1;
        let commune_col = match shape {
            Shape::Wide { commune, .. } | Shape::Long { commune, .. } => commune,
        };
        let Some(commune) = grid
            .cell(r, commune_col)
            .as_text()
            .and_then(|t| communes.find(t))
        else {
            out.skipped += 1;
            continue;
        };
        let mut used = false;
        match &shape {
            Shape::Wide {
                forces: columns, ..
            } => {
                for &(col, force) in columns {
                    if let Some(value) = number(grid.cell(r, col)) {
                        let cell = out.targets.entry((force, commune)).or_insert(0);
                        *cell = cell.saturating_add(value);
                        used = true;
                    }
                }
            }
            Shape::Long { force, target, .. } => {
                let force = grid
                    .cell(r, *force)
                    .as_text()
                    .and_then(|t| forces.resolve(Some(t), None));
                if let (Some(force), Some(value)) = (force, number(grid.cell(r, *target))) {
                    let cell = out.targets.entry((force, commune)).or_insert(0);
                    *cell = cell.saturating_add(value);
                    used = true;
                }
            }
        }
        if used {
            out.accepted += 1
        } else {
            out.skipped += 1
        }
    }
    out
}

fn shape_of(grid: &Grid, r: usize, forces: &ForceMatcher, aliases: &AliasTable) -> Option<Shape> {
    let cells = grid.rows.get(r)?;
    let text = |c: usize| cells.get(c).and_then(Cell::as_text);
    let commune = (0..cells.len())
        .find(|&c| text(c).and_then(|t| aliases.field_of(t)) == Some(Field::Commune))?;
    let force_columns: Vec<(usize, usize)> = (0..cells.len())
        .filter(|&c| c != commune)
        .filter_map(|c| {
            text(c)
                .and_then(|t| forces.resolve(Some(t), None))
                .map(|f| (c, f))
        })
        .collect();
    if !force_columns.is_empty() {
        return Some(Shape::Wide {
            commune,
            forces: force_columns,
        });
    }
    let force = (0..cells.len())
        .find(|&c| text(c).and_then(|t| aliases.field_of(t)) == Some(Field::Force))?;
    let target = (0..cells.len()).find(|&c| {
        text(c).is_some_and(|t| {
            let folded = fold(t);
            TARGET_HEADERS
                .iter()
                .any(|h| folded == *h || folded.starts_with(&format!("{h} ")))
        })
    })?;
    Some(Shape::Long {
        force,
        commune,
        target,
    })
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
        let settings =
            crate::settings::parse(crate::commands::init_template(), "t").expect("template");
        (settings, AliasTable::default())
    }

    fn grid(rows: Vec<Vec<Cell>>) -> Grid {
        Grid {
            first_row: 0,
            first_col: 0,
            rows,
        }
    }

    #[test]
    fn wide_appendix() {
        let (settings, aliases) = setup();
        let (forces, communes) = (
            ForceMatcher::new(&settings),
            CommuneMatcher::new(&settings.communes),
        );
        let g = grid(vec![
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
        let t = read_targets(&g, &forces, &communes, &aliases);
        let ta_ma = settings
            .communes
            .iter()
            .position(|c| c == "Ta Ma")
            .expect("Ta Ma");
        assert_eq!(t.targets.get(&(0, ta_ma)), Some(&40));
        assert_eq!(t.targets.get(&(3, ta_ma)), Some(&25));
        assert_eq!(
            (t.header_row, t.read, t.accepted, t.skipped),
            (Some(2), 2, 1, 1)
        );
    }

    #[test]
    fn long_rows() {
        let (settings, aliases) = setup();
        let (forces, communes) = (
            ForceMatcher::new(&settings),
            CommuneMatcher::new(&settings.communes),
        );
        let g = grid(vec![
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
        let t = read_targets(&g, &forces, &communes, &aliases);
        let pu_xi = settings
            .communes
            .iter()
            .position(|c| c == "Pú Xi")
            .expect("Pú Xi");
        assert_eq!(t.targets.get(&(1, pu_xi)), Some(&1200));
    }
}
