//! `psd_verify_error`: why a callback was rejected.

use super::boundary::{free_from_c, get};
use super::result::psd_result;
use super::text::psd_str;
use crate::error::VerifyError;

/// A rejected callback: its kind (the protocol word), the parameter it concerns, the OAuth
/// error code (for `authorization_denied` only) and a message a person can act on.
///
/// Immutable: may be read from any number of threads at once. Views read from it are valid
/// until `psd_verify_error_free`.
#[derive(Debug)]
pub struct psd_verify_error(pub(crate) VerifyError);

/// Writes the kind as its protocol word (`bad_signature`, `missing_parameter`, …), a view
/// of static storage, to `*kind_out`. It is `psd_result_name` of the verify result.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_verify_error`.
///
/// # Safety
/// `error` is NULL or a live error; `kind_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_verify_error_kind(
    error: *const psd_verify_error,
    kind_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(error, kind_out, |e| psd_str::borrow(e.0.kind().as_str())) }
}

/// Writes a view of the callback parameter the error concerns (`sig`, `state`, …), or the
/// absent view (`data == NULL`) when there is none.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_verify_error`.
///
/// # Safety
/// `error` is NULL or a live error; `parameter_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_verify_error_parameter(
    error: *const psd_verify_error,
    parameter_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        get(error, parameter_out, |e| {
            psd_str::borrow_optional(e.0.parameter())
        })
    }
}

/// Writes a view of the callback's OAuth `error` value for `authorization_denied` (e.g.
/// `access_denied`), or the absent view (`data == NULL`) for every other kind.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_verify_error`.
///
/// # Safety
/// `error` is NULL or a live error; `code_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_verify_error_code(
    error: *const psd_verify_error,
    code_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(error, code_out, |e| psd_str::borrow_optional(e.0.code())) }
}

/// Writes a view of a sentence saying what is wrong and what to do about it, valid until
/// `psd_verify_error_free(error)`. It never contains a secret.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_verify_error`.
///
/// # Safety
/// `error` is NULL or a live error; `message_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_verify_error_message(
    error: *const psd_verify_error,
    message_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(error, message_out, |e| psd_str::borrow(e.0.message())) }
}

/// Every field of a verification error, read by `psd_verify_error_view` in one call. The
/// views are borrowed from the error; an absent `parameter` or `code` has a NULL `data`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct psd_verify_error_fields {
    /// The protocol word (`bad_signature`, …).
    pub kind: psd_str,
    /// The callback parameter the error concerns, or absent.
    pub parameter: psd_str,
    /// The callback's OAuth `error` value (`authorization_denied` only), or absent.
    pub code: psd_str,
    /// What is wrong and what to do about it.
    pub message: psd_str,
}

/// Writes all of the error's fields to `*fields_out`; its views are valid until
/// `psd_verify_error_free(error)`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_verify_error`.
///
/// # Safety
/// `error` is NULL or a live error; `fields_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_verify_error_view(
    error: *const psd_verify_error,
    fields_out: *mut psd_verify_error_fields,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        get(error, fields_out, |e| psd_verify_error_fields {
            kind: psd_str::borrow(e.0.kind().as_str()),
            parameter: psd_str::borrow_optional(e.0.parameter()),
            code: psd_str::borrow_optional(e.0.code()),
            message: psd_str::borrow(e.0.message()),
        })
    }
}

/// Frees a verify error. NULL is ignored. Views read from it become invalid.
///
/// Thread safety: call it once, when no other thread uses the error.
///
/// # Safety
/// `error` is NULL or an error from `psd_verifier_verify` that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_verify_error_free(error: *mut psd_verify_error) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(error) }
}
