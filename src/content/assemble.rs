//! Assemble: validated files → [`Timeline`], after the rules that span files (every source
//! an event or era cites exists, every source is cited, slugs are unique, dates of events and
//! eras fall in the window, a name is spelled one way). Every problem is collected; nothing stops at the first.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::file::{ContentFile, FrontMatterText, Validated};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, nearest};
use crate::model::{Era, Event, EventDate, Page, Source, Timeline, slugify};

/// A validated event, with the file it came from (which its diagnostics point into).
struct EventIn<'a> {
    event: &'a Arc<Event>,
    file: &'a ContentFile,
    front_matter: &'a FrontMatterText,
}

/// A validated era, with the file it came from.
struct EraIn<'a> {
    era: &'a Era,
    file: &'a ContentFile,
    front_matter: &'a FrontMatterText,
}

/// A validated source, with the file it came from.
struct SourceIn<'a> {
    source: &'a Arc<Source>,
    file: &'a ContentFile,
    front_matter: Option<&'a FrontMatterText>,
}

/// Checks the rules that span `files` (in listing order) and builds the [`Timeline`]. The
/// timeline is `None` when any error was found; the diagnostics hold every problem (those of
/// the listing, of each file, and of the rules spanning files) either way. A draft is left out,
/// and its own problems with it, unless `drafts`.
pub(crate) fn assemble<'a>(
    files: impl IntoIterator<Item = &'a ContentFile>,
    listing_problems: &[Diagnostic],
    config: &Config,
    drafts: bool,
) -> (Option<Timeline>, Vec<Diagnostic>) {
    let mut problems = listing_problems.to_vec();
    let mut events = Vec::new();
    let mut sources = Vec::new();
    let mut pages: Vec<Page> = Vec::new();
    let mut eras = Vec::new();
    for file in files {
        // Drafts are work in progress: they are not validated until built with --drafts.
        if file.draft && !drafts {
            continue;
        }
        problems.extend(file.problems.iter().cloned());
        match &file.validated {
            Some(Validated::Event(event, front_matter)) => events.push(EventIn {
                event,
                file,
                front_matter,
            }),
            Some(Validated::Source(source, front_matter)) => sources.push(SourceIn {
                source,
                file,
                front_matter: front_matter.as_ref(),
            }),
            Some(Validated::Era(era, front_matter)) => eras.push(EraIn {
                era,
                file,
                front_matter,
            }),
            Some(Validated::Page(page)) => pages.push(page.clone()),
            None => {}
        }
    }
    // The cross-file rules and the timeline's indexes are independent: build both at once
    // (the timeline is dropped if the rules found an error).
    let (cross, timeline) = rayon::join(
        || cross_check(&events, &sources, &eras, config),
        || {
            let events = events.iter().map(|e| Arc::clone(e.event)).collect();
            let sources = sources.iter().map(|s| Arc::clone(s.source)).collect();
            let eras = eras.iter().map(|e| e.era.clone()).collect();
            Timeline::new(events, sources, pages, eras, config.timezone)
        },
    );
    problems.extend(cross);
    if problems.iter().any(Diagnostic::is_error) {
        return (None, problems);
    }
    (Some(timeline), problems)
}

