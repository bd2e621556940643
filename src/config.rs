//! `site.toml` → [`Config`]: a raw serde type that rejects unknown keys, turned once into a
//! validated type. The `toml` crate lives only here.

use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use crate::diagnostics::{Diagnostic, locate, nearest};
use crate::model::zone_hint;

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "site.toml";

const TOP_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "timezone",
    "output_dir",
    "raw_html",
    "feeds",
    "feed_limit",
    "index_limit",
    "page_size",
    "author",
    "timeline",
    "axis",
];
const TIMELINE_KEYS: &[&str] = &["start", "end"];
const AXIS_KEYS: &[&str] = &["lanes"];
/// The tables of site.toml and their keys, for telling where a misplaced key belongs.
const TABLES: &[(&str, &[&str])] = &[("timeline", TIMELINE_KEYS), ("axis", AXIS_KEYS)];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    description: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    output_dir: Option<String>,
    raw_html: Option<String>,
    feeds: Option<bool>,
    feed_limit: Option<usize>,
    index_limit: Option<usize>,
    page_size: Option<usize>,
    author: Option<String>,
    media_max_mb: Option<u64>,
    timeline: Option<RawTimeline>,
    axis: Option<RawAxis>,
    media: Option<RawMedia>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeline {
    start: Option<toml::Value>,
    end: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAxis {
    lanes: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMedia {
    embed_remote: Option<bool>,
}

/// What to do with raw HTML written inside Markdown bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawHtml {
    /// Keep safe markup, drop scripts, handlers and foreign URL schemes (the default).
    Sanitize,
    /// Trust the authors: raw HTML is copied as written.
    Allow,
    /// Show raw HTML as text.
    Escape,
}

/// How the time axis puts its marks into lanes (`[axis] lanes` in site.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lanes {
    /// As few lanes as keep marks from covering one another (the default).
    #[default]
    Packed,
    /// One band of lanes per event `group`, in order of first appearance; events without a
    /// group share a last band.
    Group,
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Absolute, always ending in `/`.
    pub base_url: String,
    /// The path part of `base_url`, always starting and ending in `/`.
    pub base_path: String,
    pub language: String,
    pub author: Option<String>,
    /// The display zone: day grouping and the times shown.
    pub timezone: Tz,
    /// Relative to the site root unless given on the command line.
    pub output_dir: PathBuf,
    pub raw_html: RawHtml,
    pub feeds: bool,
    /// How many of the newest events the feed carries.
    pub feed_limit: usize,
    /// Past this many events the index lists the days (linking to the day pages) instead of
    /// every event, so a very large timeline's front page stays usable.
    pub index_limit: usize,
    /// Day, source, actor and tag pages with more events than this are split into pages.
    pub page_size: usize,
    /// Inclusive window every event must fall in, in the display zone.
    pub window: Option<(NaiveDate, NaiveDate)>,
    /// How the time axis lays out its marks.
    pub lanes: Lanes,
    /// The largest local media file, in bytes (`media_max_mb`, 50 MB by default).
    pub media_max_bytes: u64,
    /// Whether remote videos of known hosts may be loaded on the reader's click
    /// (`[media] embed_remote`); never on page load.
    pub embed_remote: bool,
}

impl Config {
    /// Reads and validates `site.toml` text; `path` is used in diagnostics only.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| vec![toml_error(path, text, &e)])?;
        let mut check = Check {
            path,
            text,
            problems: Vec::new(),
        };
        let base_url = check.base_url(&raw.base_url);
        let timezone = check.timezone(raw.timezone.as_deref());
        let raw_html = check.raw_html(raw.raw_html.as_deref());
        let output_dir = check.output_dir(raw.output_dir.as_deref());
        let window = raw.timeline.as_ref().and_then(|t| check.window(t));
        let lanes = check.lanes(raw.axis.as_ref().and_then(|a| a.lanes.as_deref()));
        let Some((base, base_path)) = base_url.filter(|_| check.problems.is_empty()) else {
            return Err(check.problems);
        };
        Ok(Config {
            title: raw.title,
            description: raw.description.unwrap_or_default(),
            base_url: base,
            base_path,
            language: raw.language.unwrap_or_else(|| "en".to_owned()),
            author: raw.author,
            timezone,
            output_dir,
            raw_html,
            feeds: raw.feeds.unwrap_or(true),
            feed_limit: raw.feed_limit.unwrap_or(50),
            index_limit: raw.index_limit.unwrap_or(1000),
            page_size: raw.page_size.unwrap_or(100).max(1),
            window,
            lanes,
            media_max_bytes: raw.media_max_mb.unwrap_or(50).saturating_mul(1024 * 1024),
            embed_remote: raw.media.and_then(|m| m.embed_remote).unwrap_or(false),
        })
    }
}

/// The checks of `site.toml`'s values, each problem pointing at its key.
struct Check<'a> {
    path: &'a Path,
    text: &'a str,
    problems: Vec<Diagnostic>,
}

