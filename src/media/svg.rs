//! SVG files of the site's media: whether one may be copied into the site as it is
//! ([`check`]: nothing that runs, nothing fetched from elsewhere) and its size ([`size`]).
//! Read with roxmltree, a parser that expands no external entity.

use roxmltree::{Attribute, Document, Node, ParsingOptions};

/// Most nodes an SVG may have: bounds the memory a hostile file takes while it is parsed.
const NODES_LIMIT: u32 = 1_000_000;

/// Elements that run code or embed other documents.
const ACTIVE_ELEMENTS: [&str; 5] = ["script", "foreignObject", "iframe", "embed", "object"];

/// Attributes that name a resource to load.
const REFERENCE_ATTRIBUTES: [&str; 2] = ["href", "src"];

/// Elements that set another attribute of their target over time.
const ANIMATION_ELEMENTS: [&str; 4] = ["animate", "set", "animateMotion", "animateTransform"];

/// Raster images an SVG may carry inside itself as `data:` URIs.
const DATA_IMAGES: [&str; 4] = ["png", "jpeg", "webp", "gif"];

/// Ok when the SVG may be copied as it is into the site; Err(reason) naming the first thing
/// found that runs or loads from elsewhere, with its line: `a <script> element on line 4`,
/// `an event handler attribute onload on line 2`, `an external reference
/// href="https://…" on line 7`. Also Err when the file is not well-formed XML, its root
/// element is not `svg`, or its DOCTYPE declares entities.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let document = parse(text)?;
    let root = document.root_element();
    if root.tag_name().name() != "svg" {
        let name = root.tag_name().name();
        return Err(format!("the root element is <{name}>, not <svg>"));
    }
    let prolog = &text[..root.range().start];
    if let Some(at) = prolog.find("<!ENTITY") {
        let line = document.text_pos_at(at).row;
        return Err(format!(
            "an entity declaration in the DOCTYPE on line {line}"
        ));
    }
    document
        .descendants()
        .try_for_each(|node| check_node(&node))
}

/// The width and height of the SVG, from its root element's `width` and `height` (plain
/// numbers or pixels) or, for what they leave out, its `viewBox`. None when neither says.
pub fn size(bytes: &[u8]) -> Option<(f64, f64)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let document = parse(text).ok()?;
    let root = document.root_element();
    let width = root.attribute("width").and_then(pixels);
    let height = root.attribute("height").and_then(pixels);
    let view_box = root.attribute("viewBox").and_then(view_box);
    match (width, height, view_box) {
        (Some(w), Some(h), _) => Some((w, h)),
        (Some(w), None, Some((vw, vh))) => Some((w, w * vh / vw)),
        (None, Some(h), Some((vw, vh))) => Some((h * vw / vh, h)),
        (None, None, Some(view)) => Some(view),
        _ => None,
    }
}

fn parse(text: &str) -> Result<Document<'_>, String> {
    let options = ParsingOptions {
        // A DOCTYPE naming the SVG 1.1 DTD is common in exported files. roxmltree reads an
        // internal subset with its guards against entity expansion, never an external one,
        // and `check` refuses any entity declaration.
        allow_dtd: true,
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| format!("not well-formed XML: {e}"))
}

fn check_node(node: &Node) -> Result<(), String> {
    let line = |at: usize| node.document().text_pos_at(at).row;
    if let Some(pi) = node.pi().filter(|pi| pi.target == "xml-stylesheet") {
        let line = line(node.range().start);
        return Err(format!(
            "an {} processing instruction on line {line}",
            pi.target
        ));
    }
    if !node.is_element() {
        return Ok(());
    }
    let name = node.tag_name().name();
    let found = |what: &str| format!("{what} on line {}", line(node.range().start));
    if ACTIVE_ELEMENTS.iter().any(|a| a.eq_ignore_ascii_case(name)) {
        return Err(found(&format!("a <{name}> element")));
    }
    if name == "style" {
        let css: String = node
            .descendants()
            .filter(Node::is_text)
            .filter_map(|n| n.text())
            .collect();
        if let Some(what) = css_fetch(&css) {
            return Err(found(&format!("{what} in a <style> element")));
        }
    }
    if ANIMATION_ELEMENTS.contains(&name) {
        let target = node.attribute("attributeName").unwrap_or_default();
        let local = target.rsplit(':').next().unwrap_or_default();
        if is_reference(local) || is_event_handler(local) {
            return Err(found(&format!("a <{name}> element that sets {target}")));
        }
    }
    node.attributes().try_for_each(|attribute| {
        check_attribute(&attribute)
            .map_err(|what| format!("{what} on line {}", line(attribute.range().start)))
    })
}

