//! Front matter: arbitrary text split, parsed and validated as an event file, a source file
//! and a free-standing page, the way `gen` reads each content file on its own.
//!
//! Checks: no panic; every diagnostic points at a line that exists (or at none) and renders.

#![no_main]

use std::path::Path;

use chrono_tz::Tz;
use libfuzzer_sys::fuzz_target;
use timeline_gen::config::RawHtml;
use timeline_gen::stages::{self, FileKind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The benchmark's entry point: split and parse alone.
    let _ = stages::front_matter(text);
    let lines = text.lines().count().max(1);
    for (path, kind) in [
        ("/site/content/events/fuzz.md", FileKind::Event),
        ("/site/content/sources/fuzz.md", FileKind::Source),
        ("/site/content/eras/fuzz.md", FileKind::Era),
        ("/site/content/fuzz.md", FileKind::Page),
    ] {
        let path = Path::new(path);
        for d in stages::content_file(path, kind, text, RawHtml::Sanitize, Tz::Asia__Tehran) {
            if let Some(line) = d.line {
                assert!(
                    (1..=lines).contains(&line),
                    "line {line} of a {lines}-line file: {d:?}"
                );
            }
            assert_eq!(d.path, path, "{d:?}");
            let _ = d.render(Path::new("/site"), false);
        }
    }
});
