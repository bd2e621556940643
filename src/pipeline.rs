//! The one place that sequences the stages: config → content → timeline → pages → publish.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{CONFIG_FILE, Config};
use crate::confined::Confined;
use crate::content;
use crate::diagnostics::{self, Diagnostic};
use crate::incremental::content::ContentCache;
use crate::model::Timeline;
use crate::output::Busy;
use crate::render::{self, RenderCache, Templates};
use crate::session::Session;

/// What `gen build` and `gen check` are asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site root (holding `site.toml`).
    pub root: PathBuf,
    /// Output folder given on the command line; may be outside the root.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// Include events marked `draft: true`.
    pub drafts: bool,
    /// What to do when another build holds the output folder.
    pub busy: Busy,
}

/// A successful build or check.
#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub events: usize,
    pub sources: usize,
    pub output: Option<PathBuf>,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// A failed build or check: every problem found, errors and warnings, sorted for display.
#[derive(Debug)]
pub struct BuildFailure {
    pub diagnostics: Vec<Diagnostic>,
}

impl From<Vec<Diagnostic>> for BuildFailure {
    fn from(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics::sort(&mut diagnostics);
        Self { diagnostics }
    }
}

impl From<Diagnostic> for BuildFailure {
    fn from(d: Diagnostic) -> Self {
        Self {
            diagnostics: vec![d],
        }
    }
}

impl BuildOptions {
    /// The same options with the root made absolute, so every diagnostic path can be shown
    /// relative to it.
    pub(crate) fn resolved(&self) -> Self {
        Self {
            root: absolute(&self.root),
            ..self.clone()
        }
    }
}

/// Reads and validates `site.toml`, applying the command-line overrides.
pub fn load_config(options: &BuildOptions) -> Result<Config, BuildFailure> {
    let path = options.root.join(CONFIG_FILE);
    if !path.is_file() {
        return Err(Diagnostic::error(&path, "no site.toml here: this folder is not a gen site")
            .with_hint("run gen in the site's folder, pass --root DIR, or create a site with `gen init DIR`")
            .into());
    }
    Confined::new(&options.root)
        .check(&path)
        .map_err(BuildFailure::from)?;
    let text = content::read_text(&path).map_err(BuildFailure::from)?;
    let config = Config::parse(&path, &text).map_err(BuildFailure::from)?;
    match &options.base_url {
        Some(url) => config.with_base_url(url).map_err(|message| {
            Diagnostic::error(&path, format!("--base-url: {message}"))
                .with_hint("write a full address such as \"https://example.org/timeline/\"")
                .into()
        }),
        None => Ok(config),
    }
}

/// Reads and validates the site's content into its [`Timeline`], rendering and writing nothing.
/// Returns the configuration, the timeline and the warnings.
pub fn timeline(
    options: &BuildOptions,
) -> Result<(Config, Timeline, Vec<Diagnostic>), BuildFailure> {
    let options = &options.resolved();
    let config = load_config(options)?;
    match content::read(&options.root, &config, options.drafts) {
        (Some(timeline), warnings) => Ok((config, timeline, warnings)),
        (None, problems) => Err(problems.into()),
    }
}

/// Loads templates and content (in parallel) and validates them into a [`Timeline`]. `once`:
/// for a single build or check, which reads the content with [`content::read`] and keeps no
/// cache; otherwise the content is read into a [`ContentCache`] kept for rebuilds.
pub(crate) fn prepare(
    options: &BuildOptions,
    config: &Config,
    once: bool,
) -> Result<(Templates, Option<ContentCache>, Timeline, Vec<Diagnostic>), BuildFailure> {
    let (templates, (cache, (timeline, mut problems))) = rayon::join(
        || render::templates(&options.root),
        || {
            if once {
                (None, content::read(&options.root, config, options.drafts))
            } else {
                let mut cache = ContentCache::new(&options.root, config);
                let read = cache.update(None, config, options.drafts);
                (Some(cache), read)
            }
        },
    );
    let templates = match templates {
        Ok(t) => Some(t),
        Err(mut e) => {
            problems.append(&mut e);
            None
        }
    };
    match (templates, timeline) {
        (Some(templates), Some(timeline)) if !problems.iter().any(Diagnostic::is_error) => {
            Ok((templates, cache, timeline, problems))
        }
        _ => Err(problems.into()),
    }
}

/// `gen check`: validate content, config and templates, and render every page in memory to
/// catch template errors; write nothing.
pub fn check(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let started = Instant::now();
    let options = &options.resolved();
    let config = load_config(options)?;
    let (templates, _, timeline, mut warnings) = prepare(options, &config, true)?;
    // Every page is rendered (to catch template errors) and dropped a chunk at a time.
    let mut pages = 0;
    let mut count = |chunk: Vec<render::Page>| {
        pages += chunk.len();
        Ok(())
    };
    render::render_into(
        &timeline,
        &config,
        &templates,
        &mut RenderCache::lean(),
        &mut count,
    )
    .map_err(|mut e| {
        e.append(&mut warnings);
        BuildFailure::from(e)
    })?;
    diagnostics::sort(&mut warnings);
    Ok(BuildReport {
        pages,
        events: timeline.events.len(),
        sources: timeline.sources.len(),
        output: None,
        warnings,
        elapsed: started.elapsed(),
    })
}

/// `gen build`: validate, render, and publish into the output folder.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    Session::build_once(options)
}

/// Where to write, refusing folders whose replacement would destroy the site's own files.
pub fn output_dir(options: &BuildOptions, config: &Config) -> Result<PathBuf, BuildFailure> {
    let root = absolute(&options.root);
    let output = match &options.output {
        Some(o) => absolute(o),
        None => root.join(&config.output_dir),
    };
    let refuse = |why: &str| -> BuildFailure {
        Diagnostic::error(
            &output,
            format!("refusing to write the site to {}: {why}", output.display()),
        )
        .with_hint(
            "choose a separate folder such as `public` (output_dir in site.toml, or --output)",
        )
        .into()
    };
    if root.starts_with(&output) {
        return Err(refuse("it is the site root or contains it"));
    }
    for own in ["content", "templates", "static"] {
        if output.starts_with(root.join(own)) {
            return Err(refuse(&format!("it is inside the site's {own}/ folder")));
        }
    }
    Ok(output)
}

/// `path` made absolute against the current folder, with `.`/`..` resolved where it exists.
fn absolute(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    // A path that does not exist yet: resolve its parent and keep the last component.
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => absolute(parent).join(name),
        _ => std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf()),
    }
}
