//! gen: a static timeline website generator.
//!
//! A site is a folder with `site.toml`, `content/events/*.md`, `content/sources/*.md`,
//! optional `templates/` and `static/`. One direction of flow, one module per stage, put in
//! order in one place (`pipeline.rs`):
//!
//! ```text
//! site.toml + content/**  --content-->  Timeline (sorted events, sources, indexes; or all diagnostics)
//!    --render-->  files of the site (path + bytes)  --output-->  spare folder, swapped into public/
//! ```
//!
//! [`build`] and [`check`] are the entry points; [`Session`] keeps a build alive for
//! `gen watch` (its caches live in `incremental/` and call the same stages); [`scaffold`]
//! creates sites and events. docs/ARCHITECTURE.md maps the modules and their layers.

mod assets;
pub mod config;
mod confined;
mod content;
pub mod diagnostics;
mod incremental;
mod media;
pub mod model;
mod output;
mod pipeline;
mod render;
pub mod scaffold;
mod serve;
mod site;
#[doc(hidden)]
pub mod stages;
pub mod watch;

pub use diagnostics::{BuildFailure, Diagnostic, Severity};
pub use incremental::{Change, RebuildReport, Session};
pub use output::Busy;
pub use pipeline::{BuildReport, build, check, load_config, timeline};
pub use site::BuildOptions;
