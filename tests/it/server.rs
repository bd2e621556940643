//! The development server of `gen watch` under stress: where it listens, which hosts and
//! origins it answers, oversized requests, slow clients, idle connections past its cap, and a
//! thousand live-reload streams at once. Path escapes are tested in `watch.rs`. Every wait is
//! bounded.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::dev_server::{
    LIMITED_CAP, LIMITED_FILES, PATIENCE, Server, get_keeping, idle_connections, is_closed,
    raise_open_files, status_of, trickling_clients,
};
use crate::support::Site;

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

/// The server's threads and open files once they have stopped changing: the same in five
/// readings in a row, 50 ms apart (within the patience).
fn settled(server: &Server) -> (usize, usize) {
    let deadline = Instant::now() + PATIENCE;
    let mut last = server.threads_and_fds();
    let mut same = 0;
    while same < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        let now = server.threads_and_fds();
        same = if now == last { same + 1 } else { 0 };
        last = now;
    }
    last
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
#[cfg_attr(not(target_os = "linux"), ignore = "reads Linux's /proc")]
fn it_listens_on_loopback_only_by_default() {
    needs_proc("/proc/net/tcp");
    let site = Site::new();
    let server = Server::start(site.root());
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
    let server = Server::start(site.root());
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
    let server = Server::start(site.root());
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
    // Each request is bounded by the read timeout of `get`; how long one takes beside slow
    // clients is measured by `cargo bench --bench limits`.
    for round in 0..20 {
        for (i, s) in slow.iter_mut().enumerate() {
            if i % 2 == 0 {
                let _ = s.write_all(b"x");
            }
        }
        let (status, _) = server.get("/timeline/");
        assert_eq!(status, 200, "round {round}");
    }
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

/// Fails the test, saying why, when `path` of Linux's /proc is missing (the tests that
/// call it are ignored on other systems).
fn needs_proc(path: &str) {
    assert!(
        std::path::Path::new(path).exists(),
        "this test reads {path}, which only Linux has"
    );
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "reads Linux's /proc")]
fn a_thousand_live_reload_streams_are_served_and_released() {
    const STREAMS: usize = 1000;
    needs_proc("/proc/self/fd");
    // Each stream costs a descriptor here and one in the server.
    raise_open_files(STREAMS as u64 + 200);
    let site = Site::new();
    let server = Server::start(site.root());
    // Warm up (a page read starts the file-reading threads), then take the baseline.
    assert_eq!(server.get("/timeline/").0, 200);
    let (threads_before, fds_before) = settled(&server);

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
    // A page still loads meanwhile (how long it takes: `cargo bench --bench limits`).
    let (status, page) = server.get("/timeline/events/first/");
    assert_eq!(status, 200);
    assert!(page.contains("First event"));
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
        "server: {STREAMS} live-reload streams, each got its headers and the reload, a page was served meanwhile; server threads {threads_before} before, {threads_during} during, {threads_after} after; open files {fds_before} before, {fds_during} during, {fds_after} after"
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
    let server = Server::start(site.root());
    let mut idle = server.connect();
    assert_eq!(get_keeping(&mut idle, "/timeline/"), 200);
    let mut stream = server.connect();
    stream
        .write_all(b"GET /__gen/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("send");
    let mut reader = BufReader::new(stream);
    // The idle connection is closed once the header timeout has passed.
    assert!(
        eventually(|| is_closed(&idle)),
        "an idle keep-alive connection outlived the header timeout"
    );
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
    let server = Server::start_with(site.root(), &["--allowed-host", "my-laptop.test"]);
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
    let server = Server::start(site.root());
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
    let server = Server::start(site.root());
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

#[test]
fn idle_and_slow_clients_do_not_stop_a_request() {
    const IDLE: usize = 500;
    const SLOW: usize = 50;
    // Each connection costs a descriptor here and one in the server; the tests beside this
    // one open more.
    raise_open_files(4096);
    let site = Site::new();
    let server = Server::start(site.root());
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

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "reads Linux's /proc")]
fn connections_past_the_cap_make_room_instead_of_exhausting_open_files() {
    needs_proc("/proc/self/fd");
    // Room for this test's connections and those of the tests beside it.
    raise_open_files(4096);
    let site = Site::new();
    let server = Server::start_limited(site.root(), LIMITED_FILES);
    assert_eq!(server.get("/timeline/").0, 200);
    let (_, fds_before) = settled(&server);
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
    most = most.max(settled(&server).1);
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
