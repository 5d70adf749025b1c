//! `Flow` against the real emulator with the memory store and an application store: the
//! whole flow, replays, subjects, denials, parse errors, session failures and the memory
//! store's bound.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

mod client_support;
mod flow_support;

use std::sync::Arc;
use std::time::Duration;

use client_support::Emulator;
use flow_support::{approve, decide, flow, CALLBACK};
use postsyncer_delegation::{
    BeginError, CompleteError, Flow, FlowErrorKind, MemoryStore, Platform, VerifyErrorKind,
    MAX_METADATA_BYTES,
};
use serde_json::json;

use crate::flow_support::{client, verifier, Call, RecordingStore};

fn flow_kind(result: Result<impl std::fmt::Debug, CompleteError>) -> FlowErrorKind {
    match result {
        Err(CompleteError::Flow(e)) => {
            assert!(!e.message().is_empty());
            e.kind()
        }
        other => panic!("expected a flow error, got {other:?}"),
    }
}

fn verify_kind(result: Result<impl std::fmt::Debug, CompleteError>) -> VerifyErrorKind {
    match result {
        Err(CompleteError::Verify(e)) => e.kind(),
        other => panic!("expected a verification error, got {other:?}"),
    }
}

#[test]
fn begin_approve_complete_returns_the_proof_and_metadata_once() {
    let emulator = Emulator::start();
    let flow = Flow::with_memory_store(client(&emulator), verifier(&emulator));
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-7", Some("/settings"))
        .unwrap();
    assert_eq!(begun.expires_in, 900);
    assert_eq!(begun.state.len(), 43);
    let callback = approve(&emulator, &begun.authorize_url);

    let completed = flow.complete_blocking(&callback, "user-7").unwrap();
    assert_eq!(completed.proof.platform, Platform::Tiktok);
    assert_eq!(completed.proof.platform_id, "_000abc");
    assert_eq!(completed.proof.state, begun.state);
    assert_eq!(completed.metadata.as_deref(), Some("/settings"));

    // The same callback again (a reload, a replay): the state is spent.
    let again = flow.complete_blocking(&callback, "user-7");
    assert_eq!(flow_kind(again), FlowErrorKind::StateNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_calls_on_tokio_and_the_blocking_calls_inside_it() {
    let emulator = Emulator::start();
    let flow = Flow::with_memory_store(client(&emulator), verifier(&emulator));
    let begun = flow
        .begin(Platform::Instagram, CALLBACK, "browser-session-1", None)
        .await
        .unwrap();
    let url = begun.authorize_url.clone();
    let (emulator, callback) = tokio::task::spawn_blocking(move || {
        let callback = approve(&emulator, &url);
        (emulator, callback)
    })
    .await
    .unwrap();
    let completed = flow.complete(&callback, "browser-session-1").await.unwrap();
    assert_eq!(completed.metadata, None);
    assert_eq!(completed.proof.platform, Platform::Instagram);

    // Blocking calls on a runtime thread work too (they block only that thread).
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "browser-session-1", None)
        .unwrap();
    let url = begun.authorize_url.clone();
    let callback = tokio::task::spawn_blocking(move || approve(&emulator, &url))
        .await
        .unwrap();
    flow.complete_blocking(&callback, "browser-session-1")
        .unwrap();
}

#[test]
fn a_flow_completed_under_another_subject_is_refused_and_spent() {
    let emulator = Emulator::start();
    let flow = Flow::with_memory_store(client(&emulator), verifier(&emulator));
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "attacker-session", None)
        .unwrap();
    let callback = approve(&emulator, &begun.authorize_url);
    let refused = flow.complete_blocking(&callback, "victim-session");
    assert_eq!(flow_kind(refused), FlowErrorKind::SubjectMismatch);
    // Spent: the rightful subject cannot use it afterwards either.
    let after = flow.complete_blocking(&callback, "attacker-session");
    assert_eq!(flow_kind(after), FlowErrorKind::StateNotFound);
}

#[test]
fn a_denied_authorization_spends_the_state() {
    let emulator = Emulator::start();
    let flow = Flow::with_memory_store(client(&emulator), verifier(&emulator));
    let begun = flow
        .begin_blocking(Platform::Twitter, CALLBACK, "user-1", None)
        .unwrap();
    let callback = decide(&emulator, &begun.authorize_url, "deny");
    let denied = flow.complete_blocking(&callback, "user-1");
    assert_eq!(verify_kind(denied), VerifyErrorKind::AuthorizationDenied);
    let again = flow.complete_blocking(&callback, "user-1");
    assert_eq!(flow_kind(again), FlowErrorKind::StateNotFound);
}

