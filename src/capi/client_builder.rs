//! `psd_client_builder`: every setting of the Rust client, for C (and Go): the backoffs and
//! the cap on `Retry-After` besides what `psd_client_new` takes, and extra root
//! certificates.

use std::ffi::c_char;
use std::time::Duration;

use super::boundary::{deliver, ffi_boundary, free_from_c, into_c, ref_arg, slice_arg, Out};
use super::client::psd_client;
use super::result::psd_result;
use super::text::{optional_str_arg, psd_string, str_arg};
use crate::client::{Client, RetryPolicy};
use crate::error::ConfigError;
use crate::secret::Secret;

/// The default of `psd_client_builder_set_backoff_ms`'s `initial_ms` (200 ms): the longest
/// wait before the first retry, doubled for each further one.
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_DEFAULT_INITIAL_BACKOFF_MS: i64 = 200;

/// The default of `psd_client_builder_set_backoff_ms`'s `max_ms` (5 s): the longest backoff.
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_DEFAULT_MAX_BACKOFF_MS: i64 = 5_000;

/// The default of `psd_client_builder_set_max_retry_after_ms` (30 s): the longest
/// `Retry-After` waited for.
#[allow(dead_code)] // read by C and Go through the header, not by Rust
pub const PSD_DEFAULT_MAX_RETRY_AFTER_MS: i64 = 30_000;

/// The settings of a client to build: start with `psd_client_builder_new` (every setting
/// at its default), change some with the `psd_client_builder_set_*` functions, then
/// `psd_client_builder_build`.
///
/// The setters store what they are given; `psd_client_builder_build` checks it all (a
/// negative number, a zero timeout, too many retries, a bad base URL or certificate are
/// refused there, with a message naming the setting). Not thread-safe: use a builder from
/// one thread at a time. The API key it holds is wiped on free.
#[derive(Debug)]
pub struct psd_client_builder {
    api_key: Secret,
    base_url: Option<String>,
    timeout_ms: i64,
    max_retries: i32,
    initial_backoff_ms: i64,
    max_backoff_ms: i64,
    max_retry_after_ms: i64,
    root_certificates_pem: Vec<Vec<u8>>,
}

impl psd_client_builder {
    fn build(&self) -> Result<Client, ConfigError> {
        let max_retries = u32::try_from(self.max_retries).map_err(|_| negative("max_retries"))?;
        let retry = RetryPolicy {
            max_retries,
            initial_backoff: millis(self.initial_backoff_ms, "initial_backoff_ms")?,
            max_backoff: millis(self.max_backoff_ms, "max_backoff_ms")?,
            max_retry_after: millis(self.max_retry_after_ms, "max_retry_after_ms")?,
        };
        let mut builder = Client::builder(self.api_key.clone())
            .timeout(millis(self.timeout_ms, "timeout_ms")?)
            .retry_policy(retry);
        if let Some(base_url) = &self.base_url {
            builder = builder.base_url(base_url.as_str());
        }
        for pem in &self.root_certificates_pem {
            builder = builder.add_root_certificate_pem(pem);
        }
        builder.build()
    }
}

/// The foreign-argument rule (as `foreign_args`): a negative number is refused by name,
/// never read as "the default".
fn millis(value: i64, name: &'static str) -> Result<Duration, ConfigError> {
    u64::try_from(value)
        .map(Duration::from_millis)
        .map_err(|_| negative(name))
}

fn negative(name: &'static str) -> ConfigError {
    ConfigError::InvalidArgument {
        name,
        reason: "must not be negative".to_owned(),
    }
}

/// `*builder` for a setter, or `NullParameter`.
///
/// # Safety
/// `builder` is NULL or a live builder that no other thread uses during `'a`.
unsafe fn builder_arg<'a>(
    builder: *mut psd_client_builder,
) -> Result<&'a mut psd_client_builder, psd_result> {
    // SAFETY: forwarded from this function's contract.
    unsafe { builder.as_mut() }.ok_or(psd_result::NullParameter)
}

