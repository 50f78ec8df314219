//! The office page's HTML (maud: checked at compile time, every value escaped). Vietnamese, no
//! framework, no asset from another origin: the style sheet, the few lines of script for drag and
//! drop, copy and run progress, and the font are served by this binary. Every form works without
//! JavaScript.

use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::roles::Role;
use crate::pipeline::check::Problem;
use crate::pipeline::days::Day;
use crate::pipeline::journal::Event;
use crate::pipeline::receive::{Outcome, Received};
use crate::report::layout::{self, Output};
use crate::report::message::{percent, thousands};
use crate::report::summary::{Shown, Status};
use crate::report::summary::{Summary, UnitEntry};
use crate::settings::Settings;

/// Which tab is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Progress,
    Intake,
    Journal,
}

fn day_text(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// A day in words for a clerk: "thứ Hai, 07/12/2026 (hôm nay)".
pub fn day_in_words(day: NaiveDate, today: NaiveDate) -> String {
    use chrono::Datelike;
    let weekday = match day.weekday() {
        chrono::Weekday::Mon => "thứ Hai",
        chrono::Weekday::Tue => "thứ Ba",
        chrono::Weekday::Wed => "thứ Tư",
        chrono::Weekday::Thu => "thứ Năm",
        chrono::Weekday::Fri => "thứ Sáu",
        chrono::Weekday::Sat => "thứ Bảy",
        chrono::Weekday::Sun => "Chủ nhật",
    };
    let relative = match (today - day).num_days() {
        0 => " (hôm nay)".to_string(),
        1 => " (hôm qua)".to_string(),
        n if n > 1 => format!(" ({n} ngày trước)"),
        _ => " (ngày chưa đến)".to_string(),
    };
    format!("{weekday}, {}{relative}", day_text(day))
}

/// The head every page has: its title, the viewport for phones, the style sheet (and the script,
/// on the pages that use it).
fn head(title: &str, script: bool) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            link rel="stylesheet" href="/static/app.css";
            @if script { script src="/static/app.js" defer {} }
        }
    }
}

/// A page outside the frame of a signed-in role (a problem, a question, signing out): the settings
/// may be what is broken, so it needs none of them.
fn bare_page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            (head(title, false))
            body {
                header.bar {
                    div.brand { strong { "Đề án 06 · Kích hoạt định danh điện tử mức 2" } }
                    nav { a href="/" { "Tiến độ" } a href="/nhan-bao-cao" { "Nhận báo cáo" } }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// A page for a request that could not be answered.
pub fn problem(title: &str, message: &str) -> Markup {
    bare_page(
        title,
        html! {
            p.notice.st-behind #problem { (message) }
            p { a.button href="/" { "Về trang Tiến độ" } }
        },
    )
}

/// Asked when a link is opened in a browser that holds another role's (issue 35): switching is a
/// click on this page, never a side effect of opening a link.
pub fn switch_role(held: &str, opened: &str, switch_href: &str, stay_href: &str) -> Markup {
    bare_page(
        "Đổi vai trò?",
        html! {
            p.notice #switch-role {
                "Trình duyệt này đang mở trang với vai trò " strong { (held) } ". "
                "Đường dẫn vừa mở là của " strong { (opened) } "."
            }
            p { "Chỉ đổi khi máy này dành cho " (opened) ". Người dùng chung máy nên bấm “Giữ nguyên”." }
            p {
                a.button #switch-confirm href=(switch_href) { "Đổi sang " (opened) }
                " "
                a #switch-stay href=(stay_href) { "Giữ nguyên " (held) }
            }
        },
    )
}

/// After "Đăng xuất": this browser no longer holds a link.
pub fn signed_out() -> Markup {
    bare_page(
        "Đã đăng xuất",
        html! {
            p.notice #signed-out {
                "Trình duyệt này đã quên đường dẫn của bạn. Muốn vào lại: mở lại đường dẫn "
                "(có ?token=…) mà Công an huyện đã gửi."
            }
        },
    )
}

/// Who sees a page.
pub struct Viewer<'a> {
    pub settings: &'a Settings,
    pub role: &'a Role,
}

