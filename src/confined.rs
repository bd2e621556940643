//! The site's own files, and only those. A site is often built in CI from a contributor's
//! pull request, so the repository is untrusted: a symbolic link such as
//! `static/passwd.txt -> /etc/passwd` must not publish the file it points at, and
//! `content/events/x.md -> /etc/hostname` must not be read (its first line would be printed in
//! a diagnostic, into a public CI log).
//!
//! Every walk of `content/`, `static/` and `templates/` goes through [`Confined::files`]:
//! a symbolic link (to a file or a folder) whose target resolves inside the site root is
//! followed, one that leads outside it, dangles or loops is an error naming the link and its
//! target, and nothing behind it is read. walkdir does the walking and finds folder loops.

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;

/// The site root, resolved once, against which every link is judged.
#[derive(Debug, Clone)]
pub struct Confined {
    root: PathBuf,
}

impl Confined {
    /// The site at `root` (which need not be resolved; a root that cannot be resolved
    /// confines to itself as written).
    pub fn new(root: &Path) -> Self {
        Self {
            root: fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
        }
    }

    /// The files under `dir`, sorted, skipping the names `skip` says to (hidden files, editor
    /// leftovers); `recurse` says whether to enter sub-folders. Links are checked as the module
    /// doc says; each refused link, loop or unreadable folder is one diagnostic.
    pub fn files(
        &self,
        dir: &Path,
        recurse: bool,
        skip: &dyn Fn(&str) -> bool,
        problems: &mut Vec<Diagnostic>,
    ) -> Vec<PathBuf> {
        if let Err(d) = self.check(dir) {
            problems.push(d);
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut refused = Vec::new();
        let walk = WalkDir::new(dir)
            .follow_links(true)
            .min_depth(1)
            .max_depth(if recurse { usize::MAX } else { 1 })
            .sort_by_file_name();
        let mut entries = walk.into_iter().filter_entry(|e| {
            if skip(&e.file_name().to_string_lossy()) {
                return false;
            }
            if !e.path_is_symlink() {
                return true;
            }
            self.check(e.path()).map_err(|d| refused.push(d)).is_ok()
        });
        for entry in entries.by_ref() {
            match entry {
                Ok(e) if e.file_type().is_file() => out.push(e.into_path()),
                Ok(_) => {}
                Err(error) => problems.extend(self.walk_problem(&error, skip)),
            }
        }
        drop(entries);
        problems.append(&mut refused);
        out.sort();
        out
    }

    /// `Ok` when `path` is not a symbolic link, or is one whose target resolves inside the
    /// site; otherwise the error naming the link and its target.
    pub fn check(&self, path: &Path) -> Result<(), Diagnostic> {
        let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return Ok(());
        }
        let target = fs::read_link(path).unwrap_or_default();
        match fs::canonicalize(path) {
            Ok(resolved) if resolved.starts_with(&self.root) => Ok(()),
            Ok(_) => Err(Diagnostic::error(
                path,
                format!(
                    "symbolic link leads outside the site (to {}); refusing to read it",
                    target.display()
                ),
            )
            .with_hint(
                "gen reads only files inside the site's folder: copy the file into the site, or remove the link",
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Diagnostic::error(
                path,
                format!("symbolic link points at nothing (to {})", target.display()),
            )
            .with_hint("remove the link, or make it point at a file inside the site")),
            Err(e) => Err(Diagnostic::error(
                path,
                format!("symbolic link cannot be followed (to {}): {e}", target.display()),
            )
            .with_hint("a link that leads back to itself is a loop: remove it, or point it at a file inside the site")),
        }
    }

    /// A walk error as a diagnostic; `None` for what the walk reports elsewhere or skips.
    fn walk_problem(
        &self,
        error: &walkdir::Error,
        skip: &dyn Fn(&str) -> bool,
    ) -> Option<Diagnostic> {
        let path = error.path()?;
        if path.file_name().is_some_and(|n| skip(&n.to_string_lossy())) {
            return None;
        }
        if let Some(ancestor) = error.loop_ancestor() {
            return Some(loop_error(path, ancestor));
        }
        if let Err(d) = self.check(path) {
            // A link that dangles or loops: walkdir could not follow it to the filter.
            return Some(d);
        }
        let reason = error
            .io_error()
            .map_or_else(|| error.to_string(), ToString::to_string);
        Some(Diagnostic::error(
            path,
            format!("cannot read folder: {reason}"),
        ))
    }
}

fn loop_error(link: &Path, target: &Path) -> Diagnostic {
    Diagnostic::error(
        link,
        format!(
            "symbolic link loop (back to {}); refusing to follow it",
            target.display()
        ),
    )
    .with_hint("remove the link, or point it at a file or folder that does not contain it")
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
    use std::fs;

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
