//! `vneid-recon inspect FILE…`: the tool's window on SPEC §4-§5. For each file and sheet, the header
//! row, the column mapping, the four row counts, each rejected row with its reason and the warnings,
//! as Vietnamese text or as JSON.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{ExitStatus, Failure};
use crate::ingest::aliases::AliasTable;
use crate::ingest::{FileReport, SheetReport};
use crate::pipeline::jobs::load_settings;
use crate::settings::SETTINGS_FILE;

#[derive(Serialize)]
struct InspectOutput<'a> {
    files: &'a [FileReport],
}

/// Inspects the files; exit 1 when one of them could not be read.
pub fn run(
    files: &[PathBuf],
    date: Option<NaiveDate>,
    workspace: Option<&Path>,
    json: bool,
) -> Result<ExitStatus, Failure> {
    let aliases = match workspace {
        Some(dir) => AliasTable::new(&load_settings(dir)?.aliases),
        None if Path::new(SETTINGS_FILE).exists() => {
            AliasTable::new(&load_settings(Path::new("."))?.aliases)
        }
        None => AliasTable::default(),
    };
    let as_of_year = date.unwrap_or_else(crate::today_in_vietnam).year();
    let options = super::knobs_from_env().read_options;
    let reports = crate::pipeline::read_files(files, &aliases, as_of_year, &options);
    if json {
        let text = serde_json::to_string_pretty(&InspectOutput { files: &reports })
            .map_err(Failure::cannot_run)?;
        println!("{text}");
    } else {
        for report in &reports {
            print!("{}", describe_file(report));
        }
    }
    let unreadable = reports.iter().any(FileReport::is_unreadable);
    Ok(if unreadable {
        ExitStatus::Partial
    } else {
        ExitStatus::Success
    })
}

fn describe_file(report: &FileReport) -> String {
    let mut out = String::new();
    if let (Some(code), Some(message)) = (report.error, &report.message) {
        out.push_str(&format!(
            "{}: KHÔNG ĐỌC ĐƯỢC ({code}): {message}\n",
            report.path
        ));
        return out;
    }
    out.push_str(&format!(
        "{} ({})\n",
        report.path,
        report.format.unwrap_or("?")
    ));
    for sheet in &report.sheets {
        out.push_str(&describe_sheet(sheet));
    }
    out
}

fn describe_sheet(sheet: &SheetReport) -> String {
    let mut out = format!("  Trang \"{}\": ", sheet.name);
    match (sheet.skipped_reason, sheet.header_row) {
        (Some("empty"), _) => out.push_str("trang trống, bỏ qua\n"),
        (Some("no_header"), _) => out.push_str(
            "không tìm thấy dòng tiêu đề có cột số định danh trong 30 dòng đầu, bỏ qua\n",
        ),
        (Some(_), _) => out.push_str(&format!(
            "trang hỏng, không đọc được ({})\n",
            sheet.detail.as_deref().unwrap_or("")
        )),
        (None, header_row) => {
            let columns: Vec<String> = sheet
                .columns
                .iter()
                .map(|(field, column)| format!("{}={column}", field.code()))
                .collect();
            out.push_str(&format!(
                "dòng tiêu đề {}; cột: {}\n",
                header_row.unwrap_or(0),
                columns.join(", ")
            ));
            out.push_str(&format!(
                "    đọc {} dòng = nhận {} + loại {} + bỏ qua {}",
                sheet.read, sheet.accepted, sheet.rejected, sheet.skipped
            ));
            if sheet.ids_padded > 0 {
                out.push_str(&format!(
                    "; {} số định danh lưu dạng số đã được bổ sung số 0 đầu",
                    sheet.ids_padded
                ));
            }
            out.push('\n');
            if sheet.merge_filled > 0 {
                out.push_str(&format!(
                    "    {} ô lấy giá trị của ô gộp phía trên (ô gộp theo chiều dọc)\n",
                    sheet.merge_filled
                ));
            }
            if sheet.accepted > 0 {
                let values: Vec<String> = sheet
                    .values
                    .iter()
                    .map(|(field, count)| format!("{}={count}", field.code()))
                    .collect();
                out.push_str(&format!(
                    "    số dòng nhận có giá trị theo cột: {}\n",
                    values.join(", ")
                ));
            }
            for reject in &sheet.rejects {
                out.push_str(&format!(
                    "    loại dòng {}, cột {}, giá trị \"{}\": {} ({})\n",
                    reject.row,
                    reject.column,
                    reject.value,
                    reject.reason.explanation(),
                    reject.reason.code()
                ));
            }
            for warning in &sheet.warnings {
                out.push_str(&format!(
                    "    cảnh báo dòng {}, cột {}: {} ({})\n",
                    warning.row,
                    warning.column,
                    warning.code.explanation(),
                    warning.code.code()
                ));
            }
        }
    }
    out
}
