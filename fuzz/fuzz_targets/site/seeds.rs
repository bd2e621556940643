//! The `site` target's seeds: a few sites written as [`SiteInput`] values, encoded (see
//! `encode.rs`) and decoded again to check the encoding before they are written.
//!
//! `GEN_FUZZ_SITE_SEEDS=seeds/site target/site/x86_64-unknown-linux-gnu/release/site -runs=0`
//! (from `fuzz/`, after building the target) writes them.

use std::fs;
use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};

use crate::encode::Encode;
use crate::input::*;

/// Writes the seeds into the folder `GEN_FUZZ_SITE_SEEDS` names, if it is set.
pub fn write_if_asked() {
    let Some(dir) = std::env::var_os("GEN_FUZZ_SITE_SEEDS") else {
        return;
    };
    let dir = Path::new(&dir);
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for (name, input) in seeds() {
        let mut bytes = Vec::new();
        input.encode(&mut bytes);
        let decoded = SiteInput::arbitrary_take_rest(Unstructured::new(&bytes))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(format!("{decoded:?}"), format!("{input:?}"), "{name}");
        fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

fn seeds() -> Vec<(&'static str, SiteInput)> {
    let from_config = || Output::FromConfig;
    let secret_config = ConfigFile::Link(Link {
        to: Target::Secret(6),
        absolute: false,
    });
    vec![
        (
            "small",
            site(small(), Output::Beside(Name::Odd(35)), vec![]),
        ),
        ("full", full()),
        (
            "links",
            site(with(links()), Output::Beside(Name::Stock(0)), vec![]),
        ),
        ("bad-links", site(with(bad_links()), from_config(), vec![])),
        ("outside", site(with(outside()), from_config(), vec![])),
        (
            "outside-errors",
            site(with(outside_errors()), from_config(), vec![]),
        ),
        (
            "outside-template",
            site(with(outside_template()), from_config(), vec![]),
        ),
        (
            "outside-config",
            SiteInput {
                config: secret_config,
                ..site(small(), from_config(), vec![])
            },
        ),
        (
            "odd-names",
            site(
                with(odd_names()),
                Output::Inside(vec![Name::Odd(5)]),
                vec![],
            ),
        ),
        ("errors", site(with(errors()), from_config(), vec![])),
        (
            "marked-spare",
            site(with(marked_spare()), from_config(), vec![vec![], vec![]]),
        ),
        (
            "template-circle",
            site(with(template_circle()), from_config(), vec![]),
        ),
        (
            "planted-lock",
            site(with(planted_lock()), from_config(), vec![]),
        ),
        (
            "rebuild",
            site(small(), from_config(), vec![rebuild(), vec![]]),
        ),
    ]
}

fn s(i: u8) -> Pick {
    Pick::Stock(i)
}

/// A site with `site.toml` written from [`settings`], its root given plainly.
fn site(entries: Vec<Entry>, output: Output, rebuilds: Vec<Vec<Entry>>) -> SiteInput {
    SiteInput {
        config: ConfigFile::Written(settings()),
        entries,
        root: RootPath::Plain,
        output,
        drafts: false,
        base_url: None,
        rebuilds,
    }
}

fn settings() -> Settings {
    Settings {
        title: s(0),
        base_url: s(0),
        timezone: None,
        raw_html: None,
        output_dir: None,
        numbers: Vec::new(),
        window: None,
        extra: Vec::new(),
    }
}

fn file(place: Place, name: Name, ext: Ext, body: Body) -> Entry {
    Entry {
        place,
        folders: Vec::new(),
        name,
        ext,
        node: Node::File(body),
    }
}

fn linked(place: Place, name: Name, ext: Ext, to: Target, absolute: bool) -> Entry {
    Entry {
        node: Node::Link(Link { to, absolute }),
        ..file(place, name, ext, Body::Empty)
    }
}

fn template(base: u8) -> Body {
    Body::Template {
        base,
        edits: Vec::new(),
    }
}

fn page(title: Option<Pick>, body: u8) -> Body {
    Body::Page {
        title,
        body: s(body),
    }
}

/// An event citing source `s` (stock name 0), with title and date from the tables.
fn event(title: u8, date: u8) -> EventSpec {
    EventSpec {
        title: s(title),
        date: s(date),
        actors: Vec::new(),
        tags: Vec::new(),
        sources: vec![(0, None)],
        extra: Vec::new(),
        draft: false,
        body: s(0),
    }
}

/// A source with one more front-matter line from the table.
fn source(line: u8) -> Body {
    Body::Source(SourceSpec {
        title: s(0),
        outlet: s(0),
        extra: vec![s(line)],
        body: s(1),
    })
}

/// A valid site: one event (`a`) citing one source (`s`). After `site.toml` it makes
/// content, content/events, a.md, content/sources, s.md (the targets of `Target::Entry`).
fn small() -> Vec<Entry> {
    vec![
        file(
            Place::Events,
            Name::Stock(1),
            Ext::Md,
            Body::Event(event(0, 0)),
        ),
        file(Place::Sources, Name::Stock(0), Ext::Md, source(0)),
    ]
}

/// [`small`] and more.
fn with(more: Vec<Entry>) -> Vec<Entry> {
    let mut entries = small();
    entries.extend(more);
    entries
}

/// Two events, two sources, a page, a template of its own, overrides of a template and of
/// the stylesheet, and most settings.
fn full() -> SiteInput {
    let mut rich = event(1, 1);
    rich.actors = vec![s(0), s(1)];
    rich.tags = vec![s(3)];
    rich.sources = vec![(0, Some(s(0))), (1, None)];
    rich.extra = vec![s(0), s(3), s(5)];
    rich.body = s(2);
    let entries = with(vec![
        file(Place::Events, Name::Stock(4), Ext::Md, Body::Event(rich)),
        file(Place::Sources, Name::Stock(1), Ext::Md, source(1)),
        file(Place::Content, Name::Stock(5), Ext::Md, page(Some(s(0)), 6)),
        file(Place::Templates, Name::Stock(5), Ext::Html, template(13)),
        file(Place::Static, Name::Odd(46), Ext::None, page(None, 0)),
        file(Place::Templates, Name::Odd(0), Ext::None, template(2)),
    ]);
    let mut settings = settings();
    settings.timezone = Some(s(0));
    settings.raw_html = Some(s(1));
    settings.numbers = vec![(0, 1), (1, 1)];
    settings.window = Some((s(0), s(1)));
    settings.extra = vec![s(0), s(1)];
    SiteInput {
        config: ConfigFile::Written(settings),
        ..site(entries, Output::FromConfig, vec![])
    }
}

/// An event that is a link to another, a static file that is a link to a source.
fn links() -> Vec<Entry> {
    vec![
        linked(
            Place::Events,
            Name::Stock(2),
            Ext::Md,
            Target::Entry(3),
            false,
        ),
        linked(
            Place::Static,
            Name::Stock(5),
            Ext::Stock(2),
            Target::Entry(5),
            true,
        ),
    ]
}

fn bad_links() -> Vec<Entry> {
    vec![
        linked(
            Place::Content,
            Name::Stock(7),
            Ext::None,
            Target::Root,
            false,
        ),
        linked(
            Place::Events,
            Name::Stock(3),
            Ext::Md,
            Target::Dangling(Name::Stock(3)),
            false,
        ),
        linked(
            Place::Templates,
            Name::Stock(7),
            Ext::None,
            Target::Itself,
            false,
        ),
        linked(
            Place::Static,
            Name::Stock(6),
            Ext::None,
            Target::Up(1),
            false,
        ),
    ]
}

/// Links to the secret event, source, page and plain file, and to the secret folder.
fn outside() -> Vec<Entry> {
    vec![
        linked(
            Place::Events,
            Name::Stock(2),
            Ext::Md,
            Target::Secret(0),
            false,
        ),
        linked(
            Place::Sources,
            Name::Stock(1),
            Ext::Md,
            Target::Secret(1),
            true,
        ),
        linked(
            Place::Content,
            Name::Stock(3),
            Ext::Md,
            Target::Secret(2),
            false,
        ),
        linked(
            Place::Static,
            Name::Stock(3),
            Ext::Stock(7),
            Target::Secret(8),
            false,
        ),
        linked(
            Place::Static,
            Name::Stock(5),
            Ext::None,
            Target::SecretFolder,
            false,
        ),
    ]
}

/// Links to the secret files whose errors quote the line holding the secret.
fn outside_errors() -> Vec<Entry> {
    vec![
        linked(
            Place::Events,
            Name::Stock(2),
            Ext::Md,
            Target::Secret(3),
            false,
        ),
        linked(
            Place::Templates,
            Name::Stock(3),
            Ext::Html,
            Target::Secret(5),
            true,
        ),
    ]
}

fn outside_template() -> Vec<Entry> {
    vec![linked(
        Place::Templates,
        Name::Odd(0),
        Ext::None,
        Target::Secret(4),
        false,
    )]
}

/// Odd names: a nested event, ignored files, static files named `....css`, in Japanese and
/// `index.html`, and a large event.
fn odd_names() -> Vec<Entry> {
    let mut nested = file(
        Place::Events,
        Name::Stock(7),
        Ext::Md,
        Body::Event(event(2, 2)),
    );
    nested.folders = vec![Name::Odd(5), Name::Long { unit: 12, len: 0 }];
    let huge = Body::Huge {
        shape: Huge::EventBody,
        unit: 1,
        scale: 6,
    };
    vec![
        nested,
        file(Place::Events, Name::Odd(3), Ext::Md, Body::Empty),
        file(Place::Content, Name::Odd(2), Ext::Md, Body::Blank(3)),
        file(Place::Static, Name::Odd(16), Ext::Stock(1), Body::Empty),
        file(Place::Static, Name::Odd(12), Ext::None, Body::Blank(0)),
        file(Place::Static, Name::Odd(0), Ext::None, page(None, 0)),
        file(Place::Events, Name::Stock(5), Ext::Md, huge),
    ]
}

/// An empty event, one that is not UTF-8, a blank page, macros without the card macro.
fn errors() -> Vec<Entry> {
    let spoiled = Body::Spoiled {
        event: event(0, 0),
        at: 9,
    };
    vec![
        file(Place::Events, Name::Stock(3), Ext::Md, Body::Empty),
        file(Place::Events, Name::Stock(2), Ext::Md, spoiled),
        file(Place::Content, Name::Stock(5), Ext::Md, Body::Blank(4)),
        file(Place::Templates, Name::Odd(49), Ext::None, template(18)),
    ]
}

/// A spare copy someone else made: gen's marker listing `index.html`, which is a link to the
/// secret plain file.
fn marked_spare() -> Vec<Entry> {
    let marker = Body::Marker(vec![Name::Odd(0)]);
    let mut spare = file(Place::Root, Name::Odd(33), Ext::None, marker);
    spare.folders = vec![Name::Odd(34)];
    let mut inside = linked(
        Place::Root,
        Name::Odd(0),
        Ext::None,
        Target::Secret(8),
        true,
    );
    inside.folders = vec![Name::Odd(34)];
    vec![spare, inside]
}

/// base.html extends index.html, which extends base.html.
fn template_circle() -> Vec<Entry> {
    vec![file(
        Place::Templates,
        Name::Odd(48),
        Ext::None,
        template(21),
    )]
}

/// The build lock (`.public.lock`) a link to the secret plain file.
fn planted_lock() -> Vec<Entry> {
    vec![linked(
        Place::Root,
        Name::Odd(51),
        Ext::None,
        Target::Secret(8),
        false,
    )]
}

/// An event made invalid, another added.
fn rebuild() -> Vec<Entry> {
    let mut changed = event(0, 4);
    changed.extra = vec![s(12)];
    vec![
        file(Place::Events, Name::Stock(1), Ext::Md, Body::Event(changed)),
        file(
            Place::Events,
            Name::Stock(2),
            Ext::Md,
            Body::Event(event(1, 3)),
        ),
    ]
}
