//! Encoding of [`SiteInput`] values into the bytes `arbitrary` decodes them from, for the
//! seeds: derived structs read their fields in order, derived enums a `u32` tag, options and
//! collections a flag byte. Only stock text is encodable (raw bytes would need lengths taken
//! from the end of the input); the seeds are decoded again and compared before they are
//! written, so a change to the input types that this file misses is caught.

use crate::input::*;

/// The bytes `arbitrary` decodes a value from (stock text only).
pub trait Encode {
    fn encode(&self, out: &mut Vec<u8>);
}

/// The tag of variant `i` of `n`: derived enums take a `u32` and keep `(u32 * n) >> 32`.
fn tag(out: &mut Vec<u8>, i: u32, n: u32) {
    let v = (u64::from(i) << 32).div_ceil(u64::from(n));
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
