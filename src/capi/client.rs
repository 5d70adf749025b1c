//! `psd_client`: creating delegation sessions (blocking), and fresh states.

use std::ffi::c_char;
use std::time::Duration;

use super::api_error::psd_api_error;
use super::boundary::{deliver, ffi_boundary, free_from_c, into_c, ref_arg, Out};
use super::cancel::psd_cancel_token;
use super::platform::{platform_arg, psd_platform};
use super::result::psd_result;
use super::session::psd_session;
use super::text::{optional_str_arg, psd_string, str_arg};
use crate::client::{CallLimits, Client};
use crate::foreign_args;
use crate::state::generate_state;

/// The default `timeout_ms` of `psd_client_new` (10 s): the longest one call may take.
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_DEFAULT_TIMEOUT_MS: i64 = 10_000;

/// The default `max_retries` of `psd_client_new`.
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_DEFAULT_MAX_RETRIES: i32 = 2;

/// A PostSyncer API client for one API key: a connection pool and worker threads.
///
/// Immutable once built: share one client between all threads (calls are thread-safe and
/// reuse connections) and free it once with `psd_client_free` when no call is running.
/// It survives `fork()`: a forked child's first call starts the child's own worker threads
/// and connection pool.
#[derive(Debug)]
pub struct psd_client(pub(crate) Client);

/// Creates a client.
///
/// - `api_key`, `api_key_len`: the PostSyncer API key (server-side only). It is copied:
///   wipe your buffer when you like. It never appears in any message (text the service
///   sends back is searched for it, and the key replaced by `[redacted]`). The library
///   overwrites its own copy, and the `Bearer <key>` text it formats for each request, with
///   zeros; it cannot wipe the copies the HTTP and TLS stack makes of the `Authorization`
///   header (its header value, write buffers and TLS plaintext buffers), which are freed
///   without being overwritten: after `psd_client_free`, freed heap may still hold
///   `authorization: Bearer <key>`.
/// - `base_url`, `base_url_len`: the API base URL, or NULL for PostSyncer's production API
///   (`https://postsyncer.com/api`); the emulator's is `http://127.0.0.1:PORT/api`.
/// - `timeout_ms`: the longest one call may take, every attempt, backoff and `Retry-After`
///   wait included: a deadline for the whole call (a retry whose wait would end past it is
///   not waited for; the call returns its error at once). `PSD_DEFAULT_TIMEOUT_MS` is the
///   default (10 s). Zero or negative: `PSD_RESULT_INVALID_ARGUMENT`.
/// - `max_retries`: retries after the first attempt (transport errors, 429, 502/503/504);
///   `PSD_DEFAULT_MAX_RETRIES` is the default (2). Negative: `PSD_RESULT_INVALID_ARGUMENT`.
/// - `client_out`: receives the client on success; the caller owns it (`psd_client_free`).
/// - `error_message_out`: optional (may be NULL); on a configuration error it receives an
///   owned message saying what to fix (`psd_string_free`).
///
/// The other settings (backoffs, the cap on `Retry-After`, extra root certificates) are
/// set through `psd_client_builder_new`.
///
/// Errors: `PSD_RESULT_EMPTY_API_KEY`, `PSD_RESULT_INVALID_ARGUMENT`,
/// `PSD_RESULT_NULL_PARAMETER`, `PSD_RESULT_INVALID_UTF8`. Thread safety: callable from any thread.
///
/// # Safety
/// The strings are NULL or readable for their lengths; the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_client_new(
    api_key: *const c_char,
    api_key_len: usize,
    base_url: *const c_char,
    base_url_len: usize,
    timeout_ms: i64,
    max_retries: i32,
    client_out: *mut *mut psd_client,
    error_message_out: *mut *mut psd_string,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (api_key, base_url, client_out, error_message_out) = unsafe {
            (
                str_arg(api_key, api_key_len)?,
                optional_str_arg(base_url, base_url_len)?,
                Out::required(client_out)?,
                Out::optional(error_message_out),
            )
        };
        let outcome = foreign_args::client(api_key, base_url, timeout_ms, max_retries, None)
            .map(psd_client)
            .map_err(|error| (psd_result::of_config(&error), psd_string(error.to_string())));
        deliver(outcome, client_out, error_message_out)
    })
}

/// Creates a delegation session, blocking the calling thread until it is created or has
/// failed, within the client's timeout (retries and waits included).
///
/// - `platform`: the platform to prove ownership on (not `PSD_PLATFORM_NONE`).
/// - `callback_url`, `callback_url_len`: the absolute http(s) URL the user is sent back to.
/// - `state`, `state_len`: the state to send, or NULL to have 256 random bits generated
///   (read it back with `psd_session_state`). Persist it: the callback is checked against it.
/// - `session_out`: receives the session on success; the caller owns it (`psd_session_free`).
/// - `error_out`: optional (may be NULL); when the call fails with an API result
///   (`PSD_RESULT_INVALID_REQUEST` to `PSD_RESULT_INVALID_RESPONSE`) it receives the error;
///   the caller owns it (`psd_api_error_free`). Not written for any other result.
///
/// Other errors: `PSD_RESULT_INVALID_PLATFORM`, `PSD_RESULT_NULL_PARAMETER`,
/// `PSD_RESULT_INVALID_UTF8`. Thread safety: any number of threads may call this on the
/// same client at once.
///
/// # Safety
/// `client` is NULL or a live client; the strings are NULL or readable for their lengths;
/// the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_client_create_session(
    client: *const psd_client,
    platform: psd_platform,
    callback_url: *const c_char,
    callback_url_len: usize,
    state: *const c_char,
    state_len: usize,
    session_out: *mut *mut psd_session,
    error_out: *mut *mut psd_api_error,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (client, callback_url, state, session_out, error_out) = unsafe {
            (
                ref_arg(client)?,
                str_arg(callback_url, callback_url_len)?,
                optional_str_arg(state, state_len)?,
                Out::required(session_out)?,
                Out::optional(error_out),
            )
        };
        let platform = platform_arg(platform)?;
        let outcome = client
            .0
            .create_session_blocking(platform, callback_url, state)
            .map(psd_session)
            .map_err(|error| (psd_result::of_api(error.kind()), psd_api_error(error)));
        deliver(outcome, session_out, error_out)
    })
}

