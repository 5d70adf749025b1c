//! `psd_begun` and `psd_completed`: what `psd_flow_begin` and `psd_flow_complete` return.

use super::boundary::{free_from_c, get};
use super::platform::platform_code;
use super::proof::psd_proof_fields;
use super::result::psd_result;
use super::text::psd_str;
use crate::flow::{Begun, Completed};

/// A begun flow: redirect the user's browser to its authorize URL. The state is already
/// stored; the application keeps nothing.
///
/// Immutable: may be read from any number of threads at once. Views read from it are valid
/// until `psd_begun_free`.
#[derive(Debug)]
pub struct psd_begun(pub(crate) Begun);

/// Every field of a begun flow, read by `psd_begun_view`. The views are borrowed from it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct psd_begun_fields {
    /// Where to redirect the user's browser (opaque, single-use).
    pub authorize_url: psd_str,
    /// The flow's state, already stored: needed only for logs or tests.
    pub state: psd_str,
    /// Seconds the flow stays open (the session's lifetime, at most the flow's
    /// `max_pending`).
    pub expires_in: i64,
}

/// Writes all of the begun flow's fields to `*fields_out`; its views are valid until
/// `psd_begun_free(begun)`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_begun`.
///
/// # Safety
/// `begun` is NULL or a live `psd_begun`; `fields_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_begun_view(
    begun: *const psd_begun,
    fields_out: *mut psd_begun_fields,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        get(begun, fields_out, |b| psd_begun_fields {
            authorize_url: psd_str::borrow(&b.0.authorize_url),
            state: psd_str::borrow(&b.0.state),
            expires_in: b.0.expires_in,
        })
    }
}

/// Frees a begun flow. NULL is ignored. Views read from it become invalid.
///
/// Thread safety: call it once, when no other thread uses it.
///
/// # Safety
/// `begun` is NULL or a `psd_begun` from `psd_flow_begin` that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_begun_free(begun: *mut psd_begun) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(begun) }
}

/// A completed flow: the verified proof (trust its `platform_id`) and the metadata given to
/// `psd_flow_begin`.
///
/// Immutable: may be read from any number of threads at once. Views read from it are valid
/// until `psd_completed_free`.
#[derive(Debug)]
pub struct psd_completed(pub(crate) Completed);

/// Every field of a completed flow, read by `psd_completed_view`. The views are borrowed
/// from it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct psd_completed_fields {
    /// The verified proof's fields.
    pub proof: psd_proof_fields,
    /// The metadata given to `psd_flow_begin`, unchanged; the absent view (`data == NULL`)
    /// when none was given.
    pub metadata: psd_str,
}

/// Writes all of the completed flow's fields to `*fields_out`; its views are valid until
/// `psd_completed_free(completed)`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_completed`.
///
/// # Safety
/// `completed` is NULL or a live `psd_completed`; `fields_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_completed_view(
    completed: *const psd_completed,
    fields_out: *mut psd_completed_fields,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        get(completed, fields_out, |c| {
            let proof = &c.0.proof;
            psd_completed_fields {
                proof: psd_proof_fields {
                    platform: platform_code(proof.platform),
                    platform_id: psd_str::borrow(&proof.platform_id),
                    handle: psd_str::borrow(&proof.handle),
                    state: psd_str::borrow(&proof.state),
                    expires: proof.expires,
                },
                metadata: psd_str::borrow_optional(c.0.metadata.as_deref()),
            }
        })
    }
}

/// Frees a completed flow. NULL is ignored. Views read from it become invalid.
///
/// Thread safety: call it once, when no other thread uses it.
///
/// # Safety
/// `completed` is NULL or a `psd_completed` from `psd_flow_complete` that was not freed
/// before.
#[no_mangle]
pub unsafe extern "C" fn psd_completed_free(completed: *mut psd_completed) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(completed) }
}
