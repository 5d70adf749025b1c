//! Every conformance vector of `tests/vectors/verify.json` against the core, and the check
//! that the project's copy still equals `../shared/conformance/verify.json`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly
use std::path::{Path, PathBuf};
use std::time::Duration;

use postsyncer_delegation::{Platform, Verifier};
use serde_json::Value;

fn vectors_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/verify.json")
}

/// The cases to run: the project's vectors, or the file named by `PSD_VECTORS` (the
/// differential test's generated cases, scripts/test-differential).
fn load_cases() -> Vec<Value> {
    let path = std::env::var_os("PSD_VECTORS").map_or_else(vectors_path, PathBuf::from);
    let text = std::fs::read_to_string(path).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], "postsyncer-delegation/verify-vectors/v1");
    doc["cases"].as_array().unwrap().clone()
}

fn verifier_for(case: &Value) -> Verifier {
    let mut builder = Verifier::builder();
    for secret in case["secrets"].as_array().unwrap() {
        builder = builder.secret(secret.as_str().unwrap());
    }
    if let Some(leeway) = case.get("leeway") {
        builder = builder.leeway(Duration::from_secs(leeway.as_u64().unwrap()));
    }
    if let Some(max_lifetime) = case.get("max_lifetime") {
        builder = builder.max_lifetime(max_lifetime.as_u64().map(Duration::from_secs));
    }
    builder.build().unwrap()
}

#[test]
fn every_vector_gives_its_expected_result() {
    let cases = load_cases();
    assert!(cases.len() >= 60, "the vector file lost cases");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let expected_platform = case
            .get("expected_platform")
            .map(|p| p.as_str().unwrap().parse::<Platform>().unwrap());
        let got = verifier_for(case).verify_at(
            case["input"].as_str().unwrap(),
            case["expected_state"].as_str().unwrap(),
            expected_platform,
            case["now"].as_i64().unwrap(),
        );
        let got = match got {
            Ok(p) => serde_json::json!({"ok": {
                "platform": p.platform.as_str(), "platform_id": p.platform_id,
                "handle": p.handle, "state": p.state, "expires": p.expires}}),
            Err(e) => {
                let mut v = serde_json::json!({"error": e.kind().as_str()});
                if let Some(p) = e.parameter() {
                    v["parameter"] = p.into();
                }
                if let Some(c) = e.code() {
                    v["code"] = c.into();
                }
                assert!(!e.message().is_empty(), "{name}: empty message");
                v
            }
        };
        if got != case["result"] {
            failures.push(format!("{name}: expected {} got {got}", case["result"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn project_copy_of_vectors_equals_shared_copy() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/verify.json");
    if !shared.exists() {
        eprintln!("../shared/conformance/verify.json is absent: nothing to compare");
        return;
    }
    let ours = std::fs::read(vectors_path()).unwrap();
    let theirs = std::fs::read(&shared).unwrap();
    assert!(
        ours == theirs,
        "tests/vectors/verify.json differs from ../shared/conformance/verify.json: copy the shared file over it"
    );
}
