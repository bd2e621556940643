//! What `gen watch` keeps between rebuilds. Each cache here composes the stage functions
//! (it calls them for what changed and keeps their results); no stage knows it is cached.

pub(crate) mod content;
