//! `Flow`: `begin` / `complete` with single-use state (protocol.md §5), over a [`Client`], a
//! [`Verifier`] and a [`StateStore`].
//!
//! One concern per module: `store` (the store interface), `memory` (the default store),
//! `sync_store` (an application's own synchronous store), `redis` (Redis, feature `redis`),
//! `record` (the pending record and its key), `callback` (reading the state first),
//! `block_on` (the blocking calls' poller).

mod block_on;
mod callback;
mod memory;
mod record;
#[cfg(feature = "redis")]
mod redis;
mod store;
mod sync_store;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::client::{Client, Session};
use crate::clock::unix_now;
use crate::error::{ApiError, BeginError, CompleteError, FlowError, FlowErrorKind};
use crate::platform::Platform;
use crate::proof::Proof;
use crate::quote::quote;
use crate::state::generate_state;
use crate::verifier::Verifier;
use block_on::block_on;
use callback::{read_state, StateRead};
use record::{key_of, Record};

pub use memory::{MemoryStore, DEFAULT_MEMORY_STORE_CAPACITY};
#[cfg(feature = "redis")]
pub use redis::{RedisStore, RedisStoreBuilder, DEFAULT_REDIS_KEY_PREFIX, DEFAULT_REDIS_TIMEOUT};
pub use store::{StateStore, StoreError, StoreFuture};
pub use sync_store::{SyncStateStore, SyncStore};

/// The longest subject accepted, in bytes.
pub const MAX_SUBJECT_BYTES: usize = 1024;

/// The longest metadata accepted, in bytes.
pub const MAX_METADATA_BYTES: usize = 4096;

/// The longest a begun flow waits for its callback unless [`FlowBuilder::max_pending`] says
/// otherwise: one hour.
pub const DEFAULT_MAX_PENDING: Duration = Duration::from_secs(3600);

/// The `expires_in` PostSyncer documents: the record's time-to-live until the session
/// says its own, so that the usual answer needs no second write.
const USUAL_EXPIRES_IN: u64 = 900;

/// A begun flow: send the browser to `authorize_url`. The state is already stored; the app
/// keeps nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Begun {
    /// Where to redirect the user's browser. Opaque and single-use.
    pub authorize_url: String,
    /// The state of this flow (already stored; needed only for logs or tests).
    pub state: String,
    /// Seconds the flow stays open, as the service said (at most the flow's `max_pending`).
    pub expires_in: i64,
}

/// A completed flow: the verified proof, and the metadata given to `begin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completed {
    /// The verified proof; trust `proof.platform_id`.
    pub proof: Proof,
    /// The metadata given to `begin`, unchanged.
    pub metadata: Option<String>,
}

/// The whole delegation flow with single-use state (protocol.md §5): `begin` stores a
/// pending record and creates the session; `complete` takes the record (once, atomically),
/// checks the subject and verifies the callback.
///
/// Cheap to clone; build one at start-up and share it. Every call works from any thread
/// and any async executor; the blocking forms suit code without one (and C and Go).
///
/// ```no_run
/// use postsyncer_delegation::{Client, Flow, Platform, Verifier};
///
/// let client = Client::new(std::env::var("POSTSYNCER_API_KEY")?)?;
/// let verifier = Verifier::new([std::env::var("POSTSYNCER_SIGNING_SECRET")?])?;
/// let flow = Flow::with_memory_store(client, verifier);
///
/// // The "Connect" handler: `subject` is the signed-in user's or the browser session's id.
/// let begun = flow.begin_blocking(Platform::Tiktok, "https://yourapp.com/cb", "session-42", None)?;
/// println!("redirect the browser to {}", begun.authorize_url);
///
/// // The callback handler, with the URL the browser came back to:
/// # let callback_url = "";
/// let completed = flow.complete_blocking(callback_url, "session-42")?;
/// println!("verified {}", completed.proof.platform_id);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Flow {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    verifier: Arc<Verifier>,
    store: Arc<dyn StateStore>,
    max_pending_seconds: u64,
}