/// What an attribute does that a copied SVG must not: run a script, or load from elsewhere.
fn check_attribute(attribute: &Attribute) -> Result<(), String> {
    let (name, value) = (attribute.name(), attribute.value());
    if is_event_handler(name) {
        return Err(format!("an event handler attribute {name}"));
    }
    if is_reference(name) && !is_inside(value) {
        return Err(format!(
            "an external reference {name}=\"{}\"",
            shortened(value)
        ));
    }
    // Presentation attributes (fill, filter, mask, clip-path…) take url() like CSS does.
    match css_fetch(value) {
        Some(what) => Err(format!("{what} in the attribute {name}")),
        None => Ok(()),
    }
}

fn is_reference(name: &str) -> bool {
    REFERENCE_ATTRIBUTES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
}

fn is_event_handler(name: &str) -> bool {
    name.get(..2)
        .is_some_and(|on| on.eq_ignore_ascii_case("on"))
}

/// Whether a reference stays inside the file: a fragment of this document, or a raster
/// image carried as a `data:` URI.
fn is_inside(reference: &str) -> bool {
    let reference = reference.trim();
    if reference.starts_with('#') {
        return true;
    }
    let (Some(head), Some(rest)) = (reference.get(..11), reference.get(11..)) else {
        return false;
    };
    let subtype = rest.split([';', ',']).next().unwrap_or_default();
    head.eq_ignore_ascii_case("data:image/")
        && DATA_IMAGES.iter().any(|t| t.eq_ignore_ascii_case(subtype))
}

/// What in a piece of CSS loads from elsewhere: `@import`, `url()` other than `url(#…)`,
/// `image-set()`; and escapes, which could spell either without the letters.
fn css_fetch(css: &str) -> Option<String> {
    let lower = css.to_ascii_lowercase();
    if lower.contains("@import") {
        return Some("an @import".to_owned());
    }
    if lower.contains("image-set(") {
        return Some("an image-set()".to_owned());
    }
    if lower.contains('\\') {
        return Some("a CSS escape".to_owned());
    }
    lower.match_indices("url(").find_map(|(at, _)| {
        let target = lower[at + 4..].trim_start().trim_start_matches(['"', '\'']);
        let end = css[at..].find(')').map_or(css.len(), |e| at + e + 1);
        (!target.starts_with('#')).then(|| format!("a reference {}", shortened(&css[at..end])))
    })
}

/// `text`, cut to 60 characters with an ellipsis when it is longer.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A length in pixels: a plain number or one ending in `px`, positive.
fn pixels(length: &str) -> Option<f64> {
    let length = length.trim();
    let number = length.strip_suffix("px").unwrap_or(length).trim_end();
    number
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n > 0.0)
}

