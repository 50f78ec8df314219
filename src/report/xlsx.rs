//! Writing tables as workbooks a district office can print (SPEC §7): a title block in the
//! Vietnamese administrative style, frozen header rows, autofilter, widths that fit, IDs as text
//! without green triangles, dates as dd/mm/yyyy, percentages, status colours by conditional
//! formatting, A4 landscape fit to width with the header repeated on every page. The document's
//! creation time is fixed to the as-of date so a rerun gives the same bytes.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Chart, ChartAxisDateUnitType, ChartDataLabel, ChartDataLabelPosition, ChartLine,
    ChartLineDashType, ChartType, ConditionalFormatCell, ConditionalFormatCellRule, DocProperties,
    ExcelDateTime, Format, IgnoreError, Workbook, Worksheet, XlsxError,
};

use super::style::{Styles, fill};
use super::table::{Highlight, Table, Value};

/// Rows above a table's header: the title block.
const TITLE_ROWS: u32 = 8;
/// Sheets longer than this are written in constant-memory mode (a province's to-do list).
const CONSTANT_MEMORY_ROWS: usize = 20_000;
/// Rows of an Excel sheet (1,048,576): a longer table continues on sheets "… (2)", "… (3)".
const EXCEL_ROWS: u32 = 1 << 20;

/// What the title block says.
#[derive(Debug, Clone)]
pub struct Heading {
    pub agency: String,
    pub place: String,
    pub as_of: NaiveDate,
    pub cutoff: String,
    pub deadline: NaiveDate,
    pub days_left: i64,
    pub overdue_days: i64,
    pub provisional: bool,
}

/// A workbook being assembled.
pub struct Book {
    workbook: Workbook,
    styles: Styles,
    heading: Heading,
    /// Data rows one sheet holds under its title block and header (and above a totals row).
    rows_per_sheet: usize,
}

impl Book {
    /// A new workbook with its creation time fixed to the as-of date (deterministic bytes).
    pub fn new(heading: Heading) -> Result<Self, XlsxError> {
        let mut workbook = Workbook::new();
        let created = ExcelDateTime::from_ymd(
            heading.as_of.year() as u16,
            heading.as_of.month() as u8,
            heading.as_of.day() as u8,
        )?;
        let properties = DocProperties::new()
            .set_title("Báo cáo tiến độ kích hoạt tài khoản định danh điện tử mức 2")
            .set_author(&heading.agency)
            .set_creation_datetime(&created);
        workbook.set_properties(&properties);
        // Fast deflate: a province's lists are hundreds of thousands of rows, and level 1 saves
        // them several times faster than the default level 6 for a slightly larger file.
        workbook.set_zip_compression_level(1);
        Ok(Self {
            workbook,
            styles: Styles::default(),
            heading,
            rows_per_sheet: (EXCEL_ROWS - TITLE_ROWS - 2) as usize,
        })
    }

    /// Adds a table as a sheet, or as several when it is longer than an Excel sheet: "Chưa kích
    /// hoạt", "Chưa kích hoạt (2)", …, each with the title block and header, the STT running on,
    /// the totals on the last. Returns the last sheet's header row index (0-based) and last row.
    pub fn add_table(&mut self, table: &Table) -> Result<(u32, u32), XlsxError> {
        let widths = table.widths();
        let chunks: Vec<&[Vec<Value>]> = if table.rows.is_empty() {
            vec![&[]]
        } else {
            table.rows.chunks(self.rows_per_sheet).collect()
        };
        let parts = chunks.len();
        let mut range = (0, 0);
        for (index, rows) in chunks.into_iter().enumerate() {
            let last = index + 1 == parts;
            let (name, subtitle) = if parts == 1 {
                (table.sheet.clone(), table.subtitle.clone())
            } else {
                (
                    if index == 0 {
                        table.sheet.clone()
                    } else {
                        part_sheet_name(&table.sheet, index + 1)
                    },
                    format!("{} (phần {}/{parts})", table.subtitle, index + 1),
                )
            };
            let constant_memory = rows.len() > CONSTANT_MEMORY_ROWS;
            let part = Part {
                table,
                name: &name,
                subtitle: &subtitle,
                widths: &widths,
                rows,
                totals: if last { table.totals.as_ref() } else { None },
                constant_memory,
            };
            let sheet = if constant_memory {
                self.workbook.add_worksheet_with_constant_memory()?
            } else {
                self.workbook.add_worksheet()
            };
            range = write_table(sheet, &part, &self.styles, &self.heading)?;
        }
        Ok(range)
    }

