//! Turning the service's answer into a session grant or a typed [`ApiError`].

use std::time::Duration;

use serde_json::{Map, Value};

use crate::client::validate::AuthorizeHosts;
use crate::error::{ApiError, ApiErrorKind};
use crate::quote::quote_redacted;
use crate::secret::Secret;

/// The most the client reads of an answer; the documented ones are a few hundred bytes.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// The most fields, and messages per field, kept from a 422's `errors`.
const MAX_FIELDS: usize = 20;
const MAX_MESSAGES_PER_FIELD: usize = 5;
/// Field messages are added to a 422's message until it is this long (all of them stay in
/// `field_errors`).
const MAX_MESSAGE_BYTES: usize = 1024;

/// The parts of an HTTP answer that decide the outcome.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    /// The parsed `Retry-After` header, if any.
    pub retry_after: Option<Duration>,
    /// The body, at most [`MAX_BODY_BYTES`].
    pub body: Vec<u8>,
    /// Whether the body was longer and cut.
    pub truncated: bool,
}

/// What a successful answer grants.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Grant {
    pub authorize_url: String,
    pub expires_in: u64,
}

/// The grant in a 2xx answer, or the error any other answer stands for.
///
/// Every piece of the service's text that reaches the error (its `message`, a 422's field
/// names and messages) is quoted with [`quote_redacted`]: the API key removed (an echoing
/// proxy or a WAF page may repeat the request's `Authorization` header), control characters
/// escaped, length capped. A grant's `authorize_url` is the one `authorize_hosts` checked.
pub(crate) fn classify(
    answer: &Answer,
    api_key: &Secret,
    authorize_hosts: &AuthorizeHosts,
) -> Result<Grant, ApiError> {
    let status = answer.status;
    if (200..300).contains(&status) {
        return parse_grant(answer, authorize_hosts).map_err(|e| with_status(e, status));
    }
    let quote = |text: &str| quote_redacted(text, api_key.expose());
    let body = json_object(answer);
    let said = body
        .as_ref()
        .and_then(|b| b.get("message"))
        .and_then(Value::as_str)
        .map(quote)
        .map_or_else(String::new, |m| format!(": {m}"));
    let (kind, message) = match status {
        401 => (
            ApiErrorKind::Unauthenticated,
            format!("the service refused the API key (401){said}; check that it is this environment's PostSyncer API key and has not been revoked"),
        ),
        403 => (
            ApiErrorKind::Forbidden,
            format!("the API key may not create delegation sessions (403){said}; check the key's permissions in PostSyncer"),
        ),
        404 => (
            ApiErrorKind::NotFound,
            format!("the sessions endpoint was not found (404){said}; check the client's base URL (PostSyncer's is https://postsyncer.com/api)"),
        ),
        422 => (
            ApiErrorKind::Validation,
            format!("the service refused the request (422){said}"),
        ),
        429 => (
            ApiErrorKind::RateLimited,
            match answer.retry_after {
                Some(wait) => format!("rate limited (429){said}; the service asks to wait {} s before trying again", wait.as_secs()),
                None => format!("rate limited (429){said}; slow down and try again later"),
            },
        ),
        500..=599 => (
            ApiErrorKind::Server,
            format!("the service failed (HTTP {status}){said}; try again later"),
        ),
        300..=399 => (
            ApiErrorKind::InvalidResponse,
            format!("the service answered with a redirect (HTTP {status}), which is not followed so that the API key never reaches another host; set the base URL to the final address"),
        ),
        _ => (
            ApiErrorKind::InvalidResponse,
            format!("unexpected HTTP status {status} from the sessions endpoint{said}"),
        ),
    };
    let mut error = with_status(ApiError::new(kind, message), status);
    if kind == ApiErrorKind::Validation {
        error.field_errors = body
            .as_ref()
            .map(|b| field_errors(b, quote))
            .unwrap_or_default();
        for (field, messages) in &error.field_errors {
            if error.message.len() >= MAX_MESSAGE_BYTES {
                error
                    .message
                    .push_str("; … (every field is in field_errors)");
                break;
            }
            error
                .message
                .push_str(&format!("; {field}: {}", messages.join(" ")));
        }
    }
    if kind == ApiErrorKind::RateLimited {
        error.retry_after = answer.retry_after;
    }
    Err(error)
}

