//! What `gen watch` keeps between renders: each event's view (with its hash and its parts of
//! the two JSON exports), the page plan while the site's shape stays, and each page's
//! signature. A rebuild renders only the pages whose signature changed, through the same
//! stage functions `gen build` uses, so what it writes is what a full render writes.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::signature::{Fingerprints, hash};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::{Event, Slug, Timeline};
use crate::render::{
    self, EventView, Lookups, PageKind, Planned, Prepared, Sink, Templates, Views,
};

/// One event's view as kept: the event it was made from, the view, its hash, and its
/// slide in `timeline.json` and entry in `search.json`, serialized.
struct KeptView {
    event: Arc<Event>,
    view: Arc<EventView>,
    hash: u64,
    slide: String,
    search: String,
}

/// The page plan of the last render, reused while the site's shape (which pages exist) is
/// the same: a typical edit changes what pages show, not which pages there are.
struct KeptPlan {
    shape: u64,
    plan: Vec<Planned>,
    html_urls: Vec<String>,
    paths: Arc<Vec<String>>,
}

/// The render state kept between rebuilds.
#[derive(Default)]
pub struct RenderCache {
    /// What every view also depends on (the sources' titles and addresses, the config).
    views_key: u64,
    views: HashMap<Slug, Arc<KeptView>>,
    plan: Option<KeptPlan>,
    signatures: HashMap<String, u64>,
}

impl RenderCache {
    /// Makes the next render render every page (after a template or config change).
    pub fn forget_pages(&mut self) {
        self.signatures.clear();
    }

    /// Renders the pages whose signature differs from the last render's (every page the
    /// first time), reusing the views of unchanged events. A page's bytes depend only on
    /// what its signature covers, so a page skipped here is byte-identical to what a full
    /// render writes. The files go to `sink` a chunk at a time; the cache is updated only
    /// when the render succeeds. Returns every path the site has now.
    pub fn render(
        &mut self,
        timeline: &Timeline,
        config: &Config,
        templates: &Templates,
        sink: &mut Sink<'_>,
    ) -> Result<Arc<Vec<String>>, Vec<Diagnostic>> {
        let (views, kept) = self.views(timeline, config);
        self.replan(timeline, config);
        let Some(plan) = self.plan.as_ref() else {
            unreachable!("the plan was just made");
        };
        let feed = render::feed(timeline, config.feed_limit);
        let hashes = kept.iter().map(|k| k.hash).collect();
        let fingerprints = Fingerprints::new(timeline, &views, hashes, &plan.html_urls, &feed);
        let signatures: Vec<u64> = plan
            .plan
            .par_iter()
            .map(|(_, kind)| {
                let template = kind.template().map_or(0, |t| templates.fingerprint(t));
                hash(&(fingerprints.signature(*kind), template))
            })
            .collect();
        let stale = plan
            .plan
            .iter()
            .zip(&signatures)
            .filter(|((path, _), signature)| self.signatures.get(path) != Some(signature))
            .map(|((path, kind), _)| (path, *kind))
            .collect();
        let prepared = Prepared {
            timeline,
            templates,
            views: &views,
            html_urls: &plan.html_urls,
            feed: &feed,
        };
        let eras = render::eras_json(&timeline.eras, timeline.zone);
        let exports = |kind| export(kind, &views, &eras, &kept);
        render::render_pages(prepared, stale, &exports, sink)?;
        let paths = Arc::clone(&plan.paths);
        self.remember(signatures);
        Ok(paths)
    }

    /// The views of the timeline: kept where the event is the same `Arc` as last time
    /// (and the sources and config are the same), made anew otherwise.
    fn views(&mut self, timeline: &Timeline, config: &Config) -> (Views, Vec<Arc<KeptView>>) {
        let site = render::site_view(timeline, config);
        let sources = render::source_views(timeline);
        let key = views_key(timeline, config, &site);
        if key != self.views_key {
            self.views.clear();
            self.views_key = key;
        }
        // Made on first need: a rebuild whose events are all kept needs none of it.
        let lookups = OnceLock::new();
        let kept: Vec<(Arc<KeptView>, bool)> = timeline
            .events
            .par_iter()
            .map(|e| match self.views.get(&e.slug) {
                Some(k) if Arc::ptr_eq(&k.event, e) => (Arc::clone(k), false),
                _ => {
                    let lookups = lookups.get_or_init(|| Lookups::new(timeline));
                    let view = render::event_view(e, timeline, config, lookups);
                    (Arc::new(KeptView::new(e, view, &site, timeline)), true)
                }
            })
            .collect();
        let kept = self.keep(kept);
        let views = Views {
            site,
            events: kept.iter().map(|k| Arc::clone(&k.view)).collect(),
            sources,
        };
        (views, kept)
    }

