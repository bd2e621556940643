//! Dates: arbitrary text read as an event date (`2025-06-13`, `…T02:30+03:30`, `…Z`,
//! `…T02:30 Asia/Tehran`) and as a zone name.
//!
//! Checks: no panic in parsing, in the hint for a misspelt zone, or in anything the pages do
//! with a date (its day and instant in several display zones, its wall-clock time and zone
//! name); and a date written back in `gen`'s own form (`Display`) reads back to the same day
//! or the same instant.

#![no_main]

use chrono_tz::Tz;
use libfuzzer_sys::fuzz_target;
use timeline_gen::model::{EventDate, zone_abbreviation, zone_hint};

/// Display zones far apart, with and without daylight saving and odd offsets.
const ZONES: [Tz; 5] = [
    Tz::UTC,
    Tz::Asia__Tehran,
    Tz::America__New_York,
    Tz::Pacific__Kiritimati,
    Tz::Pacific__Pago_Pago,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match EventDate::parse(text) {
        Ok(date) => {
            let _ = date.natural_precision();
            for zone in ZONES {
                let _ = date.day_in(zone);
                let _ = date.instant_in(zone);
            }
            if let EventDate::Instant { utc, zone } = date {
                let _ = zone.local(utc);
                let _ = zone.name();
                for tz in ZONES {
                    let _ = zone_abbreviation(tz, utc);
                }
            }
            let written = date.to_string();
            let again = EventDate::parse(&written)
                .unwrap_or_else(|e| panic!("{text:?} was read, but {written:?} is not: {e:?}"));
            match (date, again) {
                (EventDate::Day(a), EventDate::Day(b)) => assert_eq!(a, b, "{text:?}"),
                (EventDate::Instant { utc: a, .. }, EventDate::Instant { utc: b, .. }) => {
                    assert_eq!(a, b, "{text:?}")
                }
                _ => panic!("{text:?} and {written:?} are read as different kinds of date"),
            }
        }
        Err(e) => assert!(!e.message.is_empty() && !e.hint.is_empty(), "{e:?}"),
    }
    // The text as a zone name, as `site.toml`'s `timezone` is read.
    if text.parse::<Tz>().is_err() {
        let _ = zone_hint(text);
    }
});
