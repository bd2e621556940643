//! The other commands: check, new, init, and the command-line surface.

use crate::support::Site;

#[test]
fn check_validates_and_writes_nothing() {
    let site = Site::new();
    let run = site.run(&["check"]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.starts_with("checked "), "{}", run.stdout);
    assert!(!site.path("public").exists());
    let site = site.event("first", "title: T\ndate: nope\nsources: [src-a]", "x");
    let run = site.run(&["check"]);
    insta::assert_snapshot!(run.transcript(&site));
    assert!(!run.success);
    assert!(
        run.stderr.contains("content/events/first.md:3:7"),
        "{}",
        run.stderr
    );
}

#[test]
fn new_writes_a_unique_event_file_that_checks_once_sourced() {
    let site = Site::new();
    let run = site.run(&[
        "new",
        "US strikes: Fordow & Natanz",
        "--date",
        "2025-06-22T02:30 Asia/Tehran",
    ]);
    assert!(run.success, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        "created content/events/2025-06-21-us-strikes-fordow-natanz.md"
    );
    let again = site.run(&[
        "new",
        "US strikes: Fordow & Natanz",
        "--date",
        "2025-06-22T02:30 Asia/Tehran",
    ]);
    assert_eq!(
        again.stdout.trim(),
        "created content/events/2025-06-21-us-strikes-fordow-natanz-2.md"
    );
    let text =
        std::fs::read_to_string(site.path("content/events/2025-06-21-us-strikes-fordow-natanz.md"))
            .expect("file");
    assert!(
        text.contains(
            "title: \"US strikes: Fordow & Natanz\"\ndate: 2025-06-22T02:30 Asia/Tehran\n"
        ),
        "{text}"
    );
    // A draft builds (it is left out); with a source and without `draft` it is published.
    site.build_ok();
    let sourced = text
        .replace("sources: []", "sources: [src-a]")
        .replace("draft: true\n", "");
    let site = site
        .file(
            "content/events/2025-06-21-us-strikes-fordow-natanz.md",
            &sourced,
        )
        .remove("content/events/2025-06-21-us-strikes-fordow-natanz-2.md");
    site.build_ok();
    assert!(
        site.read("index.html")
            .contains("US strikes: Fordow &amp; Natanz")
    );
}

#[test]
fn new_rejects_a_bad_date() {
    let site = Site::new();
    let run = site.run(&["new", "X", "--date", "tomorrow"]);
    insta::assert_snapshot!(run.transcript(&site));
    assert!(!run.success);
    assert!(
        run.stderr.contains("\"tomorrow\" is not a date"),
        "{}",
        run.stderr
    );
}

#[test]
fn init_creates_a_site_that_builds() {
    let dir = Site::empty();
    let run = dir.run(&["init", "mysite"]);
    assert!(run.success, "{}", run.stderr);
    let run = dir.run(&["build", "--root", "mysite"]);
    assert!(run.success, "{}", run.stderr);
    assert!(dir.path("mysite/public/index.html").exists());
    assert!(dir.path("mysite/templates/event.html").exists());
    let again = dir.run(&["init", "mysite"]);
    insta::assert_snapshot!(again.transcript(&dir));
    assert!(!again.success);
    assert!(again.stderr.contains("not empty"), "{}", again.stderr);
}

#[test]
fn git_add_after_two_builds_of_an_init_site_adds_nothing_gen_wrote() {
    let dir = Site::empty();
    assert!(dir.run(&["init", "mysite"]).success);
    for _ in 0..2 {
        let run = dir.run(&["build", "--root", "mysite"]);
        assert!(run.success, "{}", run.stderr);
    }
    let site = dir.path("mysite");
    assert!(site.join(".public.spare/index.html").exists());
    assert!(site.join(".public.lock").exists());
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .current_dir(&site)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    let added = git(&["ls-files"]);
    assert!(added.contains("site.toml"), "{added}");
    for line in added.lines() {
        assert!(
            !line.starts_with("public/") && !line.starts_with(".public."),
            "git add took {line}"
        );
    }
}

#[test]
fn base_url_can_be_overridden() {
    let site = Site::new();
    let run = site.run(&["build", "--base-url", "https://mirror.example/archive"]);
    assert!(run.success, "{}", run.stderr);
    assert!(
        site.read("index.html")
            .contains("href=\"https://mirror.example/archive/\"")
    );
    assert!(
        site.read("404.html")
            .contains("href=\"/archive/style.css\"")
    );
    let bad = site.run(&["build", "--base-url", "ftp://x"]);
    insta::assert_snapshot!(bad.transcript(&site));
    assert!(!bad.success);
    assert!(bad.stderr.contains("--base-url"), "{}", bad.stderr);
}

#[test]
fn output_elsewhere_with_explicit_flag() {
    let site = Site::new();
    let out = tempfile::tempdir().expect("dir");
    let target = out.path().join("site");
    let run = site.run(&["build", "--output", target.to_str().expect("utf-8")]);
    assert!(run.success, "{}", run.stderr);
    assert!(target.join("index.html").exists());
    assert!(!site.path("public").exists());
}

#[test]
fn help_version_and_no_colour() {
    let site = Site::new();
    let help = site.run(&["--help"]);
    assert!(
        help.success && help.stdout.contains("build") && help.stdout.contains("init"),
        "{}",
        help.stdout
    );
    let version = site.run(&["--version"]);
    assert!(version.stdout.starts_with("gen 0."), "{}", version.stdout);
    let broken = site.event("first", "title: T\ndate: x\nsources: [src-a]", "x");
    let run = broken.build();
    assert!(
        !run.stderr.contains('\u{1b}'),
        "colour escape codes with NO_COLOR / no terminal"
    );
}

/// Colour follows the CLICOLOR conventions: CLICOLOR_FORCE colours a pipe, NO_COLOR wins over
/// it, and the plain text is the coloured text without its escape codes.
#[test]
fn clicolor_force_colours_diagnostics_and_no_color_wins() {
    let site = Site::new().event("first", "title: T\ndate: x\nsources: [src-a]", "x");
    let stderr = |vars: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_gen"));
        command
            .arg("build")
            .current_dir(site.root())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR");
        for (name, value) in vars {
            command.env(name, value);
        }
        let out = command.output().expect("run gen");
        String::from_utf8(out.stderr).expect("UTF-8")
    };
    let coloured = stderr(&[("CLICOLOR_FORCE", "1")]);
    assert!(
        coloured.contains("\u{1b}[1m\u{1b}[31merror\u{1b}[0m: "),
        "{coloured:?}"
    );
    let plain = stderr(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let mut stripped = String::new();
    let mut rest = coloured.as_str();
    while let Some(at) = rest.find('\u{1b}') {
        stripped.push_str(&rest[..at]);
        let end = rest[at..].find('m').expect("an escape code ends in m");
        rest = &rest[at + end + 1..];
    }
    stripped.push_str(rest);
    assert_eq!(stripped, plain);
    assert!(!stderr(&[]).contains('\u{1b}'), "colour into a pipe");
}
