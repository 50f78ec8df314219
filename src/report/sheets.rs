//! What each output sheet lists (SPEC §7), as [`Table`]s built from the stages' outputs. A force's
//! workbook uses the same builders with a force filter: it holds only that force's units, officers
//! and citizens, so a force never sees a citizen assigned to another force.

use super::table::header;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::RunData;
use super::table::{Highlight, Table, Value};
use crate::assign::Candidate;
use crate::assign::master::Citizen;
use crate::ix::{CommuneIx, ForceIx, UnitIx};
use crate::reconcile::claims::ClaimClass;
use crate::reconcile::metrics::Metrics;

/// Sheet names, in workbook order.
pub const SUMMARY: &str = "Tổng hợp";
pub const UNITS: &str = "Theo đơn vị";
pub const OFFICERS: &str = "Theo cán bộ";
pub const REMAINING: &str = "Chưa kích hoạt";
pub const CONFLICTS: &str = "Trùng phân công";
pub const UNASSIGNED: &str = "Chưa phân công";
pub const NOT_IN_MASTER: &str = "Ngoài danh sách";
pub const ANOMALIES: &str = "Báo cáo bất thường";
pub const ERRORS: &str = "Lỗi dữ liệu";
pub const SOURCES: &str = "Nguồn dữ liệu";

fn yes_no(flag: bool) -> Value<'static> {
    Value::from(if flag { "Có" } else { "Không" })
}

fn commune<'a>(data: &RunData<'a>, commune: Option<CommuneIx>) -> Value<'a> {
    Value::from(commune.map_or("(không rõ)", |c| data.settings.commune(c)))
}

fn metric_cells(m: &Metrics) -> Vec<Value<'static>> {
    vec![
        m.target.into(),
        m.activated.into(),
        m.activated_today.into(),
        m.remaining.into(),
        Value::Percent(m.percent),
        // Past the deadline there is no daily rate left to reach it.
        if m.overdue_days > 0 {
            Value::Empty
        } else {
            m.required_per_day.into()
        },
        Value::Decimal(m.pace_7d),
        Value::Date(m.projected_finish),
        crate::reconcile::metrics::Shown::of(m.status, m.target)
            .label()
            .into(),
    ]
}

const METRIC_HEADERS: [&str; 9] = [
    "Chỉ tiêu",
    "Đã kích hoạt",
    "Trong ngày",
    "Còn lại",
    "Tỷ lệ",
    "Cần mỗi ngày",
    "Bình quân 7 ngày",
    "Dự kiến xong",
    "Tình trạng",
];

/// Tổng hợp: commune × force against targets, with the district (or force) total.
pub fn summary<'a>(data: &RunData<'a>, force: Option<ForceIx>) -> Table<'a> {
    let forces: Vec<ForceIx> =
        force.map_or_else(|| data.settings.force_ixs().collect(), |f| vec![f]);
    let mut headers: Vec<String> = vec![header::NO.into(), "Xã, thị trấn".into()];
    for &f in &forces {
        let name = &data.settings.force(f).name;
        headers.push(format!("{name}: chỉ tiêu"));
        headers.push(format!("{name}: đã kích hoạt"));
    }
    headers.extend(METRIC_HEADERS.iter().map(|h| h.to_string()));
    let subtitle = match force {
        Some(f) => format!(
            "Kết quả của lực lượng {} theo xã, thị trấn",
            data.settings.force(f).name
        ),
        None => "Kết quả theo xã, thị trấn và lực lượng".to_string(),
    };
    let mut table = Table::new(SUMMARY, subtitle, headers);
    let cells: HashMap<(ForceIx, CommuneIx), &Metrics> = data
        .progress
        .by_force_commune
        .iter()
        .filter_map(|g| Some(((g.force?, g.commune?), &g.metrics)))
        .collect();
    for (commune, name) in data.settings.commune_ixs().zip(&data.settings.communes) {
        let mut row = vec![
            Value::Count(commune.get() as u64 + 1),
            Value::from(name.as_str()),
        ];
        for &f in &forces {
            let m = cells.get(&(f, commune));
            row.push(m.map_or(0, |m| m.target).into());
            row.push(m.map_or(0, |m| m.activated).into());
        }
        let total = match force {
            Some(f) => cells.get(&(f, commune)).map(|m| (*m).clone()),
            None => data
                .progress
                .by_commune
                .get(commune.get())
                .map(|g| g.metrics.clone()),
        };
        row.extend(total.as_ref().map(metric_cells).unwrap_or_default());
        table.rows.push(row);
    }
    let total = match force {
        Some(f) => data
            .progress
            .by_force
            .get(f.get())
            .map(|g| g.metrics.clone()),
        None => Some(data.progress.district.clone()),
    };
    let mut totals = vec![
        Value::Empty,
        Value::from(if force.is_some() {
            "Cộng"
        } else {
            "Toàn huyện"
        }),
    ];
    for &f in &forces {
        let m = data.progress.by_force.get(f.get()).map(|g| &g.metrics);
        totals.push(m.map_or(0, |m| m.target).into());
        totals.push(m.map_or(0, |m| m.activated).into());
    }
    totals.extend(total.as_ref().map(metric_cells).unwrap_or_default());
    table.totals = Some(totals);
    table
        .highlights
        .push((table.headers.len() - 1, Highlight::Status));
    table
}

