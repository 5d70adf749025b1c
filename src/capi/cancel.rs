//! `psd_cancel_token`: ends a running `psd_client_create_session_within` from another thread.

use super::boundary::{ffi_boundary, free_from_c, into_c, ref_arg, Out};
use super::result::psd_result;
use crate::client::CancelToken;

/// Cancels the calls it is given to (`psd_client_create_session_within`), from any thread.
///
/// Once cancelled it stays cancelled: use a new token for each call. Thread-safe: any
/// number of threads may cancel it at once, while calls that were given it run.
#[derive(Debug)]
pub struct psd_cancel_token(pub(crate) CancelToken);

/// Creates a token that is not cancelled. Writes it to `*token_out`, owned by the caller
/// (`psd_cancel_token_free`).
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: callable from any thread.
///
/// # Safety
/// `token_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_cancel_token_new(token_out: *mut *mut psd_cancel_token) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let token_out = unsafe { Out::required(token_out)? };
        token_out.write(into_c(psd_cancel_token(CancelToken::new())));
        Ok(())
    })
}

/// Cancels the token: a call running with it ends at once (`PSD_RESULT_TIMEOUT`, its request
/// aborted); a call started with it later fails before sending anything. Cancelling again
/// does nothing.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: callable from any thread, also while
/// calls given this token run.
///
/// # Safety
/// `token` is NULL or a live token.
#[no_mangle]
pub unsafe extern "C" fn psd_cancel_token_cancel(token: *const psd_cancel_token) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let token = unsafe { ref_arg(token)? };
        token.0.cancel();
        Ok(())
    })
}

/// Frees a token. NULL is ignored.
///
/// Thread safety: call it once, after the calls given the token have returned and no thread
/// will cancel it any more.
///
/// # Safety
/// `token` is NULL or a token from `psd_cancel_token_new` that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_cancel_token_free(token: *mut psd_cancel_token) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(token) }
}
