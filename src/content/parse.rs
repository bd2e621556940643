//! Parse: one file's text → its front-matter fields and rendered Markdown body.

use std::path::PathBuf;

use super::frontmatter::{self, Fields};
use super::load::{FileKind, InputFile};
use super::markdown::{self, Rendered};
use crate::config::RawHtml;
use crate::diagnostics::Diagnostic;

/// A content file after parsing, before validation.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub path: PathBuf,
    pub kind: FileKind,
    /// The whole file, for pointing diagnostics at lines.
    pub text: String,
    /// Where the body starts in `text`: everything before is the front matter, with its
    /// `---` lines (and a byte-order mark, if the file has one).
    pub body_start: usize,
    pub fields: Fields,
    pub body: Rendered,
    /// Problems found so far that do not stop validation (unknown keys).
    pub problems: Vec<Diagnostic>,
}

impl Parsed {
    /// The front matter as written, from the top of the file to its closing `---` line.
    pub fn front_matter(&self) -> &str {
        &self.text[..self.body_start]
    }
}

fn known_keys(kind: FileKind) -> &'static [&'static str] {
    match kind {
        FileKind::Event => frontmatter::EVENT_KEYS,
        FileKind::Source => frontmatter::SOURCE_KEYS,
        FileKind::Era => frontmatter::ERA_KEYS,
        FileKind::Page => frontmatter::PAGE_KEYS,
    }
}

pub fn parse(file: InputFile, policy: RawHtml) -> Result<Parsed, Vec<Diagnostic>> {
    let split = frontmatter::split(&file.path, &file.text).map_err(|d| vec![d])?;
    let (fields, mut problems) =
        frontmatter::parse(&file.path, &file.text, &split, known_keys(file.kind))?;
    // The body runs to the end of the file, so it starts this many bytes in.
    let body_start = file.text.len() - split.body.len();
    let body = match markdown::try_render(split.body, policy) {
        Ok(body) => body,
        Err(deep) => {
            let at = body_start + deep.offset;
            let before = &file.text[..at];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            problems.push(
                if deep.html {
                    Diagnostic::error(
                        &file.path,
                        format!(
                            "raw HTML elements nest more than {} levels deep here",
                            markdown::MAX_HTML_NESTING
                        ),
                    )
                    .at(&file.text, line, column)
                    .with_hint("close the HTML elements or flatten them; gen refuses deeper nesting, which no text needs and which makes builds slow")
                } else {
                    Diagnostic::error(
                        &file.path,
                        format!(
                            "blockquotes and lists nest more than {} levels deep here",
                            markdown::MAX_NESTING
                        ),
                    )
                    .at(&file.text, line, column)
                    .with_hint("flatten the quotes or lists; gen refuses deeper nesting, which no text needs and which makes builds slow")
                },
            );
            return Err(problems);
        }
    };
    Ok(Parsed {
        path: file.path,
        kind: file.kind,
        text: file.text,
        body_start,
        fields,
        body,
        problems,
    })
}