    /// The worksheet most recently added.
    fn last_sheet(&mut self) -> Result<&mut Worksheet, XlsxError> {
        let count = self.workbook.worksheets().len();
        self.workbook.worksheet_from_index(count.saturating_sub(1))
    }

    /// Under the Tổng hợp table: the signature block, the daily series and the chart of the
    /// cumulative activations against the straight line to 100% at the deadline.
    pub fn add_summary_extras(
        &mut self,
        after_row: u32,
        width: u16,
        daily: &[(NaiveDate, u64)],
        target: u64,
    ) -> Result<(), XlsxError> {
        let heading = self.heading.clone();
        let styles = Styles::default();
        let sheet = self.last_sheet()?;
        let sign_row = after_row + 2;
        signature_block(sheet, &styles, &heading, sign_row, width)?;
        if daily.is_empty() {
            return Ok(());
        }
        let series_row = sign_row + 7;
        let last = daily_series(sheet, &styles, &heading, series_row, daily, target)?;
        let chart = progress_chart(&sheet.name(), &heading, series_row, last, daily[0].0);
        sheet.insert_chart(series_row, 5, &chart)?;
        Ok(())
    }

    /// The workbook's bytes.
    pub fn into_bytes(mut self) -> Result<Vec<u8>, XlsxError> {
        self.workbook.save_to_buffer()
    }
}

/// The title block of a sheet (agency, title, as-of line, provisional mark): one cell after the
/// other in the printed order.
fn write_title(
    sheet: &mut Worksheet,
    styles: &Styles,
    heading: &Heading,
    width: u16,
) -> Result<(), XlsxError> {
    let last = width.saturating_sub(1).max(5);
    let split = (last / 2).max(2);
    sheet.merge_range(
        0,
        0,
        0,
        split - 1,
        &heading.agency.to_uppercase(),
        &styles.agency,
    )?;
    sheet.merge_range(
        0,
        split,
        0,
        last,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        &styles.nation,
    )?;
    sheet.merge_range(
        1,
        split,
        1,
        last,
        "Độc lập - Tự do - Hạnh phúc",
        &styles.motto,
    )?;
    let dateline = format!(
        "{}, ngày {:02} tháng {:02} năm {}",
        heading.place,
        heading.as_of.day(),
        heading.as_of.month(),
        heading.as_of.year()
    );
    sheet.merge_range(2, split, 2, last, &dateline, &styles.dateline)?;
    sheet.merge_range(
        4,
        0,
        4,
        last,
        "BÁO CÁO TIẾN ĐỘ HƯỚNG DẪN KÍCH HOẠT TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2",
        &styles.title,
    )?;
    let as_of = format!(
        "Số liệu tính đến {} ngày {}",
        heading.cutoff,
        heading.as_of.format("%d/%m/%Y")
    );
    sheet.merge_range(5, 0, 5, last, &as_of, &styles.subtitle)?;
    let deadline = deadline_line(heading);
    if heading.provisional {
        sheet.merge_range(
            6,
            0,
            6,
            last,
            &format!("TẠM TÍNH (chưa đến giờ chốt số liệu) - {deadline}"),
            &styles.provisional,
        )?;
    } else {
        sheet.merge_range(6, 0, 6, last, &deadline, &styles.subtitle)?;
    }
    Ok(())
}

/// The deadline under the title: the days left, or the days overdue.
fn deadline_line(heading: &Heading) -> String {
    if heading.overdue_days > 0 {
        format!(
            "Hạn hoàn thành 100%: {} (đã quá hạn {} ngày)",
            heading.deadline.format("%d/%m/%Y"),
            heading.overdue_days
        )
    } else {
        format!(
            "Hạn hoàn thành 100%: {} (còn {} ngày)",
            heading.deadline.format("%d/%m/%Y"),
            heading.days_left
        )
    }
}

