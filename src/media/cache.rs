//! The media cache, a folder beside the output (`.public.cache/media/`): what each local file
//! was found to be, keyed by its path and checked against its size, modification time and
//! inode (so an unchanged file is not even read), and the processed widths of each image,
//! keyed by the hash of its bytes (so an unchanged image is never decoded again).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Bumped whenever processing changes its output, so older results are not reused.
const VERSION: u32 = 1;
const INDEX: &str = "index.json";

/// What a file was found to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Probed {
    /// The extension of its format (`jpg`, `png`, `webp`) and its displayed size.
    Raster {
        ext: String,
        width: u32,
        height: u32,
    },
    Svg {
        size: Option<(u32, u32)>,
    },
    Document,
}

/// One file as last seen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    size: u64,
    modified: i128,
    inode: u64,
    /// XXH3 of the file's bytes.
    pub hash: u64,
    pub probed: Probed,
}

/// One processed width, as stored in the image's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    /// The file name inside the image's folder (`960.webp`).
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// The fingerprint and size the output manifest records.
    pub print: (u64, u64),
}

/// The cache of one output folder.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    files: BTreeMap<String, Entry>,
    /// Whether `files` differs from the index on disk.
    changed: bool,
}

#[derive(Serialize, Deserialize)]
struct IndexFile {
    version: u32,
    files: BTreeMap<String, Entry>,
}

impl Cache {
    /// The cache in `dir` (empty when it has none or one of another version).
    pub fn open(dir: &Path) -> Cache {
        let files = fs::read(dir.join(INDEX))
            .ok()
            .and_then(|b| serde_json::from_slice::<IndexFile>(&b).ok())
            .filter(|i| i.version == VERSION)
            .map(|i| i.files)
            .unwrap_or_default();
        Cache {
            dir: dir.to_path_buf(),
            files,
            changed: false,
        }
    }

    /// What the file at `relative` was, if it has not changed since.
    pub fn lookup(&self, relative: &str, meta: &fs::Metadata) -> Option<&Entry> {
        let (size, modified, inode) = stat(meta);
        self.files
            .get(relative)
            .filter(|e| (e.size, e.modified, e.inode) == (size, modified, inode))
    }

    /// Records what the file at `relative` is.
    pub fn record(&mut self, relative: &str, meta: &fs::Metadata, hash: u64, probed: Probed) {
        let (size, modified, inode) = stat(meta);
        let entry = Entry {
            size,
            modified,
            inode,
            hash,
            probed,
        };
        self.files.insert(relative.to_owned(), entry);
        self.changed = true;
    }

    /// Keeps only the files in `used`, and writes the index when it changed (best effort: a
    /// cache that cannot be written only costs time on the next build). A site without media
    /// gets no cache folder.
    pub fn save(&mut self, used: &std::collections::HashSet<String>) {
        let before = self.files.len();
        self.files.retain(|k, _| used.contains(k));
        if !self.changed && self.files.len() == before {
            return;
        }
        let index = IndexFile {
            version: VERSION,
            files: std::mem::take(&mut self.files),
        };
        if let Ok(bytes) = serde_json::to_vec(&index) {
            let _ = fs::create_dir_all(&self.dir);
            let temp = self.dir.join(format!(".{INDEX}.{}", std::process::id()));
            let _ = fs::write(&temp, bytes).and_then(|()| fs::rename(&temp, self.dir.join(INDEX)));
        }
        self.files = index.files;
        self.prune();
    }

    /// Deletes the processed widths of images no file has any more (and of older versions).
    fn prune(&self) {
        let kept: std::collections::HashSet<String> = self
            .files
            .values()
            .map(|e| format!("{:016x}-v{VERSION}", e.hash))
            .collect();
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let processed = name.len() > 17 && name.as_bytes()[16] == b'-';
            if processed && !kept.contains(&name) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }

    /// The folder holding the processed widths of the image whose bytes hash to `hash`.
    pub fn image_dir(&self, hash: u64) -> PathBuf {
        self.dir.join(format!("{hash:016x}-v{VERSION}"))
    }
}

