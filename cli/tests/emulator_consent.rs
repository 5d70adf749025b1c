//! The consent page and its decisions over real sockets: the page's content and escaping,
//! signed approvals verified by the core, denials, single-use tokens, scripted identities.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly
mod emulator_support;

use emulator_support::{location, Emulator, CLI};
use postsyncer_delegation::{unix_now, Platform, Verifier, VerifyErrorKind};
use reqwest::{header, StatusCode};

const CALLBACK: &str = "https://app.example:8443/auth/cb";

fn verifier(emulator: &Emulator) -> Verifier {
    Verifier::new([emulator.signing_secret.as_str()]).unwrap()
}

#[tokio::test]
async fn the_page_shows_platform_callback_host_identities_and_both_choices() {
    let emulator = Emulator::start();
    let authorize_url = emulator.authorize_url("twitter", CALLBACK, "s1").await;
    let response = emulator.get(&authorize_url).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let page = response.text().await.unwrap();
    assert!(page.contains("X (Twitter)"));
    assert!(page.contains("app.example:8443"));
    assert!(
        page.contains("value=\"1456789012345678901\""),
        "the default X identity"
    );
    assert!(page.contains("value=\"approve\"") && page.contains("value=\"deny\""));
    assert!(
        !page.contains("src=") && !page.contains("href="),
        "no external assets"
    );
}

#[tokio::test]
async fn approval_redirects_with_a_proof_the_core_verifies() {
    let emulator = Emulator::start();
    let authorize_url = emulator.authorize_url("tiktok", CALLBACK, "a1b2c3d4").await;
    let approving_from = unix_now();
    let callback = emulator.approve(&authorize_url).await;
    let approved_by = unix_now();
    assert!(callback.starts_with(&format!(
        "{CALLBACK}?platform=tiktok&platform_id=_000abc&handle=jane&state=a1b2c3d4&expires="
    )));
    let proof = verifier(&emulator)
        .verify(&callback, "a1b2c3d4", Some(Platform::Tiktok))
        .unwrap();
    assert_eq!(proof.platform_id, "_000abc");
    assert_eq!(proof.handle, "jane");
    // Genuine proofs expire five minutes after they are signed.
    assert!((approving_from + 300..=approved_by + 300).contains(&proof.expires));
}

#[tokio::test]
async fn a_callback_url_with_a_query_gets_the_proof_appended_with_an_ampersand() {
    let emulator = Emulator::start();
    let callback_url = "https://app.example/cb?session=42";
    let authorize_url = emulator.authorize_url("youtube", callback_url, "st").await;
    let callback = emulator.approve(&authorize_url).await;
    assert!(callback.starts_with("https://app.example/cb?session=42&platform=youtube&"));
    verifier(&emulator)
        .verify(&callback, "st", Some(Platform::Youtube))
        .unwrap();
}

#[tokio::test]
async fn denial_redirects_with_an_oauth_error_and_the_state() {
    let emulator = Emulator::start();
    let authorize_url = emulator.authorize_url("tiktok", CALLBACK, "a b&c").await;
    let callback = location(&emulator.decide(&authorize_url, "deny").await);
    assert_eq!(
        callback,
        format!("{CALLBACK}?error=access_denied&error_description=The+user+denied+the+authorization+request.&state=a+b%26c")
    );
    let denied = verifier(&emulator)
        .verify(&callback, "a b&c", None)
        .unwrap_err();
    assert_eq!(denied.kind(), VerifyErrorKind::AuthorizationDenied);
    assert_eq!(denied.code(), Some("access_denied"));
}

#[tokio::test]
async fn a_token_works_once_then_answers_410_and_unknown_tokens_404() {
    let emulator = Emulator::start();
    let authorize_url = emulator.authorize_url("tiktok", CALLBACK, "s").await;
    emulator.approve(&authorize_url).await;
    assert_eq!(
        emulator.get(&authorize_url).await.status(),
        StatusCode::GONE
    );
    for decision in ["approve", "deny"] {
        let again = emulator.decide(&authorize_url, decision).await;
        assert_eq!(again.status(), StatusCode::GONE);
        assert!(again.text().await.unwrap().contains("already used"));
    }
    let unknown = format!("{}/oauth/delegate?request=psd_unknown", emulator.url);
    assert_eq!(emulator.get(&unknown).await.status(), StatusCode::NOT_FOUND);
    let missing = format!("{}/oauth/delegate", emulator.url);
    assert_eq!(emulator.get(&missing).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_decision_or_identity_is_refused_without_spending_the_token() {
    let emulator = Emulator::start();
    let authorize_url = emulator.authorize_url("tiktok", CALLBACK, "s").await;
    let bad_decision = emulator.decide(&authorize_url, "maybe").await;
    assert_eq!(bad_decision.status(), StatusCode::BAD_REQUEST);
    let bad_identity = emulator
        .get(&format!("{authorize_url}&decision=approve&identity=nobody"))
        .await;
    assert_eq!(bad_identity.status(), StatusCode::BAD_REQUEST);
    emulator.approve(&authorize_url).await;
}

#[tokio::test]
async fn the_consent_form_posts_the_decision() {
    let emulator = Emulator::start();
    let authorize_url = emulator.authorize_url("tiktok", CALLBACK, "s").await;
    let token = authorize_url.split("request=").nth(1).unwrap();
    let response = emulator
        .http()
        .post(format!("{}/oauth/delegate", emulator.url))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("request={token}&identity=_000abc&decision=approve"))
        .send()
        .await
        .unwrap();
    let callback = location(&response);
    verifier(&emulator).verify(&callback, "s", None).unwrap();
}

#[tokio::test]
async fn identities_come_from_a_file_and_are_escaped_on_the_page() {
    let dir = std::env::temp_dir().join(format!("psd-identities-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("identities.json");
    std::fs::write(
        &file,
        r#"[{"platform": "tiktok", "platform_id": "_111", "handle": "<b>bold</b>"},
            {"platform": "tiktok", "platform_id": "_222", "handle": "a&state=x"}]"#,
    )
    .unwrap();
    let emulator = Emulator::start_with(&["--identities", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();

    let authorize_url = emulator.authorize_url("tiktok", CALLBACK, "s").await;
    let page = emulator.get(&authorize_url).await.text().await.unwrap();
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;") && !page.contains("<b>bold"));
    assert!(page.contains("value=\"_111\"") && page.contains("value=\"_222\""));
    assert!(
        !page.contains("_000abc"),
        "the file replaces TikTok's default"
    );

    let chosen = emulator
        .get(&format!("{authorize_url}&decision=approve&identity=_222"))
        .await;
    let proof = verifier(&emulator)
        .verify(&location(&chosen), "s", None)
        .unwrap();
    assert_eq!(
        (proof.platform_id.as_str(), proof.handle.as_str()),
        ("_222", "a&state=x")
    );

    // Platforms the file does not mention keep their default identity.
    let instagram = emulator.authorize_url("instagram", CALLBACK, "s").await;
    let proof = verifier(&emulator)
        .verify(&emulator.approve(&instagram).await, "s", None)
        .unwrap();
    assert_eq!(proof.platform_id, "17841400000000001");
}

#[test]
fn a_bad_identities_file_is_refused_at_start() {
    let output = std::process::Command::new(CLI)
        .args([
            "emulate",
            "--addr",
            "127.0.0.1:0",
            "--identities",
            "/nonexistent.json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent.json"));
}
