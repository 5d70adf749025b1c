//! `psd_verifier`: building a verifier and verifying callbacks.

use std::ffi::c_char;
use std::sync::Arc;

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
/// The secrets' HMAC key state is computed once, at creation, and wiped on free (when a
/// `psd_flow` was made from it, once both are freed: the flow shares it).
#[derive(Debug)]
pub struct psd_verifier(pub(crate) Arc<Verifier>);

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
            .map(|verifier| psd_verifier(Arc::new(verifier)))
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
    //! The C ABI driven as a C program drives it, through the `extern "C"` functions with raw
    //! pointers: ownership (every object freed once), NULL handling, outputs written only on
    //! success, views valid until their owner is freed. `scripts/check-miri` runs these under
    //! Miri, which checks every pointer use for undefined behaviour and every allocation for
    //! a leak.
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use std::ptr::{null, null_mut};

    use super::*;
    use crate::capi::platform::{PSD_PLATFORM_NONE, PSD_PLATFORM_THREADS, PSD_PLATFORM_TIKTOK};
    use crate::capi::proof::{psd_proof_fields, psd_proof_free, psd_proof_view, psd_sign_proof};
    use crate::capi::text::{psd_string_free, psd_string_view};
    use crate::capi::verify_error::{
        psd_verify_error_code, psd_verify_error_fields, psd_verify_error_free,
        psd_verify_error_kind, psd_verify_error_message, psd_verify_error_parameter,
        psd_verify_error_view,
    };

    const SECRET: &str = "ps_test_signing_secret_0001";
    const STATE: &str = "a1b2c3d4";
    const NOW: i64 = 1_716_999_940;
    /// tiktok / _000abc / jane / a1b2c3d4 / 1717000000, signed with [`SECRET`].
    const CALLBACK: &str = "https://app.example/cb?platform=tiktok&platform_id=_000abc&handle=jane\
        &state=a1b2c3d4&expires=1717000000\
        &sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";

    /// A pointer that a failed call must leave as it is.
    fn untouched<T>() -> *mut T {
        std::ptr::NonNull::dangling().as_ptr()
    }

    fn view(text: &str) -> psd_str {
        psd_str::borrow(text)
    }

    /// The bytes a view lends, copied.
    fn text_of(view: psd_str) -> Option<String> {
        if view.data.is_null() {
            return None;
        }
        let bytes = unsafe { std::slice::from_raw_parts(view.data.cast::<u8>(), view.len) };
        Some(std::str::from_utf8(bytes).unwrap().to_owned())
    }

    fn new_verifier(secrets: &[psd_str]) -> *mut psd_verifier {
        let mut verifier = null_mut();
        let lifetime = PSD_DEFAULT_MAX_LIFETIME_SECONDS;
        let result = unsafe {
            psd_verifier_new(
                secrets.as_ptr(),
                secrets.len(),
                PSD_DEFAULT_LEEWAY_SECONDS,
                &lifetime,
                &mut verifier,
                null_mut(),
            )
        };
        assert_eq!(result, psd_result::Ok);
        assert!(!verifier.is_null());
        verifier
    }

    /// `psd_verifier_verify` of `callback` as of [`NOW`], with both out-parameters.
    fn verify(
        verifier: *const psd_verifier,
        callback: &[u8],
        state: &str,
        platform: psd_platform,
    ) -> (psd_result, *mut psd_proof, *mut psd_verify_error) {
        let (mut proof, mut error) = (untouched(), untouched());
        let result = unsafe {
            psd_verifier_verify(
                verifier,
                callback.as_ptr().cast(),
                callback.len(),
                state.as_ptr().cast(),
                state.len(),
                platform,
                &NOW,
                &mut proof,
                &mut error,
            )
        };
        (result, proof, error)
    }

    #[test]
    fn new_verify_view_free() {
        let secrets = [
            String::from("ps_test_signing_secret_0002"),
            SECRET.to_owned(),
        ];
        let verifier = new_verifier(&secrets.iter().map(|s| view(s)).collect::<Vec<_>>());
        let (result, proof, error) =
            verify(verifier, CALLBACK.as_bytes(), STATE, PSD_PLATFORM_TIKTOK);
        assert_eq!(result, psd_result::Ok);
        assert_eq!(
            error,
            untouched(),
            "error_out is written only on a rejection"
        );

        let mut fields = std::mem::MaybeUninit::<psd_proof_fields>::uninit();
        assert_eq!(
            unsafe { psd_proof_view(proof, fields.as_mut_ptr()) },
            psd_result::Ok
        );
        let fields = unsafe { fields.assume_init() };
        assert_eq!(fields.platform, PSD_PLATFORM_TIKTOK);
        assert_eq!(text_of(fields.platform_id).as_deref(), Some("_000abc"));
        assert_eq!(text_of(fields.handle).as_deref(), Some("jane"));
        assert_eq!(text_of(fields.state).as_deref(), Some(STATE));
        assert_eq!(fields.expires, 1_717_000_000);
        // The views borrow from the proof: read above, dead once it is freed.
        unsafe { psd_proof_free(proof) };
        // The secrets were copied: the verifier outlives the caller's strings.
        drop(secrets);
        let (result, proof, _) = verify(verifier, CALLBACK.as_bytes(), STATE, PSD_PLATFORM_NONE);
        assert_eq!(result, psd_result::Ok);
        unsafe { psd_proof_free(proof) };
        unsafe { psd_verifier_free(verifier) };
    }

    #[test]
    fn a_rejection_writes_the_error_only() {
        let verifier = new_verifier(&[view(SECRET)]);
        let tampered = CALLBACK.replace("_000abc", "_000abd");
        let (result, proof, error) = verify(verifier, tampered.as_bytes(), STATE, 0);
        assert_eq!(result, psd_result::BadSignature);
        assert_eq!(proof, untouched(), "proof_out is written only on success");

        let mut fields = std::mem::MaybeUninit::<psd_verify_error_fields>::uninit();
        assert_eq!(
            unsafe { psd_verify_error_view(error, fields.as_mut_ptr()) },
            psd_result::Ok
        );
        let fields = unsafe { fields.assume_init() };
        assert_eq!(text_of(fields.kind).as_deref(), Some("bad_signature"));
        assert_eq!(text_of(fields.parameter), None);
        assert_eq!(text_of(fields.code), None);
        assert!(text_of(fields.message).unwrap().contains("signature"));
        unsafe { psd_verify_error_free(error) };

        // Each field on its own, for a denial: the code is the callback's `error`.
        let (result, proof, error) = verify(
            verifier,
            b"?error=access_denied&state=a1b2c3d4",
            STATE,
            PSD_PLATFORM_NONE,
        );
        assert_eq!(result, psd_result::AuthorizationDenied);
        assert_eq!(proof, untouched());
        let mut out = psd_str::ABSENT;
        unsafe {
            assert_eq!(psd_verify_error_kind(error, &mut out), psd_result::Ok);
            assert_eq!(text_of(out).as_deref(), Some("authorization_denied"));
            assert_eq!(psd_verify_error_code(error, &mut out), psd_result::Ok);
            assert_eq!(text_of(out).as_deref(), Some("access_denied"));
            assert_eq!(psd_verify_error_parameter(error, &mut out), psd_result::Ok);
            assert_eq!(text_of(out), None);
            assert_eq!(psd_verify_error_message(error, &mut out), psd_result::Ok);
            assert!(out.len > 0);
            assert_eq!(
                psd_verify_error_message(error, null_mut()),
                psd_result::NullParameter
            );
            assert_eq!(
                psd_verify_error_message(null(), &mut out),
                psd_result::NullParameter
            );
            psd_verify_error_free(error);
        }

        // error_out is optional.
        let mut proof = untouched();
        let result = unsafe {
            psd_verifier_verify(
                verifier,
                tampered.as_ptr().cast(),
                tampered.len(),
                STATE.as_ptr().cast(),
                STATE.len(),
                PSD_PLATFORM_NONE,
                &NOW,
                &mut proof,
                null_mut(),
            )
        };
        assert_eq!(result, psd_result::BadSignature);
        assert_eq!(proof, untouched());
        unsafe { psd_verifier_free(verifier) };
    }

    #[test]
    fn bad_arguments_write_nothing() {
        let verifier = new_verifier(&[view(SECRET)]);
        // No error object for a result that is not a verification outcome.
        for (callback, platform, expected) in [
            (&b"\xc3("[..], PSD_PLATFORM_NONE, psd_result::InvalidUtf8),
            (CALLBACK.as_bytes(), 9, psd_result::InvalidPlatform),
            (CALLBACK.as_bytes(), u32::MAX, psd_result::InvalidPlatform),
        ] {
            let (result, proof, error) = verify(verifier, callback, STATE, platform);
            assert_eq!(result, expected);
            assert_eq!((proof, error), (untouched(), untouched()));
        }
        let (result, proof, error) = verify(null(), CALLBACK.as_bytes(), STATE, 0);
        assert_eq!(result, psd_result::NullParameter);
        assert_eq!((proof, error), (untouched(), untouched()));

        let (mut proof, mut error) = (untouched(), untouched());
        unsafe {
            // A NULL string with a length, and a missing required out-parameter.
            assert_eq!(
                psd_verifier_verify(
                    verifier,
                    null(),
                    5,
                    STATE.as_ptr().cast(),
                    STATE.len(),
                    0,
                    null(),
                    &mut proof,
                    &mut error
                ),
                psd_result::NullParameter
            );
            assert_eq!(
                psd_verifier_verify(
                    verifier,
                    CALLBACK.as_ptr().cast(),
                    CALLBACK.len(),
                    STATE.as_ptr().cast(),
                    STATE.len(),
                    0,
                    &NOW,
                    null_mut(),
                    &mut error
                ),
                psd_result::NullParameter
            );
            assert_eq!((proof, error), (untouched(), untouched()));
            // (NULL, 0) is the empty callback: a verification error, not a NULL parameter.
            assert_eq!(
                psd_verifier_verify(
                    verifier,
                    null(),
                    0,
                    STATE.as_ptr().cast(),
                    STATE.len(),
                    0,
                    &NOW,
                    &mut proof,
                    &mut error
                ),
                psd_result::MissingParameter
            );
            assert_eq!(proof, untouched());
            psd_verify_error_free(error);
            psd_verifier_free(verifier);
        }
    }

    #[test]
    fn configuration_errors_write_the_message_only() {
        let lifetime = PSD_DEFAULT_MAX_LIFETIME_SECONDS;
        let negative = -1_i64;
        let invalid_utf8 = psd_str {
            data: b"\xff\xfe".as_ptr().cast(),
            len: 2,
        };
        let cases: [(&[psd_str], i64, *const i64, psd_result); 5] = [
            (&[], 0, &lifetime, psd_result::NoSecret),
            (
                &[view(SECRET), view("")],
                0,
                &lifetime,
                psd_result::EmptySecret,
            ),
            (&[view(SECRET)], -5, &lifetime, psd_result::InvalidArgument),
            (&[view(SECRET)], 0, &negative, psd_result::InvalidArgument),
            (&[invalid_utf8], 0, null(), psd_result::InvalidUtf8),
        ];
        for (secrets, leeway, lifetime, expected) in cases {
            let (mut verifier, mut message) = (untouched(), null_mut());
            let result = unsafe {
                psd_verifier_new(
                    secrets.as_ptr(),
                    secrets.len(),
                    leeway,
                    lifetime,
                    &mut verifier,
                    &mut message,
                )
            };
            assert_eq!(result, expected);
            assert_eq!(
                verifier,
                untouched(),
                "verifier_out is written only on success"
            );
            if expected == psd_result::InvalidUtf8 {
                // Not a configuration error: no message.
                assert!(message.is_null());
                continue;
            }
            let mut text = psd_str::ABSENT;
            assert_eq!(
                unsafe { psd_string_view(message, &mut text) },
                psd_result::Ok
            );
            let text = text_of(text).unwrap();
            assert!(!text.is_empty() && !text.contains(SECRET), "{text}");
            unsafe { psd_string_free(message) };
        }
        // NULL secrets with a count, and no out-parameter for the verifier.
        let mut verifier = untouched();
        unsafe {
            assert_eq!(
                psd_verifier_new(null(), 1, 0, null(), &mut verifier, null_mut()),
                psd_result::NullParameter
            );
            assert_eq!(
                psd_verifier_new(&view(SECRET), 1, 0, null(), null_mut(), null_mut()),
                psd_result::NullParameter
            );
        }
        assert_eq!(verifier, untouched());
        // NULL max lifetime: no bound; a proof expiring in a century verifies.
        let mut verifier = null_mut();
        let secret = view(SECRET);
        unsafe {
            assert_eq!(
                psd_verifier_new(&secret, 1, 0, null(), &mut verifier, null_mut()),
                psd_result::Ok
            );
        }
        let mut query = null_mut();
        let expires = NOW + 100 * 365 * 86_400;
        unsafe {
            assert_eq!(
                psd_sign_proof(
                    SECRET.as_ptr().cast(),
                    SECRET.len(),
                    PSD_PLATFORM_THREADS,
                    b"1789".as_ptr().cast(),
                    4,
                    null(),
                    0,
                    STATE.as_ptr().cast(),
                    STATE.len(),
                    expires,
                    &mut query,
                ),
                psd_result::Ok
            );
        }
        let mut text = psd_str::ABSENT;
        assert_eq!(unsafe { psd_string_view(query, &mut text) }, psd_result::Ok);
        let callback = text_of(text).unwrap();
        unsafe { psd_string_free(query) };
        let (result, proof, _) = verify(verifier, callback.as_bytes(), STATE, 0);
        assert_eq!(result, psd_result::Ok);
        unsafe {
            psd_proof_free(proof);
            psd_verifier_free(verifier);
        }
    }

    #[test]
    fn free_functions_accept_null() {
        unsafe {
            psd_verifier_free(null_mut());
            psd_proof_free(null_mut());
            psd_verify_error_free(null_mut());
            psd_string_free(null_mut());
        }
    }

    #[test]
    fn threads_share_one_verifier() {
        struct Shared(*const psd_verifier);
        // SAFETY: a psd_verifier is immutable and documented as shareable between threads.
        unsafe impl Sync for Shared {}
        let verifier = new_verifier(&[view(SECRET)]);
        let shared = Shared(verifier);
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| {
                    let shared = &shared;
                    let (result, proof, _) =
                        verify(shared.0, CALLBACK.as_bytes(), STATE, PSD_PLATFORM_NONE);
                    assert_eq!(result, psd_result::Ok);
                    unsafe { psd_proof_free(proof) };
                });
            }
        });
        unsafe { psd_verifier_free(verifier) };
    }

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
