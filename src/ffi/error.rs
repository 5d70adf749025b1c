//! The exported error enums, converted from the core errors: one variant per kind, each
//! carrying the protocol word, so callers can match by type and log by word.

use std::collections::HashMap;

use crate::error as core;

/// Declares an exported error enum whose variants all carry the same fields (given once, as
/// one braced group) and print as "<kind>: <detail>".
macro_rules! error_enum {
    ($(#[$meta:meta])* $name:ident $fields:tt $($(#[$variant_meta:meta])* $variant:ident,)*) => {
        $(#[$meta])*
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                #[error("{kind}: {detail}")]
                $variant $fields,
            )*
        }
    };
}

error_enum! {
    /// Why a callback was rejected (protocol.md §2); the first failing step decides.
    VerifyError { kind: String, parameter: Option<String>, code: Option<String>, detail: String }
        /// The callback carries `error` instead of a proof; `code` is its value.
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

impl From<core::VerifyError> for VerifyError {
    fn from(e: core::VerifyError) -> Self {
        use core::VerifyErrorKind as K;
        let kind = e.kind().as_str().to_owned();
        let parameter = e.parameter().map(str::to_owned);
        let code = e.code().map(str::to_owned);
        let detail = e.message().to_owned();
        macro_rules! variant {
            ($name:ident) => {
                VerifyError::$name {
                    kind,
                    parameter,
                    code,
                    detail,
                }
            };
        }
        match e.kind() {
            K::AuthorizationDenied => variant!(AuthorizationDenied),
            K::MissingParameter => variant!(MissingParameter),
            K::DuplicateParameter => variant!(DuplicateParameter),
            K::MalformedParameter => variant!(MalformedParameter),
            K::BadSignature => variant!(BadSignature),
            K::UnsupportedPlatform => variant!(UnsupportedPlatform),
            K::PlatformMismatch => variant!(PlatformMismatch),
            K::StateMismatch => variant!(StateMismatch),
            K::Expired => variant!(Expired),
            K::ExpiryTooFar => variant!(ExpiryTooFar),
        }
    }
}

error_enum! {
    /// A configuration mistake, reported before anything is verified or sent.
    ConfigError { kind: String, detail: String }
        /// No signing secret was given.
        NoSecret,
        /// A signing secret is the empty string.
        EmptySecret,
        /// The API key is the empty string.
        EmptyApiKey,
        /// Some other argument is out of range or badly formed; `detail` says which and why.
        InvalidArgument,
        /// The operating system's random number generator failed.
        EntropyUnavailable,
}

impl ConfigError {
    /// The `invalid_argument` error for an argument the FFI layer refuses itself
    /// (a negative count or duration).
    pub(super) fn negative(name: &'static str) -> Self {
        core::ConfigError::InvalidArgument {
            name,
            reason: "must not be negative".to_owned(),
        }
        .into()
    }
}

impl From<core::ConfigError> for ConfigError {
    fn from(e: core::ConfigError) -> Self {
        let kind = e.kind_str().to_owned();
        let detail = e.to_string();
        match e {
            core::ConfigError::NoSecret => ConfigError::NoSecret { kind, detail },
            core::ConfigError::EmptySecret { .. } => ConfigError::EmptySecret { kind, detail },
            core::ConfigError::EmptyApiKey => ConfigError::EmptyApiKey { kind, detail },
            core::ConfigError::InvalidArgument { .. } => {
                ConfigError::InvalidArgument { kind, detail }
            }
            core::ConfigError::EntropyUnavailable => {
                ConfigError::EntropyUnavailable { kind, detail }
            }
        }
    }
}

error_enum! {
    /// A failed `create_session` call. `status` is the HTTP status (i32 for Java's sake) when the service answered;
    /// `field_errors` is filled for `Validation`, `retry_after_seconds` for `RateLimited`.
    ApiError {
        kind: String,
        status: Option<i32>,
        detail: String,
        field_errors: HashMap<String, Vec<String>>,
        retry_after_seconds: Option<f64>,
    }
        /// The arguments were refused locally, before any request was sent.
        InvalidRequest,
        /// 401: the API key is missing, wrong or revoked.
        Unauthenticated,
        /// 403: the API key may not create delegation sessions.
        Forbidden,
        /// 404: the endpoint does not exist at the configured base URL.
        NotFound,
        /// 422: the service refused a field; see `field_errors`.
        Validation,
        /// 429: too many requests; see `retry_after_seconds`.
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

impl From<core::ApiError> for ApiError {
    fn from(e: core::ApiError) -> Self {
        use core::ApiErrorKind as K;
        let kind = e.kind().as_str().to_owned();
        // i32, not u16: Kotlin's UShort cannot be read from Java.
        let status = e.status().map(i32::from);
        let detail = e.message().to_owned();
        let field_errors = e.field_errors().iter().cloned().collect();
        let retry_after_seconds = e.retry_after().map(|d| d.as_secs_f64());
        macro_rules! variant {
            ($name:ident) => {
                ApiError::$name {
                    kind,
                    status,
                    detail,
                    field_errors,
                    retry_after_seconds,
                }
            };
        }
        match e.kind() {
            K::InvalidRequest => variant!(InvalidRequest),
            K::Unauthenticated => variant!(Unauthenticated),
            K::Forbidden => variant!(Forbidden),
            K::NotFound => variant!(NotFound),
            K::Validation => variant!(Validation),
            K::RateLimited => variant!(RateLimited),
            K::Server => variant!(Server),
            K::Transport => variant!(Transport),
            K::Timeout => variant!(Timeout),
            K::InvalidResponse => variant!(InvalidResponse),
        }
    }
}
