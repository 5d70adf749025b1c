//! `postsyncer-delegate verify` over every conformance vector, through the built binary:
//! `--json` must print the case's result (plus a message) and exit 0 or 1; usage and
//! configuration errors exit 2; the readable report marks each check.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const CLI: &str = env!("CARGO_BIN_EXE_postsyncer-delegate");

fn cases() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/verify.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

/// `verify --json` for one case; secrets travel in environment variables, as users pass them.
fn verify_case(case: &Value) -> Output {
    let mut command = Command::new(CLI);
    command.arg("verify").arg("--json");
    for (i, secret) in case["secrets"].as_array().unwrap().iter().enumerate() {
        let name = format!("PSD_VECTOR_SECRET_{i}");
        command.env(&name, secret.as_str().unwrap());
        command.args(["--secret-env", &name]);
    }
    command.args(["--state", case["expected_state"].as_str().unwrap()]);
    command.args(["--now", &case["now"].to_string()]);
    if let Some(platform) = case.get("expected_platform") {
        command.args(["--platform", platform.as_str().unwrap()]);
    }
    if let Some(leeway) = case.get("leeway") {
        command.args(["--leeway", &leeway.to_string()]);
    }
    match case.get("max_lifetime") {
        Some(Value::Null) => command.args(["--max-lifetime", "none"]),
        Some(secs) => command.args(["--max-lifetime", &secs.to_string()]),
        None => &mut command,
    };
    command.arg("--").arg(case["input"].as_str().unwrap());
    command.output().unwrap()
}

