//! Lanes for the time axis: marks packed so that none covers another at any zoom.
//!
//! Positions are percentages of the axis track, which is never narrower than
//! [`TRACK_MIN_PX`] (style.css) and which the script only widens (zoom ≥ 1). A point mark is
//! [`MARK_PX`] wide whatever the zoom, centred on its instant; a span is as wide as its time
//! (at least a point's width). Packing at the narrowest track, unzoomed, with [`GAP_PX`]
//! between marks, keeps marks apart at every width and zoom: distances between instants only
//! grow, and a point's width does not.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::model::EventDate;

/// The stretch of time an axis covers: whole days of the display zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Window {
    /// From the start of day `first` to the end of day `last`, in `zone`.
    pub fn days(first: NaiveDate, last: NaiveDate, zone: Tz) -> Self {
        Self {
            start: midnight(first, zone),
            end: midnight(last.succ_opt().unwrap_or(last), zone),
        }
    }

    /// The position of `t` in the window, in percent (clamped to 0–100).
    pub fn place(&self, t: DateTime<Utc>) -> f64 {
        let total = (self.end - self.start).num_seconds().max(1) as f64;
        let at = (t - self.start).num_seconds() as f64;
        (at / total * 100.0).clamp(0.0, 100.0)
    }
}

/// The first instant of `day` in `zone`: where the model places a date-only event.
pub fn midnight(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    EventDate::Day(day).instant_in(zone)
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Three decimals: a thousandth of a percent is under a pixel at any zoom the script allows.
pub fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The narrowest the axis track gets, in CSS pixels (`.axis-track { min-width }`).
pub const TRACK_MIN_PX: f64 = 640.0;
/// A point mark's width, in CSS pixels (`.axis-mark { width }`).
pub const MARK_PX: f64 = 12.0;
/// The least room between two marks of a lane, in CSS pixels.
pub const GAP_PX: f64 = 2.0;

/// The stretch a mark covers on the narrowest track, in percent: `[from, to]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub from: f64,
    pub to: f64,
}

fn percent(px: f64) -> f64 {
    px / TRACK_MIN_PX * 100.0
}

/// A point mark centred on `x`.
pub fn point_extent(x: f64) -> Extent {
    let half = percent(MARK_PX) / 2.0;
    Extent {
        from: x - half,
        to: x + half,
    }
}

/// A bar from `x`, `w` wide (at least a point's width).
pub fn span_extent(x: f64, w: f64) -> Extent {
    Extent {
        from: x,
        to: x + w.max(percent(MARK_PX)),
    }
}

/// The lane of each extent (first fit, in order of their left edges: as few lanes as the
/// most extents covering one instant), and the number of lanes.
pub fn pack(extents: &[Extent]) -> (Vec<usize>, usize) {
    let gap = percent(GAP_PX);
    let mut order: Vec<usize> = (0..extents.len()).collect();
    order.sort_by(|&a, &b| extents[a].from.total_cmp(&extents[b].from));
    let mut ends: Vec<f64> = Vec::new();
    let mut lanes = vec![0; extents.len()];
    for i in order {
        let e = extents[i];
        let lane = match ends.iter().position(|&end| end + gap <= e.from) {
            Some(lane) => lane,
            None => {
                ends.push(f64::NEG_INFINITY);
                ends.len() - 1
            }
        };
        ends[lane] = e.to;
        lanes[i] = lane;
    }
    (lanes, ends.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A mark's pixels on a track `width` px wide at `zoom`, as style.css draws it.
    fn pixels(x: f64, w: f64, point: bool, width: f64) -> (f64, f64) {
        let at = x / 100.0 * width;
        if point {
            (at - MARK_PX / 2.0, at + MARK_PX / 2.0)
        } else {
            (at, at + (w / 100.0 * width).max(MARK_PX))
        }
    }

    proptest! {
        #[test]
        fn no_two_marks_of_a_lane_overlap_at_any_zoom(
            marks in prop::collection::vec((0.0f64..100.0, 0.0f64..30.0, any::<bool>()), 0..80),
            width in TRACK_MIN_PX..2400.0,
            zoom in 1.0f64..60.0,
        ) {
            let extents: Vec<Extent> = marks
                .iter()
                .map(|&(x, w, point)| if point { point_extent(x) } else { span_extent(x, w) })
                .collect();
            let (lanes, count) = pack(&extents);
            prop_assert!(lanes.iter().all(|&l| l < count.max(1)));
            for a in 0..marks.len() {
                for b in 0..marks.len() {
                    if a == b || lanes[a] != lanes[b] {
                        continue;
                    }
                    let (x, w, p) = marks[a];
                    let (y, v, q) = marks[b];
                    let (a0, a1) = pixels(x, w, p, width * zoom);
                    let (b0, b1) = pixels(y, v, q, width * zoom);
                    prop_assert!(a1 <= b0 + 1e-6 || b1 <= a0 + 1e-6,
                        "{a:?} {b:?} overlap: {a0}..{a1} and {b0}..{b1}");
                }
            }
        }
    }

    #[test]
    fn apart_marks_share_a_lane_and_close_ones_do_not() {
        let (lanes, count) = pack(&[point_extent(10.0), point_extent(50.0), point_extent(10.5)]);
        assert_eq!(lanes, vec![0, 0, 1]);
        assert_eq!(count, 2);
    }
}
