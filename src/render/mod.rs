//! Model → pages: the page plan (every path the site has and what it shows), the views
//! templates see, Tera rendering with embedded defaults, and the JSON exports.

mod exports;
mod templates;
mod views;

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::Timeline;

pub use templates::{DEFAULT_TEMPLATES, Templates};
pub use views::text_fragment;
use views::{EventView, LinkView, SourceView, Views};

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
    Day(usize),
    Sources,
    Source(usize),
    Terms(Taxonomy),
    Term(Taxonomy, usize),
    Page(usize),
    NotFound,
    Atom,
    Sitemap,
    TimelineJson,
    SearchJson,
}

impl Kind {
    /// Tells kinds apart in signatures.
    fn tag(self) -> u8 {
        match self {
            Self::Index => 0,
            Self::Event(_) => 1,
            Self::Day(_) => 2,
            Self::Sources => 3,
            Self::Source(_) => 4,
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

/// A fingerprint of each page's inputs from the last render, so the next render can skip the
/// pages whose inputs did not change.
#[derive(Debug, Clone, Default)]
pub struct Signatures(HashMap<String, u64>);

/// The result of a render: the pages rendered this time, and every path the site has now.
#[derive(Debug)]
pub struct Rendered {
    pub pages: Vec<Page>,
    pub planned: Vec<String>,
    pub signatures: Signatures,
}

/// Renders every page of the site. Errors name the template that failed.
pub fn render(
    timeline: &Timeline,
    config: &Config,
    templates: &Templates,
) -> Result<Vec<Page>, Vec<Diagnostic>> {
    render_changed(timeline, config, templates, None).map(|r| r.pages)
}

/// Renders the pages whose inputs differ from `previous` (all pages when it is `None`). The
/// bytes of a page depend only on its inputs, so a page skipped here is byte-identical to
/// what a full render would write.
pub fn render_changed(
    timeline: &Timeline,
    config: &Config,
    tera: &Templates,
    previous: Option<&Signatures>,
) -> Result<Rendered, Vec<Diagnostic>> {
    let views = views::build(timeline, config);
    let plan = plan(timeline, config);
    let html_urls: Vec<String> = plan
        .iter()
        .filter(|(p, _)| p.ends_with("index.html"))
        .map(|(p, _)| p.trim_end_matches("index.html").to_owned())
        .collect();
    let feed = newest_first(timeline, config.feed_limit);
    let inputs = Inputs::new(timeline, &views, &html_urls, &feed);
    let signatures: HashMap<String, u64> = plan
        .par_iter()
        .map(|(path, kind)| (path.clone(), inputs.signature(*kind)))
        .collect();
    let stale = |path: &String| previous.is_none_or(|p| p.0.get(path) != signatures.get(path));
    let results: Vec<Result<Page, Diagnostic>> = plan
        .par_iter()
        .filter(|(path, _)| stale(path))
        .map(|(path, kind)| {
            let bytes = match kind {
                Kind::TimelineJson => {
                    Ok(exports::timeline_json(timeline, &views.site, &views.events))
                }
                Kind::SearchJson => Ok(exports::search_json(timeline, &views.events)),
                _ => render_page(path, *kind, timeline, &views, &html_urls, &feed, tera),
            }?;
            Ok(Page {
                path: path.clone(),
                bytes,
            })
        })
        .collect();
    let mut pages = Vec::with_capacity(results.len());
    let mut problems = Vec::new();
    for r in results {
        match r {
            Ok(p) => pages.push(p),
            Err(d) => {
                if !problems.contains(&d) {
                    problems.push(d);
                }
            }
        }
    }
    if problems.is_empty() {
        let planned = plan.into_iter().map(|(p, _)| p).collect();
        Ok(Rendered {
            pages,
            planned,
            signatures: Signatures(signatures),
        })
    } else {
        Err(problems)
    }
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

/// Hashes of the views, computed once per render, from which page signatures are made.
struct Inputs<'a> {
    timeline: &'a Timeline,
    site: u64,
    events: Vec<u64>,
    all_events: u64,
    sources: Vec<u64>,
    all_sources: u64,
    bodies: u64,
    html_urls: u64,
    feed: u64,
    compact: bool,
}

fn hash<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

impl<'a> Inputs<'a> {
    fn new(timeline: &'a Timeline, views: &Views, html_urls: &[String], feed: &[usize]) -> Self {
        let events: Vec<u64> = views.events.par_iter().map(hash).collect();
        let sources: Vec<u64> = views.sources.par_iter().map(hash).collect();
        let feed = hash(&feed.iter().map(|&i| events[i]).collect::<Vec<_>>());
        let bodies = hash(
            &timeline
                .events
                .iter()
                .map(|e| hash(&e.body_text))
                .collect::<Vec<_>>(),
        );
        Self {
            timeline,
            site: hash(&views.site),
            all_events: hash(&events),
            all_sources: hash(&sources),
            events,
            sources,
            bodies,
            html_urls: hash(html_urls),
            feed,
            compact: views.site.compact_index,
        }
    }

    fn of_events(&self, indexes: &[usize]) -> u64 {
        hash(&indexes.iter().map(|&i| self.events[i]).collect::<Vec<_>>())
    }

    fn terms(&self, taxonomy: Taxonomy) -> &'a [crate::model::Term] {
        match taxonomy {
            Taxonomy::Actors => &self.timeline.actors,
            Taxonomy::Tags => &self.timeline.tags,
        }
    }

    /// A fingerprint of everything the page of this kind shows.
    fn signature(&self, kind: Kind) -> u64 {
        let t = self.timeline;
        let specific = match kind {
            Kind::Index if self.compact => hash(
                &t.days
                    .iter()
                    .map(|d| (d.date, d.events.len()))
                    .collect::<Vec<_>>(),
            ),
            Kind::Index => self.all_events,
            Kind::Event(i) => hash(&(
                self.events[i],
                i.checked_sub(1).map(|j| self.events[j]),
                self.events.get(i + 1),
            )),
            Kind::Day(d) => hash(&(
                t.days[d].date,
                self.of_events(&t.days[d].events),
                d.checked_sub(1).map(|j| t.days[j].date),
                t.days.get(d + 1).map(|x| x.date),
            )),
            Kind::Sources => self.all_sources,
            Kind::Source(s) => hash(&(self.sources[s], self.of_events(&t.cited_by[s]))),
            Kind::Terms(tx) => hash(
                &self
                    .terms(tx)
                    .iter()
                    .map(|term| (&term.name, &term.slug, term.events.len()))
                    .collect::<Vec<_>>(),
            ),
            Kind::Term(tx, i) => {
                let term = &self.terms(tx)[i];
                hash(&(&term.name, &term.slug, self.of_events(&term.events)))
            }
            Kind::Page(i) => hash(&(&t.pages[i].title, &t.pages[i].body_html)),
            Kind::NotFound => 0,
            Kind::Atom => self.feed,
            Kind::TimelineJson => self.all_events,
            Kind::SearchJson => hash(&(self.all_events, self.bodies)),
            Kind::Sitemap => self.html_urls,
        };
        hash(&(self.site, kind.tag(), specific))
    }
}

fn plan(timeline: &Timeline, config: &Config) -> Vec<(String, Kind)> {
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
    plan.extend(
        timeline
            .days
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("days/{}/index.html", d.date), Kind::Day(i))),
    );
    plan.push(("sources/index.html".to_owned(), Kind::Sources));
    plan.extend(
        timeline
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("sources/{}/index.html", s.id), Kind::Source(i))),
    );
    for (taxonomy, terms) in [
        (Taxonomy::Actors, &timeline.actors),
        (Taxonomy::Tags, &timeline.tags),
    ] {
        plan.push((
            format!("{}/index.html", taxonomy.folder()),
            Kind::Terms(taxonomy),
        ));
        plan.extend(terms.iter().enumerate().map(|(i, t)| {
            (
                format!("{}/{}/index.html", taxonomy.folder(), t.slug),
                Kind::Term(taxonomy, i),
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

/// The relative prefix from a page to the site root ("../../" for `events/x/index.html`).
fn root_prefix(path: &str) -> String {
    let depth = path.matches('/').count();
    if depth == 0 {
        "./".to_owned()
    } else {
        "../".repeat(depth)
    }
}

#[derive(Serialize)]
struct DayGroup<'a> {
    date: String,
    label: String,
    url: String,
    count: usize,
    events: Vec<&'a EventView>,
}

#[derive(Serialize)]
struct Neighbour<'a> {
    title: &'a str,
    url: &'a str,
    label: String,
}

#[derive(Serialize)]
struct TermEntry {
    name: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct Outlet<'a> {
    outlet: &'a str,
    sources: Vec<&'a SourceView>,
}

fn render_page(
    path: &str,
    kind: Kind,
    timeline: &Timeline,
    views: &Views,
    html_urls: &[String],
    feed: &[usize],
    templates: &Templates,
) -> Result<Vec<u8>, Diagnostic> {
    let mut ctx = Context::new();
    let site = &views.site;
    ctx.insert("site", site);
    let url = path.trim_end_matches("index.html");
    ctx.insert("page_url", &format!("{}{url}", site.base_url));
    // 404.html is served at any depth, so its links must be absolute.
    ctx.insert(
        "root",
        &if matches!(kind, Kind::NotFound) {
            site.base_path.clone()
        } else {
            root_prefix(path)
        },
    );
    let events_of = |indexes: &[usize]| -> Vec<&EventView> {
        indexes.iter().map(|&i| &views.events[i]).collect()
    };
    let day_group = |i: usize| {
        let day = &timeline.days[i];
        DayGroup {
            date: day.date.to_string(),
            label: views::day_label(day.date),
            url: format!("days/{}/", day.date),
            count: day.events.len(),
            events: events_of(&day.events),
        }
    };
    let template = match kind {
        Kind::Index => {
            let compact = site.compact_index;
            ctx.insert(
                "days",
                &(0..timeline.days.len())
                    .map(|i| {
                        let mut group = day_group(i);
                        if compact {
                            group.events.clear();
                        }
                        group
                    })
                    .collect::<Vec<_>>(),
            );
            "index.html"
        }
        Kind::Event(i) => {
            let neighbour = |j: usize| {
                let e = &views.events[j];
                Neighbour {
                    title: &e.title,
                    url: &e.url,
                    label: e.day_label.clone(),
                }
            };
            ctx.insert("event", &views.events[i]);
            ctx.insert("previous", &i.checked_sub(1).map(neighbour));
            ctx.insert(
                "next",
                &(i + 1 < views.events.len()).then(|| neighbour(i + 1)),
            );
            "event.html"
        }
        Kind::Day(i) => {
            ctx.insert("day", &day_group(i));
            let neighbour = |j: usize| {
                let d = &timeline.days[j];
                Neighbour {
                    title: "",
                    url: "",
                    label: views::day_label(d.date),
                }
            };
            let link = |j: usize| (neighbour(j), format!("days/{}/", timeline.days[j].date));
            ctx.insert("previous", &i.checked_sub(1).map(link));
            ctx.insert("next", &(i + 1 < timeline.days.len()).then(|| link(i + 1)));
            "day.html"
        }
        Kind::Sources => {
            let mut outlets: Vec<Outlet<'_>> = Vec::new();
            let mut order: Vec<&SourceView> = views.sources.iter().collect();
            order.sort_by(|a, b| {
                (a.outlet.to_lowercase(), &a.title).cmp(&(b.outlet.to_lowercase(), &b.title))
            });
            for s in order {
                match outlets.last_mut() {
                    Some(o) if o.outlet == s.outlet => o.sources.push(s),
                    _ => outlets.push(Outlet {
                        outlet: &s.outlet,
                        sources: vec![s],
                    }),
                }
            }
            ctx.insert("outlets", &outlets);
            "sources.html"
        }
        Kind::Source(i) => {
            ctx.insert("source", &views.sources[i]);
            ctx.insert("events", &events_of(&timeline.cited_by[i]));
            "source.html"
        }
        Kind::Terms(t) => {
            let terms = match t {
                Taxonomy::Actors => &timeline.actors,
                Taxonomy::Tags => &timeline.tags,
            };
            let entries: Vec<TermEntry> = terms
                .iter()
                .map(|term| TermEntry {
                    name: term.name.clone(),
                    url: format!("{}/{}/", t.folder(), term.slug),
                    count: term.events.len(),
                })
                .collect();
            ctx.insert("kind", t.folder());
            ctx.insert("terms", &entries);
            "terms.html"
        }
        Kind::Term(t, i) => {
            let term = match t {
                Taxonomy::Actors => &timeline.actors[i],
                Taxonomy::Tags => &timeline.tags[i],
            };
            ctx.insert("kind", t.folder());
            ctx.insert(
                "term",
                &LinkView {
                    name: term.name.clone(),
                    url: format!("{}/{}/", t.folder(), term.slug),
                },
            );
            ctx.insert("events", &events_of(&term.events));
            "term.html"
        }
        Kind::Page(i) => {
            let p = &timeline.pages[i];
            ctx.insert("title", &p.title);
            ctx.insert("body_html", &p.body_html);
            "page.html"
        }
        Kind::NotFound => "404.html",
        Kind::Atom => {
            ctx.insert(
                "updated",
                &feed.first().map(|&i| views.events[i].instant.clone()),
            );
            ctx.insert("entries", &events_of(feed));
            "atom.xml"
        }
        Kind::Sitemap => {
            ctx.insert("urls", html_urls);
            "sitemap.xml"
        }
        Kind::TimelineJson | Kind::SearchJson => return Ok(Vec::new()),
    };
    templates.tera.render(template, &ctx).map(String::into_bytes).map_err(|e| {
        Diagnostic::error(templates.path_of(template), format!("cannot render {path}: {}", templates::chain(&e)))
            .with_hint("a template uses a variable or filter that does not exist; see the template's documentation in templates/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_prefix_matches_depth() {
        assert_eq!(root_prefix("index.html"), "./");
        assert_eq!(root_prefix("sources/index.html"), "../");
        assert_eq!(root_prefix("events/a/index.html"), "../../");
    }
}
