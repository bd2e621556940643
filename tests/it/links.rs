//! Symbolic links in a hostile repository: a link that leads outside the site, dangles or loops
//! is an error naming the link and its target, and nothing behind it is read, published or
//! printed. Links inside the site keep working.

use std::os::unix::fs::symlink;
use std::path::Path;

use crate::support::{Site, files_under};

const SECRET: &str = "canary-5d1e9c secret line outside the site";

/// A folder outside the site holding a file with a secret first line, and a folder of events.
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("secret.txt"), format!("{SECRET}\nmore\n")).expect("write");
    let events = dir.path().join("events");
    std::fs::create_dir(&events).expect("mkdir");
    std::fs::write(
        events.join("stolen.md"),
        format!("---\ntitle: {SECRET}\ndate: nope\n---\n{SECRET}\n"),
    )
    .expect("write");
    dir
}

fn link(site: &Site, target: &Path, rel: &str) {
    let path = site.path(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    symlink(target, path).expect("symlink");
}

/// Builds, expects a failure naming `rel` and `target`, and checks the secret went nowhere.
fn refused(site: &Site, rel: &str, target: &Path, what: &str) {
    let run = site.build();
    assert!(!run.success, "{rel}: the build succeeded\n{}", run.stdout);
    let outside = target.parent().unwrap_or(target);
    insta::assert_snapshot!(
        format!("refused_{}", rel.replace(['/', '.'], "_")),
        run.transcript_redacting(site, &[(outside, "[TARGET]")])
    );
    let expect = format!("{rel}: error: {what}");
    assert!(run.stderr.contains(&expect), "{rel}: {}", run.stderr);
    assert!(
        run.stderr.contains(&target.display().to_string()),
        "{rel}: the target is not named\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("help: "), "{}", run.stderr);
    assert!(!run.stderr.contains("canary"), "{}", run.stderr);
    assert!(!run.stdout.contains("canary"), "{}", run.stdout);
    for folder in ["public", ".public.spare"] {
        for (path, bytes) in files_under(&site.path(folder)) {
            assert!(
                !String::from_utf8_lossy(&bytes).contains("canary-5d1e9c"),
                "the secret reached {folder}/{}",
                path.display()
            );
        }
    }
    assert!(!site.exists("index.html"), "a site was published");
}

#[test]
fn a_link_to_a_file_outside_the_site_is_refused_in_every_folder() {
    let away = outside();
    let secret = away.path().join("secret.txt");
    for rel in [
        "static/passwd.txt",
        "content/events/leak.md",
        "content/sources/leak.md",
        "content/about.md",
        "templates/base.html",
        "site.toml",
    ] {
        let site = Site::new();
        if rel == "site.toml" {
            std::fs::remove_file(site.path(rel)).expect("rm");
        }
        link(&site, &secret, rel);
        refused(&site, rel, &secret, "symbolic link leads outside the site");
    }
}

#[test]
fn a_link_to_a_folder_outside_the_site_is_not_entered() {
    let away = outside();
    let events = away.path().join("events");
    for rel in ["content/events/more", "static/etc", "templates/partials"] {
        let site = Site::new();
        link(&site, &events, rel);
        refused(&site, rel, &events, "symbolic link leads outside the site");
    }
    // The content folder itself.
    let site = Site::new();
    std::fs::remove_dir_all(site.path("content/events")).expect("rm");
    link(&site, &events, "content/events");
    refused(
        &site,
        "content/events",
        &events,
        "symbolic link leads outside the site",
    );
}

#[test]
fn loops_and_dangling_links_are_errors() {
    let site = Site::new();
    link(&site, Path::new("."), "static/self");
    let run = site.build();
    insta::assert_snapshot!("link_loop", run.transcript(&site));
    assert!(!run.success);
    assert!(
        run.stderr
            .contains("static/self: error: symbolic link loop"),
        "{}",
        run.stderr
    );

    let site = Site::new();
    link(&site, Path::new("b.md"), "content/events/a.md");
    link(&site, Path::new("a.md"), "content/events/b.md");
    let run = site.build();
    insta::assert_snapshot!("links_in_a_circle", run.transcript(&site));
    assert!(!run.success);
    assert!(
        run.stderr
            .contains("content/events/a.md: error: symbolic link cannot be followed (to b.md)"),
        "{}",
        run.stderr
    );

    let site = Site::new();
    link(&site, Path::new("gone.css"), "static/style.css");
    let run = site.build();
    insta::assert_snapshot!("dangling_link", run.transcript(&site));
    assert!(!run.success);
    assert!(
        run.stderr
            .contains("static/style.css: error: symbolic link points at nothing (to gone.css)"),
        "{}",
        run.stderr
    );
}

#[test]
fn links_inside_the_site_keep_working() {
    let site = Site::new()
        .file("shared/logo.txt", "logo")
        .file("shared/css/extra.css", "p{}")
        .event(
            "../../drafts/linked",
            "title: Linked\ndate: 2025-06-15\nsources: [src-a]",
            "Linked body.",
        );
    link(&site, Path::new("../shared/logo.txt"), "static/logo.txt");
    link(&site, Path::new("../shared/css"), "static/css");
    link(
        &site,
        Path::new("../../drafts/linked.md"),
        "content/events/linked.md",
    );
    // An emacs lock file: a dangling link with a hidden name, ignored like any hidden file.
    link(
        &site,
        Path::new("user@host.1234"),
        "content/events/.#first.md",
    );
    let run = site.build_ok();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(site.read("logo.txt"), "logo");
    assert_eq!(site.read("css/extra.css"), "p{}");
    assert!(
        site.read("events/linked/index.html")
            .contains("Linked body.")
    );
}

#[test]
fn the_output_holds_no_links() {
    let site = Site::new().file("shared/logo.txt", "logo");
    link(&site, Path::new("../shared/logo.txt"), "static/logo.txt");
    site.build_ok();
    let meta = std::fs::symlink_metadata(site.path("public/logo.txt")).expect("logo");
    assert!(meta.file_type().is_file(), "the link itself was copied");
}
