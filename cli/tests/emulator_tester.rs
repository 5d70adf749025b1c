//! The built-in tester over real sockets: sessions whose callback_url is the tester are
//! verified on arrival with the session's state and platform; JSON and HTML reports.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly
mod emulator_support;

use emulator_support::{json_of, location, Emulator};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

/// The tester's JSON answer for a callback.
async fn tester_json(emulator: &Emulator, callback: &str) -> (StatusCode, Value) {
    let response = emulator
        .http()
        .get(callback)
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    (response.status(), json_of(response).await)
}

/// The status of each check, which must come in protocol order.
fn statuses(report: &Value) -> Vec<&str> {
    let checks = report["checks"].as_array().unwrap();
    let names: Vec<&str> = checks
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["parameters", "signature", "platform", "state", "expiry"]
    );
    checks
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect()
}

fn tester_url(emulator: &Emulator) -> String {
    format!("{}/tester/callback", emulator.url)
}

#[tokio::test]
async fn an_approved_session_passes_every_check() {
    let emulator = Emulator::start();
    let authorize_url = emulator
        .authorize_url("pinterest", &tester_url(&emulator), "st-1")
        .await;
    let callback = emulator.approve(&authorize_url).await;
    let (status, report) = tester_json(&emulator, &callback).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["verified"], true);
    assert_eq!(
        report["expected"],
        json!({"platform": "pinterest", "state": "st-1"})
    );
    assert_eq!(report["result"]["ok"]["platform_id"], "549755885175");
    assert_eq!(statuses(&report), ["passed"; 5]);
}

#[tokio::test]
async fn a_wrong_state_fails_the_state_check_against_the_sessions_own_state() {
    let emulator = Emulator::start();
    let key = emulator
        .key_with(json!({"proof_fault": "wrong_state"}))
        .await;
    let authorize_url = emulator
        .authorize_url_with_key(&key, "tiktok", &tester_url(&emulator), "st-2")
        .await;
    let callback = emulator.approve(&authorize_url).await;
    let (_, report) = tester_json(&emulator, &callback).await;
    assert_eq!(report["verified"], false);
    assert_eq!(report["result"]["error"], "state_mismatch");
    assert_eq!(
        statuses(&report),
        ["passed", "passed", "passed", "failed", "not reached"]
    );
}

#[tokio::test]
async fn a_denial_is_reported_as_such() {
    let emulator = Emulator::start();
    let authorize_url = emulator
        .authorize_url("tiktok", &tester_url(&emulator), "st-3")
        .await;
    let callback = location(&emulator.decide(&authorize_url, "deny").await);
    let (_, report) = tester_json(&emulator, &callback).await;
    assert_eq!(report["result"]["error"], "authorization_denied");
    assert_eq!(report["result"]["code"], "access_denied");
    assert_eq!(statuses(&report)[0], "failed");
}

#[tokio::test]
async fn the_html_report_marks_each_check_and_unknown_callbacks_are_404() {
    let emulator = Emulator::start();
    let authorize_url = emulator
        .authorize_url("tiktok", &tester_url(&emulator), "st-4")
        .await;
    let callback = emulator.approve(&authorize_url).await;
    let page = emulator.get(&callback).await.text().await.unwrap();
    assert!(page.contains("id=\"verdict\" class=\"passed\">Verified"));
    assert_eq!(page.matches("class=\"passed\">passed").count(), 5);

    let changed = callback.replace("platform_id=_000abc", "platform_id=_000abd");
    let (status, answer) = tester_json(&emulator, &changed).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(answer["message"].as_str().unwrap().contains("callback_url"));
    assert_eq!(emulator.get(&changed).await.status(), StatusCode::NOT_FOUND);
}
