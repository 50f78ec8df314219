//! The stable codes of the tool. Each code set — why a row was rejected, what a warning says, why a
//! file could not be read, a claim's class, a status, the rule that decided a conflict — is written
//! once, through [`code_set!`]: the enum, its JSON spelling, its Vietnamese explanation and the list
//! of all its codes come from the same lines, and serde, the workbooks, Parquet and the table of `docs/reference.md`
//! use them.

/// Declares a code set: `Variant = "code" => "Vietnamese explanation",` per line. Generates the
/// enum (`Copy`, ordered as written), `ALL`, `code()`, `explanation()`, `from_code()`, a
/// `Serialize` that writes the code and a `Deserialize` that reads it back.
#[macro_export]
macro_rules! code_set {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $code:literal => $explanation:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every code of the set, in the order it is documented.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The code as written in JSON.
            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// What a clerk reads, in Vietnamese.
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Self::$variant => $explanation,)+
                }
            }

            /// The code of a JSON spelling.
            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|c| c.code() == code)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            /// A code read back (the page reads `summary.json`): one of the set's codes.
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Self::from_code(&code).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown code {code:?}"))
                })
            }
        }
    };
}

code_set! {
    /// Why an input row was rejected.
    pub enum RejectReason {
        MissingId = "missing_id" => "Dòng có dữ liệu nhưng thiếu số định danh cá nhân",
        NotDigits = "not_digits" => "Số định danh có ký tự không phải chữ số",
        PrecisionLost = "precision_lost" => "Số định danh bị Excel đổi sang dạng số mũ (1,12E+11): mất chữ số, cần nhập lại dạng văn bản",
        OldCmnd = "old_cmnd" => "Số CMND cũ 9 chữ số, cần số định danh 12 chữ số",
        BadLength = "bad_length" => "Số định danh không đủ 12 chữ số",
        BadProvince = "bad_province" => "Mã tỉnh (3 chữ số đầu) không hợp lệ",
        BadCentury = "bad_century" => "Mã thế kỷ/giới tính cho năm sinh sau năm hiện tại",
        /// An assignment or claim row whose force is neither in a force column nor given by its
        /// folder.
        UnknownForce = "unknown_force" => "Không xác định được lực lượng: ghi cột Lực lượng hoặc đặt tệp trong thư mục của lực lượng",
        /// A report row whose "Đã kích hoạt" mark says neither yes nor no (SPEC §11.20).
        UnclearMark = "unclear_mark" => "Cột Đã kích hoạt không cho biết công dân đã kích hoạt hay chưa: ghi x nếu đã kích hoạt, để trống nếu chưa",
    }
}

code_set! {
    /// A problem on an accepted row: the row is kept and the warning listed.
    pub enum WarningCode {
        BadDate = "bad_date" => "Ngày không hợp lệ (cần dạng ngày/tháng/năm), đã để trống",
        DobMismatch = "dob_mismatch" => "Năm sinh không khớp với số định danh",
        GenderMismatch = "gender_mismatch" => "Giới tính không khớp với số định danh",
        NameMismatch = "name_mismatch" => "Họ tên khác với họ tên trong danh sách chưa kích hoạt",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_serialize_as_their_code() {
        for reason in RejectReason::ALL {
            assert_eq!(RejectReason::from_code(reason.code()), Some(*reason));
            let json = serde_json::to_string(reason).expect("json");
            assert_eq!(json, format!("\"{}\"", reason.code()));
        }
        assert_eq!(WarningCode::ALL.len(), 4);
        assert_eq!(RejectReason::ALL[0], RejectReason::MissingId);
    }
}

code_set! {
    /// A column the tool understands (SPEC §4's fields); the code is the field's name in JSON and
    /// in the settings' `[aliases]`, the explanation its usual header.
    pub enum Field {
        Id = "id" => "Số định danh cá nhân",
        Name = "name" => "Họ và tên",
        /// The first half of a name split in two columns ("Họ đệm"), SPEC §11.18.
        Surname = "surname" => "Họ đệm",
        /// The second half ("Tên").
        GivenName = "given_name" => "Tên",
        Dob = "dob" => "Ngày sinh",
        Gender = "gender" => "Giới tính",
        /// The date or year of birth of a man, under "Nam" below a parent "Năm sinh" (SPEC §11.19).
        DobMale = "dob_male" => "Năm sinh (Nam)",
        /// The date or year of birth of a woman, under "Nữ".
        DobFemale = "dob_female" => "Năm sinh (Nữ)",
        Commune = "commune" => "Xã",
        Village = "village" => "Thôn, bản",
        Address = "address" => "Địa chỉ",
        Phone = "phone" => "Số điện thoại",
        Force = "force" => "Lực lượng",
        Unit = "unit" => "Đơn vị",
        Officer = "officer" => "Cán bộ phụ trách",
        AssignedOn = "assigned_on" => "Ngày phân công",
        ActivatedOn = "activated_on" => "Ngày kích hoạt",
        /// The "Đã kích hoạt" mark column of a daily report form (`split`): only marked rows are
        /// claims.
        Activated = "activated" => "Đã kích hoạt",
    }
}
