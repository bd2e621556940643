//! The time axis as the build writes it: marks that link to cards on their own page, in
//! proportion to time, lanes by group, eras, and counts past `index_limit`.

use scraper::{Html, Selector};

use crate::support::{CONFIG, Site};

fn select(text: &str) -> Selector {
    Selector::parse(text).expect("a selector")
}

/// A site of five events of every kind the axis draws, over two actors, and one era.
fn varied() -> Site {
    let front = |date: &str, more: &str| {
        format!("title: At {date}\ndate: {date}\nactors: [Iran]\nsources: [src-a]\n{more}")
    };
    Site::new()
        .event("strikes", &front("2025-06-22T02:10 Asia/Tehran", "end: 2025-06-22T02:35 Asia/Tehran\ngroup: Military"), "Strikes.")
        .event("address", &front("2025-06-21T22:00 America/New_York", "group: Politics"), "An address.")
        .event("whole-day", &front("2025-06-20", "group: Politics"), "A day.")
        .event("rough", &front("2025-06-22T09:00Z", "precision: approximate"), "About then.")
        .file(
            "content/eras/night.md",
            "---\ntitle: The night of the strikes\nstart: 2025-06-21T22:00Z\nend: 2025-06-22\nsources: [src-a]\n---\nA night.\n",
        )
}

/// Each `(href, name, left %)` of the axis marks of `html`.
fn marks(html: &Html) -> Vec<(String, String, f64)> {
    html.select(&select(".axis-marks li"))
        .map(|li| {
            let a = li.select(&select("a")).next().expect("a link");
            let style = li.value().attr("style").unwrap_or_default();
            let left = style
                .strip_prefix("left:")
                .and_then(|s| s.split('%').next())
                .and_then(|s| s.parse().ok())
                .expect("a left position");
            let href = a.value().attr("href").unwrap_or_default().to_owned();
            // The accessible name: the link's text but the time, which is hidden from it.
            let time: String = a
                .select(&select("[aria-hidden=\"true\"]"))
                .flat_map(|t| t.text())
                .collect();
            let text: String = a.text().collect();
            let name = text.strip_prefix(&time).unwrap_or(&text).trim().to_owned();
            (href, name, left)
        })
        .collect()
}

#[test]
fn every_mark_links_to_a_card_on_its_own_page_with_the_title_as_its_name() {
    let site = varied();
    site.build_ok();
    for page in [
        "index.html",
        "days/2025-06-22/index.html",
        "actors/iran/index.html",
        "sources/src-a/index.html",
    ] {
        let html = Html::parse_document(&site.read(page));
        let found = marks(&html);
        let cards = html.select(&select("article.event")).count();
        assert_eq!(found.len(), cards, "{page}: one mark per card");
        for (href, name, _) in found {
            let id = href.strip_prefix('#').expect("a fragment link");
            let card = html
                .select(&select(&format!("article.event[id=\"{id}\"] h3 a")))
                .next()
                .unwrap_or_else(|| panic!("{page}: no card #{id}"));
            assert_eq!(name, card.text().collect::<String>(), "{page}");
        }
    }
}

#[test]
fn marks_are_placed_in_proportion_to_their_instant() {
    let site = varied();
    site.build_ok();
    let html = Html::parse_document(&site.read("index.html"));
    let at = |slug: &str| {
        marks(&html)
            .into_iter()
            .find(|(h, _, _)| h == &format!("#{slug}"))
            .map(|(_, _, left)| left)
            .expect("a mark")
    };
    // The window is 13–23 June in UTC: 264 hours. The strikes (22:40 UTC on 21 June) come
    // before the address (02:00 UTC on 22 June), 3 h 20 min apart.
    let (strikes, address) = (at("strikes"), at("address"));
    assert!(strikes < address);
    let expected = 200.0 / 60.0 / 264.0 * 100.0;
    assert!(
        ((address - strikes) - expected).abs() < 0.002,
        "{strikes} {address}"
    );
    let kinds: Vec<String> = html
        .select(&select(".axis-marks li"))
        .filter_map(|li| li.value().attr("class").map(str::to_owned))
        .collect();
    // Each kind, and where its tip opens: leftwards past 60 % of the axis, below in the top
    // two lanes.
    assert_eq!(
        kinds,
        [
            "exact b",
            "day r b",
            "span r b",
            "exact r b",
            "approximate r b"
        ]
    );
    let legend: String = html
        .select(&select(".axis-legend"))
        .flat_map(|l| l.text())
        .collect();
    for words in [
        "Time known",
        "Approximate time",
        "Day known",
        "Lasting a while",
        "Hours in UTC",
    ] {
        assert!(legend.contains(words), "{legend}");
    }
}

