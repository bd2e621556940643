//! The serializable views templates see: built once from the [`Timeline`], with every date
//! already formatted in Rust (chrono-tz) so templates never do zone arithmetic.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::model::{
    Event, EventDate, Importance, Precision, Slug, Source, Term, Timeline, WrittenZone, slugify,
    zone_abbreviation,
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
}

impl CardView {
    /// Whether `c` occurs in any text of the card. Every text field is listed: the test
    /// `every_text_of_a_card_is_searched` builds a card field by field, so a new field
    /// cannot be added without being seen there.
    pub fn mentions(&self, c: char) -> bool {
        let texts = [
            &*self.slug,
            &self.title,
            &self.url,
            &self.permalink,
            &self.datetime,
            &self.instant,
            &self.day,
            &self.day_label,
            &self.day_url,
            &self.time_label,
            &self.summary,
        ];
        let optional = [
            &self.local_label,
            &self.end_label,
            &self.location,
            &self.disputed,
        ];
        texts.iter().any(|t| t.contains(c))
            || optional
                .iter()
                .flat_map(|t| t.as_deref())
                .any(|t| t.contains(c))
            || self
                .actors
                .iter()
                .chain(&self.tags)
                .any(|l| l.name.contains(c) || l.url.contains(c))
            || self.citations.iter().any(|citation| citation.mentions(c))
    }
}

impl CitationView {
    fn mentions(&self, c: char) -> bool {
        let s = &self.source;
        [&s.id, &s.outlet, &s.title, &s.page]
            .iter()
            .any(|t| t.contains(c))
            || [&s.url, &s.language, &self.quote_url, &self.quote]
                .iter()
                .flat_map(|t| t.as_deref())
                .any(|t| t.contains(c))
    }
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
    pub url_page: String,
    pub cited_by: usize,
}

/// One event's view and what is derived from it, kept between renders while the event and
/// the sources it cites are unchanged.
pub struct EventEntry {
    pub(super) event: Arc<Event>,
    pub view: EventView,
    /// A fingerprint of `view`, for page signatures (0 in a single render, which has no
    /// signatures to compare with).
    pub hash: u64,
    /// Its slide in `timeline.json` and its entry in `search.json`, serialized; kept only
    /// where renders follow one another (see [`EventCache::lean`]).
    pub fragments: Option<Fragments>,
}

/// An event's parts of the two JSON exports, serialized.
pub struct Fragments {
    pub slide: String,
    pub search: String,
}

/// Event entries from earlier renders, by slug.
#[derive(Default)]
pub struct EventCache {
    /// What every entry also depends on: the sources' titles and addresses, and the config.
    key: u64,
    entries: HashMap<Slug, Arc<EventEntry>>,
    /// A single render (`gen build`, `gen check`): nothing is kept for a next render, neither
    /// the entries nor their export fragments, which are written straight into
    /// `timeline.json` and `search.json` (at 100,000 events they weigh ~300 MB, on top of the
    /// two files themselves).
    pub lean: bool,
}

/// Everything the pages are made from, formatted once.
pub struct Views {
    pub site: SiteView,
    pub events: Vec<Arc<EventEntry>>,
    pub sources: Vec<SourceView>,
}

