//! The dates and addresses templates show, formatted in Rust (chrono-tz), so templates never
//! do zone arithmetic.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::model::{EventDate, Precision, WrittenZone, zone_abbreviation};

/// "Friday 13 June 2025".
pub fn day_label(day: NaiveDate) -> String {
    day.format("%A %-d %B %Y").to_string()
}

/// "13 June 2025".
pub fn day_label_short(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// "13 Jun", for the time axis's ticks and bins.
pub fn day_tick(day: NaiveDate) -> String {
    day.format("%-d %b").to_string()
}

/// An era's bound in the display zone: "13 Jun 03:00", or "23 Jun" for a date.
pub(super) fn bound_label(date: &EventDate, zone: Tz) -> String {
    match date {
        EventDate::Day(day) => day_tick(*day),
        EventDate::Instant { utc, .. } => {
            utc.with_timezone(&zone).format("%-d %b %H:%M").to_string()
        }
    }
}

pub fn datetime_attr(date: &EventDate) -> String {
    match date {
        EventDate::Day(d) => d.to_string(),
        EventDate::Instant { utc, .. } => utc.format("%Y-%m-%dT%H:%MZ").to_string(),
    }
}

fn approx(precision: Precision) -> &'static str {
    match precision {
        Precision::Hour | Precision::Approximate => "c. ",
        Precision::Minute | Precision::Day => "",
    }
}

pub(super) fn time_label(date: &EventDate, precision: Precision, zone: Tz) -> String {
    match date {
        EventDate::Instant { utc, .. } if precision != Precision::Day => {
            let local = utc.with_timezone(&zone);
            format!(
                "{}{} {}",
                approx(precision),
                local.format("%H:%M"),
                zone_abbreviation(zone, *utc)
            )
        }
        _ => String::new(),
    }
}

pub(super) fn local_label(date: &EventDate, precision: Precision, zone: Tz) -> Option<String> {
    let EventDate::Instant { utc, zone: written } = date else {
        return None;
    };
    if precision == Precision::Day || same_zone(*written, zone, *utc) {
        return None;
    }
    let (local, abbreviation) = written.local(*utc);
    let mut label = format!(
        "{}{} {abbreviation}",
        approx(precision),
        local.format("%H:%M")
    );
    if local.date() != utc.with_timezone(&zone).date_naive() {
        label.push_str(&local.format(" %-d %b").to_string());
    }
    Some(label)
}

fn same_zone(written: WrittenZone, display: Tz, utc: DateTime<Utc>) -> bool {
    match written {
        WrittenZone::Named(tz) => tz == display,
        WrittenZone::Utc => display == Tz::UTC || display.name() == "Etc/UTC",
        WrittenZone::Offset(offset) => {
            use chrono::Offset;
            utc.with_timezone(&display).offset().fix() == offset
        }
    }
}

pub(super) fn end_label(start: &EventDate, end: &EventDate, zone: Tz) -> String {
    match end {
        EventDate::Day(d) => day_label_short(*d),
        EventDate::Instant { utc, .. } => {
            let local = utc.with_timezone(&zone);
            if start.day_in(zone) == local.date_naive() {
                format!(
                    "{} {}",
                    local.format("%H:%M"),
                    zone_abbreviation(zone, *utc)
                )
            } else {
                format!(
                    "{} {}",
                    local.format("%-d %B %H:%M"),
                    zone_abbreviation(zone, *utc)
                )
            }
        }
    }
}

/// Characters a text fragment must escape: everything but letters and digits is safe to encode.
const FRAGMENT: &AsciiSet = NON_ALPHANUMERIC;

/// `url#:~:text=quote`, replacing any fragment the address had.
pub fn text_fragment(url: &str, quote: &str) -> String {
    let base = url.split('#').next().unwrap_or(url);
    format!("{base}#:~:text={}", utf8_percent_encode(quote, FRAGMENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> EventDate {
        EventDate::parse(text).unwrap()
    }

    #[test]
    fn local_time_is_shown_when_the_zone_differs() {
        let d = date("2025-06-22T02:30 Asia/Tehran");
        assert_eq!(time_label(&d, Precision::Minute, Tz::UTC), "23:00 UTC");
        assert_eq!(
            local_label(&d, Precision::Minute, Tz::UTC).as_deref(),
            Some("02:30 IRST 22 Jun")
        );
        assert_eq!(
            local_label(&d, Precision::Minute, chrono_tz::Asia::Tehran),
            None
        );
        assert_eq!(
            time_label(&d, Precision::Hour, chrono_tz::Asia::Tehran),
            "c. 02:30 IRST"
        );
    }

    #[test]
    fn offsets_equal_to_the_display_zone_are_not_repeated() {
        let d = date("2025-06-22T02:30+03:30");
        assert_eq!(
            local_label(&d, Precision::Minute, chrono_tz::Asia::Tehran),
            None
        );
        assert_eq!(
            local_label(&d, Precision::Minute, Tz::UTC).as_deref(),
            Some("02:30 UTC+03:30 22 Jun")
        );
    }

    #[test]
    fn text_fragments_encode_the_quote() {
        assert_eq!(
            text_fragment("https://a.org/x#top", "no, it's - fine"),
            "https://a.org/x#:~:text=no%2C%20it%27s%20%2D%20fine"
        );
    }
}
