//! `Flow` with `RedisStore` against the real emulator and a real `redis-server`: a callback
//! completed in one OS process is refused in another; 100 concurrent completions across two
//! processes give exactly one proof (with `GETDEL` and with the Lua take); records expire
//! with their TTL; Redis stopped mid-flow gives `store_unavailable`, never a proof.
//!
//! The second process is this test binary run again with `PSD_FLOW_HELPER` set, running
//! only `helper_process`.

// Test code may fail loudly; the helper process reports on its stdout.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

mod client_support;
mod flow_support;

use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use client_support::Emulator;
use flow_support::{approve, redis_url, unique_prefix, PrivateRedis, CALLBACK};
use postsyncer_delegation::{
    Client, CompleteError, Flow, FlowErrorKind, Platform, RedisStore, StateStore, Verifier,
};

const HELPER: &str = "PSD_FLOW_HELPER";

fn redis_store(url: &str, prefix: &str, script: bool) -> Arc<RedisStore> {
    Arc::new(
        RedisStore::builder(url)
            .key_prefix(prefix)
            .take_with_script(script)
            .connect_timeout(Duration::from_millis(500))
            .command_timeout(Duration::from_millis(500))
            .build()
            .unwrap(),
    )
}

fn redis_flow(emulator: &Emulator, store: Arc<RedisStore>) -> Flow {
    Flow::new(
        flow_support::client(emulator),
        flow_support::verifier(emulator),
        store,
    )
}

/// The word of a completion's outcome: `ok`, or the error's kind.
fn outcome(result: &Result<postsyncer_delegation::Completed, CompleteError>) -> String {
    match result {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.kind_word().to_owned(),
    }
}

fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

/// Completes `callback` `count` times at once in another OS process sharing the Redis,
/// starting at `start_at` (unix ms); returns each outcome's word.
#[allow(clippy::too_many_arguments)]
fn complete_in_another_process(
    emulator: &Emulator,
    redis: &str,
    prefix: &str,
    script: bool,
    callback: &str,
    subject: &str,
    count: usize,
    start_at: u128,
) -> Vec<String> {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "helper_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HELPER, "complete")
        .env("PSD_FLOW_API_BASE", emulator.api_base())
        .env("PSD_FLOW_API_KEY", &emulator.api_key)
        .env("PSD_FLOW_SECRET", &emulator.signing_secret)
        .env("PSD_FLOW_REDIS", redis)
        .env("PSD_FLOW_PREFIX", prefix)
        .env("PSD_FLOW_SCRIPT", if script { "1" } else { "0" })
        .env("PSD_FLOW_CALLBACK", callback)
        .env("PSD_FLOW_SUBJECT", subject)
        .env("PSD_FLOW_COUNT", count.to_string())
        .env("PSD_FLOW_START_AT", start_at.to_string())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the helper process failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        // libtest may print its own text before ours on a line.
        .filter_map(|line| {
            line.split_once("OUTCOME ")
                .map(|(_, word)| word.trim().to_owned())
        })
        .collect()
}

/// The second process: does nothing unless run by `complete_in_another_process`.
#[test]
fn helper_process() {
    if std::env::var(HELPER).as_deref() != Ok("complete") {
        return;
    }
    let var = |name: &str| std::env::var(name).unwrap();
    let client = Client::builder(var("PSD_FLOW_API_KEY"))
        .base_url(var("PSD_FLOW_API_BASE"))
        .build()
        .unwrap();
    let verifier = Verifier::new([var("PSD_FLOW_SECRET")]).unwrap();
    let store = redis_store(
        &var("PSD_FLOW_REDIS"),
        &var("PSD_FLOW_PREFIX"),
        var("PSD_FLOW_SCRIPT") == "1",
    );
    let flow = Flow::new(client, verifier, store);
    let (callback, subject) = (var("PSD_FLOW_CALLBACK"), var("PSD_FLOW_SUBJECT"));
    let count: usize = var("PSD_FLOW_COUNT").parse().unwrap();
    let start_at: u128 = var("PSD_FLOW_START_AT").parse().unwrap();
    // Connect before the start, so that the race is between the takes, not the connects.
    let warmup = flow.complete_blocking("?state=warm-up-never-begun", &subject);
    assert_eq!(outcome(&warmup), "state_not_found");
    let outcomes = race_blocking(&flow, &callback, &subject, count, start_at);
    for outcome in outcomes {
        println!("OUTCOME {outcome}");
    }
}

