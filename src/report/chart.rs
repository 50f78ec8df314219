//! The progress picture for the chat groups and the office page (issue 13): the district's
//! cumulative activations against the straight plan line to 100% at the deadline, and each commune's
//! percentage as a bar coloured by its status. One renderer: [`svg`] draws it, [`png`] rasterises
//! that SVG (`out/D/bieu-do-D.png`, 1200 px wide); [`phone_svg`] lays the same picture out 400 wide
//! for the office page on a phone (`bieu-do-D-dien-thoai.svg`).
//!
//! Guarantees: counts only, no personal data; Vietnamese text is drawn with DejaVu Sans embedded in
//! the binary (`assets/fonts/`, licence beside it), never a system font, so the same inputs give the
//! same bytes on every machine.

use std::fmt::Write;
use std::sync::Arc;

use chrono::NaiveDate;

use super::RunData;
use super::message::{percent, thousands};
use crate::reconcile::metrics::Shown;

/// The picture's width in pixels.
pub const WIDTH: u32 = 1200;

/// The fonts the picture is drawn with, also served to the office page for its inline SVG.
pub const FONTS: [(&str, &[u8]); 2] =
    [("DejaVuSans.ttf", FONT), ("DejaVuSans-Bold.ttf", FONT_BOLD)];

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A layout of the picture: where its panels stand and how large its smallest text is.
#[derive(Clone, Copy)]
struct Frame {
    width: f64,
    /// The curve panel: left, top, right, bottom.
    plot: (f64, f64, f64, f64),
    /// Where the commune bars start, and each bar's row height.
    bars_top: f64,
    bar_row: f64,
    /// The bars' label column and the length of a 100% bar.
    bar_left: f64,
    bar_full: f64,
    /// The size of the tick labels (the smallest text).
    tick: u32,
    /// At most this many day labels under the curve.
    day_labels: i64,
    /// The phone's layout: titles over several lines, each bar under its commune's name.
    narrow: bool,
}

/// The picture for the chat groups and a computer's screen (`bieu-do-D.png`, `.svg`).
const WIDE: Frame = Frame {
    width: 1200.0,
    plot: (90.0, 130.0, 1150.0, 470.0),
    bars_top: 560.0,
    bar_row: 26.0,
    bar_left: 300.0,
    bar_full: 700.0,
    tick: 13,
    day_labels: 20,
    narrow: false,
};

/// The same picture laid out for a phone (issue 36; `bieu-do-D-dien-thoai.svg`): 400 wide, its
/// smallest text 14, so that on a 360 px phone (a column of about 330 px) no text is under 11 px.
const NARROW: Frame = Frame {
    width: 400.0,
    plot: (58.0, 214.0, 385.0, 414.0),
    bars_top: 530.0,
    bar_row: 46.0,
    bar_left: 10.0,
    bar_full: 380.0,
    tick: 14,
    day_labels: 5,
    narrow: true,
};

/// The line colours of the workbook chart, the status colours of the workbook cells (stronger
/// borders so a bar reads on a phone).
const ACTIVATED: &str = "#1F4E79";
const PLAN: &str = "#C00000";

/// Text for SVG: `&`, `<` and `>` escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The picture's height: the curve panel, then one row per commune.
fn height(frame: &Frame, communes: usize) -> u32 {
    let bottom = if frame.narrow { 20.0 } else { 50.0 };
    (frame.bars_top + frame.bar_row * communes as f64 + bottom) as u32
}

/// The picture as SVG (the wide layout).
pub fn svg(data: &RunData<'_>) -> String {
    draw(data, &WIDE)
}

/// The picture as SVG, laid out for a phone's screen.
pub fn phone_svg(data: &RunData<'_>) -> String {
    draw(data, &NARROW)
}

fn draw(data: &RunData<'_>, frame: &Frame) -> String {
    let communes = data.settings.communes.len();
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans"><rect width="100%" height="100%" fill="#FFFFFF"/>"##,
        w = frame.width,
        h = height(frame, communes)
    );
    title(&mut out, data, frame);
    curve(&mut out, data, frame);
    bars(&mut out, data, frame);
    out.push_str("</svg>");
    out
}

