//! What the flow tests share: approving a session on the emulator without a browser, a
//! store that records what the flow asks of it, and Redis: the shared server of
//! `PSD_REDIS_URL` (started by scripts/test-rust) or a private `redis-server` a test starts
//! and stops itself.

#![allow(dead_code)] // each test binary uses part of this module

use std::collections::HashMap;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use postsyncer_delegation::{
    Client, Flow, StateStore, StoreError, SyncStateStore, SyncStore, Verifier,
};

use super::client_support::{closed_port, header, http, Emulator};

pub const CALLBACK: &str = "https://app.example/callback";

/// A client for the emulator's own key.
pub fn client(emulator: &Emulator) -> Client {
    emulator.client(&emulator.api_key)
}

/// A verifier for the emulator's signing secret.
pub fn verifier(emulator: &Emulator) -> Verifier {
    Verifier::new([emulator.signing_secret.as_str()]).unwrap()
}

/// A flow on the emulator over `store`.
pub fn flow(emulator: &Emulator, store: Arc<dyn StateStore>) -> Flow {
    Flow::new(client(emulator), verifier(emulator), store)
}

/// Approves `authorize_url` as the emulator's default identity and returns the callback URL
/// the browser would be sent to.
pub fn approve(emulator: &Emulator, authorize_url: &str) -> String {
    decide(emulator, authorize_url, "approve")
}

/// Decides `authorize_url` (`approve` or `deny`) and returns the callback URL.
pub fn decide(emulator: &Emulator, authorize_url: &str, decision: &str) -> String {
    let path = authorize_url.strip_prefix(&emulator.url).unwrap();
    let (status, head, body) = http(
        &emulator.url,
        "GET",
        &format!("{path}&decision={decision}"),
        None,
    );
    assert_eq!(status, 303, "{body}");
    header(&head, "location").expect("a Location header")
}

/// A key prefix no other test uses, so tests can share one Redis.
pub fn unique_prefix(name: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("psd:test:{name}:{}:{nanos}:", std::process::id())
}

/// Whether the tests run under CI, where nothing may be skipped.
fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The shared Redis's URL (`PSD_REDIS_URL`); `None` (the test is skipped, with a note) only
/// outside CI.
pub fn redis_url() -> Option<String> {
    match std::env::var("PSD_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if under_ci() => panic!(
            "PSD_REDIS_URL is not set under CI=true: scripts/test-rust starts redis-server and sets it"
        ),
        _ => {
            eprintln!("skipped: PSD_REDIS_URL is not set (scripts/test-rust sets it)");
            None
        }
    }
}

/// A `redis-server` of this test's own on a free loopback port, killed when dropped.
pub struct PrivateRedis {
    pub url: String,
    port: u16,
    extra: Vec<String>,
    child: Option<Child>,
}

impl PrivateRedis {
    /// Starts one; `None` (skipped, with a note) when `redis-server` is missing, outside CI.
    pub fn start() -> Option<PrivateRedis> {
        PrivateRedis::start_with(&[])
    }

    /// Starts one with these extra `redis-server` arguments.
    pub fn start_with(extra: &[&str]) -> Option<PrivateRedis> {
        let port = closed_port();
        PrivateRedis::spawned(port, extra.iter().map(|a| a.to_string()).collect())
    }

    /// Starts one that speaks TLS only, on its port, with these TLS arguments.
    pub fn start_tls(tls: &[&str]) -> Option<PrivateRedis> {
        let port = closed_port();
        // A later `--port` wins over the one `spawn` gives: the plain port is off.
        let extra = [
            "--port".to_owned(),
            "0".to_owned(),
            "--tls-port".to_owned(),
            port.to_string(),
        ]
        .into_iter()
        .chain(tls.iter().map(|a| a.to_string()))
        .collect();
        PrivateRedis::spawned(port, extra)
    }

    fn spawned(port: u16, extra: Vec<String>) -> Option<PrivateRedis> {
        let mut redis = PrivateRedis {
            url: format!("redis://127.0.0.1:{port}/"),
            port,
            extra,
            child: None,
        };
        redis.spawn().then_some(redis)
    }

    /// Starts the server again on the same port, after [`PrivateRedis::stop`].
    pub fn restart(&mut self) {
        assert!(self.spawn(), "redis-server starts again");
    }

    /// Spawns the server and waits until it listens; false when it cannot be started
    /// outside CI.
    fn spawn(&mut self) -> bool {
        let binary = std::env::var("PSD_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let port = self.port;
        let spawned = Command::new(&binary)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .args(&self.extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) if !under_ci() => {
                eprintln!("skipped: {binary} could not be started ({e})");
                return false;
            }
            Err(e) => panic!("{binary} could not be started under CI=true: {e}"),
        };
        self.child = Some(child);
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not listen on {port} within 10 s"
            );
            thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// Stops the server (SIGKILL: as abrupt as a crash) and waits until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        assert!(TcpStream::connect(("127.0.0.1", self.port)).is_err());
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What a [`RecordingStore`] was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    Put { key: String, ttl_seconds: u64 },
    Take { key: String, found: bool },
}

/// An application store over a map that records every call: what the flow does to a store
/// can be checked from outside.
#[derive(Default)]
pub struct RecordingStore {
    records: Mutex<HashMap<String, String>>,
    calls: Mutex<Vec<Call>>,
}

impl RecordingStore {
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    pub fn len(&self) -> usize {
        self.records.lock().unwrap().len()
    }

    /// The record stored under `key`, left in place.
    pub fn peek(&self, key: &str) -> Option<String> {
        self.records.lock().unwrap().get(key).cloned()
    }

    /// Replaces the record under `key` (a corrupted store).
    pub fn replace(&self, key: &str, record: &str) {
        self.records
            .lock()
            .unwrap()
            .insert(key.to_owned(), record.to_owned());
    }

    /// This store as a flow's store.
    pub fn adapted(self: &Arc<Self>) -> Arc<dyn StateStore> {
        Arc::new(SyncStore::new(Arc::clone(self) as Arc<dyn SyncStateStore>))
    }
}

impl SyncStateStore for RecordingStore {
    fn put(&self, key: String, record: String, ttl_seconds: u64) -> Result<(), StoreError> {
        self.calls.lock().unwrap().push(Call::Put {
            key: key.clone(),
            ttl_seconds,
        });
        let mut records = self.records.lock().unwrap();
        if records.contains_key(&key) {
            return Err(StoreError::new("key in use"));
        }
        records.insert(key, record);
        Ok(())
    }

    fn take(&self, key: String) -> Result<Option<String>, StoreError> {
        let taken = self.records.lock().unwrap().remove(&key);
        self.calls.lock().unwrap().push(Call::Take {
            key,
            found: taken.is_some(),
        });
        Ok(taken)
    }
}
