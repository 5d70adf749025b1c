//! `Client`: creates delegation sessions over HTTPS (PostSyncer's sessions API).
//!
//! One concern per module: `validate` (local checks), `transport` (the request, its retries
//! and the call's deadline), `retry` (backoff and `Retry-After`), `response` (answer → grant
//! or error), `runtime` (the client's own tokio runtime), `process` (a runtime and a
//! connection pool per process, so that a client survives `fork()`), `cancel` (per-call
//! limits for callers without async cancellation).

mod cancel;
pub(crate) mod process;
mod response;
mod retry;
pub(crate) mod runtime;
mod transport;
mod validate;

#[cfg(fuzzing)]
#[doc(hidden)]
pub use response::fuzz_session_response;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use crate::clock::unix_now;
use crate::error::{ApiError, ApiErrorKind, ConfigError};
use crate::platform::Platform;
use crate::secret::Secret;
use crate::state::generate_state;
// The C API's per-call limits (`psd_client_create_session_within`, `psd_cancel_token`).
#[cfg_attr(not(feature = "capi"), allow(unused_imports))]
pub(crate) use cancel::{CallLimits, CancelToken};
use process::PerProcess;
use runtime::OwnedRuntime;
use transport::{Budget, Endpoint};

/// The User-Agent of every request: the crate and its version.
const USER_AGENT: &str = concat!(
    "postsyncer-delegation/",
    env!("CARGO_PKG_VERSION"),
    " (rust)"
);

/// The most retries a policy may ask for: beyond this, retrying only adds load.
const MAX_RETRIES_LIMIT: u32 = 10;

/// How long an idle pooled connection is kept for the next request.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// How long one call may take unless [`ClientBuilder::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// PostSyncer's production API base URL.
pub const DEFAULT_BASE_URL: &str = "https://postsyncer.com/api";

/// How failed attempts are retried: transport errors, 429 (honouring `Retry-After`, capped)
/// and 502/503/504, with exponential backoff and full jitter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 turns retrying off). Default 2.
    pub max_retries: u32,
    /// The backoff before the first retry; doubled for each further one. Default 200 ms.
    pub initial_backoff: Duration,
    /// The longest backoff between two attempts. Default 5 s.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured; a longer one is returned as `rate_limited`
    /// instead of waited for. Default 30 s.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// A created delegation session: send the user's browser to `authorize_url`, and persist
/// `state` (and `platform`) to check the callback against.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Session {
    /// Where to redirect the user's browser. Opaque and single-use.
    pub authorize_url: String,
    /// Seconds the authorize URL stays valid, as the service said (signed, so that Java can
    /// read it; a value past `i64::MAX` is clamped).
    pub expires_in: i64,
    /// When the authorize URL stops being valid, in unix seconds (now + `expires_in`).
    pub expires_at: i64,
    /// The state sent (the one given, or a generated one).
    pub state: String,
    /// The platform the session is for.
    pub platform: Platform,
    /// The callback URL the user will be sent back to.
    pub callback_url: String,
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    api_key: Secret,
    base_url: String,
    timeout: Duration,
    retry: RetryPolicy,
    /// PEM bundles given to [`ClientBuilder::add_root_certificate_pem`], parsed by `build`.
    root_certificates_pem: Vec<Vec<u8>>,
    /// Hosts given to [`ClientBuilder::allow_authorize_host`], checked by `build`.
    authorize_hosts: Vec<String>,
}

