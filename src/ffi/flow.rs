//! The exported `Flow` (protocol.md §5) and the application's own store (`StateStore`, a
//! foreign-implemented trait).
//!
//! The flow is built from the exported `Client` and the signing secrets, not from a
//! `Verifier` object: Python and the JVM verify over the C API and have no UniFFI `Verifier`
//! (`uniffi.toml`), so a secrets list is the one argument every binding can pass.

use std::sync::Arc;

use super::client::Client;
use super::error::{BeginError, CompleteError, ConfigError};
use crate::flow as core;
use crate::foreign_args;
use crate::platform::Platform;
use crate::proof::Proof;

/// Why the application's store failed. Raise it (or any other exception) from `put` or
/// `take`: the flow reports every failure of the store as `store_unavailable`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum StoreError {
    /// The store could not do what was asked (unreachable, timed out, key in use).
    #[error("{detail}")]
    Failed {
        /// What failed (never a key, a record or a password).
        detail: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for StoreError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        StoreError::Failed { detail: e.reason }
    }
}

/// A store the application implements over its own database (protocol.md §5): keys and
/// records are opaque text, TTLs whole seconds.
///
/// `put` stores `record` under `key` for `ttl_seconds` unless `key` holds a live record
/// (then it fails). `take` returns and removes the record under `key` in one atomic step
/// (`DELETE … RETURNING`, a conditional delete, `dict.pop` under a lock,
/// `ConcurrentHashMap.remove`), and `null`/`None` when there is none. Any failure is an
/// exception, never `None`: the flow must tell "no such flow" from "could not look".
/// Both are called from any thread, concurrently. (Java implementations throw unchecked
/// exceptions: the generated interface declares no checked one.)
#[uniffi::export(foreign)]
pub trait StateStore: Send + Sync {
    /// Stores `record` under `key` for `ttl_seconds`, unless `key` holds a live record.
    fn put(&self, key: String, record: String, ttl_seconds: i64) -> Result<(), StoreError>;

    /// Removes and returns the record under `key`, atomically; `None` if there is none.
    fn take(&self, key: String) -> Result<Option<String>, StoreError>;
}

/// The foreign store as the core's synchronous store.
struct ForeignStore(Arc<dyn StateStore>);

impl core::SyncStateStore for ForeignStore {
    fn put(&self, key: String, record: String, ttl_seconds: u64) -> Result<(), core::StoreError> {
        let ttl = i64::try_from(ttl_seconds).unwrap_or(i64::MAX);
        self.0.put(key, record, ttl).map_err(store_failed)
    }

    fn take(&self, key: String) -> Result<Option<String>, core::StoreError> {
        self.0.take(key).map_err(store_failed)
    }
}

fn store_failed(e: StoreError) -> core::StoreError {
    core::StoreError::new(format!("the application's store failed: {e}"))
}

/// A begun flow: redirect the browser to `authorize_url`. The state is already stored.
#[derive(Debug, uniffi::Record)]
pub struct Begun {
    /// Where to redirect the user's browser. Opaque and single-use.
    pub authorize_url: String,
    /// The state of this flow (already stored; needed only for logs or tests).
    pub state: String,
    /// Seconds the flow stays open.
    pub expires_in: i64,
}

impl From<core::Begun> for Begun {
    fn from(b: core::Begun) -> Self {
        Begun {
            authorize_url: b.authorize_url,
            state: b.state,
            expires_in: b.expires_in,
        }
    }
}

/// A completed flow: the verified proof, and the metadata given to `begin`.
#[derive(Debug, uniffi::Record)]
pub struct Completed {
    /// The verified proof; trust `proof.platform_id`.
    pub proof: Proof,
    /// The metadata given to `begin`, unchanged.
    pub metadata: Option<String>,
}

impl From<core::Completed> for Completed {
    fn from(c: core::Completed) -> Self {
        Completed {
            proof: c.proof,
            metadata: c.metadata,
        }
    }
}

/// The whole delegation flow with single-use state (protocol.md §5): `begin` stores a
/// pending record and creates the session; `complete` takes the record once, checks the
/// subject and verifies the callback. Build one at start-up and share it between threads.
#[derive(Debug, uniffi::Object)]
pub struct Flow {
    inner: core::Flow,
}

#[uniffi::export]
impl Flow {
    /// A flow with an in-memory store of `memory_capacity` pending flows: one process only
    /// (a fleet, or a server that forks workers, needs Redis or the application's store).
    /// `signing_secrets` verify the callbacks (more than one during a rotation) with the
    /// verifier's defaults (no clock leeway; an expiry at most an hour ahead);
    /// `max_pending_seconds` bounds how long a begun flow waits for its callback. Zero or a
    /// negative number for either count is `invalid_argument`.
    #[uniffi::constructor(default(memory_capacity = 100000, max_pending_seconds = 3600))]
    pub fn new(
        client: Arc<Client>,
        signing_secrets: Vec<String>,
        memory_capacity: i64,
        max_pending_seconds: i64,
    ) -> Result<Self, ConfigError> {
        let capacity = foreign_args::memory_capacity(memory_capacity)?;
        build(
            &client,
            signing_secrets,
            Arc::new(core::MemoryStore::with_capacity(capacity)),
            max_pending_seconds,
        )
    }

