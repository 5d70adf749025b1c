//! `Client`: creates delegation sessions over HTTPS (PostSyncer's sessions API).
//!
//! PUBLIC API FIXED; BODIES TO BE IMPLEMENTED (see the client issue brief).

use std::sync::Arc;
use std::time::Duration;

use crate::error::{ApiError, ApiErrorKind, ConfigError};
use crate::platform::Platform;
use crate::secret::Secret;

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
pub struct Session {
    /// Where to redirect the user's browser. Opaque and single-use.
    pub authorize_url: String,
    /// Seconds the authorize URL stays valid, as the service said.
    pub expires_in: u64,
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
}

impl ClientBuilder {
    /// The API base URL (default [`DEFAULT_BASE_URL`]); the emulator's is
    /// `http://127.0.0.1:8787/api`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The longest one attempt may take, connection included. Default 10 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The client, or why the configuration is refused (empty API key, bad base URL).
    pub fn build(self) -> Result<Client, ConfigError> {
        let _ = (&self.api_key, &self.base_url, self.timeout, &self.retry);
        Err(ConfigError::InvalidArgument {
            name: "client",
            reason: "not implemented yet".to_owned(),
        })
    }
}

/// A PostSyncer API client. Cheap to clone (clones share one connection pool); build one
/// per API key at start-up and share it.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<()>,
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
            timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
        }
    }

    /// Creates a delegation session. `state` is generated (256 random bits) when `None`.
    pub async fn create_session(
        &self,
        platform: Platform,
        callback_url: &str,
        state: Option<&str>,
    ) -> Result<Session, ApiError> {
        let _ = (&self.inner, platform, callback_url, state);
        Err(ApiError::new(
            ApiErrorKind::Transport,
            "not implemented yet",
        ))
    }

    /// The blocking form of [`Client::create_session`], for code without an async runtime.
    pub fn create_session_blocking(
        &self,
        platform: Platform,
        callback_url: &str,
        state: Option<&str>,
    ) -> Result<Session, ApiError> {
        let _ = (&self.inner, platform, callback_url, state);
        Err(ApiError::new(
            ApiErrorKind::Transport,
            "not implemented yet",
        ))
    }
}
