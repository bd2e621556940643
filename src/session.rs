//! A build that stays alive between edits (`gen watch`): it keeps the parsed content, the
//! templates and a fingerprint of every page, so a change re-reads only the files that changed,
//! re-renders only the pages whose inputs changed, and writes only the files whose bytes
//! changed. What it leaves on disk is byte-identical to a fresh `gen build`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::assets::{self, Asset};
use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::incremental::content::ContentCache;
use crate::output::{self, Manifest, OutputFile, Publisher, Stamp};
use crate::pipeline::{BuildFailure, BuildOptions, BuildReport, load_config, output_dir, prepare};
use crate::render::{self, RenderCache, Templates};

/// What changed since the last rebuild.
#[derive(Debug, Clone)]
pub enum Change {
    /// These content files (created, modified, deleted or renamed).
    Content(HashSet<PathBuf>),
    /// A template: the pages that use it are rendered again.
    Templates,
    /// A static file: the static files are copied again.
    Static,
    /// `site.toml`: everything is redone.
    Everything,
}

/// What one rebuild did.
#[derive(Debug)]
pub struct RebuildReport {
    /// Files written (bytes changed), relative to the output folder.
    pub written: Vec<String>,
    /// Files deleted because their page is gone.
    pub removed: Vec<String>,
    /// Pages rendered (including those whose bytes came out the same).
    pub rendered: usize,
    pub warnings: Vec<Diagnostic>,
    /// From the start of the rebuild until its HTML pages were written (feeds, exports and
    /// static files follow).
    pub pages_elapsed: Duration,
    pub elapsed: Duration,
}

/// The state kept between rebuilds.
pub struct Session {
    options: BuildOptions,
    output: PathBuf,
    config: Config,
    templates: Templates,
    cache: ContentCache,
    render_cache: RenderCache,
    /// Every file in the output folder with a hash of its bytes.
    manifest: Manifest,
    /// The output folder as this session last left it; anything else means another process
    /// wrote it since (see [`Session::rebuild`]).
    stamp: Option<Stamp>,
    /// Where the static files went.
    asset_paths: Vec<String>,
    /// What failed rebuilds still owe.
    owed: Owed,
}

/// The parts of a rebuild still to be done.
#[derive(Debug, Clone, Copy, Default)]
struct Owed {
    config: bool,
    templates: bool,
    assets: bool,
}

impl Session {
    /// A full build, published atomically (as `gen build`), that is kept for rebuilds.
    pub fn start(options: &BuildOptions) -> Result<(Session, BuildReport), BuildFailure> {
        let (session, report) = Self::begin(options, true)?;
        let Some(session) = session else {
            unreachable!("a kept session is always returned");
        };
        Ok((session, report))
    }

    /// `gen build`: the same first build, without keeping anything for later rebuilds. The
    /// parsed content files (their text, front matter and rendered bodies, kept by the
    /// session so an edit re-reads one file) are let go before rendering starts.
    pub fn build_once(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
        Self::begin(options, false).map(|(_, report)| report)
    }

    fn begin(
        options: &BuildOptions,
        keep: bool,
    ) -> Result<(Option<Session>, BuildReport), BuildFailure> {
        let started = Instant::now();
        let options = options.resolved();
        let config = load_config(&options)?;
        let output = output_dir(&options, &config)?;
        let (templates, cache, timeline, mut warnings) = prepare(&options, &config, !keep)?;
        let assets = assets::collect(&options.root).map_err(BuildFailure::from)?;
        let mut render_cache = if keep {
            RenderCache::default()
        } else {
            RenderCache::lean()
        };
        // Pages go to the spare copy a chunk at a time as they are rendered; nothing reaches
        // the output folder unless every page rendered.
        let mut publisher = Publisher::begin(&output, options.busy).map_err(BuildFailure::from)?;
        let mut rendered = 0;
        let planned = render::render_into(
            &timeline,
            &config,
            &templates,
            &mut render_cache,
            &mut |pages| {
                rendered += pages.len();
                let files: Vec<OutputFile<'_>> = pages
                    .iter()
                    .map(|p| OutputFile {
                        path: &p.path,
                        bytes: &p.bytes,
                    })
                    .collect();
                publisher.add(&files)
            },
        )
        .map_err(|mut e| {
            e.append(&mut warnings);
            BuildFailure::from(e)
        })?;
        let planned_paths: HashSet<&str> = planned.iter().map(String::as_str).collect();
        publisher
            .add(&static_files(
                &assets,
                &planned_paths,
                &options,
                &mut warnings,
            ))
            .map_err(BuildFailure::from)?;
        let (manifest, lock) = publisher.finish().map_err(BuildFailure::from)?;
        let stamp = output::stamp(&output);
        drop(lock);
        diagnostics::sort(&mut warnings);
        let report = BuildReport {
            pages: rendered,
            events: timeline.events.len(),
            sources: timeline.sources.len(),
            output: Some(output.clone()),
            warnings,
            elapsed: started.elapsed(),
        };
        let Some(cache) = cache else {
            // A single build's content and views are let go on another thread: freeing a
            // 100,000-event timeline's millions of allocations kept the user waiting ~0.2 s.
            let rest = (timeline, templates, render_cache, manifest, assets);
            std::thread::spawn(move || drop(rest));
            return Ok((None, report));
        };
        let session = Session {
            options,
            output,
            config,
            templates,
            cache,
            render_cache,
            manifest,
            stamp,
            asset_paths: assets.iter().map(|a| a.path.clone()).collect(),
            owed: Owed::default(),
        };
        Ok((Some(session), report))
    }

