//! `POST /api/oauth/delegate/sessions`: PostSyncer's contract (Bearer auth, 401, 422 with
//! per-field errors, 200 with a single-use authorize URL), plus the key's faults.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use postsyncer_delegation::Platform;
use serde_json::{json, Map, Value};

use super::faults::Forced;
use super::requests::{SessionRequest, REQUEST_LIFETIME};
use super::Emulator;

/// The longest `state` PostSyncer accepts.
const MAX_STATE_CHARS: usize = 255;

/// The longest `callback_url` accepted, measured as stored (normalized to ASCII): every
/// pending session holds one for up to an hour.
const MAX_CALLBACK_URL_CHARS: usize = 2048;

pub async fn create(
    State(emulator): State<Arc<Emulator>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(request) = bearer_key(&headers).and_then(|key| emulator.api_keys.count_request(key))
    else {
        return json_message(StatusCode::UNAUTHORIZED, "Unauthenticated.");
    };
    let faults = request.faults;
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let echo = faults
        .echo_api_key
        .then(|| headers.get(header::AUTHORIZATION)?.to_str().ok())
        .flatten();
    if let Some(forced) = faults.forced(request.number) {
        return forced_answer(forced, echo);
    }

    let session = match validate(&body) {
        Ok((platform, callback_url, state)) => SessionRequest {
            platform,
            callback_url,
            state,
            proof_fault: faults.proof_fault,
        },
        Err(errors) => return validation_error(errors),
    };
    match emulator.requests.insert(session) {
        Ok(token) => {
            let authorize_url = faults
                .authorize_url
                .unwrap_or_else(|| format!("{}/oauth/delegate?request={token}", emulator.base_url));
            Json(json!({
                "authorize_url": authorize_url,
                "expires_in": REQUEST_LIFETIME.as_secs(),
            }))
            .into_response()
        }
        Err(e) => json_message(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The key of an `Authorization: Bearer <key>` header (scheme case-insensitive).
pub(super) fn bearer_key(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then_some(key)
}

type FieldErrors = Vec<(&'static str, String)>;

/// The body's platform, callback_url and state, or Laravel-style messages per field.
fn validate(body: &[u8]) -> Result<(Platform, String, String), FieldErrors> {
    // A body that is not a JSON object has none of the fields, as in Laravel.
    let fields = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(fields)) => fields,
        _ => Map::new(),
    };
    let mut errors = FieldErrors::new();
    let platform = match present(&fields, "platform") {
        None => required(&mut errors, "platform"),
        Some(value) => {
            let platform = value.as_str().and_then(Platform::from_wire);
            if platform.is_none() {
                errors.push(("platform", "The selected platform is invalid.".to_owned()));
            }
            platform
        }
    };
    let callback_url = match present(&fields, "callback_url") {
        None => required(&mut errors, "callback_url"),
        Some(value) => {
            let url = value.as_str().and_then(absolute_http_url);
            if url.is_none() {
                errors.push((
                    "callback_url",
                    "The callback url field must be a valid URL.".to_owned(),
                ));
            }
            url
        }
    };
    let callback_url = callback_url.filter(|url| {
        let fits = url.len() <= MAX_CALLBACK_URL_CHARS;
        if !fits {
            errors.push((
                "callback_url",
                format!(
                    "The callback url field must not be greater than {MAX_CALLBACK_URL_CHARS} \
                     characters."
                ),
            ));
        }
        fits
    });
    let state = match present(&fields, "state") {
        None => required(&mut errors, "state"),
        Some(Value::String(s)) if s.chars().count() > MAX_STATE_CHARS => {
            errors.push((
                "state",
                format!("The state field must not be greater than {MAX_STATE_CHARS} characters."),
            ));
            None
        }
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            errors.push(("state", "The state field must be a string.".to_owned()));
            None
        }
    };
    match (platform, callback_url, state) {
        (Some(p), Some(c), Some(s)) if errors.is_empty() => Ok((p, c, s.to_owned())),
        _ => Err(errors),
    }
}

/// The field's value unless it is absent, null or the empty string (Laravel's "required").
fn present<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields
        .get(name)
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
}

fn required<T>(errors: &mut FieldErrors, field: &'static str) -> Option<T> {
    let label = field.replace('_', " ");
    errors.push((field, format!("The {label} field is required.")));
    None
}

/// The URL in its normalized (ASCII) form when it is absolute http or https with a host;
/// normalized so that it can become a `Location` header as it is.
fn absolute_http_url(text: &str) -> Option<String> {
    url::Url::parse(text)
        .ok()
        .filter(|u| {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        })
        .map(String::from)
}

