//! Tera setup: the default templates embedded in the binary, overridden file by file by the
//! site's `templates/` folder. Tera lives only under `render/`.

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::confined::Confined;
use crate::confined::{is_ignored, read_text};
use crate::diagnostics::Diagnostic;

/// The default templates, embedded so a site without `templates/` still builds.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("event.html", include_str!("../../templates/event.html")),
    ("day.html", include_str!("../../templates/day.html")),
    ("sources.html", include_str!("../../templates/sources.html")),
    ("source.html", include_str!("../../templates/source.html")),
    ("term.html", include_str!("../../templates/term.html")),
    ("terms.html", include_str!("../../templates/terms.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("atom.xml", include_str!("../../templates/atom.xml")),
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
];

/// Stands for `root` in a card rendered for reuse. U+FFFF is a noncharacter no text needs
/// (YAML refuses it written out, though an escape or a Markdown entity can still produce
/// it); where it does occur, the card is not reused.
pub const PLACEHOLDER: char = '\u{FFFF}';

/// The internal template that renders one card with the site's `card` macro. Its name cannot
/// be a template file's name (those never start with `/`); it ends in `.html` so Tera
/// escapes what it prints like in every other page.
pub const CARD_TEMPLATE: &str = "/card.html";
pub const CARD_TEMPLATE_TEXT: &str = "{% import \"macros.html\" as m %}{{ m::card(event=event, root=root, heading=heading, show_day=show_day) }}";

/// What every list needs of macros.html, for errors about the card.
pub const CARD_HINT: &str = "lists show each event with the `card(event, root, heading, show_day)` macro of macros.html; keep it defined (the default is in the templates `gen init` writes) and check the variables it uses";

/// The compiled templates and where each came from.
#[derive(Debug)]
pub struct Templates {
    pub tera: Tera,
    overridden: Vec<(String, PathBuf)>,
    /// For each template, a fingerprint of its text and of every template it may use, so a
    /// template edit re-renders only the pages that use it.
    fingerprints: HashMap<String, u64>,
    /// Whether any template's text contains the placeholder of reused cards.
    placeholder: bool,
}

impl Templates {
    /// The fingerprint of `name` and everything it uses (0 for an unknown name).
    pub fn fingerprint(&self, name: &str) -> u64 {
        self.fingerprints.get(name).copied().unwrap_or(0)
    }

    /// Whether any template's text contains the placeholder of reused cards.
    pub fn mention_placeholder(&self) -> bool {
        self.placeholder
    }

    /// The file a template was read from (or the note that it is the built-in default).
    pub fn path_of(&self, name: &str) -> PathBuf {
        let path = self
            .overridden
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.as_path());
        shown_path(name, path)
    }
}

/// Loads the templates for the site at `root`. Every template with a syntax error is
/// reported, each naming its file and position.
pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
    let chosen = choose(root)?;
    refuse_circles(&chosen)?;
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape);
    tera.add_raw_templates(chosen.iter().map(|(n, t, _)| (n.as_str(), t.as_str())))
        .map_err(|e| {
            vec![
                Diagnostic::error(
                    root.join("templates"),
                    format!("templates do not fit together: {}", chain(&e)),
                )
                .with_hint(
                    "check that every `extends`, `include` and `import` names an existing template",
                ),
            ]
        })?;
    add_card(&mut tera, &chosen)?;
    Ok(Templates {
        tera,
        fingerprints: fingerprints(&chosen),
        placeholder: chosen.iter().any(|(_, t, _)| t.contains(PLACEHOLDER)),
        overridden: chosen
            .into_iter()
            .filter_map(|(n, _, p)| Some((n, p?)))
            .collect(),
    })
}

/// A template's name, text, and the file it was read from (none for a built-in default).
type Chosen = (String, String, Option<PathBuf>);

/// The built-in templates, each replaced by the site's file of the same name, plus the
/// site's own; each checked for syntax errors.
fn choose(root: &Path) -> Result<Vec<Chosen>, Vec<Diagnostic>> {
    let mut chosen: Vec<Chosen> = DEFAULT_TEMPLATES
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned(), None))
        .collect();
    let mut problems = Vec::new();
    let dir = root.join("templates");
    if dir.is_dir() {
        for (name, path) in template_files(root, &dir, &mut problems) {
            match read_text(&path) {
                Ok(text) => match chosen.iter_mut().find(|(n, _, _)| *n == name) {
                    Some(slot) => *slot = (name, text, Some(path)),
                    None => chosen.push((name, text, Some(path))),
                },
                Err(d) => problems.push(d),
            }
        }
    }
    for (name, text, path) in &chosen {
        if let Err(e) = tera::Template::new(name, None, text) {
            let shown = shown_path(name, path.as_deref());
            problems.push(template_diagnostic(&shown, text, &e));
        }
    }
    if problems.is_empty() {
        Ok(chosen)
    } else {
        Err(problems)
    }
}

