//! Fresh `state` values for new sessions.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::ConfigError;

/// Bytes of OS randomness in a generated state: 256 bits, well above the 128 required.
const STATE_BYTES: usize = 32;

/// A new random state: 256 bits from the OS CSPRNG, base64url without padding
/// (43 characters, URL-safe, never containing `&`, `=` or `+`).
///
/// Persist it with the session, compare it on the callback, then spend it.
pub fn generate_state() -> Result<String, ConfigError> {
    let mut bytes = [0u8; STATE_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| ConfigError::EntropyUnavailable)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_url_safe_and_distinct() {
        let a = generate_state().unwrap();
        let b = generate_state().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
}
