//! The emulator's sessions API over real sockets: Bearer auth, per-field validation, the
//! 200 shape, unknown routes, and shutdown on SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly
mod emulator_support;

use emulator_support::{json_of, Emulator};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn valid_body() -> Value {
    json!({"platform": "tiktok", "callback_url": "https://app.example/cb", "state": "a1b2c3d4"})
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_unauthenticated() {
    let emulator = Emulator::start();
    for key in [None, Some("ps_test_api_key_0002"), Some("")] {
        let response = emulator.post_session(key, &valid_body()).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "key {key:?}");
        assert_eq!(
            json_of(response).await,
            json!({"message": "Unauthenticated."})
        );
    }
    let basic = emulator
        .http()
        .post(format!("{}/api/oauth/delegate/sessions", emulator.url))
        .header("Authorization", format!("Basic {}", emulator.api_key))
        .body(valid_body().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn each_bad_field_gets_its_own_validation_message() {
    let emulator = Emulator::start();
    let key = Some(emulator.api_key.as_str());
    let long_state = "s".repeat(256);
    let cases = [
        ("platform", json!(null), "The platform field is required."),
        (
            "platform",
            json!("bluesky"),
            "The selected platform is invalid.",
        ),
        (
            "platform",
            json!("TikTok"),
            "The selected platform is invalid.",
        ),
        (
            "callback_url",
            json!(""),
            "The callback url field is required.",
        ),
        (
            "callback_url",
            json!("/relative/cb"),
            "The callback url field must be a valid URL.",
        ),
        (
            "callback_url",
            json!("javascript:alert(1)"),
            "The callback url field must be a valid URL.",
        ),
        (
            "callback_url",
            json!("ftp://app.example/cb"),
            "The callback url field must be a valid URL.",
        ),
        ("state", json!(""), "The state field is required."),
        ("state", json!(12), "The state field must be a string."),
        (
            "state",
            json!(long_state),
            "The state field must not be greater than 255 characters.",
        ),
    ];
    for (field, value, message) in cases {
        let mut body = valid_body();
        body[field] = value;
        let response = emulator.post_session(key, &body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={}",
            body[field]
        );
        let answer = json_of(response).await;
        assert_eq!(
            answer["errors"],
            json!({ field: [message] }),
            "{field}={}",
            body[field]
        );
        assert_eq!(answer["message"], message);
    }
}

#[tokio::test]
async fn a_body_without_fields_lists_every_field() {
    let emulator = Emulator::start();
    let response = emulator
        .post_session(Some(&emulator.api_key), &json!("not an object"))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer = json_of(response).await;
    let fields: Vec<&String> = answer["errors"].as_object().unwrap().keys().collect();
    assert_eq!(fields, ["callback_url", "platform", "state"]);
    assert_eq!(
        answer["message"],
        "The platform field is required. (and 2 more errors)"
    );
}

#[tokio::test]
async fn a_valid_request_gets_a_single_use_authorize_url_on_the_emulator() {
    let emulator = Emulator::start();
    let mut tokens = Vec::new();
    for platform in [
        "tiktok",
        "instagram",
        "twitter",
        "linkedin",
        "youtube",
        "facebook",
        "pinterest",
        "threads",
    ] {
        let mut body = valid_body();
        body["platform"] = platform.into();
        let response = emulator.post_session(Some(&emulator.api_key), &body).await;
        assert_eq!(response.status(), StatusCode::OK, "{platform}");
        let session = json_of(response).await;
        assert_eq!(session.as_object().unwrap().len(), 2, "{session}");
        assert_eq!(session["expires_in"], 900);
        let authorize_url = session["authorize_url"].as_str().unwrap();
        let prefix = format!("{}/oauth/delegate?request=psd_", emulator.url);
        let token = authorize_url
            .strip_prefix(&prefix)
            .expect("an emulator authorize URL");
        // At least 128 random bits, URL-safe, and nothing of the request leaks into it.
        assert!(token.len() >= 22, "{token}");
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert!(!authorize_url.contains("app.example") && !authorize_url.contains(platform));
        tokens.push(token.to_owned());
    }
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 8, "tokens repeat");
}

#[tokio::test]
async fn unknown_api_routes_answer_json_404() {
    let emulator = Emulator::start();
    let response = emulator
        .get(&format!("{}/api/nothing/here", emulator.url))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        json_of(response).await,
        json!({"message": "The route api/nothing/here could not be found."})
    );
}

#[tokio::test]
async fn the_root_page_tells_a_person_where_to_start() {
    let emulator = Emulator::start();
    let response = emulator.get(&format!("{}/", emulator.url)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("{}/api/oauth/delegate/sessions", emulator.url)));
}

#[test]
fn sigterm_stops_the_emulator_cleanly() {
    let emulator = Emulator::start();
    assert!(
        emulator.terminate(),
        "the emulator should exit 0 on SIGTERM"
    );
}
