//! Every format of every workbook the tool writes, defined once: the district and force workbooks
//! (title block, tables, totals, signature block), the per-unit report forms, and the cleaned copy
//! of `check --fixed`. Times New Roman 12, thin borders, the light-blue header fill.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, FormatUnderline};

/// The font of every workbook: what district offices print with.
const FONT: &str = "Times New Roman";
const FONT_SIZE: u32 = 12;
/// The fill of header rows.
const HEADER_FILL: &str = "#DDEBF7";

/// Text in the workbooks' font.
fn base() -> Format {
    Format::new().set_font_name(FONT).set_font_size(FONT_SIZE)
}

/// A table cell: the font with a thin border.
fn bordered() -> Format {
    base().set_border(FormatBorder::Thin)
}

/// A cell filled with a status colour (conditional formats).
pub fn fill(color: &str) -> Format {
    Format::new().set_background_color(color)
}

/// The district and force workbooks' formats.
pub struct Styles {
    pub agency: Format,
    pub nation: Format,
    pub motto: Format,
    pub dateline: Format,
    pub title: Format,
    pub subtitle: Format,
    pub provisional: Format,
    pub header: Format,
    pub text: Format,
    pub id: Format,
    pub count: Format,
    pub decimal: Format,
    pub percent: Format,
    pub date: Format,
    pub total_text: Format,
    pub total_count: Format,
    pub total_percent: Format,
    pub signature: Format,
    pub signature_note: Format,
}

impl Default for Styles {
    fn default() -> Self {
        let base = base();
        let cell = bordered().set_align(FormatAlign::VerticalCenter);
        let centered = |f: Format| f.set_align(FormatAlign::Center);
        Self {
            agency: centered(base.clone().set_bold()),
            nation: centered(base.clone().set_bold()),
            motto: centered(
                base.clone()
                    .set_bold()
                    .set_underline(FormatUnderline::Single),
            ),
            dateline: centered(base.clone().set_italic()),
            title: centered(base.clone().set_bold().set_font_size(14)).set_text_wrap(),
            subtitle: centered(base.clone().set_italic()),
            provisional: centered(base.clone().set_bold().set_font_color("#C00000")),
            header: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color(HEADER_FILL),
            text: cell.clone().set_text_wrap(),
            id: cell.clone().set_num_format("@"),
            count: cell.clone().set_num_format("#,##0"),
            decimal: cell.clone().set_num_format("0.0"),
            percent: cell.clone().set_num_format("0.0%"),
            date: cell.clone().set_num_format("dd/mm/yyyy"),
            total_text: cell.clone().set_bold(),
            total_count: cell.clone().set_bold().set_num_format("#,##0"),
            total_percent: cell.set_bold().set_num_format("0.0%"),
            signature: centered(base.clone().set_bold()),
            signature_note: centered(base.set_italic()),
        }
    }
}

/// The per-unit report form's formats (`split`).
pub struct FormStyles {
    pub title: Format,
    pub header: Format,
    pub cell: Format,
    pub id: Format,
    pub date: Format,
}

impl Default for FormStyles {
    fn default() -> Self {
        let title = base().set_bold();
        Self {
            header: title
                .clone()
                .set_border(FormatBorder::Thin)
                .set_text_wrap()
                .set_background_color(HEADER_FILL),
            title,
            cell: bordered(),
            id: bordered().set_num_format("@"),
            date: bordered().set_num_format("dd/mm/yyyy"),
        }
    }
}

/// The cleaned copy's formats (`check --fixed`): plain, as the clerk's own file would be.
pub struct PlainStyles {
    pub bold: Format,
    pub text: Format,
}

impl Default for PlainStyles {
    fn default() -> Self {
        Self {
            bold: Format::new().set_bold(),
            text: Format::new().set_num_format("@"),
        }
    }
}
