//! Dates as government lists write them, SPEC §4: Excel date cells and serials (1900 and 1904
//! systems), ISO `YYYY-MM-DD`, and day-first `DD/MM/YYYY`, `D/M/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY`; a year
//! alone in a date-of-birth column.
//!
//! Guarantees: day-first always (`05/02/2024` is 5 February); an invalid date is never swapped or
//! guessed but returned as `None`, which the caller turns into a `bad_date` warning.

use chrono::{Datelike, Duration, NaiveDate};

/// A date as far as the cell tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DateValue {
    Day(NaiveDate),
    /// `Năm sinh` columns often hold the year only.
    Year(i32),
}

impl DateValue {
    /// The year, whatever the precision.
    pub fn year(self) -> i32 {
        match self {
            Self::Day(day) => day.year(),
            Self::Year(year) => year,
        }
    }

    /// The full day, if known.
    pub fn day(self) -> Option<NaiveDate> {
        match self {
            Self::Day(day) => Some(day),
            Self::Year(_) => None,
        }
    }

    /// `dd/mm/yyyy`, or the year alone.
    pub fn display(self) -> String {
        match self {
            // What `%d/%m/%Y` writes, without parsing the pattern again for every citizen.
            Self::Day(day) if (0..=9999).contains(&day.year()) => {
                format!("{:02}/{:02}/{:04}", day.day(), day.month(), day.year())
            }
            Self::Day(day) => day.format("%d/%m/%Y").to_string(),
            Self::Year(year) => year.to_string(),
        }
    }
}

/// Whether a bare year is an acceptable value for the column (only date-of-birth columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearAlone {
    Allowed,
    NotAllowed,
}

/// Parses a text cell.
pub fn from_text(text: &str, year_alone: YearAlone) -> Option<DateValue> {
    let text = text.trim();
    if let Some(day) = fixed_day_first(text) {
        return day.map(DateValue::Day);
    }
    if year_alone == YearAlone::Allowed
        && text.len() == 4
        && text.bytes().all(|b| b.is_ascii_digit())
    {
        let year: i32 = text.parse().ok()?;
        return (1800..=2100)
            .contains(&year)
            .then_some(DateValue::Year(year));
    }
    // ISO date, possibly with a time part as ODS and some exports write it.
    let date_part = text.split(['T', ' ']).next().unwrap_or(text);
    if let Some(day) = parse_iso(date_part) {
        return Some(DateValue::Day(day));
    }
    parse_day_first(date_part).map(DateValue::Day)
}

/// `DD/MM/YYYY`, `DD-MM-YYYY` or `DD.MM.YYYY` with two-digit day and month, the shape nearly every
/// list writes, read without splitting (a province reads millions of them). `None` when the text has
/// another shape; otherwise the day, `None` inside when it does not exist. The general path gives the
/// same answer for this shape (a property test compares them).
fn fixed_day_first(text: &str) -> Option<Option<NaiveDate>> {
    let bytes: &[u8; 10] = text.as_bytes().try_into().ok()?;
    let separator = bytes[2];
    if !matches!(separator, b'/' | b'-' | b'.') || bytes[5] != separator {
        return None;
    }
    let mut digits = [0u32; 8];
    for (digit, &byte) in digits
        .iter_mut()
        .zip(bytes[..2].iter().chain(&bytes[3..5]).chain(&bytes[6..]))
    {
        if !byte.is_ascii_digit() {
            return None;
        }
        *digit = u32::from(byte - b'0');
    }
    let day = digits[0] * 10 + digits[1];
    let month = digits[2] * 10 + digits[3];
    let year = digits[4] * 1000 + digits[5] * 100 + digits[6] * 10 + digits[7];
    Some(NaiveDate::from_ymd_opt(year as i32, month, day))
}

fn parse_iso(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(number(year)?, number(month)? as u32, number(day)? as u32)
}

