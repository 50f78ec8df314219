//! Citizen ID (số định danh cá nhân) normalisation and validation, SPEC §5.
//!
//! Guarantees: every input gives either a valid [`CitizenId`] or a [`RejectReason`]; nothing panics
//! (property-tested below). A numeric cell goes through a checked float-to-integer conversion; a float
//! is never formatted to obtain digits.

use std::fmt;

use crate::codes::RejectReason;

/// A map keyed by citizen ID, hashed with FxHash: the keys are integers, not attacker-chosen text
/// that SipHash would protect, and a province run makes tens of millions of lookups.
pub type IdMap<V> = std::collections::HashMap<CitizenId, V, rustc_hash::FxBuildHasher>;

/// A set of citizen IDs, hashed like [`IdMap`].
pub type IdSet = std::collections::HashSet<CitizenId, rustc_hash::FxBuildHasher>;

/// A valid 12-digit citizen ID. Stored as its integer value; displayed with its leading zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CitizenId(u64);

/// Sex encoded in the ID's century digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A normalised ID and whether its leading zeros had to be restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormalizedId {
    pub id: CitizenId,
    pub padded: bool,
}

/// The 63 province codes (001 Hà Nội … 096 Cà Mau); the gaps are unused codes.
const PROVINCE_CODES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

impl CitizenId {
    /// The ID from its integer value, if it has at most 12 digits. No validation of its parts.
    pub fn from_u64(value: u64) -> Option<Self> {
        (value < 1_000_000_000_000).then_some(Self(value))
    }

    /// The 12 digits with their leading zeros, as `Display` writes them, without the formatting
    /// machinery (a province's to-do lists write hundreds of thousands of IDs).
    pub fn digits(self) -> String {
        if self.0 >= 1_000_000_000_000 {
            return self.to_string();
        }
        let mut digits = [b'0'; 12];
        let mut rest = self.0;
        for digit in digits.iter_mut().rev() {
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        digits.iter().map(|&d| char::from(d)).collect()
    }

    /// The integer value (used as a join key).
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// The three-digit province code.
    pub fn province(self) -> u16 {
        (self.0 / 1_000_000_000) as u16
    }

    fn century_digit(self) -> u64 {
        (self.0 / 100_000_000) % 10
    }

    /// Birth year: 1900 + 100·⌊G/2⌋ + YY.
    pub fn birth_year(self) -> i32 {
        let yy = (self.0 / 1_000_000) % 100;
        1900 + 100 * (self.century_digit() / 2) as i32 + yy as i32
    }

    /// Male when the century digit is even.
    pub fn sex(self) -> Sex {
        if self.century_digit().is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        }
    }
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012}", self.0)
    }
}

/// Normalises and validates an ID typed as text.
pub fn from_text(text: &str, as_of_year: i32) -> Result<NormalizedId, RejectReason> {
    if is_scientific(text) {
        return Err(RejectReason::PrecisionLost);
    }
    let mut digits = String::with_capacity(12);
    for (index, c) in text.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            '\'' if index == 0 => {}
            '.' | '-' => {}
            c if c.is_whitespace()
                || matches!(
                    c,
                    '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{2060}'
                ) => {}
            _ => return Err(RejectReason::NotDigits),
        }
    }
    if digits.is_empty() {
        return Err(RejectReason::NotDigits);
    }
    validate_digits(&digits, as_of_year).map(|id| NormalizedId { id, padded: false })
}

/// Normalises and validates an ID stored as a number (Excel dropped its leading zeros).
pub fn from_number(value: f64, as_of_year: i32) -> Result<NormalizedId, RejectReason> {
    let integer = checked_integer(value).ok_or(RejectReason::NotDigits)?;
    let digits = integer.to_string();
    match digits.len() {
        10 | 11 => {
            let padded = format!("{digits:0>12}");
            validate_digits(&padded, as_of_year).map(|id| NormalizedId { id, padded: true })
        }
        _ => validate_digits(&digits, as_of_year).map(|id| NormalizedId { id, padded: false }),
    }
}

