//! What the client integration tests share: a real emulator (from `PSD_EMULATOR_URL`, or
//! spawned from this crate's binary on a free port and killed at the end), its control API,
//! and a counting TCP proxy to observe connection reuse.

#![allow(dead_code)] // each test binary uses part of this module

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use postsyncer_delegation::{ApiError, Client, RetryPolicy};
use serde_json::Value;

/// A retry policy with short backoffs, so retried tests stay quick; never used for timing.
pub fn quick_retries(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

/// A running emulator and its test credentials.
pub struct Emulator {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub api_key: String,
    pub signing_secret: String,
    /// The spawned process, when this harness started it.
    child: Option<Child>,
}

impl Emulator {
    /// The emulator named by `PSD_EMULATOR_URL`/`PSD_API_KEY`/`PSD_SIGNING_SECRET`, or a
    /// fresh one on a free loopback port.
    pub fn start() -> Emulator {
        if let (Ok(url), Ok(api_key), Ok(signing_secret)) = (
            std::env::var("PSD_EMULATOR_URL"),
            std::env::var("PSD_API_KEY"),
            std::env::var("PSD_SIGNING_SECRET"),
        ) {
            return Emulator {
                url,
                api_key,
                signing_secret,
                child: None,
            };
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_postsyncer-delegate"))
            .args(["emulate", "--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the emulator binary starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut stderr = child.stderr.take().expect("piped stderr");
        let mut announced = |name: &str| {
            let mut line = String::new();
            stdout
                .read_line(&mut line)
                .expect("the emulator prints its credentials");
            match line.trim_end().strip_prefix(&format!("{name}=")) {
                Some(value) => value.to_owned(),
                None => {
                    let mut complaint = String::new();
                    let _ = stderr.read_to_string(&mut complaint);
                    panic!("expected {name}=…, got {line:?}; the emulator said: {complaint}")
                }
            }
        };
        let url = announced("PSD_EMULATOR_URL");
        let api_key = announced("PSD_API_KEY");
        let signing_secret = announced("PSD_SIGNING_SECRET");
        // Keep reading what it prints, so that a full pipe never stalls it.
        thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        Emulator {
            url,
            api_key,
            signing_secret,
            child: Some(child),
        }
    }

    /// The client's base URL for this emulator.
    pub fn api_base(&self) -> String {
        format!("{}/api", self.url)
    }

    /// A client for `api_key` on this emulator with quick retries.
    pub fn client(&self, api_key: &str) -> Client {
        Client::builder(api_key)
            .base_url(self.api_base())
            .retry_policy(quick_retries(2))
            .build()
            .expect("a valid client configuration")
    }

    /// A fresh test API key with these fault switches (a JSON object).
    pub fn key_with_faults(&self, faults: Value) -> String {
        let (status, _, body) = http(
            &self.url,
            "POST",
            "/emulator/api-keys",
            Some(&faults.to_string()),
        );
        assert_eq!(status, 201, "creating a test key: {body}");
        let created: Value = serde_json::from_str(&body).expect("JSON from the control API");
        created["api_key"].as_str().expect("api_key").to_owned()
    }

    /// How many sessions requests the emulator saw with `api_key`.
    pub fn session_requests(&self, api_key: &str) -> u64 {
        let path = format!("/emulator/api-keys/{api_key}/stats");
        let (status, _, body) = http(&self.url, "GET", &path, None);
        assert_eq!(status, 200, "stats of a test key: {body}");
        let stats: Value = serde_json::from_str(&body).expect("JSON from the control API");
        stats["session_requests"]
            .as_u64()
            .expect("session_requests")
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One HTTP/1.1 exchange with `Connection: close`: (status, raw headers, body). Enough for
/// the emulator's control API and its consent redirects, which answer with a known length.
pub fn http(
    base: &str,
    method: &str,
    path_and_query: &str,
    body: Option<&str>,
) -> (u16, String, String) {
    let authority = base
        .strip_prefix("http://")
        .expect("an http:// emulator URL");
    let mut stream = TcpStream::connect(authority).expect("the emulator accepts connections");
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path_and_query} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    (status, head.to_owned(), body.to_owned())
}

/// The value of header `name` in raw `head`.
pub fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// Asserts the API key appears neither in the error's message nor in its `Debug` output.
pub fn assert_key_hidden(error: &ApiError, api_key: &str) {
    assert!(
        !error.message().contains(api_key),
        "key in message: {}",
        error.message()
    );
    assert!(
        !format!("{error:?}").contains(api_key),
        "key in Debug: {error:?}"
    );
    assert!(
        !error.to_string().contains(api_key),
        "key in Display: {error}"
    );
}

/// A loopback TCP proxy to `target` (`http://host:port`) that counts the connections it
/// accepts: the way to see from outside whether the client reuses its connections.
pub struct CountingProxy {
    pub url: String,
    accepted: Arc<AtomicUsize>,
}

impl CountingProxy {
    pub fn start(target: &str) -> CountingProxy {
        let upstream = target
            .strip_prefix("http://")
            .expect("an http:// target")
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        // Lives until the test process ends; each connection costs two short-lived threads.
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                if let Ok(server) = TcpStream::connect(&upstream) {
                    pipe(client, server);
                }
            }
        });
        CountingProxy { url, accepted }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// Copies bytes both ways until either side closes.
fn pipe(client: TcpStream, server: TcpStream) {
    let halves = (client.try_clone(), server.try_clone());
    let (Ok(client_reader), Ok(server_reader)) = halves else {
        return;
    };
    let copy = |mut from: TcpStream, mut to: TcpStream| {
        thread::spawn(move || {
            let _ = std::io::copy(&mut from, &mut to);
            let _ = to.shutdown(Shutdown::Write);
        })
    };
    copy(client_reader, server);
    copy(server_reader, client);
}

/// A port on which nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().expect("bound address").port()
}

/// A loopback server that answers every connection with `head` and then `body_bytes` bytes
/// of filler (sent until the client hangs up): what the emulator cannot be asked to do.
pub fn hostile_server(head: String, body_bytes: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let url = format!("http://{}", listener.local_addr().expect("bound address"));
    thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            let mut request = [0u8; 4096];
            let _ = client.read(&mut request);
            let _ = client.write_all(head.as_bytes());
            let filler = [b'x'; 8192];
            let mut sent = 0;
            while sent < body_bytes && client.write_all(&filler).is_ok() {
                sent += filler.len();
            }
        }
    });
    url
}
