//! The merged regions of a sheet (SPEC §4 Cells), read cheaply where the package allows it.
//! calamine gives a sheet's merges only by reading the whole sheet's XML a second time; a list is
//! almost always a one-sheet workbook, whose one sheet part holds its `<mergeCells>` after
//! `</sheetData>`, so that tail alone is parsed here: the part is inflated once more, streamed
//! through a small window that keeps only what follows the last `sheetData` tag, and never
//! tokenised. Any other shape (several sheets, a tail over 16 MiB, an unusual part) returns `None`
//! and the caller asks calamine.

use std::io::{Read, Seek};

use quick_xml::events::Event;

use super::grid::Merge;

/// The most kept after the last `sheetData` tag (merge lists, page setup): beyond it, calamine.
const MAX_TAIL_BYTES: usize = 16 << 20;
/// How much of the inflated part is looked at at a time: at most this much…
const WINDOW_BYTES: usize = 256 << 10;
/// …and at least this much.
const MIN_WINDOW_BYTES: usize = 4 << 10;
/// Kept from one window to the next so a tag split between them is still found.
const CARRY_BYTES: usize = 64;

/// The merges of a one-sheet `.xlsx`/`.xlsm` package (its zip directory already read, see
/// [`super::isolation::zip_budget`]); `None` when the package does not have exactly one worksheet
/// part or its tail cannot be read.
pub fn single_sheet_merges<R: Read + Seek>(archive: &mut zip::ZipArchive<R>) -> Option<Vec<Merge>> {
    let parts: Vec<String> = archive
        .file_names()
        .filter_map(|name| name.ok().map(|name| name.into_owned()))
        .filter(|name| {
            name.strip_prefix("xl/worksheets/")
                .is_some_and(|rest| rest.ends_with(".xml") && !rest.contains('/'))
        })
        .collect();
    let [part] = parts.as_slice() else {
        return None;
    };
    let entry = archive.by_name(part).ok()?;
    // A daily report's sheet is a few kilobytes: no window larger than the part it reads (its
    // declared size; a wrong one only means more, smaller reads).
    let window = usize::try_from(entry.size()).map_or(WINDOW_BYTES, |size| {
        size.clamp(MIN_WINDOW_BYTES, WINDOW_BYTES)
    });
    merges_after_sheet_data(&tail_after_sheet_data(entry, window)?)
}

/// The bytes of `xml` from the `<` of its last `sheetData` tag to its end, read through a window
/// (a province's assignment list is over 100 MiB of XML). `None` when the tail is too long or the
/// stream fails.
fn tail_after_sheet_data(mut xml: impl Read, window: usize) -> Option<Vec<u8>> {
    let mut tail: Vec<u8> = Vec::with_capacity(window + CARRY_BYTES);
    // Where in `tail` the last tag found starts, if one was found.
    let mut found: Option<usize> = None;
    let mut window = vec![0u8; window];
    loop {
        let read = match xml.read(&mut window) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        // Search the new bytes and the carry before them.
        let from = tail.len().saturating_sub(CARRY_BYTES);
        tail.extend_from_slice(&window[..read]);
        if let Some(tag) = last_sheet_data_tag(&tail[from..]) {
            found = Some(from + tag);
        }
        match found {
            Some(start) if start > 0 => {
                tail.drain(..start);
                found = Some(0);
            }
            Some(_) => {}
            None => {
                let keep = tail.len().saturating_sub(CARRY_BYTES);
                tail.drain(..keep);
            }
        }
        if tail.len() > MAX_TAIL_BYTES {
            return None;
        }
    }
    found.map(|_| tail)
}

/// Where the `<` of the last tag in `bytes` that ends the cells starts: `</sheetData>` or an empty
/// `<sheetData/>` (any namespace prefix). An opening `<sheetData>` after them means the cells go on
/// past `bytes`: none.
fn last_sheet_data_tag(bytes: &[u8]) -> Option<usize> {
    // The forward search is vectorised and the reverse one is not (a province's assignment list:
    // 0.043 s against 0.005 s); "sheetData" cannot overlap itself, so the last match is rfind's.
    let name = memchr::memmem::find_iter(bytes, b"sheetData").last()?;
    let start = bytes[..name].iter().rposition(|&b| b == b'<')?;
    let closing = bytes.get(start + 1) == Some(&b'/');
    let after = &bytes[name + b"sheetData".len()..];
    let empty = after
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'/');
    (closing || empty).then_some(start)
}

