//! The [`Timeline`]: events in display order with every index the pages need, built once.
//!
//! Order: by day in the display zone; within a day, date-only events first; then by UTC
//! instant; equal instants by slug. Indexes (days, actors, tags, source → citing events,
//! previous/next) are computed here so no page does quadratic work.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::{Era, Event, MediaIndex, Page, Slug, Source, slugify};

/// One calendar day of the display zone and the events on it (indexes into `events`).
#[derive(Debug, Clone)]
pub struct Day {
    pub date: NaiveDate,
    pub events: Vec<usize>,
}

/// An actor or a tag, with the events that carry it.
#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub events: Vec<usize>,
}

/// The validated, sorted, indexed site content. Immutable once built.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub zone: Tz,
    /// Shared with the content cache, so a rebuild does not copy unchanged events.
    pub events: Vec<Arc<Event>>,
    /// Sorted by id.
    pub sources: Vec<Arc<Source>>,
    pub pages: Vec<Page>,
    /// Sorted by start, then end, then slug.
    pub eras: Vec<Era>,
    pub days: Vec<Day>,
    pub actors: Vec<Term>,
    pub tags: Vec<Term>,
    /// For each source (same order as `sources`), the events citing it, in timeline order.
    pub cited_by: Vec<Vec<usize>>,
    /// The local media files as the media stage prepared them; empty until it has run.
    pub media: Arc<MediaIndex>,
}

impl Timeline {
    pub fn new(
        events: Vec<Arc<Event>>,
        mut sources: Vec<Arc<Source>>,
        pages: Vec<Page>,
        mut eras: Vec<Era>,
        zone: Tz,
    ) -> Self {
        eras.sort_by(|a, b| {
            let key = |e: &Era| (e.start.instant_in(zone), e.end.instant_in(zone));
            key(a).cmp(&key(b)).then_with(|| a.slug.cmp(&b.slug))
        });
        // The key needs zone arithmetic: compute it once per event, not once per comparison.
        let mut keyed: Vec<_> = events.into_iter().map(|e| (order(&e, zone), e)).collect();
        keyed.sort_by(|(a, ea), (b, eb)| a.cmp(b).then_with(|| ea.slug.cmp(&eb.slug)));
        let days = group_days(keyed.iter().map(|(key, _)| key.0));
        let events: Vec<Arc<Event>> = keyed.into_iter().map(|(_, e)| e).collect();
        sources.sort_by(|a, b| a.id.cmp(&b.id));
        let ((actors, tags), cited_by) = rayon::join(
            || {
                rayon::join(
                    || terms(&events, |e| &e.actors),
                    || terms(&events, |e| &e.tags),
                )
            },
            || cited_by(&events, &sources),
        );
        Self {
            zone,
            events,
            sources,
            pages,
            eras,
            days,
            actors,
            tags,
            cited_by,
            media: Arc::default(),
        }
    }

    /// The position of a source in `sources`.
    pub fn source_index(&self, id: &Slug) -> Option<usize> {
        self.sources.binary_search_by(|s| s.id.cmp(id)).ok()
    }
}

/// Consecutive runs of equal dates, as days holding event indexes.
fn group_days(dates: impl Iterator<Item = NaiveDate>) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for (index, date) in dates.enumerate() {
        match days.last_mut() {
            Some(day) if day.date == date => day.events.push(index),
            _ => days.push(Day {
                date,
                events: vec![index],
            }),
        }
    }
    days
}

/// For each source (sorted by id), the events citing it, in timeline order.
fn cited_by(events: &[Arc<Event>], sources: &[Arc<Source>]) -> Vec<Vec<usize>> {
    let position: HashMap<&str, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut cited_by = vec![Vec::new(); sources.len()];
    for (index, event) in events.iter().enumerate() {
        for citation in &event.citations {
            if let Some(&i) = position.get(citation.source.as_str())
                && cited_by[i].last() != Some(&index)
            {
                cited_by[i].push(index);
            }
        }
    }
    cited_by
}

/// The documented display order (see the module doc), but for the slug that breaks ties.
fn order(event: &Event, zone: Tz) -> (NaiveDate, bool, chrono::DateTime<chrono::Utc>) {
    (
        event.date.day_in(zone),
        !event.date.is_day(),
        event.date.instant_in(zone),
    )
}

fn terms(events: &[Arc<Event>], field: impl Fn(&Event) -> &Vec<String>) -> Vec<Term> {
    // Few distinct names, many uses: slugify each name once, then only look names up.
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut terms: Vec<Term> = Vec::new();
    let mut by_slug: HashMap<String, usize> = HashMap::new();
    for (index, event) in events.iter().enumerate() {
        for name in field(event) {
            let t = *by_name.entry(name.as_str()).or_insert_with(|| {
                let slug = slugify(name);
                *by_slug.entry(slug.clone()).or_insert_with(|| {
                    terms.push(Term {
                        name: name.clone(),
                        slug,
                        events: Vec::new(),
                    });
                    terms.len() - 1
                })
            });
            if terms[t].events.last() != Some(&index) {
                terms[t].events.push(index);
            }
        }
    }
    terms.sort_by(|a, b| a.slug.cmp(&b.slug));
    terms
}

impl Timeline {
    /// Every media item of the site with what it is attached to: events first, in timeline
    /// order, then sources, then eras.
    pub fn media_items(&self) -> impl Iterator<Item = &super::Media> {
        let events = self.events.iter().flat_map(|e| e.media.iter());
        let sources = self.sources.iter().filter_map(|s| s.media.as_ref());
        let eras = self.eras.iter().filter_map(|e| e.media.as_ref());
        events.chain(sources).chain(eras)
    }
}
