//! Writes a synthetic gen site for benchmarks: N events (a ~150-word Markdown body with a list
//! and a link, 1–3 cited sources, actors, tags, dates spread over 13–23 June 2025 written in
//! several IANA zones) and N/4 sources. Deterministic for a given seed.
//!
//! With a fourth argument it also writes the same content as a Hugo site there (Hugo front
//! matter, a data file of sources, minimal but real templates making the same pages: index
//! grouped by day, one page per event, per source, per day, per actor and per tag, lists of
//! 100 per page, and past 1,000 events an index of days), so both can be timed on equal work.
//!
//! With `SYNTH_IMAGES=N` in the environment, the first N events each carry a photo of their own
//! (a 2400×1600 JPEG made here, `content/media/photo-N.jpg`), and the first event also a remote
//! video, with `[media] embed_remote = true` (the Hugo site gets no media).
//!
//! `cargo run --release --example synth -- OUT_DIR [EVENTS] [SEED] [HUGO_DIR]`

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;

#[path = "../tests/shared/filler.rs"]
mod filler;
use filler::{Rng, words};

const ZONES: [&str; 6] = [
    "Asia/Tehran",
    "Asia/Jerusalem",
    "America/New_York",
    "Europe/Moscow",
    "Asia/Qatar",
    "UTC",
];
const ACTORS: [&str; 8] = [
    "Israel",
    "Iran",
    "United States",
    "Russia",
    "Qatar",
    "IAEA",
    "UN Security Council",
    "E3/EU",
];
const TAGS: [&str; 6] = [
    "strikes",
    "missiles",
    "nuclear sites",
    "diplomacy",
    "casualties",
    "energy",
];
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = Path::new(
        args.first()
            .ok_or("usage: synth OUT_DIR [EVENTS] [SEED] [HUGO_DIR]")?,
    );
    let events: usize = args.get(1).map_or(Ok(1000), |s| s.parse())?;
    let seed: u64 = args.get(2).map_or(Ok(1), |s| s.parse())?;
    let hugo = args.get(3).map(Path::new);
    write_site(out, events, seed, hugo)?;
    println!(
        "wrote {events} events and {} sources to {}",
        (events / 4).max(1),
        out.display()
    );
    if let Some(h) = hugo {
        println!("and the same content as a Hugo site to {}", h.display());
    }
    Ok(())
}

/// One generated event, written in both formats.
struct Generated {
    slug: String,
    title: String,
    /// Local time with the zone name, for gen.
    gen_date: String,
    /// RFC 3339 with offset, for Hugo.
    rfc3339: String,
    utc_day: String,
    actors: [&'static str; 2],
    tag: &'static str,
    importance: &'static str,
    location: String,
    cited: Vec<usize>,
    quote: String,
    body: String,
}

const HUGO_FILES: [(&str, &str); 7] = [
    (
        "config.toml",
        "baseURL = \"https://example.org/synthetic/\"\ntitle = \"Synthetic timeline\"\ndisableKinds = [\"RSS\"]\npaginate = 100\n[taxonomies]\n  tag = \"tags\"\n  actor = \"actors\"\n  day = \"days\"\n  source = \"sources\"\n",
    ),
    (
        "layouts/_default/baseof.html",
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ block \"title\" . }}{{ .Title }} · {{ site.Title }}{{ end }}</title><link rel=\"canonical\" href=\"{{ .Permalink }}\"></head>\n<body><header><a href=\"{{ \"/\" | relURL }}\">{{ site.Title }}</a> <a href=\"{{ \"/sources/\" | relURL }}\">Sources</a> <a href=\"{{ \"/actors/\" | relURL }}\">Actors</a> <a href=\"{{ \"/tags/\" | relURL }}\">Tags</a></header>\n<main>{{ block \"main\" . }}{{ end }}</main></body></html>\n",
    ),
    (
        "layouts/partials/card.html",
        "<article class=\"event\" id=\"{{ .File.BaseFileName }}\"><p><time datetime=\"{{ .Date.UTC.Format \"2006-01-02T15:04Z\" }}\">{{ .Date.UTC.Format \"15:04\" }} UTC</time> ({{ .Date.Format \"15:04 MST\" }}) · {{ .Params.location }}</p>\n<h3><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></h3><p>{{ .Params.summary }}</p>\n<ul>{{ range .Params.actors }}<li><a href=\"{{ printf \"/actors/%s/\" (urlize .) | relURL }}\">{{ . }}</a></li>{{ end }}{{ range .Params.tags }}<li><a href=\"{{ printf \"/tags/%s/\" (urlize .) | relURL }}\">#{{ . }}</a></li>{{ end }}</ul>\n<p>Sources: {{ range $i, $id := .Params.sources }}{{ with index site.Data.sources $id }}<a href=\"{{ .url }}\">[{{ add $i 1 }}] {{ .outlet }}</a> {{ end }}{{ end }}</p></article>\n",
    ),
    (
        "layouts/index.html",
        "{{ define \"main\" }}<h1>{{ site.Title }}</h1>\n{{ $events := where site.RegularPages \"Section\" \"events\" }}{{ $compact := gt (len $events) 1000 }}\n{{ range ($events.ByDate.GroupByParam \"utcday\") }}<section><h2><a href=\"{{ printf \"/days/%s/\" .Key | relURL }}\">{{ .Key }}</a></h2>\n{{ if $compact }}<p>{{ len .Pages }} events on this day</p>{{ else }}{{ range .Pages.ByDate }}{{ partial \"card.html\" . }}{{ end }}{{ end }}</section>\n{{ end }}{{ end }}\n",
    ),
    (
        "layouts/events/single.html",
        "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><p><time datetime=\"{{ .Date.UTC.Format \"2006-01-02T15:04Z\" }}\">{{ .Date.UTC.Format \"Monday 2 January 2006, 15:04\" }} UTC</time> ({{ .Date.Format \"15:04 MST\" }})</p>\n{{ .Content }}\n<h2>Sources</h2><ol>{{ range .Params.sources }}{{ with index site.Data.sources . }}<li><a href=\"{{ .url }}\">{{ .outlet }}: {{ .title }}</a></li>{{ end }}{{ end }}</ol>\n<nav>{{ with .PrevInSection }}<a rel=\"prev\" href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }} {{ with .NextInSection }}<a rel=\"next\" href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</nav></article>{{ end }}\n",
    ),
    (
        "layouts/_default/term.html",
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ with index site.Data.sources .Data.Term }}<p>{{ .outlet }}: <a href=\"{{ .url }}\">{{ .title }}</a></p>{{ end }}\n<p>{{ len .Pages }} events</p>{{ $p := .Paginate .Pages.ByDate 100 }}{{ range $p.Pages }}{{ partial \"card.html\" . }}{{ end }}\n{{ template \"_internal/pagination.html\" . }}{{ end }}\n",
    ),
    (
        "layouts/_default/taxonomy.html",
        "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}<li><a href=\"{{ .Page.RelPermalink }}\">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}\n",
    ),
];

