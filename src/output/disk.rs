//! Writing, deleting and flushing files, each failure a diagnostic naming the path, the
//! system's reason, and that the previous site was kept.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{CopiedFile, OutputFile};
use crate::diagnostics::Diagnostic;

/// Writes `files` under `dir` (each through a temporary file renamed over the old one when
/// `atomic`, so a reader never sees half a file).
pub fn write_files(dir: &Path, files: &[&OutputFile<'_>], atomic: bool) -> Result<(), Diagnostic> {
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

/// Copies each of `files` to its path under `dir` (a new file: `dir` is the spare copy).
pub fn copy_files(dir: &Path, files: &[&CopiedFile]) -> Result<(), Diagnostic> {
    let folders: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| dir.join(&f.path).parent().map(Path::to_path_buf))
        .collect();
    for folder in &folders {
        fs::create_dir_all(folder).map_err(|e| io_error(folder, "cannot create folder", &e))?;
    }
    files.par_iter().try_for_each(|f| {
        let path = dir.join(&f.path);
        // Removed first: the spare may hold an older file of that name (hard-linked nowhere,
        // but `fs::copy` would write through a link the folder was given behind gen's back).
        let _ = fs::remove_file(&path);
        fs::copy(&f.from, &path)
            .map(drop)
            .map_err(|e| io_error(&path, "cannot copy", &e))
    })
}

/// Writes through a temporary file renamed over `path`. The temporary file has a name of its
/// own beside `path` (hidden, ending `.gen-tmp`, which `gen watch` ignores), so two writers
/// never share one, and it is deleted when any step fails; a leftover from a killed build
/// fails the spare's manifest check, so the spare is rebuilt whole rather than published.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    // Opened here rather than by `tempfile_in`, which makes the file readable by its owner
    // only (a web server serving the folder as another user could not read it) and puts the
    // temporary name in its error messages.
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".gen-tmp")
        .make_in(path.parent().unwrap_or(Path::new("")), |temp| {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(temp)
        })
        .map_err(|e| io_error(path, "cannot write", &e))?;
    temp.as_file_mut()
        .write_all(bytes)
        .map_err(|e| io_error(path, "cannot write", &e))?;
    temp.persist(path)
        .map(drop)
        .map_err(|e| io_error(path, "cannot write", &e.error))
}

/// Deletes files (relative to `dir`) and then the folders they leave empty.
pub fn remove_files(dir: &Path, removed: &[String]) {
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

/// Puts everything written to the file system holding `dir` on the disk, so that a power cut
/// after the swap that follows finds whole files, not zero-length ones. Linux only
/// (`syncfs`); elsewhere only the folder's own entries are flushed.
pub fn flush(dir: &Path) -> Result<(), Diagnostic> {
    let folder = fs::File::open(dir).map_err(|e| io_error(dir, "cannot open", &e))?;
    #[cfg(target_os = "linux")]
    rustix::fs::syncfs(&folder)
        .map_err(|e| io_error(dir, "cannot flush to disk", &std::io::Error::from(e)))?;
    #[cfg(not(target_os = "linux"))]
    folder
        .sync_all()
        .map_err(|e| io_error(dir, "cannot flush to disk", &e))?;
    Ok(())
}

/// Puts a folder's own entries (names renamed into or out of it) on the disk.
pub fn flush_folder(dir: &Path) -> Result<(), Diagnostic> {
    fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error(dir, "cannot flush to disk", &e))
}

pub fn io_error(path: &Path, what: &str, error: &std::io::Error) -> Diagnostic {
    let hint = match error.kind() {
        std::io::ErrorKind::PermissionDenied => {
            "check the folder's permissions; the previous site was kept"
        }
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
            "free some space on the disk and build again; the previous site was kept"
        }
        std::io::ErrorKind::ReadOnlyFilesystem => {
            "the disk is mounted read-only; the previous site was kept"
        }
        _ => "the previous site was kept",
    };
    Diagnostic::error(path, format!("{what}: {error}")).with_hint(hint)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::super::tests::names;
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_file_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.html");
        write_atomically(&path, b"old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["index.html"]);
        // As readable as a file written in place, not owner-only like tempfile's own files.
        let plain = dir.path().join("plain");
        fs::write(&plain, b"x").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&path), mode(&plain));
    }

    #[test]
    fn a_failed_atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A folder with a file in it where the page goes: the rename over it fails.
        let path = dir.path().join("index.html");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("keep"), b"x").unwrap();
        let error = write_atomically(&path, b"page").unwrap_err();
        assert_eq!(error.path, path);
        assert!(error.message.starts_with("cannot write: "), "{error:?}");
        assert!(!error.message.contains("gen-tmp"), "{error:?}");
        assert_eq!(error.hint.as_deref(), Some("the previous site was kept"));
        assert_eq!(names(dir.path()), ["index.html"]);
    }

    #[test]
    fn a_write_into_a_missing_folder_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone").join("index.html");
        let error = write_atomically(&path, b"page").unwrap_err();
        assert_eq!(error.path, path);
        assert!(
            error
                .message
                .starts_with("cannot write: No such file or directory"),
            "{error:?}"
        );
        assert!(!error.message.contains("gen-tmp"), "{error:?}");
    }
}
