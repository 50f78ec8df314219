//! Detection and repair of Vietnamese text typed in legacy 8-bit font encodings.
//!
//! Old documents were typed in TCVN3 (ABC fonts `.VnTime`, `.VnTimeH`, one byte per letter) or in
//! VNI-Windows (`VNI-Times`, a base letter followed by one mark byte). Read today, such a cell
//! holds the Windows-1252 characters of those bytes ("Hä vµ tªn", "Hoï vaø teân").
//! [`detect_cells`] recognises the encoding of cells read together (a column, a header row) by the
//! glyph rules of SPEC §11.13, and [`decode`] turns them into precomposed (NFC) Unicode
//! ("Họ và tên").
//!
//! Guarantees: every function is pure and total. Text holding any character that Windows-1252
//! cannot produce (ạ, ơ, đ, ữ …) is Unicode: never evidence, never converted. Bytes 0x80–0x9F are
//! accepted both as Windows-1252 characters and as C1 controls.

use std::ops::Range;

/// Which legacy encoding a text looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyEncoding {
    /// TCVN 5712:1993 "VN3" (ABC fonts), with the VN1 positions of the toned capitals.
    Tcvn3,
    /// VNI-Windows: a base letter followed by a tone or shape mark byte.
    Vni,
}

// Every letter table below has one row per vowel and one column per tone, in this order:
// none, grave (huyền), acute (sắc), hook above (hỏi), tilde (ngã), dot below (nặng).

/// The precomposed lower-case Vietnamese vowels.
const LOWER: [[char; 6]; 12] = [
    ['a', 'à', 'á', 'ả', 'ã', 'ạ'],
    ['ă', 'ằ', 'ắ', 'ẳ', 'ẵ', 'ặ'],
    ['â', 'ầ', 'ấ', 'ẩ', 'ẫ', 'ậ'],
    ['e', 'è', 'é', 'ẻ', 'ẽ', 'ẹ'],
    ['ê', 'ề', 'ế', 'ể', 'ễ', 'ệ'],
    ['i', 'ì', 'í', 'ỉ', 'ĩ', 'ị'],
    ['o', 'ò', 'ó', 'ỏ', 'õ', 'ọ'],
    ['ô', 'ồ', 'ố', 'ổ', 'ỗ', 'ộ'],
    ['ơ', 'ờ', 'ớ', 'ở', 'ỡ', 'ợ'],
    ['u', 'ù', 'ú', 'ủ', 'ũ', 'ụ'],
    ['ư', 'ừ', 'ứ', 'ử', 'ữ', 'ự'],
    ['y', 'ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ'],
];

/// The precomposed upper-case Vietnamese vowels, row for row with [`LOWER`].
const UPPER: [[char; 6]; 12] = [
    ['A', 'À', 'Á', 'Ả', 'Ã', 'Ạ'],
    ['Ă', 'Ằ', 'Ắ', 'Ẳ', 'Ẵ', 'Ặ'],
    ['Â', 'Ầ', 'Ấ', 'Ẩ', 'Ẫ', 'Ậ'],
    ['E', 'È', 'É', 'Ẻ', 'Ẽ', 'Ẹ'],
    ['Ê', 'Ề', 'Ế', 'Ể', 'Ễ', 'Ệ'],
    ['I', 'Ì', 'Í', 'Ỉ', 'Ĩ', 'Ị'],
    ['O', 'Ò', 'Ó', 'Ỏ', 'Õ', 'Ọ'],
    ['Ô', 'Ồ', 'Ố', 'Ổ', 'Ỗ', 'Ộ'],
    ['Ơ', 'Ờ', 'Ớ', 'Ở', 'Ỡ', 'Ợ'],
    ['U', 'Ù', 'Ú', 'Ủ', 'Ũ', 'Ụ'],
    ['Ư', 'Ừ', 'Ứ', 'Ử', 'Ữ', 'Ự'],
    ['Y', 'Ỳ', 'Ý', 'Ỷ', 'Ỹ', 'Ỵ'],
];

