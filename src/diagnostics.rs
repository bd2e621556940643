//! Problems found in a site, as data: collected across the whole run and rendered once.
//!
//! A [`Diagnostic`] names the file, the line and column where the defect has one, what is
//! wrong, and a hint. Rendering follows `path:line:col: error: message`, then the source line
//! with a caret, then `help: hint`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};

/// How bad a problem is: errors fail the build, warnings are printed and the build goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one input file (or in the site as a whole when `path` is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// 1-based line in the file, where the defect has one.
    pub line: Option<usize>,
    /// 1-based column (in characters) on that line.
    pub column: Option<usize>,
    pub severity: Severity,
    pub message: String,
    pub hint: Option<String>,
    /// The text of the offending line, for the caret display.
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(path.into(), Severity::Error, message.into())
    }

    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(path.into(), Severity::Warning, message.into())
    }

    fn new(path: PathBuf, severity: Severity, message: String) -> Self {
        Self {
            path,
            line: None,
            column: None,
            severity,
            message,
            hint: None,
            source_line: None,
        }
    }

    /// Points the diagnostic at `line`/`column` (1-based) of `text`, the whole file.
    #[must_use]
    pub fn at(mut self, text: &str, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column.max(1));
        self.source_line = text.lines().nth(line.saturating_sub(1)).map(str::to_owned);
        self
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    #[must_use]
    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic; `root` is stripped from the path so messages stay short. Without
    /// `color` the text holds no escape codes at all.
    pub fn render(&self, root: &Path, color: bool) -> String {
        let paint = |style: Style, text: &str| {
            if color {
                format!("{style}{text}{style:#}")
            } else {
                text.to_owned()
            }
        };
        let path = self.path.strip_prefix(root).unwrap_or(&self.path);
        let mut location = path.display().to_string();
        if let Some(line) = self.line {
            let _ = write!(location, ":{line}");
            if let Some(column) = self.column {
                let _ = write!(location, ":{column}");
            }
        }
        let label = match self.severity {
            Severity::Error => paint(ERROR, "error"),
            Severity::Warning => paint(WARNING, "warning"),
        };
        let mut out = if location.is_empty() {
            format!("{label}: {}\n", self.message)
        } else {
            format!(
                "{}: {label}: {}\n",
                paint(LOCATION, &location),
                self.message
            )
        };
        if let (Some(line), Some(text)) = (self.line, &self.source_line) {
            let (text, column) = excerpt(text, self.column);
            let gutter = line.to_string().len();
            let _ = writeln!(out, "{:gutter$} |", "");
            let _ = writeln!(out, "{line} | {text}");
            if let Some(column) = column {
                let pad: String = text
                    .chars()
                    .take(column - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = writeln!(out, "{:gutter$} | {pad}{}", "", paint(ERROR, "^"));
            }
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(out, "  = {}: {hint}", paint(HELP, "help"));
        }
        out
    }
}

/// The styles of a coloured diagnostic: bold location, bold red errors and carets, bold
/// yellow warnings, bold cyan help.
const LOCATION: Style = Style::new().bold();
const ERROR: Style = LOCATION.fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const WARNING: Style = LOCATION.fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const HELP: Style = LOCATION.fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));

/// Characters of a source line shown under a message; longer lines are cut around the column.
const EXCERPT: usize = 100;

/// The part of a long source line worth showing (a window around the column, with `…` where
/// text was cut) and the column within it, so a 20 kB line prints as one readable line.
fn excerpt(text: &str, column: Option<usize>) -> (String, Option<usize>) {
    let count = text.chars().count();
    if count <= EXCERPT {
        return (text.to_owned(), column);
    }
    let at = column.unwrap_or(1).clamp(1, count + 1) - 1;
    let start = at
        .saturating_sub(EXCERPT / 2)
        .min(count.saturating_sub(EXCERPT));
    let end = (start + EXCERPT).min(count);
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(text.chars().skip(start).take(end - start));
    if end < count {
        shown.push('…');
    }
    let column = column.map(|_| at - start + 1 + usize::from(start > 0));
    (shown, column)
}

/// Sorts diagnostics for display: by file, then line, errors before warnings at a tie.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.severity, &a.message)
            .cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
    });
}

