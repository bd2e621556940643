//! Validate an era file (`content/eras/*.md`): a named stretch of the timeline with a title,
//! a start, an end, optional sources and an optional Markdown body. The rules that span files
//! (cited sources exist, the era falls in the window) are in `assemble`.

use chrono_tz::Tz;

use super::fields::FieldReader;
use super::parse::Parsed;
use super::validate::{citations, end_after};
use crate::diagnostics::Diagnostic;
use crate::model::Era;

/// Validates one era file. The era comes back only when the file has no problem: nothing
/// else points at an era, so a broken one has nothing to be checked against.
pub fn era(file: &Parsed, zone: Tz) -> Result<Era, Vec<Diagnostic>> {
    let mut r = FieldReader::new(file);
    let slug = r.slug_from_path();
    let title = r.required("title", "The first days of strikes");
    let start = r.date("start", true);
    let end = r.date("end", true);
    end_after(&mut r, "start", start, end, zone);
    let citations = citations(&mut r, false);
    let media = super::media::media(&mut r, false).pop();
    match (slug, title, start, end, r.problems.is_empty()) {
        (Some(slug), Some(title), Some(start), Some(end), true) => Ok(Era {
            slug,
            title,
            start,
            end,
            citations,
            body_html: file.body.html.to_string(),
            media,
        }),
        _ => Err(r.problems),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::config::RawHtml;
    use crate::content::load::{FileKind, InputFile};
    use crate::content::parse::parse;
    use crate::model::EventDate;

    fn check(front: &str, body: &str) -> Result<Era, Vec<Diagnostic>> {
        let input = InputFile {
            path: PathBuf::from("content/eras/opening-strikes.md"),
            kind: FileKind::Era,
            text: format!("---\n{front}\n---\n{body}"),
        };
        let parsed = parse(input, RawHtml::Sanitize)?;
        era(&parsed, chrono_tz::Asia::Tehran)
    }

    /// Each problem as (line, message, hint).
    fn problems(front: &str) -> Vec<(usize, String, String)> {
        check(front, "")
            .expect_err("the era should be refused")
            .into_iter()
            .map(|d| {
                let hint = d.hint.unwrap_or_default();
                (d.line.unwrap_or(0), d.message, hint)
            })
            .collect()
    }

    #[test]
    fn an_era_has_a_title_dates_sources_and_a_body() {
        let era = check(
            "title: Opening strikes\nstart: 2025-06-13\nend: 2025-06-15T12:00 Asia/Tehran\nsources:\n  - a\n  - id: b\n    quote: said so",
            "The **first** days.<script>x</script>\n",
        )
        .expect("a valid era");
        assert_eq!(era.slug.as_str(), "opening-strikes");
        assert_eq!(era.title, "Opening strikes");
        assert_eq!(era.start, EventDate::parse("2025-06-13").expect("date"));
        let ids: Vec<&str> = era.citations.iter().map(|c| c.source.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(era.citations[1].quote.as_deref(), Some("said so"));
        assert_eq!(era.body_html, "<p>The <strong>first</strong> days.</p>\n");
    }

    #[test]
    fn sources_and_body_are_optional() {
        let era = check("title: T\nstart: 2025-06-13\nend: 2025-06-13", "").expect("era");
        assert!(era.citations.is_empty());
        assert_eq!(era.body_html, "");
    }

    #[test]
    fn title_start_and_end_are_required() {
        let hint =
            |key: &str, example: &str| format!("add a line `{key}: {example}` to the front matter");
        assert_eq!(
            problems("sources: [a]"),
            [
                (
                    1,
                    "missing `title`".into(),
                    hint("title", "The first days of strikes")
                ),
                (
                    1,
                    "missing `start`".into(),
                    hint("start", "2025-06-13T09:30 Asia/Tehran")
                ),
                (
                    1,
                    "missing `end`".into(),
                    hint("end", "2025-06-13T09:30 Asia/Tehran")
                ),
            ]
        );
    }

    #[test]
    fn end_before_start_is_compared_as_instants() {
        // 01:00 in Tehran is 21:30 UTC the day before: before a start of 22:00 UTC.
        assert_eq!(
            problems("title: T\nstart: 2025-06-13T22:00Z\nend: 2025-06-14T01:00 Asia/Tehran"),
            [(
                4,
                "`end` is before `start`".into(),
                "swap them, or check the zone of each".into()
            )]
        );
        check(
            "title: T\nstart: 2025-06-13T21:00Z\nend: 2025-06-14T01:00 Asia/Tehran",
            "",
        )
        .expect("end after start");
    }

    #[test]
    fn bad_dates_keys_and_sources_are_reported_at_their_lines() {
        let found =
            problems("title: T\nstart: 13 June\nend: 2025-06-14\nsources: [Bad Id]\ndraft: true");
        let lines: Vec<usize> = found.iter().map(|(line, _, _)| *line).collect();
        assert_eq!(lines, [6, 3, 5], "{found:?}");
        assert_eq!(found[0].1, "unknown front-matter key `draft`");
        assert!(found[1].1.starts_with("`start`: "), "{found:?}");
        assert!(found[2].1.starts_with("source id "), "{found:?}");
    }
}
