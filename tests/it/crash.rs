//! Crash safety: `gen build` killed with SIGKILL at random moments and at chosen system calls,
//! and builds into a full or read-only output location.
//!
//! What must hold after every kill: `public/` is byte-identical to the complete site before
//! the build or the complete site after it (never a mix), and nothing but the spare and the
//! build lock appear beside it (or a folder the killed build was deleting, which the next
//! build removes). What must hold after the next build that is not killed: it succeeds,
//! `public/` equals a fresh build of the content, the spare equals the site it replaced, and
//! nothing but `public/`, `.public.spare/` and `.public.lock` sits beside the content (no
//! staging folders, no temporary files).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::filler::{self, Rng};
use crate::support::{CONFIG, Run, Site, build_as_nobody, differences, files_under, is_root};

/// Kills per `cargo test`; `GEN_CRASH_KILLS=500 cargo test --test it crash` runs more.
const DEFAULT_KILLS: usize = 60;
/// Content versions the site cycles through. Three rather than two: with two, the spare
/// already holds the version being built and a build writes almost nothing.
const VERSIONS: usize = 3;

type Listing = Vec<(PathBuf, Vec<u8>)>;

fn words(seed: usize, n: usize) -> String {
    filler::words(&mut Rng(seed as u64), n)
}

/// The content files of version `v` of a site of `events` events (relative path, text). A
/// third of the events change title and body from one version to the next, and each version
/// has events of its own, so a build rewrites, adds and deletes pages and folders.
fn version(events: usize, v: usize) -> BTreeMap<String, String> {
    let sources = (events / 4).max(1);
    let mut files = BTreeMap::new();
    for s in 0..sources {
        files.insert(
            format!("content/sources/src-{s}.md"),
            format!(
                "---\ntitle: \"Report {s}\"\noutlet: Outlet {}\npublished: 2025-06-{:02}\nurl: https://news.example/{s}\n---\n",
                s % 7,
                13 + s % 10
            ),
        );
    }
    let event = |i: usize, title: &str| {
        format!(
            "---\ntitle: \"{title}\"\ndate: 2025-06-{:02}T{:02}:{:02}Z\nactors: [Actor {}]\ntags: [tag {}]\nsources: [src-{}]\n---\n{}.\n\n- {}\n- {}\n\n{}.\n",
            13 + i % 10,
            i % 24,
            i % 60,
            i % 5,
            i % 4,
            i % sources,
            words(i * 7 + v * (i % VERSIONS), 60),
            words(i, 8),
            words(i + 1, 8),
            words(i + 2, 40),
        )
    };
    for i in 0..events {
        let title = if i % VERSIONS == v {
            format!("Event {i}, version {v}")
        } else {
            format!("Event {i}")
        };
        files.insert(format!("content/events/ev-{i:04}.md"), event(i, &title));
    }
    for j in 0..10 {
        files.insert(
            format!("content/events/only-{v}-{j}.md"),
            event(j * 13 + v, &format!("Only in version {v}, number {j}")),
        );
    }
    files
}

