//! Parse: one file's text → its front-matter fields and rendered Markdown body.

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
}

pub fn parse(file: InputFile, policy: RawHtml) -> Result<Parsed, Vec<Diagnostic>> {
    let split = frontmatter::split(&file.path, &file.text).map_err(|d| vec![d])?;
    let known = match file.kind {
        Kind::Event => frontmatter::EVENT_KEYS,
        Kind::Source => frontmatter::SOURCE_KEYS,
        Kind::Page => frontmatter::PAGE_KEYS,
    };
    let (fields, problems) = frontmatter::parse(&file.path, &file.text, &split, known)?;
    let body = markdown::render(split.body, policy);
    Ok(Parsed {
        path: file.path,
        kind: file.kind,
        text: file.text,
        fields,
        body,
        problems,
    })
}
