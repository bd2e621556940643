//! The `site` target's seeds: a few sites written as [`SiteInput`] values and encoded into the
//! bytes `arbitrary` decodes them from. Only stock text is encodable (raw bytes would need
//! lengths taken from the end of the input). Each encoding is decoded again and compared
//! before it is written, so a change to the input types that the encoder misses is caught.
//!
//! `GEN_FUZZ_SITE_SEEDS=seeds/site cargo fuzz run --sanitizer none site -- -runs=0` (from
//! `fuzz/`) writes them.

use std::fs;
use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};

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

fn s(i: u8) -> Pick {
    Pick::Stock(i)
}

fn entry(place: Place, name: Name, ext: Ext, node: Node) -> Entry {
    Entry {
        place,
        folders: Vec::new(),
        name,
        ext,
        node,
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

/// A valid site: one event (`a`) citing one source (`s`).
fn small() -> Vec<Entry> {
    vec![
        entry(
            Place::Events,
            Name::Stock(1),
            Ext::Md,
            Node::File(Body::Event(event(0, 0))),
        ),
        entry(
            Place::Sources,
            Name::Stock(0),
            Ext::Md,
            Node::File(source(0)),
        ),
    ]
}

fn link(to: Target, absolute: bool) -> Node {
    Node::Link(Link { to, absolute })
}

fn seeds() -> Vec<(&'static str, SiteInput)> {
    let plain = |config, entries, output, rebuilds| SiteInput {
        config,
        entries,
        root: RootPath::Plain,
        output,
        drafts: false,
        base_url: None,
        rebuilds,
    };
    let mut full = small();
    let mut rich = event(1, 1);
    rich.actors = vec![s(0), s(1)];
    rich.tags = vec![s(3)];
    rich.sources = vec![(0, Some(s(0))), (1, None)];
    rich.extra = vec![s(0), s(3), s(5)];
    rich.body = s(2);
    full.extend([
        entry(
            Place::Events,
            Name::Stock(4),
            Ext::Md,
            Node::File(Body::Event(rich)),
        ),
        entry(
            Place::Sources,
            Name::Stock(1),
            Ext::Md,
            Node::File(source(1)),
        ),
        entry(
            Place::Content,
            Name::Stock(5),
            Ext::Md,
            Node::File(Body::Page {
                title: Some(s(0)),
                body: s(6),
            }),
        ),
        entry(
            Place::Templates,
            Name::Stock(5),
            Ext::Html,
            Node::File(Body::Template {
                base: 13,
                edits: Vec::new(),
            }),
        ),
        entry(
            Place::Static,
            Name::Odd(46),
            Ext::None,
            Node::File(Body::Page {
                title: None,
                body: s(0),
            }),
        ),
        entry(
            Place::Templates,
            Name::Odd(0),
            Ext::None,
            Node::File(Body::Template {
                base: 2,
                edits: Vec::new(),
            }),
        ),
    ]);
    let mut settings_full = settings();
    settings_full.timezone = Some(s(0));
    settings_full.raw_html = Some(s(1));
    settings_full.numbers = vec![(0, 1), (1, 1)];
    settings_full.window = Some((s(0), s(1)));
    settings_full.extra = vec![s(0), s(1)];

    // After `site.toml`, small() makes content, content/events, a.md, content/sources, s.md.
    let mut links = small();
    links.extend([
        entry(
            Place::Events,
            Name::Stock(2),
            Ext::Md,
            link(Target::Entry(3), false),
        ),
        entry(
            Place::Static,
            Name::Stock(5),
            Ext::Stock(2),
            link(Target::Entry(5), true),
        ),
    ]);
    let mut bad_links = small();
    bad_links.extend([
        entry(
            Place::Content,
            Name::Stock(7),
            Ext::None,
            link(Target::Root, false),
        ),
        entry(
            Place::Events,
            Name::Stock(3),
            Ext::Md,
            link(Target::Dangling(Name::Stock(3)), false),
        ),
        entry(
            Place::Templates,
            Name::Stock(7),
            Ext::None,
            link(Target::Itself, false),
        ),
        entry(
            Place::Static,
            Name::Stock(6),
            Ext::None,
            link(Target::Up(1), false),
        ),
    ]);

    let mut outside = small();
    outside.extend([
        entry(
            Place::Events,
            Name::Stock(2),
            Ext::Md,
            link(Target::Secret(0), false),
        ),
        entry(
            Place::Sources,
            Name::Stock(1),
            Ext::Md,
            link(Target::Secret(1), true),
        ),
        entry(
            Place::Content,
            Name::Stock(3),
            Ext::Md,
            link(Target::Secret(2), false),
        ),
        entry(
            Place::Static,
            Name::Stock(3),
            Ext::Stock(7),
            link(Target::Secret(8), false),
        ),
        entry(
            Place::Static,
            Name::Stock(5),
            Ext::None,
            link(Target::SecretFolder, false),
        ),
    ]);
    let mut outside_errors = small();
    outside_errors.extend([
        entry(
            Place::Events,
            Name::Stock(2),
            Ext::Md,
            link(Target::Secret(3), false),
        ),
        entry(
            Place::Templates,
            Name::Stock(3),
            Ext::Html,
            link(Target::Secret(5), true),
        ),
    ]);
    let mut outside_template = small();
    outside_template.push(entry(
        Place::Templates,
        Name::Odd(0),
        Ext::None,
        link(Target::Secret(4), false),
    ));

    let mut odd = small();
    let mut nested = entry(
        Place::Events,
        Name::Stock(7),
        Ext::Md,
        Node::File(Body::Event(event(2, 2))),
    );
    nested.folders = vec![Name::Odd(5), Name::Long { unit: 12, len: 0 }];
    odd.extend([
        nested,
        entry(
            Place::Events,
            Name::Odd(3),
            Ext::Md,
            Node::File(Body::Empty),
        ),
        entry(
            Place::Content,
            Name::Odd(2),
            Ext::Md,
            Node::File(Body::Blank(3)),
        ),
        entry(
            Place::Static,
            Name::Odd(16),
            Ext::Stock(1),
            Node::File(Body::Empty),
        ),
        entry(
            Place::Static,
            Name::Odd(12),
            Ext::None,
            Node::File(Body::Blank(0)),
        ),
        entry(
            Place::Static,
            Name::Odd(0),
            Ext::None,
            Node::File(Body::Page {
                title: None,
                body: s(0),
            }),
        ),
        entry(
            Place::Events,
            Name::Stock(5),
            Ext::Md,
            Node::File(Body::Huge {
                shape: Huge::EventBody,
                unit: 1,
                scale: 6,
            }),
        ),
    ]);

    let mut errors = small();
    errors.extend([
        entry(
            Place::Events,
            Name::Stock(3),
            Ext::Md,
            Node::File(Body::Empty),
        ),
        entry(
            Place::Events,
            Name::Stock(2),
            Ext::Md,
            Node::File(Body::Spoiled {
                event: event(0, 0),
                at: 9,
            }),
        ),
        entry(
            Place::Content,
            Name::Stock(5),
            Ext::Md,
            Node::File(Body::Blank(4)),
        ),
        entry(
            Place::Templates,
            Name::Odd(49),
            Ext::None,
            Node::File(Body::Template {
                base: 18,
                edits: Vec::new(),
            }),
        ),
    ]);

    let mut spare = entry(
        Place::Root,
        Name::Odd(33),
        Ext::None,
        Node::File(Body::Marker(vec![Name::Odd(0)])),
    );
    spare.folders = vec![Name::Odd(34)];
    let mut inside = entry(
        Place::Root,
        Name::Odd(0),
        Ext::None,
        link(Target::Secret(8), true),
    );
    inside.folders = vec![Name::Odd(34)];
    let mut marked = small();
    marked.extend([spare, inside]);

    // base.html extends index.html, which extends base.html.
    let mut circle = small();
    circle.push(entry(
        Place::Templates,
        Name::Odd(48),
        Ext::None,
        Node::File(Body::Template {
            base: 21,
            edits: Vec::new(),
        }),
    ));

    let mut locked = small();
    locked.push(entry(
        Place::Root,
        Name::Odd(51),
        Ext::None,
        link(Target::Secret(8), false),
    ));

    let mut changed = event(0, 4);
    changed.extra = vec![s(12)];
    let rebuild = vec![
        entry(
            Place::Events,
            Name::Stock(1),
            Ext::Md,
            Node::File(Body::Event(changed)),
        ),
        entry(
            Place::Events,
            Name::Stock(2),
            Ext::Md,
            Node::File(Body::Event(event(1, 3))),
        ),
    ];
    let written = || ConfigFile::Written(settings());
    let secret_config = ConfigFile::Link(Link {
        to: Target::Secret(6),
        absolute: false,
    });
    vec![
        (
            "small",
            plain(
                written(),
                small(),
                Output::Beside(Name::Odd(35)),
                Vec::new(),
            ),
        ),
        (
            "full",
            plain(
                ConfigFile::Written(settings_full),
                full,
                Output::FromConfig,
                Vec::new(),
            ),
        ),
        (
            "links",
            plain(written(), links, Output::Beside(Name::Stock(0)), Vec::new()),
        ),
        (
            "bad-links",
            plain(written(), bad_links, Output::FromConfig, Vec::new()),
        ),
        (
            "outside",
            plain(written(), outside, Output::FromConfig, Vec::new()),
        ),
        (
            "outside-errors",
            plain(written(), outside_errors, Output::FromConfig, Vec::new()),
        ),
        (
            "outside-template",
            plain(written(), outside_template, Output::FromConfig, Vec::new()),
        ),
        (
            "outside-config",
            plain(secret_config, small(), Output::FromConfig, Vec::new()),
        ),
        (
            "odd-names",
            plain(
                written(),
                odd,
                Output::Inside(vec![Name::Odd(5)]),
                Vec::new(),
            ),
        ),
        (
            "errors",
            plain(written(), errors, Output::FromConfig, Vec::new()),
        ),
        (
            "marked-spare",
            plain(
                written(),
                marked,
                Output::FromConfig,
                vec![Vec::new(), Vec::new()],
            ),
        ),
        (
            "template-circle",
            plain(written(), circle, Output::FromConfig, Vec::new()),
        ),
        (
            "planted-lock",
            plain(written(), locked, Output::FromConfig, Vec::new()),
        ),
        (
            "rebuild",
            plain(
                written(),
                small(),
                Output::FromConfig,
                vec![rebuild, Vec::new()],
            ),
        ),
    ]
}

/// The bytes `arbitrary` decodes a value from (stock text only).
trait Encode {
    fn encode(&self, out: &mut Vec<u8>);
}

/// The tag of variant `i` of `n`: derived enums take a `u32` and keep `(u32 * n) >> 32`.
fn tag(out: &mut Vec<u8>, i: u32, n: u32) {
    let v = ((u64::from(i) << 32) + u64::from(n) - 1) / u64::from(n);
    out.extend_from_slice(&u32::try_from(v).unwrap().to_le_bytes());
}

impl Encode for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
}

impl Encode for u16 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl Encode for bool {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        self.is_some().encode(out);
        if let Some(v) = self {
            v.encode(out);
        }
    }
}

