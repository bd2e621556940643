//! Content files read, parsed and validated each on its own, in parallel ([`read_files`]). What survives is a [`ContentFile`]: the validated item, its
//! problems, and the front matter as written for the rules spanning files to point into. The
//! file's full text and parsed fields are let go as soon as it is validated.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono_tz::Tz;
use rayon::prelude::*;

use super::frontmatter::Field;
use super::load::{FileKind, InputFile};
use super::parse::{self, Parsed};
use super::{era, validate};
use crate::config::RawHtml;
use crate::diagnostics::{Diagnostic, locate};
use crate::model::{Era, Event, Page, Source};

/// One content file after reading, parsing and validating it on its own.
pub(crate) struct ContentFile {
    pub path: PathBuf,
    pub kind: FileKind,
    /// The model value, when the file gave one (an event can come back beside errors, so the
    /// rules spanning files still check it).
    pub validated: Option<Validated>,
    /// Every problem found in the file on its own: reading, parsing or validating it.
    pub problems: Vec<Diagnostic>,
    /// An event marked `draft: true`.
    pub draft: bool,
}

/// What a file validated into.
pub(crate) enum Validated {
    Event(Arc<Event>, FrontMatterText),
    /// The front matter is kept when the source has a url, the one thing of a source that a
    /// rule spanning files points at.
    Source(Arc<Source>, Option<FrontMatterText>),
    Era(Box<Era>, FrontMatterText),
    Page(Page),
}

/// A file's front matter as written (from the top of the file to its closing `---` line),
/// with the lines of the keys the rules spanning files name: what they need to point a
/// diagnostic at a line once the file's text and fields are gone. Every name those rules look
/// for was read from the front matter, so the file is never read again to find it (it may
/// have changed since it was validated).
pub(crate) struct FrontMatterText {
    /// The front matters of the files read together with this one (see [`read_piece`]).
    shared: Arc<str>,
    range: Range<usize>,
    sources_line: usize,
    date_line: usize,
}

impl FrontMatterText {
    fn new(shared: &Arc<str>, range: Range<usize>, file: &Parsed) -> Self {
        let line = |key: &str| file.fields.get(key).map_or(1, |(_, l)| l);
        Self {
            shared: Arc::clone(shared),
            range,
            sources_line: line("sources"),
            date_line: line("date"),
        }
    }

    fn text(&self) -> &str {
        self.shared.get(self.range.clone()).unwrap_or_default()
    }

    /// `d` pointed at the first line naming `needle` (the top of the file when none does).
    pub fn at_name(&self, d: Diagnostic, needle: &str) -> Diagnostic {
        let text = self.text();
        let (line, column) = locate(text, needle).unwrap_or((1, 1));
        d.at(text, line, column)
    }

    /// `d` pointed at the cited source `id`: its first mention from the `sources` key on.
    pub fn at_citation(&self, d: Diagnostic, id: &str) -> Diagnostic {
        let (text, from) = (self.text(), self.sources_line);
        let (line, column) = text
            .lines()
            .enumerate()
            .skip(from.saturating_sub(1))
            .find_map(|(i, l)| l.find(id).map(|b| (i + 1, l[..b].chars().count() + 1)))
            .unwrap_or((from, 1));
        d.at(text, line, column)
    }

    /// `d` pointed at the start of the `date` line.
    pub fn at_date(&self, d: Diagnostic) -> Diagnostic {
        d.at(self.text(), self.date_line, 1)
    }

    /// `d` pointed at the start of the line of the top-level `key` (the top of the file when
    /// there is none): for the keys of the few files no line was kept for, such as an era's.
    pub fn at_key(&self, d: Diagnostic, key: &str) -> Diagnostic {
        let text = self.text();
        let line = text
            .lines()
            .position(|l| {
                [
                    format!("{key}:"),
                    format!("\"{key}\":"),
                    format!("'{key}':"),
                ]
                .iter()
                .any(|k| l.starts_with(k.as_str()))
            })
            .map_or(1, |i| i + 1);
        d.at(text, line, 1)
    }
}