/// "NGƯỜI LẬP BIỂU" on the left, the agency's signature on the right, each with its note.
fn signature_block(
    sheet: &mut Worksheet,
    styles: &Styles,
    heading: &Heading,
    sign_row: u32,
    width: u16,
) -> Result<(), XlsxError> {
    let right = width.saturating_sub(1).max(4);
    let left_end = (right / 2).saturating_sub(1).max(1);
    sheet.merge_range(
        sign_row,
        0,
        sign_row,
        left_end,
        "NGƯỜI LẬP BIỂU",
        &styles.signature,
    )?;
    sheet.merge_range(
        sign_row,
        left_end + 1,
        sign_row,
        right,
        &format!("TM. {}", heading.agency.to_uppercase()),
        &styles.signature,
    )?;
    sheet.merge_range(
        sign_row + 1,
        0,
        sign_row + 1,
        left_end,
        "(Ký, ghi rõ họ tên)",
        &styles.signature_note,
    )?;
    sheet.merge_range(
        sign_row + 1,
        left_end + 1,
        sign_row + 1,
        right,
        "(Ký tên, đóng dấu)",
        &styles.signature_note,
    )?;
    Ok(())
}

/// The chart's data: one row per day from the first report day to the deadline (or the as-of date,
/// when later), with the day's count, the cumulative count and the straight plan line. Returns the
/// last row written.
fn daily_series(
    sheet: &mut Worksheet,
    styles: &Styles,
    heading: &Heading,
    series_row: u32,
    daily: &[(NaiveDate, u64)],
    target: u64,
) -> Result<u32, XlsxError> {
    sheet.set_row_height(series_row, 32)?;
    sheet.write_string_with_format(series_row, 0, "Ngày", &styles.header)?;
    sheet.write_string_with_format(series_row, 1, "Kích hoạt trong ngày", &styles.header)?;
    sheet.write_string_with_format(series_row, 2, "Lũy kế", &styles.header)?;
    sheet.write_string_with_format(series_row, 3, "Kế hoạch", &styles.header)?;
    let first = daily[0].0;
    let span = (heading.deadline - first).num_days().max(1) as f64;
    let mut cumulative = 0u64;
    let mut last = series_row;
    for (offset, day) in first
        .iter_days()
        .take_while(|d| *d <= heading.deadline.max(heading.as_of))
        .enumerate()
    {
        let row = series_row + 1 + offset as u32;
        let date = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
        sheet.write_datetime_with_format(row, 0, &date, &styles.date)?;
        if let Some((_, count)) = daily.iter().find(|(d, _)| *d == day) {
            cumulative += count;
            sheet.write_number_with_format(row, 1, *count as f64, &styles.count)?;
            sheet.write_number_with_format(row, 2, cumulative as f64, &styles.count)?;
        }
        let planned = (target as f64 * ((day - first).num_days() as f64 / span))
            .min(target as f64)
            .round();
        sheet.write_number_with_format(row, 3, planned, &styles.count)?;
        last = row;
    }
    Ok(last)
}

/// The cumulative line against the dashed plan line, with the deadline's point labelled and the
/// date axis labelled weekly.
fn progress_chart(
    name: &str,
    heading: &Heading,
    series_row: u32,
    last: u32,
    first: NaiveDate,
) -> Chart {
    let mut chart = Chart::new(ChartType::Line);
    chart
        .title()
        .set_name("Lũy kế số tài khoản đã kích hoạt so với kế hoạch");
    chart
        .add_series()
        .set_name("Lũy kế đã kích hoạt")
        .set_categories((name, series_row + 1, 0, last, 0))
        .set_values((name, series_row + 1, 2, last, 2))
        .set_format(ChartLine::new().set_color("#1F4E79").set_width(2.25));
    chart
        .add_series()
        .set_name("Kế hoạch đến hạn")
        .set_categories((name, series_row + 1, 0, last, 0))
        .set_values((name, series_row + 1, 3, last, 3))
        .set_format(
            ChartLine::new()
                .set_color("#C00000")
                .set_dash_type(ChartLineDashType::Dash),
        )
        .set_custom_data_labels(&deadline_label(first, heading.deadline));
    // A date axis with a weekly major unit: Excel and LibreOffice both label it every 7 days
    // (LibreOffice ignores a category axis's label interval).
    chart
        .x_axis()
        .set_date_axis(true)
        .set_num_format("dd/mm")
        .set_major_unit(7)
        .set_major_unit_date_type(ChartAxisDateUnitType::Days);
    chart.set_width(720).set_height(320);
    chart
}