    /// Stores the views made afresh (rebuilding the map only when events came or went) and
    /// returns every view.
    fn keep(&mut self, made: Vec<(Arc<KeptView>, bool)>) -> Vec<Arc<KeptView>> {
        for (k, fresh) in &made {
            if *fresh {
                self.views.insert(k.event.slug.clone(), Arc::clone(k));
            }
        }
        let all: Vec<Arc<KeptView>> = made.into_iter().map(|(k, _)| k).collect();
        if self.views.len() != all.len() {
            self.views = all
                .iter()
                .map(|k| (k.event.slug.clone(), Arc::clone(k)))
                .collect();
        }
        all
    }

    /// Makes the plan again when the site's shape changed.
    fn replan(&mut self, timeline: &Timeline, config: &Config) {
        let shape = shape(timeline, config);
        if self.plan.as_ref().is_some_and(|p| p.shape == shape) {
            return;
        }
        let plan = render::plan(timeline, config);
        self.plan = Some(KeptPlan {
            shape,
            html_urls: render::html_urls(&plan),
            paths: Arc::new(plan.iter().map(|(p, _)| p.clone()).collect()),
            plan,
        });
    }

    /// Records this render's signatures, in place (no copy of the 10,000s of paths that
    /// stay); drops the paths that are gone.
    fn remember(&mut self, signatures: Vec<u64>) {
        let Some(plan) = &self.plan else { return };
        for ((path, _), signature) in plan.plan.iter().zip(signatures) {
            match self.signatures.get_mut(path) {
                Some(old) => *old = signature,
                None => {
                    self.signatures.insert(path.clone(), signature);
                }
            }
        }
        if self.signatures.len() != plan.plan.len() {
            let now: HashSet<&str> = plan.plan.iter().map(|(p, _)| p.as_str()).collect();
            self.signatures.retain(|p, _| now.contains(p.as_str()));
        }
    }
}

impl KeptView {
    fn new(event: &Arc<Event>, view: EventView, site: &render::SiteView, t: &Timeline) -> Self {
        Self {
            slide: render::slide(event, &view, site, t.zone),
            search: render::search_entry(event, &view),
            hash: hash(&view),
            event: Arc::clone(event),
            view: Arc::new(view),
        }
    }
}

/// An export joined from the kept parts (and the eras, serialized by [`render::eras_json`]).
fn export(kind: PageKind, views: &Views, eras: &str, kept: &[Arc<KeptView>]) -> Vec<u8> {
    match kind {
        PageKind::TimelineJson => render::timeline_json(&views.site, eras, kept.len(), |i| {
            Cow::Borrowed(kept[i].slide.as_str())
        }),
        _ => render::search_json(kept.len(), |i| Cow::Borrowed(kept[i].search.as_str())),
    }
}

/// What every event's view depends on besides the event.
fn views_key(timeline: &Timeline, config: &Config, site: &render::SiteView) -> u64 {
    hash(&(
        timeline
            .sources
            .iter()
            .map(|s| (&s.id, &s.title, &s.outlet, &s.url))
            .collect::<Vec<_>>(),
        &config.base_url,
        timeline.zone.name(),
        &site.title,
        &site.description,
        config.embed_remote,
        media_key(timeline),
    ))
}

/// The media index in a fixed order: an image processed anew changes the views naming it.
fn media_key(timeline: &Timeline) -> Vec<(&String, &crate::model::Prepared)> {
    let mut media: Vec<_> = timeline.media.0.iter().collect();
    media.sort_by(|a, b| a.0.cmp(b.0));
    media
}

/// A fingerprint of which pages the site has: every list the plan is made from.
fn shape(timeline: &Timeline, config: &Config) -> u64 {
    let mut h = DefaultHasher::new();
    (config.feeds, config.page_size, config.index_limit).hash(&mut h);
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
