//! Cards rendered once and reused on every list (src/render/cards.rs) give the same bytes as
//! the card macro rendered for each page.

use crate::support::{Site, differences};

const MACROS: &str = include_str!("../../templates/macros.html");

/// The `paged-lists` fixture (events on two days with shared actors, tags and sources, lists
/// one event long, so most list pages sit one level deeper, under `page/N/`) and one event
/// whose summary holds the placeholder gen uses for `root` in reused cards.
fn site() -> Site {
    Site::fixture("paged-lists").event(
        "odd",
        "title: Odd one\ndate: 2025-06-15\nactors: [Iran]\nsources: [src-b]",
        "A summary holding \u{FFFF}, the placeholder.",
    )
}

#[test]
fn reused_cards_equal_cards_rendered_on_each_page() {
    let reused = site();
    reused.build_ok();
    assert!(
        reused.exists("actors/iran/page/3/index.html"),
        "lists are paged"
    );
    let day = reused.read("days/2025-06-15/page/2/index.html");
    assert!(day.contains("href=\"../../../../events/"), "{day}");

    // The same site with a template holding the placeholder (in a comment), so that no card
    // is reused: each list renders every card for its own page.
    let direct = site().file(
        "templates/macros.html",
        &format!("{{# \u{FFFF} #}}\n{MACROS}"),
    );
    direct.build_ok();
    let lists = |files: Vec<(std::path::PathBuf, Vec<u8>)>| -> Vec<(std::path::PathBuf, Vec<u8>)> {
        files
            .into_iter()
            .filter(|(p, _)| {
                let p = p.to_string_lossy();
                ["days/", "sources/", "actors/", "tags/"]
                    .iter()
                    .any(|d| p.starts_with(d))
            })
            .collect()
    };
    let (a, b) = (
        lists(reused.snapshot_output()),
        lists(direct.snapshot_output()),
    );
    assert!(a.len() > 20, "{} list pages", a.len());
    // The event holding the placeholder is shown as written, its links intact.
    let odd: Vec<String> = a
        .iter()
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .filter(|page| page.contains("Odd one"))
        .collect();
    assert!(odd.len() >= 3, "on its day, actor and source pages");
    for page in &odd {
        assert!(page.contains("holding \u{FFFF}, the"), "{page}");
        assert!(page.contains("events/odd/\">Odd one</a>"), "{page}");
    }
    assert_eq!(differences(&a, &b), Vec::<std::path::PathBuf>::new());
}

#[test]
fn a_macros_file_without_the_card_macro_is_named_in_the_error() {
    let site = Site::new().file(
        "templates/macros.html",
        &MACROS.replace("macro card(", "macro other_card("),
    );
    let run = site.build();
    assert!(!run.success);
    assert!(run.stderr.contains("macros.html"), "{}", run.stderr);
    assert!(run.stderr.contains("card"), "{}", run.stderr);
    assert!(!site.exists("index.html"), "nothing is written");
}

#[test]
fn list_items_carry_what_a_one_line_entry_needs() {
    let line = "{% for event in events %}<li id=\"{{ event.slug }}\" class=\"{{ event.importance }}\"><a href=\"{{ root }}{{ event.url }}\">{{ event.title }}</a> {{ m::event_time(event=event) }} <a href=\"{{ root }}{{ event.day_url }}\">{{ event.day_label }}</a> {{ event.day }}{% if event.location %} {{ event.location }}{% endif %}{% if event.disputed %} disputed{% endif %}</li>{% endfor %}";
    let term = format!(
        "{{% extends \"base.html\" %}}{{% import \"macros.html\" as m %}}{{% block main %}}<ol>{line}</ol>{{% endblock main %}}"
    );
    let site = site().file("templates/term.html", &term);
    site.build_ok();
    let page = site.read("actors/iran/index.html");
    assert!(
        page.contains("<li id=\"event-1\" class=\"normal\"><a href=\"../../events/event-1/\">Event 1 &lt;i&gt;</a> <time datetime=\"2025-06-14T07:30Z\">"),
        "{page}"
    );
    assert!(page.contains("(11:00 IRST)"), "{page}");
    assert!(
        page.contains("<a href=\"../../days/2025-06-14/\">Saturday 14 June 2025</a> 2025-06-14"),
        "{page}"
    );
}

#[test]
fn a_card_macro_that_tests_root_gets_each_pages_own_root() {
    // Reusing one card rendered with a placeholder would print "shallow" on every page; the
    // macro compares `root`, so each page renders its own cards.
    let test = "{% if root == \"../../\" %}<b>shallow</b>{% else %}<b>deep</b>{% endif %}";
    let macros = MACROS.replace(
        "<article class=\"event importance-{{ event.importance }}\" id=\"{{ event.slug }}\">",
        &format!("<article class=\"event importance-{{{{ event.importance }}}}\" id=\"{{{{ event.slug }}}}\">{test}"),
    );
    assert_ne!(macros, MACROS, "the card macro was changed");
    let site = site().file("templates/macros.html", &macros);
    site.build_ok();
    let first = site.read("actors/iran/index.html");
    let third = site.read("actors/iran/page/3/index.html");
    assert!(
        first.contains("<b>shallow</b>") && !first.contains("<b>deep</b>"),
        "{first}"
    );
    assert!(
        third.contains("<b>deep</b>") && !third.contains("<b>shallow</b>"),
        "{third}"
    );
}