/// Builds the views, reusing from `cache` the entry of every event that did not change.
pub fn build(timeline: &Timeline, config: &Config, cache: &mut EventCache) -> Views {
    let zone = timeline.zone;
    let site = SiteView {
        title: config.title.clone(),
        description: config.description.clone(),
        base_url: config.base_url.clone(),
        base_path: config.base_path.clone(),
        language: config.language.clone(),
        author: config.author.clone(),
        zone: zone.name().to_owned(),
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
    };
    let key = hash(&(
        timeline
            .sources
            .iter()
            .map(|s| (&s.id, &s.title, &s.outlet, &s.url))
            .collect::<Vec<_>>(),
        &config.base_url,
        zone.name(),
        &site.title,
        &site.description,
    ));
    if key != cache.key {
        cache.entries.clear();
        cache.key = key;
    }
    let lean = cache.lean;
    // Made on first need: a rebuild whose events are all cached needs none of it.
    let shared = std::sync::OnceLock::new();
    let computed: Vec<(Arc<EventEntry>, bool)> = timeline
        .events
        .par_iter()
        .map(|e| match cache.entries.get(&e.slug) {
            Some(entry) if Arc::ptr_eq(&entry.event, e) => (Arc::clone(entry), false),
            _ => {
                let view = event(
                    e,
                    timeline,
                    config,
                    shared.get_or_init(|| Shared::new(timeline)),
                );
                let fragments = (!lean).then(|| Fragments {
                    slide: super::exports::slide(e, &view, &site, zone),
                    search: super::exports::search_entry(e, &view),
                });
                let entry = EventEntry {
                    event: Arc::clone(e),
                    hash: if lean { 0 } else { hash(&view) },
                    fragments,
                    view,
                };
                (Arc::new(entry), true)
            }
        })
        .collect();
    let events: Vec<Arc<EventEntry>> = if lean {
        // Nothing is kept for a next render.
        computed.into_iter().map(|(entry, _)| entry).collect()
    } else {
        keep(cache, computed)
    };
    let sources = timeline
        .sources
        .iter()
        .zip(&timeline.cited_by)
        .map(|(s, cited)| source(s, cited.len(), zone))
        .collect();
    Views {
        site,
        events,
        sources,
    }
}

/// Stores in `cache` the entries computed afresh (rebuilding the map only when events came or
/// went) and returns every entry.
fn keep(cache: &mut EventCache, computed: Vec<(Arc<EventEntry>, bool)>) -> Vec<Arc<EventEntry>> {
    for (entry, fresh) in &computed {
        if *fresh {
            cache
                .entries
                .insert(entry.event.slug.clone(), Arc::clone(entry));
        }
    }
    let events: Vec<Arc<EventEntry>> = computed.into_iter().map(|(entry, _)| entry).collect();
    if cache.entries.len() != events.len() {
        cache.entries = events
            .iter()
            .map(|entry| (entry.event.slug.clone(), Arc::clone(entry)))
            .collect();
    }
    events
}

/// A fingerprint of a value (deterministic within a build of gen).
pub fn hash<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// What many events' views show alike, made once and shared: each source as cited, each
/// day's labels, each actor's and tag's link. At 100,000 events the views held ~300 MB,
/// mostly these strings repeated.
struct Shared<'a> {
    /// Each source's position by id (a binary search through the sorted sources was 35 % of
    /// building the views: every step a pointer to follow).
    position: HashMap<&'a str, usize>,
    cited: Vec<Arc<CitedSource>>,
    days: HashMap<NaiveDate, [Arc<str>; 3]>,
    actors: HashMap<String, Arc<LinkView>>,
    tags: HashMap<String, Arc<LinkView>>,
}

impl<'a> Shared<'a> {
    fn new(timeline: &'a Timeline) -> Self {
        let position = timeline
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let cited = timeline
            .sources
            .iter()
            .map(|s| {
                Arc::new(CitedSource {
                    id: s.id.to_string(),
                    outlet: s.outlet.clone(),
                    title: s.title.clone(),
                    url: s.url.clone(),
                    page: format!("sources/{}/", s.id),
                    language: s.language.clone(),
                })
            })
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

fn event(e: &Event, timeline: &Timeline, config: &Config, shared: &Shared<'_>) -> EventView {
    let zone = timeline.zone;
    let day = e.date.day_in(zone);
    let citations = e
        .citations
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let index = *shared.position.get(c.source.as_str())?;
            let s = &timeline.sources[index];
            Some(CitationView {
                number: i + 1,
                source: Arc::clone(&shared.cited[index]),
                quote_url: match (&s.url, &c.quote) {
                    (Some(url), Some(q)) => Some(text_fragment(url, q)),
                    _ => None,
                },
                quote: c.quote.clone(),
            })
        })
        .collect();
    let links = |names: &[String], known: &HashMap<String, Arc<LinkView>>, kind: &str| {
        names
            .iter()
            .map(|n| match known.get(n) {
                Some(l) => Arc::clone(l),
                None => Arc::new(link(n, kind)),
            })
            .collect()
    };
    let [day_text, day_label, day_url] = match shared.days.get(&day) {
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
        actors: links(&e.actors, &shared.actors, "actors"),
        tags: links(&e.tags, &shared.tags, "tags"),
        importance: e.importance,
        summary: e.summary.clone(),
        disputed: e.disputed.clone(),
        citations,
    };
    EventView {
        card,
        body_html: e.body_html.clone(),
    }
}