/// The page frame: title bar with who is signed in, the tabs the role has, the content, the promise
/// in the footer.
fn layout(viewer: &Viewer<'_>, tab: Tab, date: NaiveDate, title: &str, body: Markup) -> Markup {
    let settings = viewer.settings;
    let place = if settings.district.is_empty() {
        settings.agency.as_str()
    } else {
        settings.district.as_str()
    };
    html! {
        (DOCTYPE)
        html lang="vi" {
            (head(&format!("{title} — {place}"), true))
            body {
                header.bar {
                    div.brand {
                        strong { "Đề án 06 · Kích hoạt định danh điện tử mức 2" }
                        span { (place) @if !settings.province.is_empty() { ", " (settings.province) } }
                    }
                    nav {
                        a href={ "/?date=" (date) } class=[(tab == Tab::Progress).then_some("active")] { "Tiến độ" }
                        // The intake opens on today's reports, not on the day being looked at:
                        // a clerk's upload must not land in a past day's folder (issue 29).
                        a href="/nhan-bao-cao" class=[(tab == Tab::Intake).then_some("active")] { "Nhận báo cáo" }
                        @if *viewer.role == Role::District {
                            a href="/nhat-ky" class=[(tab == Tab::Journal).then_some("active")] { "Nhật ký" }
                        }
                    }
                    div.who #signed-in {
                        span { "Đang dùng: " strong { (viewer.role.label(settings)) } }
                        " " a #sign-out href="/dang-xuat" { "Đăng xuất" }
                    }
                }
                main { (body) }
                footer {
                    "Trang chạy trên chính máy này: không dùng Internet, không gửi dữ liệu đi đâu. "
                    "Hạn hoàn thành: " (day_text(settings.deadline)) "."
                }
            }
        }
    }
}

/// The page's class of a status as shown: "Không giao" where the target is 0 (issue 29).
fn status_class(status: Status, target: u64) -> &'static str {
    match Shown::of(status, target) {
        Shown::Done => "st-done",
        Shown::OnTrack => "st-on-track",
        Shown::Behind => "st-behind",
        Shown::NotAsked => "st-not-asked",
    }
}

fn status_label(status: Status, target: u64) -> &'static str {
    Shown::of(status, target).label()
}

/// What a progress cell shows: activated, target, percent, status.
type CellFigures = (u64, u64, Option<f64>, Status);

/// The dashboard's input: everything read from the workspace for one day.
pub struct Dashboard<'a> {
    pub settings: &'a Settings,
    pub role: &'a Role,
    pub date: NaiveDate,
    pub days: &'a [Day],
    pub summary: Option<&'a Summary>,
    pub chart_svg: Option<&'a str>,
    /// The same picture laid out for a phone, shown instead on a narrow screen.
    pub phone_svg: Option<&'a str>,
    pub chat: Option<&'a str>,
    pub outputs: &'a [String],
    pub csrf: &'a str,
    /// The exit code of a run just made from the page.
    pub ran: Option<u8>,
    /// A run refused because another holds the lock.
    pub busy: bool,
    /// Report files changed since the day's result was made.
    pub waiting: usize,
    /// `master/` holds a file: without one the page shows how to begin.
    pub has_master: bool,
    /// The workspace's folder, as the first-use guide names it.
    pub workspace: &'a std::path::Path,
    /// The forms of `split` were just made from the page: how many.
    pub forms_made: Option<usize>,
}

