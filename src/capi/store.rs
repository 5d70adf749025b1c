//! `psd_store`: where a flow keeps its pending records: this process's memory, Redis, or the
//! application's own store reached through C function pointers (`psd_store_callbacks`).

use std::ffi::{c_char, c_void};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::boundary::{deliver, ffi_boundary, free_from_c, into_c, ref_arg, Out};
use super::result::psd_result;
use super::text::{optional_str_arg, psd_str, psd_string, str_arg};
use crate::error::ConfigError;
use crate::flow::{MemoryStore, StateStore, StoreError, SyncStateStore, SyncStore};
use crate::foreign_args;

/// The default `capacity` of `psd_store_new_memory`: pending flows it holds at most.
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_DEFAULT_MEMORY_STORE_CAPACITY: i64 = 100_000;

/// The default connect and command timeouts of `psd_store_new_redis` (2 s).
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_DEFAULT_REDIS_TIMEOUT_MS: i64 = 2_000;

/// A `psd_store_callbacks` callback's answer: done (`put` stored the record; `take` found
/// one and gave it with `psd_store_reply_record`).
pub const PSD_STORE_OK: i32 = 0;

/// A `take` callback's answer: no record under the key (never stored, expired, or already
/// taken). Not an answer for `put`.
pub const PSD_STORE_NOT_FOUND: i32 = 1;

/// A callback's answer: the store failed (unreachable, timed out, a live record already
/// under the key for `put`). The flow reports `PSD_RESULT_STORE_UNAVAILABLE`. Any value
/// other than `PSD_STORE_OK` and `PSD_STORE_NOT_FOUND` means the same.
#[allow(dead_code)] // returned by C and Go callbacks, not by Rust
pub const PSD_STORE_FAILED: i32 = 2;

/// The longest message a callback may give with `psd_store_reply_error`; longer ones are cut.
const MAX_REPLY_MESSAGE_BYTES: usize = 512;

/// Where a flow keeps its pending records (protocol.md §5). Made by `psd_store_new_memory`,
/// `psd_store_new_redis` or `psd_store_new_callbacks`, given to `psd_flow_new`.
///
/// A flow keeps its own reference: the store may be freed (`psd_store_free`) as soon as the
/// flows are made; it lives until the last of them is freed. Thread-safe: one store may
/// serve any number of flows and threads.
pub struct psd_store(pub(crate) Arc<dyn StateStore>);

impl fmt::Debug for psd_store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("psd_store { .. }")
    }
}

/// Creates a store in this process's memory: right for one process (a single server, tests).
/// A fleet, or a server that forks workers, needs a shared store (Redis, or the
/// application's database through `psd_store_new_callbacks`).
///
/// - `capacity`: the most pending flows it holds (`PSD_DEFAULT_MEMORY_STORE_CAPACITY` is the
///   default); when full, expired records are evicted, and if it is still full `begin` fails
///   with `PSD_RESULT_STORE_UNAVAILABLE`. Zero or negative: `PSD_RESULT_INVALID_ARGUMENT`.
/// - `store_out`: receives the store; the caller owns it (`psd_store_free`).
///
/// Errors: `PSD_RESULT_INVALID_ARGUMENT`, `PSD_RESULT_NULL_PARAMETER`.
/// Thread safety: callable from any thread.
///
/// # Safety
/// `store_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_store_new_memory(
    capacity: i64,
    store_out: *mut *mut psd_store,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let store_out = unsafe { Out::required(store_out)? };
        let capacity = foreign_args::memory_capacity(capacity)
            .map_err(|error| psd_result::of_config(&error))?;
        store_out.write(into_c(psd_store(Arc::new(MemoryStore::with_capacity(
            capacity,
        )))));
        Ok(())
    })
}

