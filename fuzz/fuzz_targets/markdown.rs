//! Markdown bodies: arbitrary Markdown rendered under each raw-HTML policy.
//!
//! Checks, for `raw_html = "sanitize"` (the default) and `"escape"`, on the output as an
//! HTML parser (html5ever, through scraper) reads it inside the page: no script or other
//! active element, no `on…` event-handler attribute, no `style` attribute (but the table
//! column alignment Markdown writes), and every address
//! (`href`, `src`, `cite`, …) is relative or http(s); and, on the raw text, no `<script` at
//! all. `"allow"` copies the author's HTML as written, so it is only checked not to panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use scraper::{Html, Node};
use timeline_gen::config::RawHtml;
use timeline_gen::stages;

/// Elements that run code, load other documents, or take input; none may come out.
const FORBIDDEN: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
    "button", "textarea", "select", "base", "meta", "link", "svg", "math", "template", "noscript",
    "portal",
];

/// Attributes holding an address a browser follows or loads.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "cite",
    "action",
    "formaction",
    "poster",
    "background",
    "srcset",
    "xlink:href",
    "data",
    "ping",
];

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else {
        return;
    };
    for policy in [RawHtml::Sanitize, RawHtml::Escape] {
        let html = stages::markdown_html(markdown, policy);
        check(&html, policy, markdown);
    }
    let _ = stages::markdown_html(markdown, RawHtml::Allow);
});

fn check(html: &str, policy: RawHtml, markdown: &str) {
    let fail = |what: String| -> ! {
        panic!("{policy:?}: {what}\nmarkdown: {markdown:?}\nhtml: {html:?}")
    };
    if html.to_ascii_lowercase().contains("<script") {
        fail("`<script` in the output".into());
    }
    let fragment = Html::parse_fragment(html);
    for node in fragment.tree.nodes() {
        let Node::Element(element) = node.value() else {
            continue;
        };
        let name = element.name().to_ascii_lowercase();
        if FORBIDDEN.contains(&name.as_str()) {
            fail(format!("a <{name}> element"));
        }
        for (attribute, value) in element.attrs() {
            let attribute = attribute.to_ascii_lowercase();
            if attribute.starts_with("on") {
                fail(format!("an event handler `{attribute}` on <{name}>"));
            }
            // Table column alignment is the one style the Markdown renderer writes itself.
            let alignment = ["left", "center", "right"]
                .iter()
                .any(|a| value == format!("text-align: {a}"));
            if attribute == "style" && !alignment {
                fail(format!("a style attribute on <{name}>"));
            }
            if URL_ATTRIBUTES.contains(&attribute.as_str()) && !is_safe_address(value) {
                fail(format!("{attribute}={value:?} on <{name}>"));
            }
        }
    }
}

/// True for an address with no scheme (relative) or with http(s), read as a browser reads it
/// (the WHATWG URL parser, as implemented by the `url` crate): leading and trailing controls
/// and spaces are ignored, and tabs and newlines anywhere.
fn is_safe_address(value: &str) -> bool {
    let cleaned: String = value
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let lower = cleaned.to_ascii_lowercase();
    if ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|s| lower.starts_with(s))
    {
        return false;
    }
    match url::Url::parse(&cleaned) {
        Ok(url) => matches!(url.scheme(), "http" | "https"),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        // Not an address at all: a browser would not follow it either.
        Err(_) => true,
    }
}
