//! The time axis over a page's events: each event a mark placed in proportion to its instant
//! in the display zone, spans as bars, marks packed into lanes so none covers another, day and
//! hour ticks, era bands, and past `index_limit` (or too many lanes) bins of counts instead of
//! marks. Positions are percentages of the axis window; the template places them with CSS, so
//! the axis is read without JavaScript and `static/axis.js` only zooms, pans and selects a range.

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use super::axis_bins::{Bin, bins};
use super::axis_layout::{Extent, midnight, pack, point_extent, rfc3339, round, span_extent};
use super::axis_ticks::{Tick, ticks};
use super::labels::day_tick;
use super::views::{EraView, Views};
use crate::config::Lanes;
use crate::model::{Event, Precision, Timeline};

pub use super::axis_layout::Window;

/// More lanes than this and the axis shows bins instead: a wall of marks reads as density.
pub const MAX_LANES: usize = 24;

/// An axis as templates see it.
#[derive(Debug, Serialize)]
pub struct AxisView {
    /// The window's bounds, RFC 3339.
    pub start: String,
    pub end: String,
    pub zone: String,
    /// One sentence for every reader, screen readers first: what the axis shows.
    pub summary: String,
    /// How many lanes of marks (0 when binned).
    pub lanes: usize,
    pub marks: Vec<Mark>,
    /// Groups' names and first lanes, when lanes are by group.
    pub groups: Vec<GroupLabel>,
    pub bins: Vec<Bin>,
    pub ticks: Vec<Tick>,
    pub eras: Vec<EraBand>,
    /// How many rows of era bands.
    pub era_rows: usize,
    /// Which kinds of marks are present, for the legend.
    pub legend: Legend,
    /// The folder of the finer bins' files (`axis/`), when the axis is binned and they exist.
    pub fine: Option<String>,
}

/// One event on the axis.
#[derive(Debug, Serialize)]
pub struct Mark {
    pub slug: String,
    pub title: String,
    /// Left edge of a span, or the centre of a point, in percent.
    pub x: f64,
    /// Width in percent, for spans and whole days; 0 for points.
    pub w: f64,
    pub lane: usize,
    /// "exact", "approximate" (`approximate` or `hour` precision: the list says "c."), "day"
    /// (date only: drawn across its day) or "span".
    pub kind: &'static str,
    /// The event's time as the list shows it, e.g. "22:40 UTC" (the day for date-only events).
    pub time: String,
    /// RFC 3339 instant (midnight in the display zone for date-only events), for filtering.
    pub at: String,
    /// `x`, `w` and `lane` as the mark's CSS: made here, since every lookup in a template's
    /// loop costs (a list page draws up to `page_size` marks).
    pub style: String,
    /// `kind`, plus where its tip opens so the axis's frame does not cut it: `r` (leftwards,
    /// in the right part of the axis), `b` (below, in the top two lanes).
    pub class: String,
}

#[derive(Debug, Serialize)]
pub struct GroupLabel {
    pub name: String,
    pub lane: usize,
}

#[derive(Debug, Serialize)]
pub struct EraBand {
    pub slug: String,
    pub title: String,
    pub label: String,
    pub x: f64,
    pub w: f64,
    pub row: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct Legend {
    pub exact: bool,
    pub approximate: bool,
    pub day: bool,
    pub span: bool,
    /// Some event has media (its mark carries a dot).
    pub media: bool,
}

/// What one page's axis is drawn over.
pub struct Scope<'a> {
    pub timeline: &'a Timeline,
    pub views: &'a Views,
    /// The events shown on the page, in timeline order.
    pub events: &'a [usize],
    /// The window; `None`: the whole days the events cover.
    pub window: Option<Window>,
    /// Bins instead of marks past this many events.
    pub limit: usize,
    /// The finer bins' folder, passed on when the axis is binned.
    pub fine: Option<String>,
}

