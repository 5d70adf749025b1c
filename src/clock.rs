//! The system clock, as the verifier and the client read it.

use std::time::{SystemTime, UNIX_EPOCH};

/// The current time in unix seconds, as [`crate::Verifier::verify`] reads it (0 if the clock
/// is before 1970, `i64::MAX` past the year 292 billion).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