/// Runs `change` on the builder of a setter.
///
/// # Safety
/// As for [`builder_arg`].
unsafe fn set(
    builder: *mut psd_client_builder,
    change: impl FnOnce(&mut psd_client_builder),
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        change(unsafe { builder_arg(builder)? });
        Ok(())
    })
}

/// Starts a client's settings, each at its default: PostSyncer's production API,
/// `PSD_DEFAULT_TIMEOUT_MS`, `PSD_DEFAULT_MAX_RETRIES`, `PSD_DEFAULT_INITIAL_BACKOFF_MS`,
/// `PSD_DEFAULT_MAX_BACKOFF_MS`, `PSD_DEFAULT_MAX_RETRY_AFTER_MS`, the built-in web roots.
///
/// - `api_key`, `api_key_len`: the PostSyncer API key (server-side only); copied, wiped on
///   free, never in any message. An empty key is refused by `psd_client_builder_build`.
/// - `builder_out`: receives the builder; the caller owns it (`psd_client_builder_free`).
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`, `PSD_RESULT_INVALID_UTF8`. Thread safety: callable
/// from any thread.
///
/// # Safety
/// `api_key` is NULL or readable for `api_key_len` bytes; `builder_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_client_builder_new(
    api_key: *const c_char,
    api_key_len: usize,
    builder_out: *mut *mut psd_client_builder,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (api_key, builder_out) =
            unsafe { (str_arg(api_key, api_key_len)?, Out::required(builder_out)?) };
        let defaults = RetryPolicy::default();
        builder_out.write(into_c(psd_client_builder {
            api_key: Secret::from(api_key),
            base_url: None,
            timeout_ms: super::client::PSD_DEFAULT_TIMEOUT_MS,
            max_retries: super::client::PSD_DEFAULT_MAX_RETRIES,
            initial_backoff_ms: duration_ms(defaults.initial_backoff),
            max_backoff_ms: duration_ms(defaults.max_backoff),
            max_retry_after_ms: duration_ms(defaults.max_retry_after),
            root_certificates_pem: Vec::new(),
        }));
        Ok(())
    })
}

fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Sets the API base URL; NULL goes back to PostSyncer's production API
/// (`https://postsyncer.com/api`). The emulator's is `http://127.0.0.1:PORT/api`. Checked
/// by `psd_client_builder_build` (https, or http on a loopback host only).
///
/// Errors: `PSD_RESULT_NULL_PARAMETER` (no builder), `PSD_RESULT_INVALID_UTF8`; the builder
/// is unchanged then. Thread safety: see `psd_client_builder`.
///
/// # Safety
/// `builder` is NULL or a live builder; `base_url` is NULL or readable for `base_url_len`.
#[no_mangle]
pub unsafe extern "C" fn psd_client_builder_set_base_url(
    builder: *mut psd_client_builder,
    base_url: *const c_char,
    base_url_len: usize,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (builder, base_url) = unsafe {
            (
                builder_arg(builder)?,
                optional_str_arg(base_url, base_url_len)?,
            )
        };
        builder.base_url = base_url.map(str::to_owned);
        Ok(())
    })
}

/// Sets the longest one call may take, every attempt, backoff and `Retry-After` wait
/// included (a deadline for the whole call; see `psd_client_new`). Zero or negative is
/// refused by `psd_client_builder_build`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_client_builder`.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[no_mangle]
pub unsafe extern "C" fn psd_client_builder_set_timeout_ms(
    builder: *mut psd_client_builder,
    timeout_ms: i64,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { set(builder, |b| b.timeout_ms = timeout_ms) }
}

/// Sets how often a failed attempt (transport error, 429, 502/503/504) is retried; 0 turns
/// retrying off. Negative, or more than the core allows (10), is refused by
/// `psd_client_builder_build`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_client_builder`.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[no_mangle]
pub unsafe extern "C" fn psd_client_builder_set_max_retries(
    builder: *mut psd_client_builder,
    max_retries: i32,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { set(builder, |b| b.max_retries = max_retries) }
}

