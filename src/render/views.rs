//! The serializable views templates see: built once from the [`Timeline`], with every date
//! already formatted in Rust (chrono-tz) so templates never do zone arithmetic.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;
use serde::Serialize;

use super::labels::{
    bound_label, datetime_attr, day_label, day_label_short, end_label, local_label, text_fragment,
    time_label,
};
use super::media_view::{MediaView, media_view};
use crate::config::{Config, Lanes};
use crate::model::{
    Era, Event, Importance, MediaIndex, MediaSrc, Precision, Source, Term, Timeline, slugify,
};

/// Site-wide values every template gets as `site`.
#[derive(Debug, Hash, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub base_path: String,
    pub language: String,
    pub author: Option<String>,
    pub zone: String,
    pub feeds: bool,
    /// True when the index lists days instead of every event (see `index_limit`).
    pub compact_index: bool,
    /// Lists longer than this show one line per event instead of a card.
    pub index_limit: usize,
    /// Lists longer than this are split into pages.
    pub page_size: usize,
    pub event_count: usize,
    pub source_count: usize,
    pub pages: Vec<LinkView>,
    /// The eras, in order, for the axis's bands and the index's list.
    pub eras: Vec<EraView>,
    /// How the axis lays out its marks.
    pub lanes: Lanes,
    /// The site's `[timeline]` window, which the index's axis spans.
    pub window: Option<(NaiveDate, NaiveDate)>,
}

/// An era as templates see it.
#[derive(Debug, Hash, Serialize)]
pub struct EraView {
    pub slug: String,
    pub title: String,
    /// `datetime` attributes of its bounds.
    pub start: String,
    pub end: String,
    /// "13 Jun 03:00" and "23 Jun", in the display zone.
    pub start_label: String,
    pub end_label: String,
    pub body_html: String,
    pub citations: Vec<Arc<CitedSource>>,
    pub media: Option<MediaView>,
    /// Its bounds as instants (a date-only end: the end of that day).
    #[serde(skip)]
    pub from: DateTime<Utc>,
    #[serde(skip)]
    pub to: DateTime<Utc>,
}

/// A name and where it links (relative to the site root).
#[derive(Debug, Clone, Hash, Serialize)]
pub struct LinkView {
    pub name: String,
    pub url: String,
}

/// A citation of an event: its number and quote, and what it shows of the source (shared by
/// every citation of that source).
#[derive(Debug, Hash, Serialize)]
pub struct CitationView {
    pub number: usize,
    #[serde(flatten)]
    pub source: Arc<CitedSource>,
    /// The article address with a text fragment (`#:~:text=`) that highlights the quote.
    pub quote_url: Option<String>,
    pub quote: Option<String>,
}

impl std::ops::Deref for CitationView {
    type Target = CitedSource;

    fn deref(&self) -> &CitedSource {
        &self.source
    }
}

/// What a citation shows of its source.
#[derive(Debug, Hash, Serialize)]
pub struct CitedSource {
    pub id: String,
    pub outlet: String,
    pub title: String,
    pub url: Option<String>,
    pub page: String,
    /// The article's language, where the source gives it.
    pub language: Option<String>,
}

/// An event as templates see it: everything a card in a list shows, plus the rendered body
/// for the event's own page and the feed. Lists get only the [`CardView`], so the body is
/// neither serialized into their contexts nor copied into every macro call.
#[derive(Debug, Hash, Serialize)]
pub struct EventView {
    #[serde(flatten)]
    pub card: CardView,
    pub body_html: Arc<str>,
}

impl std::ops::Deref for EventView {
    type Target = CardView;

    fn deref(&self) -> &CardView {
        &self.card
    }
}

#[derive(Debug, Hash, Serialize)]
pub struct CardView {
    pub slug: String,
    pub title: Arc<str>,
    pub url: String,
    pub permalink: String,
    /// `datetime` attribute: an RFC 3339 instant, or a date for date-only events.
    pub datetime: String,
    /// The instant as RFC 3339 (a date-only event: midnight in the display zone), for feeds.
    pub instant: String,
    pub day: Arc<str>,
    pub day_label: Arc<str>,
    pub day_url: Arc<str>,
    /// Time in the display zone ("23:30 UTC"); empty for date-only events.
    pub time_label: String,
    /// The event's own local time when its zone differs ("02:30 IRST 22 Jun").
    pub local_label: Option<String>,
    pub end_label: Option<String>,
    pub precision: Precision,
    pub location: Option<String>,
    pub actors: Vec<Arc<LinkView>>,
    pub tags: Vec<Arc<LinkView>>,
    pub importance: Importance,
    pub summary: Arc<str>,
    pub disputed: Option<String>,
    pub citations: Vec<CitationView>,
    /// Photos, maps, documents and remote pages, in the order written.
    pub media: Vec<MediaView>,
    /// The first image, shown small on cards, in the feed and as the page's `og:image`.
    pub thumb: Option<MediaView>,
}

