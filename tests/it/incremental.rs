//! The incremental rebuild of `gen watch` (the library's `Session`) leaves exactly the bytes a
//! fresh `gen build` writes, after any sequence of edits.

use std::collections::HashSet;
use std::path::PathBuf;

use proptest::prelude::*;
use timeline_gen::{BuildOptions, Change, Session};

use crate::support::Site;

#[derive(Debug, Clone)]
enum Edit {
    Title(usize, String),
    Date(usize, u32, u32),
    Cite(usize, usize),
    Add(u32),
    Remove(usize),
    Source(usize, String),
    Break(usize),
    Tags(usize, usize),
    Group(usize, usize),
    /// An era from one day for some days, or none.
    Era(Option<(u32, u32)>),
    Template(String),
    Static(String),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..6usize, "[A-Za-z<&][A-Za-z <&]{0,11}").prop_map(|(i, t)| Edit::Title(i, t)),
        (0..6usize, 13u32..=23, 0u32..24).prop_map(|(i, d, h)| Edit::Date(i, d, h)),
        (0..6usize, 0..3usize).prop_map(|(i, s)| Edit::Cite(i, s)),
        (0u32..1000).prop_map(Edit::Add),
        (0..6usize).prop_map(Edit::Remove),
        (0..3usize, "[A-Za-z][A-Za-z ]{0,11}").prop_map(|(i, t)| Edit::Source(i, t)),
        (0..6usize).prop_map(Edit::Break),
        (0..6usize, 0..4usize).prop_map(|(i, t)| Edit::Tags(i, t)),
        (0..6usize, 0..3usize).prop_map(|(i, g)| Edit::Group(i, g)),
        prop::option::of((13u32..=23, 0u32..4)).prop_map(Edit::Era),
        "[a-z]{1,8}".prop_map(Edit::Template),
        "[a-z]{1,8}".prop_map(Edit::Static),
    ]
}

const TAGS: [&str; 4] = ["strikes", "diplomacy", "missiles", "nuclear sites"];

fn event_text(title: &str, day: u32, hour: u32, source: usize, tag: usize) -> String {
    format!(
        "---\ntitle: {}\ndate: 2025-06-{day:02}T{hour:02}:00 Asia/Tehran\ntags: [{}]\nactors: [Iran]\ngroup: g{source}\nsources: [s{source}]\n---\nBody of {title}.\n",
        serde_json::to_string(title).expect("json"),
        TAGS[tag]
    )
}

fn fixture() -> Site {
    let mut site = Site::empty().file(
        "site.toml",
        "title = \"I\"\nbase_url = \"https://example.org/i/\"\ntimezone = \"UTC\"\n",
    );
    for s in 0..3 {
        site = site.source(
            &format!("s{s}"),
            &format!(
                "title: Source {s}\noutlet: Outlet {}\nurl: https://news.example/{s}",
                s % 2
            ),
        );
    }
    for e in 0..4 {
        site = site.file(
            &format!("content/events/e{e}.md"),
            &event_text(&format!("Event {e}"), 14 + e as u32, 9, e % 3, e % 4),
        );
    }
    site
}

