//! Load: find the content files of a site and read them as UTF-8 text.
//!
//! `content/events/**/*.md` are events, `content/sources/**/*.md` sources,
//! `content/eras/**/*.md` eras, `content/*.md` free-standing pages. Hidden files and editor leftovers are skipped. Symbolic links are
//! followed only inside the site (see [`crate::confined`]).

use std::path::{Path, PathBuf};

use crate::confined::{Confined, is_ignored, read_text};
use crate::diagnostics::Diagnostic;

/// What a content file describes, from where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Event,
    Source,
    Era,
    Page,
}

/// One content file, read.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: PathBuf,
    pub kind: FileKind,
    pub text: String,
}

/// Lists every content file under `content_dir` (sorted); problems are collected, not fatal.
/// Links are judged against the site root, the folder holding `content_dir`.
pub fn list(content_dir: &Path) -> (Vec<(PathBuf, FileKind)>, Vec<Diagnostic>) {
    let mut paths = Vec::new();
    let mut problems = Vec::new();
    if !content_dir.is_dir() {
        problems.push(
            Diagnostic::error(content_dir, "the content folder is missing").with_hint(
                "create content/events/ and content/sources/, or run `gen init` for a new site",
            ),
        );
        return (paths, problems);
    }
    let site = Confined::new(content_dir.parent().unwrap_or(content_dir));
    for (sub, kind, recurse) in [
        ("", FileKind::Page, false),
        ("events", FileKind::Event, true),
        ("sources", FileKind::Source, true),
        ("eras", FileKind::Era, true),
    ] {
        let dir = content_dir.join(sub);
        if !dir.is_dir() {
            continue;
        }
        // The top level's folders are walked on their own.
        let skip = |name: &str| {
            is_ignored(name) || (!recurse && matches!(name, "events" | "sources" | "eras"))
        };
        let files = site.files(&dir, recurse, &skip, &mut problems);
        paths.extend(
            files
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .map(|p| (p, kind)),
        );
    }
    paths.sort();
    (paths, problems)
}

impl InputFile {
    /// Reads one listed content file.
    pub fn read(path: PathBuf, kind: FileKind) -> Result<Self, Diagnostic> {
        read_text(&path).map(|text| Self { path, kind, text })
    }
}
