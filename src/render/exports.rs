//! Machine-readable exports built with serde_json: `timeline.json` in TimelineJS3's format and
//! `search.json` for client-side search.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{Datelike, Timelike};
use chrono_tz::Tz;
use rayon::prelude::*;
use serde::Serialize;

use super::views::{EventEntry, EventView, SiteView};
use crate::model::{Event, EventDate, Precision};

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
        group: view.actors.first().map(|a| a.name.clone()),
        display_date: Some(display),
    };
    serde_json::to_string(&slide).unwrap_or_default()
}

/// `timeline.json` in TimelineJS3's format: a title slide and one slide per event.
pub fn timeline_json(site: &SiteView, entries: &[Arc<EventEntry>], zone: Tz) -> Vec<u8> {
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
    };
    let part = |e| slide_part(e, site, zone);
    let mut out = String::with_capacity(capacity(entries, part) + 256);
    out.push_str("{\"title\":");
    out.push_str(&serde_json::to_string(&title).unwrap_or_default());
    out.push_str(",\"events\":[");
    join(&mut out, entries, part);
    out.push_str("]}\n");
    out.into_bytes()
}

/// An event's slide, as kept or made now.
fn slide_part<'a>(e: &'a EventEntry, site: &SiteView, zone: Tz) -> Cow<'a, str> {
    match &e.fragments {
        Some(f) => Cow::Borrowed(f.slide.as_str()),
        None => Cow::Owned(slide(&e.event, &e.view, site, zone)),
    }
}

/// An event's search entry, as kept or made now.
fn search_part(e: &EventEntry) -> Cow<'_, str> {
    match &e.fragments {
        Some(f) => Cow::Borrowed(f.search.as_str()),
        None => Cow::Owned(search_entry(&e.event, &e.view)),
    }
}

/// The room the joined parts need: exact when they are kept; otherwise the average of the
/// first 64 parts, made for the purpose, times the count plus a tenth, so the buffer of a
/// 100,000-event file is not regrown (and briefly held twice) over and over.
fn capacity<'a>(
    entries: &'a [Arc<EventEntry>],
    part: impl Fn(&'a EventEntry) -> Cow<'a, str>,
) -> usize {
    let sample = &entries[..entries.len().min(64)];
    if sample.is_empty() {
        return 0;
    }
    let measured: usize = sample.iter().map(|e| part(e).len() + 1).sum();
    if sample.len() == entries.len() {
        return measured;
    }
    measured / sample.len() * entries.len() / 10 * 11
}

/// Writes each entry's part, comma-separated. Parts not kept are made on every core, a
/// block at a time, so no more than a block's worth is ever held beside `out`.
fn join<'a>(
    out: &mut String,
    entries: &'a [Arc<EventEntry>],
    part: impl Fn(&'a EventEntry) -> Cow<'a, str> + Sync,
) {
    const BLOCK: usize = 512;
    let mut first = true;
    for wave in entries.chunks(BLOCK * rayon::current_num_threads().max(1) * 2) {
        let blocks: Vec<String> = wave
            .par_chunks(BLOCK)
            .map(|block| {
                let mut text = String::new();
                for (i, entry) in block.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    text.push_str(&part(entry));
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

/// `search.json`: one entry per event, in timeline order.
pub fn search_json(entries: &[Arc<EventEntry>]) -> Vec<u8> {
    let mut out = String::with_capacity(capacity(entries, search_part) + 4);
    out.push('[');
    join(&mut out, entries, search_part);
    out.push_str("]\n");
    out.into_bytes()
}
