//! Load: find the content files of a site and read them as UTF-8 text.
//!
//! `content/events/**/*.md` are events, `content/sources/**/*.md` sources, `content/*.md`
//! free-standing pages. Hidden files and editor leftovers are skipped. Symbolic links are
//! followed only inside the site (see [`crate::confined`]).

use std::fs;
use std::path::{Path, PathBuf};

use crate::confined::Confined;
use crate::diagnostics::Diagnostic;

/// What a content file describes, from where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Event,
    Source,
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
    ] {
        let dir = content_dir.join(sub);
        if !dir.is_dir() {
            continue;
        }
        // The top level's folders are walked on their own.
        let skip =
            |name: &str| is_ignored(name) || (!recurse && (name == "events" || name == "sources"));
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

/// Hidden files and the temporary files editors write beside the real one.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

/// Reads a file as UTF-8; a non-UTF-8 or empty file is a diagnostic naming where it breaks.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let bytes =
        fs::read(path).map_err(|e| Diagnostic::error(path, format!("cannot read file: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Diagnostic::error(path, "the file is empty")
            .with_hint("delete it, or give it front matter between `---` lines"));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let column = valid
            .rsplit(|b| *b == b'\n')
            .next()
            .map_or(0, |l| String::from_utf8_lossy(l).chars().count())
            + 1;
        let mut d = Diagnostic::error(path, "the file is not valid UTF-8 text")
            .with_hint("save the file as UTF-8 (most editors offer \"Save with encoding\")");
        d.line = Some(line);
        d.column = Some(column);
        d
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_reports_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        fs::write(&path, b"---\ntitle: caf\xe9\n---\n").unwrap();
        let d = read_text(&path).unwrap_err();
        assert_eq!((d.line, d.column), (Some(2), Some(11)));
    }

    #[test]
    fn empty_files_and_editor_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        fs::write(&path, "  \n").unwrap();
        assert!(read_text(&path).unwrap_err().message.contains("empty"));
        assert!(is_ignored(".a.md.swp") && is_ignored("a.md~") && !is_ignored("a.md"));
    }
}
