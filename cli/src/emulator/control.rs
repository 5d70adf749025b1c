//! The test-only control API: `POST /emulator/api-keys` makes a key with fault switches,
//! `GET /emulator/api-keys/{key}/stats` says how many sessions requests it made.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::faults::Faults;
use super::sessions::json_message;
use super::Emulator;

pub async fn create_key(State(emulator): State<Arc<Emulator>>, body: Bytes) -> Response {
    let faults = if body.iter().all(u8::is_ascii_whitespace) {
        Faults::default()
    } else {
        match serde_json::from_slice::<Faults>(&body) {
            Ok(faults) => faults,
            Err(e) => {
                return json_message(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("invalid fault switches: {e}"),
                )
            }
        }
    };
    if let Err(reason) = faults.validate() {
        return json_message(StatusCode::UNPROCESSABLE_ENTITY, &reason);
    }
    match emulator.api_keys.create(faults) {
        Ok(key) => (StatusCode::CREATED, Json(json!({ "api_key": key }))).into_response(),
        Err(reason) => json_message(StatusCode::INTERNAL_SERVER_ERROR, &reason),
    }
}

pub async fn key_stats(State(emulator): State<Arc<Emulator>>, Path(key): Path<String>) -> Response {
    match emulator.api_keys.session_requests(&key) {
        Some(n) => Json(json!({ "session_requests": n })).into_response(),
        None => json_message(StatusCode::NOT_FOUND, "No such API key on this emulator."),
    }
}
