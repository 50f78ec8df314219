//! Matching commune names to the configured list, SPEC §6: case, diacritics and the prefixes xã,
//! thị trấn, TT, phường are ignored, so "XÃ QUÀI TỞ", "Quài Tở" and "xa Quai To" are one commune.

use crate::ix::CommuneIx;

use super::text::fold;

/// Administrative prefixes, folded, longest first so "thi tran" is removed before "tt".
const PREFIXES: [&str; 6] = ["thi tran", "thi xa", "phuong", "xa", "tt", "p"];

/// The configured communes with their folded keys.
#[derive(Debug, Clone, Default)]
pub struct CommuneMatcher {
    keys: Vec<String>,
    /// The keys padded with spaces, for whole-word search inside unit names.
    padded: Vec<String>,
}

/// "xã Ta Ma", "thị trấn Tuần Giáo": a configured commune with its prefix in lower case, as a unit
/// named from its commune writes it (SPEC §9). A name without a prefix is a xã.
pub fn commune_phrase(name: &str) -> String {
    let folded = fold(name);
    for prefix_words in [2usize, 1] {
        let prefix: Vec<&str> = folded.split(' ').take(prefix_words).collect();
        let prefix = prefix.join(" ");
        if matches!(prefix.as_str(), "thi tran" | "thi xa" | "phuong") {
            let mut words = name.split(' ');
            let original: Vec<&str> = words.by_ref().take(prefix_words).collect();
            let rest: Vec<&str> = words.collect();
            return format!("{} {}", original.join(" ").to_lowercase(), rest.join(" "));
        }
    }
    format!("xã {name}")
}

/// The commune's folded name without its administrative prefix.
pub fn commune_key(name: &str) -> String {
    let folded = fold(name);
    for prefix in PREFIXES {
        if let Some(rest) = folded.strip_prefix(prefix)
            && let Some(rest) = rest.strip_prefix(' ')
        {
            return rest.to_string();
        }
    }
    folded
}

impl CommuneMatcher {
    /// A matcher over the configured communes, in settings order.
    pub fn new<S: AsRef<str>>(communes: &[S]) -> Self {
        let keys: Vec<String> = communes
            .iter()
            .map(|name| commune_key(name.as_ref()))
            .collect();
        let padded = keys.iter().map(|key| format!(" {key} ")).collect();
        Self { keys, padded }
    }

    /// The index of the configured commune this text names, if any.
    pub fn find(&self, text: &str) -> Option<CommuneIx> {
        let key = commune_key(text);
        if key.is_empty() {
            return None;
        }
        self.keys
            .iter()
            .position(|candidate| *candidate == key)
            .map(CommuneIx::new)
    }

    /// The configured commune named inside a unit's name ("Đoàn xã Quài Tở", "Trường THCS Quài
    /// Cang"): the longest configured name found as whole words.
    pub fn find_within(&self, unit_name: &str) -> Option<CommuneIx> {
        let haystack = format!(" {} ", fold(unit_name));
        self.padded
            .iter()
            .enumerate()
            .filter(|(_, key)| key.len() > 2 && haystack.contains(key.as_str()))
            .max_by_key(|(index, key)| (key.len(), std::cmp::Reverse(*index)))
            .map(|(index, _)| CommuneIx::new(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> CommuneMatcher {
        CommuneMatcher::new(&[
            "Thị trấn Tuần Giáo",
            "Quài Tở",
            "Quài Cang",
            "Quài Nưa",
            "Ta Ma",
        ])
    }

    #[test]
    fn prefixes_case_and_marks_are_ignored() {
        let m = matcher();
        assert_eq!(m.find("XÃ QUÀI TỞ"), Some(CommuneIx::new(1)));
        assert_eq!(m.find("xa Quai To"), Some(CommuneIx::new(1)));
        assert_eq!(m.find("Quài Tở"), Some(CommuneIx::new(1)));
        assert_eq!(m.find("TT Tuần Giáo"), Some(CommuneIx::new(0)));
        assert_eq!(m.find("TT. Tuần Giáo"), Some(CommuneIx::new(0)));
        assert_eq!(m.find("Thị trấn Tuần Giáo"), Some(CommuneIx::new(0)));
        assert_eq!(m.find("Tuần Giáo"), Some(CommuneIx::new(0)));
        assert_eq!(m.find("Quài"), None);
        assert_eq!(m.find(""), None);
    }

    #[test]
    fn commune_inside_a_unit_name() {
        let m = matcher();
        assert_eq!(m.find_within("Đoàn xã Quài Tở"), Some(CommuneIx::new(1)));
        assert_eq!(
            m.find_within("Trường THCS Quài Cang"),
            Some(CommuneIx::new(2))
        );
        assert_eq!(
            m.find_within("Chi hội phụ nữ bản Ta Ma"),
            Some(CommuneIx::new(4))
        );
        assert_eq!(
            m.find_within("Trường THPT Tuần Giáo"),
            Some(CommuneIx::new(0))
        );
        assert_eq!(m.find_within("Huyện đoàn"), None);
    }
}
