//! Counts for the time axis when marks would be too many: per stretch of whole days on the
//! page ([`bins`]), and per ten minutes of one day in a small JSON file each ([`day_file`],
//! `axis/<date>.json`), which the script loads as the reader zooms in.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use super::axis_layout::{Window, midnight, rfc3339, round};
use super::labels::day_tick;
use crate::model::{Event, Timeline};

/// At most this many bins over the window.
const MAX_BINS: usize = 400;
/// The finer bins' step, in seconds.
const FINE_STEP: i64 = 600;

/// A count of events in a stretch of the window.
#[derive(Debug, Serialize)]
pub struct Bin {
    pub x: f64,
    pub w: f64,
    pub count: usize,
    /// Height relative to the fullest bin, in percent.
    pub h: f64,
    pub label: String,
    /// The day the bin starts on (its section on the index is `#day-<date>`).
    pub date: String,
    pub from: String,
    pub to: String,
}

/// The bin width: the first of a day, a week, thirty days that keeps the bins few.
fn bin_days(window: Window) -> i64 {
    let days = (window.end - window.start).num_days().max(1);
    [1, 7, 30, 365]
        .into_iter()
        .find(|step| days / step <= MAX_BINS as i64)
        .unwrap_or(365)
}

/// Counts of events per stretch of whole days (at least one day: a date-only event has no
/// place inside its day). Finer counts are in the files of [`day_file`].
pub fn bins(events: &[&Event], window: Window, zone: Tz) -> Vec<Bin> {
    let step = bin_days(window);
    let first = window.start.with_timezone(&zone).date_naive();
    let last = (window.end - Duration::seconds(1))
        .with_timezone(&zone)
        .date_naive();
    let span = (last - first).num_days() + 1;
    let count = usize::try_from((span + step - 1) / step)
        .unwrap_or(0)
        .max(1);
    let mut counts = vec![0usize; count];
    for e in events {
        let day = (e.date.day_in(zone) - first).num_days();
        if let Some(c) = usize::try_from(day / step)
            .ok()
            .and_then(|i| counts.get_mut(i))
        {
            *c += 1;
        }
    }
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    counts
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let from_day = first + Duration::days(step * i as i64);
            let to_day = (from_day + Duration::days(step - 1)).min(last);
            let (from, to) = (
                midnight(from_day, zone),
                midnight(to_day, zone) + Duration::days(1),
            );
            let x = window.place(from);
            let days = if from_day == to_day {
                day_tick(from_day)
            } else {
                format!("{} – {}", day_tick(from_day), day_tick(to_day))
            };
            Bin {
                x: round(x),
                w: round(window.place(to) - x),
                count: n,
                h: round(n as f64 / most as f64 * 100.0),
                label: format!("{days}: {n} event{}", if n == 1 { "" } else { "s" }),
                date: from_day.to_string(),
                from: rfc3339(from),
                to: rfc3339(to),
            }
        })
        .collect()
}

/// The finer counts of one day, as its file holds them.
#[derive(Debug, Serialize)]
struct DayFile {
    date: String,
    /// The day's first instant.
    start: String,
    /// Seconds per count.
    step: i64,
    /// Timed events per step, from `start` to the day's end.
    counts: Vec<usize>,
    /// Date-only events: they have no place inside the day.
    whole_day: usize,
}

/// `axis/<date>.json` for the timeline's day `day`.
pub fn day_file(timeline: &Timeline, day: usize) -> Vec<u8> {
    let zone = timeline.zone;
    let Some(d) = timeline.days.get(day) else {
        return Vec::new();
    };
    let events: Vec<&Event> = d.events.iter().map(|&i| &*timeline.events[i]).collect();
    let file = day_counts(&events, d.date, zone);
    serde_json::to_vec(&file).unwrap_or_default()
}

fn day_counts(events: &[&Event], date: NaiveDate, zone: Tz) -> DayFile {
    let window = Window::days(date, date, zone);
    let steps = (window.end - window.start).num_seconds() / FINE_STEP;
    let mut counts = vec![0; usize::try_from(steps).unwrap_or(0)];
    let mut whole_day = 0;
    for e in events {
        if e.date.is_day() {
            whole_day += 1;
            continue;
        }
        let at = (e.date.instant_in(zone) - window.start).num_seconds() / FINE_STEP;
        match usize::try_from(at).ok().and_then(|i| counts.get_mut(i)) {
            Some(c) => *c += 1,
            None => whole_day += 1,
        }
    }
    DayFile {
        date: date.to_string(),
        start: rfc3339(window.start),
        step: FINE_STEP,
        counts,
        whole_day,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::{EventDate, Precision};
    use crate::render::axis::tests::{ZONES, at, event};

    proptest! {
        #[test]
        fn bins_conserve_counts(
            written in prop::collection::vec((0i64..40 * 24 * 60, any::<bool>(), 0usize..5), 0..120),
            display in 0usize..5,
        ) {
            let zone = ZONES[display];
            let events: Vec<Event> = written
                .iter()
                .enumerate()
                .map(|(n, &(m, timed, z))| {
                    let date = at(m, ZONES[z]);
                    let date = if timed { date } else { EventDate::Day(date.day_in(zone)) };
                    event(n, date, None, Precision::Minute)
                })
                .collect();
            let refs: Vec<&Event> = events.iter().collect();
            let days: Vec<NaiveDate> = events.iter().map(|e| e.date.day_in(zone)).collect();
            let (Some(&first), Some(&last)) = (days.iter().min(), days.iter().max()) else {
                return Ok(());
            };
            let window = Window::days(first, last, zone);
            let counted: usize = bins(&refs, window, zone).iter().map(|b| b.count).sum();
            prop_assert_eq!(counted, events.len());
            for day in days.iter().copied().collect::<std::collections::BTreeSet<_>>() {
                let on: Vec<&Event> = refs.iter().copied().filter(|e| e.date.day_in(zone) == day).collect();
                let file = day_counts(&on, day, zone);
                prop_assert_eq!(file.counts.iter().sum::<usize>() + file.whole_day, on.len());
            }
        }
    }
}
