//! Pages → disk, without ever showing a half-written site.
//!
//! Two copies of the site live side by side: `public/` (served) and a hidden spare,
//! `.public.spare/`, holding the build before it. A build brings the spare up to date (writing
//! only the files whose bytes changed, deleting those that are gone), puts it on the disk, and
//! then exchanges the two folders in one atomic rename. A failed or interrupted build touches
//! only the spare, so the served site stays as it was, and a rebuild of a large site writes only
//! what changed. Each folder carries a manifest (see [`manifest`]); gen never replaces a folder
//! without one, and rebuilds the spare whole unless its files are exactly those the manifest
//! lists. One build at a time holds the output folder (see [`lock`]). Knows bytes and paths only.

mod disk;
mod lock;
mod manifest;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use disk::{
    copy_files, flush, flush_folder, io_error, remove_files, write_atomically, write_files,
};
pub use lock::{Busy, OutputLock};
use manifest::DIRTY;
pub use manifest::{MARKER, Manifest, Print, fingerprint};

/// One file to publish, at a `/`-separated path relative to the output folder.
#[derive(Clone, Copy)]
pub struct OutputFile<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
}

/// A file to publish by copying an existing one (a processed image in the media cache), with
/// its fingerprint known beforehand so an unchanged copy is never read.
#[derive(Debug, Clone)]
pub struct CopiedFile {
    pub path: String,
    pub from: PathBuf,
    pub print: Print,
}

/// Publishes `files` as the new contents of `output` (see the module doc) and returns the
/// manifest of what `output` now holds.
pub fn publish(output: &Path, files: &[OutputFile<'_>]) -> Result<Manifest, Diagnostic> {
    let mut publisher = Publisher::begin(output, Busy::default())?;
    publisher.add(files)?;
    publisher.finish().map(|(manifest, _)| manifest)
}

/// Takes the lock of the output folder `output` (see [`lock`]).
pub fn lock(output: &Path, busy: Busy) -> Result<OutputLock, Diagnostic> {
    let (parent, name) = split(output)?;
    fs::create_dir_all(&parent).map_err(|e| io_error(&parent, "cannot create folder", &e))?;
    OutputLock::acquire(&lock::lock_path(&parent, &name), busy)
}

/// How a folder gen wrote looked on disk when gen last wrote it: another process that
/// replaced or rewrote it since (a `gen build` beside `gen watch`) changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    device: u64,
    inode: u64,
    modified: Option<std::time::SystemTime>,
}

/// The stamp of the folder `dir` (of its manifest); `None` when it has none.
pub fn stamp(dir: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = fs::metadata(dir.join(MARKER)).ok()?;
    Some(Stamp {
        device: meta.dev(),
        inode: meta.ino(),
        modified: meta.modified().ok(),
    })
}

/// What `output` holds according to its manifest; empty when it has none or it is dirty.
pub fn manifest_of(output: &Path) -> Manifest {
    Manifest::read(output).unwrap_or_default()
}

/// A publish in progress: files are added as they are ready (so a large site need not be
/// held in memory), and nothing reaches `output` before [`Publisher::finish`].
pub struct Publisher {
    output: PathBuf,
    spare: PathBuf,
    previous: Manifest,
    manifest: Manifest,
    lock: OutputLock,
}

