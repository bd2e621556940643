//! The development server of `gen watch` under stress: where it listens, which hosts and
//! origins it answers, oversized requests, slow clients, idle connections past its cap, and a
//! thousand live-reload streams at once. Path escapes are tested in `watch.rs`. Every wait is
//! bounded.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::support::{self, Site};

const PATIENCE: Duration = Duration::from_secs(20);

/// `gen watch` serving a site on a port of the system's choosing.
struct Server {
    child: Child,
    port: u16,
    /// The address it printed, e.g. `http://127.0.0.1:40000/timeline/`.
    url: String,
    lines: Receiver<String>,
}

impl Server {
    fn start(site: &Site) -> Server {
        Server::start_with(site, &[])
    }

    /// `gen watch --port 0 ARGS`.
    fn start_with(site: &Site, args: &[&str]) -> Server {
        let args: Vec<&str> = ["--port", "0"].iter().chain(args).copied().collect();
        Server::serving(support::spawn_watch(site, &args))
    }

    /// `gen watch` with its open-files limit (soft and hard) set to `open_files` from the
    /// start, by the shell's `ulimit`.
    fn start_limited(site: &Site, open_files: usize) -> Server {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -n {open_files} && exec \"$0\" watch --port 0"
            ))
            .arg(env!("CARGO_BIN_EXE_gen"))
            .current_dir(site.root())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start gen watch");
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().expect("piped");
        let err = child.stderr.take().expect("piped");
        for stream in [Box::new(out) as Box<dyn Read + Send>, Box::new(err)] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        Server::serving((child, lines))
    }

    /// Waits for the address a started `gen watch` prints.
    fn serving((child, lines): (Child, Receiver<String>)) -> Server {
        let mut seen = Vec::new();
        let deadline = Instant::now() + PATIENCE;
        let url = loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("gen watch did not start: {seen:?}"));
            match lines.recv_timeout(left) {
                Ok(line) => match line.strip_prefix("serving ") {
                    Some(url) => break url.to_owned(),
                    None => seen.push(line),
                },
                Err(_) => panic!("gen watch did not start: {seen:?}"),
            }
        };
        let port = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .and_then(|host| host.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .expect("port in the printed address");
        Server {
            child,
            port,
            url,
            lines,
        }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        stream
    }

    /// A plain GET of `path`: the status and the whole response.
    fn get(&self, path: &str) -> (u16, String) {
        self.request(path, "Host: 127.0.0.1\r\n")
    }

    /// A GET of `path` with `headers` (lines ending in CRLF) instead of the Host line: the
    /// status and the whole response or, for an event stream, its head.
    fn request(&self, path: &str, headers: &str) -> (u16, String) {
        let mut stream = self.connect();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n"
        )
        .expect("send");
        let mut response = Vec::new();
        let mut chunk = [0; 4096];
        while let Ok(n @ 1..) = stream.read(&mut chunk) {
            response.extend_from_slice(&chunk[..n]);
            let head = response.windows(4).position(|w| w == b"\r\n\r\n");
            if head.is_some_and(|end| {
                String::from_utf8_lossy(&response[..end]).contains("text/event-stream")
            }) {
                break;
            }
        }
        let response = String::from_utf8_lossy(&response).into_owned();
        (status_of(&response), response)
    }

    /// Waits for a printed line containing `text`.
    fn wait_line(&self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("gen watch never printed {text:?}");
    }

    /// Threads and open file descriptors of the server process.
    fn threads_and_fds(&self) -> (usize, usize) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("process status");
        let threads = status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("thread count");
        let fds = std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .expect("fd list")
            .count();
        (threads, fds)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status_of(response: &str) -> u16 {
    if !response.starts_with("HTTP/1.") {
        return 0;
    }
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Polls `check` until it holds or the patience runs out; returns whether it held.
fn eventually(check: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}

/// The listening TCP sockets on `port` in this network namespace: (local address in
/// /proc/net/tcp* hex form, file).
fn listeners(port: u16) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(table) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in table.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let Some((address, hex_port)) = local.rsplit_once(':') else {
                continue;
            };
            if *state == "0A" && u16::from_str_radix(hex_port, 16) == Ok(port) {
                out.push((address.to_owned(), file));
            }
        }
    }
    out
}

