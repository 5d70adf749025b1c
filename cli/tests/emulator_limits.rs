//! What a client can cost the emulator, over real sockets: a client that stalls in its
//! headers is disconnected, no client keeps SIGTERM from stopping it, the API key is checked
//! before the body is read, bodies and callback URLs are bounded, the store of pending
//! sessions is bounded; and its test credentials can come from the environment or files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly
mod emulator_support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use emulator_support::{json_of, Emulator, CLI};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Far longer than any bound under test, so that a hang fails instead of blocking the run.
const PATIENCE: Duration = Duration::from_secs(20);

fn connect(emulator: &Emulator) -> TcpStream {
    let stream = TcpStream::connect(emulator.socket_addr()).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads until the server closes the connection; how long that took, and what it sent.
fn read_until_closed(stream: &mut TcpStream) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return (started.elapsed(), received),
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                return (started.elapsed(), received)
            }
            // A signal (another test's child exiting) interrupted the wait: wait on.
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => panic!("the connection is still open after {PATIENCE:?}: {e}"),
        }
    }
}

/// One HTTP/1.1 response: its status and its body (by Content-Length).
fn read_response(stream: &mut TcpStream) -> (u16, Value) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&received).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().unwrap())
                })
                .expect("a Content-Length");
            if body.len() >= length {
                let status = head.split(' ').nth(1).unwrap().parse().unwrap();
                return (status, serde_json::from_str(&body[..length]).unwrap());
            }
        }
        let n = match stream.read(&mut buffer) {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            read => read.expect("an answer in time"),
        };
        assert!(n > 0, "closed without a full answer: {text:?}");
        received.extend_from_slice(&buffer[..n]);
    }
}

