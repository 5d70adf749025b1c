//! `Client::create_session` against the real emulator: the session's shape, the whole flow
//! through to a verified proof, every calling style (async on tokio, async on a foreign
//! executor, blocking, blocking inside a tokio runtime) and connection reuse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

mod client_support;

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use client_support::{header, http, CountingProxy, Emulator};
use postsyncer_delegation::{unix_now, Client, Platform, Session, Verifier};

const CALLBACK: &str = "https://app.example/callback?next=%2Fhome";

fn assert_session_shape(emulator: &Emulator, session: &Session, platform: Platform) {
    let authorize_prefix = format!("{}/oauth/delegate?request=psd_", emulator.url);
    assert!(
        session.authorize_url.starts_with(&authorize_prefix),
        "{}",
        session.authorize_url
    );
    assert_eq!(session.expires_in, 900);
    let expected_expiry = unix_now() + 900;
    // Computed when the answer arrived: a little before the check here, never after it.
    assert!(session.expires_at <= expected_expiry);
    assert!(session.expires_at > expected_expiry - 60);
    assert_eq!(session.platform, platform);
    assert_eq!(session.callback_url, CALLBACK);
}

#[test]
fn blocking_session_with_a_generated_state() {
    let emulator = Emulator::start();
    let client = emulator.client(&emulator.api_key);
    let session = client
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .unwrap();
    assert_session_shape(&emulator, &session, Platform::Tiktok);
    assert_eq!(session.state.len(), 43);
    assert!(session
        .state
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    let again = client
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .unwrap();
    assert_ne!(again.state, session.state);
    assert_ne!(again.authorize_url, session.authorize_url);
}

#[tokio::test]
async fn async_session_echoes_the_given_state() {
    let emulator = Emulator::start();
    let client = emulator.client(&emulator.api_key);
    for platform in Platform::ALL {
        let session = client
            .create_session(platform, CALLBACK, Some("a1b2c3d4"))
            .await
            .unwrap();
        assert_session_shape(&emulator, &session, platform);
        assert_eq!(session.state, "a1b2c3d4");
    }
}

/// The flow an app runs: create, send the user to authorize_url (approved here without a
/// browser), and verify the proof that comes back on the callback.
#[test]
fn the_session_leads_to_a_proof_that_verifies() {
    let emulator = Emulator::start();
    let client = emulator.client(&emulator.api_key);
    let session = client
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .unwrap();
    let path = session
        .authorize_url
        .strip_prefix(&emulator.url)
        .unwrap()
        .to_owned();
    let (status, head, _) = http(
        &emulator.url,
        "GET",
        &format!("{path}&decision=approve"),
        None,
    );
    assert_eq!(status, 303);
    let callback = header(&head, "location").expect("a Location header");
    assert!(callback.starts_with("https://app.example/callback?next=%2Fhome&"));

    let verifier = Verifier::new([emulator.signing_secret.as_str()]).unwrap();
    let proof = verifier
        .verify(&callback, &session.state, Some(session.platform))
        .unwrap();
    assert_eq!(proof.platform_id, "_000abc");
    assert_eq!(proof.handle, "jane");
}

/// A minimal executor that is not tokio: polls on this thread, parks until woken.
fn block_on_foreign_executor<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => return output,
            Poll::Pending => thread::park(),
        }
    }
}

#[test]
fn async_session_on_a_non_tokio_executor() {
    let emulator = Emulator::start();
    let client = emulator.client(&emulator.api_key);
    let session = block_on_foreign_executor(client.create_session(
        Platform::Instagram,
        CALLBACK,
        Some("state-from-a-foreign-executor"),
    ))
    .unwrap();
    assert_session_shape(&emulator, &session, Platform::Instagram);
}

/// What C or Go callers, or a sync helper called from async code, do: block a thread that
/// already runs a tokio runtime. Dropping the client there must not panic either.
#[tokio::test(flavor = "current_thread")]
async fn blocking_inside_a_tokio_runtime_does_not_panic() {
    let emulator = Emulator::start();
    let client = emulator.client(&emulator.api_key);
    let session = client
        .create_session_blocking(Platform::Threads, CALLBACK, None)
        .unwrap();
    assert_session_shape(&emulator, &session, Platform::Threads);
    drop(client);
}

#[test]
fn blocking_calls_from_many_threads_share_one_client() {
    let emulator = Emulator::start();
    let client = emulator.client(&emulator.api_key);
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            thread::spawn(move || client.create_session_blocking(Platform::Youtube, CALLBACK, None))
        })
        .collect();
    for worker in workers {
        assert_eq!(worker.join().unwrap().unwrap().platform, Platform::Youtube);
    }
}

#[test]
fn sequential_sessions_reuse_the_connection() {
    let emulator = Emulator::start();
    let proxy = CountingProxy::start(&emulator.url);
    let client = Client::builder(emulator.api_key.as_str())
        .base_url(format!("{}/api", proxy.url))
        .build()
        .unwrap();
    let clone = client.clone();
    const REQUESTS: usize = 20;
    for i in 0..REQUESTS {
        let which = if i % 2 == 0 { &client } else { &clone };
        which
            .create_session_blocking(Platform::Linkedin, CALLBACK, None)
            .unwrap();
    }
    // One pooled connection serves them all; a second may open if a request starts in the
    // instant before the previous answer's connection is back in the pool.
    let connections = proxy.connections();
    assert!(
        (1..=2).contains(&connections),
        "{connections} connections for {REQUESTS} requests"
    );
}

#[test]
fn debug_output_hides_the_api_key() {
    let emulator = Emulator::start();
    let client = emulator.client(&emulator.api_key);
    let shown = format!("{client:?}");
    assert!(!shown.contains(&emulator.api_key), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}
