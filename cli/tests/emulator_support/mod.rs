//! What the emulator's HTTP tests share: the emulator binary spawned on a free loopback port
//! (killed when dropped), and small HTTP helpers over real sockets.

#![allow(dead_code)] // each test binary uses part of this module

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

pub const CLI: &str = env!("CARGO_BIN_EXE_postsyncer-delegate");

/// A spawned emulator and the credentials it printed.
pub struct Emulator {
    pub url: String,
    pub api_key: String,
    pub signing_secret: String,
    child: Child,
    http: reqwest::Client,
}

/// The three `NAME=value` lines the emulator prints first, in order.
fn read_announcement(child: &mut Child) -> [String; 3] {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    ["PSD_EMULATOR_URL=", "PSD_API_KEY=", "PSD_SIGNING_SECRET="].map(|prefix| {
        let line = lines.next().expect("a line").expect("readable stdout");
        line.strip_prefix(prefix)
            .unwrap_or_else(|| panic!("expected {prefix}…, got {line:?}"))
            .to_owned()
    })
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    /// An emulator started with these extra `emulate` arguments.
    pub fn start_with(args: &[&str]) -> Emulator {
        Emulator::start_with_env(args, &[])
    }

    /// An emulator started with these extra `emulate` arguments and environment variables.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Emulator {
        let mut child = Command::new(CLI)
            .args(["emulate", "--addr", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Its human text is for people at a terminal, not for test output.
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator binary starts");
        let [url, api_key, signing_secret] = read_announcement(&mut child);
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Emulator {
            url,
            api_key,
            signing_secret,
            child,
            http,
        }
    }

    /// Stops the emulator with SIGTERM and returns whether it exited successfully.
    pub fn terminate(mut self) -> bool {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        self.child.wait().unwrap().success()
    }

    /// Sends SIGTERM and waits at most `limit` for the emulator to exit: its status and how
    /// long it took, or `None` if it was still running (it is then killed on drop).
    pub fn terminate_within(mut self, limit: Duration) -> Option<(ExitStatus, Duration)> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some((status, started.elapsed()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// `127.0.0.1:PORT`, for raw sockets.
    pub fn socket_addr(&self) -> &str {
        self.url
            .strip_prefix("http://")
            .expect("a plain-HTTP emulator")
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `POST /api/oauth/delegate/sessions` with `key` (none: no Authorization header).
    pub async fn post_session(&self, key: Option<&str>, body: &Value) -> reqwest::Response {
        let mut request = self
            .http
            .post(format!("{}/api/oauth/delegate/sessions", self.url))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send().await.unwrap()
    }

    /// A session for `platform` with the emulator's own key; returns its authorize URL.
    pub async fn authorize_url(&self, platform: &str, callback_url: &str, state: &str) -> String {
        self.authorize_url_with_key(&self.api_key, platform, callback_url, state)
            .await
    }

    pub async fn authorize_url_with_key(
        &self,
        key: &str,
        platform: &str,
        callback_url: &str,
        state: &str,
    ) -> String {
        let body = json!({"platform": platform, "callback_url": callback_url, "state": state});
        let response = self.post_session(Some(key), &body).await;
        assert_eq!(response.status(), StatusCode::OK);
        let session = json_of(response).await;
        session["authorize_url"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).send().await.unwrap()
    }

    /// Decides without a browser: `GET <authorize_url>&decision=…`.
    pub async fn decide(&self, authorize_url: &str, decision: &str) -> reqwest::Response {
        self.get(&format!("{authorize_url}&decision={decision}"))
            .await
    }

    /// The callback URL of an approval (the 303's Location).
    pub async fn approve(&self, authorize_url: &str) -> String {
        let response = self.decide(authorize_url, "approve").await;
        location(&response)
    }

    /// A test key with these fault switches (`POST /emulator/api-keys`).
    pub async fn key_with(&self, faults: Value) -> String {
        let response = self
            .http
            .post(format!("{}/emulator/api-keys", self.url))
            .header(header::CONTENT_TYPE, "application/json")
            .body(faults.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let created = json_of(response).await;
        created["api_key"].as_str().unwrap().to_owned()
    }

    /// `session_requests` of `key`.
    pub async fn session_requests(&self, key: &str) -> u64 {
        let response = self
            .get(&format!("{}/emulator/api-keys/{key}/stats", self.url))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        json_of(response).await["session_requests"]
            .as_u64()
            .unwrap()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn json_of(response: reqwest::Response) -> Value {
    let bytes = response.bytes().await.unwrap();
    serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}

/// The `Location` of a 303.
pub fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned()
}
