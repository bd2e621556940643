//! Timings of the release `gen` binary at its limits, which the tests (`tests/it/limits.rs`,
//! `tests/it/server.rs`) check only for what happens, never for how long it takes:
//!
//! - `refuse`: building a site with content nested too deep (Markdown 10,000 levels, raw
//!   HTML 100,000, YAML 10,000 and a billion laughs) is refused; the depth is checked before
//!   the slow parts, so this takes milliseconds, not the 18–25 s that sanitizing the HTML took;
//! - `streams`: a page requested while 1,000 live-reload streams are open;
//! - `clients`: a page requested alone, beside 500 idle keep-alive and 50 slow-header
//!   clients, and with every slot of the connection cap held by an idle client;
//! - `files`: a build of 100,000 event files (about a minute; only when named).
//!
//! `cargo bench --bench limits` runs all but `files`; `cargo bench --bench limits -- files`
//! (or any of the names) runs those named. Each prints the median and the slowest of its runs.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[path = "../tests/shared/dev_server.rs"]
mod dev_server;
#[path = "../tests/shared/inputs.rs"]
mod inputs;

use dev_server::{
    LIMITED_CAP, LIMITED_FILES, Server, idle_connections, raise_open_files, status_of,
    trickling_clients,
};

const RUNS: usize = 21;
const PAGE: &str = "/timeline/events/first/";

fn main() {
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| {
        if named.is_empty() {
            name != "files"
        } else {
            named.iter().any(|n| n == name)
        }
    };
    if wanted("refuse") {
        refuse();
    }
    if wanted("streams") {
        streams();
    }
    if wanted("clients") {
        clients();
    }
    if wanted("files") {
        files();
    }
}

/// A copy of the `minimal` fixture (one source, one event) with `files` (path, text) added.
fn site(files: Vec<(String, String)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal");
    let copied = Command::new("cp")
        .arg("-R")
        .arg(fixture.join("."))
        .arg(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    assert!(copied, "cannot copy {}", fixture.display());
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// Prints the median and slowest of `samples`.
fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what}: median {:.2} ms, slowest {:.2} ms ({} runs)",
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
}

/// `gen build` in `root`: how long it took and whether it succeeded.
fn build(root: &Path) -> (Duration, bool) {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_gen"))
        .arg("build")
        .current_dir(root)
        .output()
        .expect("run gen");
    (started.elapsed(), out.status.success())
}

fn refuse() {
    for (what, files) in [
        (
            "refusing Markdown nested 10,000 levels deep (3 events and a page)",
            inputs::nested_markdown(),
        ),
        (
            "refusing raw HTML nested 100,000 levels deep",
            inputs::nested_html(),
        ),
        (
            "refusing YAML nested 10,000 levels deep and a billion laughs",
            inputs::deep_yaml(),
        ),
    ] {
        let dir = site(files);
        let samples = (0..5)
            .map(|_| {
                let (took, ok) = build(dir.path());
                assert!(!ok, "{what}: the build succeeded");
                took
            })
            .collect();
        report(what, samples);
    }
}

/// A GET of the event page, after a pause as a person's would have, alike in every series.
fn time_get(server: &Server) -> Duration {
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    assert_eq!(server.get(PAGE).0, 200);
    started.elapsed()
}

fn streams() {
    const STREAMS: usize = 1000;
    raise_open_files(STREAMS as u64 + 200);
    let dir = site(Vec::new());
    let server = Server::start(dir.path());
    let streams: Vec<BufReader<TcpStream>> = (0..STREAMS)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET /__gen/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .expect("send");
            let mut s = BufReader::new(s);
            let mut head = String::new();
            while !head.ends_with("\r\n\r\n") {
                assert!(s.read_line(&mut head).expect("read") > 0, "closed: {head}");
            }
            assert_eq!(status_of(&head), 200, "{head}");
            s
        })
        .collect();
    let samples = (0..RUNS).map(|_| time_get(&server)).collect();
    report(
        &format!("a page while {STREAMS} live-reload streams are open"),
        samples,
    );
    drop(streams);
}

fn clients() {
    raise_open_files(4096);
    let dir = site(Vec::new());
    let server = Server::start(dir.path());
    report(
        "a page alone",
        (0..RUNS).map(|_| time_get(&server)).collect(),
    );
    let idle = idle_connections(&server, 500);
    let (stop, slow) = trickling_clients(&server, 50, Duration::from_secs(2));
    report(
        "a page beside 500 idle keep-alive and 50 slow-header clients",
        (0..RUNS).map(|_| time_get(&server)).collect(),
    );
    stop.store(true, Ordering::Relaxed);
    drop((idle, slow.join()));

    let limited = Server::start_limited(dir.path(), LIMITED_FILES);
    let at_cap = (0..RUNS)
        .map(|_| {
            let idle = idle_connections(&limited, LIMITED_CAP);
            let took = time_get(&limited);
            drop(idle);
            took
        })
        .collect();
    report(
        &format!("a page with all {LIMITED_CAP} slots held by idle keep-alive connections"),
        at_cap,
    );
}

fn files() {
    const EVENTS: usize = 100_000;
    let dir = site(Vec::new());
    std::fs::remove_dir_all(dir.path().join("content")).expect("empty the fixture");
    inputs::many_files(dir.path(), EVENTS);
    let (took, ok) = build(dir.path());
    assert!(ok, "the build of {EVENTS} events failed");
    let pages = std::fs::read_dir(dir.path().join("public/events"))
        .expect("events folder")
        .count();
    assert_eq!(pages, EVENTS, "one page per event");
    report(&format!("a build of {EVENTS} event files"), vec![took]);
}