/// The candidate closest to `wanted`, if any is close enough to be a likely typo.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let wanted_chars = wanted_lower.chars().count();
    candidates
        .into_iter()
        .filter_map(|c| {
            let limit = (c.chars().count().max(wanted.len()) / 3).max(2);
            let c_lower = c.to_lowercase();
            // The distance is at least the difference in length: a name far longer or shorter
            // than a candidate is refused without the comparison, which is quadratic (a
            // paragraph written as a zone name took seconds against every IANA zone).
            if wanted_chars.abs_diff(c_lower.chars().count()) > limit {
                return None;
            }
            let distance = strsim::damerau_levenshtein(&wanted_lower, &c_lower);
            (distance <= limit).then_some((distance, c))
        })
        .min_by_key(|(distance, c)| (*distance, *c))
        .map(|(_, c)| c)
}

/// Finds the first line of `text` that contains `needle`; returns (line, column), 1-based.
pub fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    if needle.is_empty() {
        return None;
    }
    text.lines().enumerate().find_map(|(index, line)| {
        line.find(needle)
            .map(|byte| (index + 1, line[..byte].chars().count() + 1))
    })
}

/// A failed run: every problem found, errors and warnings, sorted for display.
#[derive(Debug)]
pub struct BuildFailure {
    pub diagnostics: Vec<Diagnostic>,
}

impl From<Vec<Diagnostic>> for BuildFailure {
    fn from(mut diagnostics: Vec<Diagnostic>) -> Self {
        sort(&mut diagnostics);
        Self { diagnostics }
    }
}

impl From<Diagnostic> for BuildFailure {
    fn from(d: Diagnostic) -> Self {
        Self {
            diagnostics: vec![d],
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn long_source_lines_are_cut_around_the_column() {
        let line = format!("{}X{}", "a".repeat(5_000), "b".repeat(5_000));
        let (shown, column) = super::excerpt(&line, Some(5_001));
        assert!(shown.chars().count() <= super::EXCERPT + 2, "{shown}");
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        let caret = column.expect("column");
        assert_eq!(shown.chars().nth(caret - 1), Some('X'));
        assert_eq!(
            super::excerpt("short", Some(3)),
            ("short".to_owned(), Some(3))
        );
        let (start, column) = super::excerpt(&"c".repeat(500), Some(2));
        assert!(!start.starts_with('…') && start.ends_with('…'));
        assert_eq!(column, Some(2));
    }

    use super::*;

    #[test]
    fn renders_location_source_line_caret_and_hint() {
        let text = "---\ntitle: x\nsources: [toi-putn]\n---\n";
        let d = Diagnostic::error("/site/content/events/a.md", "unknown source \"toi-putn\"")
            .at(text, 3, 11)
            .with_hint("did you mean \"toi-putin\"?");
        let shown = d.render(Path::new("/site"), false);
        assert_eq!(
            shown,
            "content/events/a.md:3:11: error: unknown source \"toi-putn\"\n  |\n3 | sources: [toi-putn]\n  |           ^\n  = help: did you mean \"toi-putin\"?\n"
        );
    }

    #[test]
    fn colour_marks_only_the_label_location_caret_and_help() {
        let text = "a\nbad: x\n";
        let d = Diagnostic::warning("/site/a.md", "odd")
            .at(text, 2, 6)
            .with_hint("fix it");
        let plain = d.render(Path::new("/site"), false);
        assert!(!plain.contains('\u{1b}'), "{plain:?}");
        let shown = d.render(Path::new("/site"), true);
        assert_eq!(
            shown,
            "\u{1b}[1ma.md:2:6\u{1b}[0m: \u{1b}[1m\u{1b}[33mwarning\u{1b}[0m: odd\n  |\n2 | bad: x\n  |      \u{1b}[1m\u{1b}[31m^\u{1b}[0m\n  = \u{1b}[1m\u{1b}[36mhelp\u{1b}[0m: fix it\n"
        );
        let error = Diagnostic::error("", "no site").render(Path::new(""), true);
        assert_eq!(error, "\u{1b}[1m\u{1b}[31merror\u{1b}[0m: no site\n");
    }

    #[test]
    fn nearest_finds_typos_and_ignores_strangers() {
        let known = ["title", "date", "sources", "precision"];
        assert_eq!(nearest("titel", known), Some("title"));
        assert_eq!(nearest("source", known), Some("sources"));
        assert_eq!(nearest("zebra-crossing", known), None);
    }

    #[test]
    fn locate_reports_one_based_positions() {
        assert_eq!(locate("a\nbc: xy\n", "xy"), Some((2, 5)));
        assert_eq!(locate("a\n", "zz"), None);
    }
}
