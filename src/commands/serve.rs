//! `vneid-recon serve` and the double click: checks the flags, starts the page
//! ([`crate::serve`]) and prints its address; a double click also opens the browser on it.

use super::{ExitStatus, Failure, knobs_from_env};
use crate::cli::{LinksArgs, ServeArgs};
use crate::pipeline::links::{LinkFor, NewLink};
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
        new_links: flags.new_links,
        knobs: knobs_from_env(),
    };
    crate::serve::serve(&args, |listening| {
        announce(listening, flags.token.is_some());
        let address = listening.address;
        if open_browser && !crate::platform::open_browser(&format!("http://{address}/")) {
            say("Mở trình duyệt và vào địa chỉ trên.");
        }
    })?;
    Ok(ExitStatus::Success)
}

/// `vneid-recon links`: new tokens for every role (or one), printed once.
pub fn links(flags: &LinksArgs) -> Result<ExitStatus, Failure> {
    let (settings, made) = crate::serve::replace_links(&flags.workspace, flags.only.as_deref())?;
    say(&format!(
        "Đã cấp đường dẫn mới (đường dẫn cũ của {} hết dùng được, kể cả trên trang đang chạy):",
        if made.len() == 1 {
            "vai trò này"
        } else {
            "mọi vai trò"
        }
    ));
    print_links(&settings, flags.listen, &made);
    Ok(ExitStatus::Success)
}

/// One line per new link: who it is for, and the link.
fn print_links(settings: &crate::settings::Settings, address: SocketAddr, made: &[NewLink]) {
    for link in made {
        let who = match &link.role {
            LinkFor::District => "Công an huyện (toàn quyền)".to_string(),
            LinkFor::Force(id) => {
                let name = settings
                    .force_by_id(id)
                    .map_or(id.as_str(), |f| settings.force(f).name.as_str());
                format!("{name} ({id})")
            }
        };
        say(&format!("  {who}: http://{address}/?token={}", link.token));
    }
    say(&format!(
        "Mỗi đường dẫn chỉ đưa cho đúng người; máy khác trong mạng thay {} bằng địa chỉ máy này. \
         Mã chỉ hiện lần này (tệp lien-ket.toml chỉ giữ mã băm).",
        address.ip()
    ));
}

/// A line on standard output, written without panicking when nobody reads it any more (the
/// window was closed, or a test read only the address).
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// The address to open, on standard output (tests and scripts read its first line: the page's
/// address, with the district's new token when one was made), then the forces' new links.
fn announce(listening: &crate::serve::Listening<'_>, token_given: bool) {
    let settings = listening.settings;
    let address = listening.address;
    let place = if settings.district.is_empty() {
        &settings.agency
    } else {
        &settings.district
    };
    let district = listening
        .new_links
        .iter()
        .find(|l| l.role == LinkFor::District);
    match (district, listening.needs_token) {
        (Some(link), _) => say(&format!(
            "Trang văn phòng ({place}): http://{address}/?token={}",
            link.token
        )),
        (None, false) => say(&format!("Trang văn phòng ({place}): http://{address}/")),
        (None, true) if token_given => say(&format!(
            "Trang văn phòng ({place}): http://{address}/ (mã của Công an huyện: mã đã cho bằng --token)"
        )),
        (None, true) => say(&format!(
            "Trang văn phòng ({place}): http://{address}/ (dùng các đường dẫn có mã đã cấp; cấp lại: vneid-recon links)"
        )),
    }
    let others: Vec<NewLink> = listening
        .new_links
        .iter()
        .filter(|l| l.role != LinkFor::District)
        .cloned()
        .collect();
    if !others.is_empty() {
        say("Đường dẫn cho từng lực lượng (mỗi người chỉ thấy và gửi phần của lực lượng mình):");
        print_links(settings, address, &others);
    }
    say("Dừng bằng Ctrl-C.");
}
