//! The `site` target's tables: the stock text its input picks from. Plain values come first in
//! each table, so that small numbers (and the seeds) give a valid site.

/// Names of events, sources and folders; events cite sources by these.
pub const NAMES: &[&str] = &["s", "a", "b", "c", "2025-06-13-strikes", "t", "events", "x"];

/// Odd file names. gen skips names starting with `.` or `#` and ending in `~`, `.swp`, `.tmp`.
pub const ODD_NAMES: &[&[u8]] = &[
    b"index.html",
    b"index",
    b".hidden",
    b"#draft#",
    b"draft~",
    b"a b",
    b" leading",
    b"trailing ",
    "caf\u{e9}".as_bytes(),
    "cafe\u{301}".as_bytes(),
    b"caf\xe9",
    b"\xff\xfe",
    "\u{65e5}\u{672c}\u{8a9e}".as_bytes(),
    "\u{1f389}".as_bytes(),
    "\u{202e}txt.exe".as_bytes(),
    "\u{200b}".as_bytes(),
    b"...",
    b"..a",
    b"a..",
    b". .",
    b"-",
    b"--help",
    b"a\nb",
    b"a\tb",
    b"a\\b",
    b"a:b",
    b"a?b#c",
    b"%2e%2e",
    b"&amp;",
    b"<script>",
    b"\"q'",
    b"CON",
    b"A",
    b".gen-output",
    b".public.spare",
    b"public",
    b"content",
    b"static",
    b"templates",
    b"site.toml",
    b"sources",
    b"days",
    b"404.html",
    b"search.json",
    b"atom.xml",
    b"sitemap.xml",
    b"style.css",
    b"timeline.js",
    b"base.html",
    b"macros.html",
    b"a\n0000000000000000 0 b",
    b".public.lock",
];

/// What follows a name, besides `.md`, `.html` and nothing.
pub const EXTS: &[&str] = &[
    ".xml",
    ".css",
    ".js",
    ".MD",
    ".md~",
    ".md.swp",
    ".md.tmp",
    ".txt",
    ".md.md",
    ".",
    ".toml",
    ".json",
    ".markdown",
];

pub const TITLES: &[&str] = &[
    "A",
    "Strikes & <b>counter</b>-strikes",
    "\u{62d}\u{645}\u{644}\u{647} \u{0627}\u{06cc}\u{0631}\u{0627}\u{0646}",
    "",
    " ",
    "{{ site.title }}",
    "{% raw %}",
    "a \"quote\" and 'another'",
    "</script><script>alert(1)</script>",
    "\u{202e}reversed",
    "line\nbreak",
    "events",
];

pub const DATES: &[&str] = &[
    "2025-06-13",
    "2025-06-22T02:30 Asia/Tehran",
    "2025-06-22T02:30+03:30",
    "2025-06-13T21:00Z",
    "2025-02-30",
    "0001-01-01",
    "9999-12-31T23:59Z",
    "2025-06-13T25:00",
    "2025-06-13T02:30 Mars/Olympus",
    "2024-03-31T02:30 Europe/Berlin",
    "2024-10-27T02:30 Europe/Berlin",
    "2025-06-13T12:00 Pacific/Kiritimati",
    "2025-06-13T12:00 Etc/GMT+12",
    "2025-06",
    "",
    "[2025-06-13]",
];

/// Actor and tag names.
pub const TERMS: &[&str] = &[
    "Iran",
    "Israel",
    "iran",
    "a b",
    " Iran ",
    "\u{627}\u{6cc}\u{631}\u{627}\u{646}",
    "",
    "<b>",
    "../x",
    "index",
];

pub const QUOTES: &[&str] = &["a quote", "", "<script>x</script>", "\u{201c}q\u{201d}"];

/// Markdown bodies.
pub const BODIES: &[&str] = &[
    "Body.",
    "",
    "Body [x](https://example.org/).",
    "<script>alert(1)</script>",
    "# h {onclick=alert(1)}",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "Note[^1].\n\n[^1]: The note.",
    "![i](javascript:alert(1))",
    "<div><p>x</p></div>",
    "```\ncode\n```",
    "> quote\n>\n> more",
    "{{ site.title }} {% if x %}",
    "<!-- comment -->",
    "&amp; &lt; &#0;",
    "---\nmore: front\n---",
    "<img src=x onerror=alert(1)>",
];

/// Other event front-matter lines.
pub const EVENT_LINES: &[&str] = &[
    "importance: major",
    "end: 2025-06-14",
    "end: 2025-06-12",
    "precision: approximate",
    "precision: bogus",
    "location: \"Tel Aviv, Israel\"",
    "importance: minor",
    "importance: huge",
    "disputed: \"Sources differ.\"",
    "disputed: true",
    "summary: A summary.",
    "draft: true",
    "unknown: 1",
    "title: again",
    "sources: []",
    "date: [1, 2]",
    "tags:",
    "actors: {a: b}",
    "- list",
    "\tindented: tab",
    "title: !!binary aGVsbG8=",
    "a: &x 1\nb: *x",
];

