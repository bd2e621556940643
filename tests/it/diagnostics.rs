//! One test per rule the model enforces: the broken input fails the build with a non-zero
//! exit, the message names the file (and line), and the previous output stays as it was.

use crate::support::{Site, build_as_nobody, is_root};

/// Builds `site` once, applies `break_it`, builds again and checks the failure.
fn fails_keeping_output(break_it: impl FnOnce(Site) -> Site, expected: &[&str]) -> String {
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
    for e in expected {
        assert!(run.stderr.contains(e), "expected {e:?} in:\n{}", run.stderr);
    }
    assert_eq!(
        before,
        site.snapshot_output(),
        "the previous output changed"
    );
    run.stderr
}

#[test]
fn missing_title() {
    fails_keeping_output(
        |s| s.event("first", "date: 2025-06-14\nsources: [src-a]", "x"),
        &[
            "content/events/first.md:1:1: error: missing `title`",
            "help: add a line `title:",
        ],
    );
}

#[test]
fn unparseable_date() {
    fails_keeping_output(
        |s| {
            s.event(
                "first",
                "title: T\ndate: 14 June 2025\nsources: [src-a]",
                "x",
            )
        },
        &[
            "content/events/first.md:3:7: error: `date`: \"14 June 2025\" is not a date",
            "help: write 2025-06-13",
        ],
    );
}

#[test]
fn time_without_zone() {
    fails_keeping_output(
        |s| {
            s.event(
                "first",
                "title: T\ndate: 2025-06-14T10:00\nsources: [src-a]",
                "x",
            )
        },
        &[
            "content/events/first.md:3:7:",
            "has a time but no zone",
            "2025-06-22T02:30 Asia/Tehran",
        ],
    );
}

#[test]
fn unknown_zone_suggests_the_nearest() {
    fails_keeping_output(
        |s| {
            s.event(
                "first",
                "title: T\ndate: 2025-06-14T10:00 Europe/Moskow\nsources: [src-a]",
                "x",
            )
        },
        &[
            "content/events/first.md:3:7:",
            "unknown time zone \"Europe/Moskow\"",
            "did you mean \"Europe/Moscow\"?",
        ],
    );
}

#[test]
fn no_sources() {
    fails_keeping_output(
        |s| s.event("first", "title: T\ndate: 2025-06-14", "x"),
        &["content/events/first.md:1:1: error: missing `sources`"],
    );
    fails_keeping_output(
        |s| s.event("first", "title: T\ndate: 2025-06-14\nsources: []", "x"),
        &["content/events/first.md:4:1: error: `sources` is empty"],
    );
}

#[test]
fn unknown_source_suggests_the_nearest_id() {
    fails_keeping_output(
        |s| {
            s.event(
                "first",
                "title: T\ndate: 2025-06-14\nsources:\n  - id: src-b\n  - scr-a",
                "x",
            )
        },
        &[
            "content/events/first.md:5:9: error: unknown source \"src-b\"",
            "content/events/first.md:6:5: error: unknown source \"scr-a\"",
            "did you mean \"src-a\"?",
        ],
    );
}

#[test]
fn uncited_source_is_a_warning_and_the_build_succeeds() {
    let site = Site::new().source("lonely", "title: L\noutlet: O");
    let run = site.build_ok();
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
    fails_keeping_output(
        |s| {
            s.event(
                "first",
                "title: T\ndate: 2025-06-13T02:00 Asia/Tehran\nsources: [src-a]",
                "x",
            )
        },
        &[
            "content/events/first.md:3:1: error: the event falls on 2025-06-12 (UTC), outside the timeline's window 2025-06-13 to 2025-06-23",
        ],
    );
    fails_keeping_output(
        |s| {
            s.event(
                "first",
                "title: T\ndate: 2025-06-24T05:00 Asia/Tehran\nsources: [src-a]",
                "x",
            )
        },
        &["falls on 2025-06-24 (UTC)"],
    );
}

