//! The exported exception classes: one class per kind, made from the core's kind lists (see
//! `crate::error`), so each kind, its docs and its word are written once. Every class carries
//! `kind` (the protocol word) and `detail` (not `message`, which Kotlin's `Throwable` owns).
//! The generated classes keep fields on each subclass; the exported methods (`kind()`,
//! `detail()`, `status()`, …) make them readable from the base class too, as Java needs.

use std::collections::HashMap;

use crate::error::{
    self as core, api_error_kinds, config_error_kinds, flow_error_kinds, verify_error_kinds,
};

/// Reads one field that every variant of `$exported` has.
macro_rules! common_field {
    ($self:ident, $exported:ident, [$($variant:ident),*], $field:ident) => {
        match $self {
            $( $exported::$variant { $field, .. } )|* => $field.clone(),
        }
    };
}

macro_rules! exported_verify_errors {
    (
        $(#[$kind_meta:meta])*
        $kind:ident { $( $(#[$doc:meta])* $variant:ident = $word:literal, )* }
    ) => {
        /// Why a callback was rejected (protocol.md §2); the first failing step decides.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum VerifyError {
            $(
                $(#[$doc])*
                #[error("{kind}: {detail}")]
                $variant { kind: String, parameter: Option<String>, code: Option<String>, detail: String },
            )*
        }

        impl From<core::VerifyError> for VerifyError {
            fn from(e: core::VerifyError) -> Self {
                let (kind, parameter, code, detail) = (
                    e.kind().as_str().to_owned(),
                    e.parameter().map(str::to_owned),
                    e.code().map(str::to_owned),
                    e.message().to_owned(),
                );
                match e.kind() {
                    $( core::$kind::$variant => VerifyError::$variant { kind, parameter, code, detail }, )*
                }
            }
        }

        #[uniffi::export]
        impl VerifyError {
            /// The protocol word (`bad_signature`, …).
            pub fn kind(&self) -> String {
                common_field!(self, VerifyError, [$($variant),*], kind)
            }
            /// The callback parameter the error concerns, where there is one.
            pub fn parameter(&self) -> Option<String> {
                common_field!(self, VerifyError, [$($variant),*], parameter)
            }
            /// The callback's OAuth `error` value, for `AuthorizationDenied` only.
            pub fn code(&self) -> Option<String> {
                common_field!(self, VerifyError, [$($variant),*], code)
            }
            /// What is wrong and what to do about it.
            pub fn detail(&self) -> String {
                common_field!(self, VerifyError, [$($variant),*], detail)
            }
        }
    };
}
verify_error_kinds!(exported_verify_errors);

macro_rules! exported_config_errors {
    (
        $(#[$kind_meta:meta])*
        $kind:ident { $( $(#[$doc:meta])* $variant:ident = $word:literal, )* }
    ) => {
        /// A configuration mistake, reported before anything is verified or sent.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum ConfigError {
            $(
                $(#[$doc])*
                #[error("{kind}: {detail}")]
                $variant { kind: String, detail: String },
            )*
        }

        impl From<core::ConfigError> for ConfigError {
            fn from(e: core::ConfigError) -> Self {
                let (kind, detail) = (e.kind().as_str().to_owned(), e.to_string());
                match e.kind() {
                    $( core::$kind::$variant => ConfigError::$variant { kind, detail }, )*
                }
            }
        }

        #[uniffi::export]
        impl ConfigError {
            /// The stable word (`empty_secret`, …).
            pub fn kind(&self) -> String {
                common_field!(self, ConfigError, [$($variant),*], kind)
            }
            /// What is wrong and what to do about it.
            pub fn detail(&self) -> String {
                common_field!(self, ConfigError, [$($variant),*], detail)
            }
        }
    };
}
config_error_kinds!(exported_config_errors);

macro_rules! exported_api_errors {
    (
        $(#[$kind_meta:meta])*
        $kind:ident { $( $(#[$doc:meta])* $variant:ident = $word:literal, )* }
    ) => {
        /// A failed `create_session` call. `status` is the HTTP status (i32 for Java's sake)
        /// when the service answered; `field_errors` is filled for `Validation`,
        /// `retry_after_seconds` for `RateLimited`.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum ApiError {
            $(
                $(#[$doc])*
                #[error("{kind}: {detail}")]
                $variant {
                    kind: String,
                    status: Option<i32>,
                    detail: String,
                    field_errors: HashMap<String, Vec<String>>,
                    retry_after_seconds: Option<f64>,
                },
            )*
        }

        impl From<core::ApiError> for ApiError {
            fn from(e: core::ApiError) -> Self {
                let (kind, status, detail, field_errors, retry_after_seconds) = (
                    e.kind().as_str().to_owned(),
                    e.status().map(i32::from),
                    e.message().to_owned(),
                    e.field_errors().iter().cloned().collect(),
                    e.retry_after().map(|d| d.as_secs_f64()),
                );
                match e.kind() {
                    $(
                        core::$kind::$variant => ApiError::$variant {
                            kind, status, detail, field_errors, retry_after_seconds,
                        },
                    )*
                }
            }
        }

        #[uniffi::export]
        impl ApiError {
            /// The stable word (`rate_limited`, …).
            pub fn kind(&self) -> String {
                common_field!(self, ApiError, [$($variant),*], kind)
            }
            /// The HTTP status, when the service answered.
            pub fn status(&self) -> Option<i32> {
                common_field!(self, ApiError, [$($variant),*], status)
            }
            /// What went wrong and what to do about it.
            pub fn detail(&self) -> String {
                common_field!(self, ApiError, [$($variant),*], detail)
            }
            /// How long the service asked to wait, for `RateLimited`.
            pub fn retry_after_seconds(&self) -> Option<f64> {
                common_field!(self, ApiError, [$($variant),*], retry_after_seconds)
            }
        }
    };
}
api_error_kinds!(exported_api_errors);

// The flow's two error types are flat (one class per kind) over two kind lists each. A kind
// macro hands its list to one macro name only, so the flow list is captured first in a macro
// made here (`with_flow_kinds`), which the second list's callback then calls with both.
macro_rules! remember_flow_kinds {
    ($($flow:tt)*) => {
        macro_rules! with_flow_kinds {
            ($target:ident $other:tt) => { $target! { $other ($($flow)*) } };
        }
    };
}
flow_error_kinds!(remember_flow_kinds);

macro_rules! exported_complete_errors {
    (
        (
            $(#[$verify_meta:meta])*
            $verify:ident { $( $(#[$vdoc:meta])* $vvariant:ident = $vword:literal, )* }
        )
        (
            $(#[$flow_meta:meta])*
            $flow:ident { $( $(#[$fdoc:meta])* $fvariant:ident = $fword:literal, )* }
        )
    ) => {
        /// Why `Flow.complete` failed: a flow kind (`state_not_found`, `subject_mismatch`,
        /// `store_unavailable`, `invalid_argument`) or a verification kind (protocol.md §2,
        /// `authorization_denied` included). `parameter` and `code` are the verification's,
        /// absent for flow kinds.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum CompleteError {
            $(
                $(#[$fdoc])*
                #[error("{kind}: {detail}")]
                $fvariant { kind: String, parameter: Option<String>, code: Option<String>, detail: String },
            )*
            $(
                $(#[$vdoc])*
                #[error("{kind}: {detail}")]
                $vvariant { kind: String, parameter: Option<String>, code: Option<String>, detail: String },
            )*
        }

        impl From<core::CompleteError> for CompleteError {
            fn from(e: core::CompleteError) -> Self {
                let kind = e.kind_word().to_owned();
                let detail = e.message().to_owned();
                match e {
                    core::CompleteError::Flow(e) => match e.kind() {
                        $( core::$flow::$fvariant => CompleteError::$fvariant {
                            kind, parameter: None, code: None, detail,
                        }, )*
                    },
                    core::CompleteError::Verify(e) => {
                        let (parameter, code) =
                            (e.parameter().map(str::to_owned), e.code().map(str::to_owned));
                        match e.kind() {
                            $( core::$verify::$vvariant => CompleteError::$vvariant {
                                kind, parameter, code, detail,
                            }, )*
                        }
                    }
                }
            }
        }

        #[uniffi::export]
        impl CompleteError {
            /// The protocol word (`state_not_found`, `bad_signature`, …).
            pub fn kind(&self) -> String {
                common_field!(self, CompleteError, [$($fvariant,)* $($vvariant),*], kind)
            }
            /// The callback parameter a verification error concerns, where there is one.
            pub fn parameter(&self) -> Option<String> {
                common_field!(self, CompleteError, [$($fvariant,)* $($vvariant),*], parameter)
            }
            /// The callback's OAuth `error` value, for `AuthorizationDenied` only.
            pub fn code(&self) -> Option<String> {
                common_field!(self, CompleteError, [$($fvariant,)* $($vvariant),*], code)
            }
            /// What went wrong and what to do about it.
            pub fn detail(&self) -> String {
                common_field!(self, CompleteError, [$($fvariant,)* $($vvariant),*], detail)
            }
        }
    };
}

macro_rules! exported_begin_errors {
    (
        (
            $(#[$api_meta:meta])*
            $api:ident { $( $(#[$adoc:meta])* $avariant:ident = $aword:literal, )* }
        )
        (
            $(#[$flow_meta:meta])*
            $flow:ident { $( $(#[$fdoc:meta])* $fvariant:ident = $fword:literal, )* }
        )
    ) => {
        /// Why `Flow.begin` failed: a flow kind (`store_unavailable`, `invalid_argument`) or,
        /// when the session could not be created, its API kind (`rate_limited`, …) with the
        /// same fields as `ApiError` (absent for flow kinds). Every flow kind has its class
        /// because the list is written once; `begin` never gives `StateNotFound` or
        /// `SubjectMismatch`.
        #[derive(Debug, thiserror::Error, uniffi::Error)]
        pub enum BeginError {
            $(
                $(#[$fdoc])*
                #[error("{kind}: {detail}")]
                $fvariant {
                    kind: String,
                    status: Option<i32>,
                    detail: String,
                    field_errors: HashMap<String, Vec<String>>,
                    retry_after_seconds: Option<f64>,
                },
            )*
            $(
                $(#[$adoc])*
                #[error("{kind}: {detail}")]
                $avariant {
                    kind: String,
                    status: Option<i32>,
                    detail: String,
                    field_errors: HashMap<String, Vec<String>>,
                    retry_after_seconds: Option<f64>,
                },
            )*
        }

        impl From<core::BeginError> for BeginError {
            fn from(e: core::BeginError) -> Self {
                let kind = e.kind_word().to_owned();
                let detail = e.message().to_owned();
                match e {
                    core::BeginError::Flow(e) => match e.kind() {
                        $( core::$flow::$fvariant => BeginError::$fvariant {
                            kind,
                            status: None,
                            detail,
                            field_errors: HashMap::new(),
                            retry_after_seconds: None,
                        }, )*
                    },
                    core::BeginError::Api(e) => {
                        let (status, field_errors, retry_after_seconds) = (
                            e.status().map(i32::from),
                            e.field_errors().iter().cloned().collect(),
                            e.retry_after().map(|d| d.as_secs_f64()),
                        );
                        match e.kind() {
                            $( core::$api::$avariant => BeginError::$avariant {
                                kind, status, detail, field_errors, retry_after_seconds,
                            }, )*
                        }
                    }
                }
            }
        }

        #[uniffi::export]
        impl BeginError {
            /// The protocol word (`store_unavailable`, `rate_limited`, …).
            pub fn kind(&self) -> String {
                common_field!(self, BeginError, [$($fvariant,)* $($avariant),*], kind)
            }
            /// The HTTP status, when the service answered.
            pub fn status(&self) -> Option<i32> {
                common_field!(self, BeginError, [$($fvariant,)* $($avariant),*], status)
            }
            /// What went wrong and what to do about it.
            pub fn detail(&self) -> String {
                common_field!(self, BeginError, [$($fvariant,)* $($avariant),*], detail)
            }
            /// How long the service asked to wait, for `RateLimited`.
            pub fn retry_after_seconds(&self) -> Option<f64> {
                common_field!(self, BeginError, [$($fvariant,)* $($avariant),*], retry_after_seconds)
            }
        }
    };
}

macro_rules! complete_errors_from_verify_kinds {
    ($($verify:tt)*) => { with_flow_kinds!(exported_complete_errors ($($verify)*)); };
}
verify_error_kinds!(complete_errors_from_verify_kinds);

macro_rules! begin_errors_from_api_kinds {
    ($($api:tt)*) => { with_flow_kinds!(exported_begin_errors ($($api)*)); };
}
api_error_kinds!(begin_errors_from_api_kinds);