/// Theo đơn vị: every unit with its progress, report today, result streak and rank.
pub fn units<'a>(data: &RunData<'a>, force: Option<ForceIx>) -> Table<'a> {
    let mut headers = vec![header::NO, "Lực lượng", "Đơn vị", "Xã, thị trấn"];
    headers.extend(METRIC_HEADERS);
    headers.extend([
        "Báo cáo hôm nay",
        "Số ngày liền không có kết quả",
        "Xếp hạng trong lực lượng",
    ]);
    let mut table = Table::new(UNITS, "Tiến độ của từng đơn vị", headers);
    let mut rows: Vec<_> = data
        .progress
        .units
        .iter()
        .map(|p| (p, data.units.get(p.unit)))
        .filter(|(_, unit)| force.is_none_or(|f| unit.force == f))
        .collect();
    rows.sort_by(|a, b| {
        (
            a.1.force,
            a.1.commune.map_or(usize::MAX, CommuneIx::get),
            &a.1.name,
        )
            .cmp(&(
                b.1.force,
                b.1.commune.map_or(usize::MAX, CommuneIx::get),
                &b.1.name,
            ))
    });
    for (index, (progress, unit)) in rows.into_iter().enumerate() {
        let mut row = vec![
            Value::Count(index as u64 + 1),
            data.settings.force(unit.force).name.as_str().into(),
            unit.name.as_str().into(),
            commune(data, unit.commune),
        ];
        row.extend(metric_cells(&progress.metrics));
        row.extend([
            yes_no(progress.reported_today),
            progress.zero_days.into(),
            u64::from(progress.rank).into(),
        ]);
        table.rows.push(row);
    }
    table.highlights = vec![
        (12, Highlight::Status),
        (13, Highlight::NoReport),
        (14, Highlight::ZeroStreak(3)),
    ];
    table
}

/// Theo cán bộ: every officer who won at least one citizen.
/// An officer's (force, unit, officer id) and first spelling, citizens assigned and activated.
pub type OfficerTally<'a> = ((ForceIx, UnitIx, u32), (&'a str, u64, u64));

/// Computes what the district's workbook and the forces' share (the officers' tallies, the to-do
/// list's order), one on each core, before the workbooks start: otherwise the first workbook to need
/// one computes it while the other waits for it.
pub fn prepare_shared(data: &RunData<'_>) {
    rayon::join(
        || data.officers.get_or_init(|| officer_tallies(data)),
        || data.remaining.get_or_init(|| remaining_order(data)),
    );
}

/// Every officer's tally, in (force, unit, officer's comparison key) order.
fn officer_tallies<'a>(data: &RunData<'a>) -> Vec<OfficerTally<'a>> {
    let counted = data.claims.counted_ids();
    let mut tally: rustc_hash::FxHashMap<(ForceIx, UnitIx, u32), (&str, u64, u64)> =
        Default::default();
    for citizen in &data.master.citizens {
        let Some(winner) = data.assignments.winners.get(&citizen.id) else {
            continue;
        };
        let entry = tally
            .entry((winner.force, winner.unit, winner.officer_id))
            .or_insert((&*winner.officer, 0, 0));
        entry.1 += 1;
        entry.2 += u64::from(counted.contains(&citizen.id));
    }
    let keys = &data.assignments.officers.keys;
    let mut officers: Vec<_> = tally.into_iter().collect();
    officers.sort_unstable_by(|((f1, u1, o1), _), ((f2, u2, o2), _)| {
        (f1, u1, &keys[*o1 as usize]).cmp(&(f2, u2, &keys[*o2 as usize]))
    });
    officers
}

