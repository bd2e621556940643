//! The machine-readable files of the repository's own site, checked against their formats:
//! `atom.xml` parsed as Atom by a feed parser, `sitemap.xml` against the sitemaps.org
//! protocol, and the JSON-LD of the index and an event page against schema.org's shapes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::support::{Run, Site, files_under};

/// Builds the repository's site once into a temporary folder.
fn built() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("site");
    let run = Run::from(
        std::process::Command::new(env!("CARGO_BIN_EXE_gen"))
            .args(["build", "--root", env!("CARGO_MANIFEST_DIR"), "--output"])
            .arg(&out)
            .env("NO_COLOR", "1")
            .output()
            .expect("run gen"),
    );
    assert!(run.success, "build failed: {}", run.stderr);
    (dir, out)
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The `base_url` of the repository's site.toml.
fn base_url() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml");
    let text = std::fs::read_to_string(&path).expect("site.toml");
    let config: toml::Table = toml::from_str(&text).expect("site.toml parses");
    config["base_url"]
        .as_str()
        .expect("base_url is a string")
        .to_owned()
}

#[test]
fn atom_feed_parses_as_atom_with_every_entry_linked() {
    let (_dir, out) = built();
    let xml = read(&out, "atom.xml");
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("atom.xml parses");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.title.expect("title").content, "Twelve days in June");
    assert!(feed.updated.is_some(), "feed has <updated>");
    assert_eq!(feed.entries.len(), 50, "all 50 events (feed_limit is 50)");
    let base = base_url();
    let mut ids = HashSet::new();
    for entry in &feed.entries {
        assert!(ids.insert(entry.id.clone()), "duplicate id {}", entry.id);
        assert!(entry.id.starts_with(&base), "{}", entry.id);
        assert!(entry.updated.is_some(), "{}: <updated>", entry.id);
        assert!(entry.title.is_some() && entry.summary.is_some());
        let alternate = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("alternate"))
            .expect("alternate link");
        assert_eq!(alternate.href, entry.id);
        assert!(
            entry
                .links
                .iter()
                .any(|l| l.rel.as_deref() == Some("related")),
            "{}: every event links to a source",
            entry.id
        );
    }
    // Newest first.
    let times: Vec<_> = feed.entries.iter().filter_map(|e| e.updated).collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "entries newest first"
    );
}

#[test]
fn sitemap_follows_the_sitemaps_protocol() {
    let (_dir, out) = built();
    let xml = read(&out, "sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("sitemap.xml parses");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let base = base_url();
    let mut locs = HashSet::new();
    for url in root.children().filter(|n| n.is_element()) {
        assert_eq!(url.tag_name().name(), "url");
        let loc = url
            .children()
            .find(|n| n.has_tag_name("loc"))
            .and_then(|n| n.text())
            .expect("<loc>");
        assert!(loc.starts_with(&base), "{loc} is under {base}");
        assert!(loc.len() < 2048, "{loc}: over 2,048 characters");
        assert!(locs.insert(loc.to_owned()), "{loc} listed twice");
        let rel = &loc[base.len()..];
        assert!(
            out.join(rel).join("index.html").is_file() || out.join(rel).is_file(),
            "{loc} names a page that was written"
        );
    }
    assert!(
        locs.len() <= 50_000,
        "one sitemap holds at most 50,000 URLs"
    );
    assert!(xml.len() <= 50 * 1024 * 1024);
    // Every page but the 404 page is listed.
    let pages = files_under(&out)
        .into_iter()
        .filter(|(p, _)| p.ends_with("index.html"))
        .count();
    assert_eq!(locs.len(), pages);
}

#[test]
fn pages_carry_schema_org_json_ld() {
    let (_dir, out) = built();
    let json_ld = |rel: &str| -> serde_json::Value {
        let page = read(&out, rel);
        let start = page
            .find("<script type=\"application/ld+json\">")
            .expect("JSON-LD")
            + 35;
        let end = start + page[start..].find("</script>").expect("end");
        serde_json::from_str(&page[start..end]).expect("JSON-LD parses")
    };
    let index = json_ld("index.html");
    assert_eq!(index["@context"], "https://schema.org");
    assert_eq!(index["@type"], "ItemList");
    let items = index["itemListElement"].as_array().expect("items");
    assert_eq!(items.len(), 50);
    assert_eq!(index["numberOfItems"], 50);
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["@type"], "ListItem");
        assert_eq!(item["position"], i + 1);
        assert!(
            item["url"]
                .as_str()
                .is_some_and(|u| u.starts_with(&base_url()))
        );
    }
    let slug = items[0]["url"]
        .as_str()
        .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
        .expect("slug")
        .to_owned();
    let event = json_ld(&format!("events/{slug}/index.html"));
    assert_eq!(event["@type"], "NewsArticle");
    assert_eq!(event["headline"], items[0]["name"]);
    assert_eq!(event["about"]["@type"], "Event");
    let citations = event["citation"].as_array().expect("citations");
    assert!(!citations.is_empty());
    for c in citations {
        assert_eq!(c["@type"], "CreativeWork");
        assert!(c["name"].is_string() && c["publisher"]["name"].is_string());
    }
}

#[test]
fn an_event_pages_json_ld_is_exact_with_every_optional_field() {
    let site = Site::fixture("json-ld");
    site.build_ok();
    let page = site.read("events/e/index.html");
    let expected = concat!(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","#,
        r#""about":{"@type":"Event","location":{"@type":"Place","name":"Tehran"},"name":"Strike \u0026 talks","startDate":"2025-06-14T10:00Z"},"#,
        r#""author":{"@type":"Organization","name":"Newsroom \u003cb\u003e"},"#,
        r#""citation":[{"@type":"CreativeWork","inLanguage":"fa","name":"Headline","publisher":{"@type":"Organization","name":"Outlet"},"url":"https://news.example/a"},"#,
        r#"{"@type":"CreativeWork","name":"Other","publisher":{"@type":"Organization","name":"Wire"}}],"#,
        r#""description":"What happened.","headline":"Strike \u0026 talks","inLanguage":"en","#,
        r#""isPartOf":{"@type":"WebSite","name":"Test timeline","url":"https://example.org/timeline/"},"#,
        r#""keywords":"Iran, strikes","url":"https://example.org/timeline/events/e/"}</script>"#
    );
    assert!(page.contains(expected), "{page}");
}
