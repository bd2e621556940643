//! Validate: one parsed file → its model type ([`Event`], [`Source`] or [`Page`]; eras are
//! in `era`), every problem collected, nothing stopping at the first. The rules that span
//! files are in `assemble`.

use chrono_tz::Tz;
use std::sync::Arc;

use super::fields::FieldReader;
use super::frontmatter::Field;
use super::parse::Parsed;
use crate::diagnostics::{Diagnostic, locate, nearest};
use crate::model::{Citation, Event, EventDate, Importance, Page, Precision, Slug, Source};

/// The longest quote, in words, before a warning.
const MAX_QUOTE_WORDS: usize = 40;

/// Folder names at the output root that pages may not take.
const RESERVED: &[&str] = &[
    "events", "days", "sources", "actors", "tags", "index", "404", "atom", "sitemap", "search",
    "timeline", "static", "eras", "axis",
];

/// Validates one event file. The event comes back whenever its slug, title and date could be
/// read, even beside errors, so the cross-file rules still check it.
pub fn event(file: &Parsed, zone: Tz) -> (Option<Event>, Vec<Diagnostic>) {
    let mut r = FieldReader::new(file);
    let slug = r.slug_from_path();
    let title = r.required("title", "What happened");
    let date = r.date("date", true);
    let end = r.date("end", false);
    let precision = precision(&mut r, date);
    let importance = importance(&mut r);
    end_after(&mut r, "date", date, end, zone);
    let citations = citations(&mut r, true);
    if let Some((field, line)) = r.fields().get("draft")
        && !matches!(field, Field::Bool(_) | Field::Null)
    {
        r.error(
            line,
            Some("draft"),
            "`draft` should be true or false".to_owned(),
            None,
        );
    }
    let location = r.text("location");
    let disputed = r.text("disputed");
    let group = group(&mut r);
    let media = super::media::media(&mut r, true);
    let summary: Arc<str> = match r.text("summary") {
        Some(s) => s.into(),
        None => file.body.first_paragraph.as_str().into(),
    };
    let actors = r.list("actors");
    let tags = r.list("tags");
    let event = match (slug, title, date) {
        (Some(slug), Some(title), Some(date)) => Some(Event {
            slug,
            title: title.into(),
            date,
            end,
            precision,
            location,
            actors,
            tags,
            importance,
            citations,
            disputed,
            group,
            media,
            summary,
            body_html: file.body.html.clone(),
            body_text: file.body.text.clone(),
        }),
        _ => None,
    };
    (event, r.problems)
}

/// The `group` key: one name, the event's lane on the axis and its group in TimelineJS.
fn group(r: &mut FieldReader<'_>) -> Option<String> {
    let (field, line) = r.fields().get("group")?;
    let message = match field {
        Field::Null => return None,
        Field::Text(t) if !t.trim().is_empty() => return Some(t.trim().to_owned()),
        Field::Text(_) => "`group` is empty".to_owned(),
        other => format!("`group` should be text, found {}", other.kind()),
    };
    let hint = "name one group, such as `group: Diplomacy`, or leave the key out".to_owned();
    r.error(line, Some("group"), message, Some(hint));
    None
}

/// The `precision` key, or the date's own when there is none.
fn precision(r: &mut FieldReader<'_>, date: Option<EventDate>) -> Precision {
    let Some(p) = r.text("precision") else {
        return date.map_or(Precision::Minute, |d| d.natural_precision());
    };
    Precision::parse(&p).unwrap_or_else(|| {
        let line = r.fields().get("precision").map_or(1, |(_, l)| l);
        let hint = nearest(&p, Precision::NAMES).map_or_else(
            || Precision::NAMES.join(", "),
            |n| format!("did you mean `{n}`?"),
        );
        r.error(
            line,
            Some(&p),
            format!("unknown precision \"{p}\""),
            Some(hint),
        );
        Precision::Minute
    })
}

fn importance(r: &mut FieldReader<'_>) -> Importance {
    let Some(i) = r.text("importance") else {
        return Importance::default();
    };
    Importance::parse(&i).unwrap_or_else(|| {
        let line = r.fields().get("importance").map_or(1, |(_, l)| l);
        r.error(
            line,
            Some(&i),
            format!("unknown importance \"{i}\""),
            Some("use major, normal or minor".to_owned()),
        );
        Importance::default()
    })
}

/// An error at the `end` line when `end` comes before the date given by `start_key`.
pub(super) fn end_after(
    r: &mut FieldReader<'_>,
    start_key: &str,
    date: Option<EventDate>,
    end: Option<EventDate>,
    zone: Tz,
) {
    if let (Some(start), Some(finish)) = (date, end)
        && finish.instant_in(zone) < start.instant_in(zone)
    {
        let line = r.fields().get("end").map_or(1, |(_, l)| l);
        r.error(
            line,
            Some("end"),
            format!("`end` is before `{start_key}`"),
            Some("swap them, or check the zone of each".to_owned()),
        );
    }
}