pub fn officers<'a>(data: &RunData<'a>, force: Option<ForceIx>) -> Table<'a> {
    let officers = data
        .officers
        .get_or_init(|| officer_tallies(data))
        .iter()
        .filter(|((f, _, _), _)| force.is_none_or(|force| *f == force));
    let headers = vec![
        header::NO,
        "Lực lượng",
        "Đơn vị",
        "Cán bộ phụ trách",
        "Được giao",
        "Đã kích hoạt",
        "Còn lại",
        "Tỷ lệ",
    ];
    let mut table = Table::new(OFFICERS, "Kết quả của từng cán bộ phụ trách", headers);
    for (index, &((f, unit, _), (name, assigned, activated))) in officers.enumerate() {
        let name = if name.is_empty() {
            "(chưa ghi tên cán bộ)"
        } else {
            name
        };
        table.rows.push(vec![
            Value::Count(index as u64 + 1),
            data.settings.force(f).name.as_str().into(),
            data.units.get(unit).name.as_str().into(),
            name.into(),
            assigned.into(),
            activated.into(),
            (assigned - activated).into(),
            Value::Percent((assigned > 0).then(|| activated as f64 / assigned as f64)),
        ]);
    }
    table
}

fn assignee<'a>(data: &RunData<'a>, winner: Option<&'a Candidate>) -> [Value<'a>; 3] {
    match winner {
        Some(w) => [
            data.settings.force(w.force).name.as_str().into(),
            data.units.get(w.unit).name.as_str().into(),
            Value::from(&*w.officer),
        ],
        None => [Value::from("(chưa phân công)"), Value::Empty, Value::Empty],
    }
}

/// The columns that identify a citizen to the officer who visits them: ID, name, date of birth,
/// commune, village, phone.
fn citizen_cells<'a>(data: &RunData<'a>, citizen: &'a Citizen) -> [Value<'a>; 6] {
    [
        Value::Id(citizen.id.digits().into()),
        Value::text_or_empty(citizen.name.as_deref()),
        citizen
            .dob
            .map_or(Value::Empty, |d| Value::Text(d.display().into())),
        commune(data, citizen.commune),
        Value::text_or_empty(citizen.village.as_deref()),
        citizen
            .phone
            .as_deref()
            .map_or(Value::Empty, |p| Value::Id(p.into())),
    ]
}

/// A remaining citizen and their winning assignment, if any.
pub type RemainingCitizen<'a> = (&'a Citizen, Option<&'a Candidate>);

/// Unassigned citizens sort after every force.
fn force_key(winner: Option<&Candidate>) -> usize {
    winner.map_or(usize::MAX, |w| w.force.get())
}

/// The citizens of the to-do list in its order: force, commune, unit, ID. Sorted once for the
/// district's workbook and the forces' ones.
fn remaining_order<'a>(data: &RunData<'a>) -> Vec<RemainingCitizen<'a>> {
    let counted = data.claims.counted_ids();
    let mut citizens: Vec<_> = data
        .master
        .citizens
        .iter()
        .filter(|c| !counted.contains(&c.id))
        .map(|c| (c, data.assignments.winners.get(&c.id)))
        .collect();
    // The key ends with the ID, so no two keys are equal: an unstable sort gives the same order.
    citizens.sort_unstable_by_key(|&(c, w)| {
        (
            force_key(w),
            c.commune.map_or(usize::MAX, CommuneIx::get),
            w.map_or(usize::MAX, |w| w.unit.get()),
            c.id,
        )
    });
    citizens
}

/// Chưa kích hoạt: the to-do list, each remaining citizen with their officer.
pub fn remaining<'a>(data: &RunData<'a>, force: Option<ForceIx>) -> Table<'a> {
    let headers = vec![
        header::NO,
        header::ID,
        header::NAME,
        "Ngày sinh",
        "Xã, thị trấn",
        "Thôn, bản",
        "Số điện thoại",
        "Lực lượng",
        "Đơn vị phụ trách",
        "Cán bộ phụ trách",
    ];
    let mut table = Table::new(
        REMAINING,
        "Danh sách công dân chưa kích hoạt và cán bộ phụ trách",
        headers,
    );
    let everyone = data.remaining.get_or_init(|| remaining_order(data));
    // A force's citizens are one run of the district's order, which starts with the force.
    let citizens = match force {
        None => everyone.as_slice(),
        Some(f) => {
            let start = everyone.partition_point(|(_, w)| force_key(*w) < f.get());
            let end = everyone.partition_point(|(_, w)| force_key(*w) <= f.get());
            &everyone[start..end]
        }
    };
    table.rows.reserve_exact(citizens.len());
    for (index, &(citizen, winner)) in citizens.iter().enumerate() {
        let mut row = Vec::with_capacity(10);
        row.push(Value::Count(index as u64 + 1));
        row.extend(citizen_cells(data, citizen));
        row.extend(assignee(data, winner));
        table.rows.push(row);
    }
    table
}

