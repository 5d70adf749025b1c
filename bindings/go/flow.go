package postsyncer

// #include "postsyncer_delegation.h"
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// DefaultMaxPending is the longest a begun flow waits for its callback unless
// WithMaxPending says otherwise (the C API's PSD_DEFAULT_MAX_PENDING_SECONDS).
const DefaultMaxPending = time.Duration(C.PSD_DEFAULT_MAX_PENDING_SECONDS) * time.Second

// Flow is the whole delegation flow with single-use state (protocol.md §5): Begin stores a
// pending record and creates the session; Complete takes the record (once, atomically),
// checks the subject and verifies the callback. The application keeps nothing between the
// two.
//
// Build one at start-up and share it: it is safe for concurrent use. It keeps its own
// references to the client, verifier and store it was made from.
type Flow struct {
	mu  sync.RWMutex // held for reading during calls, for writing by Close
	ptr *C.psd_flow
}

type flowConfig struct {
	maxPendingSeconds *int64 // nil: DefaultMaxPending
}

// FlowOption changes a Flow's maximum pending time.
type FlowOption func(*flowConfig)

// WithMaxPending bounds how long a begun flow waits for its callback: a record lives for
// the session's lifetime, never longer than d. Whole seconds count; less than one second
// is refused by NewFlow (ErrInvalidArgument).
func WithMaxPending(d time.Duration) FlowOption {
	return func(c *flowConfig) {
		seconds := floorSeconds(d)
		c.maxPendingSeconds = &seconds
	}
}

// NewFlow builds a flow over client (which creates the sessions), verifier (built with the
// signing secret of the client's API key) and store (a *MemoryStore, *RedisStore or
// *AppStore; nil for a new in-memory store of the default capacity, one process only).
// A closed argument is ErrClosed; a bad option a *ConfigError (ErrInvalidArgument).
func NewFlow(client *Client, verifier *Verifier, store FlowStore, opts ...FlowOption) (*Flow, error) {
	var config flowConfig
	for _, opt := range opts {
		opt(&config)
	}
	if client == nil || verifier == nil {
		return nil, ErrClosed
	}
	client.mu.RLock()
	defer client.mu.RUnlock()
	verifier.mu.RLock()
	defer verifier.mu.RUnlock()
	var storePtr *C.psd_store // NULL: a memory store of the default capacity
	if store != nil {
		native := store.native()
		if native == nil {
			return nil, ErrClosed
		}
		native.mu.RLock()
		defer native.mu.RUnlock()
		if native.ptr == nil {
			return nil, ErrClosed
		}
		storePtr = native.ptr
	}
	if client.ptr == nil || verifier.ptr == nil {
		return nil, ErrClosed
	}
	var maxPending *C.int64_t // NULL: the default
	if config.maxPendingSeconds != nil {
		seconds := C.int64_t(*config.maxPendingSeconds)
		maxPending = &seconds
	}
	f := &Flow{}
	if result := C.psd_flow_new(client.ptr, verifier.ptr, storePtr, maxPending, &f.ptr); result != C.PSD_RESULT_OK {
		if result == C.PSD_RESULT_INVALID_ARGUMENT {
			return nil, &ConfigError{Kind: resultName(result),
				Message: "invalid argument `max_pending`: pass at least one second"}
		}
		return nil, kind(resultName(result))
	}
	runtime.SetFinalizer(f, (*Flow).Close)
	return f, nil
}

// Begun is a begun flow: redirect the user's browser to AuthorizeURL. The state is already
// stored.
type Begun struct {
	AuthorizeURL string
	// State is the flow's state, already stored: needed only for logs or tests.
	State string
	// ExpiresIn is how long the flow stays open (the session's lifetime, at most the
	// flow's maximum pending time).
	ExpiresIn time.Duration
}

// Completed is a completed flow: the verified proof (trust Proof.PlatformID) and the
// metadata given to Begin (nil when none was given).
type Completed struct {
	Proof    Proof
	Metadata *string
}

type beginConfig struct {
	metadata *string
}

// BeginOption adds metadata to a begun flow.
type BeginOption func(*beginConfig)

// WithMetadata keeps opaque text (at most 4096 bytes; e.g. the page to return to) with the
// flow, handed back by Complete.
func WithMetadata(metadata string) BeginOption {
	return func(c *beginConfig) { c.metadata = &metadata }
}