#[test]
fn it_listens_on_loopback_only_by_default() {
    if !std::path::Path::new("/proc/net/tcp").exists() {
        eprintln!("skipped: no /proc/net/tcp to list listening sockets (Linux only)");
        return;
    }
    let site = Site::new();
    let server = Server::start(&site);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "printed {}",
        server.url
    );
    // 127.0.0.1 is 0100007F in the kernel's table; 0.0.0.0 or any IPv6 socket would be
    // reachable from elsewhere.
    let found = listeners(server.port);
    assert_eq!(
        found,
        vec![("0100007F".to_owned(), "/proc/net/tcp")],
        "listening sockets on port {}",
        server.port
    );
    assert_eq!(server.get("/timeline/").0, 200);
}

/// Sends `head` (which may be cut off by the server) and reads whatever comes back: the
/// status, or 0 when the server closed or reset the connection without one.
fn send_oversized(server: &Server, head: &[u8]) -> u16 {
    let mut stream = server.connect();
    // The server may stop reading and close before all of it is sent.
    let _ = stream.write_all(head);
    let mut response = Vec::new();
    match stream.read_to_end(&mut response) {
        Ok(_) => {}
        Err(e) => assert!(
            matches!(
                e.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe | ErrorKind::ConnectionAborted
            ),
            "unexpected error: {e}"
        ),
    }
    status_of(&String::from_utf8_lossy(&response))
}

#[test]
fn oversized_requests_are_refused_and_others_still_served() {
    let site = Site::new();
    let server = Server::start(&site);
    let big = "a".repeat(1024 * 1024);
    let cases = [
        (
            "one 1 MB header",
            format!("GET /timeline/ HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n"),
        ),
        (
            "10,000 headers",
            format!(
                "GET /timeline/ HTTP/1.1\r\nHost: x\r\n{}\r\n",
                (0..10_000)
                    .map(|i| format!("X-H{i}: v\r\n"))
                    .collect::<String>()
            ),
        ),
        (
            "a 1 MB address",
            format!("GET /timeline/{big} HTTP/1.1\r\nHost: x\r\n\r\n"),
        ),
    ];
    for (what, head) in cases {
        let status = send_oversized(&server, head.as_bytes());
        assert!(
            status == 0 || (400..500).contains(&status),
            "{what}: answered {status}"
        );
        eprintln!(
            "server: {what}: {}",
            if status == 0 {
                "connection closed".to_owned()
            } else {
                format!("status {status}")
            }
        );
        assert_eq!(server.get("/timeline/").0, 200, "after {what}");
    }
}

#[test]
fn slow_clients_do_not_hold_up_others_and_are_dropped() {
    let site = Site::new();
    let server = Server::start(&site);
    // Clients that start a request and then trickle its headers, or stall in the middle.
    let mut slow: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET /timeline/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                .expect("send");
            s
        })
        .collect();
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    for round in 0..20 {
        for (i, s) in slow.iter_mut().enumerate() {
            if i % 2 == 0 {
                let _ = s.write_all(b"x");
            }
        }
        let t = Instant::now();
        let (status, _) = server.get("/timeline/");
        slowest = slowest.max(t.elapsed());
        assert_eq!(status, 200, "round {round}");
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "server: 20 requests beside 50 slow clients, slowest {} ms",
        slowest.as_millis()
    );
    assert!(
        slowest < Duration::from_secs(2),
        "a request took {slowest:?} beside slow clients"
    );
    // A client that never finishes its headers is disconnected (hyper answers 408 or
    // closes); all of them within one shared wait.
    let deadline = Instant::now() + PATIENCE;
    let dropped = slow
        .iter_mut()
        .map(|s| {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_default()
                .max(Duration::from_millis(1));
            s.set_read_timeout(Some(left)).expect("timeout");
            let mut rest = Vec::new();
            match s.read_to_end(&mut rest) {
                Ok(_) => true,
                Err(e) => e.kind() == ErrorKind::ConnectionReset,
            }
        })
        .filter(|d| *d)
        .count();
    eprintln!(
        "server: {dropped} of 50 stalled clients disconnected, {:.1} s after they began",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(dropped, 50, "stalled clients keep their connections");
}