#[derive(Debug, Hash, Serialize)]
pub struct SourceView {
    pub id: String,
    pub title: String,
    pub outlet: String,
    pub published: Option<String>,
    pub published_label: Option<String>,
    pub url: Option<String>,
    pub archive_url: Option<String>,
    pub author: Option<String>,
    pub language: Option<String>,
    pub note_html: String,
    pub media: Option<MediaView>,
    pub url_page: String,
    pub cited_by: usize,
}

/// Everything the pages are made from, formatted once. `events` lines up with the
/// timeline's events.
pub struct Views {
    pub site: SiteView,
    pub events: Vec<Arc<EventView>>,
    pub sources: Vec<SourceView>,
}

/// Builds the views of every event, source and of the site.
pub fn build(timeline: &Timeline, config: &Config) -> Views {
    let lookups = Lookups::new(timeline);
    Views {
        site: site_view(timeline, config),
        events: timeline
            .events
            .par_iter()
            .map(|e| Arc::new(event_view(e, timeline, config, &lookups)))
            .collect(),
        sources: source_views(timeline),
    }
}

/// The site-wide values every template gets as `site`.
pub fn site_view(timeline: &Timeline, config: &Config) -> SiteView {
    SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        base_url: config.base_url.clone(),
        base_path: config.base_path.clone(),
        language: config.language.clone(),
        author: config.author.clone(),
        zone: timeline.zone.name().to_owned(),
        feeds: config.feeds,
        compact_index: timeline.events.len() > config.index_limit,
        index_limit: config.index_limit,
        page_size: config.page_size,
        event_count: timeline.events.len(),
        source_count: timeline.sources.len(),
        pages: timeline
            .pages
            .iter()
            .map(|p| LinkView {
                name: p.title.clone(),
                url: format!("{}/", p.slug),
            })
            .collect(),
        eras: timeline
            .eras
            .iter()
            .map(|e| era_view(e, timeline))
            .collect(),
        lanes: config.lanes,
        window: config.window,
    }
}

/// The view of an era: its bounds as the axis places them, and its sources as cited.
fn era_view(era: &Era, timeline: &Timeline) -> EraView {
    let zone = timeline.zone;
    let end_of = |d: &crate::model::EventDate| match d {
        d if d.is_day() => d.instant_in(zone) + chrono::Duration::days(1),
        d => d.instant_in(zone),
    };
    let cited = era
        .citations
        .iter()
        .filter_map(|c| timeline.source_index(&c.source))
        .map(|i| Arc::new(cited_source(&timeline.sources[i])))
        .collect();
    EraView {
        slug: era.slug.to_string(),
        title: era.title.clone(),
        start: datetime_attr(&era.start),
        end: datetime_attr(&era.end),
        start_label: bound_label(&era.start, zone),
        end_label: bound_label(&era.end, zone),
        body_html: era.body_html.clone(),
        citations: cited,
        // Players are offered on event pages only: an era or a source shows a link card.
        media: era
            .media
            .as_ref()
            .and_then(|m| media_view(m, &timeline.media, false)),
        from: era.start.instant_in(zone),
        to: end_of(&era.end),
    }
}

/// What a citation shows of `s`.
fn cited_source(s: &Source) -> CitedSource {
    CitedSource {
        id: s.id.to_string(),
        outlet: s.outlet.clone(),
        title: s.title.clone(),
        url: s.url.clone(),
        page: format!("sources/{}/", s.id),
        language: s.language.clone(),
    }
}

/// The view of every source, in the timeline's order.
pub fn source_views(timeline: &Timeline) -> Vec<SourceView> {
    timeline
        .sources
        .iter()
        .zip(&timeline.cited_by)
        .map(|(s, cited)| source(s, cited.len(), timeline.zone, &timeline.media))
        .collect()
}

/// What many events' views show alike, made once and shared by them: each source as cited,
/// each day's labels, each actor's and tag's link. At 100,000 events the views held ~300 MB,
/// mostly these strings repeated.
pub struct Lookups<'a> {
    /// Each source's position by id (a binary search through the sorted sources was 35 % of
    /// building the views: every step a pointer to follow).
    position: HashMap<&'a str, usize>,
    cited: Vec<Arc<CitedSource>>,
    days: HashMap<NaiveDate, [Arc<str>; 3]>,
    actors: HashMap<String, Arc<LinkView>>,
    tags: HashMap<String, Arc<LinkView>>,
}