/// Collections: a `true` before each element, a `false` after the last.
impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut Vec<u8>) {
        for v in self {
            true.encode(out);
            v.encode(out);
        }
        false.encode(out);
    }
}

impl<A: Encode, B: Encode> Encode for (A, B) {
    fn encode(&self, out: &mut Vec<u8>) {
        self.0.encode(out);
        self.1.encode(out);
    }
}

impl Encode for Pick {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Pick::Stock(i) => {
                tag(out, 0, 2);
                i.encode(out);
            }
            Pick::Raw(_) => panic!("seeds hold stock text only"),
        }
    }
}

impl Encode for SiteInput {
    fn encode(&self, out: &mut Vec<u8>) {
        self.config.encode(out);
        self.entries.encode(out);
        self.root.encode(out);
        self.output.encode(out);
        self.drafts.encode(out);
        self.base_url.encode(out);
        self.rebuilds.encode(out);
    }
}

impl Encode for ConfigFile {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ConfigFile::Written(s) => {
                tag(out, 0, 5);
                s.encode(out);
            }
            ConfigFile::Edited(s, edits) => {
                tag(out, 1, 5);
                s.encode(out);
                edits.encode(out);
            }
            ConfigFile::Raw(_) => panic!("seeds hold stock text only"),
            ConfigFile::Missing => tag(out, 3, 5),
            ConfigFile::Link(link) => {
                tag(out, 4, 5);
                link.encode(out);
            }
        }
    }
}

