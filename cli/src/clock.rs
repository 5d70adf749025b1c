//! The wall clock in unix seconds, the unit of every `expires` in the protocol.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in unix seconds (0 for a clock set before 1970).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