/// How a text is set.
#[derive(Clone, Copy)]
struct Font {
    size: u32,
    anchor: &'static str,
    bold: bool,
    fill: &'static str,
}

impl Font {
    const fn new(size: u32, anchor: &'static str, bold: bool, fill: &'static str) -> Self {
        Self {
            size,
            anchor,
            bold,
            fill,
        }
    }
}

fn text(out: &mut String, x: f64, y: f64, font: Font, body: &str) {
    let Font {
        size,
        anchor,
        bold,
        fill,
    } = font;
    let weight = if bold { r#" font-weight="bold""# } else { "" };
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{weight}>{}</text>"#,
        escape(body)
    );
}

/// Lines of text one under the other, from `y`, `step` apart.
fn lines(out: &mut String, x: f64, y: f64, step: f64, font: Font, texts: &[&str]) {
    for (index, line) in texts.iter().enumerate() {
        text(out, x, y + step * index as f64, font, line);
    }
}

fn title(out: &mut String, data: &RunData<'_>, frame: &Frame) {
    let settings = data.settings;
    let d = &data.progress.district;
    let provisional = if data.provisional {
        " (TẠM TÍNH)"
    } else {
        ""
    };
    let deadline = settings.deadline.format("%d/%m/%Y");
    let when = if d.overdue_days > 0 {
        format!("đã quá hạn {} ngày (hạn {deadline})", d.overdue_days)
    } else {
        format!("còn {} ngày đến hạn {deadline}", d.days_left)
    };
    let as_of = format!(
        "Số liệu đến {} ngày {}{provisional}",
        settings.district_cutoff.format("%Hh%M"),
        data.as_of.format("%d/%m/%Y"),
    );
    let activated = |lead: &str| {
        format!(
            "{lead} kích hoạt {}/{} ({}), trong ngày {}",
            thousands(d.activated),
            thousands(d.target),
            percent(d.percent),
            thousands(d.activated_today),
        )
    };
    let middle = frame.width / 2.0;
    if frame.narrow {
        let heading = ["TIẾN ĐỘ KÍCH HOẠT TÀI KHOẢN", "ĐỊNH DANH ĐIỆN TỬ MỨC 2"];
        let place = (!settings.district.is_empty())
            .then(|| format!("HUYỆN {}", settings.district.to_uppercase()));
        let mut heading: Vec<&str> = heading.to_vec();
        heading.extend(place.as_deref());
        lines(
            out,
            middle,
            28.0,
            24.0,
            Font::new(18, "middle", true, "#000000"),
            &heading,
        );
        let activated = activated("Đã");
        let facts = [as_of.as_str(), activated.as_str(), when.as_str()];
        lines(
            out,
            middle,
            114.0,
            22.0,
            Font::new(14, "middle", false, "#333333"),
            &facts,
        );
        return;
    }
    let place = if settings.district.is_empty() {
        String::new()
    } else {
        format!(" – HUYỆN {}", settings.district.to_uppercase())
    };
    let heading = format!("TIẾN ĐỘ KÍCH HOẠT TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC 2{place}");
    text(
        out,
        middle,
        42.0,
        Font::new(24, "middle", true, "#000000"),
        &heading,
    );
    let line = format!("{as_of}: {}, {when}", activated("đã"));
    text(
        out,
        middle,
        76.0,
        Font::new(17, "middle", false, "#333333"),
        &line,
    );
}

/// A round step for `ticks` gridlines up to `max`.
fn step(max: u64, ticks: u64) -> u64 {
    let raw = max.div_ceil(ticks).max(1);
    let magnitude = 10u64.pow(raw.ilog10());
    [1u64, 2, 5, 10]
        .into_iter()
        .filter_map(|m| m.checked_mul(magnitude))
        .find(|s| *s >= raw)
        .unwrap_or(raw)
}

