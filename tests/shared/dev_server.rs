//! A client of the development server of `gen watch`, shared by the server tests
//! (`tests/it/server.rs`) and the server benchmarks (`benches/limits.rs`), each of which
//! includes this file with `#[path]`: start `gen watch` on a site folder, send requests by hand
//! over TCP (oversized, slow, idle, streaming) and read the server's threads and open files.
//! Every wait is bounded.

// Each includer uses its own part of this file.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

pub const PATIENCE: Duration = Duration::from_secs(20);

/// `gen watch` serving a site on a port of the system's choosing.
pub struct Server {
    pub child: Child,
    pub port: u16,
    /// The address it printed, e.g. `http://127.0.0.1:40000/timeline/`.
    pub url: String,
    pub lines: Receiver<String>,
}

impl Server {
    /// `gen watch --port 0` in `root`.
    pub fn start(root: &Path) -> Server {
        Server::start_with(root, &[])
    }

    /// `gen watch --port 0 ARGS` in `root`.
    pub fn start_with(root: &Path, args: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gen"));
        command.args(["watch", "--port", "0"]).args(args);
        Server::spawn(command, root)
    }

    /// `gen watch --port 0` in `root` with its open-files limit (soft and hard) set to
    /// `open_files` from the start, by the shell's `ulimit`.
    pub fn start_limited(root: &Path, open_files: usize) -> Server {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!(
                "ulimit -n {open_files} && exec \"$0\" watch --port 0"
            ))
            .arg(env!("CARGO_BIN_EXE_gen"));
        Server::spawn(command, root)
    }

    /// Starts `command` in `root` and returns once it prints the address it serves.
    fn spawn(command: Command, root: &Path) -> Server {
        let (child, lines) = spawn_lines(command, root);
        Server::serving(child, lines)
    }

    /// Waits for the address a started `gen watch` prints.
    fn serving(child: Child, lines: Receiver<String>) -> Server {
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

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        stream
    }

    /// A plain GET of `path`: the status and the whole response.
    pub fn get(&self, path: &str) -> (u16, String) {
        self.request(path, "Host: 127.0.0.1\r\n")
    }

    /// A GET of `path` with `headers` (lines ending in CRLF) instead of the Host line: the
    /// status and the whole response or, for an event stream, its head.
    pub fn request(&self, path: &str, headers: &str) -> (u16, String) {
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
    pub fn wait_line(&self, text: &str) {
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
    pub fn threads_and_fds(&self) -> (usize, usize) {
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

/// Starts `command` in `root` with colour off; every line it prints, on either stream,
/// arrives on the returned channel.
pub fn spawn_lines(mut command: Command, root: &Path) -> (Child, Receiver<String>) {
    let mut child = command
        .current_dir(root)
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
    (child, lines)
}

/// The status of an HTTP response, or 0 when it is not one.
pub fn status_of(response: &str) -> u16 {
    if !response.starts_with("HTTP/1.") {
        return 0;
    }
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Raises this process's soft limit of open files to at least `want` (children inherit it)
/// with util-linux's `prlimit`; fails the test when the limit stays lower.
pub fn raise_open_files(want: u64) {
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
    let limit = soft();
    assert!(
        limit >= want,
        "the open-files limit is {limit}, too low for this test's {want} (raise it with ulimit -n, or install util-linux's prlimit)"
    );
}

/// Sends a keep-alive GET of `path` on `stream` and reads its whole response (the server
/// sends a Content-Length): the status, or 0 if the connection closed first.
pub fn get_keeping(stream: &mut TcpStream, path: &str) -> u16 {
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
pub fn is_closed(mut stream: &TcpStream) -> bool {
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
pub fn trickling_clients(
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
pub fn idle_connections(server: &Server, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|i| {
            let mut s = server.connect();
            assert_eq!(get_keeping(&mut s, "/timeline/"), 200, "connection {i}");
            s
        })
        .collect()
}

/// The cap of `gen watch` under an open-files limit of 256: the limit less the 128 files it
/// keeps for itself.
pub const LIMITED_FILES: usize = 256;
pub const LIMITED_CAP: usize = 128;
