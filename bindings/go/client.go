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
	// DefaultTimeout bounds one attempt unless WithTimeout says otherwise.
	DefaultTimeout = time.Duration(C.PSD_DEFAULT_TIMEOUT_MS) * time.Millisecond
	// DefaultMaxRetries is how often a failed attempt is retried unless WithMaxRetries
	// says otherwise.
	DefaultMaxRetries = C.PSD_DEFAULT_MAX_RETRIES
)

type clientConfig struct {
	baseURL       *string // nil: the production API
	timeoutMillis int64
	maxRetries    int32
}

// ClientOption changes a Client's base URL, timeout or retries.
type ClientOption func(*clientConfig)

// WithBaseURL talks to another API base URL than https://postsyncer.com/api (the
// emulator's is http://127.0.0.1:PORT/api).
func WithBaseURL(url string) ClientOption {
	return func(c *clientConfig) { c.baseURL = &url }
}

// WithTimeout bounds one attempt, connection included. A call may take up to
// (retries + 1) attempts plus backoffs; bound the whole call with a context. A part of a
// millisecond counts as a whole one; zero or negative is refused by NewClient
// (ErrInvalidArgument).
func WithTimeout(d time.Duration) ClientOption {
	return func(c *clientConfig) {
		millis := int64(d / time.Millisecond)
		if d%time.Millisecond > 0 {
			millis++ // rounded up: a positive timeout stays positive
		}
		c.timeoutMillis = millis
	}
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
	config := clientConfig{timeoutMillis: C.PSD_DEFAULT_TIMEOUT_MS, maxRetries: C.PSD_DEFAULT_MAX_RETRIES}
	for _, opt := range opts {
		opt(&config)
	}
	keyData, keyLen := cString(apiKey)
	var urlData *C.char // NULL: the production API
	var urlLen C.size_t
	if config.baseURL != nil {
		urlData, urlLen = cPresentString(*config.baseURL)
	}
	var ptr *C.psd_client
	var message *C.psd_string
	result := C.psd_client_new(keyData, keyLen, urlData, urlLen, C.int64_t(config.timeoutMillis),
		C.int32_t(config.maxRetries), &ptr, &message)
	if result != C.PSD_RESULT_OK {
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
// ErrRateLimited, …). When ctx ends first, CreateSession returns at once with an error
// wrapping ctx.Err(); the request itself then ends within the client's timeout.
func (c *Client) CreateSession(ctx context.Context, platform Platform, callbackURL string, opts ...SessionOption) (Session, error) {
	var config sessionConfig
	for _, opt := range opts {
		opt(&config)
	}
	if err := ctx.Err(); err != nil {
		return Session{}, fmt.Errorf("postsyncer: create session: %w", err)
	}
	type outcome struct {
		session Session
		err     error
	}
	done := make(chan outcome, 1) // buffered: the goroutine never waits for an abandoned caller
	go func() {
		session, err := c.createSessionBlocking(platform, callbackURL, config.state)
		done <- outcome{session, err}
	}()
	select {
	case o := <-done:
		return o.session, o.err
	case <-ctx.Done():
		return Session{}, fmt.Errorf("postsyncer: create session: %w", ctx.Err())
	}
}

func (c *Client) createSessionBlocking(platform Platform, callbackURL string, state *string) (Session, error) {
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
	var session *C.psd_session
	var apiError *C.psd_api_error
	result := C.psd_client_create_session(c.ptr, C.psd_platform(platform), callbackData, callbackLen,
		stateData, stateLen, &session, &apiError)
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
