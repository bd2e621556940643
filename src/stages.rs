//! Single stages of the pipeline, reachable from the criterion benchmarks in `benches/` and
//! the fuzz targets in `fuzz/`. Not a stable interface: hidden from the documentation, and
//! free to change.

use std::path::Path;

use chrono_tz::Tz;

use crate::config::{Config, RawHtml};
use crate::content::{self, frontmatter, markdown};
use crate::diagnostics::BuildFailure;
use crate::diagnostics::Diagnostic;
use crate::model::Timeline;
use crate::output::{self, OutputFile};
use crate::pipeline;
use crate::render::{self, Templates};
use crate::site::{BuildOptions, Site};

/// Splits a file at its front matter and parses the YAML; returns the number of fields.
pub fn front_matter(text: &str) -> usize {
    let path = Path::new("bench.md");
    frontmatter::split(path, text)
        .ok()
        .and_then(|s| frontmatter::parse(path, text, &s, frontmatter::EVENT_KEYS).ok())
        .map_or(0, |(fields, _)| {
            frontmatter::EVENT_KEYS
                .iter()
                .filter(|k| fields.get(k).is_some())
                .count()
        })
}

/// Renders Markdown with the default (sanitizing) policy; returns the HTML's length.
pub fn markdown(text: &str) -> usize {
    markdown::render(text, RawHtml::Sanitize).html.len()
}

/// Renders Markdown under the given raw-HTML policy; returns the HTML.
pub fn markdown_html(text: &str, policy: RawHtml) -> String {
    markdown::render(text, policy).html.to_string()
}

pub use crate::content::FileKind;

/// Splits, parses and validates `text` as one content file of the given kind, on its own (the
/// rules spanning files aside); returns every problem found.
pub fn content_file(
    path: &Path,
    kind: FileKind,
    text: &str,
    policy: RawHtml,
    zone: Tz,
) -> Vec<Diagnostic> {
    content::check_text(path.to_path_buf(), kind, text.to_owned(), policy, zone)
}

/// A site loaded and validated, ready to render.
pub struct Loaded {
    config: Config,
    templates: Templates,
    timeline: Timeline,
}

/// Loads and validates the site at `root`.
pub fn load(root: &Path) -> Result<Loaded, BuildFailure> {
    let site = Site::open(&BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    })?;
    let (templates, timeline, _) = pipeline::load(&site)?;
    Ok(Loaded {
        config: site.config,
        templates,
        timeline,
    })
}

/// Templates loaded once, for many [`check_site`] calls.
pub struct LoadedTemplates(Templates);

/// Loads the templates of the site at `root` (the built-in ones where it has none).
pub fn templates(root: &Path) -> Result<LoadedTemplates, Vec<Diagnostic>> {
    render::templates(root).map(LoadedTemplates)
}

/// What `gen check` does for the site at `root`, but with the templates loaded beforehand
/// (parsing them is most of the time on a small site, and does not depend on its content):
/// read `site.toml` and the content, validate, render every page in memory. Returns the
/// number of pages and the warnings.
pub fn check_site(
    root: &Path,
    drafts: bool,
    templates: &LoadedTemplates,
) -> Result<(usize, Vec<Diagnostic>), BuildFailure> {
    let site = Site::open(&BuildOptions {
        root: root.to_path_buf(),
        drafts,
        ..BuildOptions::default()
    })?;
    let config = site.config;
    let (timeline, mut problems) = content::read(&site.root, &config, drafts);
    let Some(timeline) = timeline.filter(|_| !problems.iter().any(Diagnostic::is_error)) else {
        return Err(problems.into());
    };
    match render::render(&timeline, &config, &templates.0) {
        Ok(pages) => Ok((pages.len(), problems)),
        Err(mut errors) => {
            errors.append(&mut problems);
            Err(errors.into())
        }
    }
}

/// Renders every page of a loaded site in memory; returns them as (path, bytes).
pub fn render(site: &Loaded) -> Vec<(String, Vec<u8>)> {
    render::render(&site.timeline, &site.config, &site.templates)
        .map(|pages| pages.into_iter().map(|p| (p.path, p.bytes)).collect())
        .unwrap_or_default()
}

/// Publishes pages into `output` (spare copy, then exchange).
pub fn publish(output: &Path, pages: &[(String, Vec<u8>)]) -> bool {
    let files: Vec<OutputFile<'_>> = pages
        .iter()
        .map(|(p, b)| OutputFile { path: p, bytes: b })
        .collect();
    output::publish(output, &files).is_ok()
}
