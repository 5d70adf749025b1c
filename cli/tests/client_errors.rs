//! Every `ApiErrorKind` reached for real against the emulator, and the retry policy, counted
//! by the requests the emulator saw. The API key never shows in any error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

mod client_support;

use std::collections::HashSet;
use std::time::Duration;

use client_support::{assert_key_hidden, closed_port, quick_retries, Emulator};
use postsyncer_delegation::{ApiError, ApiErrorKind, Client, Platform, RetryPolicy};
use serde_json::{json, Value};

const CALLBACK: &str = "https://app.example/callback";

/// One blocking call with `api_key`; the error it must produce.
fn failing_call(client: &Client, api_key: &str) -> ApiError {
    let error = client
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .expect_err("the call must fail");
    assert_key_hidden(&error, api_key);
    error
}

/// A failing call with a fresh key carrying `faults`: the error, and how many sessions
/// requests the emulator saw.
fn fails_with(emulator: &Emulator, faults: Value) -> (ApiError, u64) {
    let key = emulator.key_with_faults(faults);
    let error = failing_call(&emulator.client(&key), &key);
    (error, emulator.session_requests(&key))
}

/// A succeeding call with a fresh key carrying `faults`: how many sessions requests the
/// emulator saw.
fn succeeds_with(emulator: &Emulator, faults: Value) -> u64 {
    let key = emulator.key_with_faults(faults);
    let session = emulator
        .client(&key)
        .create_session_blocking(Platform::Facebook, CALLBACK, None)
        .unwrap();
    assert_eq!(session.platform, Platform::Facebook);
    emulator.session_requests(&key)
}

#[test]
fn invalid_arguments_are_refused_before_any_request() {
    let emulator = Emulator::start();
    let key = emulator.key_with_faults(json!({}));
    let client = emulator.client(&key);
    let long_state = "s".repeat(256);
    let refused: [(&str, Option<&str>); 7] = [
        ("/relative/callback", None),
        ("javascript:alert(1)", None),
        ("https://app.example/cb#fragment", None),
        (CALLBACK, Some("")),
        (CALLBACK, Some(long_state.as_str())),
        (CALLBACK, Some("line\nbreak")),
        (CALLBACK, Some("a&state=b")),
    ];
    for (callback_url, state) in refused {
        let error = client
            .create_session_blocking(Platform::Tiktok, callback_url, state)
            .expect_err("refused locally");
        assert_eq!(
            error.kind(),
            ApiErrorKind::InvalidRequest,
            "{callback_url} {state:?}"
        );
        assert_eq!(error.status(), None);
        assert_key_hidden(&error, &key);
    }
    assert_eq!(emulator.session_requests(&key), 0);
}

#[test]
fn a_wrong_key_is_unauthenticated() {
    let emulator = Emulator::start();
    let wrong_key = "ps_wrong_key_that_must_stay_secret";
    let error = failing_call(&emulator.client(wrong_key), wrong_key);
    assert_eq!(error.kind(), ApiErrorKind::Unauthenticated);
    assert_eq!(error.status(), Some(401));
    assert!(
        error.message().contains("Unauthenticated."),
        "{}",
        error.message()
    );
}

#[test]
fn forced_statuses_map_to_their_kinds_without_retry() {
    let emulator = Emulator::start();
    for (status, kind) in [
        (403, ApiErrorKind::Forbidden),
        (404, ApiErrorKind::NotFound),
        (422, ApiErrorKind::Validation),
        (500, ApiErrorKind::Server),
        (400, ApiErrorKind::InvalidResponse),
    ] {
        let (error, requests) = fails_with(&emulator, json!({ "status": status }));
        assert_eq!(error.kind(), kind, "{status}");
        assert_eq!(error.status(), Some(status));
        assert_eq!(requests, 1, "{status} is not retried");
    }
}

#[test]
fn validation_errors_carry_the_fields() {
    let emulator = Emulator::start();
    let (error, _) = fails_with(&emulator, json!({ "status": 422 }));
    assert_eq!(error.kind(), ApiErrorKind::Validation);
    let (field, messages) = &error.field_errors()[0];
    assert_eq!(field, "platform");
    assert_eq!(messages, &["The selected platform is invalid."]);
    assert!(error
        .message()
        .contains("The selected platform is invalid."));
}

#[test]
fn rate_limit_is_waited_out_then_the_session_is_created() {
    let emulator = Emulator::start();
    let requests = succeeds_with(
        &emulator,
        json!({ "rate_limit_first": 1, "retry_after": 1 }),
    );
    assert_eq!(requests, 2);
}