fn parse_day_first(text: &str) -> Option<NaiveDate> {
    let separator = text.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let mut parts = text.split(separator);
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || day.len() > 2 || month.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(number(year)?, number(month)? as u32, number(day)? as u32)
}

fn number(text: &str) -> Option<i32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Converts a numeric cell: a year (1800-2100) where a year alone is allowed, else a date serial in
/// the workbook's date system.
pub fn from_number(value: f64, is_1904: bool, year_alone: YearAlone) -> Option<DateValue> {
    if !value.is_finite() {
        return None;
    }
    if year_alone == YearAlone::Allowed
        && value.fract() == 0.0
        && (1800.0..=2100.0).contains(&value)
    {
        return Some(DateValue::Year(value as i32));
    }
    from_serial(value, is_1904).map(DateValue::Day)
}

/// A date cell's value. In a column that may hold a year alone (`Năm sinh`), a year typed into a
/// date-formatted cell arrives as a day of 1904-1905 (1990 is serial 1990, 12/06/1905): that is the
/// year it was typed as, not a birth in 1905 (SPEC §11.12 reads the plain number 1990 the same way).
pub fn from_date_cell(day: NaiveDate, is_1904: bool, year_alone: YearAlone) -> DateValue {
    let epoch = if is_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)
    };
    let serial = epoch.map(|epoch| (day - epoch).num_days());
    match serial {
        Some(serial) if year_alone == YearAlone::Allowed && (1800..=2100).contains(&serial) => {
            DateValue::Year(serial as i32)
        }
        _ => DateValue::Day(day),
    }
}