/// Trùng phân công: every losing candidate, with the winner and the deciding rule.
pub fn conflicts<'a>(data: &RunData<'a>, force: Option<ForceIx>) -> Table<'a> {
    let places = Places::new(data.files);
    let headers = vec![
        header::NO,
        header::ID,
        header::NAME,
        "Xã, thị trấn",
        "Được giao cho: lực lượng",
        "Đơn vị",
        "Cán bộ",
        "Không giao cho: lực lượng",
        "Đơn vị",
        "Cán bộ",
        "Lý do",
        "Tệp, dòng của phân công không được giao",
    ];
    let mut table = Table::new(
        CONFLICTS,
        "Công dân được nhiều đơn vị nhận hướng dẫn: đơn vị được giao và đơn vị không được giao",
        headers,
    );
    let conflicts = data
        .assignments
        .conflicts
        .iter()
        .filter(|c| force.is_none_or(|f| c.winner.force == f));
    for (index, conflict) in conflicts.enumerate() {
        let citizen = data.master.get(conflict.id);
        let mut row = vec![
            Value::Count(index as u64 + 1),
            Value::Id(conflict.id.to_string().into()),
            Value::text_or_empty(citizen.and_then(|c| c.name.as_deref())),
            commune(data, citizen.and_then(|c| c.commune)),
        ];
        row.extend(assignee(data, Some(&conflict.winner)));
        row.extend(assignee(data, Some(&conflict.loser)));
        row.push(conflict.rule.explanation().into());
        row.push(places.of(&conflict.loser.position).into());
        table.rows.push(row);
    }
    table
}

/// Chưa phân công: master citizens with no candidate.
pub fn unassigned<'a>(data: &RunData<'a>) -> Table<'a> {
    let headers = vec![
        header::NO,
        header::ID,
        header::NAME,
        "Ngày sinh",
        "Xã, thị trấn",
        "Thôn, bản",
        "Số điện thoại",
    ];
    let mut table = Table::new(
        UNASSIGNED,
        "Công dân trong danh sách chưa kích hoạt chưa được phân công cán bộ",
        headers,
    );
    let mut citizens: Vec<_> = data
        .master
        .citizens
        .iter()
        .filter(|c| !data.assignments.winners.contains_key(&c.id))
        .collect();
    citizens.sort_by_key(|c| (c.commune.map_or(usize::MAX, CommuneIx::get), c.id));
    for (index, citizen) in citizens.into_iter().enumerate() {
        let mut row = vec![Value::Count(index as u64 + 1)];
        row.extend(citizen_cells(data, citizen));
        table.rows.push(row);
    }
    table
}

/// Where a row came from, as a reader finds it: "file [sheet name] dòng N".
struct Places<'a> {
    sheets: std::collections::HashMap<&'a str, &'a [crate::ingest::SheetReport]>,
}

impl<'a> Places<'a> {
    fn new(files: &'a [crate::ingest::FileReport]) -> Self {
        let sheets = files
            .iter()
            .map(|file| (file.path.as_str(), file.sheets.as_slice()))
            .collect();
        Self { sheets }
    }

    /// The sheet is named by its name (by its number only where the name is not known).
    fn of(&self, position: &crate::ingest::Position) -> String {
        let sheet = self
            .sheets
            .get(&*position.path)
            .and_then(|sheets| sheets.get(position.sheet as usize))
            .map_or_else(|| (position.sheet + 1).to_string(), |s| s.name.clone());
        format!("{} [{}] dòng {}", position.path, sheet, position.row)
    }
}

