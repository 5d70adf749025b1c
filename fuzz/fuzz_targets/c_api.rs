//! The C entry points, called as a C program calls them: through the exported `extern "C"`
//! symbols (declared here from include/postsyncer_delegation.h), with fuzzed bytes for every
//! string (invalid UTF-8 and odd lengths included), fuzzed numbers, fuzzed platform codes and
//! NULL where the caller may pass NULL. Checks the header's contract on every call:
//! - every result is a named `psd_result`;
//! - out-parameters are written only on success, an error out-parameter only on failure
//!   (a configuration message for a configuration error, a verify error for a rejection);
//! - a proof's views are UTF-8, for the expected state and platform, and signing the proof
//!   again through `psd_sign_proof` gives a callback that verifies to the same fields;
//! - messages are bounded lines safe to log, and a configuration message is the same
//!   whatever the secrets' letters and digits (so it quotes no secret);
//! - everything returned is freed once (AddressSanitizer reports a leak or a double free).
//!
//! Input layout (missing bytes read as 0; `scripts/fuzz-seeds` writes the vectors this way):
//! `flags:u8 | count_and_platform:u8 | leeway:i64le | max_lifetime:i64le | now:i64le |`
//! `(len:u8 secret)*count | len:u8 state | callback…`
//! flags (1 = NULL): 0 max_lifetime, 1 now, 2 error_out, 3 message_out, 4 callback data,
//! 5 state data, 6 secrets array, 7 the verifier given to verify.
#![no_main]
#![allow(non_camel_case_types)]

use std::ffi::c_char;
use std::ptr::{dangling_mut, null, null_mut};

use libfuzzer_sys::fuzz_target;
// Links the library whose `extern "C"` symbols are declared below.
use postsyncer_delegation as _;
use postsyncer_delegation_fuzz::assert_loggable;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
struct psd_str {
    data: *const c_char,
    len: usize,
}

#[repr(C)]
struct psd_proof_fields {
    platform: u32,
    platform_id: psd_str,
    handle: psd_str,
    state: psd_str,
    expires: i64,
}

#[repr(C)]
struct psd_verify_error_fields {
    kind: psd_str,
    parameter: psd_str,
    code: psd_str,
    message: psd_str,
}

/// The opaque objects of the header.
#[repr(C)]
struct psd_verifier([u8; 0]);
#[repr(C)]
struct psd_proof([u8; 0]);
#[repr(C)]
struct psd_verify_error([u8; 0]);
#[repr(C)]
struct psd_string([u8; 0]);

type psd_result = u32;
const OK: psd_result = 0;
const NULL_PARAMETER: psd_result = 1;
const PLATFORM_NONE: u32 = 0;
const PLATFORM_THREADS: u32 = 8;

extern "C" {
    fn psd_result_name(result: u32) -> psd_str;
    fn psd_verifier_new(
        secrets: *const psd_str,
        secret_count: usize,
        leeway_seconds: i64,
        max_lifetime_seconds: *const i64,
        verifier_out: *mut *mut psd_verifier,
        error_message_out: *mut *mut psd_string,
    ) -> psd_result;
    fn psd_verifier_verify(
        verifier: *const psd_verifier,
        callback: *const c_char,
        callback_len: usize,
        expected_state: *const c_char,
        expected_state_len: usize,
        expected_platform: u32,
        now: *const i64,
        proof_out: *mut *mut psd_proof,
        error_out: *mut *mut psd_verify_error,
    ) -> psd_result;
    fn psd_verifier_free(verifier: *mut psd_verifier);
    fn psd_proof_view(proof: *const psd_proof, fields_out: *mut psd_proof_fields) -> psd_result;
    fn psd_proof_platform_id(proof: *const psd_proof, platform_id_out: *mut psd_str) -> psd_result;
    fn psd_proof_free(proof: *mut psd_proof);
    fn psd_verify_error_view(
        error: *const psd_verify_error,
        fields_out: *mut psd_verify_error_fields,
    ) -> psd_result;
    fn psd_verify_error_kind(error: *const psd_verify_error, kind_out: *mut psd_str) -> psd_result;
    fn psd_verify_error_free(error: *mut psd_verify_error);
    fn psd_string_view(string: *const psd_string, view_out: *mut psd_str) -> psd_result;
    fn psd_string_free(string: *mut psd_string);
    fn psd_sign_proof(
        secret: *const c_char,
        secret_len: usize,
        platform: u32,
        platform_id: *const c_char,
        platform_id_len: usize,
        handle: *const c_char,
        handle_len: usize,
        state: *const c_char,
        state_len: usize,
        expires: i64,
        query_out: *mut *mut psd_string,
    ) -> psd_result;
}

