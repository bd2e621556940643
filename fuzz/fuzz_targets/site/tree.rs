//! Writes a decoded input as files, folders and symbolic links into the site folder, never
//! through a link: a folder on the way that is not a real folder makes the entry be skipped,
//! and what is in the entry's place is removed (not followed) first.

use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path, PathBuf};

use crate::input::{
    Body, ConfigFile, Edit, Entry, EventSpec, Ext, Huge, Link, Name, Node, Pick, Place, Settings,
    SourceSpec, Target,
};
use crate::tables::*;
use crate::work::{Work, contains};

/// At most this many entries are written per build, and folders per entry.
const MAX_ENTRIES: usize = 40;
const MAX_FOLDERS: usize = 6;
/// The bytes all large files of one input may take together.
const HUGE_BUDGET: usize = 4 << 20;

/// Writes one input's files; remembers what it made, for links to point at.
pub struct Writer<'w> {
    work: &'w Work,
    /// The output folder, for links to it.
    output: PathBuf,
    /// Every path made so far.
    made: Vec<PathBuf>,
    /// Bytes left for large files.
    budget: usize,
    /// Whether any name or content written holds the secret (the fuzzer may learn it from
    /// the comparisons the checks make): the leak check is then skipped.
    pub tainted: bool,
}

impl<'w> Writer<'w> {
    pub fn new(work: &'w Work, output: PathBuf) -> Self {
        Writer {
            work,
            output,
            made: Vec::new(),
            budget: HUGE_BUDGET,
            tainted: false,
        }
    }

    /// Writes `site.toml` (or a link in its place, or nothing).
    pub fn config(&mut self, config: &ConfigFile) {
        let path = self.work.site.join("site.toml");
        let text = match config {
            ConfigFile::Written(settings) => settings_text(settings),
            ConfigFile::Edited(settings, edits) => edited(settings_text(settings), edits),
            ConfigFile::Raw(bytes) => bytes.0.clone(),
            ConfigFile::Missing => return,
            ConfigFile::Link(link) => return self.link(link, &path),
        };
        self.file(&path, text);
    }

    /// Writes the entries (the first [`MAX_ENTRIES`]), each over what is in its place.
    pub fn entries(&mut self, entries: &[Entry]) {
        for entry in entries.iter().take(MAX_ENTRIES) {
            self.entry(entry);
        }
    }

    fn entry(&mut self, entry: &Entry) {
        let mut names: Vec<OsString> = place(entry.place)
            .split('/')
            .filter(|p| !p.is_empty())
            .map(OsString::from)
            .collect();
        names.extend(
            entry
                .folders
                .iter()
                .take(MAX_FOLDERS)
                .map(|n| file_name(n, "")),
        );
        let Some(dir) = self.folders(&names) else {
            return;
        };
        let path = dir.join(file_name(&entry.name, ext(entry.ext)));
        self.taint(path.as_os_str().as_bytes());
        if !clear(&path) {
            return;
        }
        match &entry.node {
            Node::File(body) => {
                let bytes = self.body(body);
                self.file(&path, bytes);
            }
            Node::Folder => {
                if fs::create_dir(&path).is_ok() {
                    self.made.push(path);
                }
            }
            Node::Link(link) => self.link(link, &path),
        }
    }

    /// Makes the folders `names` under the site root, each a real folder; `None` when
    /// something else (a file, a link) is in the way.
    fn folders(&mut self, names: &[OsString]) -> Option<PathBuf> {
        let mut dir = self.work.site.clone();
        for name in names {
            dir.push(name);
            match fs::symlink_metadata(&dir) {
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => return None,
                Err(_) => {
                    fs::create_dir(&dir).ok()?;
                    self.made.push(dir.clone());
                }
            }
        }
        Some(dir)
    }

