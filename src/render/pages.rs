//! One page: its template, its context (built from the views), and its bytes.

use serde::Serialize;
use serde_json::Value;
use tera::Context;

use super::cards::{Cards, Listed};
use super::structured;
use super::templates::{self, Templates};
use super::views::{self, EventView, LinkView, SourceView, Views};
use super::{Kind, Slice, Taxonomy};
use crate::diagnostics::Diagnostic;
use crate::model::Timeline;

/// Links between the pages of a list split by `page_size` (URLs relative to the site root).
#[derive(Serialize)]
struct Pager {
    number: usize,
    count: usize,
    previous: Option<String>,
    next: Option<String>,
}

fn pager(slice: Slice, base: &str) -> Pager {
    let at = |number: usize| Slice { number, ..slice }.url(base);
    Pager {
        number: slice.number + 1,
        count: slice.count,
        previous: slice.number.checked_sub(1).map(at),
        next: (slice.number + 1 < slice.count).then(|| at(slice.number + 1)),
    }
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
    /// "13 Jun", for the index's overview strip.
    short: String,
    url: String,
    count: usize,
    /// Added by [`DayGroup::into_value`].
    #[serde(skip)]
    events: Vec<Listed<'a>>,
}

impl DayGroup<'_> {
    fn into_value(mut self) -> Value {
        let events = listed_values(std::mem::take(&mut self.events));
        with_field(&self, "events", events)
    }
}

/// The items of a list as templates see them, each card moved in rather than copied.
fn listed_values(events: Vec<Listed<'_>>) -> Value {
    Value::Array(
        events
            .into_iter()
            .map(|mut item| {
                let card = Value::String(std::mem::take(&mut item.card));
                with_field(&item, "card", card)
            })
            .collect(),
    )
}

/// `value` as a JSON object, with `field` added under `key` (moved, not serialized again).
fn with_field<T: Serialize>(value: &T, key: &str, field: Value) -> Value {
    let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert(key.to_owned(), field);
    }
    value
}

/// Puts `value` into `ctx` under `key` as it is: `Context::insert` would copy it, and lists
/// carry every event's card (a 100-event list page: ~200 KB).
fn put(ctx: &mut Context, key: &str, value: Value) {
    let mut map = serde_json::Map::new();
    map.insert(key.to_owned(), value);
    if let Ok(values) = Context::from_value(Value::Object(map)) {
        ctx.extend(values);
    }
}

/// "1 event", "12 events".
fn events(count: usize) -> String {
    format!("{count} event{}", if count == 1 { "" } else { "s" })
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

/// What every page of one render is made from.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    pub timeline: &'a Timeline,
    pub views: &'a Views,
    /// The folder of every HTML page, for the sitemap.
    pub html_urls: &'a [String],
    /// The events of the feed, newest first.
    pub feed: &'a [usize],
    pub templates: &'a Templates,
    pub cards: &'a Cards<'a>,
}

