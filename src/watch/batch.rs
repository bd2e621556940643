//! The file events of `gen watch`, taken together: which rebuild they call for, merged into
//! one change while a rebuild runs, with editor temporary files and the output folder left
//! out.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use notify_debouncer_full::notify::EventKind;
use notify_debouncer_full::notify::event::{MetadataKind, ModifyKind};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent};

use crate::config::CONFIG_FILE;
use crate::confined::is_ignored;
use crate::incremental::Change;

/// The folders watched recursively. The root itself is watched alone (not recursively), so a
/// `site.toml` replaced by a rename is seen, and so is each of these folders being created,
/// deleted, renamed or put back.
pub const FOLDERS: [&str; 3] = ["content", "templates", "static"];

/// What reaches the rebuild loop.
pub enum Message {
    Files(DebounceEventResult),
    Quit,
}

/// The messages waiting in the channel, taken together.
#[derive(Default)]
pub struct Batch {
    /// What they call for, merged: one rebuild for all of them.
    pub change: Option<Change>,
    /// Watched folders an event named itself (created, deleted, renamed): their watch may be
    /// gone, or may watch a folder that is no longer there.
    pub replaced: HashSet<PathBuf>,
    /// The kernel dropped events (its queue overflowed): what changed is unknown.
    pub rescan: bool,
    pub notes: Vec<String>,
    pub quit: bool,
}

impl Batch {
    /// `first` and every message already waiting behind it. Events that came in while a
    /// rebuild ran would otherwise each make a rebuild of their own, one after another.
    pub fn drain(
        first: Message,
        receiver: &Receiver<Message>,
        root: &Path,
        output: &Path,
    ) -> Batch {
        let mut batch = Batch::default();
        for message in std::iter::once(first).chain(receiver.try_iter()) {
            match message {
                Message::Quit => batch.quit = true,
                Message::Files(Err(errors)) => batch
                    .notes
                    .push(format!("file watching reported: {errors:?}")),
                Message::Files(Ok(events)) => batch.add(&events, root, output),
            }
        }
        batch
    }

    fn add(&mut self, events: &[DebouncedEvent], root: &Path, output: &Path) {
        let folders: Vec<PathBuf> = FOLDERS.iter().map(|f| root.join(f)).collect();
        let mut change = None;
        if events.iter().any(|e| e.need_rescan()) {
            self.rescan = true;
            self.replaced.extend(folders.iter().cloned());
            change = Some(Change::Everything);
        }
        self.replaced.extend(
            events
                .iter()
                .filter(|e| moves(&e.kind))
                .flat_map(|e| &e.paths)
                .filter(|p| folders.contains(p))
                .cloned(),
        );
        // Reading files raises access events (our own rebuilds read them); only writes count.
        let paths: Vec<PathBuf> = events
            .iter()
            .filter(|e| is_write(&e.kind))
            .flat_map(|e| e.paths.iter().cloned())
            .collect();
        let change = change.or_else(|| classify(root, output, &paths));
        self.change = match (self.change.take(), change) {
            (Some(a), Some(b)) => Some(merge(a, b)),
            (a, b) => a.or(b),
        };
    }
}

fn is_write(kind: &EventKind) -> bool {
    match kind {
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any => true,
        EventKind::Access(_) | EventKind::Other => false,
    }
}

/// An event that creates, deletes or moves what it names (a folder's watch goes with it).
fn moves(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Name(_))
            | EventKind::Any
    )
}

