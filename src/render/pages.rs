//! One page: its template, its context (built from the views by one function per page kind),
//! and its bytes.

use serde::Serialize;
use serde_json::Value;
use tera::Context;

use super::axis::{self, Scope, Window};
use super::axis_bins;
use super::cards::{Cards, ListItem};
use super::context::{events, listed_values, pager, put, root_prefix, with_field};
use super::labels::day_label;
use super::plan::{PageKind, Slice, Taxonomy};
use super::structured;
use super::templates;
use super::templates::Templates;
use super::views::Views;
use super::views::{EventView, LinkView, SourceView};
use crate::diagnostics::Diagnostic;
use crate::model::{Term, Timeline};

#[derive(Serialize)]
struct DayGroup<'a> {
    date: String,
    label: String,
    /// "13 Jun", for the index's overview strip.
    short: String,
    url: String,
    count: usize,
    /// Added by [`DayGroup::into_value`].
    #[serde(skip)]
    events: Vec<ListItem<'a>>,
}

impl DayGroup<'_> {
    fn into_value(mut self) -> Value {
        let events = listed_values(std::mem::take(&mut self.events));
        with_field(&self, "events", events)
    }
}

/// The page's own title and description (the site's on the index).
#[derive(Serialize)]
struct Meta {
    title: String,
    description: String,
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

/// What the pages of one render are made from, prepared once.
#[derive(Clone, Copy)]
pub struct Prepared<'a> {
    pub timeline: &'a Timeline,
    pub templates: &'a Templates,
    pub views: &'a Views,
    /// The folder of every HTML page, for the sitemap.
    pub html_urls: &'a [String],
    /// The events of the feed, newest first.
    pub feed: &'a [usize],
}

/// What every page of one render is made from.
#[derive(Clone, Copy)]
pub struct PageInputs<'a> {
    pub prepared: Prepared<'a>,
    pub cards: &'a Cards<'a>,
}

/// One page's context while it is filled in.
struct PageContext<'a> {
    inputs: PageInputs<'a>,
    /// The relative prefix from the page to the site root.
    root: String,
    ctx: Context,
    meta: Meta,
    jsonld: Option<String>,
}

pub fn render_page(
    path: &str,
    kind: PageKind,
    inputs: PageInputs<'_>,
) -> Result<Vec<u8>, Diagnostic> {
    if let PageKind::AxisDay(day) = kind {
        return Ok(axis_bins::day_file(inputs.prepared.timeline, day));
    }
    let Some(template) = kind.template() else {
        return Ok(Vec::new());
    };
    let mut page = PageContext::new(path, kind, inputs);
    match kind {
        PageKind::Index => page.index()?,
        PageKind::Event(i) => page.event(i),
        PageKind::Day(i, s) => page.day(i, s)?,
        PageKind::Sources => page.sources(),
        PageKind::Source(i, s) => page.source(i, s)?,
        PageKind::Terms(t) => page.terms(t),
        PageKind::Term(t, i, s) => page.term(t, i, s)?,
        PageKind::Page(i) => page.page(i),
        PageKind::Atom => page.atom(),
        PageKind::Sitemap => page.ctx.insert("urls", inputs.prepared.html_urls),
        PageKind::NotFound => page.meta.title = "Page not found".to_owned(),
        PageKind::TimelineJson | PageKind::SearchJson | PageKind::AxisDay(_) => {}
    }
    let mut ctx = page.ctx;
    ctx.insert("meta", &page.meta);
    ctx.insert("jsonld", &page.jsonld);
    let templates = inputs.prepared.templates;
    templates.tera.render(template, &ctx).map(String::into_bytes).map_err(|e| {
        Diagnostic::error(templates.path_of(template), format!("cannot render {path}: {}", templates::chain(&e)))
            .with_hint("a template uses a variable or filter that does not exist; see the template's documentation in templates/")
    })
}

impl<'a> PageContext<'a> {
    /// What every page has: `site`, `page_url`, `root`, and the site's title and description
    /// as the page's own until a kind gives its own.
    fn new(path: &str, kind: PageKind, inputs: PageInputs<'a>) -> Self {
        let site = &inputs.prepared.views.site;
        let mut ctx = Context::new();
        ctx.insert("site", site);
        let url = path.trim_end_matches("index.html");
        ctx.insert("page_url", &format!("{}{url}", site.base_url));
        // 404.html is served at any depth, so its links must be absolute.
        let root = if matches!(kind, PageKind::NotFound) {
            site.base_path.clone()
        } else {
            root_prefix(path)
        };
        ctx.insert("root", &root);
        let description = if site.description.is_empty() {
            format!(
                "A dated, sourced timeline: {} events, {} sources.",
                site.event_count, site.source_count
            )
        } else {
            site.description.clone()
        };
        Self {
            inputs,
            root,
            ctx,
            meta: Meta {
                title: site.title.clone(),
                description,
            },
            jsonld: None,
        }
    }