/// Raises this process's soft limit of open files to at least `want` (children inherit it)
/// with util-linux's `prlimit`; returns the soft limit in force.
fn raise_open_files(want: u64) -> u64 {
    let soft = || {
        std::fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|l| {
                l.lines()
                    .find(|l| l.starts_with("Max open files"))
                    .and_then(|l| l.split_whitespace().nth(3).map(str::to_owned))
            })
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(u64::MAX)
    };
    if soft() < want {
        let _ = Command::new("prlimit")
            .arg(format!("--pid={}", std::process::id()))
            .arg(format!("--nofile={want}:"))
            .status();
    }
    soft()
}

#[test]
fn a_thousand_live_reload_streams_are_served_and_released() {
    const STREAMS: usize = 1000;
    if !std::path::Path::new("/proc/self/fd").exists() {
        eprintln!("skipped: no /proc to count the server's threads and files (Linux only)");
        return;
    }
    // Each stream costs a descriptor here and one in the server.
    let limit = raise_open_files(STREAMS as u64 + 200);
    if limit < STREAMS as u64 + 200 {
        eprintln!(
            "skipped: the open-files limit is {limit}, too low for {STREAMS} connections (raise it with ulimit -n)"
        );
        return;
    }
    let site = Site::new();
    let server = Server::start(&site);
    // Warm up (a page read starts the file-reading threads), then take the baseline.
    assert_eq!(server.get("/timeline/").0, 200);
    std::thread::sleep(Duration::from_millis(300));
    let (threads_before, fds_before) = server.threads_and_fds();

    let mut streams: Vec<BufReader<TcpStream>> = (0..STREAMS)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(
                b"GET /__gen/live HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
            )
            .expect("send");
            BufReader::new(s)
        })
        .collect();
    // Every stream gets its response head.
    for (i, s) in streams.iter_mut().enumerate() {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if s.read_line(&mut line).unwrap_or(0) == 0 {
                panic!("stream {i} closed before its headers: {head}");
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        assert_eq!(status_of(&head), 200, "stream {i}: {head}");
        assert!(head.contains("content-type: text/event-stream"), "{head}");
    }
    // A page still loads meanwhile.
    let t = Instant::now();
    let (status, page) = server.get("/timeline/events/first/");
    assert_eq!(status, 200);
    assert!(page.contains("First event"));
    let page_time = t.elapsed();
    let (threads_during, fds_during) = server.threads_and_fds();

    // An edit reaches every stream.
    std::fs::write(
        site.path("content/events/first.md"),
        "---\ntitle: Edited for everyone\ndate: 2025-06-14T10:00 Asia/Tehran\nsources: [src-a]\n---\nThe summary.\n",
    )
    .expect("edit");
    server.wait_line("content/events/first.md");
    for (i, s) in streams.iter_mut().enumerate() {
        let mut got = String::new();
        loop {
            let mut line = String::new();
            if s.read_line(&mut line).unwrap_or(0) == 0 {
                panic!("stream {i} closed before the reload: {got}");
            }
            got.push_str(&line);
            if line.starts_with("event: reload") {
                break;
            }
        }
    }

    drop(streams);
    let released = eventually(|| server.threads_and_fds().1 <= fds_before + 2);
    let (threads_after, fds_after) = server.threads_and_fds();
    eprintln!(
        "server: {STREAMS} live-reload streams, each got its headers and the reload; a page meanwhile in {} ms; server threads {threads_before} before, {threads_during} during, {threads_after} after; open files {fds_before} before, {fds_during} during, {fds_after} after",
        page_time.as_millis()
    );
    assert!(fds_during >= fds_before + STREAMS, "the streams were open");
    assert!(
        released,
        "descriptors not released: {fds_before} before, {fds_after} after"
    );
    assert!(
        threads_during <= threads_before + 4 && threads_after <= threads_before + 4,
        "threads grew with the connections: {threads_before} before, {threads_during} during, {threads_after} after"
    );
}

#[test]
fn a_live_reload_stream_outlives_the_header_timeout() {
    // The server closes connections whose headers take longer than 10 s, which includes a
    // keep-alive connection idle that long since its last response; a stream that has sent
    // its request and is receiving events must not be one of them.
    let site = Site::new();
    let server = Server::start(&site);
    let mut idle = server.connect();
    assert_eq!(get_keeping(&mut idle, "/timeline/"), 200);
    let mut stream = server.connect();
    stream
        .write_all(b"GET /__gen/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("send");
    let mut reader = BufReader::new(stream);
    std::thread::sleep(Duration::from_secs(12));
    std::fs::write(
        site.path("content/events/first.md"),
        "---\ntitle: Still listening\ndate: 2025-06-14T10:00 Asia/Tehran\nsources: [src-a]\n---\nThe summary.\n",
    )
    .expect("edit");
    let mut got = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            panic!("the stream was closed: {got}");
        }
        got.push_str(&line);
        if line.starts_with("event: reload") {
            break;
        }
    }
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    assert!(
        eventually(|| is_closed(&idle)),
        "an idle keep-alive connection outlived the header timeout"
    );
}

