//! `vneid-recon split`: one workbook per unit, `out/D/don-vi/<force-id>/<unit>.xlsx`, listing the
//! citizens the unit must still guide (counted claims before D excluded), ready to fill in and send
//! back as its daily report. The `don-vi/` folder is published whole, under the workspace lock.

use anyhow::Context;
use chrono::NaiveDate;

use super::run::{read_inputs, reconcile, take_lock};
use super::{ExitStatus, Failure, load_settings};

/// Writes the forms; exit 1 when some input files were unreadable.
pub fn run(
    workspace: &std::path::Path,
    date: Option<NaiveDate>,
    quiet: bool,
) -> Result<ExitStatus, Failure> {
    let settings = load_settings(workspace)?;
    if !workspace.join("master").is_dir() {
        return Err(Failure::cannot_run(anyhow::anyhow!(
            "thiếu thư mục {}/master; tạo bằng: vneid-recon init {}",
            workspace.display(),
            workspace.display()
        )));
    }
    let now = crate::vietnam_now();
    let _lock = take_lock(workspace, now)?;
    let as_of = date.unwrap_or(now.date());
    let inputs = read_inputs(workspace, &settings, as_of, false, !quiet)?;
    let stages = reconcile(&settings, inputs, &mut super::run::StageTimer::new())
        .map_err(Failure::cannot_run)?;
    let data = stages.data(&settings, as_of, false);
    let forms = crate::report::forms::unit_forms(&data).map_err(Failure::cannot_run)?;
    let folder = workspace
        .join("out")
        .join(as_of.format("%Y-%m-%d").to_string())
        .join("don-vi");
    let files: Vec<(&str, &[u8])> = forms
        .iter()
        .map(|(name, bytes)| {
            (
                name.strip_prefix("don-vi/").unwrap_or(name),
                bytes.as_slice(),
            )
        })
        .collect();
    crate::fsio::publish_dir(&folder, &files)
        .with_context(|| format!("không ghi được {}", folder.display()))
        .map_err(Failure::cannot_run)?;
    if !quiet {
        eprintln!(
            "Đã ghi {} biểu mẫu báo cáo của các đơn vị vào {}",
            forms.len(),
            folder.display()
        );
    }
    let unreadable = data
        .files
        .iter()
        .any(crate::ingest::FileReport::is_unreadable);
    Ok(if unreadable {
        ExitStatus::Partial
    } else {
        ExitStatus::Success
    })
}