fn source(s: &Source, cited_by: usize, zone: Tz) -> SourceView {
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
        url_page: format!("sources/{}/", s.id),
        cited_by,
    }
}

/// "Friday 13 June 2025".
pub fn day_label(day: NaiveDate) -> String {
    day.format("%A %-d %B %Y").to_string()
}

/// "13 June 2025".
pub fn day_label_short(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

pub fn datetime_attr(date: &EventDate) -> String {
    match date {
        EventDate::Day(d) => d.to_string(),
        EventDate::Instant { utc, .. } => utc.format("%Y-%m-%dT%H:%MZ").to_string(),
    }
}

fn approx(precision: Precision) -> &'static str {
    match precision {
        Precision::Hour | Precision::Approximate => "c. ",
        Precision::Minute | Precision::Day => "",
    }
}

fn time_label(date: &EventDate, precision: Precision, zone: Tz) -> String {
    match date {
        EventDate::Instant { utc, .. } if precision != Precision::Day => {
            let local = utc.with_timezone(&zone);
            format!(
                "{}{} {}",
                approx(precision),
                local.format("%H:%M"),
                zone_abbreviation(zone, *utc)
            )
        }
        _ => String::new(),
    }
}

fn local_label(date: &EventDate, precision: Precision, zone: Tz) -> Option<String> {
    let EventDate::Instant { utc, zone: written } = date else {
        return None;
    };
    if precision == Precision::Day || same_zone(*written, zone, *utc) {
        return None;
    }
    let (local, abbreviation) = written.local(*utc);
    let mut label = format!(
        "{}{} {abbreviation}",
        approx(precision),
        local.format("%H:%M")
    );
    if local.date() != utc.with_timezone(&zone).date_naive() {
        label.push_str(&local.format(" %-d %b").to_string());
    }
    Some(label)
}

fn same_zone(written: WrittenZone, display: Tz, utc: DateTime<Utc>) -> bool {
    match written {
        WrittenZone::Named(tz) => tz == display,
        WrittenZone::Utc => display == Tz::UTC || display.name() == "Etc/UTC",
        WrittenZone::Offset(offset) => {
            use chrono::Offset;
            utc.with_timezone(&display).offset().fix() == offset
        }
    }
}

fn end_label(start: &EventDate, end: &EventDate, zone: Tz) -> String {
    match end {
        EventDate::Day(d) => day_label_short(*d),
        EventDate::Instant { utc, .. } => {
            let local = utc.with_timezone(&zone);
            if start.day_in(zone) == local.date_naive() {
                format!(
                    "{} {}",
                    local.format("%H:%M"),
                    zone_abbreviation(zone, *utc)
                )
            } else {
                format!(
                    "{} {}",
                    local.format("%-d %B %H:%M"),
                    zone_abbreviation(zone, *utc)
                )
            }
        }
    }
}

/// Characters a text fragment must escape: everything but letters and digits is safe to encode.
const FRAGMENT: &AsciiSet = NON_ALPHANUMERIC;

