//! `gen build` on small sites: the pages written, their links, order and times.

use crate::support::{self, Site, links};

fn two_sources() -> Site {
    Site::new()
        .source("src-b", "title: Headline B\noutlet: Outlet B")
        .event(
            "second",
            "title: Second event\ndate: 2025-06-22T02:30 Asia/Tehran\nactors: [United States, Iran]\ntags: [strikes, nuclear sites]\nimportance: major\nsources:\n  - id: src-a\n    quote: \"a quoted phrase\"\n  - src-b\ndisputed: Outlets differ on the time.",
            "Bombers struck.\n\nMore detail.",
        )
}

#[test]
fn every_page_type_is_written() {
    let site = two_sources();
    let run = site.build_ok();
    assert!(run.stdout.starts_with("built "), "{}", run.stdout);
    assert!(
        run.stdout.contains("(2 events, 2 sources)"),
        "{}",
        run.stdout
    );
    for page in [
        "index.html",
        "404.html",
        "events/first/index.html",
        "events/second/index.html",
        "days/2025-06-14/index.html",
        "days/2025-06-21/index.html",
        "sources/index.html",
        "sources/src-a/index.html",
        "sources/src-b/index.html",
        "actors/index.html",
        "actors/united-states/index.html",
        "actors/iran/index.html",
        "tags/index.html",
        "tags/nuclear-sites/index.html",
        "atom.xml",
        "timeline.json",
        "sitemap.xml",
        "search.json",
        "style.css",
        "timeline.js",
    ] {
        assert!(site.exists(page), "{page} missing");
    }
}

#[test]
fn a_source_without_url_gets_a_page_listing_its_events() {
    let site = two_sources();
    site.build_ok();
    let page = site.read("sources/src-b/index.html");
    assert!(page.contains("No known web address."));
    assert!(page.contains("Second event"));
    assert!(!page.contains("First event"));
    let a = site.read("sources/src-a/index.html");
    assert!(a.contains("First event") && a.contains("Second event"));
}

#[test]
fn event_page_has_body_sources_quotes_and_neighbours() {
    let site = two_sources();
    site.build_ok();
    let page = site.read("events/second/index.html");
    assert!(page.contains("<p>More detail.</p>"));
    assert!(page.contains("https://news.example/a#:~:text=a%20quoted%20phrase"));
    assert!(page.contains("Sources differ"));
    assert!(page.contains("rel=\"prev\" href=\"../../events/first/\""));
    assert!(page.contains("23:00 UTC"), "display-zone time");
    assert!(page.contains("02:30 IRST 22 Jun"), "own local time");
}

#[test]
fn links_keep_the_base_url_path() {
    let site = two_sources();
    site.build_ok();
    for page in [
        "index.html",
        "events/second/index.html",
        "sources/src-b/index.html",
        "404.html",
        "tags/strikes/index.html",
    ] {
        let html = site.read(page);
        for link in links(&html) {
            let ok = link.starts_with("https://")
                || link.starts_with('#')
                || !link.starts_with('/')
                || link.starts_with("/timeline/");
            assert!(ok, "{page}: root-relative link {link} drops the base path");
        }
        assert!(
            html.contains("https://example.org/timeline/"),
            "{page}: canonical"
        );
    }
    assert!(
        site.read("404.html")
            .contains("href=\"/timeline/style.css\"")
    );
    assert!(
        site.read("sitemap.xml")
            .contains("<loc>https://example.org/timeline/events/second/</loc>")
    );
}

#[test]
fn an_early_utc_event_is_on_the_previous_day_in_new_york() {
    let site = Site::new()
        .file(
            "site.toml",
            "title = \"T\"\nbase_url = \"https://example.org/\"\ntimezone = \"America/New_York\"\n",
        )
        .event(
            "late",
            "title: Late strike\ndate: 2025-06-22T02:56Z\nsources: [src-a]",
            "x",
        );
    site.build_ok();
    assert!(
        site.read("days/2025-06-21/index.html")
            .contains("Late strike")
    );
    assert!(!site.exists("days/2025-06-22/index.html"));
    assert!(site.read("events/late/index.html").contains("22:56 EDT"));
}

#[test]
fn a_date_only_event_comes_first_in_its_day_and_ties_go_by_slug() {
    let site = Site::new()
        .event(
            "b-tie",
            "title: Tie B\ndate: 2025-06-14T00:00Z\nsources: [src-a]",
            "x",
        )
        .event(
            "a-tie",
            "title: Tie A\ndate: 2025-06-14T03:30+03:30\nsources: [src-a]",
            "x",
        )
        .event(
            "whole-day",
            "title: Whole day\ndate: 2025-06-14\nsources: [src-a]",
            "x",
        );
    site.build_ok();
    let day = site.read("days/2025-06-14/index.html");
    let order: Vec<usize> = ["Whole day", "Tie A", "Tie B", "First event"]
        .iter()
        .map(|t| day.find(t).expect(t))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "order {order:?}");
}

