//! `vneid-recon init DIR`: a new workspace with a commented settings file and the folders of
//! SPEC §3. Never overwrites an existing settings file.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;

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

/// The template's deadline line: the example's date, which a new office must not inherit (its
/// first chat text would say "overdue by a thousand days").
const TEMPLATE_DEADLINE: &str = "deadline = 2024-02-05";

/// The deadline: `--han`, else asked on a console, else none (the settings say to fill it in).
fn deadline(given: Option<&str>) -> Result<Option<NaiveDate>, Failure> {
    if let Some(text) = given {
        return crate::pipeline::parse_date(text)
            .map(Some)
            .map_err(|message| Failure::usage(anyhow::anyhow!("--han: {message}")));
    }
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    loop {
        print!("Hạn hoàn thành 100% chỉ tiêu (ví dụ 31/12/2026; Enter để điền sau): ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        if std::io::stdin().read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            return Ok(None);
        }
        match crate::pipeline::parse_date(line.trim()) {
            Ok(day) => return Ok(Some(day)),
            Err(message) => println!("{message}"),
        }
    }
}

/// The settings file for a new workspace: the template, its deadline the office's or none.
fn settings_text(deadline: Option<NaiveDate>) -> String {
    let line = match deadline {
        Some(day) => format!("deadline = {}", day.format("%Y-%m-%d")),
        None => format!(
            "# {TEMPLATE_DEADLINE}   ← ĐIỀN HẠN của đơn vị rồi bỏ dấu # ở đầu dòng (bắt buộc trước khi chạy)"
        ),
    };
    TEMPLATE.replacen(TEMPLATE_DEADLINE, &line, 1)
}

/// Creates the workspace.
pub fn run(dir: &Path, given_deadline: Option<&str>) -> Result<ExitStatus, Failure> {
    let settings_path = dir.join(SETTINGS_FILE);
    if settings_path.exists() {
        return Err(Failure::cannot_run(anyhow::anyhow!(
            "{} đã có; không ghi đè. Sửa tệp này hoặc chọn thư mục khác.",
            settings_path.display()
        )));
    }
    let deadline = deadline(given_deadline)?;
    for folder in folders(dir) {
        fs_err::create_dir_all(&folder).map_err(Failure::cannot_run)?;
    }
    crate::fsio::write_new_file(&settings_path, settings_text(deadline).as_bytes())
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
    match deadline {
        Some(day) => println!(
            "  1. Mở {} và sửa: tên huyện (tỉnh), danh sách xã, các lực lượng (hạn hoàn thành đã \
             ghi: {}).",
            settings_path.display(),
            day.format("%d/%m/%Y")
        ),
        None => println!(
            "  1. Mở {} và sửa: tên huyện (tỉnh), danh sách xã, các lực lượng, và ĐIỀN HẠN hoàn \
             thành ở dòng deadline (chưa có hạn thì chưa chạy tổng hợp được).",
            settings_path.display()
        ),
    }
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
    fn a_new_workspace_gets_the_office_deadline_or_none() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 31).expect("day");
        let given = crate::settings::parse(&settings_text(Some(day)), SETTINGS_FILE)
            .expect("parses with the office's deadline");
        assert_eq!(given.deadline, day);
        let error = crate::settings::parse(&settings_text(None), SETTINGS_FILE)
            .expect_err("no deadline: the settings say to fill it in");
        assert!(format!("{error:#}").contains("deadline"), "{error:#}");
        assert!(
            TEMPLATE.contains(TEMPLATE_DEADLINE),
            "the line replaced is the template's"
        );
    }

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
