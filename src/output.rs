//! Pages → disk. Everything is written to a staging folder beside the output folder and
//! swapped in only when all of it was written, so a failed or interrupted build leaves the
//! previous site as it was. Knows bytes and paths only.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// A file in every folder gen writes, so gen never replaces a folder it did not make.
pub const MARKER: &str = ".gen-output";

/// One file to publish, at a `/`-separated path relative to the output folder.
pub struct OutputFile<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
}

/// Writes `files` as the new contents of `output`, atomically replacing what was there.
pub fn publish<'a>(
    output: &Path,
    files: impl Iterator<Item = OutputFile<'a>>,
) -> Result<(), Diagnostic> {
    let (parent, name) = split(output)?;
    fs::create_dir_all(&parent).map_err(|e| io_error(&parent, "cannot create folder", &e))?;
    remove_leftovers(&parent, &name);
    ensure_replaceable(output)?;

    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.staging-{pid}"));
    let result = write_all(&staging, files)
        .and_then(|()| swap(&staging, output, &parent.join(format!(".{name}.old-{pid}"))));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// Brings an output folder gen wrote up to date in place (for `gen watch`): writes `files`
/// (each through a temporary file renamed over the old one, so a reader never sees half a
/// file) and deletes `removed`, then any folder they leave empty.
pub fn update<'a>(
    output: &Path,
    files: impl Iterator<Item = OutputFile<'a>>,
    removed: &[String],
) -> Result<(), Diagnostic> {
    if !output.join(MARKER).is_file() {
        return Err(Diagnostic::error(
            output,
            "the output folder is not one gen wrote; refusing to update it",
        ));
    }
    for file in files {
        let path = output.join(file.path);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_error(dir, "cannot create folder", &e))?;
        }
        let temp = path.with_file_name(format!(
            ".{}.gen-tmp",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        fs::write(&temp, file.bytes)
            .and_then(|()| fs::rename(&temp, &path))
            .map_err(|e| {
                let _ = fs::remove_file(&temp);
                io_error(&path, "cannot write", &e)
            })?;
    }
    for rel in removed {
        let path = output.join(rel);
        let _ = fs::remove_file(&path);
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != output) {
            if fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
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

/// An existing output folder must be one gen wrote (it has the marker) or be empty.
fn ensure_replaceable(output: &Path) -> Result<(), Diagnostic> {
    let Ok(meta) = fs::symlink_metadata(output) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(
            Diagnostic::error(output, "the output path exists and is not a folder")
                .with_hint("move it away or choose another folder with --output"),
        );
    }
    let empty = fs::read_dir(output)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if empty || output.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(Diagnostic::error(output, "the output folder holds files gen did not write; refusing to replace it")
            .with_hint(format!("move its files into static/ or elsewhere and delete the folder, or choose another with --output (gen marks its own output with a {MARKER} file)")))
    }
}

fn write_all<'a>(
    staging: &Path,
    files: impl Iterator<Item = OutputFile<'a>>,
) -> Result<(), Diagnostic> {
    fs::create_dir_all(staging)
        .map_err(|e| io_error(staging, "cannot create staging folder", &e))?;
    fs::write(
        staging.join(MARKER),
        "written by gen; this folder is replaced on every build\n",
    )
    .map_err(|e| io_error(staging, "cannot write", &e))?;
    for file in files {
        let path = staging.join(file.path);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_error(dir, "cannot create folder", &e))?;
        }
        let write = || -> std::io::Result<()> {
            let mut out = BufWriter::new(fs::File::create(&path)?);
            out.write_all(file.bytes)?;
            out.flush()
        };
        write().map_err(|e| io_error(&path, "cannot write", &e))?;
    }
    Ok(())
}

fn swap(staging: &Path, output: &Path, old: &Path) -> Result<(), Diagnostic> {
    let had_output = output.exists();
    if had_output {
        fs::rename(output, old)
            .map_err(|e| io_error(output, "cannot move the previous site aside", &e))?;
    }
    if let Err(e) = fs::rename(staging, output) {
        if had_output {
            let _ = fs::rename(old, output);
        }
        return Err(io_error(output, "cannot move the new site into place", &e));
    }
    if had_output {
        let _ = fs::remove_dir_all(old);
    }
    Ok(())
}

/// Removes staging and old folders that a killed build left behind.
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

    fn files<'a>(list: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = OutputFile<'a>> {
        list.iter().map(|(p, b)| OutputFile {
            path: p,
            bytes: b.as_bytes(),
        })
    }

    #[test]
    fn publishes_and_replaces_its_own_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        publish(
            &out,
            files(&[("index.html", "one"), ("events/a/index.html", "a")]),
        )
        .unwrap();
        publish(&out, files(&[("index.html", "two")])).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!out.join("events").exists());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn refuses_a_folder_it_did_not_write() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("CNAME"), "example.org").unwrap();
        let e = publish(&out, files(&[("index.html", "x")])).unwrap_err();
        assert!(e.message.contains("did not write"), "{e:?}");
        assert_eq!(
            fs::read_to_string(out.join("CNAME")).unwrap(),
            "example.org"
        );
    }

    #[test]
    fn leftovers_of_killed_builds_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".public.staging-999999999");
        fs::create_dir(&stale).unwrap();
        publish(&dir.path().join("public"), files(&[("index.html", "x")])).unwrap();
        assert!(!stale.exists());
    }
}
