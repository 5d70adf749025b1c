//! Prove that a user owns a social account through PostSyncer's OAuth delegation API.
//!
//! 1. Your server creates a session ([`Client::create_session`]) and redirects the browser
//!    to its `authorize_url`.
//! 2. PostSyncer runs the platform's consent flow and sends the browser back to your
//!    callback URL with a signed proof.
//! 3. Your server verifies the callback ([`Verifier::verify`]) and trusts `platform_id`.
//!
//! The verification contract (step order, error kinds) is the project's `protocol.md` §2;
//! every language binding runs this same code.
//!
//! ```
//! use postsyncer_delegation::{Platform, Verifier, VerifyErrorKind};
//!
//! let verifier = Verifier::new(["ps_test_signing_secret_0001"])?;
//! let tampered = "platform=tiktok&platform_id=_000abd&handle=jane&state=a1b2c3d4\
//!     &expires=1717000000&sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";
//! let err = verifier.verify_at(tampered, "a1b2c3d4", None, 1_716_999_940).unwrap_err();
//! assert_eq!(err.kind(), VerifyErrorKind::BadSignature);
//! assert_eq!(err.kind().as_str(), "bad_signature");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
// The verification core has no unsafe code; only the FFI modules opt out, each with a reason.
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "capi")]
mod capi;
#[cfg(feature = "client")]
mod client;
mod clock;
mod error;
#[cfg(feature = "uniffi")]
mod ffi;
#[cfg(feature = "client")]
mod flow;
#[cfg(any(feature = "uniffi", feature = "capi"))]
mod foreign_args;
mod form;
mod mac;
mod platform;
mod proof;
mod quote;
mod secret;
mod state;
mod verifier;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

/// Not part of the API: the session-response fuzz target's entry point, only in `cargo fuzz`
/// builds (`--cfg fuzzing`; fuzz/).
#[cfg(all(fuzzing, feature = "client"))]
#[doc(hidden)]
pub use client::fuzz_session_response;
#[cfg(feature = "client")]
pub use client::{Client, ClientBuilder, RetryPolicy, Session, DEFAULT_BASE_URL, DEFAULT_TIMEOUT};
pub use clock::unix_now;
#[cfg(feature = "client")]
pub use error::{ApiError, ApiErrorKind, BeginError, CompleteError, FlowError, FlowErrorKind};
pub use error::{ConfigError, ConfigErrorKind, VerifyError, VerifyErrorKind};
#[cfg(feature = "client")]
pub use flow::{
    Begun, Completed, Flow, FlowBuilder, MemoryStore, StateStore, StoreError, StoreFuture,
    SyncStateStore, SyncStore, DEFAULT_MAX_PENDING, DEFAULT_MEMORY_STORE_CAPACITY,
    MAX_METADATA_BYTES, MAX_SUBJECT_BYTES,
};
#[cfg(feature = "redis")]
pub use flow::{RedisStore, RedisStoreBuilder, DEFAULT_REDIS_KEY_PREFIX, DEFAULT_REDIS_TIMEOUT};
pub use platform::{Platform, UnknownPlatform};
pub use proof::{sign_proof, Proof, PROOF_PARAMETERS};
pub use secret::Secret;
pub use state::generate_state;
pub use verifier::{Verifier, VerifierBuilder, DEFAULT_MAX_LIFETIME};

/// Verifies a callback with one secret, no expected platform and the default leeway and
/// lifetime, against the system clock. Build a [`Verifier`] once instead when verifying
/// more than one callback.
pub fn verify_proof(callback: &str, secret: &str, expected_state: &str) -> Result<Proof, Error> {
    let verifier = Verifier::new([secret])?;
    Ok(verifier.verify(callback, expected_state, None)?)
}

/// Compiles the README's Rust examples as doctests, so the quickstart cannot rot.
#[cfg(all(doctest, feature = "client"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Any error of this crate.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The configuration was refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The callback was rejected.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// A session could not be created.
    #[cfg(feature = "client")]
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A flow refused to go on (protocol.md §5).
    #[cfg(feature = "client")]
    #[error(transparent)]
    Flow(#[from] FlowError),
}

#[cfg(feature = "client")]
impl From<BeginError> for Error {
    fn from(e: BeginError) -> Self {
        match e {
            BeginError::Flow(e) => Error::Flow(e),
            BeginError::Api(e) => Error::Api(e),
        }
    }
}

#[cfg(feature = "client")]
impl From<CompleteError> for Error {
    fn from(e: CompleteError) -> Self {
        match e {
            CompleteError::Flow(e) => Error::Flow(e),
            CompleteError::Verify(e) => Error::Verify(e),
        }
    }
}
