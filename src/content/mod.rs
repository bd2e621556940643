//! Content files → model: load the files, parse front matter and Markdown, validate into
//! model types, and check the rules that span files. `serde_yaml` (in `frontmatter`) and
//! `pulldown-cmark` + `ammonia` (in `markdown`) live only under this module.

mod frontmatter;
mod load;
mod markdown;
mod parse;
mod validate;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{Config, RawHtml};
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
    ContentCache::load(root, config.raw_html).timeline(config, drafts)
}

/// Every content file of a site, parsed, kept between rebuilds so that `gen watch` re-reads
/// only the files that changed.
pub struct ContentCache {
    root: PathBuf,
    policy: RawHtml,
    listing_problems: Vec<Diagnostic>,
    files: BTreeMap<PathBuf, Result<Parsed, Vec<Diagnostic>>>,
}

impl ContentCache {
    /// Reads and parses every content file under `root/content`.
    pub fn load(root: &Path, policy: RawHtml) -> Self {
        let mut cache = Self {
            root: root.to_path_buf(),
            policy,
            listing_problems: Vec::new(),
            files: BTreeMap::new(),
        };
        cache.refresh(None);
        cache
    }

    /// Lists the content folder again, drops files that are gone, and reads files that are new
    /// or named in `changed` (every file when `changed` is `None`). Returns how many were read.
    pub fn refresh(&mut self, changed: Option<&HashSet<PathBuf>>) -> usize {
        let (listed, problems) = load::list(&self.root.join("content"));
        self.listing_problems = problems;
        let keep: HashSet<&PathBuf> = listed.iter().map(|(p, _)| p).collect();
        self.files.retain(|p, _| keep.contains(p));
        let stale: Vec<(PathBuf, Kind)> = listed
            .into_iter()
            .filter(|(p, _)| !self.files.contains_key(p) || changed.is_none_or(|c| c.contains(p)))
            .collect();
        let policy = self.policy;
        let parsed: Vec<(PathBuf, Result<Parsed, Vec<Diagnostic>>)> = stale
            .into_par_iter()
            .map(|(path, kind)| {
                let result = load::read(path.clone(), kind)
                    .map_err(|d| vec![d])
                    .and_then(|f| parse::parse(f, policy));
                (path, result)
            })
            .collect();
        let count = parsed.len();
        self.files.extend(parsed);
        count
    }

    /// Validates the cached files into a [`Timeline`] (see [`read`]).
    pub fn timeline(&self, config: &Config, drafts: bool) -> (Option<Timeline>, Vec<Diagnostic>) {
        let mut problems = self.listing_problems.clone();
        let mut ok: Vec<&Parsed> = Vec::with_capacity(self.files.len());
        for result in self.files.values() {
            match result {
                Ok(p) => ok.push(p),
                Err(d) => problems.extend(d.iter().cloned()),
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
            .map(|&file| match file.kind {
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