/// Reads the input layout; past the end every read is zeros.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (taken, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        taken
    }
    fn byte(&mut self) -> u8 {
        self.bytes(1).first().copied().unwrap_or(0)
    }
    fn i64(&mut self) -> i64 {
        let mut le = [0u8; 8];
        let taken = self.bytes(8);
        le[..taken.len()].copy_from_slice(taken);
        i64::from_le_bytes(le)
    }
    fn prefixed(&mut self) -> &'a [u8] {
        let len = usize::from(self.byte());
        self.bytes(len)
    }
}

/// What a failed call must leave in an out-parameter: never a pointer the library returns.
fn untouched<T>() -> *mut T {
    dangling_mut()
}

/// The bytes a view lends (the absent view: `None`).
unsafe fn bytes_of<'a>(view: psd_str) -> Option<&'a [u8]> {
    if view.data.is_null() {
        assert_eq!(view.len, 0, "an absent view has no length");
        return None;
    }
    Some(std::slice::from_raw_parts(view.data.cast::<u8>(), view.len))
}

/// The text a view lends, which the header promises is UTF-8.
unsafe fn text_of<'a>(view: psd_str) -> Option<&'a str> {
    bytes_of(view).map(|bytes| std::str::from_utf8(bytes).expect("views are UTF-8"))
}

/// `data` as a C string argument, or NULL with the same length when `null` says so.
fn c_arg(data: &[u8], null: bool) -> (*const c_char, usize) {
    (
        if null {
            std::ptr::null()
        } else {
            data.as_ptr().cast()
        },
        data.len(),
    )
}

fn name_of(result: psd_result) -> &'static str {
    let name = unsafe { text_of(psd_result_name(result)) }.expect("a name for every value");
    assert_ne!(name, "unknown", "result {result} is no psd_result");
    name
}

/// Reads and frees an owned message, checking it is a line safe to log.
unsafe fn take_message(message: *mut psd_string) -> String {
    let mut view = psd_str {
        data: null(),
        len: 0,
    };
    assert_eq!(psd_string_view(message, &mut view), OK);
    let text = text_of(view).expect("a message is present").to_owned();
    assert_loggable("configuration message", &text);
    psd_string_free(message);
    text
}

/// `secret` with every ASCII letter and digit changed to another one: the same length,
/// emptiness and UTF-8 validity, other text.
fn disguised(secret: &[u8]) -> Vec<u8> {
    secret
        .iter()
        .map(|&b| match b {
            b'a'..=b'y' | b'A'..=b'Y' | b'0'..=b'8' => b + 1,
            b'z' => b'a',
            b'Z' => b'A',
            b'9' => b'0',
            other => other,
        })
        .collect()
}

/// A configuration error's message never contains a secret: made again with every secret
/// disguised, the same error has the same message, so no part of it came from a secret.
unsafe fn assert_message_ignores_secrets(
    secrets: &[&[u8]],
    leeway: i64,
    max_lifetime: *const i64,
    result: psd_result,
    message: &str,
) {
    let disguised: Vec<Vec<u8>> = secrets.iter().map(|s| disguised(s)).collect();
    let views: Vec<psd_str> = disguised
        .iter()
        .map(|s| psd_str {
            data: s.as_ptr().cast(),
            len: s.len(),
        })
        .collect();
    let (mut verifier, mut again) = (untouched::<psd_verifier>(), untouched::<psd_string>());
    let result_again = psd_verifier_new(
        views.as_ptr(),
        views.len(),
        leeway,
        max_lifetime,
        &mut verifier,
        &mut again,
    );
    assert_eq!(
        result_again, result,
        "the outcome depends on the secrets' letters"
    );
    assert_eq!(verifier, untouched());
    assert_eq!(
        take_message(again),
        message,
        "the message depends on the secrets"
    );
}