/// The `sources` key: each entry an id, or an `id` with an optional `quote`. When
/// `required` (an event), a missing or empty list is an error.
pub(super) fn citations(r: &mut FieldReader<'_>, required: bool) -> Vec<Citation> {
    let Some((field, line)) = r.fields().get("sources") else {
        if !required {
            return Vec::new();
        }
        r.error(
            1,
            None,
            "missing `sources`: every event cites at least one source".to_owned(),
            Some("add `sources: [source-id]` naming a file in content/sources/".to_owned()),
        );
        return Vec::new();
    };
    let items: &[Field] = match field {
        Field::List(items) => items,
        Field::Text(_) => std::slice::from_ref(field),
        _ => &[],
    };
    let mut out = Vec::new();
    for item in items {
        let Some((id, quote)) = citation_entry(r, item, line) else {
            continue;
        };
        if let Some(q) = &quote {
            long_quote(r, q, line);
        }
        match Slug::parse(&id) {
            Ok(source) if out.iter().any(|c: &Citation| c.source == source) => {
                r.problems.push(
                    Diagnostic::warning(&r.file.path, format!("source \"{id}\" is cited twice"))
                        .at(&r.file.text, line, 1),
                );
            }
            Ok(source) => out.push(Citation { source, quote }),
            Err(e) => r.error(
                line,
                Some(&id),
                format!("source id {}", e.message),
                Some(format!(
                    "source ids are file names: try \"{}\"",
                    e.suggestion
                )),
            ),
        }
    }
    if required
        && out.is_empty()
        && items
            .iter()
            .all(|i| matches!(i, Field::Text(_) | Field::Map(_)))
        && r.problems.is_empty()
    {
        r.error(
            line,
            Some("sources"),
            "`sources` is empty: every event cites at least one source".to_owned(),
            Some("add the id of a file in content/sources/".to_owned()),
        );
    }
    out
}

/// One entry of `sources` (on `line`) as its id and quote, or `None` after an error.
fn citation_entry(
    r: &mut FieldReader<'_>,
    item: &Field,
    line: usize,
) -> Option<(String, Option<String>)> {
    match item {
        Field::Text(id) => Some((id.trim().to_owned(), None)),
        Field::Map(entries) => {
            let entry = citation_map(r, entries, line);
            if entry.is_none() {
                r.error(
                    line,
                    Some("sources"),
                    "a `sources` entry has no `id`".to_owned(),
                    Some("write `- id: source-id`".to_owned()),
                );
            }
            entry
        }
        other => {
            let kind = other.kind();
            r.error(
                line,
                Some("sources"),
                format!("a `sources` entry should be a source id, found {kind}"),
                None,
            );
            None
        }
    }
}

/// An entry written `id: …` with an optional `quote: …`; `None` when it has no id.
fn citation_map(
    r: &mut FieldReader<'_>,
    entries: &[(String, Field)],
    line: usize,
) -> Option<(String, Option<String>)> {
    let mut id = None;
    let mut quote = None;
    for (key, value) in entries {
        match (key.as_str(), value) {
            ("id", Field::Text(t)) => id = Some(t.trim().to_owned()),
            ("quote", Field::Text(t)) => quote = Some(t.trim().to_owned()),
            ("quote", Field::Null) => {}
            (k @ ("id" | "quote"), other) => {
                let kind = other.kind();
                r.error(
                    line,
                    Some("sources"),
                    format!("`{k}` in `sources` should be text, found {kind}"),
                    None,
                );
            }
            (k, _) => {
                let hint = nearest(k, ["id", "quote"]).map(|n| format!("did you mean `{n}`?"));
                r.error(
                    line,
                    Some("sources"),
                    format!("unknown key `{k}` in a `sources` entry"),
                    hint.or(Some(
                        "an entry is `- id: source-id` with an optional `quote:`".to_owned(),
                    )),
                );
            }
        }
    }
    id.map(|id| (id, quote))
}

/// A warning for a quote past [`MAX_QUOTE_WORDS`], at the line it starts on.
fn long_quote(r: &mut FieldReader<'_>, quote: &str, line: usize) {
    let words = quote.split_whitespace().count();
    if words <= MAX_QUOTE_WORDS {
        return;
    }
    let at = locate(&r.file.text, &quote.chars().take(20).collect::<String>()).unwrap_or((line, 1));
    r.problems.push(
        Diagnostic::warning(
            &r.file.path,
            format!("a quote of {words} words is long for a citation"),
        )
        .at(&r.file.text, at.0, at.1)
        .with_hint(format!(
            "quote a phrase or one sentence (at most {MAX_QUOTE_WORDS} words)"
        )),
    );
}

pub fn source(file: &Parsed) -> Result<Source, Vec<Diagnostic>> {
    let mut r = FieldReader::new(file);
    let id = r.slug_from_path();
    let title = r.required("title", "Headline of the article");
    let outlet = r.required("outlet", "Name of the outlet");
    let published = r.date("published", false);
    let url = r.url("url");
    let archive_url = r.url("archive_url");
    let author = r.text("author");
    let language = r.text("language");
    let media = super::media::media(&mut r, false).pop();
    match (id, title, outlet, r.problems.is_empty()) {
        (Some(id), Some(title), Some(outlet), true) => Ok(Source {
            id,
            title,
            outlet,
            published,
            url,
            author,
            language,
            archive_url,
            note_html: file.body.html.to_string(),
            media,
        }),
        _ => Err(r.problems),
    }
}

pub fn page(file: &Parsed) -> Result<Page, Vec<Diagnostic>> {
    let mut r = FieldReader::new(file);
    let slug = r.slug_from_path();
    let title = r.required("title", "About this timeline");
    if let Some(s) = &slug
        && RESERVED.contains(&s.as_str())
    {
        r.problems.push(
            Diagnostic::error(
                &file.path,
                format!("a page may not be called \"{s}\": the site uses that folder"),
            )
            .with_hint("rename the file"),
        );
    }
    match (slug, title, r.problems.is_empty()) {
        (Some(slug), Some(title), true) => Ok(Page {
            slug,
            title,
            body_html: file.body.html.to_string(),
        }),
        _ => Err(r.problems),
    }
}