/// Data labels of the plan line: hidden but on the deadline's point, which says "Hạn dd/mm/yyyy"
/// so the chart shows where the straight line reaches 100%.
fn deadline_label(first: NaiveDate, deadline: NaiveDate) -> Vec<ChartDataLabel> {
    let Ok(index) = usize::try_from((deadline - first).num_days()) else {
        return Vec::new();
    };
    let mut labels = vec![ChartDataLabel::new().set_hidden().to_custom(); index];
    labels.push(
        ChartDataLabel::new()
            .set_value(&format!("Hạn {}", deadline.format("%d/%m/%Y")))
            .set_position(ChartDataLabelPosition::Above)
            .to_custom(),
    );
    labels
}

/// The name of a continuation sheet: "Chưa kích hoạt (2)", within Excel's 31 characters.
fn part_sheet_name(sheet: &str, number: usize) -> String {
    let suffix = format!(" ({number})");
    let keep = 31 - suffix.chars().count();
    format!("{}{suffix}", sheet.chars().take(keep).collect::<String>())
}

/// The rows of a table that go on one sheet.
struct Part<'a> {
    table: &'a Table<'a>,
    name: &'a str,
    subtitle: &'a str,
    widths: &'a [f64],
    rows: &'a [Vec<Value<'a>>],
    totals: Option<&'a Vec<Value<'a>>>,
    /// Written in constant-memory mode: a row can no longer be changed once the next one starts.
    constant_memory: bool,
}

fn write_table(
    sheet: &mut Worksheet,
    part: &Part<'_>,
    styles: &Styles,
    heading: &Heading,
) -> Result<(u32, u32), XlsxError> {
    let table = part.table;
    sheet.set_name(part.name)?;
    let width = table.headers.len() as u16;
    for (col, chars) in part.widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *chars)?;
    }
    write_title(sheet, styles, heading, width)?;
    let header_row = TITLE_ROWS;
    sheet.merge_range(
        header_row - 1,
        0,
        header_row - 1,
        width.saturating_sub(1).max(5),
        part.subtitle,
        &styles.subtitle,
    )?;
    for (col, header) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(header_row, col as u16, header, &styles.header)?;
    }
    sheet.set_row_height(header_row, 48)?;
    write_rows(
        sheet,
        header_row + 1,
        part.rows,
        styles,
        false,
        part.constant_memory,
    )?;
    let mut row = header_row + part.rows.len() as u32;
    if let Some(totals) = part.totals {
        row += 1;
        write_rows(
            sheet,
            row,
            std::slice::from_ref(totals),
            styles,
            true,
            part.constant_memory,
        )?;
    }
    let last_data = row.max(header_row);
    sheet.set_freeze_panes(header_row + 1, 0)?;
    sheet.autofilter(header_row, 0, last_data, width.saturating_sub(1))?;
    sheet
        .set_landscape()
        .set_paper_size(9)
        .set_print_fit_to_pages(1, 0)
        .set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
    sheet.set_repeat_rows(header_row, header_row)?;
    sheet.set_footer("&CTrang &P/&N");
    let id_columns: Vec<u16> = (0..width)
        .filter(|&c| {
            part.rows
                .iter()
                .any(|r| matches!(r.get(c as usize), Some(Value::Id(_))))
        })
        .collect();
    for col in id_columns {
        sheet.ignore_error_range(
            header_row + 1,
            col,
            last_data,
            col,
            IgnoreError::NumberStoredAsText,
        )?;
    }
    for (col, highlight) in &table.highlights {
        add_highlight(sheet, header_row + 1, last_data, *col as u16, *highlight)?;
    }
    Ok((header_row, last_data))
}

