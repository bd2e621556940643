//! Content files → model: load the files, parse front matter and Markdown, validate into
//! model types, and check the rules that span files. `serde_yaml` (in `frontmatter`) and
//! `pulldown-cmark` + `ammonia` (in `markdown`) live only under this module.

mod frontmatter;
mod load;
mod markdown;
mod parse;
mod validate;

use std::path::Path;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::model::Timeline;

pub use frontmatter::{EVENT_KEYS, SOURCE_KEYS};
pub use load::{is_ignored, read_text};
pub use markdown::is_allowed_href;

use load::Kind;
use parse::Parsed;

/// Reads the site's content into a [`Timeline`]. The timeline is `None` when any error was
/// found; the diagnostics hold every problem (errors and warnings) either way.
pub fn read(root: &Path, config: &Config, drafts: bool) -> (Option<Timeline>, Vec<Diagnostic>) {
    let (files, mut problems) = load::load(&root.join("content"));
    let parsed: Vec<Result<Parsed, Vec<Diagnostic>>> = files
        .into_par_iter()
        .map(|f| parse::parse(f, config.raw_html))
        .collect();
    let mut ok = Vec::with_capacity(parsed.len());
    for p in parsed {
        match p {
            Ok(p) => ok.push(p),
            Err(mut d) => problems.append(&mut d),
        }
    }

    let zone = config.timezone;
    if !drafts {
        // Drafts are work in progress: they are not validated until built with --drafts.
        ok.retain(|f| {
            f.kind != Kind::Event
                || f.fields
                    .get("draft")
                    .is_none_or(|(v, _)| *v != frontmatter::Field::Bool(true))
        });
    }
    let checked: Vec<(Option<Checked<'_>>, Vec<Diagnostic>)> = ok
        .par_iter()
        .map(|file| match file.kind {
            Kind::Event => {
                let (event, problems) = validate::event(file, zone);
                (event.map(Checked::Event), problems)
            }
            Kind::Source => split(validate::source(file).map(|s| Checked::Source(s, file))),
            Kind::Page => split(validate::page(file).map(Checked::Page)),
        })
        .collect();

    let mut events = Vec::new();
    let mut sources = Vec::new();
    let mut pages = Vec::new();
    for (c, mut d) in checked {
        problems.append(&mut d);
        match c {
            Some(Checked::Event(e)) => events.push(e),
            Some(Checked::Source(s, f)) => sources.push((s, f)),
            Some(Checked::Page(p)) => pages.push(p),
            None => {}
        }
    }
    problems.extend(validate::cross_check(&events, &sources, config));

    if problems.iter().any(Diagnostic::is_error) {
        return (None, problems);
    }
    let events = events.into_iter().map(|e| e.event).collect();
    let sources = sources.into_iter().map(|(s, _)| s).collect();
    (Some(Timeline::new(events, sources, pages, zone)), problems)
}

enum Checked<'a> {
    Event(validate::EventFile<'a>),
    Source(crate::model::Source, &'a Parsed),
    Page(crate::model::Page),
}

fn split(result: Result<Checked<'_>, Vec<Diagnostic>>) -> (Option<Checked<'_>>, Vec<Diagnostic>) {
    match result {
        Ok(c) => (Some(c), Vec::new()),
        Err(d) => (None, d),
    }
}