/// TCVN3 (VN3) bytes of [`LOWER`]. Sources: xvnkb `tcvn.h`, XFree86 `lcUniConv/tcvn.h`.
const TCVN3_LOWER: [[u8; 6]; 12] = [
    [b'a', 0xB5, 0xB8, 0xB6, 0xB7, 0xB9],
    [0xA8, 0xBB, 0xBE, 0xBC, 0xBD, 0xC6],
    [0xA9, 0xC7, 0xCA, 0xC8, 0xC9, 0xCB],
    [b'e', 0xCC, 0xD0, 0xCE, 0xCF, 0xD1],
    [0xAA, 0xD2, 0xD5, 0xD3, 0xD4, 0xD6],
    [b'i', 0xD7, 0xDD, 0xD8, 0xDC, 0xDE],
    [b'o', 0xDF, 0xE3, 0xE1, 0xE2, 0xE4],
    [0xAB, 0xE5, 0xE8, 0xE6, 0xE7, 0xE9],
    [0xAC, 0xEA, 0xED, 0xEB, 0xEC, 0xEE],
    [b'u', 0xEF, 0xF3, 0xF1, 0xF2, 0xF4],
    [0xAD, 0xF5, 0xF8, 0xF6, 0xF7, 0xF9],
    [b'y', 0xFA, 0xFD, 0xFB, 0xFC, 0xFE],
];

/// TCVN bytes of [`UPPER`]: the base capitals Ă Â Ê Ô Ơ Ư are VN3 (0xA1–0xA6); the toned capitals
/// are the VN1 positions (0x80–0x9F, spare VN3 slots and C0 controls), which `.VnTime` text rarely
/// uses: `.VnTimeH` fonts draw the lower-case bytes as capitals instead (see [`restore_caps`]).
const TCVN3_UPPER: [[u8; 6]; 12] = [
    [b'A', 0x80, 0x83, 0x81, 0x82, 0x84],
    [0xA1, 0xAF, 0xC0, 0xBA, 0xBF, 0x85],
    [0xA2, 0xC1, 0xC4, 0xC2, 0xC3, 0x86],
    [b'E', 0x87, 0x8A, 0x88, 0x89, 0x8B],
    [0xA3, 0xC5, 0xDA, 0xCD, 0xD9, 0x8C],
    [b'I', 0x8D, 0x90, 0x8E, 0x8F, 0x91],
    [b'O', 0x92, 0x95, 0x93, 0x94, 0x96],
    [0xA4, 0xDB, 0xFF, 0xE0, 0xF0, 0x97],
    [0xA5, 0x98, 0x9B, 0x99, 0x9A, 0x9C],
    [b'U', 0x9D, 0x01, 0x9E, 0x9F, 0x02],
    [0xA6, 0x04, 0x11, 0x05, 0x06, 0x12],
    [b'Y', 0x13, 0x16, 0x14, 0x15, 0x17],
];

/// TCVN3 bytes of đ and Đ.
const TCVN3_D: [u8; 2] = [0xAE, 0xA7];

/// TCVN byte → Unicode letter, `'\0'` where the byte is not a Vietnamese letter.
const TCVN3_DECODE: [char; 256] = build_tcvn3_decode();

const fn build_tcvn3_decode() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut row = 0;
    while row < 12 {
        let mut tone = 0;
        while tone < 6 {
            let lower = TCVN3_LOWER[row][tone];
            if lower >= 0x80 {
                table[lower as usize] = LOWER[row][tone];
            }
            let upper = TCVN3_UPPER[row][tone];
            if upper >= 0x80 || (upper > 0 && upper < 0x20) {
                table[upper as usize] = UPPER[row][tone];
            }
            tone += 1;
        }
        row += 1;
    }
    table[TCVN3_D[0] as usize] = 'đ';
    table[TCVN3_D[1] as usize] = 'Đ';
    table
}

