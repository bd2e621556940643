//! The caches `gen watch` keeps between rebuilds, and the session that composes them with
//! the stage functions of `crate::pipeline`, `crate::content` and `crate::render`. Nothing
//! outside this folder knows a cache exists: the plain build is the whole story.

pub(crate) mod content;
mod render;
mod session;
mod signature;

pub use session::{Change, RebuildReport, Session};
