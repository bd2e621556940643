//! `gen watch` under storms: a branch switch that rewrites 5,000 files, folders deleted,
//! renamed and put back, a burst of saves to one file, and 10,000 edits in a row. Each ends in
//! the site a fresh `gen build` of the final files writes, byte for byte, and gen keeps hearing
//! edits afterwards.
//!
//! Output is compared only once gen has settled (see [`Storm::settle`]): it has taken in every
//! file written so far and has nothing left to do.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::filler::{self, Rng};
use crate::support::{self, Site};
use crate::watch::{Watcher, eventually_within};

/// Long enough for debug builds of 5,000 events on a slow, busy two-core machine; a wait that
/// runs out means gen hung or went deaf.
const PATIENCE: Duration = Duration::from_secs(300);

/// The cause gen prints when one rebuild took in changes of several kinds.
const MERGED: &str = "site.toml (or several kinds of file) changed: ";

/// Where a marker goes: a folder the storm before it left alone.
#[derive(Clone, Copy)]
enum Marker {
    Static,
    Content,
}

/// A site under `gen watch`.
struct Storm {
    site: Site,
    w: Watcher,
    markers: usize,
}

impl Storm {
    fn start(site: Site) -> Storm {
        let w = Watcher::start_with(&site, &["--no-serve"], PATIENCE);
        Storm {
            site,
            w,
            markers: 0,
        }
    }

    /// Waits until gen has taken in everything written so far and is idle; returns the lines
    /// it printed meanwhile. A marker is renamed into place (one event) in a folder the storm
    /// did not write to, so its rebuild line has a cause no storm rebuild prints. Events reach
    /// gen in the order they happened, and gen takes all that are waiting into one rebuild,
    /// so the rebuild that reports the marker took in every earlier event too, and once its
    /// line is printed nothing is left to do.
    fn settle(&mut self, marker: Marker) -> Vec<String> {
        self.markers += 1;
        let n = self.markers;
        let (rel, text, cause, output) = match marker {
            Marker::Static => (
                "static/marker.txt",
                format!("marker {n} set\n"),
                "static files changed: ",
                "marker.txt",
            ),
            Marker::Content => (
                "content/events/marker.md",
                format!(
                    "---\ntitle: Marker {n} set\ndate: 2025-06-20T12:00Z\nsources: [s0]\n---\nA marker.\n"
                ),
                "content/events/marker.md: ",
                "events/marker/index.html",
            ),
        };
        let mut lines = self.w.clear();
        let target = self.site.path(rel);
        let temp = target.with_file_name(".marker.tmp");
        fs::write(&temp, &text).expect("write the marker");
        fs::rename(&temp, &target).expect("rename the marker into place");
        self.w
            .wait_line(|l| l.starts_with(cause) || l.starts_with(MERGED));
        lines.extend(self.w.clear());
        let shown = self.site.read(output);
        assert!(
            shown.contains(&format!("arker {n} set")),
            "the marker's rebuild did not write marker {n}: {shown}"
        );
        lines
    }

    /// Waits for a rebuild line that starts with `cause` (printed after the storm before it,
    /// so a rebuild of the storm's own kind ran), then settles.
    fn settle_after(&mut self, cause: &str, marker: Marker) -> Vec<String> {
        self.w
            .wait_line(|l| l.starts_with(cause) && l.contains(" rendered) in "));
        self.settle(marker)
    }

    /// Writes `text` to `rel` in place, waits for the rebuild it causes (its own line, so an
    /// edit gen did not hear cannot pass as one a marker's rebuild picked up), settles and
    /// checks that `output` (in the output folder) now holds `token`: the edit landed.
    fn lands(&mut self, rel: &str, text: &str, output: &str, token: &str, marker: Marker) {
        let cause = match rel.split('/').next() {
            Some("templates") => "templates changed: ".to_owned(),
            Some("static") => "static files changed: ".to_owned(),
            _ => format!("{rel}: "),
        };
        self.w.clear();
        fs::write(self.site.path(rel), text).expect("edit");
        self.settle_after(&cause, marker);
        let shown = self.site.read(output);
        assert!(
            shown.contains(token),
            "the edit of {rel} did not land in {output}"
        );
    }

    /// Edits event `e` (at `rel`) and checks that its page shows the edit.
    fn event_lands(&mut self, rel: &str, e: usize, title: &str) {
        let text = event_text(e, title, &mut Rng(e as u64));
        let page = format!("events/e{e}/index.html");
        self.lands(rel, &text, &page, title, Marker::Static);
    }

