//! Golden files for the rendered event and index pages (insta) of the `event-page` fixture:
//! an event with every optional field, two sources (one without an address) and markup to
//! escape. Re-bless after an intended change with `INSTA_UPDATE=always cargo test` and review
//! the diff in `tests/it/snapshots/`.

use crate::support::Site;

#[test]
fn event_page() {
    let site = Site::fixture("event-page");
    site.build_ok();
    insta::assert_snapshot!(site.read("events/kremlin-meeting/index.html"));
}

#[test]
fn index_page() {
    let site = Site::fixture("event-page");
    site.build_ok();
    insta::assert_snapshot!(site.read("index.html"));
}
