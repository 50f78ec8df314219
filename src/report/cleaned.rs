//! The cleaned copy `check --fixed OUT.xlsx` writes: the rows without problems, ready to send, and a
//! sheet listing every problem with file, sheet and row.

use super::table::header;
use std::collections::HashSet;

use chrono::NaiveDate;
use rust_xlsxwriter::{Workbook, XlsxError};

use crate::ingest::FileReport;

/// A row the check found a problem in, as the cleaned copy lists it (given as data by the
/// command: the report layer does not know the check's rules).
pub struct Flagged<'a> {
    pub file: &'a str,
    pub sheet: &'a str,
    pub row: u32,
    /// The check's Vietnamese sentence.
    pub message: &'a str,
}

/// The cleaned workbook's bytes.
pub fn cleaned_copy(
    reports: &[FileReport],
    problems: &[Flagged<'_>],
    date: NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let flagged: HashSet<(&str, &str, u32)> =
        problems.iter().map(|p| (p.file, p.sheet, p.row)).collect();
    let mut workbook = Workbook::new();
    let super::style::PlainStyles { bold, text } = super::style::PlainStyles::default();
    let sheet = workbook.add_worksheet().set_name("Báo cáo")?;
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "DANH SÁCH CÔNG DÂN ĐÃ KÍCH HOẠT NGÀY {}",
            date.format("%d/%m/%Y")
        ),
        &bold,
    )?;
    let headers = [
        header::NO,
        header::NAME,
        header::ID,
        "Xã",
        "Lực lượng",
        "Đơn vị",
        "Cán bộ phụ trách",
    ];
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *header, &bold)?;
    }
    let mut row = 2u32;
    for report in reports {
        for input in &report.rows {
            let sheet_name = report.sheet_name(input);
            if flagged.contains(&(report.path.as_str(), sheet_name, input.row)) {
                continue;
            }
            row += 1;
            let fields = &input.fields;
            sheet.write_number(row, 0, f64::from(row - 2))?;
            sheet.write_string(row, 1, fields.name.as_deref().unwrap_or(""))?;
            sheet.write_string_with_format(row, 2, input.id.to_string(), &text)?;
            for (col, value) in [
                (3, &fields.commune),
                (4, &fields.force),
                (5, &fields.unit),
                (6, &fields.officer),
            ] {
                sheet.write_string(row, col, value.as_deref().unwrap_or(""))?;
            }
        }
    }
    sheet
        .set_column_width(1, 26)?
        .set_column_width(2, 18)?
        .set_column_width(5, 28)?
        .set_column_width(6, 24)?;
    let list = workbook.add_worksheet().set_name("Vấn đề")?;
    for (col, header) in ["Tệp", "Trang", "Dòng", "Vấn đề"].iter().enumerate() {
        list.write_string_with_format(0, col as u16, *header, &bold)?;
    }
    for (index, problem) in problems.iter().enumerate() {
        let r = index as u32 + 1;
        list.write_string(r, 0, problem.file)?;
        list.write_string(r, 1, problem.sheet)?;
        list.write_number(r, 2, f64::from(problem.row))?;
        list.write_string(r, 3, problem.message)?;
    }
    list.set_column_width(0, 40)?.set_column_width(3, 80)?;
    workbook.save_to_buffer()
}