/// Tiến độ: the chosen day's progress.
pub fn dashboard(page: &Dashboard<'_>) -> Markup {
    let district = *page.role == Role::District;
    let body = html! {
        section.toolbar {
            (day_picker("/", page.date, page.days))
            @if district {
                form method="post" action="/chay" id="run-form" {
                    input type="hidden" name="csrf" value=(page.csrf);
                    input type="hidden" name="date" value=(page.date);
                    button type="submit" { "Chạy tổng hợp ngày " (day_text(page.date)) }
                    span #run-progress role="status" {}
                }
            }
        }
        @if page.busy {
            p.notice.st-behind { "Đang có một lần chạy tổng hợp khác (trên trang này hoặc theo lịch): đợi xong rồi bấm lại." }
        }
        @if let Some(code) = page.ran {
            p.notice.(if code == 0 { "st-done" } else { "st-on-track" }) {
                "Đã chạy tổng hợp xong."
                @if code == 1 { " Có tệp không đọc được: xem danh sách bên dưới." }
            }
        }
        @if let Some(count) = page.forms_made {
            p.notice.st-done #forms-made { "Đã tạo " (count) " phiếu báo cáo cho các đơn vị: tải về ở mục “Tải về” bên dưới." }
        }
        @if page.waiting > 0 && district {
            p.notice.st-on-track #waiting {
                strong { (page.waiting) " tệp mới chưa tổng hợp" }
                ": báo cáo đã nhận sau lần chạy tổng hợp này chưa có trong số liệu bên dưới. Bấm “Chạy tổng hợp ngày " (day_text(page.date)) "” để cập nhật."
            }
        }
        @match (page.summary, page.has_master) {
            (None, false) => { (first_use(page.settings, page.workspace)) }
            (None, true) => {
                h1 { "Tiến độ ngày " (day_text(page.date)) }
                @if district {
                    p.empty { "Ngày này chưa chạy tổng hợp. Bấm “Chạy tổng hợp” khi đã nhận đủ báo cáo." }
                } @else {
                    p.empty { "Ngày này Công an huyện chưa chạy tổng hợp." }
                }
            }
            (Some(summary), _) => { (progress(page, summary)) }
        }
    };
    let viewer = Viewer {
        settings: page.settings,
        role: page.role,
    };
    layout(&viewer, Tab::Progress, page.date, "Tiến độ", body)
}

/// A new workspace: what to put where before the first run, instead of numbers of nothing.
fn first_use(settings: &Settings, workspace: &std::path::Path) -> Markup {
    html! {
        section #first-use {
            h1 { "Bắt đầu sử dụng" }
            p { "Thư mục làm việc: " code #workspace-path { (workspace.display()) } }
            p { "Thư mục làm việc chưa có danh sách công dân chưa kích hoạt, nên chưa có gì để tổng hợp. Ba bước:" }
            ol {
                li { "Chép tệp Excel danh sách công dân chưa kích hoạt tài khoản định danh điện tử mức 2 (do Công an huyện cấp, có cột “Số định danh cá nhân”) vào thư mục " code { "master" } " của thư mục làm việc." }
                li { "Chép các tệp phân công của từng lực lượng vào " code { "assignments/<lực lượng>" } " (" @for (i, force) in settings.forces.iter().enumerate() { @if i > 0 { ", " } code { (force.id) } } ")." }
                li { "Nhận báo cáo hằng ngày ở mục “Nhận báo cáo”, rồi bấm “Chạy tổng hợp”." }
            }
        }
    }
}

fn day_picker(action: &str, date: NaiveDate, days: &[Day]) -> Markup {
    html! {
        form.day-picker method="get" action=(action) {
            label for="date" { "Ngày " }
            select #date name="date" data-autosubmit {
                @if !days.iter().any(|d| d.date == date) {
                    option value=(date) selected { (day_text(date)) }
                }
                @for day in days {
                    option value=(day.date) selected[day.date == date] {
                        (day_text(day.date))
                        @if day.run { " · đã tổng hợp" } @else { " · " (day.report_files) " tệp báo cáo" }
                    }
                }
            }
            button type="submit" { "Xem" }
        }
    }
}

