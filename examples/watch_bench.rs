//! Measures `gen watch`'s incremental rebuild on a site (e.g. one written by the `synth`
//! example): the time from an event file's save to its pages being written, and the same for
//! a template change, as medians over several edits. Runs the library's `Session`, which is
//! what `gen watch` calls after its 10 ms debounce.
//!
//! `cargo run --release --example watch_bench -- SITE_DIR [RUNS]`

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use timeline_gen::{BuildOptions, Change, Session};

/// The built-in base template, edited by the benchmark.
const BASE: &str = include_str!("../templates/base.html");

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(args.first().ok_or("usage: watch_bench SITE_DIR [RUNS]")?);
    let runs: usize = args.get(1).map_or(Ok(11), |s| s.parse())?;
    let options = BuildOptions {
        root: root.clone(),
        ..BuildOptions::default()
    };

    let started = Instant::now();
    let (mut session, report) =
        Session::start(&options).map_err(|f| format!("{:?}", f.diagnostics.first()))?;
    let full = started.elapsed();
    println!("full build: {} pages in {}", report.pages, ms(full));

    let mut events: Vec<PathBuf> = std::fs::read_dir(root.join("content/events"))?
        .flatten()
        .map(|e| e.path())
        .collect();
    events.sort();
    let mut edit_times = Vec::new();
    let mut page_times = Vec::new();
    let mut written = Vec::new();
    for run in 0..runs {
        let path = &events[(run * 7919) % events.len()];
        let text = std::fs::read_to_string(path)?;
        let edited = text.replacen("title: \"", &format!("title: \"Edited {run} "), 1);
        let t = Instant::now();
        std::fs::write(path, edited)?;
        let save = t.elapsed();
        let r = session
            .rebuild(&Change::Content(HashSet::from([path.clone()])))
            .map_err(|f| format!("{:?}", f.diagnostics.first()))?;
        edit_times.push(t.elapsed());
        page_times.push(save + r.pages_elapsed);
        written.push(r.written.len());
        std::fs::write(path, text)?;
        session
            .rebuild(&Change::Content(HashSet::from([path.clone()])))
            .map_err(|f| format!("{:?}", f.diagnostics.first()))?;
    }
    println!(
        "one event edited: pages written after a median {}, everything (feeds, exports) after {}, over {runs} edits ({} files written each, median)",
        ms(median(page_times)),
        ms(median(edit_times)),
        {
            written.sort_unstable();
            written[written.len() / 2]
        }
    );

    // A template used by one page (404.html), and one used by every page (base.html, the
    // built-in default with a comment added).
    let defaults = [
        (
            "404.html",
            "{% extends \"base.html\" %}{% block main %}<p>Not here RUN</p>{% endblock main %}"
                .to_owned(),
        ),
        ("base.html", format!("{{# edit RUN #}}{}", BASE)),
    ];
    for (name, text) in defaults {
        let path = root.join("templates").join(name);
        let had = path.exists();
        std::fs::create_dir_all(root.join("templates"))?;
        let mut times = Vec::new();
        let mut rendered = Vec::new();
        for run in 0..runs.min(5) {
            let t = Instant::now();
            std::fs::write(&path, text.replace("RUN", &run.to_string()))?;
            let r = session
                .rebuild(&Change::Templates)
                .map_err(|f| format!("{:?}", f.diagnostics.first()))?;
            times.push(t.elapsed());
            rendered.push(r.rendered);
        }
        if !had {
            std::fs::remove_file(&path)?;
            session
                .rebuild(&Change::Templates)
                .map_err(|f| format!("{:?}", f.diagnostics.first()))?;
        }
        rendered.sort_unstable();
        println!(
            "template {name} edited: median {} over {} edits ({} pages rendered)",
            ms(median(times)),
            runs.min(5),
            rendered[rendered.len() / 2]
        );
    }
    Ok(())
}
