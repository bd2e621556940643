//! Finding the file a `src` names: relative to the naming file's folder, then under
//! `content/media/`, never outside `content/`, through no link that leaves the site, and no
//! larger than the site allows.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::confined::Confined;
use crate::diagnostics::Diagnostic;
use crate::model::{LocalFile, Spot};

/// A local media file found on disk.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    /// `/`-separated, relative to the site root.
    pub relative: String,
    pub meta: fs::Metadata,
}

/// Finds `file` for the item at `spot`.
pub fn find(
    root: &Path,
    file: &LocalFile,
    spot: &Spot,
    max_bytes: u64,
) -> Result<Found, Diagnostic> {
    let content = root.join("content");
    let candidates = [
        normalize(&Path::new(&file.dir).join(&file.written)),
        normalize(&content.join("media").join(&file.written)),
    ];
    let inside: Vec<&PathBuf> = candidates
        .iter()
        .flatten()
        .filter(|p| p.starts_with(&content))
        .collect();
    if inside.is_empty() {
        return Err(spot
            .error(format!(
                "`src` \"{}\" leads outside the content folder",
                file.written
            ))
            .with_hint("keep media under content/ (content/media/ is the usual place)"));
    }
    let Some(path) = inside.iter().find(|p| fs::symlink_metadata(p).is_ok()) else {
        return Err(missing(root, file, spot, &inside));
    };
    confined(root, path, spot)?;
    let meta = fs::metadata(path)
        .map_err(|e| spot.error(format!("cannot read {}: {e}", shown(root, path))))?;
    if !meta.is_file() {
        return Err(spot.error(format!("{} is not a file", shown(root, path))));
    }
    if meta.len() > max_bytes {
        let mb = |b: u64| format!("{:.1} MB", b as f64 / (1024.0 * 1024.0));
        return Err(spot
            .error(format!(
                "{} is {}, over the limit of {}",
                shown(root, path),
                mb(meta.len()),
                mb(max_bytes)
            ))
            .with_hint("make the file smaller, or raise `media_max_mb` in site.toml"));
    }
    Ok(Found {
        relative: shown(root, path),
        path: (*path).clone(),
        meta,
    })
}

/// `Ok` when `path` is inside the site: no link, and no linked folder on the way (content/media
/// itself a link), leads out of it.
fn confined(root: &Path, path: &Path, spot: &Spot) -> Result<(), Diagnostic> {
    Confined::new(root).check(path)?;
    // A linked folder on the way (content/media itself a link) is judged too.
    let real = fs::canonicalize(path)
        .map_err(|e| spot.error(format!("cannot read {}: {e}", shown(root, path))))?;
    if !fs::canonicalize(root).is_ok_and(|r| real.starts_with(r)) {
        return Err(spot
            .error(format!(
                "{} leads outside the site through a linked folder; refusing to read it",
                shown(root, path)
            ))
            .with_hint(
                "gen reads only files inside the site's folder: copy the file into the site",
            ));
    }
    Ok(())
}

fn missing(root: &Path, file: &LocalFile, spot: &Spot, tried: &[&PathBuf]) -> Diagnostic {
    let tried: Vec<String> = tried.iter().map(|p| shown(root, p)).collect();
    spot.error(format!(
        "media file \"{}\" not found (looked for {})",
        file.written,
        tried.join(" and ")
    ))
    .with_hint("check the file name, or put the file in content/media/")
}

/// `path` relative to `root`, `/`-separated, for messages and the cache.
pub fn shown(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` with `.` and `..` resolved by name alone; `None` when `..` climbs above its start.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileType;

    fn spot() -> Spot {
        Spot {
            file: PathBuf::from("/site/content/events/a.md"),
            line: 7,
            column: 10,
            text: "  - src: x".into(),
        }
    }

    fn local(dir: &Path, written: &str) -> LocalFile {
        LocalFile {
            written: written.into(),
            dir: dir.to_string_lossy().into_owned(),
            kind: FileType::Raster,
        }
    }

    #[test]
    fn a_file_is_found_beside_the_event_then_in_content_media() {
        let site = tempfile::tempdir().expect("temp");
        let root = site.path();
        let events = root.join("content/events");
        fs::create_dir_all(&events).expect("mkdir");
        fs::create_dir_all(root.join("content/media")).expect("mkdir");
        fs::write(root.join("content/media/map.png"), b"x").expect("write");
        fs::write(events.join("near.png"), b"x").expect("write");
        let found = |w: &str| find(root, &local(&events, w), &spot(), 10).map(|f| f.relative);
        assert_eq!(found("near.png").expect("near"), "content/events/near.png");
        assert_eq!(found("map.png").expect("media"), "content/media/map.png");
        assert_eq!(
            found("../media/map.png").expect("up"),
            "content/media/map.png"
        );
        let e = found("none.png").expect_err("missing");
        assert_eq!((e.line, e.column), (Some(7), Some(10)));
        assert!(
            e.message.contains("content/media/none.png"),
            "{}",
            e.message
        );
        let e = found("../../site.toml").expect_err("outside");
        assert!(
            e.message.contains("outside the content folder"),
            "{}",
            e.message
        );
        let outside = tempfile::tempdir().expect("temp");
        fs::write(outside.path().join("secret.png"), b"x").expect("write");
        std::os::unix::fs::symlink(outside.path(), root.join("content/media/linked"))
            .expect("link");
        let e = found("linked/secret.png").expect_err("through a linked folder");
        assert!(
            e.message.contains("leads outside the site"),
            "{}",
            e.message
        );
        fs::write(root.join("content/media/big.png"), vec![0; 11]).expect("write");
        let e = found("big.png").expect_err("too large");
        assert!(e.hint.expect("hint").contains("media_max_mb"));
    }
}
