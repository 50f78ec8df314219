//! `vneid-recon init DIR`: a new workspace with a commented settings file and the folders of
//! SPEC §3. Never overwrites an existing settings file.

use std::path::Path;

use anyhow::Context;

use super::{ExitStatus, Failure};
use crate::settings::SETTINGS_FILE;

/// The settings template: Tuần Giáo (Điện Biên), its 19 communes and the four forces.
pub const TEMPLATE: &str = r#"# Cài đặt của vneid-recon cho một huyện (SPEC §9).
# Chỉ bắt buộc: deadline, communes và ít nhất một [[forces]]. Các khóa khác có giá trị mặc định.

district = "Tuần Giáo"
province = "Điện Biên"
agency = "Công an huyện Tuần Giáo"     # cơ quan ban hành, in ở đầu các bảng tổng hợp
deadline = 2024-02-05                   # hạn hoàn thành 100% chỉ tiêu (ngày, không có dấu nháy)
unit_cutoff = "17:00"                   # giờ các đơn vị gửi báo cáo về Công an xã (giờ Việt Nam)
district_cutoff = "20:00"               # giờ Công an xã gửi báo cáo về Công an huyện
credit = "assignee"                     # ghi nhận kết quả cho đơn vị được phân công ("assignee")
                                        # hoặc cho đơn vị báo cáo ("reporter")

# Các xã, thị trấn của huyện. Xã ghi tên ("Ta Ma"); thị trấn, phường ghi kèm tiền tố.
communes = [
  "Thị trấn Tuần Giáo", "Quài Nưa", "Quài Cang", "Quài Tở", "Chiềng Sinh",
  "Chiềng Đông", "Tỏa Tình", "Nà Sáy", "Mường Thín", "Tênh Phông",
  "Mường Khong", "Rạng Đông", "Pú Nhung", "Ta Ma", "Mùn Chung",
  "Nà Tòng", "Phình Sáng", "Mường Mùn", "Pú Xi",
]

# Các lực lượng, theo thứ tự ưu tiên khi một công dân được nhiều lực lượng nhận
# (quy tắc 3 "force_priority"). id là tên thư mục trong assignments/ và reports/NGÀY/.
# unit_label đặt tên đơn vị khi dòng không có cột Đơn vị: "Đoàn xã Ta Ma".

[[forces]]
id = "doan-thanh-nien"
name = "Đoàn Thanh niên"
unit_label = "Đoàn"
aliases = ["Đoàn TN", "ĐTN", "Đoàn thanh niên", "Đoàn"]

[[forces]]
id = "hoi-phu-nu"
name = "Hội Liên hiệp Phụ nữ"
unit_label = "Hội Phụ nữ"
aliases = ["Hội Phụ nữ", "Phụ nữ", "HLHPN", "Hội LHPN", "Chi hội phụ nữ"]

[[forces]]
id = "giao-duc"
name = "Giáo dục"
unit_label = "Giáo dục"
aliases = ["Trường", "Giáo viên", "Phòng Giáo dục", "Ngành giáo dục", "GD&ĐT"]

[[forces]]
id = "cong-an"
name = "Công an"
unit_label = "Công an"
aliases = ["CA", "Công an xã", "Công an thị trấn"]

# Tên cột bổ sung, theo từng trường (id, name, dob, gender, commune, village, address,
# phone, force, unit, officer, assigned_on, activated_on).
[aliases]
id = ["Số thẻ căn cước"]
"#;

/// The folders of a workspace, relative to it.
fn folders() -> Vec<String> {
    let mut folders: Vec<String> = [
        "master",
        "assignments",
        "assignments/overrides",
        "reports",
        "out",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    folders.extend(
        ["doan-thanh-nien", "hoi-phu-nu", "giao-duc", "cong-an"]
            .map(|id| format!("assignments/{id}")),
    );
    folders
}

/// Creates the workspace.
pub fn run(dir: &Path) -> Result<ExitStatus, Failure> {
    let settings_path = dir.join(SETTINGS_FILE);
    if settings_path.exists() {
        return Err(Failure::cannot_run(anyhow::anyhow!(
            "{} đã có; không ghi đè. Sửa tệp này hoặc chọn thư mục khác.",
            settings_path.display()
        )));
    }
    for folder in folders() {
        let path = dir.join(&folder);
        fs_err::create_dir_all(&path).map_err(Failure::cannot_run)?;
    }
    crate::fsio::write_new_file(&settings_path, TEMPLATE.as_bytes())
        .with_context(|| format!("không ghi được {}", settings_path.display()))
        .map_err(Failure::cannot_run)?;
    println!("Đã tạo thư mục làm việc {}:", dir.display());
    println!("  {SETTINGS_FILE}   cài đặt (sửa tên huyện, các xã, lực lượng, hạn hoàn thành)");
    println!("  master/             danh sách chưa kích hoạt do Công an cung cấp");
    println!("  assignments/<lực lượng>/   danh sách phân công cán bộ phụ trách");
    println!("  assignments/overrides/     quyết định xử lý trùng phân công");
    println!("  reports/NNNN-TT-NN/        báo cáo hằng ngày của các đơn vị");
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_valid_settings() {
        let settings =
            crate::settings::parse(TEMPLATE, SETTINGS_FILE).expect("the template parses");
        assert_eq!(settings.communes.len(), 19);
        assert_eq!(settings.forces.len(), 4);
        assert_eq!(settings.district, "Tuần Giáo");
        let ids: Vec<&str> = settings.forces.iter().map(|f| f.id.as_str()).collect();
        let folder_ids: Vec<String> = folders()
            .into_iter()
            .filter_map(|f| f.strip_prefix("assignments/").map(String::from))
            .collect();
        for id in ids {
            assert!(folder_ids.iter().any(|f| f == id), "a folder for {id}");
        }
    }
}
