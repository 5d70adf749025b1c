//! Hostile answers: from a raw loopback server, what the emulator cannot be asked to do (a
//! redirect, never followed so that the API key never reaches the other host; an endless
//! body, read no further than the client's bound); from the emulator's fault switches, an
//! `authorize_url` that would send the browser elsewhere or split a header (refused), and
//! error bodies that echo the API key (redacted from every message and field error).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

mod client_support;

use client_support::{assert_key_hidden, hostile_server, quick_retries, CountingProxy, Emulator};
use postsyncer_delegation::{ApiError, ApiErrorKind, Client, Platform};
use serde_json::json;

const CALLBACK: &str = "https://app.example/callback";
const API_KEY: &str = "ps_key_that_must_not_follow_a_redirect";

fn client_for(server_url: &str) -> Client {
    Client::builder(API_KEY)
        .base_url(format!("{server_url}/api"))
        .retry_policy(quick_retries(2))
        .build()
        .unwrap()
}

#[test]
fn redirects_are_not_followed() {
    let emulator = Emulator::start();
    let elsewhere = CountingProxy::start(&emulator.url);
    let head = format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {}/api/oauth/delegate/sessions\r\nContent-Length: 0\r\n\r\n",
        elsewhere.url
    );
    let error = client_for(&hostile_server(head, 0))
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .expect_err("a redirect is refused");
    assert_key_hidden(&error, API_KEY);
    assert_eq!(error.kind(), ApiErrorKind::InvalidResponse);
    assert_eq!(error.status(), Some(307));
    assert_eq!(
        elsewhere.connections(),
        0,
        "the redirect target was contacted"
    );
}

#[test]
fn an_endless_body_is_cut_at_the_bound() {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
    let error = client_for(&hostile_server(head.to_owned(), 64 << 20))
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .expect_err("an oversized answer is refused");
    assert_key_hidden(&error, API_KEY);
    assert_eq!(error.kind(), ApiErrorKind::InvalidResponse);
    assert!(
        error.message().contains("longer than"),
        "{}",
        error.message()
    );
}

/// The error a client of `emulator` gets from a key whose only fault is `authorize_url`.
fn refused_authorize_url(emulator: &Emulator, authorize_url: &str) -> ApiError {
    let key = emulator.key_with_faults(json!({ "authorize_url": authorize_url }));
    emulator
        .client(&key)
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .expect_err(authorize_url)
}

#[test]
fn an_authorize_url_leading_elsewhere_is_refused_without_being_quoted() {
    let emulator = Emulator::start();
    let own = format!("{}/oauth/delegate?request=psd_x", emulator.url);
    for hostile in [
        format!("{own}\r\nSet-Cookie: a=b"),
        format!("{own}\nLocation: https://evil.example/"),
        format!("{own}\t"),
        format!("{own}\u{1b}]8;;https://evil.example\u{7}"),
        "http://evil.example/steal".to_owned(),
        "https://evil.example/steal".to_owned(),
        "https://postsyncer.com@evil.example/x".to_owned(),
        own.replacen("http://", "http://postsyncer.com@", 1),
        "javascript:alert(document.cookie)".to_owned(),
        "/oauth/delegate?request=psd_x".to_owned(),
    ] {
        let error = refused_authorize_url(&emulator, &hostile);
        assert_eq!(error.kind(), ApiErrorKind::InvalidResponse, "{hostile:?}");
        assert_eq!(error.status(), Some(200));
        let message = error.message();
        assert!(!message.chars().any(char::is_control), "{message:?}");
        for quoted in ["Set-Cookie", "Location", "steal", "alert", "evil.example/"] {
            assert!(!message.contains(quoted), "{hostile:?}: {message}");
        }
    }
}

#[test]
fn the_authorize_url_is_returned_as_checked_and_other_hosts_need_allowing() {
    let emulator = Emulator::start();
    // The emulator's own answer passes, serialized as the client parsed it.
    let key = emulator.key_with_faults(json!({
        "authorize_url": format!("{}/OAuth/delegate?request=psd_x", emulator.url.to_uppercase())
    }));
    let session = emulator
        .client(&key)
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .unwrap();
    assert_eq!(
        session.authorize_url,
        format!("{}/OAuth/delegate?request=psd_x", emulator.url)
    );

    // A front host is refused until the caller allows it, and then only over https.
    let fronted = "https://login.front.example/oauth/delegate?request=psd_x";
    let error = refused_authorize_url(&emulator, fronted);
    assert_eq!(error.kind(), ApiErrorKind::InvalidResponse);
    assert!(
        error.message().contains("allow_authorize_host"),
        "{}",
        error.message()
    );
    let key = emulator.key_with_faults(json!({ "authorize_url": fronted }));
    let allowing = Client::builder(key.as_str())
        .base_url(emulator.api_base())
        .allow_authorize_host("login.front.example")
        .build()
        .unwrap();
    let session = allowing
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .unwrap();
    assert_eq!(session.authorize_url, fronted);
    let key =
        emulator.key_with_faults(json!({ "authorize_url": fronted.replacen("https", "http", 1) }));
    let error = Client::builder(key.as_str())
        .base_url(emulator.api_base())
        .allow_authorize_host("login.front.example")
        .build()
        .unwrap()
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .unwrap_err();
    assert_eq!(error.kind(), ApiErrorKind::InvalidResponse);
}

#[test]
fn an_api_key_echoed_by_the_service_is_redacted_everywhere() {
    let emulator = Emulator::start();
    for (status, kind) in [
        (401, ApiErrorKind::Unauthenticated),
        (403, ApiErrorKind::Forbidden),
        (422, ApiErrorKind::Validation),
        (429, ApiErrorKind::RateLimited),
        (500, ApiErrorKind::Server),
    ] {
        let key = emulator.key_with_faults(json!({"status": status, "echo_api_key": true}));
        let error = Client::builder(key.as_str())
            .base_url(emulator.api_base())
            .retry_policy(quick_retries(0))
            .build()
            .unwrap()
            .create_session_blocking(Platform::Tiktok, CALLBACK, None)
            .unwrap_err();
        assert_eq!(error.kind(), kind, "{status}");
        assert_key_hidden(&error, &key);
        assert!(
            error.message().contains("[redacted]"),
            "{status}: {}",
            error.message()
        );
        for (field, messages) in error.field_errors() {
            assert!(!field.contains(&key), "{field}");
            for message in messages {
                assert!(!message.contains(&key), "{message}");
            }
        }
        if status == 422 {
            assert!(error
                .field_errors()
                .iter()
                .any(|(field, messages)| field == "[redacted]" && !messages.is_empty()));
        }
    }
}