/// Ngoài danh sách: assigned IDs that are not in the master list.
pub fn not_in_master<'a>(data: &RunData<'a>, force: Option<ForceIx>) -> Table<'a> {
    let places = Places::new(data.files);
    let headers = vec![
        header::NO,
        header::ID,
        "Lực lượng",
        "Đơn vị",
        "Cán bộ phụ trách",
        "Tệp, dòng",
    ];
    let mut table = Table::new(
        NOT_IN_MASTER,
        "Số định danh được phân công nhưng không có trong danh sách chưa kích hoạt",
        headers,
    );
    let rows = data
        .assignments
        .not_in_master
        .iter()
        .filter_map(|id| data.assignments.winners.get(id).map(|w| (id, w)));
    for (index, (id, winner)) in rows
        .filter(|(_, w)| force.is_none_or(|f| w.force == f))
        .enumerate()
    {
        let mut row = vec![
            Value::Count(index as u64 + 1),
            Value::Id(id.to_string().into()),
        ];
        row.extend(assignee(data, Some(winner)));
        row.push(places.of(&winner.position).into());
        table.rows.push(row);
    }
    table
}

/// Báo cáo bất thường: claims not counted, and counted claims outside the assignment. A force sees
/// the claims on its own citizens and its units' claims on citizens not assigned to another force.
pub fn anomalies<'a>(data: &RunData<'a>, force: Option<ForceIx>) -> Table<'a> {
    let places = Places::new(data.files);
    let headers = vec![
        header::NO,
        "Ngày báo cáo",
        header::ID,
        header::NAME,
        "Đơn vị báo cáo",
        "Nhận xét",
        "Đơn vị được giao",
        "Ngày đã ghi nhận trước",
        "Tệp, dòng",
    ];
    let mut table = Table::new(
        ANOMALIES,
        "Báo cáo không được tính hoặc ngoài phân công",
        headers,
    );
    let claims = data
        .claims
        .claims
        .iter()
        .filter(|c| c.class != ClaimClass::Counted || c.outside_assignment);
    let visible = |c: &&crate::reconcile::claims::Claim| {
        let Some(f) = force else { return true };
        let assigned_force = data
            .assignments
            .winners
            .get(&c.id)
            .filter(|_| data.master.contains(c.id))
            .map(|w| w.force);
        assigned_force == Some(f) || (assigned_force.is_none() && data.units.get(c.unit).force == f)
    };
    for (index, claim) in claims.filter(visible).enumerate() {
        let winner = data
            .assignments
            .winners
            .get(&claim.id)
            .filter(|_| data.master.contains(claim.id));
        let note = if claim.class == ClaimClass::Counted {
            "Được ghi nhận nhưng ngoài phân công"
        } else {
            claim.class.explanation()
        };
        table.rows.push(vec![
            Value::Count(index as u64 + 1),
            Value::Date(Some(claim.date)),
            Value::Id(claim.id.to_string().into()),
            Value::text_or_empty(
                data.master
                    .get(claim.id)
                    .and_then(|c| c.name.as_deref())
                    .or(claim.reported_name.as_deref()),
            ),
            data.units.get(claim.unit).name.as_str().into(),
            note.into(),
            winner.map_or(Value::Empty, |w| {
                data.units.get(w.unit).name.as_str().into()
            }),
            Value::Date(claim.counted_on),
            places.of(&claim.position).into(),
        ]);
    }
    table
}

/// Lỗi dữ liệu: every rejected row and every warning, with file, sheet, row, column and value.
pub fn errors<'a>(data: &RunData<'a>) -> Table<'a> {
    let headers = vec![
        header::NO,
        "Tệp",
        "Trang",
        "Dòng",
        "Cột",
        "Giá trị",
        "Loại",
        "Lý do",
        "Mã lỗi",
    ];
    let mut table = Table::new(
        ERRORS,
        "Các dòng bị loại và cảnh báo dữ liệu: sửa trong tệp gốc rồi gửi lại",
        headers,
    );
    for file in data.files {
        for sheet in &file.sheets {
            for reject in &sheet.rejects {
                let row = vec![
                    Value::Empty,
                    file.path.as_str().into(),
                    sheet.name.as_str().into(),
                    u64::from(reject.row).into(),
                    reject.column.as_str().into(),
                    Value::Id(reject.value.as_str().into()),
                    "Loại bỏ".into(),
                    reject.reason.explanation().into(),
                    reject.reason.code().into(),
                ];
                table.rows.push(row);
            }
            for warning in &sheet.warnings {
                table.rows.push(vec![
                    Value::Empty,
                    file.path.as_str().into(),
                    sheet.name.as_str().into(),
                    u64::from(warning.row).into(),
                    warning.column.as_str().into(),
                    Value::Empty,
                    "Cảnh báo".into(),
                    warning.code.explanation().into(),
                    warning.code.code().into(),
                ]);
            }
        }
    }
    for (index, row) in table.rows.iter_mut().enumerate() {
        row[0] = Value::Count(index as u64 + 1);
    }
    table
}