    /// The events `indexes` as cards in a list of a source's, actor's or tag's events.
    fn listed(&self, indexes: &[usize]) -> Result<Value, Diagnostic> {
        let cards = self.inputs.cards;
        let listed: Vec<ListItem<'_>> = indexes
            .iter()
            .map(|&i| cards.listed(i, &self.root))
            .collect::<Result<_, _>>()?;
        Ok(listed_values(listed))
    }

    /// A day with the cards of `shown` (a part of its events): as on the index (under the
    /// day's heading, without the day) or as in any other list.
    fn day_group(
        &self,
        i: usize,
        shown: &[usize],
        on_index: bool,
    ) -> Result<DayGroup<'a>, Diagnostic> {
        let day = &self.inputs.prepared.timeline.days[i];
        let cards = self.inputs.cards;
        let root = &self.root;
        Ok(DayGroup {
            date: day.date.to_string(),
            label: day_label(day.date),
            short: day.date.format("%-d %b").to_string(),
            url: format!("days/{}/", day.date),
            count: day.events.len(),
            events: shown
                .iter()
                .map(|&e| {
                    if on_index {
                        cards.card(e, root, 3, false)
                    } else {
                        cards.listed(e, root)
                    }
                })
                .collect::<Result<_, _>>()?,
        })
    }

    /// The time axis over `events` (shown on this page) as `axis`: over `window`, or the
    /// whole days the events cover.
    fn axis(&mut self, events: &[usize], window: Option<Window>, fine: Option<String>) {
        let Prepared {
            timeline, views, ..
        } = self.inputs.prepared;
        let scope = Scope {
            timeline,
            views,
            events,
            window,
            limit: views.site.index_limit,
            fine,
        };
        self.ctx.insert("axis", &axis::axis(&scope));
    }

    fn index(&mut self) -> Result<(), Diagnostic> {
        let Prepared {
            timeline, views, ..
        } = self.inputs.prepared;
        let compact = views.site.compact_index;
        let days: Vec<DayGroup<'_>> = timeline
            .days
            .iter()
            .enumerate()
            .map(|(i, day)| self.day_group(i, if compact { &[] } else { &day.events }, true))
            .collect::<Result<_, _>>()?;
        let busiest = timeline.days.iter().map(|d| d.events.len()).max();
        self.ctx.insert("busiest_day", &busiest.unwrap_or(0));
        let all: Vec<usize> = (0..timeline.events.len()).collect();
        let window = views
            .site
            .window
            .map(|(s, e)| Window::days(s, e, timeline.zone));
        self.axis(&all, window, compact.then(|| "axis/".to_owned()));
        let days = days.into_iter().map(DayGroup::into_value).collect();
        put(&mut self.ctx, "days", Value::Array(days));
        self.jsonld = Some(structured::index(views, timeline));
        Ok(())
    }

    fn event(&mut self, i: usize) {
        let views = self.inputs.prepared.views;
        let neighbour = |j: usize| {
            let e: &EventView = &views.events[j];
            Neighbour {
                title: &e.title,
                url: &e.url,
                label: e.day_label.to_string(),
            }
        };
        let view: &EventView = &views.events[i];
        self.meta = Meta {
            title: view.title.to_string(),
            description: view.summary.to_string(),
        };
        self.jsonld = Some(structured::event(view, &views.site));
        self.ctx.insert("event", view);
        self.ctx
            .insert("previous", &i.checked_sub(1).map(neighbour));
        let next = (i + 1 < views.events.len()).then(|| neighbour(i + 1));
        self.ctx.insert("next", &next);
    }

    fn day(&mut self, i: usize, s: Slice) -> Result<(), Diagnostic> {
        let Prepared {
            timeline, views, ..
        } = self.inputs.prepared;
        let size = views.site.page_size;
        let shown = s.of(&timeline.days[i].events, size);
        let date = timeline.days[i].date;
        self.axis(shown, Some(Window::days(date, date, timeline.zone)), None);
        let group = self.day_group(i, shown, false)?;
        self.meta = Meta {
            description: format!(
                "{} on {}, with their sources.",
                events(group.count),
                group.label
            ),
            title: group.label.clone(),
        };
        self.ctx.insert("pager", &pager(s, &group.url));
        put(&mut self.ctx, "day", group.into_value());
        let link = |j: usize| {
            let date = timeline.days[j].date;
            let neighbour = Neighbour {
                title: "",
                url: "",
                label: day_label(date),
            };
            (neighbour, format!("days/{date}/"))
        };
        self.ctx.insert("previous", &i.checked_sub(1).map(link));
        let next = (i + 1 < timeline.days.len()).then(|| link(i + 1));
        self.ctx.insert("next", &next);
        Ok(())
    }

    fn sources(&mut self) {
        let mut outlets: Vec<Outlet<'_>> = Vec::new();
        let mut order: Vec<&SourceView> = self.inputs.prepared.views.sources.iter().collect();
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
        self.ctx.insert("outlets", &outlets);
        self.meta.title = "Sources".to_owned();
    }

    fn source(&mut self, i: usize, s: Slice) -> Result<(), Diagnostic> {
        let Prepared {
            timeline, views, ..
        } = self.inputs.prepared;
        let source = &views.sources[i];
        self.meta = Meta {
            title: format!("{} ({})", source.title, source.outlet),
            description: format!(
                "{}: “{}”, cited by {} of the timeline.",
                source.outlet,
                source.title,
                events(source.cited_by)
            ),
        };
        self.ctx.insert("source", source);
        let shown = s.of(&timeline.cited_by[i], views.site.page_size);
        self.axis(shown, None, None);
        let listed = self.listed(shown)?;
        put(&mut self.ctx, "events", listed);
        self.ctx.insert("pager", &pager(s, &source.url_page));
        Ok(())
    }

    fn terms(&mut self, t: Taxonomy) {
        let entries: Vec<TermEntry> = self
            .terms_of(t)
            .iter()
            .map(|term| TermEntry {
                name: term.name.clone(),
                url: format!("{}/{}/", t.folder(), term.slug),
                count: term.events.len(),
            })
            .collect();
        self.ctx.insert("kind", t.folder());
        self.ctx.insert("terms", &entries);
        self.meta.title = match t {
            Taxonomy::Actors => "Actors",
            Taxonomy::Tags => "Tags",
        }
        .to_owned();
    }

    fn term(&mut self, t: Taxonomy, i: usize, s: Slice) -> Result<(), Diagnostic> {
        let term = &self.terms_of(t)[i];
        self.meta = Meta {
            title: term.name.clone(),
            description: format!(
                "{} of the timeline under “{}”.",
                events(term.events.len()),
                term.name
            ),
        };
        let url = format!("{}/{}/", t.folder(), term.slug);
        self.ctx.insert("kind", t.folder());
        let link = LinkView {
            name: term.name.clone(),
            url: url.clone(),
        };
        self.ctx.insert("term", &link);
        let size = self.inputs.prepared.views.site.page_size;
        let shown = s.of(&term.events, size);
        self.axis(shown, None, None);
        let listed = self.listed(shown)?;
        put(&mut self.ctx, "events", listed);
        self.ctx.insert("count", &term.events.len());
        self.ctx.insert("pager", &pager(s, &url));
        Ok(())
    }

    fn terms_of(&self, t: Taxonomy) -> &'a [Term] {
        let timeline = self.inputs.prepared.timeline;
        match t {
            Taxonomy::Actors => &timeline.actors,
            Taxonomy::Tags => &timeline.tags,
        }
    }

    fn page(&mut self, i: usize) {
        let p = &self.inputs.prepared.timeline.pages[i];
        self.meta.title = p.title.clone();
        self.ctx.insert("title", &p.title);
        self.ctx.insert("body_html", &p.body_html);
    }

    /// The feed shows bodies, so it gets whole views.
    fn atom(&mut self) {
        let Prepared { views, feed, .. } = self.inputs.prepared;
        let updated = feed.first().map(|&i| views.events[i].instant.clone());
        self.ctx.insert("updated", &updated);
        let entries: Vec<&EventView> = feed.iter().map(|&i| &*views.events[i]).collect();
        self.ctx.insert("entries", &entries);
    }
}