/// `count` threads complete `callback` at once, from `start_at` (unix ms).
fn race_blocking(
    flow: &Flow,
    callback: &str,
    subject: &str,
    count: usize,
    start_at: u128,
) -> Vec<String> {
    let barrier = Barrier::new(count);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..count)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let now = unix_millis();
                    if now < start_at {
                        thread::sleep(Duration::from_millis((start_at - now) as u64));
                    }
                    outcome(&flow.complete_blocking(callback, subject))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

#[test]
fn a_callback_completed_in_one_process_is_refused_in_another() {
    let Some(redis) = redis_url() else { return };
    let emulator = Emulator::start();
    let prefix = unique_prefix("cross-process");
    let flow = redis_flow(&emulator, redis_store(&redis, &prefix, false));

    // Completed there first: refused here.
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", Some("meta"))
        .unwrap();
    let callback = approve(&emulator, &begun.authorize_url);
    let there =
        complete_in_another_process(&emulator, &redis, &prefix, false, &callback, "user-1", 1, 0);
    assert_eq!(there, ["ok"]);
    let here = flow.complete_blocking(&callback, "user-1");
    assert_eq!(outcome(&here), "state_not_found");

    // Completed here first: refused there.
    let begun = flow
        .begin_blocking(Platform::Youtube, CALLBACK, "user-2", Some("meta"))
        .unwrap();
    let callback = approve(&emulator, &begun.authorize_url);
    let completed = flow.complete_blocking(&callback, "user-2").unwrap();
    assert_eq!(completed.metadata.as_deref(), Some("meta"));
    assert_eq!(completed.proof.platform, Platform::Youtube);
    let there =
        complete_in_another_process(&emulator, &redis, &prefix, false, &callback, "user-2", 1, 0);
    assert_eq!(there, ["state_not_found"]);
}

fn hundred_concurrent_completions_give_one_proof(script: bool) {
    let Some(redis) = redis_url() else { return };
    let emulator = Emulator::start();
    let prefix = unique_prefix(if script { "race-script" } else { "race-getdel" });
    let flow = redis_flow(&emulator, redis_store(&redis, &prefix, script));
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap();
    let callback = approve(&emulator, &begun.authorize_url);
    // Connected before the race.
    let warmup = flow.complete_blocking("?state=warm-up-never-begun", "user-1");
    assert_eq!(outcome(&warmup), "state_not_found");

    let start_at = unix_millis() + 1500;
    let (theirs, ours) = thread::scope(|scope| {
        let theirs = scope.spawn(|| {
            complete_in_another_process(
                &emulator, &redis, &prefix, script, &callback, "user-1", 50, start_at,
            )
        });
        let ours = race_blocking(&flow, &callback, "user-1", 50, start_at);
        (theirs.join().unwrap(), ours)
    });
    assert_eq!(theirs.len(), 50);
    let all: Vec<&String> = theirs.iter().chain(&ours).collect();
    assert_eq!(all.len(), 100);
    let proofs = all.iter().filter(|o| o.as_str() == "ok").count();
    assert_eq!(proofs, 1, "exactly one completion wins: {all:?}");
    assert!(
        all.iter()
            .all(|o| o.as_str() == "ok" || o.as_str() == "state_not_found"),
        "{all:?}"
    );
}

#[test]
fn hundred_concurrent_completions_across_two_processes_give_one_proof_with_getdel() {
    hundred_concurrent_completions_give_one_proof(false);
}

#[test]
fn hundred_concurrent_completions_across_two_processes_give_one_proof_with_the_script() {
    hundred_concurrent_completions_give_one_proof(true);
}

#[test]
fn a_flow_begun_under_one_subject_and_completed_under_another_is_refused() {
    let Some(redis) = redis_url() else { return };
    let emulator = Emulator::start();
    let flow = redis_flow(
        &emulator,
        redis_store(&redis, &unique_prefix("subject"), false),
    );
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "attacker", None)
        .unwrap();
    let callback = approve(&emulator, &begun.authorize_url);
    let refused = flow.complete_blocking(&callback, "victim");
    assert_eq!(
        refused.unwrap_err().flow_kind(),
        Some(FlowErrorKind::SubjectMismatch)
    );
}

