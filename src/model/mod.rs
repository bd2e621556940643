//! The validated types every later stage reads: [`Event`], [`Source`], [`EventDate`] and the
//! sorted, indexed [`Timeline`]. Depends on nothing of ours but `diagnostics`: `content`
//! produces these types, `render` reads them.

use std::sync::Arc;

mod date;
mod media;
mod slug;
mod timeline;

pub use date::{DateError, EventDate, Precision, WrittenZone, zone_abbreviation, zone_hint};
pub use media::{FileType, LocalFile, Media, MediaIndex, MediaSrc, Prepared, Rendition, Spot};
pub use slug::{Slug, SlugError, slugify};
pub use timeline::{Day, Term, Timeline};

/// How much an event matters to the story; shown as a mark and used for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Importance {
    Major,
    #[default]
    Normal,
    Minor,
}

impl Importance {
    pub const NAMES: [&'static str; 3] = ["major", "normal", "minor"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "major" => Some(Self::Major),
            "normal" => Some(Self::Normal),
            "minor" => Some(Self::Minor),
            _ => None,
        }
    }
}

/// One event cites one source, optionally with a short quoted passage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    pub source: Slug,
    pub quote: Option<String>,
}

/// A validated event.
#[derive(Debug, Clone)]
pub struct Event {
    pub slug: Slug,
    /// Shared with the event's view (as are the summary and the bodies).
    pub title: Arc<str>,
    pub date: EventDate,
    pub end: Option<EventDate>,
    pub precision: Precision,
    pub location: Option<String>,
    pub actors: Vec<String>,
    pub tags: Vec<String>,
    pub importance: Importance,
    pub citations: Vec<Citation>,
    pub disputed: Option<String>,
    /// The lane the event's mark takes on the time axis when the site asks for lanes by group
    /// (`[axis] lanes = "group"`); TimelineJS's `group`.
    pub group: Option<String>,
    /// Photos, maps, documents and remote pages shown with the event.
    pub media: Vec<Media>,
    /// Plain text: the `summary` key, or the first paragraph of the body.
    pub summary: Arc<str>,
    /// Rendered and (per the site's policy) sanitized Markdown body.
    pub body_html: Arc<str>,
    /// The body as plain text, for search.
    pub body_text: Arc<str>,
}

/// A validated source (one article).
#[derive(Debug, Clone)]
pub struct Source {
    pub id: Slug,
    pub title: String,
    pub outlet: String,
    pub published: Option<EventDate>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub language: Option<String>,
    pub archive_url: Option<String>,
    pub note_html: String,
    pub media: Option<Media>,
}

/// A named stretch of the timeline (`content/eras/*.md`), drawn as a band behind the marks
/// of the time axis and listed on the index.
#[derive(Debug, Clone)]
pub struct Era {
    pub slug: Slug,
    pub title: String,
    pub start: EventDate,
    /// Not before `start`.
    pub end: EventDate,
    /// The sources that define the era.
    pub citations: Vec<Citation>,
    /// Rendered (and sanitized per the site's policy) Markdown body; may be empty.
    pub body_html: String,
    pub media: Option<Media>,
}

/// A free-standing page written in Markdown (`content/about.md`).
#[derive(Debug, Clone)]
pub struct Page {
    pub slug: Slug,
    pub title: String,
    pub body_html: String,
}
