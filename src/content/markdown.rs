//! Markdown bodies → HTML. `pulldown-cmark` and the `ammonia` sanitizer live only here.
//!
//! Tables, footnotes, strikethrough and heading anchors are on. Link and image addresses with
//! a scheme other than http(s) are dropped (the text stays), external links get
//! `rel="noopener noreferrer"`, and raw HTML follows the site's policy: sanitized by ammonia
//! (default), copied as written, or shown as text.
//!
//! Only a body holding raw HTML goes through ammonia. In one without, pulldown-cmark escapes
//! every text and attribute and the rewrite below has already dropped foreign schemes and
//! heading attributes: it comes out exactly as under `escape`, the policy that never
//! sanitizes. (Sanitizing every body took ~30 % of the CPU time of reading content.)

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

use crate::config::RawHtml;
use crate::model::slugify;

/// A rendered body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub html: Arc<str>,
    /// The text of the first paragraph, for summaries.
    pub first_paragraph: String,
    /// All the text, for search.
    pub text: Arc<str>,
}

const EXTERNAL_REL: &str = "noopener noreferrer";

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https"]))
        .link_rel(Some(EXTERNAL_REL))
        .add_tag_attributes("div", ["id"])
        .add_tag_attributes("li", ["id"])
        .allowed_classes(HashMap::from([
            (
                "sup",
                HashSet::from(["footnote-reference", "footnote-definition-label"]),
            ),
            ("div", HashSet::from(["footnote-definition"])),
        ]));
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(h, ["id"]);
    }
    b
});

/// Blockquotes and lists nested deeper than this are refused. No real text comes near it, and
/// deep nesting is costly: the sanitizer's HTML parser (html5ever) looks through every open
/// element at each block tag, so its time grows with the square of the depth (10,000 levels
/// of `>` took 3 s in a debug build, 100,000 levels 46 s in a release build, for a file of
/// 200 kB).
pub const MAX_NESTING: usize = 100;

/// How deep raw HTML elements may nest in a body that is sanitized. The sanitizer's HTML
/// tree builder also slows with the square of the depth (10,000 nested `<div>` took 0.17 s,
/// 100,000 took 18–25 s in a release build); real content nests a few levels.
pub const MAX_HTML_NESTING: usize = 1_000;

/// A body whose blockquotes and lists nest deeper than [`MAX_NESTING`], or whose raw HTML
/// nests deeper than [`MAX_HTML_NESTING`] (`html` is then true).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// The byte offset in the body of the first container past the limit.
    pub offset: usize,
    pub html: bool,
}

/// Elements that never hold others or whose end tag may be left out (the parser closes them
/// by itself), so they do not count towards raw HTML nesting.
const FLAT: &[&str] = &[
    "area", "base", "br", "col", "dd", "dt", "embed", "hr", "img", "input", "li", "link", "meta",
    "option", "p", "param", "source", "td", "th", "tr", "track", "wbr",
];

/// True when the tag name `text` starts with is one of an element that holds others.
fn nests(text: &str) -> bool {
    let name = text
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    !name.is_empty() && !FLAT.contains(&name.as_str())
}

/// How a piece of raw HTML changes the nesting depth (+1 per start tag of a containing
/// element, −1 per end tag), and the deepest it goes on the way. An estimate (comments and
/// attributes holding `<` can fool it), used only to refuse bodies nested far past anything
/// real content does.
fn html_depth_change(raw: &str) -> (isize, isize) {
    let mut change = 0isize;
    let mut peak = 0isize;
    let mut rest = raw;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(closing) = rest.strip_prefix('/') {
            if nests(closing) {
                change -= 1;
            }
            continue;
        }
        if !nests(rest) {
            continue;
        }
        let self_closing = rest.find('>').is_some_and(|end| rest[..end].ends_with('/'));
        if !self_closing {
            change += 1;
            peak = peak.max(change);
        }
    }
    (change, peak)
}