fn hugo_files(hugo: &Path) -> std::io::Result<()> {
    for (rel, text) in HUGO_FILES {
        let path = hugo.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, text)?;
    }
    fs::create_dir_all(hugo.join("content/events"))?;
    fs::create_dir_all(hugo.join("data"))
}

fn write_hugo_event(hugo: &Path, e: &Generated) -> std::io::Result<()> {
    let sources: Vec<String> = e.cited.iter().map(|s| format!("\"src-{s}\"")).collect();
    let text = format!(
        "---\ntitle: {title:?}\ndate: {date}\nutcday: \"{day}\"\ndays: [\"{day}\"]\nlocation: {location:?}\nactors: [{a1:?}, {a2:?}]\ntags: [{tag:?}]\nimportance: {importance}\nsources: [{sources}]\nsummary: {quote:?}\n---\n{body}",
        title = e.title,
        date = e.rfc3339,
        day = e.utc_day,
        location = e.location,
        a1 = e.actors[0],
        a2 = e.actors[1],
        tag = e.tag,
        importance = e.importance,
        sources = sources.join(", "),
        quote = e.quote,
        body = e.body
    );
    fs::write(hugo.join(format!("content/events/{}.md", e.slug)), text)
}

fn write_site(out: &Path, events: usize, seed: u64, hugo: Option<&Path>) -> std::io::Result<()> {
    let mut rng = Rng(seed);
    let images: usize = std::env::var("SYNTH_IMAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if images > 0 {
        fs::create_dir_all(out.join("content/media"))?;
    }
    let sources = (events / 4).max(1);
    fs::create_dir_all(out.join("content/events"))?;
    fs::create_dir_all(out.join("content/sources"))?;
    if let Some(h) = hugo {
        hugo_files(h)?;
    }
    fs::write(
        out.join("site.toml"),
        format!(
            "title = \"Synthetic timeline\"\ndescription = \"Generated for benchmarks\"\nbase_url = \"https://example.org/synthetic/\"\ntimezone = \"UTC\"\n\n[timeline]\nstart = 2025-06-13\nend = 2025-06-23\n{}",
            if images > 0 {
                "\n[media]\nembed_remote = true\n"
            } else {
                ""
            }
        ),
    )?;
    let mut data = String::new();
    for s in 0..sources {
        let title = format!("Report {s}: {}", words(&mut rng, 6));
        let (outlet, day, url) = (
            format!("Outlet {}", s % 40),
            13 + s % 11,
            format!("https://news.example/{}/report-{s}", s % 40),
        );
        let text = format!(
            "---\ntitle: {title:?}\noutlet: {outlet}\npublished: 2025-06-{day:02}\nurl: {url}\nlanguage: en\n---\n"
        );
        fs::write(out.join(format!("content/sources/src-{s}.md")), text)?;
        let _ = writeln!(
            data,
            "src-{s}: {{title: {title:?}, outlet: {outlet:?}, url: {url:?}}}"
        );
    }
    if let Some(h) = hugo {
        fs::write(h.join("data/sources.yaml"), data)?;
    }
    let start = Utc
        .with_ymd_and_hms(2025, 6, 13, 0, 0, 0)
        .single()
        .expect("valid start");
    let window_minutes = 11 * 24 * 60;
    for e in 0..events {
        let instant = start + chrono::Duration::minutes((rng.below(window_minutes)) as i64);
        let zone: Tz = ZONES[rng.below(ZONES.len())].parse().expect("known zone");
        let local = instant.with_timezone(&zone);
        let mut cited = vec![e % sources];
        for _ in 0..rng.below(3) {
            let s = rng.below(sources);
            if !cited.contains(&s) {
                cited.push(s);
            }
        }
        let event = Generated {
            slug: format!("event-{e:06}"),
            title: format!("Event {e}: {}", words(&mut rng, 5)),
            gen_date: format!("{} {}", local.format("%Y-%m-%dT%H:%M"), zone.name()),
            rfc3339: local.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            utc_day: instant.format("%Y-%m-%d").to_string(),
            actors: [
                ACTORS[rng.below(ACTORS.len())],
                ACTORS[rng.below(ACTORS.len())],
            ],
            tag: TAGS[rng.below(TAGS.len())],
            importance: ["major", "normal", "minor"][rng.below(3)],
            location: format!("Place {}", e % 97),
            cited,
            quote: words(&mut rng, 8),
            body: format!(
                "{}.\n\n- {}\n- {}\n- {}\n\n{} [the report](https://news.example/more/{e}) {}.\n",
                words(&mut rng, 60),
                words(&mut rng, 8),
                words(&mut rng, 8),
                words(&mut rng, 8),
                words(&mut rng, 40),
                words(&mut rng, 30)
            ),
        };
        let media = (e < images)
            .then(|| media_of(out, e))
            .transpose()?
            .unwrap_or_default();
        write_gen_event(out, &event, &media)?;
        if let Some(h) = hugo {
            write_hugo_event(h, &event)?;
        }
    }
    Ok(())
}

