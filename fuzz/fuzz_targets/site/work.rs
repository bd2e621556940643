//! The `site` target's temporary folder, one per process, under /dev/shm (the temporary folder
//! where there is none): the site folder, outputs beside it, a link to the site, and outside
//! the site a folder of files holding a secret string unique to the process (the canary).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use timeline_gen::BuildOptions;

const PREFIX: &str = "gen-fuzz-site.";

pub struct Work {
    pub dir: PathBuf,
    pub site: PathBuf,
    /// Outputs beside the site (`--output`).
    pub beside: PathBuf,
    /// A link to the site folder.
    pub site_link: PathBuf,
    /// The folder outside the site holding the secret.
    pub secret: PathBuf,
    pub secret_text: String,
    /// Each file of the secret folder and its bytes.
    secret_files: Vec<(PathBuf, Vec<u8>)>,
    /// The first line of the marker gen writes into its output folders.
    pub marker_header: String,
    /// How many fields come before the path on each of its other lines.
    pub marker_fields: usize,
    /// The bytes of the input being run, written before it runs (see `site.rs`).
    pub last_input: PathBuf,
}

/// The files outside the site, each holding the secret somewhere gen would show it if it
/// read the file: a valid event, source, page, template, `site.toml` and static file, and
/// files whose error messages quote the line holding it.
fn secret_files(secret: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "event.md",
            format!("---\ntitle: {secret}\ndate: 2025-06-13\nsources: [s]\n---\n{secret}\n"),
        ),
        (
            "source.md",
            format!("---\ntitle: {secret}\noutlet: {secret}\n---\n{secret}\n"),
        ),
        ("page.md", format!("---\ntitle: {secret}\n---\n{secret}\n")),
        ("broken.md", format!("---\ntitle: {secret}: x: [\n---\n")),
        ("template.html", format!("<p>{secret}</p>\n")),
        ("broken.html", format!("{secret} {{% if %}}\n")),
        (
            "site.toml",
            format!("title = \"{secret}\"\nbase_url = \"https://example.org/\"\n"),
        ),
        (
            "bad.toml",
            format!("title = \"x\"\nbase_url = \"https://example.org/\"\n{secret} = 1\n"),
        ),
        ("plain.txt", format!("{secret}\n")),
        ("style.css", format!("/* {secret} */\n")),
    ]
}

impl Work {
    /// This process's folder, made on first use (the folders of finished runs are removed then).
    pub fn get() -> &'static Work {
        static WORK: OnceLock<Work> = OnceLock::new();
        WORK.get_or_init(Work::make)
    }

    fn make() -> Work {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        remove_stale(&base);
        let dir = base.join(format!("{PREFIX}{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let dir = dir.canonicalize().unwrap_or(dir);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        // Lower-case letters and digits only, so that escaping and slugs keep it whole.
        let secret_text = format!("gencanary{:08x}{:016x}", std::process::id(), nanos as u64);
        let secret = dir.join("secret");
        fs::create_dir(&secret).unwrap_or_else(|e| panic!("{}: {e}", secret.display()));
        let secret_files = secret_files(&secret_text)
            .into_iter()
            .map(|(name, text)| {
                let path = secret.join(name);
                fs::write(&path, &text).unwrap_or_else(|e| panic!("{name}: {e}"));
                (path, text.into_bytes())
            })
            .collect();
        let site_link = dir.join("site-link");
        std::os::unix::fs::symlink("site", &site_link).unwrap_or_else(|e| panic!("site-link: {e}"));
        let mut work = Work {
            site: dir.join("site"),
            beside: dir.join("out"),
            site_link,
            secret,
            secret_text,
            secret_files,
            marker_header: String::new(),
            marker_fields: 0,
            last_input: dir.join("last-input"),
            dir,
        };
        (work.marker_header, work.marker_fields) = work.first_build();
        work
    }

    /// Builds a small valid site once, to learn the marker's first line (it names gen's
    /// version) and how many fields precede the path on its other lines, and to know the
    /// harness writes sites gen accepts.
    fn first_build(&self) -> (String, usize) {
        self.clear();
        let files = [
            (
                "site.toml",
                "title = \"T\"\nbase_url = \"https://example.org/\"\n",
            ),
            (
                "content/events/a.md",
                "---\ntitle: A\ndate: 2025-06-13\nsources: [s]\n---\nBody.\n",
            ),
            ("content/sources/s.md", "---\ntitle: S\noutlet: O\n---\n"),
        ];
        for (name, text) in files {
            let path = self.site.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
        }
        let output = self.beside.join("first");
        let options = BuildOptions {
            root: self.site.clone(),
            output: Some(output.clone()),
            ..BuildOptions::default()
        };
        if let Err(e) = timeline_gen::build(&options) {
            panic!("the first build failed: {:?}", e.diagnostics);
        }
        let marker = fs::read_to_string(output.join(".gen-output")).unwrap();
        let index = marker.lines().find(|l| l.ends_with(" index.html")).unwrap();
        let fields = index.trim_end_matches("index.html").matches(' ').count();
        (marker.lines().next().unwrap().to_owned(), fields)
    }

    /// Empties the site folder and the outputs beside it.
    pub fn clear(&self) {
        for dir in [&self.site, &self.beside] {
            let _ = fs::remove_dir_all(dir);
            fs::create_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        }
    }

    /// One of the secret files (modulo how many).
    pub fn secret_file(&self, i: usize) -> PathBuf {
        self.secret_files[i % self.secret_files.len()].0.clone()
    }

    /// Panics unless the secret folder holds exactly what it was made with.
    pub fn check_secret_folder(&self) {
        let mut names: Vec<PathBuf> = fs::read_dir(&self.secret)
            .unwrap_or_else(|e| panic!("the secret folder: {e}"))
            .flatten()
            .map(|e| e.path())
            .collect();
        names.sort();
        let mut expected: Vec<PathBuf> = self.secret_files.iter().map(|(p, _)| p.clone()).collect();
        expected.sort();
        assert_eq!(
            names, expected,
            "files appeared in the folder outside the site"
        );
        for (path, bytes) in &self.secret_files {
            let meta = fs::symlink_metadata(path).unwrap();
            assert!(meta.is_file(), "{} is no longer a file", path.display());
            let now = fs::read(path).unwrap();
            assert!(
                now == *bytes,
                "{} outside the site was overwritten",
                path.display()
            );
        }
    }

    /// Every regular file under the temporary folder (not under the secret folder, not the
    /// input's bytes, and not through links) holding the secret.
    pub fn files_holding_secret(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        self.scan(&self.dir, &mut found);
        found
    }

    fn scan(&self, dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() && path != self.secret => self.scan(&path, found),
                Ok(t) if t.is_file() && path != self.last_input => {
                    let bytes = fs::read(&path).unwrap_or_default();
                    if contains(&bytes, self.secret_text.as_bytes()) {
                        found.push(path);
                    }
                }
                _ => {}
            }
        }
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Removes the folders left by runs whose process is gone (libFuzzer ends the process
/// without running destructors).
fn remove_stale(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
