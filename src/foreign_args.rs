//! The one reading of the numbers that foreign callers pass (UniFFI and the C API, and so Go):
//! every language hands signed integers, and every language gets the same refusals from here.
//!
//! - A negative count or duration is refused (`invalid_argument`), never wrapped or read as
//!   "the default". Where zero means nothing (a store's capacity, how long a flow may wait),
//!   zero is refused too, rather than silently raised to one as the Rust builders do.
//! - "The default" is the core's value, spelled as that number in every language (UniFFI's
//!   default arguments, `PSD_DEFAULT_*` in C, `Default*` in Go), never as a magic 0 or -1.
//! - "No maximum lifetime" is the absent value: `None` / `null` / `nil`, a NULL pointer in C.

use std::time::Duration;

use crate::client::{Client, RetryPolicy};
use crate::error::ConfigError;
use crate::secret::Secret;
use crate::verifier::Verifier;

/// A verifier from foreign arguments.
pub(crate) fn verifier<S: Into<Secret>>(
    secrets: impl IntoIterator<Item = S>,
    leeway_seconds: i64,
    max_lifetime_seconds: Option<i64>,
) -> Result<Verifier, ConfigError> {
    let leeway = seconds(leeway_seconds, "leeway_seconds")?;
    let max_lifetime = max_lifetime_seconds
        .map(|s| seconds(s, "max_lifetime_seconds"))
        .transpose()?;
    secrets
        .into_iter()
        .fold(Verifier::builder(), |builder, secret| {
            builder.secret(secret)
        })
        .leeway(leeway)
        .max_lifetime(max_lifetime)
        .build()
}

/// A client from foreign arguments.
pub(crate) fn client(
    api_key: impl Into<Secret>,
    base_url: Option<&str>,
    timeout_ms: i64,
    max_retries: i32,
    root_certificate_pem: Option<&[u8]>,
) -> Result<Client, ConfigError> {
    let timeout = millis(timeout_ms, "timeout_ms")?;
    let max_retries = u32::try_from(max_retries).map_err(|_| negative("max_retries"))?;
    let mut builder = Client::builder(api_key)
        .timeout(timeout)
        .retry_policy(RetryPolicy {
            max_retries,
            ..RetryPolicy::default()
        });
    if let Some(base_url) = base_url {
        builder = builder.base_url(base_url);
    }
    if let Some(pem) = root_certificate_pem {
        builder = builder.add_root_certificate_pem(pem);
    }
    builder.build()
}

/// The most pending flows a memory store holds: at least one.
pub(crate) fn memory_capacity(value: i64) -> Result<usize, ConfigError> {
    usize::try_from(value)
        .ok()
        .filter(|&capacity| capacity > 0)
        .ok_or_else(|| at_least_one("memory_capacity", "pending flow"))
}

/// The longest a begun flow waits for its callback: at least one second.
pub(crate) fn max_pending(seconds: i64) -> Result<Duration, ConfigError> {
    u64::try_from(seconds)
        .ok()
        .filter(|&s| s > 0)
        .map(Duration::from_secs)
        .ok_or_else(|| at_least_one("max_pending_seconds", "second"))
}

/// A timeout in milliseconds; negative is refused here, zero by the builder it is given to.
pub(crate) fn millis(value: i64, name: &'static str) -> Result<Duration, ConfigError> {
    u64::try_from(value)
        .map(Duration::from_millis)
        .map_err(|_| negative(name))
}

fn seconds(value: i64, name: &'static str) -> Result<Duration, ConfigError> {
    u64::try_from(value)
        .map(Duration::from_secs)
        .map_err(|_| negative(name))
}

fn at_least_one(name: &'static str, unit: &str) -> ConfigError {
    ConfigError::InvalidArgument {
        name,
        reason: format!("must be at least one {unit}"),
    }
}

fn negative(name: &'static str) -> ConfigError {
    ConfigError::InvalidArgument {
        name,
        reason: "must not be negative".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn negative_numbers_are_refused_by_name() {
        for (refused, name) in [
            (verifier(["s"], -1, None).unwrap_err(), "leeway_seconds"),
            (
                verifier(["s"], 0, Some(-1)).unwrap_err(),
                "max_lifetime_seconds",
            ),
            (client("k", None, -1, 2, None).unwrap_err(), "timeout_ms"),
            (
                client("k", None, 1000, -1, None).unwrap_err(),
                "max_retries",
            ),
        ] {
            assert!(
                matches!(refused, ConfigError::InvalidArgument { name: n, .. } if n == name),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn zero_is_refused_where_it_means_nothing() {
        for (refused, name) in [
            (memory_capacity(0).unwrap_err(), "memory_capacity"),
            (memory_capacity(-5).unwrap_err(), "memory_capacity"),
            (max_pending(0).unwrap_err(), "max_pending_seconds"),
            (max_pending(i64::MIN).unwrap_err(), "max_pending_seconds"),
        ] {
            assert!(
                matches!(refused, ConfigError::InvalidArgument { name: n, .. } if n == name),
                "{refused:?}"
            );
        }
        assert_eq!(memory_capacity(1).unwrap(), 1);
        assert_eq!(max_pending(1).unwrap(), Duration::from_secs(1));
        assert!(
            millis(0, "t").is_ok(),
            "zero timeouts are the builders' to refuse"
        );
    }

    #[test]
    fn the_absent_lifetime_turns_the_bound_off() {
        assert_eq!(
            verifier(["s"], 0, None).unwrap().max_lifetime_seconds(),
            None
        );
    }
}