/// Creates a store on a Redis server, shared by every process and host that uses the same
/// server and key prefix: records are written with an expiry (`SET … EX … NX`) and taken
/// atomically (`GETDEL`, or a script on servers older than 6.2), so of any number of
/// concurrent completions of one callback exactly one succeeds. It connects on first use,
/// not here; a server that cannot be reached, or a command slower than its timeout, makes
/// `begin`/`complete` fail with `PSD_RESULT_STORE_UNAVAILABLE`.
///
/// Requires the `redis` feature of the library, which every released library and the
/// scripts' builds have: the function is always declared and linked, and a library built
/// without the feature answers `PSD_RESULT_INVALID_ARGUMENT`, its message saying so.
///
/// - `url`, `url_len`: `redis://[:password@]host[:port][/db]`, `rediss://…` (TLS) or
///   `unix://…`. Copied; the password never appears in any message.
/// - `key_prefix`, `key_prefix_len`: the prefix of every key, or NULL for the default
///   (`psd:state:`); give each application sharing a server its own.
/// - `connect_timeout_ms`, `command_timeout_ms`: how long connecting, and each command, may
///   take (`PSD_DEFAULT_REDIS_TIMEOUT_MS` is the default). Zero or negative:
///   `PSD_RESULT_INVALID_ARGUMENT`.
/// - `root_certificate_pem`, `root_certificate_pem_len`: for `rediss://` to a private CA or a
///   self-signed server, the PEM certificate(s) to trust instead of the system's roots; NULL
///   for the system's roots.
/// - `store_out`: receives the store; the caller owns it (`psd_store_free`).
/// - `error_message_out`: optional (may be NULL); on a configuration error it receives an
///   owned message saying what to fix (`psd_string_free`).
///
/// Errors: `PSD_RESULT_INVALID_ARGUMENT`, `PSD_RESULT_NULL_PARAMETER`,
/// `PSD_RESULT_INVALID_UTF8`. Thread safety: callable from any thread.
///
/// # Safety
/// The strings are NULL or readable for their lengths; the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_store_new_redis(
    url: *const c_char,
    url_len: usize,
    key_prefix: *const c_char,
    key_prefix_len: usize,
    connect_timeout_ms: i64,
    command_timeout_ms: i64,
    root_certificate_pem: *const c_char,
    root_certificate_pem_len: usize,
    store_out: *mut *mut psd_store,
    error_message_out: *mut *mut psd_string,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (url, key_prefix, pem, store_out, error_message_out) = unsafe {
            (
                str_arg(url, url_len)?,
                optional_str_arg(key_prefix, key_prefix_len)?,
                optional_str_arg(root_certificate_pem, root_certificate_pem_len)?,
                Out::required(store_out)?,
                Out::optional(error_message_out),
            )
        };
        let settings = RedisSettings {
            url,
            key_prefix,
            connect_timeout: foreign_args::millis(connect_timeout_ms, "connect_timeout_ms"),
            command_timeout: foreign_args::millis(command_timeout_ms, "command_timeout_ms"),
            root_certificate_pem: pem,
        };
        let outcome = redis_store(settings)
            .map(psd_store)
            .map_err(|error| (psd_result::of_config(&error), psd_string(error.to_string())));
        deliver(outcome, store_out, error_message_out)
    })
}

/// The arguments of `psd_store_new_redis`, checked as far as C types allow.
struct RedisSettings<'a> {
    url: &'a str,
    key_prefix: Option<&'a str>,
    connect_timeout: Result<Duration, ConfigError>,
    command_timeout: Result<Duration, ConfigError>,
    root_certificate_pem: Option<&'a str>,
}

#[cfg(feature = "redis")]
fn redis_store(settings: RedisSettings<'_>) -> Result<Arc<dyn StateStore>, ConfigError> {
    let mut builder = crate::flow::RedisStore::builder(settings.url)
        .connect_timeout(settings.connect_timeout?)
        .command_timeout(settings.command_timeout?);
    if let Some(prefix) = settings.key_prefix {
        builder = builder.key_prefix(prefix);
    }
    if let Some(pem) = settings.root_certificate_pem {
        builder = builder.root_certificate_pem(pem.as_bytes());
    }
    Ok(Arc::new(builder.build()?))
}

#[cfg(not(feature = "redis"))]
fn redis_store(settings: RedisSettings<'_>) -> Result<Arc<dyn StateStore>, ConfigError> {
    let _ = settings;
    Err(ConfigError::InvalidArgument {
        name: "redis_url",
        reason: "this library was built without the `redis` feature; use a build with it, \
                 or psd_store_new_callbacks over your own Redis client"
            .to_owned(),
    })
}

/// What a `psd_store_callbacks` callback hands back besides its status: the record found by
/// `take` (`psd_store_reply_record`) and, on failure, a message (`psd_store_reply_error`).
/// Lent to the callback for the duration of the call only; the library copies what it is
/// given, so the callback keeps ownership of its own memory.
#[derive(Debug, Default)]
pub struct psd_store_reply {
    record: Option<String>,
    message: Option<String>,
}

