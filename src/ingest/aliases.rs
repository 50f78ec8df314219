//! The fields a list can have and the header texts that name them (SPEC §4). Header cells are
//! matched after folding (case, diacritics, punctuation, spacing ignored); a cell matches when its
//! folded text equals an alias or starts with one followed by a space, and the longest alias wins.
//! Two kinds of field are matched more narrowly: the halves of a split name (`surname`,
//! `given_name`) by exact text only, so "Tên đơn vị" is never a given name (SPEC §11.18), and the
//! birth-date columns `dob_male` / `dob_female` ("Nam", "Nữ") only under a date-of-birth parent
//! (SPEC §11.19).

use std::collections::BTreeMap;

use crate::normalize::text::fold;

pub use crate::codes::Field;

impl Field {
    /// How a header cell names this field.
    fn matching(self) -> Matching {
        match self {
            Self::Surname | Self::GivenName => Matching::Exact,
            Self::DobMale | Self::DobFemale => Matching::UnderDob,
            _ => Matching::Prefix,
        }
    }

    /// The built-in aliases of SPEC §4's table. Long as the table is: one arm per field.
    fn builtin_aliases(self) -> &'static [&'static str] {
        match self {
            Self::Id => &[
                "Số định danh cá nhân",
                "Số định danh",
                "Số ĐDCN",
                "Số CCCD",
                "CCCD",
                "Số CMND/CCCD",
                "Số CCCD/CMND",
                "CMND/CCCD",
                "Căn cước công dân",
                "Số căn cước công dân",
                "Mã định danh",
                "Số căn cước",
                "Số thẻ căn cước",
                "Số ĐDCN/CCCD",
            ],
            Self::Name => &[
                "Họ và tên",
                "Họ tên",
                "Họ tên công dân",
                "Họ và tên công dân",
                // The name field of the ID card and the birth certificate ("… khai sinh").
                "Họ, chữ đệm và tên",
                "Họ, chữ đệm, tên",
            ],
            Self::Surname => &[
                "Họ đệm",
                "Họ và đệm",
                "Họ và chữ đệm",
                "Họ và tên đệm",
                "Họ chữ đệm",
                "Họ lót",
                "Họ",
            ],
            Self::GivenName => &["Tên", "Tên gọi"],
            Self::DobMale => &["Nam"],
            Self::DobFemale => &["Nữ"],
            Self::Dob => &[
                "Ngày sinh",
                "Ngày tháng năm sinh",
                "Năm sinh",
                "Ngày, tháng, năm sinh",
            ],
            Self::Gender => &["Giới tính", "Nam/Nữ"],
            Self::Commune => &[
                "Xã",
                "Xã/Thị trấn",
                "Xã, phường, thị trấn",
                "Đơn vị hành chính",
                "Xã/Phường/Thị trấn",
            ],
            Self::Village => &[
                "Thôn",
                "Bản",
                "Thôn/Bản",
                "Tổ dân phố",
                "Thôn, bản",
                "Thôn/Bản/Tổ dân phố",
            ],
            Self::Address => &[
                "Địa chỉ",
                "Nơi thường trú",
                "Nơi ở hiện tại",
                "Nơi cư trú",
                "Địa chỉ thường trú",
            ],
            Self::Phone => &["Số điện thoại", "SĐT", "Điện thoại", "Số ĐT"],
            Self::Force => &["Lực lượng", "Lực lượng phụ trách"],
            Self::Unit => &[
                "Đơn vị",
                "Đơn vị phụ trách",
                "Chi đoàn",
                "Chi hội",
                "Trường",
                "Đơn vị báo cáo",
            ],
            Self::Officer => &[
                "Cán bộ phụ trách",
                "Người phụ trách",
                "Người hướng dẫn",
                "Cán bộ hướng dẫn",
                "Đoàn viên/Hội viên/Giáo viên phụ trách",
                "Đoàn viên phụ trách",
                "Hội viên phụ trách",
                "Giáo viên phụ trách",
                "Họ tên cán bộ phụ trách",
            ],
            Self::AssignedOn => &["Ngày phân công"],
            Self::ActivatedOn => &["Ngày kích hoạt"],
            Self::Activated => &["Đã kích hoạt", "Đánh dấu đã kích hoạt"],
        }
    }
}

/// How a field's aliases are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Matching {
    /// Equal, or the alias followed by a space and more ("Ngày sinh (dd/mm/yyyy)").
    Prefix,
    /// Equal only.
    Exact,
    /// Equal, and only in a sub-header under a date-of-birth parent.
    UnderDob,
}

/// Folded alias → field, built-in aliases plus the settings' extra ones.
#[derive(Debug, Clone)]
pub struct AliasTable {
    /// Prefix-matched aliases, sorted longest first so the first prefix match is the longest.
    entries: Vec<(String, Field)>,
    /// Aliases that name their field only when the whole cell says it (a split name's halves).
    exact: Vec<(String, Field)>,
    /// "Nam" / "Nữ" and their extra aliases: birth-date columns under a date-of-birth parent.
    under_dob: Vec<(String, Field)>,
}

impl AliasTable {
    /// The built-in aliases plus `extra` from the settings.
    pub fn new(extra: &BTreeMap<Field, Vec<String>>) -> Self {
        let all: Vec<(String, Field)> = Field::ALL
            .iter()
            .copied()
            .flat_map(|field| {
                field
                    .builtin_aliases()
                    .iter()
                    .map(move |alias| (fold(alias), field))
            })
            .chain(
                extra
                    .iter()
                    .flat_map(|(field, aliases)| aliases.iter().map(|alias| (fold(alias), *field))),
            )
            .filter(|(key, _)| !key.is_empty())
            .collect();
        let of = |matching: Matching| {
            let mut entries: Vec<(String, Field)> = all
                .iter()
                .filter(|(_, field)| field.matching() == matching)
                .cloned()
                .collect();
            entries.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
            entries.dedup_by(|a, b| a.0 == b.0);
            entries
        };
        Self {
            entries: of(Matching::Prefix),
            exact: of(Matching::Exact),
            under_dob: of(Matching::UnderDob),
        }
    }

