//! Parse: one file's text → its front-matter fields and rendered Markdown body.

use std::borrow::Cow;
use std::path::PathBuf;

use super::frontmatter::{self, Fields};
use super::load::{InputFile, Kind};
use super::markdown::{self, Rendered};
use crate::config::RawHtml;
use crate::diagnostics::Diagnostic;

/// A content file after parsing, before validation.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub path: PathBuf,
    pub kind: Kind,
    /// The whole file, kept for pointing diagnostics at lines.
    pub text: String,
    pub fields: Fields,
    pub body: Rendered,
    /// Problems found so far that do not stop validation (unknown keys).
    pub problems: Vec<Diagnostic>,
    /// True once `text`, `fields` and the body's first paragraph were let go after
    /// validation (a single build keeps only what the timeline needs; see [`Parsed::full`]).
    pub slim: bool,
}

impl Parsed {
    /// Lets go of what only diagnostics need again (the text and the fields).
    pub fn slim_down(&mut self) {
        self.text = String::new();
        self.fields = frontmatter::Fields::default();
        self.body.first_paragraph = String::new();
        self.slim = true;
    }

    /// The file with its text and fields, for pointing a diagnostic at a line: this one, or,
    /// when it was slimmed down, the file read and its front matter parsed again (as it is on
    /// disk now; an empty text if it cannot be read).
    pub fn full(&self) -> Cow<'_, Parsed> {
        if !self.slim {
            return Cow::Borrowed(self);
        }
        // Only a plain file is read again: one replaced by a link since it was listed may
        // now lead outside the site (see `crate::confined`).
        let plain = std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.file_type().is_file());
        let text = if plain {
            crate::confined::read_text(&self.path).unwrap_or_default()
        } else {
            String::new()
        };
        let fields = frontmatter::split(&self.path, &text)
            .ok()
            .and_then(|split| {
                frontmatter::parse(&self.path, &text, &split, known_keys(self.kind)).ok()
            })
            .map(|(fields, _)| fields)
            .unwrap_or_default();
        Cow::Owned(Parsed {
            path: self.path.clone(),
            kind: self.kind,
            text,
            fields,
            body: self.body.clone(),
            problems: Vec::new(),
            slim: false,
        })
    }
}

fn known_keys(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Event => frontmatter::EVENT_KEYS,
        Kind::Source => frontmatter::SOURCE_KEYS,
        Kind::Page => frontmatter::PAGE_KEYS,
    }
}

pub fn parse(file: InputFile, policy: RawHtml) -> Result<Parsed, Vec<Diagnostic>> {
    let split = frontmatter::split(&file.path, &file.text).map_err(|d| vec![d])?;
    let (fields, mut problems) =
        frontmatter::parse(&file.path, &file.text, &split, known_keys(file.kind))?;
    let body = match markdown::try_render(split.body, policy) {
        Ok(body) => body,
        Err(deep) => {
            // The body runs to the end of the file, so it starts this many bytes in.
            let at = file.text.len() - split.body.len() + deep.offset;
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
        fields,
        body,
        problems,
        slim: false,
    })
}
