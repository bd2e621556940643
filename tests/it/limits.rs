//! Very large and very deep inputs: a 50 MB event body, deeply nested Markdown, HTML and YAML,
//! and thousands of files (100,000 in an ignored test). Each is built within bounded memory
//! or refused with a message naming the file; none may crash the build.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::filler::{self, Rng};
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

#[test]
fn markdown_nested_10000_levels_deep_is_refused_clearly_and_quickly() {
    let quotes = format!("A first paragraph.\n\n{}deep\n", "> ".repeat(10_000));
    let list = format!("A first paragraph.\n\n{}deep\n", "- ".repeat(10_000));
    let mixed = format!("{}deep\n", "> 1. ".repeat(5_000));
    let site = Site::new()
        .event(
            "quotes",
            "title: Quotes\ndate: 2025-06-15\nsources: [src-a]",
            &quotes,
        )
        .event(
            "list",
            "title: List\ndate: 2025-06-15\nsources: [src-a]",
            &list,
        )
        .event(
            "mixed",
            "title: Mixed\ndate: 2025-06-15\nsources: [src-a]",
            &mixed,
        )
        .file(
            "content/about.md",
            &format!("---\ntitle: About\n---\n{quotes}"),
        );
    let before = site.snapshot_output();
    let started = Instant::now();
    let run = site.build();
    let took = started.elapsed();
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
    eprintln!(
        "limits: 10,000-level blockquotes and lists in three events and a page refused in {} ms",
        took.as_millis()
    );
    assert!(
        took < Duration::from_secs(20),
        "refusing took {took:?}: the depth is checked before the slow parts"
    );
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
    let site = Site::new().event(
        "html",
        "title: Raw HTML\ndate: 2025-06-15\nsources: [src-a]",
        &format!(
            "Intro.\n\n{}raw{}\n",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        ),
    );
    let started = Instant::now();
    let run = site.build();
    let took = started.elapsed();
    assert!(!run.success);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("content/events/html.md:")
                && l.contains("raw HTML elements nest more than 1000 levels deep")),
        "{}",
        run.stderr.chars().take(2000).collect::<String>()
    );
    assert!(
        took < Duration::from_secs(20),
        "refusing took {took:?} (sanitizing it took 18–25 s in a release build)"
    );
}

#[test]
fn deep_or_exploding_yaml_front_matter_is_refused_clearly() {
    let flow = format!(
        "title: Flow\ndate: 2025-06-15\nsources: [src-a]\nactors: {}{}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let mut block = String::from("title: Block\ndate: 2025-06-15\nsources: [src-a]\ntags:\n");
    for depth in 1..=1_000 {
        let _ = writeln!(block, "{}-", " ".repeat(depth));
    }
    let mut laughs = String::from("title: Laughs\ndate: 2025-06-15\nsources: [src-a]\n");
    let _ = writeln!(laughs, "a: &a [x, x, x, x, x, x, x, x, x, x]");
    for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip("abcdefgh".chars())
    {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        let _ = writeln!(laughs, "{name}: &{name} [{refs}]");
    }
    laughs.push_str("actors: [*i, *i, *i, *i, *i, *i, *i, *i, *i, *i]");
    let site = Site::new()
        .event("flow", &flow, "Body.")
        .event("block", block.trim_end(), "Body.")
        .event("laughs", &laughs, "Body.");
    let started = Instant::now();
    let run = site.build();
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
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// A site of `events` events, each a file of a few lines citing one of `events / 100` sources.
fn many_files(events: usize) -> Site {
    let site = Site::empty().file("site.toml", CONFIG);
    let sources = (events / 100).max(1);
    let dir = site.path("content/sources");
    fs::create_dir_all(&dir).expect("mkdir");
    for s in 0..sources {
        fs::write(
            dir.join(format!("s{s}.md")),
            format!("---\ntitle: Source {s}\noutlet: Outlet\npublished: 2025-06-14\n---\n"),
        )
        .expect("write");
    }
    let dir = site.path("content/events");
    fs::create_dir_all(&dir).expect("mkdir");
    for e in 0..events {
        fs::write(
            dir.join(format!("e{e}.md")),
            format!(
                "---\ntitle: Event {e}\ndate: 2025-06-{:02}T{:02}:{:02}Z\nsources: [s{}]\n---\nEvent {e} happened.\n",
                13 + e % 11,
                e / 60 % 24,
                e % 60,
                e % sources
            ),
        )
        .expect("write");
    }
    site
}

fn build_many(events: usize) {
    let site = many_files(events);
    let m = build_measured(&site);
    assert!(m.run.success, "{}", m.run.stderr);
    let pages = fs::read_dir(site.path("public/events"))
        .expect("events folder")
        .count();
    assert_eq!(pages, events, "one page per event");
    let summary = m.run.stdout.lines().last().unwrap_or_default().to_owned();
    eprintln!(
        "limits: {} content files ({events} events) built in {:.1} s, peak memory {} MiB: {summary}",
        events + events / 100,
        m.wall.as_secs_f64(),
        mib(m.peak_kib)
    );
    assert!(
        summary.contains(&format!("({events} events, {} sources)", events / 100)),
        "{summary}"
    );
}

#[test]
fn thousands_of_files_build() {
    build_many(3_000);
}

/// 100,000 event files. Minutes in a debug build, so left out of `cargo test`; run it with
/// `cargo test --release --test it limits -- --ignored --nocapture`.
#[test]
#[ignore = "100,000 files take minutes in a debug build"]
fn a_hundred_thousand_files_build() {
    build_many(100_000);
}