/// An Excel serial day number to a date. The 1900 system counts the non-existent 29/02/1900.
pub fn from_serial(value: f64, is_1904: bool) -> Option<NaiveDate> {
    // 2958465 is 31/12/9999, the last day Excel knows.
    if !(1.0..2_958_466.0).contains(&value) {
        return None;
    }
    let days = value.floor() as i64;
    if !is_1904 && days == 60 {
        // 29/02/1900 exists only in Excel's 1900 system (a Lotus 1-2-3 bug): not a real day.
        return None;
    }
    let (epoch, offset) = if is_1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, days)
    } else if days >= 61 {
        (NaiveDate::from_ymd_opt(1899, 12, 30)?, days)
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 31)?, days)
    };
    epoch.checked_add_signed(Duration::days(offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> Option<DateValue> {
        NaiveDate::from_ymd_opt(y, m, d).map(DateValue::Day)
    }

    proptest! {
        /// The fixed-shape path gives what splitting gives, valid day or not.
        #[test]
        fn the_fixed_day_first_shape_reads_as_the_general_path(
            text in "[0-9]{2}[/.-][0-9]{2}[/.-][0-9]{4}|[0-9/.-]{10}"
        ) {
            if let Some(fast) = fixed_day_first(&text) {
                let date_part = text.split(['T', ' ']).next().unwrap_or(&text);
                let general = parse_iso(date_part).or_else(|| parse_day_first(date_part));
                prop_assert_eq!(fast, general);
            }
        }

        #[test]
        fn a_day_displays_as_chrono_writes_it(days in -800_000i32..4_000_000) {
            let date = NaiveDate::from_num_days_from_ce_opt(days).expect("in chrono's range");
            prop_assert_eq!(
                DateValue::Day(date).display(),
                date.format("%d/%m/%Y").to_string()
            );
        }
    }

    #[test]
    fn day_first_always() {
        assert_eq!(
            from_text("05/02/2024", YearAlone::NotAllowed),
            day(2024, 2, 5)
        );
        assert_eq!(
            from_text("5/2/2024", YearAlone::NotAllowed),
            day(2024, 2, 5)
        );
        assert_eq!(
            from_text("05-02-2024", YearAlone::NotAllowed),
            day(2024, 2, 5)
        );
        assert_eq!(
            from_text("05.02.2024", YearAlone::NotAllowed),
            day(2024, 2, 5)
        );
        assert_eq!(
            from_text("2024-02-05", YearAlone::NotAllowed),
            day(2024, 2, 5)
        );
        assert_eq!(
            from_text("2024-02-05T00:00:00", YearAlone::NotAllowed),
            day(2024, 2, 5)
        );
    }

    #[test]
    fn invalid_dates_are_not_guessed() {
        assert_eq!(from_text("31/02/1990", YearAlone::NotAllowed), None);
        assert_eq!(from_text("13/25/2001", YearAlone::NotAllowed), None);
        assert_eq!(from_text("02/13/2001", YearAlone::NotAllowed), None);
        assert_eq!(from_text("abc", YearAlone::NotAllowed), None);
        assert_eq!(from_text("1/1/90", YearAlone::NotAllowed), None);
        assert_eq!(from_text("1990", YearAlone::NotAllowed), None);
        assert_eq!(from_text("", YearAlone::NotAllowed), None);
    }

    #[test]
    fn years_alone_in_dob_columns() {
        assert_eq!(
            from_text("1990", YearAlone::Allowed),
            Some(DateValue::Year(1990))
        );
        assert_eq!(
            from_number(1990.0, false, YearAlone::Allowed),
            Some(DateValue::Year(1990))
        );
        // Not a year where years are not allowed: serial 1990 is 12/06/1905.
        assert_eq!(
            from_number(1990.0, false, YearAlone::NotAllowed),
            day(1905, 6, 12)
        );
    }

    #[test]
    fn serials_in_both_systems() {
        assert_eq!(
            from_serial(45_306.0, false),
            NaiveDate::from_ymd_opt(2024, 1, 15)
        );
        assert_eq!(
            from_serial(43_844.0, true),
            NaiveDate::from_ymd_opt(2024, 1, 15)
        );
        assert_eq!(from_serial(1.0, false), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(
            from_serial(59.0, false),
            NaiveDate::from_ymd_opt(1900, 2, 28)
        );
        assert_eq!(
            from_serial(60.0, false),
            None,
            "Excel's fictitious 29/02/1900"
        );
        assert_eq!(
            from_serial(61.0, false),
            NaiveDate::from_ymd_opt(1900, 3, 1)
        );
        assert_eq!(from_serial(0.0, false), None);
        assert_eq!(from_serial(-5.0, false), None);
        assert_eq!(
            from_serial(45_306.75, false),
            NaiveDate::from_ymd_opt(2024, 1, 15)
        );
    }

    proptest! {
        #[test]
        fn any_text_parses_or_not_without_panic(s in "\\PC{0,20}") {
            let _ = from_text(&s, YearAlone::Allowed);
        }

        #[test]
        fn any_number_parses_or_not_without_panic(v in proptest::num::f64::ANY, is_1904 in any::<bool>()) {
            if let Some(DateValue::Day(d)) = from_number(v, is_1904, YearAlone::Allowed) {
                prop_assert!(d.year() >= 1900);
            }
        }

        #[test]
        fn formatted_days_read_back(y in 1900i32..2100, m in 1u32..=12, d in 1u32..=28) {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("day 1-28 exists in every month");
            prop_assert_eq!(from_text(&date.format("%d/%m/%Y").to_string(), YearAlone::Allowed), Some(DateValue::Day(date)));
        }
    }

    #[test]
    fn a_year_typed_into_a_date_cell_is_that_year() {
        for is_1904 in [false, true] {
            let typed = from_serial(1990.0, is_1904).expect("serial 1990 is a day");
            assert_eq!(typed.year(), if is_1904 { 1909 } else { 1905 });
            assert_eq!(
                from_date_cell(typed, is_1904, YearAlone::Allowed),
                DateValue::Year(1990)
            );
            assert_eq!(
                from_date_cell(typed, is_1904, YearAlone::NotAllowed),
                DateValue::Day(typed)
            );
        }
        let born = NaiveDate::from_ymd_opt(1990, 6, 12).expect("date");
        assert_eq!(
            from_date_cell(born, false, YearAlone::Allowed),
            DateValue::Day(born)
        );
    }
}
