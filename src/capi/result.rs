//! `psd_result`: the numbered outcome of every call, and its stable name.

use super::boundary::catch_panic;
use super::text::psd_str;
use crate::error::{ApiErrorKind, ConfigError, ConfigErrorKind, FlowErrorKind, VerifyErrorKind};

/// The outcome of a call: `PSD_RESULT_OK` (0) or why it failed.
///
/// The values are part of the ABI: they are never renumbered, and new ones are only added.
/// Ranges: 1–99 this library's own conditions, 100–199 configuration errors, 200–299
/// verification errors (one per protocol kind), 300–399 API errors (one per kind), 400–499
/// flow errors (one per kind; the flow's `invalid_argument` is `PSD_RESULT_INVALID_ARGUMENT`).
/// `psd_result_name` gives the stable word for each (`bad_signature`, `rate_limited`, …),
/// the same word as in every other language.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum psd_result {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL (or a NULL string had a non-zero length).
    NullParameter = 1,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2,
    /// A `psd_platform` argument is not a `PSD_PLATFORM_*` value, or is
    /// `PSD_PLATFORM_NONE` where a platform is required, or a wire name is not one of the eight.
    InvalidPlatform = 3,
    /// An index argument is not below the count it refers to.
    OutOfRange = 4,
    /// The library panicked (a bug; please report it). No output was written.
    Panic = 5,
    /// Configuration: no signing secret was given.
    NoSecret = 100,
    /// Configuration: a signing secret is the empty string.
    EmptySecret = 101,
    /// Configuration: the API key is the empty string.
    EmptyApiKey = 102,
    /// Configuration: another argument is out of range or badly formed.
    InvalidArgument = 103,
    /// The operating system's random number generator failed.
    EntropyUnavailable = 104,
    /// Verification: the callback carries `error` instead of a proof (user denied).
    AuthorizationDenied = 200,
    /// Verification: a required parameter is absent.
    MissingParameter = 201,
    /// Verification: a required parameter appears more than once.
    DuplicateParameter = 202,
    /// Verification: a parameter is badly encoded, empty, or not of its form.
    MalformedParameter = 203,
    /// Verification: no configured signing secret produced the signature.
    BadSignature = 204,
    /// Verification: the signed platform is not one of the eight.
    UnsupportedPlatform = 205,
    /// Verification: the signed platform is not the expected one.
    PlatformMismatch = 206,
    /// Verification: the signed state is not the expected one.
    StateMismatch = 207,
    /// Verification: the proof has expired.
    Expired = 208,
    /// Verification: the proof's expiry is further ahead than any genuine proof's.
    ExpiryTooFar = 209,
    /// API: the arguments were refused locally; nothing was sent.
    InvalidRequest = 300,
    /// API: 401, the API key is missing, wrong or revoked.
    Unauthenticated = 301,
    /// API: 403, the API key may not create delegation sessions.
    Forbidden = 302,
    /// API: 404, the endpoint does not exist at the configured base URL.
    NotFound = 303,
    /// API: 422, the service refused a field.
    Validation = 304,
    /// API: 429, too many requests.
    RateLimited = 305,
    /// API: 5xx, the service failed.
    Server = 306,
    /// API: the connection failed.
    Transport = 307,
    /// API: no complete answer within the client's timeout.
    Timeout = 308,
    /// API: the answer was not the documented JSON.
    InvalidResponse = 309,
    /// Flow: no pending flow for the callback's state (never begun with this store, expired,
    /// or already completed: a replayed or reloaded callback).
    StateNotFound = 400,
    /// Flow: the callback was begun under another subject (another user or browser).
    SubjectMismatch = 401,
    /// Flow: the state store could not be reached, timed out, refused the record, or
    /// answered with something that is not a record.
    StoreUnavailable = 402,
}

/// This library's own conditions and their names; the other names are the core's words.
const LIBRARY_RESULTS: [(psd_result, &str); 6] = [
    (psd_result::Ok, "ok"),
    (psd_result::NullParameter, "null_parameter"),
    (psd_result::InvalidUtf8, "invalid_utf8"),
    (psd_result::InvalidPlatform, "invalid_platform"),
    (psd_result::OutOfRange, "out_of_range"),
    (psd_result::Panic, "panic"),
];

impl psd_result {
    pub(crate) fn of_config(error: &ConfigError) -> psd_result {
        psd_result::of_config_kind(error.kind())
    }

    fn of_config_kind(kind: ConfigErrorKind) -> psd_result {
        match kind {
            ConfigErrorKind::NoSecret => psd_result::NoSecret,
            ConfigErrorKind::EmptySecret => psd_result::EmptySecret,
            ConfigErrorKind::EmptyApiKey => psd_result::EmptyApiKey,
            ConfigErrorKind::InvalidArgument => psd_result::InvalidArgument,
            ConfigErrorKind::EntropyUnavailable => psd_result::EntropyUnavailable,
        }
    }

