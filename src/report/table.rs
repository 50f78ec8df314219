//! The shape every output sheet takes before it is written: a title, typed columns and rows. The
//! sheets' content is decided in [`super::sheets`]; how a table looks on paper in [`super::xlsx`].

use std::borrow::Cow;

use chrono::NaiveDate;

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
    /// A text cell, empty when there is no text.
    pub fn text_or_empty(text: Option<&'a str>) -> Self {
        text.map_or(Value::Empty, |t| Value::Text(t.into()))
    }

    /// The text a column width is estimated from.
    pub fn width_hint(&self) -> usize {
        match self {
            Value::Empty => 0,
            Value::Text(text) | Value::Id(text) => text.chars().count(),
            Value::Count(n) => n.to_string().len() + n.to_string().len() / 3,
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

    /// Column widths in characters that fit the header (wrapped on two lines) and the longest value.
    pub fn widths(&self) -> Vec<f64> {
        (0..self.headers.len())
            .map(|col| {
                let header = self.headers[col].chars().count().div_ceil(2).max(6);
                let longest = self
                    .rows
                    .iter()
                    .chain(self.totals.iter())
                    .filter_map(|r| r.get(col))
                    .map(Value::width_hint)
                    .max()
                    .unwrap_or(0);
                (header.max(longest).min(48) as f64) * 1.2 + 2.5
            })
            .collect()
    }
}
