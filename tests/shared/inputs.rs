//! Content at and past gen's limits, shared by the limits tests (`tests/it/limits.rs`: each
//! deep input is refused with its place named, many files build) and the limits benchmarks
//! (`benches/limits.rs`: how long that takes), each of which includes this file with
//! `#[path]`. The deep inputs are (path in the site, text) pairs for a site whose source
//! `src-a` exists.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// An event file at `content/events/{slug}.md`.
fn event(slug: &str, front: &str, body: &str) -> (String, String) {
    (
        format!("content/events/{slug}.md"),
        format!("---\n{front}\n---\n{body}\n"),
    )
}

/// Blockquotes and lists 10,000 levels deep in three events and a free-standing page.
pub fn nested_markdown() -> Vec<(String, String)> {
    let quotes = format!("A first paragraph.\n\n{}deep\n", "> ".repeat(10_000));
    let list = format!("A first paragraph.\n\n{}deep\n", "- ".repeat(10_000));
    let mixed = format!("{}deep\n", "> 1. ".repeat(5_000));
    vec![
        event(
            "quotes",
            "title: Quotes\ndate: 2025-06-15\nsources: [src-a]",
            &quotes,
        ),
        event(
            "list",
            "title: List\ndate: 2025-06-15\nsources: [src-a]",
            &list,
        ),
        event(
            "mixed",
            "title: Mixed\ndate: 2025-06-15\nsources: [src-a]",
            &mixed,
        ),
        (
            "content/about.md".to_owned(),
            format!("---\ntitle: About\n---\n{quotes}"),
        ),
    ]
}

/// Raw HTML `<div>`s 100,000 levels deep in one event.
pub fn nested_html() -> Vec<(String, String)> {
    vec![event(
        "html",
        "title: Raw HTML\ndate: 2025-06-15\nsources: [src-a]",
        &format!(
            "Intro.\n\n{}raw{}\n",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        ),
    )]
}

/// Front matter nested 10,000 levels deep in flow style, 1,000 in block style, and a
/// billion laughs of aliases.
pub fn deep_yaml() -> Vec<(String, String)> {
    let flow = format!(
        "title: Flow\ndate: 2025-06-15\nsources: [src-a]\nactors: {}{}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let mut block = String::from("title: Block\ndate: 2025-06-15\nsources: [src-a]\ntags:\n");
    for depth in 1..=1_000 {
        let _ = writeln!(block, "{}-", " ".repeat(depth));
    }
    let mut laughs = String::from("title: Laughs\ndate: 2025-06-15\nsources: [src-a]\n");
    let _ = writeln!(laughs, "a: &a [x, x, x, x, x, x, x, x, x, x]");
    for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip("abcdefgh".chars())
    {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        let _ = writeln!(laughs, "{name}: &{name} [{refs}]");
    }
    laughs.push_str("actors: [*i, *i, *i, *i, *i, *i, *i, *i, *i, *i]");
    vec![
        event("flow", &flow, "Body."),
        event("block", block.trim_end(), "Body."),
        event("laughs", &laughs, "Body."),
    ]
}

/// Writes `events` events into the site folder `root` (which has its site.toml), each a file
/// of a few lines citing one of `events / 100` sources.
pub fn many_files(root: &Path, events: usize) {
    let sources = (events / 100).max(1);
    let dir = root.join("content/sources");
    fs::create_dir_all(&dir).expect("mkdir");
    for s in 0..sources {
        fs::write(
            dir.join(format!("s{s}.md")),
            format!("---\ntitle: Source {s}\noutlet: Outlet\npublished: 2025-06-14\n---\n"),
        )
        .expect("write");
    }
    let dir = root.join("content/events");
    fs::create_dir_all(&dir).expect("mkdir");
    for e in 0..events {
        fs::write(
            dir.join(format!("e{e}.md")),
            format!(
                "---\ntitle: Event {e}\ndate: 2025-06-{:02}T{:02}:{:02}Z\nsources: [s{}]\n---\nEvent {e} happened.\n",
                13 + e % 11,
                e / 60 % 24,
                e % 60,
                e % sources
            ),
        )
        .expect("write");
    }
}