/// VNI tone marks after a, e, o, u, y, ơ, ư (index 0 unused). Source: xvnkb `vni.h`.
const VNI_TONE: [u8; 6] = [0, 0xF8, 0xF9, 0xFB, 0xF5, 0xEF];
/// VNI circumflex marks (â ê ô), alone or with a tone.
const VNI_CIRCUMFLEX: [u8; 6] = [0xE2, 0xE0, 0xE1, 0xE5, 0xE3, 0xE4];
/// VNI breve marks (ă), alone or with a tone.
const VNI_BREVE: [u8; 6] = [0xEA, 0xE8, 0xE9, 0xFA, 0xFC, 0xEB];
/// VNI single-byte i with its tones.
const VNI_I: [u8; 6] = [b'i', 0xEC, 0xED, 0xE6, 0xF3, 0xF2];
/// VNI single bytes: ỵ, ơ, ư, đ (upper case is 0x20 lower, as for every VNI byte above 0xDF).
const VNI_Y_DOT: u8 = 0xEE;
const VNI_O_HORN: u8 = 0xF4;
const VNI_U_HORN: u8 = 0xF6;
const VNI_D: u8 = 0xF1;

/// Windows-1252 characters of bytes 0x80–0x9F (undefined bytes arrive as their C1 control).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// The legacy byte behind a character, if Windows-1252 (or Latin-1) can produce it.
fn cp1252_byte(c: char) -> Option<u8> {
    match u8::try_from(u32::from(c)) {
        Ok(byte) => Some(byte),
        // Every Unicode Vietnamese letter (ă đ ơ ư, U+1EA0 … U+1EF9) falls outside these ranges:
        // a cell is found to be Unicode at its first such letter without searching the table.
        Err(_) if !CP1252_HIGH_RANGES.iter().any(|range| range.contains(&c)) => None,
        Err(_) => CP1252_HIGH
            .iter()
            .position(|&h| h == c)
            .map(|i| 0x80 + i as u8),
    }
}

/// Where the characters of [`CP1252_HIGH`] above U+00FF lie (a test checks every one).
const CP1252_HIGH_RANGES: [std::ops::RangeInclusive<char>; 2] =
    ['\u{152}'..='\u{2DC}', '\u{2013}'..='\u{2122}'];

/// Converts from the given encoding to Unicode NFC (precomposed) Vietnamese. Characters that are
/// not part of a legacy letter are kept as they are.
pub fn decode(text: &str, encoding: LegacyEncoding) -> String {
    let chars: Vec<char> = text.chars().collect();
    match encoding {
        LegacyEncoding::Tcvn3 => {
            let mut out: Vec<char> = (0..chars.len()).map(|i| tcvn3_char(&chars, i)).collect();
            restore_caps(&chars, &mut out);
            out.into_iter().collect()
        }
        LegacyEncoding::Vni => {
            let mut out = String::with_capacity(text.len());
            vni_decode(&chars, |c| out.push(c));
            out
        }
    }
}

/// True for text a legacy font could have produced: not ASCII, and every character one that
/// Windows-1252 (or Latin-1) gives. A cell holding any other letter (ạ, ơ, đ …) is Unicode.
pub fn is_legacy_candidate(text: &str) -> bool {
    !text.is_ascii() && text.chars().all(|c| cp1252_byte(c).is_some())
}

/// Glyphs that only TCVN3 text holds (SPEC §11.13): ¡ … ®, µ … ¾, Ç Ð × Þ ß ç ÷ þ.
fn is_tcvn3_only(c: char) -> bool {
    matches!(c, '\u{A1}'..='\u{AE}' | '\u{B5}'..='\u{BE}')
        || matches!(c, 'Ç' | 'Ð' | '×' | 'Þ' | 'ß' | 'ç' | '÷' | 'þ')
}