    /// The field a header cell names, if any.
    pub fn field_of(&self, header_text: &str) -> Option<Field> {
        let folded = fold(header_text);
        if folded.is_empty() {
            return None;
        }
        find_exact(&self.exact, &folded).or_else(|| {
            self.entries
                .iter()
                .find(|(alias, _)| {
                    folded == *alias
                        || (folded.starts_with(alias.as_str())
                            && folded.as_bytes().get(alias.len()) == Some(&b' '))
                })
                .map(|(_, field)| *field)
        })
    }

    /// The field whose alias equals the header cell exactly (after folding). Used where a data row
    /// could pass for a header row: "Bản Phiêng" starts with the alias "Bản" but is not a header.
    pub fn field_of_exact(&self, header_text: &str) -> Option<Field> {
        let folded = fold(header_text);
        find_exact(&self.exact, &folded).or_else(|| find_exact(&self.entries, &folded))
    }

    /// The field a sub-header cell names under a parent cell naming `parent`: "Nam" and "Nữ" under
    /// "Năm sinh" are the birth-date columns of each sex (SPEC §11.19).
    pub fn field_under(&self, parent: Field, header_text: &str) -> Option<Field> {
        (parent == Field::Dob)
            .then(|| find_exact(&self.under_dob, &fold(header_text)))
            .flatten()
    }
}

fn find_exact(entries: &[(String, Field)], folded: &str) -> Option<Field> {
    entries
        .iter()
        .find(|(alias, _)| alias == folded)
        .map(|(_, field)| *field)
}

impl Default for AliasTable {
    fn default() -> Self {
        Self::new(&BTreeMap::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_aliases_match_in_any_spelling() {
        let table = AliasTable::default();
        assert_eq!(table.field_of("SỐ ĐỊNH DANH CÁ NHÂN"), Some(Field::Id));
        assert_eq!(table.field_of("Số CMND/CCCD"), Some(Field::Id));
        assert_eq!(table.field_of("số  cmnd / cccd"), Some(Field::Id));
        assert_eq!(table.field_of("Họ  tên"), Some(Field::Name));
        assert_eq!(table.field_of("Ngày sinh (dd/mm/yyyy)"), Some(Field::Dob));
        assert_eq!(table.field_of("Đơn vị hành chính"), Some(Field::Commune));
        assert_eq!(table.field_of("Đơn vị"), Some(Field::Unit));
        assert_eq!(table.field_of("Xã, phường, thị trấn"), Some(Field::Commune));
        assert_eq!(table.field_of("Nam/Nữ"), Some(Field::Gender));
        assert_eq!(
            table.field_of("Đoàn viên/Hội viên/Giáo viên phụ trách"),
            Some(Field::Officer)
        );
        assert_eq!(table.field_of("SĐT"), Some(Field::Phone));
        assert_eq!(table.field_of("STT"), None);
        assert_eq!(table.field_of("Ghi chú"), None);
        assert_eq!(table.field_of(""), None);
        // A prefix must end at a word: "Xãhội" is not "Xã".
        assert_eq!(table.field_of("Xãhội"), None);
    }

    #[test]
    fn the_documents_labels_and_split_names() {
        let table = AliasTable::default();
        assert_eq!(table.field_of("Họ, chữ đệm và tên"), Some(Field::Name));
        assert_eq!(
            table.field_of("Họ, chữ đệm và tên khai sinh"),
            Some(Field::Name)
        );
        assert_eq!(table.field_of("Số căn cước"), Some(Field::Id));
        assert_eq!(table.field_of("Số thẻ căn cước"), Some(Field::Id));
        assert_eq!(
            table.field_of("Số định danh cá nhân (CCCD)"),
            Some(Field::Id)
        );
        for surname in [
            "Họ đệm",
            "Họ và đệm",
            "Họ và chữ đệm",
            "Họ và tên đệm",
            "Họ chữ đệm",
            "Họ lót",
            "Họ",
        ] {
            assert_eq!(table.field_of(surname), Some(Field::Surname), "{surname}");
            assert_eq!(
                table.field_of_exact(surname),
                Some(Field::Surname),
                "{surname}"
            );
        }
        assert_eq!(table.field_of("Tên"), Some(Field::GivenName));
        assert_eq!(table.field_of("Tên gọi"), Some(Field::GivenName));
        // Exact texts only: no prefix matching for the halves of a name.
        assert_eq!(table.field_of("Tên đơn vị"), None);
        assert_eq!(table.field_of("Họ đệm (viết hoa)"), None);
        assert_eq!(table.field_of("Họ và tên (viết in hoa)"), Some(Field::Name));
        // "Nam" and "Nữ" are birth-date columns only under a date-of-birth parent.
        assert_eq!(table.field_of("Nam"), None);
        assert_eq!(table.field_under(Field::Dob, "Nam"), Some(Field::DobMale));
        assert_eq!(table.field_under(Field::Dob, "NỮ"), Some(Field::DobFemale));
        assert_eq!(table.field_under(Field::Name, "Nữ"), None);
    }

    #[test]
    fn extra_aliases_from_settings() {
        let extra = BTreeMap::from([(Field::Id, vec!["Số thẻ căn cước".to_string()])]);
        let table = AliasTable::new(&extra);
        assert_eq!(table.field_of("Số thẻ căn cước"), Some(Field::Id));
    }
}
