//! The UniFFI surface (Python, Kotlin, Swift): thin wrappers over the core.
//!
//! Nothing here decides anything about a callback: every call converts its arguments,
//! calls the core, and converts the result. The exported names and shapes:
//!
//! - `Platform` (enum) and `Proof` (record) are the core types themselves.
//! - `platform_wire_name(platform) -> String`, `platform_from_wire_name(name) -> Platform?`,
//!   `generate_state() -> String` throws `ConfigError`,
//!   `sign_proof(secret, proof) -> String` throws `ConfigError`.
//! - `Verifier(secrets, leeway_seconds = 0, max_lifetime_seconds = 3600)` throws `ConfigError`;
//!   `verify(callback, expected_state, expected_platform = null, now = null) -> Proof`
//!   throws `VerifyError` (`now`: unix seconds, `null` = the system clock).
//! - `Client(api_key, base_url = null, timeout_ms = 10000, max_retries = 2)` throws
//!   `ConfigError`; `create_session(platform, callback_url, state = null) -> Session`
//!   (async) and `create_session_blocking(..)` throw `ApiError`.
//! - `Session` record: `authorize_url, expires_in, expires_at, state, platform, callback_url`.
//! - Errors, one variant per kind (CamelCase of the protocol word), every variant with
//!   `kind` (the protocol word) and `detail` (the message; not `message`, which collides
//!   with Kotlin's `Throwable.message`); Display is `"<kind>: <detail>"`.
//!
//! Choices where the brief left one open:
//! - Integer arguments are signed (`leeway_seconds: i64`, `max_lifetime_seconds: i64?`,
//!   `timeout_ms: i64`, `max_retries: i32`) because Kotlin's unsigned types are awkward from
//!   Java; a negative value is refused with `ConfigError.InvalidArgument`.
//!   `max_lifetime_seconds = null` turns the lifetime bound off.
//! - Defaults are real UniFFI default arguments (proc-macro `default(..)`), so they exist in
//!   Python, Kotlin and Swift alike.
//! - The Rust types keep the exported names (`ffi::Session`, `ffi::Client`, …); they live in
//!   this private module, so they never clash with the core's public types.
//! - The async `create_session` needs no `async_runtime`: the core client runs each request on
//!   its own tokio runtime and the exported future only awaits that work, which any executor
//!   can poll.
// UniFFI's scaffolding macros emit `#[no_mangle] extern "C"` functions, which the
// `unsafe_code` lint counts as unsafe; the code below writes no unsafe block itself.
#![allow(unsafe_code)]

mod client;
mod error;
mod functions;
mod verifier;
