//! Turning the service's answer into a session grant or a typed [`ApiError`].

use std::time::Duration;

use serde_json::{Map, Value};
use url::Url;

use crate::error::{ApiError, ApiErrorKind};

/// The most the client reads of an answer; the documented ones are a few hundred bytes.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;

/// The longest piece of service text (message, field message) quoted in an error.
const MAX_QUOTED_CHARS: usize = 300;
/// The most fields, and messages per field, kept from a 422's `errors`.
const MAX_FIELDS: usize = 20;
const MAX_MESSAGES_PER_FIELD: usize = 5;

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
pub(crate) fn classify(answer: &Answer) -> Result<Grant, ApiError> {
    let status = answer.status;
    if (200..300).contains(&status) {
        return parse_grant(answer).map_err(|e| with_status(e, status));
    }
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
        error.field_errors = body.as_ref().map(field_errors).unwrap_or_default();
        for (field, messages) in &error.field_errors {
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

fn parse_grant(answer: &Answer) -> Result<Grant, ApiError> {
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
    let is_web_url = Url::parse(authorize_url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !is_web_url {
        return Err(invalid(
            "has an `authorize_url` that is not an absolute http(s) URL",
        ));
    }
    let expires_in = body
        .get("expires_in")
        .and_then(Value::as_u64)
        .ok_or_else(|| invalid("lacks `expires_in` as a whole number of seconds"))?;
    Ok(Grant {
        authorize_url: authorize_url.to_owned(),
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

/// A 422's `errors`: `{field: [messages]}` (a lone string is taken as one message).
fn field_errors(body: &Map<String, Value>) -> Vec<(String, Vec<String>)> {
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
                    .map(quote)
                    .collect(),
                _ => Vec::new(),
            };
            (quote(field), messages)
        })
        .collect()
}

/// Service text made safe to quote: control characters become spaces, length is bounded.
fn quote(text: &str) -> String {
    let mut quoted: String = text
        .chars()
        .take(MAX_QUOTED_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(MAX_QUOTED_CHARS).is_some() {
        quoted.push('…');
    }
    quoted
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

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
        let grant = classify(&answer(
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
            let err = classify(&answer(200, body)).unwrap_err();
            assert_eq!(err.kind(), ApiErrorKind::InvalidResponse, "{body}");
            assert_eq!(err.status(), Some(200));
        }
        let mut cut = answer(
            200,
            r#"{"authorize_url":"https://a.example/x","expires_in":900}"#,
        );
        cut.truncated = true;
        assert_eq!(
            classify(&cut).unwrap_err().kind(),
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
            let err = classify(&answer(status, r#"{"message":"Nope."}"#)).unwrap_err();
            assert_eq!(err.kind(), kind, "{status}");
            assert_eq!(err.status(), Some(status));
        }
    }

    #[test]
    fn service_message_is_quoted_bounded_and_cleaned() {
        let err = classify(&answer(401, r#"{"message":"Unauthenticated."}"#)).unwrap_err();
        assert!(
            err.message().contains("Unauthenticated."),
            "{}",
            err.message()
        );
        let long = format!(r#"{{"message":"{}\n\u001b[31m"}}"#, "x".repeat(5000));
        let err = classify(&answer(500, &long)).unwrap_err();
        assert!(err.message().len() < 600);
        assert!(!err.message().chars().any(char::is_control));
        let err = classify(&answer(500, "<html>oops</html>")).unwrap_err();
        assert_eq!(err.kind(), ApiErrorKind::Server);
    }

    #[test]
    fn validation_keeps_field_messages() {
        let err = classify(&answer(
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
        let err = classify(&limited).unwrap_err();
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
        assert!(err.message().contains("7 s"));
        let mut unavailable = answer(503, "");
        unavailable.retry_after = Some(Duration::from_secs(7));
        assert_eq!(classify(&unavailable).unwrap_err().retry_after(), None);
    }
}
