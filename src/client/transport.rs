//! One POST to the sessions endpoint, and the retry loop around it, within the call's
//! deadline.

use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use url::Url;

use crate::client::response::{self, Answer, Grant, MAX_BODY_BYTES};
use crate::client::retry;
use crate::client::validate;
use crate::client::RetryPolicy;
use crate::error::{ApiError, ApiErrorKind};
use crate::quote::quote;
use crate::secret::Secret;

/// What every request of one client shares, in every process (the HTTP client itself is
/// per process: see `client::process`).
pub(crate) struct Endpoint {
    pub url: Url,
    pub api_key: Secret,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Trusted besides the built-in web roots.
    pub root_certificates: Vec<reqwest::Certificate>,
    /// Where an `authorize_url` may lead.
    pub authorize_hosts: validate::AuthorizeHosts,
}

impl Endpoint {
    /// A fresh HTTP client (and so a fresh connection pool) for this endpoint.
    pub(crate) fn http_client(&self) -> Result<reqwest::Client, reqwest::Error> {
        let mut http = reqwest::Client::builder()
            .user_agent(super::USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(super::POOL_IDLE_TIMEOUT);
        if self.url.scheme() == "http" {
            // Loopback only (see `ClientBuilder::base_url`): a proxy from the environment
            // must not see the API key in clear text.
            http = http.no_proxy();
        }
        for certificate in &self.root_certificates {
            http = http.add_root_certificate(certificate.clone());
        }
        http.build()
    }
}

/// Where a call's time limit comes from, for the message of a timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LimitSource {
    /// `ClientBuilder::timeout`.
    Client,
    /// A shorter limit given for this one call.
    Call,
}

/// The time one call may take, retries, backoffs and `Retry-After` waits included.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    deadline: Instant,
    limit: Duration,
    source: LimitSource,
}

impl Budget {
    /// A budget that starts now: the client's timeout, or `call_limit` when it is shorter.
    pub(crate) fn starting_now(client_timeout: Duration, call_limit: Option<Duration>) -> Budget {
        let (limit, source) = match call_limit {
            Some(call) if call < client_timeout => (call, LimitSource::Call),
            _ => (client_timeout, LimitSource::Client),
        };
        let now = Instant::now();
        // A limit too large for the clock is "a century": the same in practice.
        let deadline = now
            .checked_add(limit)
            .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
            .unwrap_or(now);
        Budget {
            deadline,
            limit,
            source,
        }
    }

    /// What is left of it (zero once the deadline has passed).
    pub(crate) fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    fn tokio_deadline(&self) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.deadline)
    }

    /// The limit and where it comes from, for messages.
    fn described(&self) -> String {
        match self.source {
            LimitSource::Client => format!(
                "the client's timeout of {:?}, which bounds the whole call (retries and waits included)",
                self.limit
            ),
            LimitSource::Call => format!("this call's time limit of {:?}", self.limit),
        }
    }
}

/// Sends `body` until it succeeds, fails for good, the retry policy says stop, or the
/// deadline comes: a wait that would end past the deadline is not taken (the error is
/// returned at once), and each attempt gets only the time left.
pub(crate) async fn send_with_retries(
    endpoint: &Endpoint,
    http: &reqwest::Client,
    body: Vec<u8>,
    budget: Budget,
) -> Result<Grant, ApiError> {
    let mut retries_done = 0;
    loop {
        let error = match send_once(endpoint, http, body.clone(), &budget).await {
            Ok(grant) => return Ok(grant),
            Err(error) => error,
        };
        let Some(delay) = retry::next_delay(
            &endpoint.retry,
            &error,
            retries_done,
            retry::jitter_source(),
        ) else {
            return Err(error);
        };
        let remaining = budget.remaining();
        if delay >= remaining {
            return Err(not_waited(error, delay, remaining, &budget));
        }
        tokio::time::sleep(delay).await;
        retries_done += 1;
    }
}

/// One attempt, bounded by what is left of the call's budget, from connecting to the
/// body's last byte.
async fn send_once(
    endpoint: &Endpoint,
    http: &reqwest::Client,
    body: Vec<u8>,
    budget: &Budget,
) -> Result<Grant, ApiError> {
    if budget.remaining().is_zero() {
        return Err(timed_out(endpoint, budget));
    }
    let request = http
        .post(endpoint.url.clone())
        .header(AUTHORIZATION, validate::bearer_header(&endpoint.api_key)?)
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "application/json")
        .body(body);
    let answer = tokio::time::timeout_at(budget.tokio_deadline(), async {
        let response = request.send().await?;
        read_answer(response).await
    })
    .await
    .map_err(|_| timed_out(endpoint, budget))?
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

fn timed_out(endpoint: &Endpoint, budget: &Budget) -> ApiError {
    ApiError::new(
        ApiErrorKind::Timeout,
        format!(
            "no complete answer from {} within {}; the service may be slow or unreachable: try again later, or allow more time",
            host_of(&endpoint.url),
            budget.described()
        ),
    )
}

/// `error`, returned instead of waiting `delay` for a retry that would start after the
/// deadline; its message says so (a `rate_limited` error keeps its `retry_after`).
fn not_waited(
    mut error: ApiError,
    delay: Duration,
    remaining: Duration,
    budget: &Budget,
) -> ApiError {
    let wait = if error.kind() == ApiErrorKind::RateLimited && error.retry_after().is_some() {
        "the wait the service asks for"
    } else {
        "the backoff before a retry"
    };
    error.message.push_str(&format!(
        " (not retried: {wait}, {delay:?}, is longer than the {remaining:?} left of {})",
        budget.described()
    ));
    error
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
        // The cause may carry names from the server's certificate: quoted like any other text
        // this library did not write.
        format!(
            "{action} {} ({}); {advice}",
            host_of(&endpoint.url),
            quote(&cause)
        ),
    )
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => "the service".to_owned(),
    }
}