    pub(crate) fn of_verify(kind: VerifyErrorKind) -> psd_result {
        match kind {
            VerifyErrorKind::AuthorizationDenied => psd_result::AuthorizationDenied,
            VerifyErrorKind::MissingParameter => psd_result::MissingParameter,
            VerifyErrorKind::DuplicateParameter => psd_result::DuplicateParameter,
            VerifyErrorKind::MalformedParameter => psd_result::MalformedParameter,
            VerifyErrorKind::BadSignature => psd_result::BadSignature,
            VerifyErrorKind::UnsupportedPlatform => psd_result::UnsupportedPlatform,
            VerifyErrorKind::PlatformMismatch => psd_result::PlatformMismatch,
            VerifyErrorKind::StateMismatch => psd_result::StateMismatch,
            VerifyErrorKind::Expired => psd_result::Expired,
            VerifyErrorKind::ExpiryTooFar => psd_result::ExpiryTooFar,
        }
    }

    pub(crate) fn of_flow(kind: FlowErrorKind) -> psd_result {
        match kind {
            FlowErrorKind::StateNotFound => psd_result::StateNotFound,
            FlowErrorKind::SubjectMismatch => psd_result::SubjectMismatch,
            FlowErrorKind::StoreUnavailable => psd_result::StoreUnavailable,
            // The same word, and the same meaning, as the configuration kind.
            FlowErrorKind::InvalidArgument => psd_result::InvalidArgument,
        }
    }

    pub(crate) fn of_api(kind: ApiErrorKind) -> psd_result {
        match kind {
            ApiErrorKind::InvalidRequest => psd_result::InvalidRequest,
            ApiErrorKind::Unauthenticated => psd_result::Unauthenticated,
            ApiErrorKind::Forbidden => psd_result::Forbidden,
            ApiErrorKind::NotFound => psd_result::NotFound,
            ApiErrorKind::Validation => psd_result::Validation,
            ApiErrorKind::RateLimited => psd_result::RateLimited,
            ApiErrorKind::Server => psd_result::Server,
            ApiErrorKind::Transport => psd_result::Transport,
            ApiErrorKind::Timeout => psd_result::Timeout,
            ApiErrorKind::InvalidResponse => psd_result::InvalidResponse,
        }
    }
}

/// The stable word for a result code, taken from the core for error kinds.
fn result_name(code: u32) -> Option<&'static str> {
    let is = |result: psd_result| result as u32 == code;
    LIBRARY_RESULTS
        .iter()
        .find(|(result, _)| is(*result))
        .map(|(_, name)| *name)
        .or_else(|| {
            ConfigErrorKind::ALL
                .iter()
                .find(|k| is(psd_result::of_config_kind(**k)))
                .map(|k| k.as_str())
        })
        .or_else(|| {
            VerifyErrorKind::ALL
                .iter()
                .find(|k| is(psd_result::of_verify(**k)))
                .map(|k| k.as_str())
        })
        .or_else(|| {
            ApiErrorKind::ALL
                .iter()
                .find(|k| is(psd_result::of_api(**k)))
                .map(|k| k.as_str())
        })
        .or_else(|| {
            FlowErrorKind::ALL
                .iter()
                .find(|k| is(psd_result::of_flow(**k)))
                .map(|k| k.as_str())
        })
}

/// The stable word for a result code: `ok`, `null_parameter`, `bad_signature`,
/// `rate_limited`, …; `unknown` for a value that is not a `psd_result`.
///
/// Takes the code as a plain integer so that any value is safe to pass. The returned view
/// points to static storage: it is valid forever and must not be freed.
/// Thread safety: may be called from any thread at any time.
#[no_mangle]
pub extern "C" fn psd_result_name(result: u32) -> psd_str {
    catch_panic(psd_str::ABSENT, || {
        psd_str::borrow(result_name(result).unwrap_or("unknown"))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_a_distinct_name() {
        let codes: Vec<u32> = (0..500).filter(|c| result_name(*c).is_some()).collect();
        // The flow's invalid_argument is the configuration code: three flow codes of four.
        assert_eq!(codes.len(), LIBRARY_RESULTS.len() + 5 + 10 + 10 + 3);
        let names: HashSet<&str> = codes.iter().map(|c| result_name(*c).unwrap()).collect();
        assert_eq!(names.len(), codes.len());
        assert_eq!(
            result_name(psd_result::BadSignature as u32),
            Some("bad_signature")
        );
        assert_eq!(
            result_name(psd_result::RateLimited as u32),
            Some("rate_limited")
        );
        assert_eq!(
            result_name(psd_result::EmptySecret as u32),
            Some("empty_secret")
        );
        assert_eq!(
            result_name(psd_result::StateNotFound as u32),
            Some("state_not_found")
        );
        assert_eq!(
            result_name(psd_result::of_flow(FlowErrorKind::InvalidArgument) as u32),
            Some("invalid_argument")
        );
        assert_eq!(result_name(7), None);
    }

    #[test]
    fn psd_result_name_lends_static_text_for_any_value() {
        for code in [0, 5, 204, 309, 402, 7, 9999, u32::MAX] {
            let view = psd_result_name(code);
            let bytes = unsafe { std::slice::from_raw_parts(view.data.cast::<u8>(), view.len) };
            let name = std::str::from_utf8(bytes).unwrap();
            assert_eq!(name, result_name(code).unwrap_or("unknown"));
        }
        let version = crate::capi::version::psd_version();
        assert_eq!(version.len, env!("CARGO_PKG_VERSION").len());
    }
}
