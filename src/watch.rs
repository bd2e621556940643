//! `gen watch`: build once, then rebuild on every change to `content/`, `templates/`,
//! `static/` and `site.toml`, incrementally (see [`Session`]); serve the output with live
//! reload unless told not to. notify lives only here.
//!
//! Editors save in many ways (in place, or to a temporary file renamed over the original);
//! the debouncer merges the events of one save, editor temporary files are ignored, and the
//! content folder is listed again on each rebuild, so every way of saving is seen.
//!
//! Storms (a branch switch, `git stash`, an editor refreshing a folder) are taken whole: the
//! events that pile up while a rebuild runs make one rebuild after it, and a folder deleted,
//! renamed or put back is watched again and read in full.

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use notify_debouncer_full::notify::event::{MetadataKind, ModifyKind};
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache, new_debouncer,
};

use crate::config::CONFIG_FILE;
use crate::content::is_ignored;
use crate::diagnostics::Diagnostic;
use crate::pipeline::{BuildFailure, BuildOptions, BuildReport, load_config, output_dir};
use crate::serve::{self, LiveEvent};
use crate::session::{Change, RebuildReport, Session};

/// How long a burst of file events may last before the rebuild starts.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// The folders watched recursively. The root itself is watched alone (not recursively), so a
/// `site.toml` replaced by a rename is seen, and so is each of these folders being created,
/// deleted, renamed or put back.
const FOLDERS: [&str; 3] = ["content", "templates", "static"];

/// What `gen watch` is asked to do.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub build: BuildOptions,
    /// Serve the output over HTTP (`--no-serve` turns this off).
    pub serve: bool,
    pub bind: IpAddr,
    pub port: u16,
    /// Host names the server answers for besides localhost, loopback and `bind`
    /// (`--allowed-host`).
    pub allowed_hosts: Vec<String>,
    /// Open the site in a browser once served.
    pub open: bool,
}

/// What happened, for the command line to print.
#[derive(Debug)]
pub enum WatchMessage<'a> {
    Built(&'a BuildReport),
    Serving(String),
    Rebuilt {
        cause: String,
        report: &'a RebuildReport,
    },
    Failed(&'a [Diagnostic]),
    Note(String),
}

enum Message {
    Files(DebounceEventResult),
    Quit,
}

/// The messages waiting in the channel, taken together.
#[derive(Default)]
struct Batch {
    /// What they call for, merged: one rebuild for all of them.
    change: Option<Change>,
    /// Watched folders an event named itself (created, deleted, renamed): their watch may be
    /// gone, or may watch a folder that is no longer there.
    replaced: HashSet<PathBuf>,
    /// The kernel dropped events (its queue overflowed): what changed is unknown.
    rescan: bool,
    notes: Vec<String>,
    quit: bool,
}

impl Batch {
    /// `first` and every message already waiting behind it. Events that came in while a
    /// rebuild ran would otherwise each make a rebuild of their own, one after another.
    fn drain(first: Message, receiver: &Receiver<Message>, root: &Path, output: &Path) -> Batch {
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

/// Runs until Ctrl-C. Returns an error only when watching cannot start at all.
pub fn watch(
    options: &WatchOptions,
    mut say: impl FnMut(WatchMessage<'_>),
) -> Result<(), BuildFailure> {
    let build = options.build.resolved();
    let root = build.root.clone();
    if !root.join(CONFIG_FILE).is_file() {
        return Err(load_config(&build)
            .err()
            .unwrap_or_else(|| Diagnostic::error(&root, "not a gen site").into()));
    }
    let (output, base_path) = match load_config(&build) {
        Ok(config) => (output_dir(&build, &config)?, config.base_path),
        Err(_) => (
            build.output.clone().unwrap_or_else(|| root.join("public")),
            "/".to_owned(),
        ),
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::error("", format!("cannot start the runtime: {e}")))?;
    let (sender, receiver) = mpsc::channel::<Message>();
    let quit = sender.clone();
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = quit.send(Message::Quit);
        }
    });

    // Watch before the first build, so an edit made while it runs is not missed.
    let files = sender.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result| {
        let _ = files.send(Message::Files(result));
    })
    .map_err(|e| Diagnostic::error(&root, format!("cannot watch for changes: {e}")))?;
    debouncer
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| Diagnostic::error(&root, format!("cannot watch: {e}")))?;
    let mut watched = HashSet::new();
    watch_folders(&root, &mut watched, &HashSet::new(), &mut debouncer);

    let mut session = match Session::start(&build) {
        Ok((session, report)) => {
            say(WatchMessage::Built(&report));
            Some(session)
        }
        Err(failure) => {
            say(WatchMessage::Failed(&failure.diagnostics));
            None
        }
    };
    let server = if options.serve {
        let server = serve::start(
            &runtime,
            &output,
            &base_path,
            options.bind,
            options.port,
            &options.allowed_hosts,
        )
        .map_err(BuildFailure::from)?;
        say(WatchMessage::Serving(server.url()));
        if options.open {
            open_browser(&server.url(), &mut say);
        }
        Some(server)
    } else {
        None
    };

    while let Ok(first) = receiver.recv() {
        let batch = Batch::drain(first, &receiver, &root, &output);
        if batch.quit {
            break;
        }
        for note in batch.notes {
            say(WatchMessage::Note(note));
        }
        // Before the rebuild, which reads all of a replaced folder (the change names it), so
        // what was written in it before its new watch began is not missed.
        watch_folders(&root, &mut watched, &batch.replaced, &mut debouncer);
        let Some(change) = batch.change else {
            continue;
        };
        let cause = if batch.rescan {
            "file events were lost (too many at once); everything was read again".to_owned()
        } else {
            describe(&root, &change)
        };
        // Until a first build succeeds there is no session: each change retries it.
        let result = match session.as_mut() {
            Some(s) => s.rebuild(&change).map(Some),
            None => Session::start(&build).map(|(s, report)| {
                session = Some(s);
                say(WatchMessage::Built(&report));
                None
            }),
        };
        announce(result, cause, server.as_ref(), &root, &base_path, &mut say);
    }
    drop(debouncer);
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(())
}

