//! Writes a synthetic gen site for benchmarks: N events (a ~150-word Markdown body with a list
//! and a link, 1–3 cited sources, actors, tags, dates spread over 13–23 June 2025 written in
//! several IANA zones) and N/4 sources. Deterministic for a given seed.
//!
//! `cargo run --release --example synth -- OUT_DIR [EVENTS] [SEED]`

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;

/// splitmix64: small, fast and good enough to spread synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

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
const WORDS: [&str; 24] = [
    "officials",
    "said",
    "the",
    "strike",
    "on",
    "site",
    "was",
    "reported",
    "after",
    "talks",
    "in",
    "capital",
    "ministers",
    "met",
    "forces",
    "launched",
    "a",
    "statement",
    "late",
    "overnight",
    "according",
    "to",
    "agency",
    "sources",
];

fn words(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| WORDS[rng.below(WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = Path::new(args.first().ok_or("usage: synth OUT_DIR [EVENTS] [SEED]")?);
    let events: usize = args.get(1).map_or(Ok(1000), |s| s.parse())?;
    let seed: u64 = args.get(2).map_or(Ok(1), |s| s.parse())?;
    write_site(out, events, seed)?;
    println!(
        "wrote {events} events and {} sources to {}",
        (events / 4).max(1),
        out.display()
    );
    Ok(())
}

fn write_site(out: &Path, events: usize, seed: u64) -> std::io::Result<()> {
    let mut rng = Rng(seed);
    let sources = (events / 4).max(1);
    fs::create_dir_all(out.join("content/events"))?;
    fs::create_dir_all(out.join("content/sources"))?;
    fs::write(
        out.join("site.toml"),
        "title = \"Synthetic timeline\"\ndescription = \"Generated for benchmarks\"\nbase_url = \"https://example.org/synthetic/\"\ntimezone = \"UTC\"\n\n[timeline]\nstart = 2025-06-13\nend = 2025-06-23\n",
    )?;
    for s in 0..sources {
        let text = format!(
            "---\ntitle: \"Report {s}: {}\"\noutlet: Outlet {}\npublished: 2025-06-{:02}\nurl: https://news.example/{}/report-{s}\nlanguage: en\n---\n",
            words(&mut rng, 6),
            s % 40,
            13 + s % 11,
            s % 40
        );
        fs::write(out.join(format!("content/sources/src-{s}.md")), text)?;
    }
    let start = Utc
        .with_ymd_and_hms(2025, 6, 13, 0, 0, 0)
        .single()
        .expect("valid start");
    let window_minutes = 11 * 24 * 60;
    for e in 0..events {
        let instant = start + chrono::Duration::minutes((rng.below(window_minutes)) as i64);
        let zone: Tz = ZONES[rng.below(ZONES.len())].parse().expect("known zone");
        let local = instant.with_timezone(&zone).format("%Y-%m-%dT%H:%M");
        let mut cited = vec![e % sources];
        for _ in 0..rng.below(3) {
            let s = rng.below(sources);
            if !cited.contains(&s) {
                cited.push(s);
            }
        }
        let mut text = format!(
            "---\ntitle: \"Event {e}: {}\"\ndate: {local} {}\n",
            words(&mut rng, 5),
            zone.name()
        );
        let a1 = ACTORS[rng.below(ACTORS.len())];
        let a2 = ACTORS[rng.below(ACTORS.len())];
        let _ = writeln!(
            text,
            "location: Place {}\nactors: [{a1}, {a2}]\ntags: [{}]",
            e % 97,
            TAGS[rng.below(TAGS.len())]
        );
        let _ = writeln!(
            text,
            "importance: {}",
            ["major", "normal", "minor"][rng.below(3)]
        );
        text.push_str("sources:\n");
        for (i, s) in cited.iter().enumerate() {
            if i == 0 {
                let _ = writeln!(
                    text,
                    "  - id: src-{s}\n    quote: \"{}\"",
                    words(&mut rng, 8)
                );
            } else {
                let _ = writeln!(text, "  - src-{s}");
            }
        }
        let _ = write!(
            text,
            "---\n{}.\n\n- {}\n- {}\n- {}\n\n{} [the report](https://news.example/more/{e}) {}.\n",
            words(&mut rng, 60),
            words(&mut rng, 8),
            words(&mut rng, 8),
            words(&mut rng, 8),
            words(&mut rng, 40),
            words(&mut rng, 30)
        );
        fs::write(out.join(format!("content/events/event-{e:06}.md")), text)?;
    }
    Ok(())
}