pub const OUTLETS: &[&str] = &["O", "Ada Derana", "", "<i>x</i>", "\u{62e}\u{628}\u{631}"];

/// Other source front-matter lines.
pub const SOURCE_LINES: &[&str] = &[
    "url: https://example.org/s",
    "published: 2025-06-13",
    "published: 2025-06-23T16:12 Asia/Colombo",
    "language: fa",
    "author: Someone",
    "archive_url: https://web.archive.org/web/2025/https://example.org/s",
    "url: javascript:alert(1)",
    "url: not a url",
    "published: yesterday",
    "date: 2025-06-13",
    "outlet: [a]",
];

pub const BASE_URLS: &[&str] = &[
    "https://example.org/t/",
    "https://example.org",
    "http://localhost:1111/",
    "/relative/",
    "ftp://example.org/",
    "https://example.org/a b/",
    "javascript:alert(1)//",
    "",
    "https://\u{4f8b}\u{3048}.jp/x/",
];

pub const ZONES: &[&str] = &[
    "Asia/Tehran",
    "UTC",
    "Pacific/Kiritimati",
    "Etc/GMT+12",
    "Asia/Tehrn",
    "",
    "Local",
    "+03:30",
];

pub const RAW_HTML: &[&str] = &["sanitize", "escape", "allow", "Sanitize", ""];

/// Keys written as `key = number` (or a boolean for `feeds`).
pub const NUMBER_KEYS: &[&str] = &["page_size", "index_limit", "feed_limit", "feeds"];

/// `[timeline]` window values, written as they are.
pub const WINDOW: &[&str] = &[
    "2025-06-01",
    "2025-07-01",
    "2025-06-13",
    "2025-06-12T00:00:00",
    "\"2025-06-01\"",
    "2025-06-31",
    "1",
];

/// Other `site.toml` lines.
pub const CONFIG_LINES: &[&str] = &[
    "description = \"A timeline.\"",
    "language = \"fa\"",
    "author = \"Someone\"",
    "unknown = 1",
    "title = \"again\"",
    "[timeline]",
    "[other]",
    "feeds = \"yes\"",
    "page_size = -1",
    "page_size = 18446744073709551616",
    "output_dir = \"../out\"",
    "output_dir = \"/tmp/x\"",
    "output_dir = \"\"",
    "output_dir = \".\"",
];

/// Text put into `site.toml` and templates by edits.
pub const TOKENS: &[&str] = &[
    "\n",
    "\"",
    "=",
    "[",
    "]",
    "{{",
    "}}",
    "{%",
    "%}",
    "{% endblock %}",
    "{{ nope }}",
    "{{ site.title | safe }}",
    "{% include \"missing.html\" %}",
    "{% extends \"base.html\" %}",
    "{% block main %}",
    "\u{0}",
    "\r",
    "\u{feff}",
];

/// Template texts: the built-in ones, then broken ones.
pub const TEMPLATES: &[&str] = &[
    include_str!("../../../templates/base.html"),
    include_str!("../../../templates/macros.html"),
    include_str!("../../../templates/index.html"),
    include_str!("../../../templates/event.html"),
    include_str!("../../../templates/day.html"),
    include_str!("../../../templates/sources.html"),
    include_str!("../../../templates/source.html"),
    include_str!("../../../templates/term.html"),
    include_str!("../../../templates/terms.html"),
    include_str!("../../../templates/page.html"),
    include_str!("../../../templates/404.html"),
    include_str!("../../../templates/atom.xml"),
    include_str!("../../../templates/sitemap.xml"),
    "{% extends \"base.html\" %}{% block main %}{{ title }}{% endblock main %}",
    "{{ nope }}",
    "{% if %}",
    "{% include \"missing.html\" %}",
    "{% extends \"base.html\" %}",
    "{% macro other() %}{% endmacro %}",
    "{% for e in events %}{{ e.title }}{% endfor %}",
    "{{ site | json_encode() }}",
    "{% extends \"index.html\" %}",
    "",
    "{% include \"index.html\" %}",
    "{% import \"macros.html\" as again %}",
];

/// Units a large file repeats.
pub const UNITS: &[&str] = &[
    "Word ",
    "A line of text.\n",
    "\n",
    " ",
    "a",
    "\u{e9}",
    "<div>",
    "> ",
    "* ",
    "| a |\n",
    "[x](https://example.org/) ",
    "&amp;",
    "`",
    "*_",
    "\r\n",
    "\u{0}",
];
