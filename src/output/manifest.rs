//! The manifest (`.gen-output`) in every folder gen writes: each file's fingerprint, size and
//! modification time. gen never replaces a folder without one, skips writing a file whose
//! fingerprint it records, and before reusing a folder checks that the files on disk are
//! exactly those it lists, with the sizes and times it recorded (as git's index and make do),
//! so a file changed, added or deleted behind gen's back is never published as gen's.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::UNIX_EPOCH;

use rayon::prelude::*;

use super::disk::write_atomically;
use crate::diagnostics::Diagnostic;

/// The manifest in every folder gen writes; gen never replaces a folder without it.
pub const MARKER: &str = ".gen-output";
const HEADER: &str = concat!("gen-output 2 ", env!("CARGO_PKG_VERSION"));
pub(super) const DIRTY: &str = "gen-output dirty: an update of this folder did not finish\n";

/// A file's fingerprint and size.
pub type Print = (u64, u64);

/// What gen knows of one file it wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record {
    pub print: Print,
    /// Modification time in nanoseconds since 1970, as read back after writing.
    pub modified: u64,
}

/// What a folder gen wrote holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest(pub(super) BTreeMap<String, Record>);

/// A file's fingerprint and size, as the manifest records them. XXH3 rather than the
/// standard hasher: every rendered byte goes through it, tens of megabytes per build.
pub fn fingerprint(bytes: &[u8]) -> Print {
    (xxhash_rust::xxh3::xxh3_64(bytes), bytes.len() as u64)
}

impl Manifest {
    /// True when the folder holds `path` with this fingerprint.
    pub fn holds(&self, path: &str, print: Print) -> bool {
        self.0.get(path).is_some_and(|r| r.print == print)
    }

    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    fn text(&self) -> String {
        let mut out = String::with_capacity(self.0.len() * 80 + HEADER.len() + 1);
        out.push_str(HEADER);
        out.push('\n');
        for (path, r) in &self.0 {
            let _ = writeln!(out, "{:016x} {} {} {path}", r.print.0, r.print.1, r.modified);
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
            let mut parts = line.splitn(4, ' ');
            let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
            let size = parts.next()?.parse().ok()?;
            let modified = parts.next()?.parse().ok()?;
            let record = Record {
                print: (hash, size),
                modified,
            };
            map.insert(parts.next()?.to_owned(), record);
        }
        Some(Manifest(map))
    }

    pub(super) fn write(&self, dir: &Path) -> Result<(), Diagnostic> {
        write_atomically(&dir.join(MARKER), self.text().as_bytes()).map(|_| ())
    }

    /// True when `dir` holds exactly the files listed, each with the size and modification
    /// time recorded (the manifest itself and gen's temporary files aside).
    pub(super) fn matches(&self, dir: &Path) -> bool {
        let mut found = Vec::with_capacity(self.0.len());
        if !list(dir, "", &mut found) || found.len() != self.0.len() {
            return false;
        }
        found.par_iter().all(|(rel, path)| {
            let Some(record) = self.0.get(rel) else {
                return false;
            };
            fs::symlink_metadata(path).is_ok_and(|m| {
                m.file_type().is_file()
                    && m.len() == record.print.1
                    && modified(&m) == Some(record.modified)
            })
        })
    }
}

/// A file's modification time as the manifest records it.
pub(super) fn modified(meta: &fs::Metadata) -> Option<u64> {
    let since = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    u64::try_from(since.as_nanos()).ok()
}

/// Collects every entry under `dir` as (`/`-separated relative path, full path), except the
/// manifest; false when a folder cannot be read.
fn list(dir: &Path, prefix: &str, out: &mut Vec<(String, std::path::PathBuf)>) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    for entry in entries {
        let Ok(entry) = entry else {
            return false;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if prefix.is_empty() && name == MARKER {
            continue;
        }
        let rel = format!("{prefix}{name}");
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            if !list(&entry.path(), &format!("{rel}/"), out) {
                return false;
            }
        } else {
            out.push((rel, entry.path()));
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let record = Record {
            print: (7, 3),
            modified: 1_750_000_000_123_456_789,
        };
        let m = Manifest(BTreeMap::from([("a b/index.html".to_owned(), record)]));
        let dir = tempfile::tempdir().unwrap();
        m.write(dir.path()).unwrap();
        assert_eq!(Manifest::read(dir.path()), Some(m));
    }

    #[test]
    fn a_folder_matches_only_when_every_file_is_as_recorded() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("a")).unwrap();
        fs::write(dir.path().join("a/x.html"), "xx").unwrap();
        let meta = fs::metadata(dir.path().join("a/x.html")).unwrap();
        let record = Record {
            print: fingerprint(b"xx"),
            modified: modified(&meta).unwrap(),
        };
        let m = Manifest(BTreeMap::from([("a/x.html".to_owned(), record)]));
        m.write(dir.path()).unwrap();
        assert!(m.matches(dir.path()));
        fs::write(dir.path().join("stray.html"), "").unwrap();
        assert!(!m.matches(dir.path()), "an extra file");
        fs::remove_file(dir.path().join("stray.html")).unwrap();
        fs::write(dir.path().join("a/x.html"), "yyy").unwrap();
        assert!(!m.matches(dir.path()), "a changed file");
        fs::remove_file(dir.path().join("a/x.html")).unwrap();
        assert!(!m.matches(dir.path()), "a missing file");
    }
}
