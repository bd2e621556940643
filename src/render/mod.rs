//! Timeline → files of the site: the page plan, the views templates see, one context per page
//! kind rendered with Tera (embedded defaults, overridable), and the JSON exports. Pure: what
//! it makes depends only on its arguments, and it keeps nothing between calls (the caches of
//! `gen watch` compose these functions in `crate::incremental`).

mod axis;
mod axis_bins;
mod axis_layout;
mod axis_ticks;
mod card_reuse;
mod cards;
mod context;
mod exports;
mod labels;
mod media_view;
mod pages;
mod plan;
mod structured;
mod templates;
mod views;

use std::borrow::Cow;
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::Timeline;

pub(crate) use exports::{eras_json, search_entry, search_json, slide, timeline_json};
pub(crate) use pages::Prepared;
pub(crate) use plan::{PageKind, Planned, Taxonomy, feed, html_urls, plan};
pub use templates::{DEFAULT_TEMPLATES, Templates};
pub(crate) use views::{EventView, Lookups, SiteView, Views, event_view, site_view, source_views};

/// One file of the built site: a path relative to the output folder (always `/`-separated,
/// never escaping it, since every component is a checked slug or a fixed name) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Where rendered files go, a chunk at a time; an error stops the render.
pub type Sink<'s> = dyn FnMut(Vec<SiteFile>) -> Result<(), Diagnostic> + Send + 's;

/// Makes an export's bytes (`timeline.json` or `search.json`).
pub type ExportMaker<'e> = dyn Fn(PageKind) -> Vec<u8> + Sync + 'e;

/// Loads the templates for the site at `root` (embedded defaults + the site's overrides).
pub fn templates(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
    templates::load(root)
}

/// Renders every file of the site, handing them to `sink` a chunk at a time so a large site
/// is never held in memory whole. If a page fails to render, the files already handed on stay
/// with the sink (the caller must not publish them) and every error comes back. Returns the
/// path of every file the site has.
pub fn render_site(
    timeline: &Timeline,
    config: &Config,
    templates: &Templates,
    sink: &mut Sink<'_>,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let views = views::build(timeline, config);
    let plan = plan::plan(timeline, config);
    let html_urls = plan::html_urls(&plan);
    let feed = plan::feed(timeline, config.feed_limit);
    let prepared = Prepared {
        timeline,
        templates,
        views: &views,
        html_urls: &html_urls,
        feed: &feed,
    };
    let exports = |kind| export(kind, timeline, &views);
    render_pages(
        prepared,
        plan.iter().map(|(p, k)| (p, *k)).collect(),
        &exports,
        sink,
    )?;
    // Freed on another thread (~0.05 s at 100,000 events) while the caller publishes.
    std::thread::spawn(move || drop(views));
    Ok(plan.into_iter().map(|(path, _)| path).collect())
}

/// Renders every file of the site into memory.
pub fn render(
    timeline: &Timeline,
    config: &Config,
    templates: &Templates,
) -> Result<Vec<SiteFile>, Vec<Diagnostic>> {
    let mut files = Vec::new();
    render_site(timeline, config, templates, &mut |mut chunk| {
        files.append(&mut chunk);
        Ok(())
    })?;
    Ok(files)
}

/// An export made from the views (no part of it kept from an earlier render).
fn export(kind: PageKind, timeline: &Timeline, views: &Views) -> Vec<u8> {
    let (events, zone) = (&timeline.events, timeline.zone);
    match kind {
        PageKind::TimelineJson => {
            let eras = exports::eras_json(&timeline.eras, zone);
            exports::timeline_json(&views.site, &eras, events.len(), |i| {
                Cow::Owned(exports::slide(
                    &events[i],
                    &views.events[i],
                    &views.site,
                    zone,
                ))
            })
        }
        _ => exports::search_json(events.len(), |i| {
            Cow::Owned(exports::search_entry(&events[i], &views.events[i]))
        }),
    }
}