fuzz_target!(|data: &[u8]| {
    let mut input = Reader(data);
    let flags = input.byte();
    let is_null = |bit: u8| flags & (1 << bit) != 0;
    let count_and_platform = input.byte();
    let secret_count = usize::from(count_and_platform & 3);
    let platform = u32::from(count_and_platform >> 2);
    let (leeway, max_lifetime, now) = (input.i64(), input.i64(), input.i64());
    let secrets: Vec<&[u8]> = (0..secret_count).map(|_| input.prefixed()).collect();
    let state = input.prefixed();
    let callback = input.0;

    unsafe {
        // psd_verifier_new
        let views: Vec<psd_str> = secrets
            .iter()
            .map(|s| psd_str {
                data: s.as_ptr().cast(),
                len: s.len(),
            })
            .collect();
        let secrets_arg = if is_null(6) { null() } else { views.as_ptr() };
        let mut verifier = untouched::<psd_verifier>();
        let mut message = untouched::<psd_string>();
        let message_out = if is_null(3) {
            null_mut()
        } else {
            &mut message as *mut _
        };
        let max_lifetime_arg = if is_null(0) {
            null()
        } else {
            &max_lifetime as *const i64
        };
        let result = psd_verifier_new(
            secrets_arg,
            views.len(),
            leeway,
            max_lifetime_arg,
            &mut verifier,
            message_out,
        );
        name_of(result);
        if is_null(6) && !views.is_empty() {
            assert_eq!(result, NULL_PARAMETER);
        }
        if result == OK {
            assert!(!verifier.is_null() && verifier != untouched());
            assert_eq!(message, untouched(), "a message only on failure");
        } else {
            assert_eq!(verifier, untouched(), "a verifier only on success");
            if (100..200).contains(&result) && !is_null(3) {
                assert_ne!(
                    message,
                    untouched(),
                    "a configuration error carries its message"
                );
                let text = take_message(message);
                if !is_null(6) {
                    assert_message_ignores_secrets(
                        &secrets,
                        leeway,
                        max_lifetime_arg,
                        result,
                        &text,
                    );
                }
            } else {
                assert_eq!(
                    message,
                    untouched(),
                    "a message only for configuration errors"
                );
            }
            verifier = null_mut();
        }

        // psd_verifier_verify (with a NULL verifier when the flag says so, or when none was made)
        let verifier_arg: *const psd_verifier = if is_null(7) { null() } else { verifier };
        let (callback_ptr, callback_len) = c_arg(callback, is_null(4));
        let (state_ptr, state_len) = c_arg(state, is_null(5));
        let now_arg = if is_null(1) {
            null()
        } else {
            &now as *const i64
        };
        let mut proof = untouched::<psd_proof>();
        let mut error = untouched::<psd_verify_error>();
        let error_out = if is_null(2) {
            null_mut()
        } else {
            &mut error as *mut _
        };
        let result = psd_verifier_verify(
            verifier_arg,
            callback_ptr,
            callback_len,
            state_ptr,
            state_len,
            platform,
            now_arg,
            &mut proof,
            error_out,
        );
        let name = name_of(result);
        if verifier_arg.is_null() {
            assert_eq!(result, NULL_PARAMETER);
        }
        if result == OK {
            assert!(!proof.is_null() && proof != untouched());
            assert_eq!(error, untouched(), "an error only on failure");
            let mut fields = std::mem::MaybeUninit::<psd_proof_fields>::uninit();
            assert_eq!(psd_proof_view(proof, fields.as_mut_ptr()), OK);
            let fields = fields.assume_init();
            assert!((1..=PLATFORM_THREADS).contains(&fields.platform));
            if platform != PLATFORM_NONE {
                assert_eq!(fields.platform, platform);
            }
            let platform_id = text_of(fields.platform_id).expect("a platform_id");
            let handle = text_of(fields.handle).expect("a handle, maybe empty");
            assert!(!platform_id.is_empty());
            assert_eq!(bytes_of(fields.state), Some(state));
            let mut one = psd_str {
                data: null(),
                len: 0,
            };
            assert_eq!(psd_proof_platform_id(proof, &mut one), OK);
            assert_eq!(text_of(one), Some(platform_id));
            if !is_null(1) {
                resign_and_verify(verifier, &secrets, &fields, platform_id, handle, state, now);
            }
            psd_proof_free(proof);
        } else {
            assert_eq!(proof, untouched(), "a proof only on success");
            if (200..300).contains(&result) && !is_null(2) {
                assert_ne!(error, untouched(), "a rejection carries its error");
                let mut fields = std::mem::MaybeUninit::<psd_verify_error_fields>::uninit();
                assert_eq!(psd_verify_error_view(error, fields.as_mut_ptr()), OK);
                let fields = fields.assume_init();
                assert_eq!(text_of(fields.kind), Some(name));
                let mut kind = psd_str {
                    data: null(),
                    len: 0,
                };
                assert_eq!(psd_verify_error_kind(error, &mut kind), OK);
                assert_eq!(text_of(kind), Some(name));
                let _ = text_of(fields.parameter);
                assert_eq!(
                    text_of(fields.code).is_some(),
                    name == "authorization_denied"
                );
                assert_loggable(name, text_of(fields.message).expect("a message"));
                psd_verify_error_free(error);
            } else {
                assert_eq!(error, untouched(), "an error object only for a rejection");
            }
        }
        psd_verifier_free(verifier);
    }
});

