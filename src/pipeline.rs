//! The one place that sequences the stages of a build:
//! site.toml → content and templates → timeline → pages → publish.
//!
//! `gen build` and `gen check` run these functions once; `gen watch`
//! (`crate::incremental`) calls the same ones with its caches in between.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::assets::{self, Asset};
use crate::config::Config;
use crate::content;
use crate::diagnostics::{self, BuildFailure, Diagnostic};
use crate::media;
use crate::model::Timeline;
use crate::output::{CopiedFile, Manifest, OutputFile, Publisher, Stamp, stamp};
use crate::render::{self, Sink, Templates};
use crate::site::{BuildOptions, Site};

/// A successful build or check.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    /// Raster images, how many of them were decoded (the rest came from the cache), and the
    /// time the media took.
    pub images: (usize, usize, Duration),
    pub events: usize,
    pub sources: usize,
    pub output: Option<PathBuf>,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// `gen build`: validate, render, and publish into the output folder.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let site = Site::open(options)?;
    let output = site.output()?;
    let (templates, mut timeline, mut warnings) = load(&site)?;
    let media = plan_media(&site, &output, &mut timeline, &mut warnings)?;
    let published = publish(&site, &output, warnings, media, |sink| {
        render::render_site(&timeline, &site.config, &templates, sink)
    })?;
    let report = BuildReport {
        pages: published.pages,
        images: published.images,
        events: timeline.events.len(),
        sources: timeline.sources.len(),
        output: Some(output),
        warnings: published.warnings,
        elapsed: started.elapsed(),
    };
    // Let go on another thread: freeing a 100,000-event timeline's millions of allocations
    // kept the user waiting ~0.2 s.
    let rest = (timeline, templates, published.manifest);
    std::thread::spawn(move || drop(rest));
    Ok(report)
}

/// `gen check`: validate content, config and templates, and render every page in memory to
/// catch template errors; write nothing.
pub fn check(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let site = Site::open(options)?;
    let (templates, mut timeline, mut warnings) = load(&site)?;
    let planned = plan_media(&site, &site.output()?, &mut timeline, &mut warnings)?;
    warnings.extend(media::unused(&site.root, &planned));
    // Every page is rendered (to catch template errors) and dropped a chunk at a time.
    let mut pages = 0;
    let mut count = |chunk: Vec<render::SiteFile>| {
        pages += chunk.len();
        Ok(())
    };
    render::render_site(&timeline, &site.config, &templates, &mut count)
        .map_err(|e| failure(e, &mut warnings))?;
    diagnostics::sort(&mut warnings);
    Ok(BuildReport {
        pages,
        images: (0, 0, Duration::ZERO),
        events: timeline.events.len(),
        sources: timeline.sources.len(),
        output: None,
        warnings,
        elapsed: started.elapsed(),
    })
}

/// Reads `site.toml` and validates it, applying the command-line overrides.
pub fn load_config(options: &BuildOptions) -> Result<Config, BuildFailure> {
    Site::open(options).map(|site| site.config)
}

/// Reads and validates the site's content into its [`Timeline`], rendering and writing nothing.
/// Returns the configuration, the timeline and the warnings.
pub fn timeline(
    options: &BuildOptions,
) -> Result<(Config, Timeline, Vec<Diagnostic>), BuildFailure> {
    let site = Site::open(options)?;
    match content::read(&site.root, &site.config, site.drafts) {
        (Some(timeline), warnings) => Ok((site.config, timeline, warnings)),
        (None, problems) => Err(problems.into()),
    }
}

/// Loads the templates and the content (at once) and validates them into a [`Timeline`].
pub fn load(site: &Site) -> Result<(Templates, Timeline, Vec<Diagnostic>), BuildFailure> {
    let (templates, content) = rayon::join(
        || render::templates(&site.root),
        || content::read(&site.root, &site.config, site.drafts),
    );
    loaded(templates, content)
}

/// The templates and the timeline when neither has an error; every problem otherwise.
pub fn loaded(
    templates: Result<Templates, Vec<Diagnostic>>,
    (timeline, mut problems): (Option<Timeline>, Vec<Diagnostic>),
) -> Result<(Templates, Timeline, Vec<Diagnostic>), BuildFailure> {
    let templates = templates.map_err(|mut e| problems.append(&mut e)).ok();
    match (templates, timeline) {
        (Some(templates), Some(timeline)) if !problems.iter().any(Diagnostic::is_error) => {
            Ok((templates, timeline, problems))
        }
        _ => Err(problems.into()),
    }
}

