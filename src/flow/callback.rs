//! Reading the state from a callback before anything else (protocol.md §5 step 1), with the
//! verifier's own parsing (`crate::form`) and its error kinds.

use crate::error::{VerifyError, VerifyErrorKind};
use crate::form::{query_of, raw_pairs, DecodeError};

/// What the callback says about its state.
pub(crate) enum StateRead {
    /// Exactly one non-empty, decodable `state`.
    State(String),
    /// No usable state; `denied` when the callback carries an OAuth `error` (then §2's
    /// `authorization_denied` decides, as its step 2 comes before the parameters).
    Unusable { error: VerifyError, denied: bool },
}

/// The callback's `state` per §2 steps 1, 3 and 4: absent → `missing_parameter`, more than
/// once → `duplicate_parameter`, badly encoded or empty → `malformed_parameter`.
pub(crate) fn read_state(callback: &str) -> StateRead {
    let mut first = None;
    let mut count = 0u32;
    let mut denied = false;
    for pair in raw_pairs(query_of(callback)) {
        // A key that does not decode cannot name a parameter of ours: ignored, as §2 says.
        let Ok(key) = pair.key() else { continue };
        match key.as_ref() {
            "state" => {
                count = count.saturating_add(1);
                first.get_or_insert(pair);
            }
            "error" => denied = true,
            _ => {}
        }
    }
    let unusable = |error| StateRead::Unusable { error, denied };
    let pair = match (first, count) {
        (Some(pair), 1) => pair,
        (None, _) => {
            return unusable(VerifyError::new(
                VerifyErrorKind::MissingParameter,
                Some("state"),
                "the callback has no `state` parameter: pass the whole callback URL or query \
                 string exactly as received",
            ))
        }
        (Some(_), n) => {
            return unusable(VerifyError::new(
                VerifyErrorKind::DuplicateParameter,
                Some("state"),
                format!(
                    "`state` appears {n} times in the callback; a genuine callback carries \
                     each parameter once, so this one was tampered with"
                ),
            ))
        }
    };
    let why = match pair.value() {
        Ok(value) if !value.is_empty() => return StateRead::State(value.into_owned()),
        Ok(_) => "is empty",
        Err(DecodeError::BadEscape) => "has a `%` not followed by two hex digits",
        Err(DecodeError::InvalidUtf8) => "does not decode to UTF-8 text",
    };
    unusable(VerifyError::new(
        VerifyErrorKind::MalformedParameter,
        Some("state"),
        format!("`state` {why}; the callback was altered or truncated on its way here"),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn kind_of(callback: &str) -> (VerifyErrorKind, bool) {
        match read_state(callback) {
            StateRead::State(s) => panic!("read {s:?}"),
            StateRead::Unusable { error, denied } => (error.kind(), denied),
        }
    }

    #[test]
    fn reads_the_one_state() {
        match read_state("https://a.example/cb?x=1&state=a%2Bb+c&sig=00") {
            StateRead::State(s) => assert_eq!(s, "a+b c"),
            StateRead::Unusable { error, .. } => panic!("{error}"),
        }
    }

    #[test]
    fn unusable_states_get_the_verifiers_kinds() {
        use VerifyErrorKind::*;
        assert_eq!(kind_of("?platform=tiktok"), (MissingParameter, false));
        assert_eq!(kind_of("?state=a&state=a"), (DuplicateParameter, false));
        assert_eq!(kind_of("?state="), (MalformedParameter, false));
        assert_eq!(kind_of("?state=%zz"), (MalformedParameter, false));
        assert_eq!(kind_of("?state=%ff"), (MalformedParameter, false));
        assert_eq!(kind_of("?error=access_denied"), (MissingParameter, true));
        assert_eq!(
            kind_of("https://a.example/cb#state=a"),
            (MissingParameter, false)
        );
    }
}