/// The integer a float holds, when it holds one exactly: finite, non-negative, no fraction, and
/// below 2^53 where every integer is representable.
pub fn checked_integer(value: f64) -> Option<u64> {
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    if !value.is_finite() || value < 0.0 || value.fract() != 0.0 || value >= EXACT_LIMIT {
        return None;
    }
    // The checks above make this cast exact.
    Some(value as u64)
}

/// `1.12E+11`, `1,12E+11`, `1E11`: the digits beyond the mantissa are gone.
fn is_scientific(text: &str) -> bool {
    let trimmed = text.trim().trim_start_matches('\'');
    let Some((mantissa, exponent)) = trimmed.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let mantissa_ok = !mantissa.is_empty()
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && mantissa.chars().any(|c| c.is_ascii_digit());
    mantissa_ok && !exponent.is_empty() && exponent.chars().all(|c| c.is_ascii_digit())
}

/// Validates a string of ASCII digits as a 12-digit ID.
fn validate_digits(digits: &str, as_of_year: i32) -> Result<CitizenId, RejectReason> {
    match digits.len() {
        12 => {}
        9 => return Err(RejectReason::OldCmnd),
        _ => return Err(RejectReason::BadLength),
    }
    let value: u64 = digits.parse().map_err(|_| RejectReason::NotDigits)?;
    let id = CitizenId(value);
    let province = id.province();
    if !(PROVINCE_CODES.contains(&province) || (100..=299).contains(&province)) {
        return Err(RejectReason::BadProvince);
    }
    if id.birth_year() > as_of_year {
        return Err(RejectReason::BadCentury);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const YEAR: i32 = 2024;

    fn text(s: &str) -> Result<String, RejectReason> {
        from_text(s, YEAR).map(|n| n.id.to_string())
    }

    #[test]
    fn sixty_three_provinces() {
        assert_eq!(PROVINCE_CODES.len(), 63);
        assert!(PROVINCE_CODES.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(PROVINCE_CODES[0], 1);
        assert_eq!(PROVINCE_CODES[62], 96);
    }

    #[test]
    fn text_separators_and_spaces_are_removed() {
        assert_eq!(text("011 090 012 345").as_deref(), Ok("011090012345"));
        assert_eq!(text("'011090012345").as_deref(), Ok("011090012345"));
        assert_eq!(text("011.090.012.345").as_deref(), Ok("011090012345"));
        assert_eq!(text("011-090-012345").as_deref(), Ok("011090012345"));
        assert_eq!(
            text("011\u{00A0}090012345\u{200B}").as_deref(),
            Ok("011090012345")
        );
        assert_eq!(
            text("０１１０９００１２３４５").as_deref(),
            Ok("011090012345")
        );
    }

    #[test]
    fn every_reason_code() {
        assert_eq!(text("CCCD 011090012345"), Err(RejectReason::NotDigits));
        assert_eq!(text("1.12E+11"), Err(RejectReason::PrecisionLost));
        assert_eq!(text("1,12E+11"), Err(RejectReason::PrecisionLost));
        assert_eq!(text("040123456"), Err(RejectReason::OldCmnd));
        assert_eq!(text("01109001234"), Err(RejectReason::BadLength));
        assert_eq!(text("0110900123456"), Err(RejectReason::BadLength));
        assert_eq!(text("003090012345"), Err(RejectReason::BadProvince));
        assert_eq!(text("097090012345"), Err(RejectReason::BadProvince));
        assert_eq!(text("300090012345"), Err(RejectReason::BadProvince));
        assert_eq!(text("000090012345"), Err(RejectReason::BadProvince));
        assert_eq!(text("011225012345"), Err(RejectReason::BadCentury));
        assert_eq!(text("011424012345"), Err(RejectReason::BadCentury));
        assert_eq!(text("'"), Err(RejectReason::NotDigits));
    }

    #[test]
    fn abroad_codes_and_boundaries() {
        assert!(text("100090012345").is_ok());
        assert!(text("299090012345").is_ok());
        assert!(text("096090012345").is_ok());
        // Born in 2024, as-of 2024: allowed; 2025 is not.
        assert!(text("011324012345").is_ok());
        assert_eq!(text("011325012345"), Err(RejectReason::BadCentury));
    }

    #[test]
    fn numeric_cells_are_padded() {
        let n = from_number(11_090_012_345.0, YEAR).expect("11 digits pad to a valid ID");
        assert_eq!(n.id.to_string(), "011090012345");
        assert!(n.padded);
        let n = from_number(1_090_012_345.0, YEAR).expect("10 digits pad to 001 (Hà Nội)");
        assert_eq!(
            (n.id.to_string(), n.padded),
            ("001090012345".to_string(), true)
        );
        assert_eq!(
            from_number(3_090_012_345.0, YEAR),
            Err(RejectReason::BadProvince)
        );
    }

    #[test]
    fn numeric_cell_boundaries() {
        assert_eq!(
            from_number(11_090_012_345.5, YEAR),
            Err(RejectReason::NotDigits)
        );
        assert_eq!(
            from_number(-11_090_012_345.0, YEAR),
            Err(RejectReason::NotDigits)
        );
        assert_eq!(from_number(f64::NAN, YEAR), Err(RejectReason::NotDigits));
        assert_eq!(
            from_number(f64::INFINITY, YEAR),
            Err(RejectReason::NotDigits)
        );
        assert_eq!(from_number(123_456_789.0, YEAR), Err(RejectReason::OldCmnd));
        assert_eq!(from_number(1e15, YEAR), Err(RejectReason::BadLength));
        assert_eq!(
            checked_integer(9_007_199_254_740_991.0),
            Some(9_007_199_254_740_991)
        );
        assert_eq!(checked_integer(9_007_199_254_740_992.0), None);
        let twelve = from_number(111_090_012_345.0, YEAR);
        assert_eq!(
            twelve.map(|n| (n.id.to_string(), n.padded)),
            Ok(("111090012345".into(), false))
        );
    }

    proptest! {
        #[test]
        fn digits_are_what_display_writes(value in 0u64..2_000_000_000_000) {
            let id = CitizenId(value);
            prop_assert_eq!(id.digits(), id.to_string());
        }
    }

    #[test]
    fn parts_of_the_id() {
        let id = CitizenId(11_090_012_345);
        assert_eq!(id.province(), 11);
        assert_eq!(id.birth_year(), 1990);
        assert_eq!(id.sex(), Sex::Male);
        let id = CitizenId(11_305_012_345);
        assert_eq!(id.birth_year(), 2005);
        assert_eq!(id.sex(), Sex::Female);
    }

    proptest! {
        #[test]
        fn any_text_gives_an_id_or_a_reason(s in "\\PC{0,30}") {
            if let Ok(n) = from_text(&s, YEAR) {
                prop_assert_eq!(n.id.to_string().len(), 12);
            }
        }

        #[test]
        fn any_number_gives_an_id_or_a_reason(v in proptest::num::f64::ANY) {
            if let Ok(n) = from_number(v, YEAR) {
                prop_assert!(n.id.as_u64() < 1_000_000_000_000);
            }
        }

        #[test]
        fn valid_ids_survive_formatting(n in 11_000_000_000u64..11_099_999_999) {
            let shown = format!("{n:012}");
            let spaced = format!("{} {} {}", &shown[..3], &shown[3..6], &shown[6..]);
            prop_assert_eq!(from_text(&spaced, YEAR).map(|x| x.id.as_u64()), Ok(n));
            prop_assert_eq!(from_number(n as f64, YEAR).map(|x| x.id.as_u64()), Ok(n));
        }
    }
}