impl Encode for Settings {
    fn encode(&self, out: &mut Vec<u8>) {
        self.title.encode(out);
        self.base_url.encode(out);
        self.timezone.encode(out);
        self.raw_html.encode(out);
        self.output_dir.encode(out);
        self.numbers.encode(out);
        self.window.encode(out);
        self.extra.encode(out);
    }
}

impl Encode for Edit {
    fn encode(&self, out: &mut Vec<u8>) {
        self.at.encode(out);
        self.cut.encode(out);
        self.insert.encode(out);
    }
}

impl Encode for RootPath {
    fn encode(&self, out: &mut Vec<u8>) {
        tag(out, *self as u32, 3);
    }
}

impl Encode for Output {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Output::FromConfig => tag(out, 0, 3),
            Output::Beside(name) => {
                tag(out, 1, 3);
                name.encode(out);
            }
            Output::Inside(names) => {
                tag(out, 2, 3);
                names.encode(out);
            }
        }
    }
}

impl Encode for Entry {
    fn encode(&self, out: &mut Vec<u8>) {
        tag(out, self.place as u32, 6);
        self.folders.encode(out);
        self.name.encode(out);
        self.ext.encode(out);
        self.node.encode(out);
    }
}

impl Encode for Name {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Name::Stock(i) => {
                tag(out, 0, 4);
                i.encode(out);
            }
            Name::Odd(i) => {
                tag(out, 1, 4);
                i.encode(out);
            }
            Name::Raw(_) => panic!("seeds hold stock text only"),
            Name::Long { unit, len } => {
                tag(out, 3, 4);
                unit.encode(out);
                len.encode(out);
            }
        }
    }
}