impl ClientBuilder {
    /// The API base URL (default [`DEFAULT_BASE_URL`]); the emulator's is
    /// `http://127.0.0.1:8787/api`. It must be `https://`, except for a loopback host
    /// (`localhost`, `127.0.0.0/8`, `::1`), so the API key never crosses a network in clear
    /// text. Redirects are never followed: point it at the final address.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The longest one call may take, from the call to its result: every attempt (from
    /// connecting to the answer's last byte), every backoff and every `Retry-After` wait
    /// included. Default 10 s.
    ///
    /// It is a deadline for the whole call: each attempt gets only the time left, and a
    /// retry whose wait would end past the deadline is not waited for: the call returns at
    /// once with the error it has (a `rate_limited` error keeps its `retry_after`, so the
    /// caller can decide). A call that runs out of time fails with `timeout`, and is not
    /// retried. So a 429 asking for 5 s against a 2 s timeout returns `rate_limited` at
    /// once, not after 5 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Also trusts the certificate(s) in this PEM text (e.g. a test server's self-signed
    /// certificate, or a corporate TLS proxy's root) besides the built-in web roots.
    /// `build` refuses text that holds no valid certificate.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.root_certificates_pem.push(pem.to_vec());
        self
    }

    /// Also accepts `authorize_url`s on this host (a bare host name or IP address, matched
    /// exactly), for a deployment that reaches PostSyncer through another host. Without it,
    /// an `authorize_url` must be on the base URL's host or one of its subdomains
    /// (`app.postsyncer.com` for `https://postsyncer.com/api`), over https (plain http only
    /// from a loopback emulator): any other answer is `invalid_response`, so that the
    /// service's answer cannot send the user's browser anywhere else.
    pub fn allow_authorize_host(mut self, host: impl Into<String>) -> Self {
        self.authorize_hosts.push(host.into());
        self
    }

    /// The client, or why the configuration is refused (empty or malformed API key, bad
    /// base URL, zero timeout, too many retries). Starts the client's worker threads.
    pub fn build(self) -> Result<Client, ConfigError> {
        validate::check_api_key(&self.api_key)?;
        let url = validate::sessions_endpoint(&self.base_url)?;
        let authorize_hosts = validate::AuthorizeHosts::new(&url, &self.authorize_hosts)?;
        if self.timeout.is_zero() {
            return Err(ConfigError::InvalidArgument {
                name: "timeout",
                reason: "must be longer than zero".to_owned(),
            });
        }
        if self.retry.max_retries > MAX_RETRIES_LIMIT {
            return Err(ConfigError::InvalidArgument {
                name: "retry_policy",
                reason: format!(
                    "max_retries is {}, more than {MAX_RETRIES_LIMIT}; more retries only add load to a struggling service",
                    self.retry.max_retries
                ),
            });
        }
        let mut root_certificates = Vec::new();
        for pem in &self.root_certificates_pem {
            root_certificates.extend(root_certificates_of(pem)?);
        }
        let endpoint = Arc::new(Endpoint {
            url,
            api_key: self.api_key,
            timeout: self.timeout,
            retry: self.retry,
            root_certificates,
            authorize_hosts,
        });
        let live = Live::start(&endpoint).map_err(|reason| ConfigError::InvalidArgument {
            name: "client",
            reason,
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                endpoint,
                live: PerProcess::new(live),
            }),
        })
    }
}

/// The certificates of one PEM bundle; at least one, each well formed.
fn root_certificates_of(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, ConfigError> {
    let refused = |reason: String| ConfigError::InvalidArgument {
        name: "root_certificate_pem",
        reason,
    };
    let certificates = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|e| refused(format!("not a readable PEM certificate bundle ({e})")))?;
    if certificates.is_empty() {
        return Err(refused(
            "holds no `-----BEGIN CERTIFICATE-----` block; pass the certificate's PEM text"
                .to_owned(),
        ));
    }
    Ok(certificates)
}

/// A PostSyncer API client. Cheap to clone (clones share one connection pool and one small
/// runtime); build one per API key at start-up and share it. Dropping the last clone stops
/// its worker threads without waiting for requests still in flight.
///
/// It survives `fork()` (gunicorn `--preload`, uWSGI, Celery's prefork pool, Python's
/// `multiprocessing`): a forked child's first call starts the child's own worker threads
/// and connection pool, and never touches the parent's (their threads do not exist in the
/// child, and their connections are the parent's sockets).
///
/// The API key is kept as a [`Secret`]: never in `Debug` output or an error message (text
/// the service sends back is searched for it, and the key replaced by `[redacted]`), and
/// overwritten when the last clone is dropped. That wipes the client's own copy and the
/// `Bearer <key>` text it formats for each request; it does not wipe the copies the HTTP
/// and TLS stack makes of the `Authorization` header (reqwest's header value, hyper's write
/// buffer, rustls's plaintext buffers), which are freed without being overwritten, nor the
/// caller's own string. See [`Secret`] for the whole list.
///
/// ```no_run
/// use postsyncer_delegation::{Client, Platform};
///
/// let api_key = std::env::var("POSTSYNCER_API_KEY")?;
/// let client = Client::new(api_key)?;
/// let session =
///     client.create_session_blocking(Platform::Tiktok, "https://yourapp.com/callback", None)?;
/// // Persist session.state and session.platform with the user's session, then:
/// println!("redirect the browser to {}", session.authorize_url);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Arc<Endpoint>,
    live: PerProcess<Live>,
}

/// What cannot cross a `fork()`: the worker threads and the connection pool.
struct Live {
    runtime: OwnedRuntime,
    http: reqwest::Client,
}