/// The axis over `scope`'s events, or `None` when there is nothing to place.
pub fn axis(scope: &Scope<'_>) -> Option<AxisView> {
    let zone = scope.timeline.zone;
    let window = scope.window.or_else(|| extent(scope))?;
    let events: Vec<&Event> = scope
        .events
        .iter()
        .map(|&i| &*scope.timeline.events[i])
        .collect();
    let mut view = AxisView {
        start: rfc3339(window.start),
        end: rfc3339(window.end),
        zone: zone.name().to_owned(),
        summary: String::new(),
        lanes: 0,
        marks: Vec::new(),
        groups: Vec::new(),
        bins: Vec::new(),
        ticks: ticks(window, zone),
        eras: Vec::new(),
        era_rows: 0,
        legend: Legend::default(),
        fine: None,
    };
    (view.eras, view.era_rows) = era_bands(&scope.views.site.eras, window);
    let packed = (events.len() <= scope.limit)
        .then(|| marks(scope, &events, window))
        .flatten();
    match packed {
        Some((marks, groups, lanes)) => {
            view.legend = legend(&marks);
            (view.marks, view.groups, view.lanes) = (marks, groups, lanes);
        }
        None => {
            view.bins = bins(&events, window, zone);
            view.fine = scope.fine.clone();
        }
    }
    view.summary = summary(
        &events,
        window,
        zone,
        view.eras.len(),
        view.marks.is_empty(),
    );
    Some(view)
}

/// The whole days of the display zone the events of `scope` cover, ends included.
fn extent(scope: &Scope<'_>) -> Option<Window> {
    let zone = scope.timeline.zone;
    let days = scope.events.iter().flat_map(|&i| {
        let e = &scope.timeline.events[i];
        [Some(e.date), e.end]
            .into_iter()
            .flatten()
            .map(|d| d.day_in(zone))
    });
    let (first, last) = days.fold(None, |acc: Option<(NaiveDate, NaiveDate)>, d| match acc {
        None => Some((d, d)),
        Some((a, b)) => Some((a.min(d), b.max(d))),
    })?;
    Some(Window::days(first, last, zone))
}

/// Where an event lies on the axis: its left edge or centre, its width, and its kind.
fn placement(e: &Event, window: Window, zone: Tz) -> (f64, f64, &'static str) {
    let start = e.date.instant_in(zone);
    let end = match (e.end, e.date.is_day()) {
        (Some(end), _) if end.is_day() => {
            Some(midnight(end.day_in(zone), zone) + Duration::days(1))
        }
        (Some(end), _) => Some(end.instant_in(zone)),
        (None, true) => Some(start + Duration::days(1)),
        (None, false) => None,
    };
    let x = window.place(start);
    match end {
        Some(end) => {
            let kind = if e.end.is_some() { "span" } else { "day" };
            (x, (window.place(end) - x).max(0.0), kind)
        }
        None if matches!(e.precision, Precision::Approximate | Precision::Hour) => {
            (x, 0.0, "approximate")
        }
        None => (x, 0.0, "exact"),
    }
}

