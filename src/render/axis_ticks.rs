//! The time axis's ticks: a day tick at each midnight of the display zone (only the first of
//! each month when days would crowd) and hour ticks as fine as stand apart at the narrowest
//! width, each labelled where its label fits. The script adds finer ones as the reader zooms.

use chrono::Duration;
use chrono_tz::Tz;
use serde::Serialize;

use super::axis_layout::{TRACK_MIN_PX, Window, round};
use super::labels::day_tick;

#[derive(Debug, Serialize)]
pub struct Tick {
    pub x: f64,
    pub label: String,
    /// 0: a day; 1: six hours; 2: three hours; 3: an hour.
    pub level: u8,
    /// `level`, `line` and `shown` as classes: "t1 v s".
    pub class: String,
    /// Whether its line stands apart from the next (16 px) at the narrowest width, unzoomed.
    pub line: bool,
    /// Whether its label fits there.
    pub shown: bool,
}

/// Tick steps in hours, from a day down, kept while the ticks stay few.
const STEPS: [(i64, u8); 4] = [(24, 0), (6, 1), (3, 2), (1, 3)];
/// The room a tick's label needs, in CSS pixels.
pub const LABEL_PX: f64 = 44.0;
/// The least room between two tick lines, in CSS pixels: finer ticks are left to the script,
/// which draws them as the reader zooms in.
pub const LINE_PX: f64 = 16.0;

/// Day ticks at each midnight of the display zone (only the first of each month when days
/// would crowd), and hour ticks as fine as stay apart at the narrowest width. The script adds
/// finer ones as the reader zooms in.
pub fn ticks(window: Window, zone: Tz) -> Vec<Tick> {
    let hours = (window.end - window.start).num_hours().max(1);
    let spacing = |step: i64| step.min(hours) as f64 / hours as f64 * TRACK_MIN_PX;
    let finest = STEPS
        .iter()
        .map(|&(step, _)| step)
        .filter(|&step| spacing(step) >= LINE_PX)
        .min()
        .unwrap_or(24);
    let months = spacing(24) < LINE_PX;
    let mut ticks = Vec::new();
    let mut t = window.start;
    while t < window.end {
        let local = t.with_timezone(&zone);
        let hour = i64::from(chrono::Timelike::hour(&local));
        let (step, level) = STEPS
            .into_iter()
            .find(|&(step, level)| (level == 0 && hour == 0) || (level > 0 && hour % step == 0))
            .unwrap_or((1, 3));
        let first_of_month = chrono::Datelike::day(&local) == 1;
        if step >= finest && !(level == 0 && months && !first_of_month) {
            let label = match level {
                0 if months => local.format("%b %Y").to_string(),
                0 => day_tick(local.date_naive()),
                _ => local.format("%H:%M").to_string(),
            };
            let room = if months {
                spacing(24 * 28)
            } else {
                spacing(step)
            };
            let (line, shown) = (room >= LINE_PX, room >= LABEL_PX);
            let class = format!(
                "t{level}{}{}",
                if line { " v" } else { "" },
                if shown { " s" } else { "" }
            );
            ticks.push(Tick {
                x: round(window.place(t)),
                label,
                level,
                class,
                line,
                shown,
            });
        }
        t += Duration::hours(1);
    }
    ticks
}
