//! Pages → disk, without ever showing a half-written site.
//!
//! Two copies of the site live side by side: `public/` (served) and a hidden spare,
//! `.public.spare/`, holding the build before it. A build brings the spare up to date (writing
//! only the files whose bytes changed, deleting those that are gone) and then exchanges the two
//! folders in one atomic rename. A failed or interrupted build touches only the spare, so the
//! served site stays as it was, and a rebuild of a large site writes only what changed.
//! Each folder carries a manifest (`.gen-output`) of its files and their fingerprints; gen
//! never replaces a folder without one. Knows bytes and paths only.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;

/// The manifest in every folder gen writes; gen never replaces a folder without it.
pub const MARKER: &str = ".gen-output";
const HEADER: &str = concat!("gen-output 1 ", env!("CARGO_PKG_VERSION"));
const DIRTY: &str = "gen-output dirty: an update of this folder did not finish\n";

/// One file to publish, at a `/`-separated path relative to the output folder.
#[derive(Clone, Copy)]
pub struct OutputFile<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
}

/// What a folder gen wrote holds: each file's fingerprint and size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest(BTreeMap<String, (u64, u64)>);

/// A file's fingerprint and size, as the manifest records them. XXH3 rather than the
/// standard hasher: every rendered byte goes through it, tens of megabytes per build.
pub fn fingerprint(bytes: &[u8]) -> (u64, u64) {
    (xxhash_rust::xxh3::xxh3_64(bytes), bytes.len() as u64)
}

