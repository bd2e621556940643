//! The content cache of `gen watch`: every content file as the content stage left it
//! ([`ContentFile`]), kept between rebuilds so an edit re-reads and re-validates only the files
//! that changed, and the last clean timeline, into which an edit that changed no structure is
//! swapped. Everything it knows comes from the content stage functions; a fresh
//! [`content::read`] of the same files gives the same timeline and diagnostics.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono_tz::Tz;

use crate::config::{Config, RawHtml};
use crate::content::{self, ContentFile, FileKind, Validated};
use crate::diagnostics::Diagnostic;
use crate::model::{Event, Timeline};

/// Every content file of a site, read and validated, and the last clean timeline.
pub(crate) struct ContentCache {
    root: PathBuf,
    policy: RawHtml,
    zone: Tz,
    listing_problems: Vec<Diagnostic>,
    files: BTreeMap<PathBuf, ContentFile>,
    /// The last timeline built without a single problem, and whether drafts were in it.
    clean: Option<(Timeline, bool)>,
}

impl ContentCache {
    /// An empty cache for the site at `root`, read under `config`'s settings; the first
    /// [`ContentCache::update`] reads every file.
    pub fn new(root: &Path, config: &Config) -> Self {
        Self {
            root: root.to_path_buf(),
            policy: config.raw_html,
            zone: config.timezone,
            listing_problems: Vec::new(),
            files: BTreeMap::new(),
            clean: None,
        }
    }

    /// True when the cache was read under the same settings `config` has.
    pub fn fits(&self, config: &Config) -> bool {
        self.policy == config.raw_html && self.zone == config.timezone
    }

    /// Re-reads the files named in `changed` (every file when `None`; none when it is empty)
    /// and returns the timeline and every problem, as [`content::read`] would. A folder named
    /// in `changed` stands for every file under it. A change that is only edits of files
    /// already known skips listing the folder; anything else (a file created, deleted or
    /// renamed) lists it again.
    ///
    /// After edits that changed no structure (see [`same_structure`]) of a site that had no
    /// problem at all, the rules spanning files cannot have changed their verdict and the
    /// timeline's order and indexes stay as they were: the edited events are swapped into the
    /// last timeline instead of building it again.
    pub fn update(
        &mut self,
        changed: Option<&HashSet<PathBuf>>,
        config: &Config,
        drafts: bool,
    ) -> (Option<Timeline>, Vec<Diagnostic>) {
        let edits = changed.filter(|c| self.only_edits(c));
        let stale = match edits {
            Some(edited) => self.edited(edited),
            None => self.relist(changed),
        };
        let fresh = content::read_files(&stale, self.policy, self.zone);
        let swaps = edits.and_then(|_| self.structure_kept(&fresh));
        if self.files.is_empty() {
            // Built from the sorted listing in one pass instead of 125,000 searches, each
            // comparing paths component by component.
            self.files = fresh.into_iter().map(|f| (f.path.clone(), f)).collect();
        } else {
            self.files
                .extend(fresh.into_iter().map(|f| (f.path.clone(), f)));
        }
        if let Some(timeline) = swaps.and_then(|events| self.swapped(events, drafts)) {
            return (Some(timeline), Vec::new());
        }
        let (timeline, problems) =
            content::assemble(self.files.values(), &self.listing_problems, config, drafts);
        self.clean = match &timeline {
            Some(t) if problems.is_empty() => Some((t.clone(), drafts)),
            _ => None,
        };
        (timeline, problems)
    }

    /// True when every path in `changed` is a file already known and still a plain file (one
    /// now a symbolic link is listed again, so the link is judged before it is read).
    fn only_edits(&self, changed: &HashSet<PathBuf>) -> bool {
        changed.iter().all(|p| {
            self.files.contains_key(p)
                && std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file())
        })
    }

    /// The edited files (all known: see [`ContentCache::only_edits`]), each with the kind it
    /// was listed as.
    fn edited(&self, edited: &HashSet<PathBuf>) -> Vec<(PathBuf, FileKind)> {
        edited
            .iter()
            .filter_map(|p| self.files.get(p).map(|f| (p.clone(), f.kind)))
            .collect()
    }

    /// Lists the content folder again, forgets the files gone, and returns those to read: the
    /// new ones and those named in `changed` (every one when `None`).
    fn relist(&mut self, changed: Option<&HashSet<PathBuf>>) -> Vec<(PathBuf, FileKind)> {
        let content = self.root.join("content");
        let (listed, problems) = content::list(&content);
        self.listing_problems = problems;
        let keep: HashSet<&PathBuf> = listed.iter().map(|(p, _)| p).collect();
        self.files.retain(|p, _| keep.contains(p));
        listed
            .into_iter()
            .filter(|(p, _)| {
                !self.files.contains_key(p) || changed.is_none_or(|c| named(c, p, &content))
            })
            .collect()
    }

    /// The new events, when every re-read file is an event that kept its structure.
    fn structure_kept(&self, fresh: &[ContentFile]) -> Option<Vec<Arc<Event>>> {
        fresh
            .iter()
            .map(|new| {
                let old = self.files.get(&new.path)?;
                match (&old.validated, &new.validated) {
                    (Some(Validated::Event(a, _)), Some(Validated::Event(b, _)))
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

    /// The last clean timeline with `events` swapped in, when there is one built with the
    /// same `drafts` and the listing found no problem; kept as the new clean timeline.
    fn swapped(&mut self, events: Vec<Arc<Event>>, drafts: bool) -> Option<Timeline> {
        let (clean, clean_drafts) = self.clean.as_mut()?;
        if *clean_drafts != drafts || !self.listing_problems.is_empty() {
            return None;
        }
        for event in events {
            if let Some(slot) = clean.events.iter_mut().find(|e| e.slug == event.slug) {
                *slot = event;
            }
        }
        Some(clean.clone())
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