    /// A flow over Redis (`redis://[:password@]host[:port][/db]`, `rediss://` for TLS),
    /// shared by every process and host using the same server and `key_prefix`. Connects on
    /// first use, so an unreachable server shows as `store_unavailable` then, not here.
    #[uniffi::constructor(default(
        key_prefix = "psd:state:",
        connect_timeout_ms = 2000,
        command_timeout_ms = 2000,
        max_pending_seconds = 3600
    ))]
    pub fn with_redis(
        client: Arc<Client>,
        signing_secrets: Vec<String>,
        redis_url: String,
        key_prefix: String,
        connect_timeout_ms: i64,
        command_timeout_ms: i64,
        max_pending_seconds: i64,
    ) -> Result<Self, ConfigError> {
        let store = redis_store(
            redis_url,
            key_prefix,
            connect_timeout_ms,
            command_timeout_ms,
        )?;
        build(&client, signing_secrets, store, max_pending_seconds)
    }

    /// A flow over the application's own store (see `StateStore`).
    #[uniffi::constructor(default(max_pending_seconds = 3600))]
    pub fn with_store(
        client: Arc<Client>,
        signing_secrets: Vec<String>,
        store: Arc<dyn StateStore>,
        max_pending_seconds: i64,
    ) -> Result<Self, ConfigError> {
        let store = Arc::new(core::SyncStore::new(Arc::new(ForeignStore(store))));
        build(&client, signing_secrets, store, max_pending_seconds)
    }

    /// Begins a flow: stores the pending record, creates the session; redirect the browser
    /// to the returned `authorize_url`. `subject` binds the flow to whoever began it (the
    /// signed-in user's id or the browser session's id); `metadata` comes back from
    /// `complete` unchanged.
    #[uniffi::method(default(metadata = None))]
    pub async fn begin(
        &self,
        platform: Platform,
        callback_url: String,
        subject: String,
        metadata: Option<String>,
    ) -> Result<Begun, BeginError> {
        Ok(self
            .inner
            .begin(platform, &callback_url, &subject, metadata.as_deref())
            .await?
            .into())
    }

    /// The blocking form of `begin`, for callers without an event loop.
    #[uniffi::method(default(metadata = None))]
    pub fn begin_blocking(
        &self,
        platform: Platform,
        callback_url: String,
        subject: String,
        metadata: Option<String>,
    ) -> Result<Begun, BeginError> {
        Ok(self
            .inner
            .begin_blocking(platform, &callback_url, &subject, metadata.as_deref())?
            .into())
    }

    /// Completes a flow with the callback (the whole URL the browser came back to, or its
    /// query) and the subject given to `begin`: takes the record once (`state_not_found`
    /// when there is none: expired, or already completed), checks the subject
    /// (`subject_mismatch`) and verifies the callback.
    pub async fn complete(
        &self,
        callback: String,
        subject: String,
    ) -> Result<Completed, CompleteError> {
        Ok(self.inner.complete(&callback, &subject).await?.into())
    }

    /// The blocking form of `complete`, for callers without an event loop.
    pub fn complete_blocking(
        &self,
        callback: String,
        subject: String,
    ) -> Result<Completed, CompleteError> {
        Ok(self.inner.complete_blocking(&callback, &subject)?.into())
    }
}

fn build(
    client: &Client,
    signing_secrets: Vec<String>,
    store: Arc<dyn core::StateStore>,
    max_pending_seconds: i64,
) -> Result<Flow, ConfigError> {
    let max_pending = foreign_args::max_pending(max_pending_seconds)?;
    let verifier = crate::verifier::Verifier::new(signing_secrets)?;
    let inner = core::Flow::builder(client.core().clone(), verifier)
        .store(store)
        .max_pending(max_pending)
        .build();
    Ok(Flow { inner })
}

#[cfg(feature = "redis")]
fn redis_store(
    url: String,
    key_prefix: String,
    connect_timeout_ms: i64,
    command_timeout_ms: i64,
) -> Result<Arc<dyn core::StateStore>, ConfigError> {
    let store = core::RedisStore::builder(url)
        .key_prefix(key_prefix)
        .connect_timeout(foreign_args::millis(
            connect_timeout_ms,
            "connect_timeout_ms",
        )?)
        .command_timeout(foreign_args::millis(
            command_timeout_ms,
            "command_timeout_ms",
        )?)
        .build()?;
    Ok(Arc::new(store))
}

/// Without the `redis` feature the constructor still exists, so that every build has the
/// same foreign surface (Swift's sources are committed), and refuses.
#[cfg(not(feature = "redis"))]
fn redis_store(
    _url: String,
    _key_prefix: String,
    _connect_timeout_ms: i64,
    _command_timeout_ms: i64,
) -> Result<Arc<dyn core::StateStore>, ConfigError> {
    Err(crate::error::ConfigError::InvalidArgument {
        name: "redis_url",
        reason: "this build of the library has no Redis support (the `redis` feature)".to_owned(),
    }
    .into())
}
