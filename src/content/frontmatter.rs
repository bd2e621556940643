//! Front matter: split a file into its YAML block and Markdown body, and read the YAML into
//! plain raw records. `serde_yaml` lives only in this file, so it can be swapped here alone.
//!
//! Positions are reported in lines of the whole file (not of the YAML block), so an editor
//! jumps to the right place.

use std::path::Path;

use serde_yaml::{Mapping, Value};

use crate::diagnostics::{Diagnostic, locate, nearest};

/// The front-matter keys an event may have.
pub const EVENT_KEYS: &[&str] = &[
    "title",
    "date",
    "end",
    "precision",
    "location",
    "actors",
    "tags",
    "importance",
    "sources",
    "disputed",
    "summary",
    "group",
    "media",
    "draft",
];
/// The front-matter keys a source may have.
pub const SOURCE_KEYS: &[&str] = &[
    "title",
    "outlet",
    "published",
    "url",
    "author",
    "language",
    "archive_url",
    "media",
];
/// The front-matter keys an era may have.
pub const ERA_KEYS: &[&str] = &["title", "start", "end", "sources", "media"];
/// The front-matter keys a free-standing page may have.
pub const PAGE_KEYS: &[&str] = &["title"];

/// A file split at its front matter.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// The file line the YAML block starts on (1-based).
    pub yaml_line: usize,
    pub body: &'a str,
}

/// Splits `text` at the `---` lines. Errors name the line where known.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(
            Diagnostic::error(path, "the file does not start with front matter")
                .at(text, 1, 1)
                .with_hint("begin the file with a line `---`, the YAML keys, then another `---`"),
        );
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for line in lines {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(path, "the front matter never closes")
        .at(text, 1, 1)
        .with_hint("add a line `---` after the last front-matter key"))
}

/// A front matter read into plain values, with the file line of each top-level key.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    map: Vec<(String, Field, usize)>,
}

/// One front-matter value, reduced to what the content model can hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Text(String),
    Bool(bool),
    List(Vec<Field>),
    Map(Vec<(String, Field)>),
    Null,
}

impl Fields {
    pub fn get(&self, key: &str) -> Option<(&Field, usize)> {
        self.map
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, line)| (v, *line))
    }
}

impl Field {
    /// What kind of value this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Bool(_) => "true/false",
            Self::List(_) => "a list",
            Self::Map(_) => "a mapping",
            Self::Null => "nothing",
        }
    }
}

/// Parses the YAML block; checks every top-level key against `known`. A syntax error is the
/// only failure; unknown keys (each with the nearest known key) come back beside the fields
/// so the rest of the file is still checked.
pub fn parse(
    path: &Path,
    text: &str,
    split: &Split<'_>,
    known: &[&str],
) -> Result<(Fields, Vec<Diagnostic>), Vec<Diagnostic>> {
    let value: Value = serde_yaml::from_str(split.yaml).map_err(|e| {
        let mut d = Diagnostic::error(path, format!("invalid YAML in front matter: {}", yaml_message(&e)));
        if let Some(loc) = e.location() {
            let (line, column) = yaml_position(split, loc.index());
            d = d.at(text, line, column);
        }
        vec![d.with_hint("check indentation, and quote text that contains `: ` or starts with [ { * & ! | > ' \" % @")]
    })?;
    let mapping = match value {
        Value::Mapping(m) => m,
        Value::Null => Mapping::new(),
        other => {
            return Err(vec![
                Diagnostic::error(
                    path,
                    format!(
                        "front matter must be `key: value` lines, found {}",
                        Field::from(other).kind()
                    ),
                )
                .at(text, split.yaml_line, 1),
            ]);
        }
    };
    let mut problems = Vec::new();
    let mut fields = Fields::default();
    for (key, value) in mapping {
        let key = match key {
            Value::String(s) => s,
            other => format!("{:?}", Field::from(other)),
        };
        let line = key_line(split, &key);
        if known.contains(&key.as_str()) {
            fields.map.push((key, Field::from(value), line));
        } else {
            let column = text
                .lines()
                .nth(line - 1)
                .and_then(|l| l.find(&key))
                .map_or(1, |b| b + 1);
            let hint = match nearest(&key, known.iter().copied()) {
                Some(k) => format!("did you mean `{k}`? (keys are case-sensitive)"),
                None => format!("known keys: {}", known.join(", ")),
            };
            problems.push(
                Diagnostic::error(path, format!("unknown front-matter key `{key}`"))
                    .at(text, line, column)
                    .with_hint(hint),
            );
        }
    }
    Ok((fields, problems))
}

