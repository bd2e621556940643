//! One test per rule the model enforces: the broken input fails the build with a non-zero
//! exit, the message names the file (and line), and the previous output stays as it was.

use crate::support::{Site, build_as_nobody, is_root};

/// Builds `site` once, applies `break_it`, builds again and checks the failure; gives the
/// failed build's transcript (exit code and messages) for a snapshot.
fn fails_keeping_output(break_it: impl FnOnce(Site) -> Site) -> String {
    let site = Site::new();
    site.build_ok();
    let before = site.snapshot_output();
    let site = break_it(site);
    let run = site.build();
    assert!(
        !run.success,
        "the build should fail; stdout: {}",
        run.stdout
    );
    assert_eq!(
        before,
        site.snapshot_output(),
        "the previous output changed"
    );
    run.transcript(&site)
}

#[test]
fn missing_title() {
    insta::assert_snapshot!(fails_keeping_output(|s| s.event(
        "first",
        "date: 2025-06-14\nsources: [src-a]",
        "x"
    )));
}

#[test]
fn unparseable_date() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T\ndate: 14 June 2025\nsources: [src-a]",
            "x",
        )
    }));
}

#[test]
fn time_without_zone() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T\ndate: 2025-06-14T10:00\nsources: [src-a]",
            "x",
        )
    }));
}

#[test]
fn unknown_zone_suggests_the_nearest() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T\ndate: 2025-06-14T10:00 Europe/Moskow\nsources: [src-a]",
            "x",
        )
    }));
}

#[test]
fn no_sources() {
    insta::assert_snapshot!(fails_keeping_output(|s| s.event(
        "first",
        "title: T\ndate: 2025-06-14",
        "x"
    )));
    insta::assert_snapshot!(fails_keeping_output(|s| s.event(
        "first",
        "title: T\ndate: 2025-06-14\nsources: []",
        "x"
    )));
}

#[test]
fn unknown_source_suggests_the_nearest_id() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T\ndate: 2025-06-14\nsources:\n  - id: src-b\n  - scr-a",
            "x",
        )
    }));
}

#[test]
fn uncited_source_is_a_warning_and_the_build_succeeds() {
    let site = Site::new().source("lonely", "title: L\noutlet: O");
    let run = site.build_ok();
    insta::assert_snapshot!(run.transcript(&site));
    assert!(
        run.stderr.contains(
            "content/sources/lonely.md: warning: source \"lonely\" is not cited by any event"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("1 warning"), "{}", run.stdout);
}

#[test]
fn date_outside_the_window() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T\ndate: 2025-06-13T02:00 Asia/Tehran\nsources: [src-a]",
            "x",
        )
    }));
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T\ndate: 2025-06-24T05:00 Asia/Tehran\nsources: [src-a]",
            "x",
        )
    }));
}

#[test]
fn end_before_date() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T\ndate: 2025-06-14T10:00Z\nend: 2025-06-14T09:00Z\nsources: [src-a]",
            "x",
        )
    }));
}

#[test]
fn bad_slug_in_file_name() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "Bad Name",
            "title: T\ndate: 2025-06-14\nsources: [src-a]",
            "x",
        )
    }));
}

#[test]
fn duplicate_slug_in_two_folders() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.file(
            "content/events/june/first.md",
            "---\ntitle: T\ndate: 2025-06-14\nsources: [src-a]\n---\n",
        )
    }));
}

#[test]
fn non_http_url() {
    insta::assert_snapshot!(fails_keeping_output(
        |s| s.source("src-a", "title: A\noutlet: O\nurl: javascript:alert(1)")
    ));
}

#[test]
fn unknown_front_matter_key() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T\ndate: 2025-06-14\nsources: [src-a]\nactor: [Iran]",
            "x",
        )
    }));
}

#[test]
fn unknown_site_toml_key() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.file(
            "site.toml",
            "title = \"T\"\nbase_url = \"https://example.org/\"\ntimezon = \"UTC\"\n",
        )
    }));
}

#[test]
fn bad_site_toml() {
    insta::assert_snapshot!(fails_keeping_output(
        |s| s.file("site.toml", "title = \"T\nbase_url = 3\n")
    ));
    insta::assert_snapshot!(fails_keeping_output(
        |s| s.file("site.toml", "title = \"T\"\n")
    ));
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.file(
            "site.toml",
            "title = \"T\"\nbase_url = \"https://e.org/\"\ntimezone = \"Mars/Olympus\"\n",
        )
    }));
}

#[test]
fn yaml_syntax_error_has_a_line() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T\ndate: [2025-06-14\nsources: [src-a]",
            "x",
        )
    }));
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T: U: V\ndate: 2025-06-14\nsources: [src-a]",
            "x",
        )
    }));
}

#[test]
fn non_utf8_file() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.bytes(
            "content/events/first.md",
            b"---\ntitle: caf\xe9\ndate: 2025-06-14\nsources: [src-a]\n---\n",
        )
    }));
}

#[test]
fn empty_file() {
    insta::assert_snapshot!(fails_keeping_output(
        |s| s.file("content/events/first.md", "")
    ));
}

#[test]
fn front_matter_never_closes() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.file(
            "content/events/first.md",
            "---\ntitle: T\ndate: 2025-06-14\n",
        )
    }));
    insta::assert_snapshot!(fails_keeping_output(
        |s| s.file("content/events/first.md", "title: T\n")
    ));
}

