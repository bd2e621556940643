//! Page signatures: a fingerprint of everything a page shows, so a rebuild renders only the
//! pages whose fingerprint changed. Built from the per-event view hashes, once per render.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::model::{Term, Timeline};
use crate::render::{self, PageKind, Taxonomy, Views};

/// A fingerprint of a value (deterministic within a build of gen).
pub fn hash<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Hashes of the views, computed once per render, from which page signatures are made.
pub struct Fingerprints<'a> {
    timeline: &'a Timeline,
    site: u64,
    events: Vec<u64>,
    all_events: u64,
    /// What `timeline.json` shows besides the events' views: the eras, and each event's
    /// group (its slide's lane, which no page view carried when this was written).
    timeline_json: u64,
    sources: Vec<u64>,
    all_sources: u64,
    html_urls: u64,
    feed: u64,
    compact: bool,
    page_size: usize,
}

impl<'a> Fingerprints<'a> {
    /// `events`: the hash of each event's view, in timeline order.
    pub fn new(
        timeline: &'a Timeline,
        views: &Views,
        events: Vec<u64>,
        html_urls: &[String],
        feed: &[usize],
    ) -> Self {
        let sources: Vec<u64> = views.sources.iter().map(hash).collect();
        Self {
            timeline,
            site: hash(&views.site),
            all_events: hash(&events),
            timeline_json: hash(&(
                render::eras_json(&timeline.eras, timeline.zone),
                timeline.events.iter().map(|e| &e.group).collect::<Vec<_>>(),
            )),
            all_sources: hash(&sources),
            feed: hash(&feed.iter().map(|&i| events[i]).collect::<Vec<_>>()),
            events,
            sources,
            html_urls: hash(html_urls),
            compact: views.site.compact_index,
            page_size: views.site.page_size,
        }
    }

    fn of_events(&self, indexes: &[usize]) -> u64 {
        hash(&indexes.iter().map(|&i| self.events[i]).collect::<Vec<_>>())
    }

    fn terms(&self, taxonomy: Taxonomy) -> &'a [Term] {
        match taxonomy {
            Taxonomy::Actors => &self.timeline.actors,
            Taxonomy::Tags => &self.timeline.tags,
        }
    }

    /// A fingerprint of everything the page of this kind shows.
    pub fn signature(&self, kind: PageKind) -> u64 {
        let t = self.timeline;
        let specific = match kind {
            PageKind::Index if self.compact => hash(
                &t.days
                    .iter()
                    .map(|d| (d.date, d.events.len()))
                    .collect::<Vec<_>>(),
            ),
            PageKind::Index => self.all_events,
            PageKind::Event(i) => hash(&(
                self.events[i],
                i.checked_sub(1).map(|j| self.events[j]),
                self.events.get(i + 1),
            )),
            PageKind::Day(d, s) => hash(&(
                t.days[d].date,
                s,
                t.days[d].events.len(),
                self.of_events(s.of(&t.days[d].events, self.page_size)),
                d.checked_sub(1).map(|j| t.days[j].date),
                t.days.get(d + 1).map(|x| x.date),
            )),
            PageKind::Sources => self.all_sources,
            PageKind::Source(i, s) => hash(&(
                self.sources[i],
                s,
                self.of_events(s.of(&t.cited_by[i], self.page_size)),
            )),
            PageKind::Terms(tx) => hash(
                &self
                    .terms(tx)
                    .iter()
                    .map(|term| (&term.name, &term.slug, term.events.len()))
                    .collect::<Vec<_>>(),
            ),
            PageKind::Term(tx, i, s) => {
                let term = &self.terms(tx)[i];
                hash(&(
                    &term.name,
                    &term.slug,
                    s,
                    term.events.len(),
                    self.of_events(s.of(&term.events, self.page_size)),
                ))
            }
            PageKind::Page(i) => hash(&(&t.pages[i].title, &t.pages[i].body_html)),
            PageKind::NotFound => 0,
            PageKind::Atom => self.feed,
            PageKind::TimelineJson => hash(&(self.all_events, self.timeline_json)),
            // The view carries the rendered body, so its hash covers the search text too.
            PageKind::SearchJson => self.all_events,
            PageKind::Sitemap => self.html_urls,
            PageKind::AxisDay(d) => hash(&(t.days[d].date, self.of_events(&t.days[d].events))),
        };
        hash(&(self.site, tag(kind), specific))
    }
}

/// Tells kinds apart in signatures.
fn tag(kind: PageKind) -> u8 {
    match kind {
        PageKind::Index => 0,
        PageKind::Event(_) => 1,
        PageKind::Day(..) => 2,
        PageKind::Sources => 3,
        PageKind::Source(..) => 4,
        PageKind::Terms(_) => 5,
        PageKind::Term(..) => 6,
        PageKind::Page(_) => 7,
        PageKind::NotFound => 8,
        PageKind::Atom => 9,
        PageKind::Sitemap => 10,
        PageKind::TimelineJson => 11,
        PageKind::SearchJson => 12,
        PageKind::AxisDay(_) => 13,
    }
}
