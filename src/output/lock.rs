//! One build at a time per output folder. Two builds into one folder (CI and `gen watch`, or
//! two terminals) would each bring the spare copy up to date and swap it in; interleaved, they
//! published sites with half their files. A build holds an advisory lock on `.<name>.lock`
//! beside the output folder from the moment it touches the spare until the swap is done. The
//! system drops the lock when its holder exits, however it exits, so a lock left by a killed
//! build never blocks the next one.

use std::fs::{self, File, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// What a build does when another one holds its output folder.
#[derive(Debug, Clone, Copy)]
pub enum Busy {
    /// Wait for it, after calling `notice` with a message naming the other build.
    Wait { notice: fn(&str) },
    /// Fail at once.
    Fail,
}

impl Default for Busy {
    fn default() -> Self {
        Busy::Wait { notice: |_| {} }
    }
}

/// The lock on one output folder, held until dropped.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

/// The lock file of the output folder `output`: `.<name>.lock` beside it.
pub fn lock_path(parent: &Path, name: &str) -> PathBuf {
    parent.join(format!(".{name}.lock"))
}

impl OutputLock {
    /// Takes the lock at `path`, waiting or failing as `busy` says.
    pub fn acquire(path: &Path, busy: Busy) -> Result<OutputLock, Diagnostic> {
        // gen makes the lock a plain file. Opening a symbolic link in its place would empty
        // and overwrite the file it leads to (a link a cloned repository put there, say).
        if fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(Diagnostic::error(
                path,
                "the build lock is not a file gen made; refusing to open it",
            )
            .with_hint(
                "delete it (gen makes a new one) and build again; the previous site was kept",
            ));
        }
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| {
                Diagnostic::error(path, format!("cannot create the build lock: {e}")).with_hint(
                    "gen needs to write beside the output folder; the previous site was kept",
                )
            })?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = holder(&mut file);
                match busy {
                    Busy::Fail => return Err(busy_error(path, holder)),
                    Busy::Wait { notice } => {
                        notice(&busy_message(holder));
                        file.lock().map_err(|e| lock_error(path, &e))?;
                    }
                }
            }
            Err(TryLockError::Error(e)) => return Err(lock_error(path, &e)),
        }
        // The holder's id, for the message a second build prints; not needed for safety.
        let _ = file
            .set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| write!(file, "{}", std::process::id()));
        Ok(OutputLock { _file: file })
    }
}

fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

/// The message a second build gets.
fn busy_message(holder: Option<u32>) -> String {
    match holder {
        Some(pid) => format!("another build of this output is running (pid {pid})"),
        None => "another build of this output is running".to_owned(),
    }
}

fn busy_error(path: &Path, holder: Option<u32>) -> Diagnostic {
    Diagnostic::error(path, busy_message(holder))
        .with_hint("wait for it to finish, or run without --no-wait to wait for it")
}

fn lock_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(path, format!("cannot lock the output folder: {e}"))
        .with_hint("the previous site was kept")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_fails_or_waits_and_a_dropped_lock_frees_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = lock_path(dir.path(), "public");
        let first = OutputLock::acquire(&path, Busy::Fail).unwrap();
        let e = OutputLock::acquire(&path, Busy::Fail).unwrap_err();
        let pid = std::process::id();
        assert_eq!(
            e.message,
            format!("another build of this output is running (pid {pid})")
        );
        drop(first);
        let again = OutputLock::acquire(&path, Busy::Fail);
        assert!(again.is_ok());
    }
}
