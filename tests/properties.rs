//! Property tests: signing and verifying round-trip for arbitrary field values, and no change
//! to a signed callback yields a different accepted proof.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use postsyncer_delegation::{sign_proof, Platform, Proof, Verifier, VerifyErrorKind};
use proptest::prelude::*;

const SECRET: &str = "ps_test_signing_secret_0001";
const NOW: i64 = 1_716_999_940;

fn platform() -> impl Strategy<Value = Platform> {
    proptest::sample::select(Platform::ALL.to_vec())
}

/// Text that stresses the encoding: separators, escapes, spaces and non-ASCII.
fn field_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('&'),
            Just('='),
            Just('+'),
            Just('%'),
            Just(' '),
            Just('#'),
            Just('?'),
            Just('é'),
            Just('€'),
            Just('😀'),
            proptest::char::range('a', 'z'),
            proptest::char::range('0', '9'),
            any::<char>(),
        ],
        0..24,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn non_empty_text() -> impl Strategy<Value = String> {
    field_text().prop_filter("non-empty", |s| !s.is_empty())
}

fn proof() -> impl Strategy<Value = Proof> {
    (
        platform(),
        non_empty_text(),
        field_text(),
        non_empty_text(),
        NOW..NOW + 3600,
    )
        .prop_map(|(platform, platform_id, handle, state, expires)| Proof {
            platform,
            platform_id,
            handle,
            state,
            expires,
        })
}

fn verifier() -> Verifier {
    Verifier::new([SECRET]).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn signed_proofs_verify_to_the_same_fields(proof in proof()) {
        let query = sign_proof(SECRET, &proof).unwrap();
        let got = verifier().verify_at(&query, &proof.state, Some(proof.platform), NOW).unwrap();
        prop_assert_eq!(got, proof);
    }

    #[test]
    fn a_full_callback_url_verifies_like_its_query(proof in proof()) {
        let query = sign_proof(SECRET, &proof).unwrap();
        let url = format!("https://app.example/cb?{query}#after");
        prop_assert_eq!(verifier().verify_at(&url, &proof.state, None, NOW).unwrap(), proof);
    }

    /// Changing any one byte of the query either is rejected or, where the change keeps
    /// every decoded value (e.g. `%41` ↔ `A`), yields exactly the original proof.
    #[test]
    fn no_byte_change_yields_a_different_proof(
        proof in proof(),
        position in any::<prop::sample::Index>(),
        replacement in any::<u8>(),
    ) {
        let query = sign_proof(SECRET, &proof).unwrap();
        let mut bytes = query.into_bytes();
        let i = position.index(bytes.len());
        prop_assume!(bytes[i] != replacement);
        bytes[i] = replacement;
        let Ok(mutated) = String::from_utf8(bytes) else { return Ok(()) };
        if let Ok(got) = verifier().verify_at(&mutated, &proof.state, None, NOW) {
            prop_assert_eq!(got, proof);
        }
    }

    /// Changing a decoded value of any signed field is a bad signature (or a malformed
    /// parameter when the change breaks the field's form), never an accepted proof.
    #[test]
    fn changing_any_signed_value_is_rejected(proof in proof(), field in 0usize..5, extra in non_empty_text()) {
        let query = sign_proof(SECRET, &proof).unwrap();
        let sig = query.rsplit_once("&sig=").unwrap().1.to_owned();
        let mut tampered = proof.clone();
        match field {
            0 => tampered.platform = Platform::ALL[(Platform::ALL.iter().position(|p| *p == proof.platform).unwrap() + 1) % 8],
            1 => tampered.platform_id.push_str(&extra),
            2 => tampered.handle.push_str(&extra),
            3 => tampered.state.push_str(&extra),
            _ => tampered.expires += 1,
        }
        let resigned = sign_proof("another secret", &tampered).unwrap();
        let forged = format!("{}&sig={sig}", resigned.rsplit_once("&sig=").unwrap().0);
        let err = verifier().verify_at(&forged, &tampered.state, None, NOW).unwrap_err();
        prop_assert_eq!(err.kind(), VerifyErrorKind::BadSignature);
    }

    /// Arbitrary input never panics and always yields a proof or a typed error.
    #[test]
    fn arbitrary_input_never_panics(input in ".{0,300}", state in ".{0,20}") {
        let _ = verifier().verify_at(&input, &state, None, NOW);
    }
}

#[test]
fn rotation_accepts_either_secret_and_rejects_others() {
    let proof = Proof {
        platform: Platform::Threads,
        platform_id: "1789".into(),
        handle: "a&b=c".into(),
        state: "s".into(),
        expires: NOW + 300,
    };
    let both = Verifier::new(["old secret", "new secret"]).unwrap();
    for secret in ["old secret", "new secret"] {
        let query = sign_proof(secret, &proof).unwrap();
        assert_eq!(both.verify_at(&query, "s", None, NOW).unwrap(), proof);
    }
    let query = sign_proof("third secret", &proof).unwrap();
    assert_eq!(
        both.verify_at(&query, "s", None, NOW).unwrap_err().kind(),
        VerifyErrorKind::BadSignature
    );
}