/// Tells the user, and the browsers watching, what a rebuild did.
fn announce(
    result: Result<Option<RebuildReport>, BuildFailure>,
    cause: String,
    server: Option<&serve::Server>,
    root: &Path,
    base_path: &str,
    say: &mut impl FnMut(WatchMessage<'_>),
) {
    match result {
        Ok(None) => {
            if let Some(server) = server {
                server.announce(LiveEvent::Reload {
                    paths: Vec::new(),
                    all: true,
                });
            }
        }
        Ok(Some(report)) => {
            say(WatchMessage::Rebuilt {
                cause,
                report: &report,
            });
            let visible = !report.written.is_empty() || !report.removed.is_empty();
            if let Some(server) = server.filter(|s| visible || s.showing_error()) {
                let changed: Vec<&String> = report.written.iter().chain(&report.removed).collect();
                let all = changed.iter().any(|p| {
                    !p.ends_with(".html") && !p.ends_with(".xml") && !p.ends_with(".json")
                });
                let paths = changed
                    .iter()
                    .map(|p| format!("{base_path}{}", p.trim_end_matches("index.html")))
                    .collect();
                server.announce(LiveEvent::Reload { paths, all });
            }
        }
        Err(failure) => {
            say(WatchMessage::Failed(&failure.diagnostics));
            if let Some(server) = server {
                let text: Vec<String> = failure
                    .diagnostics
                    .iter()
                    .map(|d| d.render(root, false))
                    .collect();
                server.announce(LiveEvent::Error(text.join("\n")));
            }
        }
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

/// Watches each of [`FOLDERS`] that exists and is not in `watched`, after watching those in
/// `replaced` afresh. A folder deleted or renamed took its watch with it, and one put back in
/// its place (`git stash`, a branch switch, an editor) is a new folder no watch covers; notify
/// itself watches only the sub-folders created inside a watched folder.
fn watch_folders(
    root: &Path,
    watched: &mut HashSet<PathBuf>,
    replaced: &HashSet<PathBuf>,
    debouncer: &mut Debouncer<RecommendedWatcher, RecommendedCache>,
) {
    for dir in replaced {
        if watched.remove(dir) {
            // Fails when notify already dropped the watch with the folder; nothing to undo.
            let _ = debouncer.unwatch(dir);
        }
    }
    for name in FOLDERS {
        let dir = root.join(name);
        if dir.is_dir()
            && !watched.contains(&dir)
            && debouncer.watch(&dir, RecursiveMode::Recursive).is_ok()
        {
            watched.insert(dir);
        }
    }
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

fn describe(root: &Path, change: &Change) -> String {
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

/// Opens `url` in the user's browser (`$BROWSER`, else the system's way: `xdg-open`, `open`,
/// the Windows shell, or Windows' browser from WSL); says so when it cannot.
fn open_browser(url: &str, say: &mut impl FnMut(WatchMessage<'_>)) {
    if let Err(e) = opener::open_browser(url) {
        let reason = match std::error::Error::source(&e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        };
        say(WatchMessage::Note(format!(
            "could not open a browser ({reason}); open {url} yourself"
        )));
    }
}

#[cfg(test)]
mod tests {
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
