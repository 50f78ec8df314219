//! `vneid-recon serve` and the double click: checks the flags, starts the page
//! ([`crate::serve`]) and prints its address; a double click also opens the browser on it.

use super::{ExitStatus, Failure, knobs_from_env};
use crate::cli::{LinksArgs, ServeArgs};
use crate::pipeline::links::{LinkFor, NewLink};
use std::net::{Ipv4Addr, SocketAddr};

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
    print_links(&settings, &reachable(flags.listen), &made);
    Ok(ExitStatus::Success)
}

/// One line per new link: who it is for, and the link at this machine's address; then the link
/// as a QR code for a phone's camera.
fn print_links(settings: &crate::settings::Settings, at: &Reachable, made: &[NewLink]) {
    let (shown, others) = at;
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
        let url = format!("http://{shown}/?token={}", link.token);
        say(&format!("  {who}: {url}"));
        print_qr(&url);
    }
    say(
        "Mỗi đường dẫn chỉ đưa cho đúng người (gửi riêng qua Zalo, hoặc cho quét mã QR). Mã chỉ \
         hiện lần này (tệp lien-ket.toml chỉ giữ mã băm).",
    );
    if let Some(line) = other_addresses(others) {
        say(&line);
    }
}

/// The address the links are printed with, and this machine's other network addresses.
type Reachable = (SocketAddr, Vec<Ipv4Addr>);

/// The address a phone or another computer uses: this machine's own network address when the
/// page listens on every interface (0.0.0.0), the first private IPv4 one; the others beside it.
fn reachable(address: SocketAddr) -> Reachable {
    if !address.ip().is_unspecified() {
        return (address, Vec::new());
    }
    let mut own: Vec<Ipv4Addr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|interface| match interface.ip() {
            std::net::IpAddr::V4(v4) if !v4.is_loopback() => Some(v4),
            _ => None,
        })
        .collect();
    own.sort_by_key(|ip| (!ip.is_private(), *ip));
    own.dedup();
    match own.split_first() {
        Some((first, rest)) => (
            SocketAddr::new((*first).into(), address.port()),
            rest.to_vec(),
        ),
        None => (address, Vec::new()),
    }
}

/// A line naming the machine's other addresses, when it has several networks.
fn other_addresses(others: &[Ipv4Addr]) -> Option<String> {
    if others.is_empty() {
        return None;
    }
    let list: Vec<String> = others.iter().map(Ipv4Addr::to_string).collect();
    Some(format!(
        "Máy này còn có địa chỉ {}: nếu điện thoại không mở được, thay địa chỉ trong đường dẫn \
         bằng một địa chỉ đó.",
        list.join(", ")
    ))
}

/// The link as a QR code in the console, two modules a character, light on the console's dark
/// background (as `qrencode -t UTF8` draws it).
fn print_qr(url: &str) {
    for line in qr_text(url).lines() {
        say(&format!("  {line}"));
    }
}

fn qr_text(url: &str) -> String {
    use qrcode::render::unicode::Dense1x2;
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
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
    let settings = match listening.settings {
        Ok(settings) => settings,
        Err(error) => {
            // On loopback the page opens anyway and shows the same problem.
            say(&format!("Trang văn phòng: http://{}/", listening.address));
            say(&format!(
                "Cài đặt chưa dùng được: {error}. Sửa tệp rồi tải lại trang."
            ));
            say("Dừng bằng Ctrl-C.");
            return;
        }
    };
    let address = listening.address;
    let at = reachable(address);
    let shown = at.0;
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
        (Some(link), _) => {
            let url = format!("http://{shown}/?token={}", link.token);
            say(&format!("Trang văn phòng ({place}): {url}"));
            print_qr(&url);
        }
        (None, false) => say(&format!("Trang văn phòng ({place}): http://{address}/")),
        (None, true) if token_given => say(&format!(
            "Trang văn phòng ({place}): http://{shown}/ (mã của Công an huyện: mã đã cho bằng --token)"
        )),
        (None, true) => say(&format!(
            "Trang văn phòng ({place}): http://{shown}/ (dùng các đường dẫn có mã đã cấp; cấp lại: vneid-recon links)"
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
        print_links(settings, &at, &others);
    } else if let Some(line) = other_addresses(&at.1) {
        // Said once, after the links (print_links says it after the forces' links).
        say(&line);
    }
    say("Dừng bằng Ctrl-C.");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The console's QR code read back from its text: each character is two modules, light where
    /// the block is drawn (`█` both, `▀` the upper, `▄` the lower, a space neither).
    fn decode(text: &str) -> String {
        const SCALE: usize = 4;
        let rows: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        let light = |x: usize, y: usize| -> bool {
            let Some(c) = rows.get(y / 2).and_then(|row| row.get(x)) else {
                return true;
            };
            matches!((c, y % 2), ('█', _) | ('▀', 0) | ('▄', 1))
        };
        let (w, h) = (width * SCALE, rows.len() * 2 * SCALE);
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            if light(x / SCALE, y / SCALE) { 255 } else { 0 }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the text");
        let (_, content) = grids[0].decode().expect("the QR code decodes");
        content
    }

    #[test]
    fn the_printed_qr_code_reads_back_as_its_link() {
        for url in [
            "http://192.168.1.20:8080/?token=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "http://10.0.0.5:8080/?token=ab",
        ] {
            let text = qr_text(url);
            assert!(
                text.contains('█') && text.contains('▀'),
                "drawn with blocks"
            );
            assert_eq!(decode(&text), url);
        }
    }

    #[test]
    fn every_interface_is_shown_as_an_address_a_phone_can_open() {
        let listening: SocketAddr = "0.0.0.0:8080".parse().expect("address");
        let (shown, others) = reachable(listening);
        assert_eq!(shown.port(), 8080);
        // A machine with a network shows one of its own addresses; one without keeps 0.0.0.0.
        let has_network = if_addrs::get_if_addrs()
            .unwrap_or_default()
            .iter()
            .any(|i| i.ip().is_ipv4() && !i.ip().is_loopback());
        assert_eq!(!shown.ip().is_unspecified(), has_network);
        assert!(
            !others
                .iter()
                .any(|ip| std::net::IpAddr::from(*ip) == shown.ip())
        );
        let loopback: SocketAddr = "127.0.0.1:8080".parse().expect("address");
        assert_eq!(reachable(loopback), (loopback, Vec::new()));
    }
}