/// How many pages are rendered before they are handed on: enough to keep the cores busy,
/// few enough that a large site is never held in memory whole (list pages of 100 cards
/// weigh ~200 KB each; 10,000 events: peak 268 MB with 1,024, 228 MB with 256).
const CHUNK: usize = 256;

/// Renders the `selected` pages, handing them to `sink` a chunk at a time; the exports among
/// them are made by `exports`.
///
/// The two JSON exports (at 100,000 events 100 and 160 MB) are made one after the other
/// beside the first pages (the plan starts with the events' pages, which use no cards), on
/// the cores the pages leave idle. Made last, they came on top of the memory the cards had
/// left and set the build's peak; made first, alone, they left a core idle for a while.
pub fn render_pages(
    prepared: Prepared<'_>,
    selected: Vec<(&String, PageKind)>,
    exports: &ExportMaker<'_>,
    sink: &mut Sink<'_>,
) -> Result<(), Vec<Diagnostic>> {
    let (to_export, pages): (Vec<_>, Vec<_>) =
        selected.into_iter().partition(|(_, kind)| kind.is_export());
    let cards = cards::Cards::new(prepared.templates, prepared.views);
    let inputs = pages::PageInputs {
        prepared,
        cards: &cards,
    };
    // The exports go to the pages' side through a channel, which hands them to the sink
    // between two chunks: the sink has one user, and nothing waits on anything.
    let (sent, received) = channel::<SiteFile>();
    let make_exports = move || {
        for (path, kind) in to_export {
            // The receiver outlives this side (it is returned after the join).
            let _ = sent.send(SiteFile {
                path: path.clone(),
                bytes: exports(kind),
            });
        }
    };
    let make_pages = move || in_chunks(&pages, inputs, received, sink);
    let ((), made) = rayon::join(make_exports, make_pages);
    let (problems, received, sink) = made.map_err(|d| vec![d])?;
    for export in received.try_iter() {
        sink(vec![export]).map_err(|d| vec![d])?;
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Renders `pages` a chunk at a time, each chunk while the one before, and any export made
/// meanwhile, is handed to the sink. Returns the render errors, with the channel and the sink
/// for the exports still to come.
fn in_chunks<'s, 'k>(
    pages: &[(&String, PageKind)],
    inputs: pages::PageInputs<'_>,
    received: Receiver<SiteFile>,
    sink: &'k mut Sink<'s>,
) -> Result<(Vec<Diagnostic>, Receiver<SiteFile>, &'k mut Sink<'s>), Diagnostic> {
    let render = |&(path, kind): &(&String, PageKind)| -> Result<SiteFile, Diagnostic> {
        Ok(SiteFile {
            path: path.clone(),
            bytes: pages::render_page(path, kind, inputs)?,
        })
    };
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut handed: Option<Vec<SiteFile>> = None;
    for chunk in pages.chunks(CHUNK) {
        let exported: Vec<SiteFile> = received.try_iter().collect();
        let (results, sunk) = rayon::join(
            || chunk.par_iter().map(render).collect::<Vec<_>>(),
            || -> Result<(), Diagnostic> {
                if let Some(files) = handed.take() {
                    sink(files)?;
                }
                exported
                    .into_iter()
                    .try_for_each(|export| sink(vec![export]))
            },
        );
        sunk?;
        handed = collect(results, &mut problems);
    }
    if let Some(files) = handed {
        sink(files)?;
    }
    Ok((problems, received, sink))
}

/// The files of `results`, or `None` once any page (now or before) failed: the errors are
/// added to `problems`, each once.
fn collect(
    results: Vec<Result<SiteFile, Diagnostic>>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Vec<SiteFile>> {
    let mut files = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(d) if !problems.contains(&d) => problems.push(d),
            Err(_) => {}
        }
    }
    problems.is_empty().then_some(files)
}
