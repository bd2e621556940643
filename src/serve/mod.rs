//! The development server of `gen watch`: the output folder over HTTP on loopback, with live
//! reload and an error overlay. axum, hyper and tower-http live only here; [`guard`] decides
//! which requests are answered, [`connections`] accepts and caps connections.
//!
//! The site is served under its `base_url` path, so the files are exactly those `gen build`
//! writes; the live-reload script is added to HTML responses on the way out and never written
//! to disk.

mod connections;
mod guard;

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use tokio::sync::broadcast;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::BroadcastStream;
use tower_http::services::ServeDir;

use crate::diagnostics::Diagnostic;
use guard::AllowedHosts;

/// What the browser is told after a rebuild.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// These URL paths changed (or everything, e.g. after a stylesheet change): reload if shown.
    Reload { paths: Vec<String>, all: bool },
    /// The last edit broke the build: show this text over every open page.
    Error(String),
}

/// The endpoint the live-reload script listens on.
pub const LIVE_PATH: &str = "/__gen/live";
const SCRIPT_PATH: &str = "/__gen/live.js";
const SCRIPT: &str = include_str!("../serve_live.js");
/// The most bytes of one HTML page the server will buffer to add the script.
const MAX_INJECT: usize = 64 * 1024 * 1024;

#[derive(Clone)]
struct ServerState {
    events: broadcast::Sender<LiveEvent>,
    /// The error shown now, so pages opened while the build is broken show it too.
    error: Arc<Mutex<Option<String>>>,
    output: PathBuf,
    base_path: String,
}

/// A running server; dropping it does not stop it (the runtime does).
pub struct Server {
    pub address: SocketAddr,
    shared: ServerState,
}

impl Server {
    /// Tells every open page what happened.
    pub fn announce(&self, event: LiveEvent) {
        if let Ok(mut current) = self.shared.error.lock() {
            *current = match &event {
                LiveEvent::Error(text) => Some(text.clone()),
                LiveEvent::Reload { .. } => None,
            };
        }
        // No open page is not an error.
        let _ = self.shared.events.send(event);
    }

    /// True while an error overlay is shown.
    pub fn showing_error(&self) -> bool {
        self.shared.error.lock().is_ok_and(|e| e.is_some())
    }

    /// The address of the site's home page.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.address, self.shared.base_path)
    }
}

/// Binds `bind:port`, or the next free port above it (up to 20 tries), and serves `output`
/// under `base_path` on the given runtime, to requests addressed to localhost, loopback, the
/// bind address or one of `allowed_hosts` (see [`guard`]).
pub fn start(
    runtime: &tokio::runtime::Runtime,
    output: &Path,
    base_path: &str,
    bind: IpAddr,
    port: u16,
    allowed_hosts: &[String],
) -> Result<Server, Diagnostic> {
    let allowed = AllowedHosts::new(bind, allowed_hosts).map_err(|name| {
        Diagnostic::error("", format!("--allowed-host {name:?} is not a host name")).with_hint(
            "give a name such as my-laptop.local, an IP address, or .example.test for a \
                 domain and its subdomains",
        )
    })?;
    let listener = bind_first_free(bind, port)?;
    let address = listener
        .local_addr()
        .map_err(|e| Diagnostic::error("", format!("cannot read the bound address: {e}")))?;
    let (events, _) = broadcast::channel(64);
    let shared = ServerState {
        events,
        error: Arc::new(Mutex::new(None)),
        output: output.to_path_buf(),
        base_path: base_path.to_owned(),
    };
    let app = router(shared.clone()).layer(axum::middleware::from_fn_with_state(
        Arc::new(allowed),
        guard::guard,
    ));
    runtime.spawn(async move {
        match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => connections::serve(listener, app).await,
            Err(e) => eprintln!("error: cannot serve: {e}"),
        }
    });
    Ok(Server { address, shared })
}

fn bind_first_free(bind: IpAddr, port: u16) -> Result<std::net::TcpListener, Diagnostic> {
    let mut last = None;
    for candidate in port..=port.saturating_add(20) {
        match std::net::TcpListener::bind((bind, candidate)) {
            Ok(l) => {
                l.set_nonblocking(true).map_err(|e| {
                    Diagnostic::error("", format!("cannot configure the socket: {e}"))
                })?;
                return Ok(l);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => {
                return Err(Diagnostic::error(
                    "",
                    format!("cannot listen on {bind}:{candidate}: {e}"),
                )
                .with_hint("choose another address with --bind or port with --port"));
            }
        }
    }
    Err(Diagnostic::error(
        "",
        format!(
            "ports {port} to {} on {bind} are all taken ({})",
            port.saturating_add(20),
            last.map(|e| e.to_string()).unwrap_or_default()
        ),
    )
    .with_hint("choose another port with --port"))
}

fn router(shared: ServerState) -> Router {
    let files = ServeDir::new(&shared.output).append_index_html_on_directories(true);
    let site: Router =
        Router::new()
            .fallback_service(files)
            .layer(axum::middleware::from_fn_with_state(
                shared.clone(),
                finish_response,
            ));
    let base = shared.base_path.trim_end_matches('/').to_owned();
    let mut app = Router::new()
        .route(LIVE_PATH, get(live))
        .route(SCRIPT_PATH, get(script));
    app = if base.is_empty() {
        app.fallback_service(site)
    } else {
        let home = format!("{base}/");
        app.route("/", get(move || async move { Redirect::temporary(&home) }))
            .nest_service(&base, site)
    };
    app.with_state(shared)
}

async fn live(
    State(shared): State<ServerState>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let current = shared.error.lock().ok().and_then(|e| e.clone());
    let first = tokio_stream::iter(
        current.map(|text| Ok(Event::default().event("build-error").data(text))),
    );
    let updates = BroadcastStream::new(shared.events.subscribe()).filter_map(|e| {
        let event = match e.ok()? {
            LiveEvent::Reload { paths, all } => Event::default().event("reload").data(format!(
                "{{\"all\":{all},\"paths\":{}}}",
                json_strings(&paths)
            )),
            LiveEvent::Error(text) => Event::default().event("build-error").data(text),
        };
        Some(Ok(event))
    });
    Sse::new(first.chain(updates)).keep_alive(KeepAlive::default())
}

fn json_strings(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_owned())
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        SCRIPT,
    )
}

/// Serves 404.html (with status 404) for misses, and adds the live-reload script to HTML.
async fn finish_response(
    State(shared): State<ServerState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response<Body> {
    let response = next.run(request).await;
    if response.status() == StatusCode::NOT_FOUND {
        let page = tokio::fs::read(shared.output.join("404.html"))
            .await
            .unwrap_or_else(|_| {
                b"<!DOCTYPE html><title>Not found</title><p>Not found</p>".to_vec()
            });
        let mut missing = Response::new(Body::from(inject(&page)));
        *missing.status_mut() = StatusCode::NOT_FOUND;
        missing.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return missing;
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    match to_bytes(body, MAX_INJECT).await {
        Ok(bytes) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            parts
                .headers
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Response::from_parts(parts, Body::from(inject(&bytes)))
        }
        Err(_) => Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .body(Body::from("page too large to serve"))
            .unwrap_or_default(),
    }
}

/// The page with the live-reload script added before `</body>` (or at the end).
pub fn inject(page: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    let text = String::from_utf8_lossy(page);
    match text.rfind("</body>") {
        Some(i) => format!("{}{tag}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_the_body_end() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></body></html>")).unwrap();
        assert_eq!(
            out,
            "<html><body><p>x</p><script src=\"/__gen/live.js\"></script></body></html>"
        );
    }
}
