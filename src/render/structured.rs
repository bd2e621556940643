//! Structured data (schema.org JSON-LD) embedded in pages for search engines and link
//! previews: an `ItemList` of the events on the index (of the days, when the index lists
//! days), and on each event page a `NewsArticle` about the event that cites its sources.

use serde::Serialize;
use serde_json::{Value, json};

use super::labels::day_label;
use super::templates::replace_ascii;
use super::views::{EventView, SiteView, Views};
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
                    "name": day_label(d.date),
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
                    "url": e.permalink,
                    "name": e.title,
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
    let keywords: Vec<&str> = view
        .actors
        .iter()
        .chain(&view.tags)
        .map(|t| t.name.as_str())
        .collect();
    embed(&NewsArticle {
        context: "https://schema.org",
        kind: "NewsArticle",
        about: AboutEvent {
            kind: "Event",
            location: view.location.as_deref().map(|name| Named {
                kind: "Place",
                name,
            }),
            name: &view.title,
            start_date: &view.datetime,
        },
        author: site.author.as_deref().map(|name| Named {
            kind: "Organization",
            name,
        }),
        citation: view
            .citations
            .iter()
            .map(|c| CreativeWork {
                kind: "CreativeWork",
                in_language: c.language.as_deref(),
                name: &c.title,
                publisher: Named {
                    kind: "Organization",
                    name: &c.outlet,
                },
                url: c.url.as_deref(),
            })
            .collect(),
        description: &view.summary,
        headline: &view.title,
        in_language: &site.language,
        is_part_of: WebSite {
            kind: "WebSite",
            name: &site.title,
            url: &site.base_url,
        },
        keywords: (!keywords.is_empty()).then(|| keywords.join(", ")),
        url: &view.permalink,
    })
}

// The JSON-LD of an event page, typed (a tree of `Value`s cost twice the time). Fields are
// in the order of their names, as the index's `json!` maps write theirs.

#[derive(Serialize)]
struct NewsArticle<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    about: AboutEvent<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<Named<'a>>,
    citation: Vec<CreativeWork<'a>>,
    description: &'a str,
    headline: &'a str,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    #[serde(rename = "isPartOf")]
    is_part_of: WebSite<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keywords: Option<String>,
    url: &'a str,
}

#[derive(Serialize)]
struct AboutEvent<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Named<'a>>,
    name: &'a str,
    #[serde(rename = "startDate")]
    start_date: &'a str,
}

#[derive(Serialize)]
struct CreativeWork<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "inLanguage", skip_serializing_if = "Option::is_none")]
    in_language: Option<&'a str>,
    name: &'a str,
    publisher: Named<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Named<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct WebSite<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: &'a str,
}

/// JSON safe to place inside `<script type="application/ld+json">`: `<`, `>` and `&` are
/// written as `\u` escapes, so no text from content can close the element or open a comment.
fn embed<T: Serialize + ?Sized>(value: &T) -> String {
    let text = serde_json::to_string(value).unwrap_or_default();
    replace_ascii(&text, |b| match b {
        b'<' => Some("\\u003c"),
        b'>' => Some("\\u003e"),
        b'&' => Some("\\u0026"),
        _ => None,
    })
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
