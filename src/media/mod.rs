//! Media → files, the stage beside render: [`plan`] finds every local file the content names,
//! checks it, and says what the site will hold (a [`MediaIndex`] render reads: names, widths,
//! sizes), reading only files the cache has not seen; [`Planned::run`] then makes what the
//! cache lacks (decoding and resizing images, in parallel, while the pages render) and lists
//! the files to publish. Images, SVG checks and the cache are in the submodules.

mod cache;
pub mod codec;
mod find;
pub mod svg;
mod unused;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::model::{
    FileType, LocalFile, MediaIndex, MediaSrc, Prepared, Rendition, Spot, Timeline,
};
use cache::{Cache, Probed, Stored};
pub use unused::unused;

/// One file for the output folder, copied from the cache or the site.
#[derive(Debug, Clone)]
pub struct MediaFile {
    /// Relative to the output root.
    pub path: String,
    pub from: PathBuf,
    /// XXH3 of the bytes, and their length.
    pub print: (u64, u64),
}

/// What [`Planned::run`] did.
#[derive(Debug, Clone, Default)]
pub struct MediaReport {
    pub files: Vec<MediaFile>,
    /// Raster images in the site.
    pub images: usize,
    /// Of those, how many were decoded (the rest came from the cache).
    pub decoded: usize,
    pub elapsed: Duration,
}

/// The media of a site, found and checked, ready to be processed.
pub struct Planned {
    pub index: MediaIndex,
    cache: Cache,
    rasters: Vec<Raster>,
    copies: Vec<MediaFile>,
    used: HashSet<String>,
    /// The time [`plan`] took.
    planning: Duration,
}

/// One raster image to publish in several widths.
struct Raster {
    path: PathBuf,
    relative: String,
    hash: u64,
    ext: String,
    /// (width, height) of each width to write.
    sizes: Vec<(u32, u32)>,
    base: String,
    spot: Spot,
}

/// Finds and checks every local file the content names; `cache_dir` is the media cache of the
/// output folder. Every problem is reported, each at the item that names the file.
pub fn plan(
    root: &Path,
    cache_dir: &Path,
    timeline: &Timeline,
    max_bytes: u64,
) -> Result<Planned, Vec<Diagnostic>> {
    let started = Instant::now();
    let cache = Cache::open(cache_dir);
    let mut seen = HashSet::new();
    let items: Vec<(&LocalFile, &Spot)> = timeline
        .media_items()
        .filter_map(|m| match &m.src {
            MediaSrc::File(f) => seen.insert(f.key()).then_some((f, &m.spot)),
            MediaSrc::Remote(_) => None,
        })
        .collect();
    let looked: Vec<Result<Looked, Diagnostic>> = items
        .par_iter()
        .map(|(file, spot)| look(root, file, spot, max_bytes, &cache))
        .collect();
    let mut planned = Planned {
        index: MediaIndex::default(),
        cache,
        rasters: Vec::new(),
        copies: Vec::new(),
        used: HashSet::new(),
        planning: Duration::ZERO,
    };
    let mut problems = Vec::new();
    for ((file, spot), looked) in items.into_iter().zip(looked) {
        match looked {
            Ok(l) => planned.add(file, spot, l),
            Err(d) => problems.push(d),
        }
    }
    planned.planning = started.elapsed();
    if problems.is_empty() {
        Ok(planned)
    } else {
        Err(problems)
    }
}

/// A file found and identified.
struct Looked {
    found: find::Found,
    hash: u64,
    probed: Probed,
    /// Whether the cache knew it unchanged.
    cached: bool,
}