/// Renders a Markdown body under the given raw-HTML policy. A body nested deeper than
/// [`MAX_NESTING`] (which builds refuse, see [`try_render`]) comes back as escaped text.
pub fn render(markdown: &str, policy: RawHtml) -> Rendered {
    try_render(markdown, policy).unwrap_or_else(|_| {
        let mut html = String::from("<pre>");
        let _ = escape_html(&mut html, markdown);
        html.push_str("</pre>");
        Rendered {
            html: html.into(),
            first_paragraph: String::new(),
            text: markdown.into(),
        }
    })
}

/// Renders a Markdown body under the given raw-HTML policy, or says where its blocks nest
/// deeper than [`MAX_NESTING`].
pub fn try_render(markdown: &str, policy: RawHtml) -> Result<Rendered, TooDeep> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut depth = 0usize;
    let mut html_depth = 0isize;
    let mut raw_html = false;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        raw_html |= matches!(event, Event::Html(_) | Event::InlineHtml(_));
        match &event {
            Event::Html(raw) | Event::InlineHtml(raw) if policy == RawHtml::Sanitize => {
                let (change, peak) = html_depth_change(raw);
                let deepest = html_depth + peak;
                html_depth = (html_depth + change).max(0);
                if deepest.unsigned_abs() > MAX_HTML_NESTING {
                    return Err(TooDeep {
                        offset: range.start,
                        html: true,
                    });
                }
            }
            Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(TooDeep {
                        offset: range.start,
                        html: false,
                    });
                }
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        events.push(event);
    }
    let (first_paragraph, text) = plain_text(&events);
    let events = rewrite(events, policy);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if policy == RawHtml::Sanitize && raw_html {
        html = SANITIZER.clean(&html).to_string();
    }
    Ok(Rendered {
        html: html.into(),
        first_paragraph,
        text: text.into(),
    })
}

/// True for addresses that may be linked: http(s) and relative ones (`#x`, `../y/`).
pub fn is_allowed_href(href: &str) -> bool {
    // Browsers ignore ASCII whitespace and control characters inside a scheme
    // ("java\tscript:"), so they are dropped before looking for one.
    let cleaned: String = href
        .chars()
        .filter(|c| !c.is_ascii_control() && !c.is_ascii_whitespace())
        .collect();
    let lower = cleaned.to_ascii_lowercase();
    match lower.find([':', '/', '?', '#']) {
        Some(i) if lower.as_bytes()[i] == b':' => {
            lower.starts_with("http:") || lower.starts_with("https:")
        }
        _ => true,
    }
}

fn is_external(href: &str) -> bool {
    let lower = href.trim_start().to_ascii_lowercase();
    lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//")
}

fn rewrite(events: Vec<Event<'_>>, policy: RawHtml) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut open_links: Vec<bool> = Vec::new();
    let mut dropped_image = 0usize;
    let mut heading_ids: HashMap<String, usize> = HashMap::new();
    let mut iter = events.into_iter().peekable();
    while let Some(mut event) = iter.next() {
        // `# Title {onclick=…}`: a heading's `key=value` attributes are raw HTML by another
        // name, so they are kept only where raw HTML is (`allow`); `escape` would copy them
        // as written, and `sanitize` would drop them in ammonia anyway.
        if let Event::Start(Tag::Heading { attrs, .. }) = &mut event
            && policy != RawHtml::Allow
        {
            attrs.clear();
        }
        match event {
            Event::Html(h) | Event::InlineHtml(h) if policy == RawHtml::Escape => {
                out.push(Event::Text(h))
            }
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => {
                let keep = is_allowed_href(&dest_url);
                if keep {
                    out.push(Event::InlineHtml(anchor(&dest_url, &title).into()));
                }
                open_links.push(keep);
            }
            Event::End(TagEnd::Link) => {
                if open_links.pop() == Some(true) {
                    out.push(Event::InlineHtml("</a>".into()));
                }
            }
            Event::Start(Tag::Image { ref dest_url, .. }) if !is_allowed_href(dest_url) => {
                dropped_image += 1
            }
            Event::End(TagEnd::Image) if dropped_image > 0 => dropped_image -= 1,
            Event::Start(Tag::Heading {
                level,
                id: None,
                classes,
                attrs,
            }) => {
                let inner = heading_events(&mut iter);
                let id = unique_id(&mut heading_ids, &slugify(&heading_text(&inner)));
                out.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(id)),
                    classes,
                    attrs,
                }));
                out.extend(rewrite(inner, policy));
            }
            other => out.push(other),
        }
    }
    out
}