/// VNI mark or letter glyphs that Unicode Vietnamese never holds: ø û ï å ä ë ü ö ñ æ î and their
/// capitals.
fn is_vni_only(c: char) -> bool {
    matches!(
        c.to_lowercase().next().unwrap_or(c),
        'ø' | 'û' | 'ï' | 'å' | 'ä' | 'ë' | 'ü' | 'ö' | 'ñ' | 'æ' | 'î'
    )
}

/// A VNI vowel followed by a VNI mark that Unicode Vietnamese never writes side by side ("aø",
/// "eä", "oâ", "aù"). "oà", "oá", "oã" are left out: Unicode writes them too ("hoà", "hoá", "hoãn").
fn is_vni_pair(vowel: char, mark: char) -> bool {
    let Some(row) = vni_byte(vowel).and_then(|(byte, _)| vni_base_row(byte)) else {
        return false;
    };
    let Some((mark_byte, _)) = vni_byte(mark) else {
        return false;
    };
    let unicode_too = row == 6 && matches!(mark_byte, 0xE0 | 0xE1 | 0xE3);
    !mark.is_ascii() && vni_mark(row, mark_byte).is_some() && !unicode_too
}

/// The legacy encoding of cells read together, SPEC §11.13: a column of a sheet's data rows, or one
/// header row. TCVN3 when any candidate cell ([`is_legacy_candidate`]) holds a TCVN3-only glyph;
/// otherwise VNI when any holds a VNI-only glyph or a VNI vowel + mark pair; otherwise `None`.
/// Only candidate cells are evidence: a Unicode cell's "×" says nothing about its neighbours.
pub fn detect_cells<'a>(cells: impl IntoIterator<Item = &'a str>) -> Option<LegacyEncoding> {
    let mut vni = false;
    for text in cells.into_iter().filter(|t| is_legacy_candidate(t)) {
        if text.chars().any(is_tcvn3_only) {
            return Some(LegacyEncoding::Tcvn3);
        }
        vni = vni
            || text.chars().any(is_vni_only)
            || text
                .chars()
                .zip(text.chars().skip(1))
                .any(|(vowel, mark)| is_vni_pair(vowel, mark));
    }
    vni.then_some(LegacyEncoding::Vni)
}

// ---------------------------------------------------------------------------------------------
// Decoders

/// The TCVN3 reading of `chars[i]`. Bytes 0x80–0x9F are mostly Windows punctuation, so they are
/// read as VN1 capitals only next to a letter (quotes only between two letters).
fn tcvn3_char(chars: &[char], i: usize) -> char {
    let c = chars[i];
    let Some(byte) = cp1252_byte(c) else { return c };
    let letter = TCVN3_DECODE[usize::from(byte)];
    if letter == '\0' {
        return c;
    }
    if (0x80..=0x9F).contains(&byte) {
        let prev = i > 0 && is_tcvn3_letter(chars[i - 1]);
        let next = chars.get(i + 1).is_some_and(|&n| is_tcvn3_letter(n));
        let quote = matches!(byte, 0x82 | 0x84 | 0x8B | 0x91..=0x94 | 0x9B);
        if !((prev && next) || (!quote && (prev || next))) {
            return c;
        }
    }
    letter
}

/// An ASCII letter or a TCVN3 letter byte from 0xA0 up.
fn is_tcvn3_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || cp1252_byte(c).is_some_and(|b| b >= 0xA0 && TCVN3_DECODE[usize::from(b)] != '\0')
}

/// `.VnTimeH` fonts draw lower-case TCVN3 bytes as capitals, so a word typed in capitals holds
/// lower-case legacy letters ("NGUYÔN"). Such words are upper-cased: a word whose ASCII letters
/// (two or more) are all capitals, and one-letter words ("Lß") when the whole text is in capitals.
fn restore_caps(src: &[char], out: &mut [char]) {
    let runs = word_runs(src);
    let no_lower_ascii = !src.iter().any(char::is_ascii_lowercase);
    let caps_word = |r: &Range<usize>| {
        let (letters, lower) = ascii_case(&src[r.clone()]);
        letters >= 2 && !lower && src[r.clone()].iter().any(|c| !c.is_ascii())
    };
    let text_caps = no_lower_ascii && runs.iter().any(caps_word);
    for run in runs {
        let (letters, lower) = ascii_case(&src[run.clone()]);
        if letters >= 1 && !lower && (letters >= 2 || text_caps) {
            for c in &mut out[run] {
                let mut upper = c.to_uppercase();
                if let (Some(u), None) = (upper.next(), upper.next()) {
                    *c = u;
                }
            }
        }
    }
}