/// The rules that span files, as diagnostics.
fn cross_check(
    events: &[EventIn<'_>],
    sources: &[SourceIn<'_>],
    eras: &[EraIn<'_>],
    config: &Config,
) -> Vec<Diagnostic> {
    // Three independent groups of rules, checked at once.
    let ((mut problems, references), spelling) = rayon::join(
        || {
            rayon::join(
                || uniqueness(events, sources, eras),
                || references(events, sources, eras, config),
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
fn uniqueness(
    events: &[EventIn<'_>],
    sources: &[SourceIn<'_>],
    eras: &[EraIn<'_>],
) -> Vec<Diagnostic> {
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
            .map(|s| (s.source.id.as_str(), s.file.path.as_path())),
        "source",
        &mut problems,
    );
    // An era may share its slug with an event: they never share a page.
    duplicates(
        eras.iter()
            .map(|e| (e.era.slug.as_str(), e.file.path.as_path())),
        "era",
        &mut problems,
    );
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

/// Every cited source exists and every source is cited (by an event or an era); dates fall in
/// the window; no two sources share an address.
fn references(
    events: &[EventIn<'_>],
    sources: &[SourceIn<'_>],
    eras: &[EraIn<'_>],
    config: &Config,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let ids: HashMap<&str, &Path> = sources
        .iter()
        .map(|s| (s.source.id.as_str(), s.file.path.as_path()))
        .collect();
    let mut cited: HashMap<&str, usize> = HashMap::new();
    for e in events {
        for c in &e.event.citations {
            let id = c.source.as_str();
            *cited.entry(id).or_default() += 1;
            if !ids.contains_key(id) {
                problems.push(unknown_source(&e.file.path, e.front_matter, id, &ids));
            }
        }
        if let Some(outside) = outside_window(e, config) {
            problems.push(outside);
        }
    }
    for e in eras {
        for c in &e.era.citations {
            let id = c.source.as_str();
            *cited.entry(id).or_default() += 1;
            if !ids.contains_key(id) {
                problems.push(unknown_source(&e.file.path, e.front_matter, id, &ids));
            }
        }
        problems.extend(era_outside_window(e, config));
    }
    for s in sources {
        if !cited.contains_key(s.source.id.as_str()) {
            problems.push(
                Diagnostic::warning(
                    &s.file.path,
                    format!("source \"{}\" is not cited by any event", s.source.id),
                )
                .with_hint("cite it from an event's `sources`, or delete the file"),
            );
        }
    }
    same_urls(sources, &mut problems);
    problems
}

/// The cited source `id` of the file at `path` does not exist.
fn unknown_source(
    path: &Path,
    front_matter: &FrontMatterText,
    id: &str,
    ids: &HashMap<&str, &Path>,
) -> Diagnostic {
    let hint = match nearest(id, ids.keys().copied()) {
        Some(n) => format!("did you mean \"{n}\"?"),
        None => format!("create content/sources/{id}.md, or cite an existing source"),
    };
    let d = Diagnostic::error(path, format!("unknown source \"{id}\""));
    front_matter.at_citation(d, id).with_hint(hint)
}

/// The message for a date whose day in the display zone is outside the site's window (`what
/// happens` is "the event falls", "the era starts"…), or `None` when it is inside.
fn outside(date: &EventDate, config: &Config, what_happens: &str) -> Option<String> {
    let (start, end) = config.window?;
    let day = date.day_in(config.timezone);
    if day >= start && day <= end {
        return None;
    }
    let zone = config.timezone.name();
    Some(format!(
        "{what_happens} on {day} ({zone}), outside the timeline's window {start} to {end}"
    ))
}

const OUTSIDE_HINT: &str = "check the date and its zone, or widen [timeline] in site.toml";

fn outside_window(e: &EventIn<'_>, config: &Config) -> Option<Diagnostic> {
    let message = outside(&e.event.date, config, "the event falls")?;
    let d = Diagnostic::error(&e.file.path, message);
    Some(e.front_matter.at_date(d).with_hint(OUTSIDE_HINT))
}

/// An era's start and end each fall in the window, as an event's date does.
fn era_outside_window(e: &EraIn<'_>, config: &Config) -> Vec<Diagnostic> {
    [
        (&e.era.start, "start", "the era starts"),
        (&e.era.end, "end", "the era ends"),
    ]
    .into_iter()
    .filter_map(|(date, key, what_happens)| {
        let message = outside(date, config, what_happens)?;
        let d = Diagnostic::error(&e.file.path, message);
        Some(e.front_matter.at_key(d, key).with_hint(OUTSIDE_HINT))
    })
    .collect()
}

/// No two sources share an address.
fn same_urls(sources: &[SourceIn<'_>], problems: &mut Vec<Diagnostic>) {
    let mut urls: HashMap<&str, &Path> = HashMap::new();
    for s in sources {
        if let Some(url) = &s.source.url
            && let Some(first) = urls.insert(url.as_str(), &s.file.path)
        {
            let d = Diagnostic::warning(
                &s.file.path,
                format!("another source has the same url: {}", first.display()),
            );
            let d = match s.front_matter {
                Some(front_matter) => front_matter.at_name(d, url),
                None => d,
            };
            problems.push(d.with_hint("keep one file per article"));
        }
    }
}

/// Every name of one kind (actors or tags) is spelled one way across the site.
fn terms(
    events: &[EventIn<'_>],
    field: impl Fn(&Event) -> &Vec<String>,
    what: &str,
    problems: &mut Vec<Diagnostic>,
) {
    // Few distinct names, many uses: slugify each distinct name once, then only look up.
    let mut slugs: HashMap<&str, String> = HashMap::new();
    for e in events {
        for name in field(e.event) {
            slugs.entry(name.as_str()).or_insert_with(|| slugify(name));
        }
    }
    let mut spelled: HashMap<&str, (&str, &Path)> = HashMap::new();
    for e in events {
        for name in field(e.event) {
            let slug = slugs.get(name.as_str()).map_or("", String::as_str);
            let (first, path) = *spelled
                .entry(slug)
                .or_insert((name.as_str(), e.file.path.as_path()));
            if first != name {
                let d = Diagnostic::warning(
                    &e.file.path,
                    format!(
                        "{what} \"{name}\" is spelled \"{first}\" in {}",
                        path.display()
                    ),
                );
                problems.push(e.front_matter.at_name(d, name).with_hint(format!(
                    "spell it \"{first}\" so both land on one {what} page"
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawHtml;
    use crate::content::file::read_files;
    use crate::content::load::FileKind;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    /// Where each diagnostic points: file name, line, column, the line shown, the message.
    fn spots(problems: &[Diagnostic]) -> Vec<(String, usize, usize, String, String)> {
        problems
            .iter()
            .map(|d| {
                let name = d.path.file_name().expect("name").to_string_lossy();
                (
                    name.into_owned(),
                    d.line.unwrap_or(0),
                    d.column.unwrap_or(0),
                    d.source_line.clone().unwrap_or_default(),
                    d.message.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn rules_spanning_files_point_into_the_files_as_validated_not_as_they_are_now() {
        let dir = tempfile::tempdir().expect("tempdir");
        let at = |rel: &str| dir.path().join(rel);
        let listed = [
            (
                "events/early.md",
                FileKind::Event,
                "---\ntitle: T\ndate: 2025-06-15\nactors: [iran]\nsources: [src-a, src-b]\n---\nx\n",
            ),
            (
                "events/late.md",
                FileKind::Event,
                "---\ntitle: T\ndate: 2025-07-01\ntags: [x]\nactors: [Iran]\nsources:\n  - src-x\n---\nIran, src-x\n",
            ),
            (
                "sources/src-a.md",
                FileKind::Source,
                "---\ntitle: A\noutlet: O\nurl: https://news.example/a\n---\n",
            ),
            (
                "sources/src-b.md",
                FileKind::Source,
                "---\ntitle: B\noutlet: O\n\nurl: https://news.example/a\n---\n",
            ),
        ];
        for (rel, _, text) in listed {
            write(&at(rel), text);
        }
        let files = listed
            .iter()
            .map(|(rel, kind, _)| (at(rel), *kind))
            .collect::<Vec<_>>();
        let files = read_files(&files, RawHtml::Sanitize, chrono_tz::UTC);
        // Changed and deleted after validation: a rule that read a file again would point
        // at other lines, or at none.
        write(
            &at("events/late.md"),
            "---\n\n\n\n\n\n\ntitle: moved\n---\n",
        );
        std::fs::remove_file(at("sources/src-b.md")).expect("rm");
        let config = Config::parse(
            Path::new("site.toml"),
            "title = \"T\"\nbase_url = \"https://e.org/\"\n[timeline]\nstart = 2025-06-13\nend = 2025-06-23\n",
        )
        .expect("config");
        let (timeline, problems) = assemble(&files, &[], &config, false);
        assert!(timeline.is_none());
        let early = at("events/early.md").display().to_string();
        let src_a = at("sources/src-a.md").display().to_string();
        let shown = |file: &str, line, column, source: &str, message: String| {
            (file.to_owned(), line, column, source.to_owned(), message)
        };
        assert_eq!(
            spots(&problems),
            [
                shown("late.md", 7, 5, "  - src-x", "unknown source \"src-x\"".into()),
                shown(
                    "late.md",
                    3,
                    1,
                    "date: 2025-07-01",
                    "the event falls on 2025-07-01 (UTC), outside the timeline's window 2025-06-13 to 2025-06-23".into(),
                ),
                shown(
                    "src-b.md",
                    5,
                    6,
                    "url: https://news.example/a",
                    format!("another source has the same url: {src_a}"),
                ),
                shown(
                    "late.md",
                    5,
                    10,
                    "actors: [Iran]",
                    format!("actor \"Iran\" is spelled \"iran\" in {early}"),
                ),
            ]
        );
    }

    #[test]
    fn eras_are_checked_against_the_sources_and_the_window_and_reach_the_timeline() {
        let dir = tempfile::tempdir().expect("tempdir");
        let at = |rel: &str| dir.path().join(rel);
        let listed = [
            (
                "events/e.md",
                FileKind::Event,
                "---\ntitle: T\ndate: 2025-06-15\ngroup: Diplomacy\nsources: [src-a]\n---\n",
            ),
            (
                "sources/src-a.md",
                FileKind::Source,
                "---\ntitle: A\noutlet: O\n---\n",
            ),
            // Cited by an era only: cited all the same.
            (
                "sources/src-b.md",
                FileKind::Source,
                "---\ntitle: B\noutlet: O\n---\n",
            ),
            (
                "eras/late.md",
                FileKind::Era,
                "---\ntitle: Late\nstart: 2025-06-20\nend: 2025-06-24T01:00Z\nsources:\n  - src-b\n  - src-c\n---\n",
            ),
            (
                "eras/early.md",
                FileKind::Era,
                "---\ntitle: Early\nstart: 2025-06-12\nend: 2025-06-14\n---\n",
            ),
        ];
        for (rel, _, text) in listed {
            write(&at(rel), text);
        }
        let files: Vec<_> = listed
            .iter()
            .map(|(rel, kind, _)| (at(rel), *kind))
            .collect();
        let files = read_files(&files, RawHtml::Sanitize, chrono_tz::UTC);
        let config = |window: &str| {
            let text = format!("title = \"T\"\nbase_url = \"https://e.org/\"\n{window}");
            Config::parse(Path::new("site.toml"), &text).expect("config")
        };
        let narrow = config("[timeline]\nstart = 2025-06-13\nend = 2025-06-23\n");
        let (timeline, problems) = assemble(&files, &[], &narrow, false);
        assert!(timeline.is_none());
        let window = "outside the timeline's window 2025-06-13 to 2025-06-23";
        let shown = |file: &str, line, column, source: &str, message: String| {
            (file.to_owned(), line, column, source.to_owned(), message)
        };
        assert_eq!(
            spots(&problems),
            [
                shown(
                    "late.md",
                    7,
                    5,
                    "  - src-c",
                    "unknown source \"src-c\"".into()
                ),
                shown(
                    "late.md",
                    4,
                    1,
                    "end: 2025-06-24T01:00Z",
                    format!("the era ends on 2025-06-24 (UTC), {window}")
                ),
                shown(
                    "early.md",
                    3,
                    1,
                    "start: 2025-06-12",
                    format!("the era starts on 2025-06-12 (UTC), {window}")
                ),
            ]
        );
        let files: Vec<_> = files
            .into_iter()
            .filter(|f| !f.path.ends_with("late.md"))
            .collect();
        let (timeline, problems) = assemble(&files, &[], &config(""), false);
        let timeline = timeline.expect("a timeline");
        let eras: Vec<&str> = timeline.eras.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(eras, ["Early"]);
        assert_eq!(timeline.events[0].group.as_deref(), Some("Diplomacy"));
        // src-b is cited by no one now that the era citing it is gone.
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
