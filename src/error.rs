//! The errors of this crate: verification, configuration and API errors.
//!
//! Every error has a `kind` whose `as_str()` is the protocol word (`bad_signature`,
//! `rate_limited`, …); bindings expose the same words in every language.

use std::fmt;
use std::time::Duration;

/// Why a callback was rejected (protocol.md §2). The first failing step decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerifyErrorKind {
    /// The callback carries `error` instead of a proof: the user denied, or the platform failed.
    AuthorizationDenied,
    /// A required parameter is absent.
    MissingParameter,
    /// A required parameter appears more than once.
    DuplicateParameter,
    /// A parameter is badly encoded, empty where it may not be, or not of its form.
    MalformedParameter,
    /// No configured signing secret produced the signature.
    BadSignature,
    /// The signed platform is not one of the eight.
    UnsupportedPlatform,
    /// The signed platform is not the one the session was created for.
    PlatformMismatch,
    /// The signed state is not the state this app issued.
    StateMismatch,
    /// The proof's expiry (plus leeway) is in the past.
    Expired,
    /// The proof's expiry is further ahead than any genuine proof's.
    ExpiryTooFar,
}

impl VerifyErrorKind {
    /// Every kind, in the order of the verification steps.
    pub const ALL: [VerifyErrorKind; 10] = [
        VerifyErrorKind::AuthorizationDenied,
        VerifyErrorKind::MissingParameter,
        VerifyErrorKind::DuplicateParameter,
        VerifyErrorKind::MalformedParameter,
        VerifyErrorKind::BadSignature,
        VerifyErrorKind::UnsupportedPlatform,
        VerifyErrorKind::PlatformMismatch,
        VerifyErrorKind::StateMismatch,
        VerifyErrorKind::Expired,
        VerifyErrorKind::ExpiryTooFar,
    ];

    /// The protocol word for this kind, identical in every language.
    pub const fn as_str(self) -> &'static str {
        match self {
            VerifyErrorKind::AuthorizationDenied => "authorization_denied",
            VerifyErrorKind::MissingParameter => "missing_parameter",
            VerifyErrorKind::DuplicateParameter => "duplicate_parameter",
            VerifyErrorKind::MalformedParameter => "malformed_parameter",
            VerifyErrorKind::BadSignature => "bad_signature",
            VerifyErrorKind::UnsupportedPlatform => "unsupported_platform",
            VerifyErrorKind::PlatformMismatch => "platform_mismatch",
            VerifyErrorKind::StateMismatch => "state_mismatch",
            VerifyErrorKind::Expired => "expired",
            VerifyErrorKind::ExpiryTooFar => "expiry_too_far",
        }
    }
}

impl fmt::Display for VerifyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// A configuration mistake, reported when a [`crate::Verifier`] or [`crate::Client`] is built
/// or when a request is prepared, before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No signing secret was given.
    #[error("no signing secret was given: pass the signing secret shown when the PostSyncer API key was created")]
    NoSecret,
    /// A signing secret (counted from 0) is the empty string.
    #[error("signing secret #{index} is empty: an empty secret would let anyone forge proofs; check the environment variable or file it is read from")]
    EmptySecret {
        /// Position of the empty secret in the list given.
        index: usize,
    },
    /// The API key is the empty string.
    #[error("the API key is empty: pass the PostSyncer API key (it starts a `Bearer` header and must never reach a browser)")]
    EmptyApiKey,
    /// Some other argument is out of range or badly formed; the text says which and why.
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument {
        /// The argument's name.
        name: &'static str,
        /// What is wrong with it and what is expected.
        reason: String,
    },
    /// The operating system's random number generator failed, so no safe state can be made.
    #[error("the operating system's random number generator failed: no safe state can be generated; check the host's entropy source (getrandom)")]
    EntropyUnavailable,
}

impl ConfigError {
    /// The error's kind as a stable word: `no_secret`, `empty_secret`, `empty_api_key`,
    /// `invalid_argument`, `entropy_unavailable`.
    pub fn kind_str(&self) -> &'static str {
        match self {
            ConfigError::NoSecret => "no_secret",
            ConfigError::EmptySecret { .. } => "empty_secret",
            ConfigError::EmptyApiKey => "empty_api_key",
            ConfigError::InvalidArgument { .. } => "invalid_argument",
            ConfigError::EntropyUnavailable => "entropy_unavailable",
        }
    }
}

/// The kind of a failed `create_session` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiErrorKind {
    /// The arguments were refused locally, before any request was sent.
    InvalidRequest,
    /// 401: the API key is missing, wrong or revoked.
    Unauthenticated,
    /// 403: the API key may not create delegation sessions.
    Forbidden,
    /// 404: the endpoint does not exist at the configured base URL.
    NotFound,
    /// 422: the service refused a field; see [`ApiError::field_errors`].
    Validation,
    /// 429: too many requests; see [`ApiError::retry_after`].
    RateLimited,
    /// 5xx: the service failed.
    Server,
    /// The connection failed (DNS, refused, reset, TLS).
    Transport,
    /// No complete answer arrived within the configured timeout.
    Timeout,
    /// The answer was not the documented JSON (or an unexpected status).
    InvalidResponse,
}

impl ApiErrorKind {
    /// Every kind.
    pub const ALL: [ApiErrorKind; 10] = [
        ApiErrorKind::InvalidRequest,
        ApiErrorKind::Unauthenticated,
        ApiErrorKind::Forbidden,
        ApiErrorKind::NotFound,
        ApiErrorKind::Validation,
        ApiErrorKind::RateLimited,
        ApiErrorKind::Server,
        ApiErrorKind::Transport,
        ApiErrorKind::Timeout,
        ApiErrorKind::InvalidResponse,
    ];

    /// The stable word for this kind, identical in every language.
    pub const fn as_str(self) -> &'static str {
        match self {
            ApiErrorKind::InvalidRequest => "invalid_request",
            ApiErrorKind::Unauthenticated => "unauthenticated",
            ApiErrorKind::Forbidden => "forbidden",
            ApiErrorKind::NotFound => "not_found",
            ApiErrorKind::Validation => "validation",
            ApiErrorKind::RateLimited => "rate_limited",
            ApiErrorKind::Server => "server",
            ApiErrorKind::Transport => "transport",
            ApiErrorKind::Timeout => "timeout",
            ApiErrorKind::InvalidResponse => "invalid_response",
        }
    }
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed `create_session` call. The message never contains the API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub(crate) kind: ApiErrorKind,
    pub(crate) status: Option<u16>,
    pub(crate) message: String,
    pub(crate) field_errors: Vec<(String, Vec<String>)>,
    pub(crate) retry_after: Option<Duration>,
}

impl ApiError {
    pub(crate) fn new(kind: ApiErrorKind, message: impl Into<String>) -> Self {
        ApiError {
            kind,
            status: None,
            message: message.into(),
            field_errors: Vec::new(),
            retry_after: None,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// A sentence saying what went wrong and what to do about it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For [`ApiErrorKind::Validation`]: each refused field with the service's messages.
    pub fn field_errors(&self) -> &[(String, Vec<String>)] {
        &self.field_errors
    }

    /// For [`ApiErrorKind::RateLimited`]: how long the service asked us to wait.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<ConfigError> for ApiError {
    fn from(e: ConfigError) -> Self {
        ApiError::new(ApiErrorKind::InvalidRequest, e.to_string())
    }
}
