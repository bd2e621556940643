//! What the `site` target's input decodes into (with `arbitrary`): a site folder described as
//! data. Most text is drawn from the tables in `tables.rs` (so random bytes often make a valid
//! site) or taken as the fuzzer's own bytes; large files are made by repeating a table's unit,
//! never from the input.

use std::borrow::Cow;
use std::fmt;

use arbitrary::{Arbitrary, Unstructured};

/// Raw bytes taken as one length-prefixed run of the input (a derived `Vec<u8>` spends a
/// flag byte on every byte). May be invalid UTF-8.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl<'a> Arbitrary<'a> for Bytes {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Bytes(<&[u8]>::arbitrary(u)?.to_vec()))
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b{:?}", String::from_utf8_lossy(&self.0))
    }
}

/// A piece of text: one of the table the field draws from, or the fuzzer's own bytes.
#[derive(Arbitrary, Debug, Clone)]
pub enum Pick {
    Stock(u8),
    Raw(Bytes),
}

impl Pick {
    /// The text: a table entry (chosen modulo its length) or the raw bytes.
    pub fn get<'t>(&'t self, table: &'t [&'t str]) -> Cow<'t, [u8]> {
        match self {
            Pick::Stock(i) => Cow::Borrowed(table[usize::from(*i) % table.len()].as_bytes()),
            Pick::Raw(bytes) => Cow::Borrowed(&bytes.0),
        }
    }

    /// The table entry, or `None` for raw bytes (which are written as they are, unquoted).
    pub fn stock<'t>(&self, table: &'t [&'t str]) -> Option<&'t str> {
        match self {
            Pick::Stock(i) => Some(table[usize::from(*i) % table.len()]),
            Pick::Raw(_) => None,
        }
    }
}

/// One fuzz input: a site folder, where to build it, and what changes before each rebuild.
#[derive(Arbitrary, Debug)]
pub struct SiteInput {
    pub config: ConfigFile,
    pub entries: Vec<Entry>,
    pub root: RootPath,
    pub output: Output,
    pub drafts: bool,
    /// `--base-url`.
    pub base_url: Option<Pick>,
    /// Rounds (at most three) of entries written over what is there, each followed by another
    /// build into the same output: the second build is the first with a spare copy beside the
    /// output, the third the first to reuse that spare.
    pub rebuilds: Vec<Vec<Entry>>,
}

/// `site.toml`.
#[derive(Arbitrary, Debug)]
pub enum ConfigFile {
    /// Written from settings: valid TOML, each value maybe not a valid setting.
    Written(Settings),
    /// Written from settings, then bytes cut and inserted.
    Edited(Settings, Vec<Edit>),
    Raw(Bytes),
    Missing,
    /// A symbolic link.
    Link(Link),
}

/// The settings of a `site.toml`; stock values are quoted, raw ones written as they are.
#[derive(Arbitrary, Debug)]
pub struct Settings {
    pub title: Pick,
    pub base_url: Pick,
    pub timezone: Option<Pick>,
    pub raw_html: Option<Pick>,
    pub output_dir: Option<Name>,
    pub numbers: Vec<(u8, u8)>,
    pub window: Option<(Pick, Pick)>,
    /// Lines from a table (other keys, unknown keys, bad values).
    pub extra: Vec<Pick>,
}

/// Cut `cut` bytes at `at` (both taken modulo what there is) and insert `insert`.
#[derive(Arbitrary, Debug)]
pub struct Edit {
    pub at: u16,
    pub cut: u8,
    pub insert: Pick,
}

/// How the site root is named on the command line.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum RootPath {
    Plain,
    /// Through a symbolic link to the site folder.
    Link,
    /// With a `.` and a `..` in it.
    Dots,
}

/// Where the site is written.
#[derive(Arbitrary, Debug)]
pub enum Output {
    /// `output_dir` from `site.toml` (inside the site root).
    FromConfig,
    /// `--output` beside the site folder.
    Beside(Name),
    /// `--output` inside the site folder (maybe a folder it refuses, or one the input made).
    Inside(Vec<Name>),
}

