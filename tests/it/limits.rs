//! Very large and very deep inputs: a 50 MB event body, deeply nested Markdown, HTML and YAML,
//! and thousands of files. Each is built within bounded memory or refused with a message
//! naming the file; none may crash the build. How long each takes, and a build of 100,000
//! files: `cargo bench --bench limits`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::filler::{self, Rng};
use crate::inputs;
use crate::support::{CONFIG, Run, Site};

/// A finished `gen build` with its wall time and peak resident memory.
struct Measured {
    run: Run,
    wall: Duration,
    /// Peak resident set (VmHWM) in KiB, read from /proc while the build runs: the last
    /// reading before it exits, so growth in its final 2 ms could be missed.
    peak_kib: u64,
}

/// Runs `gen build` in `site` and watches its peak memory.
fn build_measured(site: &Site) -> Measured {
    let logs = tempfile::tempdir().expect("temp dir");
    let (out, err) = (logs.path().join("out"), logs.path().join("err"));
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
        .arg("build")
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::from(fs::File::create(&out).expect("log")))
        .stderr(Stdio::from(fs::File::create(&err).expect("log")))
        .spawn()
        .expect("start gen build");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    let status = loop {
        if let Some(kib) = fs::read_to_string(&status_file).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        }) {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().expect("poll") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Measured {
        run: Run {
            success: status.success(),
            code: status.code(),
            stdout: fs::read_to_string(&out).unwrap_or_default(),
            stderr: fs::read_to_string(&err).unwrap_or_default(),
        },
        wall: started.elapsed(),
        peak_kib,
    }
}

fn mib(kib: u64) -> u64 {
    kib / 1024
}

#[test]
fn a_50_mb_event_body_builds_within_bounded_memory() {
    const BODY: usize = 50 * 1024 * 1024;
    let mut rng = Rng(1);
    let mut body = String::with_capacity(BODY + 1024);
    while body.len() < BODY {
        body.push_str(&filler::words(&mut rng, 80));
        let _ = write!(body, " paragraph {}.\n\n", body.len());
    }
    body.push_str("The very last paragraph.\n");
    let site = Site::new().event(
        "huge",
        "title: A huge event\ndate: 2025-06-15\nsources: [src-a]",
        &body,
    );
    let m = build_measured(&site);
    assert!(m.run.success, "{}", m.run.stderr);
    let page = fs::read_to_string(site.path("public/events/huge/index.html")).expect("page");
    assert!(page.len() > BODY, "the whole body is on its page");
    assert!(page.contains("The very last paragraph."));
    eprintln!(
        "limits: a {} MiB body built in {:.1} s, peak memory {} MiB",
        body.len() >> 20,
        m.wall.as_secs_f64(),
        mib(m.peak_kib)
    );
    // The body is held a few times over (source text, HTML, sanitized HTML, search text, the
    // page, the feed and search.json); bounded means a small multiple of it, never runaway.
    assert!(m.peak_kib > 0 || !Path::new("/proc/self/status").exists());
    assert!(
        m.peak_kib < 1536 * 1024,
        "peak memory {} MiB for a 50 MiB body",
        mib(m.peak_kib)
    );
}

/// Asserts `run` failed at `place` (`path:line:column`) with the nesting message.
fn refused_as_too_deep(run: &Run, place: &str) {
    assert!(!run.success, "built a body nested 10,000 levels deep");
    assert!(
        run.stderr.lines().any(|l| l
            == format!(
                "{place}: error: blockquotes and lists nest more than 100 levels deep here"
            ))
            && run.stderr.contains("help: flatten the quotes or lists"),
        "no clear message for {place}:\n{}",
        run.stderr
    );
}

/// Writes each of `files` (path, text) into `site`.
fn with_files(site: Site, files: Vec<(String, String)>) -> Site {
    files
        .into_iter()
        .fold(site, |site, (path, text)| site.file(&path, &text))
}

