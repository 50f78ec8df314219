//! Text normalisation shared by every reader: Unicode NFC, whitespace, and the folded comparison keys
//! used for header aliases, communes and names. Legacy TCVN3/VNI text is converted before any of
//! these see it, per column of a sheet (`ingest::legacy_columns`, SPEC §11.13), never cell by cell.
//!
//! Guarantees: every function is pure and total (any `&str` gives a value), and the common case of
//! already-clean text does not allocate in [`clean_cell_text`].

use std::borrow::Cow;

use unicode_normalization::{UnicodeNormalization, char::decompose_canonical, is_nfc_quick};

/// Characters that are spaces for our purposes although `char::is_whitespace` may disagree:
/// zero-width space, zero-width no-break space (BOM) and word joiner arrive in pasted IDs and names.
fn is_space_like(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}' | '\u{FEFF}' | '\u{2060}' | '\u{200C}' | '\u{200D}'
        )
}

/// Cleans a text cell: NFC, trimmed, inner whitespace collapsed to one ASCII space. Borrows when
/// the input is already clean.
pub fn clean_cell_text(raw: &str) -> Cow<'_, str> {
    if is_clean(raw) {
        return Cow::Borrowed(raw);
    }
    let composed: Cow<'_, str> =
        if is_nfc_quick(raw.chars()) == unicode_normalization::IsNormalized::Yes {
            Cow::Borrowed(raw)
        } else {
            Cow::Owned(raw.nfc().collect())
        };
    if is_collapsed(&composed) {
        return composed;
    }
    let mut out = String::with_capacity(composed.len());
    for word in composed.split(is_space_like).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// The common case of [`clean_cell_text`], without allocating: true when the text is already
/// collapsed ([`is_collapsed`]) and every character is one that NFC keeps as it is whatever
/// surrounds it. Those are the characters below U+0300 (ASCII, Latin-1
/// and Latin Extended A and B: `ă â đ ê ô ơ ư`) and Latin Extended Additional, U+1E00 to U+1EFF
/// (`ạ ả ấ … ỹ`): all are precomposed starters whose NFC quick check is Yes (a test checks every one
/// against `is_nfc_quick`), which covers Vietnamese text typed in Unicode. Any other character, a
/// combining mark among them, sends the text through the full check.
fn is_clean(text: &str) -> bool {
    text.chars()
        .all(|c| c < '\u{300}' || ('\u{1E00}'..'\u{1F00}').contains(&c))
        && is_collapsed(text)
}

/// True when the text has no leading/trailing space and no run of spaces or non-ASCII spaces.
fn is_collapsed(text: &str) -> bool {
    let mut previous_space = true;
    for c in text.chars() {
        if is_space_like(c) {
            if previous_space || c != ' ' {
                return false;
            }
            previous_space = true;
        } else {
            previous_space = false;
        }
    }
    !previous_space || text.is_empty()
}

/// The folded key used to match header aliases and commune names: lower case, diacritics removed
/// (đ → d), every non-alphanumeric character a separator, single spaces between words.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        let base = strip_marks(c);
        if base.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(base.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// The letter without its Vietnamese diacritics: `ế` → `e`, `Đ` → `D`.
fn strip_marks(c: char) -> char {
    match c {
        'đ' => 'd',
        'Đ' => 'D',
        c if c.is_ascii() => c,
        c => {
            let mut base = c;
            let mut first = true;
            decompose_canonical(c, |part| {
                if first {
                    base = part;
                    first = false;
                }
            });
            base
        }
    }
}

/// A name key that ignores case, spacing, Unicode form and tone-mark placement: `Hòa` and `Hoà`,
/// `Thủy` and `Thuỷ` give the same key. Tone marks are kept (they distinguish names) but moved to
/// a fixed place: the word's letters without tone, followed by the tone.
pub fn name_key(name: &str) -> String {
    let clean = clean_cell_text(name);
    let mut key = String::with_capacity(clean.len() + 4);
    for (index, word) in clean.split(' ').enumerate() {
        if index > 0 {
            key.push(' ');
        }
        let mut tone = None;
        for c in word.chars().flat_map(char::to_lowercase) {
            decompose_canonical(c, |part| match part {
                '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}' => tone = Some(part),
                other => key.push(other),
            });
        }
        if let Some(tone) = tone {
            key.push(tone);
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_collapses_and_composes() {
        assert_eq!(clean_cell_text("  Lò   Văn\u{00A0}Thắng "), "Lò Văn Thắng");
        let nfd = "Nguye\u{0302}\u{0303}n";
        assert_eq!(clean_cell_text(nfd), "Nguyễn");
        assert!(matches!(clean_cell_text("Quài Tở"), Cow::Borrowed(_)));
        assert_eq!(clean_cell_text("a\u{200B} b"), "a b");
        assert_eq!(clean_cell_text(""), "");
        assert_eq!(clean_cell_text("   "), "");
    }

    #[test]
    fn the_clean_fast_path_only_takes_characters_nfc_keeps() {
        use unicode_normalization::IsNormalized;
        // Every character the fast path accepts is a starter NFC keeps as it is.
        for code in (0..0x300).chain(0x1E00..0x1F00) {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            assert_eq!(
                is_nfc_quick(std::iter::once(c)),
                IsNormalized::Yes,
                "U+{code:04X}"
            );
            assert_eq!(
                unicode_normalization::char::canonical_combining_class(c),
                0,
                "U+{code:04X}"
            );
        }
        for clean in ["Lò Văn Thắng", "Nguyễn Thị Ánh", "011090001234", "a", ""] {
            assert!(is_clean(clean), "{clean:?}");
        }
        // Spacing, combining marks (NFD) and characters outside the two ranges take the full path.
        for other in [
            " a",
            "a ",
            "a  b",
            "a\tb",
            "a\u{00A0}b",
            "Nguye\u{0302}\u{0303}n",
            "Ω",
            "\u{1F71}",
        ] {
            assert!(!is_clean(other), "{other:?}");
        }
    }

    proptest::proptest! {
        /// The fast path never changes an answer: a text it calls clean is what the full cleaning
        /// gives back.
        #[test]
        fn the_clean_fast_path_agrees_with_the_full_cleaning(
            text in "[ a-zA-Z0-9ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ\u{00A0}\u{0300}\u{0301}\u{0303}\u{200B}\t\u{1F71}Ω]{0,12}"
        ) {
            if is_clean(&text) {
                let full: String = text.nfc().collect();
                proptest::prop_assert!(is_collapsed(&full));
                proptest::prop_assert_eq!(full, text);
            }
        }
    }

    #[test]
    fn fold_ignores_case_marks_and_punctuation() {
        assert_eq!(fold("Số ĐDCN"), "so ddcn");
        assert_eq!(fold("Xã, phường, thị trấn"), "xa phuong thi tran");
        assert_eq!(fold("  Số CMND/CCCD "), "so cmnd cccd");
        assert_eq!(fold("Ngày sinh (dd/mm/yyyy)"), "ngay sinh dd mm yyyy");
        assert_eq!(fold("ĐOÀN THANH NIÊN"), "doan thanh nien");
    }

    #[test]
    fn name_key_ignores_tone_placement_and_case() {
        assert_eq!(name_key("Nguyễn Thị Hòa"), name_key("nguyễn thị hoà"));
        assert_eq!(name_key("Thủy"), name_key("Thuỷ"));
        assert_eq!(name_key(" Lò  Văn Thắng"), name_key("Lò Văn Thắng"));
        assert_ne!(name_key("Hòa"), name_key("Hoa"));
        assert_ne!(name_key("Hòa"), name_key("Hóa"));
    }
}