fn parse_grant(answer: &Answer, authorize_hosts: &AuthorizeHosts) -> Result<Grant, ApiError> {
    let invalid = |what: &str| {
        ApiError::new(
            ApiErrorKind::InvalidResponse,
            format!(
                "the service's answer {what}; check that the base URL points at PostSyncer's API"
            ),
        )
    };
    if answer.truncated {
        return Err(invalid(&format!(
            "is longer than {MAX_BODY_BYTES} bytes, far more than a session"
        )));
    }
    let body = json_object(answer).ok_or_else(|| invalid("is not a JSON object"))?;
    let authorize_url = body
        .get("authorize_url")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("lacks the string `authorize_url`"))?;
    let authorize_url = authorize_hosts.check(authorize_url).map_err(|why| {
        ApiError::new(
            ApiErrorKind::InvalidResponse,
            format!("the service's answer {why}; it was not used"),
        )
    })?;
    let expires_in = body
        .get("expires_in")
        .and_then(Value::as_u64)
        .ok_or_else(|| invalid("lacks `expires_in` as a whole number of seconds"))?;
    Ok(Grant {
        authorize_url: authorize_url.into(),
        expires_in,
    })
}

fn with_status(mut error: ApiError, status: u16) -> ApiError {
    error.status = Some(status);
    error
}

