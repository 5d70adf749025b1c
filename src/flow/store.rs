//! The store behind a flow: put-with-TTL and take-once over opaque text.
//!
//! The flow owns the record format and the keys: a store never sees a state (keys are
//! derived from it by hashing) and never parses a record. It only keeps text under a key
//! for a time, and hands it out once.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use super::block_on::block_on;

/// The future a [`StateStore`] operation returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Why a store operation failed: unreachable, timed out, full, or a key already in use.
/// The flow reports it as `store_unavailable`, with this message quoted.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreError {
    message: String,
}

impl StoreError {
    /// A failure with a message saying what failed (never a key, a record or a password).
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }

    /// What failed.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StoreError").field(&self.message).finish()
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// Where a flow keeps its pending records: [`crate::MemoryStore`] (the default),
/// `RedisStore` (feature `redis`), or an application's own store through
/// [`crate::SyncStore`].
///
/// The rules every store follows (protocol.md §5):
/// - `put` keeps `record` under `key` for `ttl_seconds` (at least 1), and fails if a record
///   is already stored under `key` (a fresh 256-bit state never collides, so that is a
///   fault to report, not to overwrite).
/// - `take` returns the record under `key` and removes it in one atomic step: of any number
///   of concurrent takes of one key, across threads, processes and hosts sharing the store,
///   exactly one gets the record. An absent or expired record is `Ok(None)`.
/// - A failure (unreachable, timed out) is an `Err`, never `Ok(None)`: the flow must be able
///   to tell "no such flow" from "could not look".
///
/// The futures are polled on whatever executor the caller uses (tokio, asyncio through a
/// binding, a plain thread), so they must not rely on the caller's runtime: run I/O on a
/// runtime the store owns, as `RedisStore` and [`crate::SyncStore`] do. The `_blocking`
/// forms, used by the flow's blocking calls, default to polling the async form on the
/// calling thread; a store whose work is synchronous overrides them.
pub trait StateStore: Send + Sync {
    /// Stores `record` under `key` for `ttl_seconds`, unless `key` is taken.
    fn put<'a>(&'a self, key: &'a str, record: &'a str, ttl_seconds: u64) -> StoreFuture<'a, ()>;

    /// Removes and returns the record under `key`, atomically; `None` if there is none.
    fn take<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>>;

    /// [`StateStore::put`] on the calling thread.
    fn put_blocking(&self, key: &str, record: &str, ttl_seconds: u64) -> Result<(), StoreError> {
        block_on(self.put(key, record, ttl_seconds))
    }

    /// [`StateStore::take`] on the calling thread.
    fn take_blocking(&self, key: &str) -> Result<Option<String>, StoreError> {
        block_on(self.take(key))
    }
}