/// Applies `edit`; returns the change to report, or `None` when nothing was touched.
fn apply(site: &Site, edit: &Edit) -> Option<Change> {
    let events: Vec<PathBuf> = {
        let mut v: Vec<PathBuf> = std::fs::read_dir(site.path("content/events"))
            .ok()?
            .flatten()
            .map(|e| e.path())
            .collect();
        v.sort();
        v
    };
    let pick = |i: usize| events.get(i % events.len().max(1)).cloned();
    let rewrite = |path: &PathBuf, f: &dyn Fn(String) -> String| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        std::fs::write(path, f(text)).expect("write");
        Some(Change::Content(HashSet::from([path.clone()])))
    };
    match edit {
        Edit::Title(i, t) => set_key(
            &pick(*i)?,
            "title",
            &serde_json::to_string(t).expect("json"),
        ),
        Edit::Date(i, d, h) => set_key(
            &pick(*i)?,
            "date",
            &format!("2025-06-{d:02}T{h:02}:30 Asia/Tehran"),
        ),
        Edit::Cite(i, s) => set_key(&pick(*i)?, "sources", &format!("[s{s}]")),
        Edit::Tags(i, t) => set_key(&pick(*i)?, "tags", &format!("[{}]", TAGS[*t])),
        Edit::Group(i, g) => set_key(&pick(*i)?, "group", &format!("g{g}")),
        Edit::Era(span) => {
            let path = site.path("content/eras/era.md");
            match span {
                Some((day, days)) => {
                    std::fs::create_dir_all(site.path("content/eras")).expect("mkdir");
                    let end = (day + days).min(23);
                    let text = format!(
                        "---\ntitle: Era from {day}\nstart: 2025-06-{day:02}\nend: 2025-06-{end:02}T12:00Z\nsources: [s{}]\n---\nAn era.\n",
                        day % 3
                    );
                    std::fs::write(&path, text).expect("write");
                }
                None if path.exists() => std::fs::remove_file(&path).expect("remove"),
                None => return None,
            }
            Some(Change::Content(HashSet::from([path])))
        }
        Edit::Add(n) => {
            let path = site.path(&format!("content/events/added-{n}.md"));
            std::fs::write(
                &path,
                event_text(
                    &format!("Added {n}"),
                    13 + n % 11,
                    n % 24,
                    (*n as usize) % 3,
                    (*n as usize) % 4,
                ),
            )
            .expect("write");
            Some(Change::Content(HashSet::from([path])))
        }
        Edit::Remove(i) => {
            // Keep at least one event citing each source would be too strict: an uncited source
            // is only a warning.
            if events.len() <= 1 {
                return None;
            }
            let path = pick(*i)?;
            std::fs::remove_file(&path).expect("remove");
            Some(Change::Content(HashSet::from([path])))
        }
        Edit::Source(i, t) => {
            let path = site.path(&format!("content/sources/s{i}.md"));
            std::fs::write(&path, format!("---\ntitle: {t}\noutlet: Outlet {i}\n---\n"))
                .expect("write");
            Some(Change::Content(HashSet::from([path])))
        }
        Edit::Break(i) => {
            let path = pick(*i)?;
            rewrite(&path, &|text| {
                text.replacen("---\n", "---\nnot: [closed\n", 1)
            })
        }
        Edit::Template(word) => {
            let path = site.path("templates/404.html");
            std::fs::create_dir_all(site.path("templates")).expect("mkdir");
            std::fs::write(&path, format!("{{% extends \"base.html\" %}}{{% block main %}}<p>{word}</p>{{% endblock main %}}")).expect("write");
            Some(Change::Templates)
        }
        Edit::Static(word) => {
            std::fs::create_dir_all(site.path("static")).expect("mkdir");
            std::fs::write(site.path("static/extra.css"), format!("/* {word} */")).expect("write");
            Some(Change::Static)
        }
    }
}

/// Replaces the value of a top-level front-matter key in an event file.
fn set_key(path: &PathBuf, key: &str, value: &str) -> Option<Change> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let prefix = format!("{key}:");
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(&prefix) {
                format!("{key}: {value}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").expect("write");
    Some(Change::Content(HashSet::from([path.clone()])))
}

/// Repairs any broken file so the final state builds (a broken edit is undone by the next edit
/// of that file in real use).
fn repair(site: &Site) -> HashSet<PathBuf> {
    let mut fixed = HashSet::new();
    for entry in std::fs::read_dir(site.path("content/events"))
        .expect("list")
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).expect("read");
        if text.contains("not: [closed\n") {
            std::fs::write(entry.path(), text.replace("not: [closed\n", "")).expect("write");
            fixed.insert(entry.path());
        }
    }
    fixed
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn incremental_output_equals_a_fresh_build(edits in prop::collection::vec(edit(), 1..10)) {
        let site = fixture();
        let options = BuildOptions { root: site.root().to_path_buf(), ..BuildOptions::default() };
        let (mut session, _) = Session::start(&options).expect("first build");
        for e in &edits {
            if let Some(change) = apply(&site, e) {
                // A broken edit fails and leaves the output as it was; others must succeed.
                let before = site.snapshot_output();
                if session.rebuild(&change).is_err() {
                    prop_assert_eq!(&before, &site.snapshot_output(), "a failed rebuild changed the output");
                }
            }
        }
        let fixed = repair(&site);
        if !fixed.is_empty() {
            session.rebuild(&Change::Content(fixed)).expect("repaired");
        }
        let watched = site.snapshot_output();
        let fresh = Site::empty();
        let run = site.run(&["build", "--output", fresh.path("out").to_str().expect("utf-8")]);
        prop_assert!(run.success, "{}", run.stderr);
        let built = crate::support::files_under(&fresh.path("out"));
        let differ = crate::support::differences(&watched, &built);
        prop_assert!(differ.is_empty(), "after {:?} these differ from a fresh build: {:?}", edits, differ);
    }
}
