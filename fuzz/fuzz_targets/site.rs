//! The whole path a user runs, `gen check` then `gen build` (`timeline_gen::check` and
//! `timeline_gen::build`, as `main.rs` calls them), on a site folder made from the input: a
//! random file tree with `site.toml` (valid, edited, raw, missing or a link), content, templates
//! and static files under odd names (unicode, spaces, leading dots, `#`, `~`, names gen writes
//! itself, up to 255 bytes), nested folders, empty, blank and large (up to 4 MiB, made by
//! repetition) files, invalid UTF-8, and symbolic links: to files and folders of the site, to
//! the site root (loops), dangling, and outside the site to a folder of files holding a
//! secret. Some inputs then write more files and build again into the same output.
//!
//! Checks: no panic; a failure carries an error; a site that builds also checks, with as many
//! pages, events and sources; a successful build leaves no symbolic link in its output, and
//! gen's marker, listing only files that are there with their sizes; every diagnostic renders as `main.rs` shows it; nothing in the
//! folder outside the site changes. With `GEN_FUZZ_CANARY=1`: the secret appears in no
//! diagnostic and no file the build wrote (gen must not read through links leaving the site).

#![no_main]

#[path = "site/encode.rs"]
mod encode;
#[path = "site/input.rs"]
mod input;
#[path = "site/seeds.rs"]
mod seeds;
#[path = "site/tables.rs"]
mod tables;
#[path = "site/tree.rs"]
mod tree;
#[path = "site/work.rs"]
mod work;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::{Corpus, fuzz_target};
use timeline_gen::{BuildFailure, BuildOptions, BuildReport};

use input::{Output, RootPath, SiteInput};
use tree::{Writer, file_name};
use work::Work;

type Outcome = Result<BuildReport, BuildFailure>;

// The input is taken as bytes and decoded here, as `fuzz_target!(|input: SiteInput| …)` would
// (`arbitrary_take_rest`, inputs that do not decode rejected), so that the bytes can be kept
// first: a stack overflow kills the process before libFuzzer can save the input (under
// libFuzzer's `main` the Rust runtime's overflow handler is never installed, and libFuzzer's
// own handler has no stack to run on). `cargo fuzz fmt` therefore shows bytes; the decoded
// input is printed with GEN_FUZZ_SITE_SHOW=1.
fuzz_target!(
    init: {
        Work::get();
        seeds::write_if_asked();
    },
    |data: &[u8]| -> Corpus {
        let Ok(input) = SiteInput::arbitrary_take_rest(Unstructured::new(data)) else {
            return Corpus::Reject;
        };
        let work = Work::get();
        let _ = fs::write(&work.last_input, data);
        run(&input);
        Corpus::Keep
    }
);

fn run(input: &SiteInput) {
    let work = Work::get();
    work.clear();
    if showing() {
        eprintln!("{input:#?}");
    }
    let (options, output) = options(input, work);
    let mut writer = Writer::new(work, output);
    writer.config(&input.config);
    writer.entries(&input.entries);
    let checked = timeline_gen::check(&options);
    let built = timeline_gen::build(&options);
    show("check", &checked);
    show("build", &built);
    agree(&checked, &built);
    let mut shown = rendered(&options.root, &checked);
    shown.extend(rendered(&options.root, &built));
    for entries in input.rebuilds.iter().take(3) {
        writer.entries(entries);
        let again = timeline_gen::build(&options);
        show("rebuild", &again);
        if let Ok(report) = &again {
            verify_output(report.output.as_deref().expect("a build names its output"));
        }
        shown.extend(rendered(&options.root, &again));
    }
    work.check_secret_folder();
    if canary() && !writer.tainted {
        for text in &shown {
            assert!(
                !text.contains(&work.secret_text),
                "a diagnostic shows the secret from outside the site:\n{text}"
            );
        }
        let files = work.files_holding_secret();
        assert!(
            files.is_empty(),
            "files hold the secret from outside the site: {files:?}"
        );
    }
}

/// Whether the canary assertions are on (`GEN_FUZZ_CANARY=1`).
fn canary() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("GEN_FUZZ_CANARY").is_some_and(|v| v == "1"))
}

/// Whether to print each input and what each step gave (`GEN_FUZZ_SITE_SHOW=1`).
fn showing() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("GEN_FUZZ_SITE_SHOW").is_some_and(|v| v == "1"))
}