/// The `mergeCell` refs after the last `sheetData` tag (any namespace prefix).
fn merges_after_sheet_data(xml: &[u8]) -> Option<Vec<Merge>> {
    let start = last_sheet_data_tag(xml)?;
    let mut reader = quick_xml::Reader::from_reader(&xml[start..]);
    // The slice starts at `</sheetData>`, whose start tag (and the root's) is before it.
    reader.config_mut().check_end_names = false;
    reader.config_mut().allow_unmatched_ends = true;
    let mut merges = Vec::new();
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(tag) | Event::Empty(tag))
                if tag.local_name().as_ref() == "mergeCell" =>
            {
                let reference = tag
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "ref")?;
                merges.push(range(&reference.value)?);
            }
            Ok(Event::Eof) => return Some(merges),
            Ok(_) => {}
            Err(_) => return None,
        }
        buffer.clear();
    }
}

/// `B5:D7` (or a single `B5`) as 0-based corners.
fn range(text: &str) -> Option<Merge> {
    let (first, last) = text.split_once(':').unwrap_or((text, text));
    Some(Merge {
        first: cell(first)?,
        last: cell(last)?,
    })
}

/// `AB12` → (11, 27).
fn cell(text: &str) -> Option<(u32, u32)> {
    let text = text.trim_start_matches('$');
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    let letters = letters.trim_end_matches('$');
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut column: u32 = 0;
    for c in letters.chars() {
        let c = c.to_ascii_uppercase();
        if !c.is_ascii_uppercase() {
            return None;
        }
        column = column * 26 + (c as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, column - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_as_zero_based_corners() {
        assert_eq!(cell("A1"), Some((0, 0)));
        assert_eq!(cell("AB12"), Some((11, 27)));
        assert_eq!(cell("$XFD$1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell("A0"), None);
        assert_eq!(cell("1A"), None);
        assert_eq!(
            range("E7:E10"),
            Some(Merge {
                first: (6, 4),
                last: (9, 4)
            })
        );
    }

    #[test]
    fn the_tail_after_sheet_data_gives_the_merges_with_or_without_a_prefix() {
        let plain = br#"<worksheet><sheetData><row r="1"><c r="A1"/></row></sheetData><mergeCells count="2"><mergeCell ref="A1:F1"/><mergeCell ref="E7:E10"/></mergeCells><pageMargins/></worksheet>"#;
        let merges = merges_after_sheet_data(plain).expect("read");
        assert_eq!(merges.len(), 2);
        assert_eq!(merges[1].first, (6, 4));
        let prefixed = br#"<x:worksheet xmlns:x="s"><x:sheetData></x:sheetData><x:mergeCells><x:mergeCell ref="B2:B3"/></x:mergeCells></x:worksheet>"#;
        assert_eq!(merges_after_sheet_data(prefixed).map(|m| m.len()), Some(1));
        let none = br#"<worksheet><sheetData/></worksheet>"#;
        assert_eq!(merges_after_sheet_data(none), Some(Vec::new()));
    }

    /// A reader that hands out at most `step` bytes per read, like an inflater between blocks.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn the_tail_is_found_through_a_window_wherever_the_reads_split_the_tag() {
        // Cells longer than several windows, then the merges.
        let mut xml = b"<worksheet><sheetData>".to_vec();
        let mut row = 1;
        while xml.len() < 3 * WINDOW_BYTES {
            xml.extend_from_slice(
                format!(r#"<row r="{row}"><c r="A{row}"><v>1</v></c></row>"#).as_bytes(),
            );
            row += 1;
        }
        xml.extend_from_slice(
            br#"</sheetData><mergeCells><mergeCell ref="A1:C1"/></mergeCells></worksheet>"#,
        );
        for step in [1, 7, 4096, WINDOW_BYTES, usize::MAX] {
            let tail = tail_after_sheet_data(Trickle { bytes: &xml, step }, MIN_WINDOW_BYTES)
                .expect("a tail");
            assert!(tail.starts_with(b"</sheetData>"), "step {step}");
            let merges = merges_after_sheet_data(&tail).expect("merges");
            assert_eq!(merges.len(), 1, "step {step}");
            assert_eq!(merges[0].last, (0, 2));
        }
        // A sheet whose cells never close gives no tail (calamine is asked instead).
        let open = b"<worksheet><sheetData><row r=\"1\"/>";
        assert_eq!(
            tail_after_sheet_data(
                Trickle {
                    bytes: open,
                    step: 3
                },
                MIN_WINDOW_BYTES
            ),
            None
        );
    }
}