/// Gives the record `take` found: the library copies the `record_len` bytes at `record`
/// (UTF-8) before this returns, so the callback may free or reuse its buffer at once.
/// Call it at most once per `take`, then return `PSD_STORE_OK`; a second call replaces the
/// first record.
///
/// Errors: `PSD_RESULT_INVALID_UTF8` (nothing kept: the `take` then fails as
/// `store_unavailable` if it returns `PSD_STORE_OK`), `PSD_RESULT_NULL_PARAMETER`.
/// Thread safety: only inside the callback that was given `reply`, on its thread.
///
/// # Safety
/// `reply` is NULL or the reply given to the running callback; `record` is NULL (only with
/// length 0) or readable for `record_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn psd_store_reply_record(
    reply: *mut psd_store_reply,
    record: *const c_char,
    record_len: usize,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract; the reply is the callback's alone.
        let (reply, record) = unsafe {
            (
                reply.as_mut().ok_or(psd_result::NullParameter)?,
                str_arg(record, record_len)?,
            )
        };
        reply.record = Some(record.to_owned());
        Ok(())
    })
}

/// Says why the store failed, before the callback returns `PSD_STORE_FAILED`: the flow
/// quotes it in its `store_unavailable` message (at most 512 bytes are kept; invalid UTF-8
/// is replaced). Never pass a password, a key or a record. Optional.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: only inside the callback that was
/// given `reply`, on its thread.
///
/// # Safety
/// `reply` is NULL or the reply given to the running callback; `message` is NULL (only with
/// length 0) or readable for `message_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn psd_store_reply_error(
    reply: *mut psd_store_reply,
    message: *const c_char,
    message_len: usize,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract; the reply is the callback's alone.
        let (reply, message) = unsafe {
            (
                reply.as_mut().ok_or(psd_result::NullParameter)?,
                super::boundary::slice_arg(message.cast::<u8>(), message_len)?,
            )
        };
        let kept = &message[..message.len().min(MAX_REPLY_MESSAGE_BYTES)];
        reply.message = Some(String::from_utf8_lossy(kept).into_owned());
        Ok(())
    })
}

/// An application's own store (its database, its Redis client), as C function pointers for
/// `psd_store_new_callbacks`.
///
/// The rules (protocol.md §5): `put` stores only if `key` holds no live record, for
/// `ttl_seconds` (a store without expiry may keep it longer: the flow also refuses a record
/// past its expiry time); `take` returns and removes the record in one atomic step (`DELETE
/// … RETURNING` in SQL, a conditional delete, a transaction): of concurrent takes of one key,
/// across threads, processes and hosts, exactly one may find it. A failure is
/// `PSD_STORE_FAILED`, never `PSD_STORE_NOT_FOUND`: the flow must tell "no such flow" from
/// "could not look".
///
/// Keys are 64 lowercase hex digits (a hash of the state, never the state); records are
/// UTF-8 text of at most a few kilobytes. Both are views lent for the call only, not
/// NUL-terminated: copy what you keep.
///
/// The callbacks run on the thread that called `psd_flow_begin` / `psd_flow_complete`, and
/// any number of them at once when several threads use flows over this store: they must be
/// thread-safe. They must return: a callback that never returns blocks its caller forever
/// (give your database calls their own timeouts). They must not unwind (C++ exceptions,
/// `longjmp`) through the library.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct psd_store_callbacks {
    /// Passed to every callback as is; the library never reads it.
    pub user_data: *mut c_void,
    /// Required. Stores `record` under `key` for `ttl_seconds` (at least 1), unless a live
    /// record is already stored under `key`. Returns `PSD_STORE_OK`, or `PSD_STORE_FAILED`
    /// (after `psd_store_reply_error`, optionally).
    pub put: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            key: psd_str,
            record: psd_str,
            ttl_seconds: u64,
            reply: *mut psd_store_reply,
        ) -> i32,
    >,
    /// Required. Removes and returns the record under `key` in one atomic step. Found: give
    /// it with `psd_store_reply_record` and return `PSD_STORE_OK`. None (never stored,
    /// expired, already taken): return `PSD_STORE_NOT_FOUND`. Failure: `PSD_STORE_FAILED`.
    pub take: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            key: psd_str,
            reply: *mut psd_store_reply,
        ) -> i32,
    >,
    /// Optional (may be NULL): the library no longer needs `user_data` (the store and every
    /// flow using it were freed). Called once, on the thread that freed the last of them.
    pub release: Option<unsafe extern "C" fn(user_data: *mut c_void)>,
}

