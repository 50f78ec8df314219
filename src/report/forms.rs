//! The per-unit daily report forms of `split`: each unit's remaining citizens with officer, village
//! and phone, laid out as the daily report, with a "Đã kích hoạt" column (a drop-down of "x") and the
//! activation date. A filled-in form dropped into `reports/D/` is read as that unit's claims for the
//! marked rows only: its Lực lượng and Đơn vị columns are pre-filled, and unmarked rows are skipped.

use super::layout::FORMS;
use super::table::header;
use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Workbook, Worksheet, XlsxError,
};

use super::style::FormStyles;
use super::{OutputFile, RunData};
use crate::ix::UnitIx;
use crate::normalize::text::fold;

/// The form's header row (0-based), under a short title block.
const HEADER_ROW: u32 = 5;

/// The column headers, which the reader recognises as a report.
pub const HEADERS: [&str; 11] = [
    header::NO,
    header::ID,
    header::NAME,
    "Ngày sinh",
    "Thôn, bản",
    "Số điện thoại",
    "Lực lượng",
    "Đơn vị",
    "Cán bộ phụ trách",
    "Đã kích hoạt",
    "Ngày kích hoạt",
];

/// An ASCII file name for a unit: "Đoàn xã Ta Ma" → "doan-xa-ta-ma".
pub fn slug(name: &str) -> String {
    let slug: String = fold(name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if slug.is_empty() {
        "don-vi".to_string()
    } else {
        slug
    }
}

/// One form per unit with remaining citizens, as `don-vi/<force-id>/<unit>.xlsx`.
pub fn unit_forms(data: &RunData<'_>) -> Result<Vec<OutputFile>, XlsxError> {
    let counted = data.claims.counted_ids();
    let mut by_unit: BTreeMap<UnitIx, Vec<&crate::assign::master::Citizen>> = BTreeMap::new();
    for citizen in data
        .master
        .citizens
        .iter()
        .filter(|c| !counted.contains(&c.id))
    {
        if let Some(winner) = data.assignments.winners.get(&citizen.id) {
            by_unit.entry(winner.unit).or_default().push(citizen);
        }
    }
    let mut files = Vec::new();
    let mut used_names = HashSet::new();
    for (unit, citizens) in by_unit {
        let unit_info = data.units.get(unit);
        let force = data.settings.force(unit_info.force);
        let mut name = format!("{FORMS}/{}/{}.xlsx", force.id, slug(&unit_info.name));
        if !used_names.insert(name.clone()) {
            name = format!(
                "{FORMS}/{}/{}-{}.xlsx",
                force.id,
                slug(&unit_info.name),
                unit.get()
            );
            used_names.insert(name.clone());
        }
        files.push((name, unit_form(data, unit, &citizens)?));
    }
    Ok(files)
}

fn unit_form(
    data: &RunData<'_>,
    unit: UnitIx,
    citizens: &[&crate::assign::master::Citizen],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let day = data.as_of;
    let created = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
    workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let styles = super::style::FormStyles::default();
    let sheet = workbook.add_worksheet().set_name("Báo cáo")?;
    form_heading(sheet, &styles, &data.units.get(unit).name, day)?;
    let last = form_rows(sheet, &styles, data, unit, citizens)?;
    if last > HEADER_ROW {
        form_validation(sheet, last)?;
    }
    form_layout(sheet)?;
    workbook.save_to_buffer()
}

/// The unit's name, the form's title with its day, the instruction and the header row.
fn form_heading(
    sheet: &mut Worksheet,
    styles: &FormStyles,
    unit_name: &str,
    day: NaiveDate,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, unit_name.to_uppercase(), &styles.title)?;
    sheet.write_string_with_format(
        2,
        0,
        format!(
            "DANH SÁCH CÔNG DÂN ĐƯỢC HƯỚNG DẪN KÍCH HOẠT NGÀY {}",
            day.format("%d/%m/%Y")
        ),
        &styles.title,
    )?;
    sheet.write_string(3, 0, "Đánh dấu x vào cột \"Đã kích hoạt\" cho công dân đã kích hoạt thành công; gửi Công an xã trước 17 giờ.")?;
    for (col, text) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, col as u16, *text, &styles.header)?;
    }
    Ok(())
}

/// One row per remaining citizen, with the "Đã kích hoạt" and date cells left to fill. Returns the
/// last row written.
fn form_rows(
    sheet: &mut Worksheet,
    styles: &FormStyles,
    data: &RunData<'_>,
    unit: UnitIx,
    citizens: &[&crate::assign::master::Citizen],
) -> Result<u32, XlsxError> {
    let unit_info = data.units.get(unit);
    let force = data.settings.force(unit_info.force);
    let mut row = HEADER_ROW;
    for (index, citizen) in citizens.iter().enumerate() {
        row += 1;
        let officer = data
            .assignments
            .winners
            .get(&citizen.id)
            .map_or("", |w| &*w.officer);
        sheet.write_number_with_format(row, 0, index as f64 + 1.0, &styles.cell)?;
        sheet.write_string_with_format(row, 1, citizen.id.to_string(), &styles.id)?;
        let texts = [
            citizen.name.clone().unwrap_or_default(),
            citizen.dob.map(|d| d.display()).unwrap_or_default(),
            citizen.village.clone().unwrap_or_default(),
            citizen.phone.clone().unwrap_or_default(),
            force.name.clone(),
            unit_info.name.clone(),
            officer.to_string(),
        ];
        for (offset, text) in texts.iter().enumerate() {
            // The phone column is text: a leading 0 must survive.
            let format = if offset == 3 {
                &styles.id
            } else {
                &styles.cell
            };
            sheet.write_string_with_format(row, 2 + offset as u16, text, format)?;
        }
        sheet.write_blank(row, 9, &styles.cell)?;
        sheet.write_blank(row, 10, &styles.date)?;
    }
    Ok(row)
}

/// The "Đã kích hoạt" drop-down of "x", the date validation and no number-as-text warnings.
fn form_validation(sheet: &mut Worksheet, last: u32) -> Result<(), XlsxError> {
    let mark = DataValidation::new()
        .allow_list_strings(&["x"])?
        .set_input_message("Gõ x nếu công dân đã kích hoạt")?;
    sheet.add_data_validation(HEADER_ROW + 1, 9, last, 9, &mark)?;
    let first = ExcelDateTime::from_ymd(2020, 1, 1)?;
    let dates = DataValidation::new().allow_date(DataValidationRule::GreaterThanOrEqualTo(first));
    sheet.add_data_validation(HEADER_ROW + 1, 10, last, 10, &dates)?;
    sheet.ignore_error_range(
        HEADER_ROW + 1,
        1,
        last,
        5,
        rust_xlsxwriter::IgnoreError::NumberStoredAsText,
    )?;
    Ok(())
}

/// Column widths, frozen header, A4 landscape fit to width, the header repeated on every page.
fn form_layout(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    for (col, width) in [
        6.0, 18.0, 26.0, 12.0, 16.0, 14.0, 18.0, 26.0, 24.0, 10.0, 13.0,
    ]
    .into_iter()
    .enumerate()
    {
        sheet.set_column_width(col as u16, width)?;
    }
    sheet.set_freeze_panes(HEADER_ROW + 1, 0)?;
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_file_names_are_ascii() {
        assert_eq!(slug("Đoàn xã Ta Ma"), "doan-xa-ta-ma");
        assert_eq!(slug("Trường THCS Quài Cang"), "truong-thcs-quai-cang");
        assert_eq!(slug("???"), "don-vi");
    }
}
