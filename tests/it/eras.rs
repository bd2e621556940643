//! Eras (`content/eras/*.md`), an event's `group` and `[axis] lanes`: what a broken one tells
//! the author, what `timeline.json` carries, and `gen watch` writing it again on an edit.

use std::collections::HashSet;

use timeline_gen::{BuildOptions, Change, Session};

use crate::support::Site;

fn era(site: Site, slug: &str, front: &str) -> Site {
    site.file(
        &format!("content/eras/{slug}.md"),
        &format!("---\n{front}\n---\n"),
    )
}

/// The transcript of a build of the minimal site changed by `change`, which must fail.
fn fails(change: impl FnOnce(Site) -> Site) -> String {
    let site = change(Site::new());
    let run = site.build();
    assert!(
        !run.success,
        "the build should fail; stdout: {}",
        run.stdout
    );
    run.transcript(&site)
}

#[test]
fn an_era_ending_before_it_starts() {
    insta::assert_snapshot!(fails(|s| era(
        s,
        "opening",
        "title: Opening strikes\nstart: 2025-06-14T10:00Z\nend: 2025-06-14T13:00 Asia/Tehran"
    )));
}

#[test]
fn an_era_outside_the_window() {
    insta::assert_snapshot!(fails(|s| era(
        s,
        "aftermath",
        "title: Aftermath\nstart: 2025-06-22\nend: 2025-06-24T04:00 Asia/Tehran"
    )));
}

#[test]
fn an_era_citing_an_unknown_source() {
    insta::assert_snapshot!(fails(|s| era(
        s,
        "opening",
        "title: Opening strikes\nstart: 2025-06-13\nend: 2025-06-15\nsources:\n  - id: src-b\n    quote: it began"
    )));
}

#[test]
fn an_unknown_key_in_an_era() {
    insta::assert_snapshot!(fails(|s| era(
        s,
        "opening",
        "title: Opening strikes\nstart: 2025-06-13\nended: 2025-06-15"
    )));
}

#[test]
fn a_bad_lanes_value() {
    insta::assert_snapshot!(fails(|s| s.file(
        "site.toml",
        &format!("{}\n[axis]\nlanes = \"groups\"\n", crate::support::CONFIG)
    )));
}

#[test]
fn an_unknown_key_under_axis() {
    insta::assert_snapshot!(fails(|s| s.file(
        "site.toml",
        &format!("{}\n[axis]\nlane = \"group\"\n", crate::support::CONFIG)
    )));
}

#[test]
fn a_group_that_is_not_text() {
    insta::assert_snapshot!(fails(|s| s.event(
        "first",
        "title: T\ndate: 2025-06-14\ngroup: [Diplomacy, Strikes]\nsources: [src-a]",
        "x"
    )));
}

