//! Event cards: each list page shows its events as cards made by the `card` macro of
//! macros.html. An event appears on its day page and on the page of every source, actor and
//! tag it has (about six lists each in a typical timeline), so the card of these lists is
//! rendered once per event and reused: rendered with a placeholder where
//! the page's `root` goes, then the placeholder is replaced by each page's own root.
//!
//! The reuse gives the same bytes as rendering the card on every page as long as the `card`
//! macro only prints `root` (as every link does: `{{ root }}{{ event.url }}`); the README's
//! template section says so. It is skipped, and the card rendered for each page, where the
//! placeholder could be confused with text: when a template, the site's settings or the
//! event's own text contains it.

use std::sync::OnceLock;

use serde::Serialize;
use tera::Context;

use super::templates::{self, Templates};
use super::views::{CardView, Views};
use crate::diagnostics::Diagnostic;
use crate::model::Importance;

/// Stands for `root` in a card rendered for reuse. U+FFFF is a noncharacter no text needs
/// (YAML refuses it written out, though an escape or a Markdown entity can still produce
/// it); where it does occur, the card is not reused.
pub const PLACEHOLDER: char = '\u{FFFF}';

/// The internal template that renders one card with the site's `card` macro. Its name cannot
/// be a template file's name (those never start with `/`); it ends in `.html` so Tera
/// escapes what it prints like in every other page.
pub const TEMPLATE: &str = "/card.html";
pub const TEMPLATE_TEXT: &str = "{% import \"macros.html\" as m %}{{ m::card(event=event, root=root, heading=heading, show_day=show_day) }}";

/// What every list needs of macros.html, for errors about the card.
pub const HINT: &str = "lists show each event with the `card(event, root, heading, show_day)` macro of macros.html; keep it defined (the default is in the templates `gen init` writes) and check the variables it uses";

/// The heading level of cards in the lists of a source's, actor's or tag's events.
pub const LIST_HEADING: u8 = 3;

/// An event in a list: its card rendered for the page, and the fields a one-line entry
/// needs (the compact lists of the `list` macro, or `event_time`). The rest of the event
/// (summary, actors, tags, citations) is what the `card` macro shows, and the macro gets all
/// of it; lists do not carry it, since Tera copies every list item into the page's context
/// (at 100,000 events, full items made the build take 17 % more CPU).
#[derive(Serialize)]
pub struct Listed<'a> {
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

impl<'a> Listed<'a> {
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
    listed: Vec<OnceLock<Option<Kept>>>,
}

/// A card rendered with the placeholder for `root`, kept as its text without the
/// placeholders and where each one was, so a page's copy is made in one pass.
struct Kept {
    text: Box<str>,
    roots: Box<[usize]>,
}

impl Kept {
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
        let reusable = !templates.mention_placeholder() && !mentions_placeholder(&views.site);
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
    ) -> Result<Listed<'a>, Diagnostic> {
        let event = &self.views.events[i].view.card;
        let card = self.render(event, root, heading, show_day)?;
        Ok(Listed::new(event, card))
    }

    /// Event `i` as a card in a list of a source's, actor's or tag's events, reused from an
    /// earlier page where it can be.
    pub fn listed(&self, i: usize, root: &str) -> Result<Listed<'a>, Diagnostic> {
        let event = &self.views.events[i].view.card;
        let kept = if self.reusable && !root.contains(PLACEHOLDER) {
            self.listed[i]
                .get_or_init(|| {
                    if event.mentions(PLACEHOLDER) {
                        return None;
                    }
                    let placeholder = PLACEHOLDER.to_string();
                    self.render(event, &placeholder, LIST_HEADING, true)
                        .ok()
                        .map(|card| Kept::new(&card))
                })
                .as_ref()
        } else {
            None
        };
        let card = match kept {
            Some(kept) => kept.with_root(root),
            None => self.render(event, root, LIST_HEADING, true)?,
        };
        Ok(Listed::new(event, card))
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
        self.templates.tera.render(TEMPLATE, &ctx).map_err(|e| {
            Diagnostic::error(
                self.templates.path_of("macros.html"),
                format!("cannot render an event's card: {}", templates::chain(&e)),
            )
            .with_hint(HINT)
        })
    }
}

/// True when the placeholder occurs anywhere in `value`'s text (asked once a render, of the
/// site's settings; an event's card answers with [`CardView::mentions`]).
fn mentions_placeholder<T: Serialize>(value: &T) -> bool {
    serde_json::to_string(value).is_ok_and(|json| json.contains(PLACEHOLDER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_card_takes_each_pages_root() {
        let kept = Kept::new("<a href=\"\u{FFFF}x/\">é</a>\u{FFFF}\u{FFFF}");
        assert_eq!(&*kept.text, "<a href=\"x/\">é</a>");
        assert_eq!(kept.with_root("../"), "<a href=\"../x/\">é</a>../../");
        assert_eq!(kept.with_root(""), "<a href=\"x/\">é</a>");
        assert_eq!(Kept::new("plain").with_root("./"), "plain");
    }

    #[test]
    fn the_placeholder_is_found_in_any_string() {
        assert_eq!(PLACEHOLDER.to_string().as_bytes(), [0xEF, 0xBF, 0xBF]);
        assert!(mentions_placeholder(&("a", vec!["b\"\u{FFFF}c"])));
        assert!(mentions_placeholder(&"\u{FFFF}"));
        assert!(!mentions_placeholder(&("a\u{FFFE}", "\u{EFBF}")));
    }
}