#[test]
fn records_expire_with_their_ttl() {
    let Some(redis) = redis_url() else { return };
    // In Redis itself: the key is gone after its TTL.
    let store = redis_store(&redis, &unique_prefix("ttl"), false);
    store.put_blocking("short", "record", 1).unwrap();
    store.put_blocking("long", "record", 60).unwrap();
    thread::sleep(Duration::from_millis(2100));
    assert_eq!(store.take_blocking("short").unwrap(), None);
    assert_eq!(
        store.take_blocking("long").unwrap().as_deref(),
        Some("record")
    );

    // Through the flow: a record lives at most max_pending.
    let emulator = Emulator::start();
    let flow = Flow::builder(
        flow_support::client(&emulator),
        flow_support::verifier(&emulator),
    )
    .store(redis_store(&redis, &unique_prefix("ttl-flow"), false))
    .max_pending(Duration::from_secs(1))
    .build();
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap();
    assert_eq!(begun.expires_in, 1);
    let callback = approve(&emulator, &begun.authorize_url);
    thread::sleep(Duration::from_millis(2100));
    let late = flow.complete_blocking(&callback, "user-1");
    assert_eq!(outcome(&late), "state_not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_calls_with_redis() {
    let Some(redis) = redis_url() else { return };
    let emulator = Emulator::start();
    let flow = redis_flow(
        &emulator,
        redis_store(&redis, &unique_prefix("async"), false),
    );
    let begun = flow
        .begin(Platform::Threads, CALLBACK, "user-1", Some("x"))
        .await
        .unwrap();
    let url = begun.authorize_url.clone();
    let (emulator, callback) = tokio::task::spawn_blocking(move || {
        let callback = approve(&emulator, &url);
        (emulator, callback)
    })
    .await
    .unwrap();
    let completed = flow.complete(&callback, "user-1").await.unwrap();
    assert_eq!(completed.metadata.as_deref(), Some("x"));
    let again = flow.complete(&callback, "user-1").await;
    assert_eq!(outcome(&again), "state_not_found");
    drop(emulator);
}

#[test]
fn redis_stopped_mid_flow_gives_store_unavailable_never_a_proof() {
    let Some(mut server) = PrivateRedis::start() else {
        return;
    };
    let emulator = Emulator::start();
    let flow = redis_flow(&emulator, redis_store(&server.url, "psd:state:", false));
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap();
    let callback = approve(&emulator, &begun.authorize_url);
    server.stop();

    let started = std::time::Instant::now();
    let refused = flow.complete_blocking(&callback, "user-1");
    assert_eq!(outcome(&refused), "store_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let message = refused.unwrap_err().message().to_owned();
    assert!(message.contains("state store"), "{message}");
    assert!(!message.contains(&begun.state), "{message}");

    // Beginning with Redis down fails before any session is created.
    let sessions = emulator.session_requests(&emulator.api_key);
    let error = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap_err();
    assert_eq!(error.kind_word(), "store_unavailable");
    assert_eq!(emulator.session_requests(&emulator.api_key), sessions);
}

#[test]
fn a_redis_url_is_checked_and_its_password_never_shown() {
    for bad in ["", "not a url", "http://127.0.0.1:6379"] {
        let refused = RedisStore::new(bad).unwrap_err();
        assert_eq!(refused.kind().as_str(), "invalid_argument", "{bad}");
    }
    let store = RedisStore::new("redis://:hunter2-secret@127.0.0.1:1/").unwrap();
    assert!(!format!("{store:?}").contains("hunter2"));
    let error = store.take_blocking("k").unwrap_err();
    assert!(!error.message().contains("hunter2"), "{error}");
}

#[test]
fn a_server_without_getdel_is_served_by_the_script() {
    // GETDEL renamed away: the server answers "unknown command", as one older than 6.2 does.
    let Some(server) = PrivateRedis::start_with(&["--rename-command", "GETDEL", ""]) else {
        return;
    };
    let emulator = Emulator::start();
    let flow = redis_flow(&emulator, redis_store(&server.url, "psd:state:", false));
    for subject in ["user-1", "user-2"] {
        let begun = flow
            .begin_blocking(Platform::Tiktok, CALLBACK, subject, None)
            .unwrap();
        let callback = approve(&emulator, &begun.authorize_url);
        flow.complete_blocking(&callback, subject).unwrap();
        let again = flow.complete_blocking(&callback, subject);
        assert_eq!(outcome(&again), "state_not_found");
    }
}

#[test]
fn the_store_reconnects_when_redis_comes_back() {
    let Some(mut server) = PrivateRedis::start() else {
        return;
    };
    let emulator = Emulator::start();
    let flow = redis_flow(&emulator, redis_store(&server.url, "psd:state:", false));
    let begun = flow
        .begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None)
        .unwrap();
    let callback = approve(&emulator, &begun.authorize_url);
    server.stop();
    let refused = flow.complete_blocking(&callback, "user-1");
    assert_eq!(outcome(&refused), "store_unavailable");

    // The records died with the server (no persistence); new flows work once it is back.
    server.restart();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let begun = loop {
        match flow.begin_blocking(Platform::Tiktok, CALLBACK, "user-1", None) {
            Ok(begun) => break begun,
            Err(e) if std::time::Instant::now() < deadline => {
                assert_eq!(e.kind_word(), "store_unavailable");
                thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("the store did not reconnect within 5 s: {e}"),
        }
    };
    let callback = approve(&emulator, &begun.authorize_url);
    flow.complete_blocking(&callback, "user-1").unwrap();
}

#[test]
fn a_forked_child_connects_anew_and_the_parent_keeps_its_connection() {
    let Some(redis) = redis_url() else { return };
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "fork_helper", "--nocapture", "--test-threads=1"])
        .env(HELPER, "fork")
        .env("PSD_FLOW_REDIS", &redis)
        .env("PSD_FLOW_PREFIX", unique_prefix("fork"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("FORK ok"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Run by the test above in a process of its own: uses the store (its runtime's threads
/// and its connection now exist), forks, and has the child use the same store. The child's
/// threads and socket cannot be the parent's: it must start its own, and not hang.
#[test]
#[allow(unsafe_code)] // fork, alarm, _exit and waitpid: no safe form in std
fn fork_helper() {
    if std::env::var(HELPER).as_deref() != Ok("fork") {
        return;
    }
    let var = |name: &str| std::env::var(name).unwrap();
    let store = redis_store(&var("PSD_FLOW_REDIS"), &var("PSD_FLOW_PREFIX"), false);
    store.put_blocking("from-parent", "p", 60).unwrap();
    store.put_blocking("for-later", "q", 60).unwrap();

    // SAFETY: the child only calls the store (which starts its own threads) and then
    // _exit; alarm ends it should it hang.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        unsafe { libc::alarm(20) };
        let took = store.take_blocking("from-parent");
        let put = store.put_blocking("from-child", "c", 60);
        let ok = matches!(took, Ok(Some(ref p)) if p == "p") && put.is_ok();
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let mut status = 0;
    // SAFETY: waits for the child forked above.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child failed or hung (status {status})"
    );
    // The parent's own connection still works, and sees what the child did.
    assert_eq!(
        store.take_blocking("from-child").unwrap().as_deref(),
        Some("c")
    );
    assert_eq!(
        store.take_blocking("for-later").unwrap().as_deref(),
        Some("q")
    );
    assert_eq!(store.take_blocking("from-parent").unwrap(), None);
    println!("FORK ok");
}

#[test]
fn rediss_connects_over_tls_to_a_trusted_server_only() {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let dir = std::env::temp_dir().join(unique_prefix("tls").replace(':', "-"));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let (cert_path, key_path) = (cert.to_str().unwrap(), key.to_str().unwrap());
    // TLS only: the plain port is turned off after the helper's `--port`.
    let Some(server) = PrivateRedis::start_tls(&[
        "--tls-cert-file",
        cert_path,
        "--tls-key-file",
        key_path,
        "--tls-ca-cert-file",
        cert_path,
        "--tls-auth-clients",
        "no",
    ]) else {
        return;
    };
    let url = server.url.replacen("redis://", "rediss://", 1);
    let store = RedisStore::builder(url.as_str())
        .root_certificate_pem(certified.cert.pem().as_bytes())
        .key_prefix(unique_prefix("tls"))
        .build()
        .unwrap();
    store.put_blocking("k", "over tls", 60).unwrap();
    assert_eq!(
        store.take_blocking("k").unwrap().as_deref(),
        Some("over tls")
    );

    // Without the server's certificate among its roots, the store refuses the connection.
    let untrusting = RedisStore::builder(url.as_str())
        .connect_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let refused = untrusting.take_blocking("k").unwrap_err();
    assert!(refused.message().contains("connecting"), "{refused}");
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}