/// 422 as Laravel shapes it: the first message (and how many more) plus every field's list.
fn validation_error(errors: FieldErrors) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(validation_body(&errors)),
    )
        .into_response()
}

fn validation_body(errors: &FieldErrors) -> Value {
    let mut by_field = Map::new();
    for (field, message) in errors {
        if let Value::Array(list) = by_field
            .entry(*field)
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            list.push(message.as_str().into());
        }
    }
    let first = errors
        .first()
        .map_or("The given data was invalid.", |(_, m)| m.as_str());
    let message = match errors.len() {
        0 | 1 => first.to_owned(),
        2 => format!("{first} (and 1 more error)"),
        n => format!("{first} (and {} more errors)", n - 1),
    };
    json!({"message": message, "errors": by_field})
}

/// `{"message": text}` with `status`.
pub fn json_message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "message": text }))).into_response()
}

/// What a fault answers instead of the real thing. `echo`, when the key asks for it, is the
/// request's `Authorization` header, quoted back in the error body.
fn forced_answer(forced: Forced, echo: Option<&str>) -> Response {
    let (status, mut body, retry_after) = match forced {
        Forced::RateLimited { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            json!({"message": "Too Many Attempts."}),
            Some(retry_after),
        ),
        Forced::Status(status) => realistic_error(status),
        Forced::MalformedJson => {
            return (StatusCode::OK, "<html><body>502 Bad Gateway</body></html>").into_response()
        }
    };
    if let Some(authorization) = echo {
        echo_authorization(&mut body, authorization);
    }
    let mut response = (status, Json(body)).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// A forced error status with the body PostSyncer sends for it (and the `Retry-After` of a 429).
fn realistic_error(status: u16) -> (StatusCode, Value, Option<u64>) {
    let Ok(status) = StatusCode::from_u16(status) else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"message": "Server Error"}),
            None,
        );
    };
    let message = match status {
        StatusCode::UNAUTHORIZED => "Unauthenticated.",
        StatusCode::FORBIDDEN => "This action is unauthorized.",
        StatusCode::NOT_FOUND => "Not Found.",
        StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = vec![("platform", "The selected platform is invalid.".to_owned())];
            return (status, validation_body(&errors), None);
        }
        StatusCode::TOO_MANY_REQUESTS => {
            return (status, json!({"message": "Too Many Attempts."}), Some(1))
        }
        StatusCode::INTERNAL_SERVER_ERROR => "Server Error",
        _ => status.canonical_reason().unwrap_or("Error"),
    };
    (status, json!({ "message": message }), None)
}

/// What an echoing proxy or a WAF page does with the request's `Authorization` header: it
/// quotes it in the message and, in a 422, in a field of its own.
fn echo_authorization(body: &mut Value, authorization: &str) {
    let Value::Object(body) = body else { return };
    let key = authorization
        .split_once(' ')
        .map_or(authorization, |(_, key)| key);
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("Error");
    let echoed = format!("{message} (rejected API key {key}; Authorization: {authorization})");
    body.insert("message".to_owned(), echoed.into());
    if let Some(Value::Object(errors)) = body.get_mut("errors") {
        errors.insert(
            "authorization".to_owned(),
            json!([format!("The header `{authorization}` is not accepted.")]),
        );
        errors.insert(key.to_owned(), json!([format!("Unknown key {key}.")]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_refused(body: &str) -> Vec<&'static str> {
        match validate(body.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|(f, _)| f).collect(),
        }
    }

    #[test]
    fn accepts_a_complete_request() {
        let ok = r#"{"platform":"tiktok","callback_url":"https://app.example/cb?x=1","state":"s"}"#;
        assert!(validate(ok.as_bytes()).is_ok());
    }

    #[test]
    fn refuses_each_bad_field() {
        assert_eq!(
            fields_refused("not json"),
            ["platform", "callback_url", "state"]
        );
        assert_eq!(
            fields_refused(r#"{"platform":"x","callback_url":"/cb","state":7}"#),
            ["platform", "callback_url", "state"]
        );
        assert_eq!(
            fields_refused(
                r#"{"platform":"tiktok","callback_url":"ftp://a.example/","state":"s"}"#
            ),
            ["callback_url"]
        );
        let long = "s".repeat(256);
        let body = format!(
            r#"{{"platform":"tiktok","callback_url":"https://a.example/","state":"{long}"}}"#
        );
        assert_eq!(fields_refused(&body), ["state"]);
    }
}