#[test]
fn eras_are_bands_on_the_axis_and_listed_on_the_index() {
    let site = varied();
    site.build_ok();
    let index = site.read("index.html");
    let html = Html::parse_document(&index);
    let band: String = html
        .select(&select(".axis-eras li"))
        .flat_map(|b| b.text())
        .collect();
    assert_eq!(band, "The night of the strikes 21 Jun 22:00 – 22 Jun");
    let listed = html
        .select(&select("section.eras li#era-night"))
        .next()
        .expect("the era listed");
    let text: String = listed.text().collect();
    assert!(text.contains("A night."), "{text}");
    assert_eq!(listed.select(&select("ol.cites li")).count(), 1);
    // A day page shows the band of the era that covers it, linking to the index's list.
    let day = site.read("days/2025-06-22/index.html");
    assert!(day.contains("href=\"../../#era-night\""), "{day}");
}

#[test]
fn lanes_by_group_give_each_group_its_own_band() {
    let site = varied().file(
        "site.toml",
        &format!("{CONFIG}\n[axis]\nlanes = \"group\"\n"),
    );
    site.build_ok();
    let html = Html::parse_document(&site.read("index.html"));
    let groups: Vec<String> = html
        .select(&select(".axis-groups li"))
        .map(|g| g.text().collect())
        .collect();
    // In order of first appearance, events without a group last.
    assert_eq!(groups, ["Politics", "Military", "Other"]);
    let lane = |slug: &str| {
        html.select(&select(".axis-marks li"))
            .find(|li| {
                li.select(&select(&format!("a[href=\"#{slug}\"]")))
                    .next()
                    .is_some()
            })
            .and_then(|li| li.value().attr("style"))
            .and_then(|s| s.rsplit("--lane:").next())
            .and_then(|n| n.parse::<usize>().ok())
            .expect("a lane")
    };
    assert_eq!((lane("whole-day"), lane("address")), (0, 0));
    assert_eq!(lane("strikes"), 1);
    assert_eq!((lane("first"), lane("rough")), (2, 2));
}

#[test]
fn past_the_index_limit_the_axis_counts_per_day_and_writes_finer_counts() {
    let config = CONFIG.replace("[timeline]", "index_limit = 3\n[timeline]");
    let site = varied().file("site.toml", &config);
    site.build_ok();
    let html = Html::parse_document(&site.read("index.html"));
    assert_eq!(html.select(&select(".axis-marks")).count(), 0);
    let bins: Vec<String> = html
        .select(&select(".axis-bins a"))
        .map(|a| a.text().collect())
        .collect();
    assert_eq!(bins.len(), 11, "{bins:?}");
    assert_eq!(bins[1], "14 Jun: 1 event");
    assert_eq!(bins[7], "20 Jun: 1 event");
    assert_eq!(bins[8], "21 Jun: 1 event");
    assert_eq!(bins[9], "22 Jun: 2 events");
    assert_eq!(bins[10], "23 Jun: 0 events");
    let file: serde_json::Value =
        serde_json::from_str(&site.read("axis/2025-06-22.json")).expect("JSON");
    let counts = file["counts"].as_array().expect("counts");
    assert_eq!(counts.len(), 144);
    let timed: u64 = counts.iter().filter_map(serde_json::Value::as_u64).sum();
    assert_eq!((timed, file["whole_day"].as_u64()), (2, Some(0)));
    // The strikes, at 22:40 UTC, are on 21 June in UTC; the date-only event has no time.
    assert!(
        site.read("axis/2025-06-21.json")
            .contains("\"whole_day\":0")
    );
    assert!(
        site.read("axis/2025-06-20.json")
            .contains("\"whole_day\":1")
    );
    assert!(!site.exists("axis/2025-06-23.json"));
}

#[test]
fn under_the_index_limit_no_axis_files_are_written() {
    let site = varied();
    site.build_ok();
    assert!(!site.exists("axis"));
}
