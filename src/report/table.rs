//! The shape every output sheet takes before it is written: a title, typed columns and rows. The
//! sheets' content is decided in [`super::sheets`]; how a table looks on paper in [`super::xlsx`].

use std::borrow::Cow;

use chrono::NaiveDate;

/// The column headers every citizen table shares, written once (the workbooks, the forms, the
/// cleaned copy of `check --fixed`).
pub mod header {
    /// The row number.
    pub const NO: &str = "STT";
    /// The citizen ID.
    pub const ID: &str = "Số định danh cá nhân";
    /// The citizen's name.
    pub const NAME: &str = "Họ và tên";
}

/// A cell value, typed so the writer can format it: IDs stay text, counts are numbers, dates are
/// dd/mm/yyyy, percentages are percentages. Texts borrow from the run's data where they can (a
/// province's to-do list has hundreds of thousands of rows).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Empty,
    Text(Cow<'a, str>),
    /// A citizen ID (or any digit string that must keep its leading zeros).
    Id(Cow<'a, str>),
    Count(u64),
    Decimal(f64),
    Percent(Option<f64>),
    Date(Option<NaiveDate>),
}

impl<'a> Value<'a> {
    /// True when the cell holds a value; a blank one holds only its style.
    pub fn is_written(&self) -> bool {
        match self {
            Value::Empty | Value::Percent(None) | Value::Date(None) => false,
            Value::Text(text) | Value::Id(text) => !text.is_empty(),
            Value::Count(_)
            | Value::Decimal(_)
            | Value::Percent(Some(_))
            | Value::Date(Some(_)) => true,
        }
    }

    /// A text cell, empty when there is no text.
    pub fn text_or_empty(text: Option<&'a str>) -> Self {
        text.map_or(Value::Empty, |t| Value::Text(t.into()))
    }

    /// The characters a column needs to show this value, counted up to `cap` (a column is never
    /// wider than its cap, and a province's columns have hundreds of thousands of values).
    pub fn width_hint(&self, cap: usize) -> usize {
        match self {
            Value::Empty => 0,
            // Counting all characters is the fast path of the standard library, and gives the same
            // as counting up to the cap once capped.
            Value::Text(text) | Value::Id(text) => text.chars().count().min(cap),
            Value::Count(n) => {
                // Its digits, and a third more for the thousands separators.
                let digits = n.checked_ilog10().map_or(1, |d| d as usize + 1);
                digits + digits / 3
            }
            Value::Decimal(_) => 6,
            Value::Percent(_) => 7,
            Value::Date(_) => 10,
        }
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Self {
        Value::Text(Cow::Borrowed(text))
    }
}

impl From<String> for Value<'_> {
    fn from(text: String) -> Self {
        Value::Text(Cow::Owned(text))
    }
}

impl From<u64> for Value<'_> {
    fn from(n: u64) -> Self {
        Value::Count(n)
    }
}

/// A highlight rule on one column, written as conditional formatting so it stays live when a clerk
/// filters or edits the sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Highlight {
    /// Colour the status labels: done green, on track yellow, behind red.
    Status,
    /// Red when the cell reads "Không" (no report today).
    NoReport,
    /// Orange from this many days without a result.
    ZeroStreak(u64),
}

/// A sheet's table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table<'a> {
    /// The sheet name (Vietnamese, at most 31 characters).
    pub sheet: String,
    /// The line under the report title saying what this sheet lists.
    pub subtitle: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value<'a>>>,
    pub highlights: Vec<(usize, Highlight)>,
    /// A last row of totals, written bold.
    pub totals: Option<Vec<Value<'a>>>,
}

impl Table<'_> {
    /// An empty table with these headers.
    pub fn new<H: Into<String>>(sheet: &str, subtitle: impl Into<String>, headers: Vec<H>) -> Self {
        let headers = headers.into_iter().map(Into::into).collect();
        Self {
            sheet: sheet.to_string(),
            subtitle: subtitle.into(),
            headers,
            rows: Vec::new(),
            highlights: Vec::new(),
            totals: None,
        }
    }

    /// Column widths in characters that fit the header (wrapped on two lines) and the longest value,
    /// at most 48 characters.
    pub fn widths(&self) -> Vec<f64> {
        const MAX_WIDTH: usize = 48;
        // One pass over the rows (a province's to-do list has hundreds of thousands).
        let mut longest = vec![0; self.headers.len()];
        for row in self.rows.iter().chain(self.totals.iter()) {
            for (longest, value) in longest.iter_mut().zip(row) {
                *longest = value.width_hint(MAX_WIDTH).max(*longest);
            }
        }
        self.headers
            .iter()
            .zip(longest)
            .map(|(header, longest)| {
                let header = header.chars().count().div_ceil(2).max(6);
                (header.max(longest).min(MAX_WIDTH) as f64) * 1.2 + 2.5
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_hints_count_characters_up_to_the_cap_and_digits_with_separators() {
        assert_eq!(Value::from("Đoàn xã Ta Ma").width_hint(48), 13);
        assert_eq!(Value::from("Đoàn xã Ta Ma").width_hint(5), 5);
        assert_eq!(Value::Empty.width_hint(48), 0);
        for n in [0u64, 7, 10, 99, 999, 1000, 123_456, 1_234_567, u64::MAX] {
            let digits = n.to_string().len();
            assert_eq!(Value::Count(n).width_hint(48), digits + digits / 3, "{n}");
        }
    }
}
