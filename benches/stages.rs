//! Micro-benchmarks of the hot stages: front-matter parsing, Markdown rendering, template
//! rendering of a whole site, and publishing. `cargo bench --bench stages`.
//!
//! The site is written by the `synth` example's generator into a temporary folder (1,000
//! events), so the figures follow the same content as `bench/run.sh`.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use timeline_gen::stages;

const EVENT: &str = "---\ntitle: \"Event 1: late on met on in\"\ndate: 2025-06-17T01:27 America/New_York\nlocation: Place 1\nactors: [E3/EU, Qatar]\ntags: [nuclear sites]\nimportance: major\nsources:\n  - id: src-1\n    quote: \"the ministers launched late forces after statement a\"\n  - src-7\n---\n";

const BODY: &str = "Officials said the strike on the site was reported after talks in the capital; ministers met and forces launched a statement late overnight, according to agency sources.\n\n- one item of the list\n- another item, with a [link](https://news.example/more/1)\n- and a third\n\nA second paragraph with **emphasis**, a footnote[^1] and <b>raw html</b>.\n\n[^1]: The note.\n";

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let gen_binary = Path::new(env!("CARGO_BIN_EXE_gen"));
    let synth = gen_binary
        .parent()
        .unwrap_or(Path::new("."))
        .join("examples/synth");
    let ok = Command::new(&synth)
        .arg(dir.path().join("site"))
        .args(["1000", "1"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "run `cargo build --release --example synth` first ({})",
        synth.display()
    );
    dir
}

fn benches(c: &mut Criterion) {
    c.bench_function("front matter: split and parse one event", |b| {
        b.iter(|| stages::front_matter(black_box(EVENT)))
    });
    c.bench_function("markdown: render and sanitize one body", |b| {
        b.iter(|| stages::markdown(black_box(BODY)))
    });
    let dir = site();
    let root = dir.path().join("site");
    let loaded = stages::load(&root).unwrap_or_else(|f| panic!("{:?}", f.diagnostics.first()));
    let mut group = c.benchmark_group("site of 1,000 events");
    group.sample_size(10);
    group.bench_function("load and validate", |b| {
        b.iter(|| stages::load(black_box(Path::new(&root))).is_ok())
    });
    group.bench_function("render every page (templates)", |b| {
        b.iter(|| stages::render(black_box(&loaded)).len())
    });
    let pages = stages::render(&loaded);
    let out = dir.path().join("out");
    group.bench_function("publish (unchanged rebuild)", |b| {
        b.iter(|| stages::publish(black_box(&out), &pages))
    });
    group.finish();
}

criterion_group!(stages_benches, benches);
criterion_main!(stages_benches);