/// `psd_client_create_session` within per-call limits: for a caller with its own deadline
/// (a request's) or a way to give up early (another thread).
///
/// - `timeout_ms`: NULL, or the longest this call may take (> 0), which applies when it is
///   shorter than the client's timeout. Pass the time left until the caller's deadline: the
///   call, retries and waits included, then ends by that deadline (`PSD_RESULT_TIMEOUT`,
///   or the error at hand when a retry's wait would cross it, e.g. `PSD_RESULT_RATE_LIMITED`).
///   Zero or negative: `PSD_RESULT_INVALID_ARGUMENT`.
/// - `cancel`: NULL, or a token (`psd_cancel_token_new`) that another thread may cancel
///   with `psd_cancel_token_cancel`: the call then ends at once, its request aborted, with
///   `PSD_RESULT_TIMEOUT` (the caller ended its time budget; the error's message says it was
///   cancelled). A token already cancelled fails the call before anything is sent. The
///   token must stay live until this function returns.
/// - every other argument, the results and the outputs: as for `psd_client_create_session`.
///
/// Thread safety: as for `psd_client_create_session`; `psd_cancel_token_cancel` may be
/// called on `cancel` from any thread while this call runs.
///
/// # Safety
/// As for `psd_client_create_session`; `timeout_ms` is NULL or readable; `cancel` is NULL
/// or a live token.
#[no_mangle]
pub unsafe extern "C" fn psd_client_create_session_within(
    client: *const psd_client,
    platform: psd_platform,
    callback_url: *const c_char,
    callback_url_len: usize,
    state: *const c_char,
    state_len: usize,
    timeout_ms: *const i64,
    cancel: *const psd_cancel_token,
    session_out: *mut *mut psd_session,
    error_out: *mut *mut psd_api_error,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (client, callback_url, state, timeout_ms, cancel, session_out, error_out) = unsafe {
            (
                ref_arg(client)?,
                str_arg(callback_url, callback_url_len)?,
                optional_str_arg(state, state_len)?,
                timeout_ms.as_ref(),
                cancel.as_ref(),
                Out::required(session_out)?,
                Out::optional(error_out),
            )
        };
        let platform = platform_arg(platform)?;
        let timeout = match timeout_ms {
            None => None,
            Some(&ms) if ms > 0 => Some(Duration::from_millis(ms.unsigned_abs())),
            Some(_) => return Err(psd_result::InvalidArgument),
        };
        let limits = CallLimits {
            timeout,
            cancel: cancel.map(|token| token.0.clone()),
        };
        let outcome = client
            .0
            .create_session_blocking_within(platform, callback_url, state, limits)
            .map(psd_session)
            .map_err(|error| (psd_result::of_api(error.kind()), psd_api_error(error)));
        deliver(outcome, session_out, error_out)
    })
}

/// Frees a client, its connections and worker threads. NULL is ignored.
///
/// The library's copy of the API key is overwritten with zeros; the copies inside the HTTP
/// and TLS stack are only freed (see `psd_client_new`).
///
/// Thread safety: call it once, after every call on the client has returned.
///
/// # Safety
/// `client` is NULL or a client from `psd_client_new` that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_client_free(client: *mut psd_client) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(client) }
}

/// Generates a fresh state for a new session: 256 bits from the operating system's CSPRNG,
/// base64url without padding (43 characters; never `&`, `=` or `+`). Writes it to
/// `*state_out`, owned by the caller (`psd_string_free`).
///
/// Errors: `PSD_RESULT_ENTROPY_UNAVAILABLE`, `PSD_RESULT_NULL_PARAMETER`.
/// Thread safety: callable from any thread.
///
/// # Safety
/// `state_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_generate_state(state_out: *mut *mut psd_string) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let state_out = unsafe { Out::required(state_out)? };
        let state = generate_state().map_err(|e| psd_result::of_config(&e))?;
        state_out.write(into_c(psd_string(state)));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_constants_are_the_foreign_rules() {
        use crate::client::{RetryPolicy, DEFAULT_TIMEOUT};
        assert_eq!(
            Ok(PSD_DEFAULT_TIMEOUT_MS),
            i64::try_from(DEFAULT_TIMEOUT.as_millis())
        );
        assert_eq!(
            Ok(PSD_DEFAULT_MAX_RETRIES),
            i32::try_from(RetryPolicy::default().max_retries)
        );
    }
}