/// Number of ASCII letters in a word and whether one of them is lower case.
fn ascii_case(word: &[char]) -> (usize, bool) {
    let letters = word.iter().filter(|c| c.is_ascii_alphabetic()).count();
    (letters, word.iter().any(char::is_ascii_lowercase))
}

/// A character of a word: an ASCII letter or TCVN3 letter byte, or any non-ASCII character but a
/// no-break space.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic() || TCVN3_DECODE[c as usize] != '\0'
    } else {
        c != '\u{A0}'
    }
}

/// Index ranges of the words of `chars` (see [`is_word_char`]).
fn word_runs(chars: &[char]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, &c) in chars.iter().chain(std::iter::once(&' ')).enumerate() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// Decodes VNI, giving every output character to `emit`.
fn vni_decode(chars: &[char], mut emit: impl FnMut(char)) {
    let mut i = 0;
    while i < chars.len() {
        let (c, used) = vni_letter(chars, i);
        emit(c);
        i += used;
    }
}

/// The VNI letter starting at `chars[i]` and how many characters it used.
fn vni_letter(chars: &[char], i: usize) -> (char, usize) {
    let c = chars[i];
    let Some((byte, upper)) = vni_byte(c) else {
        return (c, 1);
    };
    let letter = |row: usize, tone: usize| {
        if upper {
            UPPER[row][tone]
        } else {
            LOWER[row][tone]
        }
    };
    if let Some(row) = vni_base_row(byte) {
        let mark = chars.get(i + 1).and_then(|&m| vni_byte(m));
        if let Some((row, tone)) = mark.and_then(|(m, _)| vni_mark(row, m)) {
            return (letter(row, tone), 2);
        }
        // ơ and ư are single bytes; plain a e o u y stay ASCII.
        return if byte >= 0x80 {
            (letter(row, 0), 1)
        } else {
            (c, 1)
        };
    }
    if let Some(tone) = VNI_I.iter().skip(1).position(|&b| b == byte) {
        return (letter(5, tone + 1), 1);
    }
    match byte {
        VNI_Y_DOT => (letter(11, 5), 1),
        VNI_D => (if upper { 'Đ' } else { 'đ' }, 1),
        _ => (c, 1),
    }
}

/// The lower-case VNI byte of a character and whether it was upper case.
fn vni_byte(c: char) -> Option<(u8, bool)> {
    let byte = u8::try_from(u32::from(c)).ok()?;
    match byte {
        b'A'..=b'Z' => Some((byte.to_ascii_lowercase(), true)),
        b'a'..=b'z' | 0xDF..=0xFF => Some((byte, false)),
        0xC0..=0xDE if byte != 0xD7 => Some((byte + 0x20, true)),
        _ => None,
    }
}

/// The vowel row of a VNI base letter: a e o u y, and the single-byte ơ ư.
fn vni_base_row(byte: u8) -> Option<usize> {
    match byte {
        b'a' => Some(0),
        b'e' => Some(3),
        b'o' => Some(6),
        VNI_O_HORN => Some(8),
        b'u' => Some(9),
        VNI_U_HORN => Some(10),
        b'y' => Some(11),
        _ => None,
    }
}