/// The processed widths stored in `dir`, when all of them are there. The cache sits in the
/// site's folder, which may come from anyone: only plain files with the names gen gives are
/// taken, never a link (which could lead outside the site), or nothing is.
pub fn stored(dir: &Path) -> Option<Vec<Stored>> {
    let plain = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_file());
    let folder = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_dir());
    let chain = [dir.parent()?.parent()?, dir.parent()?, dir];
    if !chain.iter().all(|p| folder(p)) {
        return None;
    }
    let list: Vec<Stored> = serde_json::from_slice(&fs::read(dir.join("done.json")).ok()?).ok()?;
    let named = |s: &Stored| {
        ["jpg", "png", "webp"]
            .iter()
            .any(|ext| s.name == format!("{}.{ext}", s.width))
    };
    list.iter()
        .all(|s| named(s) && plain(&dir.join(&s.name)))
        .then_some(list)
}

/// Stores processed widths in `dir` (written under a temporary name and renamed into place,
/// the list last, so a half-written folder is never taken for a finished one).
pub fn store(dir: &Path, files: &[(Stored, Vec<u8>)]) -> std::io::Result<Vec<Stored>> {
    let temp = dir.with_extension(format!("tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&temp);
    fs::create_dir_all(&temp)?;
    for (s, bytes) in files {
        fs::write(temp.join(&s.name), bytes)?;
    }
    let list: Vec<Stored> = files.iter().map(|(s, _)| s.clone()).collect();
    fs::write(temp.join("done.json"), serde_json::to_vec(&list)?)?;
    let _ = fs::remove_dir_all(dir);
    fs::rename(&temp, dir)?;
    Ok(list)
}

fn stat(meta: &fs::Metadata) -> (u64, i128, u64) {
    use std::os::unix::fs::MetadataExt as _;
    let modified = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
    (meta.len(), modified, meta.ino())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored_one(dir: &Path, name: &str) {
        let s = Stored {
            name: name.to_owned(),
            width: 480,
            height: 320,
            print: (1, 1),
        };
        store(dir, &[(s, vec![1])]).expect("stored");
    }

    #[test]
    fn a_file_is_known_until_it_changes() {
        let dir = tempfile::tempdir().expect("temp");
        let file = dir.path().join("a.png");
        fs::write(&file, b"one").expect("write");
        let cache_dir = dir.path().join("cache/media");
        let mut cache = Cache::open(&cache_dir);
        let meta = fs::metadata(&file).expect("meta");
        cache.record("content/media/a.png", &meta, 7, Probed::Document);
        cache.save(&["content/media/a.png".to_owned()].into_iter().collect());
        let cache = Cache::open(&cache_dir);
        assert_eq!(
            cache.lookup("content/media/a.png", &meta).map(|e| e.hash),
            Some(7)
        );
        fs::write(&file, b"two!").expect("write");
        let meta = fs::metadata(&file).expect("meta");
        assert!(cache.lookup("content/media/a.png", &meta).is_none());
    }

    #[test]
    fn only_plain_files_with_gen_s_names_are_taken_from_the_cache() {
        let dir = tempfile::tempdir().expect("temp");
        let image = dir.path().join("cache/media/00000000000000aa-v1");
        stored_one(&image, "480.jpg");
        assert_eq!(stored(&image).map(|s| s.len()), Some(1));
        // A name that is not `<width>.<ext>` (it could climb out of the folder).
        let list =
            r#"[{"name":"../../../../etc/hostname","width":480,"height":320,"print":[1,1]}]"#;
        fs::write(image.join("done.json"), list).expect("write");
        assert!(stored(&image).is_none());
        // A link in place of a processed file, or of the image's folder.
        stored_one(&image, "480.jpg");
        fs::remove_file(image.join("480.jpg")).expect("remove");
        std::os::unix::fs::symlink("/etc/hostname", image.join("480.jpg")).expect("link");
        assert!(stored(&image).is_none());
        let real = dir.path().join("elsewhere");
        stored_one(&real, "480.jpg");
        let linked = dir.path().join("cache/media/00000000000000bb-v1");
        std::os::unix::fs::symlink(&real, &linked).expect("link");
        assert!(stored(&linked).is_none());
    }
}
