//! The stable codes of the tool: why a row was rejected, what a warning says. Each code is written
//! once here with its JSON spelling and its Vietnamese explanation for workbooks and messages.

use serde::Serialize;

/// Why an input row was rejected. The JSON spelling is the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    MissingId,
    NotDigits,
    PrecisionLost,
    OldCmnd,
    BadLength,
    BadProvince,
    BadCentury,
    /// An assignment or claim row whose force is neither in a force column nor given by its folder.
    UnknownForce,
}

impl RejectReason {
    /// The code as written in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingId => "missing_id",
            Self::NotDigits => "not_digits",
            Self::PrecisionLost => "precision_lost",
            Self::OldCmnd => "old_cmnd",
            Self::BadLength => "bad_length",
            Self::BadProvince => "bad_province",
            Self::BadCentury => "bad_century",
            Self::UnknownForce => "unknown_force",
        }
    }

    /// The explanation a clerk reads, with what to do about it.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::MissingId => "Dòng có dữ liệu nhưng thiếu số định danh cá nhân",
            Self::NotDigits => "Số định danh có ký tự không phải chữ số",
            Self::PrecisionLost => {
                "Số định danh bị Excel đổi sang dạng số mũ (1,12E+11): mất chữ số, cần nhập lại dạng văn bản"
            }
            Self::OldCmnd => "Số CMND cũ 9 chữ số, cần số định danh 12 chữ số",
            Self::BadLength => "Số định danh không đủ 12 chữ số",
            Self::BadProvince => "Mã tỉnh (3 chữ số đầu) không hợp lệ",
            Self::BadCentury => "Mã thế kỷ/giới tính cho năm sinh sau năm hiện tại",
            Self::UnknownForce => {
                "Không xác định được lực lượng: ghi cột Lực lượng hoặc đặt tệp trong thư mục của lực lượng"
            }
        }
    }
}

/// A problem on an accepted row: the row is kept and the warning listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    BadDate,
    DobMismatch,
    GenderMismatch,
    NameMismatch,
}

impl WarningCode {
    /// The code as written in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Self::BadDate => "bad_date",
            Self::DobMismatch => "dob_mismatch",
            Self::GenderMismatch => "gender_mismatch",
            Self::NameMismatch => "name_mismatch",
        }
    }

    /// The explanation a clerk reads.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::BadDate => "Ngày không hợp lệ (cần dạng ngày/tháng/năm), đã để trống",
            Self::DobMismatch => "Năm sinh không khớp với số định danh",
            Self::GenderMismatch => "Giới tính không khớp với số định danh",
            Self::NameMismatch => "Họ tên khác với họ tên trong danh sách chưa kích hoạt",
        }
    }
}
