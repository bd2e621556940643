//! The repository's own site: it checks clean, and its content keeps the rules the project
//! holds its timeline to (every event sourced, every day covered, no duplicate articles,
//! short quotes).

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::NaiveDate;
use timeline_gen::BuildOptions;

fn repository() -> BuildOptions {
    BuildOptions {
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        ..BuildOptions::default()
    }
}

/// The one seed article with no known web address (teleSUR English, 23 June 2025).
const NO_ADDRESS_SEEDS: usize = 1;

#[test]
fn the_repository_site_checks_without_warnings() {
    let report = timeline_gen::check(&repository()).unwrap_or_else(|f| {
        let shown: Vec<String> = f
            .diagnostics
            .iter()
            .map(|d| d.render(&repository().root, false))
            .collect();
        panic!("{}", shown.join("\n"))
    });
    let shown: Vec<String> = report
        .warnings
        .iter()
        .map(|d| d.render(&repository().root, false))
        .collect();
    assert!(report.warnings.is_empty(), "{}", shown.join("\n"));
}

#[test]
fn every_event_is_sourced_and_every_day_covered() {
    let (config, timeline, _) =
        timeline_gen::timeline(&repository()).expect("the repository's content is valid");
    let (start, end) = config.window.expect("the repository sets a window");
    let without_url: Vec<&str> = timeline
        .sources
        .iter()
        .filter(|s| s.url.is_none())
        .map(|s| s.id.as_str())
        .collect();
    assert!(
        without_url.len() <= NO_ADDRESS_SEEDS,
        "sources without an address: {without_url:?}"
    );
    for event in &timeline.events {
        assert!(!event.citations.is_empty(), "{} has no source", event.slug);
        for c in &event.citations {
            if let Some(q) = &c.quote {
                assert!(
                    q.split_whitespace().count() <= 40,
                    "{}: quote too long",
                    event.slug
                );
            }
        }
        let has_address = event.citations.iter().any(|c| {
            timeline.source_index(&c.source).is_some_and(|i| {
                timeline.sources[i]
                    .url
                    .as_deref()
                    .is_some_and(|u| u.starts_with("http"))
            })
        });
        assert!(
            has_address
                || event
                    .citations
                    .iter()
                    .all(|c| without_url.contains(&c.source.as_str())),
            "{}",
            event.slug
        );
    }
    let days: HashSet<NaiveDate> = timeline.days.iter().map(|d| d.date).collect();
    let mut day = start;
    while day <= end {
        assert!(days.contains(&day), "no event on {day}");
        day = day.succ_opt().expect("next day");
    }
    let mut urls = HashSet::new();
    for s in &timeline.sources {
        if let Some(u) = &s.url {
            assert!(urls.insert(u.clone()), "two sources share {u}");
        }
    }
}
