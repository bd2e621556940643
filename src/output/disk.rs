//! Writing, deleting and flushing files, each failure a diagnostic naming the path, the
//! system's reason, and that the previous site was kept.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::OutputFile;
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

/// Writes through a temporary file renamed over `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
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
