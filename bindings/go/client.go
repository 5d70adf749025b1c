package postsyncer

// #include "postsyncer_delegation.h"
import "C"

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"
)

// Client creates delegation sessions with PostSyncer's API. Build one per API key and
// share it: it is safe for concurrent use and reuses connections.
type Client struct {
	mu  sync.RWMutex // held for reading during calls, for writing by Close
	ptr *C.psd_client
}

// The defaults of NewClient: the C API's PSD_DEFAULT_* values, which are the core's.
const (
	// DefaultTimeout bounds one call, retries and waits included, unless WithTimeout says
	// otherwise.
	DefaultTimeout = time.Duration(C.PSD_DEFAULT_TIMEOUT_MS) * time.Millisecond
	// DefaultMaxRetries is how often a failed attempt is retried unless WithMaxRetries
	// says otherwise.
	DefaultMaxRetries = C.PSD_DEFAULT_MAX_RETRIES
	// DefaultInitialBackoff and DefaultMaxBackoff are WithBackoff's defaults.
	DefaultInitialBackoff = time.Duration(C.PSD_DEFAULT_INITIAL_BACKOFF_MS) * time.Millisecond
	DefaultMaxBackoff     = time.Duration(C.PSD_DEFAULT_MAX_BACKOFF_MS) * time.Millisecond
	// DefaultMaxRetryAfter is the longest Retry-After waited for unless WithMaxRetryAfter
	// says otherwise.
	DefaultMaxRetryAfter = time.Duration(C.PSD_DEFAULT_MAX_RETRY_AFTER_MS) * time.Millisecond
)

type clientConfig struct {
	baseURL              *string // nil: the production API
	timeoutMillis        int64
	maxRetries           int32
	initialBackoffMillis int64
	maxBackoffMillis     int64
	maxRetryAfterMillis  int64
}

// ClientOption changes a Client's base URL, timeout, retries, backoff or cap on Retry-After.
type ClientOption func(*clientConfig)

// millisRoundedUp is d in whole milliseconds, a part of one counting as a whole one (a
// positive duration stays positive; a negative one stays negative and is refused).
func millisRoundedUp(d time.Duration) int64 {
	millis := int64(d / time.Millisecond)
	if d%time.Millisecond > 0 {
		millis++
	}
	return millis
}

// WithBaseURL talks to another API base URL than https://postsyncer.com/api (the
// emulator's is http://127.0.0.1:PORT/api).
func WithBaseURL(url string) ClientOption {
	return func(c *clientConfig) { c.baseURL = &url }
}

// WithTimeout bounds each call as a whole: every attempt, backoff and Retry-After wait
// included. A retry whose wait would end past it is not waited for: the call returns its
// error at once (ErrRateLimited keeps RetryAfter). A context deadline that comes sooner
// bounds the call too. A part of a millisecond counts as a whole one; zero or negative is
// refused by NewClient (ErrInvalidArgument).
func WithTimeout(d time.Duration) ClientOption {
	return func(c *clientConfig) { c.timeoutMillis = millisRoundedUp(d) }
}

// WithBackoff sets the exponential backoff between retries (with full jitter): up to
// initial before the first retry, doubled for each further one, never more than max.
// Zero retries at once; negative is refused by NewClient (ErrInvalidArgument).
func WithBackoff(initial, max time.Duration) ClientOption {
	return func(c *clientConfig) {
		c.initialBackoffMillis = millisRoundedUp(initial)
		c.maxBackoffMillis = millisRoundedUp(max)
	}
}

// WithMaxRetryAfter sets the longest Retry-After (of a 429) waited for before a retry; a
// longer one is returned at once as ErrRateLimited with its RetryAfter. Zero never waits;
// negative is refused by NewClient (ErrInvalidArgument).
func WithMaxRetryAfter(d time.Duration) ClientOption {
	return func(c *clientConfig) { c.maxRetryAfterMillis = millisRoundedUp(d) }
}

// WithMaxRetries sets how often a failed attempt (transport error, 429, 502/503/504) is
// retried; 0 turns retrying off. A negative n, or too many, is refused by NewClient
// (ErrInvalidArgument).
func WithMaxRetries(n int) ClientOption {
	return func(c *clientConfig) {
		// Saturated, not wrapped, into the C int32_t: out of range stays out of range.
		switch {
		case n > math.MaxInt32:
			c.maxRetries = math.MaxInt32
		case n < math.MinInt32:
			c.maxRetries = math.MinInt32
		default:
			c.maxRetries = int32(n)
		}
	}
}

