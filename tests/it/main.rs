//! Integration tests: run the real `gen` binary (and the library) on small fixture sites in
//! temporary folders and check the files written and the messages printed.

mod architecture;
mod axis;
mod build;
mod cards;
mod commands;
mod concurrent;
mod crash;
#[path = "../shared/dev_server.rs"]
mod dev_server;
mod diagnostics;
mod eras;
#[path = "../shared/filler.rs"]
mod filler;
mod formats;
#[path = "../shared/images.rs"]
mod images;
mod incremental;
#[path = "../shared/inputs.rs"]
mod inputs;
mod limits;
mod links;
mod media;
mod paths;
mod properties;
mod repository;
mod server;
mod snapshots;
mod storms;
mod support;
mod watch;
mod xss;
