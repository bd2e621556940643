//! Invariants over generated sites: events always come out in UTC order, and no text in any
//! front-matter field ever reaches the HTML unescaped.

use std::fmt::Write as _;

use proptest::prelude::*;
use timeline_gen::model::EventDate;

use crate::support::Site;

const ZONES: &[&str] = &[
    "Asia/Tehran",
    "Asia/Jerusalem",
    "America/New_York",
    "Europe/Moscow",
    "UTC",
    "Pacific/Kiritimati",
];

/// A written date: date-only, `Z`, offset, or local time with a zone name.
fn date() -> impl Strategy<Value = String> {
    (
        13u32..=23,
        0u32..24,
        0u32..60,
        0usize..4,
        0usize..ZONES.len(),
    )
        .prop_map(|(day, hour, minute, form, zone)| match form {
            0 => format!("2025-06-{day:02}"),
            1 => format!("2025-06-{day:02}T{hour:02}:{minute:02}Z"),
            2 => format!("2025-06-{day:02}T{hour:02}:{minute:02}+03:30"),
            _ => format!("2025-06-{day:02}T{hour:02}:{minute:02} {}", ZONES[zone]),
        })
}

fn yaml(text: &str) -> String {
    serde_json::to_string(text).expect("json string is a YAML double-quoted string")
}

fn build(events: &[(String, String)], extra: impl Fn(usize) -> String) -> Site {
    let mut site = Site::empty()
        .file(
            "site.toml",
            "title = \"P\"\nbase_url = \"https://example.org/p/\"\ntimezone = \"UTC\"\n",
        )
        .source("src", "title: S\noutlet: O\nurl: https://news.example/s");
    for (i, (slug, date)) in events.iter().enumerate() {
        site = site.event(
            slug,
            &format!(
                "title: Event {i}\ndate: {date}\nsources:\n  - id: src\n{}",
                extra(i)
            ),
            "Body.",
        );
    }
    site
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn events_come_out_in_utc_order(dates in prop::collection::vec(date(), 1..12)) {
        let events: Vec<(String, String)> = dates.iter().enumerate().map(|(i, d)| (format!("e{:02}", (i * 7) % 13 + i * 13), d.clone())).collect();
        let site = build(&events, |_| String::new());
        site.build_ok();
        let index = site.read("index.html");
        let doc = scraper::Html::parse_document(&index);
        let articles = scraper::Selector::parse("article.event").expect("selector");
        let order: Vec<String> = doc.select(&articles).filter_map(|a| a.value().attr("id")).map(str::to_owned).collect();
        prop_assert_eq!(order.len(), events.len());
        let key = |slug: &str| {
            let written = &events.iter().find(|(s, _)| s == slug).expect("known slug").1;
            let d = EventDate::parse(written).expect("valid date");
            (d.day_in(chrono_tz::Tz::UTC), !d.is_day(), d.instant_in(chrono_tz::Tz::UTC), slug.to_owned())
        };
        let keys: Vec<_> = order.iter().map(|s| key(s)).collect();
        prop_assert!(keys.windows(2).all(|w| w[0] <= w[1]), "out of order: {:?}", order);
        prop_assert!(keys.windows(2).all(|w| w[0].2 <= w[1].2), "instants decrease: {:?}", order);
    }

    #[test]
    fn front_matter_text_never_appears_unescaped(texts in prop::collection::vec("\\PC{0,12}", 7)) {
        let inject = |i: usize| format!("{}<x-inj a=\"1\">{}'\"&", texts[i], texts[(i + 1) % 7]);
        let extra = |_| {
            let mut s = String::new();
            let _ = write!(s, "    quote: {}\nlocation: {}\nactors: [{}]\ntags: [{}]\ndisputed: {}\nsummary: {}\n",
                yaml(&inject(0)), yaml(&inject(1)), yaml(&inject(2)), yaml(&inject(3)), yaml(&inject(4)), yaml(&inject(5)));
            s
        };
        let site = build(&[("one".to_owned(), "2025-06-14".to_owned())], extra)
            .source("src", &format!("title: {}\noutlet: {}\nurl: https://news.example/s", yaml(&inject(6)), yaml(&inject(0))));
        site.build_ok();
        for page in site.snapshot_output() {
            let name = page.0.to_string_lossy().into_owned();
            let text = String::from_utf8_lossy(&page.1);
            if name.ends_with(".html") || name.ends_with(".xml") {
                prop_assert!(!text.contains("<x-inj"), "{} has raw markup", name);
            }
            if name.ends_with(".html") {
                let doc = scraper::Html::parse_document(&text);
                let injected = scraper::Selector::parse("x-inj").expect("selector");
                prop_assert_eq!(doc.select(&injected).count(), 0, "{} has an injected element", name);
            }
        }
    }
}
