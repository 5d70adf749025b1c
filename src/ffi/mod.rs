//! The UniFFI surface (Python, Kotlin, Swift): the core's types and calls as generated
//! bindings see them.
//!
//! Nothing here decides anything: each export converts its arguments (through
//! `foreign_args`, the one reading of foreign numbers shared with the C API), calls the core
//! and converts the result. `Platform`, `Proof` and `Session` are the core types themselves.
//!
//! Why the shapes are what they are:
//! - Integers are signed: Kotlin's unsigned types cannot be used from Java.
//! - Defaults are UniFFI default arguments, so they exist in Python, Kotlin and Swift alike.
//! - Each error kind is a class of its own (`VerifyError.BadSignature`), made from the core's
//!   kind lists, so callers catch by class and log by word; the field is `detail`, not
//!   `message`, which Kotlin's `Throwable` already owns.
//! - `Client::create_session` is async without an `async_runtime`: the core client runs each
//!   request on its own tokio runtime, and the exported future only awaits that work, which
//!   any executor can poll.
//! - The flow's errors are flat, one class per kind like the others: `BeginError` has the
//!   api kinds and the flow kinds, `CompleteError` the verify kinds and the flow kinds (both
//!   made from the same kind lists), because a UniFFI call throws one type and
//!   `except CompleteError.StateNotFound` / `catch (CompleteException.StateNotFound e)`
//!   read better than a wrapper holding another exception.
//! - Python and the JVM verify through the C API instead (`uniffi.toml` excludes `Verifier`
//!   for them): UniFFI's call path costs several times their standard library's verifier.
// UniFFI's scaffolding macros emit `#[no_mangle] extern "C"` functions, which the
// `unsafe_code` lint counts as unsafe; the code below writes no unsafe block itself.
#![allow(unsafe_code)]

mod client;
mod error;
mod flow;
mod functions;
mod verifier;
