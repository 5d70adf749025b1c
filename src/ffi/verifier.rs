//! The exported `Verifier`: builds the core verifier once and verifies callbacks with it.

use std::time::Duration;

use super::error::{ConfigError, VerifyError};
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
        let leeway = seconds(leeway_seconds, "leeway_seconds")?;
        let max_lifetime = max_lifetime_seconds
            .map(|s| seconds(s, "max_lifetime_seconds"))
            .transpose()?;
        let inner = secrets
            .into_iter()
            .fold(core::Verifier::builder(), core::VerifierBuilder::secret)
            .leeway(leeway)
            .max_lifetime(max_lifetime)
            .build()?;
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
        let result = match now {
            Some(now) => self
                .inner
                .verify_at(&callback, &expected_state, expected_platform, now),
            None => self
                .inner
                .verify(&callback, &expected_state, expected_platform),
        };
        Ok(result?)
    }
}

/// A non-negative number of seconds as a duration.
fn seconds(value: i64, name: &'static str) -> Result<Duration, ConfigError> {
    u64::try_from(value)
        .map(Duration::from_secs)
        .map_err(|_| ConfigError::negative(name))
}