/// The response headers of a response, lower case, for checks of what a header says.
fn head_lower(response: &str) -> String {
    response
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

#[test]
fn foreign_hosts_are_refused_and_local_and_allowed_names_served() {
    let site = Site::new();
    let server = Server::start_with(&site, &["--allowed-host", "my-laptop.test"]);
    let port = server.port;
    // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1.
    for (path, host) in [
        ("/timeline/", "evil.example".to_owned()),
        ("/timeline/", format!("evil.example:{port}")),
        ("/timeline/no/such/page/", format!("evil.example:{port}")),
        ("/", format!("localhost.evil.example:{port}")),
        ("/timeline/", format!("my-laptop.test.evil.example:{port}")),
    ] {
        let (status, response) = server.request(path, &format!("Host: {host}\r\n"));
        assert_eq!(status, 403, "{host} {path}: {response}");
        assert!(head_lower(&response).contains("content-type: text/plain"));
        let name = host.split(':').next().unwrap_or_default();
        assert!(
            response.contains(&format!("the host {name} is not allowed"))
                && response.contains(&format!("gen watch --allowed-host {name}\n")),
            "{response}"
        );
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_owned(),
        format!("[::1]:{port}"),
        format!("site.localhost:{port}"),
        format!("my-laptop.test:{port}"),
        "MY-LAPTOP.TEST".to_owned(),
    ] {
        let (status, response) = server.request("/timeline/", &format!("Host: {host}\r\n"));
        assert_eq!(status, 200, "{host}: {response}");
        assert!(response.contains("First event"), "{host}");
    }
    // HTTP/1.0 without a Host header, from loopback.
    let mut stream = server.connect();
    stream
        .write_all(b"GET /timeline/ HTTP/1.0\r\n\r\n")
        .expect("send");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert_eq!(status_of(&response), 200, "{response}");
}

#[test]
fn the_live_reload_stream_refuses_other_origins() {
    let site = Site::new();
    let server = Server::start(&site);
    let port = server.port;
    for path in ["/__gen/live", "/__gen/live.js"] {
        for origin in ["http://evil.example", "https://evil.example:8443", "null"] {
            let (status, response) = server.request(
                path,
                &format!("Host: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n"),
            );
            assert_eq!(status, 403, "{path} from {origin}: {response}");
        }
        for origin in [
            format!("Origin: http://127.0.0.1:{port}\r\n"),
            format!("Origin: http://localhost:{port}\r\n"),
            String::new(),
        ] {
            let (status, response) =
                server.request(path, &format!("Host: 127.0.0.1:{port}\r\n{origin}"));
            assert_eq!(status, 200, "{path} {origin}: {response}");
        }
    }
}

#[test]
fn no_response_lets_another_origin_read_it() {
    let site = Site::new();
    let server = Server::start(&site);
    let from = "Host: 127.0.0.1\r\nOrigin: http://evil.example\r\n";
    for (path, headers) in [
        ("/timeline/", from),
        ("/timeline/no/such/page/", from),
        ("/", from),
        ("/__gen/live", from),
        ("/__gen/live", "Host: 127.0.0.1\r\n"),
        ("/__gen/live.js", "Host: 127.0.0.1\r\n"),
        ("/timeline/", "Host: evil.example\r\n"),
    ] {
        let (status, response) = server.request(path, headers);
        assert_ne!(status, 0, "{path}");
        assert!(
            !head_lower(&response).contains("access-control-"),
            "{path}: {response}"
        );
    }
}

/// Sends a keep-alive GET of `path` on `stream` and reads its whole response (the server
/// sends a Content-Length): the status, or 0 if the connection closed first.
fn get_keeping(stream: &mut TcpStream, path: &str) -> u16 {
    if write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
        return 0;
    }
    let mut response = Vec::new();
    let mut chunk = [0; 16 * 1024];
    loop {
        let text = String::from_utf8_lossy(&response);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .to_ascii_lowercase()
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(str::to_owned))
                .and_then(|n| n.trim().parse::<usize>().ok())
                .expect("a Content-Length");
            if response.len() >= end + 4 + length {
                return status_of(&text);
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return 0,
            Ok(n) => response.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Whether the server has closed (or reset) `stream`, without waiting.
fn is_closed(mut stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).expect("nonblocking");
    let closed = match stream.read(&mut [0; 1]) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != ErrorKind::WouldBlock,
    };
    stream.set_nonblocking(false).expect("blocking");
    closed
}