/// Creates a store over the application's own storage, reached through `callbacks` (copied;
/// see `psd_store_callbacks` for the rules the callbacks follow).
///
/// - `callbacks`: `put` and `take` are required; `release`, when given, is called once when
///   the store and every flow using it have been freed. When this function fails, `release`
///   is never called and `user_data` stays the caller's.
/// - `store_out`: receives the store; the caller owns it (`psd_store_free`).
///
/// Errors: `PSD_RESULT_NULL_PARAMETER` (also for a NULL `put` or `take`).
/// Thread safety: callable from any thread.
///
/// # Safety
/// `callbacks` is NULL or readable; its function pointers follow `psd_store_callbacks`'
/// contract and stay callable, with `user_data`, until `release` is called (or, without
/// `release`, until the store and its flows are freed); `store_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_store_new_callbacks(
    callbacks: *const psd_store_callbacks,
    store_out: *mut *mut psd_store,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (callbacks, store_out) = unsafe { (ref_arg(callbacks)?, Out::required(store_out)?) };
        let (Some(put), Some(take)) = (callbacks.put, callbacks.take) else {
            return Err(psd_result::NullParameter);
        };
        let store = CallbackStore {
            user_data: callbacks.user_data,
            put,
            take,
            release: callbacks.release,
        };
        let adapter: Arc<dyn StateStore> = Arc::new(SyncStore::new(Arc::new(store)));
        store_out.write(into_c(psd_store(adapter)));
        Ok(())
    })
}

/// Frees the caller's reference to a store. NULL is ignored. Flows made with it keep it
/// alive; an application store's `release` is called when the last reference goes.
///
/// Thread safety: call it once per store.
///
/// # Safety
/// `store` is NULL or a store from a `psd_store_new_*` function that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_store_free(store: *mut psd_store) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(store) }
}

/// `psd_store_callbacks` as a [`SyncStateStore`].
struct CallbackStore {
    user_data: *mut c_void,
    put: PutFn,
    take: TakeFn,
    release: Option<ReleaseFn>,
}

type PutFn = unsafe extern "C" fn(*mut c_void, psd_str, psd_str, u64, *mut psd_store_reply) -> i32;
type TakeFn = unsafe extern "C" fn(*mut c_void, psd_str, *mut psd_store_reply) -> i32;
type ReleaseFn = unsafe extern "C" fn(*mut c_void);

// SAFETY: the library never touches `user_data`; it only passes it to the callbacks, which
// `psd_store_callbacks`' contract requires to be thread-safe, and to `release` once.
unsafe impl Send for CallbackStore {}
// SAFETY: as for `Send`: every use of `user_data` is a call of a thread-safe callback.
unsafe impl Sync for CallbackStore {}

impl CallbackStore {
    fn failed(&self, doing: &str, status: i32, reply: psd_store_reply) -> StoreError {
        let said = reply
            .message
            .map_or_else(String::new, |message| format!(": {message}"));
        StoreError::new(format!(
            "the application's store failed to {doing} (its callback returned {status}){said}"
        ))
    }
}

impl SyncStateStore for CallbackStore {
    fn put(&self, key: String, record: String, ttl_seconds: u64) -> Result<(), StoreError> {
        let mut reply = psd_store_reply::default();
        // SAFETY: `psd_store_new_callbacks`' contract: `put` is callable with `user_data`;
        // the views and the reply outlive the call.
        let status = unsafe {
            (self.put)(
                self.user_data,
                psd_str::borrow(&key),
                psd_str::borrow(&record),
                ttl_seconds,
                &mut reply,
            )
        };
        match status {
            PSD_STORE_OK => Ok(()),
            _ => Err(self.failed("store a record", status, reply)),
        }
    }

    fn take(&self, key: String) -> Result<Option<String>, StoreError> {
        let mut reply = psd_store_reply::default();
        // SAFETY: as in `put`.
        let status = unsafe { (self.take)(self.user_data, psd_str::borrow(&key), &mut reply) };
        match status {
            PSD_STORE_OK => match reply.record {
                Some(record) => Ok(Some(record)),
                None => Err(StoreError::new(
                    "the application's take callback answered PSD_STORE_OK without a record \
                     (psd_store_reply_record)",
                )),
            },
            PSD_STORE_NOT_FOUND => Ok(None),
            _ => Err(self.failed("take a record", status, reply)),
        }
    }
}

impl Drop for CallbackStore {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: `psd_store_new_callbacks`' contract: `release` is callable with
            // `user_data`, once, when the library is done with it; this is that moment.
            unsafe { release(self.user_data) }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_constants_are_the_core_ones() {
        assert_eq!(
            usize::try_from(super::PSD_DEFAULT_MEMORY_STORE_CAPACITY),
            Ok(crate::flow::DEFAULT_MEMORY_STORE_CAPACITY)
        );
        #[cfg(feature = "redis")]
        assert_eq!(
            Ok(super::PSD_DEFAULT_REDIS_TIMEOUT_MS),
            i64::try_from(crate::flow::DEFAULT_REDIS_TIMEOUT.as_millis())
        );
    }
}
