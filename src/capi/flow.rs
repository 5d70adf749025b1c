//! `psd_flow`: the whole delegation flow with single-use state (protocol.md §5), blocking.

use std::ffi::c_char;
use std::sync::Arc;

use super::boundary::{deliver, ffi_boundary, free_from_c, into_c, ref_arg, Out};
use super::client::psd_client;
use super::flow_error::psd_flow_error;
use super::flow_outcome::{psd_begun, psd_completed};
use super::platform::{platform_arg, psd_platform};
use super::result::psd_result;
use super::store::psd_store;
use super::text::{optional_str_arg, str_arg};
use super::verifier::psd_verifier;
use crate::flow::Flow;
use crate::foreign_args;

/// The default `*max_pending_seconds` of `psd_flow_new` (one hour).
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_DEFAULT_MAX_PENDING_SECONDS: i64 = 3600;

/// The longest subject `psd_flow_begin` and `psd_flow_complete` accept, in bytes.
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_MAX_SUBJECT_BYTES: usize = 1024;

/// The longest metadata `psd_flow_begin` accepts, in bytes.
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_MAX_METADATA_BYTES: usize = 4096;

/// The delegation flow over a client, a verifier and a store: `psd_flow_begin` stores a
/// pending record and creates the session; `psd_flow_complete` takes the record (once,
/// atomically), checks the subject and verifies the callback.
///
/// Immutable once built: share one flow between all threads (calls are thread-safe) and
/// free it once with `psd_flow_free` when no call is running. It keeps its own references
/// to the client, verifier and store it was made from: those may be freed before it.
#[derive(Debug)]
pub struct psd_flow(Flow);

/// Creates a flow.
///
/// - `client`: creates the sessions (its timeout and retries apply to `psd_flow_begin`).
/// - `verifier`: verifies the callbacks; built with the signing secret(s) of the client's
///   API key.
/// - `store`: where pending records are kept (`psd_store_new_memory`, `psd_store_new_redis`,
///   `psd_store_new_callbacks`), or NULL for a new in-memory store of the default capacity
///   (one process only).
/// - `max_pending_seconds`: NULL for the default (`PSD_DEFAULT_MAX_PENDING_SECONDS`), or the
///   longest a begun flow waits for its callback: a record lives for the session's
///   `expires_in`, never longer than this. Zero or negative: `PSD_RESULT_INVALID_ARGUMENT`.
/// - `flow_out`: receives the flow; the caller owns it (`psd_flow_free`).
///
/// Errors: `PSD_RESULT_INVALID_ARGUMENT`, `PSD_RESULT_NULL_PARAMETER`.
/// Thread safety: callable from any thread.
///
/// # Safety
/// `client`, `verifier` and `store` are NULL or live objects of their types;
/// `max_pending_seconds` is NULL or readable; `flow_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_flow_new(
    client: *const psd_client,
    verifier: *const psd_verifier,
    store: *const psd_store,
    max_pending_seconds: *const i64,
    flow_out: *mut *mut psd_flow,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (client, verifier, store, max_pending_seconds, flow_out) = unsafe {
            (
                ref_arg(client)?,
                ref_arg(verifier)?,
                store.as_ref(),
                max_pending_seconds.as_ref().copied(),
                Out::required(flow_out)?,
            )
        };
        let mut builder = Flow::builder(client.0.clone(), Arc::clone(&verifier.0));
        if let Some(store) = store {
            builder = builder.store(Arc::clone(&store.0));
        }
        if let Some(seconds) = max_pending_seconds {
            let max_pending = foreign_args::max_pending(seconds)
                .map_err(|error| psd_result::of_config(&error))?;
            builder = builder.max_pending(max_pending);
        }
        flow_out.write(into_c(psd_flow(builder.build())));
        Ok(())
    })
}

