//! A build that stays alive between edits (`gen watch`): it keeps the parsed content, the
//! templates and a fingerprint of every page, so a change re-reads only the files that changed,
//! re-renders only the pages whose inputs changed, and writes only the files whose bytes
//! changed. What it leaves on disk is byte-identical to a fresh `gen build`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::content::ContentCache;
use super::render::RenderCache;
use crate::assets;
use crate::config::Config;
use crate::diagnostics::{self, BuildFailure, Diagnostic};
use crate::model::Timeline;
use crate::output::{self, Manifest, OutputFile, Stamp};
use crate::pipeline::{self, BuildReport};
use crate::render::{self, SiteFile, Templates};
use crate::site::{BuildOptions, Site};

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
    site: Site,
    output: PathBuf,
    templates: Templates,
    content: ContentCache,
    render: RenderCache,
    /// Every file in the output folder with a hash of its bytes.
    manifest: Manifest,
    /// The output folder as this session last left it; anything else means another process
    /// wrote it since (see [`Session::rebuild`]).
    stamp: Option<Stamp>,
    /// Where the static files went.
    asset_paths: Vec<String>,
    /// Where the media files went.
    media_paths: Vec<String>,
    /// What failed rebuilds have not redone yet.
    pending: Redo,
}

/// The parts of the site a rebuild must redo besides the changed content.
#[derive(Debug, Clone, Copy, Default)]
struct Redo {
    config: bool,
    templates: bool,
    assets: bool,
}

impl Redo {
    const ALL: Redo = Redo {
        config: true,
        templates: true,
        assets: true,
    };
}

impl Session {
    /// A full build, published atomically (as `gen build`), that is kept for rebuilds.
    pub fn start(options: &BuildOptions) -> Result<(Session, BuildReport), BuildFailure> {
        let started = Instant::now();
        let site = Site::open(options)?;
        let output = site.output()?;
        let (templates, (content, read)) = rayon::join(
            || render::templates(&site.root),
            || {
                let mut content = ContentCache::new(&site.root, &site.config);
                let read = content.update(None, &site.config, site.drafts);
                (content, read)
            },
        );
        let (templates, mut timeline, mut warnings) = pipeline::loaded(templates, read)?;
        let media = pipeline::plan_media(&site, &output, &mut timeline, &mut warnings)?;
        let mut render = RenderCache::default();
        let published = pipeline::publish(&site, &output, warnings, media, |sink| {
            render
                .render(&timeline, &site.config, &templates, sink)
                .map(|paths| paths.to_vec())
        })?;
        let report = BuildReport {
            pages: published.pages,
            images: published.images,
            events: timeline.events.len(),
            sources: timeline.sources.len(),
            output: Some(output.clone()),
            warnings: published.warnings,
            elapsed: started.elapsed(),
        };
        let session = Session {
            site,
            output,
            templates,
            content,
            render,
            manifest: published.manifest,
            stamp: published.stamp,
            asset_paths: published.asset_paths,
            media_paths: published.media_paths,
            pending: Redo::default(),
        };
        Ok((session, report))
    }

    /// Brings the output up to date after `change`. On failure nothing is written and the
    /// session keeps the last good site's state.
    pub fn rebuild(&mut self, change: &Change) -> Result<RebuildReport, BuildFailure> {
        let started = Instant::now();
        let lock = output::lock(&self.output, self.site.busy)?;
        let redo = self.redo_for(change);
        let config = redo.config.then(|| self.site.reload()).transpose()?;
        let templates = redo
            .templates
            .then(|| render::templates(&self.site.root))
            .transpose()?;
        let (timeline, mut warnings) = self.update_content(config.as_ref(), change);
        let config_now = config.as_ref().unwrap_or(&self.site.config);
        let templates_now = templates.as_ref().unwrap_or(&self.templates);
        let Some(mut timeline) = timeline.filter(|_| !warnings.iter().any(Diagnostic::is_error))
        else {
            return Err(warnings.into());
        };
        let media = pipeline::plan_media(&self.site, &self.output, &mut timeline, &mut warnings)?;
        if redo.config {
            self.render.forget_pages();
        }
        // Template fingerprints are part of each page's signature: a template edit re-renders
        // exactly the pages that use it.
        let mut files = Vec::new();
        let render = &mut self.render;
        let (paths, media) = rayon::join(
            || {
                render.render(&timeline, config_now, templates_now, &mut |mut chunk| {
                    files.append(&mut chunk);
                    Ok(())
                })
            },
            || media.run(),
        );
        let paths = paths.map_err(|e| pipeline::failure(e, &mut warnings))?;
        let media = media.map_err(|e| pipeline::failure(e, &mut warnings))?;
        let rendered = files.len();
        let media_files = self.media_files(&media.files)?;
        files.extend(media_files);
        let (written, removed, pages_written) =
            self.write_changes(&files, &paths, redo.assets, &mut warnings)?;
        self.stamp = output::stamp(&self.output);
        drop(lock);
        self.pending = Redo::default();
        if let Some(c) = config {
            self.site.config = c;
        }
        if let Some(t) = templates {
            self.templates = t;
        }
        diagnostics::sort(&mut warnings);
        Ok(RebuildReport {
            written,
            removed,
            rendered,
            warnings,
            pages_elapsed: pages_written.duration_since(started),
            elapsed: started.elapsed(),
        })
    }