/// Signs the accepted proof again with each configured secret through `psd_sign_proof` and
/// verifies the callback it gives: the same fields come back.
unsafe fn resign_and_verify(
    verifier: *const psd_verifier,
    secrets: &[&[u8]],
    fields: &psd_proof_fields,
    platform_id: &str,
    handle: &str,
    state: &[u8],
    now: i64,
) {
    for secret in secrets {
        let mut query = untouched::<psd_string>();
        let result = psd_sign_proof(
            secret.as_ptr().cast(),
            secret.len(),
            fields.platform,
            platform_id.as_ptr().cast(),
            platform_id.len(),
            handle.as_ptr().cast(),
            handle.len(),
            state.as_ptr().cast(),
            state.len(),
            fields.expires,
            &mut query,
        );
        if result != OK {
            // Every configured secret is UTF-8 and non-empty (the verifier was built).
            panic!(
                "psd_sign_proof with a configured secret: {}",
                name_of(result)
            );
        }
        let mut view = psd_str {
            data: null(),
            len: 0,
        };
        assert_eq!(psd_string_view(query, &mut view), OK);
        let mut proof = untouched::<psd_proof>();
        let again = psd_verifier_verify(
            verifier,
            view.data,
            view.len,
            state.as_ptr().cast(),
            state.len(),
            fields.platform,
            &now,
            &mut proof,
            null_mut(),
        );
        assert_eq!(again, OK, "re-signed as {:?}", text_of(view));
        let mut back = std::mem::MaybeUninit::<psd_proof_fields>::uninit();
        assert_eq!(psd_proof_view(proof, back.as_mut_ptr()), OK);
        let back = back.assume_init();
        assert_eq!(back.platform, fields.platform);
        assert_eq!(text_of(back.platform_id), Some(platform_id));
        assert_eq!(text_of(back.handle), Some(handle));
        assert_eq!(bytes_of(back.state), Some(state));
        assert_eq!(back.expires, fields.expires);
        psd_proof_free(proof);
        psd_string_free(query);
    }
}
