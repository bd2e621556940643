//! Validate: parsed files → model types, then the rules that span files (every cited source
//! exists, every source is cited, slugs are unique, dates fall in the window). Every problem
//! is collected; nothing stops at the first.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use chrono_tz::Tz;

use super::frontmatter::{Field, Fields};
use super::parse::Parsed;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, locate, nearest};
use crate::model::{
    Citation, Event, EventDate, Importance, Page, Precision, Slug, Source, slugify,
};

/// The longest quote, in words, before a warning.
const MAX_QUOTE_WORDS: usize = 40;

/// Folder names at the output root that pages may not take.
const RESERVED: &[&str] = &[
    "events", "days", "sources", "actors", "tags", "index", "404", "atom", "sitemap", "search",
    "timeline", "static",
];

/// One file's fields, with helpers that turn a defect into a diagnostic at its line.
struct Reader<'a> {
    file: &'a Parsed,
    problems: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    fn error(&mut self, line: usize, needle: Option<&str>, message: String, hint: Option<String>) {
        let text = &self.file.text;
        let column = needle
            .and_then(|n| {
                text.lines()
                    .nth(line - 1)
                    .and_then(|l| l.find(n).map(|b| l[..b].chars().count() + 1))
            })
            .unwrap_or(1);
        self.problems.push(
            Diagnostic::error(&self.file.path, message)
                .at(text, line, column)
                .maybe_hint(hint),
        );
    }

    fn fields(&self) -> &'a Fields {
        &self.file.fields
    }

    fn text(&mut self, key: &str) -> Option<String> {
        match self.fields().get(key) {
            None | Some((Field::Null, _)) => None,
            Some((Field::Text(t), _)) if !t.trim().is_empty() => Some(t.trim().to_owned()),
            Some((Field::Text(_), line)) => {
                self.error(line, Some(key), format!("`{key}` is empty"), None);
                None
            }
            Some((other, line)) => {
                let kind = other.kind();
                self.error(
                    line,
                    Some(key),
                    format!("`{key}` should be text, found {kind}"),
                    None,
                );
                None
            }
        }
    }

    fn required(&mut self, key: &str, example: &str) -> Option<String> {
        if self.fields().get(key).is_none() {
            self.error(
                1,
                None,
                format!("missing `{key}`"),
                Some(format!("add a line `{key}: {example}` to the front matter")),
            );
            return None;
        }
        self.text(key)
    }

    fn list(&mut self, key: &str) -> Vec<String> {
        match self.fields().get(key) {
            None | Some((Field::Null, _)) => Vec::new(),
            Some((Field::Text(t), _)) => vec![t.trim().to_owned()],
            Some((Field::List(items), line)) => {
                let mut out: Vec<String> = Vec::new();
                for item in items {
                    match item {
                        Field::Text(t) if !t.trim().is_empty() => {
                            if !out.iter().any(|o| o == t.trim()) {
                                out.push(t.trim().to_owned());
                            }
                        }
                        other => {
                            let kind = other.kind();
                            self.error(
                                line,
                                Some(key),
                                format!("every item of `{key}` should be a name, found {kind}"),
                                None,
                            );
                        }
                    }
                }
                out
            }
            Some((other, line)) => {
                let kind = other.kind();
                self.error(
                    line,
                    Some(key),
                    format!("`{key}` should be a list such as [Iran, Israel], found {kind}"),
                    None,
                );
                Vec::new()
            }
        }
    }

    fn date(&mut self, key: &str, required: bool) -> Option<EventDate> {
        let written = if required {
            self.required(key, "2025-06-13T09:30 Asia/Tehran")?
        } else {
            self.text(key)?
        };
        let line = self.fields().get(key).map_or(1, |(_, l)| l);
        match EventDate::parse(&written) {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(
                    line,
                    Some(&written),
                    format!("`{key}`: {}", e.message),
                    Some(e.hint),
                );
                None
            }
        }
    }

    fn url(&mut self, key: &str) -> Option<String> {
        let written = self.text(key)?;
        let line = self.fields().get(key).map_or(1, |(_, l)| l);
        match url::Url::parse(&written) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(written),
            _ => {
                self.error(
                    line,
                    Some(&written),
                    format!("`{key}` \"{written}\" is not an http(s) address"),
                    Some("write the full address, starting with https://".to_owned()),
                );
                None
            }
        }
    }

    fn slug_from_path(&mut self) -> Option<Slug> {
        let stem = self
            .file
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match Slug::parse(&stem) {
            Ok(s) => Some(s),
            Err(e) => {
                self.problems.push(
                    Diagnostic::error(&self.file.path, format!("file name {}", e.message))
                        .with_hint(format!("rename the file to `{}.md`", e.suggestion)),
                );
                None
            }
        }
    }
}

/// An event as validated on its own, with the file the cross-file checks point into.
pub struct EventFile<'a> {
    pub event: Arc<Event>,
    pub file: &'a Parsed,
}