#[test]
fn end_before_date() {
    fails_keeping_output(
        |s| {
            s.event(
                "first",
                "title: T\ndate: 2025-06-14T10:00Z\nend: 2025-06-14T09:00Z\nsources: [src-a]",
                "x",
            )
        },
        &["content/events/first.md:4:1: error: `end` is before `date`"],
    );
}

#[test]
fn bad_slug_in_file_name() {
    fails_keeping_output(
        |s| {
            s.event(
                "Bad Name",
                "title: T\ndate: 2025-06-14\nsources: [src-a]",
                "x",
            )
        },
        &[
            "content/events/Bad Name.md: error: file name \"Bad Name\" may only hold a-z, 0-9 and inner hyphens",
            "rename the file to `bad-name.md`",
        ],
    );
}

#[test]
fn duplicate_slug_in_two_folders() {
    fails_keeping_output(
        |s| {
            s.file(
                "content/events/june/first.md",
                "---\ntitle: T\ndate: 2025-06-14\nsources: [src-a]\n---\n",
            )
        },
        &["error: event \"first\" is also defined by"],
    );
}

#[test]
fn non_http_url() {
    fails_keeping_output(
        |s| s.source("src-a", "title: A\noutlet: O\nurl: javascript:alert(1)"),
        &[
            "content/sources/src-a.md:4:6: error: `url` \"javascript:alert(1)\" is not an http(s) address",
        ],
    );
}

#[test]
fn unknown_front_matter_key() {
    fails_keeping_output(
        |s| {
            s.event(
                "first",
                "title: T\ndate: 2025-06-14\nsources: [src-a]\nactor: [Iran]",
                "x",
            )
        },
        &[
            "content/events/first.md:5:1: error: unknown front-matter key `actor`",
            "did you mean `actors`?",
        ],
    );
}

#[test]
fn unknown_site_toml_key() {
    fails_keeping_output(
        |s| {
            s.file(
                "site.toml",
                "title = \"T\"\nbase_url = \"https://example.org/\"\ntimezon = \"UTC\"\n",
            )
        },
        &[
            "site.toml:3:1: error: site.toml: unknown field `timezon`",
            "did you mean \"timezone\"?",
        ],
    );
}

#[test]
fn bad_site_toml() {
    fails_keeping_output(
        |s| s.file("site.toml", "title = \"T\nbase_url = 3\n"),
        &["site.toml:1:", "error: site.toml:"],
    );
    fails_keeping_output(
        |s| s.file("site.toml", "title = \"T\"\n"),
        &["missing field `base_url`"],
    );
    fails_keeping_output(
        |s| {
            s.file(
                "site.toml",
                "title = \"T\"\nbase_url = \"https://e.org/\"\ntimezone = \"Mars/Olympus\"\n",
            )
        },
        &["site.toml:3:1: error: unknown time zone \"Mars/Olympus\""],
    );
}

#[test]
fn yaml_syntax_error_has_a_line() {
    fails_keeping_output(
        |s| {
            s.event(
                "first",
                "title: T\ndate: [2025-06-14\nsources: [src-a]",
                "x",
            )
        },
        &[
            "content/events/first.md:",
            "error: invalid YAML in front matter",
        ],
    );
    let err = fails_keeping_output(
        |s| {
            s.event(
                "first",
                "title: T: U: V\ndate: 2025-06-14\nsources: [src-a]",
                "x",
            )
        },
        &["content/events/first.md:2:"],
    );
    assert!(err.contains("invalid YAML"), "{err}");
}

#[test]
fn non_utf8_file() {
    fails_keeping_output(
        |s| {
            s.bytes(
                "content/events/first.md",
                b"---\ntitle: caf\xe9\ndate: 2025-06-14\nsources: [src-a]\n---\n",
            )
        },
        &["content/events/first.md:2:11: error: the file is not valid UTF-8 text"],
    );
}