/// Clients that begin a request's headers and then send one byte every `every` until the
/// returned flag is set; joining the thread gives the connections back.
fn trickling_clients(
    server: &Server,
    count: usize,
    every: Duration,
) -> (Arc<AtomicBool>, std::thread::JoinHandle<Vec<TcpStream>>) {
    let mut slow: Vec<TcpStream> = (0..count)
        .map(|_| {
            let mut s = server.connect();
            s.write_all(b"GET /timeline/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                .expect("send");
            s
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let thread = std::thread::spawn(move || {
        let mut last = Instant::now();
        while !stopped.load(Ordering::Relaxed) {
            if last.elapsed() >= every {
                for s in &mut slow {
                    let _ = s.write_all(b"x");
                }
                last = Instant::now();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        slow
    });
    (stop, thread)
}

/// `count` connections that have each made one request and stay open.
fn idle_connections(server: &Server, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|i| {
            let mut s = server.connect();
            assert_eq!(get_keeping(&mut s, "/timeline/"), 200, "connection {i}");
            s
        })
        .collect()
}

#[test]
fn idle_and_slow_clients_do_not_stop_a_request() {
    const IDLE: usize = 500;
    const SLOW: usize = 50;
    // Each connection costs a descriptor here and one in the server; the tests beside this
    // one open more.
    let limit = raise_open_files(4096);
    if limit < IDLE as u64 + SLOW as u64 + 200 {
        eprintln!("skipped: the open-files limit is {limit}, too low (raise it with ulimit -n)");
        return;
    }
    let site = Site::new();
    let server = Server::start(&site);
    let idle = idle_connections(&server, IDLE);
    let (stop, slow) = trickling_clients(&server, SLOW, Duration::from_secs(2));
    // The read timeout of `get` is the hang guard; the time it takes is measured by
    // `measure_request_latency_beside_idle_and_slow_clients`.
    let (status, page) = server.get("/timeline/events/first/");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("First event"));
    stop.store(true, Ordering::Relaxed);
    let slow = slow.join().expect("slow clients");
    assert_eq!((idle.len(), slow.len()), (IDLE, SLOW));
}

/// The cap of `gen watch` under an open-files limit of 256: the limit less the 128 files it
/// keeps for itself.
const LIMITED_FILES: usize = 256;
const LIMITED_CAP: usize = 128;

#[test]
fn connections_past_the_cap_make_room_instead_of_exhausting_open_files() {
    if !std::path::Path::new("/proc/self/fd").exists() {
        eprintln!("skipped: no /proc to count the server's open files (Linux only)");
        return;
    }
    // Room for this test's connections and those of the tests beside it.
    let limit = raise_open_files(4096);
    if limit < 1000 {
        eprintln!("skipped: the open-files limit is {limit}, too low (raise it with ulimit -n)");
        return;
    }
    let site = Site::new();
    let server = Server::start_limited(&site, LIMITED_FILES);
    assert_eq!(server.get("/timeline/").0, 200);
    std::thread::sleep(Duration::from_millis(300));
    let (_, fds_before) = server.threads_and_fds();
    let mut most = fds_before;
    // A live-reload stream, which making room must not cut.
    let mut live = BufReader::new(server.connect());
    live.get_mut()
        .write_all(b"GET /__gen/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("send");
    let mut line = String::new();
    while line != "\r\n" {
        line.clear();
        assert!(live.read_line(&mut line).unwrap_or(0) > 0, "stream closed");
    }
    // Stalled clients fill the cap; more wait in the listen queue.
    let (stop, slow) = trickling_clients(&server, LIMITED_CAP + 20, Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(500));
    most = most.max(server.threads_and_fds().1);
    // Twice the cap of clients that each make a request and stay open: without the cap, the
    // server would run out of descriptors halfway and stop accepting.
    let mut kept = Vec::new();
    for i in 0..2 * LIMITED_CAP {
        let mut s = server.connect();
        assert_eq!(get_keeping(&mut s, "/timeline/"), 200, "client {i}");
        kept.push(s);
        if i % 16 == 0 {
            most = most.max(server.threads_and_fds().1);
        }
    }
    // A page is still read from disk and served.
    let (status, page) = server.get("/timeline/events/first/");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("First event"));
    stop.store(true, Ordering::Relaxed);
    let slow = slow.join().expect("slow clients");
    let closed = || kept.iter().chain(&slow).filter(|s| is_closed(s)).count();
    let total = kept.len() + slow.len();
    let within_cap = eventually(|| total - closed() <= LIMITED_CAP + 1);
    eprintln!(
        "server: open-files limit {LIMITED_FILES}, cap {LIMITED_CAP}: {} stalled clients, then {} clients that each made a request and stayed open, all served; open files {fds_before} before, at most {most} meanwhile; {} of {total} closed by the server",
        slow.len(),
        kept.len(),
        closed()
    );
    assert!(
        within_cap,
        "more than {LIMITED_CAP} connections stayed open"
    );
    // Each connection is one descriptor, and a response may hold a file open.
    assert!(
        most <= fds_before + LIMITED_CAP + 3,
        "the server held {most} files, {fds_before} before and a cap of {LIMITED_CAP}"
    );
    std::fs::write(
        site.path("content/events/first.md"),
        "---\ntitle: Still streaming\ndate: 2025-06-14T10:00 Asia/Tehran\nsources: [src-a]\n---\nThe summary.\n",
    )
    .expect("edit");
    while !line.starts_with("event: reload") {
        line.clear();
        assert!(
            live.read_line(&mut line).unwrap_or(0) > 0,
            "the stream was cut"
        );
    }
}

/// Milliseconds of `samples`, sorted: (median, slowest).
fn median_and_slowest(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1]),
    )
}