/// Which rebuild a set of changed paths calls for, if any.
pub fn classify(root: &Path, output: &Path, paths: &[PathBuf]) -> Option<Change> {
    let mut content = HashSet::new();
    let (mut config, mut templates, mut assets) = (false, false, false);
    for path in paths {
        if path.starts_with(output)
            || path
                .file_name()
                .is_some_and(|n| is_editor_file(&n.to_string_lossy()))
        {
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let first = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        match first.as_deref() {
            Some("content") => {
                content.insert(path.clone());
            }
            Some("templates") => templates = true,
            Some("static") => assets = true,
            Some(CONFIG_FILE) if rel.components().count() == 1 => config = true,
            _ => {}
        }
    }
    // One change stands for the burst; a burst that mixes kinds redoes everything.
    match (config, templates, assets, content.is_empty()) {
        (true, ..) => Some(Change::Everything),
        (false, true, true, _) | (false, true, false, false) | (false, false, true, false) => {
            Some(Change::Everything)
        }
        (false, true, false, true) => Some(Change::Templates),
        (false, false, true, true) => Some(Change::Static),
        (false, false, false, false) => Some(Change::Content(content)),
        (false, false, false, true) => None,
    }
}

/// One change standing for two that came one after the other: content paths are joined,
/// the same kind stays, and two kinds redo everything.
fn merge(a: Change, b: Change) -> Change {
    match (a, b) {
        (Change::Content(mut a), Change::Content(mut b)) => {
            if a.len() < b.len() {
                std::mem::swap(&mut a, &mut b);
            }
            a.extend(b);
            Change::Content(a)
        }
        (Change::Templates, Change::Templates) => Change::Templates,
        (Change::Static, Change::Static) => Change::Static,
        _ => Change::Everything,
    }
}

/// Hidden files, backups and the temporary files editors save through.
fn is_editor_file(name: &str) -> bool {
    is_ignored(name)
        || name == "4913"
        || name.contains("___jb_")
        || name.ends_with(".bak")
        || name.ends_with(".gen-tmp")
}

pub fn describe(root: &Path, change: &Change) -> String {
    match change {
        Change::Everything => "site.toml (or several kinds of file) changed".to_owned(),
        Change::Templates => "templates changed".to_owned(),
        Change::Static => "static files changed".to_owned(),
        Change::Content(paths) => {
            let mut names: Vec<String> = paths
                .iter()
                .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
                .collect();
            names.sort();
            match names.len() {
                1 => names.remove(0),
                n => format!("{} and {} more", names[0], n - 1),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Instant;

    use notify_debouncer_full::notify::Event;
    use notify_debouncer_full::notify::event::{
        AccessKind, CreateKind, Flag, RemoveKind, RenameMode,
    };

    use super::*;

    fn content(list: &[&str]) -> Change {
        Change::Content(list.iter().map(PathBuf::from).collect())
    }

    fn files(events: &[(EventKind, &str)]) -> Message {
        Message::Files(Ok(events
            .iter()
            .map(|(kind, path)| {
                DebouncedEvent::new(
                    Event::new(*kind).add_path(PathBuf::from(path)),
                    Instant::now(),
                )
            })
            .collect()))
    }

    #[test]
    fn merging_joins_content_and_mixed_kinds_redo_everything() {
        let merged = merge(
            content(&["/s/content/a.md", "/s/content/b.md"]),
            content(&["/s/content/b.md", "/s/content/c.md"]),
        );
        assert!(
            matches!(&merged, Change::Content(p) if *p == ["/s/content/a.md", "/s/content/b.md", "/s/content/c.md"].iter().map(PathBuf::from).collect()),
            "{merged:?}"
        );
        assert!(matches!(
            merge(Change::Templates, Change::Templates),
            Change::Templates
        ));
        assert!(matches!(
            merge(Change::Static, Change::Static),
            Change::Static
        ));
        for (a, b) in [
            (content(&["/s/content/a.md"]), Change::Templates),
            (Change::Static, content(&["/s/content/a.md"])),
            (Change::Templates, Change::Static),
            (Change::Everything, Change::Static),
            (content(&["/s/content/a.md"]), Change::Everything),
        ] {
            assert!(matches!(merge(a, b), Change::Everything));
        }
    }

    #[test]
    fn everything_waiting_makes_one_change() {
        let (root, out) = (Path::new("/s"), Path::new("/s/public"));
        let (sender, receiver) = mpsc::channel();
        let write = EventKind::Modify(ModifyKind::Any);
        for n in 1..1000 {
            let path = format!("/s/content/events/e{}.md", n % 300);
            sender.send(files(&[(write, &path)])).expect("send");
        }
        sender
            .send(files(&[(
                EventKind::Access(AccessKind::Any),
                "/s/content/events/x.md",
            )]))
            .expect("send");
        let first = files(&[(write, "/s/content/events/e0.md")]);
        let batch = Batch::drain(first, &receiver, root, out);
        assert!(receiver.try_recv().is_err(), "the channel is drained");
        assert!(matches!(&batch.change, Some(Change::Content(p)) if p.len() == 300));
        assert!(batch.replaced.is_empty() && !batch.rescan && !batch.quit);

        sender
            .send(files(&[(write, "/s/templates/base.html")]))
            .expect("send");
        sender.send(Message::Quit).expect("send");
        let batch = Batch::drain(
            files(&[(write, "/s/content/events/e1.md")]),
            &receiver,
            root,
            out,
        );
        assert!(matches!(batch.change, Some(Change::Everything)));
        assert!(batch.quit);
    }

    #[test]
    fn a_folder_deleted_renamed_or_created_is_watched_again() {
        let (root, out) = (Path::new("/s"), Path::new("/s/public"));
        let (_sender, receiver) = mpsc::channel();
        let batch = Batch::drain(
            files(&[
                (EventKind::Remove(RemoveKind::Folder), "/s/content"),
                (
                    EventKind::Modify(ModifyKind::Name(RenameMode::To)),
                    "/s/static",
                ),
                (
                    EventKind::Create(CreateKind::Folder),
                    "/s/templates/partials",
                ),
                (
                    EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
                    "/s/templates",
                ),
            ]),
            &receiver,
            root,
            out,
        );
        let want: HashSet<PathBuf> = ["/s/content", "/s/static"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(
            batch.replaced, want,
            "a sub-folder's watch is notify's; a chmod keeps it"
        );
        assert!(matches!(batch.change, Some(Change::Everything)));

        let lost = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        let batch = Batch::drain(
            Message::Files(Ok(vec![DebouncedEvent::new(lost, Instant::now())])),
            &receiver,
            root,
            out,
        );
        assert!(batch.rescan && matches!(batch.change, Some(Change::Everything)));
        assert_eq!(batch.replaced.len(), FOLDERS.len());
    }

    fn paths(list: &[&str]) -> Vec<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn content_templates_config_and_noise() {
        let (root, out) = (Path::new("/s"), Path::new("/s/public"));
        assert!(
            matches!(classify(root, out, &paths(&["/s/content/events/a.md"])), Some(Change::Content(p)) if p.len() == 1)
        );
        assert!(matches!(
            classify(root, out, &paths(&["/s/templates/base.html"])),
            Some(Change::Templates)
        ));
        assert!(matches!(
            classify(root, out, &paths(&["/s/static/style.css"])),
            Some(Change::Static)
        ));
        assert!(matches!(
            classify(root, out, &paths(&["/s/site.toml"])),
            Some(Change::Everything)
        ));
        assert!(classify(root, out, &paths(&["/s/public/index.html", "/s/README.md"])).is_none());
        assert!(
            classify(
                root,
                out,
                &paths(&[
                    "/s/content/events/.a.md.swp",
                    "/s/content/events/a.md~",
                    "/s/content/events/4913"
                ])
            )
            .is_none()
        );
        assert!(classify(root, out, &paths(&["/s/content/events/a.md___jb_tmp___"])).is_none());
    }
}