/// Writes event `e`'s photo and returns its `media` lines (the first event's with a video).
fn media_of(out: &Path, e: usize) -> std::io::Result<String> {
    fs::write(out.join(format!("content/media/photo-{e}.jpg")), photo(e))?;
    let mut text = format!(
        "media:\n  - src: photo-{e}.jpg\n    alt: A generated picture, number {e}\n    caption: Picture {e}\n    credit: Synthetic Agency\n"
    );
    if e == 0 {
        text.push_str("  - src: https://www.youtube.com/watch?v=synthetic0\n    caption: A video elsewhere\n    credit: Synthetic Broadcaster\n");
    }
    Ok(text)
}

/// A 2400×1600 photo-like JPEG of its own for each `n`: soft shapes and gradients under a
/// mild grain a few pixels across, so it compresses about as a photograph does.
fn photo(n: usize) -> Vec<u8> {
    let mut rng = Rng(n as u64 + 7);
    let (shift, fx, fy) = (
        rng.below(255) as f32,
        40.0 + rng.below(60) as f32,
        30.0 + rng.below(50) as f32,
    );
    let image = image::RgbImage::from_fn(2400, 1600, |x, y| {
        let (xf, yf) = (x as f32, y as f32);
        let cell = (x / 3).wrapping_mul(2_654_435_761) ^ (y / 3).wrapping_mul(40_503);
        let grain = (cell % 9) as f32 - 4.0;
        let wave = 40.0 * ((xf / fx).sin() * (yf / fy).cos());
        let channel = |base: f32| base.clamp(0.0, 255.0) as u8;
        image::Rgb([
            channel(60.0 + xf / 16.0 + wave + grain + shift / 4.0),
            channel(90.0 + yf / 12.0 - wave / 2.0 + grain),
            channel(140.0 - (xf + yf) / 40.0 + wave / 3.0 + grain),
        ])
    });
    let mut bytes = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85);
    image.write_with_encoder(encoder).expect("a JPEG encodes");
    bytes
}

fn write_gen_event(out: &Path, e: &Generated, media: &str) -> std::io::Result<()> {
    let mut text = format!("---\ntitle: {:?}\ndate: {}\n", e.title, e.gen_date);
    let _ = writeln!(
        text,
        "location: {}\nactors: [{}, {}]\ntags: [{}]",
        e.location, e.actors[0], e.actors[1], e.tag
    );
    let _ = writeln!(text, "importance: {}", e.importance);
    text.push_str("sources:\n");
    for (i, s) in e.cited.iter().enumerate() {
        if i == 0 {
            let _ = writeln!(text, "  - id: src-{s}\n    quote: \"{}\"", e.quote);
        } else {
            let _ = writeln!(text, "  - src-{s}");
        }
    }
    text.push_str(media);
    let _ = write!(text, "---\n{}", e.body);
    fs::write(out.join(format!("content/events/{}.md", e.slug)), text)
}
