//! Structured data (schema.org JSON-LD) embedded in pages for search engines and link
//! previews: an `ItemList` of the events on the index (of the days, when the index lists
//! days), and on each event page a `NewsArticle` about the event that cites its sources.

use serde_json::{Map, Value, json};

use super::views::{self, EventView, SiteView, Views};
use crate::model::Timeline;

/// The index's `ItemList`.
pub fn index(views: &Views, timeline: &Timeline) -> String {
    let site = &views.site;
    let items: Vec<Value> = if site.compact_index {
        timeline
            .days
            .iter()
            .enumerate()
            .map(|(i, d)| {
                json!({
                    "@type": "ListItem",
                    "position": i + 1,
                    "url": format!("{}days/{}/", site.base_url, d.date),
                    "name": views::day_label(d.date),
                })
            })
            .collect()
    } else {
        views
            .events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                json!({
                    "@type": "ListItem",
                    "position": i + 1,
                    "url": e.view.permalink,
                    "name": e.view.title,
                })
            })
            .collect()
    };
    embed(&json!({
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": site.title,
        "description": site.description,
        "url": site.base_url,
        "numberOfItems": items.len(),
        "itemListElement": items,
    }))
}

/// An event page's `NewsArticle`: the page describes one event (`about`) and cites the
/// articles it rests on (`citation`).
pub fn event(view: &EventView, site: &SiteView) -> String {
    let mut about = Map::new();
    about.insert("@type".into(), "Event".into());
    about.insert("name".into(), (*view.title).into());
    about.insert("startDate".into(), view.datetime.clone().into());
    if let Some(location) = &view.location {
        about.insert(
            "location".into(),
            json!({ "@type": "Place", "name": location }),
        );
    }
    let citations: Vec<Value> = view
        .citations
        .iter()
        .map(|c| {
            let mut work = Map::new();
            work.insert("@type".into(), "CreativeWork".into());
            work.insert("name".into(), c.title.clone().into());
            if let Some(url) = &c.url {
                work.insert("url".into(), url.clone().into());
            }
            if let Some(language) = &c.language {
                work.insert("inLanguage".into(), language.clone().into());
            }
            work.insert(
                "publisher".into(),
                json!({ "@type": "Organization", "name": c.outlet }),
            );
            Value::Object(work)
        })
        .collect();
    let keywords: Vec<&str> = view
        .actors
        .iter()
        .chain(&view.tags)
        .map(|t| t.name.as_str())
        .collect();
    let mut article = Map::new();
    article.insert("@context".into(), "https://schema.org".into());
    article.insert("@type".into(), "NewsArticle".into());
    article.insert("headline".into(), (*view.title).into());
    article.insert("description".into(), (*view.summary).into());
    article.insert("url".into(), view.permalink.clone().into());
    article.insert("inLanguage".into(), site.language.clone().into());
    article.insert(
        "isPartOf".into(),
        json!({ "@type": "WebSite", "name": site.title, "url": site.base_url }),
    );
    if let Some(author) = &site.author {
        article.insert(
            "author".into(),
            json!({ "@type": "Organization", "name": author }),
        );
    }
    if !keywords.is_empty() {
        article.insert("keywords".into(), keywords.join(", ").into());
    }
    article.insert("about".into(), Value::Object(about));
    article.insert("citation".into(), citations.into());
    embed(&Value::Object(article))
}

/// JSON safe to place inside `<script type="application/ld+json">`: `<`, `>` and `&` are
/// written as `\u` escapes, so no text from content can close the element or open a comment.
fn embed(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len() + 64);
    let mut from = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            b'&' => "\\u0026",
            _ => continue,
        };
        // `at` is an ASCII byte, so both slices end on character boundaries.
        out.push_str(&text[from..at]);
        out.push_str(escaped);
        from = at + 1;
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_json_cannot_close_its_script_element() {
        let text = embed(&json!({ "name": "</script><script>alert(1)</script> & <!--" }));
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], "</script><script>alert(1)</script> & <!--");
    }

    proptest::proptest! {
        #[test]
        fn embedded_json_reads_back_unchanged(text in "\\PC*", key in "[<>&a-zé]{0,4}") {
            let value = json!({ key: [text, { "x": "<&>" }] });
            let embedded = embed(&value);
            proptest::prop_assert!(!embedded.contains(['<', '>', '&']));
            let back: Value = serde_json::from_str(&embedded).unwrap();
            proptest::prop_assert_eq!(back, value);
        }
    }
}
