//! The exported `Verifier`: the core verifier, built from foreign arguments.

use super::error::{ConfigError, VerifyError};
use crate::foreign_args;
use crate::platform::Platform;
use crate::proof::Proof;
use crate::verifier as core;

/// Verifies PostSyncer callbacks against one or more signing secrets. Build it once at
/// start-up and share it between threads; key material is zeroized when it is freed.
#[derive(Debug, uniffi::Object)]
pub struct Verifier {
    inner: core::Verifier,
}

#[uniffi::export]
impl Verifier {
    /// A verifier for these signing secrets (more than one during a rotation).
    /// `leeway_seconds` tolerates clock skew; `max_lifetime_seconds` bounds how far ahead an
    /// expiry may be (`null` turns the bound off). Refuses no secret, an empty secret and
    /// negative numbers.
    #[uniffi::constructor(default(leeway_seconds = 0, max_lifetime_seconds = Some(3600)))]
    pub fn new(
        secrets: Vec<String>,
        leeway_seconds: i64,
        max_lifetime_seconds: Option<i64>,
    ) -> Result<Self, ConfigError> {
        let inner = foreign_args::verifier(secrets, leeway_seconds, max_lifetime_seconds)?;
        Ok(Verifier { inner })
    }

    /// Verifies a callback (the whole URL, or its query with or without `?`) and returns the
    /// proof. `now` is the current time in unix seconds; `null` reads the system clock.
    #[uniffi::method(default(expected_platform = None, now = None))]
    pub fn verify(
        &self,
        callback: String,
        expected_state: String,
        expected_platform: Option<Platform>,
        now: Option<i64>,
    ) -> Result<Proof, VerifyError> {
        let now = now.unwrap_or_else(crate::clock::unix_now);
        Ok(self
            .inner
            .verify_at(&callback, &expected_state, expected_platform, now)?)
    }
}