/// Parses and validates one file's text; returns every problem found (the rules spanning
/// files aside).
pub(crate) fn check_text(input: InputFile, policy: RawHtml, zone: Tz) -> Vec<Diagnostic> {
    let (path, kind) = (input.path.clone(), input.kind);
    let parsed = parse::parse(input, policy);
    validate_piece(vec![(path, kind, parsed)], zone)
        .into_iter()
        .flat_map(|file| file.problems)
        .collect()
}

fn parse_file(path: PathBuf, kind: FileKind, policy: RawHtml) -> Result<Parsed, Vec<Diagnostic>> {
    InputFile::read(path, kind)
        .map_err(|d| vec![d])
        .and_then(|input| parse::parse(input, policy))
}

/// Reads, parses and validates one piece of the listing, each file validated (and its text
/// and fields let go) as soon as it is parsed. The front matters of the piece are kept
/// together in one buffer: kept apart, each was a small allocation among the event's own
/// long-lived ones, and the holes they left once freed raised the peak memory of a
/// 100,000-event build by ~35 MB.
fn read_piece(piece: &[(PathBuf, FileKind)], policy: RawHtml, zone: Tz) -> Vec<ContentFile> {
    let mut buffer = String::new();
    let files = piece
        .iter()
        .map(|(path, kind)| {
            let parsed = parse_file(path.clone(), *kind, policy);
            validate_parsed(path, *kind, parsed, zone, &mut buffer)
        })
        .collect();
    share(files, buffer)
}

/// Validates parsed files one piece at a time (see [`read_piece`]).
fn validate_piece(
    parsed: Vec<(PathBuf, FileKind, Result<Parsed, Vec<Diagnostic>>)>,
    zone: Tz,
) -> Vec<ContentFile> {
    let mut buffer = String::new();
    let files = parsed
        .into_iter()
        .map(|(path, kind, parsed)| validate_parsed(&path, kind, parsed, zone, &mut buffer))
        .collect();
    share(files, buffer)
}

/// Points the front matter of each of `files` into `buffer`, which holds them all.
fn share(mut files: Vec<ContentFile>, buffer: String) -> Vec<ContentFile> {
    let shared: Arc<str> = buffer.into();
    for file in &mut files {
        if let Some(front_matter) = file.front_matter_mut() {
            front_matter.shared = Arc::clone(&shared);
        }
    }
    files
}

/// One parsed file validated, its front matter appended to `buffer` (the file's
/// [`FrontMatterText`] points into it once the piece's buffer is shared).
fn validate_parsed(
    path: &Path,
    kind: FileKind,
    parsed: Result<Parsed, Vec<Diagnostic>>,
    zone: Tz,
    buffer: &mut String,
) -> ContentFile {
    match parsed {
        Ok(parsed) => {
            let start = buffer.len();
            buffer.push_str(parsed.front_matter());
            let front_matter = FrontMatterText::new(&Arc::from(""), start..buffer.len(), &parsed);
            validate_file(parsed, zone, front_matter)
        }
        Err(problems) => ContentFile {
            path: path.to_path_buf(),
            kind,
            validated: None,
            problems,
            draft: false,
        },
    }
}

impl ContentFile {
    fn front_matter_mut(&mut self) -> Option<&mut FrontMatterText> {
        match &mut self.validated {
            Some(Validated::Event(_, front_matter)) => Some(front_matter),
            Some(Validated::Source(_, front_matter)) => front_matter.as_mut(),
            Some(Validated::Era(_, front_matter)) => Some(front_matter),
            Some(Validated::Page(_)) | None => None,
        }
    }
}

