//! Small pieces the page contexts are built from: the pager, the root prefix, and the moves
//! that put lists of rendered cards into a Tera context without copying them.

use serde::Serialize;
use serde_json::Value;
use tera::Context;

use super::cards::ListItem;
use super::plan::Slice;

/// Links between the pages of a list split by `page_size` (URLs relative to the site root).
#[derive(Serialize)]
pub(super) struct Pager {
    number: usize,
    count: usize,
    previous: Option<String>,
    next: Option<String>,
}

pub(super) fn pager(slice: Slice, base: &str) -> Pager {
    let at = |number: usize| Slice { number, ..slice }.url(base);
    Pager {
        number: slice.number + 1,
        count: slice.count,
        previous: slice.number.checked_sub(1).map(at),
        next: (slice.number + 1 < slice.count).then(|| at(slice.number + 1)),
    }
}

/// The relative prefix from a page to the site root ("../../" for `events/x/index.html`).
pub(super) fn root_prefix(path: &str) -> String {
    let depth = path.matches('/').count();
    if depth == 0 {
        "./".to_owned()
    } else {
        "../".repeat(depth)
    }
}

/// The items of a list as templates see them, each card moved in rather than copied.
pub(super) fn listed_values(events: Vec<ListItem<'_>>) -> Value {
    Value::Array(
        events
            .into_iter()
            .map(|mut item| {
                let card = Value::String(std::mem::take(&mut item.card));
                with_field(&item, "card", card)
            })
            .collect(),
    )
}

/// `value` as a JSON object, with `field` added under `key` (moved, not serialized again).
pub(super) fn with_field<T: Serialize>(value: &T, key: &str, field: Value) -> Value {
    let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert(key.to_owned(), field);
    }
    value
}

/// Puts `value` into `ctx` under `key` as it is: `Context::insert` would copy it, and lists
/// carry every event's card (a 100-event list page: ~200 KB).
pub(super) fn put(ctx: &mut Context, key: &str, value: Value) {
    let mut map = serde_json::Map::new();
    map.insert(key.to_owned(), value);
    if let Ok(values) = Context::from_value(Value::Object(map)) {
        ctx.extend(values);
    }
}

/// "1 event", "12 events".
pub(super) fn events(count: usize) -> String {
    format!("{count} event{}", if count == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_prefix_matches_depth() {
        assert_eq!(root_prefix("index.html"), "./");
        assert_eq!(root_prefix("sources/index.html"), "../");
        assert_eq!(root_prefix("events/a/index.html"), "../../");
    }
}
