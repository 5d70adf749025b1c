//! Flow errors: why `Flow::begin` or `Flow::complete` failed for a reason of the flow itself
//! (protocol.md §5), and the two error types of those operations.
//!
//! Each operation returns one error type that wraps the kinds it can meet: [`BeginError`] is
//! a [`FlowError`] or the session's [`ApiError`] (returned unchanged); [`CompleteError`] is a
//! [`FlowError`] or the callback's [`VerifyError`]. Every variant has a protocol word
//! (`kind_word()`), the same in every language, and the words of the three lists never
//! collide except `invalid_argument`, which means the same thing wherever it appears.

use std::fmt;

use super::{ApiError, VerifyError};

/// The flow kinds, each with its protocol word, handed to `$apply` (see the module docs of
/// `error`).
macro_rules! flow_error_kinds {
    ($apply:ident) => {
        $apply! {
            /// Why the flow refused to go on (protocol.md §5).
            FlowErrorKind {
                /// No pending record for the callback's state: never begun here, expired, or
                /// already completed (a replayed or reloaded callback).
                StateNotFound = "state_not_found",
                /// The callback was begun under another subject (another user or browser).
                SubjectMismatch = "subject_mismatch",
                /// The state store could not be reached, timed out, refused the record, or
                /// answered with something that is not a record.
                StoreUnavailable = "store_unavailable",
                /// An argument was refused before anything was stored or sent (an empty
                /// subject, metadata over the limit).
                InvalidArgument = "invalid_argument",
            }
        }
    };
}
#[cfg(feature = "uniffi")]
#[allow(unused_imports)]
pub(crate) use flow_error_kinds;

flow_error_kinds!(error_kinds);
use super::error_kinds;

/// A refusal of the flow itself: its kind and a message a person can act on. Messages never
/// contain the API key, the signing secret, the subject or the state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowError {
    kind: FlowErrorKind,
    message: String,
}

impl FlowError {
    pub(crate) fn new(kind: FlowErrorKind, message: impl Into<String>) -> Self {
        FlowError {
            kind,
            message: message.into(),
        }
    }

    /// Why the flow refused to go on.
    pub fn kind(&self) -> FlowErrorKind {
        self.kind
    }

    /// A sentence saying what is wrong and what to do about it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for FlowError {}

/// Why `Flow::begin` failed: the flow (`store_unavailable`, `invalid_argument`) or the
/// session, whose [`ApiError`] is returned unchanged (after the pending record is removed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BeginError {
    /// The flow refused: the store failed, or the subject or metadata was refused.
    #[error(transparent)]
    Flow(#[from] FlowError),
    /// The session could not be created.
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl BeginError {
    /// The protocol word of the kind (`store_unavailable`, `rate_limited`, …).
    pub fn kind_word(&self) -> &'static str {
        match self {
            BeginError::Flow(e) => e.kind().as_str(),
            BeginError::Api(e) => e.kind().as_str(),
        }
    }

    /// A sentence saying what went wrong and what to do about it.
    pub fn message(&self) -> &str {
        match self {
            BeginError::Flow(e) => e.message(),
            BeginError::Api(e) => e.message(),
        }
    }
}

/// Why `Flow::complete` failed: the flow (`state_not_found`, `subject_mismatch`,
/// `store_unavailable`, `invalid_argument`) or the callback's verification (protocol.md §2,
/// `authorization_denied` included).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompleteError {
    /// The flow refused: no record, another subject, or the store failed.
    #[error(transparent)]
    Flow(#[from] FlowError),
    /// The callback was rejected.
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

impl CompleteError {
    /// The protocol word of the kind (`state_not_found`, `bad_signature`, …).
    pub fn kind_word(&self) -> &'static str {
        match self {
            CompleteError::Flow(e) => e.kind().as_str(),
            CompleteError::Verify(e) => e.kind().as_str(),
        }
    }

    /// A sentence saying what went wrong and what to do about it.
    pub fn message(&self) -> &str {
        match self {
            CompleteError::Flow(e) => e.message(),
            CompleteError::Verify(e) => e.message(),
        }
    }

    /// The flow kind, when the flow refused.
    pub fn flow_kind(&self) -> Option<FlowErrorKind> {
        match self {
            CompleteError::Flow(e) => Some(e.kind()),
            CompleteError::Verify(_) => None,
        }
    }
}
