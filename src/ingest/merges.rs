//! The merged regions of a sheet (SPEC §4 Cells), read cheaply where the package allows it.
//! calamine gives a sheet's merges only by reading the whole sheet's XML a second time; a list is
//! almost always a one-sheet workbook, whose one sheet part holds its `<mergeCells>` after
//! `</sheetData>`, so that tail alone is parsed here (the part is inflated once more, but not
//! tokenised). Any other shape (several sheets, a part over 64 MiB, an unusual part) returns `None`
//! and the caller asks calamine.

use std::io::Read;

use quick_xml::events::Event;

use super::grid::Merge;

/// The largest sheet part inflated to read its tail (a 100,000-row list is about 40 MiB of XML).
const MAX_TAIL_READ_BYTES: u64 = 64 << 20;

/// The merges of a one-sheet `.xlsx`/`.xlsm` package held in memory; `None` when the package does
/// not have exactly one worksheet part or its tail cannot be read.
pub fn single_sheet_merges(package: &[u8]) -> Option<Vec<Merge>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(package)).ok()?;
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
    let mut entry = archive.by_name(part).ok()?;
    // The part is inflated whole: only a list's usual size; a larger sheet asks calamine, which
    // streams it (slower, but its memory stays with the cells).
    if entry.size() > MAX_TAIL_READ_BYTES {
        return None;
    }
    let mut xml = Vec::with_capacity(usize::try_from(entry.size()).ok()?);
    entry.read_to_end(&mut xml).ok()?;
    merges_after_sheet_data(&xml)
}

/// The `mergeCell` refs after the last `sheetData` tag (any namespace prefix).
fn merges_after_sheet_data(xml: &[u8]) -> Option<Vec<Merge>> {
    let name = xml
        .windows(b"sheetData".len())
        .rposition(|window| window == b"sheetData")?;
    let start = xml[..name].iter().rposition(|&b| b == b'<')?;
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
}
