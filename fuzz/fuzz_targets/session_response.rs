//! The session-response parser: an HTTP status, a `Retry-After` header and a body, as the
//! service (or anything pretending to be it) may answer `POST /oauth/delegate/sessions`,
//! judged for a client of PostSyncer's production API. Besides "never panics", it checks:
//! - a grant only for a 2xx status, with an absolute http(s) `authorize_url` free of
//!   whitespace and control characters (whether it contains the API key is not checked: only
//!   the API's own host can grant);
//! - every error has the kind its status stands for, that status, a `Retry-After` delay only
//!   when rate limited, and a message and field errors safe to log that never contain the
//!   API key, even when the body echoes it (as an echoing proxy or a WAF page may).
//!
//! Input layout (missing bytes read as 0; `scripts/fuzz-seeds` writes a few answers this way):
//! `status:u16le | retry_after_len:u8 | retry_after… | body…`; a `retry_after_len` of 0
//! means no header; a header that is not visible ASCII is dropped, as the transport drops it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postsyncer_delegation::{fuzz_session_response, ApiErrorKind};
use postsyncer_delegation_fuzz::assert_loggable;

/// The client's API key; `scripts/fuzz-seeds` echoes it in some bodies.
const API_KEY: &str = "ps_live_fuzz_key_0123456789";

fuzz_target!(|data: &[u8]| {
    let status = u16::from_le_bytes([
        data.first().copied().unwrap_or(0),
        data.get(1).copied().unwrap_or(0),
    ]);
    let rest = data.get(2..).unwrap_or_default();
    let header_len = usize::from(rest.first().copied().unwrap_or(0));
    let rest = rest.get(1..).unwrap_or_default();
    let (header, body) = rest.split_at(header_len.min(rest.len()));
    // What `HeaderValue::to_str` accepts: visible ASCII, space and tab.
    let retry_after = (header_len > 0)
        .then(|| std::str::from_utf8(header).ok())
        .flatten()
        .filter(|h| h.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)));

    match fuzz_session_response(status, retry_after, body, API_KEY) {
        Ok((authorize_url, _expires_in)) => {
            assert!((200..300).contains(&status), "a grant for HTTP {status}");
            assert!(
                authorize_url.starts_with("https://") || authorize_url.starts_with("http://"),
                "{authorize_url:?}"
            );
            assert!(
                !authorize_url
                    .chars()
                    .any(|c| c.is_whitespace() || postsyncer_delegation_fuzz::unsafe_in_log(c)),
                "{authorize_url:?}"
            );
            // Not checked: whether a grant's URL contains the API key. Only the API's own host
            // (or one the application allowed) over https can grant, and the library returns
            // what it grants (SECURITY.md, "Hardening not done").
        }
        Err(error) => {
            let kind = error.kind();
            assert_eq!(error.status(), Some(status), "{error:?}");
            let expected = match status {
                200..=399 => ApiErrorKind::InvalidResponse,
                401 => ApiErrorKind::Unauthenticated,
                403 => ApiErrorKind::Forbidden,
                404 => ApiErrorKind::NotFound,
                422 => ApiErrorKind::Validation,
                429 => ApiErrorKind::RateLimited,
                500..=599 => ApiErrorKind::Server,
                _ => ApiErrorKind::InvalidResponse,
            };
            assert_eq!(kind, expected, "HTTP {status}");
            if kind != ApiErrorKind::RateLimited {
                assert_eq!(error.retry_after(), None);
            }
            if kind != ApiErrorKind::Validation {
                assert!(error.field_errors().is_empty());
            }
            assert_loggable(kind.as_str(), error.message());
            assert!(!error.message().contains(API_KEY), "{:?}", error.message());
            for (field, messages) in error.field_errors() {
                for text in std::iter::once(field).chain(messages) {
                    assert!(!text.contains(API_KEY), "{text:?}");
                    assert!(!text.chars().any(postsyncer_delegation_fuzz::unsafe_in_log));
                }
            }
        }
    }
});