/// Validates one event file. The event comes back whenever its slug, title and date could be
/// read, even beside errors, so the cross-file rules still check it.
pub fn event(file: &Parsed, zone: Tz) -> (Option<Event>, Vec<Diagnostic>) {
    let mut r = Reader {
        file,
        problems: file.problems.clone(),
    };
    let slug = r.slug_from_path();
    let title = r.required("title", "What happened");
    let date = r.date("date", true);
    let end = r.date("end", false);
    let precision = match r.text("precision") {
        None => date.map_or(Precision::Minute, |d| d.natural_precision()),
        Some(p) => Precision::parse(&p).unwrap_or_else(|| {
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
        }),
    };
    let importance = match r.text("importance") {
        None => Importance::default(),
        Some(i) => Importance::parse(&i).unwrap_or_else(|| {
            let line = r.fields().get("importance").map_or(1, |(_, l)| l);
            r.error(
                line,
                Some(&i),
                format!("unknown importance \"{i}\""),
                Some("use major, normal or minor".to_owned()),
            );
            Importance::default()
        }),
    };
    if let (Some(start), Some(finish)) = (date, end)
        && finish.instant_in(zone) < start.instant_in(zone)
    {
        let line = r.fields().get("end").map_or(1, |(_, l)| l);
        r.error(
            line,
            Some("end"),
            "`end` is before `date`".to_owned(),
            Some("swap them, or check the zone of each".to_owned()),
        );
    }
    let citations = citations(&mut r);
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
            summary,
            body_html: file.body.html.clone(),
            body_text: file.body.text.clone(),
        }),
        _ => None,
    };
    (event, r.problems)
}

fn citations(r: &mut Reader<'_>) -> Vec<Citation> {
    let Some((field, line)) = r.fields().get("sources") else {
        r.error(
            1,
            None,
            "missing `sources`: every event cites at least one source".to_owned(),
            Some("add `sources: [source-id]` naming a file in content/sources/".to_owned()),
        );
        return Vec::new();
    };
    let items: Vec<Field> = match field {
        Field::List(items) => items.clone(),
        Field::Text(_) => vec![field.clone()],
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for item in &items {
        let (id, quote) = match item {
            Field::Text(id) => (id.trim().to_owned(), None),
            Field::Map(entries) => {
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
                            let hint =
                                nearest(k, ["id", "quote"]).map(|n| format!("did you mean `{n}`?"));
                            r.error(
                                line,
                                Some("sources"),
                                format!("unknown key `{k}` in a `sources` entry"),
                                hint.or(Some(
                                    "an entry is `- id: source-id` with an optional `quote:`"
                                        .to_owned(),
                                )),
                            );
                        }
                    }
                }
                match id {
                    Some(id) => (id, quote),
                    None => {
                        r.error(
                            line,
                            Some("sources"),
                            "a `sources` entry has no `id`".to_owned(),
                            Some("write `- id: source-id`".to_owned()),
                        );
                        continue;
                    }
                }
            }
            other => {
                let kind = other.kind();
                r.error(
                    line,
                    Some("sources"),
                    format!("a `sources` entry should be a source id, found {kind}"),
                    None,
                );
                continue;
            }
        };
        if let Some(q) = &quote {
            let words = q.split_whitespace().count();
            if words > MAX_QUOTE_WORDS {
                let at = locate(&r.file.text, &q.chars().take(20).collect::<String>())
                    .unwrap_or((line, 1));
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
    if out.is_empty()
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

pub fn source(file: &Parsed) -> Result<Source, Vec<Diagnostic>> {
    let mut r = Reader {
        file,
        problems: file.problems.clone(),
    };
    let id = r.slug_from_path();
    let title = r.required("title", "Headline of the article");
    let outlet = r.required("outlet", "Name of the outlet");
    let published = r.date("published", false);
    let url = r.url("url");
    let archive_url = r.url("archive_url");
    let author = r.text("author");
    let language = r.text("language");
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
        }),
        _ => Err(r.problems),
    }
}

