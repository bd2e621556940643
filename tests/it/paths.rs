//! Hostile names: file names, actors and tags that try to leave the output folder or collide
//! on other systems are refused or made safe, and a build writes nothing outside its output.

use std::path::{Path, PathBuf};

use crate::support::{Site, files_under};

/// Every file of the site folder except gen's own output, spare copy and build lock.
fn inputs(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_under(root)
        .into_iter()
        .filter(|(p, _)| {
            !p.starts_with("public")
                && !p.starts_with(".public.spare")
                && !p.starts_with(".public.lock")
        })
        .collect()
}

#[test]
fn hostile_file_names_are_refused_with_a_suggestion() {
    let long = "a".repeat(150);
    for (name, expect, case) in [
        ("Bad", "may only hold a-z", "upper_case"),
        ("con", "Windows reserves", "con"),
        ("nul", "Windows reserves", "nul"),
        ("a..b", "may only hold a-z", "dots"),
        ("-lead", "may only hold a-z", "leading_hyphen"),
        (long.as_str(), "is longer than 100 characters", "long"),
        ("über", "may only hold a-z", "non_ascii"),
    ] {
        let site = Site::new().event(name, "title: T\ndate: 2025-06-14\nsources: [src-a]", "x");
        let run = site.build();
        insta::assert_snapshot!(format!("hostile_file_name_{case}"), run.transcript(&site));
        assert!(!run.success, "{name} accepted");
        assert!(run.stderr.contains(expect), "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("rename the file to `"),
            "{name}: {}",
            run.stderr
        );
    }
}

#[test]
fn hostile_actor_and_tag_names_stay_inside_the_output() {
    let site = Site::new().event(
        "names",
        "title: T\ndate: 2025-06-14\nactors: [\"../../outside\", \"/etc/passwd\", \"CON\", \"a\\\\b\", \"\\u0000nul\"]\ntags: [\"..\", \"...\", \"x/../../y\", \"Іran\"]\nsources: [src-a]",
        "x",
    );
    let before = inputs(site.root());
    site.build_ok();
    assert_eq!(
        before,
        inputs(site.root()),
        "a file outside the output changed"
    );
    for page in [
        "actors/outside/index.html",
        "actors/etc-passwd/index.html",
        "actors/con-1/index.html",
        "actors/a-b/index.html",
        "tags/x-y/index.html",
    ] {
        assert!(site.exists(page), "{page} missing");
    }
    // Names with nothing left after folding get a stable placeholder folder inside `tags/`.
    assert!(site.exists("tags/x2/index.html") && site.exists("tags/x3/index.html"));
    let outside = site.root().parent().expect("temp parent").join("outside");
    assert!(!outside.exists());
}

#[test]
fn a_build_touches_nothing_but_its_output_and_spare() {
    let site = Site::new()
        .file("static/img/logo.svg", "<svg/>")
        .file("content/about.md", "---\ntitle: About\n---\nAbout.");
    let before = inputs(site.root());
    site.build_ok();
    site.build_ok();
    site.build_ok();
    assert_eq!(before, inputs(site.root()));
    let mut top: Vec<String> = std::fs::read_dir(site.root())
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(
        top,
        [
            ".public.lock",
            ".public.spare",
            "content",
            "public",
            "site.toml",
            "static"
        ]
    );
}

/// A build lock that is a symbolic link (a cloned repository may hold one) is refused: opening
/// it would empty the file it leads to and write gen's process id into it.
#[cfg(unix)]
#[test]
fn a_build_lock_that_is_a_link_is_refused() {
    let site = Site::new();
    let outside = tempfile::tempdir().expect("temp dir");
    let target = outside.path().join("target");
    std::fs::write(&target, "keep").expect("write");
    std::os::unix::fs::symlink(&target, site.path(".public.lock")).expect("link");
    let run = site.build();
    insta::assert_snapshot!(run.transcript_redacting(&site, &[(outside.path(), "[OUTSIDE]")]));
    assert!(!run.success, "built through a linked lock");
    assert!(
        run.stderr.contains("build lock is not a file"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep");
}