fn curve(out: &mut String, data: &RunData<'_>, frame: &Frame) {
    let daily = super::sheets::daily_counts(data, None);
    let target = data.progress.district.target;
    let deadline = data.settings.deadline;
    let first = daily
        .first()
        .map_or(data.as_of, |(day, _)| *day)
        .min(deadline);
    let last = deadline.max(data.as_of);
    let span = (last - first).num_days().max(1) as f64;
    let cumulative: Vec<(NaiveDate, u64)> = daily
        .iter()
        .scan(0u64, |sum, (day, count)| {
            *sum += count;
            Some((*day, *sum))
        })
        .collect();
    let top_value = cumulative.last().map_or(0, |c| c.1).max(target).max(1);
    let tick = step(top_value, 5);
    let y_max = top_value.div_ceil(tick).saturating_mul(tick);
    let mut frame = *frame;
    if frame.narrow {
        // The value labels' column as wide as the largest label (a province counts in millions).
        let widest = thousands(y_max).chars().count() as f64;
        frame.plot.0 = frame.plot.0.max(14.0 + 8.6 * widest);
    }
    let frame = &frame;
    let (left, top, right, bottom) = frame.plot;
    let x = |day: NaiveDate| left + (right - left) * (day - first).num_days() as f64 / span;
    let y = |value: u64| bottom - (bottom - top) * value as f64 / y_max as f64;
    axes(out, frame, (first, last, span), (y_max, tick), (&x, &y));
    // The plan: a straight line from nothing on the first report day to the target at the deadline.
    let _ = write!(
        out,
        r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{PLAN}" stroke-width="2.5" stroke-dasharray="10 6"/>"##,
        x(first),
        y(0),
        x(deadline),
        y(target)
    );
    deadline_mark(out, frame, deadline, x(deadline));
    if !cumulative.is_empty() {
        let points: Vec<String> = cumulative
            .iter()
            .map(|(day, value)| format!("{:.1},{:.1}", x(*day), y(*value)))
            .collect();
        let _ = write!(
            out,
            r##"<polyline points="{}" fill="none" stroke="{ACTIVATED}" stroke-width="3.5" stroke-linejoin="round"/>"##,
            points.join(" ")
        );
    }
    legend(out, left + 20.0, top + 18.0);
}

/// The scales of the curve panel: the days (first, last, span) and the values (top, step), with
/// their maps to the picture's coordinates.
type Days = (NaiveDate, NaiveDate, f64);
type Scales<'a> = (&'a dyn Fn(NaiveDate) -> f64, &'a dyn Fn(u64) -> f64);

/// The title, the value grid with its labels, and the day ticks of the curve panel.
fn axes(
    out: &mut String,
    frame: &Frame,
    (first, last, span): Days,
    (y_max, tick): (u64, u64),
    (x, y): Scales<'_>,
) {
    let (left, top, right, bottom) = frame.plot;
    let (panel_title, title_y) = if frame.narrow {
        // Above the band where the deadline's label may stand.
        ("Lũy kế đã kích hoạt so với kế hoạch", top - 34.0)
    } else {
        (
            "Lũy kế số tài khoản đã kích hoạt so với kế hoạch",
            top - 14.0,
        )
    };
    text(
        out,
        left,
        title_y,
        Font::new(if frame.narrow { 15 } else { 16 }, "start", true, "#000000"),
        panel_title,
    );
    for value in (0..=y_max).step_by(tick as usize) {
        let at = y(value);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{at:.1}" x2="{right}" y2="{at:.1}" stroke="#D9D9D9" stroke-width="1"/>"##
        );
        text(
            out,
            left - 8.0,
            at + 5.0,
            Font::new(frame.tick, "end", false, "#555555"),
            &thousands(value),
        );
    }
    let mut day = first;
    while day <= last && day < NaiveDate::MAX - chrono::Duration::days(400) {
        let at = x(day);
        let _ = write!(
            out,
            r##"<line x1="{at:.1}" y1="{bottom}" x2="{at:.1}" y2="{:.1}" stroke="#999999" stroke-width="1"/>"##,
            bottom + 5.0
        );
        text(
            out,
            at,
            bottom + 22.0,
            Font::new(frame.tick, "middle", false, "#555555"),
            &day.format("%d/%m").to_string(),
        );
        // Weekly labels, or fewer when the span is long (a mistyped deadline years away).
        day += chrono::Duration::days(7 * (span as i64 / 7 / frame.day_labels + 1));
    }
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#555555" stroke-width="1.5"/>"##
    );
}