impl Live {
    /// Starts the worker threads and a fresh connection pool, or says why it could not.
    fn start(endpoint: &Endpoint) -> Result<Live, String> {
        let http = endpoint
            .http_client()
            .map_err(|e| format!("the HTTP client could not be set up ({e})"))?;
        let runtime = OwnedRuntime::start()
            .map_err(|e| format!("the client's worker threads could not be started ({e})"))?;
        Ok(Live { runtime, http })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let endpoint = &self.inner.endpoint;
        f.debug_struct("Client")
            .field("endpoint", &endpoint.url.as_str())
            .field("api_key", &endpoint.api_key)
            .field("timeout", &endpoint.timeout)
            .field("retry", &endpoint.retry)
            .finish()
    }
}

/// The JSON body of a sessions request.
#[derive(Serialize)]
struct SessionRequest<'a> {
    platform: &'a str,
    callback_url: &'a str,
    state: &'a str,
}

/// A validated request, ready to run on the client's runtime.
struct Prepared {
    body: Vec<u8>,
    platform: Platform,
    callback_url: String,
    state: String,
}

impl Prepared {
    fn new(platform: Platform, callback_url: &str, state: Option<&str>) -> Result<Self, ApiError> {
        validate::check_callback_url(callback_url)?;
        let state = match state {
            Some(given) => {
                validate::check_state(given)?;
                given.to_owned()
            }
            None => generate_state()?,
        };
        let body = serde_json::to_vec(&SessionRequest {
            platform: platform.as_str(),
            callback_url,
            state: &state,
        })
        .map_err(|e| {
            ApiError::new(
                ApiErrorKind::InvalidRequest,
                format!("the request could not be encoded ({e})"),
            )
        })?;
        Ok(Prepared {
            body,
            platform,
            callback_url: callback_url.to_owned(),
            state,
        })
    }

    /// The whole exchange, retries included, within `budget`; runs on the client's runtime.
    async fn send(
        self,
        endpoint: Arc<Endpoint>,
        http: reqwest::Client,
        budget: Budget,
    ) -> Result<Session, ApiError> {
        let grant = transport::send_with_retries(&endpoint, &http, self.body, budget).await?;
        let expires_in = i64::try_from(grant.expires_in).unwrap_or(i64::MAX);
        let now = unix_now();
        Ok(Session {
            authorize_url: grant.authorize_url,
            expires_in,
            expires_at: now.saturating_add(expires_in),
            state: self.state,
            platform: self.platform,
            callback_url: self.callback_url,
        })
    }
}

/// The error for a request task that ended without an answer: the client's runtime stopped
/// (it was being dropped) or the task failed inside the HTTP stack.
fn task_lost() -> ApiError {
    ApiError::new(
        ApiErrorKind::Transport,
        "the request ended without an answer (the client was shutting down, or the HTTP stack failed); try again with a live client",
    )
}

impl Client {
    /// A client for this API key with the default base URL, timeout and retry policy.
    pub fn new(api_key: impl Into<Secret>) -> Result<Client, ConfigError> {
        Client::builder(api_key).build()
    }

    /// A builder, for another base URL, timeout or retry policy.
    pub fn builder(api_key: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder {
            api_key: api_key.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            root_certificates_pem: Vec::new(),
            authorize_hosts: Vec::new(),
        }
    }

    /// Creates a delegation session. `state` is generated (256 random bits) when `None`.
    ///
    /// The arguments are checked before anything is sent (`invalid_request`): an absolute
    /// http(s) callback URL with a host and no fragment; a state of 1–255 bytes without
    /// control characters or `&`. The request runs on the client's own runtime, so this
    /// future may be awaited on any executor; dropping it cancels the request.
    ///
    /// Retries follow the [`RetryPolicy`], within the client's timeout for the whole call
    /// ([`ClientBuilder::timeout`]). Creating a session twice is harmless (an unused
    /// authorize URL simply expires), which is why a POST may be retried at all.
    pub async fn create_session(
        &self,
        platform: Platform,
        callback_url: &str,
        state: Option<&str>,
    ) -> Result<Session, ApiError> {
        let (runtime, task) =
            self.session_task(platform, callback_url, state, CallLimits::default())?;
        runtime.spawn(task).await.map_err(|_| task_lost())?
    }

    /// The blocking form of [`Client::create_session`], for code without an async runtime.
    /// Safe from any thread, including one that runs a tokio runtime (it blocks that thread
    /// while the client's own runtime does the work).
    pub fn create_session_blocking(
        &self,
        platform: Platform,
        callback_url: &str,
        state: Option<&str>,
    ) -> Result<Session, ApiError> {
        self.create_session_blocking_within(platform, callback_url, state, CallLimits::default())
    }