// Begin begins a flow: generates a state, stores the pending record under it, then creates
// the session. Redirect the browser to the returned AuthorizeURL.
//
// subject binds the flow to whoever began it: the signed-in user's id or the browser
// session's id (not empty, at most 1024 bytes); Complete must be given the same one.
//
// Failures: a *FlowError (ErrStoreUnavailable, ErrInvalidArgument) or, when the session
// cannot be created, its *APIError unchanged (after the record is removed); match them
// with errors.Is. When ctx ends first, Begin returns at once with an error wrapping
// ctx.Err(); the native call finishes in the background within the client's timeout, and
// what it stored expires unused (nobody learns its state).
func (f *Flow) Begin(ctx context.Context, platform Platform, callbackURL, subject string, opts ...BeginOption) (Begun, error) {
	var config beginConfig
	for _, opt := range opts {
		opt(&config)
	}
	if err := ctx.Err(); err != nil {
		return Begun{}, fmt.Errorf("postsyncer: begin: %w", err)
	}
	type outcome struct {
		begun Begun
		err   error
	}
	done := make(chan outcome, 1) // buffered: the goroutine never waits for an abandoned caller
	go func() {
		begun, err := f.beginBlocking(platform, callbackURL, subject, config.metadata)
		done <- outcome{begun, err}
	}()
	select {
	case o := <-done:
		return o.begun, o.err
	case <-ctx.Done():
		return Begun{}, fmt.Errorf("postsyncer: begin: %w", ctx.Err())
	}
}

func (f *Flow) beginBlocking(platform Platform, callbackURL, subject string, metadata *string) (Begun, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.ptr == nil {
		return Begun{}, ErrClosed
	}
	callbackData, callbackLen := cString(callbackURL)
	subjectData, subjectLen := cString(subject)
	var metadataData *C.char // NULL: none
	var metadataLen C.size_t
	if metadata != nil {
		metadataData, metadataLen = cPresentString(*metadata)
	}
	var begun *C.psd_begun
	var flowError *C.psd_flow_error
	result := C.psd_flow_begin(f.ptr, C.psd_platform(platform), callbackData, callbackLen, subjectData, subjectLen,
		metadataData, metadataLen, &begun, &flowError)
	if result != C.PSD_RESULT_OK {
		return Begun{}, takeFlowError(result, flowError)
	}
	defer C.psd_begun_free(begun)
	var fields C.psd_begun_fields
	C.psd_begun_view(begun, &fields)
	return Begun{
		AuthorizeURL: goString(fields.authorize_url),
		State:        goString(fields.state),
		ExpiresIn:    time.Duration(fields.expires_in) * time.Second,
	}, nil
}

// Complete completes a flow with the callback (the whole URL the browser came back to, or
// its query) and the subject of whoever completes it: it reads the state, takes the record
// for it (once: a second Complete of the same callback is ErrStateNotFound, and the state
// is spent whatever happens next), checks the subject (another is ErrSubjectMismatch) and
// verifies the callback with the record's state and platform.
//
// Failures: a *FlowError (ErrStateNotFound, ErrSubjectMismatch, ErrStoreUnavailable,
// ErrInvalidArgument) or the callback's *VerifyError (ErrAuthorizationDenied,
// ErrBadSignature, …); match them with errors.Is. A store that cannot be reached is
// ErrStoreUnavailable, never a proof.
func (f *Flow) Complete(callback, subject string) (Completed, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.ptr == nil {
		return Completed{}, ErrClosed
	}
	callbackData, callbackLen := cString(callback)
	subjectData, subjectLen := cString(subject)
	var completed *C.psd_completed
	var flowError *C.psd_flow_error
	result := C.psd_flow_complete(f.ptr, callbackData, callbackLen, subjectData, subjectLen, &completed, &flowError)
	if result != C.PSD_RESULT_OK {
		return Completed{}, takeFlowError(result, flowError)
	}
	defer C.psd_completed_free(completed)
	// Every field in one cgo call.
	var fields C.psd_completed_fields
	C.psd_completed_view(completed, &fields)
	return Completed{
		Proof: Proof{
			Platform:   Platform(fields.proof.platform),
			PlatformID: goString(fields.proof.platform_id),
			Handle:     goString(fields.proof.handle),
			State:      goString(fields.proof.state),
			Expires:    time.Unix(int64(fields.proof.expires), 0),
		},
		Metadata: goOptionalString(fields.metadata),
	}, nil
}

// Close releases the flow (its references to the client, verifier and store). It waits
// for running calls; later calls return ErrClosed. Closing twice is harmless.
func (f *Flow) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	C.psd_flow_free(f.ptr)
	f.ptr = nil
	runtime.SetFinalizer(f, nil)
	return nil
}

// takeFlowError is the error of a failed Begin or Complete, from the flow error (when the
// library gave one; then freed) or the result alone.
func takeFlowError(result C.psd_result, e *C.psd_flow_error) error {
	if e == nil {
		return kind(resultName(result))
	}
	defer C.psd_flow_error_free(e)
	var fields C.psd_flow_error_fields
	C.psd_flow_error_view(e, &fields)
	switch {
	case fields.api_error != nil:
		return readAPIError(fields.api_error)
	case fields.verify_error != nil:
		return readVerifyError(fields.verify_error)
	}
	return &FlowError{Kind: goString(fields.kind), Message: goString(fields.message)}
}
