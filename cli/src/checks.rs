//! The per-check report of one verification (for `verify` and the emulator's tester).
//!
//! It is read off the core's single result, never recomputed: the core runs the checks in
//! protocol order and stops at the first failure, so the error's kind says which check
//! failed, every check before it passed and every check after it was not reached.

use postsyncer_delegation::{Platform, Proof, VerifyError, VerifyErrorKind};
use serde_json::{json, Map, Value};

/// The checks of protocol.md §2, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Check {
    Parameters,
    Signature,
    Platform,
    State,
    Expiry,
}

impl Check {
    pub const ALL: [Check; 5] = [
        Check::Parameters,
        Check::Signature,
        Check::Platform,
        Check::State,
        Check::Expiry,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Check::Parameters => "parameters",
            Check::Signature => "signature",
            Check::Platform => "platform",
            Check::State => "state",
            Check::Expiry => "expiry",
        }
    }

    /// The check whose failure produces this error kind.
    fn failed_by(kind: VerifyErrorKind) -> Check {
        match kind {
            VerifyErrorKind::AuthorizationDenied
            | VerifyErrorKind::MissingParameter
            | VerifyErrorKind::DuplicateParameter
            | VerifyErrorKind::MalformedParameter => Check::Parameters,
            VerifyErrorKind::BadSignature => Check::Signature,
            VerifyErrorKind::UnsupportedPlatform | VerifyErrorKind::PlatformMismatch => {
                Check::Platform
            }
            VerifyErrorKind::StateMismatch => Check::State,
            VerifyErrorKind::Expired | VerifyErrorKind::ExpiryTooFar => Check::Expiry,
        }
    }

    /// Why the check passed, with the proof's values when the whole verification succeeded.
    fn passed_because(self, proof: Option<&Proof>, expected_platform: Option<Platform>) -> String {
        match (self, proof) {
            (Check::Parameters, _) => {
                "all six proof parameters are present once and well formed".to_owned()
            }
            (Check::Signature, _) => "the signature matches a configured signing secret".to_owned(),
            (Check::Platform, _) => match expected_platform {
                Some(expected) => format!("{expected}, the platform the session was created for"),
                None => "a supported platform (no expected platform was given)".to_owned(),
            },
            (Check::State, _) => "the state is the one issued for this session".to_owned(),
            (Check::Expiry, Some(p)) => format!(
                "expires at {} (unix seconds), not past and not too far ahead",
                p.expires
            ),
            (Check::Expiry, None) => "not past and not too far ahead".to_owned(),
        }
    }
}

/// How one check went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed(String),
    Failed(String),
    NotReached,
}

impl Outcome {
    pub const fn status(&self) -> &'static str {
        match self {
            Outcome::Passed(_) => "passed",
            Outcome::Failed(_) => "failed",
            Outcome::NotReached => "not reached",
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            Outcome::Passed(why) | Outcome::Failed(why) => why,
            Outcome::NotReached => "an earlier check failed",
        }
    }
}

/// Every check with its outcome, in order; `expected_platform` is the one verification was
/// given, if any.
pub fn checks_of(
    result: &Result<Proof, VerifyError>,
    expected_platform: Option<Platform>,
) -> Vec<(Check, Outcome)> {
    let failed = result
        .as_ref()
        .err()
        .map(|e| (Check::failed_by(e.kind()), e));
    Check::ALL
        .into_iter()
        .map(|check| {
            let outcome = match failed {
                None => {
                    Outcome::Passed(check.passed_because(result.as_ref().ok(), expected_platform))
                }
                Some((at, _)) if check < at => {
                    Outcome::Passed(check.passed_because(None, expected_platform))
                }
                Some((at, error)) if check == at => Outcome::Failed(error.message().to_owned()),
                Some(_) => Outcome::NotReached,
            };
            (check, outcome)
        })
        .collect()
}

/// The result in the conformance-vector form: `{"ok": proof}` or
/// `{"error": kind, "parameter"?, "code"?, "message"}`.
pub fn result_json(result: &Result<Proof, VerifyError>) -> Value {
    match result {
        Ok(p) => json!({"ok": {
            "platform": p.platform.as_str(),
            "platform_id": p.platform_id,
            "handle": p.handle,
            "state": p.state,
            "expires": p.expires,
        }}),
        Err(e) => {
            let mut fields = Map::new();
            fields.insert("error".to_owned(), e.kind().as_str().into());
            if let Some(parameter) = e.parameter() {
                fields.insert("parameter".to_owned(), parameter.into());
            }
            if let Some(code) = e.code() {
                fields.insert("code".to_owned(), code.into());
            }
            fields.insert("message".to_owned(), e.message().into());
            Value::Object(fields)
        }
    }
}

/// The checks as JSON: `[{"check", "status", "detail"}]`.
pub fn checks_json(checks: &[(Check, Outcome)]) -> Value {
    checks
        .iter()
        .map(|(check, outcome)| {
            json!({"check": check.as_str(), "status": outcome.status(), "detail": outcome.detail()})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use postsyncer_delegation::Verifier;

    const VALID: &str = "platform=tiktok&platform_id=_000abc&handle=jane&state=a1b2c3d4\
        &expires=1717000000&sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";

    fn statuses(state: &str, now: i64) -> Vec<&'static str> {
        let verifier = Verifier::new(["ps_test_signing_secret_0001"]).unwrap();
        let result = verifier.verify_at(VALID, state, None, now);
        checks_of(&result, None)
            .iter()
            .map(|(_, o)| o.status())
            .collect()
    }

    #[test]
    fn a_valid_proof_passes_every_check() {
        assert_eq!(statuses("a1b2c3d4", 1_716_999_940), ["passed"; 5]);
    }

    #[test]
    fn checks_before_the_failure_pass_and_after_it_are_not_reached() {
        assert_eq!(
            statuses("other", 1_716_999_940),
            ["passed", "passed", "passed", "failed", "not reached"]
        );
        assert_eq!(
            statuses("a1b2c3d4", 1_717_000_001),
            ["passed", "passed", "passed", "passed", "failed"]
        );
    }
}