    fn file(&mut self, path: &Path, bytes: Vec<u8>) {
        self.taint(&bytes);
        let written = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut f| f.write_all(&bytes));
        if written.is_ok() {
            self.made.push(path.to_path_buf());
        }
    }

    fn link(&mut self, link: &Link, path: &Path) {
        let to = self.target(&link.to, path);
        let to = if link.absolute {
            to
        } else {
            relative(&to, path.parent().unwrap_or(path))
        };
        if std::os::unix::fs::symlink(&to, path).is_ok() {
            self.made.push(path.to_path_buf());
        }
    }

    /// Where a link at `path` points, as an absolute path.
    fn target(&self, target: &Target, path: &Path) -> PathBuf {
        let dir = path.parent().unwrap_or(path);
        match target {
            Target::Entry(i) if !self.made.is_empty() => {
                self.made[usize::from(*i) % self.made.len()].clone()
            }
            Target::Entry(_) | Target::Root => self.work.site.clone(),
            Target::Work => self.work.dir.clone(),
            Target::Output => self.output.clone(),
            Target::Itself => path.to_path_buf(),
            Target::Up(n) => {
                let depth = dir
                    .strip_prefix(&self.work.dir)
                    .map_or(0, |r| r.iter().count());
                let up = usize::from(*n) % depth.max(1) + 1;
                dir.ancestors()
                    .nth(up.min(depth))
                    .unwrap_or(dir)
                    .to_path_buf()
            }
            Target::Dangling(name) => {
                let mut gone = file_name(name, "").into_vec();
                gone.extend_from_slice(b".gone");
                dir.join(OsString::from_vec(gone))
            }
            Target::Secret(i) => self.work.secret_file(usize::from(*i)),
            Target::SecretFolder => self.work.secret.clone(),
        }
    }

    fn body(&mut self, body: &Body) -> Vec<u8> {
        match body {
            Body::Event(spec) => event(spec),
            Body::Source(spec) => source(spec),
            Body::Page { title, body } => {
                let mut out = b"---\n".to_vec();
                if let Some(title) = title {
                    line(&mut out, "title: ", &yaml(title, TITLES));
                }
                out.extend_from_slice(b"---\n");
                out.extend_from_slice(&body.get(BODIES));
                out
            }
            Body::Template { base, edits } => edited(
                TEMPLATES[usize::from(*base) % TEMPLATES.len()]
                    .as_bytes()
                    .to_vec(),
                edits,
            ),
            Body::Raw(bytes) => bytes.0.clone(),
            Body::Empty => Vec::new(),
            Body::Blank(n) => b" \n\t\r"
                .iter()
                .cycle()
                .take(usize::from(*n) % 64 + 1)
                .copied()
                .collect(),
            Body::Spoiled { event: spec, at } => {
                let mut bytes = event(spec);
                bytes.insert(usize::from(*at) % (bytes.len() + 1), 0xff);
                bytes
            }
            Body::Huge { shape, unit, scale } => self.huge(*shape, *unit, *scale),
            Body::Marker(names) => {
                let mut out = format!("{}\n", self.work.marker_header).into_bytes();
                for name in names {
                    out.extend_from_slice(b"0000000000000000 0 ");
                    out.extend_from_slice(file_name(name, "").as_bytes());
                    out.push(b'\n');
                }
                out
            }
        }
    }

    /// A file made by repeating a unit, within what is left of the budget.
    fn huge(&mut self, shape: Huge, unit: u8, scale: u8) -> Vec<u8> {
        let size = (1024_usize << (scale % 13)).min(self.budget);
        self.budget -= size;
        let unit = UNITS[usize::from(unit) % UNITS.len()];
        let text = unit.repeat(size / unit.len());
        let mut out = Vec::with_capacity(size + 64);
        match shape {
            Huge::Plain => {}
            Huge::EventBody => {
                out.extend_from_slice(b"---\ntitle: Huge\ndate: 2025-06-13\nsources: [s]\n---\n")
            }
            Huge::EventTitle => {
                out.extend_from_slice(b"---\ndate: 2025-06-13\nsources: [s]\ntitle: ");
                out.extend_from_slice(quote_yaml(&text).as_bytes());
                out.extend_from_slice(b"\n---\n");
                return out;
            }
            Huge::SourceOutlet => {
                out.extend_from_slice(b"---\ntitle: Huge\noutlet: ");
                out.extend_from_slice(quote_yaml(&text).as_bytes());
                out.extend_from_slice(b"\n---\n");
                return out;
            }
        }
        out.extend_from_slice(text.as_bytes());
        out
    }

    fn taint(&mut self, bytes: &[u8]) {
        if contains(bytes, self.work.secret_text.as_bytes()) {
            self.tainted = true;
        }
    }
}

/// Removes what is at `path` (a link itself, never what it points to); false if it stays.
fn clear(path: &Path) -> bool {
    match fs::symlink_metadata(path) {
        Err(_) => true,
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path).is_ok(),
        Ok(_) => fs::remove_file(path).is_ok(),
    }
}

/// The folder under the site root an entry goes in.
fn place(place: Place) -> &'static str {
    match place {
        Place::Events => "content/events",
        Place::Sources => "content/sources",
        Place::Content => "content",
        Place::Templates => "templates",
        Place::Static => "static",
        Place::Root => "",
    }
}

fn ext(ext: Ext) -> &'static str {
    match ext {
        Ext::Md => ".md",
        Ext::Html => ".html",
        Ext::None => "",
        Ext::Stock(i) => EXTS[usize::from(i) % EXTS.len()],
    }
}

/// A legal file name: `/` and NUL replaced, `.` and `..` prefixed, at most 255 bytes with
/// `ext` (the stem is cut, maybe inside a character).
pub fn file_name(name: &Name, ext: &str) -> OsString {
    let mut stem: Vec<u8> = match name {
        Name::Stock(i) => NAMES[usize::from(*i) % NAMES.len()].as_bytes().to_vec(),
        Name::Odd(i) => ODD_NAMES[usize::from(*i) % ODD_NAMES.len()].to_vec(),
        Name::Raw(bytes) => bytes.0.clone(),
        Name::Long { unit, len } => {
            let unit = ODD_NAMES[usize::from(*unit) % ODD_NAMES.len()];
            unit.iter()
                .copied()
                .cycle()
                .take(200 + usize::from(*len) % 56)
                .collect()
        }
    };
    for b in &mut stem {
        if *b == b'/' || *b == 0 {
            *b = b'_';
        }
    }
    stem.truncate(255 - ext.len());
    stem.extend_from_slice(ext.as_bytes());
    if stem.is_empty() || stem == b"." || stem == b".." {
        stem.insert(0, b'_');
    }
    OsString::from_vec(stem)
}

