//! `gen new` (one new event file) and `gen init` (a new site from the embedded defaults).

use std::fs;
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::assets::DEFAULT_STATIC;
use crate::config::CONFIG_FILE;
use crate::diagnostics::BuildFailure;
use crate::diagnostics::Diagnostic;
use crate::model::{EventDate, slugify};
use crate::pipeline::load_config;
use crate::render::DEFAULT_TEMPLATES;
use crate::site::BuildOptions;

/// Every place gen writes in a site made by `gen init`: the output folder and, beside it, the
/// spare copy of the site (`.public.spare`), the build lock (`.public.lock`), the media cache
/// (`.public.cache`) and what an
/// interrupted build leaves (`.public.staging-*`, `.public.old-*`).
const GITIGNORE: &str = "# What gen writes: the site, its spare copy, the build lock, the media cache and the\n# leftovers of interrupted builds.\n/public/\n/.public.*\n";

/// Writes `content/events/<date>-<title>.md` with the front matter filled in and returns its
/// path. The file is a draft until its sources are filled in; an existing file is never
/// overwritten (a numeric suffix keeps the slug unique).
pub fn new_event(root: &Path, title: &str, date: Option<&str>) -> Result<PathBuf, BuildFailure> {
    let config = load_config(&BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    })?;
    let zone = config.timezone;
    let written = match date {
        Some(d) => d.trim().to_owned(),
        None => Utc::now()
            .with_timezone(&zone)
            .format(&format!("%Y-%m-%dT%H:%M {}", zone.name()))
            .to_string(),
    };
    let parsed = EventDate::parse(&written).map_err(|e| {
        BuildFailure::from(Diagnostic::error("--date", e.message).with_hint(e.hint))
    })?;
    if title.trim().is_empty() {
        return Err(Diagnostic::error("TITLE", "the title is empty")
            .with_hint("gen new \"What happened\"")
            .into());
    }
    let dir = root.join("content").join("events");
    fs::create_dir_all(&dir)
        .map_err(|e| Diagnostic::error(&dir, format!("cannot create folder: {e}")))?;
    let base = format!("{}-{}", parsed.day_in(zone), slugify(title));
    let base: String = base
        .chars()
        .take(90)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned();
    let text = format!(
        "---\ntitle: {}\ndate: {written}\nlocation:\nactors: []\ntags: []\nimportance: normal\n# Cite at least one source by its file name in content/sources/, then delete `draft`.\nsources: []\n# A photo, map or document: put the file in content/media/ (or beside this file) and\n# uncomment these lines. alt describes the picture for readers who cannot see it.\n# media:\n#   - src: photo.jpg\n#     alt: What the picture shows\n#     credit: Agency / Photographer\n#     caption: What it shows, where and when\ndraft: true\n---\nWhat happened, in one or two sentences: this first paragraph is the summary.\n",
        yaml_string(title.trim())
    );
    for n in 1.. {
        let name = if n == 1 {
            format!("{base}.md")
        } else {
            format!("{base}-{n}.md")
        };
        let path = dir.join(name);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                use std::io::Write;
                file.write_all(text.as_bytes())
                    .map_err(|e| Diagnostic::error(&path, format!("cannot write: {e}")))?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(Diagnostic::error(&path, format!("cannot create file: {e}")).into());
            }
        }
    }
    unreachable!("the loop above only ends by returning")
}

/// A double-quoted YAML string.
fn yaml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Creates a new site in `dir` (which must not exist or be empty) and returns the files written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    if dir.exists()
        && fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(Diagnostic::error(dir, "the folder exists and is not empty")
            .with_hint("choose a new folder name"));
    }
    let today = Utc::now().date_naive();
    let event = format!(
        "---\ntitle: The first event\ndate: {today}\nactors: [Example actor]\ntags: [example]\nsources:\n  - id: example-source\n    quote: \"a short quote from the article\"\n---\nWhat happened, in your own words. The first paragraph is the summary on the index.\n\nMore detail can follow in **Markdown**.\n"
    );
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            CONFIG_FILE.to_owned(),
            b"title = \"My timeline\"\ndescription = \"What happened, day by day, with sources\"\nbase_url = \"https://example.org/\"\ntimezone = \"UTC\"\n".to_vec(),
        ),
        (format!("content/events/{today}-first-event.md"), event.into_bytes()),
        (
            "content/sources/example-source.md".to_owned(),
            format!("---\ntitle: Headline of the article\noutlet: Example News\npublished: {today}\nurl: https://example.org/article\n---\n").into_bytes(),
        ),
        (".gitignore".to_owned(), GITIGNORE.as_bytes().to_vec()),
    ];
    files.extend(
        DEFAULT_TEMPLATES
            .iter()
            .map(|(n, t)| (format!("templates/{n}"), t.as_bytes().to_vec())),
    );
    files.extend(
        DEFAULT_STATIC
            .iter()
            .map(|(n, b)| (format!("static/{n}"), b.to_vec())),
    );
    let mut written = Vec::new();
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| Diagnostic::error(parent, format!("cannot create folder: {e}")))?;
        }
        fs::write(&path, bytes)
            .map_err(|e| Diagnostic::error(&path, format!("cannot write: {e}")))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_strings_are_escaped() {
        assert_eq!(yaml_string("a \"b\" \\ c: d"), "\"a \\\"b\\\" \\\\ c: d\"");
    }
}
