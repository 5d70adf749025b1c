//! The client's timeout is a deadline for the whole call: retries, backoffs and `Retry-After`
//! waits included. A wait that would cross it is not taken; an attempt gets only the time
//! left. Time bounds here are generous: they tell a deadline from none, not exact timings.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

mod client_support;

use std::time::{Duration, Instant};

use client_support::{assert_key_hidden, quick_retries, Emulator};
use postsyncer_delegation::{ApiError, ApiErrorKind, Client, Platform, RetryPolicy};
use serde_json::{json, Value};

const CALLBACK: &str = "https://app.example/callback";

/// A client for a fresh key with `faults`, this timeout and retry policy; the key too.
fn client_with(
    emulator: &Emulator,
    faults: Value,
    timeout: Duration,
    retry: RetryPolicy,
) -> (Client, String) {
    let key = emulator.key_with_faults(faults);
    let client = Client::builder(key.as_str())
        .base_url(emulator.api_base())
        .timeout(timeout)
        .retry_policy(retry)
        .build()
        .unwrap();
    (client, key)
}

/// One failing blocking call: its error and how long it took.
fn timed_failure(client: &Client, key: &str) -> (ApiError, Duration) {
    let started = Instant::now();
    let error = client
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .expect_err("the call must fail");
    assert_key_hidden(&error, key);
    (error, started.elapsed())
}

#[test]
fn a_retry_after_past_the_deadline_returns_rate_limited_at_once() {
    let emulator = Emulator::start();
    // The default policy: 2 retries, Retry-After honoured up to 30 s. Before the deadline,
    // this call took 10 s (two 5 s waits on top of the 2 s per attempt).
    let (client, key) = client_with(
        &emulator,
        json!({ "rate_limit_first": 5, "retry_after": 5 }),
        Duration::from_secs(2),
        RetryPolicy::default(),
    );
    let (error, took) = timed_failure(&client, &key);
    assert_eq!(error.kind(), ApiErrorKind::RateLimited);
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
    assert!(
        error.message().contains("not retried"),
        "{}",
        error.message()
    );
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    assert_eq!(emulator.session_requests(&key), 1, "the wait was not taken");
}

#[tokio::test]
async fn the_async_form_has_the_same_deadline() {
    let emulator = Emulator::start();
    let (client, key) = client_with(
        &emulator,
        json!({ "rate_limit_first": 5, "retry_after": 5 }),
        Duration::from_secs(2),
        RetryPolicy::default(),
    );
    let started = Instant::now();
    let error = client
        .create_session(Platform::Tiktok, CALLBACK, None)
        .await
        .expect_err("rate limited");
    assert_eq!(error.kind(), ApiErrorKind::RateLimited);
    assert!(started.elapsed() < Duration::from_millis(2500));
    assert_eq!(emulator.session_requests(&key), 1);
}

#[test]
fn a_retry_after_within_the_deadline_is_still_waited_for() {
    let emulator = Emulator::start();
    let (client, key) = client_with(
        &emulator,
        json!({ "rate_limit_first": 1, "retry_after": 1 }),
        Duration::from_secs(10),
        RetryPolicy::default(),
    );
    let session = client
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .unwrap();
    assert_eq!(session.platform, Platform::Tiktok);
    assert_eq!(emulator.session_requests(&key), 2);
}

#[test]
fn slow_failing_attempts_stop_at_the_deadline() {
    let emulator = Emulator::start();
    // Every attempt takes 400 ms and fails with a retried 503: ten retries would take 4 s
    // and more; the 1 s deadline ends the call after a few.
    let (client, key) = client_with(
        &emulator,
        json!({ "fail_first": 100, "fail_status": 503, "latency_ms": 400 }),
        Duration::from_secs(1),
        quick_retries(10),
    );
    let (error, took) = timed_failure(&client, &key);
    assert!(
        matches!(error.kind(), ApiErrorKind::Server | ApiErrorKind::Timeout),
        "{error:?}"
    );
    assert!(took < Duration::from_millis(1800), "took {took:?}");
    let requests = emulator.session_requests(&key);
    assert!((1..=3).contains(&requests), "{requests} requests");
}

#[test]
fn an_attempt_gets_only_the_time_left() {
    let emulator = Emulator::start();
    // The first attempt fails after 700 ms (503, retried at once); the second would need
    // 700 ms more but only about 300 ms of the 1 s deadline are left: it times out.
    let (client, key) = client_with(
        &emulator,
        json!({ "fail_first": 1, "fail_status": 503, "latency_ms": 700 }),
        Duration::from_secs(1),
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
            ..RetryPolicy::default()
        },
    );
    let (error, took) = timed_failure(&client, &key);
    assert_eq!(error.kind(), ApiErrorKind::Timeout, "{error:?}");
    assert!(
        error.message().contains("whole call"),
        "{}",
        error.message()
    );
    assert!(took < Duration::from_millis(1600), "took {took:?}");
    assert_eq!(emulator.session_requests(&key), 2);
}

#[test]
fn the_cap_on_retry_after_still_applies_within_a_long_deadline() {
    let emulator = Emulator::start();
    let (client, key) = client_with(
        &emulator,
        json!({ "rate_limit_first": 5, "retry_after": 3 }),
        Duration::from_secs(30),
        RetryPolicy {
            max_retry_after: Duration::from_secs(1),
            ..RetryPolicy::default()
        },
    );
    let (error, took) = timed_failure(&client, &key);
    assert_eq!(error.kind(), ApiErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3)));
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert_eq!(emulator.session_requests(&key), 1);
}