    /// Asserts that what gen watch left equals, byte for byte, what a fresh `gen build` of the
    /// same files writes. Call it only once gen has settled.
    fn assert_fresh(&self) {
        let watched = self.site.snapshot_output();
        let fresh = tempfile::tempdir().expect("temp dir");
        let out = fresh.path().join("public");
        let run = self
            .site
            .run(&["build", "--output", &out.to_string_lossy()]);
        assert!(run.success, "fresh build failed:\n{}", run.stderr);
        let differ = support::differences(&watched, &support::files_under(&out));
        assert!(
            differ.is_empty(),
            "{} files differ from a fresh build, among them {:?}",
            differ.len(),
            &differ[..differ.len().min(10)]
        );
    }
}

const EVENTS_PER_SOURCE: usize = 50;

/// A site of `events` events, a tenth of them in the sub-folder `content/events/a/`, with a
/// template and static files of its own.
fn site(events: usize) -> Site {
    let site = Site::empty()
        .file("site.toml", support::CONFIG)
        .file("templates/404.html", &not_found("Lost?"))
        .file("static/extra.css", "body { color: black }\n")
        .file("static/marker.txt", "marker 0 set\n");
    let sources = events.div_ceil(EVENTS_PER_SOURCE);
    fs::create_dir_all(site.path("content/sources")).expect("mkdir");
    fs::create_dir_all(site.path("content/events/a")).expect("mkdir");
    for s in 0..sources {
        let text =
            format!("---\ntitle: Source {s}\noutlet: Outlet {s}\npublished: 2025-06-14\n---\n");
        fs::write(site.path(&format!("content/sources/s{s}.md")), text).expect("write");
    }
    let mut rng = Rng(events as u64);
    for e in 0..events {
        fs::write(site.path(&event_file(e)), event_text(e, "Event", &mut rng)).expect("write");
    }
    site
}

/// Where event `e` lives in a fresh [`site`].
fn event_file(e: usize) -> String {
    if e.is_multiple_of(10) {
        format!("content/events/a/e{e}.md")
    } else {
        format!("content/events/e{e}.md")
    }
}

fn event_text(e: usize, title: &str, rng: &mut Rng) -> String {
    format!(
        "---\ntitle: {title} {e}\ndate: 2025-06-{:02}T{:02}:{:02}Z\nsources: [s{}]\n---\n{}.\n",
        13 + e % 11,
        e / 60 % 24,
        e % 60,
        e / EVENTS_PER_SOURCE,
        filler::words(rng, 40)
    )
}

fn not_found(text: &str) -> String {
    format!("{{% extends \"base.html\" %}}{{% block main %}}<p>{text}</p>{{% endblock main %}}")
}