fn progress(page: &Dashboard<'_>, summary: &Summary) -> Markup {
    let t = &summary.totals;
    html! {
        h1 {
            "Tiến độ đến ngày " (day_text(page.date))
            @if summary.provisional { " " span.badge.provisional title="Chạy trước giờ chốt: số liệu còn thay đổi" { "TẠM TÍNH" } }
        }
        div.cards {
            @if let Some(own) = own_force_total(page, summary) { (own) }
            div.card.(status_class(t.status, t.target)) #district-total {
                span.label { "Toàn " (place_word(page.settings)) ": đã kích hoạt / chỉ tiêu" }
                span.value { span #district-activated { (thousands(t.activated)) } " / " (thousands(t.target)) }
                span.sub { (percent(t.percent)) " · " (status_label(t.status, t.target)) }
            }
            div.card { span.label { "Kích hoạt trong ngày" } span.value { "+" (thousands(t.activated_today)) } span.sub { "7 ngày qua: " (format!("{:.1}", t.pace_7d).replace('.', ",")) "/ngày" } }
            div.card { span.label { "Còn lại" } span.value { (thousands(t.remaining)) } span.sub { "cần " (thousands(t.required_per_day)) "/ngày" } }
            div.card {
                @if t.overdue_days > 0 {
                    span.label { "Hạn " (day_text(summary.deadline)) }
                    span.value { "Quá hạn " (t.overdue_days) " ngày" }
                } @else {
                    span.label { "Còn đến hạn " (day_text(summary.deadline)) }
                    span.value { (t.days_left) " ngày" }
                }
                span.sub { "Dự kiến xong: " (t.projected_finish.map(day_text).unwrap_or_else(|| "-".into())) }
            }
        }
        @if !summary.unreadable_files.is_empty() {
            section.warn {
                h2 { "Tệp không đọc được (" (summary.unreadable_files.len()) ")" }
                ul { @for file in &summary.unreadable_files { li { code { (file.path) } ": " (file.message) } } }
            }
        }
        @if let (Some(chat), Role::District) = (page.chat, page.role) {
            // What the district pastes into the Zalo group, near the top (issue 36).
            section #chat-section {
                h2 { label for="chat" { "Tin nhắn cho nhóm" } }
                textarea #chat readonly rows="6" { (chat) }
                button type="button" data-copy="chat" { "Sao chép tin nhắn" }
            }
        }
        @if let Some(svg) = page.chart_svg {
            // Drawn by this tool's own renderer (report::chart), every text escaped there. On a
            // phone it keeps a readable size and scrolls sideways inside its box.
            figure.chart #chart {
                @match page.phone_svg {
                    Some(phone) => {
                        div.wide-only { (PreEscaped(svg)) }
                        div.phone-only { (PreEscaped(phone)) }
                    }
                    // A day run by an earlier version has only the wide picture: it scrolls.
                    None => { div.scrolls { (PreEscaped(svg)) } }
                }
            }
        }
        (commune_table(page.settings, summary))
        (units_without_report(page.settings, &summary.units))
        (units_without_result(page.settings, &summary.units))
        (downloads(page))
    }
}

/// A cell of the commune × force table: the figures and the status in words (a phone has no
/// hover), or "Không giao" where the force was given no one there.
fn cell_markup(cell: Option<CellFigures>) -> Markup {
    match cell {
        Some((activated, target, share, status)) if target > 0 || activated > 0 => html! {
            td.(status_class(status, target)) {
                (thousands(activated)) "/" (thousands(target))
                br; small { (percent(share)) }
                small.status { (status_label(status, target)) }
            }
        },
        _ => html! { td.na.st-not-asked { "Không giao" } },
    }
}

fn commune_table(settings: &Settings, summary: &Summary) -> Markup {
    // summary.json names forces by id; the page shows their names.
    let forces = &settings.forces;
    html! {
        section {
            h2 { "Theo xã và lực lượng" }
            p.legend {
                span.swatch.st-done {} "Hoàn thành " span.swatch.st-on-track {} "Đúng tiến độ " span.swatch.st-behind {} "Chậm tiến độ " span.swatch.st-not-asked {} "Không giao"
                " · mỗi ô: đã kích hoạt/chỉ tiêu, tỉ lệ"
            }
            div.scroll {
                table.grid #commune-table {
                    thead { tr { th { "Xã, thị trấn" } @for force in forces { th { (force.name) } } th { "Toàn xã" } } }
                    tbody {
                        @for commune in &summary.by_commune {
                            tr {
                                th scope="row" { (commune_label(&commune.commune)) }
                                @for force in forces {
                                    (cell_markup(summary.by_force_commune.iter().find(|c| c.commune == commune.commune && c.force == force.id).map(|c| (c.activated, c.target, c.percent, c.status))))
                                }
                                (cell_markup(Some((commune.metrics.activated, commune.metrics.target, commune.metrics.percent, commune.metrics.status))))
                            }
                        }
                    }
                    tfoot {
                        tr {
                            th scope="row" { "Toàn " (place_word(settings)) }
                            @for force in forces { (cell_markup(summary.by_force.iter().find(|c| c.force == force.id).map(|c| (c.metrics.activated, c.metrics.target, c.metrics.percent, c.metrics.status)))) }
                            (cell_markup(Some((summary.totals.activated, summary.totals.target, summary.totals.percent, summary.totals.status))))
                        }
                    }
                }
            }
        }
    }
}

