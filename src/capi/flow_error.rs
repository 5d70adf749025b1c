//! `psd_flow_error`: why `psd_flow_begin` or `psd_flow_complete` failed.

use super::api_error::psd_api_error;
use super::boundary::{free_from_c, get};
use super::result::psd_result;
use super::text::psd_str;
use super::verify_error::psd_verify_error;
use crate::error::{BeginError, CompleteError, FlowError};

/// A failed `psd_flow_begin` or `psd_flow_complete`: its kind (the protocol word, the same
/// as `psd_result_name` of the call's result) and a message; when the session could not be
/// created, the API error, and when the callback was rejected, the verification error, each
/// lent whole (`psd_flow_error_view`).
///
/// Immutable: may be read from any number of threads at once. Views and lent errors read
/// from it are valid until `psd_flow_error_free`.
#[derive(Debug)]
pub struct psd_flow_error(Cause);

#[derive(Debug)]
enum Cause {
    Flow(FlowError),
    Api(psd_api_error),
    Verify(psd_verify_error),
}

impl psd_flow_error {
    pub(crate) fn of_begin(error: BeginError) -> (psd_result, psd_flow_error) {
        match error {
            BeginError::Flow(e) => psd_flow_error::of_flow(e),
            BeginError::Api(e) => (
                psd_result::of_api(e.kind()),
                psd_flow_error(Cause::Api(psd_api_error(e))),
            ),
        }
    }

    pub(crate) fn of_complete(error: CompleteError) -> (psd_result, psd_flow_error) {
        match error {
            CompleteError::Flow(e) => psd_flow_error::of_flow(e),
            CompleteError::Verify(e) => (
                psd_result::of_verify(e.kind()),
                psd_flow_error(Cause::Verify(psd_verify_error(e))),
            ),
        }
    }

    fn of_flow(error: FlowError) -> (psd_result, psd_flow_error) {
        (
            psd_result::of_flow(error.kind()),
            psd_flow_error(Cause::Flow(error)),
        )
    }

    fn fields(&self) -> psd_flow_error_fields {
        let (kind, message) = match &self.0 {
            Cause::Flow(e) => (e.kind().as_str(), e.message()),
            Cause::Api(e) => (e.0.kind().as_str(), e.0.message()),
            Cause::Verify(e) => (e.0.kind().as_str(), e.0.message()),
        };
        psd_flow_error_fields {
            kind: psd_str::borrow(kind),
            message: psd_str::borrow(message),
            api_error: match &self.0 {
                Cause::Api(e) => e,
                _ => std::ptr::null(),
            },
            verify_error: match &self.0 {
                Cause::Verify(e) => e,
                _ => std::ptr::null(),
            },
        }
    }
}

/// Every field of a flow error, read by `psd_flow_error_view` in one call. Everything is
/// borrowed from the error: never free `api_error` or `verify_error` yourself.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct psd_flow_error_fields {
    /// The protocol word: `state_not_found`, `subject_mismatch`, `store_unavailable`,
    /// `invalid_argument`, or the API or verification kind (`rate_limited`,
    /// `bad_signature`, `authorization_denied`, …).
    pub kind: psd_str,
    /// What went wrong and what to do about it. Never contains the API key, a signing
    /// secret, the subject or the state.
    pub message: psd_str,
    /// When the session could not be created (`psd_flow_begin`): the API error with its
    /// status, `Retry-After` and field errors; NULL otherwise.
    pub api_error: *const psd_api_error,
    /// When the callback was rejected (`psd_flow_complete`): the verification error with
    /// its parameter and OAuth code; NULL otherwise.
    pub verify_error: *const psd_verify_error,
}

/// Writes all of the error's fields to `*fields_out`; they are valid until
/// `psd_flow_error_free(error)`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_flow_error`.
///
/// # Safety
/// `error` is NULL or a live error; `fields_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_flow_error_view(
    error: *const psd_flow_error,
    fields_out: *mut psd_flow_error_fields,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(error, fields_out, psd_flow_error::fields) }
}

/// Frees a flow error, with the API or verification error it lends. NULL is ignored.
///
/// Thread safety: call it once, when no other thread uses the error.
///
/// # Safety
/// `error` is NULL or an error from `psd_flow_begin` or `psd_flow_complete` that was not
/// freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_flow_error_free(error: *mut psd_flow_error) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(error) }
}