pub fn page(file: &Parsed) -> Result<Page, Vec<Diagnostic>> {
    let mut r = Reader {
        file,
        problems: file.problems.clone(),
    };
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

/// The rules that span files. Returns the events and sources that pass, plus diagnostics.
pub fn cross_check(
    events: &[EventFile<'_>],
    sources: &[(Arc<Source>, &Parsed)],
    config: &Config,
) -> Vec<Diagnostic> {
    // Three independent groups of rules, checked at once.
    let ((mut problems, references), spelling) = rayon::join(
        || {
            rayon::join(
                || uniqueness(events, sources),
                || references(events, sources, config),
            )
        },
        || {
            let mut problems = Vec::new();
            terms(events, |e| &e.actors, "actor", &mut problems);
            terms(events, |e| &e.tags, "tag", &mut problems);
            problems
        },
    );
    problems.extend(references);
    problems.extend(spelling);
    problems
}

/// Every slug and id names one file.
fn uniqueness(events: &[EventFile<'_>], sources: &[(Arc<Source>, &Parsed)]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    duplicates(
        events
            .iter()
            .map(|e| (e.event.slug.as_str(), e.file.path.as_path())),
        "event",
        &mut problems,
    );
    duplicates(
        sources
            .iter()
            .map(|(s, f)| (s.id.as_str(), f.path.as_path())),
        "source",
        &mut problems,
    );

    problems
}

/// Every cited source exists and every source is cited; dates fall in the window; no two
/// sources share an address.
fn references(
    events: &[EventFile<'_>],
    sources: &[(Arc<Source>, &Parsed)],
    config: &Config,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let ids: HashMap<&str, &Path> = sources
        .iter()
        .map(|(s, f)| (s.id.as_str(), f.path.as_path()))
        .collect();
    let mut cited: HashMap<&str, usize> = HashMap::new();
    for e in events {
        for c in &e.event.citations {
            let id = c.source.as_str();
            *cited.entry(id).or_default() += 1;
            if !ids.contains_key(id) {
                let file = e.file.full();
                let sources_line = file.fields.get("sources").map_or(1, |(_, l)| l);
                let (line, column) = locate_after(&file.text, sources_line, id);
                let hint = match nearest(id, ids.keys().copied()) {
                    Some(n) => format!("did you mean \"{n}\"?"),
                    None => format!("create content/sources/{id}.md, or cite an existing source"),
                };
                problems.push(
                    Diagnostic::error(&e.file.path, format!("unknown source \"{id}\""))
                        .at(&file.text, line, column)
                        .with_hint(hint),
                );
            }
        }
        if let Some((start, end)) = config.window {
            let day = e.event.date.day_in(config.timezone);
            if day < start || day > end {
                let file = e.file.full();
                let line = file.fields.get("date").map_or(1, |(_, l)| l);
                let zone = config.timezone.name();
                problems.push(
                    Diagnostic::error(&e.file.path, format!("the event falls on {day} ({zone}), outside the timeline's window {start} to {end}"))
                        .at(&file.text, line, 1)
                        .with_hint("check the date and its zone, or widen [timeline] in site.toml"),
                );
            }
        }
    }
    for (source, file) in sources {
        if !cited.contains_key(source.id.as_str()) {
            problems.push(
                Diagnostic::warning(
                    &file.path,
                    format!("source \"{}\" is not cited by any event", source.id),
                )
                .with_hint("cite it from an event's `sources`, or delete the file"),
            );
        }
    }
    let mut urls: HashMap<&str, &Path> = HashMap::new();
    for (source, file) in sources {
        if let Some(url) = &source.url
            && let Some(first) = urls.insert(url.as_str(), &file.path)
        {
            let full = file.full();
            let (line, column) = locate(&full.text, url).unwrap_or((1, 1));
            problems.push(
                Diagnostic::warning(
                    &file.path,
                    format!("another source has the same url: {}", first.display()),
                )
                .at(&full.text, line, column)
                .with_hint("keep one file per article"),
            );
        }
    }
    problems
}

fn duplicates<'a>(
    items: impl Iterator<Item = (&'a str, &'a Path)>,
    what: &str,
    problems: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for (slug, path) in items {
        if let Some(first) = seen.insert(slug, path) {
            problems.push(
                Diagnostic::error(
                    path,
                    format!("{what} \"{slug}\" is also defined by {}", first.display()),
                )
                .with_hint("file names give the ids; rename one of the files"),
            );
        }
    }
}

fn terms(
    events: &[EventFile<'_>],
    field: impl Fn(&Event) -> &Vec<String>,
    what: &str,
    problems: &mut Vec<Diagnostic>,
) {
    // Few distinct names, many uses: slugify each distinct name once, then only look up.
    let mut slugs: HashMap<&str, String> = HashMap::new();
    for e in events {
        for name in field(&e.event) {
            slugs.entry(name.as_str()).or_insert_with(|| slugify(name));
        }
    }
    let mut spelled: HashMap<&str, (&str, &Path)> = HashMap::new();
    for e in events {
        for name in field(&e.event) {
            let slug = slugs.get(name.as_str()).map_or("", String::as_str);
            let (first, path) = *spelled
                .entry(slug)
                .or_insert((name.as_str(), e.file.path.as_path()));
            if first != name {
                let file = e.file.full();
                let (line, column) = locate(&file.text, name).unwrap_or((1, 1));
                problems.push(
                    Diagnostic::warning(
                        &e.file.path,
                        format!(
                            "{what} \"{name}\" is spelled \"{first}\" in {}",
                            path.display()
                        ),
                    )
                    .at(&file.text, line, column)
                    .with_hint(format!(
                        "spell it \"{first}\" so both land on one {what} page"
                    )),
                );
            }
        }
    }
}

fn locate_after(text: &str, from_line: usize, needle: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .skip(from_line.saturating_sub(1))
        .find_map(|(i, l)| l.find(needle).map(|b| (i + 1, l[..b].chars().count() + 1)))
        .unwrap_or((from_line, 1))
}
