//! Accepting and serving connections: hyper's HTTP/1 server with a header timeout, at most
//! [`connection_cap`] connections at once, and room made for a new client at the cap.
//!
//! Each connection holds a file descriptor. Past the process's open-files limit, `accept`
//! fails and so does every file the server or a rebuild opens; the cap keeps
//! [`RESERVED_FILES`] of them for those. At the cap, a new client is not left waiting behind
//! connections that do nothing: idle keep-alive connections are closed (hyper's graceful
//! shutdown closes a connection between requests at once, and lets one in a request finish
//! it first), and so are connections that have not finished their first request's headers
//! after [`STALLED`]. Live-reload streams are never cut: graceful shutdown only stops their
//! connection from taking another request.

use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{Service as _, service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// How long a client may take to send a request's headers, or stay idle between requests,
/// before its connection is closed. hyper starts this timer when it waits for a request's
/// head, which on a keep-alive connection is as soon as the previous response is sent.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Open files kept out of the cap for the server itself, the file watcher and rebuilds
/// (an idle `gen watch` holds about 15; a rebuild reads and writes a few dozen at a time).
const RESERVED_FILES: usize = 128;
/// The most connections, whatever the limit: a development server has a few browser tabs,
/// each with a live-reload stream and up to six connections for its page's files.
const MAX_CONNECTIONS: usize = 4096;
/// The fewest, should the open-files limit be tiny.
const MIN_CONNECTIONS: usize = 16;
/// The open-files limit assumed where it cannot be read (the usual soft limit).
const DEFAULT_OPEN_FILES: usize = 1024;
/// At the cap, a connection that has not sent a whole request head this long after it was
/// opened is closed (a browser sends its first request at once).
const STALLED: Duration = Duration::from_secs(1);
/// At the cap, how often connections are asked again to make room, and for how long a new
/// client waits for it before its connection is closed: long enough for connections opened
/// just before it to be [`STALLED`].
const ASK_EVERY: Duration = Duration::from_millis(200);
const ROOM_WAIT: Duration = Duration::from_secs(2);

/// Accepts connections and serves each with hyper's HTTP/1 server. This is what
/// `axum::serve` does, plus a timer for [`HEADER_TIMEOUT`] (without one, a client that
/// never finishes its headers keeps its connection forever) and the cap.
pub(crate) async fn serve(listener: TcpListener, app: Router) {
    let slots = Arc::new(Semaphore::new(connection_cap(open_files_limit())));
    // Each change asks every connection to close if it is idle or stalled.
    let (make_room, _) = watch::channel(0u64);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors, or a connection reset before it was accepted: wait a
            // moment (stalled clients time out meanwhile) rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => match room(&slots, &make_room).await {
                Some(slot) => slot,
                // Every connection is busy: this one is closed rather than queued.
                None => continue,
            },
        };
        let connection = Connection {
            peer,
            app: app.clone(),
            make_room: make_room.subscribe(),
            _slot: slot,
        };
        tokio::spawn(connection.run(stream));
    }
}

/// Asks every connection to make room until a slot is free, for at most [`ROOM_WAIT`].
async fn room(
    slots: &Arc<Semaphore>,
    make_room: &watch::Sender<u64>,
) -> Option<OwnedSemaphorePermit> {
    let deadline = Instant::now() + ROOM_WAIT;
    loop {
        make_room.send_modify(|asked| *asked = asked.wrapping_add(1));
        let wait = ASK_EVERY.min(deadline.saturating_duration_since(Instant::now()));
        match tokio::time::timeout(wait, Arc::clone(slots).acquire_owned()).await {
            Ok(slot) => return slot.ok(),
            Err(_) if Instant::now() >= deadline => return None,
            Err(_) => {}
        }
    }
}

/// One accepted connection and its slot, given back when it is dropped.
struct Connection {
    peer: SocketAddr,
    app: Router,
    make_room: watch::Receiver<u64>,
    _slot: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(mut self, stream: TcpStream) {
        let opened = Instant::now();
        let asked = Arc::new(AtomicBool::new(false));
        let service = {
            let (asked, peer) = (Arc::clone(&asked), self.peer);
            let app = TowerToHyperService::new(self.app.clone());
            service_fn(move |mut request: hyper::Request<Incoming>| {
                asked.store(true, Ordering::Relaxed);
                request.extensions_mut().insert(ConnectInfo(peer));
                app.call(request)
            })
        };
        let mut connection = pin!(
            http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
        );
        loop {
            tokio::select! {
                // A failed connection (reset, timed out, malformed) concerns only its client.
                _ = connection.as_mut() => return,
                Ok(()) = self.make_room.changed() => {
                    if !asked.load(Ordering::Relaxed) && opened.elapsed() >= STALLED {
                        return;
                    }
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// The most connections served at once, given the soft limit of open files.
fn connection_cap(open_files: Option<usize>) -> usize {
    open_files
        .unwrap_or(DEFAULT_OPEN_FILES)
        .saturating_sub(RESERVED_FILES)
        .clamp(MIN_CONNECTIONS, MAX_CONNECTIONS)
}

/// This process's soft limit of open files, from `/proc/self/limits` (Linux).
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    match line.split_whitespace().nth(3)? {
        "unlimited" => Some(usize::MAX),
        n => n.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_below_the_open_files_limit() {
        assert_eq!(connection_cap(Some(1024)), 1024 - RESERVED_FILES);
        assert_eq!(connection_cap(Some(256)), 128);
        assert_eq!(connection_cap(Some(20)), MIN_CONNECTIONS);
        assert_eq!(connection_cap(Some(1 << 20)), MAX_CONNECTIONS);
        assert_eq!(connection_cap(Some(usize::MAX)), MAX_CONNECTIONS);
        assert_eq!(connection_cap(None), DEFAULT_OPEN_FILES - RESERVED_FILES);
    }

    #[test]
    fn the_open_files_limit_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(open_files_limit().is_some_and(|n| n > 0));
        }
    }
}
