//! `psd_api_error`: why a session could not be created.

use super::boundary::{ffi_boundary, free_from_c, get, ref_arg, Out};
use super::result::psd_result;
use super::text::psd_str;
use crate::error::ApiError;

/// A failed `psd_client_create_session`: its kind (`unauthenticated`, `rate_limited`, …),
/// the HTTP status, a message, the `Retry-After` delay and the per-field messages of a 422.
///
/// Immutable: may be read from any number of threads at once. Views read from it are valid
/// until `psd_api_error_free`.
#[derive(Debug)]
pub struct psd_api_error(pub(crate) ApiError);

impl psd_api_error {
    /// The (field, message) pairs of a validation error, flattened in the service's order.
    fn field_messages(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.field_errors().iter().flat_map(|(field, messages)| {
            messages.iter().map(move |m| (field.as_str(), m.as_str()))
        })
    }
}

/// Writes the kind as its stable word (`unauthenticated`, `forbidden`, `not_found`,
/// `validation`, `rate_limited`, `server`, `transport`, `timeout`, `invalid_response`,
/// `invalid_request`), a view of static storage.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_api_error`.
///
/// # Safety
/// `error` is NULL or a live error; `kind_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_api_error_kind(
    error: *const psd_api_error,
    kind_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(error, kind_out, |e| psd_str::borrow(e.0.kind().as_str())) }
}

/// Writes the HTTP status the service answered with, or 0 when it did not answer
/// (transport, timeout, invalid request).
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_api_error`.
///
/// # Safety
/// `error` is NULL or a live error; `status_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_api_error_status(
    error: *const psd_api_error,
    status_out: *mut u16,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(error, status_out, |e| e.0.status().unwrap_or(0)) }
}

/// Writes a view of a sentence saying what went wrong and what to do about it. It never
/// contains the API key.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_api_error`.
///
/// # Safety
/// `error` is NULL or a live error; `message_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_api_error_message(
    error: *const psd_api_error,
    message_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(error, message_out, |e| psd_str::borrow(e.0.message())) }
}

/// Writes how long the service asked to wait before retrying, in milliseconds, for
/// `rate_limited`; -1 when it did not say.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_api_error`.
///
/// # Safety
/// `error` is NULL or a live error; `milliseconds_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_api_error_retry_after_ms(
    error: *const psd_api_error,
    milliseconds_out: *mut i64,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        get(error, milliseconds_out, |e| {
            e.0.retry_after()
                .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        })
    }
}

/// Writes how many (field, message) pairs a `validation` error carries (0 for other kinds).
/// A field with several messages counts once per message.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_api_error`.
///
/// # Safety
/// `error` is NULL or a live error; `count_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_api_error_field_error_count(
    error: *const psd_api_error,
    count_out: *mut usize,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(error, count_out, |e| e.field_messages().count()) }
}

/// Writes views of the `index`-th (field, message) pair of a `validation` error, e.g.
/// (`callback_url`, `The callback url field must be a valid URL.`).
///
/// Errors: `PSD_RESULT_OUT_OF_RANGE` when `index` is not below
/// `psd_api_error_field_error_count`, `PSD_RESULT_NULL_PARAMETER`. Thread safety: see
/// `psd_api_error`.
///
/// # Safety
/// `error` is NULL or a live error; `field_out` and `message_out` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_api_error_field_error(
    error: *const psd_api_error,
    index: usize,
    field_out: *mut psd_str,
    message_out: *mut psd_str,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (error, field_out, message_out) = unsafe {
            (
                ref_arg(error)?,
                Out::required(field_out)?,
                Out::required(message_out)?,
            )
        };
        let (field, message) = error
            .field_messages()
            .nth(index)
            .ok_or(psd_result::OutOfRange)?;
        field_out.write(psd_str::borrow(field));
        message_out.write(psd_str::borrow(message));
        Ok(())
    })
}

/// Frees an API error. NULL is ignored. Views read from it become invalid.
///
/// Thread safety: call it once, when no other thread uses the error.
///
/// # Safety
/// `error` is NULL or an error from `psd_client_create_session` that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_api_error_free(error: *mut psd_api_error) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(error) }
}
