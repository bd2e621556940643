//! Media attached to events, sources and eras: a photo, a map, a document or a remote page,
//! each with its credit. Content validates what is written; the media stage (`crate::media`)
//! finds the files, processes them and fills a [`MediaIndex`] that render reads.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::diagnostics::Diagnostic;

/// One item of an event's `media:` list (or a source's or era's `media:`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Media {
    pub src: MediaSrc,
    /// Required for images (rasters and SVG); a document or a link may have none.
    pub alt: Option<String>,
    pub credit: String,
    pub caption: Option<String>,
    /// Where the credit or the original can be seen (an http(s) address).
    pub link: Option<String>,
    /// Where the item is written, for diagnostics the media stage raises.
    pub spot: Spot,
}

/// Where an item's `src` is written: the content file, its line and column, and that line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Spot {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub text: String,
}

impl Spot {
    /// An error at this spot.
    pub fn error(&self, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::error(&self.file, message);
        d.line = Some(self.line);
        d.column = Some(self.column);
        d.source_line = Some(self.text.clone());
        d
    }
}

/// What an item's `src` names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MediaSrc {
    /// A file of the site, by its written path and the folder of the file that names it.
    File(LocalFile),
    /// An http(s) address: never fetched, shown as a link card.
    Remote(String),
}

/// A file named by `src`: found relative to the naming file's folder first, then under
/// `content/media/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalFile {
    /// The path as written, `/`-separated, with no `..` leaving `content/`.
    pub written: String,
    /// The naming file's folder, as the content stage read it.
    pub dir: String,
    pub kind: FileType,
}

impl LocalFile {
    /// The key of this file in a [`MediaIndex`].
    pub fn key(&self) -> String {
        format!("{}\n{}", self.dir, self.written)
    }
}

/// What kind of file a local `src` is, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    /// JPEG, PNG or WebP: resized into several widths plus WebP.
    Raster,
    /// Copied as it is after a safety check.
    Svg,
    /// A download link that shows its type.
    Document(&'static str),
}

impl FileType {
    /// The raster extensions gen processes.
    pub const RASTERS: &'static [&'static str] = &["jpg", "jpeg", "png", "webp"];
    /// The documents gen links to, by extension, with the name shown to readers.
    pub const DOCUMENTS: &'static [(&'static str, &'static str)] = &[
        ("pdf", "PDF"),
        ("csv", "CSV"),
        ("txt", "Text"),
        ("json", "JSON"),
        ("docx", "Word document"),
        ("odt", "OpenDocument text"),
        ("xlsx", "Excel workbook"),
        ("ods", "OpenDocument spreadsheet"),
        ("epub", "EPUB"),
    ];

    /// The type of a file with extension `ext` (any case); `None` for a format gen does not
    /// handle.
    pub fn of_extension(ext: &str) -> Option<FileType> {
        let ext = ext.to_ascii_lowercase();
        if Self::RASTERS.contains(&ext.as_str()) {
            return Some(Self::Raster);
        }
        if ext == "svg" {
            return Some(Self::Svg);
        }
        Self::DOCUMENTS
            .iter()
            .find(|(e, _)| *e == ext)
            .map(|(_, name)| Self::Document(name))
    }

    /// Whether readers see it as a picture (and so it needs `alt`).
    pub fn is_image(self) -> bool {
        matches!(self, Self::Raster | Self::Svg)
    }
}

/// What the media stage made of each local file, for render: the files written and their
/// sizes. Keyed by [`LocalFile::key`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaIndex(pub HashMap<String, Prepared>);

impl MediaIndex {
    pub fn get(&self, file: &LocalFile) -> Option<&Prepared> {
        self.0.get(&file.key())
    }
}

/// One local file as the site publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Prepared {
    /// A raster image in several widths; `width`/`height` are the largest one's.
    Raster {
        width: u32,
        height: u32,
        /// Ascending by width; one per width in the original format, then the WebP copies.
        renditions: Vec<Rendition>,
    },
    /// An SVG copied as it is, with the size its root element gives, if any.
    Svg {
        path: String,
        size: Option<(u32, u32)>,
    },
    /// A document copied as it is.
    Document {
        path: String,
        bytes: u64,
        type_name: &'static str,
    },
}

/// One written width of a raster image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rendition {
    /// Relative to the output root: `media/<name>-<hash>-<width>.<ext>`.
    pub path: String,
    pub width: u32,
    pub height: u32,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub mime: &'static str,
}