    /// [`Client::create_session_blocking`] within per-call limits: a shorter time limit than
    /// the client's timeout, and a token that cancels the call from another thread (what C
    /// and Go need; an async Rust caller drops the future instead).
    pub(crate) fn create_session_blocking_within(
        &self,
        platform: Platform,
        callback_url: &str,
        state: Option<&str>,
        limits: CallLimits,
    ) -> Result<Session, ApiError> {
        let (runtime, task) = self.session_task(platform, callback_url, state, limits)?;
        runtime.run_blocking(task).ok_or_else(task_lost)?
    }

    /// The whole exchange as a task for this process's runtime, once the arguments pass; the
    /// call's deadline starts now.
    fn session_task(
        &self,
        platform: Platform,
        callback_url: &str,
        state: Option<&str>,
        limits: CallLimits,
    ) -> Result<
        (
            &OwnedRuntime,
            impl Future<Output = Result<Session, ApiError>> + Send + 'static,
        ),
        ApiError,
    > {
        let budget = Budget::starting_now(self.inner.endpoint.timeout, limits.timeout);
        let prepared = Prepared::new(platform, callback_url, state)?;
        if limits.cancel.as_ref().is_some_and(|c| c.is_cancelled()) {
            return Err(cancel::cancelled_error());
        }
        let live = self.live()?;
        let send = prepared.send(Arc::clone(&self.inner.endpoint), live.http.clone(), budget);
        let task = async move {
            match limits.cancel {
                Some(token) => token.guard(send).await,
                None => send.await,
            }
        };
        Ok((&live.runtime, task))
    }

    /// This process's worker threads and connection pool: started here on the first call
    /// after a `fork()`.
    fn live(&self) -> Result<&Live, ApiError> {
        self.inner
            .live
            .current(|| Live::start(&self.inner.endpoint))
            .map_err(|reason| {
                ApiError::new(
                    ApiErrorKind::Transport,
                    format!("{reason} in this process (a fork of the one that built the client); check the process's thread and file limits, or build the client after forking"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const LOCAL: &str = "http://127.0.0.1:8787/api";

    fn refusal(builder: ClientBuilder) -> ConfigError {
        builder.build().expect_err("the configuration is refused")
    }

    #[test]
    fn build_refuses_unusable_configurations() {
        assert_eq!(refusal(Client::builder("")), ConfigError::EmptyApiKey);
        let bad_url = refusal(Client::builder("k").base_url("http://postsyncer.com/api"));
        assert!(bad_url.to_string().contains("base_url"), "{bad_url}");
        let no_time = refusal(Client::builder("k").base_url(LOCAL).timeout(Duration::ZERO));
        assert!(no_time.to_string().contains("timeout"), "{no_time}");
        let too_many = RetryPolicy {
            max_retries: MAX_RETRIES_LIMIT + 1,
            ..RetryPolicy::default()
        };
        let retries = refusal(Client::builder("k").base_url(LOCAL).retry_policy(too_many));
        assert!(retries.to_string().contains("max_retries"), "{retries}");
    }

    #[test]
    fn build_refuses_root_certificates_that_are_not_pem_certificates() {
        let garbage =
            b"-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n";
        for pem in [&b""[..], b"just text", garbage] {
            let refused = refusal(Client::builder("k").add_root_certificate_pem(pem));
            assert_eq!(refused.kind().as_str(), "invalid_argument");
            assert!(
                refused.to_string().contains("root_certificate_pem"),
                "{refused}"
            );
        }
    }

    #[test]
    fn debug_shows_the_configuration_but_not_the_key() {
        let client = Client::builder("ps_live_secret_key")
            .base_url(LOCAL)
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(
            shown.contains("127.0.0.1:8787/api/oauth/delegate/sessions"),
            "{shown}"
        );
        assert!(!shown.contains("ps_live_secret_key"), "{shown}");
    }

    #[test]
    fn arguments_are_checked_before_any_request() {
        // Nothing listens on the discard port: only a local refusal can answer.
        let client = Client::builder("k")
            .base_url("http://127.0.0.1:9/api")
            .build()
            .unwrap();
        let error = client
            .create_session_blocking(Platform::Tiktok, "not a url", None)
            .unwrap_err();
        assert_eq!(error.kind(), ApiErrorKind::InvalidRequest);
    }

    #[test]
    fn user_agent_names_crate_and_version() {
        assert_eq!(
            USER_AGENT,
            format!("postsyncer-delegation/{} (rust)", env!("CARGO_PKG_VERSION"))
        );
    }
}
