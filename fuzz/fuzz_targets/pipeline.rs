//! The whole pipeline of `gen check` (config, content, validation, every page rendered with
//! the built-in templates) on a small site made from the input.
//!
//! The input is cut at NUL bytes into `site.toml` (a valid default when that part is empty),
//! two events, a source and a free-standing page, written into a folder under /dev/shm (the
//! temporary folder where there is none). An odd-length input is checked with drafts. The
//! templates, which do not depend on the input, are parsed once (`stages::check_site`);
//! otherwise it is `timeline_gen::check` step for step.
//!
//! Checks: no panic; a failure carries at least one error, a success none; every diagnostic
//! names a file of the site (or a built-in template, or none) and renders.

#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use timeline_gen::stages::{self, LoadedTemplates};

const DEFAULT_SITE: &[u8] =
    b"title = \"Fuzz\"\nbase_url = \"https://example.org/t/\"\ntimezone = \"Asia/Tehran\"\n";

/// Where each part of the input goes, after `site.toml`.
const FILES: [&str; 4] = [
    "content/events/a.md",
    "content/events/b.md",
    "content/sources/s.md",
    "content/about.md",
];

const PREFIX: &str = "gen-fuzz-pipeline.";

/// This process's site folder, made once; the folders of finished runs are removed then.
fn root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        remove_stale(&base);
        let root = base.join(format!("{PREFIX}{}", std::process::id()));
        fs::create_dir_all(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
        root.canonicalize().unwrap_or(root)
    })
}

/// Removes the folders left by runs whose process is gone (libFuzzer ends the process
/// without running destructors).
fn remove_stale(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The built-in templates (the site folder has no `templates/`), parsed once.
fn templates() -> &'static LoadedTemplates {
    static TEMPLATES: OnceLock<LoadedTemplates> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        stages::templates(root()).unwrap_or_else(|e| panic!("built-in templates: {e:?}"))
    })
}

fuzz_target!(|data: &[u8]| {
    let root = root();
    let templates = templates();
    let _ = fs::remove_dir_all(root.join("content"));
    for dir in ["content/events", "content/sources"] {
        fs::create_dir_all(root.join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}"));
    }
    let mut parts = data.split(|b| *b == 0);
    let site = parts
        .next()
        .filter(|p| !p.is_empty())
        .unwrap_or(DEFAULT_SITE);
    fs::write(root.join("site.toml"), site).unwrap_or_else(|e| panic!("site.toml: {e}"));
    for (name, text) in FILES.iter().zip(parts) {
        fs::write(root.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let diagnostics = match stages::check_site(root, data.len() % 2 == 1, templates) {
        Ok((pages, warnings)) => {
            assert!(pages > 0, "no pages, warnings: {warnings:?}");
            assert!(!warnings.iter().any(|d| d.is_error()), "{warnings:?}");
            warnings
        }
        Err(failure) => {
            assert!(
                failure.diagnostics.iter().any(|d| d.is_error()),
                "a failure without an error: {:?}",
                failure.diagnostics
            );
            failure.diagnostics
        }
    };
    for d in &diagnostics {
        assert!(
            d.path.as_os_str().is_empty()
                || d.path.starts_with(root)
                || d.path.starts_with("templates/"),
            "{d:?}"
        );
        let _ = d.render(root, false);
    }
});