fn look(
    root: &Path,
    file: &LocalFile,
    spot: &Spot,
    max_bytes: u64,
    cache: &Cache,
) -> Result<Looked, Diagnostic> {
    let found = find::find(root, file, spot, max_bytes)?;
    if let Some(entry) = cache.lookup(&found.relative, &found.meta) {
        let (hash, probed) = (entry.hash, entry.probed.clone());
        return Ok(Looked {
            found,
            hash,
            probed,
            cached: true,
        });
    }
    let bytes = std::fs::read(&found.path)
        .map_err(|e| spot.error(format!("cannot read {}: {e}", found.relative)))?;
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    let probed = match file.kind {
        FileType::Raster => {
            let p = codec::probe(&bytes).map_err(|why| unreadable(&found.relative, spot, &why))?;
            Probed::Raster {
                ext: p.format.extension().to_owned(),
                width: p.width,
                height: p.height,
            }
        }
        FileType::Svg => {
            svg::check(&bytes).map_err(|why| {
                spot.error(format!("{} is refused: {why}", found.relative))
                    .with_hint("an SVG is published as it is, so it may hold no script, event handler or outside reference; remove them, or export the drawing again as plain SVG")
            })?;
            let size = svg::size(&bytes).map(|(w, h)| (w.round() as u32, h.round() as u32));
            Probed::Svg { size }
        }
        FileType::Document(_) => Probed::Document,
    };
    Ok(Looked {
        found,
        hash,
        probed,
        cached: false,
    })
}

fn unreadable(relative: &str, spot: &Spot, why: &str) -> Diagnostic {
    spot.error(format!("{relative} cannot be read as an image: {why}"))
        .with_hint("gen handles JPEG, PNG, WebP and SVG images; open the file to check it, or export it again")
}

impl Planned {
    /// Records a file found: its entry in the index and what it will publish.
    fn add(&mut self, file: &LocalFile, spot: &Spot, l: Looked) {
        if !l.cached {
            self.cache
                .record(&l.found.relative, &l.found.meta, l.hash, l.probed.clone());
        }
        // A file named twice (from two folders, or by an event and a source) is published once.
        let first = self.used.insert(l.found.relative.clone());
        let base = format!("media/{}-{:010x}", stem(&l.found.path), l.hash >> 24);
        let copy = |path: String| MediaFile {
            path,
            from: l.found.path.clone(),
            print: (l.hash, l.found.meta.len()),
        };
        let prepared = match (&l.probed, file.kind) {
            (Probed::Raster { ext, width, height }, _) => {
                let sizes: Vec<(u32, u32)> = codec::widths(*width)
                    .into_iter()
                    .map(|w| (w, codec::height_at(w, *width, *height)))
                    .collect();
                let prepared = raster(&base, ext, &sizes);
                if first {
                    let (path, relative) = (l.found.path.clone(), l.found.relative.clone());
                    let (hash, ext, spot) = (l.hash, ext.clone(), spot.clone());
                    self.rasters.push(Raster {
                        path,
                        relative,
                        hash,
                        ext,
                        sizes,
                        base,
                        spot,
                    });
                }
                prepared
            }
            (Probed::Svg { size }, _) => {
                let path = format!("{base}.svg");
                if first {
                    self.copies.push(copy(path.clone()));
                }
                Prepared::Svg { path, size: *size }
            }
            (Probed::Document, kind) => {
                let type_name = if let FileType::Document(name) = kind {
                    name
                } else {
                    "File"
                };
                let path = format!("{base}.{}", extension(&l.found.path));
                if first {
                    self.copies.push(copy(path.clone()));
                }
                Prepared::Document {
                    path,
                    bytes: l.found.meta.len(),
                    type_name,
                }
            }
        };
        self.index.0.insert(file.key(), prepared);
    }

