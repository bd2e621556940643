//! Content files → model: load the files, parse front matter and Markdown, validate into
//! model types, and check the rules that span files. `serde_yaml` (in `frontmatter`) and
//! `pulldown-cmark` + `ammonia` (in `markdown`) live only under this module.

pub(crate) mod frontmatter;
mod load;
pub(crate) mod markdown;
mod parse;
mod validate;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono_tz::Tz;

use rayon::prelude::*;

use crate::config::{Config, RawHtml};
use crate::diagnostics::Diagnostic;
use crate::model::{Event, Page, Source, Timeline};

pub(crate) use load::Kind;
use parse::Parsed;

/// Reads the site's content into a [`Timeline`]. The timeline is `None` when any error was
/// found; the diagnostics hold every problem (errors and warnings) either way.
pub fn read(root: &Path, config: &Config, drafts: bool) -> (Option<Timeline>, Vec<Diagnostic>) {
    ContentCache::load_once(root, config).timeline(config, drafts)
}

/// Parses and validates one file's text on its own, as [`ContentCache`] does for each file it
/// reads (the rules spanning files aside); returns every problem found. Reached by the fuzz
/// targets through [`crate::stages`].
pub(crate) fn check_text(
    path: PathBuf,
    kind: Kind,
    text: String,
    policy: RawHtml,
    zone: Tz,
) -> Vec<Diagnostic> {
    match parse::parse(load::InputFile { path, kind, text }, policy) {
        Ok(file) => check(&file, zone).1,
        Err(problems) => problems,
    }
}

/// One content file: parsed, and validated on its own (what the cross-file rules need is
/// checked in [`ContentCache::timeline`]).
struct Entry {
    parsed: Result<Parsed, Vec<Diagnostic>>,
    checked: Option<Checked>,
    problems: Vec<Diagnostic>,
    /// An event marked `draft: true`.
    draft: bool,
}

enum Checked {
    Event(Arc<Event>),
    Source(Arc<Source>),
    Page(Page),
}

/// Every content file of a site, parsed and validated, kept between rebuilds so that
/// `gen watch` re-reads and re-validates only the files that changed.
pub struct ContentCache {
    root: PathBuf,
    policy: RawHtml,
    zone: Tz,
    listing_problems: Vec<Diagnostic>,
    files: BTreeMap<PathBuf, Entry>,
    /// The last timeline built without a single problem, and whether drafts were in it.
    clean: Option<(Timeline, bool)>,
    /// Set by a refresh whose every change left the site's structure alone (see
    /// [`same_structure`]): the next timeline is the clean one with these events swapped in.
    swaps: Option<Vec<Arc<Event>>>,
    /// Files let go of their text and fields once validated (see [`ContentCache::load_once`]).
    slim: bool,
}

impl ContentCache {
    /// Reads, parses and validates every content file under `root/content`.
    pub fn load(root: &Path, config: &Config) -> Self {
        Self::read_all(root, config, false)
    }

    /// Like [`ContentCache::load`], for a single build: each file keeps only what the
    /// timeline needs once validated (its text and front-matter fields are read again from
    /// disk if a rule spanning files has a problem to point at). At 100,000 events this
    /// is a few hundred MB less at the build's peak.
    pub fn load_once(root: &Path, config: &Config) -> Self {
        Self::read_all(root, config, true)
    }

    fn read_all(root: &Path, config: &Config, slim: bool) -> Self {
        let mut cache = Self {
            root: root.to_path_buf(),
            policy: config.raw_html,
            zone: config.timezone,
            listing_problems: Vec::new(),
            files: BTreeMap::new(),
            clean: None,
            swaps: None,
            slim,
        };
        cache.refresh(None);
        cache
    }

    /// True when the cache was read under the same settings `config` has.
    pub fn fits(&self, config: &Config) -> bool {
        self.policy == config.raw_html && self.zone == config.timezone
    }