impl Publisher {
    /// Takes the output folder's lock, checks both folders are gen's, and readies the spare
    /// copy, marked unfinished.
    pub fn begin(output: &Path, busy: Busy) -> Result<Publisher, Diagnostic> {
        let lock = lock(output, busy)?;
        let (parent, name) = split(output)?;
        remove_leftovers(&parent, &name);
        ensure_ours(output, "the output folder")?;
        let spare = parent.join(format!(".{name}.spare"));
        ensure_ours(&spare, "the spare copy of the site")?;
        let previous = Manifest::read(&spare).filter(|m| m.matches(&spare));
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
            lock,
        })
    }

    /// Writes into the spare those of `files` whose bytes it does not hold already.
    pub fn add(&mut self, files: &[OutputFile<'_>]) -> Result<(), Diagnostic> {
        let prints: Vec<Print> = files.par_iter().map(|f| fingerprint(f.bytes)).collect();
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

    /// Copies into the spare those of `files` it does not hold already.
    pub fn add_copies(&mut self, files: &[CopiedFile]) -> Result<(), Diagnostic> {
        let stale: Vec<&CopiedFile> = files
            .iter()
            .filter(|f| !self.previous.holds(&f.path, f.print))
            .collect();
        copy_files(&self.spare, &stale)?;
        let prints = files.iter().map(|f| (f.path.clone(), f.print));
        self.manifest.0.extend(prints);
        Ok(())
    }

    /// Deletes from the spare what the new site no longer has, records the manifest, puts the
    /// new site on the disk, and exchanges the spare with `output`. Returns the manifest and
    /// the lock, still held, for a caller that goes on writing (`gen watch`).
    pub fn finish(self) -> Result<(Manifest, OutputLock), Diagnostic> {
        let gone: Vec<String> = self
            .previous
            .paths()
            .filter(|p| !self.manifest.0.contains_key(p.as_str()))
            .cloned()
            .collect();
        remove_files(&self.spare, &gone);
        self.manifest.write(&self.spare)?;
        flush(&self.spare)?;
        exchange(&self.spare, &self.output)?;
        if let Some(parent) = self.output.parent() {
            flush_folder(parent)?;
        }
        Ok((self.manifest, self.lock))
    }
}

/// Brings an output folder gen wrote up to date in place (for `gen watch`, which holds its
/// lock): writes `files` (each through a temporary file renamed over the old one, so a reader
/// never sees half a file), deletes `removed` and any folder they leave empty, and records
/// both in `manifest`. HTML pages are written first, since they are what an editor is looking
/// at; returns when they were all in place.
pub fn update(
    output: &Path,
    files: &[(OutputFile<'_>, Print)],
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
    // Named like the leftovers `remove_leftovers` deletes: a build killed between the two
    // renames leaves the previous site here, and the next build clears it instead of failing
    // for good to move its own previous site aside onto a fixed name that is taken.
    let name = output.file_name().unwrap_or_default().to_string_lossy();
    let aside = spare.with_file_name(format!(".{name}.old-{}", std::process::id()));
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
/// spare being deleted, a previous site moved aside by a swap without renameat2, or the
/// staging folders of earlier versions).
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

    /// The names in `dir`, sorted (also used by the tests of `disk`).
    pub(super) fn names(dir: &Path) -> Vec<String> {
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
        assert_eq!(
            names(dir.path()),
            vec![".public.lock", ".public.spare", "public"]
        );
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
        assert_eq!(
            names(dir.path()),
            vec![".public.lock", ".public.spare", "public"]
        );
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
        assert_eq!(
            names(dir.path()),
            vec![".public.lock", ".public.spare", "public"]
        );
    }

    #[test]
    fn a_new_spare_appears_with_its_marker() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let publisher = Publisher::begin(&out, Busy::Fail).unwrap();
        let spare = dir.path().join(".public.spare");
        assert_eq!(fs::read_to_string(spare.join(MARKER)).unwrap(), DIRTY);
        assert_eq!(names(&spare), vec![MARKER]);
        assert_eq!(names(dir.path()), vec![".public.lock", ".public.spare"]);
        publisher.finish().unwrap();
        assert_eq!(names(dir.path()), vec![".public.lock", "public"]);
    }

    #[test]
    fn a_spare_changed_behind_gens_back_is_rebuilt_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let site = [("a.html", "1"), ("b/c.html", "2"), ("d.css", "3")];
        let spare = dir.path().join(".public.spare");
        for tamper in [
            |s: &Path| fs::remove_file(s.join("b/c.html")).unwrap(),
            |s: &Path| fs::write(s.join("stray.html"), "x").unwrap(),
            |s: &Path| fs::write(s.join("d.css"), "4").unwrap(),
            // What an atomic write killed half-way leaves.
            |s: &Path| fs::write(s.join("b/.c.html.k3Jx9q.gen-tmp"), "x").unwrap(),
        ] {
            publish(&out, &files(&site)).unwrap();
            publish(&out, &files(&site)).unwrap();
            tamper(&spare);
            publish(&out, &files(&site)).unwrap();
            assert_eq!(names(&out), vec![MARKER, "a.html", "b", "d.css"]);
            assert_eq!(names(&out.join("b")), vec!["c.html"]);
            assert_eq!(fs::read_to_string(out.join("b/c.html")).unwrap(), "2");
            assert_eq!(fs::read_to_string(out.join("d.css")).unwrap(), "3");
        }
    }

    #[test]
    fn leftovers_of_killed_builds_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".public.staging-999999999");
        fs::create_dir(&stale).unwrap();
        publish(&dir.path().join("public"), &files(&[("index.html", "x")])).unwrap();
        assert!(!stale.exists());
    }
}
