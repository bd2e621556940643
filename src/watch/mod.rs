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

mod batch;

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{Debouncer, RecommendedCache, new_debouncer};

use crate::config::CONFIG_FILE;
use crate::diagnostics::{BuildFailure, Diagnostic};
use crate::incremental::{RebuildReport, Session};
use crate::pipeline::BuildReport;
use crate::serve::{self, LiveEvent};
use crate::site::{BuildOptions, Site, absolute};

pub use batch::classify;
use batch::{Batch, FOLDERS, Message, describe};

/// How long a burst of file events may last before the rebuild starts.
const DEBOUNCE: Duration = Duration::from_millis(10);

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

/// Runs until Ctrl-C. Returns an error only when watching cannot start at all.
pub fn watch(
    options: &WatchOptions,
    mut say: impl FnMut(WatchMessage<'_>),
) -> Result<(), BuildFailure> {
    let place = Place::of(&options.build)?;
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
    let mut watcher = Watcher::start(&place.root, sender)?;
    let mut session = first_build(&options.build, &mut say);
    let server = if options.serve {
        Some(serve_output(&runtime, options, &place, &mut say)?)
    } else {
        None
    };
    while let Ok(first) = receiver.recv() {
        let batch = Batch::drain(first, &receiver, &place.root, &place.output);
        if batch.quit {
            break;
        }
        for note in batch.notes {
            say(WatchMessage::Note(note));
        }
        // Before the rebuild, which reads all of a replaced folder (the change names it), so
        // what was written in it before its new watch began is not missed.
        watcher.rewatch(&place.root, &batch.replaced);
        let Some(change) = batch.change else {
            continue;
        };
        let cause = if batch.rescan {
            "file events were lost (too many at once); everything was read again".to_owned()
        } else {
            describe(&place.root, &change)
        };
        // Until a first build succeeds there is no session: each change retries it.
        let result = match session.as_mut() {
            Some(s) => s.rebuild(&change).map(Some),
            None => Session::start(&options.build).map(|(s, report)| {
                session = Some(s);
                say(WatchMessage::Built(&report));
                None
            }),
        };
        announce(result, cause, server.as_ref(), &place, &mut say);
    }
    drop(watcher);
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(())
}

/// The first full build, told to the user; `None` when it failed.
fn first_build(options: &BuildOptions, say: &mut impl FnMut(WatchMessage<'_>)) -> Option<Session> {
    match Session::start(options) {
        Ok((session, report)) => {
            say(WatchMessage::Built(&report));
            Some(session)
        }
        Err(failure) => {
            say(WatchMessage::Failed(&failure.diagnostics));
            None
        }
    }
}

/// Where the site is and where its output goes (also when `site.toml` has an error, which
/// the first build reports and a later edit may fix).
struct Place {
    root: PathBuf,
    output: PathBuf,
    /// The path the site is served under.
    base_path: String,
}

impl Place {
    fn of(options: &BuildOptions) -> Result<Place, BuildFailure> {
        match Site::open(options) {
            Ok(site) => Ok(Place {
                output: site.output()?,
                base_path: site.config.base_path.clone(),
                root: site.root,
            }),
            // No site here at all: nothing to watch.
            Err(failure) if !options.root.join(CONFIG_FILE).is_file() => Err(failure),
            Err(_) => {
                let root = absolute(&options.root);
                Ok(Place {
                    output: options
                        .output
                        .clone()
                        .unwrap_or_else(|| root.join("public")),
                    base_path: "/".to_owned(),
                    root,
                })
            }
        }
    }
}

/// The file watcher and the folders it watches.
struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    watched: HashSet<PathBuf>,
}

impl Watcher {
    fn start(root: &Path, sender: mpsc::Sender<Message>) -> Result<Watcher, BuildFailure> {
        let mut debouncer = new_debouncer(DEBOUNCE, None, move |result| {
            let _ = sender.send(Message::Files(result));
        })
        .map_err(|e| Diagnostic::error(root, format!("cannot watch for changes: {e}")))?;
        debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| Diagnostic::error(root, format!("cannot watch: {e}")))?;
        let mut watcher = Watcher {
            debouncer,
            watched: HashSet::new(),
        };
        watcher.rewatch(root, &HashSet::new());
        Ok(watcher)
    }

    /// Watches each of [`FOLDERS`] that exists and is not watched yet, after watching those
    /// in `replaced` afresh. A folder deleted or renamed took its watch with it, and one put
    /// back in its place (`git stash`, a branch switch, an editor) is a new folder no watch
    /// covers; notify itself watches only the sub-folders created inside a watched folder.
    fn rewatch(&mut self, root: &Path, replaced: &HashSet<PathBuf>) {
        for dir in replaced {
            if self.watched.remove(dir) {
                // Fails when notify already dropped the watch with the folder; nothing to undo.
                let _ = self.debouncer.unwatch(dir);
            }
        }
        for name in FOLDERS {
            let dir = root.join(name);
            if dir.is_dir()
                && !self.watched.contains(&dir)
                && self.debouncer.watch(&dir, RecursiveMode::Recursive).is_ok()
            {
                self.watched.insert(dir);
            }
        }
    }
}

/// Serves the output folder (and opens a browser on it when asked).
fn serve_output(
    runtime: &tokio::runtime::Runtime,
    options: &WatchOptions,
    place: &Place,
    say: &mut impl FnMut(WatchMessage<'_>),
) -> Result<serve::Server, BuildFailure> {
    let server = serve::start(
        runtime,
        &place.output,
        &place.base_path,
        options.bind,
        options.port,
        &options.allowed_hosts,
    )?;
    say(WatchMessage::Serving(server.url()));
    if options.open {
        open_browser(&server.url(), say);
    }
    Ok(server)
}

/// Tells the user, and the browsers watching, what a rebuild did.
fn announce(
    result: Result<Option<RebuildReport>, BuildFailure>,
    cause: String,
    server: Option<&serve::Server>,
    place: &Place,
    say: &mut impl FnMut(WatchMessage<'_>),
) {
    let (root, base_path) = (&place.root, &place.base_path);
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