/// Refuses templates that extend, include or import each other in a circle: Tera recurses
/// through such a circle until the stack overflows (when building the chain of a template
/// extending into it, or when rendering an include or import of it).
fn refuse_circles(chosen: &[Chosen]) -> Result<(), Vec<Diagnostic>> {
    let parsed: Vec<tera::Template> = chosen
        .iter()
        .filter_map(|(name, text, _)| tera::Template::new(name, None, text).ok())
        .collect();
    let Some(circle) = circle(&parsed) else {
        return Ok(());
    };
    let first = chosen.iter().find(|(n, _, _)| *n == circle[0]);
    let path = shown_path(&circle[0], first.and_then(|(_, _, p)| p.as_deref()));
    let message = format!(
        "templates use each other in a circle: {}",
        circle.join(" → ")
    );
    Err(vec![Diagnostic::error(path, message).with_hint(
        "a template may not extend, include or import itself, directly or through others",
    )])
}

/// Adds the internal template that renders one card with the `card` macro of macros.html,
/// refusing a macros.html without it.
fn add_card(tera: &mut Tera, chosen: &[Chosen]) -> Result<(), Vec<Diagnostic>> {
    let file = chosen
        .iter()
        .find(|(n, _, _)| n == "macros.html")
        .and_then(|(_, _, p)| p.as_deref());
    let macros = shown_path("macros.html", file);
    let has_card = tera
        .get_template("macros.html")
        .is_ok_and(|t| t.macros.contains_key("card"));
    if !has_card {
        return Err(vec![
            Diagnostic::error(macros, "macros.html has no `card` macro").with_hint(CARD_HINT),
        ]);
    }
    tera.add_raw_template(CARD_TEMPLATE, CARD_TEMPLATE_TEXT)
        .map_err(|e| {
            let message = format!("cannot use the card macro: {}", chain(&e));
            vec![Diagnostic::error(macros, message).with_hint(CARD_HINT)]
        })
}

/// A circle of templates each extending, including or importing the next (first and last
/// the same), if there is one. A depth-first search kept on a stack of its own: a site may
/// chain many templates.
fn circle(templates: &[tera::Template]) -> Option<Vec<String>> {
    let index: HashMap<&str, usize> = templates
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = templates.iter().map(|t| uses(t, &index)).collect();
    // 0: not seen, 1: on the current path, 2: done (no circle through it).
    let mut state = vec![0u8; templates.len()];
    for start in 0..templates.len() {
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        let mut path = vec![(start, 0)];
        while let Some(last) = path.last_mut() {
            let (node, next) = *last;
            let Some(&to) = edges[node].get(next) else {
                state[node] = 2;
                path.pop();
                continue;
            };
            last.1 += 1;
            match state[to] {
                0 => {
                    state[to] = 1;
                    path.push((to, 0));
                }
                1 => {
                    let from = path.iter().position(|(n, _)| *n == to).unwrap_or(0);
                    let names = path[from..].iter().map(|(n, _)| *n).chain([to]);
                    return Some(names.map(|n| templates[n].name.clone()).collect());
                }
                _ => {}
            }
        }
    }
    None
}

/// The templates `template` uses as it renders: its parent, those whose macros it imports,
/// and those it includes (of a list, the first that exists, as Tera does).
fn uses(template: &tera::Template, index: &HashMap<&str, usize>) -> Vec<usize> {
    use tera::ast::Node;
    let mut names: Vec<&str> = template.parent.iter().map(String::as_str).collect();
    names.extend(
        template
            .imported_macro_files
            .iter()
            .map(|(f, _)| f.as_str()),
    );
    let mut todo: Vec<&[Node]> = vec![&template.ast];
    while let Some(nodes) = todo.pop() {
        for node in nodes {
            match node {
                Node::Include(_, list, _) => {
                    names.extend(
                        list.iter()
                            .map(String::as_str)
                            .find(|n| index.contains_key(n)),
                    );
                }
                Node::MacroDefinition(_, m, _) => todo.push(&m.body),
                Node::FilterSection(_, f, _) => todo.push(&f.body),
                Node::Block(_, b, _) => todo.push(&b.body),
                Node::Forloop(_, f, _) => {
                    todo.push(&f.body);
                    todo.extend(f.empty_body.as_deref());
                }
                Node::If(i, _) => {
                    todo.extend(i.conditions.iter().map(|(_, _, body)| body.as_slice()));
                    todo.extend(i.otherwise.iter().map(|(_, body)| body.as_slice()));
                }
                _ => {}
            }
        }
    }
    names.iter().filter_map(|n| index.get(n).copied()).collect()
}

