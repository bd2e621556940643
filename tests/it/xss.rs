//! Hostile content: known XSS payloads (OWASP filter-evasion style) in every front-matter
//! field, in source fields and in Markdown bodies. The built pages must carry no script,
//! handler or script URL from content, and content is never evaluated as a template.

use crate::support::{self, Site};

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script/xss>alert(1)</script>",
    "<<SCRIPT>alert(1);//<</SCRIPT>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">XSS</text></a></svg>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<body onload=alert(1)>",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<div style=\"background-image: url(javascript:alert('XSS'))\">x</div>",
    "<div style=\"width: expression(alert('XSS'));\">x</div>",
    "<STYLE>@import'https://xss.example/xss.css';</STYLE>",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "\" onmouseover=\"alert(1)",
    "' onmouseover='alert(1)",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "{{ site.title }}",
    "{% for x in [1,2] %}{{ x }}{% endfor %}",
    "{{ __tera_context }}",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "![img](javascript:alert(1))",
    "<https://example.org/\"onmouseover=\"alert(1)>",
];

fn yaml(text: &str) -> String {
    serde_json::to_string(text).expect("a JSON string is a YAML double-quoted string")
}

/// A script URL once browsers have ignored whitespace and control characters and case.
fn is_script_url(value: &str) -> bool {
    let cleaned: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase();
    cleaned.starts_with("javascript:")
        || cleaned.starts_with("vbscript:")
        || cleaned.starts_with("data:")
}

#[test]
fn no_payload_survives_in_any_field() {
    assert!(PAYLOADS.len() >= 50);
    let mut site = Site::empty().file(
        "site.toml",
        "title = \"XSS\"\nbase_url = \"https://example.org/x/\"\ntimezone = \"UTC\"\n",
    );
    for (i, p) in PAYLOADS.iter().enumerate() {
        let q = yaml(p);
        site = site
            .source(&format!("s{i:02}"), &format!("title: {q}\noutlet: {q}\nauthor: {q}\nlanguage: {q}\nurl: https://news.example/{i}?q={}", urlencode(p)))
            .event(
                &format!("x{i:02}"),
                &format!(
                    "title: {q}\ndate: 2025-06-{:02}T10:00Z\nlocation: {q}\nactors: [{q}]\ntags: [{q}]\ndisputed: {q}\nsummary: {q}\nsources:\n  - id: s{i:02}\n    quote: {q}",
                    13 + i % 11
                ),
                &format!("{p}\n\nBody text {p} inline.\n\n> {p}\n\n- {p}\n"),
            );
    }
    site.build_ok();

    let mut pages = 0;
    for (path, bytes) in site.snapshot_output() {
        let name = path.to_string_lossy().into_owned();
        let text = String::from_utf8_lossy(&bytes);
        if !name.ends_with(".html") {
            continue;
        }
        pages += 1;
        let doc = scraper::Html::parse_document(&text);
        let all = scraper::Selector::parse("*").expect("selector");
        for element in doc.select(&all) {
            let e = element.value();
            match e.name() {
                "script" => support::assert_our_script(&element, &name),
                "iframe" | "object" | "embed" | "frame" | "frameset" | "applet" | "base"
                | "form" | "meta"
                    if !is_ours(e.name(), &element) =>
                {
                    panic!("{name}: <{}> from content", e.name());
                }
                _ => {}
            }
            for (attr, value) in e.attrs() {
                assert!(
                    !attr.to_lowercase().starts_with("on"),
                    "{name}: handler {attr}={value}"
                );
                assert!(attr != "srcdoc" && attr != "formaction", "{name}: {attr}");
                if matches!(
                    attr,
                    "href" | "src" | "action" | "background" | "xlink:href" | "data" | "poster"
                ) {
                    assert!(!is_script_url(value), "{name}: {attr}={value}");
                }
                if attr == "style" {
                    assert!(
                        !value.contains("javascript") && !value.contains("expression"),
                        "{name}: style={value}"
                    );
                }
            }
        }
        // Template syntax in content is shown, never evaluated.
        if name.starts_with("events/x5") {
            assert!(
                !text.contains("<code>12</code>") && !text.contains(">12<"),
                "{name}: a template ran"
            );
        }
    }
    assert!(pages > 100, "{pages} pages checked");
    let page = site.read("events/x52/index.html");
    assert!(
        page.contains("{{ site.title }}"),
        "template syntax in a title is kept as text"
    );
}

/// `<meta>` and `<form>` appear only in the templates' own markup (charset, viewport,
/// description, Open Graph), never with content-controlled refreshes.
fn is_ours(name: &str, element: &scraper::ElementRef<'_>) -> bool {
    name == "meta" && element.value().attr("http-equiv").is_none()
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn script_urls_in_source_addresses_are_refused() {
    for url in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        " javascript:alert(1)",
    ] {
        let site = Site::new().source("src-a", &format!("title: A\noutlet: O\nurl: {}", yaml(url)));
        let run = site.build();
        assert!(!run.success, "{url} accepted");
        assert!(
            run.stderr.contains("is not an http(s) address"),
            "{}",
            run.stderr
        );
    }
}