impl Encode for Ext {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Ext::Md => tag(out, 0, 4),
            Ext::Html => tag(out, 1, 4),
            Ext::None => tag(out, 2, 4),
            Ext::Stock(i) => {
                tag(out, 3, 4);
                i.encode(out);
            }
        }
    }
}

impl Encode for Node {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Node::File(body) => {
                tag(out, 0, 3);
                body.encode(out);
            }
            Node::Folder => tag(out, 1, 3),
            Node::Link(link) => {
                tag(out, 2, 3);
                link.encode(out);
            }
        }
    }
}

impl Encode for Link {
    fn encode(&self, out: &mut Vec<u8>) {
        self.to.encode(out);
        self.absolute.encode(out);
    }
}

impl Encode for Target {
    fn encode(&self, out: &mut Vec<u8>) {
        let (i, value) = match self {
            Target::Entry(i) => (0, Some(*i)),
            Target::Root => (1, None),
            Target::Work => (2, None),
            Target::Output => (3, None),
            Target::Itself => (4, None),
            Target::Up(n) => (5, Some(*n)),
            Target::Dangling(name) => {
                tag(out, 6, 9);
                return name.encode(out);
            }
            Target::Secret(i) => (7, Some(*i)),
            Target::SecretFolder => (8, None),
        };
        tag(out, i, 9);
        if let Some(v) = value {
            v.encode(out);
        }
    }
}

impl Encode for Body {
    fn encode(&self, out: &mut Vec<u8>) {
        const N: u32 = 10;
        match self {
            Body::Event(spec) => {
                tag(out, 0, N);
                spec.encode(out);
            }
            Body::Source(spec) => {
                tag(out, 1, N);
                spec.encode(out);
            }
            Body::Page { title, body } => {
                tag(out, 2, N);
                title.encode(out);
                body.encode(out);
            }
            Body::Template { base, edits } => {
                tag(out, 3, N);
                base.encode(out);
                edits.encode(out);
            }
            Body::Raw(_) => panic!("seeds hold stock text only"),
            Body::Empty => tag(out, 5, N),
            Body::Blank(n) => {
                tag(out, 6, N);
                n.encode(out);
            }
            Body::Spoiled { event, at } => {
                tag(out, 7, N);
                event.encode(out);
                at.encode(out);
            }
            Body::Huge { shape, unit, scale } => {
                tag(out, 8, N);
                tag(out, *shape as u32, 4);
                unit.encode(out);
                scale.encode(out);
            }
            Body::Marker(names) => {
                tag(out, 9, N);
                names.encode(out);
            }
        }
    }
}

impl Encode for EventSpec {
    fn encode(&self, out: &mut Vec<u8>) {
        self.title.encode(out);
        self.date.encode(out);
        self.actors.encode(out);
        self.tags.encode(out);
        self.sources.encode(out);
        self.extra.encode(out);
        self.draft.encode(out);
        self.body.encode(out);
    }
}

impl Encode for SourceSpec {
    fn encode(&self, out: &mut Vec<u8>) {
        self.title.encode(out);
        self.outlet.encode(out);
        self.extra.encode(out);
        self.body.encode(out);
    }
}