pub fn render_page(path: &str, kind: Kind, inputs: Inputs<'_>) -> Result<Vec<u8>, Diagnostic> {
    let Inputs {
        timeline,
        views,
        html_urls,
        feed,
        templates,
        cards,
    } = inputs;
    let size = views.site.page_size;
    let mut ctx = Context::new();
    let site = &views.site;
    ctx.insert("site", site);
    let url = path.trim_end_matches("index.html");
    ctx.insert("page_url", &format!("{}{url}", site.base_url));
    // 404.html is served at any depth, so its links must be absolute.
    let root = if matches!(kind, Kind::NotFound) {
        site.base_path.clone()
    } else {
        root_prefix(path)
    };
    ctx.insert("root", &root);
    // Lists get the cards only (each with its rendered card); the feed, which shows
    // bodies, gets whole views.
    let listed = |indexes: &[usize]| -> Result<Vec<Listed<'_>>, Diagnostic> {
        indexes.iter().map(|&i| cards.listed(i, &root)).collect()
    };
    let entries_of = |indexes: &[usize]| -> Vec<&EventView> {
        indexes.iter().map(|&i| &views.events[i].view).collect()
    };
    // A day with the cards of `shown` (a part of its events): as on the index (under the
    // day's heading, without the day) or as in any other list.
    let day_group =
        |i: usize, shown: &[usize], on_index: bool| -> Result<DayGroup<'_>, Diagnostic> {
            let day = &timeline.days[i];
            Ok(DayGroup {
                date: day.date.to_string(),
                label: views::day_label(day.date),
                short: day.date.format("%-d %b").to_string(),
                url: format!("days/{}/", day.date),
                count: day.events.len(),
                events: shown
                    .iter()
                    .map(|&e| {
                        if on_index {
                            cards.card(e, &root, 3, false)
                        } else {
                            cards.listed(e, &root)
                        }
                    })
                    .collect::<Result<_, _>>()?,
            })
        };
    // What the page is about, for the description, Open Graph and Twitter tags.
    let mut meta = Meta {
        title: site.title.clone(),
        description: if site.description.is_empty() {
            format!(
                "A dated, sourced timeline: {} events, {} sources.",
                site.event_count, site.source_count
            )
        } else {
            site.description.clone()
        },
    };
    let mut jsonld = None;
    match kind {
        Kind::Index => {
            let compact = site.compact_index;
            let days: Vec<DayGroup<'_>> = timeline
                .days
                .iter()
                .enumerate()
                .map(|(i, day)| day_group(i, if compact { &[] } else { &day.events }, true))
                .collect::<Result<_, _>>()?;
            ctx.insert(
                "busiest_day",
                &timeline
                    .days
                    .iter()
                    .map(|d| d.events.len())
                    .max()
                    .unwrap_or(0),
            );
            put(
                &mut ctx,
                "days",
                Value::Array(days.into_iter().map(DayGroup::into_value).collect()),
            );
            jsonld = Some(structured::index(views, timeline));
        }
        Kind::Event(i) => {
            let neighbour = |j: usize| {
                let e = &views.events[j].view;
                Neighbour {
                    title: &e.title,
                    url: &e.url,
                    label: e.day_label.to_string(),
                }
            };
            let view = &views.events[i].view;
            meta = Meta {
                title: view.title.to_string(),
                description: view.summary.to_string(),
            };
            jsonld = Some(structured::event(view, site));
            ctx.insert("event", view);
            ctx.insert("previous", &i.checked_sub(1).map(neighbour));
            ctx.insert(
                "next",
                &(i + 1 < views.events.len()).then(|| neighbour(i + 1)),
            );
        }
        Kind::Day(i, s) => {
            let group = day_group(i, s.of(&timeline.days[i].events, size), false)?;
            meta = Meta {
                description: format!(
                    "{} on {}, with their sources.",
                    events(group.count),
                    group.label
                ),
                title: group.label.clone(),
            };
            ctx.insert("pager", &pager(s, &group.url));
            put(&mut ctx, "day", group.into_value());
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
        }
        Kind::Source(i, s) => {
            let source = &views.sources[i];
            meta = Meta {
                title: format!("{} ({})", source.title, source.outlet),
                description: format!(
                    "{}: “{}”, cited by {} of the timeline.",
                    source.outlet,
                    source.title,
                    events(source.cited_by)
                ),
            };
            ctx.insert("source", source);
            put(
                &mut ctx,
                "events",
                listed_values(listed(s.of(&timeline.cited_by[i], size))?),
            );
            ctx.insert("pager", &pager(s, &views.sources[i].url_page));
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
        }
        Kind::Term(t, i, s) => {
            let term = match t {
                Taxonomy::Actors => &timeline.actors[i],
                Taxonomy::Tags => &timeline.tags[i],
            };
            meta = Meta {
                title: term.name.clone(),
                description: format!(
                    "{} of the timeline under “{}”.",
                    events(term.events.len()),
                    term.name
                ),
            };
            ctx.insert("kind", t.folder());
            ctx.insert(
                "term",
                &LinkView {
                    name: term.name.clone(),
                    url: format!("{}/{}/", t.folder(), term.slug),
                },
            );
            put(
                &mut ctx,
                "events",
                listed_values(listed(s.of(&term.events, size))?),
            );
            ctx.insert("count", &term.events.len());
            ctx.insert(
                "pager",
                &pager(s, &format!("{}/{}/", t.folder(), term.slug)),
            );
        }
        Kind::Page(i) => {
            let p = &timeline.pages[i];
            meta.title = p.title.clone();
            ctx.insert("title", &p.title);
            ctx.insert("body_html", &p.body_html);
        }
        Kind::NotFound => {}
        Kind::Atom => {
            ctx.insert(
                "updated",
                &feed.first().map(|&i| views.events[i].view.instant.clone()),
            );
            ctx.insert("entries", &entries_of(feed));
        }
        Kind::Sitemap => {
            ctx.insert("urls", html_urls);
        }
        Kind::TimelineJson | Kind::SearchJson => {}
    }
    match kind {
        Kind::Sources => meta.title = "Sources".to_owned(),
        Kind::Terms(Taxonomy::Actors) => meta.title = "Actors".to_owned(),
        Kind::Terms(Taxonomy::Tags) => meta.title = "Tags".to_owned(),
        Kind::NotFound => meta.title = "Page not found".to_owned(),
        _ => {}
    }
    ctx.insert("meta", &meta);
    ctx.insert("jsonld", &jsonld);
    let Some(template) = kind.template() else {
        return Ok(Vec::new());
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
