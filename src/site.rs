//! The site a command works on: its root, its configuration and where its output goes,
//! resolved once from the command line's options.

use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE, Config};
use crate::confined::{Confined, read_text};
use crate::diagnostics::{BuildFailure, Diagnostic};
use crate::output::Busy;

/// What `gen build`, `gen check` and `gen watch` are asked to do.
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

/// A site with its options resolved: the root made absolute (so every diagnostic path can be
/// shown relative to it) and `site.toml` read and validated.
#[derive(Debug, Clone)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub drafts: bool,
    pub busy: Busy,
    /// The `--output` and `--base-url` given, for [`Site::output`] and [`Site::reload`].
    output: Option<PathBuf>,
    base_url: Option<String>,
}

impl Site {
    /// Resolves `options` and reads the site's configuration.
    pub fn open(options: &BuildOptions) -> Result<Site, BuildFailure> {
        let root = absolute(&options.root);
        let config = load_config(&root, options.base_url.as_deref())?;
        Ok(Site {
            root,
            config,
            drafts: options.drafts,
            busy: options.busy,
            output: options.output.clone(),
            base_url: options.base_url.clone(),
        })
    }

    /// The configuration read again (after `site.toml` changed).
    pub fn reload(&self) -> Result<Config, BuildFailure> {
        load_config(&self.root, self.base_url.as_deref())
    }

    /// Where to write, refusing folders whose replacement would destroy the site's own files.
    pub fn output(&self) -> Result<PathBuf, BuildFailure> {
        let output = match &self.output {
            Some(o) => absolute(o),
            None => self.root.join(&self.config.output_dir),
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
        if self.root.starts_with(&output) {
            return Err(refuse("it is the site root or contains it"));
        }
        for own in ["content", "templates", "static"] {
            if output.starts_with(self.root.join(own)) {
                return Err(refuse(&format!("it is inside the site's {own}/ folder")));
            }
        }
        Ok(output)
    }
}

/// Reads and validates `site.toml` under `root`, applying a `--base-url` override.
fn load_config(root: &Path, base_url: Option<&str>) -> Result<Config, BuildFailure> {
    let path = root.join(CONFIG_FILE);
    if !path.is_file() {
        return Err(Diagnostic::error(&path, "no site.toml here: this folder is not a gen site")
            .with_hint("run gen in the site's folder, pass --root DIR, or create a site with `gen init DIR`")
            .into());
    }
    Confined::new(root).check(&path)?;
    let text = read_text(&path)?;
    let config = Config::parse(&path, &text)?;
    match base_url {
        Some(url) => config.with_base_url(url).map_err(|message| {
            Diagnostic::error(&path, format!("--base-url: {message}"))
                .with_hint("write a full address such as \"https://example.org/timeline/\"")
                .into()
        }),
        None => Ok(config),
    }
}

/// The cache folder of the output folder `output`, beside it: `.public.cache/` for `public/`.
pub fn cache_dir(output: &Path) -> PathBuf {
    let name = output.file_name().unwrap_or_default().to_string_lossy();
    output.with_file_name(format!(".{name}.cache"))
}

/// `path` made absolute against the current folder, with `.`/`..` resolved where it exists.
pub(crate) fn absolute(path: &Path) -> PathBuf {
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
