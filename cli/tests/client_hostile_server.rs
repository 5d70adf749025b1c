//! What the emulator cannot be asked to do, from a raw loopback server: a redirect (never
//! followed, so the API key never reaches the other host) and an endless body (read no
//! further than the client's bound).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

mod client_support;

use client_support::{assert_key_hidden, hostile_server, quick_retries, CountingProxy, Emulator};
use postsyncer_delegation::{ApiErrorKind, Client, Platform};

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
