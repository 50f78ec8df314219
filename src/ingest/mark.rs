//! The "Đã kích hoạt" mark of a report row (SPEC §11.20): a row is a claim only when its mark says
//! yes; a mark that says no makes it a row of the to-do list; anything else is unclear, and nothing
//! is counted on a guess.

use super::grid::Cell;
use crate::normalize::text::fold;

/// What a mark cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// `x`, `v`, `✓`, a non-zero number, TRUE, "có", "rồi", "đã", "ok", "xong", "Đã kích hoạt…".
    Yes,
    /// Blank, `0`, `-`, FALSE, "no", "Không…", "Chưa…".
    No,
    /// Anything else ("o", "?", "đang hướng dẫn", "hẹn mai", a date).
    Unclear,
}

/// Folded texts that say yes on their own.
const YES_WORDS: [&str; 8] = ["x", "v", "co", "roi", "da", "ok", "xong", "true"];

/// Reads a mark cell.
///
/// "Begins with 'da kh'" (SPEC §11.20) is read as the abbreviation KH as a word ("Đã KH", "Đã KH
/// rồi"), so "Đã không kích hoạt được" is not taken for a yes; "Đã kích hoạt…" is covered by its
/// own prefix.
pub fn classify(cell: &Cell) -> Mark {
    match cell {
        Cell::Empty | Cell::Bool(false) => Mark::No,
        Cell::Bool(true) => Mark::Yes,
        Cell::Int(value) => yes_if(*value != 0),
        Cell::Number(value) => yes_if(*value != 0.0),
        Cell::Text(text) => classify_text(text),
        Cell::Date(_) | Cell::Error => Mark::Unclear,
    }
}

fn yes_if(nonzero: bool) -> Mark {
    if nonzero { Mark::Yes } else { Mark::No }
}

fn classify_text(text: &str) -> Mark {
    // "✔️" arrives with an emoji variation selector from a phone's keyboard.
    let raw = text.trim().trim_end_matches('\u{FE0F}');
    match raw {
        "" | "-" => return Mark::No,
        "✓" | "✔" => return Mark::Yes,
        _ => {}
    }
    let folded = fold(raw);
    if let Ok(number) = raw.replace(',', ".").parse::<f64>() {
        return if number.is_finite() {
            yes_if(number != 0.0)
        } else {
            Mark::Unclear
        };
    }
    let says = |prefix: &str| folded.starts_with(prefix);
    if folded == "no" || folded == "false" || says("khong") || says("chua") {
        Mark::No
    } else if YES_WORDS.contains(&folded.as_str())
        || says("da kich hoat")
        || folded == "da kh"
        || says("da kh ")
    {
        Mark::Yes
    } else {
        Mark::Unclear
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Marks clerks write, as they arrive: text cells unless stated.
    #[test]
    fn marks_a_clerk_writes() {
        let table: &[(Cell, Mark)] = &[
            (Cell::text("x"), Mark::Yes),
            (Cell::text("X"), Mark::Yes),
            (Cell::text(" x "), Mark::Yes),
            (Cell::text("v"), Mark::Yes),
            (Cell::text("V"), Mark::Yes),
            (Cell::text("✓"), Mark::Yes),
            (Cell::text("✔"), Mark::Yes),
            (Cell::text("✔\u{FE0F}"), Mark::Yes),
            (Cell::Int(1), Mark::Yes),
            (Cell::Number(2.0), Mark::Yes),
            (Cell::text("1"), Mark::Yes),
            (Cell::Bool(true), Mark::Yes),
            (Cell::text("TRUE"), Mark::Yes),
            (Cell::text("Có"), Mark::Yes),
            (Cell::text("có"), Mark::Yes),
            (Cell::text("Rồi"), Mark::Yes),
            (Cell::text("Đã"), Mark::Yes),
            (Cell::text("OK"), Mark::Yes),
            (Cell::text("Xong"), Mark::Yes),
            (Cell::text("Đã kích hoạt"), Mark::Yes),
            (Cell::text("ĐÃ KÍCH HOẠT"), Mark::Yes),
            (Cell::text("Đã kích hoạt thành công"), Mark::Yes),
            (Cell::text("Đã KH"), Mark::Yes),
            (Cell::text("đã kh rồi"), Mark::Yes),
            (Cell::Empty, Mark::No),
            (Cell::text(""), Mark::No),
            (Cell::text("-"), Mark::No),
            (Cell::Int(0), Mark::No),
            (Cell::Number(0.0), Mark::No),
            (Cell::text("0"), Mark::No),
            (Cell::Bool(false), Mark::No),
            (Cell::text("FALSE"), Mark::No),
            (Cell::text("No"), Mark::No),
            (Cell::text("Không"), Mark::No),
            (Cell::text("Không KH"), Mark::No),
            (Cell::text("Không được"), Mark::No),
            (Cell::text("Chưa"), Mark::No),
            (Cell::text("Chưa kích hoạt"), Mark::No),
            (Cell::text("chưa KH"), Mark::No),
            (Cell::text("o"), Mark::Unclear),
            (Cell::text("O"), Mark::Unclear),
            (Cell::text("?"), Mark::Unclear),
            (Cell::text("..."), Mark::Unclear),
            (Cell::text("đang hướng dẫn"), Mark::Unclear),
            (Cell::text("hẹn mai"), Mark::Unclear),
            (Cell::text("Đã hướng dẫn"), Mark::Unclear),
            (Cell::text("Đã không kích hoạt được"), Mark::Unclear),
            (Cell::text("xx"), Mark::Unclear),
            (Cell::text("kích hoạt"), Mark::Unclear),
            (
                Cell::Date(chrono::NaiveDate::from_ymd_opt(2024, 1, 15).expect("a day")),
                Mark::Unclear,
            ),
            (Cell::Error, Mark::Unclear),
        ];
        for (cell, expected) in table {
            assert_eq!(classify(cell), *expected, "{cell:?}");
        }
        assert!(table.len() >= 30);
    }
}