impl Manifest {
    /// True when the folder holds `path` with this fingerprint.
    pub fn holds(&self, path: &str, print: (u64, u64)) -> bool {
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
    fn read(dir: &Path) -> Option<Manifest> {
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

    fn write(&self, dir: &Path) -> Result<(), Diagnostic> {
        write_atomically(&dir.join(MARKER), self.text().as_bytes())
    }
}

/// Publishes `files` as the new contents of `output` (see the module doc) and returns the
/// manifest of what `output` now holds.
pub fn publish(output: &Path, files: &[OutputFile<'_>]) -> Result<Manifest, Diagnostic> {
    let mut publisher = Publisher::begin(output)?;
    publisher.add(files)?;
    publisher.finish()
}

/// A publish in progress: files are added as they are ready (so a large site need not be
/// held in memory), and nothing reaches `output` before [`Publisher::finish`].
pub struct Publisher {
    output: PathBuf,
    spare: PathBuf,
    previous: Manifest,
    manifest: Manifest,
}

impl Publisher {
    /// Checks both folders are gen's and readies the spare copy, marked unfinished.
    pub fn begin(output: &Path) -> Result<Publisher, Diagnostic> {
        let (parent, name) = split(output)?;
        fs::create_dir_all(&parent).map_err(|e| io_error(&parent, "cannot create folder", &e))?;
        remove_leftovers(&parent, &name);
        ensure_ours(output, "the output folder")?;
        let spare = parent.join(format!(".{name}.spare"));
        ensure_ours(&spare, "the spare copy of the site")?;
        let previous = Manifest::read(&spare);
        if previous.is_none() && spare.exists() {
            // Moved aside in one rename, then deleted: a build killed half-way through the
            // deletion must not leave a spare without its marker, which every later build
            // would refuse. What is left aside, `remove_leftovers` deletes next time.
            let aside = parent.join(format!(".{name}.old-{}", std::process::id()));
            let _ = fs::remove_dir_all(&aside);
            fs::rename(&spare, &aside)
                .and_then(|()| fs::remove_dir_all(&aside))
                .map_err(|e| io_error(&spare, "cannot clear the spare copy", &e))?;
        }
        // Until the new manifest is written, the spare is marked as unfinished.
        if spare.exists() {
            write_atomically(&spare.join(MARKER), DIRTY.as_bytes())?;
        } else {
            // A new spare is made under another name, marked, then renamed into place: a
            // build killed at any moment leaves no spare or a marked one, never a folder
            // holding only the marker's temporary file, which every later build would
            // refuse. What is left under the other name, `remove_leftovers` deletes.
            let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
            let _ = fs::remove_dir_all(&staging);
            fs::create_dir_all(&staging)
                .and_then(|()| fs::write(staging.join(MARKER), DIRTY))
                .and_then(|()| fs::rename(&staging, &spare))
                .map_err(|e| io_error(&spare, "cannot create the spare copy", &e))?;
        }
        Ok(Publisher {
            output: output.to_path_buf(),
            spare,
            previous: previous.unwrap_or_default(),
            manifest: Manifest::default(),
        })
    }

    /// Writes into the spare those of `files` whose bytes it does not hold already.
    pub fn add(&mut self, files: &[OutputFile<'_>]) -> Result<(), Diagnostic> {
        let prints: Vec<(u64, u64)> = files.par_iter().map(|f| fingerprint(f.bytes)).collect();
        let stale: Vec<&OutputFile<'_>> = files
            .iter()
            .zip(&prints)
            .filter(|(f, p)| !self.previous.holds(f.path, **p))
            .map(|(f, _)| f)
            .collect();
        write_files(&self.spare, &stale, false)?;
        self.manifest.0.extend(
            files
                .iter()
                .zip(prints)
                .map(|(f, p)| (f.path.to_owned(), p)),
        );
        Ok(())
    }

    /// Deletes from the spare what the new site no longer has, records the manifest, and
    /// exchanges the spare with `output`.
    pub fn finish(self) -> Result<Manifest, Diagnostic> {
        let gone: Vec<String> = self
            .previous
            .paths()
            .filter(|p| !self.manifest.0.contains_key(p.as_str()))
            .cloned()
            .collect();
        remove_files(&self.spare, &gone);
        self.manifest.write(&self.spare)?;
        exchange(&self.spare, &self.output)?;
        Ok(self.manifest)
    }
}

/// Brings an output folder gen wrote up to date in place (for `gen watch`): writes `files`
/// (each through a temporary file renamed over the old one, so a reader never sees half a
/// file), deletes `removed` and any folder they leave empty, and records both in `manifest`.
/// HTML pages are written first, since they are what an editor is looking at; returns when
/// they were all in place.
pub fn update(
    output: &Path,
    files: &[(OutputFile<'_>, (u64, u64))],
    removed: &[String],
    manifest: &mut Manifest,
) -> Result<Instant, Diagnostic> {
    if !output.join(MARKER).is_file() {
        return Err(Diagnostic::error(
            output,
            "the output folder is not one gen wrote; refusing to update it",
        ));
    }
    if files.is_empty() && removed.is_empty() {
        return Ok(Instant::now());
    }
    // Until the manifest is rewritten it is marked unfinished, so an update killed half-way
    // is never trusted later (when this folder has become the spare, it is rebuilt whole).
    write_atomically(&output.join(MARKER), DIRTY.as_bytes())?;
    let (pages, rest): (Vec<&OutputFile<'_>>, Vec<&OutputFile<'_>>) = files
        .iter()
        .map(|(f, _)| f)
        .partition(|f| f.path.ends_with(".html"));
    write_files(output, &pages, true)?;
    let pages_written = Instant::now();
    write_files(output, &rest, true)?;
    remove_files(output, removed);
    for (f, print) in files {
        manifest.0.insert(f.path.to_owned(), *print);
    }
    for r in removed {
        manifest.0.remove(r);
    }
    manifest.write(output)?;
    Ok(pages_written)
}

fn write_files(dir: &Path, files: &[&OutputFile<'_>], atomic: bool) -> Result<(), Diagnostic> {
    let folders: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| dir.join(f.path).parent().map(Path::to_path_buf))
        .collect();
    for folder in &folders {
        fs::create_dir_all(folder).map_err(|e| io_error(folder, "cannot create folder", &e))?;
    }
    files.par_iter().try_for_each(|f| {
        let path = dir.join(f.path);
        if atomic {
            write_atomically(&path, f.bytes)
        } else {
            fs::write(&path, f.bytes).map_err(|e| io_error(&path, "cannot write", &e))
        }
    })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.gen-tmp"));
    let result = fs::File::create(&temp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| fs::rename(&temp, path));
    result.map_err(|e| {
        let _ = fs::remove_file(&temp);
        io_error(path, "cannot write", &e)
    })
}

/// Deletes files (relative to `dir`) and then the folders they leave empty.
fn remove_files(dir: &Path, removed: &[String]) {
    for rel in removed {
        let path = dir.join(rel);
        let _ = fs::remove_file(&path);
        let mut folder = path.parent();
        while let Some(d) = folder.filter(|d| *d != dir) {
            if fs::remove_dir(d).is_err() {
                break;
            }
            folder = d.parent();
        }
    }
}

/// Puts `spare` in the place of `output` and `output` in the place of `spare`, atomically
/// where the system can (Linux), else with two renames.
fn exchange(spare: &Path, output: &Path) -> Result<(), Diagnostic> {
    if !output.exists() {
        return fs::rename(spare, output)
            .map_err(|e| io_error(output, "cannot move the new site into place", &e));
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, spare, CWD, output, RenameFlags::EXCHANGE).is_ok() {
            return Ok(());
        }
    }
    let aside = spare.with_extension("swap");
    fs::rename(output, &aside)
        .map_err(|e| io_error(output, "cannot move the previous site aside", &e))?;
    if let Err(e) = fs::rename(spare, output) {
        let _ = fs::rename(&aside, output);
        return Err(io_error(output, "cannot move the new site into place", &e));
    }
    fs::rename(&aside, spare)
        .map_err(|e| io_error(spare, "cannot keep the previous site as the spare", &e))
}

fn split(output: &Path) -> Result<(PathBuf, String), Diagnostic> {
    let name = output.file_name().map(|n| n.to_string_lossy().into_owned());
    let parent = output.parent().map(Path::to_path_buf);
    match (parent, name) {
        (Some(parent), Some(name)) => Ok((
            if parent.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                parent
            },
            name,
        )),
        _ => Err(Diagnostic::error(output, "cannot write the site here")
            .with_hint("choose a named folder, e.g. --output public")),
    }
}

/// A folder gen may replace: missing, empty, or holding gen's marker.
fn ensure_ours(dir: &Path, what: &str) -> Result<(), Diagnostic> {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(
            Diagnostic::error(dir, format!("{what} exists and is not a folder"))
                .with_hint("move it away or choose another folder with --output"),
        );
    }
    let empty = fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if empty || dir.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(Diagnostic::error(dir, format!("{what} holds files gen did not write; refusing to replace it")).with_hint(format!(
            "move its files into static/ or elsewhere and delete the folder, or choose another with --output (gen marks its own output with a {MARKER} file)"
        )))
    }
}

/// Removes the staging and old folders that killed builds left (a new spare being made, a
/// spare being deleted, or the staging folders of earlier versions).
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.staging-"), format!(".{name}.old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = prefixes
            .iter()
            .find_map(|p| file_name.strip_prefix(p.as_str()))
        else {
            continue;
        };
        let alive = pid
            .parse::<u32>()
            .is_ok_and(|p| p != std::process::id() && Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn io_error(path: &Path, what: &str, error: &std::io::Error) -> Diagnostic {
    let hint = match error.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "check the folder's permissions; the previous site was kept"
        }
        _ => "the previous site was kept",
    };
    Diagnostic::error(path, format!("{what}: {error}")).with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files<'a>(list: &'a [(&'a str, &'a str)]) -> Vec<OutputFile<'a>> {
        list.iter()
            .map(|(p, b)| OutputFile {
                path: p,
                bytes: b.as_bytes(),
            })
            .collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn publishes_replaces_and_keeps_the_previous_site_as_the_spare() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        publish(
            &out,
            &files(&[("index.html", "one"), ("events/a/index.html", "a")]),
        )
        .unwrap();
        publish(&out, &files(&[("index.html", "two")])).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!out.join("events").exists());
        assert_eq!(names(dir.path()), vec![".public.spare", "public"]);
        assert_eq!(
            fs::read_to_string(dir.path().join(".public.spare/index.html")).unwrap(),
            "one"
        );
        // The third build updates the spare in place: unchanged files keep their inode.
        let ino = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
        let before = ino(&dir.path().join(".public.spare/events/a/index.html"));
        publish(
            &out,
            &files(&[("index.html", "three"), ("events/a/index.html", "a")]),
        )
        .unwrap();
        assert_eq!(ino(&out.join("events/a/index.html")), before);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
    }

    #[test]
    fn refuses_a_folder_it_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("CNAME"), "example.org").unwrap();
        let e = publish(&out, &files(&[("index.html", "x")])).unwrap_err();
        assert!(e.message.contains("did not write"), "{e:?}");
        assert_eq!(
            fs::read_to_string(out.join("CNAME")).unwrap(),
            "example.org"
        );
    }

    #[test]
    fn an_unfinished_spare_is_rebuilt_from_scratch() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        publish(&out, &files(&[("a.html", "1")])).unwrap();
        publish(&out, &files(&[("a.html", "2")])).unwrap();
        let spare = dir.path().join(".public.spare");
        fs::write(spare.join("stray.html"), "left by a killed build").unwrap();
        fs::write(spare.join(MARKER), DIRTY).unwrap();
        publish(&out, &files(&[("a.html", "3")])).unwrap();
        assert_eq!(names(&out), vec![MARKER.to_owned(), "a.html".to_owned()]);
        // It was cleared by moving it aside first, and nothing is left aside.
        assert_eq!(names(dir.path()), vec![".public.spare", "public"]);
    }

    #[test]
    fn a_spare_a_killed_build_was_clearing_does_not_block_the_next_build() {
        // What a build killed while deleting an unfinished spare leaves: the spare moved
        // aside, half-deleted, its marker already gone.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        publish(&out, &files(&[("a.html", "1")])).unwrap();
        let aside = dir.path().join(".public.old-999999999");
        fs::create_dir_all(aside.join("tags")).unwrap();
        fs::write(aside.join("search.json"), "[]").unwrap();
        publish(&out, &files(&[("a.html", "2")])).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "2");
        assert_eq!(names(dir.path()), vec![".public.spare", "public"]);
    }

    #[test]
    fn a_new_spare_appears_with_its_marker() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let publisher = Publisher::begin(&out).unwrap();
        let spare = dir.path().join(".public.spare");
        assert_eq!(fs::read_to_string(spare.join(MARKER)).unwrap(), DIRTY);
        assert_eq!(names(&spare), vec![MARKER]);
        assert_eq!(names(dir.path()), vec![".public.spare"]);
        publisher.finish().unwrap();
        assert_eq!(names(dir.path()), vec!["public"]);
    }

    #[test]
    fn leftovers_of_killed_builds_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".public.staging-999999999");
        fs::create_dir(&stale).unwrap();
        publish(&dir.path().join("public"), &files(&[("index.html", "x")])).unwrap();
        assert!(!stale.exists());
    }

    #[test]
    fn manifest_round_trips() {
        let m = Manifest(BTreeMap::from([("a b/index.html".to_owned(), (7, 3))]));
        let dir = tempfile::tempdir().unwrap();
        m.write(dir.path()).unwrap();
        assert_eq!(Manifest::read(dir.path()), Some(m));
    }
}