/// Each template's fingerprint covers its own text and, transitively, every template whose
/// quoted name appears in it (`extends`, `include`, `import`): an over-approximation that
/// never misses a dependency.
fn fingerprints(chosen: &[(String, String, Option<PathBuf>)]) -> HashMap<String, u64> {
    let uses = |text: &str| -> Vec<usize> {
        chosen
            .iter()
            .enumerate()
            .filter(|(_, (n, _, _))| {
                text.contains(&format!("\"{n}\"")) || text.contains(&format!("'{n}'"))
            })
            .map(|(i, _)| i)
            .collect()
    };
    let direct: Vec<Vec<usize>> = chosen.iter().map(|(_, t, _)| uses(t)).collect();
    chosen
        .iter()
        .enumerate()
        .map(|(i, (name, _, _))| {
            let mut seen = BTreeSet::from([i]);
            let mut todo = vec![i];
            while let Some(j) = todo.pop() {
                for &k in &direct[j] {
                    if seen.insert(k) {
                        todo.push(k);
                    }
                }
            }
            let mut h = DefaultHasher::new();
            for j in seen {
                chosen[j].0.hash(&mut h);
                chosen[j].1.hash(&mut h);
            }
            (name.clone(), h.finish())
        })
        .collect()
}

/// Escapes text for HTML and XML text and quoted attributes. Tera's default also escapes `/`,
/// which is valid but doubles the size of every URL for no safety gain in quoted attributes.
pub fn escape(text: &str) -> String {
    replace_ascii(text, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    })
}

/// `text` with each ASCII byte for which `with` gives a replacement replaced by it. The runs
/// between replaced bytes are copied whole; a replaced byte is ASCII, so every split point is
/// a character boundary.
pub fn replace_ascii(text: &str, with: impl Fn(u8) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut from = 0;
    for (at, byte) in text.bytes().enumerate() {
        if let Some(replacement) = with(byte).filter(|_| byte.is_ascii()) {
            out.push_str(&text[from..at]);
            out.push_str(replacement);
            from = at + 1;
        }
    }
    out.push_str(&text[from..]);
    out
}

/// The path shown for a template: its file, or a note that it is the embedded default.
pub fn shown_path(name: &str, path: Option<&Path>) -> PathBuf {
    path.map_or_else(
        || PathBuf::from(format!("templates/{name} (built-in default)")),
        Path::to_path_buf,
    )
}

fn template_files(
    root: &Path,
    dir: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, PathBuf)> {
    Confined::new(root)
        .files(dir, true, &is_ignored, problems)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "xml"))
        .map(|path| {
            let name = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            (name, path)
        })
        .collect()
}

/// Tera's message and its causes, on one line.
pub fn chain(error: &tera::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// A template parse error as a diagnostic at the position Tera reports (` --> line:col`).
fn template_diagnostic(path: &Path, text: &str, error: &tera::Error) -> Diagnostic {
    let full = chain(error);
    let position = full.split("--> ").nth(1).and_then(|rest| {
        let spot: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ':')
            .collect();
        let (line, column) = spot.split_once(':')?;
        Some((line.parse::<usize>().ok()?, column.parse::<usize>().ok()?))
    });
    let expected = full
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("= "))
        .map(|l| l.trim_start()[2..].to_owned());
    let message = format!(
        "template syntax error{}",
        expected.map(|e| format!(": {e}")).unwrap_or_default()
    );
    let d = Diagnostic::error(path, message)
        .with_hint("see the Tera documentation: https://keats.github.io/tera/docs/");
    match position {
        Some((line, column)) => d.at(text, line, column),
        None => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_load_without_a_templates_folder() {
        let dir = tempfile::tempdir().unwrap();
        let tera = load(dir.path()).unwrap();
        assert!(tera.tera.get_template_names().any(|n| n == "index.html"));
    }

    #[test]
    fn fingerprints_follow_what_a_template_uses() {
        let t = |n: &str, text: &str| (n.to_owned(), text.to_owned(), None);
        let chosen = [
            t("base.html", "B"),
            t("a.html", "{% extends \"base.html\" %}"),
            t("b.html", "alone"),
        ];
        let one = fingerprints(&chosen);
        let changed = [
            t("base.html", "B2"),
            t("a.html", "{% extends \"base.html\" %}"),
            t("b.html", "alone"),
        ];
        let two = fingerprints(&changed);
        assert_ne!(one["a.html"], two["a.html"]);
        assert_eq!(one["b.html"], two["b.html"]);
    }

    proptest::proptest! {
        #[test]
        fn escape_replaces_exactly_the_five_characters(text in "(\\PC|[&<>\"'])*") {
            let expected: String = text
                .chars()
                .map(|c| match c {
                    '&' => "&amp;".to_owned(),
                    '<' => "&lt;".to_owned(),
                    '>' => "&gt;".to_owned(),
                    '"' => "&quot;".to_owned(),
                    '\'' => "&#39;".to_owned(),
                    c => c.to_string(),
                })
                .collect();
            proptest::prop_assert_eq!(escape(&text), expected);
        }
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/index.html"), "<p>\n{% if %}\n").unwrap();
        let errors = load(dir.path()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].path.ends_with("templates/index.html"));
        assert_eq!(errors[0].line, Some(2), "{errors:?}");
    }
}
