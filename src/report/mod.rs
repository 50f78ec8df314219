//! Outputs of a run (SPEC §7): `summary.json`, the district workbook `tong-hop-D.xlsx`, one workbook
//! per force `<force-id>-D.xlsx` for its re-check (phúc tra), and the chat message `tin-nhan-D.txt`.
//! Everything is built in memory from the stages' outputs; `fsio` publishes the folder.

pub mod chart;
pub mod cleaned;
pub mod forms;
pub mod layout;
pub mod message;
pub mod parquet;
pub mod sheets;
pub mod style;
pub mod summary;
pub mod table;
pub mod xlsx;

use chrono::NaiveDate;

use crate::assign::Assignments;
use crate::assign::directory::Units;
use crate::assign::master::Master;
use crate::ingest::FileReport;
use crate::ingest::workspace::Discovery;
use crate::ix::ForceIx;
use crate::reconcile::claims::Claims;
use crate::reconcile::progress::Progress;
use crate::settings::Settings;
use xlsx::{Book, Heading};

/// The stages' outputs, everything the reports are made of.
pub struct RunData<'a> {
    pub settings: &'a Settings,
    pub as_of: NaiveDate,
    pub provisional: bool,
    pub files: &'a [FileReport],
    pub discovery: &'a Discovery,
    pub master: &'a Master,
    pub assignments: &'a Assignments,
    pub claims: &'a Claims,
    pub units: &'a Units,
    pub progress: &'a Progress,
    /// Each officer's tally, counted once for the district's workbook and the forces' ones.
    pub officers: std::sync::OnceLock<Vec<sheets::OfficerTally<'a>>>,
    /// The to-do list's citizens in order, sorted once for the district's workbook and the forces'.
    pub remaining: std::sync::OnceLock<Vec<sheets::RemainingCitizen<'a>>>,
}

/// One output file: its name inside `out/D/` and its bytes.
pub type OutputFile = (String, Vec<u8>);

fn heading(data: &RunData<'_>) -> Heading {
    let place = if data.settings.district.is_empty() {
        data.settings.agency.clone()
    } else {
        data.settings.district.clone()
    };
    Heading {
        agency: data.settings.agency.clone(),
        place,
        as_of: data.as_of,
        cutoff: data
            .settings
            .district_cutoff
            .format("%H giờ %M")
            .to_string(),
        deadline: data.settings.deadline,
        days_left: data.progress.district.days_left,
        overdue_days: data.progress.district.overdue_days,
        provisional: data.provisional,
    }
}

/// The district workbook: the ten sheets of SPEC §7.
pub fn district_workbook<'a>(data: &RunData<'a>) -> anyhow::Result<Vec<u8>> {
    let mut book = Book::new(heading(data))?;
    let summary = sheets::summary(data, None);
    let width = summary.headers.len() as u16;
    let (_, last) = book.add_table(&summary)?;
    book.add_summary_extras(
        last,
        width,
        &sheets::daily_counts(data, None),
        data.progress.district.target,
    )?;
    // One table at a time: a province's lists are built, written and dropped in turn.
    let tables: [&dyn Fn() -> table::Table<'a>; 9] = [
        &|| sheets::units(data, None),
        &|| sheets::officers(data, None),
        &|| sheets::remaining(data, None),
        &|| sheets::conflicts(data, None),
        &|| sheets::unassigned(data),
        &|| sheets::not_in_master(data, None),
        &|| sheets::anomalies(data, None),
        &|| sheets::errors(data),
        &|| sheets::sources(data),
    ];
    for table in tables {
        book.add_table(&table())?;
    }
    Ok(book.into_bytes()?)
}

/// A force's workbook: only its units, officers, citizens, conflicts it won and claims.
pub fn force_workbook<'a>(data: &RunData<'a>, force: ForceIx) -> anyhow::Result<Vec<u8>> {
    let mut heading = heading(data);
    heading.agency = data.settings.agency.clone();
    let mut book = Book::new(heading)?;
    let summary = sheets::summary(data, Some(force));
    let width = summary.headers.len() as u16;
    let (_, last) = book.add_table(&summary)?;
    let target = data
        .progress
        .by_force
        .get(force.get())
        .map_or(0, |g| g.metrics.target);
    book.add_summary_extras(
        last,
        width,
        &sheets::daily_counts(data, Some(force)),
        target,
    )?;
    let tables: [&dyn Fn() -> table::Table<'a>; 6] = [
        &|| sheets::units(data, Some(force)),
        &|| sheets::officers(data, Some(force)),
        &|| sheets::remaining(data, Some(force)),
        &|| sheets::conflicts(data, Some(force)),
        &|| sheets::not_in_master(data, Some(force)),
        &|| sheets::anomalies(data, Some(force)),
    ];
    for table in tables {
        book.add_table(&table())?;
    }
    Ok(book.into_bytes()?)
}

/// Every output file of the day, in a fixed order.
pub fn all_outputs(data: &RunData<'_>, summary_json: String) -> anyhow::Result<Vec<OutputFile>> {
    use rayon::prelude::*;
    let day = data.as_of;
    let mut files = vec![(layout::SUMMARY.to_string(), summary_json.into_bytes())];
    // The district workbook (None) and the force workbooks, built in parallel, kept in order.
    sheets::prepare_shared(data);
    let books: Vec<Option<ForceIx>> = std::iter::once(None)
        .chain(data.settings.force_ixs().map(Some))
        .collect();
    // The picture is drawn beside the workbooks, on whichever core is free: as SVG for the office
    // page, as PNG for the chat groups.
    let (built, (svg, picture)): (Vec<anyhow::Result<OutputFile>>, _) = rayon::join(
        || {
            books
                .par_iter()
                .map(|book| match *book {
                    None => Ok((layout::district_workbook(day), district_workbook(data)?)),
                    Some(index) => Ok((
                        layout::force_workbook(&data.settings.force(index).id, day),
                        force_workbook(data, index)?,
                    )),
                })
                .collect()
        },
        || {
            let svg = chart::svg(data);
            let png = chart::png_of(&svg);
            (svg, png)
        },
    );
    let phone = chart::phone_svg(data);
    for book in built {
        files.push(book?);
    }
    files.push((
        layout::chat_text(day),
        message::chat_message(data).into_bytes(),
    ));
    // The picture the chat groups read at a glance, beside the text.
    files.push((layout::picture(day, "png"), picture?));
    files.push((layout::picture(day, "svg"), svg.into_bytes()));
    files.push((layout::phone_picture(day), phone.into_bytes()));
    Ok(files)
}
