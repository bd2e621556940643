//! Content files → model, as pure stage functions: [`list`] the files, [`read_files`] (read
//! each, parse its front matter and Markdown, validate it on its own), then [`assemble`] them
//! (the rules that span files, and the [`Timeline`]). [`read`] is the three in a row, the
//! whole story of a build; `gen watch`'s cache (`crate::incremental::content`) calls the same
//! functions for the files that changed. `serde_yaml` (in `frontmatter`) and `pulldown-cmark`
//! + `ammonia` (in `markdown`) live only under this module.

mod assemble;
mod era;
mod fields;
mod file;
pub(crate) mod frontmatter;
mod load;
pub(crate) mod markdown;
mod media;
mod parse;
mod validate;

use std::path::{Path, PathBuf};

use chrono_tz::Tz;

use crate::config::{Config, RawHtml};
use crate::diagnostics::Diagnostic;
use crate::model::Timeline;

pub use load::FileKind;

pub(crate) use assemble::assemble;
pub(crate) use file::{ContentFile, Validated, read_files};
pub(crate) use load::list;

/// Reads the site's content into a [`Timeline`]. The timeline is `None` when any error was
/// found; the diagnostics hold every problem (errors and warnings) either way.
pub fn read(root: &Path, config: &Config, drafts: bool) -> (Option<Timeline>, Vec<Diagnostic>) {
    let (listed, listing_problems) = list(&root.join("content"));
    let files = read_files(&listed, config.raw_html, config.timezone);
    assemble(&files, &listing_problems, config, drafts)
}

/// Parses and validates one file's text on its own, as [`read_files`] does (the rules
/// spanning files aside); returns every problem found. Reached by the fuzz targets through
/// [`crate::stages`].
pub(crate) fn check_text(
    path: PathBuf,
    kind: FileKind,
    text: String,
    policy: RawHtml,
    zone: Tz,
) -> Vec<Diagnostic> {
    file::check_text(load::InputFile { path, kind, text }, policy, zone)
}
