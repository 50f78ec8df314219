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
        let day = context.as_of.format("%d/%m/%Y");
        let cutoff = context.settings.unit_cutoff.format("%H:%M");
        eprintln!(
            "Đã ghi {} phiếu báo cáo ngày {day} của các đơn vị vào {}",
            made.forms,
            made.folder.display()
        );
        eprintln!("Việc tiếp theo:");
        eprintln!(
            "  1. Gửi mỗi đơn vị phiếu của mình (thư mục con theo lực lượng): phiếu liệt kê những \
             người đơn vị còn phải hướng dẫn tính đến ngày {day}."
        );
        eprintln!(
            "  2. Đơn vị ghi x vào cột “Đã kích hoạt” cho người đã kích hoạt trong ngày {day}, để \
             trống người chưa, rồi gửi lại trước {cutoff} ngày {day}."
        );
        eprintln!(
            "  3. Nhận phiếu trên trang văn phòng (Nhận báo cáo), hoặc chép vào {}/<lực lượng>/, \
             rồi chạy vneid-recon run -w {} --date {}.",
            context.workspace.report_day(context.as_of).display(),
            context.workspace.root().display(),
            context.as_of
        );
    }
    Ok(if made.some_unreadable {
        ExitStatus::Partial
    } else {
        ExitStatus::Success
    })
}