/// The (row, tone) of base row `row` followed by the VNI mark byte `mark`, if that pair is a
/// letter.
fn vni_mark(row: usize, mark: u8) -> Option<(usize, usize)> {
    if let Some(tone) = VNI_TONE.iter().skip(1).position(|&b| b == mark) {
        return Some((row, tone + 1));
    }
    let circumflex_row = match row {
        0 => 2,
        3 => 4,
        6 => 7,
        _ => return None,
    };
    if let Some(tone) = VNI_CIRCUMFLEX.iter().position(|&b| b == mark) {
        return Some((circumflex_row, tone));
    }
    let tone = VNI_BREVE
        .iter()
        .position(|&b| b == mark)
        .filter(|_| row == 0)?;
    Some((1, tone))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_high_windows_1252_characters_lie_in_the_ranges_searched() {
        use super::{CP1252_HIGH, CP1252_HIGH_RANGES, cp1252_byte};
        for (index, c) in CP1252_HIGH.into_iter().enumerate() {
            assert!(
                u32::from(c) <= 0xFF || CP1252_HIGH_RANGES.iter().any(|r| r.contains(&c)),
                "{c:?}"
            );
            assert_eq!(cp1252_byte(c), Some(0x80 + index as u8), "{c:?}");
        }
        for letter in ['ă', 'Đ', 'ơ', 'Ư', 'ạ', 'ỹ', 'Ĩ', 'ũ'] {
            assert_eq!(cp1252_byte(letter), None, "{letter}");
        }
    }

    #[test]
    fn columns_are_classified_as_spec_11_13_says() {
        use super::{LegacyEncoding::*, detect_cells};
        // "Loà Thò Ly" alone reads as valid Vietnamese; the column's "Chaù" decides.
        assert_eq!(detect_cells(["Loà Thò Ly", "Chaù Thò Sy"]), Some(Vni));
        assert_eq!(detect_cells(["Loà Thò Ly"]), None);
        assert_eq!(detect_cells(["Hä vµ tªn", "Lß V¨n"]), Some(Tcvn3));
        assert_eq!(detect_cells(["Nguyeãn Vaên Tö"]), Some(Vni));
        // Unicode Vietnamese, including the old tone placement, is never legacy evidence.
        assert_eq!(
            detect_cells(["Lò Thị Hoà", "Hoá", "Quàng Văn Tuân", "QUÁ"]),
            None
        );
        assert_eq!(detect_cells(["Đoàn xã × 2"]), None);
        assert_eq!(detect_cells(["", "123"]), None);
    }

    use super::*;

    /// Encodes Unicode Vietnamese as TCVN3 (VN1 bytes for toned capitals), as Windows-1252 text.
    fn tcvn3_encode(text: &str) -> String {
        text.chars()
            .map(|c| match find_letter(c) {
                Some((row, tone, false)) => byte_char(TCVN3_LOWER[row][tone]),
                Some((row, tone, true)) => byte_char(TCVN3_UPPER[row][tone]),
                None if c == 'đ' => byte_char(TCVN3_D[0]),
                None if c == 'Đ' => byte_char(TCVN3_D[1]),
                None => c,
            })
            .collect()
    }

    /// The VNI base byte of each vowel row (i has its own single bytes).
    const VNI_BASES: [u8; 12] = [
        b'a', b'a', b'a', b'e', b'e', b'i', b'o', b'o', VNI_O_HORN, b'u', VNI_U_HORN, b'y',
    ];

    /// Encodes Unicode Vietnamese as VNI-Windows, as Windows-1252 text.
    fn vni_encode(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            let case = |b: u8, upper: bool| match (upper, b) {
                (false, _) => b,
                (true, b'a'..=b'z') => b.to_ascii_uppercase(),
                (true, _) => b - 0x20,
            };
            let (bytes, upper): (Vec<u8>, bool) = match (find_letter(c), c) {
                (None, 'đ') => (vec![VNI_D], false),
                (None, 'Đ') => (vec![VNI_D], true),
                (None, _) => {
                    out.push(c);
                    continue;
                }
                (Some((5, tone, upper)), _) => (vec![VNI_I[tone]], upper),
                (Some((11, 5, upper)), _) => (vec![VNI_Y_DOT], upper),
                (Some((row, tone, upper)), _) => {
                    let base = VNI_BASES[row];
                    let mark = match row {
                        1 => VNI_BREVE[tone],
                        2 | 4 | 7 => VNI_CIRCUMFLEX[tone],
                        _ => VNI_TONE[tone],
                    };
                    (
                        if mark == 0 {
                            vec![base]
                        } else {
                            vec![base, mark]
                        },
                        upper,
                    )
                }
            };
            out.extend(bytes.into_iter().map(|b| byte_char(case(b, upper))));
        }
        out
    }

    fn find_letter(c: char) -> Option<(usize, usize, bool)> {
        for (table, upper) in [(&LOWER, false), (&UPPER, true)] {
            for (row, tones) in table.iter().enumerate() {
                if let Some(tone) = tones.iter().position(|&t| t == c) {
                    return Some((row, tone, upper));
                }
            }
        }
        None
    }

    fn byte_char(b: u8) -> char {
        if (0x80..=0x9F).contains(&b) {
            CP1252_HIGH[usize::from(b - 0x80)]
        } else {
            char::from(b)
        }
    }

    fn all_letters() -> Vec<char> {
        let mut letters: Vec<char> = LOWER
            .iter()
            .chain(UPPER.iter())
            .flatten()
            .copied()
            .collect();
        letters.extend(['đ', 'Đ']);
        letters
    }

    #[test]
    fn tcvn3_examples() {
        let cases = [
            ("Hä vµ tªn", "Họ và tên"),
            ("Sè ®Þnh danh c¸ nh©n", "Số định danh cá nhân"),
            ("Ngµy sinh", "Ngày sinh"),
            ("NguyÔn ThÞ Hoa", "Nguyễn Thị Hoa"),
            ("Lß V¨n Th¾ng", "Lò Văn Thắng"),
            ("Quµi Të", "Quài Tở"),
            ("§iÖn Biªn §«ng", "Điện Biên Đông"),
            ("Th«n ¢u C¬", "Thôn Âu Cơ"),
            // .VnTimeH: capitals typed with lower-case bytes.
            ("NGUYÔN V¡N AN", "NGUYỄN VĂN AN"),
            ("Lß V¨N TH¾NG", "LÒ VĂN THẮNG"),
        ];
        for (legacy, unicode) in cases {
            assert_eq!(
                detect_cells([legacy]),
                Some(LegacyEncoding::Tcvn3),
                "{legacy}"
            );
            assert_eq!(decode(legacy, LegacyEncoding::Tcvn3), unicode, "{legacy}");
        }
        // "Sè" holds no TCVN3-only glyph: alone it is not evidence, but decodes with its case kept
        // in a TCVN3 column.
        assert_eq!(detect_cells(["Sè CMND"]), None);
        assert_eq!(decode("Sè CMND", LegacyEncoding::Tcvn3), "Số CMND");
        // The prompt's "Qu¶i" is hook-above, i.e. "Quải"; "Quài" is "Quµi".
        assert_eq!(decode("Qu¶i Të", LegacyEncoding::Tcvn3), "Quải Tở");
    }

    #[test]
    fn tcvn3_vn1_capitals_and_punctuation() {
        assert_eq!(decode("ƒi Hµ", LegacyEncoding::Tcvn3), "Ái Hà");
        assert_eq!(decode("\u{83}i", LegacyEncoding::Tcvn3), "Ái");
        assert_eq!(
            decode("Hµ Néi – 2020 “Hµ”", LegacyEncoding::Tcvn3),
            "Hà Nội – 2020 “Hà”"
        );
    }

    #[test]
    fn vni_examples() {
        let cases = [
            ("Xin chaøo", "Xin chào"),
            ("Vieät Nam", "Việt Nam"),
            ("Hoï vaø teân", "Họ và tên"),
            ("Nguyeãn Thò Hoa", "Nguyễn Thị Hoa"),
            ("Ñieän Bieân", "Điện Biên"),
            ("NGUYEÃN VAÊN AN", "NGUYỄN VĂN AN"),
            ("Thöôïng Ñöùc", "Thượng Đức"),
            ("HOÏ VAØ TEÂN", "HỌ VÀ TÊN"),
        ];
        for (legacy, unicode) in cases {
            assert_eq!(
                detect_cells([legacy]),
                Some(LegacyEncoding::Vni),
                "{legacy}"
            );
            assert_eq!(decode(legacy, LegacyEncoding::Vni), unicode, "{legacy}");
        }
    }

    #[test]
    fn unicode_and_ascii_text_is_no_evidence() {
        // Vietnamese typed in Unicode (old and new tone placement), ASCII, and Latin-1 words with no
        // legacy glyph or pair. Foreign words with ü, ñ, ø, ß … are evidence by SPEC §11.13's rule:
        // a list column holding them is read as legacy.
        let texts = [
            "Họ và tên",
            "Nguyễn Thị Hoà",
            "Quài Tở",
            "Bù Gia Mập",
            "Tủa Chùa",
            "Mường Ảng",
            "Thị trấn Tuần Giáo",
            "",
            "001090123456",
            "Số CCCD",
            "Full name",
            "Hôtel",
            "café",
            "Tây Ninh",
            "Cà Mau",
            "Yên Bái",
            "Phú Yên",
            "Hòa Bình",
            "Võ Chí Công",
            "Ngô Bá Khá",
            "Hoàng",
            "Hoãn",
            "Xuân",
            "Thò",
            "São Paulo",
            "25 °C",
        ];
        for text in texts {
            assert_eq!(detect_cells([text]), None, "{text}");
        }
        assert_eq!(detect_cells(texts), None, "as one column");
    }

    #[test]
    fn every_letter_round_trips() {
        for c in all_letters() {
            let tcvn3 = tcvn3_encode(&format!("a{c}a"));
            assert_eq!(
                decode(&tcvn3, LegacyEncoding::Tcvn3),
                format!("a{c}a"),
                "{c} as {tcvn3:?}"
            );
            let vni = vni_encode(&c.to_string());
            assert_eq!(
                decode(&vni, LegacyEncoding::Vni),
                c.to_string(),
                "{c} as {vni:?}"
            );
        }
    }

    #[test]
    fn encoded_columns_are_detected_and_restored() {
        let sentences = [
            "Nguyễn Văn An",
            "Trần Thị Bích Ngọc",
            "Lê Hoàng Phúc",
            "Phạm Minh Tuấn",
            "Đặng Thuỳ Dương",
            "Huỳnh Quốc Khánh",
            "Xã Mường Phăng",
            "Huyện Điện Biên Đông",
            "Số định danh cá nhân",
            "Ngày cấp",
            "Nơi thường trú",
        ];
        let tcvn3: Vec<String> = sentences.iter().map(|t| tcvn3_encode(t)).collect();
        let vni: Vec<String> = sentences.iter().map(|t| vni_encode(t)).collect();
        // As columns: each is recognised as a whole, and every cell decodes back.
        assert_eq!(
            detect_cells(tcvn3.iter().map(String::as_str)),
            Some(LegacyEncoding::Tcvn3)
        );
        assert_eq!(
            detect_cells(vni.iter().map(String::as_str)),
            Some(LegacyEncoding::Vni)
        );
        for ((text, tcvn3), vni) in sentences.iter().zip(&tcvn3).zip(&vni) {
            assert_eq!(decode(tcvn3, LegacyEncoding::Tcvn3), *text, "{tcvn3}");
            assert_eq!(decode(vni, LegacyEncoding::Vni), *text, "{vni}");
        }
    }

    #[test]
    fn decoding_gives_precomposed_output() {
        let out = decode("Nguyeãn Vieät", LegacyEncoding::Vni);
        assert!(out.chars().all(|c| !('\u{300}'..='\u{36F}').contains(&c)));
        assert_eq!(out.chars().count(), "Nguyễn Việt".chars().count());
    }
}