    /// Re-reads the files named in `changed` (every file when `None`); a folder named there
    /// stands for every file under it. A change that is only edits of files already known
    /// skips listing the folder; anything else (a file created, deleted or renamed) lists it
    /// again. Returns how many files were read.
    pub fn refresh(&mut self, changed: Option<&HashSet<PathBuf>>) -> usize {
        // A file now a symbolic link is listed again, so the link is judged before it is read.
        let only_edits = changed.is_some_and(|c| {
            c.iter().all(|p| {
                self.files.contains_key(p)
                    && std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file())
            })
        });
        let stale: Vec<(PathBuf, Kind)> = if only_edits {
            changed
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    self.files
                        .get(p)
                        .and_then(|e| e.parsed.as_ref().ok())
                        .map(|f| (p.clone(), f.kind))
                        .or_else(|| {
                            load::kind_of(&self.root.join("content"), p).map(|k| (p.clone(), k))
                        })
                })
                .collect()
        } else {
            let content = self.root.join("content");
            let (listed, problems) = load::list(&content);
            self.listing_problems = problems;
            let keep: HashSet<&PathBuf> = listed.iter().map(|(p, _)| p).collect();
            self.files.retain(|p, _| keep.contains(p));
            listed
                .into_iter()
                .filter(|(p, _)| {
                    !self.files.contains_key(p) || changed.is_none_or(|c| named(c, p, &content))
                })
                .collect()
        };
        let (policy, zone, slim) = (self.policy, self.zone, self.slim);
        let pool = readers(stale.len());
        // Small pieces: a file's cost varies (an event with a long body, a short source), and
        // rayon does not split a piece once a core is working through it, so large pieces
        // left one core parsing alone for the last second of 125,000 files.
        let read_all = || -> Vec<(PathBuf, Entry)> {
            stale
                .into_par_iter()
                .with_max_len(64)
                .map(|(path, kind)| {
                    let mut parsed = load::read(path.clone(), kind)
                        .map_err(|d| vec![d])
                        .and_then(|f| parse::parse(f, policy));
                    let (checked, problems) = match &parsed {
                        Ok(file) => check(file, zone),
                        Err(_) => (None, Vec::new()),
                    };
                    let draft = parsed.as_ref().is_ok_and(|f| {
                        f.kind == Kind::Event
                            && f.fields
                                .get("draft")
                                .is_some_and(|(v, _)| *v == frontmatter::Field::Bool(true))
                    });
                    if let (true, Ok(file)) = (slim, &mut parsed) {
                        file.slim_down();
                    }
                    (
                        path,
                        Entry {
                            parsed,
                            checked,
                            problems,
                            draft,
                        },
                    )
                })
                .collect()
        };
        // Files not in the page cache make a read wait on the disk; with one thread per core,
        // a cold build of 125,000 files took twice as long as a warm one. More threads than
        // cores keep more reads in flight (the parsing between them costs little extra).
        let entries = match pool {
            Some(pool) => pool.install(read_all),
            None => read_all(),
        };
        let count = entries.len();
        self.swaps = if only_edits {
            self.structure_kept(&entries)
        } else {
            None
        };
        if self.files.is_empty() {
            // Built from the sorted listing in one pass instead of 125,000 searches, each
            // comparing paths component by component.
            self.files = entries.into_iter().collect();
        } else {
            self.files.extend(entries);
        }
        count
    }

    /// The new events, when every re-read file is an event that kept its structure.
    fn structure_kept(&self, entries: &[(PathBuf, Entry)]) -> Option<Vec<Arc<Event>>> {
        entries
            .iter()
            .map(|(path, new)| {
                let old = self.files.get(path)?;
                match (&old.checked, &new.checked) {
                    (Some(Checked::Event(a)), Some(Checked::Event(b)))
                        if old.problems.is_empty()
                            && new.problems.is_empty()
                            && old.draft == new.draft
                            && same_structure(a, b) =>
                    {
                        Some(Arc::clone(b))
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// Checks the rules that span files and builds the [`Timeline`] (see [`read`]).
    ///
    /// After an edit that changed no structure (see [`same_structure`]) of a site that had no
    /// problem at all, the rules spanning files cannot have changed their verdict and the
    /// timeline's order and indexes stay as they were: the edited events are swapped into the
    /// last timeline instead of building it again.
    pub fn timeline(
        &mut self,
        config: &Config,
        drafts: bool,
    ) -> (Option<Timeline>, Vec<Diagnostic>) {
        let swaps = self.swaps.take();
        if let (Some((clean, clean_drafts)), Some(swaps)) = (&self.clean, swaps)
            && *clean_drafts == drafts
            && self.listing_problems.is_empty()
        {
            let mut timeline = clean.clone();
            for event in swaps {
                if let Some(slot) = timeline.events.iter_mut().find(|e| e.slug == event.slug) {
                    *slot = event;
                }
            }
            self.clean = Some((timeline.clone(), drafts));
            return (Some(timeline), Vec::new());
        }
        let (timeline, problems) = self.build_timeline(config, drafts);
        // Kept for the next build's swaps; a single build (`slim`) has no next build.
        self.clean = match &timeline {
            Some(t) if problems.is_empty() && !self.slim => Some((t.clone(), drafts)),
            _ => None,
        };
        (timeline, problems)
    }

    fn build_timeline(&self, config: &Config, drafts: bool) -> (Option<Timeline>, Vec<Diagnostic>) {
        let mut problems = self.listing_problems.clone();
        let mut events = Vec::new();
        let mut sources = Vec::new();
        let mut pages = Vec::new();
        for entry in self.files.values() {
            let file = match &entry.parsed {
                Ok(file) => file,
                Err(d) => {
                    problems.extend(d.iter().cloned());
                    continue;
                }
            };
            // Drafts are work in progress: they are not validated until built with --drafts.
            if entry.draft && !drafts {
                continue;
            }
            problems.extend(entry.problems.iter().cloned());
            match &entry.checked {
                Some(Checked::Event(event)) => events.push(validate::EventFile {
                    event: Arc::clone(event),
                    file,
                }),
                Some(Checked::Source(source)) => sources.push((Arc::clone(source), file)),
                Some(Checked::Page(page)) => pages.push(page.clone()),
                None => {}
            }
        }
        // The cross-file rules and the timeline's indexes are independent: build both at once
        // (the timeline is dropped if the rules found an error).
        let (cross, timeline) = rayon::join(
            || validate::cross_check(&events, &sources, config),
            || {
                let events = events.iter().map(|e| Arc::clone(&e.event)).collect();
                let sources = sources.iter().map(|(s, _)| Arc::clone(s)).collect();
                Timeline::new(events, sources, pages, self.zone)
            },
        );
        problems.extend(cross);
        if problems.iter().any(Diagnostic::is_error) {
            return (None, problems);
        }
        (Some(timeline), problems)
    }
}

/// True when `changed` names `path` or a folder it sits in (up to `content`). A folder
/// deleted and put back, or renamed, brings files whose own events were never seen: the
/// watch of the folder went with it, and the new one starts after they were written.
fn named(changed: &HashSet<PathBuf>, path: &Path, content: &Path) -> bool {
    let floor = content.as_os_str().len();
    path.ancestors()
        .take_while(|a| a.as_os_str().len() >= floor)
        .any(|a| changed.contains(a))
}

/// True when an edit from `a` to `b` leaves the timeline's structure as it was: the same slug,
/// date (so the same place in the order and the same day), actors, tags and cited sources.
/// Everything else an event has (title, body, time zone shown, quotes, location, importance,
/// precision, `end`, `disputed`) only changes what pages show, not which pages there are or
/// what the rules spanning files decide.
fn same_structure(a: &Event, b: &Event) -> bool {
    a.slug == b.slug
        && a.date == b.date
        && a.actors == b.actors
        && a.tags == b.tags
        && a.citations.len() == b.citations.len()
        && a.citations
            .iter()
            .zip(&b.citations)
            .all(|(x, y)| x.source == y.source)
}

fn check(file: &Parsed, zone: Tz) -> (Option<Checked>, Vec<Diagnostic>) {
    match file.kind {
        Kind::Event => {
            let (event, problems) = validate::event(file, zone);
            (event.map(|e| Checked::Event(Arc::new(e))), problems)
        }
        Kind::Source => match validate::source(file) {
            Ok(s) => (Some(Checked::Source(Arc::new(s))), Vec::new()),
            Err(d) => (None, d),
        },
        Kind::Page => match validate::page(file) {
            Ok(p) => (Some(Checked::Page(p)), Vec::new()),
            Err(d) => (None, d),
        },
    }
}

/// A pool with more threads than cores for reading many files, or `None` when there are few
/// (a rebuild after an edit) or the pool cannot be made (the global pool then serves).
fn readers(files: usize) -> Option<rayon::ThreadPool> {
    const MANY: usize = 2_000;
    (files >= MANY)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(rayon::current_num_threads() * 4)
                .build()
                .ok()
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_folder_stands_for_the_files_under_it() {
        let content = Path::new("/s/content");
        let file = Path::new("/s/content/events/a/x.md");
        let set =
            |paths: &[&str]| -> HashSet<PathBuf> { paths.iter().map(PathBuf::from).collect() };
        for hit in [
            "/s/content/events/a/x.md",
            "/s/content/events/a",
            "/s/content/events",
            "/s/content",
        ] {
            assert!(named(&set(&[hit]), file, content), "{hit}");
        }
        // Above the content folder, beside the file, or a sibling whose name it begins with.
        for miss in [
            "/s",
            "/s/content/events/b",
            "/s/content/events/a/y.md",
            "/s/content/events/a/x",
        ] {
            assert!(!named(&set(&[miss]), file, content), "{miss}");
        }
    }
}