#[test]
fn front_matter_text_is_escaped_and_markdown_sanitized() {
    let site = Site::new().event(
        "xss",
        "title: \"<script>alert(1)</script>\"\ndate: 2025-06-15\nlocation: \"<img src=x onerror=alert(2)>\"\nsources: [src-a]",
        "Body <script>alert(3)</script> [x](javascript:alert(4)) <a href=\"https://e.org\" onclick=\"alert(5)\">y</a>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ and a note[^n]\n\n[^n]: The note.",
    );
    site.build_ok();
    let page = site.read("events/xss/index.html");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let doc = scraper::Html::parse_document(&page);
    let all = scraper::Selector::parse("*").expect("selector");
    for element in doc.select(&all) {
        let e = element.value();
        if e.name() == "script" {
            support::assert_our_script(&element, "events/xss/index.html");
        }
        for (name, value) in e.attrs() {
            assert!(!name.starts_with("on"), "handler {name} in {page}");
            assert!(
                !value.trim_start().to_lowercase().starts_with("javascript:"),
                "{value}"
            );
        }
    }
    assert!(
        page.contains("<table>")
            && page.contains("<del>gone</del>")
            && page.contains("footnote-definition")
    );
    assert!(page.contains("href=\"https://e.org\" rel=\"noopener noreferrer\""));
}

#[test]
fn timeline_json_follows_timelinejs3() {
    let site = two_sources();
    site.build_ok();
    let json: serde_json::Value = serde_json::from_str(&site.read("timeline.json")).expect("json");
    assert_eq!(json["title"]["text"]["headline"], "Test timeline");
    let events = json["events"].as_array().expect("events");
    assert_eq!(events.len(), 2);
    let second = &events[1];
    assert_eq!(second["unique_id"], "second");
    assert_eq!(second["start_date"]["year"], 2025);
    assert_eq!(second["start_date"]["month"], 6);
    assert_eq!(second["start_date"]["day"], 21);
    assert_eq!(second["start_date"]["hour"], 23);
    assert_eq!(second["start_date"]["minute"], 0);
    assert_eq!(second["group"], "United States");
    assert!(
        second["text"]["text"]
            .as_str()
            .expect("text")
            .contains("https://news.example/a")
    );
}

#[test]
fn templates_and_static_files_override_the_defaults_file_by_file() {
    let site = Site::new()
        .file(
            "templates/404.html",
            "{% extends \"base.html\" %}{% block main %}<p>Custom 404</p>{% endblock main %}",
        )
        .file("static/style.css", "body{color:red}")
        .file("static/img/logo.svg", "<svg/>");
    site.build_ok();
    assert!(site.read("404.html").contains("Custom 404"));
    assert!(
        site.read("index.html").contains("First event"),
        "other templates are the defaults"
    );
    assert_eq!(site.read("style.css"), "body{color:red}");
    assert_eq!(site.read("img/logo.svg"), "<svg/>");
    assert!(site.read("timeline.js").contains("progressive enhancement"));
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Site::new().event(
        "wip",
        "title: Work in progress\ndate: 2025-06-15\nsources: []\ndraft: true",
        "x",
    );
    site.build_ok();
    assert!(!site.exists("events/wip/index.html"));
    let site = site.event(
        "wip",
        "title: Work in progress\ndate: 2025-06-15\nsources: [src-a]\ndraft: true",
        "x",
    );
    let run = site.run(&["build", "--drafts"]);
    assert!(run.success, "{}", run.stderr);
    assert!(site.exists("events/wip/index.html"));
}

#[test]
fn about_page_is_linked_from_every_page() {
    let site = Site::new().file(
        "content/about.md",
        "---\ntitle: About this timeline\n---\nHow we source events.\n",
    );
    site.build_ok();
    assert!(
        site.read("about/index.html")
            .contains("How we source events.")
    );
    assert!(
        site.read("events/first/index.html")
            .contains("href=\"../../about/\"")
    );
}

#[test]
fn rebuilding_gives_identical_bytes() {
    let site = two_sources();
    site.build_ok();
    let first = site.snapshot_output();
    site.build_ok();
    assert_eq!(first, site.snapshot_output());
}