/// Not a check but a measurement: `cargo test --test it measure_request_latency -- --ignored
/// --nocapture`.
#[test]
#[ignore = "a measurement; run it with --ignored --nocapture"]
fn measure_request_latency_beside_idle_and_slow_clients() {
    const RUNS: usize = 21;
    raise_open_files(4096);
    let site = Site::new();
    let server = Server::start(&site);
    // Each request after a pause, as a person's would be, and alike in every series.
    let time_get = || {
        std::thread::sleep(Duration::from_millis(100));
        let t = Instant::now();
        assert_eq!(server.get("/timeline/events/first/").0, 200);
        t.elapsed()
    };
    let alone: Vec<Duration> = (0..RUNS).map(|_| time_get()).collect();
    let idle = idle_connections(&server, 500);
    let (stop, slow) = trickling_clients(&server, 50, Duration::from_secs(2));
    let beside: Vec<Duration> = (0..RUNS).map(|_| time_get()).collect();
    stop.store(true, Ordering::Relaxed);
    drop((idle, slow.join()));
    let (a, a_max) = median_and_slowest(alone);
    let (b, b_max) = median_and_slowest(beside);
    eprintln!("server: a GET alone: median {a:.2} ms, slowest {a_max:.2} ms ({RUNS} runs)");
    eprintln!(
        "server: a GET beside 500 idle keep-alive and 50 slow-header clients: median {b:.2} ms, slowest {b_max:.2} ms ({RUNS} runs)"
    );

    // At the cap: every slot held by an idle keep-alive connection, then one more client.
    let limited = Server::start_limited(&site, LIMITED_FILES);
    let at_cap: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let idle = idle_connections(&limited, LIMITED_CAP);
            std::thread::sleep(Duration::from_millis(100));
            let t = Instant::now();
            assert_eq!(limited.get("/timeline/events/first/").0, 200);
            let took = t.elapsed();
            drop(idle);
            took
        })
        .collect();
    let (c, c_max) = median_and_slowest(at_cap);
    eprintln!(
        "server: a GET with all {LIMITED_CAP} slots held by idle keep-alive connections: median {c:.2} ms, slowest {c_max:.2} ms ({RUNS} runs)"
    );
}
