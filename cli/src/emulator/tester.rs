//! `GET /tester/callback`: the built-in tester. A session whose callback_url points here is
//! verified on arrival with the emulator's secret, the state it was created with and its
//! platform, and every check is shown: HTML, or JSON for `Accept: application/json`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use postsyncer_delegation::{Platform, Proof, VerifyError};
use serde_json::json;

use super::html::{escape, message_page, page};
use super::lock;
use super::requests::SessionRequest;
use super::Emulator;
use crate::checks::{checks_json, checks_of, result_json, Outcome};

/// The path that makes a session a tester session.
pub const TESTER_PATH: &str = "/tester/callback";

/// What a callback sent to the tester is checked against.
#[derive(Clone, Debug)]
struct Expectation {
    state: String,
    platform: Platform,
}

/// The tester's sessions, keyed by the exact query of the callback the emulator sent. At most
/// `max_entries` are kept: the oldest is forgotten first.
pub struct TesterSessions {
    callbacks: Mutex<Callbacks>,
    max_entries: usize,
}

#[derive(Default)]
struct Callbacks {
    by_query: HashMap<String, Expectation>,
    /// Every query of `by_query`, oldest first.
    order: VecDeque<String>,
}

impl TesterSessions {
    /// Keeps at most `max_entries` (at least one) callbacks.
    pub fn new(max_entries: usize) -> TesterSessions {
        TesterSessions {
            callbacks: Mutex::default(),
            max_entries: max_entries.max(1),
        }
    }

    /// Remembers a callback on its way to the tester (other callbacks are not kept).
    pub fn expect(&self, location: &str, session: &SessionRequest) {
        let Ok(url) = url::Url::parse(location) else {
            return;
        };
        if url.path() != TESTER_PATH {
            return;
        }
        let expectation = Expectation {
            state: session.state.clone(),
            platform: session.platform,
        };
        let query = url.query().unwrap_or_default().to_owned();
        let mut callbacks = lock(&self.callbacks);
        // The same callback twice (same state, identity and second) keeps its first place.
        if callbacks
            .by_query
            .insert(query.clone(), expectation)
            .is_none()
        {
            callbacks.order.push_back(query);
        }
        while callbacks.order.len() > self.max_entries {
            if let Some(oldest) = callbacks.order.pop_front() {
                callbacks.by_query.remove(&oldest);
            }
        }
    }

    fn find(&self, query: &str) -> Option<Expectation> {
        lock(&self.callbacks).by_query.get(query).cloned()
    }
}

pub async fn callback(
    State(emulator): State<Arc<Emulator>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    let Some(expected) = emulator.tester.find(&query) else {
        let text = "This callback does not come from a session created on this emulator, or it \
                    was changed on its way here. Create a session whose callback_url is this \
                    tester's URL, then open its authorize_url.";
        return if wants_json {
            (StatusCode::NOT_FOUND, Json(json!({ "message": text }))).into_response()
        } else {
            message_page(StatusCode::NOT_FOUND, "Unknown callback", text)
        };
    };
    let result = emulator
        .verifier
        .verify(&query, &expected.state, Some(expected.platform));
    if wants_json {
        Json(json!({
            "verified": result.is_ok(),
            "expected": {"platform": expected.platform.as_str(), "state": expected.state},
            "result": result_json(&result),
            "checks": checks_json(&checks_of(&result, Some(expected.platform))),
        }))
        .into_response()
    } else {
        report_page(&expected, &result)
    }
}

fn report_page(expected: &Expectation, result: &Result<Proof, VerifyError>) -> Response {
    let headline = match result {
        Ok(proof) => format!(
            "<h1 id=\"verdict\" class=\"passed\">Verified</h1><p>The user owns the {} account \
             <strong>{}</strong> (handle {}).</p>",
            escape(proof.platform.as_str()),
            escape(&proof.platform_id),
            escape(&proof.handle),
        ),
        Err(error) => format!(
            "<h1 id=\"verdict\" class=\"failed\">Rejected: <code>{}</code></h1><p>{}</p>",
            escape(error.kind().as_str()),
            escape(error.message()),
        ),
    };
    let mut rows = String::new();
    for (check, outcome) in checks_of(result, Some(expected.platform)) {
        let class = match outcome {
            Outcome::Passed(_) => "passed",
            Outcome::Failed(_) => "failed",
            Outcome::NotReached => "not-reached",
        };
        rows.push_str(&format!(
            "<tr data-check=\"{name}\"><td>{name}</td><td class=\"{class}\">{status}</td><td>{detail}</td></tr>",
            name = check.as_str(),
            status = outcome.status(),
            detail = escape(outcome.detail()),
        ));
    }
    let body = format!(
        "{headline}<table id=\"checks\">{rows}</table>\
         <p class=\"muted\">Checked with the emulator's signing secret against the {platform} \
         session created with state <code>{state}</code>.</p>",
        platform = escape(expected.platform.as_str()),
        state = escape(&expected.state),
    );
    page(StatusCode::OK, "Callback tester", &body)
}
