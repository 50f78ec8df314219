//! `vneid-recon init DIR`: a new workspace with a commented settings file and the folders of
//! SPEC §3. Never overwrites an existing settings file.

use std::path::Path;

use anyhow::Context;

use super::{ExitStatus, Failure};
use crate::settings::{SETTINGS_FILE, TEMPLATE};

/// The folders of a new workspace: SPEC §3's, with one assignments folder per force of the
/// template written.
fn folders(dir: &Path) -> Vec<std::path::PathBuf> {
    let settings = crate::settings::parse(TEMPLATE, SETTINGS_FILE).ok();
    let ids: Vec<&str> = settings
        .iter()
        .flat_map(|s| s.forces.iter().map(|f| f.id.as_str()))
        .collect();
    crate::workspace::Workspace::new(dir).skeleton(&ids)
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
    for folder in folders(dir) {
        fs_err::create_dir_all(&folder).map_err(Failure::cannot_run)?;
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
    println!();
    println!("Việc tiếp theo:");
    println!(
        "  1. Mở {} và sửa: tên huyện (tỉnh), danh sách xã, các lực lượng, và hạn hoàn thành \
         (deadline; mẫu đang ghi hạn của Tuần Giáo 05/02/2024).",
        settings_path.display()
    );
    println!(
        "  2. Chép danh sách chưa kích hoạt của Công an vào master/, danh sách phân công vào assignments/<lực lượng>/."
    );
    println!(
        "  3. Tạo phiếu báo cáo cho các đơn vị: vneid-recon split -w {}",
        dir.display()
    );
    println!(
        "  4. Mỗi tối (20:00) tổng hợp: vneid-recon run -w {}",
        dir.display()
    );
    println!(
        "  Hoặc mở trang văn phòng: vneid-recon serve -w {}",
        dir.display()
    );
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
        let dir = Path::new("/ws");
        let folder_ids: Vec<String> = folders(dir)
            .into_iter()
            .filter_map(|f| {
                let inside = f.strip_prefix(dir.join("assignments")).ok()?;
                Some(inside.to_string_lossy().into_owned())
            })
            .collect();
        for id in ids {
            assert!(folder_ids.iter().any(|f| f == id), "a folder for {id}");
        }
    }
}
