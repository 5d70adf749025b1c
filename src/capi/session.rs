//! `psd_session`: the fields of a created delegation session.

use super::boundary::{free_from_c, get};
use super::platform::{platform_code, psd_platform};
use super::result::psd_result;
use super::text::psd_str;
use crate::client::Session;

/// A created delegation session: redirect the user's browser to its authorize URL and
/// persist its state (and platform) to check the callback against.
///
/// Immutable: may be read from any number of threads at once. Views read from it are valid
/// until `psd_session_free`.
#[derive(Debug)]
pub struct psd_session(pub(crate) Session);

/// Writes a view of the URL to redirect the user's browser to (opaque, single-use).
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_session`.
///
/// # Safety
/// `session` is NULL or a live session; `url_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_session_authorize_url(
    session: *const psd_session,
    url_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(session, url_out, |s| psd_str::borrow(&s.0.authorize_url)) }
}

/// Writes how many seconds the authorize URL stays valid, as the service said.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_session`.
///
/// # Safety
/// `session` is NULL or a live session; `seconds_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_session_expires_in(
    session: *const psd_session,
    seconds_out: *mut i64,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(session, seconds_out, |s| s.0.expires_in) }
}

/// Writes when the authorize URL stops being valid, in unix seconds.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_session`.
///
/// # Safety
/// `session` is NULL or a live session; `unix_seconds_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_session_expires_at(
    session: *const psd_session,
    unix_seconds_out: *mut i64,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(session, unix_seconds_out, |s| s.0.expires_at) }
}

/// Writes a view of the state sent (the one given, or the generated one): persist it.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_session`.
///
/// # Safety
/// `session` is NULL or a live session; `state_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_session_state(
    session: *const psd_session,
    state_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(session, state_out, |s| psd_str::borrow(&s.0.state)) }
}

/// Writes the platform code the session is for.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_session`.
///
/// # Safety
/// `session` is NULL or a live session; `platform_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_session_platform(
    session: *const psd_session,
    platform_out: *mut psd_platform,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(session, platform_out, |s| platform_code(s.0.platform)) }
}

/// Writes a view of the callback URL the user will be sent back to.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_session`.
///
/// # Safety
/// `session` is NULL or a live session; `url_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_session_callback_url(
    session: *const psd_session,
    url_out: *mut psd_str,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { get(session, url_out, |s| psd_str::borrow(&s.0.callback_url)) }
}

/// Every field of a session, read by `psd_session_view` in one call. The views are borrowed
/// from the session.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct psd_session_fields {
    /// The URL to redirect the user's browser to (opaque, single-use).
    pub authorize_url: psd_str,
    /// Seconds the authorize URL stays valid, as the service said.
    pub expires_in: i64,
    /// When the authorize URL stops being valid, in unix seconds.
    pub expires_at: i64,
    /// The state sent (the one given, or the generated one): persist it.
    pub state: psd_str,
    /// The platform code the session is for.
    pub platform: psd_platform,
    /// The callback URL the user will be sent back to.
    pub callback_url: psd_str,
}

/// Writes all of the session's fields to `*fields_out`; its views are valid until
/// `psd_session_free(session)`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_session`.
///
/// # Safety
/// `session` is NULL or a live session; `fields_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_session_view(
    session: *const psd_session,
    fields_out: *mut psd_session_fields,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        get(session, fields_out, |s| psd_session_fields {
            authorize_url: psd_str::borrow(&s.0.authorize_url),
            expires_in: s.0.expires_in,
            expires_at: s.0.expires_at,
            state: psd_str::borrow(&s.0.state),
            platform: platform_code(s.0.platform),
            callback_url: psd_str::borrow(&s.0.callback_url),
        })
    }
}

/// Frees a session. NULL is ignored. Views read from it become invalid.
///
/// Thread safety: call it once, when no other thread uses the session.
///
/// # Safety
/// `session` is NULL or a session from `psd_client_create_session` that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_session_free(session: *mut psd_session) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(session) }
}