/// Writes table rows. rust_xlsxwriter finds a cell's style by hashing its whole `Format`, which was
/// the largest single cost of writing a province's lists; so the values are written first, and then
/// each block of cells with one style (a run of neighbouring cells, over the following rows that
/// are styled alike) is styled by one [`Worksheet::set_range_format`] call. The blocks are styled in
/// row order and left to right, so each style gets the index, and the file the bytes, it gets when
/// cells are styled one by one: a style first met at a row and column is first met in the block
/// that starts in that row, after the blocks to its left.
///
/// A constant-memory sheet has written out the rows before the current one, so its blocks are one
/// row high. A row with no value at all is styled cell by cell (a constant-memory sheet starts its
/// next row only when a value arrives, and a blank cell marks the sheet's used range). Styling alone
/// does not widen the used range: the header row above marks every column of it.
fn write_rows(
    sheet: &mut Worksheet,
    first_row: u32,
    rows: &[Vec<Value>],
    styles: &Styles,
    total: bool,
    one_row_blocks: bool,
) -> Result<(), XlsxError> {
    let style_of = |value: &Value| style_of(value, styles, total);
    let styled_alike = |a: &[Value], b: &[Value]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(a, b)| std::ptr::eq(style_of(a), style_of(b)))
    };
    let mut start = 0;
    while start < rows.len() {
        let top = first_row + start as u32;
        let values = &rows[start];
        if !values.iter().any(Value::is_written) {
            for (col, value) in values.iter().enumerate() {
                sheet.write_blank(top, col as u16, style_of(value))?;
            }
            start += 1;
            continue;
        }
        let mut end = start + 1;
        while !one_row_blocks
            && end < rows.len()
            && rows[end].iter().any(Value::is_written)
            && styled_alike(values, &rows[end])
        {
            end += 1;
        }
        for (offset, block_row) in rows[start..end].iter().enumerate() {
            write_values(sheet, top + offset as u32, block_row)?;
        }
        let bottom = first_row + end as u32 - 1;
        let mut first = 0;
        while first < values.len() {
            let style = style_of(&values[first]);
            let last = first
                + values[first + 1..]
                    .iter()
                    .take_while(|value| std::ptr::eq(style_of(value), style))
                    .count();
            sheet.set_range_format(top, first as u16, bottom, last as u16, style)?;
            first = last + 1;
        }
        start = end;
    }
    Ok(())
}

/// The style of a table cell (the totals row has its own, in bold).
fn style_of<'s>(value: &Value, styles: &'s Styles, total: bool) -> &'s Format {
    match (value, total) {
        (Value::Empty | Value::Percent(None) | Value::Date(None) | Value::Text(_), false) => {
            &styles.text
        }
        (Value::Empty | Value::Percent(None) | Value::Date(None) | Value::Text(_), true) => {
            &styles.total_text
        }
        (Value::Id(_), _) => &styles.id,
        (Value::Count(_), false) => &styles.count,
        (Value::Count(_), true) => &styles.total_count,
        (Value::Decimal(_), _) => &styles.decimal,
        (Value::Percent(Some(_)), false) => &styles.percent,
        (Value::Percent(Some(_)), true) => &styles.total_percent,
        (Value::Date(Some(_)), _) => &styles.date,
    }
}

/// Writes a row's values without their styles; a blank value writes nothing.
fn write_values(sheet: &mut Worksheet, row: u32, values: &[Value]) -> Result<(), XlsxError> {
    for (col, value) in values.iter().enumerate() {
        let col = col as u16;
        match value {
            Value::Empty | Value::Percent(None) | Value::Date(None) => {}
            // rust_xlsxwriter writes nothing for an empty text: its style makes the blank cell.
            Value::Text(content) | Value::Id(content) => {
                sheet.write_string(row, col, excel_text(content))?;
            }
            Value::Count(n) => {
                sheet.write_number(row, col, *n as f64)?;
            }
            Value::Decimal(x) | Value::Percent(Some(x)) => {
                sheet.write_number(row, col, *x)?;
            }
            Value::Date(Some(day)) => {
                let date =
                    ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
                sheet.write_datetime(row, col, &date)?;
            }
        }
    }
    Ok(())
}