#[test]
fn a_retry_after_beyond_the_cap_returns_at_once() {
    let emulator = Emulator::start();
    let (error, requests) = fails_with(
        &emulator,
        json!({ "rate_limit_first": 5, "retry_after": 120 }),
    );
    assert_eq!(error.kind(), ApiErrorKind::RateLimited);
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(requests, 1);
}

#[test]
fn rate_limiting_that_outlasts_the_retries_is_returned() {
    let emulator = Emulator::start();
    let (error, requests) = fails_with(
        &emulator,
        json!({ "rate_limit_first": 5, "retry_after": 0 }),
    );
    assert_eq!(error.kind(), ApiErrorKind::RateLimited);
    assert_eq!(error.retry_after(), Some(Duration::ZERO));
    assert_eq!(requests, 3, "first attempt and two retries");
}

#[test]
fn unavailable_twice_then_success_takes_three_requests() {
    let emulator = Emulator::start();
    for status in [502, 503, 504] {
        let requests = succeeds_with(&emulator, json!({ "fail_first": 2, "fail_status": status }));
        assert_eq!(requests, 3, "{status}");
    }
}

#[test]
fn unavailable_beyond_the_retries_is_a_server_error() {
    let emulator = Emulator::start();
    let key = emulator.key_with_faults(json!({ "fail_first": 10, "fail_status": 503 }));
    let client = Client::builder(key.as_str())
        .base_url(emulator.api_base())
        .retry_policy(quick_retries(1))
        .build()
        .unwrap();
    let error = failing_call(&client, &key);
    assert_eq!(error.kind(), ApiErrorKind::Server);
    assert_eq!(error.status(), Some(503));
    assert_eq!(emulator.session_requests(&key), 2);
}

#[test]
fn malformed_json_is_an_invalid_response() {
    let emulator = Emulator::start();
    let (error, requests) = fails_with(&emulator, json!({ "malformed_json": true }));
    assert_eq!(error.kind(), ApiErrorKind::InvalidResponse);
    assert_eq!(error.status(), Some(200));
    assert_eq!(requests, 1);
}

#[test]
fn a_closed_port_is_a_transport_error() {
    let api_key = "ps_key_for_a_closed_port";
    let client = Client::builder(api_key)
        .base_url(format!("http://127.0.0.1:{}/api", closed_port()))
        .retry_policy(quick_retries(2))
        .build()
        .unwrap();
    let error = failing_call(&client, api_key);
    assert_eq!(error.kind(), ApiErrorKind::Transport);
    assert_eq!(error.status(), None);
    assert!(
        error.message().contains("could not connect"),
        "{}",
        error.message()
    );
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_not_retried() {
    let emulator = Emulator::start();
    let key = emulator.key_with_faults(json!({ "latency_ms": 5000 }));
    let client = Client::builder(key.as_str())
        .base_url(emulator.api_base())
        .timeout(Duration::from_millis(300))
        .retry_policy(quick_retries(2))
        .build()
        .unwrap();
    let error = client
        .create_session(Platform::Twitter, CALLBACK, None)
        .await
        .expect_err("times out");
    assert_key_hidden(&error, &key);
    assert_eq!(error.kind(), ApiErrorKind::Timeout);
    assert_eq!(emulator.session_requests(&key), 1);
}

/// The same scenarios as above, condensed: together they reach every kind there is.
#[test]
fn every_kind_is_reachable() {
    let emulator = Emulator::start();
    let no_retries = RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    };
    let client_for = |key: &str, base: String| {
        Client::builder(key)
            .base_url(base)
            .timeout(Duration::from_millis(300))
            .retry_policy(no_retries.clone())
            .build()
            .unwrap()
    };
    let mut reached = HashSet::new();
    let mut call = |key: &str, base: String, callback: &str| {
        let error = client_for(key, base)
            .create_session_blocking(Platform::Tiktok, callback, None)
            .expect_err("fails");
        assert_key_hidden(&error, key);
        reached.insert(error.kind());
    };
    call(&emulator.api_key, emulator.api_base(), "not a url");
    call("ps_wrong_key_for_every_kind", emulator.api_base(), CALLBACK);
    for faults in [
        json!({ "status": 403 }),
        json!({ "status": 404 }),
        json!({ "status": 422 }),
        json!({ "status": 429 }),
        json!({ "status": 500 }),
        json!({ "malformed_json": true }),
        json!({ "latency_ms": 5000 }),
    ] {
        call(
            &emulator.key_with_faults(faults),
            emulator.api_base(),
            CALLBACK,
        );
    }
    call(
        &emulator.api_key,
        format!("http://127.0.0.1:{}/api", closed_port()),
        CALLBACK,
    );
    let all: HashSet<_> = ApiErrorKind::ALL.iter().copied().collect();
    assert_eq!(reached, all);
}
