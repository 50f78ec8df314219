//! The names of a day's outputs, defined once (the folder `out/D/` is
//! [`crate::workspace::Workspace::out_day`]); `run`
//! writes them, `split` writes the forms' folder, the office page lists, labels and reads them.

use chrono::NaiveDate;

/// `summary.json`.
pub const SUMMARY: &str = "summary.json";
/// The folder of the units' forms (`split`), kept when the day is run again.
pub const FORMS: &str = "don-vi";
/// The folder of the Parquet tables (`run --parquet`).
pub const PARQUET: &str = "parquet";

/// `tong-hop-D.xlsx`, the district workbook.
pub fn district_workbook(day: NaiveDate) -> String {
    format!("tong-hop-{}.xlsx", day.format("%Y-%m-%d"))
}

/// `<force-id>-D.xlsx`, a force's workbook.
pub fn force_workbook(force_id: &str, day: NaiveDate) -> String {
    format!("{force_id}-{}.xlsx", day.format("%Y-%m-%d"))
}

/// `tin-nhan-D.txt`, the text for the chat groups.
pub fn chat_text(day: NaiveDate) -> String {
    format!("tin-nhan-{}.txt", day.format("%Y-%m-%d"))
}

/// `bieu-do-D.png` or `.svg`, the progress picture.
pub fn picture(day: NaiveDate, extension: &str) -> String {
    format!("bieu-do-{}.{extension}", day.format("%Y-%m-%d"))
}

/// `bieu-do-D-dien-thoai.svg`, the progress picture laid out for a phone (the office page's).
pub fn phone_picture(day: NaiveDate) -> String {
    format!("bieu-do-{}-dien-thoai.svg", day.format("%Y-%m-%d"))
}

/// What an output file of a day is (a name relative to `out/D/`, with `/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output<'a> {
    Summary,
    DistrictWorkbook,
    /// The workbook of the force with this id.
    ForceWorkbook(&'a str),
    ChatText,
    Picture {
        png: bool,
    },
    /// The picture laid out for a phone.
    PhonePicture,
    /// A unit's form, by its path under the forms' folder.
    Form(&'a str),
    /// A Parquet table, by its name.
    Parquet(&'a str),
    Other,
}

/// What the file `name` of a day is; `force_ids` are the configured forces.
pub fn output_of<'a>(name: &'a str, force_ids: &[&'a str]) -> Output<'a> {
    if let Some(form) = name.strip_prefix(FORMS).and_then(|n| n.strip_prefix('/')) {
        return Output::Form(form);
    }
    if let Some(table) = name.strip_prefix(PARQUET).and_then(|n| n.strip_prefix('/')) {
        return Output::Parquet(table);
    }
    if name == SUMMARY {
        return Output::Summary;
    }
    if name.starts_with("tong-hop-") {
        return Output::DistrictWorkbook;
    }
    if name.starts_with("tin-nhan-") {
        return Output::ChatText;
    }
    if name.starts_with("bieu-do-") && name.ends_with("-dien-thoai.svg") {
        return Output::PhonePicture;
    }
    if name.starts_with("bieu-do-") {
        return Output::Picture {
            png: name.ends_with(".png"),
        };
    }
    force_ids
        .iter()
        .find(|id| {
            name.strip_prefix(**id)
                .is_some_and(|rest| rest.starts_with('-'))
        })
        .map_or(Output::Other, |id| Output::ForceWorkbook(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_written_is_recognised() {
        let day = NaiveDate::from_ymd_opt(2024, 1, 15).expect("a day");
        let forces = ["cong-an", "doan-thanh-nien"];
        assert_eq!(output_of(SUMMARY, &forces), Output::Summary);
        assert_eq!(
            output_of(&district_workbook(day), &forces),
            Output::DistrictWorkbook
        );
        assert_eq!(
            output_of(&force_workbook("cong-an", day), &forces),
            Output::ForceWorkbook("cong-an")
        );
        assert_eq!(output_of(&chat_text(day), &forces), Output::ChatText);
        assert_eq!(
            output_of(&picture(day, "png"), &forces),
            Output::Picture { png: true }
        );
        assert_eq!(
            output_of(&picture(day, "svg"), &forces),
            Output::Picture { png: false }
        );
        assert_eq!(
            output_of(&phone_picture(day), &forces),
            Output::PhonePicture
        );
        assert_eq!(
            output_of("don-vi/cong-an/x.xlsx", &forces),
            Output::Form("cong-an/x.xlsx")
        );
        assert_eq!(
            output_of("parquet/claims.parquet", &forces),
            Output::Parquet("claims.parquet")
        );
        assert_eq!(output_of("khac.txt", &forces), Output::Other);
    }
}
