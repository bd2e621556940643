//! `gen watch` as a user runs it: a real process on a temporary site, real file edits, and
//! (with the server on) real HTTP. Every wait is bounded; nothing asserts on a fixed sleep.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use crate::support::{self, Site};

const PATIENCE: Duration = Duration::from_secs(15);

/// A running `gen watch` and what it printed (also used by `storms`).
pub(crate) struct Watcher {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    /// How long a wait for a line may last before the test fails as hung.
    patience: Duration,
}

impl Watcher {
    pub(crate) fn start(site: &Site, args: &[&str]) -> Watcher {
        Self::start_with(site, args, PATIENCE)
    }

    /// Starts with more `patience` than the default, for sites whose builds take a while.
    pub(crate) fn start_with(site: &Site, args: &[&str], patience: Duration) -> Watcher {
        let (child, lines) = support::spawn_watch(site, args);
        let mut w = Watcher {
            child,
            lines,
            seen: Vec::new(),
            patience,
        };
        w.wait_line(|l| l.contains("watching for changes"));
        w
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for a printed line matching `want` and returns it.
    pub(crate) fn wait_line(&mut self, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + self.patience;
        if let Some(l) = self.seen.iter().find(|l| want(l)) {
            return l.clone();
        }
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if want(&line) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no such line in time; seen:\n{}", self.seen.join("\n"));
    }

    /// Forgets what was printed so far, so the next wait sees only new lines; returns it.
    pub(crate) fn clear(&mut self) -> Vec<String> {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
        std::mem::take(&mut self.seen)
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `check` until it holds or the patience runs out.
fn eventually(what: &str, check: impl Fn() -> bool) {
    eventually_within(PATIENCE, what, check);
}

pub(crate) fn eventually_within(patience: Duration, what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + patience;
    while Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for: {what}");
}

fn event(title: &str, date: &str) -> String {
    format!("---\ntitle: {title}\ndate: {date}\nsources: [src-a]\n---\nBody of {title}.\n")
}

#[test]
fn edits_of_every_kind_are_rebuilt_and_match_a_fresh_build() {
    let site = Site::new();
    let mut w = Watcher::start(&site, &["--no-serve"]);
    let page =
        || std::fs::read_to_string(site.path("public/events/first/index.html")).unwrap_or_default();

    // Modify in place.
    std::fs::write(
        site.path("content/events/first.md"),
        event("Edited in place", "2025-06-14T10:00 Asia/Tehran"),
    )
    .expect("write");
    eventually("the edited title", || page().contains("Edited in place"));
    w.wait_line(|l| l.starts_with("content/events/first.md: ") && l.contains(" written"));

    // Create.
    std::fs::write(
        site.path("content/events/second.md"),
        event("A new event", "2025-06-15"),
    )
    .expect("write");
    eventually("the new page", || {
        site.path("public/events/second/index.html").exists()
    });

    // Rename over, as vim and JetBrains save.
    std::fs::write(
        site.path("content/events/.second.md.tmp"),
        event("Saved by rename", "2025-06-15"),
    )
    .expect("write");
    std::fs::rename(
        site.path("content/events/.second.md.tmp"),
        site.path("content/events/second.md"),
    )
    .expect("rename");
    eventually("the renamed-over save", || {
        site.read("events/second/index.html")
            .contains("Saved by rename")
    });

    // Delete.
    std::fs::remove_file(site.path("content/events/second.md")).expect("remove");
    eventually("the deleted page to go", || {
        !site.path("public/events/second/index.html").exists()
    });
    eventually("the day page to go", || {
        !site.path("public/days/2025-06-15/index.html").exists()
    });
    // The rebuild is over (its manifest rewritten) only when its line is printed.
    w.wait_line(|l| {
        l.starts_with("content/events/second.md")
            && l.contains(" removed")
            && !l.contains(" 0 removed")
    });

    // Broken edit: reported, old output kept; then fixed.
    w.clear();
    let before = site.snapshot_output();
    std::fs::write(site.path("content/events/first.md"), "---\ntitle: Broken\n").expect("write");
    w.wait_line(|l| {
        l.contains("content/events/first.md:1:1: error: the front matter never closes")
    });
    w.wait_line(|l| l.contains("still serving the last good site"));
    let differ = crate::support::differences(&before, &site.snapshot_output());
    assert!(
        differ.is_empty(),
        "a broken edit changed the output: {differ:?}"
    );
    std::fs::write(
        site.path("content/events/first.md"),
        event("Fixed again", "2025-06-14T10:00 Asia/Tehran"),
    )
    .expect("write");
    eventually("recovery", || page().contains("Fixed again"));

    // A template change rebuilds everything.
    std::fs::create_dir_all(site.path("templates")).expect("mkdir");
    std::fs::write(
        site.path("templates/404.html"),
        "{% extends \"base.html\" %}{% block main %}<p>Lost?</p>{% endblock main %}",
    )
    .expect("write");
    eventually("the new 404", || site.read("404.html").contains("Lost?"));
    // The page lands first; the rebuild is over when its line is printed.
    w.wait_line(|l| l.starts_with("templates changed: "));

    // What watch left equals what a fresh build writes.
    drop(w);
    let watched = site.snapshot_output();
    std::fs::remove_dir_all(site.path("public")).expect("clear");
    site.build_ok();
    let differ = crate::support::differences(&watched, &site.snapshot_output());
    assert!(
        differ.is_empty(),
        "watch output differs from a fresh build: {differ:?}"
    );
}

/// A raw HTTP/1.1 GET, so paths reach the server exactly as written.
fn get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

fn serving_port(w: &mut Watcher) -> u16 {
    let line = w.wait_line(|l| l.starts_with("serving http://127.0.0.1:"));
    line.trim_start_matches("serving http://127.0.0.1:")
        .split('/')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port")
}

#[test]
fn the_server_serves_reloads_shows_errors_and_refuses_escapes() {
    let site = Site::new().file("secret.txt", "not for the web");
    let mut w = Watcher::start(&site, &["--port", "0"]);
    let port = serving_port(&mut w);

    let (status, home) = get(port, "/timeline/");
    assert_eq!(status, 200, "{home}");
    assert!(home.contains("content-type: text/html"), "{home}");
    assert!(
        home.contains("<script src=\"/__gen/live.js\"></script></body>"),
        "live reload script injected"
    );
    assert!(
        !site.read("index.html").contains("__gen"),
        "never written to disk"
    );
    let (status, css) = get(port, "/timeline/style.css");
    assert!(
        status == 200 && css.contains("content-type: text/css"),
        "{css}"
    );
    assert_eq!(get(port, "/").0, 307, "the root redirects to the base path");
    let (status, missing) = get(port, "/timeline/no/such/page/");
    assert_eq!(status, 404);
    assert!(missing.contains("Page not found"), "404.html is served");
    for escape in [
        "/timeline/../secret.txt",
        "/timeline/%2e%2e/secret.txt",
        "/timeline/%252e%252e/secret.txt",
        "/timeline/..%2fsecret.txt",
        "/timeline/..\\secret.txt",
        "/secret.txt",
    ] {
        let (status, body) = get(port, escape);
        assert!(status == 404 || status == 400, "{escape}: {status}");
        assert!(
            !body.contains("not for the web"),
            "{escape} escaped the output folder"
        );
    }

    // The live-reload stream reports a rebuild, then an error, then recovery.
    let mut live = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    live.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        live,
        "GET /__gen/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("send");
    let mut reader = BufReader::new(live);
    // The server subscribes the stream before it answers, so once the headers are in, no
    // reload can be missed.
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap_or(0) > 0,
            "stream closed"
        );
        if line.trim_end().is_empty() {
            break;
        }
    }
    let mut next_event = || -> (String, String) {
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                panic!("stream closed");
            }
            let line = line.trim_end();
            if let Some(n) = line.strip_prefix("event: ") {
                name = n.to_owned();
            } else if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
                data.push('\n');
            } else if line.is_empty() && !name.is_empty() {
                return (name, data);
            }
        }
    };
    std::fs::write(
        site.path("content/events/first.md"),
        event("Live edit", "2025-06-14T10:00 Asia/Tehran"),
    )
    .expect("write");
    let (name, data) = next_event();
    assert_eq!(name, "reload");
    assert!(data.contains("/timeline/events/first/"), "{data}");

    std::fs::write(
        site.path("content/events/first.md"),
        "---\ntitle: [unclosed\n---\n",
    )
    .expect("write");
    let (name, data) = next_event();
    assert_eq!(name, "build-error");
    assert!(data.contains("content/events/first.md"), "{data}");
    assert!(
        get(port, "/timeline/events/first/").1.contains("Live edit"),
        "the last good site is still served"
    );

    std::fs::write(
        site.path("content/events/first.md"),
        event("Recovered", "2025-06-14T10:00 Asia/Tehran"),
    )
    .expect("write");
    let (name, _) = next_event();
    assert_eq!(name, "reload");
    assert!(get(port, "/timeline/events/first/").1.contains("Recovered"));
}

#[test]
fn ctrl_c_stops_cleanly() {
    let site = Site::new();
    let mut w = Watcher::start(&site, &["--no-serve"]);
    let pid = w.child.id().to_string();
    let status = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + PATIENCE;
    let exit = loop {
        if let Some(s) = w.child.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "gen watch did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    let leftovers: Vec<String> = std::fs::read_dir(site.root())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.contains(".old-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn not_a_site_is_a_clear_error() {
    let run = Site::empty().run(&["watch", "--no-serve"]);
    assert!(!run.success);
    assert!(run.stderr.contains("no site.toml here"), "{}", run.stderr);
}

#[test]
fn a_port_that_cannot_be_bound_is_a_clear_error() {
    // Port 1 needs privileges an unprivileged user lacks; as root it may bind, so only the
    // message is checked when it fails.
    let run = Site::new().run(&["watch", "--bind", "192.0.2.1", "--port", "1111"]);
    assert!(!run.success);
    assert!(
        run.stderr.contains("cannot listen on 192.0.2.1:1111"),
        "{}",
        run.stderr
    );
}
