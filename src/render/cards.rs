//! Event cards: each list page shows its events as cards made by the `card` macro of
//! macros.html. An event appears on its day page and on the page of every source, actor and
//! tag it has (about six lists each in a typical timeline), so the card of these lists is
//! rendered once per event and reused: rendered with a placeholder where
//! the page's `root` goes, then the placeholder is replaced by each page's own root.
//!
//! The reuse gives the same bytes as rendering the card on every page when the `card` macro
//! only prints `root` (as every link does: `{{ root }}{{ event.url }}`), which
//! [`card_reuse`](super::card_reuse) reads from the templates. It is skipped, and the card
//! rendered for each page, where the macro does more with `root`, or where the placeholder
//! could be confused with text: when a template, the site's settings or the event's own text
//! contains it.

use std::sync::OnceLock;

use serde::Serialize;
use tera::Context;

use super::card_reuse::card_prints_root_only;
use super::templates::{self, CARD_HINT, CARD_TEMPLATE, PLACEHOLDER, Templates};
use super::views::{CardView, CitationView, Views};
use crate::diagnostics::Diagnostic;
use crate::model::Importance;

/// The heading level of cards in the lists of a source's, actor's or tag's events.
pub const LIST_HEADING: u8 = 3;

/// An event in a list: its card rendered for the page, and the fields a one-line entry
/// needs (the compact lists of the `list` macro, or `event_time`). The rest of the event
/// (summary, actors, tags, citations) is what the `card` macro shows, and the macro gets all
/// of it; lists do not carry it, since Tera copies every list item into the page's context
/// (at 100,000 events, full items made the build take 17 % more CPU).
#[derive(Serialize)]
pub struct ListItem<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub url: &'a str,
    pub datetime: &'a str,
    pub day: &'a str,
    pub day_label: &'a str,
    pub day_url: &'a str,
    pub time_label: &'a str,
    pub local_label: Option<&'a str>,
    pub end_label: Option<&'a str>,
    pub importance: Importance,
    pub location: Option<&'a str>,
    pub disputed: Option<&'a str>,
    /// The event's card (HTML), as the `card` macro renders it on this page: moved into the
    /// item's value by the page, not copied.
    #[serde(skip)]
    pub card: String,
}

impl<'a> ListItem<'a> {
    fn new(event: &'a CardView, card: String) -> Self {
        Self {
            slug: &event.slug,
            title: &event.title,
            url: &event.url,
            datetime: &event.datetime,
            day: &event.day,
            day_label: &event.day_label,
            day_url: &event.day_url,
            time_label: &event.time_label,
            local_label: event.local_label.as_deref(),
            end_label: event.end_label.as_deref(),
            importance: event.importance,
            location: event.location.as_deref(),
            disputed: event.disputed.as_deref(),
            card,
        }
    }
}

/// The cards of one render.
pub struct Cards<'a> {
    templates: &'a Templates,
    views: &'a Views,
    /// `site`, serialized once for every card's context.
    site: Context,
    /// False when a template or the site's settings contain the placeholder.
    reusable: bool,
    /// Each event's list card with the placeholder for `root`, made on first use; `None`
    /// when the event's own text contains the placeholder.
    listed: Vec<OnceLock<Option<ReusableCard>>>,
}

/// A card rendered with the placeholder for `root`, kept as its text without the
/// placeholders and where each one was, so a page's copy is made in one pass.
struct ReusableCard {
    text: Box<str>,
    roots: Box<[usize]>,
}

impl ReusableCard {
    fn new(card: &str) -> Self {
        let mut text = String::with_capacity(card.len());
        let mut roots = Vec::new();
        for (n, part) in card.split(PLACEHOLDER).enumerate() {
            if n > 0 {
                roots.push(text.len());
            }
            text.push_str(part);
        }
        Self {
            text: text.into_boxed_str(),
            roots: roots.into_boxed_slice(),
        }
    }

    /// The card with `root` where the macro printed it.
    fn with_root(&self, root: &str) -> String {
        let mut card = String::with_capacity(self.text.len() + self.roots.len() * root.len());
        let mut from = 0;
        for &at in &self.roots {
            card.push_str(&self.text[from..at]);
            card.push_str(root);
            from = at;
        }
        card.push_str(&self.text[from..]);
        card
    }
}

