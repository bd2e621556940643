//! The development server of `gen watch` under stress: where it listens, oversized requests,
//! slow clients, and a thousand live-reload streams at once. Path escapes are tested in
//! `watch.rs`. Every wait is bounded.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::sync::mpsc::Receiver;
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
        let (child, lines) = support::spawn_watch(site, &["--port", "0"]);
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
        let mut stream = self.connect();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("send");
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
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
    // The server closes connections whose headers take longer than 10 s; a stream that has
    // sent its request and is receiving events must not be one of them.
    let site = Site::new();
    let server = Server::start(&site);
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
}
