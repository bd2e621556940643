//! `gen check`'s list of media files that nothing names.

use std::path::Path;

use crate::confined::{Confined, is_ignored};
use crate::diagnostics::Diagnostic;

use super::Planned;
use super::find::shown;

/// A warning for each file under `content/` that is neither a content file (`.md`) nor
/// named by a `media` item.
pub fn unused(root: &Path, planned: &Planned) -> Vec<Diagnostic> {
    let content = root.join("content");
    if !content.is_dir() {
        return Vec::new();
    }
    let mut problems = Vec::new();
    let files = Confined::new(root).files(&content, true, &is_ignored, &mut problems);
    files
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .filter(|p| !planned.used.contains(&shown(root, p)))
        .map(|p| {
            Diagnostic::warning(p, "no event, source or era uses this file")
                .with_hint("name it in a `media:` item (`- src: …`), or delete it")
        })
        .collect()
}
