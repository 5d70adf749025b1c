//! Configuration errors: refused before anything is verified or sent.

/// The configuration kinds, each with its stable word, handed to `$apply` (see the module
/// docs of `error`).
macro_rules! config_error_kinds {
    ($apply:ident) => {
        $apply! {
            /// The kind of a configuration mistake.
            ConfigErrorKind {
                /// No signing secret was given.
                NoSecret = "no_secret",
                /// A signing secret is the empty string.
                EmptySecret = "empty_secret",
                /// The API key is the empty string.
                EmptyApiKey = "empty_api_key",
                /// Some other argument is out of range or badly formed.
                InvalidArgument = "invalid_argument",
                /// The operating system's random number generator failed.
                EntropyUnavailable = "entropy_unavailable",
            }
        }
    };
}
#[cfg(feature = "uniffi")]
pub(crate) use config_error_kinds;

config_error_kinds!(error_kinds);
use super::error_kinds;

/// A configuration mistake, reported when a [`crate::Verifier`] or [`crate::Client`] is built
/// or when a request is prepared, before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No signing secret was given.
    #[error("no signing secret was given: pass the signing secret shown when the PostSyncer API key was created")]
    NoSecret,
    /// A signing secret (counted from 0) is the empty string.
    #[error("signing secret #{index} is empty: an empty secret would let anyone forge proofs; check the environment variable or file it is read from")]
    EmptySecret {
        /// Position of the empty secret in the list given.
        index: usize,
    },
    /// The API key is the empty string.
    #[error("the API key is empty: pass the PostSyncer API key (it starts a `Bearer` header and must never reach a browser)")]
    EmptyApiKey,
    /// Some other argument is out of range or badly formed; the text says which and why.
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument {
        /// The argument's name.
        name: &'static str,
        /// What is wrong with it and what is expected.
        reason: String,
    },
    /// The operating system's random number generator failed, so no safe state can be made.
    #[error("the operating system's random number generator failed: no safe state can be generated; check the host's entropy source (getrandom)")]
    EntropyUnavailable,
}

impl ConfigError {
    /// The error's kind; its `as_str()` is the stable word (`no_secret`, …).
    pub fn kind(&self) -> ConfigErrorKind {
        match self {
            ConfigError::NoSecret => ConfigErrorKind::NoSecret,
            ConfigError::EmptySecret { .. } => ConfigErrorKind::EmptySecret,
            ConfigError::EmptyApiKey => ConfigErrorKind::EmptyApiKey,
            ConfigError::InvalidArgument { .. } => ConfigErrorKind::InvalidArgument,
            ConfigError::EntropyUnavailable => ConfigErrorKind::EntropyUnavailable,
        }
    }
}