impl<'a> Cards<'a> {
    pub fn new(templates: &'a Templates, views: &'a Views) -> Self {
        let mut site = Context::new();
        site.insert("site", &views.site);
        let reusable = !templates.mention_placeholder()
            && !mentions_placeholder(&views.site)
            && card_prints_root_only(&templates.tera);
        Self {
            templates,
            views,
            site,
            reusable,
            listed: views.events.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Event `i` as a card for a page whose root is `root`.
    pub fn card(
        &self,
        i: usize,
        root: &str,
        heading: u8,
        show_day: bool,
    ) -> Result<ListItem<'a>, Diagnostic> {
        let event = &self.views.events[i].card;
        let card = self.render(event, root, heading, show_day)?;
        Ok(ListItem::new(event, card))
    }

    /// Event `i` as a card in a list of a source's, actor's or tag's events, reused from an
    /// earlier page where it can be.
    pub fn listed(&self, i: usize, root: &str) -> Result<ListItem<'a>, Diagnostic> {
        let event = &self.views.events[i].card;
        let kept = if self.reusable && !root.contains(PLACEHOLDER) {
            self.listed[i]
                .get_or_init(|| {
                    if event.mentions(PLACEHOLDER) {
                        return None;
                    }
                    let placeholder = PLACEHOLDER.to_string();
                    self.render(event, &placeholder, LIST_HEADING, true)
                        .ok()
                        .map(|card| ReusableCard::new(&card))
                })
                .as_ref()
        } else {
            None
        };
        let card = match kept {
            Some(kept) => kept.with_root(root),
            None => self.render(event, root, LIST_HEADING, true)?,
        };
        Ok(ListItem::new(event, card))
    }

    fn render(
        &self,
        event: &CardView,
        root: &str,
        heading: u8,
        show_day: bool,
    ) -> Result<String, Diagnostic> {
        let mut ctx = self.site.clone();
        ctx.insert("event", event);
        ctx.insert("root", root);
        ctx.insert("heading", &heading);
        ctx.insert("show_day", &show_day);
        self.templates
            .tera
            .render(CARD_TEMPLATE, &ctx)
            .map_err(|e| {
                Diagnostic::error(
                    self.templates.path_of("macros.html"),
                    format!("cannot render an event's card: {}", templates::chain(&e)),
                )
                .with_hint(CARD_HINT)
            })
    }
}

impl CardView {
    /// Whether `c` occurs in any text of the card. Every text field is listed: the test
    /// `every_text_of_a_card_is_searched` builds a card field by field, so a new field
    /// cannot be added without being seen there.
    pub fn mentions(&self, c: char) -> bool {
        let texts = [
            &*self.slug,
            &self.title,
            &self.url,
            &self.permalink,
            &self.datetime,
            &self.instant,
            &self.day,
            &self.day_label,
            &self.day_url,
            &self.time_label,
            &self.summary,
        ];
        let optional = [
            &self.local_label,
            &self.end_label,
            &self.location,
            &self.disputed,
        ];
        texts.iter().any(|t| t.contains(c))
            || optional
                .iter()
                .flat_map(|t| t.as_deref())
                .any(|t| t.contains(c))
            || self
                .actors
                .iter()
                .chain(&self.tags)
                .any(|l| l.name.contains(c) || l.url.contains(c))
            || self.citations.iter().any(|citation| citation.mentions(c))
            || self.media.iter().chain(&self.thumb).any(|m| m.mentions(c))
    }
}

impl CitationView {
    fn mentions(&self, c: char) -> bool {
        let s = &self.source;
        [&s.id, &s.outlet, &s.title, &s.page]
            .iter()
            .any(|t| t.contains(c))
            || [&s.url, &s.language, &self.quote_url, &self.quote]
                .iter()
                .flat_map(|t| t.as_deref())
                .any(|t| t.contains(c))
    }
}

