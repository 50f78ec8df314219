//! `vneid-recon serve` and the double click: checks the flags, starts the page
//! ([`crate::serve`]) and prints its address; a double click also opens the browser on it.

use super::{ExitStatus, Failure, knobs_from_env};
use crate::cli::ServeArgs;
use std::net::SocketAddr;

/// Runs the page until Ctrl-C. `open_browser` (a double click) opens the browser on the page once
/// it listens, or on the page already running at that address.
pub fn run(flags: &ServeArgs, open_browser: bool) -> Result<ExitStatus, Failure> {
    if let Some(token) = &flags.token
        && token.trim().len() < 16
    {
        return Err(Failure::usage(anyhow::anyhow!(
            "--token phải dài ít nhất 16 ký tự (để trống thì máy tự tạo một mã)"
        )));
    }
    if open_browser
        && let Err(error) = std::net::TcpListener::bind(flags.listen)
        && error.kind() == std::io::ErrorKind::AddrInUse
    {
        // Started twice: the page is already there.
        let url = format!("http://{}/", flags.listen);
        say(&format!("Trang văn phòng đã đang chạy: {url}"));
        crate::platform::open_browser(&url);
        return Ok(ExitStatus::Success);
    }
    let args = crate::serve::ServeArgs {
        workspace: flags.workspace.clone(),
        listen: flags.listen,
        token: flags.token.clone(),
        knobs: knobs_from_env(),
    };
    crate::serve::serve(&args, |settings, address, token| {
        announce(settings, address, token);
        if open_browser && !crate::platform::open_browser(&format!("http://{address}/")) {
            say("Mở trình duyệt và vào địa chỉ trên.");
        }
    })?;
    Ok(ExitStatus::Success)
}

/// A line on standard output, written without panicking when nobody reads it any more (the
/// window was closed, or a test read only the address).
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// The address to open, on standard output (tests and scripts read its first line).
fn announce(settings: &crate::settings::Settings, address: SocketAddr, token: Option<&str>) {
    let place = if settings.district.is_empty() {
        &settings.agency
    } else {
        &settings.district
    };
    match token {
        None => say(&format!("Trang văn phòng ({place}): http://{address}/")),
        Some(token) => say(&format!(
            "Trang văn phòng ({place}): http://{address}/?token={token}\n\
             Mã truy cập: {token} — chỉ đưa cho người trong cơ quan; máy khác trong mạng mở đường dẫn trên (thay {} bằng địa chỉ máy này)",
            address.ip()
        )),
    }
    say("Dừng bằng Ctrl-C.");
}