/// The deadline's dotted line and its label, where the plan line never is.
fn deadline_mark(out: &mut String, frame: &Frame, deadline: NaiveDate, deadline_x: f64) {
    let (left, top, right, bottom) = frame.plot;
    let label = format!("Hạn {}", deadline.format("%d/%m/%Y"));
    let _ = write!(
        out,
        r##"<line x1="{deadline_x:.1}" y1="{top}" x2="{deadline_x:.1}" y2="{bottom}" stroke="{PLAN}" stroke-width="1" stroke-dasharray="3 3"/>"##
    );
    // The label stands where the plan line never is: right of the deadline's line, inside the
    // plot (the plan ends at the deadline), or, when the deadline is the plot's last day, in the
    // band above the plot, right-aligned on the line (the title is at the left of that band, or
    // above it on a phone).
    let label_width = 8.5 * label.chars().count() as f64;
    let (label_x, label_y, anchor) = if deadline_x + 6.0 + label_width <= right {
        // Below the legend when the deadline is near the plot's left edge.
        let below_legend = deadline_x < left + 240.0;
        (
            deadline_x + 6.0,
            top + if below_legend { 66.0 } else { 16.0 },
            "start",
        )
    } else {
        (
            deadline_x,
            top - 10.0 - 4.0 * f64::from(u8::from(!frame.narrow)),
            "end",
        )
    };
    text(
        out,
        label_x,
        label_y,
        Font::new(14, anchor, true, PLAN),
        &label,
    );
}

