//! The `media` key: an event's list of photos, maps, documents and remote pages, or one item
//! on a source or an era. What can be judged from the text is judged here (keys, `alt` and
//! `credit`, the kind of file from its name, paths that leave `content/`); the files
//! themselves are found and read by the media stage (`crate::media`).

use std::path::{Component, Path};

use super::fields::FieldReader;
use super::frontmatter::Field;
use crate::diagnostics::nearest;
use crate::model::{FileType, LocalFile, Media, MediaSrc, Spot};

const ITEM_KEYS: [&str; 5] = ["src", "alt", "credit", "caption", "link"];
const EXAMPLE: &str = "media:\n  - src: fordow.jpg\n    alt: What the picture shows\n    credit: Agency / Photographer";

/// The items of the `media` key; `many` allows a list (events), otherwise one item.
pub(super) fn media(r: &mut FieldReader<'_>, many: bool) -> Vec<Media> {
    let Some((field, line)) = r.fields().get("media") else {
        return Vec::new();
    };
    let items: Vec<&Field> = match field {
        Field::Null => return Vec::new(),
        Field::List(items) if many || items.len() <= 1 => items.iter().collect(),
        Field::Map(_) => vec![field],
        Field::List(_) => {
            let hint = "give a source or an era one item: `media:` with `src:`, `alt:` and `credit:` under it";
            r.error(
                line,
                Some("media"),
                "only one `media` item is allowed here".to_owned(),
                Some(hint.to_owned()),
            );
            return Vec::new();
        }
        other => {
            let kind = other.kind();
            let message = format!(
                "`media` should be a list of items with `src`, `alt` and `credit`, found {kind}"
            );
            r.error(line, Some("media"), message, Some(EXAMPLE.to_owned()));
            return Vec::new();
        }
    };
    let mut from = line;
    items
        .into_iter()
        .filter_map(|item| {
            let media = item_of(r, item, &mut from);
            from += 1;
            media
        })
        .collect()
}

/// One item; `from` is the line to look for it from, moved to the item's `src` line.
fn item_of(r: &mut FieldReader<'_>, item: &Field, from: &mut usize) -> Option<Media> {
    let Field::Map(entries) = item else {
        let kind = item.kind();
        let message = format!("a `media` item should have `src`, `alt` and `credit`, found {kind}");
        r.error(*from, Some("media"), message, Some(EXAMPLE.to_owned()));
        return None;
    };
    let text = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| match v {
                Field::Text(t) if !t.trim().is_empty() => Some(t.trim().to_owned()),
                _ => None,
            })
    };
    let Some(src) = text("src") else {
        r.error(
            *from,
            Some("media"),
            "a `media` item has no `src`".to_owned(),
            Some(EXAMPLE.to_owned()),
        );
        return None;
    };
    let spot = spot(r, &src, from);
    unknown_keys(r, entries, &spot);
    let src = source(r, &src, &spot)?;
    let (alt, credit) = (text("alt"), text("credit"));
    let is_image = matches!(&src, MediaSrc::File(f) if f.kind.is_image());
    if is_image && alt.is_none() {
        let hint = "describe what the image shows for readers who cannot see it: `alt: …`";
        missing(r, &spot, "an image needs `alt` text", hint);
    }
    if credit.is_none() {
        missing(
            r,
            &spot,
            "a `media` item needs a `credit`",
            "name who made it: `credit: Agency / Photographer`",
        );
    }
    let link = text("link");
    if let Some(l) = &link
        && !is_http(l)
    {
        missing(
            r,
            &spot,
            &format!("`link` \"{l}\" is not an http(s) address"),
            "write the full address, starting with https://",
        );
    }
    Some(Media {
        src,
        alt,
        credit: credit?,
        caption: text("caption"),
        link,
        spot,
    })
}

fn missing(r: &mut FieldReader<'_>, spot: &Spot, message: &str, hint: &str) {
    r.problems.push(spot.error(message).with_hint(hint));
}

/// The line of the item whose `src` is `src`: the first line from `from` that names it.
fn spot(r: &FieldReader<'_>, src: &str, from: &mut usize) -> Spot {
    let text = &r.file.text;
    let found = text
        .lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find_map(|(i, l)| l.find(src).map(|b| (i + 1, l[..b].chars().count() + 1)));
    let (line, column) = found.unwrap_or((*from, 1));
    *from = line;
    Spot {
        file: r.file.path.clone(),
        line,
        column,
        text: text.lines().nth(line - 1).unwrap_or_default().to_owned(),
    }
}

fn unknown_keys(r: &mut FieldReader<'_>, entries: &[(String, Field)], spot: &Spot) {
    for (key, value) in entries {
        if !ITEM_KEYS.contains(&key.as_str()) {
            let hint = nearest(key, ITEM_KEYS).map_or_else(
                || format!("a `media` item has the keys {}", ITEM_KEYS.join(", ")),
                |n| format!("did you mean `{n}`?"),
            );
            let message = format!("unknown key `{key}` in a `media` item");
            r.problems.push(spot.error(message).with_hint(hint));
        } else if !matches!(value, Field::Text(_) | Field::Null) {
            let message = format!(
                "`{key}` in a `media` item should be text, found {}",
                value.kind()
            );
            r.problems.push(spot.error(message));
        }
    }
}

