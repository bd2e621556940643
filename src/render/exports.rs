//! Machine-readable exports built with serde_json: `timeline.json` in TimelineJS3's format and
//! `search.json` for client-side search.

use std::borrow::Cow;

use chrono::{Datelike, Timelike};
use chrono_tz::Tz;
use rayon::prelude::*;
use serde::Serialize;

use super::labels::{day_label_short, time_label};
use super::media_view::MediaView;
use super::views::{EventView, SiteView};
use crate::model::{Era, Event, EventDate, Precision};

#[derive(Serialize)]
struct TlDate {
    year: i32,
    month: u32,
    day: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    hour: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minute: Option<u32>,
    display_date: String,
}

#[derive(Serialize)]
struct TlText {
    headline: String,
    text: String,
}

#[derive(Serialize)]
struct TlSlide {
    #[serde(skip_serializing_if = "Option::is_none")]
    unique_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date: Option<TlDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<TlDate>,
    text: TlText,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<TlMedia>,
}

/// A slide's media slot: the event's first item, with absolute addresses.
#[derive(Serialize)]
struct TlMedia {
    url: String,
    caption: String,
    credit: String,
    alt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbnail: Option<String>,
}

/// An era of `timeline.json`: a span drawn behind the slides.
#[derive(Serialize)]
struct TlEra {
    start_date: TlDate,
    end_date: TlDate,
    text: TlText,
}

/// One event's slide, serialized (the viewer has no time-zone field and reads numeric
/// components in the reader's zone, so components are given in the display zone and
/// `display_date` carries the zone-aware text).
pub fn slide(event: &Event, view: &EventView, site: &SiteView, zone: Tz) -> String {
    let display = display_text(view);
    let slide = TlSlide {
        unique_id: Some(view.slug.clone()),
        start_date: Some(tl_date(&event.date, event.precision, zone, display.clone())),
        end_date: event.end.map(|end| {
            tl_date(
                &end,
                event.precision,
                zone,
                view.end_label.clone().unwrap_or_default(),
            )
        }),
        text: TlText {
            headline: escape(&view.title),
            text: slide_text(site, view),
        },
        // Without a group of its own, an event is grouped by its first actor.
        group: event
            .group
            .clone()
            .or_else(|| view.actors.first().map(|a| a.name.clone())),
        display_date: Some(display),
        media: view.media.first().map(|m| tl_media(m, &site.base_url)),
    };
    serde_json::to_string(&slide).unwrap_or_default()
}

/// One event's part of an export (its slide, or its search entry), by the event's index:
/// made now, or kept from an earlier render.
pub trait Part<'a>: Fn(usize) -> Cow<'a, str> + Sync {}

impl<'a, F: Fn(usize) -> Cow<'a, str> + Sync> Part<'a> for F {}

/// The eras of `timeline.json`, serialized as a JSON array (dates in the display zone, as the
/// slides' are).
pub fn eras_json(eras: &[Era], zone: Tz) -> String {
    let date = |date: &EventDate| {
        let mut display = day_label_short(date.day_in(zone));
        let time = time_label(date, date.natural_precision(), zone);
        if !time.is_empty() {
            display.push_str(", ");
            display.push_str(&time);
        }
        tl_date(date, date.natural_precision(), zone, display)
    };
    let eras: Vec<TlEra> = eras
        .iter()
        .map(|era| TlEra {
            start_date: date(&era.start),
            end_date: date(&era.end),
            text: TlText {
                headline: escape(&era.title),
                text: era.body_html.clone(),
            },
        })
        .collect();
    serde_json::to_string(&eras).unwrap_or_else(|_| "[]".to_owned())
}

/// `timeline.json` in TimelineJS3's format: a title slide, one slide per event (`count`
/// events, each given by `slide`) and the eras (`eras`, made by [`eras_json`]).
pub fn timeline_json<'a>(
    site: &SiteView,
    eras: &str,
    count: usize,
    slide: impl Part<'a>,
) -> Vec<u8> {
    let title = TlSlide {
        unique_id: None,
        start_date: None,
        end_date: None,
        text: TlText {
            headline: escape(&site.title),
            text: escape(&site.description),
        },
        group: None,
        display_date: None,
        media: None,
    };
    let mut out = String::with_capacity(capacity(count, &slide) + eras.len() + 256);
    out.push_str("{\"title\":");
    out.push_str(&serde_json::to_string(&title).unwrap_or_default());
    out.push_str(",\"events\":[");
    join(&mut out, count, &slide);
    out.push_str("],\"eras\":");
    out.push_str(eras);
    out.push_str("}\n");
    out.into_bytes()
}

