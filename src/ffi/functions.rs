//! The exported free functions and the platform's methods: wire names, state generation and
//! proof signing.

use super::error::ConfigError;
use crate::platform::Platform;
use crate::proof::Proof;
use crate::secret::Secret;

#[uniffi::export]
impl Platform {
    /// The platform's name on the wire (`twitter` for X).
    pub fn wire_name(&self) -> String {
        self.as_str().to_owned()
    }
}

/// The platform with this exact wire name, or `null` when it is not one of the eight.
#[uniffi::export]
pub fn platform_from_wire_name(name: String) -> Option<Platform> {
    Platform::from_wire(&name)
}

/// A new random state (256 bits, URL-safe). Persist it with the session, compare it on the
/// callback, then spend it.
#[uniffi::export]
pub fn generate_state() -> Result<String, ConfigError> {
    Ok(crate::state::generate_state()?)
}

/// Signs `proof` with `secret` and returns the callback query string. PostSyncer does this;
/// apps never need it. It exists for emulators and tests. An empty secret is refused.
#[uniffi::export]
pub fn sign_proof(secret: String, proof: Proof) -> Result<String, ConfigError> {
    // Owned by a `Secret` so that this copy of the key is zeroized when the call ends.
    let secret = Secret::from(secret);
    Ok(crate::proof::sign_proof(secret.expose(), &proof)?)
}

/// This library's version (the crate's, from `Cargo.toml`).
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Test-only: panics inside the library, so that a binding's tests can prove that a panic
/// comes back as an error (`InternalError` in Python, `InternalException` in Kotlin) while
/// the process lives on. Exists only in builds with the `test-panic` feature (the test
/// scripts' builds), never in release artifacts; Swift's committed sources leave it out
/// (`uniffi.toml`).
#[cfg(feature = "test-panic")]
#[uniffi::export]
#[allow(clippy::panic)] // the whole point
pub fn test_panic() {
    panic!("test_panic: a deliberate panic (test-panic feature)")
}