#[test]
fn template_syntax_error_names_the_template() {
    insta::assert_snapshot!(fails_keeping_output(
        |s| s.file("templates/event.html", "<h1>\n{{ event.title \n")
    ));
}

#[test]
fn template_render_error_names_the_template() {
    insta::assert_snapshot!(fails_keeping_output(
        |s| s.file("templates/404.html", "{{ no_such_variable }}")
    ));
}

/// Templates that extend, include or import each other in a circle are refused with the
/// circle named; Tera followed them until the stack overflowed (found by the `site` fuzz
/// target: `base.html` extending `index.html`, which extends `base.html`).
#[test]
fn templates_in_a_circle_are_refused() {
    let macros = include_str!("../../templates/macros.html");
    let imports_itself = format!("{{% import \"macros.html\" as again %}}{macros}");
    for (name, text) in [
        ("base.html", "{% extends \"index.html\" %}"),
        (
            "index.html",
            "{% if site %}{% include \"index.html\" %}{% endif %}",
        ),
        ("macros.html", imports_itself.as_str()),
    ] {
        insta::assert_snapshot!(
            format!("templates_in_a_circle_{}", name.replace('.', "_")),
            fails_keeping_output(|s| s.file(&format!("templates/{name}"), text))
        );
    }
}

#[test]
fn unknown_importance_and_precision() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event(
            "first",
            "title: T\ndate: 2025-06-14\nsources: [src-a]\nimportance: huge\nprecision: minutes",
            "x",
        )
    }));
}

#[test]
fn every_problem_is_reported_in_one_run() {
    insta::assert_snapshot!(fails_keeping_output(|s| {
        s.event("first", "title: T\ndate: 2025-13-01\nsources: [src-a]", "x")
            .event(
                "second",
                "date: 2025-06-14\nsources: [nope]\ntitle: S\ncolour: red",
                "x",
            )
            .source("third", "outlet: O")
    }));
}

#[test]
fn output_folder_that_would_destroy_the_site_is_refused() {
    let site = Site::new();
    for (bad, name) in [
        (".", "root"),
        ("content", "content"),
        ("static/out", "static"),
        ("..", "parent"),
    ] {
        let run = site.run(&["build", "--output", bad]);
        insta::assert_snapshot!(
            format!("output_folder_that_would_destroy_the_{name}"),
            run.transcript(&site)
        );
        assert!(!run.success, "--output {bad} accepted");
        assert!(
            run.stderr.contains("refusing to write the site"),
            "{}",
            run.stderr
        );
    }
    assert!(site.path("content/events/first.md").exists());
}

#[test]
fn an_output_folder_gen_did_not_write_is_kept() {
    let site = Site::new().file("public/CNAME", "example.org");
    let run = site.build();
    insta::assert_snapshot!(run.transcript(&site));
    assert!(!run.success);
    assert!(
        run.stderr.contains("holds files gen did not write"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(site.path("public/CNAME")).expect("kept"),
        "example.org"
    );
}

#[test]
fn not_a_site() {
    let site = Site::empty();
    let run = site.build();
    insta::assert_snapshot!(run.transcript(&site));
    assert!(!run.success);
    assert!(
        run.stderr.contains("site.toml: error: no site.toml here"),
        "{}",
        run.stderr
    );
}

#[test]
fn warnings_spanning_files_point_at_the_line_after_a_single_build_let_the_text_go() {
    // Once validated, a file keeps only its front matter as written; these warnings point into it.
    let site = Site::new()
        .source("src-b", "title: B\noutlet: O\nurl: https://news.example/a")
        .event(
            "second",
            "title: T\ndate: 2025-06-15\nactors: [iran]\nsources: [src-b]",
            "x",
        )
        .event(
            "third",
            "title: T\ndate: 2025-06-15\nactors: [Iran]\nsources: [src-a]",
            "x",
        );
    let run = site.build_ok();
    insta::assert_snapshot!(run.transcript(&site));
    assert!(
        run.stderr
            .contains("content/sources/src-b.md:4:6: warning: another source has the same url"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("content/events/third.md:4:10: warning: actor \"Iran\" is spelled \"iran\""),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unreadable_content_file_is_a_diagnostic() {
    use std::os::unix::fs::PermissionsExt as _;
    let site = Site::new();
    site.build_ok();
    let before = site.snapshot_output();
    let mode = |rel: &str, bits: u32| {
        std::fs::set_permissions(site.path(rel), std::fs::Permissions::from_mode(bits))
            .expect("chmod");
    };
    mode("content/events/first.md", 0o000);
    // Permissions do not stop root: as root, gen runs as `nobody`, in a site it may enter
    // and an output it may write.
    let run = if is_root() {
        for folder in ["", "public", "content", "content/events", "content/sources"] {
            mode(folder, 0o777);
        }
        for file in [".public.lock", "site.toml", "content/sources/src-a.md"] {
            mode(file, 0o666);
        }
        build_as_nobody(&site)
    } else {
        site.build()
    };
    insta::assert_snapshot!(run.transcript(&site));
    let run = run.stderr;
    assert!(
        run.contains(
            "content/events/first.md: error: cannot read file: Permission denied (os error 13)"
        ),
        "{run}"
    );
    assert!(!run.contains("panicked"), "{run}");
    assert_eq!(
        before,
        site.snapshot_output(),
        "the previous output changed"
    );
}
