//! The layering of `src/`: imports point one way, from the command line down to the
//! diagnostics, and no two files import each other. Read from the `crate::` and `super::`
//! paths of every library file (the code above its tests).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Each top-level module of the library and its layer: a module may use only modules of a
/// lower layer (never one of its own layer but itself). docs/ARCHITECTURE.md explains them.
const LAYERS: &[(&str, u8)] = &[
    ("diagnostics", 0),
    ("model", 1),
    ("config", 2),
    ("confined", 3),
    ("assets", 4),
    ("content", 4),
    ("media", 4),
    ("output", 4),
    ("render", 4),
    ("site", 5),
    ("pipeline", 6),
    ("incremental", 7),
    ("stages", 7),
    ("serve", 8),
    ("scaffold", 9),
    ("watch", 9),
    ("lib", 10),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library file under `src/` (the binary's main.rs and cmd/ are above it all).
fn library_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&src(), &mut files);
    files.retain(|f| {
        let rel = f.strip_prefix(src()).expect("under src");
        rel != Path::new("main.rs") && !rel.starts_with("cmd")
    });
    files.sort();
    files
}

/// The code of a file above its unit tests, without comments.
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("readable");
    let body = text.split("#[cfg(test)]").next().unwrap_or("");
    body.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a file belongs to (`render` for src/render/pages.rs).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_owned()
}

/// The paths after `prefix` in `code`: `crate::render::Templates` gives `render::Templates`,
/// and `super::{cards, views::Views}` gives `cards` and `views::Views`.
fn paths_after(code: &str, prefix: &str) -> Vec<String> {
    let is_path = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    let mut paths = Vec::new();
    for (at, _) in code.match_indices(prefix) {
        if code[..at].chars().next_back().is_some_and(is_path) {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        let end = rest.find(|c: char| !is_path(c)).unwrap_or(rest.len());
        let (head, after) = rest.split_at(end);
        if !after.starts_with('{') {
            paths.push(head.to_owned());
            continue;
        }
        // A group: each item at its top level, after the common head.
        let mut depth = 0;
        let mut item = String::new();
        for c in after[1..].chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    paths.push(format!("{head}{}", first_path(&item)));
                    item.clear();
                    continue;
                }
                _ => {}
            }
            item.push(c);
        }
        paths.push(format!("{head}{}", first_path(&item)));
    }
    paths
}

fn first_path(item: &str) -> String {
    let item = item.trim();
    let end = item
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(item.len());
    item[..end].to_owned()
}

/// The file a path names: `render::views::EventView` from anywhere, or `views::X` from a file
/// of `render/` through `super::`; an item of the folder itself is in its mod.rs (lib.rs).
fn file_of(base: &Path, path: &str) -> Option<PathBuf> {
    let mut dir = base.to_path_buf();
    let own = if base == src() { "lib.rs" } else { "mod.rs" };
    let mut found = Some(base.join(own)).filter(|f| f.is_file());
    for part in path.split("::").filter(|p| !p.is_empty()) {
        let file = dir.join(format!("{part}.rs"));
        let folder = dir.join(part);
        if folder.join("mod.rs").is_file() {
            found = Some(folder.join("mod.rs"));
            dir = folder;
        } else if file.is_file() {
            found = Some(file);
            break;
        } else {
            break;
        }
    }
    found
}

/// Every file each library file imports (through `crate::` or `super::`).
fn imports() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut graph = BTreeMap::new();
    for file in library_files() {
        let code = code(&file);
        let folder = file.parent().expect("a folder");
        let parent = if file.ends_with("mod.rs") {
            folder.parent().expect("src/ at least")
        } else {
            folder
        };
        let mut used = BTreeSet::new();
        for path in paths_after(&code, "crate::") {
            used.extend(file_of(&src(), &path));
        }
        for path in paths_after(&code, "super::") {
            used.extend(file_of(parent, &path));
        }
        used.remove(&file);
        graph.insert(file, used);
    }
    graph
}

fn layer(module: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, l)| *l)
        .unwrap_or_else(|| {
            panic!("src/{module} has no layer in LAYERS: add it there and to docs/ARCHITECTURE.md")
        })
}

fn shown(file: &Path) -> String {
    file.strip_prefix(src())
        .expect("under src")
        .display()
        .to_string()
}

#[test]
fn every_import_points_down_a_layer() {
    let mut wrong = Vec::new();
    for (file, used) in imports() {
        let (from, own) = (module_of(&file), layer(&module_of(&file)));
        for target in used {
            let to = module_of(&target);
            if to != from && (layer(&to) >= own) && from != "lib" {
                wrong.push(format!(
                    "{} (layer {own}) imports {} (layer {})",
                    shown(&file),
                    shown(&target),
                    layer(&to)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_two_files_import_each_other() {
    let graph = imports();
    let mut pairs = Vec::new();
    for (file, used) in &graph {
        for target in used {
            if file < target && graph.get(target).is_some_and(|back| back.contains(file)) {
                pairs.push(format!("{} <-> {}", shown(file), shown(target)));
            }
        }
    }
    assert!(
        pairs.is_empty(),
        "files importing each other:\n{}",
        pairs.join("\n")
    );
}

#[test]
fn the_layering_reader_sees_imports() {
    // A check that reads nothing would pass: these imports are known to exist.
    let graph = imports();
    let of = |f: &str| graph.get(&src().join(f)).cloned().unwrap_or_default();
    assert!(of("pipeline.rs").contains(&src().join("render/mod.rs")));
    assert!(of("render/pages.rs").contains(&src().join("render/cards.rs")));
    assert!(of("incremental/session.rs").contains(&src().join("pipeline.rs")));
}
