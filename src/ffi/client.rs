//! The exported `Client` and `Session`: the core client with the core's own runtime.

use std::time::Duration;

use super::error::{ApiError, ConfigError};
use crate::client as core;
use crate::platform::Platform;

/// A created delegation session: send the user's browser to `authorize_url`, and persist
/// `state` (and `platform`) to check the callback against.
#[derive(Debug, uniffi::Record)]
pub struct Session {
    /// Where to redirect the user's browser. Opaque and single-use.
    pub authorize_url: String,
    /// Seconds the authorize URL stays valid, as the service said.
    pub expires_in: i64,
    /// When the authorize URL stops being valid, in unix seconds.
    pub expires_at: i64,
    /// The state sent (the one given, or a generated one).
    pub state: String,
    /// The platform the session is for.
    pub platform: Platform,
    /// The callback URL the user will be sent back to.
    pub callback_url: String,
}

impl From<core::Session> for Session {
    fn from(s: core::Session) -> Self {
        Session {
            authorize_url: s.authorize_url,
            // The service says 900; anything past i64::MAX seconds is clamped, not wrapped.
            expires_in: i64::try_from(s.expires_in).unwrap_or(i64::MAX),
            expires_at: s.expires_at,
            state: s.state,
            platform: s.platform,
            callback_url: s.callback_url,
        }
    }
}

/// A PostSyncer API client. Build one per API key at start-up and share it: it keeps one
/// connection pool and its own runtime.
#[derive(Debug, uniffi::Object)]
pub struct Client {
    inner: core::Client,
}

#[uniffi::export]
impl Client {
    /// A client for this API key. `base_url` defaults to PostSyncer's production API;
    /// `timeout_ms` bounds each attempt; `max_retries` counts retries after the first attempt.
    /// Refuses an empty API key, a bad base URL and negative numbers.
    #[uniffi::constructor(default(base_url = None, timeout_ms = 10000, max_retries = 2))]
    pub fn new(
        api_key: String,
        base_url: Option<String>,
        timeout_ms: i64,
        max_retries: i32,
    ) -> Result<Self, ConfigError> {
        Client::configured(api_key, base_url, timeout_ms, max_retries, None)
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
        Client::configured(
            api_key,
            base_url,
            timeout_ms,
            max_retries,
            Some(&root_certificate_pem),
        )
    }

    /// Creates a delegation session; `state` is generated (256 random bits) when `null`.
    #[uniffi::method(default(state = None))]
    pub async fn create_session(
        &self,
        platform: Platform,
        callback_url: String,
        state: Option<String>,
    ) -> Result<Session, ApiError> {
        let session = self
            .inner
            .create_session(platform, &callback_url, state.as_deref())
            .await?;
        Ok(session.into())
    }

    /// The blocking form of `create_session`, for callers without an event loop.
    #[uniffi::method(default(state = None))]
    pub fn create_session_blocking(
        &self,
        platform: Platform,
        callback_url: String,
        state: Option<String>,
    ) -> Result<Session, ApiError> {
        let session =
            self.inner
                .create_session_blocking(platform, &callback_url, state.as_deref())?;
        Ok(session.into())
    }
}

impl Client {
    fn configured(
        api_key: String,
        base_url: Option<String>,
        timeout_ms: i64,
        max_retries: i32,
        root_certificate_pem: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let timeout = u64::try_from(timeout_ms)
            .map(Duration::from_millis)
            .map_err(|_| ConfigError::negative("timeout_ms"))?;
        let max_retries =
            u32::try_from(max_retries).map_err(|_| ConfigError::negative("max_retries"))?;
        let mut builder = core::Client::builder(api_key)
            .timeout(timeout)
            .retry_policy(core::RetryPolicy {
                max_retries,
                ..core::RetryPolicy::default()
            });
        if let Some(base_url) = base_url {
            builder = builder.base_url(base_url);
        }
        if let Some(pem) = root_certificate_pem {
            builder = builder.add_root_certificate_pem(pem.as_bytes());
        }
        Ok(Client {
            inner: builder.build()?,
        })
    }
}