impl Check<'_> {
    /// Records `d`, pointed at the line of `key`.
    fn push(&mut self, key: &str, d: Diagnostic) {
        let d = match locate(self.text, &format!("{key} ")) {
            Some((line, column)) => d.at(self.text, line, column),
            None => d,
        };
        self.problems.push(d);
    }

    fn base_url(&mut self, raw: &str) -> Option<(String, String)> {
        match parse_base_url(raw) {
            Ok(parts) => Some(parts),
            Err(message) => {
                let d = Diagnostic::error(self.path, format!("base_url: {message}"))
                    .with_hint("write a full address such as \"https://example.org/timeline/\"");
                self.push("base_url", d);
                None
            }
        }
    }

    fn timezone(&mut self, raw: Option<&str>) -> Tz {
        let name = raw.unwrap_or("UTC");
        name.parse::<Tz>().unwrap_or_else(|_| {
            let name = raw.unwrap_or_default();
            let d = Diagnostic::error(self.path, format!("unknown time zone \"{name}\""))
                .with_hint(zone_hint(name));
            self.push("timezone", d);
            Tz::UTC
        })
    }

    fn raw_html(&mut self, raw: Option<&str>) -> RawHtml {
        match raw.unwrap_or("sanitize") {
            "sanitize" => RawHtml::Sanitize,
            "allow" => RawHtml::Allow,
            "escape" => RawHtml::Escape,
            other => {
                let message = format!(
                    "raw_html must be \"sanitize\", \"allow\" or \"escape\", not \"{other}\""
                );
                self.push("raw_html", Diagnostic::error(self.path, message));
                RawHtml::Sanitize
            }
        }
    }

    fn lanes(&mut self, raw: Option<&str>) -> Lanes {
        match raw.unwrap_or("packed") {
            "packed" => Lanes::Packed,
            "group" => Lanes::Group,
            other => {
                let message =
                    format!("[axis] lanes must be \"packed\" or \"group\", not \"{other}\"");
                let d = Diagnostic::error(self.path, message).with_hint(
                    "use \"packed\" (the default: as few lanes as fit) or \"group\" (lanes for each event `group`)",
                );
                self.push("lanes", d);
                Lanes::default()
            }
        }
    }

    fn output_dir(&mut self, raw: Option<&str>) -> PathBuf {
        let output_dir = PathBuf::from(raw.unwrap_or("public"));
        let escapes = output_dir
            .components()
            .any(|c| !matches!(c, Component::Normal(_)));
        if escapes || output_dir.as_os_str().is_empty() {
            let message = format!(
                "output_dir \"{}\" must be a folder inside the site",
                output_dir.display()
            );
            let d = Diagnostic::error(self.path, message).with_hint(
                "use a relative name such as \"public\"; to build elsewhere pass --output",
            );
            self.push("output_dir", d);
        }
        output_dir
    }

    fn window(&mut self, t: &RawTimeline) -> Option<(NaiveDate, NaiveDate)> {
        let (path, text) = (self.path, self.text);
        let start = window_date(path, text, "start", t.start.as_ref(), &mut self.problems);
        let end = window_date(path, text, "end", t.end.as_ref(), &mut self.problems);
        match (start, end) {
            (Some(s), Some(e)) if e < s => {
                let d = Diagnostic::error(path, "[timeline] end is before start");
                self.push("end", d);
                None
            }
            (Some(s), Some(e)) => Some((s, e)),
            _ => None,
        }
    }
}

impl Config {
    /// The same configuration published at another address (`gen build --base-url`).
    pub fn with_base_url(mut self, url: &str) -> Result<Config, String> {
        (self.base_url, self.base_path) = parse_base_url(url)?;
        Ok(self)
    }
}

/// Checks a base address; returns it and its path, both ending in `/`.
fn parse_base_url(text: &str) -> Result<(String, String), String> {
    match url::Url::parse(text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
            let mut path = u.path().to_owned();
            if !path.ends_with('/') {
                path.push('/');
            }
            let mut base = u.clone();
            base.set_path(&path);
            base.set_query(None);
            base.set_fragment(None);
            Ok((base.to_string(), path))
        }
        _ => Err(format!("\"{text}\" is not an http(s) address")),
    }
}