/// The rebuilds (done or failed) among printed lines.
fn rebuilds(lines: &[String]) -> usize {
    lines
        .iter()
        .filter(|l| l.contains(" rendered) in ") || l.starts_with("build failed: "))
        .count()
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("list").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn git(site: &Site, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=gen tests",
            "-c",
            "user.email=tests@example.org",
        ])
        .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(args)
        .current_dir(site.root())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A branch switch that rewrites all 5,000 event files at once. (If the kernel's event queue
/// overflows on a busy machine, gen reads everything again.)
#[test]
fn a_checkout_of_5000_files_ends_in_one_correct_site() {
    const EVENTS: usize = 5_000;
    let site = site(EVENTS).file(".gitignore", "public/\n");
    git(&site, &["init", "-q"]);
    git(&site, &["checkout", "-q", "-b", "one"]);
    git(&site, &["add", "-A"]);
    git(&site, &["commit", "-q", "-m", "one"]);
    git(&site, &["checkout", "-q", "-b", "two"]);
    let mut rng = Rng(2);
    for e in 0..EVENTS {
        let text = event_text(e, "Revised", &mut rng);
        fs::write(site.path(&event_file(e)), text).expect("write");
    }
    git(&site, &["commit", "-q", "-a", "-m", "two"]);
    git(&site, &["checkout", "-q", "one"]);
    let mut storm = Storm::start(site);

    let started = Instant::now();
    git(&storm.site, &["checkout", "-q", "two"]);
    let checkout = started.elapsed();
    // The last file git writes; waiting for it first keeps the marker out of the storm.
    let last = storm.site.path("public/events/e999/index.html");
    eventually_within(PATIENCE, "the last file of the checkout", || {
        fs::read_to_string(&last).is_ok_and(|page| page.contains("Revised 999"))
    });
    let lines = storm.settle(Marker::Static);
    eprintln!(
        "storms: checkout of {EVENTS} files took git {} ms; gen settled {} ms after it began, \
         {} rebuilds before the marker's",
        checkout.as_millis(),
        started.elapsed().as_millis(),
        rebuilds(&lines) - 1
    );
    storm.assert_fresh();
    storm.event_lands("content/events/e1.md", 1, "Still heard");
}

/// A folder renamed inside content/, and each of content/, templates/ and static/ (and a
/// sub-folder) renamed away and back, deleted and put back at once, and deleted with gen
/// seeing it gone before it comes back: the site stays right and later edits land.
#[test]
fn folders_renamed_deleted_and_put_back_stay_watched() {
    let mut storm = Storm::start(site(400));
    let (root, away) = (
        storm.site.root().to_path_buf(),
        tempfile::tempdir().expect("dir"),
    );

    fs::rename(root.join("content/events/a"), root.join("content/events/b")).expect("rename");
    let lines = storm.settle_after("content", Marker::Static);
    eprintln!(
        "storms: content/events/a renamed to b: {} rebuilds",
        rebuilds(&lines) - 1
    );
    storm.assert_fresh();
    storm.event_lands("content/events/b/e10.md", 10, "Moved and edited");
    storm.event_lands("content/events/b/e20.md", 20, "Moved and edited again");
    // A new sub-folder: notify watches it by itself. (A file written into it before notify
    // has added the watch makes no event of its own; the folder's rebuild reads it.)
    fs::create_dir(root.join("content/events/c")).expect("mkdir");
    storm.settle_after("content/events/c: ", Marker::Static);
    for title in ["New in a new folder", "Edited in a new folder"] {
        let text =
            format!("---\ntitle: {title}\ndate: 2025-06-20T08:00Z\nsources: [s0]\n---\nNew.\n");
        let (rel, page) = ("content/events/c/new.md", "events/new/index.html");
        storm.lands(rel, &text, page, title, Marker::Static);
    }

    for (n, dir) in ["content", "content/events"].into_iter().enumerate() {
        // Renamed away, a file edited there (no watch sees it), and renamed back.
        let moved = root.join("moved");
        fs::rename(root.join(dir), &moved).expect("rename away");
        let elsewhere = moved.join(event_file(3).trim_start_matches(&format!("{dir}/")));
        let text = event_text(3, &format!("Edited away {n}"), &mut Rng(3));
        fs::write(elsewhere, text).expect("edit");
        fs::rename(&moved, root.join(dir)).expect("rename back");
        storm.settle_after("content", Marker::Static);
        let page = storm.site.read("events/e3/index.html");
        assert!(page.contains(&format!("Edited away {n}")));
        storm.event_lands("content/events/e1.md", 1, &format!("Back {n} and edited"));

        // Put back with changes, as `git stash pop` does: at once, then with gen seeing the
        // folder gone first.
        for slow in [false, true] {
            let copy = away.path().join(format!("{n}-{slow}"));
            copy_tree(&root.join(dir), &copy);
            let changed = copy.join(event_file(3).trim_start_matches(&format!("{dir}/")));
            fs::write(
                &changed,
                event_text(3, &format!("Restored {n} {slow}"), &mut Rng(3)),
            )
            .expect("write");
            fs::remove_dir_all(root.join(dir)).expect("delete");
            if slow {
                storm
                    .w
                    .wait_line(|l| l.starts_with("build failed: ") || l.contains(" removed ("));
                storm.w.clear();
            }
            copy_tree(&copy, &root.join(dir));
            storm.settle_after("content", Marker::Static);
            assert!(
                storm
                    .site
                    .read("events/e3/index.html")
                    .contains(&format!("Restored {n} {slow}"))
            );
            storm.event_lands("content/events/e2.md", 2, &format!("Edited {n} {slow}"));
            let title = format!("Edited below {n} {slow}");
            storm.event_lands("content/events/b/e30.md", 30, &title);
        }
    }
    storm.assert_fresh();
    theme_folders_stay_watched(&mut storm, away.path());
    storm.assert_fresh();
}

/// templates/ and static/ renamed away and back, deleted and put back; edits inside land.
fn theme_folders_stay_watched(storm: &mut Storm, away: &Path) {
    let root = storm.site.root().to_path_buf();
    let folders = [
        (
            "templates",
            "templates/404.html",
            "404.html",
            Marker::Static,
        ),
        ("static", "static/extra.css", "extra.css", Marker::Content),
    ];
    for (dir, file, output, marker) in folders {
        for (n, how) in ["renamed", "deleted", "deleted slowly"]
            .into_iter()
            .enumerate()
        {
            if n == 0 {
                fs::rename(root.join(dir), root.join("moved")).expect("rename away");
                fs::rename(root.join("moved"), root.join(dir)).expect("rename back");
            } else {
                let copy = away.join(format!("{dir}-{n}"));
                copy_tree(&root.join(dir), &copy);
                fs::remove_dir_all(root.join(dir)).expect("delete");
                if n == 2 {
                    storm.w.wait_line(|l| l.contains(" changed: "));
                    storm.w.clear();
                }
                copy_tree(&copy, &root.join(dir));
            }
            storm.settle_after(
                if dir == "templates" {
                    "templates changed: "
                } else {
                    "static files changed: "
                },
                marker,
            );
            let token = format!("{dir} {how}, then edited");
            let text = if dir == "templates" {
                not_found(&token)
            } else {
                format!("/* {token} */\n")
            };
            storm.lands(file, &text, output, &token, marker);
        }
    }
}

/// An editor saving one file 1,000 times as fast as it can.
#[test]
fn a_burst_of_1000_saves_ends_in_one_correct_site() {
    let mut storm = Storm::start(site(400));
    let file = storm.site.path("content/events/e7.md");
    let started = Instant::now();
    for n in 0..1000 {
        fs::write(&file, event_text(7, &format!("Save {n} done"), &mut Rng(n))).expect("save");
    }
    let lines = storm.settle_after("content/events/e7.md: ", Marker::Static);
    eprintln!(
        "storms: 1,000 saves of one file: settled {} ms after the first, {} rebuilds before the marker's",
        started.elapsed().as_millis(),
        rebuilds(&lines) - 1
    );
    assert!(
        storm
            .site
            .read("events/e7/index.html")
            .contains("Save 999 done")
    );
    storm.assert_fresh();
}

/// The resident set of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc status")
}

