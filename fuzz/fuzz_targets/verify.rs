//! The callback parser and verifier (`Verifier::verify_at`) on arbitrary input, with a fixed
//! secret pair, state and clock. Besides "never panics", it checks what every outcome
//! promises:
//! - an accepted proof is for the expected state, has a non-empty `platform_id` and an expiry
//!   within the verifier's bounds, and signing it again (with either secret) gives a callback
//!   that verifies to the same proof;
//! - a rejection has a kind, the parameter its kind concerns, and a message safe to log.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use postsyncer_delegation::{sign_proof, Verifier, VerifyErrorKind, PROOF_PARAMETERS};
use postsyncer_delegation_fuzz::{assert_loggable, NOW, SECRETS, STATE};

fn verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| Verifier::new(SECRETS).expect("the fixed secrets are valid"))
}

fuzz_target!(|data: &[u8]| {
    // The verifier takes text: bytes that are not UTF-8 reach it as the replacement
    // character, so that no input is wasted (percent-escapes still carry any byte).
    let callback = String::from_utf8_lossy(data);
    let verifier = verifier();
    match verifier.verify_at(&callback, STATE, None, NOW) {
        Ok(proof) => {
            assert_eq!(proof.state, STATE);
            assert!(!proof.platform_id.is_empty());
            let max_lifetime = verifier.max_lifetime_seconds().expect("the default bound") as i64;
            assert!(proof.expires >= NOW && proof.expires <= NOW + max_lifetime);
            for secret in SECRETS {
                let query = sign_proof(secret, &proof).expect("a fixed secret signs");
                let again = verifier.verify_at(&query, STATE, Some(proof.platform), NOW);
                assert_eq!(again.as_ref(), Ok(&proof), "re-signed as {query}");
            }
        }
        Err(error) => {
            assert_loggable(error.kind().as_str(), error.message());
            match error.kind() {
                VerifyErrorKind::AuthorizationDenied => {
                    assert!(error.code().is_some());
                    assert_eq!(error.parameter(), None);
                }
                VerifyErrorKind::BadSignature => assert_eq!(error.parameter(), None),
                VerifyErrorKind::MissingParameter
                | VerifyErrorKind::DuplicateParameter
                | VerifyErrorKind::MalformedParameter => {
                    let parameter = error.parameter().expect("the parameter concerned");
                    assert!(PROOF_PARAMETERS.contains(&parameter));
                }
                _ => assert!(error.parameter().is_some()),
            }
            if error.kind() != VerifyErrorKind::AuthorizationDenied {
                assert_eq!(error.code(), None);
            }
        }
    }
});