#[test]
fn timeline_json_carries_the_eras_and_the_groups() {
    let site = era(
        Site::new(),
        "opening",
        "title: Opening <strikes>\nstart: 2025-06-14T03:00 Asia/Tehran\nend: 2025-06-15\nsources: [src-a]",
    )
    .file(
        "content/eras/talks.md",
        "---\ntitle: Talks\nstart: 2025-06-20\nend: 2025-06-23\n---\nTalks in *Geneva*.\n",
    )
    .event(
        "second",
        "title: Second\ndate: 2025-06-16\nactors: [Iran]\ngroup: Diplomacy\nsources: [src-a]",
        "x",
    )
    .event("third", "title: Third\ndate: 2025-06-17\nactors: [Iran]\nsources: [src-a]", "x");
    site.build_ok();
    let json: serde_json::Value = serde_json::from_str(&site.read("timeline.json")).expect("json");
    let eras = json["eras"].as_array().expect("eras");
    assert_eq!(eras.len(), 2);
    let opening = &eras[0];
    assert_eq!(opening["text"]["headline"], "Opening &lt;strikes&gt;");
    assert_eq!(opening["text"]["text"], "");
    // 03:00 in Tehran is 23:30 UTC the day before, the display zone's day.
    let start = &opening["start_date"];
    assert_eq!(
        (
            &start["year"],
            &start["month"],
            &start["day"],
            &start["hour"],
            &start["minute"]
        ),
        (&2025.into(), &6.into(), &13.into(), &23.into(), &30.into())
    );
    assert_eq!(start["display_date"], "13 June 2025, 23:30 UTC");
    let end = &opening["end_date"];
    assert_eq!(
        (&end["day"], &end["hour"]),
        (&15.into(), &serde_json::Value::Null)
    );
    assert_eq!(end["display_date"], "15 June 2025");
    assert_eq!(
        eras[1]["text"]["text"],
        "<p>Talks in <em>Geneva</em>.</p>\n"
    );
    let groups: Vec<&serde_json::Value> = json["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| &e["group"])
        .collect();
    // The first event has no group and no actor; the third falls back to its first actor.
    assert_eq!(
        groups,
        [
            &serde_json::Value::Null,
            &"Diplomacy".into(),
            &"Iran".into()
        ]
    );
}

#[test]
fn a_site_without_eras_has_an_empty_list() {
    let site = Site::new();
    site.build_ok();
    let json: serde_json::Value = serde_json::from_str(&site.read("timeline.json")).expect("json");
    assert_eq!(json["eras"], serde_json::json!([]));
}

#[test]
fn gen_watch_writes_timeline_json_again_when_an_era_or_a_group_changes() {
    let site = era(
        Site::new(),
        "opening",
        "title: Opening strikes\nstart: 2025-06-13\nend: 2025-06-15",
    );
    let options = BuildOptions {
        root: site.root().to_path_buf(),
        ..BuildOptions::default()
    };
    let (mut session, _) = Session::start(&options).expect("first build");
    let mut rebuild = |rel: &str, text: Option<&str>| {
        let path = site.path(rel);
        match text {
            Some(text) => std::fs::write(&path, text).expect("write"),
            None => std::fs::remove_file(&path).expect("remove"),
        }
        session
            .rebuild(&Change::Content(HashSet::from([path])))
            .expect("rebuild");
        let json: serde_json::Value =
            serde_json::from_str(&site.read("timeline.json")).expect("json");
        json
    };
    let edited = rebuild(
        "content/eras/opening.md",
        Some("---\ntitle: The opening strikes\nstart: 2025-06-13\nend: 2025-06-16\n---\n"),
    );
    assert_eq!(edited["eras"][0]["text"]["headline"], "The opening strikes");
    assert_eq!(edited["eras"][0]["end_date"]["day"], 16);
    let added = rebuild(
        "content/eras/talks.md",
        Some("---\ntitle: Talks\nstart: 2025-06-20\nend: 2025-06-23\n---\n"),
    );
    assert_eq!(added["eras"][1]["text"]["headline"], "Talks");
    let grouped = rebuild(
        "content/events/first.md",
        Some(
            "---\ntitle: First event\ndate: 2025-06-14T10:00 Asia/Tehran\ngroup: Strikes\nsources: [src-a]\n---\nThe summary.\n",
        ),
    );
    assert_eq!(grouped["events"][0]["group"], "Strikes");
    let removed = rebuild("content/eras/opening.md", None);
    assert_eq!(removed["eras"].as_array().map(Vec::len), Some(1));
    // What the session wrote is what a fresh build writes.
    let watched = site.snapshot_output();
    let fresh = Site::empty();
    let out = fresh.path("out");
    let run = site.run(&["build", "--output", out.to_str().expect("utf-8")]);
    assert!(run.success, "{}", run.stderr);
    let differ = crate::support::differences(&watched, &crate::support::files_under(&out));
    assert!(
        differ.is_empty(),
        "these differ from a fresh build: {differ:?}"
    );
}
