//! `vneid-recon split`: one workbook per unit, `out/D/don-vi/<force-id>/<unit>.xlsx`, listing the
//! citizens the unit must still guide (counted claims before D excluded), ready to fill in and send
//! back as its daily report. The `don-vi/` folder is published whole, under the workspace lock.

use anyhow::Context as _;
use chrono::NaiveDate;

use super::{ExitStatus, Failure, read_with_progress, require_master, resolve, take_lock};
use crate::pipeline::{self, Days, Timings};

/// Writes the forms; exit 1 when some input files were unreadable.
pub fn run(
    workspace: &std::path::Path,
    date: Option<NaiveDate>,
    quiet: bool,
) -> Result<ExitStatus, Failure> {
    let context = resolve(workspace, date)?;
    let made = write_forms(&context, context.knobs.lock_wait)?;
    if !quiet {
        eprintln!(
            "Đã ghi {} biểu mẫu báo cáo của các đơn vị vào {}",
            made.forms,
            made.folder.display()
        );
    }
    Ok(made.status)
}

/// What [`write_forms`] made.
pub(crate) struct Forms {
    pub forms: usize,
    pub folder: std::path::PathBuf,
    /// Exit 1 when some input files were unreadable.
    pub status: ExitStatus,
}

/// Writes the day's forms (the command and the office page's button): under the workspace lock,
/// waiting at most `wait` for another holder; `out/D/don-vi/` is published whole.
pub(crate) fn write_forms(
    context: &pipeline::Context,
    wait: std::time::Duration,
) -> Result<Forms, Failure> {
    require_master(context)?;
    let _lock = take_lock(context, wait)?;
    let inputs = read_with_progress(context, Days::BeforeAsOf, false)?;
    let stages = pipeline::compute(&context.settings, inputs, &mut Timings::start())
        .map_err(Failure::cannot_run)?;
    let data = stages.data(&context.settings, context.as_of, false);
    let forms = crate::report::forms::unit_forms(&data).map_err(Failure::cannot_run)?;
    let folder = context.out_dir().join("don-vi");
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
    let unreadable = data
        .files
        .iter()
        .any(crate::ingest::FileReport::is_unreadable);
    Ok(Forms {
        forms: forms.len(),
        folder,
        status: if unreadable {
            ExitStatus::Partial
        } else {
            ExitStatus::Success
        },
    })
}