/// The width and height of a `viewBox` (`min-x min-y width height`), when both are positive.
fn view_box(value: &str) -> Option<(f64, f64)> {
    let numbers: Vec<f64> = value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    match numbers[..] {
        [_, _, w, h] if w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0 => Some((w, h)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A map-like SVG as drawing programs write it: DOCTYPE, styles, shapes, text, reuse.
    const MAP: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="800" height="600" viewBox="0 0 800 600">
  <title>Rivers and towns</title>
  <defs>
    <style>.river { stroke: #36c; fill: none; } .town { fill: url(#dot); }</style>
    <radialGradient id="dot"><stop offset="0" stop-color="#000"/></radialGradient>
    <circle id="a" r="4"/>
    <clipPath id="frame"><rect width="800" height="600"/></clipPath>
  </defs>
  <g clip-path="url(#frame)">
    <path class="river" d="M10 10 C 100 200, 300 100, 790 590"/>
    <use href="#a" x="120" y="80" class="town"/>
    <use xlink:href="#a" x="300" y="210"/>
    <text x="130" y="80" font-family="serif" style="font-size: 14px">Ashford</text>
    <image href="data:image/png;base64,iVBORw0KGgo=" x="0" y="0" width="8" height="8"/>
  </g>
</svg>"##;

    fn refused(svg: &str) -> String {
        check(svg.as_bytes()).expect_err("refused")
    }

    #[test]
    fn a_map_like_svg_passes() {
        assert_eq!(check(MAP.as_bytes()), Ok(()));
    }

    #[test]
    fn scripts_and_embedded_documents_are_refused_with_their_line() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<g>\n<circle r=\"1\"/>\n<script>alert(1)</script>\n</g></svg>";
        assert_eq!(refused(svg), "a <script> element on line 4");
        for element in ["foreignObject", "iframe", "embed", "object", "SCRIPT"] {
            let svg = format!("<svg>\n<{element}/></svg>");
            assert_eq!(refused(&svg), format!("a <{element}> element on line 2"));
        }
        let html = "<svg><h:script xmlns:h=\"http://www.w3.org/1999/xhtml\"/></svg>";
        assert_eq!(refused(html), "a <script> element on line 1");
    }

    #[test]
    fn event_handler_attributes_are_refused() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"\n onload=\"alert(1)\"></svg>";
        assert_eq!(refused(svg), "an event handler attribute onload on line 2");
        assert_eq!(
            refused("<svg><rect ONCLICK=\"x()\"/></svg>"),
            "an event handler attribute ONCLICK on line 1"
        );
    }

    #[test]
    fn references_outside_the_file_are_refused() {
        let cases = [
            (
                "<a href=\"https://example.com/\">x</a>",
                "href=\"https://example.com/\"",
            ),
            (
                "<a xlink:href=\"javascript:alert(1)\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"/>",
                "href=\"javascript:alert(1)\"",
            ),
            ("<use href=\"sprites.svg#a\"/>", "href=\"sprites.svg#a\""),
            (
                "<image href=\"data:image/svg+xml;base64,PHN2Zz4=\"/>",
                "href=\"data:image/svg+xml;base64,PHN2Zz4=\"",
            ),
            (
                "<image src=\"//tracker.example/p.gif\"/>",
                "src=\"//tracker.example/p.gif\"",
            ),
        ];
        for (element, reference) in cases {
            let svg = format!("<svg>\n\n{element}</svg>");
            assert_eq!(
                refused(&svg),
                format!("an external reference {reference} on line 3")
            );
        }
        let long = format!(
            "<svg><a href=\"https://example.com/{}\"/></svg>",
            "x".repeat(100)
        );
        assert!(
            refused(&long).ends_with("xxx…\" on line 1"),
            "{}",
            refused(&long)
        );
    }

    #[test]
    fn css_that_loads_from_elsewhere_is_refused() {
        assert_eq!(
            refused("<svg><style>\n@import 'https://example.com/a.css';</style></svg>"),
            "an @import in a <style> element on line 1"
        );
        assert_eq!(
            refused(
                "<svg>\n<style><![CDATA[ g { background: url( 'https://x.example/a.png' ) } ]]></style></svg>"
            ),
            "a reference url( 'https://x.example/a.png' ) in a <style> element on line 2"
        );
        assert_eq!(
            refused("<svg><rect\n style=\"fill: URL(http://x.example/p)\"/></svg>"),
            "a reference URL(http://x.example/p) in the attribute style on line 2"
        );
        assert_eq!(
            refused("<svg><rect filter=\"url(https://x.example/f.svg#blur)\"/></svg>"),
            "a reference url(https://x.example/f.svg#blur) in the attribute filter on line 1"
        );
        assert_eq!(
            refused("<svg><style>g { background: u\\72l(https://x.example) }</style></svg>"),
            "a CSS escape in a <style> element on line 1"
        );
        assert_eq!(
            refused(
                "<svg><rect style=\"background: image-set('https://x.example/a.png' 1x)\"/></svg>"
            ),
            "an image-set() in the attribute style on line 1"
        );
    }

    #[test]
    fn animations_that_set_links_or_handlers_are_refused() {
        assert_eq!(
            refused("<svg><a><set attributeName=\"href\" to=\"javascript:alert(1)\"/></a></svg>"),
            "a <set> element that sets href on line 1"
        );
        assert_eq!(
            refused("<svg><a>\n<animate attributeName=\"xlink:href\" values=\"#a;#b\"/></a></svg>"),
            "a <animate> element that sets xlink:href on line 2"
        );
        assert_eq!(
            refused("<svg><animate attributeName=\"onbegin\" to=\"x\"/></svg>"),
            "a <animate> element that sets onbegin on line 1"
        );
        assert_eq!(
            check(b"<svg><animate attributeName=\"r\" values=\"1;4\"/></svg>"),
            Ok(())
        );
    }

    #[test]
    fn what_is_not_a_plain_svg_document_is_refused() {
        assert!(refused("<svg><g></svg>").starts_with("not well-formed XML: "));
        assert!(refused("\u{fffd}PNG").starts_with("not well-formed XML: "));
        assert!(
            check(b"<svg>\xff</svg>")
                .expect_err("bytes")
                .starts_with("not UTF-8 text: ")
        );
        assert_eq!(
            refused("<html><svg/></html>"),
            "the root element is <html>, not <svg>"
        );
        let entities =
            "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [\n<!ENTITY x \"y\">\n]>\n<svg>&x;</svg>";
        assert_eq!(
            refused(entities),
            "an entity declaration in the DOCTYPE on line 3"
        );
        let external = "<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg>&x;</svg>";
        assert_eq!(
            refused(external),
            "not well-formed XML: unknown entity reference 'x' at 1:62"
        );
        let unused = external.replace("&x;", "");
        assert_eq!(
            refused(&unused),
            "an entity declaration in the DOCTYPE on line 1"
        );
        let stylesheet = "<?xml-stylesheet href=\"https://x.example/a.css\"?>\n<svg/>";
        assert_eq!(
            refused(stylesheet),
            "an xml-stylesheet processing instruction on line 1"
        );
    }

    #[test]
    fn size_comes_from_width_and_height_or_the_view_box() {
        assert_eq!(size(MAP.as_bytes()), Some((800.0, 600.0)));
        assert_eq!(
            size(b"<svg width=\"120px\" height=\" 80 \"/>"),
            Some((120.0, 80.0))
        );
        assert_eq!(
            size(b"<svg viewBox=\"0 0 300 150\"/>"),
            Some((300.0, 150.0))
        );
        assert_eq!(size(b"<svg viewBox=\"-5,-5, 30,10\"/>"), Some((30.0, 10.0)));
        assert_eq!(
            size(b"<svg width=\"600\" viewBox=\"0 0 300 150\"/>"),
            Some((600.0, 300.0))
        );
        assert_eq!(
            size(b"<svg height=\"50\" viewBox=\"0 0 300 150\"/>"),
            Some((100.0, 50.0))
        );
        assert_eq!(
            size(b"<svg width=\"100%\" height=\"100%\" viewBox=\"0 0 4 3\"/>"),
            Some((4.0, 3.0))
        );
        assert_eq!(size(b"<svg width=\"10cm\"/>"), None);
        assert_eq!(size(b"<svg viewBox=\"0 0 0 10\"/>"), None);
        assert_eq!(size(b"<svg>"), None);
    }
}