/// The names in a folder.
fn names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .expect("list folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn expected_names() -> BTreeSet<String> {
    [
        "content",
        "site.toml",
        "public",
        ".public.spare",
        ".public.lock",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

/// The first line of the spare's manifest.
fn spare_marker(root: &Path) -> String {
    fs::read_to_string(root.join(".public.spare/.gen-output"))
        .map(|t| t.lines().next().unwrap_or_default().to_owned())
        .unwrap_or_else(|_| "missing".to_owned())
}

/// A site that cycles through content versions, with a fresh build of each to compare with.
struct Harness {
    site: Site,
    events: usize,
    refs: Vec<Listing>,
    /// The version `public/` holds.
    current: usize,
    /// The version the content folder holds.
    on_disk: usize,
    /// The version the spare holds, when known to be complete.
    spare: Option<usize>,
}

impl Harness {
    /// Builds a fresh reference of every version, then the site twice (version 0, then 1),
    /// so it has both `public/` and a spare. Returns the harness and the second build's time.
    fn new(events: usize) -> (Harness, Duration) {
        let refs: Vec<Listing> = (0..VERSIONS)
            .map(|v| {
                let site = Site::empty().file("site.toml", CONFIG);
                write_files(site.root(), &version(events, v), &BTreeMap::new());
                site.build_ok();
                site.snapshot_output()
            })
            .collect();
        for (a, b) in [(0, 1), (1, 2), (0, 2)] {
            assert!(
                differences(&refs[a], &refs[b]).len() > events / 2,
                "versions {a} and {b} should differ in many files"
            );
        }
        let site = Site::empty().file("site.toml", CONFIG);
        write_files(site.root(), &version(events, 0), &BTreeMap::new());
        site.build_ok();
        let mut h = Harness {
            site,
            events,
            refs,
            current: 0,
            on_disk: 0,
            spare: None,
        };
        let took = h.complete_build(1, "setup");
        (h, took)
    }

    fn root(&self) -> &Path {
        self.site.root()
    }

    /// A version other than the one `public/` holds.
    fn other(&self, rng: &mut Rng) -> usize {
        (self.current + 1 + rng.below(VERSIONS - 1)) % VERSIONS
    }

    /// The version neither `public/` nor the spare holds, so a build into a complete spare
    /// still writes and deletes files.
    fn third(&self) -> usize {
        (0..VERSIONS)
            .find(|v| *v != self.current && Some(*v) != self.spare)
            .unwrap_or(self.current)
    }

    /// Puts version `v` in the content folder, writing only the files that change.
    fn set_content(&mut self, v: usize) {
        let old = version(self.events, self.on_disk);
        write_files(self.site.root(), &version(self.events, v), &old);
        self.on_disk = v;
    }

    /// Checks what a killed build of version `target` left; returns the version `public/`
    /// holds (the old one or `target`).
    fn after_kill(&mut self, target: usize, what: &str) -> usize {
        let public = self.site.snapshot_output();
        let now = self.refs.iter().position(|r| *r == public);
        assert!(
            now == Some(self.current) || now == Some(target),
            "{what}: public/ is neither the old site (version {}) nor the new one (version {target}); differs from the old in {:?}",
            self.current,
            differences(&self.refs[self.current], &public)
        );
        // Beside public/ only the spare may appear, a folder an interrupted build was still
        // deleting, and a new spare it had not yet renamed into place (the next build removes
        // both; checked in `complete_build`).
        let extra: Vec<String> = names(self.root())
            .difference(&expected_names())
            .filter(|n| !n.starts_with(".public.old-") && !n.starts_with(".public.staging-"))
            .cloned()
            .collect();
        assert!(extra.is_empty(), "{what}: left beside public/: {extra:?}");
        let now = now.unwrap_or(self.current);
        // Swapped: the spare is the complete old site. Otherwise it may be unfinished.
        self.spare = (now != self.current).then_some(self.current);
        self.current = now;
        now
    }

    /// Builds version `next` to completion and checks the result: `public/` equal to a
    /// fresh build, the spare equal to the site it replaced, nothing else beside them.
    fn complete_build(&mut self, next: usize, what: &str) -> Duration {
        self.set_content(next);
        let started = Instant::now();
        let run = self.site.build();
        let took = started.elapsed();
        assert!(run.success, "the build {what} failed:\n{}", run.stderr);
        let differ = differences(&self.refs[next], &self.site.snapshot_output());
        assert!(
            differ.is_empty(),
            "{what}: public/ differs from a fresh build in {differ:?}"
        );
        let spare = files_under(&self.site.path(".public.spare"));
        let differ = differences(&self.refs[self.current], &spare);
        assert!(
            differ.is_empty(),
            "{what}: the spare is not the site it replaced: {differ:?}"
        );
        assert_eq!(
            names(self.root()),
            expected_names(),
            "{what}: leftovers beside public/"
        );
        self.spare = Some(self.current);
        self.current = next;
        took
    }
}

/// Writes the files of `new` that differ from `old` and deletes those `new` lacks.
fn write_files(root: &Path, new: &BTreeMap<String, String>, old: &BTreeMap<String, String>) {
    for rel in old.keys().filter(|r| !new.contains_key(*r)) {
        fs::remove_file(root.join(rel)).expect("remove");
    }
    for (rel, text) in new.iter().filter(|(r, t)| old.get(*r) != Some(t)) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
}

#[derive(Default, Debug)]
struct Tally {
    kills: usize,
    /// The process was still running when SIGKILL was sent.
    mid_build: usize,
    /// ... and `public/` still held the previous site.
    old_site_kept: usize,
    /// ... and `public/` already held the new site (killed after the swap).
    new_site_in_place: usize,
    /// ... and the spare was left marked unfinished (killed while it was being written).
    spare_unfinished: usize,
    /// The build had finished before the kill was sent.
    finished_first: usize,
    /// Builds run to completion after kills, each checked against a fresh build.
    recoveries: usize,
}

#[test]
fn sigkill_at_random_moments_never_leaves_a_mixed_or_broken_site() {
    let kills: usize = std::env::var("GEN_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(DEFAULT_KILLS);
    let seed: u64 = std::env::var("GEN_CRASH_SEED")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(7);
    let started = Instant::now();
    // Enough events that a debug build takes a good fraction of a second, so the delays
    // land in every stage: reading, rendering, writing the spare, the swap.
    let (mut h, mut duration) = Harness::new(120);
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    let mut longest_window = 0;

    for k in 0..kills {
        let target = h.other(&mut rng);
        h.set_content(target);
        // Spread over the last build's duration (measured on every completed build, since
        // the machine may be busier at some moments than others).
        let window = duration.as_millis() as usize * 11 / 10;
        longest_window = longest_window.max(window);
        let delay = Duration::from_millis(rng.below(window + 1) as u64);
        let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
            .arg("build")
            .current_dir(h.root())
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gen build");
        std::thread::sleep(delay);
        let finished = child.try_wait().expect("poll").is_some();
        // `Child::kill` sends SIGKILL on Unix.
        let _ = child.kill();
        let _ = child.wait();
        tally.kills += 1;

        let old = h.current;
        let now = h.after_kill(target, &format!("kill {k} after {delay:?} (seed {seed})"));
        if finished {
            tally.finished_first += 1;
        } else {
            tally.mid_build += 1;
            if now == old {
                tally.old_site_kept += 1;
            } else {
                tally.new_site_in_place += 1;
            }
            if spare_marker(h.root()).contains("dirty") {
                tally.spare_unfinished += 1;
            }
        }
        // A third of the time (and at the end) the next build runs to completion; otherwise
        // the next build is killed too, which may interrupt the clearing of an unfinished spare.
        if rng.below(3) == 0 || k + 1 == kills {
            let next = h.other(&mut rng);
            duration = h.complete_build(next, &format!("after kill {k} (seed {seed})"));
            tally.recoveries += 1;
        }
    }
    eprintln!(
        "crash: {} kills in {:.1} s (site of {} events; kills spread over up to {} ms, seed {seed}): {} mid-build ({} kept the old site, {} had swapped in the new one; {} left the spare unfinished), {} after the build had finished; {} recovery builds, each equal to a fresh build",
        tally.kills,
        started.elapsed().as_secs_f64(),
        h.events + 10,
        longest_window,
        tally.mid_build,
        tally.old_site_kept,
        tally.new_site_in_place,
        tally.spare_unfinished,
        tally.finished_first,
        tally.recoveries,
    );
    assert!(
        tally.mid_build * 3 >= tally.kills && tally.spare_unfinished > 0,
        "too few kills landed mid-build to mean much: {tally:?}"
    );
}

/// Runs `gen build` under strace, traced for the system calls named by `filter`, with
/// `inject` (an strace `--inject` expression) if given; returns the exit status and the trace.
fn traced_build(
    root: &Path,
    filter: &str,
    inject: Option<&str>,
) -> (std::process::ExitStatus, String) {
    let trace = root.with_extension("strace");
    let mut command = Command::new("strace");
    command
        .args(["-f", "-qq", "-o"])
        .arg(&trace)
        .args(["-e", &format!("trace={filter}")]);
    if let Some(inject) = inject {
        command.args(["-e", &format!("inject={inject}")]);
    }
    let status = command
        .arg(env!("CARGO_BIN_EXE_gen"))
        .arg("build")
        .current_dir(root)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run strace");
    let text = fs::read_to_string(&trace).unwrap_or_default();
    let _ = fs::remove_file(&trace);
    (status, text)
}

/// Per system call: the most calls any one thread made (strace counts injections per
/// system call and per thread).
fn most_calls_per_thread(trace: &str) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for line in trace.lines() {
        let mut parts = line.split_whitespace();
        let (Some(tid), Some(call)) = (parts.next(), parts.next()) else {
            continue;
        };
        if let Some((name, _)) = call.split_once('(') {
            *counts.entry((name.to_owned(), tid.to_owned())).or_default() += 1;
        }
    }
    let mut most = BTreeMap::new();
    for ((name, _), n) in counts {
        let m = most.entry(name).or_insert(0);
        *m = (*m).max(n);
    }
    most
}

/// Which call of `name` (counted in its thread, as strace counts) mentions `needle`.
fn call_mentioning(trace: &str, name: &str, needle: &str) -> Option<usize> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for line in trace.lines() {
        let mut parts = line.split_whitespace();
        let (Some(tid), Some(call)) = (parts.next(), parts.next()) else {
            continue;
        };
        if call.starts_with(&format!("{name}(")) {
            let n = counts.entry(tid).or_default();
            *n += 1;
            if line.contains(needle) {
                return Some(*n);
            }
        }
    }
    None
}

/// The file system calls a build makes while publishing.
const CALLS: &str = "/^(open|unlink|rename|mkdir)";

#[test]
#[ignore = "needs strace (CI runs it: cargo test -- --include-ignored)"]
fn sigkill_at_chosen_system_calls_never_leaves_a_mixed_or_broken_site() {
    assert!(
        Command::new("strace")
            .args(["-f", "-qq", "-o", "/dev/null", "true"])
            .status()
            .is_ok_and(|s| s.success()),
        "strace is missing or cannot trace here: install strace and allow ptrace"
    );
    let (mut h, _) = Harness::new(40);
    let mut rng = Rng(11);

    // How many calls of each kind a build makes, into a spare that is up to date but for
    // the changed pages ("clean"), and into one a killed build left unfinished ("dirty").
    let next = h.third();
    h.set_content(next);
    let (status, trace) = traced_build(h.root(), CALLS, None);
    assert!(status.success(), "traced build failed");
    (h.spare, h.current) = (Some(h.current), next);
    let clean = most_calls_per_thread(&trace);
    // The spare's manifest is committed by a rename; the last such rename of the main thread
    // is that of the finished manifest, and a kill there leaves the spare unfinished.
    let (rename, _) = clean
        .iter()
        .find(|(name, n)| name.starts_with("rename") && **n >= 2)
        .expect("a build renames its manifest into place");
    let rename = rename.clone();
    let make_dirty = |h: &mut Harness, rng: &mut Rng| {
        let target = h.other(rng);
        h.set_content(target);
        let (status, _) = traced_build(
            h.root(),
            &rename,
            Some(&format!("{rename}:signal=KILL:when=2")),
        );
        assert_eq!(status.signal(), Some(9), "the build was not killed");
        h.after_kill(target, "killed to leave the spare unfinished");
        assert!(spare_marker(h.root()).contains("dirty"));
    };
    make_dirty(&mut h, &mut rng);
    let next = h.other(&mut rng);
    h.set_content(next);
    let (status, trace) = traced_build(h.root(), CALLS, None);
    assert!(status.success(), "traced build failed");
    (h.spare, h.current) = (Some(h.current), next);
    let dirty = most_calls_per_thread(&trace);
    // Clearing the unfinished spare deletes its manifest among its other files; a kill just
    // after that must not leave a folder the next build refuses as not gen's.
    let (unlink, _) = dirty
        .iter()
        .find(|(name, _)| name.starts_with("unlink"))
        .expect("clearing the spare deletes files");
    let marker_gone = call_mentioning(&trace, unlink, "\".gen-output\"")
        .expect("the spare's manifest is deleted")
        + 1;

    // Kill points: system call and invocation, spread over each kind's calls.
    let points = |counts: &BTreeMap<String, usize>, spread: &[(&str, usize)]| {
        let mut out = Vec::new();
        for (name, n) in counts {
            for (prefix, parts) in spread {
                if name.starts_with(prefix) {
                    out.extend((1..=*parts).map(|i| (name.clone(), (n * i).div_ceil(*parts))));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    };
    let clean_points = points(
        &clean,
        &[("rename", 2), ("unlink", 2), ("open", 3), ("mkdir", 2)],
    );
    let mut dirty_points = points(
        &dirty,
        &[("rename", 1), ("unlink", 4), ("open", 2), ("mkdir", 1)],
    );
    dirty_points.push((unlink.clone(), marker_gone));
    let mut killed = 0;
    let total = clean_points.len() + dirty_points.len();
    for (dirty_first, (name, when)) in clean_points
        .iter()
        .map(|p| (false, p))
        .chain(dirty_points.iter().map(|p| (true, p)))
    {
        if dirty_first {
            make_dirty(&mut h, &mut rng);
        }
        let what = format!(
            "kill at {name} #{when} into a {} spare",
            if dirty_first { "dirty" } else { "clean" }
        );
        let target = h.third();
        h.set_content(target);
        let (status, _) = traced_build(
            h.root(),
            name,
            Some(&format!("{name}:signal=KILL:when={when}")),
        );
        if status.signal() == Some(9) {
            killed += 1;
        }
        h.after_kill(target, &what);
        let next = h.other(&mut rng);
        h.complete_build(next, &format!("after the {what}"));
    }
    eprintln!(
        "crash: {killed} of {total} builds killed at chosen system calls ({} into a clean spare, {} into an unfinished one; most calls per thread: clean {clean:?}, dirty {dirty:?}); every next build equal to a fresh build",
        clean_points.len(),
        dirty_points.len()
    );
    assert!(killed * 10 >= total * 9, "too few kill points were reached");
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Mount(PathBuf);

/// Why the tests that mount a small tmpfs are ignored, and what they say when asked to run
/// where they cannot.
const NEEDS_MOUNT: &str = "this test mounts a tmpfs: run it as root where mounts are allowed";

impl Mount {
    /// Mounts a tmpfs of `size` (e.g. "3m") on `dir`; fails the test, saying why, when it
    /// cannot (the tests that call it are ignored unless asked for, as root).
    fn tmpfs(dir: &Path, size: &str) -> Mount {
        fs::create_dir_all(dir).expect("mkdir");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .unwrap_or_else(|e| panic!("{NEEDS_MOUNT}: cannot run mount: {e}"));
        assert!(
            out.status.success(),
            "{NEEDS_MOUNT}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Mount(dir.to_path_buf())
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .expect("run mount");
        assert!(status.success(), "remount {options} failed");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}

/// A site with a 2 MiB static file, so that its output fills most of a small tmpfs.
fn heavy_site() -> Site {
    let big: Vec<u8> = (0..2 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    Site::new().bytes("static/big.bin", &big)
}

fn build_into(site: &Site, output: &Path) -> Run {
    site.run(&["build", "--output", &output.to_string_lossy()])
}

/// `public/` of a fresh build of `site`, built elsewhere.
fn fresh(site: &Site) -> Listing {
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let out = elsewhere.path().join("public");
    let run = build_into(site, &out);
    assert!(run.success, "{}", run.stderr);
    files_under(&out)
}

fn edit(site: &Site, title: &str) {
    fs::write(
        site.path("content/events/first.md"),
        format!("---\ntitle: {title}\ndate: 2025-06-14T10:00 Asia/Tehran\nsources: [src-a]\n---\nThe summary.\n"),
    )
    .expect("edit");
}

#[test]
#[ignore = "needs root to mount a tmpfs (CI runs it: cargo test -- --include-ignored)"]
fn a_full_disk_fails_clearly_and_keeps_the_old_site() {
    let site = heavy_site();
    let dir = tempfile::tempdir().expect("temp dir");
    let mnt = dir.path().join("small");
    // Room for one copy of the site but not two.
    let mount = Mount::tmpfs(&mnt, "3m");
    let out = mnt.join("public");
    let run = build_into(&site, &out);
    assert!(run.success, "the first build should fit: {}", run.stderr);
    let before = files_under(&out);

    edit(&site, "Edited");
    let run = build_into(&site, &out);
    insta::assert_snapshot!(run.transcript_redacting(&site, &[(&mnt, "[MOUNT]")]));
    assert!(!run.success, "a build into a full disk succeeded");
    assert!(
        run.stderr.contains("No space left on device")
            && run
                .stderr
                .contains(&mnt.join(".public.spare").to_string_lossy().into_owned())
            && run.stderr.contains("the previous site was kept"),
        "unclear message:\n{}",
        run.stderr
    );
    let differ = differences(&before, &files_under(&out));
    assert!(differ.is_empty(), "the old site changed: {differ:?}");

    // With room again, the next build succeeds and equals a fresh one.
    mount.remount("size=16m");
    let run = build_into(&site, &out);
    assert!(run.success, "{}", run.stderr);
    let differ = differences(&fresh(&site), &files_under(&out));
    assert!(differ.is_empty(), "differs from a fresh build: {differ:?}");
    assert_eq!(
        names(&mnt),
        [".public.lock", ".public.spare", "public"]
            .map(str::to_owned)
            .into()
    );
    drop(mount);
}

/// Bytes free on the file system holding `dir`, as `df` reports them.
fn free_bytes(dir: &Path) -> u64 {
    let out = Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(dir)
        .output()
        .expect("run df");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df prints the space free")
}

#[test]
#[ignore = "needs root to mount a tmpfs (CI runs it: cargo test -- --include-ignored)"]
fn a_disk_that_fills_at_any_point_keeps_the_old_site_and_recovers() {
    let site = heavy_site();
    let dir = tempfile::tempdir().expect("temp dir");
    let mnt = dir.path().join("small");
    let mount = Mount::tmpfs(&mnt, "8m");
    let out = mnt.join("public");
    assert!(build_into(&site, &out).success);
    let ballast = mnt.join("ballast");
    let (mut failed, mut built) = (0, 0);
    // The space left for each build, from none to enough: the disk fills while the spare is
    // made, while files are written into it, while the manifest is written, or not at all.
    for (step, free) in [
        0u64, 4, 8, 12, 16, 32, 64, 256, 1024, 1800, 2100, 2300, 2600, 4000,
    ]
    .into_iter()
    .enumerate()
    {
        let before = files_under(&out);
        edit(&site, &format!("Edit {step}"));
        let room = free_bytes(&mnt).saturating_sub(free * 1024);
        fs::write(&ballast, vec![0u8; usize::try_from(room).expect("size")]).expect("ballast");
        let run = build_into(&site, &out);
        fs::remove_file(&ballast).expect("remove ballast");
        if run.success {
            built += 1;
            let differ = differences(&fresh(&site), &files_under(&out));
            assert!(
                differ.is_empty(),
                "{free} KiB free: not a fresh build: {differ:?}"
            );
        } else {
            failed += 1;
            assert!(
                run.stderr.contains("No space left on device")
                    && run.stderr.contains(&mnt.to_string_lossy().into_owned())
                    && run.stderr.contains("the previous site was kept"),
                "{free} KiB free: unclear message:\n{}",
                run.stderr
            );
            let differ = differences(&before, &files_under(&out));
            assert!(
                differ.is_empty(),
                "{free} KiB free: the old site changed: {differ:?}"
            );
        }
    }
    assert!(failed > 0 && built > 0, "failed {failed}, built {built}");
    let run = build_into(&site, &out);
    assert!(run.success, "{}", run.stderr);
    let differ = differences(&fresh(&site), &files_under(&out));
    assert!(differ.is_empty(), "differs from a fresh build: {differ:?}");
    eprintln!("full disk: {failed} builds failed cleanly, {built} fit");
    drop(mount);
}

#[test]
#[ignore = "needs root to mount a tmpfs (CI runs it: cargo test -- --include-ignored)"]
fn a_read_only_output_fails_clearly_and_keeps_the_old_site() {
    let site = Site::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let mnt = dir.path().join("ro");
    let mount = Mount::tmpfs(&mnt, "16m");
    let out = mnt.join("public");
    let run = build_into(&site, &out);
    assert!(run.success, "{}", run.stderr);
    let before = files_under(&out);

    mount.remount("ro");
    edit(&site, "Edited");
    let run = build_into(&site, &out);
    insta::assert_snapshot!(run.transcript_redacting(&site, &[(&mnt, "[MOUNT]")]));
    assert!(!run.success, "a build into a read-only folder succeeded");
    assert!(
        run.stderr.contains("Read-only file system")
            && run.stderr.contains(&mnt.to_string_lossy().into_owned())
            && run.stderr.contains("the previous site was kept"),
        "unclear message:\n{}",
        run.stderr
    );
    let differ = differences(&before, &files_under(&out));
    assert!(differ.is_empty(), "the old site changed: {differ:?}");

    mount.remount("rw");
    let run = build_into(&site, &out);
    assert!(run.success, "{}", run.stderr);
    let differ = differences(&fresh(&site), &files_under(&out));
    assert!(differ.is_empty(), "differs from a fresh build: {differ:?}");
    drop(mount);
}

#[test]
fn a_folder_gen_may_not_write_fails_clearly_and_keeps_the_old_site() {
    use std::os::unix::fs::PermissionsExt as _;
    let site = Site::new();
    site.build_ok();
    site.build_ok();
    let before = files_under(&site.path("public"));
    let mode = |rel: &str, bits: u32| {
        fs::set_permissions(site.path(rel), fs::Permissions::from_mode(bits)).expect("chmod");
    };
    edit(&site, "Edited");
    // Readable by all, writable by none but the owner: as root, gen runs as `nobody`.
    for folder in ["", "content", "content/events", "content/sources"] {
        mode(folder, 0o755);
    }
    // The lock can be taken, but the spare cannot be written.
    mode(".public.lock", 0o666);
    let run = if is_root() {
        build_as_nobody(&site)
    } else {
        mode(".public.spare", 0o555);
        site.build()
    };
    insta::assert_snapshot!(run.transcript(&site));
    assert!(
        !run.success,
        "a build into a folder it may not write succeeded"
    );
    assert!(
        run.stderr.contains("Permission denied")
            && run.stderr.contains(".public.spare")
            && run.stderr.contains("the previous site was kept"),
        "unclear message:\n{}",
        run.stderr
    );
    let differ = differences(&before, &files_under(&site.path("public")));
    assert!(differ.is_empty(), "the old site changed: {differ:?}");
    mode(".public.spare", 0o755);
    site.build_ok();
    let differ = differences(&fresh(&site), &files_under(&site.path("public")));
    assert!(differ.is_empty(), "differs from a fresh build: {differ:?}");
}