fn window_date(
    path: &Path,
    text: &str,
    key: &str,
    value: Option<&toml::Value>,
    problems: &mut Vec<Diagnostic>,
) -> Option<NaiveDate> {
    let value = value?;
    let written = match value {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match NaiveDate::parse_from_str(&written, "%Y-%m-%d") {
        Ok(date) => Some(date),
        Err(_) => {
            let mut d = Diagnostic::error(
                path,
                format!("[timeline] {key} \"{written}\" is not a date"),
            )
            .with_hint("write a date as 2025-06-13");
            if let Some((line, column)) = locate(text, &format!("{key} ")) {
                d = d.at(text, line, column);
            }
            problems.push(d);
            None
        }
    }
}

fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> Diagnostic {
    let message = error.message().to_owned();
    let mut d = Diagnostic::error(path, format!("site.toml: {message}"));
    if let Some(span) = error.span() {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        d = d.at(text, line, column);
    }
    if let Some(unknown) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    {
        let tables = TABLES.iter().flat_map(|(_, keys)| keys.iter());
        let known = TOP_KEYS.iter().chain(tables).copied();
        d = d.with_hint(match nearest(unknown, known) {
            // A right key in the wrong table: top-level keys written under a table, or a key
            // of one table written in another (or above them all).
            Some(key) if key == unknown && TOP_KEYS.contains(&key) => {
                format!("`{key}` is a top-level key: move it above the first [table] of site.toml")
            }
            Some(key) if key == unknown => {
                let table = TABLES
                    .iter()
                    .find(|(_, keys)| keys.contains(&key))
                    .map_or("timeline", |(name, _)| name);
                format!("`{key}` belongs under [{table}]")
            }
            Some(key) => format!("did you mean \"{key}\"?"),
            None => format!("known keys: {}", TOP_KEYS.join(", ")),
        });
    } else if message.starts_with("missing field") {
        d = d.with_hint("site.toml needs at least `title` and `base_url`");
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::parse(Path::new("site.toml"), text)
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = parse("title = \"T\"\nbase_url = \"https://example.org/timeline\"\n").unwrap();
        assert_eq!(c.base_url, "https://example.org/timeline/");
        assert_eq!(c.base_path, "/timeline/");
        assert_eq!(c.timezone, Tz::UTC);
        assert_eq!(c.output_dir, PathBuf::from("public"));
        assert_eq!(c.raw_html, RawHtml::Sanitize);
        assert!(c.feeds);
    }

    #[test]
    fn window_accepts_toml_dates() {
        let c = parse("title = \"T\"\nbase_url = \"https://e.org/\"\n[timeline]\nstart = 2025-06-13\nend = 2025-06-23\n").unwrap();
        let (s, e) = c.window.unwrap();
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2025-06-13".into(), "2025-06-23".into())
        );
    }

    #[test]
    fn unknown_key_names_line_and_nearest_key() {
        let errors =
            parse("title = \"T\"\nbase_url = \"https://e.org/\"\ntimezon = \"UTC\"\n").unwrap_err();
        assert_eq!(errors[0].line, Some(3));
        assert_eq!(
            errors[0].hint.as_deref(),
            Some("did you mean \"timezone\"?")
        );
    }

    #[test]
    fn a_top_level_key_under_timeline_is_told_where_it_belongs() {
        let errors = parse("title = \"T\"\nbase_url = \"https://e.org/\"\n[timeline]\nstart = 2025-06-13\npage_size = 1\n").unwrap_err();
        assert_eq!(errors[0].line, Some(5));
        assert_eq!(
            errors[0].hint.as_deref(),
            Some("`page_size` is a top-level key: move it above the first [table] of site.toml")
        );
    }

    const SITE: &str = "title = \"T\"\nbase_url = \"https://e.org/\"\n";

    #[test]
    fn lanes_are_packed_unless_the_axis_asks_for_groups() {
        assert_eq!(parse(SITE).unwrap().lanes, Lanes::Packed);
        let lanes = |value: &str| parse(&format!("{SITE}[axis]\nlanes = \"{value}\"\n"));
        assert_eq!(lanes("packed").unwrap().lanes, Lanes::Packed);
        assert_eq!(lanes("group").unwrap().lanes, Lanes::Group);
        let errors = lanes("groups").unwrap_err();
        assert_eq!(
            (errors[0].line, errors[0].message.as_str()),
            (
                Some(4),
                "[axis] lanes must be \"packed\" or \"group\", not \"groups\""
            )
        );
        assert!(errors[0].hint.as_deref().unwrap().contains("\"packed\""));
    }

    #[test]
    fn keys_of_the_axis_table_are_checked_and_placed() {
        let hint = |text: &str| {
            let errors = parse(&format!("{SITE}{text}")).unwrap_err();
            (errors[0].line, errors[0].hint.clone().unwrap_or_default())
        };
        assert_eq!(
            hint("[axis]\nlane = \"group\"\n"),
            (Some(4), "did you mean \"lanes\"?".to_owned())
        );
        assert_eq!(
            hint("lanes = \"group\"\n"),
            (Some(3), "`lanes` belongs under [axis]".to_owned())
        );
        assert_eq!(
            hint("[axis]\nstart = 2025-06-13\n"),
            (Some(4), "`start` belongs under [timeline]".to_owned())
        );
        assert_eq!(
            hint("[axis]\ntimezone = \"UTC\"\n"),
            (
                Some(4),
                "`timezone` is a top-level key: move it above the first [table] of site.toml"
                    .to_owned()
            )
        );
    }

    #[test]
    fn bad_zone_and_escaping_output_are_both_reported() {
        let errors = parse("title = \"T\"\nbase_url = \"https://e.org/\"\ntimezone = \"Asia/Tehrn\"\noutput_dir = \"../x\"\n").unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(
            errors[0].hint.as_deref(),
            Some("did you mean \"Asia/Tehran\"?")
        );
        assert_eq!(errors[1].line, Some(4));
    }
}
