//! An application's own store, written synchronously (in Rust, or in another language
//! through a binding: a UniFFI callback interface, a Go interface, C function pointers), and
//! the adapter that runs it for the flow.

use std::fmt;
use std::sync::{Arc, OnceLock};

use super::store::{StateStore, StoreError, StoreFuture};
use crate::client::process::PerProcess;
use crate::client::runtime::OwnedRuntime;

/// A store the application implements over its own database, synchronously: keys and
/// records are opaque text, TTLs whole seconds. Wrap it in a [`SyncStore`] to give it to a
/// flow.
///
/// The same rules as [`StateStore`]: `put` stores only if `key` holds no live record and
/// keeps the record for `ttl_seconds` (a store without expiry may keep it longer: the flow
/// also refuses a record past its own expiry time, so a late sweep is enough); `take`
/// returns and removes the record in one atomic step (`DELETE … RETURNING` in SQL, a
/// conditional delete, or a transaction), and `Ok(None)` when there is none; any failure is
/// an `Err`, which the flow reports as `store_unavailable`.
///
/// Keys are 64 lowercase hex digits (a hash of the state); records are at most a few
/// kilobytes of UTF-8 text.
pub trait SyncStateStore: Send + Sync {
    /// Stores `record` under `key` for `ttl_seconds`, unless `key` holds a live record.
    fn put(&self, key: String, record: String, ttl_seconds: u64) -> Result<(), StoreError>;

    /// Removes and returns the record under `key`, atomically; `None` if there is none.
    fn take(&self, key: String) -> Result<Option<String>, StoreError>;
}

/// Runs a [`SyncStateStore`] as a flow's [`StateStore`]: the blocking calls call it on the
/// caller's thread; the async calls run it on a blocking thread of the adapter's own small
/// runtime, so that a slow database never stalls an executor. Survives `fork()` like the
/// client (a child starts its own runtime on first use).
pub struct SyncStore {
    store: Arc<dyn SyncStateStore>,
    /// Started by the first async call: blocking-only callers (C, Go) never need it.
    runtime: OnceLock<PerProcess<OwnedRuntime>>,
}

impl SyncStore {
    /// The adapter for `store`.
    pub fn new(store: Arc<dyn SyncStateStore>) -> SyncStore {
        SyncStore {
            store,
            runtime: OnceLock::new(),
        }
    }

    /// This process's runtime, started on first use.
    fn runtime(&self) -> Result<&OwnedRuntime, StoreError> {
        let chain = match self.runtime.get() {
            Some(chain) => chain,
            None => {
                let first = PerProcess::new(start_runtime()?);
                // Racing first calls: one chain wins, the others' runtimes stop at once.
                self.runtime.get_or_init(|| first)
            }
        };
        chain.current(start_runtime)
    }

    /// Runs `call` on a blocking thread of this process's runtime.
    fn run<T: Send + 'static>(
        &self,
        call: impl FnOnce(Arc<dyn SyncStateStore>) -> Result<T, StoreError> + Send + 'static,
    ) -> StoreFuture<'static, T> {
        let runtime = match self.runtime() {
            Ok(runtime) => runtime,
            Err(e) => return Box::pin(async move { Err(e) }),
        };
        let store = Arc::clone(&self.store);
        let task =
            runtime.spawn(async move { tokio::task::spawn_blocking(move || call(store)).await });
        Box::pin(async move {
            match task.await {
                Ok(Ok(result)) => result,
                _ => Err(StoreError::new(
                    "the application's store failed without an answer (it panicked, or the runtime stopped)",
                )),
            }
        })
    }
}

fn start_runtime() -> Result<OwnedRuntime, StoreError> {
    OwnedRuntime::start().map_err(|e| {
        StoreError::new(format!(
            "the store's worker threads could not be started ({e}); check the process's thread limits"
        ))
    })
}

impl fmt::Debug for SyncStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SyncStore { .. }")
    }
}

impl StateStore for SyncStore {
    fn put<'a>(&'a self, key: &'a str, record: &'a str, ttl_seconds: u64) -> StoreFuture<'a, ()> {
        let (key, record) = (key.to_owned(), record.to_owned());
        self.run(move |store| store.put(key, record, ttl_seconds))
    }

    fn take<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<String>> {
        let key = key.to_owned();
        self.run(move |store| store.take(key))
    }

    fn put_blocking(&self, key: &str, record: &str, ttl_seconds: u64) -> Result<(), StoreError> {
        self.store
            .put(key.to_owned(), record.to_owned(), ttl_seconds)
    }

    fn take_blocking(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.store.take(key.to_owned())
    }
}