/// A commune as summary.json names it; citizens of no known commune are "unknown" there.
fn commune_label(name: &str) -> &str {
    if name.is_empty() || name == "unknown" {
        "Chưa rõ xã"
    } else {
        name
    }
}

fn force_name<'a>(settings: &'a Settings, id: &'a str) -> &'a str {
    settings
        .forces
        .iter()
        .find(|f| f.id == id)
        .map_or(id, |f| f.name.as_str())
}

fn unit_rows(settings: &Settings, units: &[&UnitEntry], zero_days: bool) -> Markup {
    html! {
        div.scroll {
            table.list.stack {
                thead { tr { th { "Đơn vị" } th { "Lực lượng" } th { "Xã" } th { "Đã kích hoạt" } th { "Còn lại" } @if zero_days { th { "Số ngày liền không có kết quả" } } } }
                tbody {
                    @for unit in units {
                        tr {
                            td { strong { (unit.unit) } } td data-label="Lực lượng" { (force_name(settings, &unit.force)) } td data-label="Xã" { (commune_label(&unit.commune)) }
                            td.num data-label="Đã kích hoạt" { (thousands(unit.activated)) "/" (thousands(unit.target)) }
                            td.num data-label="Còn lại" { (thousands(unit.remaining)) }
                            @if zero_days { td.num data-label="Số ngày liền không có kết quả" { (unit.zero_days) } }
                        }
                    }
                }
            }
        }
    }
}

fn units_without_report(settings: &Settings, units: &[UnitEntry]) -> Markup {
    let missing: Vec<&UnitEntry> = units
        .iter()
        .filter(|u| !u.reported_today && u.remaining > 0)
        .collect();
    html! {
        section {
            h2 { "Đơn vị chưa báo cáo hôm nay (" (missing.len()) ")" }
            @if missing.is_empty() { p.empty { "Mọi đơn vị còn việc đã báo cáo." } } @else { (unit_rows(settings, &missing, false)) }
        }
    }
}

fn units_without_result(settings: &Settings, units: &[UnitEntry]) -> Markup {
    let mut idle: Vec<&UnitEntry> = units
        .iter()
        .filter(|u| u.zero_days >= 3 && u.remaining > 0)
        .collect();
    idle.sort_by_key(|b| std::cmp::Reverse(b.zero_days));
    html! {
        section {
            h2 { "Đơn vị 3 ngày trở lên không có kết quả (" (idle.len()) ")" }
            @if idle.is_empty() { p.empty { "Không có." } } @else { (unit_rows(settings, &idle, true)) }
        }
    }
}

/// What a day's output file is, for a clerk.
fn output_label(settings: &Settings, name: &str) -> String {
    let ids: Vec<&str> = settings.forces.iter().map(|f| f.id.as_str()).collect();
    match layout::output_of(name, &ids) {
        Output::Form(form) => format!("Phiếu đơn vị: {form}"),
        Output::DistrictWorkbook => "Bảng tổng hợp toàn huyện (Excel)".into(),
        Output::ChatText => "Tin nhắn cho nhóm (văn bản)".into(),
        Output::Picture { png: true } => "Biểu đồ (ảnh cho nhóm Zalo)".into(),
        Output::Picture { png: false } => "Biểu đồ (SVG)".into(),
        Output::PhonePicture => "Biểu đồ cho điện thoại (SVG)".into(),
        Output::Summary => "Số liệu cho máy đọc (summary.json)".into(),
        Output::Parquet(table) => format!("Bảng Parquet: {table}"),
        Output::ForceWorkbook(id) => settings.forces.iter().find(|f| f.id == id).map_or_else(
            || name.to_string(),
            |f| format!("Bảng của lực lượng {} (Excel)", f.name),
        ),
        Output::Other => name.to_string(),
    }
}