/// `url#:~:text=quote`, replacing any fragment the address had.
pub fn text_fragment(url: &str, quote: &str) -> String {
    let base = url.split('#').next().unwrap_or(url);
    format!("{base}#:~:text={}", utf8_percent_encode(quote, FRAGMENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> EventDate {
        EventDate::parse(text).unwrap()
    }

    #[test]
    fn local_time_is_shown_when_the_zone_differs() {
        let d = date("2025-06-22T02:30 Asia/Tehran");
        assert_eq!(time_label(&d, Precision::Minute, Tz::UTC), "23:00 UTC");
        assert_eq!(
            local_label(&d, Precision::Minute, Tz::UTC).as_deref(),
            Some("02:30 IRST 22 Jun")
        );
        assert_eq!(
            local_label(&d, Precision::Minute, chrono_tz::Asia::Tehran),
            None
        );
        assert_eq!(
            time_label(&d, Precision::Hour, chrono_tz::Asia::Tehran),
            "c. 02:30 IRST"
        );
    }

    #[test]
    fn offsets_equal_to_the_display_zone_are_not_repeated() {
        let d = date("2025-06-22T02:30+03:30");
        assert_eq!(
            local_label(&d, Precision::Minute, chrono_tz::Asia::Tehran),
            None
        );
        assert_eq!(
            local_label(&d, Precision::Minute, Tz::UTC).as_deref(),
            Some("02:30 UTC+03:30 22 Jun")
        );
    }

    #[test]
    fn every_text_of_a_card_is_searched() {
        let link = |name: &str| {
            Arc::new(LinkView {
                name: name.to_owned(),
                url: "u".to_owned(),
            })
        };
        let cited = |t: &str| CitedSource {
            id: format!("id{t}"),
            outlet: format!("o{t}"),
            title: format!("t{t}"),
            url: Some(format!("u{t}")),
            page: format!("p{t}"),
            language: Some(format!("l{t}")),
        };
        let card = |t: &str, field: &str| {
            let x = |f: &str| {
                if f == field {
                    format!("a{t}")
                } else {
                    "a".to_owned()
                }
            };
            CardView {
                slug: x("slug"),
                title: x("title").into(),
                url: x("url"),
                permalink: x("permalink"),
                datetime: x("datetime"),
                instant: x("instant"),
                day: x("day").into(),
                day_label: x("day_label").into(),
                day_url: x("day_url").into(),
                time_label: x("time_label"),
                local_label: Some(x("local_label")),
                end_label: Some(x("end_label")),
                precision: Precision::Minute,
                location: Some(x("location")),
                actors: vec![link(&x("actors"))],
                tags: vec![link(&x("tags"))],
                importance: Importance::Normal,
                summary: x("summary").into(),
                disputed: Some(x("disputed")),
                citations: vec![CitationView {
                    number: 1,
                    source: Arc::new(cited(if field == "source" { t } else { "" })),
                    quote_url: Some(x("quote_url")),
                    quote: Some(x("quote")),
                }],
            }
        };
        let fields = [
            "slug",
            "title",
            "url",
            "permalink",
            "datetime",
            "instant",
            "day",
            "day_label",
            "day_url",
            "time_label",
            "local_label",
            "end_label",
            "location",
            "actors",
            "tags",
            "summary",
            "disputed",
            "source",
            "quote_url",
            "quote",
        ];
        for field in fields {
            assert!(card("\u{FFFF}", field).mentions('\u{FFFF}'), "{field}");
            assert!(!card("b", field).mentions('\u{FFFF}'), "{field}");
        }
        // Every field of the card's JSON is one of those above (or holds no text).
        let json = serde_json::to_value(card("", "")).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for key in keys {
            assert!(
                fields.contains(&key) || ["precision", "importance", "citations"].contains(&key),
                "{key} is not searched by CardView::mentions"
            );
        }
        let citation = json["citations"][0].as_object().unwrap();
        for key in citation.keys() {
            assert!(
                [
                    "number",
                    "id",
                    "outlet",
                    "title",
                    "url",
                    "page",
                    "language",
                    "quote_url",
                    "quote"
                ]
                .contains(&key.as_str()),
                "{key} is not searched by CitationView::mentions"
            );
        }
    }

    #[test]
    fn text_fragments_encode_the_quote() {
        assert_eq!(
            text_fragment("https://a.org/x#top", "no, it's - fine"),
            "https://a.org/x#:~:text=no%2C%20it%27s%20%2D%20fine"
        );
    }
}
