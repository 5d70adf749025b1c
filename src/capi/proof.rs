//! `psd_proof`: the fields of a verified proof, and signing one (for emulators and tests).

use std::ffi::c_char;

use super::boundary::{ffi_boundary, free_from_c, get, into_c, Out};
use super::platform::{platform_arg, platform_code, psd_platform};
use super::result::psd_result;
use super::text::{psd_str, psd_string, str_arg};
use crate::proof::{sign_proof, Proof};

/// A verified proof that the user owns `platform_id` on `platform`. Trust `platform_id`;
/// `handle` is display text the user can change.
///
/// Immutable: may be read from any number of threads at once. Views read from it are valid
/// until `psd_proof_free`.
#[derive(Debug)]
pub struct psd_proof(pub(crate) Proof);

/// Writes the proof's platform code to `*platform_out`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_proof`.
///
/// # Safety
/// `proof` is NULL or a live proof; `platform_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_proof_platform(
    proof: *const psd_proof,
    platform_out: *mut psd_platform,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(proof, platform_out, |p| platform_code(p.0.platform)) }
}

/// Writes a view of the platform's permanent user id (TikTok `open_id`, X `user_id`, …),
/// valid until `psd_proof_free(proof)`. This is the identity to trust.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_proof`.
///
/// # Safety
/// `proof` is NULL or a live proof; `platform_id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_proof_platform_id(
    proof: *const psd_proof,
    platform_id_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        get(proof, platform_id_out, |p| {
            psd_str::borrow(&p.0.platform_id)
        })
    }
}

/// Writes a view of the account's handle (may be empty), valid until `psd_proof_free(proof)`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_proof`.
///
/// # Safety
/// `proof` is NULL or a live proof; `handle_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_proof_handle(
    proof: *const psd_proof,
    handle_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(proof, handle_out, |p| psd_str::borrow(&p.0.handle)) }
}

/// Writes a view of the proof's state (equal to the expected state), valid until
/// `psd_proof_free(proof)`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_proof`.
///
/// # Safety
/// `proof` is NULL or a live proof; `state_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_proof_state(
    proof: *const psd_proof,
    state_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(proof, state_out, |p| psd_str::borrow(&p.0.state)) }
}

/// Writes when the proof expires, in unix seconds, to `*expires_out`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_proof`.
///
/// # Safety
/// `proof` is NULL or a live proof; `expires_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_proof_expires(
    proof: *const psd_proof,
    expires_out: *mut i64,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(proof, expires_out, |p| p.0.expires) }
}

/// Every field of a proof in one read: what bindings use so that a verification costs one
/// call for the proof instead of one per field. The views are borrowed from the proof.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct psd_proof_fields {
    /// The platform code.
    pub platform: psd_platform,
    /// The platform's permanent user id: the identity to trust.
    pub platform_id: psd_str,
    /// The account's handle (may be empty).
    pub handle: psd_str,
    /// The proof's state (equal to the expected state).
    pub state: psd_str,
    /// When the proof expires, in unix seconds.
    pub expires: i64,
}

/// Writes all of the proof's fields to `*fields_out`; its views are valid until
/// `psd_proof_free(proof)`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_proof`.
///
/// # Safety
/// `proof` is NULL or a live proof; `fields_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_proof_view(
    proof: *const psd_proof,
    fields_out: *mut psd_proof_fields,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        get(proof, fields_out, |p| psd_proof_fields {
            platform: platform_code(p.0.platform),
            platform_id: psd_str::borrow(&p.0.platform_id),
            handle: psd_str::borrow(&p.0.handle),
            state: psd_str::borrow(&p.0.state),
            expires: p.0.expires,
        })
    }
}

/// Frees a proof. NULL is ignored. Views read from it become invalid.
///
/// Thread safety: call it once, when no other thread uses the proof.
///
/// # Safety
/// `proof` is NULL or a proof from `psd_verifier_verify` that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_proof_free(proof: *mut psd_proof) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(proof) }
}

/// Signs a proof the way PostSyncer does and writes the callback query string
/// (`platform=…&platform_id=…&handle=…&state=…&expires=…&sig=…`) to `*query_out`, owned by
/// the caller (`psd_string_free`). Apps never need this: it exists for emulators and tests.
///
/// Errors: `PSD_RESULT_EMPTY_SECRET`, `PSD_RESULT_INVALID_PLATFORM`,
/// `PSD_RESULT_NULL_PARAMETER`, `PSD_RESULT_INVALID_UTF8`. Thread safety: callable from any thread.
///
/// # Safety
/// Each string is NULL (only with length 0) or readable for its length; `query_out` is NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_sign_proof(
    secret: *const c_char,
    secret_len: usize,
    platform: psd_platform,
    platform_id: *const c_char,
    platform_id_len: usize,
    handle: *const c_char,
    handle_len: usize,
    state: *const c_char,
    state_len: usize,
    expires: i64,
    query_out: *mut *mut psd_string,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (secret, platform_id, handle, state, query_out) = unsafe {
            (
                str_arg(secret, secret_len)?,
                str_arg(platform_id, platform_id_len)?,
                str_arg(handle, handle_len)?,
                str_arg(state, state_len)?,
                Out::required(query_out)?,
            )
        };
        let proof = Proof {
            platform: platform_arg(platform)?,
            platform_id: platform_id.to_owned(),
            handle: handle.to_owned(),
            state: state.to_owned(),
            expires,
        };
        let query = sign_proof(secret, &proof).map_err(|e| psd_result::of_config(&e))?;
        query_out.write(into_c(psd_string(query)));
        Ok(())
    })
}
