//! API errors: why `create_session` failed.

use std::fmt;
use std::time::Duration;

use super::ConfigError;

/// The API error kinds, each with its stable word, handed to `$apply` (see the module docs of
/// `error`).
macro_rules! api_error_kinds {
    ($apply:ident) => {
        $apply! {
            /// The kind of a failed `create_session` call.
            ApiErrorKind {
                /// The arguments were refused locally, before any request was sent.
                InvalidRequest = "invalid_request",
                /// 401: the API key is missing, wrong or revoked.
                Unauthenticated = "unauthenticated",
                /// 403: the API key may not create delegation sessions.
                Forbidden = "forbidden",
                /// 404: the endpoint does not exist at the configured base URL.
                NotFound = "not_found",
                /// 422: the service refused a field; see [`ApiError::field_errors`].
                Validation = "validation",
                /// 429: too many requests; see [`ApiError::retry_after`].
                RateLimited = "rate_limited",
                /// 5xx: the service failed.
                Server = "server",
                /// The connection failed (DNS, refused, reset, TLS).
                Transport = "transport",
                /// No complete answer arrived within the configured timeout.
                Timeout = "timeout",
                /// The answer was not the documented JSON (or an unexpected status).
                InvalidResponse = "invalid_response",
            }
        }
    };
}
#[cfg(feature = "uniffi")]
pub(crate) use api_error_kinds;

api_error_kinds!(error_kinds);
use super::error_kinds;

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
