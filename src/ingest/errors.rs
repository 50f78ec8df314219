//! Why a file could not be read: a stable code with a Vietnamese explanation a clerk can act on, and
//! the mapping from each reader's error *variants* (never their message text) to those codes.

crate::code_set! {
    /// Why a file could not be read.
    pub enum FileErrorCode {
        Encrypted = "encrypted" => "Tệp có mật khẩu: mở tệp, gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi lưu lại",
        Damaged = "damaged" => "Tệp bị hỏng, không đọc được: xin gửi lại bản gốc hoặc mở bằng Excel và lưu lại dạng .xlsx",
        NotSpreadsheet = "not_spreadsheet" => "Nội dung tệp không phải bảng tính: mở bằng Excel và lưu lại dạng .xlsx",
        UnsupportedFormat = "unsupported_format" => "Định dạng không hỗ trợ: chỉ đọc .xlsx, .xlsm, .xlsb, .xls, .ods, .csv",
        ReaderCrashed = "reader_crashed" => "Bộ đọc Excel gặp lỗi nghiêm trọng với tệp này (tệp hỏng): mở bằng Excel và lưu lại dạng .xlsx",
        /// A file whose role needs a header (the targets appendix) and has none.
        NoHeader = "no_header" => "Không tìm thấy dòng tiêu đề chỉ tiêu (cột Xã và cột của từng lực lượng) trong 30 dòng đầu: chỉ tiêu tạm lấy theo số được phân công; sửa tiêu đề rồi chạy lại",
        /// A file past the reading budget: more cells, or more uncompressed bytes, than any list.
        TooLarge = "too_large" => "Tệp lớn bất thường (quá giới hạn đọc: quá nhiều ô hoặc dữ liệu nén bất thường): kiểm tra lại tệp, xóa các ô thừa rồi lưu lại dạng .xlsx",
        /// A file that changed while it was read (still being copied in).
        Changed = "changed" => "Tệp thay đổi trong lúc đọc (có thể đang được chép vào): đợi chép xong rồi chạy lại",
    }
}

/// A file that could not be read, with the technical detail for developers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {detail}", code.code())]
pub struct FileError {
    pub code: FileErrorCode,
    pub detail: String,
}

impl FileError {
    /// An error with its code and technical detail.
    pub fn new(code: FileErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }
}

/// A reader's error, classified by its variant.
pub trait ReaderError: std::fmt::Display {
    /// The code a clerk sees for this error.
    fn code(&self) -> FileErrorCode;

    /// The error as a [`FileError`].
    fn to_file_error(&self) -> FileError {
        FileError::new(self.code(), self.to_string())
    }
}

impl ReaderError for calamine::XlsxError {
    fn code(&self) -> FileErrorCode {
        use calamine::XlsxError as E;
        match self {
            E::Password => FileErrorCode::Encrypted,
            // A zip archive without the parts of a workbook.
            E::FileNotFound(_) | E::RelationshipNotFound => FileErrorCode::NotSpreadsheet,
            _ => FileErrorCode::Damaged,
        }
    }
}

impl ReaderError for calamine::XlsbError {
    fn code(&self) -> FileErrorCode {
        use calamine::XlsbError as E;
        match self {
            E::Password => FileErrorCode::Encrypted,
            E::FileNotFound(_) => FileErrorCode::NotSpreadsheet,
            _ => FileErrorCode::Damaged,
        }
    }
}

impl ReaderError for calamine::OdsError {
    fn code(&self) -> FileErrorCode {
        use calamine::OdsError as E;
        match self {
            E::Password => FileErrorCode::Encrypted,
            E::InvalidMime(_) | E::FileNotFound(_) => FileErrorCode::NotSpreadsheet,
            // calamine's own cap on the cells an .ods may expand to (repeated rows × columns).
            E::CellLimitExceeded { .. } => FileErrorCode::TooLarge,
            _ => FileErrorCode::Damaged,
        }
    }
}

impl ReaderError for calamine::XlsError {
    fn code(&self) -> FileErrorCode {
        match self {
            calamine::XlsError::Password => FileErrorCode::Encrypted,
            _ => FileErrorCode::Damaged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_are_classified_by_type() {
        assert_eq!(
            calamine::XlsxError::Password.code(),
            FileErrorCode::Encrypted
        );
        assert_eq!(
            calamine::XlsxError::FileNotFound("_rels/.rels".into()).code(),
            FileErrorCode::NotSpreadsheet
        );
        assert_eq!(
            calamine::XlsxError::XmlEof("sheet").code(),
            FileErrorCode::Damaged
        );
        assert_eq!(
            calamine::OdsError::Password.code(),
            FileErrorCode::Encrypted
        );
        assert_eq!(
            calamine::XlsError::Password.code(),
            FileErrorCode::Encrypted
        );
    }

    #[test]
    fn every_code_round_trips_and_is_explained() {
        for &code in FileErrorCode::ALL {
            assert_eq!(FileErrorCode::from_code(code.code()), Some(code));
            assert!(!code.explanation().is_empty());
        }
    }
}