/// True when the placeholder occurs anywhere in `value`'s text (asked once a render, of the
/// site's settings; an event's card answers with [`CardView::mentions`]).
fn mentions_placeholder<T: Serialize>(value: &T) -> bool {
    serde_json::to_string(value).is_ok_and(|json| json.contains(PLACEHOLDER))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::media_view::MediaView;
    use super::super::views::{CitedSource, LinkView};
    use super::*;
    use crate::model::Precision;

    #[test]
    fn every_text_of_a_card_is_searched() {
        let link = |name: &str| {
            Arc::new(LinkView {
                name: name.to_owned(),
                url: "u".to_owned(),
            })
        };
        let cited = |t: &str| CitedSource {
            id: format!("id{t}"),
            outlet: format!("o{t}"),
            title: format!("t{t}"),
            url: Some(format!("u{t}")),
            page: format!("p{t}"),
            language: Some(format!("l{t}")),
        };
        let card = |t: &str, field: &str| {
            let x = |f: &str| {
                if f == field {
                    format!("a{t}")
                } else {
                    "a".to_owned()
                }
            };
            CardView {
                slug: x("slug"),
                title: x("title").into(),
                url: x("url"),
                permalink: x("permalink"),
                datetime: x("datetime"),
                instant: x("instant"),
                day: x("day").into(),
                day_label: x("day_label").into(),
                day_url: x("day_url").into(),
                time_label: x("time_label"),
                local_label: Some(x("local_label")),
                end_label: Some(x("end_label")),
                precision: Precision::Minute,
                location: Some(x("location")),
                actors: vec![link(&x("actors"))],
                tags: vec![link(&x("tags"))],
                importance: Importance::Normal,
                summary: x("summary").into(),
                disputed: Some(x("disputed")),
                citations: vec![CitationView {
                    number: 1,
                    source: Arc::new(cited(if field == "source" { t } else { "" })),
                    quote_url: Some(x("quote_url")),
                    quote: Some(x("quote")),
                }],
                media: vec![MediaView::sample(&x("media"))],
                thumb: Some(MediaView::sample(&x("thumb"))),
            }
        };
        let fields = [
            "slug",
            "title",
            "url",
            "permalink",
            "datetime",
            "instant",
            "day",
            "day_label",
            "day_url",
            "time_label",
            "local_label",
            "end_label",
            "location",
            "actors",
            "tags",
            "summary",
            "disputed",
            "source",
            "quote_url",
            "quote",
            "media",
            "thumb",
        ];
        for field in fields {
            assert!(card("\u{FFFF}", field).mentions('\u{FFFF}'), "{field}");
            assert!(!card("b", field).mentions('\u{FFFF}'), "{field}");
        }
        // Every field of the card's JSON is one of those above (or holds no text).
        let json = serde_json::to_value(card("", "")).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for key in keys {
            assert!(
                fields.contains(&key) || ["precision", "importance", "citations"].contains(&key),
                "{key} is not searched by CardView::mentions"
            );
        }
        let citation = json["citations"][0].as_object().unwrap();
        for key in citation.keys() {
            assert!(
                [
                    "number",
                    "id",
                    "outlet",
                    "title",
                    "url",
                    "page",
                    "language",
                    "quote_url",
                    "quote"
                ]
                .contains(&key.as_str()),
                "{key} is not searched by CitationView::mentions"
            );
        }
    }

    #[test]
    fn a_kept_card_takes_each_pages_root() {
        let kept = ReusableCard::new("<a href=\"\u{FFFF}x/\">é</a>\u{FFFF}\u{FFFF}");
        assert_eq!(&*kept.text, "<a href=\"x/\">é</a>");
        assert_eq!(kept.with_root("../"), "<a href=\"../x/\">é</a>../../");
        assert_eq!(kept.with_root(""), "<a href=\"x/\">é</a>");
        assert_eq!(ReusableCard::new("plain").with_root("./"), "plain");
    }

    #[test]
    fn the_placeholder_is_found_in_any_string() {
        assert_eq!(PLACEHOLDER.to_string().as_bytes(), [0xEF, 0xBF, 0xBF]);
        assert!(mentions_placeholder(&("a", vec!["b\"\u{FFFF}c"])));
        assert!(mentions_placeholder(&"\u{FFFF}"));
        assert!(!mentions_placeholder(&("a\u{FFFE}", "\u{EFBF}")));
    }
}