/// `to` as seen from the folder `from` (both absolute, without `..`).
fn relative(to: &Path, from: &Path) -> PathBuf {
    let to: Vec<Component<'_>> = to.components().collect();
    let from: Vec<Component<'_>> = from.components().collect();
    let common = to.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

fn settings_text(s: &Settings) -> Vec<u8> {
    let mut out = Vec::new();
    line(&mut out, "title = ", &toml(&s.title, TITLES));
    line(&mut out, "base_url = ", &toml(&s.base_url, BASE_URLS));
    if let Some(zone) = &s.timezone {
        line(&mut out, "timezone = ", &toml(zone, ZONES));
    }
    if let Some(policy) = &s.raw_html {
        line(&mut out, "raw_html = ", &toml(policy, RAW_HTML));
    }
    if let Some(dir) = &s.output_dir {
        let dir = file_name(dir, "");
        line(
            &mut out,
            "output_dir = ",
            quote_toml(&dir.to_string_lossy()).as_bytes(),
        );
    }
    for (key, value) in &s.numbers {
        let key = NUMBER_KEYS[usize::from(*key) % NUMBER_KEYS.len()];
        let value = match key {
            "feeds" => (value & 1 == 1).to_string(),
            _ => value.to_string(),
        };
        line(&mut out, &format!("{key} = "), value.as_bytes());
    }
    for extra in &s.extra {
        line(&mut out, "", &extra.get(CONFIG_LINES));
    }
    if let Some((start, end)) = &s.window {
        out.extend_from_slice(b"[timeline]\n");
        line(&mut out, "start = ", &start.get(WINDOW));
        line(&mut out, "end = ", &end.get(WINDOW));
    }
    out
}

fn event(spec: &EventSpec) -> Vec<u8> {
    let mut out = b"---\n".to_vec();
    line(&mut out, "title: ", &yaml(&spec.title, TITLES));
    line(&mut out, "date: ", &spec.date.get(DATES));
    for (key, terms) in [("actors", &spec.actors), ("tags", &spec.tags)] {
        if !terms.is_empty() {
            let items: Vec<Vec<u8>> = terms.iter().map(|t| yaml(t, TERMS)).collect();
            line(&mut out, &format!("{key}: ["), &items.join(&b", "[..]));
            out.pop();
            out.extend_from_slice(b"]\n");
        }
    }
    if !spec.sources.is_empty() {
        out.extend_from_slice(b"sources:\n");
        for (id, quote) in &spec.sources {
            let id = NAMES[usize::from(*id) % NAMES.len()];
            match quote {
                None => line(&mut out, "  - ", id.as_bytes()),
                Some(q) => {
                    line(&mut out, "  - id: ", id.as_bytes());
                    line(&mut out, "    quote: ", &yaml(q, QUOTES));
                }
            }
        }
    }
    for extra in &spec.extra {
        line(&mut out, "", &extra.get(EVENT_LINES));
    }
    if spec.draft {
        out.extend_from_slice(b"draft: true\n");
    }
    out.extend_from_slice(b"---\n");
    out.extend_from_slice(&spec.body.get(BODIES));
    out
}

fn source(spec: &SourceSpec) -> Vec<u8> {
    let mut out = b"---\n".to_vec();
    line(&mut out, "title: ", &yaml(&spec.title, TITLES));
    line(&mut out, "outlet: ", &yaml(&spec.outlet, OUTLETS));
    for extra in &spec.extra {
        line(&mut out, "", &extra.get(SOURCE_LINES));
    }
    out.extend_from_slice(b"---\n");
    out.extend_from_slice(&spec.body.get(BODIES));
    out
}

/// Appends `key`, `value` and a line break.
fn line(out: &mut Vec<u8>, key: &str, value: &[u8]) {
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(value);
    out.push(b'\n');
}

/// `bytes` with each edit applied in turn.
fn edited(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let at = usize::from(edit.at) % (bytes.len() + 1);
        let end = (at + usize::from(edit.cut)).min(bytes.len());
        bytes.splice(at..end, edit.insert.get(TOKENS).iter().copied());
    }
    bytes
}

/// A stock value as a YAML double-quoted string; raw bytes as they are.
fn yaml(pick: &Pick, table: &[&str]) -> Vec<u8> {
    match pick.stock(table) {
        Some(text) => quote_yaml(text).into_bytes(),
        None => pick.get(table).into_owned(),
    }
}

/// A stock value as a TOML basic string; raw bytes as they are.
fn toml(pick: &Pick, table: &[&str]) -> Vec<u8> {
    match pick.stock(table) {
        Some(text) => quote_toml(text).into_bytes(),
        None => pick.get(table).into_owned(),
    }
}

fn quote_yaml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn quote_toml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