/// The events of a heading, up to and with its end, taken from `iter`.
fn heading_events<'a>(iter: &mut impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut inner = Vec::new();
    for e in iter.by_ref() {
        let end = matches!(e, Event::End(TagEnd::Heading(_)));
        inner.push(e);
        if end {
            break;
        }
    }
    inner
}

/// The text of a heading's events, for its id.
fn heading_text(events: &[Event<'_>]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(&**t),
            _ => None,
        })
        .collect()
}

fn anchor(href: &str, title: &str) -> String {
    let mut a = String::from("<a href=\"");
    let _ = escape_href(&mut a, href);
    a.push('"');
    if !title.is_empty() {
        a.push_str(" title=\"");
        let _ = escape_html(&mut a, title);
        a.push('"');
    }
    if is_external(href) {
        a.push_str(" rel=\"");
        a.push_str(EXTERNAL_REL);
        a.push('"');
    }
    a.push('>');
    a
}

fn unique_id(seen: &mut HashMap<String, usize>, base: &str) -> String {
    let count = seen.entry(base.to_owned()).or_insert(0);
    *count += 1;
    if *count == 1 {
        base.to_owned()
    } else {
        format!("{base}-{count}")
    }
}

fn plain_text(events: &[Event<'_>]) -> (String, String) {
    let mut first = String::new();
    let mut all = String::new();
    let mut depth = 0usize;
    let mut in_first = false;
    let mut first_done = false;
    for event in events {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 && !first_done => in_first = true,
            Event::End(TagEnd::Paragraph) if in_first => {
                in_first = false;
                first_done = true;
                all.push(' ');
            }
            Event::Text(t) | Event::Code(t) => {
                all.push_str(t);
                if in_first {
                    first.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                all.push(' ');
                if in_first {
                    first.push(' ');
                }
            }
            Event::End(_) => all.push(' '),
            _ => {}
        }
        match event {
            Event::Start(
                Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_) | Tag::Table(_),
            ) => depth += 1,
            Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::Table,
            ) => {
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    (squash(&first), squash(&all))
}

/// `text` with each run of whitespace made one space and none at either end (as
/// `split_whitespace` and `join(" ")`, in one pass).
fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        render(md, RawHtml::Sanitize).html.to_string()
    }

    #[test]
    fn tables_footnotes_strikethrough_and_heading_anchors() {
        let out = html(
            "## Who said what\n\n~~no~~ yes[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: A note.\n\n## Who said what\n",
        );
        assert!(out.contains("<h2 id=\"who-said-what\">"), "{out}");
        assert!(out.contains("<h2 id=\"who-said-what-2\">"), "{out}");
        assert!(out.contains("<del>no</del>"), "{out}");
        assert!(out.contains("<table>"), "{out}");
        assert!(out.contains("class=\"footnote-definition\""), "{out}");
    }

    #[test]
    fn a_body_without_raw_html_is_not_sanitized_and_comes_out_as_under_escape() {
        let md = "# Title \"quoted\" & more\n\n| left | mid |\n|:--|:-:|\n| 1 | 2 |\n\n```rust\nlet a = \"<b>\";\n```\n\n[a](https://e.org/?a=1&b=2 \"t\") ![i](x.png) [j](javascript:alert(1)) x[^n]\n\n[^n]: Note.\n";
        let sanitized = render(md, RawHtml::Sanitize);
        assert_eq!(sanitized, render(md, RawHtml::Escape));
        assert!(!sanitized.html.contains("javascript"), "{}", sanitized.html);
        // A body with raw HTML still goes through the sanitizer.
        let raw = format!("{md}\n<span onclick=\"x()\">hi</span>\n");
        assert_ne!(
            render(&raw, RawHtml::Sanitize),
            render(&raw, RawHtml::Escape)
        );
        assert!(!render(&raw, RawHtml::Sanitize).html.contains("onclick"));
        // The property below would see what the sanitizer exists for.
        assert!(only_markdown_markup(&sanitized.html).is_ok());
        for bad in ["<script>", "<a href=\"javascript:x\">", "<p onclick=\"x\">"] {
            assert!(only_markdown_markup(bad).is_err(), "{bad}");
        }
    }

    /// The elements and attributes pulldown-cmark writes for Markdown without raw HTML.
    fn only_markdown_markup(html: &str) -> Result<(), String> {
        const TAGS: [&str; 28] = [
            "p",
            "em",
            "strong",
            "del",
            "code",
            "pre",
            "a",
            "img",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "ul",
            "ol",
            "li",
            "blockquote",
            "hr",
            "br",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "sup",
            "div",
        ];
        const ATTRIBUTES: [&str; 9] = [
            "href", "title", "rel", "src", "alt", "id", "class", "style", "start",
        ];
        for tag in html.split('<').skip(1) {
            let tag = tag.split('>').next().unwrap_or_default();
            let tag = tag
                .strip_prefix('/')
                .unwrap_or(tag)
                .trim_end_matches('/')
                .trim();
            let mut parts = tag.splitn(2, ' ');
            let name = parts.next().unwrap_or_default();
            if !TAGS.contains(&name) {
                return Err(format!("element <{name}>"));
            }
            // Attribute values are quoted and escaped: split on `" ` between them.
            let attributes = parts.next().unwrap_or_default();
            for attribute in attributes.split("\" ").filter(|a| !a.trim().is_empty()) {
                let (key, value) = attribute.split_once("=\"").unwrap_or((attribute, ""));
                if !ATTRIBUTES.contains(&key.trim()) {
                    return Err(format!("attribute {key} on <{name}>"));
                }
                if (key == "href" || key == "src") && !is_allowed_href(value.trim_end_matches('"'))
                {
                    return Err(format!("address {value}"));
                }
                if value.contains(['<', '>', '"']) && !value.ends_with('"') {
                    return Err(format!("unescaped value {value}"));
                }
            }
        }
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn markdown_without_raw_html_writes_only_markdown_markup(
            md in "([a-z0-9 *_`#|:!\\[\\]()>\"'&=/.^~-]|\n|javascript:|https://|```|\\| --- \\|){0,60}"
        ) {
            let out = render(&md, RawHtml::Sanitize);
            proptest::prop_assert_eq!(&out, &render(&md, RawHtml::Escape));
            if let Err(e) = only_markdown_markup(&out.html) {
                proptest::prop_assert!(false, "{e} in {} from {md:?}", out.html);
            }
        }
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let out = html(
            "<script>alert(1)</script><img src=x onerror=alert(1)> <a href=\"javascript:alert(1)\">x</a>",
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
    }

    #[test]
    fn foreign_schemes_are_dropped_in_every_policy() {
        for policy in [RawHtml::Sanitize, RawHtml::Allow, RawHtml::Escape] {
            let out = render(
                "[x](java\tscript:alert(1)) [y](data:text/html,hi) [z](mailto:a@b)",
                policy,
            )
            .html;
            assert!(!out.contains("href"), "{policy:?}: {out}");
            assert!(out.contains('x') && out.contains('y'), "{out}");
        }
    }

    #[test]
    fn external_links_get_rel_and_relative_links_stay() {
        for policy in [RawHtml::Sanitize, RawHtml::Allow] {
            let out = render("[a](https://example.org/) [b](../x/)", policy).html;
            assert!(
                out.contains("href=\"https://example.org/\" rel=\"noopener noreferrer\""),
                "{out}"
            );
            assert!(out.contains("href=\"../x/\""), "{out}");
        }
    }

    #[test]
    fn heading_attributes_are_raw_html() {
        // Caught by the `markdown` fuzz target's checks: `escape` wrote `<h1 onclick="alert(1)">`.
        let md = "# h {onclick=alert(1) style=x}\n\n## i {#own .c data-x=y}\n";
        for policy in [RawHtml::Sanitize, RawHtml::Escape] {
            let out = render(md, policy).html;
            for attribute in ["onclick", "style", "data-x"] {
                assert!(!out.contains(attribute), "{policy:?}: {out}");
            }
            assert!(out.contains("<h2 id=\"own\""), "{policy:?}: {out}");
        }
        let out = render(md, RawHtml::Allow).html;
        assert!(out.contains("onclick=\"alert(1)\""), "{out}");
    }

    #[test]
    fn escape_policy_shows_html_as_text() {
        let out = render("a <b>bold</b>", RawHtml::Escape).html;
        assert!(out.contains("&lt;b&gt;bold&lt;/b&gt;"), "{out}");
    }

    proptest::proptest! {
        #[test]
        fn squash_joins_the_words(text in "[a \\t\\n\\u{a0}\\u{2003}é]{0,40}") {
            let words: Vec<&str> = text.split_whitespace().collect();
            proptest::prop_assert_eq!(squash(&text), words.join(" "));
        }
    }

    #[test]
    fn paragraphs_are_separated_in_the_text() {
        let r = render("One.\n\nTwo.\n\nThree.", RawHtml::Sanitize);
        assert_eq!(&*r.text, "One. Two. Three.");
    }

    #[test]
    fn first_paragraph_and_text() {
        let r = render(
            "First *one*\nline.\n\n> quote\n\nSecond.",
            RawHtml::Sanitize,
        );
        assert_eq!(r.first_paragraph, "First one line.");
        assert!(r.text.contains("quote") && r.text.contains("Second."));
    }

    #[test]
    fn nesting_up_to_the_limit_renders_and_deeper_is_refused_where_it_starts() {
        let deep = |n: usize| format!("{}x\n", "> ".repeat(n));
        let html = try_render(&deep(MAX_NESTING), RawHtml::Sanitize)
            .unwrap()
            .html;
        assert_eq!(html.matches("<blockquote>").count(), MAX_NESTING);
        assert_eq!(
            try_render(&deep(MAX_NESTING + 1), RawHtml::Sanitize),
            Err(TooDeep {
                offset: 2 * MAX_NESTING,
                html: false,
            })
        );
        let list = format!("Intro.\n\n{}x\n", "- ".repeat(10_000));
        assert_eq!(
            try_render(&list, RawHtml::Sanitize),
            Err(TooDeep {
                offset: "Intro.\n\n".len() + 2 * MAX_NESTING,
                html: false,
            })
        );
        // Lists in blockquotes count together; side by side they do not add up.
        let mixed = "> - ".repeat(MAX_NESTING / 2 + 1);
        assert!(try_render(&mixed, RawHtml::Sanitize).is_err());
        let siblings = format!("{}x\n\n", "> ".repeat(MAX_NESTING)).repeat(3);
        assert!(try_render(&siblings, RawHtml::Sanitize).is_ok());
        // The infallible form shows such a body as escaped text.
        let shown = render("> ".repeat(MAX_NESTING + 1).as_str(), RawHtml::Allow).html;
        assert!(shown.starts_with("<pre>&gt; &gt;"), "{shown}");
    }

    #[test]
    fn href_filter() {
        assert!(is_allowed_href("https://x.org/a:b"));
        assert!(is_allowed_href("#fn-1"));
        assert!(is_allowed_href("../events/a/"));
        assert!(!is_allowed_href(" JavaScript:alert(1)"));
        assert!(!is_allowed_href("vbscript:x"));
    }

    #[test]
    fn raw_html_nested_past_the_limit_is_refused_when_sanitizing() {
        let deep = |n: usize| format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n));
        assert!(try_render(&deep(MAX_HTML_NESTING), RawHtml::Sanitize).is_ok());
        let refused = try_render(&deep(MAX_HTML_NESTING + 1), RawHtml::Sanitize);
        assert!(
            matches!(refused, Err(TooDeep { html: true, .. })),
            "{refused:?}"
        );
        // Escaped or trusted HTML never reaches the sanitizer's tree builder.
        assert!(try_render(&deep(MAX_HTML_NESTING + 1), RawHtml::Escape).is_ok());
        // Siblings, void elements, self-closing tags and paragraphs do not add up.
        let flat = "<div>a</div><br><img src=x><span/><p>b".repeat(5_000);
        assert!(try_render(&flat, RawHtml::Sanitize).is_ok());
    }
}