/// The file line of a top-level key, or the first YAML line when it can't be found.
fn key_line(split: &Split<'_>, key: &str) -> usize {
    let wanted = format!("{key}:");
    split
        .yaml
        .lines()
        .position(|l| {
            l.starts_with(&wanted)
                || l.starts_with(&format!("\"{key}\":"))
                || l.starts_with(&format!("'{key}':"))
        })
        .or_else(|| locate(split.yaml, key).map(|(line, _)| line - 1))
        .map_or(split.yaml_line, |i| i + split.yaml_line)
}

/// The file line and column (1-based, in characters) of a byte offset into the YAML block.
/// Counted here rather than taken from libyaml's own line count, which also breaks lines at a
/// lone `\r`, U+0085, U+2028 and U+2029 where editors (and `str::lines`) do not: that count
/// could name a line past the end of the file.
fn yaml_position(split: &Split<'_>, index: usize) -> (usize, usize) {
    let mut end = index.min(split.yaml.len());
    while !split.yaml.is_char_boundary(end) {
        end -= 1;
    }
    let before = &split.yaml[..end];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        split.yaml_line + before.matches('\n').count(),
        before[line_start..].chars().count() + 1,
    )
}

fn yaml_message(error: &serde_yaml::Error) -> String {
    // serde_yaml appends " at line L column C"; the diagnostic shows the position itself.
    let text = error.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

impl From<Value> for Field {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(b),
            Value::Number(n) => Self::Text(n.to_string()),
            Value::String(s) => Self::Text(s),
            Value::Sequence(items) => Self::List(items.into_iter().map(Self::from).collect()),
            Value::Mapping(m) => Self::Map(
                m.into_iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Value::String(s) => s,
                            other => format!("{:?}", Self::from(other)),
                        };
                        (key, Self::from(v))
                    })
                    .collect(),
            ),
            Value::Tagged(tagged) => Self::from(tagged.value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path() -> &'static Path {
        Path::new("e.md")
    }

    #[test]
    fn splits_front_matter_and_body() {
        let text = "---\ntitle: A\n---\nBody\n";
        let s = split(path(), text).unwrap();
        assert_eq!((s.yaml, s.yaml_line, s.body), ("title: A\n", 2, "Body\n"));
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let text = "\u{feff}---\r\ntitle: A\r\n---\r\nBody\r\n";
        let s = split(path(), text).unwrap();
        assert_eq!(s.body, "Body\r\n");
    }

    #[test]
    fn unclosed_and_missing_front_matter_are_errors() {
        assert!(
            split(path(), "---\ntitle: A\n")
                .unwrap_err()
                .message
                .contains("never closes")
        );
        assert!(
            split(path(), "title: A\n")
                .unwrap_err()
                .message
                .contains("does not start")
        );
    }

    #[test]
    fn yaml_errors_carry_file_lines() {
        let text = "---\ntitle: A\ndate: [2025\n---\n";
        let s = split(path(), text).unwrap();
        let e = parse(path(), text, &s, EVENT_KEYS).unwrap_err();
        assert!(e[0].line.unwrap() >= 3, "{e:?}");
        assert!(!e[0].message.contains(" at line "), "{}", e[0].message);
    }

    #[test]
    fn yaml_errors_point_at_lines_of_the_file() {
        // Found by the `frontmatter` fuzz target: libyaml counts a lone `\r` as a line break,
        // so its line 6 was past the end of this 3-line file.
        let text = "---\na: 1\rb: 2\rc: 3\rd: [\n---\n";
        let s = split(path(), text).unwrap();
        let e = parse(path(), text, &s, EVENT_KEYS).unwrap_err();
        assert!(e[0].line.unwrap() <= 3, "{e:?}");
        assert!(e[0].source_line.is_some(), "{e:?}");
        // Multi-byte characters before the error: the column is counted in characters.
        let text = "---\ndate: 1\ntitle: é: x\n---\n";
        let s = split(path(), text).unwrap();
        let e = parse(path(), text, &s, EVENT_KEYS).unwrap_err();
        assert_eq!((e[0].line, e[0].column), (Some(3), Some(9)), "{e:?}");
    }

    #[test]
    fn every_unknown_key_is_reported_with_its_line() {
        let text = "---\ntitel: A\ndate: 2025-06-13\nsorces: [a]\n---\n";
        let s = split(path(), text).unwrap();
        let (_, e) = parse(path(), text, &s, EVENT_KEYS).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(
            (e[0].line, e[0].hint.as_deref()),
            (
                Some(2),
                Some("did you mean `title`? (keys are case-sensitive)")
            )
        );
        assert_eq!(e[1].line, Some(4));
    }

    #[test]
    fn scalars_become_text() {
        let text = "---\ntitle: 1984\ndraft: true\n---\n";
        let s = split(path(), text).unwrap();
        let (f, _) = parse(path(), text, &s, EVENT_KEYS).unwrap();
        assert_eq!(f.get("title"), Some((&Field::Text("1984".into()), 2)));
        assert_eq!(f.get("draft"), Some((&Field::Bool(true), 3)));
    }
}
