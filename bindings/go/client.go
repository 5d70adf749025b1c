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

// Client creates delegation sessions with PostSyncer's API. Build one per API key and
// share it: it is safe for concurrent use and reuses connections.
type Client struct {
	mu  sync.RWMutex // held for reading during calls, for writing by Close
	ptr *C.psd_client
}

type clientConfig struct {
	baseURL    string
	timeout    time.Duration
	maxRetries int
}

// ClientOption changes a Client's base URL, timeout or retries.
type ClientOption func(*clientConfig)

// WithBaseURL talks to another API base URL than https://postsyncer.com/api (the
// emulator's is http://127.0.0.1:PORT/api).
func WithBaseURL(url string) ClientOption {
	return func(c *clientConfig) { c.baseURL = url }
}

// WithTimeout bounds one attempt, connection included (default 10 s). A call may take
// up to (retries + 1) attempts plus backoffs; bound the whole call with a context.
func WithTimeout(d time.Duration) ClientOption {
	return func(c *clientConfig) { c.timeout = d }
}

// WithMaxRetries sets how often a failed attempt (transport error, 429, 502/503/504) is
// retried (default 2; 0 turns retrying off).
func WithMaxRetries(n int) ClientOption {
	return func(c *clientConfig) { c.maxRetries = n }
}

// NewClient builds a client for this API key (server-side only). An empty key or a bad
// option is a *ConfigError (ErrEmptyAPIKey, ErrInvalidArgument).
func NewClient(apiKey string, opts ...ClientOption) (*Client, error) {
	config := clientConfig{maxRetries: -1}
	for _, opt := range opts {
		opt(&config)
	}
	if config.timeout < 0 || config.maxRetries > 1<<30 {
		return nil, &ConfigError{Kind: "invalid_argument", Message: "the timeout must not be negative and the retries must be few"}
	}
	timeoutMillis := (config.timeout + time.Millisecond - 1) / time.Millisecond // 0: the default
	keyData, keyLen := cString(apiKey)
	var urlData *C.char // NULL: the production API
	var urlLen C.size_t
	if config.baseURL != "" {
		urlData, urlLen = cString(config.baseURL)
	}
	var ptr *C.psd_client
	var message *C.psd_string
	result := C.psd_client_new(keyData, keyLen, urlData, urlLen, C.uint64_t(timeoutMillis),
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

// CreateSession asks PostSyncer for an authorize URL for platform that sends the user back
// to callbackURL. An empty state has 256 random bits generated (Session.State).
//
// Failures are *APIError values matched with errors.Is (ErrUnauthenticated,
// ErrRateLimited, …). When ctx ends first, CreateSession returns at once with an error
// wrapping ctx.Err(); the request itself then ends within the client's timeout.
func (c *Client) CreateSession(ctx context.Context, platform Platform, callbackURL, state string) (Session, error) {
	if err := ctx.Err(); err != nil {
		return Session{}, fmt.Errorf("postsyncer: create session: %w", err)
	}
	type outcome struct {
		session Session
		err     error
	}
	done := make(chan outcome, 1) // buffered: the goroutine never waits for an abandoned caller
	go func() {
		session, err := c.createSessionBlocking(platform, callbackURL, state)
		done <- outcome{session, err}
	}()
	select {
	case o := <-done:
		return o.session, o.err
	case <-ctx.Done():
		return Session{}, fmt.Errorf("postsyncer: create session: %w", ctx.Err())
	}
}

func (c *Client) createSessionBlocking(platform Platform, callbackURL, state string) (Session, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return Session{}, ErrClosed
	}
	callbackData, callbackLen := cString(callbackURL)
	var stateData *C.char // NULL: generate one
	var stateLen C.size_t
	if state != "" {
		stateData, stateLen = cString(state)
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
	var authorizeURL, sessionState, sessionCallback C.psd_str
	var expiresIn C.uint64_t
	var expiresAt C.int64_t
	var sessionPlatform C.psd_platform
	C.psd_session_authorize_url(session, &authorizeURL)
	C.psd_session_expires_in(session, &expiresIn)
	C.psd_session_expires_at(session, &expiresAt)
	C.psd_session_state(session, &sessionState)
	C.psd_session_platform(session, &sessionPlatform)
	C.psd_session_callback_url(session, &sessionCallback)
	return Session{
		AuthorizeURL: goString(authorizeURL),
		ExpiresIn:    time.Duration(expiresIn) * time.Second,
		ExpiresAt:    time.Unix(int64(expiresAt), 0),
		State:        goString(sessionState),
		Platform:     Platform(sessionPlatform),
		CallbackURL:  goString(sessionCallback),
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