/// Finds and checks the site's media for the output folder `output` (see [`media::plan`]),
/// and gives render what it needs to know of them.
pub fn plan_media(
    site: &Site,
    output: &std::path::Path,
    timeline: &mut Timeline,
    warnings: &mut Vec<Diagnostic>,
) -> Result<media::Planned, BuildFailure> {
    let cache = crate::site::cache_dir(output).join("media");
    let mut planned = media::plan(&site.root, &cache, timeline, site.config.media_max_bytes)
        .map_err(|e| failure(e, warnings))?;
    timeline.media = Arc::new(std::mem::take(&mut planned.index));
    Ok(planned)
}

/// What [`publish`] did.
pub struct Published {
    pub pages: usize,
    /// See [`BuildReport::images`].
    pub images: (usize, usize, Duration),
    pub manifest: Manifest,
    /// The output folder as this build left it.
    pub stamp: Option<Stamp>,
    pub warnings: Vec<Diagnostic>,
    /// Where the static files went.
    pub asset_paths: Vec<String>,
    /// Where the media files went.
    pub media_paths: Vec<String>,
}

/// Renders with `render` into a spare copy of `output` while `media` is processed, adds the
/// media and the static files, and swaps the copy in. Pages go to the spare copy a chunk at a
/// time as they are rendered; nothing reaches the output folder unless every page rendered
/// and every image was processed.
pub fn publish(
    site: &Site,
    output: &std::path::Path,
    mut warnings: Vec<Diagnostic>,
    media: media::Planned,
    render: impl FnOnce(&mut Sink<'_>) -> Result<Vec<String>, Vec<Diagnostic>> + Send,
) -> Result<Published, BuildFailure> {
    let assets = assets::collect(&site.root)?;
    let mut publisher = Publisher::begin(output, site.busy)?;
    let mut pages = 0;
    let (paths, media) = rayon::join(
        || render_into(&mut publisher, &mut pages, render),
        || media.run(),
    );
    let paths = paths.map_err(|e| failure(e, &mut warnings))?;
    let media = media.map_err(|e| failure(e, &mut warnings))?;
    let copies: Vec<CopiedFile> = media
        .files
        .iter()
        .map(|f| CopiedFile {
            path: f.path.clone(),
            from: f.from.clone(),
            print: f.print,
        })
        .collect();
    publisher.add_copies(&copies)?;
    let planned: HashSet<&str> = paths.iter().map(String::as_str).collect();
    publisher.add(&static_files(&assets, &planned, site, &mut warnings))?;
    let (manifest, lock) = publisher.finish()?;
    let stamp = stamp(output);
    drop(lock);
    diagnostics::sort(&mut warnings);
    Ok(Published {
        pages,
        images: (media.images, media.decoded, media.elapsed),
        manifest,
        stamp,
        warnings,
        asset_paths: assets.into_iter().map(|a| a.path).collect(),
        media_paths: media.files.into_iter().map(|f| f.path).collect(),
    })
}

/// Runs `render` with a sink that adds each chunk of pages to `publisher`.
fn render_into(
    publisher: &mut Publisher,
    pages: &mut usize,
    render: impl FnOnce(&mut Sink<'_>) -> Result<Vec<String>, Vec<Diagnostic>>,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    render(&mut |files| {
        *pages += files.len();
        let files: Vec<OutputFile<'_>> = files
            .iter()
            .map(|f| OutputFile {
                path: &f.path,
                bytes: &f.bytes,
            })
            .collect();
        publisher.add(&files)
    })
}

/// The static files to write: all but those at a path a page has (with a warning each).
pub fn static_files<'a>(
    assets: &'a [Asset],
    planned: &HashSet<&str>,
    site: &Site,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<OutputFile<'a>> {
    let mut files = Vec::with_capacity(assets.len());
    for a in assets {
        if planned.contains(a.path.as_str()) {
            warnings.push(
                Diagnostic::warning(
                    site.root.join("static").join(&a.path),
                    format!(
                        "gen writes {} itself; this static file is not copied",
                        a.path
                    ),
                )
                .with_hint("rename the file or remove it from static/"),
            );
        } else {
            files.push(OutputFile {
                path: &a.path,
                bytes: &a.bytes,
            });
        }
    }
    files
}

/// A render's errors, with the warnings found before them.
pub fn failure(mut errors: Vec<Diagnostic>, warnings: &mut Vec<Diagnostic>) -> BuildFailure {
    errors.append(warnings);
    BuildFailure::from(errors)
}
