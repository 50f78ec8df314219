//! `vneid-recon init DIR`: a new workspace with a commented settings file and the folders of
//! SPEC §3. Never overwrites an existing settings file.

use std::path::Path;

use anyhow::Context;

use super::{ExitStatus, Failure};
use crate::settings::{SETTINGS_FILE, TEMPLATE};

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
    // One assignments folder per force of the template written.
    if let Ok(settings) = crate::settings::parse(TEMPLATE, SETTINGS_FILE) {
        folders.extend(
            settings
                .forces
                .iter()
                .map(|force| format!("assignments/{}", force.id)),
        );
    }
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