/// A day's files, folded (issue 36: on a phone the list was three screens of file names): the
/// district's and each force's files, each force's unit forms folded again.
fn downloads(page: &Dashboard<'_>) -> Markup {
    // Each output classified once: the unit forms by the force folder they sit in, the rest whole.
    let ids: Vec<&str> = page.settings.forces.iter().map(|f| f.id.as_str()).collect();
    let mut whole: Vec<&String> = Vec::new();
    let mut forms: std::collections::HashMap<&str, Vec<&String>> = Default::default();
    for name in page.outputs {
        match layout::output_of(name, &ids) {
            Output::Form(form) => forms
                .entry(form.split_once('/').map_or("", |(folder, _)| folder))
                .or_default()
                .push(name),
            _ => whole.push(name),
        }
    }
    let link = |name: &str| html! { li { a.dl href={ "/tai/" (page.date) "/" (name) } download { (output_label(page.settings, name)) } } };
    html! {
        section #downloads {
            h2 { "Tải về" }
            details.downloads open[*page.role != Role::District] {
                summary { "Bảng, biểu đồ, tin nhắn (" (whole.len()) " tệp)" }
                ul.downloads { @for name in &whole { (link(name)) } }
            }
            @for force in &page.settings.forces {
                @if let Some(forms) = forms.get(force.id.as_str()) {
                    details.force-files {
                        summary { "Phiếu đơn vị · " (force.name) " (" (forms.len()) " tệp)" }
                        ul.downloads { @for name in forms { (link(name)) } }
                    }
                }
            }
            @if *page.role == Role::District && forms.is_empty() {
                form method="post" action="/phieu" #forms-form {
                    input type="hidden" name="csrf" value=(page.csrf);
                    input type="hidden" name="date" value=(page.date);
                    span.empty { "Chưa có phiếu đơn vị cho ngày này. " }
                    button type="submit" { "Tạo phiếu báo cáo cho các đơn vị" }
                }
            }
        }
    }
}

/// A force clerk's own force's figures, first on her screen (issue 36).
fn own_force_total(page: &Dashboard<'_>, summary: &Summary) -> Option<Markup> {
    let force = page.settings.force(page.role.force()?);
    let entry = summary.by_force.iter().find(|f| f.force == force.id)?;
    let m = &entry.metrics;
    Some(html! {
        div.card.own.(status_class(m.status, m.target)) #own-total {
            span.label { (force.name) ": đã kích hoạt / chỉ tiêu" }
            span.value { span #own-activated { (thousands(m.activated)) } " / " (thousands(m.target)) }
            span.sub { (percent(m.percent)) " · " (status_label(m.status, m.target)) " · còn " (thousands(m.remaining)) }
        }
    })
}

/// "huyện", or "địa bàn" for a workspace without a district (a province with its communes).
fn place_word(settings: &Settings) -> &'static str {
    if settings.district.is_empty() {
        "địa bàn"
    } else {
        "huyện"
    }
}

/// The intake page's input.
pub struct Intake<'a> {
    pub settings: &'a Settings,
    pub role: &'a Role,
    pub date: NaiveDate,
    /// Today in Vietnam, and whether the district's cutoff (20:00) has passed.
    pub today: NaiveDate,
    pub after_cutoff: bool,
    pub csrf: &'a str,
    /// The force chosen on the form.
    pub force: Option<&'a str>,
    /// What the last upload gave.
    pub results: &'a [Received],
    /// A whole-request problem (for example, a file over the size limit).
    pub error: Option<&'a str>,
}

