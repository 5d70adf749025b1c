//! The exported `Client`: the core client (and its own runtime), built from foreign arguments.

use super::error::{ApiError, ConfigError};
use crate::client::{self as core, Session};
use crate::foreign_args;
use crate::platform::Platform;

/// A PostSyncer API client. Build one per API key at start-up and share it: it keeps one
/// connection pool and its own runtime.
#[derive(Debug, uniffi::Object)]
pub struct Client {
    inner: core::Client,
}

#[uniffi::export]
impl Client {
    /// A client for this API key. `base_url` defaults to PostSyncer's production API;
    /// `timeout_ms` bounds the whole call (retries and waits included); `max_retries` counts
    /// retries after the first attempt.
    /// Refuses an empty API key, a bad base URL and negative numbers.
    #[uniffi::constructor(default(base_url = None, timeout_ms = 10000, max_retries = 2))]
    pub fn new(
        api_key: String,
        base_url: Option<String>,
        timeout_ms: i64,
        max_retries: i32,
    ) -> Result<Self, ConfigError> {
        let inner =
            foreign_args::client(api_key, base_url.as_deref(), timeout_ms, max_retries, None)?;
        Ok(Client { inner })
    }

    /// A client that also trusts the certificate(s) in `root_certificate_pem` besides the
    /// built-in web roots (e.g. a test server's self-signed certificate, or a TLS-inspecting
    /// proxy's root); otherwise like the main constructor. Refuses a PEM text without a valid
    /// certificate. (A separate constructor, not a fifth argument, so that Java callers of the
    /// four-argument constructor keep compiling.)
    #[uniffi::constructor(default(base_url = None, timeout_ms = 10000, max_retries = 2))]
    pub fn with_root_certificate(
        api_key: String,
        root_certificate_pem: String,
        base_url: Option<String>,
        timeout_ms: i64,
        max_retries: i32,
    ) -> Result<Self, ConfigError> {
        let inner = foreign_args::client(
            api_key,
            base_url.as_deref(),
            timeout_ms,
            max_retries,
            Some(root_certificate_pem.as_bytes()),
        )?;
        Ok(Client { inner })
    }

    /// Creates a delegation session; `state` is generated (256 random bits) when `null`.
    #[uniffi::method(default(state = None))]
    pub async fn create_session(
        &self,
        platform: Platform,
        callback_url: String,
        state: Option<String>,
    ) -> Result<Session, ApiError> {
        Ok(self
            .inner
            .create_session(platform, &callback_url, state.as_deref())
            .await?)
    }

    /// The blocking form of `create_session`, for callers without an event loop.
    #[uniffi::method(default(state = None))]
    pub fn create_session_blocking(
        &self,
        platform: Platform,
        callback_url: String,
        state: Option<String>,
    ) -> Result<Session, ApiError> {
        Ok(self
            .inner
            .create_session_blocking(platform, &callback_url, state.as_deref())?)
    }
}

impl Client {
    /// The core client, for the exported `Flow`.
    pub(super) fn core(&self) -> &core::Client {
        &self.inner
    }
}
