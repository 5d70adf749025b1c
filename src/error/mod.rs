//! The errors of this crate: verification, configuration, API and flow errors.
//!
//! Every error has a kind whose `as_str()` is the protocol word (`bad_signature`,
//! `rate_limited`, …). Each list of kinds is written once, as a macro that hands it to
//! another macro: [`error_kinds!`] makes the Rust kind enums from it, and the FFI layer makes
//! the foreign exception classes from the same list, so a kind cannot exist in one and not
//! the other.

#[cfg(feature = "client")]
mod api;
mod config;
#[cfg(feature = "client")]
mod flow;
mod verify;

#[cfg(feature = "client")]
pub use api::{ApiError, ApiErrorKind};
pub use config::{ConfigError, ConfigErrorKind};
#[cfg(feature = "client")]
pub use flow::{BeginError, CompleteError, FlowError, FlowErrorKind};
pub use verify::{VerifyError, VerifyErrorKind};

// The FFI layer makes the foreign exception classes from these lists.
#[cfg(feature = "uniffi")]
pub(crate) use api::api_error_kinds;
#[cfg(feature = "uniffi")]
pub(crate) use config::config_error_kinds;
#[cfg(feature = "uniffi")]
#[allow(unused_imports)]
pub(crate) use flow::flow_error_kinds;
#[cfg(feature = "uniffi")]
pub(crate) use verify::verify_error_kinds;

/// Makes a kind enum from a kind list: the variants with their docs, `ALL`, `as_str` (the
/// protocol word) and `Display` (the same word).
macro_rules! error_kinds {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$doc:meta])* $variant:ident = $word:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$doc])* $variant, )*
        }

        impl $name {
            /// Every kind, in the order of the list.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable word for this kind, identical in every language.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)*
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use error_kinds;
