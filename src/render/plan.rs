//! The page plan: every path the site has and what the page at it shows.

use crate::config::Config;
use crate::model::Timeline;

/// What a planned page shows.
#[derive(Debug, Clone, Copy)]
pub enum PageKind {
    Index,
    Event(usize),
    Day(usize, Slice),
    Sources,
    Source(usize, Slice),
    Terms(Taxonomy),
    Term(Taxonomy, usize, Slice),
    Page(usize),
    NotFound,
    Atom,
    Sitemap,
    TimelineJson,
    SearchJson,
    /// The finer counts of one day for a binned time axis (`axis/<date>.json`).
    AxisDay(usize),
}

impl PageKind {
    /// The template a page of this kind is rendered with (none for the JSON exports).
    pub fn template(self) -> Option<&'static str> {
        Some(match self {
            Self::Index => "index.html",
            Self::Event(_) => "event.html",
            Self::Day(..) => "day.html",
            Self::Sources => "sources.html",
            Self::Source(..) => "source.html",
            Self::Terms(_) => "terms.html",
            Self::Term(..) => "term.html",
            Self::Page(_) => "page.html",
            Self::NotFound => "404.html",
            Self::Atom => "atom.xml",
            Self::Sitemap => "sitemap.xml",
            Self::TimelineJson | Self::SearchJson | Self::AxisDay(_) => return None,
        })
    }

    /// True for the two JSON exports, which are made from the views without a template.
    pub fn is_export(self) -> bool {
        matches!(self, Self::TimelineJson | Self::SearchJson)
    }
}

/// The two lists of terms an event carries.
#[derive(Debug, Clone, Copy)]
pub enum Taxonomy {
    Actors,
    Tags,
}

impl Taxonomy {
    pub fn folder(self) -> &'static str {
        match self {
            Self::Actors => "actors",
            Self::Tags => "tags",
        }
    }
}

/// One page of a list split by `page_size`: its number (from 0) and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slice {
    pub number: usize,
    pub count: usize,
}

impl Slice {
    /// The part of `items` this page shows.
    pub fn of<T>(self, items: &[T], size: usize) -> &[T] {
        let start = (self.number * size).min(items.len());
        &items[start..(start + size).min(items.len())]
    }

    /// The folder of this page under the list's folder (`base` ends in `/`).
    pub fn url(self, base: &str) -> String {
        if self.number == 0 {
            base.to_owned()
        } else {
            format!("{base}page/{}/", self.number + 1)
        }
    }
}

/// A planned page: its path in the output folder and what it shows.
pub type Planned = (String, PageKind);

/// The pages of a list of `len` events under `base`: `base/index.html`, then
/// `base/page/2/index.html` and so on.
fn paged(base: &str, len: usize, size: usize, kind: impl Fn(Slice) -> PageKind) -> Vec<Planned> {
    let count = len.div_ceil(size).max(1);
    (0..count)
        .map(|number| {
            let slice = Slice { number, count };
            (format!("{}index.html", slice.url(base)), kind(slice))
        })
        .collect()
}

/// Every page of the site, events' pages first (they show no cards, so the exports made beside
/// them do not meet the list pages' memory).
pub fn plan(timeline: &Timeline, config: &Config) -> Vec<Planned> {
    let size = config.page_size;
    let mut plan = vec![
        ("index.html".to_owned(), PageKind::Index),
        ("404.html".to_owned(), PageKind::NotFound),
    ];
    plan.extend(
        timeline
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("events/{}/index.html", e.slug), PageKind::Event(i))),
    );
    plan.extend(timeline.days.iter().enumerate().flat_map(|(i, d)| {
        paged(
            &format!("days/{}/", d.date),
            d.events.len(),
            size,
            move |s| PageKind::Day(i, s),
        )
    }));
    plan.push(("sources/index.html".to_owned(), PageKind::Sources));
    plan.extend(timeline.sources.iter().enumerate().flat_map(|(i, s)| {
        let cited = timeline.cited_by[i].len();
        paged(&format!("sources/{}/", s.id), cited, size, move |sl| {
            PageKind::Source(i, sl)
        })
    }));
    for (taxonomy, terms) in [
        (Taxonomy::Actors, &timeline.actors),
        (Taxonomy::Tags, &timeline.tags),
    ] {
        let folder = taxonomy.folder();
        plan.push((format!("{folder}/index.html"), PageKind::Terms(taxonomy)));
        plan.extend(terms.iter().enumerate().flat_map(|(i, t)| {
            paged(
                &format!("{folder}/{}/", t.slug),
                t.events.len(),
                size,
                move |s| PageKind::Term(taxonomy, i, s),
            )
        }));
    }
    plan.extend(
        timeline
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("{}/index.html", p.slug), PageKind::Page(i))),
    );
    if config.feeds {
        plan.push(("atom.xml".to_owned(), PageKind::Atom));
    }
    plan.push(("sitemap.xml".to_owned(), PageKind::Sitemap));
    plan.push(("timeline.json".to_owned(), PageKind::TimelineJson));
    plan.push(("search.json".to_owned(), PageKind::SearchJson));
    plan.extend(axis_days(timeline, config));
    plan
}

/// A binned axis (past `index_limit`) loads a day's finer counts as the reader zooms in: one
/// file per day then, none otherwise.
fn axis_days(timeline: &Timeline, config: &Config) -> Vec<Planned> {
    if timeline.events.len() <= config.index_limit {
        return Vec::new();
    }
    let days = timeline.days.iter().enumerate();
    days.map(|(i, d)| (format!("axis/{}.json", d.date), PageKind::AxisDay(i)))
        .collect()
}

/// The folder of every HTML page of `plan`, for the sitemap.
pub fn html_urls(plan: &[Planned]) -> Vec<String> {
    plan.iter()
        .filter(|(p, _)| p.ends_with("index.html"))
        .map(|(p, _)| p.trim_end_matches("index.html").to_owned())
        .collect()
}

/// The events of the feed: the `limit` newest by instant (ties by slug).
pub fn feed(timeline: &Timeline, limit: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..timeline.events.len()).collect();
    let instant = |i: usize| timeline.events[i].date.instant_in(timeline.zone);
    order.sort_by(|&a, &b| {
        instant(b)
            .cmp(&instant(a))
            .then_with(|| timeline.events[a].slug.cmp(&timeline.events[b].slug))
    });
    order.truncate(limit);
    order
}