/// Nguồn dữ liệu: every input with its counts and SHA-256, the unreadable files, the settings.
pub fn sources<'a>(data: &RunData<'a>) -> Table<'a> {
    let headers = vec![
        header::NO,
        "Tệp",
        "Trang",
        "Dòng tiêu đề",
        "Số dòng đọc",
        "Nhận",
        "Loại",
        "Bỏ qua",
        "SHA-256 / lý do không đọc được",
    ];
    let mut table = Table::new(
        SOURCES,
        "Các tệp đã đọc, cài đặt của lần chạy và phiên bản công cụ",
        headers,
    );
    for file in data.files {
        if let Some(message) = &file.message {
            table.rows.push(vec![
                Value::Empty,
                file.path.as_str().into(),
                "(không đọc được)".into(),
                Value::Empty,
                Value::Empty,
                Value::Empty,
                Value::Empty,
                Value::Empty,
                message.as_str().into(),
            ]);
        }
        for sheet in &file.sheets {
            table.rows.push(vec![
                Value::Empty,
                file.path.as_str().into(),
                sheet.name.as_str().into(),
                sheet
                    .header_row
                    .map_or(Value::Empty, |r| u64::from(r).into()),
                sheet.read.into(),
                sheet.accepted.into(),
                sheet.rejected.into(),
                sheet.skipped.into(),
                Value::Id(file.sha256.as_str().into()),
            ]);
        }
    }
    table.rows.extend(settings_rows(data));
    for (index, row) in table.rows.iter_mut().enumerate() {
        row[0] = Value::Count(index as u64 + 1);
    }
    table
}

/// The run's settings and the tool's version, as rows of Nguồn dữ liệu.
fn settings_rows<'a>(data: &RunData<'a>) -> Vec<Vec<Value<'a>>> {
    let mut rows = Vec::new();
    let s = data.settings;
    let setting = |name: &'static str, value: String| {
        vec![
            Value::Empty,
            Value::from("(cài đặt)"),
            Value::from(name),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Text(value.into()),
        ]
    };
    rows.push(setting(
        "Ngày số liệu",
        data.as_of.format("%d/%m/%Y").to_string(),
    ));
    rows.push(setting(
        "Hạn hoàn thành",
        s.deadline.format("%d/%m/%Y").to_string(),
    ));
    rows.push(setting(
        "Giờ chốt đơn vị / huyện",
        format!(
            "{} / {}",
            s.unit_cutoff.format("%H:%M"),
            s.district_cutoff.format("%H:%M")
        ),
    ));
    rows.push(setting(
        "Ghi nhận kết quả cho",
        if s.credit == crate::settings::Credit::Assignee {
            "đơn vị được phân công".into()
        } else {
            "đơn vị báo cáo".into()
        },
    ));
    let forces: Vec<String> = s
        .forces
        .iter()
        .map(|f| format!("{} ({})", f.name, f.id))
        .collect();
    rows.push(setting("Lực lượng, theo thứ tự ưu tiên", forces.join("; ")));
    rows.push(setting(
        "Phiên bản vneid-recon",
        env!("CARGO_PKG_VERSION").to_string(),
    ));
    rows
}

/// Counted claims per day from the first report day to the as-of date (credited to `force`'s units
/// when given).
pub fn daily_counts(data: &RunData<'_>, force: Option<ForceIx>) -> Vec<(NaiveDate, u64)> {
    let Some(first) = data.discovery.report_dates.first().copied() else {
        return Vec::new();
    };
    let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for claim in &data.claims.claims {
        let Some(unit) = claim.credited_unit else {
            continue;
        };
        if force.is_none_or(|f| data.units.get(unit).force == f) {
            *per_day.entry(claim.date).or_insert(0) += 1;
        }
    }
    first
        .iter_days()
        .take_while(|d| *d <= data.as_of)
        .map(|d| (d, per_day.get(&d).copied().unwrap_or(0)))
        .collect()
}