/// `src` read as an address or a file of the site.
fn source(r: &mut FieldReader<'_>, src: &str, spot: &Spot) -> Option<MediaSrc> {
    if src.starts_with("http://") || src.starts_with("https://") {
        if is_http(src) {
            return Some(MediaSrc::Remote(src.to_owned()));
        }
        r.problems
            .push(spot.error(format!("`src` \"{src}\" is not a valid address")));
        return None;
    }
    let path = Path::new(src);
    let leaves = path.is_absolute()
        || src.contains(':')
        || path
            .components()
            .any(|c| matches!(c, Component::RootDir | Component::Prefix(_)));
    if leaves {
        let hint = "write a path relative to this file, or under content/media/ (such as `fordow.jpg`), or an https:// address";
        r.problems.push(
            spot.error(format!("`src` \"{src}\" is not a path inside the site"))
                .with_hint(hint),
        );
        return None;
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(kind) = FileType::of_extension(&ext) else {
        return unhandled(r, src, &ext, spot);
    };
    let dir = r
        .file
        .path
        .parent()
        .unwrap_or(Path::new(""))
        .to_string_lossy()
        .into_owned();
    Some(MediaSrc::File(LocalFile {
        written: src.replace('\\', "/"),
        dir,
        kind,
    }))
}

fn unhandled(r: &mut FieldReader<'_>, src: &str, ext: &str, spot: &Spot) -> Option<MediaSrc> {
    let documents: Vec<&str> = FileType::DOCUMENTS.iter().map(|(e, _)| *e).collect();
    let hint = format!(
        "images: {}, svg; documents: {}; a video or a page elsewhere: its https:// address",
        FileType::RASTERS.join(", "),
        documents.join(", ")
    );
    let what = if ext.is_empty() {
        "a file without an extension".to_owned()
    } else {
        format!(".{ext} files")
    };
    r.problems.push(
        spot.error(format!("`src` \"{src}\": gen does not handle {what}"))
            .with_hint(hint),
    );
    None
}

fn is_http(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::config::RawHtml;
    use crate::content::load::{FileKind, InputFile};
    use crate::content::parse::parse;
    use crate::diagnostics::Diagnostic;

    /// The items of an event with this `media` block, and every problem as (line, message).
    fn read(media: &str) -> (Vec<Media>, Vec<(usize, String)>) {
        let input = InputFile {
            path: PathBuf::from("/site/content/events/e.md"),
            kind: FileKind::Event,
            text: format!("---\ntitle: T\nmedia:\n{media}\n---\nBody\n"),
        };
        let parsed = parse(input, RawHtml::Sanitize).expect("parses");
        let mut r = FieldReader::new(&parsed);
        let items = super::media(&mut r, true);
        let problems = r
            .problems
            .iter()
            .map(|d: &Diagnostic| (d.line.unwrap_or(0), d.message.clone()))
            .collect();
        (items, problems)
    }

    #[test]
    fn items_are_read_with_their_lines() {
        let (items, problems) = read(
            "  - src: a.jpg\n    alt: A\n    credit: C\n  - src: https://example.org/v\n    credit: D\n    caption: E",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].spot.line, 4);
        assert_eq!(items[1].spot.line, 7);
        assert!(
            matches!(&items[0].src, MediaSrc::File(f) if f.written == "a.jpg" && f.dir == "/site/content/events" && f.kind == FileType::Raster)
        );
        assert_eq!(
            items[1].src,
            MediaSrc::Remote("https://example.org/v".into())
        );
        assert_eq!(items[1].caption.as_deref(), Some("E"));
    }

    #[test]
    fn every_defect_is_named_at_its_item() {
        let (_, problems) = read(
            "  - src: a.png\n  - src: b.pdf\n    credit: C\n    size: 3\n  - src: c.heic\n    alt: A\n    credit: C\n  - src: /etc/passwd.png\n    alt: A\n    credit: C",
        );
        let lines: Vec<usize> = problems.iter().map(|p| p.0).collect();
        assert_eq!(lines, [4, 4, 5, 8, 11], "{problems:?}");
        assert!(problems[0].1.contains("needs `alt`"), "{problems:?}");
        assert!(problems[1].1.contains("needs a `credit`"), "{problems:?}");
        assert!(problems[2].1.contains("unknown key `size`"), "{problems:?}");
        assert!(
            problems[3].1.contains("does not handle .heic files"),
            "{problems:?}"
        );
        assert!(
            problems[4].1.contains("not a path inside the site"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_document_needs_no_alt_but_an_image_does() {
        let (items, problems) = read("  - src: s.pdf\n    credit: C");
        assert!(problems.is_empty() && items.len() == 1, "{problems:?}");
        assert!(matches!(&items[0].src, MediaSrc::File(f) if f.kind == FileType::Document("PDF")));
        let (_, problems) = read("  - src: s.svg\n    credit: C");
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
