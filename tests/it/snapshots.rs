//! Golden files for the rendered event and index pages (insta). Re-bless after an intended
//! change with `INSTA_UPDATE=always cargo test` and review the diff in `tests/it/snapshots/`.

use crate::support::Site;

fn fixture() -> Site {
    Site::new()
        .source("wire-putin", "title: Putin slams attack on Iran\noutlet: Wire <Copy>\npublished: 2025-06-23\nurl: https://news.example/putin?a=1&b=2")
        .source("no-address", "title: Seed without an address\noutlet: teleSUR English\nlanguage: en")
        .event(
            "kremlin-meeting",
            "title: Araghchi meets Putin in the Kremlin\ndate: 2025-06-23T17:00 Europe/Moscow\nprecision: hour\nlocation: Moscow\nactors: [Russia, Iran]\ntags: [diplomacy]\nimportance: major\nsources:\n  - id: wire-putin\n    quote: \"absolutely unprovoked aggression\"\n  - no-address\ndisputed: Outlets differ on whether the US was named.",
            "The two met in Moscow.\n\n## What was said\n\nA second paragraph with a [link](https://example.org/a).",
        )
}

#[test]
fn event_page() {
    let site = fixture();
    site.build_ok();
    insta::assert_snapshot!(site.read("events/kremlin-meeting/index.html"));
}

#[test]
fn index_page() {
    let site = fixture();
    site.build_ok();
    insta::assert_snapshot!(site.read("index.html"));
}
