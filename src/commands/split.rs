//! `vneid-recon split`: one workbook per unit, `out/D/don-vi/<force-id>/<unit>.xlsx`, listing the
//! citizens the unit must still guide (counted claims before D excluded), ready to fill in and send
//! back as its daily report. The `don-vi/` folder is published whole, under the workspace lock.

use chrono::NaiveDate;

use super::{ExitStatus, Failure, resolve};
use crate::pipeline::jobs;

/// Writes the forms; exit 1 when some input files were unreadable.
pub fn run(
    workspace: &std::path::Path,
    date: Option<NaiveDate>,
    quiet: bool,
    protect: bool,
) -> Result<ExitStatus, Failure> {
    let context = resolve(workspace, date, protect)?;
    let made = jobs::write_forms(&context, context.knobs.lock_wait)?;
    if !quiet {
        eprintln!(
            "Đã ghi {} biểu mẫu báo cáo của các đơn vị vào {}",
            made.forms,
            made.folder.display()
        );
    }
    Ok(if made.some_unreadable {
        ExitStatus::Partial
    } else {
        ExitStatus::Success
    })
}