fn validate_file(parsed: Parsed, zone: Tz, front_matter: FrontMatterText) -> ContentFile {
    let (validated, problems) = match parsed.kind {
        FileKind::Event => {
            let (event, problems) = validate::event(&parsed, zone);
            let event = event.map(|e| Validated::Event(Arc::new(e), front_matter));
            (event, problems)
        }
        FileKind::Source => match validate::source(&parsed) {
            Ok(s) => {
                let front_matter = s.url.is_some().then_some(front_matter);
                (
                    Some(Validated::Source(Arc::new(s), front_matter)),
                    Vec::new(),
                )
            }
            Err(d) => (None, d),
        },
        FileKind::Era => match era::era(&parsed, zone) {
            Ok(e) => (Some(Validated::Era(Box::new(e), front_matter)), Vec::new()),
            Err(d) => (None, d),
        },
        FileKind::Page => match validate::page(&parsed) {
            Ok(p) => (Some(Validated::Page(p)), Vec::new()),
            Err(d) => (None, d),
        },
    };
    let draft = parsed.kind == FileKind::Event
        && parsed
            .fields
            .get("draft")
            .is_some_and(|(v, _)| *v == Field::Bool(true));
    ContentFile {
        path: parsed.path,
        kind: parsed.kind,
        validated,
        problems,
        draft,
    }
}

/// How many files one task reads, one after another.
const PIECE: usize = 64;

/// Reads, parses and validates every listed file, in parallel, in the listing's order.
pub(crate) fn read_files(
    listed: &[(PathBuf, FileKind)],
    policy: RawHtml,
    zone: Tz,
) -> Vec<ContentFile> {
    let pool = readers(listed.len());
    // Small pieces: a file's cost varies (an event with a long body, a short source), and
    // rayon does not split a piece once a core is working through it, so large pieces
    // left one core parsing alone for the last second of 125,000 files.
    let read_all = || -> Vec<ContentFile> {
        listed
            .par_chunks(PIECE)
            .flat_map_iter(|piece| read_piece(piece, policy, zone))
            .collect()
    };
    // Files not in the page cache make a read wait on the disk; with one thread per core,
    // a cold build of 125,000 files took twice as long as a warm one. More threads than
    // cores keep more reads in flight (the parsing between them costs little extra).
    match pool {
        Some(pool) => pool.install(read_all),
        None => read_all(),
    }
}

/// A pool with more threads than cores for reading many files, or `None` when there are few
/// (a rebuild after an edit) or the pool cannot be made (the global pool then serves).
fn readers(files: usize) -> Option<rayon::ThreadPool> {
    const MANY: usize = 2_000;
    (files >= MANY)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(rayon::current_num_threads() * 4)
                .build()
                .ok()
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_looked_for_in_the_front_matter_only() {
        // Written with a YAML escape, "Café" appears nowhere in the front matter as written.
        // A mention in the body is not where the name was given: the top of the file is
        // pointed at instead (when the whole text was searched, the body line was).
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a.md");
        let text = "---\ntitle: T\ndate: 2025-06-15\nactors: [\"Caf\\u00e9\", Iran]\nsources: [s]\n---\nCafé and Iran said so.\n";
        std::fs::write(&path, text).expect("write");
        let files = read_files(
            &[(path, FileKind::Event)],
            RawHtml::Sanitize,
            chrono_tz::UTC,
        );
        let file = &files[0];
        let Some(Validated::Event(event, front_matter)) = &file.validated else {
            panic!("no event: {:?}", file.problems);
        };
        assert_eq!(event.actors, ["Café", "Iran"]);
        let spot = |name: &str| {
            let d = front_matter.at_name(Diagnostic::warning(&file.path, "w"), name);
            (d.line, d.column, d.source_line)
        };
        assert_eq!(spot("Café"), (Some(1), Some(1), Some("---".to_owned())));
        assert_eq!(
            spot("Iran"),
            (
                Some(4),
                Some(23),
                Some("actors: [\"Caf\\u00e9\", Iran]".to_owned())
            )
        );
    }
}