    /// Makes the widths the cache lacks (in parallel) and lists every file to publish.
    pub fn run(mut self) -> Result<MediaReport, Vec<Diagnostic>> {
        let started = Instant::now();
        // Two files with the same bytes share their processed widths: each is made once.
        let mut hashes = HashSet::new();
        let unique: Vec<&Raster> = self
            .rasters
            .iter()
            .filter(|r| hashes.insert(r.hash))
            .collect();
        let made: Vec<Result<bool, Diagnostic>> =
            unique.par_iter().map(|r| ensure(&self.cache, r)).collect();
        let mut report = MediaReport {
            images: self.rasters.len(),
            ..MediaReport::default()
        };
        let mut problems = Vec::new();
        for result in made {
            match result {
                Ok(decoded) => report.decoded += usize::from(decoded),
                Err(d) => problems.push(d),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        for r in &self.rasters {
            report.files.extend(files_of(&self.cache, r)?);
        }
        self.cache.save(&self.used);
        report.files.append(&mut self.copies);
        // Two files with the same name and bytes in different folders publish the same path.
        report.files.sort_by(|a, b| a.path.cmp(&b.path));
        report.files.dedup_by(|a, b| a.path == b.path);
        report.elapsed = self.planning + started.elapsed();
        Ok(report)
    }
}

/// The index entry of a raster image: each width in its format, then in WebP.
fn raster(base: &str, ext: &str, sizes: &[(u32, u32)]) -> Prepared {
    let mut renditions = Vec::with_capacity(sizes.len() * 2);
    // A WebP original has its WebP copies only.
    let formats: &[&str] = if ext == "webp" {
        &["webp"]
    } else {
        &[ext, "webp"]
    };
    for format in formats {
        let mime = codec::Format::of_extension(format).map_or("image/jpeg", codec::Format::mime);
        for &(width, height) in sizes {
            let path = format!("{base}-{width}.{format}");
            renditions.push(Rendition {
                path,
                width,
                height,
                mime,
            });
        }
    }
    let (width, height) = sizes.last().copied().unwrap_or((1, 1));
    Prepared::Raster {
        width,
        height,
        renditions,
    }
}

/// Makes the widths of `r` unless the cache holds them; `true` when it decoded the image.
fn ensure(cache: &Cache, r: &Raster) -> Result<bool, Diagnostic> {
    let dir = cache.image_dir(r.hash);
    if cache::stored(&dir).is_some() {
        return Ok(false);
    }
    process(&dir, r).map(|_| true)
}

/// The files of one raster image, from the cache.
fn files_of(cache: &Cache, r: &Raster) -> Result<Vec<MediaFile>, Vec<Diagnostic>> {
    let dir = cache.image_dir(r.hash);
    let stored = cache::stored(&dir).ok_or_else(|| {
        let message = format!(
            "the processed copies of {} went missing from the media cache",
            r.relative
        );
        vec![
            r.spot
                .error(message)
                .with_hint("another program deleted the media cache during the build; build again"),
        ]
    })?;
    let files = stored
        .into_iter()
        .map(|s| {
            let ext = s.name.rsplit('.').next().unwrap_or_default().to_owned();
            MediaFile {
                path: format!("{}-{}.{ext}", r.base, s.width),
                from: dir.join(&s.name),
                print: s.print,
            }
        })
        .collect();
    Ok(files)
}

/// Decodes, resizes and encodes one image into the cache.
fn process(dir: &Path, r: &Raster) -> Result<Vec<Stored>, Diagnostic> {
    let bytes = std::fs::read(&r.path)
        .map_err(|e| r.spot.error(format!("cannot read {}: {e}", r.relative)))?;
    let widths: Vec<u32> = r.sizes.iter().map(|(w, _)| *w).collect();
    let encoded =
        codec::render(&bytes, &widths).map_err(|why| unreadable(&r.relative, &r.spot, &why))?;
    let files: Vec<(Stored, Vec<u8>)> = encoded
        .into_iter()
        .map(|e| {
            let ext = if e.format.extension() == "webp" {
                "webp"
            } else {
                r.ext.as_str()
            };
            let print = (xxhash_rust::xxh3::xxh3_64(&e.bytes), e.bytes.len() as u64);
            let stored = Stored {
                name: format!("{}.{ext}", e.width),
                width: e.width,
                height: e.height,
                print,
            };
            (stored, e.bytes)
        })
        .collect();
    cache::store(dir, &files).map_err(|e| {
        r.spot.error(format!(
            "cannot write the media cache {}: {e}",
            dir.display()
        ))
    })
}

/// A file's name without its extension, made safe for an address.
fn stem(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug = crate::model::slugify(&stem);
    if slug.is_empty() {
        "file".to_owned()
    } else {
        slug
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}