/// Excel holds at most 32,767 characters in a cell; a longer input value (a hostile or broken file)
/// is cut rather than failing the whole workbook.
fn excel_text(text: &str) -> &str {
    const EXCEL_CELL_CHARS: usize = 32_767;
    // A text of at most that many bytes has at most that many characters: nothing to count.
    if text.len() <= EXCEL_CELL_CHARS {
        return text;
    }
    match text.char_indices().nth(EXCEL_CELL_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

fn add_highlight(
    sheet: &mut Worksheet,
    first: u32,
    last: u32,
    col: u16,
    highlight: Highlight,
) -> Result<(), XlsxError> {
    if last < first {
        return Ok(());
    }
    let text_rule = |text: &str, color: &str| {
        ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo(format!("\"{text}\"")))
            .set_format(fill(color))
    };
    match highlight {
        Highlight::Status => {
            for shown in crate::reconcile::metrics::Shown::ALL {
                sheet.add_conditional_format(
                    first,
                    col,
                    last,
                    col,
                    &text_rule(shown.label(), shown.colours().0),
                )?;
            }
        }
        Highlight::NoReport => {
            sheet.add_conditional_format(first, col, last, col, &text_rule("Không", "#FFC7CE"))?;
        }
        Highlight::ZeroStreak(days) => {
            let rule = ConditionalFormatCell::new()
                .set_rule(ConditionalFormatCellRule::GreaterThanOrEqualTo(days as f64))
                .set_format(fill("#F8CBAD"));
            sheet.add_conditional_format(first, col, last, col, &rule)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_longer_than_a_sheet_continues_on_numbered_sheets() {
        use calamine::Reader;
        let heading = Heading {
            agency: "Công an huyện Tuần Giáo".into(),
            place: "Tuần Giáo".into(),
            as_of: NaiveDate::from_ymd_opt(2024, 1, 15).expect("date"),
            cutoff: "20 giờ 00".into(),
            deadline: NaiveDate::from_ymd_opt(2024, 2, 5).expect("date"),
            days_left: 21,
            overdue_days: 0,
            provisional: false,
        };
        let mut book = Book::new(heading).expect("book");
        book.rows_per_sheet = 4;
        let mut table = Table::new("Chưa kích hoạt", "Danh sách", vec!["STT", "Số định danh"]);
        for n in 1..=10u64 {
            table.rows.push(vec![
                Value::Count(n),
                Value::Id(format!("0110900{n:05}").into()),
            ]);
        }
        table.totals = Some(vec![Value::from("Tổng"), Value::Count(10)]);
        book.add_table(&table).expect("written");
        let bytes = book.into_bytes().expect("saved");
        let mut workbook =
            calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("our workbook reads back");
        assert_eq!(
            workbook.sheet_names(),
            ["Chưa kích hoạt", "Chưa kích hoạt (2)", "Chưa kích hoạt (3)"]
        );
        let first_column = |range: &calamine::Range<calamine::Data>| -> Vec<String> {
            range
                .rows()
                .skip(TITLE_ROWS as usize + 1)
                .map(|r| r[0].to_string())
                .collect()
        };
        let third = workbook
            .worksheet_range("Chưa kích hoạt (3)")
            .expect("third");
        assert_eq!(first_column(&third), ["9", "10", "Tổng"]);
        let first = workbook.worksheet_range("Chưa kích hoạt").expect("first");
        assert_eq!(first_column(&first), ["1", "2", "3", "4"]);
        assert_eq!(
            part_sheet_name("Báo cáo bất thường của các lực lượng", 12)
                .chars()
                .count(),
            31
        );
    }

    #[test]
    fn overlong_cell_text_is_cut_at_excels_limit() {
        let long = "ạ".repeat(40_000);
        assert_eq!(excel_text(&long).chars().count(), 32_767);
        assert_eq!(excel_text("Lò Văn An"), "Lò Văn An");
    }

    /// The old way, kept as the reference: every cell written with its style.
    fn write_cell_by_cell(
        sheet: &mut Worksheet,
        first_row: u32,
        rows: &[Vec<Value>],
        styles: &Styles,
        total: bool,
    ) {
        for (offset, values) in rows.iter().enumerate() {
            let row = first_row + offset as u32;
            for (col, value) in values.iter().enumerate() {
                let (col, style) = (col as u16, style_of(value, styles, total));
                match value {
                    Value::Empty | Value::Percent(None) | Value::Date(None) => {
                        sheet.write_blank(row, col, style)
                    }
                    Value::Text(text) | Value::Id(text) => {
                        sheet.write_string_with_format(row, col, excel_text(text), style)
                    }
                    Value::Count(n) => sheet.write_number_with_format(row, col, *n as f64, style),
                    Value::Decimal(x) | Value::Percent(Some(x)) => {
                        sheet.write_number_with_format(row, col, *x, style)
                    }
                    Value::Date(Some(day)) => {
                        let date = ExcelDateTime::from_ymd(
                            day.year() as u16,
                            day.month() as u8,
                            day.day() as u8,
                        )
                        .expect("date");
                        sheet.write_datetime_with_format(row, col, &date, style)
                    }
                }
                .expect("cell written");
            }
        }
    }

    /// A workbook of one sheet holding a header over `width` columns, the rows and a totals row,
    /// written by `write` (deterministic bytes).
    fn sheet_bytes(
        constant_memory: bool,
        width: usize,
        rows: &[Vec<Value>],
        totals: &[Value],
        write: impl Fn(&mut Worksheet, u32, &[Vec<Value>], bool),
    ) -> Vec<u8> {
        let mut workbook = Workbook::new();
        let created = ExcelDateTime::from_ymd(2024, 1, 15).expect("date");
        workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
        let styles = Styles::default();
        let sheet = if constant_memory {
            workbook
                .add_worksheet_with_constant_memory()
                .expect("sheet")
        } else {
            workbook.add_worksheet()
        };
        for col in 0..width {
            sheet
                .write_string_with_format(0, col as u16, "Cột", &styles.header)
                .expect("header");
        }
        write(sheet, 1, rows, false);
        write(
            sheet,
            rows.len() as u32 + 1,
            std::slice::from_ref(&totals.to_vec()),
            true,
        );
        workbook.save_to_buffer().expect("saved")
    }

    fn any_value() -> impl proptest::strategy::Strategy<Value = Value<'static>> {
        use proptest::prelude::*;
        let day = (1u32..=28).prop_map(|d| NaiveDate::from_ymd_opt(2024, 1, d));
        prop_oneof![
            Just(Value::Empty),
            Just(Value::Text("".into())),
            "[a-cạ]{1,3}".prop_map(|t| Value::Text(t.into())),
            "0[0-9]{2}".prop_map(|t| Value::Id(t.into())),
            (0u64..5).prop_map(Value::Count),
            (0.0f64..2.0).prop_map(Value::Decimal),
            proptest::option::of(0.0f64..1.0).prop_map(Value::Percent),
            proptest::option::of(day.prop_map(|d| d.expect("day"))).prop_map(Value::Date),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Styling blocks after the values gives the same file as styling every cell: the same
        /// style indices, in both sheet modes, whatever the mix of values, blanks and row shapes.
        #[test]
        fn styling_by_blocks_writes_the_bytes_of_styling_cell_by_cell(
            width in 1usize..6,
            cells in proptest::collection::vec(any_value(), 0..60),
            totals in proptest::collection::vec(any_value(), 1..6),
            constant_memory: bool,
        ) {
            // Rows of the same width (a table's), from a flat list of values; a few repeated rows
            // make blocks of several rows.
            let mut rows: Vec<Vec<Value>> = cells.chunks(width).filter(|r| r.len() == width).map(<[_]>::to_vec).collect();
            if let Some(first) = rows.first().cloned() {
                rows.splice(0..0, [first.clone(), first]);
            }
            let totals: Vec<Value> = totals.into_iter().cycle().take(width).collect();
            let styles = Styles::default();
            let by_blocks = sheet_bytes(constant_memory, width, &rows, &totals, |sheet, row, rows, total| {
                write_rows(sheet, row, rows, &styles, total, constant_memory).expect("rows written");
            });
            let by_cells = sheet_bytes(constant_memory, width, &rows, &totals, |sheet, row, rows, total| {
                write_cell_by_cell(sheet, row, rows, &styles, total);
            });
            proptest::prop_assert!(by_blocks == by_cells);
        }
    }
}