/// Prints what a step gave, when [`showing`].
fn show(step: &str, outcome: &Outcome) {
    if !showing() {
        return;
    }
    match outcome {
        Ok(r) => eprintln!(
            "{step}: {} pages, {} events, {} warnings",
            r.pages,
            r.events,
            r.warnings.len()
        ),
        Err(f) => {
            eprintln!("{step}: failed");
            for d in &f.diagnostics {
                eprintln!("  {}: {}", d.path.display(), d.message);
            }
        }
    }
}

/// The options `gen build` would get, and the output folder (for links to point at).
fn options(input: &SiteInput, work: &Work) -> (BuildOptions, PathBuf) {
    let root = match input.root {
        RootPath::Plain => work.site.clone(),
        RootPath::Link => work.site_link.clone(),
        RootPath::Dots => work.dir.join("site/../site/."),
    };
    let output = match &input.output {
        Output::FromConfig => None,
        Output::Beside(name) => Some(work.beside.join(file_name(name, ""))),
        Output::Inside(names) => Some(
            names
                .iter()
                .take(3)
                .fold(work.site.clone(), |p, n| p.join(file_name(n, ""))),
        ),
    };
    let base_url = input
        .base_url
        .as_ref()
        .map(|p| String::from_utf8_lossy(&p.get(tables::BASE_URLS)).into_owned());
    let shown = output.clone().unwrap_or_else(|| work.site.join("public"));
    let options = BuildOptions {
        root,
        output,
        base_url,
        drafts: input.drafts,
        ..BuildOptions::default()
    };
    (options, shown)
}

/// A site that builds also checks, and both count the same pages, events and sources; a
/// successful build leaves a marker listing only files that are there.
fn agree(checked: &Outcome, built: &Outcome) {
    let Ok(report) = built else {
        return;
    };
    let check = match checked {
        Ok(check) => check,
        Err(e) => panic!("built, but the check failed: {:?}", e.diagnostics),
    };
    assert_eq!(
        (check.pages, check.events, check.sources),
        (report.pages, report.events, report.sources)
    );
    let output = report.output.as_deref().expect("a build names its output");
    verify_output(output);
}

/// An output folder holds no symbolic link, and its marker names gen's version and lists
/// files that are there, each with its size (the second field of a line; the path follows
/// as many fields as in the first build's marker).
fn verify_output(output: &Path) {
    if let Some(link) = first_link(output) {
        panic!("a link in the output: {}", link.display());
    }
    let work = Work::get();
    let marker = fs::read_to_string(output.join(".gen-output"))
        .unwrap_or_else(|e| panic!("{}: no marker: {e}", output.display()));
    let mut lines = marker.lines();
    assert_eq!(lines.next(), Some(work.marker_header.as_str()));
    for line in lines {
        let parts: Vec<&str> = line.splitn(work.marker_fields + 1, ' ').collect();
        let [_, size, .., path] = parts[..] else {
            panic!("a marker line that does not parse: {line:?}");
        };
        let meta = fs::symlink_metadata(output.join(path))
            .unwrap_or_else(|e| panic!("the marker lists {path:?}, which is missing: {e}"));
        assert!(meta.is_file(), "the marker lists {path:?}, not a file");
        assert_eq!(meta.len().to_string(), size, "the size of {path:?}");
    }
}

/// The first symbolic link under `dir` (not following links).
fn first_link(dir: &Path) -> Option<PathBuf> {
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let kind = entry.file_type().ok()?;
        if kind.is_symlink() {
            return Some(entry.path());
        }
        if let Some(link) = kind.is_dir().then(|| first_link(&entry.path())).flatten() {
            return Some(link);
        }
    }
    None
}

/// Every diagnostic as `main.rs` prints it (against the root as given, made canonical), with
/// and without colour. A failure carries at least one error.
fn rendered(root: &Path, outcome: &Outcome) -> Vec<String> {
    let diagnostics = match outcome {
        Ok(report) => &report.warnings,
        Err(failure) => {
            assert!(
                failure.diagnostics.iter().any(|d| d.is_error()),
                "a failure without an error: {:?}",
                failure.diagnostics
            );
            &failure.diagnostics
        }
    };
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    diagnostics
        .iter()
        .flat_map(|d| [d.render(&root, false), d.render(&root, true)])
        .collect()
}
