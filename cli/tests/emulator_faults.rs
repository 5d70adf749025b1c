//! The control API and each fault switch over real sockets: keys, stats, 429 with
//! Retry-After, failures, forced statuses, malformed JSON, a custom `authorize_url`, errors
//! that echo the API key, and every proof fault.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly
mod emulator_support;

use emulator_support::{json_of, Emulator};
use postsyncer_delegation::{Verifier, VerifyErrorKind};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

fn valid_body() -> Value {
    json!({"platform": "tiktok", "callback_url": "https://app.example/cb", "state": "a1b2c3d4"})
}

/// The statuses of `n` sessions requests made with `key`.
async fn statuses(emulator: &Emulator, key: &str, n: usize) -> Vec<u16> {
    let mut statuses = Vec::with_capacity(n);
    for _ in 0..n {
        let response = emulator.post_session(Some(key), &valid_body()).await;
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn control_keys_are_fresh_authenticate_and_count_every_request() {
    let emulator = Emulator::start();
    let a = emulator.key_with(json!({})).await;
    let b = emulator.key_with(json!({"status": 503})).await;
    assert!(a.starts_with("ps_test_key_") && a.len() >= "ps_test_key_".len() + 22);
    assert_ne!(a, b);
    assert_eq!(statuses(&emulator, &a, 3).await, [200, 200, 200]);
    assert_eq!(statuses(&emulator, &b, 2).await, [503, 503]);
    assert_eq!(emulator.session_requests(&a).await, 3);
    assert_eq!(
        emulator.session_requests(&b).await,
        2,
        "failed requests count too"
    );
    // Keys do not share counts or faults with the emulator's own key.
    assert_eq!(emulator.session_requests(&emulator.api_key).await, 0);
    let unknown = emulator
        .get(&format!(
            "{}/emulator/api-keys/ps_test_key_nope/stats",
            emulator.url
        ))
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_fault_switches_are_refused() {
    let emulator = Emulator::start();
    for faults in [
        json!({"fail_status": 200}),
        json!({"fail_ratio": 1.5}),
        json!({"status": 302}),
        json!({"proof_fault": "nonsense"}),
        json!({"latency": 5}),
    ] {
        let response = emulator
            .http()
            .post(format!("{}/emulator/api-keys", emulator.url))
            .body(faults.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{faults}"
        );
        assert!(json_of(response).await["message"].is_string());
    }
}

#[tokio::test]
async fn the_first_requests_are_rate_limited_then_fail_then_succeed() {
    let emulator = Emulator::start();
    let key = emulator
        .key_with(
            json!({"rate_limit_first": 2, "retry_after": 7, "fail_first": 1, "fail_status": 502}),
        )
        .await;
    let first = emulator.post_session(Some(&key), &valid_body()).await;
    assert_eq!(first.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.headers()[header::RETRY_AFTER], "7");
    assert_eq!(
        json_of(first).await,
        json!({"message": "Too Many Attempts."})
    );
    assert_eq!(statuses(&emulator, &key, 4).await, [429, 502, 200, 200]);
    assert_eq!(emulator.session_requests(&key).await, 5);
}

#[tokio::test]
async fn a_forced_status_answers_with_postsyncers_body() {
    let emulator = Emulator::start();
    let expectations = [
        (401, json!({"message": "Unauthenticated."})),
        (403, json!({"message": "This action is unauthorized."})),
        (404, json!({"message": "Not Found."})),
        (500, json!({"message": "Server Error"})),
        (503, json!({"message": "Service Unavailable"})),
    ];
    for (status, body) in expectations {
        let key = emulator.key_with(json!({ "status": status })).await;
        let response = emulator.post_session(Some(&key), &valid_body()).await;
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(json_of(response).await, body);
    }
    let key = emulator.key_with(json!({"status": 422})).await;
    let response = emulator.post_session(Some(&key), &valid_body()).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json_of(response).await["errors"]["platform"].is_array());
    let key = emulator
        .key_with(json!({"status": 429, "retry_after": 3}))
        .await;
    let response = emulator.post_session(Some(&key), &valid_body()).await;
    assert_eq!(response.headers()[header::RETRY_AFTER], "3");
}

#[tokio::test]
async fn malformed_json_is_a_200_that_does_not_parse() {
    let emulator = Emulator::start();
    let key = emulator.key_with(json!({"malformed_json": true})).await;
    let response = emulator.post_session(Some(&key), &valid_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.bytes().await.unwrap();
    assert!(serde_json::from_slice::<Value>(&body).is_err());
}

#[tokio::test]
async fn a_fail_ratio_of_one_fails_every_request_with_500_or_503() {
    let emulator = Emulator::start();
    let key = emulator.key_with(json!({"fail_ratio": 1.0})).await;
    for status in statuses(&emulator, &key, 20).await {
        assert!(status == 500 || status == 503, "{status}");
    }
}

#[tokio::test]
async fn a_latency_key_still_answers() {
    let emulator = Emulator::start();
    let key = emulator.key_with(json!({"latency_ms": 50})).await;
    assert_eq!(statuses(&emulator, &key, 1).await, [200]);
}

#[tokio::test]
async fn each_proof_fault_fails_its_own_check() {
    let emulator = Emulator::start();
    let verifier = Verifier::new([emulator.signing_secret.as_str()]).unwrap();
    let faults = [
        ("bad_signature", VerifyErrorKind::BadSignature, None),
        ("expired", VerifyErrorKind::Expired, Some("expires")),
        ("wrong_state", VerifyErrorKind::StateMismatch, Some("state")),
        (
            "duplicate_parameter",
            VerifyErrorKind::DuplicateParameter,
            Some("platform_id"),
        ),
    ];
    for (fault, kind, parameter) in faults {
        let key = emulator.key_with(json!({ "proof_fault": fault })).await;
        let authorize_url = emulator
            .authorize_url_with_key(&key, "tiktok", "https://app.example/cb", "a1b2c3d4")
            .await;
        let callback = emulator.approve(&authorize_url).await;
        let error = verifier.verify(&callback, "a1b2c3d4", None).unwrap_err();
        assert_eq!(error.kind(), kind, "{fault}: {callback}");
        assert_eq!(error.parameter(), parameter, "{fault}");
    }
    // The emulator's own key stays honest.
    let authorize_url = emulator
        .authorize_url("tiktok", "https://app.example/cb", "a1b2c3d4")
        .await;
    let callback = emulator.approve(&authorize_url).await;
    verifier.verify(&callback, "a1b2c3d4", None).unwrap();
}

#[tokio::test]
async fn an_authorize_url_fault_answers_that_text_verbatim() {
    let emulator = Emulator::start();
    let hostile = "https://a.example/x\r\nSet-Cookie: a=b";
    let key = emulator.key_with(json!({ "authorize_url": hostile })).await;
    let response = emulator.post_session(Some(&key), &valid_body()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json_of(response).await;
    assert_eq!(body["authorize_url"], hostile);
    assert_eq!(body["expires_in"], 900);
    assert_eq!(emulator.session_requests(&key).await, 1);
}

#[tokio::test]
async fn an_echo_fault_quotes_the_authorization_header_in_error_bodies() {
    let emulator = Emulator::start();
    for status in [401, 403, 500] {
        let key = emulator
            .key_with(json!({"status": status, "echo_api_key": true}))
            .await;
        let response = emulator.post_session(Some(&key), &valid_body()).await;
        assert_eq!(response.status().as_u16(), status);
        let message = json_of(response).await["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(&format!("Bearer {key}")), "{message}");
    }
    let key = emulator
        .key_with(json!({"status": 422, "echo_api_key": true}))
        .await;
    let body = json_of(emulator.post_session(Some(&key), &valid_body()).await).await;
    assert!(body["message"].as_str().unwrap().contains(&key), "{body}");
    assert!(body["errors"][&key].is_array(), "{body}");
    assert!(body["errors"]["authorization"][0]
        .as_str()
        .unwrap()
        .contains(&format!("Bearer {key}")));
    assert!(body["errors"]["platform"].is_array(), "{body}");
    // Rate limiting keeps its Retry-After; success answers stay as they are.
    let key = emulator
        .key_with(json!({"rate_limit_first": 1, "retry_after": 4, "echo_api_key": true}))
        .await;
    let limited = emulator.post_session(Some(&key), &valid_body()).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()[header::RETRY_AFTER], "4");
    assert!(json_of(limited).await["message"]
        .as_str()
        .unwrap()
        .contains(&key));
    let fine = emulator.post_session(Some(&key), &valid_body()).await;
    assert_eq!(fine.status(), StatusCode::OK);
    assert!(!json_of(fine).await.to_string().contains(&key));
}
