//! Two builds of one output folder at once (CI and `gen watch`, or two terminals): one waits
//! for the other, or fails at once with `--no-wait`, and whatever order they run in, the folder
//! ends up a whole site equal to a fresh build of one of the two inputs.

use std::fs;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::filler::{self, Rng};
use crate::support::{CONFIG, Site, differences, files_under};

const EVENTS: usize = 80;

type Listing = Vec<(PathBuf, Vec<u8>)>;

/// A site of `EVENTS` events; `edit` goes into event `edit.0`'s title.
fn site_with(edit: (usize, &str)) -> Site {
    let mut site = Site::empty().file("site.toml", CONFIG);
    for s in 0..20 {
        site = site.source(
            &format!("src-{s}"),
            &format!("title: Report {s}\noutlet: Outlet {s}\npublished: 2025-06-14\nurl: https://news.example/{s}"),
        );
    }
    for i in 0..EVENTS {
        let title = if i == edit.0 {
            edit.1.to_owned()
        } else {
            format!("Event {i}")
        };
        let body = filler::words(&mut Rng(i as u64), 80);
        site = site.event(
            &format!("ev-{i:03}"),
            &format!(
                "title: \"{title}\"\ndate: 2025-06-{:02}T{:02}:00Z\nactors: [Actor {}]\nsources: [src-{}]",
                13 + i % 10,
                i % 24,
                i % 6,
                i % 20
            ),
            &body,
        );
    }
    site
}

/// Every file of an output folder but its manifest (which records modification times).
fn listing(output: &Path) -> Listing {
    files_under(output)
        .into_iter()
        .filter(|(p, _)| p != Path::new(".gen-output"))
        .collect()
}

fn spawn_build(site: &Site, output: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .arg("build")
        .arg("--output")
        .arg(output)
        .args(extra)
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gen build")
}

/// A fresh build of `site` into a folder of its own.
fn fresh(site: &Site) -> Listing {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("public");
    let run = site.run(&["build", "--output", &out.to_string_lossy()]);
    assert!(run.success, "{}", run.stderr);
    listing(&out)
}

#[test]
fn twenty_overlapping_pairs_each_leave_a_whole_site_of_one_input() {
    let shared = tempfile::tempdir().expect("temp dir");
    let output = shared.path().join("public");
    let mut waited = 0;
    for pair in 0..20 {
        let a = site_with((pair * 7 % EVENTS, &format!("Pair {pair}, edit A")));
        let b = site_with(((pair * 7 + 3) % EVENTS, &format!("Pair {pair}, edit B")));
        let first = spawn_build(&a, &output, &[]);
        let second = spawn_build(&b, &output, &[]);
        for child in [first, second] {
            let out = child.wait_with_output().expect("wait");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "pair {pair}: {stderr}");
            waited += usize::from(stderr.contains("another build of this output is running"));
        }
        let got = listing(&output);
        // Most often the second build to start publishes last; A is built only if not.
        let like_b = differences(&fresh(&b), &got);
        if !like_b.is_empty() {
            let like_a = differences(&fresh(&a), &got);
            assert!(
                like_a.is_empty(),
                "pair {pair}: the output is neither input's site (differs from A in {} files, from B in {})",
                like_a.len(),
                like_b.len()
            );
        }
    }
    eprintln!("concurrent: 20 pairs, {waited} builds waited for the other");
}

#[test]
fn a_second_build_waits_for_the_first_or_fails_with_no_wait() {
    let site = Site::new();
    site.build_ok();
    // The test holds the lock, as a running build would.
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(site.path(".public.lock"))
        .expect("lock file");
    lock.lock().expect("lock");
    fs::write(site.path(".public.lock"), "4242").expect("write pid");

    let run = site.run(&["build", "--no-wait"]);
    assert!(!run.success);
    assert!(
        run.stderr
            .contains(".public.lock: error: another build of this output is running (pid 4242)"),
        "{}",
        run.stderr
    );

    let mut waiting = spawn_build(&site, &site.path("public"), &[]);
    let stderr = waiting.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let first = lines.next().expect("a line").expect("text");
    assert_eq!(
        first,
        "another build of this output is running (pid 4242); waiting for it to finish"
    );
    drop(lock);
    let status = waiting.wait().expect("wait");
    assert!(status.success());
    assert!(site.read("index.html").contains("First event"));
}

#[test]
#[ignore = "needs util-linux's flock (CI runs it: cargo test -- --include-ignored)"]
fn a_lock_left_by_a_killed_process_does_not_block() {
    let site = Site::new();
    site.build_ok();
    // `flock` holds the lock for a process that is then killed.
    let holder = Command::new("flock")
        .arg("--no-fork")
        .arg(site.path(".public.lock"))
        .args(["sleep", "600"])
        .spawn();
    let mut holder = holder.expect("this test needs util-linux's flock command");
    let busy = wait_until_busy(&site);
    holder.kill().expect("kill");
    holder.wait().expect("reap");
    assert!(busy, "flock never took the lock");
    let run = site.run(&["build", "--no-wait"]);
    assert!(run.success, "{}", run.stderr);
}

/// True once a `--no-wait` build reports the folder busy (bounded, for a hung `flock`).
fn wait_until_busy(site: &Site) -> bool {
    (0..2000).any(|_| {
        let run = site.run(&["build", "--no-wait"]);
        !run.success && run.stderr.contains("another build")
    })
}

#[test]
fn gen_watch_mends_a_folder_another_build_replaced() {
    let site = Site::new().event(
        "draft",
        "title: A draft\ndate: 2025-06-15\nsources: [src-a]\ndraft: true",
        "Not yet.",
    );
    let (mut child, lines) = crate::support::spawn_watch(&site, &["--no-serve"]);
    let wait_for = |want: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match lines.recv_timeout(left) {
                Ok(line) if line.contains(want) => return,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!("no line with {want:?}; seen:\n{}", seen.join("\n"));
    };
    wait_for("watching for changes");
    // A build with drafts replaces the folder gen watch is keeping up to date.
    let run = site.run(&["build", "--drafts"]);
    assert!(run.success, "{}", run.stderr);
    assert!(site.exists("events/draft/index.html"));
    fs::write(
        site.path("content/events/first.md"),
        "---\ntitle: First event, edited\ndate: 2025-06-14T10:00 Asia/Tehran\nsources: [src-a]\n---\nThe summary.\n",
    )
    .expect("edit");
    wait_for("content/events/first.md: ");
    let _ = child.kill();
    let _ = child.wait();
    let differ = differences(&fresh(&site), &listing(&site.path("public")));
    assert!(differ.is_empty(), "not a fresh build: {differ:?}");
}