fn json_object(answer: &Answer) -> Option<Map<String, Value>> {
    if answer.truncated {
        return None;
    }
    match serde_json::from_slice(&answer.body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// A 422's `errors`: `{field: [messages]}` (a lone string is taken as one message), each
/// name and message through `quote`.
fn field_errors(
    body: &Map<String, Value>,
    quote: impl Fn(&str) -> String,
) -> Vec<(String, Vec<String>)> {
    let Some(Value::Object(errors)) = body.get("errors") else {
        return Vec::new();
    };
    // Sorted, so that messages read the same whatever order the JSON map keeps.
    let mut fields: Vec<_> = errors.iter().collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    fields
        .into_iter()
        .take(MAX_FIELDS)
        .map(|(field, messages)| {
            let messages = match messages {
                Value::String(one) => vec![quote(one)],
                Value::Array(many) => many
                    .iter()
                    .filter_map(Value::as_str)
                    .take(MAX_MESSAGES_PER_FIELD)
                    .map(&quote)
                    .collect(),
                _ => Vec::new(),
            };
            (quote(field), messages)
        })
        .collect()
}

/// Not part of the API: the entry point of the `session_response` fuzz target (fuzz/),
/// compiled only by `cargo fuzz` (`--cfg fuzzing`). An answer read as the transport reads one
/// (`Retry-After` parsed as of a fixed clock, the body cut at [`MAX_BODY_BYTES`]), judged by
/// [`classify`] for a client of PostSyncer's production API whose key is `api_key`.
#[cfg(fuzzing)]
#[doc(hidden)]
pub fn fuzz_session_response(
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
    api_key: &str,
) -> Result<(String, u64), ApiError> {
    let now = std::time::UNIX_EPOCH + Duration::from_secs(1_717_000_000);
    let answer = Answer {
        status,
        retry_after: retry_after.and_then(|v| super::retry::parse_retry_after(v, now)),
        body: body[..body.len().min(MAX_BODY_BYTES)].to_vec(),
        truncated: body.len() > MAX_BODY_BYTES,
    };
    let config =
        |e: crate::error::ConfigError| ApiError::new(ApiErrorKind::InvalidRequest, e.to_string());
    let endpoint = super::validate::sessions_endpoint(super::DEFAULT_BASE_URL).map_err(config)?;
    let hosts = AuthorizeHosts::new(&endpoint, &[]).map_err(config)?;
    classify(&answer, &Secret::new(api_key), &hosts).map(|g| (g.authorize_url, g.expires_in))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const KEY: &str = "ps_live_key_0123456789abcdef";

    /// `classify` as a client of PostSyncer's production API with the key [`KEY`].
    fn judge(answer: &Answer) -> Result<Grant, ApiError> {
        let endpoint =
            crate::client::validate::sessions_endpoint(crate::client::DEFAULT_BASE_URL).unwrap();
        let hosts = AuthorizeHosts::new(&endpoint, &[]).unwrap();
        classify(answer, &Secret::new(KEY), &hosts)
    }

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            retry_after: None,
            body: body.as_bytes().to_vec(),
            truncated: false,
        }
    }

    #[test]
    fn success_is_a_grant() {
        let grant = judge(&answer(
            200,
            r#"{"authorize_url":"https://app.postsyncer.com/oauth/delegate?request=psd_x","expires_in":900,"extra":1}"#,
        ))
        .unwrap();
        assert_eq!(
            grant,
            Grant {
                authorize_url: "https://app.postsyncer.com/oauth/delegate?request=psd_x".into(),
                expires_in: 900
            }
        );
    }

    #[test]
    fn malformed_success_is_invalid_response() {
        for body in [
            "not json",
            "",
            "[]",
            r#"{"expires_in":900}"#,
            r#"{"authorize_url":"https://a.example/x"}"#,
            r#"{"authorize_url":"https://a.example/x","expires_in":-1}"#,
            r#"{"authorize_url":"https://a.example/x","expires_in":"900"}"#,
            r#"{"authorize_url":"javascript:alert(1)","expires_in":900}"#,
            r#"{"authorize_url":"/relative","expires_in":900}"#,
            r#"{"authorize_url":7,"expires_in":900}"#,
        ] {
            let err = judge(&answer(200, body)).unwrap_err();
            assert_eq!(err.kind(), ApiErrorKind::InvalidResponse, "{body}");
            assert_eq!(err.status(), Some(200));
        }
        let mut cut = answer(
            200,
            r#"{"authorize_url":"https://a.example/x","expires_in":900}"#,
        );
        cut.truncated = true;
        assert_eq!(
            judge(&cut).unwrap_err().kind(),
            ApiErrorKind::InvalidResponse
        );
    }

    #[test]
    fn statuses_map_to_kinds() {
        for (status, kind) in [
            (401, ApiErrorKind::Unauthenticated),
            (403, ApiErrorKind::Forbidden),
            (404, ApiErrorKind::NotFound),
            (422, ApiErrorKind::Validation),
            (429, ApiErrorKind::RateLimited),
            (500, ApiErrorKind::Server),
            (503, ApiErrorKind::Server),
            (599, ApiErrorKind::Server),
            (301, ApiErrorKind::InvalidResponse),
            (400, ApiErrorKind::InvalidResponse),
            (418, ApiErrorKind::InvalidResponse),
            (101, ApiErrorKind::InvalidResponse),
        ] {
            let err = judge(&answer(status, r#"{"message":"Nope."}"#)).unwrap_err();
            assert_eq!(err.kind(), kind, "{status}");
            assert_eq!(err.status(), Some(status));
        }
    }

    #[test]
    fn service_message_is_quoted_bounded_and_cleaned() {
        let err = judge(&answer(401, r#"{"message":"Unauthenticated."}"#)).unwrap_err();
        assert!(
            err.message().contains("Unauthenticated."),
            "{}",
            err.message()
        );
        let long = format!(r#"{{"message":"{}\n\u001b[31m"}}"#, "x".repeat(5000));
        let err = judge(&answer(500, &long)).unwrap_err();
        assert!(err.message().len() < 600);
        assert!(!err.message().chars().any(char::is_control));
        let err = judge(&answer(500, "<html>oops</html>")).unwrap_err();
        assert_eq!(err.kind(), ApiErrorKind::Server);
    }

    #[test]
    fn validation_keeps_field_messages() {
        let err = judge(&answer(
            422,
            r#"{"message":"The callback url field must be a valid URL.","errors":{"callback_url":["The callback url field must be a valid URL."],"state":"Too long.","n":3}}"#,
        ))
        .unwrap_err();
        assert_eq!(
            err.field_errors(),
            &[
                (
                    "callback_url".to_owned(),
                    vec!["The callback url field must be a valid URL.".to_owned()]
                ),
                ("n".to_owned(), vec![]),
                ("state".to_owned(), vec!["Too long.".to_owned()]),
            ]
        );
        assert!(err.message().contains("state: Too long."));
    }

    #[test]
    fn rate_limit_carries_retry_after() {
        let mut limited = answer(429, r#"{"message":"Too Many Attempts."}"#);
        limited.retry_after = Some(Duration::from_secs(7));
        let err = judge(&limited).unwrap_err();
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
        assert!(err.message().contains("7 s"));
        let mut unavailable = answer(503, "");
        unavailable.retry_after = Some(Duration::from_secs(7));
        assert_eq!(judge(&unavailable).unwrap_err().retry_after(), None);
    }

    #[test]
    fn the_authorize_url_returned_is_the_one_checked() {
        let grant = judge(&answer(
            200,
            r#"{"authorize_url":"HTTPS://App.PostSyncer.com/oauth/delegate?request=psd_x","expires_in":900}"#,
        ))
        .unwrap();
        assert_eq!(
            grant.authorize_url,
            "https://app.postsyncer.com/oauth/delegate?request=psd_x"
        );
        for hostile in [
            r#"https://app.postsyncer.com/x\r\nSet-Cookie: a=b"#,
            r#"https://app.postsyncer.com/x\tSet-Cookie"#,
            r#"https://app.postsyncer.com/x\u001b]8;;https://evil.example\u0007"#,
            "http://evil.example/steal",
            "https://evil.example/steal",
            "https://postsyncer.com@evil.example/x",
        ] {
            let body = format!(r#"{{"authorize_url":"{hostile}","expires_in":900}}"#);
            let err = judge(&answer(200, &body)).unwrap_err();
            assert_eq!(err.kind(), ApiErrorKind::InvalidResponse, "{hostile}");
            assert_eq!(err.status(), Some(200));
            let message = err.message();
            assert!(!message.chars().any(char::is_control), "{message:?}");
            for quoted in ["Set-Cookie", "steal", "evil.example/"] {
                assert!(!message.contains(quoted), "{hostile}: {message}");
            }
        }
    }

    #[test]
    fn the_api_key_never_reaches_a_message_or_a_field_error() {
        for body in [
            format!(r#"{{"message":"bad key {KEY}"}}"#),
            format!(r#"{{"message":"Authorization: Bearer {KEY}"}}"#),
            format!(r#"{{"message":"{}{KEY}"}}"#, "x".repeat(190)),
        ] {
            for status in [401, 403, 404, 429, 500, 418] {
                let err = judge(&answer(status, &body)).unwrap_err();
                assert!(!err.message().contains(KEY), "{}", err.message());
                assert!(!err.message().contains("ps_live"), "{}", err.message());
                assert!(!format!("{err:?}").contains(KEY));
            }
        }
        let err = judge(&answer(401, &format!(r#"{{"message":"bad key {KEY}"}}"#))).unwrap_err();
        assert!(
            err.message().contains(": bad key [redacted];"),
            "{}",
            err.message()
        );
        let err = judge(&answer(
            422,
            &format!(
                r#"{{"message":"Bearer {KEY} refused","errors":{{"{KEY}":["key {KEY}"],"state":"Bearer {KEY}"}}}}"#
            ),
        ))
        .unwrap_err();
        assert_eq!(
            err.field_errors(),
            &[
                ("[redacted]".to_owned(), vec!["key [redacted]".to_owned()]),
                ("state".to_owned(), vec!["Bearer [redacted]".to_owned()]),
            ]
        );
        assert!(!format!("{err:?}").contains(KEY), "{err:?}");
    }

    #[test]
    fn service_text_is_escaped_and_a_422_message_stays_bounded() {
        let err = judge(&answer(
            422,
            r#"{"message":"a\r\nb\u001b[31m","errors":{"f\nx":["m\u0007"]}}"#,
        ))
        .unwrap_err();
        assert!(
            err.message()
                .starts_with(r"the service refused the request (422): a\r\nb\u{1b}[31m"),
            "{}",
            err.message()
        );
        assert_eq!(
            err.field_errors(),
            &[(r"f\nx".to_owned(), vec![r"m\u{7}".to_owned()])]
        );
        let many: Vec<String> = (0..MAX_FIELDS)
            .map(|i| {
                format!(
                    r#""field{i:02}":["{}","{}"]"#,
                    "m".repeat(500),
                    "n".repeat(500)
                )
            })
            .collect();
        let body = format!(
            r#"{{"message":"Invalid.","errors":{{{}}}}}"#,
            many.join(",")
        );
        let err = judge(&answer(422, &body)).unwrap_err();
        assert_eq!(err.field_errors().len(), MAX_FIELDS);
        assert!(
            err.message().len() < 2 * MAX_MESSAGE_BYTES,
            "{}",
            err.message().len()
        );
        assert!(err.message().ends_with("(every field is in field_errors)"));
    }
}