#[test]
fn json_output_agrees_with_every_vector() {
    let cases = cases();
    assert!(cases.len() >= 60, "the vector file lost cases");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let output = verify_case(case);
        let stdout = String::from_utf8(output.stdout).unwrap();
        let mut got: Value = match serde_json::from_str(&stdout) {
            Ok(got) => got,
            Err(e) => {
                failures.push(format!(
                    "{name}: stdout is not one JSON object ({e}): {stdout:?}"
                ));
                continue;
            }
        };
        let expected_exit = if case["result"].get("ok").is_some() {
            0
        } else {
            1
        };
        if output.status.code() != Some(expected_exit) {
            failures.push(format!(
                "{name}: exit {:?}, expected {expected_exit}",
                output.status.code()
            ));
        }
        if let Some(fields) = got.as_object_mut().filter(|f| f.contains_key("error")) {
            match fields.remove("message") {
                Some(Value::String(m)) if !m.is_empty() => {}
                other => failures.push(format!("{name}: no message, got {other:?}")),
            }
        }
        if got != case["result"] {
            failures.push(format!("{name}: expected {} got {got}", case["result"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const VALID: &str = "platform=tiktok&platform_id=_000abc&handle=jane&state=a1b2c3d4\
    &expires=1717000000&sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";
const SECRET: &str = "ps_test_signing_secret_0001";

fn verify(args: &[&str], secret: Option<&str>) -> Output {
    let mut command = Command::new(CLI);
    command.arg("verify").args(args).env_remove("PSD_SECRET");
    if let Some(secret) = secret {
        command.env("PSD_SECRET", secret);
    }
    command.output().unwrap()
}

#[test]
fn usage_and_configuration_errors_exit_2_without_leaking_secrets() {
    let state = ["--state", "a1b2c3d4", "--", VALID];
    let no_secret = verify(&state, None);
    assert_eq!(no_secret.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_secret.stderr).contains("--secret-env"));

    let unset = verify(
        &["--secret-env", "PSD_SECRET", "--state", "a1b2c3d4", VALID],
        None,
    );
    assert_eq!(unset.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unset.stderr).contains("PSD_SECRET is not set"));

    let empty = verify(
        &["--secret-env", "PSD_SECRET", "--state", "a1b2c3d4", VALID],
        Some(""),
    );
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("empty"));

    let bad_platform = verify(
        &[
            "--secret-env",
            "PSD_SECRET",
            "--state",
            "s",
            "--platform",
            "x",
            VALID,
        ],
        Some(SECRET),
    );
    assert_eq!(bad_platform.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&bad_platform.stderr).contains(SECRET));

    let bad_lifetime = verify(
        &[
            "--secret-env",
            "PSD_SECRET",
            "--state",
            "s",
            "--max-lifetime",
            "forever",
            VALID,
        ],
        Some(SECRET),
    );
    assert_eq!(bad_lifetime.status.code(), Some(2));

    let missing_file = verify(
        &[
            "--secret-file",
            "/nonexistent/secret",
            "--state",
            "s",
            VALID,
        ],
        None,
    );
    assert_eq!(missing_file.status.code(), Some(2));
}

#[test]
fn a_secret_file_is_read_without_its_trailing_newline() {
    let dir = std::env::temp_dir().join(format!("psd-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("secret");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let output = verify(
        &[
            "--secret-file",
            file.to_str().unwrap(),
            "--state",
            "a1b2c3d4",
            "--now",
            "1716999940",
            VALID,
        ],
        None,
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_readable_report_marks_each_check() {
    let args = [
        "--secret-env",
        "PSD_SECRET",
        "--state",
        "other",
        "--now",
        "1716999940",
        VALID,
    ];
    let output = verify(&args, Some(SECRET));
    assert_eq!(output.status.code(), Some(1));
    let report = String::from_utf8(output.stdout).unwrap();
    let status_of = |check: &str| {
        let line = report.lines().find(|l| l.starts_with(check)).unwrap();
        line[check.len()..].trim_start().to_owned()
    };
    assert!(status_of("parameters").starts_with("passed"));
    assert!(status_of("signature").starts_with("passed"));
    assert!(status_of("platform").starts_with("passed"));
    assert!(status_of("state").starts_with("failed"));
    assert!(status_of("expiry").starts_with("not reached"));
    assert!(report.contains("rejected: state_mismatch"));

    let ok = verify(
        &[
            "--secret-env",
            "PSD_SECRET",
            "--state",
            "a1b2c3d4",
            "--now",
            "1716999940",
            VALID,
        ],
        Some(SECRET),
    );
    assert_eq!(ok.status.code(), Some(0));
    let report = String::from_utf8(ok.stdout).unwrap();
    assert_eq!(
        report.lines().filter(|l| l.contains(" passed ")).count(),
        5,
        "{report}"
    );
    assert!(report.contains("_000abc"));
}

/// `sign` with the test secret in `PSD_SECRET`.
fn sign(args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("sign")
        .args(["--secret-env", "PSD_SECRET"])
        .args(args)
        .env("PSD_SECRET", SECRET)
        .output()
        .unwrap()
}

fn json_stdout(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// One base64url state in 64 begins with `-` (`generate_state()` makes such states): the
/// CLI must take it as the value of `--state`, in both forms, not as an unknown flag.
#[test]
fn a_state_beginning_with_a_hyphen_is_a_value() {
    let state = "-Ab3xY_9q";
    let signed = sign(&[
        "--platform",
        "tiktok",
        "--platform-id",
        "-000abc",
        "--handle",
        "-jane",
        "--state",
        state,
        "--expires",
        "1717000000",
    ]);
    assert_eq!(
        signed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let query = String::from_utf8(signed.stdout).unwrap().trim().to_owned();
    assert!(query.contains("state=-Ab3xY_9q"), "{query}");

    let state_eq = format!("--state={state}");
    for state_args in [vec!["--state", state], vec![state_eq.as_str()]] {
        let mut args = vec![
            "--secret-env",
            "PSD_SECRET",
            "--json",
            "--now",
            "1716999940",
        ];
        args.extend(&state_args);
        args.push(&query);
        let output = verify(&args, Some(SECRET));
        assert_eq!(
            output.status.code(),
            Some(0),
            "{state_args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let proof = &json_stdout(&output)["ok"];
        assert_eq!(proof["state"], state);
        assert_eq!(proof["platform_id"], "-000abc");
        assert_eq!(proof["handle"], "-jane");
    }

    // Another hyphen-led state is a mismatch (exit 1), not a usage error (exit 2).
    let other = verify(
        &[
            "--secret-env",
            "PSD_SECRET",
            "--json",
            "--now",
            "1716999940",
            "--state",
            "-x",
            &query,
        ],
        Some(SECRET),
    );
    assert_eq!(other.status.code(), Some(1));
    assert_eq!(json_stdout(&other)["error"], "state_mismatch");
}

/// `--now -5` is a time (before the epoch), and the contract decides: the vector proof
/// expires in 2024, more than 3600 s after it, so `expiry_too_far`; with no bound, valid.
#[test]
fn a_negative_now_is_a_time() {
    for now in [["--now", "-5"].as_slice(), ["--now=-5"].as_slice()] {
        let mut args = vec![
            "--secret-env",
            "PSD_SECRET",
            "--json",
            "--state",
            "a1b2c3d4",
        ];
        args.extend(now);
        let bounded = verify(&[args.as_slice(), &[VALID]].concat(), Some(SECRET));
        assert_eq!(
            bounded.status.code(),
            Some(1),
            "{now:?}: {}",
            String::from_utf8_lossy(&bounded.stderr)
        );
        assert_eq!(json_stdout(&bounded)["error"], "expiry_too_far");

        let unbounded = verify(
            &[args.as_slice(), &["--max-lifetime", "none", VALID]].concat(),
            Some(SECRET),
        );
        assert_eq!(unbounded.status.code(), Some(0), "{now:?}");
        assert_eq!(json_stdout(&unbounded)["ok"]["expires"], 1_717_000_000);
    }
}
