//! `tin-nhan-D.txt`: the short Vietnamese message for the chat groups (Zalo): district progress,
//! today's count, days left, the daily rate needed, the best and worst units, and the units that did
//! not report today. Counts and unit names only: no personal data.

use std::fmt::Write;

use super::RunData;

/// Vietnamese thousands separator: 2.045.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, c) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Vietnamese percentage with a decimal comma: 31,0%.
pub fn percent(p: Option<f64>) -> String {
    p.map_or_else(
        || "-".to_string(),
        |p| format!("{:.1}%", p * 100.0).replace('.', ","),
    )
}

/// The message text.
pub fn chat_message(data: &RunData<'_>) -> String {
    let settings = data.settings;
    let d = &data.progress.district;
    let mut text = String::new();
    let place = if settings.district.is_empty() {
        String::new()
    } else {
        format!(" HUYỆN {}", settings.district.to_uppercase())
    };
    let _ = writeln!(text, "KÍCH HOẠT ĐỊNH DANH ĐIỆN TỬ MỨC 2{place}");
    let provisional = if data.provisional {
        " (TẠM TÍNH)"
    } else {
        ""
    };
    let _ = writeln!(
        text,
        "Số liệu đến {} ngày {}{provisional}",
        settings.district_cutoff.format("%Hh%M"),
        data.as_of.format("%d/%m/%Y")
    );
    let _ = writeln!(
        text,
        "- Toàn huyện: đã kích hoạt {}/{} ({}), trong ngày {}, còn {}.",
        thousands(d.activated),
        thousands(d.target),
        percent(d.percent),
        thousands(d.activated_today),
        thousands(d.remaining)
    );
    if d.overdue_days > 0 {
        let _ = writeln!(
            text,
            "- Đã quá hạn {} ngày (hạn {}): còn {} tài khoản chưa kích hoạt.",
            d.overdue_days,
            settings.deadline.format("%d/%m/%Y"),
            thousands(d.remaining)
        );
    } else {
        let _ = writeln!(
            text,
            "- Còn {} ngày đến hạn {}: cần bình quân {} tài khoản/ngày.",
            d.days_left,
            settings.deadline.format("%d/%m/%Y"),
            thousands(d.required_per_day)
        );
    }
    for group in &data.progress.by_force {
        let Some(force) = group.force else { continue };
        let m = &group.metrics;
        let _ = writeln!(
            text,
            "- {}: {}/{} ({}), trong ngày {}.",
            settings.force(force).name,
            thousands(m.activated),
            thousands(m.target),
            percent(m.percent),
            thousands(m.activated_today)
        );
    }
    leaders_and_silent(&mut text, data);
    text
}

/// The message's last lines: the leading and the last unit by share of their target, and the
/// units that still have citizens to guide and sent nothing today.
fn leaders_and_silent(text: &mut String, data: &RunData<'_>) {
    let mut ranked: Vec<_> = data
        .progress
        .units
        .iter()
        .filter(|u| u.metrics.target > 0)
        .collect();
    ranked.sort_by(|a, b| {
        let key = |u: &&crate::reconcile::progress::UnitProgress| {
            (u.metrics.percent.unwrap_or(0.0), u.metrics.activated)
        };
        key(b)
            .0
            .total_cmp(&key(a).0)
            .then(key(b).1.cmp(&key(a).1))
            .then(a.unit.cmp(&b.unit))
    });
    let name = |u: &crate::reconcile::progress::UnitProgress| {
        format!(
            "{} ({})",
            data.units.get(u.unit).name,
            percent(u.metrics.percent)
        )
    };
    if let (Some(best), Some(worst)) = (ranked.first(), ranked.last()) {
        let _ = writeln!(
            *text,
            "- Dẫn đầu: {}. Thấp nhất: {}.",
            name(best),
            name(worst)
        );
    }
    let mut silent: Vec<&str> = data
        .progress
        .units
        .iter()
        .filter(|u| !u.reported_today && u.metrics.remaining > 0)
        .map(|u| data.units.get(u.unit).name.as_str())
        .collect();
    silent.sort_unstable();
    if silent.is_empty() {
        let _ = writeln!(*text, "- Tất cả đơn vị đã báo cáo trong ngày.");
    } else {
        let _ = writeln!(
            *text,
            "- Chưa báo cáo hôm nay ({} đơn vị): {}.",
            silent.len(),
            silent.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_number_formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(2045), "2.045");
        assert_eq!(thousands(1_000_000), "1.000.000");
        assert_eq!(percent(Some(0.31)), "31,0%");
        assert_eq!(percent(Some(0.2778)), "27,8%");
        assert_eq!(percent(None), "-");
    }
}
