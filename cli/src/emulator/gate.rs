//! What every request body, and the sessions endpoint above all, may cost the emulator: the
//! API key is checked before a byte of the body is read, and bodies are bounded.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::LengthLimitError;

use super::sessions::{bearer_key, json_message};
use super::Emulator;

/// The largest request body the emulator reads, on any route. A sessions request is three
/// short fields; a larger body answers 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// In front of `POST /api/oauth/delegate/sessions`: 401 for a missing or unknown API key
/// before the body is read (an unauthenticated client cannot make the emulator buffer
/// anything), then the body read into memory up to [`MAX_BODY_BYTES`], or 413.
pub async fn sessions(
    State(emulator): State<Arc<Emulator>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let Some(key) =
        bearer_key(&parts.headers).filter(|key| emulator.api_keys.session_requests(key).is_some())
    else {
        return json_message(StatusCode::UNAUTHORIZED, "Unauthenticated.");
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let too_large = || {
        // Counted like every other sessions request made with the key.
        let _ = emulator.api_keys.count_request(key);
        json_message(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("The request body must not be larger than {MAX_BODY_BYTES} bytes."),
        )
    };
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) if std::error::Error::source(&e).is_some_and(|s| s.is::<LengthLimitError>()) => {
            return too_large()
        }
        // The client went away or broke the framing: nobody reads this answer.
        Err(_) => return json_message(StatusCode::BAD_REQUEST, "The request body is unreadable."),
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