impl<'a> Lookups<'a> {
    pub fn new(timeline: &'a Timeline) -> Self {
        let position = timeline
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let cited = timeline
            .sources
            .iter()
            .map(|s| Arc::new(cited_source(s)))
            .collect();
        let days = timeline
            .days
            .iter()
            .map(|d| (d.date, day_strings(d.date)))
            .collect();
        // Each term under its name as first written; an event spelling it otherwise gets a
        // link of its own.
        let links = |terms: &[Term], kind: &str| -> HashMap<String, Arc<LinkView>> {
            terms
                .iter()
                .map(|t| (t.name.clone(), Arc::new(link(&t.name, kind))))
                .collect()
        };
        Self {
            position,
            cited,
            days,
            actors: links(&timeline.actors, "actors"),
            tags: links(&timeline.tags, "tags"),
        }
    }
}

/// A day's `day`, `day_label` and `day_url`.
fn day_strings(day: NaiveDate) -> [Arc<str>; 3] {
    [
        day.to_string().into(),
        day_label(day).into(),
        format!("days/{day}/").into(),
    ]
}

/// The link to an actor's or tag's page (`kind`: its folder).
fn link(name: &str, kind: &str) -> LinkView {
    LinkView {
        name: name.to_owned(),
        url: format!("{kind}/{}/", slugify(name)),
    }
}

/// An event's citations as its views show them.
fn citations(e: &Event, timeline: &Timeline, lookups: &Lookups<'_>) -> Vec<CitationView> {
    e.citations
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let index = *lookups.position.get(c.source.as_str())?;
            let s = &timeline.sources[index];
            Some(CitationView {
                number: i + 1,
                source: Arc::clone(&lookups.cited[index]),
                quote_url: match (&s.url, &c.quote) {
                    (Some(url), Some(q)) => Some(text_fragment(url, q)),
                    _ => None,
                },
                quote: c.quote.clone(),
            })
        })
        .collect()
}

/// The view of one event.
pub fn event_view(
    e: &Event,
    timeline: &Timeline,
    config: &Config,
    lookups: &Lookups<'_>,
) -> EventView {
    let zone = timeline.zone;
    let day = e.date.day_in(zone);
    let citations = citations(e, timeline, lookups);
    let links = |names: &[String], known: &HashMap<String, Arc<LinkView>>, kind: &str| {
        names
            .iter()
            .map(|n| match known.get(n) {
                Some(l) => Arc::clone(l),
                None => Arc::new(link(n, kind)),
            })
            .collect()
    };
    let [day_text, day_label, day_url] = match lookups.days.get(&day) {
        Some(strings) => strings.clone(),
        None => day_strings(day),
    };
    let card = CardView {
        slug: e.slug.to_string(),
        title: e.title.clone(),
        url: format!("events/{}/", e.slug),
        permalink: format!("{}events/{}/", config.base_url, e.slug),
        datetime: datetime_attr(&e.date),
        instant: e
            .date
            .instant_in(zone)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        day: day_text,
        day_label,
        day_url,
        time_label: time_label(&e.date, e.precision, zone),
        local_label: local_label(&e.date, e.precision, zone),
        end_label: e.end.map(|end| end_label(&e.date, &end, zone)),
        precision: e.precision,
        location: e.location.clone(),
        actors: links(&e.actors, &lookups.actors, "actors"),
        tags: links(&e.tags, &lookups.tags, "tags"),
        importance: e.importance,
        summary: e.summary.clone(),
        disputed: e.disputed.clone(),
        citations,
        media: e
            .media
            .iter()
            .filter_map(|m| media_view(m, &timeline.media, config.embed_remote))
            .collect(),
        thumb: e
            .media
            .iter()
            .filter(|m| matches!(&m.src, MediaSrc::File(f) if f.kind.is_image()))
            .find_map(|m| media_view(m, &timeline.media, false)),
    };
    EventView {
        card,
        body_html: e.body_html.clone(),
    }
}

fn source(s: &Source, cited_by: usize, zone: Tz, media: &MediaIndex) -> SourceView {
    SourceView {
        id: s.id.to_string(),
        title: s.title.clone(),
        outlet: s.outlet.clone(),
        published: s.published.as_ref().map(datetime_attr),
        published_label: s.published.map(|p| day_label_short(p.day_in(zone))),
        url: s.url.clone(),
        archive_url: s.archive_url.clone(),
        author: s.author.clone(),
        language: s.language.clone(),
        note_html: s.note_html.clone(),
        media: s.media.as_ref().and_then(|m| media_view(m, media, false)),
        url_page: format!("sources/{}/", s.id),
        cited_by,
    }
}