#[test]
fn a_client_that_stalls_in_its_headers_is_disconnected() {
    let emulator = Emulator::start_with(&["--header-read-timeout", "1"]);
    let mut stalled = connect(&emulator);
    stalled.write_all(b"POST /api/oauth/del").unwrap();
    let (after, _) = read_until_closed(&mut stalled);
    assert!(
        after < Duration::from_secs(5),
        "disconnected only after {after:?}"
    );
    // A client that never sends a byte is dropped too.
    let mut silent = connect(&emulator);
    let (after, received) = read_until_closed(&mut silent);
    assert!(after < Duration::from_secs(5) && received.is_empty());

    // Timely clients are served as before.
    let mut timely = connect(&emulator);
    timely
        .write_all(b"GET /api/nothing HTTP/1.1\r\nHost: emulator\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut timely).0, 404);
}

#[test]
fn sigterm_stops_within_the_grace_period_whatever_clients_are_connected() {
    // Headers may take a minute here, so only the grace period (default 5 s) can end them.
    let emulator = Emulator::start_with(&["--header-read-timeout", "60"]);
    let mut half_request_line = connect(&emulator);
    half_request_line.write_all(b"POST /api/oauth/del").unwrap();
    let mut half_body = connect(&emulator);
    let head = format!(
        "POST /api/oauth/delegate/sessions HTTP/1.1\r\nHost: emulator\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"platform\"",
        emulator.api_key
    );
    half_body.write_all(head.as_bytes()).unwrap();
    let mut idle = connect(&emulator);
    idle.write_all(b"GET /api/nothing HTTP/1.1\r\nHost: emulator\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut idle).0, 404);
    let _fresh = connect(&emulator);
    // Let the server take every connection before it is told to stop.
    std::thread::sleep(Duration::from_millis(300));

    let (status, took) = emulator
        .terminate_within(PATIENCE)
        .expect("the emulator exits after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(9), "took {took:?}");
    // Every connection was closed by the server.
    for stream in [&mut half_request_line, &mut half_body, &mut idle] {
        let _ = read_until_closed(stream);
    }
}

/// The head of a sessions request announcing a 2 MiB body.
fn large_post_head(authorization: Option<&str>) -> String {
    let authorization = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    format!(
        "POST /api/oauth/delegate/sessions HTTP/1.1\r\nHost: emulator\r\n{authorization}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        2 * 1024 * 1024
    )
}

#[test]
fn the_api_key_is_checked_before_the_body_is_read() {
    let emulator = Emulator::start();
    for authorization in [None, Some("Bearer ps_test_api_key_0002"), Some("Basic x")] {
        let mut client = connect(&emulator);
        client
            .write_all(large_post_head(authorization).as_bytes())
            .unwrap();
        // The server may have answered and closed already: a failed write is no failure.
        let _ = client.write_all(&[b' '; 1024]);
        // The answer comes while 2 MiB minus 1 KiB of the body are still unsent.
        let (status, body) = read_response(&mut client);
        assert_eq!(status, 401, "{authorization:?}");
        assert_eq!(body, json!({"message": "Unauthenticated."}));
    }
}

#[tokio::test]
async fn a_body_over_16_kib_answers_413_and_is_counted() {
    let emulator = Emulator::start();
    let key = format!("Bearer {}", emulator.api_key);
    let too_large = json!({"message": "The request body must not be larger than 16384 bytes."});

    // Announced too large: refused before the body.
    let mut announced = connect(&emulator);
    announced
        .write_all(large_post_head(Some(&key)).as_bytes())
        .unwrap();
    assert_eq!(read_response(&mut announced), (413, too_large.clone()));

    // Chunked, so only reading tells: refused once 16 KiB are exceeded.
    let mut chunked = connect(&emulator);
    let head = format!(
        "POST /api/oauth/delegate/sessions HTTP/1.1\r\nHost: emulator\r\n\
         Authorization: {key}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        20 * 1024
    );
    chunked.write_all(head.as_bytes()).unwrap();
    // The server answers once past 16 KiB, and may close before the rest is written.
    let _ = chunked.write_all(&[b' '; 20 * 1024]);
    let _ = chunked.write_all(b"\r\n");
    assert_eq!(read_response(&mut chunked), (413, too_large));

    let fault_key = emulator.key_with(json!({})).await;
    let mut counted = connect(&emulator);
    counted
        .write_all(large_post_head(Some(&format!("Bearer {fault_key}"))).as_bytes())
        .unwrap();
    assert_eq!(read_response(&mut counted).0, 413);
    assert_eq!(emulator.session_requests(&fault_key).await, 1);
}

fn session_body(callback_url: &str) -> Value {
    json!({"platform": "tiktok", "callback_url": callback_url, "state": "a1b2c3d4"})
}

#[tokio::test]
async fn a_callback_url_over_2048_characters_is_a_validation_error() {
    let emulator = Emulator::start();
    let key = Some(emulator.api_key.as_str());
    let prefix = "https://app.example/cb?pad=";
    let longest = format!("{prefix}{}", "a".repeat(2048 - prefix.len()));
    let response = emulator.post_session(key, &session_body(&longest)).await;
    assert_eq!(response.status(), StatusCode::OK);

    let message = "The callback url field must not be greater than 2048 characters.";
    for too_long in [
        format!("{longest}a"),
        format!("{prefix}{}", "a".repeat(15_000)),
    ] {
        let response = emulator.post_session(key, &session_body(&too_long)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let answer = json_of(response).await;
        assert_eq!(answer["errors"], json!({"callback_url": [message]}));
        assert_eq!(answer["message"], message);
    }
    // Measured as stored: a non-ASCII URL is longer once percent-encoded.
    let encoded = format!("{prefix}{}", "é".repeat(700)); // 6 bytes each once encoded
    let response = emulator.post_session(key, &session_body(&encoded)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_store_of_pending_sessions_is_bounded() {
    let emulator = Emulator::start_with(&["--max-pending-sessions", "3"]);
    let cb = "https://app.example/cb";
    let tester = format!("{}/tester/callback", emulator.url);
    let mut urls = Vec::new();
    for state in ["s1", "s2", "s3", "s4", "s5"] {
        urls.push(emulator.authorize_url("tiktok", cb, state).await);
    }
    // The oldest two were forgotten; the three newest work.
    for (n, url) in urls.iter().enumerate() {
        let expected = if n < 2 {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(emulator.get(url).await.status(), expected, "session {n}");
    }

    // The tester's callbacks are bounded the same way.
    let mut reports = Vec::new();
    for state in ["t1", "t2", "t3", "t4"] {
        let url = emulator.authorize_url("tiktok", &tester, state).await;
        reports.push(emulator.approve(&url).await);
    }
    let wants_json = |url: &str| {
        emulator
            .http()
            .get(url)
            .header("Accept", "application/json")
            .send()
    };
    assert_eq!(
        wants_json(&reports[0]).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    for report in &reports[1..] {
        let answer = json_of(wants_json(report).await.unwrap()).await;
        assert_eq!(answer["verified"], true, "{answer}");
    }
}

fn emulate(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(CLI)
        .args(["emulate", "--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("PSD_T_UNSET")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// `verify` of a callback with `secret`, as an app would run it.
fn verifies_with(secret: &str, state: &str, callback: &str) -> bool {
    Command::new(CLI)
        .args([
            "verify",
            "--secret-env",
            "PSD_TEST_SECRET",
            "--state",
            state,
        ])
        .arg(callback)
        .env("PSD_TEST_SECRET", secret)
        .output()
        .unwrap()
        .status
        .success()
}

#[tokio::test]
async fn credentials_can_come_from_the_environment_or_a_file() {
    let dir = std::env::temp_dir().join(format!("psd-emulator-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("api-key");
    let secret_file = dir.join("signing-secret");
    std::fs::write(&key_file, "ps_test_key_from_file\n").unwrap();
    std::fs::write(&secret_file, "signing secret from a file\r\n").unwrap();
    let key_path = key_file.to_str().unwrap();
    let secret_path = secret_file.to_str().unwrap();

    let env_key = "ps_test_key_from_env";
    let env_secret = "signing secret from the environment";
    let cases = [
        (
            vec![
                "--api-key-env",
                "PSD_T_KEY",
                "--signing-secret-file",
                secret_path,
            ],
            env_key,
            "signing secret from a file",
        ),
        (
            vec![
                "--api-key-file",
                key_path,
                "--signing-secret-env",
                "PSD_T_SECRET",
            ],
            "ps_test_key_from_file",
            env_secret,
        ),
    ];
    for (args, key, secret) in cases {
        let emulator = Emulator::start_with_env(
            &args,
            &[("PSD_T_KEY", env_key), ("PSD_T_SECRET", env_secret)],
        );
        assert_eq!(
            (emulator.api_key.as_str(), emulator.signing_secret.as_str()),
            (key, secret)
        );
        let default_key = Some("ps_test_api_key_0001");
        let refused = emulator
            .post_session(default_key, &session_body("https://app.example/cb"))
            .await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{args:?}");
        let url = emulator
            .authorize_url_with_key(key, "tiktok", "https://app.example/cb", "a1b2c3d4")
            .await;
        let callback = emulator.approve(&url).await;
        assert!(verifies_with(secret, "a1b2c3d4", &callback), "{args:?}");
        assert!(!verifies_with(
            "ps_test_signing_secret_0001",
            "a1b2c3d4",
            &callback
        ));
    }

    // An unset variable or a missing file is a usage error naming the source.
    let unset = emulate(&["--api-key-env", "PSD_T_UNSET"], &[]);
    assert_eq!(unset.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unset.stderr).contains("PSD_T_UNSET is not set"));
    let missing = emulate(&["--signing-secret-file", "/nonexistent/secret"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/secret"));
    // One source per credential.
    let both = emulate(
        &["--api-key", "k", "--api-key-env", "PSD_T_KEY"],
        &[("PSD_T_KEY", env_key)],
    );
    assert_eq!(both.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