fn legend(out: &mut String, x: f64, y: f64) {
    let entries = [
        (ACTIVATED, r#"stroke-width="3.5""#, "Lũy kế đã kích hoạt"),
        (
            PLAN,
            r#"stroke-width="2.5" stroke-dasharray="10 6""#,
            "Kế hoạch đến hạn (100%)",
        ),
    ];
    for (row, (colour, stroke, label)) in entries.into_iter().enumerate() {
        let y = y + 22.0 * row as f64;
        let _ = write!(
            out,
            r#"<line x1="{x}" y1="{y}" x2="{:.1}" y2="{y}" stroke="{colour}" {stroke}/>"#,
            x + 36.0
        );
        text(
            out,
            x + 44.0,
            y + 5.0,
            Font::new(14, "start", false, "#000000"),
            label,
        );
    }
}

/// The bars' heading and colour key: one line wide, three lines narrow.
fn bars_heading(out: &mut String, frame: &Frame) {
    if frame.narrow {
        let bold = Font::new(15, "start", true, "#000000");
        let key = Font::new(14, "start", false, "#333333");
        let (x, top) = (frame.bar_left, frame.bars_top);
        text(
            out,
            x,
            top - 62.0,
            bold,
            "Tỷ lệ kích hoạt theo xã, thị trấn",
        );
        let lines_of_key = [
            "(xanh: hoàn thành, vàng: đúng tiến độ,",
            "đỏ: chậm, xám: không giao)",
        ];
        lines(out, x, top - 40.0, 18.0, key, &lines_of_key);
    } else {
        text(
            out,
            frame.plot.0,
            frame.bars_top - 24.0,
            Font::new(16, "start", true, "#000000"),
            "Tỷ lệ kích hoạt theo xã, thị trấn (xanh: hoàn thành, vàng: đúng tiến độ, đỏ: chậm, xám: không giao)",
        );
    }
}

fn bars(out: &mut String, data: &RunData<'_>, frame: &Frame) {
    bars_heading(out, frame);
    let (bar_left, bar_full, row) = (frame.bar_left, frame.bar_full, frame.bar_row);
    for (index, group) in data.progress.by_commune.iter().enumerate() {
        let Some(commune) = group.commune else {
            continue;
        };
        let m = &group.metrics;
        let top = frame.bars_top + row * index as f64;
        let name = data.settings.commune(commune);
        let label = format!(
            "{} ({}/{})",
            percent(m.percent),
            thousands(m.activated),
            thousands(m.target)
        );
        // Wide: the name left of its bar, the figures right of it. Narrow: both above the bar.
        let (bar_top, bar_height) = if frame.narrow {
            let font = |anchor| Font::new(14, anchor, false, "#000000");
            text(out, bar_left, top + 16.0, font("start"), name);
            text(out, bar_left + bar_full, top + 16.0, font("end"), &label);
            (top + 22.0, 16.0)
        } else {
            text(
                out,
                bar_left - 10.0,
                top + 17.0,
                Font::new(14, "end", false, "#000000"),
                name,
            );
            (top + 3.0, row - 6.0)
        };
        let share = m.percent.unwrap_or(0.0).clamp(0.0, 1.0);
        let (fill, stroke) = Shown::of(m.status, m.target).colours();
        let _ = write!(
            out,
            r##"<rect x="{bar_left}" y="{bar_top:.1}" width="{bar_full}" height="{bar_height:.1}" fill="#F2F2F2"/><rect x="{bar_left}" y="{bar_top:.1}" width="{:.1}" height="{bar_height:.1}" fill="{fill}" stroke="{stroke}" stroke-width="1"/>"##,
            bar_full * share,
        );
        if !frame.narrow {
            text(
                out,
                bar_left + bar_full + 10.0,
                top + 17.0,
                Font::new(14, "start", false, "#000000"),
                &label,
            );
        }
    }
}

/// Why the picture could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart's SVG does not parse: {0}")]
    Svg(#[from] resvg::usvg::Error),
    #[error("no canvas of {0}×{1} pixels")]
    Canvas(u32, u32),
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// The picture as PNG: the SVG of [`svg`] drawn with the embedded fonts.
pub fn png(data: &RunData<'_>) -> Result<Vec<u8>, ChartError> {
    png_of(&svg(data))
}

/// The picture drawn by [`svg`], rasterised.
pub fn png_of(svg: &str) -> Result<Vec<u8>, ChartError> {
    use resvg::{tiny_skia, usvg};
    let mut fonts = usvg::fontdb::Database::new();
    fonts.load_font_data(FONT.to_vec());
    fonts.load_font_data(FONT_BOLD.to_vec());
    let options = usvg::Options {
        font_family: "DejaVu Sans".to_string(),
        fontdb: Arc::new(fonts),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)?;
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or(ChartError::Canvas(size.width(), size.height()))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| ChartError::Png(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gridline_steps_are_round() {
        assert_eq!(step(2045, 5), 500);
        assert_eq!(step(100, 5), 20);
        assert_eq!(step(1, 5), 1);
        assert_eq!(step(1_000_000, 5), 200_000);
        assert!(step(u64::MAX, 5) > 0, "no overflow on an absurd target");
    }

    #[test]
    fn vietnamese_text_renders_with_the_embedded_font_and_is_deterministic() {
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="60"><text x="10" y="40" font-size="24">{}</text></svg>"#,
            escape("Tuần Giáo – Quài Tở & Mường Ảng <ĐTN>")
        );
        let first = png_of(&svg).expect("renders");
        assert_eq!(first, png_of(&svg).expect("renders again"));
        // Ink was drawn: the PNG of text is larger than the PNG of the same blank canvas.
        let blank = png_of(&format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="60"></svg>"#
        ))
        .expect("blank");
        assert!(
            first.len() > blank.len() + 500,
            "{} vs {}",
            first.len(),
            blank.len()
        );
    }
}
