//! Verification errors: why a callback was rejected (protocol.md §2).

use std::fmt;

/// The verification kinds, in the order of the verification steps, each with its protocol
/// word, handed to `$apply` (see the module docs of `error`).
macro_rules! verify_error_kinds {
    ($apply:ident) => {
        $apply! {
            /// Why a callback was rejected (protocol.md §2). The first failing step decides.
            VerifyErrorKind {
                /// The callback carries `error` instead of a proof: the user denied, or the platform failed.
                AuthorizationDenied = "authorization_denied",
                /// A required parameter is absent.
                MissingParameter = "missing_parameter",
                /// A required parameter appears more than once.
                DuplicateParameter = "duplicate_parameter",
                /// A parameter is badly encoded, empty where it may not be, or not of its form.
                MalformedParameter = "malformed_parameter",
                /// No configured signing secret produced the signature.
                BadSignature = "bad_signature",
                /// The signed platform is not one of the eight.
                UnsupportedPlatform = "unsupported_platform",
                /// The signed platform is not the one the session was created for.
                PlatformMismatch = "platform_mismatch",
                /// The signed state is not the state this app issued.
                StateMismatch = "state_mismatch",
                /// The proof's expiry (plus leeway) is in the past.
                Expired = "expired",
                /// The proof's expiry is further ahead than any genuine proof's.
                ExpiryTooFar = "expiry_too_far",
            }
        }
    };
}
#[cfg(feature = "uniffi")]
pub(crate) use verify_error_kinds;

verify_error_kinds!(error_kinds);
use super::error_kinds;

/// A rejected callback: the kind, the parameter it concerns, the OAuth error code for
/// [`VerifyErrorKind::AuthorizationDenied`], and a message a person can act on.
///
/// Messages never contain a secret, and never echo attacker-chosen values except the
/// OAuth error code and description of a denied authorization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    kind: VerifyErrorKind,
    parameter: Option<&'static str>,
    code: Option<String>,
    message: String,
}

impl VerifyError {
    pub(crate) fn new(
        kind: VerifyErrorKind,
        parameter: Option<&'static str>,
        message: impl Into<String>,
    ) -> Self {
        VerifyError {
            kind,
            parameter,
            code: None,
            message: message.into(),
        }
    }

    pub(crate) fn denied(code: String, message: String) -> Self {
        VerifyError {
            kind: VerifyErrorKind::AuthorizationDenied,
            parameter: None,
            code: Some(code),
            message,
        }
    }

    /// Why the callback was rejected.
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// The callback parameter the error concerns (`sig`, `state`, …), where there is one.
    pub fn parameter(&self) -> Option<&'static str> {
        self.parameter
    }

    /// The callback's OAuth `error` value, for [`VerifyErrorKind::AuthorizationDenied`] only.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// A sentence saying what is wrong and what to do about it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for VerifyError {}