/// How long refusing each of these takes is measured by `cargo bench --bench limits`.
#[test]
fn markdown_nested_10000_levels_deep_is_refused_clearly() {
    let site = with_files(Site::new(), inputs::nested_markdown());
    let before = site.snapshot_output();
    let run = site.build();
    insta::assert_snapshot!(run.transcript(&site));
    // The events' front matter takes 5 lines, the page's 3; each message points at the
    // 101st level (two characters per level, five per two levels in the mixed one).
    refused_as_too_deep(&run, "content/events/quotes.md:8:201");
    refused_as_too_deep(&run, "content/events/list.md:8:201");
    refused_as_too_deep(&run, "content/events/mixed.md:6:251");
    refused_as_too_deep(&run, "content/about.md:6:201");
    assert!(
        !run.stderr.contains("overflow") && !run.stderr.contains("panicked"),
        "{}",
        run.stderr
    );
    assert_eq!(before, site.snapshot_output(), "nothing was written");
}

#[test]
fn nesting_up_to_the_limits_and_deep_inline_nesting_build() {
    let site = Site::new()
        .event(
            "limit",
            "title: At the limit\ndate: 2025-06-15\nsources: [src-a]",
            &format!("{}at the limit\n", "> - ".repeat(50)),
        )
        .event(
            "inline",
            "title: Inline\ndate: 2025-06-15\nsources: [src-a]",
            &format!(
                "{}emphasis{}\n\n{}link{}\n",
                "*".repeat(10_000),
                "*".repeat(10_000),
                "[".repeat(10_000),
                "](https://example.org/)".repeat(10_000)
            ),
        )
        .event(
            "html",
            "title: Raw HTML\ndate: 2025-06-15\nsources: [src-a]",
            &format!("{}raw{}\n", "<div>".repeat(1_000), "</div>".repeat(1_000)),
        );
    let run = site.build();
    assert!(run.success, "{}", run.stderr);
    let limit = site.read("events/limit/index.html");
    assert_eq!(limit.matches("<blockquote>").count(), 50);
    assert!(limit.contains("at the limit"));
    assert!(site.read("events/inline/index.html").contains("emphasis"));
    assert!(site.read("events/html/index.html").contains("raw"));
}

#[test]
fn raw_html_nested_past_the_limit_is_refused_with_its_place() {
    let site = with_files(Site::new(), inputs::nested_html());
    let run = site.build();
    insta::assert_snapshot!(run.transcript(&site));
    assert!(!run.success);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("content/events/html.md:")
                && l.contains("raw HTML elements nest more than 1000 levels deep")),
        "{}",
        run.stderr.chars().take(2000).collect::<String>()
    );
}

#[test]
fn deep_or_exploding_yaml_front_matter_is_refused_clearly() {
    let site = with_files(Site::new(), inputs::deep_yaml());
    let run = site.build();
    insta::assert_snapshot!(run.transcript(&site));
    assert!(!run.success);
    for (file, message) in [
        ("content/events/flow.md:5:", "recursion limit exceeded"),
        ("content/events/block.md:", "recursion limit exceeded"),
        ("content/events/laughs.md", "repetition limit exceeded"),
    ] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with(file) && l.contains(message)),
            "no clear message for {file}:\n{}",
            run.stderr.chars().take(3000).collect::<String>()
        );
    }
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn thousands_of_files_build() {
    const EVENTS: usize = 3_000;
    let site = Site::empty().file("site.toml", CONFIG);
    inputs::many_files(site.root(), EVENTS);
    let m = build_measured(&site);
    assert!(m.run.success, "{}", m.run.stderr);
    let pages = fs::read_dir(site.path("public/events"))
        .expect("events folder")
        .count();
    assert_eq!(pages, EVENTS, "one page per event");
    let summary = m.run.stdout.lines().last().unwrap_or_default().to_owned();
    eprintln!(
        "limits: {} content files ({EVENTS} events) built in {:.1} s, peak memory {} MiB: {summary}",
        EVENTS + EVENTS / 100,
        m.wall.as_secs_f64(),
        mib(m.peak_kib)
    );
    assert!(
        summary.contains(&format!("({EVENTS} events, {} sources)", EVENTS / 100)),
        "{summary}"
    );
}
