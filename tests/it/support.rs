//! A small builder for temporary sites: write files, run `gen`, read what it wrote.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::mpsc::Receiver;

pub struct Site {
    dir: tempfile::TempDir,
}

/// What a `gen` run printed and how it ended.
pub struct Run {
    pub success: bool,
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// How the run ended and everything it printed, for a snapshot that pins gen's messages
    /// exactly: the exit code, stdout and stderr, with what varies from run to run written
    /// in brackets (the site's temporary folder as `[SITE]`, milliseconds as `[MS]`).
    pub fn transcript(&self, site: &Site) -> String {
        self.transcript_redacting(site, &[])
    }

    /// The transcript with each folder of `others` (outside the site) written as its name.
    pub fn transcript_redacting(&self, site: &Site, others: &[(&Path, &str)]) -> String {
        let code = self
            .code
            .map_or_else(|| "none (killed by a signal)".to_owned(), |c| c.to_string());
        let mut text = format!(
            "exit code: {code}\n--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        );
        for (folder, name) in others {
            text = text.replace(&*folder.to_string_lossy(), name);
        }
        redact(&text, site.root())
    }
}

/// `text` with the folder `root` written as `[SITE]` (and its parent as `[SITE]/..`) and
/// every `in N ms` as `in [MS] ms`.
fn redact(text: &str, root: &Path) -> String {
    let mut out = text.to_owned();
    for root in [Some(root.to_path_buf()), root.canonicalize().ok()]
        .into_iter()
        .flatten()
    {
        out = out.replace(&*root.to_string_lossy(), "[SITE]");
        if let Some(parent) = root.parent().filter(|p| p.parent().is_some()) {
            out = out.replace(&*parent.to_string_lossy(), "[SITE]/..");
        }
    }
    let mut pieces = out.split(" in ");
    let mut redacted = pieces.next().unwrap_or_default().to_owned();
    for piece in pieces {
        redacted.push_str(" in ");
        let digits = piece.len() - piece.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && piece[digits..].starts_with(" ms") {
            redacted.push_str("[MS]");
            redacted.push_str(&piece[digits..]);
        } else {
            redacted.push_str(piece);
        }
    }
    redacted
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run {
            success: out.status.success(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The settings of the test sites: the timeline's window is 13 to 23 June 2025, in UTC.
pub const CONFIG: &str = include_str!("../fixtures/minimal/site.toml");

impl Site {
    /// An empty folder.
    pub fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A valid site: one source, one event citing it, the default config (the `minimal`
    /// fixture).
    pub fn new() -> Self {
        Self::fixture("minimal")
    }

    /// A copy of the site folder `tests/fixtures/NAME`.
    pub fn fixture(name: &str) -> Self {
        let site = Self::empty();
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_folder(&from, site.root());
        site
    }

    pub fn file(self, rel: &str, text: &str) -> Self {
        self.bytes(rel, text.as_bytes())
    }

    pub fn bytes(self, rel: &str, bytes: &[u8]) -> Self {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, bytes).expect("write");
        self
    }

    pub fn event(self, slug: &str, front: &str, body: &str) -> Self {
        self.file(
            &format!("content/events/{slug}.md"),
            &format!("---\n{front}\n---\n{body}\n"),
        )
    }

    pub fn source(self, id: &str, front: &str) -> Self {
        self.file(
            &format!("content/sources/{id}.md"),
            &format!("---\n{front}\n---\n"),
        )
    }

    pub fn remove(self, rel: &str) -> Self {
        fs::remove_file(self.path(rel)).expect("remove");
        self
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs `gen ARGS` in the site's folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let out: Output = Command::new(env!("CARGO_BIN_EXE_gen"))
            .args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .output()
            .expect("run gen");
        Run::from(out)
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    /// Builds and panics with the messages if the build failed.
    pub fn build_ok(&self) -> Run {
        let run = self.build();
        assert!(run.success, "build failed:\n{}", run.stderr);
        run
    }

    /// A file of the output folder, as text.
    pub fn read(&self, rel: &str) -> String {
        let path = self.path("public").join(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path("public").join(rel).exists()
    }

    /// Every file under `public/` with its bytes, for before/after comparisons.
    pub fn snapshot_output(&self) -> Vec<(PathBuf, Vec<u8>)> {
        files_under(&self.path("public"))
    }
}

/// Copies the files and folders under `from` into `to`.
fn copy_folder(from: &Path, to: &Path) {
    let entries = fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_folder(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file under `dir` (relative path, bytes), sorted.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    collect(dir, dir, &mut out);
    out.sort();
    out
}

/// The paths whose bytes differ between two listings (or that only one has).
pub fn differences(a: &[(PathBuf, Vec<u8>)], b: &[(PathBuf, Vec<u8>)]) -> Vec<PathBuf> {
    let left: std::collections::BTreeMap<_, _> = a.iter().map(|(p, x)| (p, x)).collect();
    let right: std::collections::BTreeMap<_, _> = b.iter().map(|(p, x)| (p, x)).collect();
    let mut out: Vec<PathBuf> = left
        .keys()
        .chain(right.keys())
        .filter(|p| left.get(*p) != right.get(*p))
        .map(|p| (*p).clone())
        .collect();
    out.dedup();
    out
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, out);
        } else {
            out.push((
                path.strip_prefix(base).expect("prefix").to_path_buf(),
                fs::read(&path).expect("read"),
            ));
        }
    }
}

/// All `href` and `src` values in an HTML page.
pub fn links(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("[href], [src]").expect("selector");
    doc.select(&selector)
        .filter_map(|e| e.value().attr("href").or_else(|| e.value().attr("src")))
        .map(str::to_owned)
        .collect()
}

/// A `<script>` in a built page is one of gen's own: the theme's `timeline.js`, `axis.js` or
/// `axis-fine.js` (empty, by `src`), or JSON-LD data whose text is JSON with no `<` that could end the element early.
pub fn assert_our_script(element: &scraper::ElementRef<'_>, page: &str) {
    let e = element.value();
    let text: String = element.text().collect();
    if e.attr("type") == Some("application/ld+json") {
        assert!(e.attr("src").is_none(), "{page}: JSON-LD with a src");
        assert!(!text.contains('<'), "{page}: '<' inside JSON-LD");
        assert!(
            serde_json::from_str::<serde_json::Value>(&text).is_ok(),
            "{page}: JSON-LD is not JSON: {text}"
        );
    } else {
        assert!(
            e.attr("src")
                .is_some_and(|s| ["timeline.js", "axis.js", "axis-fine.js"]
                    .iter()
                    .any(|ours| s.ends_with(ours))),
            "{page}: script from content"
        );
        assert!(text.trim().is_empty(), "{page}: inline script");
    }
}

/// Starts `gen watch` with `args` on `site`; every line it prints, on either stream, arrives
/// on the returned channel.
pub fn spawn_watch(site: &Site, args: &[&str]) -> (Child, Receiver<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gen"));
    command.arg("watch").args(args);
    crate::dev_server::spawn_lines(command, site.root())
}

/// True when the tests run as root, whom file permissions do not stop.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Runs `gen build` in `site` as `nobody`, for permission tests as root (whom permissions do
/// not stop); fails the test when it cannot (no setpriv, or not allowed to change user).
pub fn build_as_nobody(site: &Site) -> Run {
    const NEEDS: &str = "as root, this test runs gen as nobody with util-linux's setpriv";
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_gen"))
        .arg("build")
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("{NEEDS}: {e}"));
    let run = Run::from(out);
    assert!(
        !run.stderr.starts_with("setpriv:"),
        "{NEEDS}: {}",
        run.stderr
    );
    run
}