/// The marks of `events`, packed into lanes (by group when the site asks), with the groups'
/// labels and the number of lanes; `None` past [`MAX_LANES`], before any mark is made.
fn marks(
    scope: &Scope<'_>,
    events: &[&Event],
    window: Window,
) -> Option<(Vec<Mark>, Vec<GroupLabel>, usize)> {
    let zone = scope.timeline.zone;
    let placed: Vec<(f64, f64, &'static str)> =
        events.iter().map(|e| placement(e, window, zone)).collect();
    let extents: Vec<Extent> = placed
        .iter()
        .map(|&(x, w, kind)| {
            if kind == "exact" || kind == "approximate" {
                point_extent(x)
            } else {
                span_extent(x, w)
            }
        })
        .collect();
    let by_group = scope.views.site.lanes == Lanes::Group;
    let (lanes, groups, count) = if by_group {
        grouped(events, &extents)
    } else {
        let (lanes, count) = pack(&extents);
        (lanes, Vec::new(), count)
    };
    if count > MAX_LANES {
        return None;
    }
    let marks = events
        .iter()
        .zip(scope.events.iter())
        .zip(placed)
        .zip(lanes)
        .map(|(((e, &i), placed), lane)| mark(e, scope, i, placed, lane))
        .collect();
    Some((marks, groups, count))
}

/// The mark of event `i` (`e`), placed at `(x, w, kind)` in `lane`.
fn mark(
    e: &Event,
    scope: &Scope<'_>,
    i: usize,
    (x, w, kind): (f64, f64, &'static str),
    lane: usize,
) -> Mark {
    let view = &scope.views.events[i];
    let day = day_tick(e.date.day_in(scope.timeline.zone));
    let time = if view.time_label.is_empty() {
        day
    } else {
        format!("{day}, {}", view.time_label)
    };
    let (x, w) = (round(x), round(w));
    let style = if w > 0.0 {
        format!("left:{x}%;width:{w}%;--lane:{lane}")
    } else {
        format!("left:{x}%;--lane:{lane}")
    };
    let class = format!(
        "{kind}{}{}{}",
        if x > 60.0 { " r" } else { "" },
        if lane < 2 { " b" } else { "" },
        if e.media.is_empty() { "" } else { " m" }
    );
    Mark {
        class,
        slug: e.slug.to_string(),
        title: e.title.to_string(),
        x,
        w,
        lane,
        kind,
        time,
        at: view.instant.clone(),
        style,
    }
}

/// Lanes by group: each group (in order of first appearance, events without one last) packed
/// on its own, below the groups before it.
fn grouped(events: &[&Event], extents: &[Extent]) -> (Vec<usize>, Vec<GroupLabel>, usize) {
    let mut names: Vec<Option<&str>> = Vec::new();
    for e in events {
        let g = e.group.as_deref();
        if !names.contains(&g) {
            names.push(g);
        }
    }
    names.sort_by_key(Option::is_none);
    let mut lanes = vec![0; events.len()];
    let mut groups = Vec::new();
    let mut first = 0;
    for name in names {
        let members: Vec<usize> = (0..events.len())
            .filter(|&i| events[i].group.as_deref() == name)
            .collect();
        let own: Vec<Extent> = members.iter().map(|&i| extents[i]).collect();
        let (packed, count) = pack(&own);
        for (&i, lane) in members.iter().zip(packed) {
            lanes[i] = first + lane;
        }
        groups.push(GroupLabel {
            name: name.unwrap_or("Other").to_owned(),
            lane: first,
        });
        first += count;
    }
    (lanes, groups, first)
}

fn legend(marks: &[Mark]) -> Legend {
    let has = |kind: &str| marks.iter().any(|m| m.kind == kind);
    Legend {
        exact: has("exact"),
        approximate: has("approximate"),
        day: has("day"),
        span: has("span"),
        media: marks.iter().any(|m| m.class.ends_with(" m")),
    }
}

/// Era bands over the window (clipped to it), overlapping ones stacked in rows.
fn era_bands(eras: &[EraView], window: Window) -> (Vec<EraBand>, usize) {
    let inside: Vec<&EraView> = eras
        .iter()
        .filter(|e| e.from < window.end && e.to > window.start)
        .collect();
    let spans: Vec<(f64, f64)> = inside
        .iter()
        .map(|e| {
            let x = window.place(e.from);
            (x, window.place(e.to) - x)
        })
        .collect();
    let extents: Vec<Extent> = spans.iter().map(|&(x, w)| span_extent(x, w)).collect();
    let (rows, count) = pack(&extents);
    let bands = inside
        .iter()
        .zip(spans)
        .zip(rows)
        .map(|((e, (x, w)), row)| EraBand {
            slug: e.slug.clone(),
            title: e.title.clone(),
            label: format!("{} – {}", e.start_label, e.end_label),
            x: round(x),
            w: round(w),
            row,
        })
        .collect();
    (bands, count)
}

/// "50 events from 13 Jun to 23 Jun 2025, times in UTC; busiest day 22 Jun (12 events)."
fn summary(events: &[&Event], window: Window, zone: Tz, eras: usize, binned: bool) -> String {
    let first = window.start.with_timezone(&zone).date_naive();
    let last = (window.end - Duration::seconds(1))
        .with_timezone(&zone)
        .date_naive();
    let mut per_day: std::collections::BTreeMap<NaiveDate, usize> = Default::default();
    for e in events {
        *per_day.entry(e.date.day_in(zone)).or_default() += 1;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let days = if first == last {
        format!("on {} {}", day_tick(first), first.format("%Y"))
    } else {
        format!(
            "from {} to {} {}",
            day_tick(first),
            day_tick(last),
            last.format("%Y")
        )
    };
    let mut text = format!(
        "Time axis: {} {days}, times in {}",
        plural(events.len(), "event"),
        zone.name()
    );
    let busiest = per_day
        .iter()
        .max_by_key(|(d, n)| (*n, std::cmp::Reverse(*d)));
    if let Some((day, n)) = busiest
        && per_day.len() > 1
    {
        text += &format!(
            "; the busiest day is {} ({})",
            day_tick(*day),
            plural(*n, "event")
        );
    }
    if eras > 0 {
        text += &format!("; {} shown as bands", plural(eras, "era"));
    }
    if binned {
        text += "; shown as counts of events, not one mark each";
    }
    text + ". The list below gives every event."
}

#[cfg(test)]
pub(super) mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    use super::*;
    use crate::model::{EventDate, Importance, Slug, WrittenZone};

    pub const ZONES: [Tz; 5] = [
        Tz::UTC,
        chrono_tz::Asia::Tehran,
        chrono_tz::America::New_York,
        chrono_tz::Pacific::Chatham,
        chrono_tz::Asia::Kathmandu,
    ];

    pub fn event(n: usize, date: EventDate, end: Option<EventDate>, precision: Precision) -> Event {
        Event {
            slug: Slug::parse(&format!("e{n}")).expect("a slug"),
            title: Arc::from(format!("Event {n}")),
            date,
            end,
            precision,
            location: None,
            actors: Vec::new(),
            tags: Vec::new(),
            importance: Importance::Normal,
            citations: Vec::new(),
            disputed: None,
            group: None,
            media: Vec::new(),
            summary: Arc::from(""),
            body_html: Arc::from(""),
            body_text: Arc::from(""),
        }
    }

    /// Minutes after 2025-06-13 00:00 UTC, written in `zone`.
    pub fn at(minutes: i64, zone: Tz) -> EventDate {
        let start = Utc.with_ymd_and_hms(2025, 6, 13, 0, 0, 0).unwrap();
        EventDate::Instant {
            utc: start + Duration::minutes(minutes),
            zone: WrittenZone::Named(zone),
        }
    }

    fn june(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, day).unwrap()
    }

    proptest! {
        #[test]
        fn positions_are_monotonic_and_proportional_in_the_instant(
            written in prop::collection::vec((0i64..11 * 24 * 60, 0usize..5), 1..40),
            display in 0usize..5,
        ) {
            let zone = ZONES[display];
            let window = Window::days(june(12), june(24), zone);
            let events: Vec<Event> = written
                .iter()
                .enumerate()
                .map(|(n, &(m, z))| event(n, at(m, ZONES[z]), None, Precision::Minute))
                .collect();
            let mut placed: Vec<(i64, f64)> = events
                .iter()
                .zip(&written)
                .map(|(e, &(m, _))| (m, placement(e, window, zone).0))
                .collect();
            placed.sort_by_key(|&(m, _)| m);
            let total = (window.end - window.start).num_minutes() as f64;
            for pair in placed.windows(2) {
                let ((m0, x0), (m1, x1)) = (pair[0], pair[1]);
                prop_assert!(x0 <= x1, "{m0} at {x0}, {m1} at {x1}");
                let expected = (m1 - m0) as f64 / total * 100.0;
                prop_assert!(((x1 - x0) - expected).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn kinds_follow_the_date_as_written() {
        let window = Window::days(june(13), june(23), Tz::UTC);
        let exact = event(0, at(60, Tz::UTC), None, Precision::Minute);
        let rough = event(1, at(60, Tz::UTC), None, Precision::Approximate);
        let day = event(2, EventDate::Day(june(14)), None, Precision::Day);
        let span = event(
            3,
            at(0, Tz::UTC),
            Some(at(24 * 60, Tz::UTC)),
            Precision::Minute,
        );
        let kinds: Vec<_> = [&exact, &rough, &day, &span]
            .iter()
            .map(|e| placement(e, window, Tz::UTC))
            .collect();
        assert_eq!(
            kinds.iter().map(|k| k.2).collect::<Vec<_>>(),
            ["exact", "approximate", "day", "span"]
        );
        let one_day = 100.0 / 11.0;
        assert!((kinds[2].0 - one_day).abs() < 1e-9 && (kinds[2].1 - one_day).abs() < 1e-9);
        assert!((kinds[3].1 - one_day).abs() < 1e-9);
    }

    #[test]
    fn a_day_page_gets_hour_ticks_and_a_long_window_month_ticks() {
        let day = ticks(Window::days(june(22), june(22), Tz::UTC), Tz::UTC);
        assert_eq!(day.len(), 24);
        assert!(day.iter().all(|t| t.line));
        // An hour is 640 / 24 px apart unzoomed: every third gets its label.
        let labelled: Vec<&str> = day
            .iter()
            .filter(|t| t.shown)
            .map(|t| t.label.as_str())
            .collect();
        assert_eq!(
            labelled,
            [
                "22 Jun", "03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00"
            ]
        );
        assert_eq!(day[3].label, "03:00");
        let year = ticks(
            Window::days(
                june(1),
                NaiveDate::from_ymd_opt(2026, 5, 31).unwrap(),
                Tz::UTC,
            ),
            Tz::UTC,
        );
        assert_eq!(year.len(), 12);
        assert_eq!(year[1].label, "Jul 2025");
    }
}
