//! Static files: the site's `static/` folder, copied as is to the output root, over the
//! default stylesheet and scripts embedded in the binary (a site overrides them file by file).

use std::fs;
use std::path::Path;

use crate::confined::Confined;
use crate::confined::is_ignored;
use crate::diagnostics::Diagnostic;

/// The default static files, embedded so a site without `static/` still looks right.
pub const DEFAULT_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../static/style.css")),
    ("timeline.js", include_bytes!("../static/timeline.js")),
    ("axis.js", include_bytes!("../static/axis.js")),
    ("axis-fine.js", include_bytes!("../static/axis-fine.js")),
    ("media.js", include_bytes!("../static/media.js")),
];

/// One static file: where it goes in the output and its bytes.
pub struct Asset {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Reads the site's static files and fills in the defaults it does not override.
/// Symbolic links are followed only inside the site (see [`crate::confined`]).
pub fn collect(root: &Path) -> Result<Vec<Asset>, Vec<Diagnostic>> {
    let mut assets = Vec::new();
    let mut problems = Vec::new();
    let dir = root.join("static");
    if dir.is_dir() {
        let files = Confined::new(root).files(&dir, true, &is_ignored, &mut problems);
        for path in files {
            let rel = path
                .strip_prefix(&dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            match fs::read(&path) {
                Ok(bytes) => assets.push(Asset { path: rel, bytes }),
                Err(e) => problems.push(Diagnostic::error(&path, format!("cannot read file: {e}"))),
            }
        }
    }
    for (name, bytes) in DEFAULT_STATIC {
        if !assets.iter().any(|a| a.path == *name) {
            assets.push(Asset {
                path: (*name).to_owned(),
                bytes: bytes.to_vec(),
            });
        }
    }
    if problems.is_empty() {
        Ok(assets)
    } else {
        Err(problems)
    }
}