/// Nhận báo cáo: drop files, see each one checked, stored where `run` reads it.
pub fn intake(page: &Intake<'_>) -> Markup {
    let needs_force = page
        .results
        .iter()
        .any(|r| r.outcome == Outcome::NeedsForce);
    let own_force = page.role.force().map(|f| page.settings.force(f));
    let body = html! {
        h1 { "Nhận báo cáo ngày " (day_text(page.date)) }
        p.notice.(if page.date == page.today { "st-done" } else { "st-on-track" }) #stores-into {
            "Tệp gửi lên được lưu vào báo cáo ngày " strong { (day_in_words(page.date, page.today)) } "."
            @if page.date == page.today && page.after_cutoff {
                " Đã quá " (page.settings.district_cutoff.format("%H:%M")) ": nếu đã chạy tổng hợp hôm nay, bấm chạy lại để tính các tệp này."
            }
        }
        p { "Chọn hoặc kéo thả các tệp báo cáo (.xlsx, .xls, .ods, .csv …) của đơn vị rồi bấm “Kiểm tra”: tệp được kiểm tra theo danh sách chưa kích hoạt và phân công, chưa lưu. Xem kết quả, sửa tệp nếu cần, rồi bấm “Gửi báo cáo”." }
        // The answer comes into view after "Kiểm tra" (issue 36): the page opens at #ket-qua.
        form method="post" action="/nhan-bao-cao#ket-qua" enctype="multipart/form-data" #upload-form {
            input type="hidden" name="csrf" value=(page.csrf);
            div.fields {
                label { "Ngày báo cáo " input type="date" name="date" value=(page.date) required; }
                @if let Some(force) = own_force {
                    span.fixed-force { "Lực lượng: " strong { (force.name) } }
                } @else {
                    label.(if needs_force { "ask" } else { "" }) {
                        "Lực lượng (khi tệp không ghi rõ) "
                        (force_select(page.settings, page.force))
                    }
                }
            }
            div.drop #drop-zone {
                label for="files" { "Kéo thả tệp vào đây, hoặc bấm để chọn tệp" }
                input #files type="file" name="file" multiple accept=".xlsx,.xlsm,.xlsb,.xls,.ods,.csv";
            }
            button type="submit" #check-button { "Kiểm tra" }
        }
        div #ket-qua {
            @if let Some(error) = page.error { p.notice.st-behind { (error) } }
            @if !page.results.is_empty() {
                section #results {
                    h2 { "Kết quả" }
                    @for result in page.results { (received(page, result)) }
                }
            }
        }
    };
    let viewer = Viewer {
        settings: page.settings,
        role: page.role,
    };
    layout(&viewer, Tab::Intake, page.date, "Nhận báo cáo", body)
}

fn force_select(settings: &Settings, chosen: Option<&str>) -> Markup {
    html! {
        select name="force" {
            option value="" { "— theo nội dung tệp —" }
            @for force in &settings.forces {
                option value=(force.id) selected[chosen == Some(force.id.as_str())] { (force.name) }
            }
        }
    }
}

/// "Gửi báo cáo" under a checked file: send it beside the unit's earlier files, or in place of one.
fn send_form(page: &Intake<'_>, result: &Received) -> Markup {
    html! {
        form.send method="post" action="/nhan-bao-cao/gui#ket-qua" {
            input type="hidden" name="csrf" value=(page.csrf);
            input type="hidden" name="date" value=(page.date);
            input type="hidden" name="staged" value=(result.sha256);
            input type="hidden" name="name" value=(result.name);
            input type="hidden" name="others" value=(others_waiting(page, result));
            @if result.outcome == Outcome::NeedsForce {
                label.ask { "Lực lượng của tệp " (force_select(page.settings, page.force)) }
            } @else if let Some(force) = &result.force {
                input type="hidden" name="force" value=(force);
            }
            button type="submit" name="replace" value="" { "Gửi báo cáo" }
            @for earlier in &result.same_unit_files {
                button.replace type="submit" name="replace" value=(earlier) {
                    "Gửi, thay tệp đã gửi " (earlier.rsplit('/').next().unwrap_or(earlier))
                }
            }
        }
        @if !result.same_unit_files.is_empty() {
            p.hint { "Đơn vị này đã gửi tệp trong ngày. “Gửi, thay tệp …”: chỉ tính tệp mới, tệp cũ được giữ lại riêng, không tính nữa." }
        }
    }
}