/// 10,000 edits, spread over 20 events, each round of 100 taken in by a rebuild before the next
/// round starts: gen's memory stays flat.
#[cfg(target_os = "linux")]
#[test]
fn memory_stays_flat_over_10000_edits() {
    const EDITS: usize = 10_000;
    const ROUND: usize = 100;
    let mut storm = Storm::start(site(200));
    let pid = storm.w.pid();
    let started = Instant::now();
    let (mut samples, mut rebuilt) = (Vec::new(), 0);
    for round in 0..EDITS / ROUND {
        let mut last = (0, String::new());
        for i in 0..ROUND {
            let n = round * ROUND + i;
            let e = 1 + n % 20;
            let title = format!("Edit {n} done");
            let text = event_text(e, &title, &mut Rng(n as u64));
            fs::write(storm.site.path(&event_file(e)), text).expect("edit");
            last = (e, title);
        }
        let page = storm
            .site
            .path(&format!("public/events/e{}/index.html", last.0));
        eventually_within(PATIENCE, "a rebuild of the round's last edit", || {
            fs::read_to_string(&page).is_ok_and(|p| p.contains(&last.1))
        });
        if ((round + 1) * ROUND).is_multiple_of(1000) {
            rebuilt += rebuilds(&storm.settle(Marker::Static));
            samples.push(((round + 1) * ROUND, rss_kib(pid)));
        }
    }
    storm.assert_fresh();
    let shown: Vec<String> = samples
        .iter()
        .map(|(n, kib)| format!("{n}: {} KiB", kib))
        .collect();
    eprintln!(
        "storms: {EDITS} edits in {} s, {rebuilt} rebuilds; RSS after edits {}",
        started.elapsed().as_secs(),
        shown.join(", ")
    );
    // The bound: +50 % or +32 MiB, whichever is larger. jemalloc keeps freed pages for a while
    // and its arenas grow in steps, so some growth is no leak; a leak of 4 KiB per edit would
    // add 35 MiB over the last 9,000 edits and fail this.
    let (first, last) = (samples[0].1, samples[samples.len() - 1].1);
    let bound = (first + first / 2).max(first + 32 * 1024);
    assert!(
        last <= bound,
        "RSS grew from {first} KiB to {last} KiB (bound {bound} KiB): {shown:?}"
    );
}