/// One file, folder or link of the site.
#[derive(Arbitrary, Debug)]
pub struct Entry {
    pub place: Place,
    /// Folders between the place and the entry (made as needed; at most six are used).
    pub folders: Vec<Name>,
    pub name: Name,
    pub ext: Ext,
    pub node: Node,
}

/// The folder an entry goes under.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Place {
    Events,
    Sources,
    Content,
    Templates,
    Static,
    Root,
}

/// A file name (cleaned up to a legal one: no `/` or NUL, not `.` or `..`, at most 255 bytes).
#[derive(Arbitrary, Debug, Clone)]
pub enum Name {
    /// A plain name from a small set, shared with the source ids events cite.
    Stock(u8),
    /// An odd one: unicode, spaces, leading dots, `#`, `~`, names gen itself writes, …
    Odd(u8),
    Raw(Bytes),
    /// A unit from the odd names repeated to `200 + len % 56` bytes.
    Long {
        unit: u8,
        len: u8,
    },
}

/// What follows the name.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Ext {
    Md,
    Html,
    None,
    /// One from a table (`.xml`, `.css`, `.MD`, `.md~`, `.md.swp`, …).
    Stock(u8),
}

#[derive(Arbitrary, Debug)]
pub enum Node {
    File(Body),
    /// A folder (empty unless other entries go in it).
    Folder,
    Link(Link),
}

/// A symbolic link: where to, and written as an absolute or a relative path.
#[derive(Arbitrary, Debug)]
pub struct Link {
    pub to: Target,
    pub absolute: bool,
}

#[derive(Arbitrary, Debug)]
pub enum Target {
    /// An entry written before this one (modulo how many), file, folder or link.
    Entry(u8),
    /// The site root: a loop.
    Root,
    /// The temporary folder holding the site, the output and the secret folder.
    Work,
    /// The output folder (missing until the first build).
    Output,
    /// The link itself.
    Itself,
    /// `..` repeated (never above the temporary folder).
    Up(u8),
    Dangling(Name),
    /// One of the files outside the site holding the secret.
    Secret(u8),
    /// The folder outside the site holding them.
    SecretFolder,
}

/// The contents of a file.
#[derive(Arbitrary, Debug)]
pub enum Body {
    Event(EventSpec),
    Source(SourceSpec),
    Page {
        title: Option<Pick>,
        body: Pick,
    },
    /// A built-in template or a broken one from the table, edited.
    Template {
        base: u8,
        edits: Vec<Edit>,
    },
    Raw(Bytes),
    Empty,
    /// Whitespace only.
    Blank(u8),
    /// A valid event with one byte that is never valid UTF-8 put in.
    Spoiled {
        event: EventSpec,
        at: u16,
    },
    /// A file made by repeating a unit to up to 4 MiB (within the input's budget).
    Huge {
        shape: Huge,
        unit: u8,
        scale: u8,
    },
    /// The marker gen puts in its output folders, listing these names.
    Marker(Vec<Name>),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Huge {
    /// The repetition alone.
    Plain,
    /// An event whose body is the repetition.
    EventBody,
    /// An event whose title is the repetition.
    EventTitle,
    /// A source whose outlet is the repetition.
    SourceOutlet,
}

#[derive(Arbitrary, Debug)]
pub struct EventSpec {
    pub title: Pick,
    pub date: Pick,
    pub actors: Vec<Pick>,
    pub tags: Vec<Pick>,
    /// Cited source ids (the stock names), each maybe with a quote.
    pub sources: Vec<(u8, Option<Pick>)>,
    /// Other front-matter lines.
    pub extra: Vec<Pick>,
    pub draft: bool,
    pub body: Pick,
}

#[derive(Arbitrary, Debug)]
pub struct SourceSpec {
    pub title: Pick,
    pub outlet: Pick,
    pub extra: Vec<Pick>,
    pub body: Pick,
}
