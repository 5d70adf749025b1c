//! Secret values: redacted in `Debug`, never in messages, zeroized on drop; and the stack
//! scrub for what hashing a secret leaves behind.
//!
//! # What is wiped, and what is not
//!
//! This crate overwrites with zeros the copies of a secret that it owns:
//!
//! - every [`Secret`] (a signing secret or an API key, and each clone), when it is dropped:
//!   a `Verifier` or `Client` drops its secrets when the last reference to it goes, which
//!   for the C API is `psd_verifier_free` / `psd_client_free`, and for the foreign bindings
//!   the object's close or collection;
//! - the HMAC key states a `Verifier` keeps (which are as good as the secret for forging),
//!   when the verifier is dropped, and the stack that deriving them used, when the verifier
//!   is built;
//! - in `sign_proof`, the stack that computing the signature used;
//! - the formatted `Bearer <key>` text the client builds for each request.
//!
//! It cannot wipe, and does not:
//!
//! - the caller's own copies: the `&str`/`String` a Rust caller passed, the C caller's
//!   buffer, and the foreign language's strings (a Python `str`, a Java/Kotlin `String`, a
//!   Go `string` are immutable and live until their garbage collector reuses the memory;
//!   nothing a library does can overwrite them);
//! - copies inside the HTTP and TLS stack (reqwest, hyper, rustls): the `Authorization`
//!   header value handed to it, its write buffers and the TLS plaintext buffers hold
//!   `authorization: Bearer <key>` and are freed without being overwritten;
//! - transient copies the compiler makes while verifying a callback (each verification
//!   copies a key state onto the stack, where hashing overwrites it, but a copy the
//!   compiler made may remain there until reused), and copies the operating system makes
//!   (swap, core dumps, hibernation).
//!
//! Treat zeroization as limiting how long a secret lingers in this library's memory, not as
//! a guarantee that no copy exists in the process.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// How much of the stack [`scrub_stack`] overwrites: far more than deriving an HMAC key
/// state and hashing a signature base use (a 64-byte padded key, the SHA-256 message
/// schedule, the states moved between frames: under 2 KiB).
const STACK_SCRUB_BYTES: usize = 8 * 1024;

/// A secret string (a signing secret or an API key).
///
/// Its `Debug` output is redacted, it never appears in an error message, and its bytes are
/// overwritten when it is dropped. That wipes this copy only: see the module docs for the
/// copies it cannot reach (the caller's, the HTTP/TLS stack's, a foreign language's).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value. Emptiness is checked where the secret is used, so that the
    /// error can say which secret is empty.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret's text. Keep the borrow short and never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (which is always a configuration error).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Takes the string's buffer as it is (no copy). Copies left behind while the caller built
/// the string (a reallocation, a `clone`) are the caller's.
impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl From<Zeroizing<String>> for Secret {
    fn from(value: Zeroizing<String>) -> Self {
        Secret(value.as_str().to_owned())
    }
}

/// Overwrites with zeros the stack just below the caller's frame: call it right after a
/// non-inlined function that hashed a secret returns, and before anything else runs, so
/// that what SHA-256's compression function leaves in its frames while it hashes the key
/// pads or a signature (it does not zeroize them) is wiped. Best effort: it reaches [`STACK_SCRUB_BYTES`] deep, and
/// cannot reach copies a compiler kept in registers or spilled elsewhere.
#[inline(never)]
pub(crate) fn scrub_stack() {
    let mut scratch = [0u8; STACK_SCRUB_BYTES];
    // Volatile writes: not optimized away although `scratch` is never read.
    scratch.zeroize();
    std::hint::black_box(&mut scratch);
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("ps_live_very_secret");
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        assert!(!format!("{s:?}").contains("very_secret"));
    }
}