    /// What this rebuild must redo: what `change` calls for, what failed rebuilds left
    /// pending, and everything when another process wrote the output folder.
    fn redo_for(&mut self, change: &Change) -> Redo {
        if output::stamp(&self.output) != self.stamp {
            // Another process (a `gen build` of the same output) replaced the folder: what
            // it holds is not what this session wrote, so every file is compared again.
            self.manifest = output::manifest_of(&self.output);
            self.pending = Redo::ALL;
        }
        // What a failed rebuild did not get to (say, a template edit while an event was
        // broken) stays pending: it is redone by every rebuild until one succeeds.
        match change {
            Change::Everything => self.pending = Redo::ALL,
            Change::Templates => self.pending.templates = true,
            Change::Static => self.pending.assets = true,
            Change::Content(_) => {}
        }
        self.pending
    }

    /// Re-reads the content files `change` names, or all of them when the config changed
    /// (every file when it changed how files are read); returns the timeline and problems.
    fn update_content(
        &mut self,
        config: Option<&Config>,
        change: &Change,
    ) -> (Option<Timeline>, Vec<Diagnostic>) {
        if let Some(config) = config
            && !self.content.fits(config)
        {
            self.content = ContentCache::new(&self.site.root, config);
        }
        let no_files = HashSet::new();
        let changed = match (config, change) {
            (Some(_), _) => None,
            (None, Change::Content(paths)) => Some(paths),
            (None, _) => Some(&no_files),
        };
        let config = config.unwrap_or(&self.site.config);
        self.content.update(changed, config, self.site.drafts)
    }

    /// The media files the output folder does not hold yet, read for writing; records where
    /// the media go now.
    fn media_files(
        &mut self,
        media: &[crate::media::MediaFile],
    ) -> Result<Vec<SiteFile>, BuildFailure> {
        self.media_paths = media.iter().map(|f| f.path.clone()).collect();
        media
            .iter()
            .filter(|f| !self.manifest.holds(&f.path, f.print))
            .map(|f| {
                let bytes = std::fs::read(&f.from)
                    .map_err(|e| Diagnostic::error(&f.from, format!("cannot read: {e}")))?;
                Ok(SiteFile {
                    path: f.path.clone(),
                    bytes,
                })
            })
            .collect()
    }

    /// Writes the files whose bytes changed (with the static files when they are to be
    /// copied again) and deletes those the site no longer has. Returns the paths written,
    /// the paths removed and when the pages were written.
    fn write_changes(
        &mut self,
        files: &[SiteFile],
        paths: &[String],
        copy_assets: bool,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<(Vec<String>, Vec<String>, Instant), BuildFailure> {
        let assets = if copy_assets {
            assets::collect(&self.site.root)?
        } else {
            Vec::new()
        };
        if copy_assets {
            self.asset_paths = assets.iter().map(|a| a.path.clone()).collect();
        }
        // Every path the site has now: planned pages plus static files.
        let planned: HashSet<&str> = paths.iter().map(String::as_str).collect();
        let mut out = pipeline::static_files(&assets, &planned, &self.site, warnings);
        out.extend(files.iter().map(|f| OutputFile {
            path: &f.path,
            bytes: &f.bytes,
        }));
        let mut now = planned;
        now.extend(self.asset_paths.iter().map(String::as_str));
        now.extend(self.media_paths.iter().map(String::as_str));
        let changed: Vec<(OutputFile<'_>, (u64, u64))> = out
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
        let pages_written = output::update(&self.output, &changed, &removed, &mut self.manifest)?;
        let written = changed.iter().map(|(f, _)| f.path.to_owned()).collect();
        Ok((written, removed, pages_written))
    }
}
