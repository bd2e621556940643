//! Fields: one parsed file's front-matter values read as text, lists, dates and addresses,
//! each defect turned into a diagnostic at its line. The per-file rules in `validate` are
//! written with these.

use super::frontmatter::{Field, Fields};
use super::parse::Parsed;
use crate::diagnostics::Diagnostic;
use crate::model::{EventDate, Slug};

/// One file's fields, with helpers that turn a defect into a diagnostic at its line.
pub struct FieldReader<'a> {
    pub file: &'a Parsed,
    /// Every problem found so far, starting with those parsing found.
    pub problems: Vec<Diagnostic>,
}

impl<'a> FieldReader<'a> {
    pub fn new(file: &'a Parsed) -> Self {
        Self {
            file,
            problems: file.problems.clone(),
        }
    }

    pub fn error(
        &mut self,
        line: usize,
        needle: Option<&str>,
        message: String,
        hint: Option<String>,
    ) {
        let text = &self.file.text;
        let column = needle
            .and_then(|n| {
                text.lines()
                    .nth(line - 1)
                    .and_then(|l| l.find(n).map(|b| l[..b].chars().count() + 1))
            })
            .unwrap_or(1);
        self.problems.push(
            Diagnostic::error(&self.file.path, message)
                .at(text, line, column)
                .maybe_hint(hint),
        );
    }

    pub fn fields(&self) -> &'a Fields {
        &self.file.fields
    }

    pub fn text(&mut self, key: &str) -> Option<String> {
        match self.fields().get(key) {
            None | Some((Field::Null, _)) => None,
            Some((Field::Text(t), _)) if !t.trim().is_empty() => Some(t.trim().to_owned()),
            Some((Field::Text(_), line)) => {
                self.error(line, Some(key), format!("`{key}` is empty"), None);
                None
            }
            Some((other, line)) => {
                let kind = other.kind();
                self.error(
                    line,
                    Some(key),
                    format!("`{key}` should be text, found {kind}"),
                    None,
                );
                None
            }
        }
    }

    pub fn required(&mut self, key: &str, example: &str) -> Option<String> {
        if self.fields().get(key).is_none() {
            self.error(
                1,
                None,
                format!("missing `{key}`"),
                Some(format!("add a line `{key}: {example}` to the front matter")),
            );
            return None;
        }
        self.text(key)
    }

    pub fn list(&mut self, key: &str) -> Vec<String> {
        match self.fields().get(key) {
            None | Some((Field::Null, _)) => Vec::new(),
            Some((Field::Text(t), _)) => vec![t.trim().to_owned()],
            Some((Field::List(items), line)) => {
                let mut out: Vec<String> = Vec::new();
                for item in items {
                    match item {
                        Field::Text(t) if !t.trim().is_empty() => {
                            if !out.iter().any(|o| o == t.trim()) {
                                out.push(t.trim().to_owned());
                            }
                        }
                        other => {
                            let kind = other.kind();
                            self.error(
                                line,
                                Some(key),
                                format!("every item of `{key}` should be a name, found {kind}"),
                                None,
                            );
                        }
                    }
                }
                out
            }
            Some((other, line)) => {
                let kind = other.kind();
                self.error(
                    line,
                    Some(key),
                    format!("`{key}` should be a list such as [Iran, Israel], found {kind}"),
                    None,
                );
                Vec::new()
            }
        }
    }

    pub fn date(&mut self, key: &str, required: bool) -> Option<EventDate> {
        let written = if required {
            self.required(key, "2025-06-13T09:30 Asia/Tehran")?
        } else {
            self.text(key)?
        };
        let line = self.fields().get(key).map_or(1, |(_, l)| l);
        match EventDate::parse(&written) {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(
                    line,
                    Some(&written),
                    format!("`{key}`: {}", e.message),
                    Some(e.hint),
                );
                None
            }
        }
    }

    pub fn url(&mut self, key: &str) -> Option<String> {
        let written = self.text(key)?;
        let line = self.fields().get(key).map_or(1, |(_, l)| l);
        match url::Url::parse(&written) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Some(written),
            _ => {
                self.error(
                    line,
                    Some(&written),
                    format!("`{key}` \"{written}\" is not an http(s) address"),
                    Some("write the full address, starting with https://".to_owned()),
                );
                None
            }
        }
    }

    pub fn slug_from_path(&mut self) -> Option<Slug> {
        let stem = self
            .file
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match Slug::parse(&stem) {
            Ok(s) => Some(s),
            Err(e) => {
                self.problems.push(
                    Diagnostic::error(&self.file.path, format!("file name {}", e.message))
                        .with_hint(format!("rename the file to `{}.md`", e.suggestion)),
                );
                None
            }
        }
    }
}