#[test]
fn empty_file() {
    fails_keeping_output(
        |s| s.file("content/events/first.md", ""),
        &["content/events/first.md: error: the file is empty"],
    );
}

#[test]
fn front_matter_never_closes() {
    fails_keeping_output(
        |s| {
            s.file(
                "content/events/first.md",
                "---\ntitle: T\ndate: 2025-06-14\n",
            )
        },
        &["content/events/first.md:1:1: error: the front matter never closes"],
    );
    fails_keeping_output(
        |s| s.file("content/events/first.md", "title: T\n"),
        &["content/events/first.md:1:1: error: the file does not start with front matter"],
    );
}

#[test]
fn template_syntax_error_names_the_template() {
    fails_keeping_output(
        |s| s.file("templates/event.html", "<h1>\n{{ event.title \n"),
        &["templates/event.html:3:1: error: template syntax error"],
    );
}

#[test]
fn template_render_error_names_the_template() {
    fails_keeping_output(
        |s| s.file("templates/404.html", "{{ no_such_variable }}"),
        &["templates/404.html: error: cannot render 404.html"],
    );
}

/// Templates that extend, include or import each other in a circle are refused with the
/// circle named; Tera followed them until the stack overflowed (found by the `site` fuzz
/// target: `base.html` extending `index.html`, which extends `base.html`).
#[test]
fn templates_in_a_circle_are_refused() {
    let macros = include_str!("../../templates/macros.html");
    let imports_itself = format!("{{% import \"macros.html\" as again %}}{macros}");
    for (name, text, circle) in [
        (
            "base.html",
            "{% extends \"index.html\" %}",
            "base.html → index.html → base.html",
        ),
        (
            "index.html",
            "{% if site %}{% include \"index.html\" %}{% endif %}",
            "index.html → index.html",
        ),
        (
            "macros.html",
            imports_itself.as_str(),
            "macros.html → macros.html",
        ),
    ] {
        let expected =
            format!("templates/{name}: error: templates use each other in a circle: {circle}");
        fails_keeping_output(|s| s.file(&format!("templates/{name}"), text), &[&expected]);
    }
}

#[test]
fn unknown_importance_and_precision() {
    fails_keeping_output(
        |s| {
            s.event("first", "title: T\ndate: 2025-06-14\nsources: [src-a]\nimportance: huge\nprecision: minutes", "x")
        },
        &[
            "first.md:5:13: error: unknown importance \"huge\"",
            "first.md:6:12: error: unknown precision \"minutes\"",
            "did you mean `minute`?",
        ],
    );
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let err = fails_keeping_output(
        |s| {
            s.event("first", "title: T\ndate: 2025-13-01\nsources: [src-a]", "x")
                .event(
                    "second",
                    "date: 2025-06-14\nsources: [nope]\ntitle: S\ncolour: red",
                    "x",
                )
                .source("third", "outlet: O")
        },
        &[
            "first.md:3:7:",
            "second.md:3:11: error: unknown source \"nope\"",
            "second.md:5:1: error: unknown front-matter key `colour`",
            "third.md:1:1: error: missing `title`",
        ],
    );
    assert!(err.contains("failed: 4 errors"), "{err}");
}

#[test]
fn output_folder_that_would_destroy_the_site_is_refused() {
    let site = Site::new();
    for bad in [".", "content", "static/out", ".."] {
        let run = site.run(&["build", "--output", bad]);
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
    let run = Site::empty().build();
    assert!(!run.success);
    assert!(
        run.stderr.contains("site.toml: error: no site.toml here"),
        "{}",
        run.stderr
    );
}

#[test]
fn warnings_spanning_files_point_at_the_line_after_a_single_build_let_the_text_go() {
    // A single build keeps no file's text once validated; these warnings read it again.
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
        build_as_nobody(&site).stderr
    } else {
        site.build().stderr
    };
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
