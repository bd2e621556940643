//! Media on events, sources and eras: the widths written, EXIF stripped and orientation
//! applied, the cache, SVG and document handling, remote link cards, where media appear, and
//! every error at its file and line. Images are made here, at test time.

use std::fs;

use crate::images;
use crate::support::Site;

/// The minimal site's event with `media` (YAML lines under `media:`).
fn with_media(site: Site, media: &str) -> Site {
    site.file(
        "content/events/first.md",
        &format!(
            "---\ntitle: First event\ndate: 2025-06-14T10:00 Asia/Tehran\nsources: [src-a]\nmedia:\n{media}\n---\nThe summary.\n"
        ),
    )
}

/// One image item.
fn item(src: &str) -> String {
    format!("  - src: {src}\n    alt: A test picture\n    credit: Test Agency")
}

/// The files under `public/media/` with their names.
fn media_files(site: &Site) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(site.path("public/media"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The width and height of an image in the output.
fn size_of(site: &Site, name: &str) -> (u32, u32) {
    let bytes = fs::read(site.path("public/media").join(name)).expect("read");
    let image = image::load_from_memory(&bytes).expect("decode");
    (image.width(), image.height())
}

/// The width at the end of a rendition's name (`x-<hash>-960.webp` → 960).
fn width_in_name(name: &str) -> u32 {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    stem.rsplit('-')
        .next()
        .and_then(|w| w.parse().ok())
        .expect("a width in the name")
}

#[test]
fn images_are_written_at_each_width_never_upscaled_in_their_format_and_webp() {
    let site = with_media(
        Site::new(),
        &format!("{}\n{}", item("wide.jpg"), item("small.png")),
    )
    .bytes("content/media/wide.jpg", &images::jpeg(2000, 1000))
    .bytes("content/media/small.png", &images::png(300, 200));
    site.build_ok();
    let files = media_files(&site);
    let widths = |prefix: &str, ext: &str| -> Vec<u32> {
        let mut w: Vec<u32> = files
            .iter()
            .filter(|n| n.starts_with(prefix) && n.ends_with(ext))
            .map(|n| width_in_name(n))
            .collect();
        w.sort_unstable();
        w
    };
    assert_eq!(widths("wide-", ".jpg"), [480, 960, 1600], "{files:?}");
    assert_eq!(widths("wide-", ".webp"), [480, 960, 1600], "{files:?}");
    assert_eq!(widths("small-", ".png"), [300], "no upscaling: {files:?}");
    assert_eq!(widths("small-", ".webp"), [300], "{files:?}");
    for name in &files {
        let (w, h) = size_of(&site, name);
        assert_eq!(w, width_in_name(name), "{name}");
        let expected = if name.starts_with("wide-") {
            w / 2
        } else {
            (w * 2 + 1) / 3
        };
        assert_eq!(h, expected, "the aspect ratio is kept: {name}");
    }
    let page = site.read("events/first/index.html");
    assert!(page.contains("alt=\"A test picture\""), "{page}");
    assert!(page.contains("<figcaption>"), "{page}");
    assert!(
        page.contains("loading=\"lazy\"") && page.contains("decoding=\"async\""),
        "{page}"
    );
    assert!(page.contains("width=\"1600\" height=\"800\""), "{page}");
    assert!(page.contains(" 960w, "), "a srcset: {page}");
    assert!(page.contains("<source type=\"image/webp\""), "{page}");
    assert!(
        page.contains("summary_large_image") && page.contains("og:image"),
        "{page}"
    );
}

#[test]
fn exif_location_is_stripped_and_the_orientation_applied() {
    let photo = images::jpeg_with_exif(6000, 4000, 6);
    assert!(images::has_gps(&photo), "the fixture carries GPS");
    let site = with_media(Site::new(), &item("photo.jpg")).bytes("content/media/photo.jpg", &photo);
    site.build_ok();
    let files = media_files(&site);
    let jpegs: Vec<&String> = files.iter().filter(|n| n.ends_with(".jpg")).collect();
    assert_eq!(jpegs.len(), 3, "{files:?}");
    for name in &files {
        let (w, h) = size_of(&site, name);
        assert!(h > w, "rotated to portrait: {name} is {w}×{h}");
        assert_eq!(w, width_in_name(name), "{name}");
        let bytes = fs::read(site.path("public/media").join(name)).expect("read");
        assert!(!images::has_gps(&bytes), "{name} still carries GPS");
    }
    assert!(
        !files
            .iter()
            .any(|n| n.contains("4000") || n.contains("6000")),
        "the original is not published: {files:?}"
    );
}

#[test]
fn a_second_build_decodes_nothing_and_writes_the_same_site() {
    let mut site = Site::new();
    let mut media = Vec::new();
    for n in 0..5 {
        site = site.bytes(
            &format!("content/media/p{n}.jpg"),
            &images::jpeg(800 + n * 10, 600),
        );
        media.push(item(&format!("p{n}.jpg")));
    }
    let site = with_media(site, &media.join("\n"));
    let first = site.build_ok();
    assert!(
        first
            .stdout
            .contains("5 images (5 processed, 0 from the cache)"),
        "{}",
        first.stdout
    );
    let before = site.snapshot_output();
    let second = site.build_ok();
    assert!(
        second
            .stdout
            .contains("5 images (0 processed, 5 from the cache)"),
        "{}",
        second.stdout
    );
    assert_eq!(before, site.snapshot_output());
    // An edited image is processed again, and only it.
    fs::write(site.path("content/media/p2.jpg"), images::jpeg(900, 600)).expect("write");
    let third = site.build_ok();
    assert!(
        third
            .stdout
            .contains("5 images (1 processed, 4 from the cache)"),
        "{}",
        third.stdout
    );
    assert!(
        media_files(&site)
            .iter()
            .any(|n| n.starts_with("p2-") && n.ends_with("-900.jpg"))
    );
}

#[test]
fn documents_become_download_links_with_type_and_size() {
    let pdf = b"%PDF-1.4\n% a statement\n".repeat(100);
    let site = with_media(
        Site::new(),
        "  - src: statement.pdf\n    caption: The ministry's statement\n    credit: Ministry of Foreign Affairs",
    )
    .bytes("content/media/statement.pdf", &pdf);
    site.build_ok();
    let page = site.read("events/first/index.html");
    assert!(
        page.contains("The ministry&#39;s statement</a> <span class=\"meta\">(PDF, 2 kB)</span>"),
        "{page}"
    );
    let name = media_files(&site)
        .into_iter()
        .find(|n| n.ends_with(".pdf"))
        .expect("copied");
    assert_eq!(
        fs::read(site.path("public/media").join(name)).expect("read"),
        pdf
    );
}

#[test]
fn remote_media_are_link_cards_and_players_load_only_on_a_click() {
    let media = "  - src: https://www.youtube.com/watch?v=abc123\n    caption: The press conference\n    credit: Broadcaster";
    let site = with_media(Site::new(), media);
    site.build_ok();
    let page = site.read("events/first/index.html");
    assert!(
        page.contains("href=\"https://www.youtube.com/watch?v=abc123\""),
        "{page}"
    );
    assert!(page.contains("on youtube.com"), "{page}");
    assert!(
        !page.contains("<iframe") && !page.contains("data-embed"),
        "{page}"
    );
    let site = site.file(
        "site.toml",
        &format!("{}\n[media]\nembed_remote = true\n", crate::support::CONFIG),
    );
    site.build_ok();
    let page = site.read("events/first/index.html");
    assert!(
        page.contains("data-embed=\"https://www.youtube-nocookie.com/embed/abc123\""),
        "{page}"
    );
    assert!(
        page.contains("media.js") && !page.contains("<iframe"),
        "{page}"
    );
}

#[test]
fn svg_is_copied_as_it_is_when_safe_and_refused_otherwise() {
    let safe = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"80\"><circle cx=\"10\" cy=\"10\" r=\"5\"/></svg>";
    let site = with_media(Site::new(), &item("map.svg")).file("content/media/map.svg", safe);
    site.build_ok();
    let name = media_files(&site)
        .into_iter()
        .find(|n| n.ends_with(".svg"))
        .expect("copied");
    assert_eq!(
        fs::read_to_string(site.path("public/media").join(name)).expect("read"),
        safe
    );
    assert!(
        site.read("events/first/index.html")
            .contains("width=\"120\" height=\"80\"")
    );
}

#[test]
fn timeline_json_atom_and_cards_carry_the_image() {
    let site = with_media(Site::new(), &item("wide.jpg"))
        .bytes("content/media/wide.jpg", &images::jpeg(1200, 800));
    site.build_ok();
    let json: serde_json::Value = serde_json::from_str(&site.read("timeline.json")).expect("json");
    let media = &json["events"][0]["media"];
    assert_eq!(media["alt"], "A test picture");
    assert_eq!(media["credit"], "Test Agency");
    let url = media["url"].as_str().expect("url");
    assert!(
        url.starts_with("https://example.org/timeline/media/wide-") && url.ends_with("-1200.jpg"),
        "{url}"
    );
    assert!(
        media["thumbnail"]
            .as_str()
            .expect("thumbnail")
            .ends_with("-480.jpg")
    );
    let atom = site.read("atom.xml");
    let feed = roxmltree::Document::parse(&atom).expect("the feed is XML");
    let content = feed
        .descendants()
        .find(|n| n.has_tag_name("content"))
        .and_then(|n| n.text())
        .expect("an entry's content");
    let html = scraper::Html::parse_fragment(content);
    let img = html
        .select(&scraper::Selector::parse("figure img").expect("selector"))
        .next()
        .expect("the entry's figure");
    let src = img.value().attr("src").expect("src");
    assert!(
        src.starts_with("https://example.org/timeline/media/wide-") && src.ends_with("-1200.jpg"),
        "{src}"
    );
    assert_eq!(img.value().attr("alt"), Some("A test picture"));
    let index = site.read("index.html");
    assert!(index.contains("<picture class=\"thumb\">"), "{index}");
    assert!(
        index.contains("class=\"day m\"") || index.contains(" m\" style"),
        "the axis marks the event: {index}"
    );
}

#[test]
fn check_lists_media_no_event_uses() {
    let site = Site::new().bytes("content/media/spare.png", &images::png(10, 10));
    let run = site.run(&["check"]);
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("content/media/spare.png: warning: no event, source or era uses this file"),
        "{}",
        run.stderr
    );
}

/// The transcript of a build of the minimal site changed by `change`, which must fail.
fn fails(change: impl FnOnce(Site) -> Site) -> String {
    let site = change(Site::new());
    let run = site.build();
    assert!(
        !run.success,
        "the build should fail; stdout: {}",
        run.stdout
    );
    run.transcript(&site)
}

#[test]
fn an_image_without_alt_or_credit() {
    insta::assert_snapshot!(fails(|s| with_media(
        s,
        "  - src: a.png\n    caption: Nothing else"
    )
    .bytes("content/media/a.png", &images::png(10, 10))));
}

#[test]
fn a_media_file_that_is_missing() {
    insta::assert_snapshot!(fails(|s| with_media(s, &item("nowhere.jpg"))));
}

#[test]
fn a_truncated_jpeg() {
    insta::assert_snapshot!(fails(|s| with_media(s, &item("cut.jpg"))
        .bytes("content/media/cut.jpg", &images::truncated_jpeg())));
}

#[test]
fn a_jpeg_that_holds_text() {
    insta::assert_snapshot!(fails(|s| with_media(s, &item("notes.jpg")).file(
        "content/media/notes.jpg",
        "these are notes, not a picture\n"
    )));
}

#[test]
fn a_format_gen_does_not_handle() {
    insta::assert_snapshot!(fails(
        |s| with_media(s, &item("scan.tiff")).bytes("content/media/scan.tiff", b"II*\0")
    ));
}

#[test]
fn a_file_over_the_size_limit() {
    insta::assert_snapshot!(fails(|s| with_media(s, &item("big.png"))
        .bytes("content/media/big.png", &vec![0; 1_200_000])
        .file(
            "site.toml",
            &format!("media_max_mb = 1\n{}", crate::support::CONFIG)
        )));
}

#[test]
fn an_svg_with_a_script() {
    insta::assert_snapshot!(fails(|s| with_media(s, &item("map.svg")).file(
        "content/media/map.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<script>alert(1)</script>\n</svg>"
    )));
}

#[test]
fn a_path_leaving_the_content_folder() {
    insta::assert_snapshot!(fails(|s| with_media(s, &item("../../site.toml.png"))));
}

#[test]
fn gen_watch_publishes_an_edited_image_and_ends_as_a_fresh_build_would() {
    use std::collections::HashSet;
    use timeline_gen::{BuildOptions, Change, Session};

    let site = with_media(Site::new(), &item("p.png"))
        .bytes("content/media/p.png", &images::png(600, 400));
    let options = BuildOptions {
        root: site.root().to_path_buf(),
        ..BuildOptions::default()
    };
    let (mut session, _) = Session::start(&options).expect("first build");
    let before = media_files(&site);
    assert!(before.iter().any(|n| n.ends_with("-600.png")), "{before:?}");
    // The image is replaced by a wider one: new widths, the old ones gone, the page names them.
    fs::write(site.path("content/media/p.png"), images::png(1000, 500)).expect("write");
    let report = session
        .rebuild(&Change::Content(HashSet::from([
            site.path("content/media/p.png")
        ])))
        .expect("rebuild");
    let after = media_files(&site);
    assert!(
        after.iter().any(|n| n.ends_with("-1000.png"))
            && !after.iter().any(|n| n.ends_with("-600.png")),
        "{after:?}"
    );
    assert!(
        report
            .written
            .iter()
            .any(|p| p == "events/first/index.html"),
        "{:?}",
        report.written
    );
    let page = site.read("events/first/index.html");
    assert!(page.contains("width=\"1000\" height=\"500\""), "{page}");
    // What the session left is what a fresh build writes.
    let watched = site.snapshot_output();
    fs::remove_dir_all(site.path("public")).expect("remove");
    site.build_ok();
    assert_eq!(
        crate::support::differences(&watched, &site.snapshot_output()),
        Vec::<std::path::PathBuf>::new()
    );
}

#[test]
fn a_file_named_twice_and_two_files_with_the_same_bytes_are_processed_once() {
    let photo = images::jpeg(700, 500);
    let site = with_media(Site::new(), &format!("{}\n{}", item("a.jpg"), item("../media/a.jpg")))
        .bytes("content/media/a.jpg", &photo)
        .bytes("content/media/copy.jpg", &photo)
        .source(
            "src-a",
            "title: Headline A\noutlet: Outlet A\nurl: https://news.example/a\nmedia:\n  src: copy.jpg\n  alt: The same picture\n  credit: Outlet A",
        );
    let run = site.build_ok();
    assert!(
        run.stdout
            .contains("2 images (1 processed, 1 from the cache)"),
        "{}",
        run.stdout
    );
    let files = media_files(&site);
    assert_eq!(
        files.iter().filter(|n| n.starts_with("a-")).count(),
        4,
        "480 and 700 wide, JPEG and WebP: {files:?}"
    );
    assert_eq!(
        files.iter().filter(|n| n.starts_with("copy-")).count(),
        4,
        "{files:?}"
    );
    let source = site.read("sources/src-a/index.html");
    assert!(
        source.contains("alt=\"The same picture\"") && source.contains("<figcaption>"),
        "{source}"
    );
}