/// Begins a flow (protocol.md §5), blocking the calling thread: generates a state, stores
/// the pending record `{platform, callback_url, subject, metadata}` under it, then creates
/// the session. Redirect the browser to the begun flow's `authorize_url`.
///
/// - `platform`: the platform to prove ownership on (not `PSD_PLATFORM_NONE`).
/// - `callback_url`, `callback_url_len`: the absolute http(s) URL the user is sent back to.
/// - `subject`, `subject_len`: who begins the flow: the signed-in user's id or the browser
///   session's id (not empty, at most `PSD_MAX_SUBJECT_BYTES`); `psd_flow_complete` must be
///   given the same one.
/// - `metadata`, `metadata_len`: opaque text handed back by `psd_flow_complete` (at most
///   `PSD_MAX_METADATA_BYTES`), e.g. the page to return to; NULL for none.
/// - `begun_out`: receives the begun flow; the caller owns it (`psd_begun_free`).
/// - `error_out`: optional (may be NULL); receives the error for `PSD_RESULT_INVALID_ARGUMENT`,
///   `PSD_RESULT_STORE_UNAVAILABLE` and the API results (`PSD_RESULT_INVALID_REQUEST` to
///   `PSD_RESULT_INVALID_RESPONSE`, the session's error unchanged, after the record was
///   removed); the caller owns it (`psd_flow_error_free`). Not written for any other result.
///
/// Other errors: `PSD_RESULT_INVALID_PLATFORM`, `PSD_RESULT_NULL_PARAMETER`, `PSD_RESULT_INVALID_UTF8`. Thread safety: any number of
/// threads may call this on the same flow at once; an application store's callbacks run on
/// the calling thread.
///
/// # Safety
/// `flow` is NULL or a live flow; the strings are NULL or readable for their lengths; the
/// out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_flow_begin(
    flow: *const psd_flow,
    platform: psd_platform,
    callback_url: *const c_char,
    callback_url_len: usize,
    subject: *const c_char,
    subject_len: usize,
    metadata: *const c_char,
    metadata_len: usize,
    begun_out: *mut *mut psd_begun,
    error_out: *mut *mut psd_flow_error,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (flow, callback_url, subject, metadata, begun_out, error_out) = unsafe {
            (
                ref_arg(flow)?,
                str_arg(callback_url, callback_url_len)?,
                str_arg(subject, subject_len)?,
                optional_str_arg(metadata, metadata_len)?,
                Out::required(begun_out)?,
                Out::optional(error_out),
            )
        };
        let platform = platform_arg(platform)?;
        let outcome = flow
            .0
            .begin_blocking(platform, callback_url, subject, metadata)
            .map(psd_begun)
            .map_err(psd_flow_error::of_begin);
        deliver(outcome, begun_out, error_out)
    })
}

/// Completes a flow (protocol.md §5), blocking the calling thread, with the callback (the
/// whole URL the browser came back to, or its query) and the subject of whoever completes
/// it:
///
/// 1. reads `state` (absent, duplicated, malformed: the verification results; nothing is
///    taken from the store);
/// 2. takes the record for it, atomically (none: `PSD_RESULT_STATE_NOT_FOUND`): the state is
///    spent whatever happens next;
/// 3. compares the subject (another: `PSD_RESULT_SUBJECT_MISMATCH`);
/// 4. verifies the callback with the record's state and platform (the verification results,
///    `PSD_RESULT_AUTHORIZATION_DENIED` included).
///
/// A store that cannot be reached, or answers with something that is not a record, gives
/// `PSD_RESULT_STORE_UNAVAILABLE`, never a proof.
///
/// - `completed_out`: receives the proof and the metadata; the caller owns it
///   (`psd_completed_free`).
/// - `error_out`: optional (may be NULL); receives the error for the flow results
///   (`PSD_RESULT_STATE_NOT_FOUND`, `PSD_RESULT_SUBJECT_MISMATCH`,
///   `PSD_RESULT_STORE_UNAVAILABLE`, `PSD_RESULT_INVALID_ARGUMENT`) and the verification
///   results (`PSD_RESULT_AUTHORIZATION_DENIED` to `PSD_RESULT_EXPIRY_TOO_FAR`); the caller
///   owns it (`psd_flow_error_free`). Not written for any other result.
///
/// Other errors: `PSD_RESULT_NULL_PARAMETER`, `PSD_RESULT_INVALID_UTF8`. Thread safety: any
/// number of threads may call this on the same flow at once: of concurrent completions of
/// one callback, exactly one succeeds.
///
/// # Safety
/// `flow` is NULL or a live flow; the strings are NULL or readable for their lengths; the
/// out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_flow_complete(
    flow: *const psd_flow,
    callback: *const c_char,
    callback_len: usize,
    subject: *const c_char,
    subject_len: usize,
    completed_out: *mut *mut psd_completed,
    error_out: *mut *mut psd_flow_error,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (flow, callback, subject, completed_out, error_out) = unsafe {
            (
                ref_arg(flow)?,
                str_arg(callback, callback_len)?,
                str_arg(subject, subject_len)?,
                Out::required(completed_out)?,
                Out::optional(error_out),
            )
        };
        let outcome = flow
            .0
            .complete_blocking(callback, subject)
            .map(psd_completed)
            .map_err(psd_flow_error::of_complete);
        deliver(outcome, completed_out, error_out)
    })
}

/// Frees a flow (its references to the client, verifier and store). NULL is ignored.
///
/// Thread safety: call it once, after every call on the flow has returned.
///
/// # Safety
/// `flow` is NULL or a flow from `psd_flow_new` that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_flow_free(flow: *mut psd_flow) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(flow) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_constants_are_the_core_ones() {
        assert_eq!(
            Ok(super::PSD_DEFAULT_MAX_PENDING_SECONDS),
            i64::try_from(crate::flow::DEFAULT_MAX_PENDING.as_secs())
        );
        assert_eq!(super::PSD_MAX_SUBJECT_BYTES, crate::flow::MAX_SUBJECT_BYTES);
        assert_eq!(
            super::PSD_MAX_METADATA_BYTES,
            crate::flow::MAX_METADATA_BYTES
        );
    }
}
