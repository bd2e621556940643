//! The manifest (`.gen-output`) in every folder gen writes: each file's fingerprint and size.
//! gen never replaces a folder without one, and skips writing a file whose fingerprint it
//! records. Before reusing a folder, gen checks that the files on disk are exactly those the
//! manifest lists, with the sizes it records, and none changed since the manifest was written
//! (the manifest is written last, so a newer file was changed behind gen's back): a folder
//! another process changed is never published as gen's. Reading every file back to compare
//! fingerprints would cost as much as writing the site.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use walkdir::WalkDir;

use super::disk::write_atomically;
use crate::diagnostics::Diagnostic;

/// The manifest in every folder gen writes; gen never replaces a folder without it.
pub const MARKER: &str = ".gen-output";
const HEADER: &str = concat!("gen-output 1 ", env!("CARGO_PKG_VERSION"));
pub(super) const DIRTY: &str = "gen-output dirty: an update of this folder did not finish\n";

/// A file's fingerprint and size.
pub type Print = (u64, u64);

/// What a folder gen wrote holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest(pub(super) BTreeMap<String, Print>);

/// A file's fingerprint and size, as the manifest records them. XXH3 rather than the
/// standard hasher: every rendered byte goes through it, tens of megabytes per build.
pub fn fingerprint(bytes: &[u8]) -> Print {
    (xxhash_rust::xxh3::xxh3_64(bytes), bytes.len() as u64)
}

impl Manifest {
    /// True when the folder holds `path` with this fingerprint.
    pub fn holds(&self, path: &str, print: Print) -> bool {
        self.0.get(path) == Some(&print)
    }

    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    fn text(&self) -> String {
        let mut out = String::with_capacity(self.0.len() * 64 + HEADER.len() + 1);
        out.push_str(HEADER);
        out.push('\n');
        for (path, (hash, size)) in &self.0 {
            let _ = writeln!(out, "{hash:016x} {size} {path}");
        }
        out
    }

    /// Reads a folder's manifest; `None` when it is missing, dirty or from another version.
    pub(super) fn read(dir: &Path) -> Option<Manifest> {
        let text = fs::read_to_string(dir.join(MARKER)).ok()?;
        let mut lines = text.lines();
        if lines.next()? != HEADER {
            return None;
        }
        let mut map = BTreeMap::new();
        for line in lines {
            let mut parts = line.splitn(3, ' ');
            let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
            let size = parts.next()?.parse().ok()?;
            map.insert(parts.next()?.to_owned(), (hash, size));
        }
        Some(Manifest(map))
    }

    pub(super) fn write(&self, dir: &Path) -> Result<(), Diagnostic> {
        write_atomically(&dir.join(MARKER), self.text().as_bytes())
    }

    /// True when `dir` holds exactly the files listed, each of the size recorded and none
    /// modified after the manifest (see the module doc).
    pub(super) fn matches(&self, dir: &Path) -> bool {
        let Some(written) = fs::metadata(dir.join(MARKER))
            .ok()
            .and_then(|m| modified(&m))
        else {
            return false;
        };
        let Some(found) = list(dir).filter(|found| found.len() == self.0.len()) else {
            return false;
        };
        found.par_iter().all(|(rel, path)| {
            let Some((_, size)) = self.0.get(rel) else {
                return false;
            };
            fs::symlink_metadata(path).is_ok_and(|m| {
                m.file_type().is_file()
                    && m.len() == *size
                    && modified(&m).is_some_and(|t| t <= written)
            })
        })
    }
}

/// A file's modification time, in nanoseconds since 1970.
fn modified(meta: &fs::Metadata) -> Option<u64> {
    let since = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    u64::try_from(since.as_nanos()).ok()
}

/// Every entry under `dir` but its folders and the manifest, as (`/`-separated relative path,
/// full path); `None` when any folder cannot be read, which fails the check (the folder is
/// rebuilt whole, and that reports what cannot be read or deleted). Links are listed, not
/// followed, so one fails the check as not a file.
fn list(dir: &Path) -> Option<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for entry in WalkDir::new(dir).min_depth(1) {
        let entry = entry.ok()?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).ok()?;
        if rel == Path::new(MARKER) {
            continue;
        }
        let rel: Vec<_> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect();
        out.push((rel.join("/"), entry.into_path()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let m = Manifest(BTreeMap::from([("a b/index.html".to_owned(), (7, 3))]));
        let dir = tempfile::tempdir().unwrap();
        m.write(dir.path()).unwrap();
        assert_eq!(Manifest::read(dir.path()), Some(m));
    }

    #[test]
    fn a_folder_matches_only_when_every_file_is_as_recorded() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("a")).unwrap();
        fs::write(dir.path().join("a/x.html"), "xx").unwrap();
        let m = Manifest(BTreeMap::from([(
            "a/x.html".to_owned(),
            fingerprint(b"xx"),
        )]));
        m.write(dir.path()).unwrap();
        assert!(m.matches(dir.path()));
        fs::write(dir.path().join("stray.html"), "").unwrap();
        assert!(!m.matches(dir.path()), "an extra file");
        fs::remove_file(dir.path().join("stray.html")).unwrap();
        fs::write(dir.path().join("a/x.html"), "yy").unwrap();
        assert!(!m.matches(dir.path()), "a file changed after the manifest");
        m.write(dir.path()).unwrap();
        assert!(m.matches(dir.path()));
        fs::write(dir.path().join("a/x.html"), "yyy").unwrap();
        m.write(dir.path()).unwrap();
        assert!(!m.matches(dir.path()), "a file of another size");
        fs::remove_file(dir.path().join("a/x.html")).unwrap();
        assert!(!m.matches(dir.path()), "a missing file");
    }

    #[test]
    fn a_link_in_place_of_a_file_or_folder_fails_the_check() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        fs::write(elsewhere.path().join("x.html"), "xx").unwrap();
        let m = Manifest(BTreeMap::from([(
            "a/x.html".to_owned(),
            fingerprint(b"xx"),
        )]));
        fs::create_dir(dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path().join("x.html"), dir.path().join("a/x.html"))
            .unwrap();
        m.write(dir.path()).unwrap();
        assert!(!m.matches(dir.path()), "a link to a file");
        fs::remove_dir_all(dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("a")).unwrap();
        m.write(dir.path()).unwrap();
        assert!(!m.matches(dir.path()), "a link to a folder");
    }
}
