//! One POST to the sessions endpoint, and the retry loop around it.

use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use url::Url;

use crate::client::response::{self, Answer, Grant, MAX_BODY_BYTES};
use crate::client::retry;
use crate::client::validate;
use crate::client::RetryPolicy;
use crate::error::{ApiError, ApiErrorKind};
use crate::secret::Secret;

/// What every request of one client shares.
pub(crate) struct Endpoint {
    pub http: reqwest::Client,
    pub url: Url,
    pub api_key: Secret,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Where an `authorize_url` may lead.
    pub authorize_hosts: validate::AuthorizeHosts,
}

/// Sends `body` until it succeeds, fails for good, or the retry policy says stop.
pub(crate) async fn send_with_retries(
    endpoint: &Endpoint,
    body: Vec<u8>,
) -> Result<Grant, ApiError> {
    let mut retries_done = 0;
    loop {
        let error = match send_once(endpoint, body.clone()).await {
            Ok(grant) => return Ok(grant),
            Err(error) => error,
        };
        match retry::next_delay(
            &endpoint.retry,
            &error,
            retries_done,
            retry::jitter_source(),
        ) {
            Some(delay) => tokio::time::sleep(delay).await,
            None => return Err(error),
        }
        retries_done += 1;
    }
}

/// One attempt, bounded by the client's timeout from connecting to the body's last byte.
async fn send_once(endpoint: &Endpoint, body: Vec<u8>) -> Result<Grant, ApiError> {
    let request = endpoint
        .http
        .post(endpoint.url.clone())
        .header(AUTHORIZATION, validate::bearer_header(&endpoint.api_key)?)
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "application/json")
        .body(body);
    let answer = tokio::time::timeout(endpoint.timeout, async {
        let response = request.send().await?;
        read_answer(response).await
    })
    .await
    .map_err(|_| timed_out(endpoint))?
    .map_err(|e| transport_error(endpoint, &e))?;
    response::classify(&answer, &endpoint.api_key, &endpoint.authorize_hosts)
}

/// Status, `Retry-After` and at most [`MAX_BODY_BYTES`] of the body, read chunk by chunk
/// so that a huge or endless answer costs no more than that.
async fn read_answer(mut response: reqwest::Response) -> Result<Answer, reqwest::Error> {
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry::parse_retry_after(v, SystemTime::now()));
    let mut answer = Answer {
        status: response.status().as_u16(),
        retry_after,
        body: Vec::new(),
        truncated: false,
    };
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_BODY_BYTES - answer.body.len();
        if chunk.len() > room {
            answer.body.extend_from_slice(&chunk[..room]);
            answer.truncated = true;
            break;
        }
        answer.body.extend_from_slice(&chunk);
    }
    Ok(answer)
}

fn timed_out(endpoint: &Endpoint) -> ApiError {
    ApiError::new(
        ApiErrorKind::Timeout,
        format!(
            "no complete answer from {} within the client's timeout of {:?}; the service may be slow or unreachable: try again later, or raise the timeout",
            host_of(&endpoint.url),
            endpoint.timeout
        ),
    )
}

/// A transport failure, described by its root cause (reqwest's own text names the URL, and
/// the cause is what a person can act on: refused, reset, DNS, certificate…).
fn transport_error(endpoint: &Endpoint, error: &reqwest::Error) -> ApiError {
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    let action = if error.is_connect() {
        "could not connect to"
    } else {
        "the connection failed while talking to"
    };
    let cause = cause.to_string();
    // rustls names every refused certificate so (UnknownIssuer, NotValidForName, Expired…).
    let advice = if cause.contains("certificate") {
        "check the base URL's host; a server with a private or self-signed certificate must be trusted explicitly (add_root_certificate_pem)"
    } else {
        "check the base URL, the network and any proxy settings"
    };
    ApiError::new(
        ApiErrorKind::Transport,
        format!("{action} {} ({cause}); {advice}", host_of(&endpoint.url)),
    )
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => "the service".to_owned(),
    }
}
