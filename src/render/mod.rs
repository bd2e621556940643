//! Model → pages: the page plan (every path the site has and what it shows), the views
//! templates see, Tera rendering with embedded defaults, and the JSON exports.

mod cards;
mod exports;
mod pages;
mod signature;
mod structured;
mod templates;
mod views;

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::Timeline;

use signature::Inputs;
pub use templates::{DEFAULT_TEMPLATES, Templates};
use views::EventCache;

/// One output file: a path relative to the output folder (always `/`-separated, never
/// escaping it, since every component is a checked slug or a fixed name) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What a planned page shows.
#[derive(Debug, Clone, Copy)]
enum Kind {
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
}

impl Kind {
    /// The template a page of this kind is rendered with (none for the JSON exports).
    fn template(self) -> Option<&'static str> {
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
            Self::TimelineJson | Self::SearchJson => return None,
        })
    }

    /// Tells kinds apart in signatures.
    fn tag(self) -> u8 {
        match self {
            Self::Index => 0,
            Self::Event(_) => 1,
            Self::Day(..) => 2,
            Self::Sources => 3,
            Self::Source(..) => 4,
            Self::Terms(_) => 5,
            Self::Term(..) => 6,
            Self::Page(_) => 7,
            Self::NotFound => 8,
            Self::Atom => 9,
            Self::Sitemap => 10,
            Self::TimelineJson => 11,
            Self::SearchJson => 12,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Taxonomy {
    Actors,
    Tags,
}

impl Taxonomy {
    fn folder(self) -> &'static str {
        match self {
            Self::Actors => "actors",
            Self::Tags => "tags",
        }
    }
}

/// Loads the templates for the site at `root` (embedded defaults + the site's overrides).
pub fn templates(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
    templates::load(root)
}

/// What a render keeps for the next one: each page's signature and each event's view.
#[derive(Default)]
pub struct RenderCache {
    signatures: HashMap<String, u64>,
    events: EventCache,
    plan: Option<PlanCache>,
}

impl RenderCache {
    /// For a single render (`gen build`, `gen check`): nothing is kept for a next one (no
    /// page signatures, no event views, no export fragments), so none of it is made.
    pub fn lean() -> Self {
        let mut cache = Self::default();
        cache.events.lean = true;
        cache
    }
}

/// The page plan of the last render, reused while the site's shape (which pages exist) is
/// the same: a typical edit changes what pages show, not which pages there are.
struct PlanCache {
    key: u64,
    plan: Vec<(String, Kind)>,
    html_urls: Vec<String>,
    paths: Arc<Vec<String>>,
}

impl PlanCache {
    fn new(key: u64, timeline: &Timeline, config: &Config) -> Self {
        let plan = plan(timeline, config);
        let html_urls = plan
            .iter()
            .filter(|(p, _)| p.ends_with("index.html"))
            .map(|(p, _)| p.trim_end_matches("index.html").to_owned())
            .collect();
        let paths = Arc::new(plan.iter().map(|(p, _)| p.clone()).collect());
        Self {
            key,
            plan,
            html_urls,
            paths,
        }
    }
}

/// A fingerprint of which pages the site has: every list the plan is made from.
fn shape(timeline: &Timeline, config: &Config) -> u64 {
    let mut h = DefaultHasher::new();
    (config.feeds, config.page_size).hash(&mut h);
    for e in &timeline.events {
        e.slug.hash(&mut h);
    }
    for d in &timeline.days {
        (d.date, d.events.len()).hash(&mut h);
    }
    for (s, cited) in timeline.sources.iter().zip(&timeline.cited_by) {
        (&s.id, cited.len()).hash(&mut h);
    }
    for t in timeline.actors.iter().chain(&timeline.tags) {
        (&t.slug, t.events.len()).hash(&mut h);
    }
    timeline.actors.len().hash(&mut h);
    for p in &timeline.pages {
        p.slug.hash(&mut h);
    }
    h.finish()
}

impl RenderCache {
    /// Makes the next render render every page (after a template or config change).
    pub fn forget_pages(&mut self) {
        self.signatures.clear();
    }
}

/// The result of a render: the pages rendered this time, and every path the site has now.
#[derive(Debug)]
pub struct Rendered {
    pub pages: Vec<Page>,
    pub planned: Arc<Vec<String>>,
}

/// Renders every page of the site. Errors name the template that failed.
pub fn render(
    timeline: &Timeline,
    config: &Config,
    templates: &Templates,
) -> Result<Vec<Page>, Vec<Diagnostic>> {
    render_changed(timeline, config, templates, &mut RenderCache::default()).map(|r| r.pages)
}

/// Renders the pages whose signature differs from the one in `cache` (all pages with a new
/// cache), reusing the views of unchanged events. A page's bytes depend only on what its
/// signature covers, so a page skipped here is byte-identical to what a full render writes.
/// The cache is updated only when the render succeeds.
pub fn render_changed(
    timeline: &Timeline,
    config: &Config,
    templates: &Templates,
    cache: &mut RenderCache,
) -> Result<Rendered, Vec<Diagnostic>> {
    let mut pages = Vec::new();
    let planned = render_into(timeline, config, templates, cache, &mut |mut chunk| {
        pages.append(&mut chunk);
        Ok(())
    })?;
    Ok(Rendered { pages, planned })
}

/// How many pages are rendered before they are handed on: enough to keep the cores busy,
/// few enough that a large site is never held in memory whole (list pages of 100 cards
/// weigh ~200 KB each; 10,000 events: peak 268 MB with 1,024, 228 MB with 256).
const CHUNK: usize = 256;

/// Like [`render_changed`], but hands the pages to `sink` a chunk at a time as they are
/// rendered, so a caller can write them out and drop them. If a page fails to render, the
/// pages already handed on stay with the sink (the caller must not publish them) and the
/// error comes back. Returns every path the site has now.
pub fn render_into(
    timeline: &Timeline,
    config: &Config,
    templates: &Templates,
    cache: &mut RenderCache,
    sink: &mut (dyn FnMut(Vec<Page>) -> Result<(), Diagnostic> + Send),
) -> Result<Arc<Vec<String>>, Vec<Diagnostic>> {
    let views = views::build(timeline, config, &mut cache.events);
    let key = shape(timeline, config);
    if cache.plan.as_ref().is_none_or(|p| p.key != key) {
        cache.plan = Some(PlanCache::new(key, timeline, config));
    }
    let Some(PlanCache {
        plan,
        html_urls,
        paths,
        ..
    }) = cache.plan.as_ref()
    else {
        unreachable!("the plan was just made");
    };
    let feed = newest_first(timeline, config.feed_limit);
    // A single render has no signatures to compare with and keeps none: every page is made.
    let lean = cache.events.lean;
    let (signatures, stale): (Vec<u64>, Vec<(&String, Kind)>) = if lean {
        (
            Vec::new(),
            plan.iter().map(|(path, kind)| (path, *kind)).collect(),
        )
    } else {
        let inputs = Inputs::new(timeline, &views, html_urls, &feed);
        let signatures: Vec<u64> = plan
            .par_iter()
            .map(|(_, kind)| {
                let template = kind.template().map_or(0, |t| templates.fingerprint(t));
                views::hash(&(inputs.signature(*kind), template))
            })
            .collect();
        let stale = plan
            .iter()
            .zip(&signatures)
            .filter(|((path, _), signature)| cache.signatures.get(path) != Some(signature))
            .map(|((path, kind), _)| (path, *kind))
            .collect();
        (signatures, stale)
    };
    // The two JSON exports (at 100,000 events 100 and 160 MB) are made one after the other
    // beside the first pages (the plan starts with the events' pages, which use no cards), on
    // the cores the pages leave idle. Made last, they came on top of the memory the cards had
    // left and set the build's peak; made first, alone, they left a core idle for a while.
    let (exports, pages): (Vec<_>, Vec<_>) = stale
        .into_iter()
        .partition(|(_, kind)| matches!(kind, Kind::TimelineJson | Kind::SearchJson));
    let cards = cards::Cards::new(templates, &views);
    let inputs = pages::Inputs {
        timeline,
        views: &views,
        html_urls,
        feed: &feed,
        templates,
        cards: &cards,
    };
    let render = |&(path, kind): &(&String, Kind)| -> Result<Page, Diagnostic> {
        Ok(Page {
            path: path.clone(),
            bytes: pages::render_page(path, kind, inputs)?,
        })
    };
    // The exports go to the pages' side through a channel, which hands them to the sink
    // between two chunks: the sink has one user, and nothing waits on anything.
    let (sent, received) = std::sync::mpsc::channel::<Page>();
    let (made, to_export) = (&views, &exports);
    let make_exports = move || {
        for &(path, kind) in to_export {
            let bytes = match kind {
                Kind::TimelineJson => {
                    exports::timeline_json(&made.site, &made.events, timeline.zone)
                }
                _ => exports::search_json(&made.events),
            };
            // The receiver outlives this side (it is returned after the join).
            let _ = sent.send(Page {
                path: path.clone(),
                bytes,
            });
        }
    };
    // Each chunk of pages is rendered while the one before, and any export made meanwhile,
    // is handed to the sink.
    let make_pages = move || -> Result<_, Diagnostic> {
        let mut problems: Vec<Diagnostic> = Vec::new();
        let mut handed: Option<Vec<Page>> = None;
        for chunk in pages.chunks(CHUNK) {
            let exported: Vec<Page> = received.try_iter().collect();
            let (results, sunk) = rayon::join(
                || chunk.par_iter().map(render).collect::<Vec<_>>(),
                || -> Result<(), Diagnostic> {
                    if let Some(pages) = handed.take() {
                        sink(pages)?;
                    }
                    exported
                        .into_iter()
                        .try_for_each(|export| sink(vec![export]))
                },
            );
            sunk?;
            handed = collect(results, &mut problems);
        }
        if let Some(pages) = handed {
            sink(pages)?;
        }
        Ok((problems, received, sink))
    };
    let ((), pages_made) = rayon::join(make_exports, make_pages);
    let (problems, received, sink) = pages_made.map_err(|d| vec![d])?;
    for export in received.try_iter() {
        sink(vec![export]).map_err(|d| vec![d])?;
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if lean {
        // Freed on another thread (~0.05 s at 100,000 events) while the caller publishes.
        drop(cards);
        std::thread::spawn(move || drop(views));
        return Ok(Arc::clone(paths));
    }
    // Update in place (no copy of the 10,000s of paths that stay); drop paths that are gone.
    for ((path, _), signature) in plan.iter().zip(&signatures) {
        match cache.signatures.get_mut(path) {
            Some(old) => *old = *signature,
            None => {
                cache.signatures.insert(path.clone(), *signature);
            }
        }
    }
    if cache.signatures.len() != plan.len() {
        let now: HashSet<&str> = plan.iter().map(|(p, _)| p.as_str()).collect();
        cache.signatures.retain(|p, _| now.contains(p.as_str()));
    }
    Ok(Arc::clone(paths))
}

/// The pages of `results`, or `None` once any page (now or before) failed: the errors are
/// added to `problems`, each once.
fn collect(
    results: Vec<Result<Page, Diagnostic>>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Vec<Page>> {
    let mut pages = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(p) => pages.push(p),
            Err(d) if !problems.contains(&d) => problems.push(d),
            Err(_) => {}
        }
    }
    problems.is_empty().then_some(pages)
}

/// The events of the feed: the `limit` newest by instant (ties by slug).
fn newest_first(timeline: &Timeline, limit: usize) -> Vec<usize> {
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

/// The pages of a list of `len` events under `base`: `base/index.html`, then
/// `base/page/2/index.html` and so on.
fn paged(base: &str, len: usize, size: usize, kind: impl Fn(Slice) -> Kind) -> Vec<(String, Kind)> {
    let count = len.div_ceil(size).max(1);
    (0..count)
        .map(|number| {
            let slice = Slice { number, count };
            (format!("{}index.html", slice.url(base)), kind(slice))
        })
        .collect()
}

fn plan(timeline: &Timeline, config: &Config) -> Vec<(String, Kind)> {
    let size = config.page_size;
    let mut plan = vec![
        ("index.html".to_owned(), Kind::Index),
        ("404.html".to_owned(), Kind::NotFound),
    ];
    plan.extend(
        timeline
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("events/{}/index.html", e.slug), Kind::Event(i))),
    );
    plan.extend(timeline.days.iter().enumerate().flat_map(|(i, d)| {
        paged(
            &format!("days/{}/", d.date),
            d.events.len(),
            size,
            move |s| Kind::Day(i, s),
        )
    }));
    plan.push(("sources/index.html".to_owned(), Kind::Sources));
    plan.extend(timeline.sources.iter().enumerate().flat_map(|(i, s)| {
        paged(
            &format!("sources/{}/", s.id),
            timeline.cited_by[i].len(),
            size,
            move |sl| Kind::Source(i, sl),
        )
    }));
    for (taxonomy, terms) in [
        (Taxonomy::Actors, &timeline.actors),
        (Taxonomy::Tags, &timeline.tags),
    ] {
        plan.push((
            format!("{}/index.html", taxonomy.folder()),
            Kind::Terms(taxonomy),
        ));
        plan.extend(terms.iter().enumerate().flat_map(|(i, t)| {
            paged(
                &format!("{}/{}/", taxonomy.folder(), t.slug),
                t.events.len(),
                size,
                move |s| Kind::Term(taxonomy, i, s),
            )
        }));
    }
    plan.extend(
        timeline
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("{}/index.html", p.slug), Kind::Page(i))),
    );
    if config.feeds {
        plan.push(("atom.xml".to_owned(), Kind::Atom));
    }
    plan.push(("sitemap.xml".to_owned(), Kind::Sitemap));
    plan.push(("timeline.json".to_owned(), Kind::TimelineJson));
    plan.push(("search.json".to_owned(), Kind::SearchJson));
    plan
}