/// The other files of this check still waiting to be sent, for the send form (`<sha256> <name>`
/// a line): their results stay on the page after this one is sent.
fn others_waiting(page: &Intake<'_>, sent: &Received) -> String {
    page.results
        .iter()
        .filter(|r| r.sha256 != sent.sha256)
        .filter(|r| matches!(r.outcome, Outcome::Checked | Outcome::NeedsForce))
        .map(|r| format!("{} {}", r.sha256, r.name.replace(['\n', '\r'], " ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The status colour of an outcome's badge (its words are the outcome's own label).
fn outcome_class(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Stored | Outcome::Replaced => "st-done",
        Outcome::NotYours | Outcome::Refused => "st-behind",
        _ => "st-on-track",
    }
}

fn received(page: &Intake<'_>, result: &Received) -> Markup {
    let settings = page.settings;
    let (class, label) = (outcome_class(result.outcome), result.outcome.explanation());
    let force = result
        .force
        .as_deref()
        .and_then(|id| settings.forces.iter().find(|f| f.id == id))
        .map(|f| f.name.as_str());
    html! {
        article.received data-outcome=(result.outcome.code()) {
            h3 { span.badge.(class) { (label) } " " (result.name) }
            p { (result.message) }
            dl {
                // A refused file's force is the clerk's, not the file's: not shown beside its unit.
                @if result.outcome != Outcome::NotYours { dt { "Lực lượng" } dd { (force.unwrap_or("chưa rõ")) } }
                dt { "Đơn vị" } dd { (result.unit.as_deref().unwrap_or("chưa rõ")) }
                dt { "Dòng có số định danh" } dd.accepted { (result.accepted) }
                dt { "Dòng không có vấn đề" } dd { (result.clean_rows) }
                @if let Some(path) = &result.stored_as { dt { "Lưu tại" } dd { code { (path) } } }
                @if let Some(path) = &result.replaced { dt { "Tệp trước giữ tại" } dd { code { (path) } } }
            }
            @if !result.problems.is_empty() {
                // The problems before the send buttons (issue 36), by sheet and row.
                div.scroll {
                    table.list.problems.stack {
                        thead { tr { th { "Trang" } th { "Dòng" } th { "Cột" } th { "Vấn đề" } } }
                        tbody {
                            @for problem in in_sheet_order(&result.problems) {
                                tr { td data-label="Trang" { (problem.sheet) } td.num data-label="Dòng" { (problem.row) } td data-label="Cột" { (problem.column.as_deref().unwrap_or("")) } td.message { (problem.message) } }
                            }
                        }
                    }
                }
            }
            @if matches!(result.outcome, Outcome::Checked | Outcome::NeedsForce) { (send_form(page, result)) }
        }
    }
}

/// A file's problems by sheet (in the order the sheets first appear) and row.
fn in_sheet_order(problems: &[Problem]) -> Vec<&Problem> {
    let mut sheets: Vec<&str> = Vec::new();
    for problem in problems {
        if !sheets.contains(&problem.sheet.as_str()) {
            sheets.push(&problem.sheet);
        }
    }
    let mut sorted: Vec<&Problem> = problems.iter().collect();
    sorted.sort_by_key(|p| (sheets.iter().position(|s| *s == p.sheet), p.row));
    sorted
}

/// Nhật ký: the latest events of the log (the district's tab).
pub fn journal(viewer: &Viewer<'_>, today: NaiveDate, events: &[Event], failing: bool) -> Markup {
    let body = html! {
        h1 { "Nhật ký" }
        p { "Mọi tệp đã kiểm tra, gửi, thay, bị từ chối; mọi lần tải về, chạy tổng hợp và yêu cầu bị chặn, mới nhất trước (" (events.len()) " dòng gần nhất). Tệp đầy đủ: thư mục " code { "nhat-ky/" } " trong thư mục làm việc." }
        @if failing { p.notice.st-behind { "Lần ghi nhật ký gần nhất không được: xem quyền ghi của thư mục nhat-ky/." } }
        div.scroll {
            table.list.stack #journal {
                thead { tr { th { "Lúc" } th { "Ai" } th { "Việc" } th { "Tệp" } th { "Kết quả" } th { "Từ máy" } } }
                tbody {
                    @for event in events {
                        tr {
                            td { strong { (journal_time(&event.time)) } }
                            td data-label="Ai" { (role_name(viewer.settings, &event.role)) }
                            td data-label="Việc" { (event.action.explanation()) }
                            td data-label="Tệp" { code { (event.file.as_deref().unwrap_or("")) } }
                            td data-label="Kết quả" { (event.outcome) }
                            td data-label="Từ máy" { (event.remote) }
                        }
                    }
                }
            }
        }
    };
    layout(viewer, Tab::Journal, today, "Nhật ký", body)
}

/// A log time as a clerk reads it: `2024-01-15T16:55:02+07:00` → "16:55:02 15/01/2024".
fn journal_time(time: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(time).map_or_else(
        |_| time.to_string(),
        |t| t.format("%H:%M:%S %d/%m/%Y").to_string(),
    )
}

fn role_name<'a>(settings: &'a Settings, code: &'a str) -> &'a str {
    if code == "district" {
        "Công an huyện"
    } else {
        force_name(settings, code)
    }
}