// NewClient builds a client for this API key (server-side only). An empty key or a bad
// option is a *ConfigError (ErrEmptyAPIKey, ErrInvalidArgument).
func NewClient(apiKey string, opts ...ClientOption) (*Client, error) {
	config := clientConfig{
		timeoutMillis:        C.PSD_DEFAULT_TIMEOUT_MS,
		maxRetries:           C.PSD_DEFAULT_MAX_RETRIES,
		initialBackoffMillis: C.PSD_DEFAULT_INITIAL_BACKOFF_MS,
		maxBackoffMillis:     C.PSD_DEFAULT_MAX_BACKOFF_MS,
		maxRetryAfterMillis:  C.PSD_DEFAULT_MAX_RETRY_AFTER_MS,
	}
	for _, opt := range opts {
		opt(&config)
	}
	keyData, keyLen := cString(apiKey)
	var builder *C.psd_client_builder
	if result := C.psd_client_builder_new(keyData, keyLen, &builder); result != C.PSD_RESULT_OK {
		return nil, kind(resultName(result))
	}
	defer C.psd_client_builder_free(builder)
	if config.baseURL != nil {
		urlData, urlLen := cPresentString(*config.baseURL)
		if result := C.psd_client_builder_set_base_url(builder, urlData, urlLen); result != C.PSD_RESULT_OK {
			return nil, kind(resultName(result))
		}
	}
	// The setters only store (they fail only on a NULL builder); build checks every value.
	C.psd_client_builder_set_timeout_ms(builder, C.int64_t(config.timeoutMillis))
	C.psd_client_builder_set_max_retries(builder, C.int32_t(config.maxRetries))
	C.psd_client_builder_set_backoff_ms(builder, C.int64_t(config.initialBackoffMillis), C.int64_t(config.maxBackoffMillis))
	C.psd_client_builder_set_max_retry_after_ms(builder, C.int64_t(config.maxRetryAfterMillis))
	var ptr *C.psd_client
	var message *C.psd_string
	if result := C.psd_client_builder_build(builder, &ptr, &message); result != C.PSD_RESULT_OK {
		return nil, configError(result, message)
	}
	c := &Client{ptr: ptr}
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// Session is a created delegation session: redirect the user's browser to AuthorizeURL
// and persist State (and Platform) to check the callback against.
type Session struct {
	AuthorizeURL string
	ExpiresIn    time.Duration
	ExpiresAt    time.Time
	State        string
	Platform     Platform
	CallbackURL  string
}

type sessionConfig struct {
	state *string // nil: generated
}

// SessionOption changes how CreateSession creates a session.
type SessionOption func(*sessionConfig)

// WithState sends state instead of a generated one. Without it, 256 random bits are
// generated; either way Session.State is the state to persist. The service's rules for a
// state (not empty, no "&", …) are checked before anything is sent (ErrInvalidRequest).
func WithState(state string) SessionOption {
	return func(c *sessionConfig) { c.state = &state }
}

// CreateSession asks PostSyncer for an authorize URL for platform that sends the user back
// to callbackURL.
//
// Failures are *APIError values matched with errors.Is (ErrUnauthenticated,
// ErrRateLimited, …). The call ends by the sooner of the client's timeout and ctx's
// deadline, retries and waits included (ErrTimeout, or the error at hand when a retry's
// wait would cross the deadline). When ctx ends first (cancelled, or its deadline passed),
// CreateSession returns at once with an error wrapping ctx.Err(), and the request is
// aborted: nothing keeps running.
func (c *Client) CreateSession(ctx context.Context, platform Platform, callbackURL string, opts ...SessionOption) (Session, error) {
	var config sessionConfig
	for _, opt := range opts {
		opt(&config)
	}
	if err := ctx.Err(); err != nil {
		return Session{}, fmt.Errorf("postsyncer: create session: %w", err)
	}
	var limitMillis *int64 // nil: the client's timeout alone
	if deadline, ok := ctx.Deadline(); ok {
		left := millisRoundedUp(time.Until(deadline))
		if left <= 0 {
			return Session{}, fmt.Errorf("postsyncer: create session: %w", context.DeadlineExceeded)
		}
		limitMillis = &left
	}
	call := newCancellableCall()
	type outcome struct {
		session Session
		err     error
	}
	done := make(chan outcome, 1) // buffered: the goroutine never waits for an abandoned caller
	go func() {
		defer call.free()
		session, err := c.createSessionBlocking(platform, callbackURL, config.state, limitMillis, call.token)
		done <- outcome{session, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			if ctxErr := endedContext(ctx); ctxErr != nil {
				// The call ended at ctx's deadline too: say so, as when ctx ends first.
				return Session{}, fmt.Errorf("postsyncer: create session: %w: %w", ctxErr, o.err)
			}
		}
		return o.session, o.err
	case <-ctx.Done():
		call.cancel() // the Rust call ends at once; the goroutine then frees the token
		return Session{}, fmt.Errorf("postsyncer: create session: %w", ctx.Err())
	}
}

// endedContext is ctx.Err(), or context.DeadlineExceeded once ctx's deadline has passed
// although its timer has not fired yet: the Rust call, bounded by the same deadline, can
// return before Go's timer runs (seen under qemu), and must still read as the deadline.
func endedContext(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok && !time.Now().Before(deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// cancellableCall is one call's psd_cancel_token: cancelled by the caller when its context
// ends, freed by the goroutine once the call returned. The mutex keeps a late cancel from
// touching a freed token.
type cancellableCall struct {
	mu    sync.Mutex
	token *C.psd_cancel_token // nil once freed (or if it could not be made)
}

func newCancellableCall() *cancellableCall {
	call := &cancellableCall{}
	if C.psd_cancel_token_new(&call.token) != C.PSD_RESULT_OK {
		call.token = nil // without a token the call still ends by its deadline
	}
	return call
}

func (call *cancellableCall) cancel() {
	call.mu.Lock()
	defer call.mu.Unlock()
	if call.token != nil {
		C.psd_cancel_token_cancel(call.token)
	}
}

func (call *cancellableCall) free() {
	call.mu.Lock()
	defer call.mu.Unlock()
	C.psd_cancel_token_free(call.token)
	call.token = nil
}

func (c *Client) createSessionBlocking(platform Platform, callbackURL string, state *string, limitMillis *int64,
	token *C.psd_cancel_token) (Session, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return Session{}, ErrClosed
	}
	callbackData, callbackLen := cString(callbackURL)
	var stateData *C.char // NULL: generate one
	var stateLen C.size_t
	if state != nil {
		stateData, stateLen = cPresentString(*state)
	}
	var limit *C.int64_t // NULL: the client's timeout alone
	if limitMillis != nil {
		millis := C.int64_t(*limitMillis) // Go memory without Go pointers: C may read it
		limit = &millis
	}
	var session *C.psd_session
	var apiError *C.psd_api_error
	result := C.psd_client_create_session_within(c.ptr, C.psd_platform(platform), callbackData, callbackLen,
		stateData, stateLen, limit, token, &session, &apiError)
	if result != C.PSD_RESULT_OK {
		if apiError == nil {
			return Session{}, kind(resultName(result))
		}
		return Session{}, takeAPIError(apiError)
	}
	defer C.psd_session_free(session)
	// Every field in one cgo call: each crossing costs more than reading a field.
	var fields C.psd_session_fields
	C.psd_session_view(session, &fields)
	return Session{
		AuthorizeURL: goString(fields.authorize_url),
		ExpiresIn:    time.Duration(fields.expires_in) * time.Second,
		ExpiresAt:    time.Unix(int64(fields.expires_at), 0),
		State:        goString(fields.state),
		Platform:     Platform(fields.platform),
		CallbackURL:  goString(fields.callback_url),
	}, nil
}

// Close releases the client, its connections and worker threads, and wipes the API key.
// It waits for running calls; later calls return ErrClosed. Closing twice is harmless.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	C.psd_client_free(c.ptr)
	c.ptr = nil
	runtime.SetFinalizer(c, nil)
	return nil
}

func takeAPIError(e *C.psd_api_error) *APIError {
	defer C.psd_api_error_free(e)
	return readAPIError(e)
}

// readAPIError copies an API error the caller keeps (or that another object lends).
func readAPIError(e *C.psd_api_error) *APIError {
	var kindView, message C.psd_str
	var status C.uint16_t
	var retryAfterMillis C.int64_t
	var fieldCount C.size_t
	C.psd_api_error_kind(e, &kindView)
	C.psd_api_error_status(e, &status)
	C.psd_api_error_message(e, &message)
	C.psd_api_error_retry_after_ms(e, &retryAfterMillis)
	C.psd_api_error_field_error_count(e, &fieldCount)
	apiError := &APIError{
		Kind:    goString(kindView),
		Status:  int(status),
		Message: goString(message),
	}
	if retryAfterMillis > 0 {
		apiError.RetryAfter = time.Duration(retryAfterMillis) * time.Millisecond
	}
	if fieldCount > 0 {
		apiError.FieldErrors = make(map[string][]string)
		for i := C.size_t(0); i < fieldCount; i++ {
			var field, fieldMessage C.psd_str
			if C.psd_api_error_field_error(e, i, &field, &fieldMessage) == C.PSD_RESULT_OK {
				name := goString(field)
				apiError.FieldErrors[name] = append(apiError.FieldErrors[name], goString(fieldMessage))
			}
		}
	}
	return apiError
}
