package postsyncer

// #include "postsyncer_delegation.h"
import "C"

import (
	"runtime"
	"sync"
	"time"
)

// Verifier verifies PostSyncer callbacks against one or more signing secrets. Build it
// once and share it: it is safe for concurrent use by any number of goroutines.
type Verifier struct {
	mu  sync.RWMutex // held for reading during calls, for writing by Close
	ptr *C.psd_verifier
}

// The defaults of NewVerifier: the C API's PSD_DEFAULT_* values, which are the core's.
const (
	// DefaultLeeway is how late a proof is still accepted unless WithLeeway says otherwise.
	DefaultLeeway = time.Duration(C.PSD_DEFAULT_LEEWAY_SECONDS) * time.Second
	// DefaultMaxLifetime is how far ahead an expiry may be unless WithMaxLifetime or
	// WithoutMaxLifetime says otherwise.
	DefaultMaxLifetime = time.Duration(C.PSD_DEFAULT_MAX_LIFETIME_SECONDS) * time.Second
)

type verifierConfig struct {
	leewaySeconds      int64
	maxLifetimeSeconds *int64 // nil: no bound
}

// VerifierOption changes a Verifier's leeway or maximum lifetime.
type VerifierOption func(*verifierConfig)

// WithLeeway accepts proofs that expired up to d ago (clock skew). Whole seconds count; a
// negative d is refused by NewVerifier (ErrInvalidArgument).
func WithLeeway(d time.Duration) VerifierOption {
	return func(c *verifierConfig) { c.leewaySeconds = floorSeconds(d) }
}

// WithMaxLifetime refuses proofs whose expiry is more than d ahead (plus leeway). Whole
// seconds count; a negative d is refused by NewVerifier (ErrInvalidArgument).
func WithMaxLifetime(d time.Duration) VerifierOption {
	return func(c *verifierConfig) {
		seconds := floorSeconds(d)
		c.maxLifetimeSeconds = &seconds
	}
}

// WithoutMaxLifetime turns the bound on how far ahead an expiry may be off.
func WithoutMaxLifetime() VerifierOption {
	return func(c *verifierConfig) { c.maxLifetimeSeconds = nil }
}

// floorSeconds is d in whole seconds, rounded down: a negative duration stays negative,
// so that the core, not this package, refuses it.
func floorSeconds(d time.Duration) int64 {
	seconds := int64(d / time.Second)
	if d%time.Second < 0 {
		seconds--
	}
	return seconds
}

// NewVerifier builds a verifier for these signing secrets (during a rotation, pass both
// the new and the old one). An empty list, an empty secret or a negative option is a
// *ConfigError (ErrNoSecret, ErrEmptySecret, ErrInvalidArgument).
func NewVerifier(secrets []string, opts ...VerifierOption) (*Verifier, error) {
	defaultMaxLifetime := int64(C.PSD_DEFAULT_MAX_LIFETIME_SECONDS)
	config := verifierConfig{leewaySeconds: C.PSD_DEFAULT_LEEWAY_SECONDS, maxLifetimeSeconds: &defaultMaxLifetime}
	for _, opt := range opts {
		opt(&config)
	}
	var pinner runtime.Pinner
	defer pinner.Unpin()
	views := cStringViews(secrets, &pinner)
	var viewsPtr *C.psd_str
	if len(views) > 0 {
		viewsPtr = &views[0]
	}
	maxLifetime := (*C.int64_t)(config.maxLifetimeSeconds) // nil: NULL, no bound
	var ptr *C.psd_verifier
	var message *C.psd_string
	result := C.psd_verifier_new(viewsPtr, C.size_t(len(views)), C.int64_t(config.leewaySeconds), maxLifetime,
		&ptr, &message)
	if result != C.PSD_RESULT_OK {
		return nil, configError(result, message)
	}
	v := &Verifier{ptr: ptr}
	runtime.SetFinalizer(v, (*Verifier).Close)
	return v, nil
}