impl fmt::Debug for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flow")
            .field("client", &self.inner.client)
            .field("verifier", &self.inner.verifier)
            .field("max_pending_seconds", &self.inner.max_pending_seconds)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Flow`] with another store or a shorter `max_pending`.
pub struct FlowBuilder {
    client: Client,
    verifier: Arc<Verifier>,
    store: Option<Arc<dyn StateStore>>,
    max_pending: Duration,
}

impl fmt::Debug for FlowBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlowBuilder")
            .field("max_pending", &self.max_pending)
            .finish_non_exhaustive()
    }
}

impl FlowBuilder {
    /// The store (default: a new [`MemoryStore`]).
    pub fn store(mut self, store: Arc<dyn StateStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The longest a begun flow waits for its callback: a record lives for the session's
    /// `expires_in`, but never longer than this. Default [`DEFAULT_MAX_PENDING`]; whole
    /// seconds count, at least one.
    pub fn max_pending(mut self, max_pending: Duration) -> Self {
        self.max_pending = max_pending;
        self
    }

    /// The flow.
    pub fn build(self) -> Flow {
        Flow {
            inner: Arc::new(Inner {
                client: self.client,
                verifier: self.verifier,
                store: self.store.unwrap_or_else(|| Arc::new(MemoryStore::new())),
                max_pending_seconds: self.max_pending.as_secs().max(1),
            }),
        }
    }
}

/// Whether a call waits on the caller's executor or blocks its thread; one body of logic
/// serves both.
#[derive(Clone, Copy)]
enum Mode {
    Async,
    Blocking,
}

impl Flow {
    /// A flow over this client, verifier and store.
    pub fn new(
        client: Client,
        verifier: impl Into<Arc<Verifier>>,
        store: Arc<dyn StateStore>,
    ) -> Flow {
        Flow::builder(client, verifier).store(store).build()
    }

    /// A flow over this client and verifier with a [`MemoryStore`] of the default capacity:
    /// one process only.
    pub fn with_memory_store(client: Client, verifier: impl Into<Arc<Verifier>>) -> Flow {
        Flow::builder(client, verifier).build()
    }

    /// A builder, for another store or `max_pending`.
    pub fn builder(client: Client, verifier: impl Into<Arc<Verifier>>) -> FlowBuilder {
        FlowBuilder {
            client,
            verifier: verifier.into(),
            store: None,
            max_pending: DEFAULT_MAX_PENDING,
        }
    }

    /// Begins a flow (protocol.md §5): generates a state, stores the pending record
    /// `{platform, callback_url, subject, metadata}` under it, then creates the session.
    /// Send the browser to the returned `authorize_url`.
    ///
    /// `subject` binds the flow to whoever began it: the signed-in user's id, or the
    /// browser session's id (never empty, at most [`MAX_SUBJECT_BYTES`]); `complete` must
    /// be called with the same one. `metadata` is opaque text (at most
    /// [`MAX_METADATA_BYTES`]) handed back by `complete`, e.g. the page to return to.
    ///
    /// Errors: [`BeginError::Flow`] (`invalid_argument`, `store_unavailable`) or, when the
    /// session cannot be created, its [`ApiError`] unchanged, after the record is removed.
    pub async fn begin(
        &self,
        platform: Platform,
        callback_url: &str,
        subject: &str,
        metadata: Option<&str>,
    ) -> Result<Begun, BeginError> {
        self.begin_in(Mode::Async, platform, callback_url, subject, metadata)
            .await
    }

    /// The blocking form of [`Flow::begin`]: the store and the client are called on this
    /// thread (safe inside a tokio runtime too).
    pub fn begin_blocking(
        &self,
        platform: Platform,
        callback_url: &str,
        subject: &str,
        metadata: Option<&str>,
    ) -> Result<Begun, BeginError> {
        block_on(self.begin_in(Mode::Blocking, platform, callback_url, subject, metadata))
    }

    /// Completes a flow (protocol.md §5) with the callback (the whole URL the browser came
    /// back to, or its query) and the subject of whoever is completing it:
    ///
    /// 1. reads `state` (absent, duplicated, malformed → the §2 kinds; nothing is taken);
    /// 2. takes the record for it, atomically (none → `state_not_found`): the state is
    ///    spent whatever happens next;
    /// 3. compares the subject in constant time (another → `subject_mismatch`);
    /// 4. verifies the callback with the record's state and platform (§2 kinds, including
    ///    `authorization_denied` for an `error` callback).
    ///
    /// A store that cannot be reached or answers with something that is not a record gives
    /// `store_unavailable`, never a proof.
    pub async fn complete(
        &self,
        callback: &str,
        subject: &str,
    ) -> Result<Completed, CompleteError> {
        self.complete_in(Mode::Async, callback, subject).await
    }

    /// The blocking form of [`Flow::complete`]: the store is called on this thread.
    pub fn complete_blocking(
        &self,
        callback: &str,
        subject: &str,
    ) -> Result<Completed, CompleteError> {
        block_on(self.complete_in(Mode::Blocking, callback, subject))
    }

    async fn begin_in(
        &self,
        mode: Mode,
        platform: Platform,
        callback_url: &str,
        subject: &str,
        metadata: Option<&str>,
    ) -> Result<Begun, BeginError> {
        check_subject(subject)?;
        if let Some(metadata) = metadata {
            if metadata.len() > MAX_METADATA_BYTES {
                return Err(invalid(format!(
                    "the metadata is {} bytes, more than the {MAX_METADATA_BYTES} a flow keeps: \
                     store larger data in the application and pass its id",
                    metadata.len()
                ))
                .into());
            }
        }
        let state = generate_state().map_err(ApiError::from)?;
        let key = key_of(&state);
        let provisional = USUAL_EXPIRES_IN.min(self.inner.max_pending_seconds);
        let created_at = unix_now();
        let record = |ttl: u64| {
            let expires_at = created_at.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
            Record::new(
                platform.as_str(),
                callback_url,
                subject,
                metadata,
                created_at,
                expires_at,
            )
            .to_text()
            .map_err(|e| unavailable("storing the flow", &e))
        };
        self.put(mode, &key, &record(provisional)?, provisional)
            .await
            .map_err(|e| unavailable("storing the flow", &e))?;

        let session = match self
            .create_session(mode, platform, callback_url, &state)
            .await
        {
            Ok(session) => session,
            Err(api) => {
                // The session error is what the caller needs; a record left behind is
                // unreachable (nobody has its state) and expires with its TTL.
                let _ = self.take(mode, &key).await;
                return Err(api.into());
            }
        };

        let ttl = u64::try_from(session.expires_in)
            .unwrap_or(1)
            .clamp(1, self.inner.max_pending_seconds);
        if ttl != provisional {
            // Nobody knows the state before this call returns, so nothing can take the
            // record between these two steps.
            match self.take(mode, &key).await {
                Ok(Some(_)) => {}
                Ok(None) => {
                    return Err(unavailable(
                        "storing the flow",
                        "the record was gone right after it was stored",
                    )
                    .into())
                }
                Err(e) => return Err(unavailable("storing the flow", &e).into()),
            }
            self.put(mode, &key, &record(ttl)?, ttl)
                .await
                .map_err(|e| unavailable("storing the flow", &e))?;
        }
        Ok(Begun {
            authorize_url: session.authorize_url,
            state,
            expires_in: i64::try_from(ttl).unwrap_or(i64::MAX),
        })
    }

    async fn complete_in(
        &self,
        mode: Mode,
        callback: &str,
        subject: &str,
    ) -> Result<Completed, CompleteError> {
        check_subject(subject)?;
        let state = match read_state(callback) {
            StateRead::State(state) => state,
            StateRead::Unusable { error, denied } => {
                // §2 step 2 decides before the parameters: an `error` callback is a denial.
                if denied {
                    if let Err(denial) = self.inner.verifier.verify(callback, "", None) {
                        return Err(denial.into());
                    }
                }
                return Err(error.into());
            }
        };
        let key = key_of(&state);
        let text = match self.take(mode, &key).await {
            Ok(Some(text)) => text,
            Ok(None) => return Err(not_found().into()),
            Err(e) => return Err(unavailable("taking the flow's record", &e).into()),
        };
        let record = Record::from_text(&text).ok_or_else(|| {
            unavailable(
                "taking the flow's record",
                "the store answered with something that is not a flow record",
            )
        })?;
        if record.expires_at < unix_now() {
            return Err(not_found().into());
        }
        if !same_subject(subject, &record.subject) {
            return Err(FlowError::new(
                FlowErrorKind::SubjectMismatch,
                "this callback belongs to a flow begun by another user or browser session: \
                 the link may have been sent to this user by someone else; start a new flow \
                 from this browser",
            )
            .into());
        }
        let platform = Platform::from_wire(&record.platform).ok_or_else(|| {
            unavailable(
                "taking the flow's record",
                "the record names no supported platform",
            )
        })?;
        let proof = self
            .inner
            .verifier
            .verify(callback, &state, Some(platform))?;
        Ok(Completed {
            proof,
            metadata: record.metadata,
        })
    }

    async fn put(&self, mode: Mode, key: &str, record: &str, ttl: u64) -> Result<(), StoreError> {
        match mode {
            Mode::Async => self.inner.store.put(key, record, ttl).await,
            Mode::Blocking => self.inner.store.put_blocking(key, record, ttl),
        }
    }

    async fn take(&self, mode: Mode, key: &str) -> Result<Option<String>, StoreError> {
        match mode {
            Mode::Async => self.inner.store.take(key).await,
            Mode::Blocking => self.inner.store.take_blocking(key),
        }
    }

    async fn create_session(
        &self,
        mode: Mode,
        platform: Platform,
        callback_url: &str,
        state: &str,
    ) -> Result<Session, ApiError> {
        let client = &self.inner.client;
        match mode {
            Mode::Async => {
                client
                    .create_session(platform, callback_url, Some(state))
                    .await
            }
            Mode::Blocking => client.create_session_blocking(platform, callback_url, Some(state)),
        }
    }
}

/// The subject is the flow's binding: never empty, and bounded.
fn check_subject(subject: &str) -> Result<(), FlowError> {
    if subject.is_empty() {
        return Err(invalid(
            "the subject is empty: pass the signed-in user's id or the browser session's id, \
             the same at begin and at complete",
        ));
    }
    if subject.len() > MAX_SUBJECT_BYTES {
        return Err(invalid(format!(
            "the subject is {} bytes, more than {MAX_SUBJECT_BYTES}: pass an id, or a hash of a \
             longer one",
            subject.len()
        )));
    }
    Ok(())
}

/// Compares two subjects in constant time over their hashes, so that neither their bytes
/// nor their lengths show in the timing.
fn same_subject(given: &str, stored: &str) -> bool {
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(stored.as_bytes()),
    );
    bool::from(a.as_slice().ct_eq(b.as_slice()))
}

fn invalid(message: impl Into<String>) -> FlowError {
    FlowError::new(FlowErrorKind::InvalidArgument, message)
}

fn not_found() -> FlowError {
    FlowError::new(
        FlowErrorKind::StateNotFound,
        "no pending flow for this callback's state: it expired, was already completed (a \
         reloaded or replayed callback), or was begun on a server with another store; start \
         a new flow",
    )
}

fn unavailable(doing: &str, why: impl fmt::Display) -> FlowError {
    FlowError::new(
        FlowErrorKind::StoreUnavailable,
        format!("the state store failed while {doing}: {}; check that the store is reachable, then start a new flow", quote(&why.to_string())),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn send<T: Send>(_: &T) {}
    fn send_sync<T: Send + Sync>() {}

    /// Bindings export the async calls (UniFFI needs `Send` futures) and share the flow
    /// and the stores across threads.
    #[test]
    fn the_flow_and_its_futures_cross_threads() {
        send_sync::<Flow>();
        send_sync::<MemoryStore>();
        send_sync::<SyncStore>();
        #[cfg(feature = "redis")]
        send_sync::<RedisStore>();
        // Nothing listens on the discard port; the futures are made, never polled.
        let client = Client::builder("k")
            .base_url("http://127.0.0.1:9/api")
            .build()
            .unwrap();
        let verifier = Verifier::new(["secret"]).unwrap();
        let flow = Flow::with_memory_store(client, verifier);
        send(&flow.begin(Platform::Tiktok, "https://a.example/cb", "s", None));
        send(&flow.complete("?state=x", "s"));
    }

    #[test]
    fn subjects_compare_by_content() {
        assert!(same_subject("user-1", "user-1"));
        assert!(!same_subject("user-1", "user-2"));
        assert!(!same_subject("user-1", "user-10"));
    }
}
