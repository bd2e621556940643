//! Measures `gen watch` end to end, as an editor sees it: starts the real `gen watch
//! --no-serve` on a site, saves an event file, and times how long until that event's page on
//! disk shows the edit (polling every millisecond). Debounce, rebuild and writing included.
//!
//! `cargo run --release --example watch_latency -- path/to/gen SITE_DIR [RUNS]`

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn wait_for(what: &str, limit: Duration, check: impl Fn() -> bool) -> Result<Duration, String> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if check() {
            return Ok(start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Err(format!("timed out waiting for {what}"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (gen_binary, root) = match (args.first(), args.get(1)) {
        (Some(g), Some(r)) => (PathBuf::from(g), PathBuf::from(r)),
        _ => return Err("usage: watch_latency GEN_BINARY SITE_DIR [RUNS]".into()),
    };
    let runs: usize = args.get(2).map_or(Ok(11), |s| s.parse())?;
    let mut child = Command::new(&gen_binary)
        .args(["watch", "--no-serve", "--root"])
        .arg(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line?;
        if line.contains("watching for changes") {
            println!("{line}");
            break;
        }
    }
    // Keep reading so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});

    let mut events: Vec<PathBuf> = std::fs::read_dir(root.join("content/events"))?
        .flatten()
        .map(|e| e.path())
        .collect();
    events.sort();
    let mut times = Vec::new();
    for run in 0..runs {
        let path = &events[(run * 7919 + 13) % events.len()];
        let slug = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("file name")?
            .to_owned();
        let page = root.join("public/events").join(&slug).join("index.html");
        let text = std::fs::read_to_string(path)?;
        let marker = format!("Latency {run} ");
        std::fs::write(
            path,
            text.replacen("title: \"", &format!("title: \"{marker}"), 1),
        )?;
        let took = wait_for("the edited page", Duration::from_secs(30), || {
            std::fs::read_to_string(&page).is_ok_and(|p| p.contains(&marker))
        })?;
        times.push(took);
        std::fs::write(path, &text)?;
        wait_for("the restored page", Duration::from_secs(30), || {
            std::fs::read_to_string(&page).is_ok_and(|p| !p.contains(&marker))
        })?;
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "save to page written: median {:.1} ms (min {:.1}, max {:.1}) over {runs} edits",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    Ok(())
}