// Proof is a verified proof that the user owns PlatformID on Platform. Trust PlatformID;
// Handle is display text the user can change.
type Proof struct {
	Platform   Platform
	PlatformID string
	Handle     string
	State      string
	Expires    time.Time
}

type verifyConfig struct {
	platform Platform // 0: not checked
	now      *int64
}

// VerifyOption adds an expectation or fixes the clock for one verification.
type VerifyOption func(*verifyConfig)

// ExpectPlatform requires the proof to be for p (the platform the session was created for).
func ExpectPlatform(p Platform) VerifyOption {
	return func(c *verifyConfig) { c.platform = p }
}

// At verifies as of t instead of the system clock (for tests and replays of logs).
func At(t time.Time) VerifyOption {
	return func(c *verifyConfig) {
		now := t.Unix()
		c.now = &now
	}
}

// Verify checks a callback (the whole callback URL, or its query string with or without
// "?") against the state this app issued for the session. It returns the proof, or a
// *VerifyError whose kind errors.Is matches (ErrBadSignature, ErrExpired, …); spend the
// state whatever the outcome.
func (v *Verifier) Verify(callback, expectedState string, opts ...VerifyOption) (Proof, error) {
	var config verifyConfig
	for _, opt := range opts {
		opt(&config)
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.ptr == nil {
		return Proof{}, ErrClosed
	}
	callbackData, callbackLen := cString(callback)
	stateData, stateLen := cString(expectedState)
	var proof *C.psd_proof
	var verifyError *C.psd_verify_error
	result := C.psd_verifier_verify(v.ptr, callbackData, callbackLen, stateData, stateLen,
		C.psd_platform(config.platform), (*C.int64_t)(config.now), &proof, &verifyError)
	if result != C.PSD_RESULT_OK {
		if verifyError == nil {
			return Proof{}, kind(resultName(result))
		}
		return Proof{}, takeVerifyError(verifyError)
	}
	defer C.psd_proof_free(proof)
	// Every field in one cgo call: each crossing costs more than reading a field.
	var fields C.psd_proof_fields
	C.psd_proof_view(proof, &fields)
	return Proof{
		Platform:   Platform(fields.platform),
		PlatformID: goString(fields.platform_id),
		Handle:     goString(fields.handle),
		State:      goString(fields.state),
		Expires:    time.Unix(int64(fields.expires), 0),
	}, nil
}

// Close releases the verifier and wipes its key material. It waits for running Verify
// calls; later calls return ErrClosed. Closing twice is harmless.
func (v *Verifier) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	C.psd_verifier_free(v.ptr)
	v.ptr = nil
	runtime.SetFinalizer(v, nil)
	return nil
}

func takeVerifyError(e *C.psd_verify_error) *VerifyError {
	defer C.psd_verify_error_free(e)
	return readVerifyError(e)
}

// readVerifyError copies a verification error the caller keeps (or that another object
// lends).
func readVerifyError(e *C.psd_verify_error) *VerifyError {
	// Every field in one cgo call; an absent parameter or code reads as "".
	var fields C.psd_verify_error_fields
	C.psd_verify_error_view(e, &fields)
	return &VerifyError{
		Kind:      goString(fields.kind),
		Parameter: goString(fields.parameter),
		Code:      goString(fields.code),
		Message:   goString(fields.message),
	}
}

// configError is the error for a failed constructor: a *ConfigError for a configuration
// result (with the library's message), the bare kind otherwise.
func configError(result C.psd_result, message *C.psd_string) error {
	text := takeString(message)
	// Configuration results are the range 100–199 (include/postsyncer_delegation.h).
	if result >= C.PSD_RESULT_NO_SECRET && result < C.PSD_RESULT_AUTHORIZATION_DENIED {
		return &ConfigError{Kind: resultName(result), Message: text}
	}
	return kind(resultName(result))
}
