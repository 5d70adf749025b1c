//! `psd_verifier`: building a verifier and verifying callbacks.

use std::ffi::c_char;

use super::boundary::{deliver, ffi_boundary, free_from_c, ref_arg, slice_arg, Out};
use super::platform::{optional_platform_arg, psd_platform};
use super::proof::psd_proof;
use super::result::psd_result;
use super::text::{psd_str, psd_string, str_arg};
use super::verify_error::psd_verify_error;
use crate::foreign_args;
use crate::verifier::Verifier;

/// The default `leeway_seconds` of `psd_verifier_new`.
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_DEFAULT_LEEWAY_SECONDS: i64 = 0;

/// The default `*max_lifetime_seconds` of `psd_verifier_new` (one hour).
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_DEFAULT_MAX_LIFETIME_SECONDS: i64 = 3600;

/// A verifier for one or more signing secrets, with a leeway and a maximum lifetime.
///
/// Immutable once built: share one verifier between all threads (verification is
/// thread-safe) and free it once with `psd_verifier_free` when no thread uses it any more.
/// The secrets' HMAC key state is computed once, at creation, and wiped on free.
#[derive(Debug)]
pub struct psd_verifier(Verifier);

/// Creates a verifier.
///
/// - `secrets`, `secret_count`: the signing secrets (UTF-8, as PostSyncer showed them); any
///   of them may have signed a proof (give both during a rotation). They are copied: the
///   caller may wipe its copies when this returns.
/// - `leeway_seconds`: how late a proof is still accepted (clock skew);
///   `PSD_DEFAULT_LEEWAY_SECONDS` (0) is the default. Negative: `PSD_RESULT_INVALID_ARGUMENT`.
/// - `max_lifetime_seconds`: points to how far ahead an expiry may be
///   (`PSD_DEFAULT_MAX_LIFETIME_SECONDS` is the default; negative:
///   `PSD_RESULT_INVALID_ARGUMENT`), or is NULL to turn the bound off.
/// - `verifier_out`: receives the new verifier on success; the caller owns it and frees it
///   with `psd_verifier_free`.
/// - `error_message_out`: optional (may be NULL); on a configuration error it receives an
///   owned message saying what to fix (free it with `psd_string_free`). Never contains a secret.
///
/// Errors: `PSD_RESULT_NO_SECRET`, `PSD_RESULT_EMPTY_SECRET`, `PSD_RESULT_INVALID_ARGUMENT`,
/// `PSD_RESULT_NULL_PARAMETER`, `PSD_RESULT_INVALID_UTF8`.
/// Thread safety: callable from any thread.
///
/// # Safety
/// `secrets` is NULL (only with `secret_count == 0`) or points to `secret_count` views whose
/// bytes are readable; `max_lifetime_seconds` is NULL or readable; the out-pointers are NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_verifier_new(
    secrets: *const psd_str,
    secret_count: usize,
    leeway_seconds: i64,
    max_lifetime_seconds: *const i64,
    verifier_out: *mut *mut psd_verifier,
    error_message_out: *mut *mut psd_string,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (verifier_out, error_message_out, secrets, max_lifetime_seconds) = unsafe {
            (
                Out::required(verifier_out)?,
                Out::optional(error_message_out),
                slice_arg(secrets, secret_count)?,
                max_lifetime_seconds.as_ref().copied(),
            )
        };
        // SAFETY: each view's bytes are readable, by this function's contract.
        let secrets = secrets
            .iter()
            .map(|secret| unsafe { secret.as_str() })
            .collect::<Result<Vec<_>, _>>()?;
        let outcome = foreign_args::verifier(secrets, leeway_seconds, max_lifetime_seconds)
            .map(psd_verifier)
            .map_err(|error| (psd_result::of_config(&error), psd_string(error.to_string())));
        deliver(outcome, verifier_out, error_message_out)
    })
}

/// Verifies a callback (the whole callback URL, or its query string with or without `?`)
/// following the protocol's verification contract, in its order.
///
/// - `callback`, `callback_len`: the callback as received.
/// - `expected_state`, `expected_state_len`: the state this app issued for the session
///   (spend it after this call, whatever the outcome).
/// - `expected_platform`: the platform the session was created for, or
///   `PSD_PLATFORM_NONE` not to check it.
/// - `now`: the current unix time in seconds, or NULL for the system clock.
/// - `proof_out`: on success receives the proof; the caller owns it (`psd_proof_free`).
/// - `error_out`: optional (may be NULL); when the callback is rejected (a result from
///   `PSD_RESULT_AUTHORIZATION_DENIED` to `PSD_RESULT_EXPIRY_TOO_FAR`) it receives the
///   error with its kind, parameter, code and message; the caller owns it
///   (`psd_verify_error_free`). Not written for any other result.
///
/// Returns `PSD_RESULT_OK` only for an authentic, unexpired proof for this state: then
/// trust the proof's `platform_id`. Other errors: `PSD_RESULT_NULL_PARAMETER`,
/// `PSD_RESULT_INVALID_UTF8`, `PSD_RESULT_INVALID_PLATFORM`.
/// Thread safety: any number of threads may verify with the same verifier at once.
///
/// # Safety
/// `verifier` is NULL or a live verifier; the strings are NULL (only with length 0) or
/// readable for their lengths; `now` is NULL or readable; the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_verifier_verify(
    verifier: *const psd_verifier,
    callback: *const c_char,
    callback_len: usize,
    expected_state: *const c_char,
    expected_state_len: usize,
    expected_platform: psd_platform,
    now: *const i64,
    proof_out: *mut *mut psd_proof,
    error_out: *mut *mut psd_verify_error,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (verifier, callback, expected_state, now, proof_out, error_out) = unsafe {
            (
                ref_arg(verifier)?,
                str_arg(callback, callback_len)?,
                str_arg(expected_state, expected_state_len)?,
                now.as_ref().copied(),
                Out::required(proof_out)?,
                Out::optional(error_out),
            )
        };
        let expected_platform = optional_platform_arg(expected_platform)?;
        let verified = match now {
            Some(now) => verifier
                .0
                .verify_at(callback, expected_state, expected_platform, now),
            None => verifier
                .0
                .verify(callback, expected_state, expected_platform),
        };
        let outcome = verified
            .map(psd_proof)
            .map_err(|error| (psd_result::of_verify(error.kind()), psd_verify_error(error)));
        deliver(outcome, proof_out, error_out)
    })
}

/// Frees a verifier and wipes its key material. NULL is ignored.
///
/// Thread safety: call it once, after every thread has stopped using the verifier.
///
/// # Safety
/// `verifier` is NULL or a verifier from `psd_verifier_new` that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_verifier_free(verifier: *mut psd_verifier) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(verifier) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_constants_are_the_foreign_rules() {
        use crate::verifier::DEFAULT_MAX_LIFETIME;
        assert_eq!(
            Ok(PSD_DEFAULT_MAX_LIFETIME_SECONDS),
            i64::try_from(DEFAULT_MAX_LIFETIME.as_secs())
        );
        assert_eq!(PSD_DEFAULT_LEEWAY_SECONDS, 0);
    }
}