#[test]
fn a_callback_whose_state_cannot_be_read_takes_nothing() {
    let emulator = Emulator::start();
    let store = Arc::new(RecordingStore::default());
    let flow = flow(&emulator, store.adapted());
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap();
    let callback = approve(&emulator, &begun.authorize_url);
    let calls_before = store.calls();

    let state = format!("state={}", begun.state);
    let cases = [
        (
            callback.replace(&state, ""),
            VerifyErrorKind::MissingParameter,
        ),
        (
            format!("{callback}&{state}"),
            VerifyErrorKind::DuplicateParameter,
        ),
        (
            callback.replace(&state, "state=%zz"),
            VerifyErrorKind::MalformedParameter,
        ),
        (
            callback.replace(&state, "state="),
            VerifyErrorKind::MalformedParameter,
        ),
        // An error callback without a state is a denial, decided before the parameters.
        (
            format!("{CALLBACK}?error=access_denied"),
            VerifyErrorKind::AuthorizationDenied,
        ),
    ];
    for (bad, kind) in cases {
        assert_eq!(
            verify_kind(flow.complete_blocking(&bad, "user-1")),
            kind,
            "{bad}"
        );
    }
    assert_eq!(store.calls(), calls_before, "nothing was taken");
    assert_eq!(store.len(), 1);
    flow.complete_blocking(&callback, "user-1").unwrap();
    assert_eq!(store.len(), 0);
}

#[test]
fn a_tampered_callback_is_refused_and_spends_the_state() {
    let emulator = Emulator::start();
    let flow = Flow::with_memory_store(client(&emulator), verifier(&emulator));
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap();
    let callback = approve(&emulator, &begun.authorize_url);
    let tampered = callback.replace("platform_id=_000abc", "platform_id=_000abd");
    assert_ne!(tampered, callback);
    let refused = flow.complete_blocking(&tampered, "user-1");
    assert_eq!(verify_kind(refused), VerifyErrorKind::BadSignature);
    let genuine = flow.complete_blocking(&callback, "user-1");
    assert_eq!(flow_kind(genuine), FlowErrorKind::StateNotFound);
}

#[test]
fn a_session_failure_removes_the_record_and_is_returned_unchanged() {
    let emulator = Emulator::start();
    let key = emulator.key_with_faults(json!({"status": 401}));
    let store = Arc::new(RecordingStore::default());
    let flow = Flow::new(emulator.client(&key), verifier(&emulator), store.adapted());
    let error = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap_err();
    match &error {
        BeginError::Api(api) => assert_eq!(api.kind().as_str(), "unauthenticated"),
        other => panic!("expected the session's error, got {other:?}"),
    }
    assert_eq!(error.kind_word(), "unauthenticated");
    assert_eq!(store.len(), 0, "the record was removed");
    let calls = store.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    let (
        Call::Put {
            key: put,
            ttl_seconds,
        },
        Call::Take { key: taken, found },
    ) = (&calls[0], &calls[1])
    else {
        panic!("put then take, got {calls:?}")
    };
    assert_eq!((put, *ttl_seconds), (taken, 900));
    assert!(*found);
    assert!(!put.contains(&emulator.api_key));
}

#[tokio::test]
async fn an_application_store_serves_the_async_calls() {
    let emulator = Emulator::start();
    let store = Arc::new(RecordingStore::default());
    let flow = flow(&emulator, store.adapted());
    let begun = flow
        .begin(Platform::Linkedin, CALLBACK, "user-3", Some("m"))
        .await
        .unwrap();
    // The store sees a hash of the state, never the state.
    let Call::Put { key, ttl_seconds } = &store.calls()[0] else {
        panic!("a put first")
    };
    assert_eq!((key.len(), *ttl_seconds), (64, 900));
    let record = store.peek(key).unwrap();
    assert!(!record.contains(&begun.state) && !key.contains(&begun.state));
    assert!(record.contains("user-3"), "{record}");

    let url = begun.authorize_url.clone();
    let callback = tokio::task::spawn_blocking(move || approve(&emulator, &url))
        .await
        .unwrap();
    let completed = flow.complete(&callback, "user-3").await.unwrap();
    assert_eq!(completed.metadata.as_deref(), Some("m"));
}

#[test]
fn a_store_answer_that_is_not_a_record_is_store_unavailable() {
    let emulator = Emulator::start();
    let store = Arc::new(RecordingStore::default());
    let flow = flow(&emulator, store.adapted());
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap();
    let Call::Put { key, .. } = &store.calls()[0] else {
        panic!("a put first")
    };
    store.replace(key, "{\"not\": \"a record\"}");
    let callback = approve(&emulator, &begun.authorize_url);
    let refused = flow.complete_blocking(&callback, "user-1");
    assert_eq!(flow_kind(refused), FlowErrorKind::StoreUnavailable);
}

