package postsyncer

import (
	"fmt"
	"time"
)

// kind is an error kind: the stable word that every language of this project uses.
// The Err* values are kinds; match them with errors.Is.
type kind string

func (k kind) Error() string { return "postsyncer: " + string(k) }

// Verification error kinds (a *VerifyError matches exactly one of them with errors.Is).
var (
	ErrAuthorizationDenied error = kind("authorization_denied")
	ErrMissingParameter    error = kind("missing_parameter")
	ErrDuplicateParameter  error = kind("duplicate_parameter")
	ErrMalformedParameter  error = kind("malformed_parameter")
	ErrBadSignature        error = kind("bad_signature")
	ErrUnsupportedPlatform error = kind("unsupported_platform")
	ErrPlatformMismatch    error = kind("platform_mismatch")
	ErrStateMismatch       error = kind("state_mismatch")
	ErrExpired             error = kind("expired")
	ErrExpiryTooFar        error = kind("expiry_too_far")
)

// API error kinds (a *APIError matches exactly one of them with errors.Is).
var (
	ErrInvalidRequest  error = kind("invalid_request")
	ErrUnauthenticated error = kind("unauthenticated")
	ErrForbidden       error = kind("forbidden")
	ErrNotFound        error = kind("not_found")
	ErrValidation      error = kind("validation")
	ErrRateLimited     error = kind("rate_limited")
	ErrServer          error = kind("server")
	ErrTransport       error = kind("transport")
	ErrTimeout         error = kind("timeout")
	ErrInvalidResponse error = kind("invalid_response")
)

// Configuration error kinds (a *ConfigError matches exactly one of them with errors.Is).
var (
	ErrNoSecret           error = kind("no_secret")
	ErrEmptySecret        error = kind("empty_secret")
	ErrEmptyAPIKey        error = kind("empty_api_key")
	ErrInvalidArgument    error = kind("invalid_argument")
	ErrEntropyUnavailable error = kind("entropy_unavailable")
)

// Flow error kinds (a *FlowError matches exactly one of them with errors.Is; its
// invalid_argument is ErrInvalidArgument).
var (
	ErrStateNotFound    error = kind("state_not_found")
	ErrSubjectMismatch  error = kind("subject_mismatch")
	ErrStoreUnavailable error = kind("store_unavailable")
)

// Errors of the binding itself, returned as they are.
var (
	// ErrInvalidUTF8: a string argument is not valid UTF-8.
	ErrInvalidUTF8 error = kind("invalid_utf8")
	// ErrInvalidPlatform: a Platform value is not one of the eight.
	ErrInvalidPlatform error = kind("invalid_platform")
	// ErrPanic: the native library panicked (a bug; please report it).
	ErrPanic error = kind("panic")
	// ErrClosed: the Verifier or Client was used after Close.
	ErrClosed error = kind("closed")
)

// VerifyError says why a callback was rejected. Kind is the protocol word
// (bad_signature, missing_parameter, …); Parameter the callback parameter it concerns,
// if any; Code the OAuth error value for authorization_denied; Message a sentence saying
// what is wrong and what to do about it.
type VerifyError struct {
	Kind      string
	Parameter string
	Code      string
	Message   string
}

func (e *VerifyError) Error() string { return "postsyncer: " + e.Kind + ": " + e.Message }

// Is reports whether target is this error's kind, e.g. ErrBadSignature.
func (e *VerifyError) Is(target error) bool { return target == kind(e.Kind) }

// APIError says why a session could not be created. Kind is unauthenticated, forbidden,
// not_found, validation, rate_limited, server, transport, timeout, invalid_response or
// invalid_request; Status the HTTP status (0 when the service did not answer);
// RetryAfter the wait the service asked for (0 when it did not); FieldErrors the
// service's messages per field, for validation.
type APIError struct {
	Kind        string
	Status      int
	Message     string
	RetryAfter  time.Duration
	FieldErrors map[string][]string
}

func (e *APIError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("postsyncer: %s (HTTP %d): %s", e.Kind, e.Status, e.Message)
	}
	return "postsyncer: " + e.Kind + ": " + e.Message
}

// Is reports whether target is this error's kind, e.g. ErrRateLimited.
func (e *APIError) Is(target error) bool { return target == kind(e.Kind) }

// ConfigError says why a Verifier or Client was refused (no_secret, empty_secret,
// empty_api_key, invalid_argument) or why no state could be generated
// (entropy_unavailable). The message never contains a secret.
type ConfigError struct {
	Kind    string
	Message string
}

func (e *ConfigError) Error() string {
	if e.Message == "" {
		return "postsyncer: " + e.Kind
	}
	return "postsyncer: " + e.Kind + ": " + e.Message
}

// Is reports whether target is this error's kind, e.g. ErrEmptySecret.
func (e *ConfigError) Is(target error) bool { return target == kind(e.Kind) }

// FlowError says why a Flow refused to go on (protocol.md §5): state_not_found (the
// callback's flow expired, was already completed, or was begun with another store),
// subject_mismatch (begun by another user or browser), store_unavailable (the store failed)
// or invalid_argument. The message never contains a secret, the subject or the state.
// Begin's session errors are *APIError values, Complete's callback errors *VerifyError
// values.
type FlowError struct {
	Kind    string
	Message string
}

func (e *FlowError) Error() string { return "postsyncer: " + e.Kind + ": " + e.Message }

// Is reports whether target is this error's kind, e.g. ErrStateNotFound.
func (e *FlowError) Is(target error) bool { return target == kind(e.Kind) }