/// `search.json`: one entry per event (`count` events, each given by `entry`), in timeline
/// order.
pub fn search_json<'a>(count: usize, entry: impl Part<'a>) -> Vec<u8> {
    let mut out = String::with_capacity(capacity(count, &entry) + 4);
    out.push('[');
    join(&mut out, count, &entry);
    out.push_str("]\n");
    out.into_bytes()
}

/// The room the joined parts need: exact for a few; otherwise the average of the first 64
/// parts times the count plus a tenth, so the buffer of a 100,000-event file is not regrown
/// (and briefly held twice) over and over.
fn capacity<'a>(count: usize, part: &impl Part<'a>) -> usize {
    let sample = count.min(64);
    if sample == 0 {
        return 0;
    }
    let measured: usize = (0..sample).map(|i| part(i).len() + 1).sum();
    if sample == count {
        return measured;
    }
    measured / sample * count / 10 * 11
}

/// Writes each event's part, comma-separated. Parts are made (or fetched) on every core, a
/// block at a time, so no more than a block's worth is ever held beside `out`.
fn join<'a>(out: &mut String, count: usize, part: &impl Part<'a>) {
    const BLOCK: usize = 512;
    let wave = BLOCK * rayon::current_num_threads().max(1) * 2;
    let mut first = true;
    for start in (0..count).step_by(wave) {
        let end = (start + wave).min(count);
        let blocks: Vec<String> = (start..end)
            .step_by(BLOCK)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|from| {
                let mut text = String::new();
                for i in from..(from + BLOCK).min(end) {
                    if i > from {
                        text.push(',');
                    }
                    text.push_str(&part(i));
                }
                text
            })
            .collect();
        for block in blocks {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&block);
        }
    }
}

fn display_text(view: &EventView) -> String {
    let mut text = view.day_label.to_string();
    if !view.time_label.is_empty() {
        text.push_str(", ");
        text.push_str(&view.time_label);
    }
    text
}

fn tl_date(date: &EventDate, precision: Precision, zone: Tz, display_date: String) -> TlDate {
    let timed = !date.is_day() && precision != Precision::Day;
    let local = date.instant_in(zone).with_timezone(&zone);
    let day = date.day_in(zone);
    TlDate {
        year: day.year(),
        month: day.month(),
        day: day.day(),
        hour: timed.then(|| local.hour()),
        minute: timed.then(|| local.minute()),
        display_date,
    }
}

fn tl_media(m: &MediaView, base_url: &str) -> TlMedia {
    let local = m.kind != "remote";
    let absolute = |path: &str| {
        if local {
            format!("{base_url}{path}")
        } else {
            path.to_owned()
        }
    };
    TlMedia {
        url: absolute(&m.src),
        caption: m.caption.as_deref().map(escape).unwrap_or_default(),
        credit: escape(&m.credit),
        alt: m.alt.clone().unwrap_or_default(),
        thumbnail: (m.kind == "image").then(|| absolute(&m.thumb)),
    }
}

fn slide_text(site: &SiteView, view: &EventView) -> String {
    let mut html = format!("<p>{}</p>", escape(&view.summary));
    if let Some(d) = &view.disputed {
        html.push_str(&format!(
            "<p><strong>Sources differ:</strong> {}</p>",
            escape(d)
        ));
    }
    html.push_str("<p>Sources:</p><ul>");
    for c in &view.citations {
        let href = c
            .url
            .clone()
            .unwrap_or_else(|| format!("{}{}", site.base_url, c.page));
        html.push_str(&format!(
            "<li><a href=\"{}\" rel=\"noopener noreferrer\">{}: {}</a></li>",
            escape(&href),
            escape(&c.outlet),
            escape(&c.title)
        ));
    }
    html.push_str("</ul>");
    html
}

fn escape(text: &str) -> String {
    super::templates::escape(text)
}

#[derive(Serialize)]
struct SearchEntry<'a> {
    slug: &'a str,
    title: &'a str,
    url: &'a str,
    day: &'a str,
    summary: &'a str,
    text: &'a str,
    actors: Vec<&'a str>,
    tags: Vec<&'a str>,
    sources: Vec<&'a str>,
}

/// One event's entry in `search.json`, serialized; URLs are relative to the site root.
pub fn search_entry(event: &Event, view: &EventView) -> String {
    let entry = SearchEntry {
        slug: &view.slug,
        title: &view.title,
        url: &view.url,
        day: &view.day,
        summary: &view.summary,
        text: &event.body_text,
        actors: event.actors.iter().map(String::as_str).collect(),
        tags: event.tags.iter().map(String::as_str).collect(),
        sources: event.citations.iter().map(|c| c.source.as_str()).collect(),
    };
    serde_json::to_string(&entry).unwrap_or_default()
}