/// Sets the exponential backoff between retries (with full jitter: a uniform pick up to
/// the ceiling): `initial_ms` before the first retry, doubled for each further one, never
/// more than `max_ms`. Zero is allowed (retry at once); negative is refused by
/// `psd_client_builder_build`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_client_builder`.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[no_mangle]
pub unsafe extern "C" fn psd_client_builder_set_backoff_ms(
    builder: *mut psd_client_builder,
    initial_ms: i64,
    max_ms: i64,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(builder, |b| {
            b.initial_backoff_ms = initial_ms;
            b.max_backoff_ms = max_ms;
        })
    }
}

/// Sets the longest `Retry-After` (of a 429) waited for before a retry; a longer one is
/// returned at once as `PSD_RESULT_RATE_LIMITED` (with `psd_api_error_retry_after_ms`).
/// Zero never waits for one. A wait is never taken past the call's deadline either. Negative
/// is refused by `psd_client_builder_build`.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_client_builder`.
///
/// # Safety
/// `builder` is NULL or a live builder.
#[no_mangle]
pub unsafe extern "C" fn psd_client_builder_set_max_retry_after_ms(
    builder: *mut psd_client_builder,
    max_retry_after_ms: i64,
) -> psd_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { set(builder, |b| b.max_retry_after_ms = max_retry_after_ms) }
}

/// Also trusts the certificate(s) in this PEM text (a test server's self-signed
/// certificate, a TLS-inspecting proxy's root) besides the built-in web roots. The text is
/// copied; `psd_client_builder_build` refuses text without a valid certificate.
///
/// Errors: `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_client_builder`.
///
/// # Safety
/// `builder` is NULL or a live builder; `pem` is NULL or readable for `pem_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn psd_client_builder_add_root_certificate_pem(
    builder: *mut psd_client_builder,
    pem: *const c_char,
    pem_len: usize,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (builder, pem) =
            unsafe { (builder_arg(builder)?, slice_arg(pem.cast::<u8>(), pem_len)?) };
        builder.root_certificates_pem.push(pem.to_vec());
        Ok(())
    })
}

/// Builds a client from the settings. The builder is left as it was: free it with
/// `psd_client_builder_free` whether or not this succeeds (or build again).
///
/// - `client_out`: receives the client on success; the caller owns it (`psd_client_free`).
/// - `error_message_out`: optional (may be NULL); on a configuration error it receives an
///   owned message naming the setting and what to fix (`psd_string_free`).
///
/// Errors: `PSD_RESULT_EMPTY_API_KEY`, `PSD_RESULT_INVALID_ARGUMENT`,
/// `PSD_RESULT_NULL_PARAMETER`. Thread safety: see `psd_client_builder`.
///
/// # Safety
/// `builder` is NULL or a live builder; the out-pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn psd_client_builder_build(
    builder: *const psd_client_builder,
    client_out: *mut *mut psd_client,
    error_message_out: *mut *mut psd_string,
) -> psd_result {
    ffi_boundary(|| {
        // SAFETY: forwarded from this function's contract.
        let (builder, client_out, error_message_out) = unsafe {
            (
                ref_arg(builder)?,
                Out::required(client_out)?,
                Out::optional(error_message_out),
            )
        };
        let outcome = builder
            .build()
            .map(psd_client)
            .map_err(|error| (psd_result::of_config(&error), psd_string(error.to_string())));
        deliver(outcome, client_out, error_message_out)
    })
}

/// Frees a builder; the API key it holds is wiped. NULL is ignored.
///
/// # Safety
/// `builder` is NULL or a builder from `psd_client_builder_new` that was not freed before.
#[no_mangle]
pub unsafe extern "C" fn psd_client_builder_free(builder: *mut psd_client_builder) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_from_c(builder) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_constants_are_the_core_defaults() {
        let defaults = RetryPolicy::default();
        assert_eq!(
            PSD_DEFAULT_INITIAL_BACKOFF_MS,
            duration_ms(defaults.initial_backoff)
        );
        assert_eq!(
            PSD_DEFAULT_MAX_BACKOFF_MS,
            duration_ms(defaults.max_backoff)
        );
        assert_eq!(
            PSD_DEFAULT_MAX_RETRY_AFTER_MS,
            duration_ms(defaults.max_retry_after)
        );
    }
}