    /// Brings the output up to date after `change`. On failure nothing is written and the
    /// session keeps the last good site's state.
    pub fn rebuild(&mut self, change: &Change) -> Result<RebuildReport, BuildFailure> {
        let started = Instant::now();
        let lock = output::lock(&self.output, self.options.busy).map_err(BuildFailure::from)?;
        if output::stamp(&self.output) != self.stamp {
            // Another process (a `gen build` of the same output) replaced the folder: what
            // it holds is not what this session wrote, so every file is compared again.
            self.manifest = output::manifest_of(&self.output);
            self.owed = Owed {
                config: true,
                templates: true,
                assets: true,
            };
        }
        // What a failed rebuild did not get to (say, a template edit while an event was
        // broken) is still owed: it is redone by every rebuild until one succeeds.
        match change {
            Change::Everything => {
                self.owed = Owed {
                    config: true,
                    templates: true,
                    assets: true,
                }
            }
            Change::Templates => self.owed.templates = true,
            Change::Static => self.owed.assets = true,
            Change::Content(_) => {}
        }
        let owed = self.owed;
        let config = if owed.config {
            Some(load_config(&self.options)?)
        } else {
            None
        };
        let templates = if owed.templates {
            Some(render::templates(&self.options.root).map_err(BuildFailure::from)?)
        } else {
            None
        };
        let config_ref = config.as_ref().unwrap_or(&self.config);
        let templates_ref = templates.as_ref().unwrap_or(&self.templates);
        if config.as_ref().is_some_and(|c| !self.cache.fits(c)) {
            self.cache = ContentCache::new(&self.options.root, config_ref);
        }
        let no_files = HashSet::new();
        let changed = match (&config, change) {
            (Some(_), _) => None,
            (None, Change::Content(paths)) => Some(paths),
            (None, _) => Some(&no_files),
        };
        let (timeline, mut warnings) = self.cache.update(changed, config_ref, self.options.drafts);
        let Some(timeline) = timeline.filter(|_| !warnings.iter().any(Diagnostic::is_error)) else {
            return Err(warnings.into());
        };
        if owed.config {
            self.render_cache.forget_pages();
        }
        // Template fingerprints are part of each page's signature: a template edit re-renders
        // exactly the pages that use it.
        let rendered =
            render::render_changed(&timeline, config_ref, templates_ref, &mut self.render_cache)
                .map_err(|mut e| {
                    e.append(&mut warnings);
                    BuildFailure::from(e)
                })?;
        let assets = if owed.assets {
            assets::collect(&self.options.root).map_err(BuildFailure::from)?
        } else {
            Vec::new()
        };
        let asset_paths: Vec<String> = if owed.assets {
            assets.iter().map(|a| a.path.clone()).collect()
        } else {
            std::mem::take(&mut self.asset_paths)
        };

        // Every path the site has now: planned pages plus static files.
        let planned: HashSet<&str> = rendered.planned.iter().map(String::as_str).collect();
        let mut files = static_files(&assets, &planned, &self.options, &mut warnings);
        files.extend(rendered.pages.iter().map(|p| OutputFile {
            path: &p.path,
            bytes: &p.bytes,
        }));
        let mut now = planned;
        now.extend(asset_paths.iter().map(String::as_str));
        let changed: Vec<(OutputFile<'_>, (u64, u64))> = files
            .into_par_iter()
            .map(|f| (f, output::fingerprint(f.bytes)))
            .filter(|(f, print)| !self.manifest.holds(f.path, *print))
            .collect();
        let removed: Vec<String> = self
            .manifest
            .paths()
            .filter(|p| !now.contains(p.as_str()))
            .cloned()
            .collect();
        let pages_written = output::update(&self.output, &changed, &removed, &mut self.manifest)
            .map_err(BuildFailure::from)?;
        self.stamp = output::stamp(&self.output);
        drop(lock);
        self.owed = Owed::default();
        self.asset_paths = asset_paths;
        if let Some(c) = config {
            self.config = c;
        }
        if let Some(t) = templates {
            self.templates = t;
        }
        diagnostics::sort(&mut warnings);
        Ok(RebuildReport {
            written: changed.iter().map(|(f, _)| f.path.to_owned()).collect(),
            pages_elapsed: pages_written.duration_since(started),
            removed,
            rendered: rendered.pages.len(),
            warnings,
            elapsed: started.elapsed(),
        })
    }
}

/// The static files to write: all but those at a path a page has (with a warning each).
fn static_files<'a>(
    assets: &'a [Asset],
    planned: &HashSet<&str>,
    options: &BuildOptions,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<OutputFile<'a>> {
    let mut files = Vec::with_capacity(assets.len());
    for a in assets {
        if planned.contains(a.path.as_str()) {
            warnings.push(
                Diagnostic::warning(
                    options.root.join("static").join(&a.path),
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
