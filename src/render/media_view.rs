//! Media as templates see them: a figure with its widths (`srcset`), a document link with
//! its type and size, or a card linking to a page elsewhere. Paths are relative to the
//! output root; templates put `root` before them (a feed, `base_url`).

use serde::Serialize;

use crate::model::{Media, MediaIndex, MediaSrc, Prepared, Rendition};

/// One media item.
#[derive(Debug, Hash, Serialize)]
pub struct MediaView {
    /// `image`, `document` or `remote`.
    pub kind: &'static str,
    pub alt: Option<String>,
    pub credit: String,
    pub caption: Option<String>,
    pub link: Option<String>,
    /// An image's largest width in its own format, an SVG, or a document.
    pub src: String,
    /// An image's widths in its own format and in WebP (empty for SVG).
    pub widths: Vec<WidthView>,
    pub webp: Vec<WidthView>,
    /// The type of the image's own widths (`image/jpeg`), for `<source type>`.
    pub mime: &'static str,
    /// The displayed size, so the layout never shifts (0 when an SVG gives none).
    pub width: u32,
    pub height: u32,
    /// The smallest width, for thumbnails.
    pub thumb: String,
    /// A document's type ("PDF") and size ("1.2 MB").
    pub type_name: &'static str,
    pub size_label: String,
    /// A remote item's host, shown on its card.
    pub domain: String,
    /// The address a reader's click may load, for known video hosts when the site allows it.
    pub embed: Option<String>,
}

/// One width of an image.
#[derive(Debug, Hash, Serialize)]
pub struct WidthView {
    pub path: String,
    pub width: u32,
}

impl MediaView {
    /// Whether `c` occurs in any text of the item (see `CardView::mentions`).
    pub fn mentions(&self, c: char) -> bool {
        let texts = [
            &self.credit,
            &self.src,
            &self.thumb,
            &self.size_label,
            &self.domain,
        ];
        let optional = [&self.alt, &self.caption, &self.link, &self.embed];
        texts.iter().any(|t| t.contains(c))
            || optional
                .iter()
                .flat_map(|t| t.as_deref())
                .any(|t| t.contains(c))
            || self
                .widths
                .iter()
                .chain(&self.webp)
                .any(|w| w.path.contains(c))
    }

    /// An image item whose every text is `text`, for tests.
    #[cfg(test)]
    pub fn sample(text: &str) -> MediaView {
        let width = || {
            vec![WidthView {
                path: text.to_owned(),
                width: 1,
            }]
        };
        MediaView {
            kind: "image",
            alt: Some(text.to_owned()),
            credit: text.to_owned(),
            caption: Some(text.to_owned()),
            link: Some(text.to_owned()),
            src: text.to_owned(),
            widths: width(),
            webp: width(),
            mime: "image/jpeg",
            width: 1,
            height: 1,
            thumb: text.to_owned(),
            type_name: "",
            size_label: text.to_owned(),
            domain: text.to_owned(),
            embed: Some(text.to_owned()),
        }
    }
}

/// The view of `m`, or `None` for a local file the media stage did not prepare.
pub fn media_view(m: &Media, index: &MediaIndex, embed_remote: bool) -> Option<MediaView> {
    let mut view = MediaView {
        kind: "image",
        alt: m.alt.clone(),
        credit: m.credit.clone(),
        caption: m.caption.clone(),
        link: m.link.clone(),
        src: String::new(),
        widths: Vec::new(),
        webp: Vec::new(),
        mime: "",
        width: 0,
        height: 0,
        thumb: String::new(),
        type_name: "",
        size_label: String::new(),
        domain: String::new(),
        embed: None,
    };
    let file = match &m.src {
        MediaSrc::Remote(url) => {
            view.kind = "remote";
            view.domain = domain(url);
            view.embed = embed_remote.then(|| embed_address(url)).flatten();
            view.src = url.clone();
            return Some(view);
        }
        MediaSrc::File(file) => file,
    };
    match index.get(file)? {
        Prepared::Raster {
            width,
            height,
            renditions,
        } => raster(&mut view, *width, *height, renditions),
        Prepared::Svg { path, size } => {
            (view.src, view.thumb) = (path.clone(), path.clone());
            (view.width, view.height) = size.unwrap_or((0, 0));
        }
        Prepared::Document {
            path,
            bytes,
            type_name,
        } => {
            view.kind = "document";
            view.src = path.clone();
            view.type_name = type_name;
            view.size_label = size_label(*bytes);
        }
    }
    Some(view)
}

fn raster(view: &mut MediaView, width: u32, height: u32, renditions: &[Rendition]) {
    let (mut webp, mut own): (Vec<&Rendition>, Vec<&Rendition>) =
        renditions.iter().partition(|r| r.mime == "image/webp");
    if own.is_empty() {
        // A WebP original: its own widths are the WebP ones, with no second set to offer.
        std::mem::swap(&mut own, &mut webp);
    }
    let list = |rs: &[&Rendition]| {
        rs.iter()
            .map(|r| WidthView {
                path: r.path.clone(),
                width: r.width,
            })
            .collect()
    };
    view.widths = list(&own);
    view.webp = list(&webp);
    view.mime = own.first().map_or("", |r| r.mime);
    view.src = own.last().map(|r| r.path.clone()).unwrap_or_default();
    view.thumb = own.first().map(|r| r.path.clone()).unwrap_or_default();
    (view.width, view.height) = (width, height);
}

/// A size in the units readers know ("850 kB", "1.2 MB").
fn size_label(bytes: u64) -> String {
    const KB: f64 = 1000.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} bytes")
    } else if b < KB * KB {
        format!("{:.0} kB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

fn domain(address: &str) -> String {
    url::Url::parse(address)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_owned())
        })
        .unwrap_or_default()
}

/// The privacy-minded player address of a YouTube or Vimeo video, for click-to-load.
fn embed_address(address: &str) -> Option<String> {
    let u = url::Url::parse(address).ok()?;
    let host = u
        .host_str()?
        .trim_start_matches("www.")
        .trim_start_matches("m.");
    let safe = |id: &str| {
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let id = match host {
        "youtube.com" => u
            .query_pairs()
            .find(|(k, _)| k == "v")
            .map(|(_, v)| v.into_owned()),
        "youtu.be" => u.path_segments()?.next().map(str::to_owned),
        "vimeo.com" => u.path_segments()?.next().map(str::to_owned),
        _ => None,
    }?;
    if !safe(&id) {
        return None;
    }
    Some(if host == "vimeo.com" {
        format!("https://player.vimeo.com/video/{id}?dnt=1")
    } else {
        format!("https://www.youtube-nocookie.com/embed/{id}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_label(512), "512 bytes");
        assert_eq!(size_label(850_000), "850 kB");
        assert_eq!(size_label(1_230_000), "1.2 MB");
    }

    #[test]
    fn only_known_video_hosts_get_a_player_address() {
        let e = |a: &str| embed_address(a);
        assert_eq!(
            e("https://www.youtube.com/watch?v=abc_12-3").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/abc_12-3")
        );
        assert_eq!(
            e("https://youtu.be/xyz").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/xyz")
        );
        assert_eq!(
            e("https://vimeo.com/12345").as_deref(),
            Some("https://player.vimeo.com/video/12345?dnt=1")
        );
        assert_eq!(e("https://example.org/watch?v=abc"), None);
        assert_eq!(e("https://www.youtube.com/watch?v=a\"b"), None);
        assert_eq!(domain("https://www.reuters.com/world/x"), "reuters.com");
    }
}
