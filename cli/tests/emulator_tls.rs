//! `emulate --tls`: HTTPS on loopback with the certificate it writes out. A client that trusts
//! that certificate creates sessions and approves them over TLS; one that does not gets a
//! `transport` error; `--tls-cert-out` without `--tls` is a usage error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

mod emulator_support;

use std::process::{Command, Stdio};

use emulator_support::{Emulator, CLI};
use postsyncer_delegation::{ApiErrorKind, Client, Platform, Verifier};

const CALLBACK: &str = "https://app.example/callback";

/// An HTTPS emulator and the PEM certificate it wrote (read, then removed).
fn tls_emulator() -> (Emulator, Vec<u8>) {
    let cert_path = std::env::temp_dir().join(format!(
        "psd-emulator-{}-{}.pem",
        std::process::id(),
        postsyncer_delegation::generate_state().unwrap()
    ));
    let emulator = Emulator::start_with(&["--tls", "--tls-cert-out", cert_path.to_str().unwrap()]);
    let pem = std::fs::read(&cert_path).expect("the certificate was written before serving");
    std::fs::remove_file(&cert_path).unwrap();
    (emulator, pem)
}

#[tokio::test]
async fn a_client_that_trusts_the_certificate_runs_the_flow_over_https() {
    let (emulator, pem) = tls_emulator();
    assert!(
        emulator.url.starts_with("https://127.0.0.1:"),
        "{}",
        emulator.url
    );
    assert!(String::from_utf8_lossy(&pem).starts_with("-----BEGIN CERTIFICATE-----"));

    let client = Client::builder(emulator.api_key.as_str())
        .base_url(format!("{}/api", emulator.url))
        .add_root_certificate_pem(&pem)
        .build()
        .unwrap();
    let session = client
        .create_session(Platform::Tiktok, CALLBACK, Some("tls-state"))
        .await
        .unwrap();
    let consent_page = format!("{}/oauth/delegate?request=psd_", emulator.url);
    assert!(
        session.authorize_url.starts_with(&consent_page),
        "{}",
        session.authorize_url
    );

    // The consent redirect comes over TLS too, and its proof verifies.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let approval = browser
        .get(format!("{}&decision=approve", session.authorize_url))
        .send()
        .await
        .unwrap();
    let callback = approval.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap();
    let proof = Verifier::new([emulator.signing_secret.as_str()])
        .unwrap()
        .verify(callback, "tls-state", Some(Platform::Tiktok))
        .unwrap();
    assert_eq!(proof.handle, "jane");
    assert!(emulator.terminate());
}

#[test]
fn a_client_that_does_not_trust_the_certificate_gets_transport() {
    let (emulator, _pem) = tls_emulator();
    let client = Client::builder(emulator.api_key.as_str())
        .base_url(format!("{}/api", emulator.url))
        .build()
        .unwrap();
    let error = client
        .create_session_blocking(Platform::Tiktok, CALLBACK, None)
        .unwrap_err();
    assert_eq!(error.kind(), ApiErrorKind::Transport, "{error}");
    assert!(
        error.message().contains("add_root_certificate_pem"),
        "{error}"
    );
    assert!(emulator.terminate());
}

#[test]
fn tls_cert_out_without_tls_is_a_usage_error() {
    let status = Command::new(CLI)
        .args([
            "emulate",
            "--addr",
            "127.0.0.1:0",
            "--tls-cert-out",
            "/dev/null",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}