#[test]
fn a_full_memory_store_refuses_new_flows_before_any_session() {
    let emulator = Emulator::start();
    let store = Arc::new(MemoryStore::with_capacity(2));
    let flow = flow(&emulator, Arc::clone(&store) as _);
    let first = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap();
    flow.begin_blocking(Platform::Tiktok, CALLBACK, "user-2", None)
        .unwrap();
    let sessions_before = emulator.session_requests(&emulator.api_key);
    let full = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-3", None)
        .unwrap_err();
    match &full {
        BeginError::Flow(e) => {
            assert_eq!(e.kind(), FlowErrorKind::StoreUnavailable);
            assert!(e.message().contains("full"), "{}", e.message());
        }
        other => panic!("expected store_unavailable, got {other:?}"),
    }
    assert_eq!(
        emulator.session_requests(&emulator.api_key),
        sessions_before,
        "no session was created for a flow that could not be stored"
    );
    // Completing a flow frees its room.
    let callback = approve(&emulator, &first.authorize_url);
    flow.complete_blocking(&callback, "user-1").unwrap();
    flow.begin_blocking(Platform::Tiktok, CALLBACK, "user-3", None)
        .unwrap();
    assert_eq!(store.len(), 2);
}

#[test]
fn a_flow_past_max_pending_is_not_found() {
    let emulator = Emulator::start();
    let flow = Flow::builder(client(&emulator), verifier(&emulator))
        .max_pending(Duration::from_secs(1))
        .build();
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap();
    assert_eq!(begun.expires_in, 1);
    let callback = approve(&emulator, &begun.authorize_url);
    std::thread::sleep(Duration::from_millis(2100));
    let late = flow.complete_blocking(&callback, "user-1");
    assert_eq!(flow_kind(late), FlowErrorKind::StateNotFound);
}

#[test]
fn arguments_are_refused_with_words_a_person_can_act_on() {
    let emulator = Emulator::start();
    let store = Arc::new(RecordingStore::default());
    let flow = flow(&emulator, store.adapted());
    let empty = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "", None)
        .unwrap_err();
    assert_eq!(empty.kind_word(), "invalid_argument");
    assert!(empty.message().contains("subject"), "{}", empty.message());
    let long = "m".repeat(MAX_METADATA_BYTES + 1);
    let too_long = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", Some(&long))
        .unwrap_err();
    assert_eq!(too_long.kind_word(), "invalid_argument");
    assert!(
        too_long.message().contains("metadata"),
        "{}",
        too_long.message()
    );
    let no_subject = flow.complete_blocking("?state=abc", "");
    assert_eq!(flow_kind(no_subject), FlowErrorKind::InvalidArgument);
    assert!(store.calls().is_empty(), "nothing reached the store");
}

#[test]
fn messages_never_carry_the_subject_the_state_or_the_secrets() {
    let emulator = Emulator::start();
    let flow = Flow::with_memory_store(client(&emulator), verifier(&emulator));
    let subject = "subject-4f2a9c";
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, subject, None)
        .unwrap();
    let callback = approve(&emulator, &begun.authorize_url);
    let mismatch = flow
        .complete_blocking(&callback, "other-subject")
        .unwrap_err();
    let replay = flow.complete_blocking(&callback, subject).unwrap_err();
    for error in [mismatch, replay] {
        let text = format!("{error} {error:?}");
        for hidden in [
            subject,
            "other-subject",
            &begun.state,
            &emulator.api_key,
            &emulator.signing_secret,
        ] {
            assert!(!text.contains(hidden), "{text}");
        }
    }
}

/// A sessions API that grants every request with this `expires_in`: what the emulator (always
/// 900 s) cannot be asked to say. Serves until the test process ends.
fn service_granting(expires_in: u64) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let authorize = format!("{base}/oauth/delegate?request=psd_test");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let answer =
                format!("{{\"authorize_url\": \"{authorize}\", \"expires_in\": {expires_in}}}");
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    format!("{base}/api")
}

#[test]
fn the_record_lives_for_the_sessions_expires_in_at_most_max_pending() {
    for (expires_in, max_pending, ttl) in [(120, 3600, 120), (7200, 3600, 3600), (900, 3600, 900)] {
        let store = Arc::new(RecordingStore::default());
        let client = postsyncer_delegation::Client::builder("ps_test_key")
            .base_url(service_granting(expires_in))
            .build()
            .unwrap();
        let verifier = postsyncer_delegation::Verifier::new(["secret"]).unwrap();
        let flow = Flow::builder(client, verifier)
            .store(store.adapted())
            .max_pending(Duration::from_secs(max_pending))
            .build();
        let begun = flow
            .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", Some("m"))
            .unwrap();
        assert_eq!(begun.expires_in, ttl as i64);
        let calls = store.calls();
        let Some(Call::Put { key, ttl_seconds }) = calls.last() else {
            panic!("{calls:?}")
        };
        assert_eq!(*ttl_seconds, ttl, "{calls:?}");
        // Rewritten only when the session said another lifetime than the usual 900 s.
        assert_eq!(calls.len(), if ttl == 900 { 1 } else { 3 }, "{calls:?}");
        let record = store.peek(key).unwrap();
        let record: serde_json::Value = serde_json::from_str(&record).unwrap();
        let lifetime =
            record["expires_at"].as_i64().unwrap() - record["created_at"].as_i64().unwrap();
        assert_eq!(lifetime, ttl as i64, "{record}");
        assert_eq!(record["metadata"], "m");
    }
}
