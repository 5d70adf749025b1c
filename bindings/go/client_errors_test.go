package postsyncer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	postsyncer "github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"
)

func TestEveryReachableAPIErrorKind(t *testing.T) {
	cases := []struct {
		name    string
		faults  map[string]any // nil: an API key the emulator does not know
		opts    []postsyncer.ClientOption
		want    error
		status  int
		onError func(t *testing.T, e *postsyncer.APIError)
	}{
		{name: "unauthenticated", want: postsyncer.ErrUnauthenticated, status: 401},
		{name: "forbidden", faults: map[string]any{"status": 403}, want: postsyncer.ErrForbidden, status: 403},
		{name: "not_found", faults: map[string]any{"status": 404}, want: postsyncer.ErrNotFound, status: 404},
		{name: "validation", faults: map[string]any{"status": 422}, want: postsyncer.ErrValidation, status: 422,
			onError: func(t *testing.T, e *postsyncer.APIError) {
				if len(e.FieldErrors) == 0 {
					t.Fatal("a validation error without field errors")
				}
			}},
		{name: "rate_limited", faults: map[string]any{"rate_limit_first": 5, "retry_after": 7}, want: postsyncer.ErrRateLimited, status: 429,
			onError: func(t *testing.T, e *postsyncer.APIError) {
				if e.RetryAfter != 7*time.Second {
					t.Fatalf("RetryAfter %v, want 7s", e.RetryAfter)
				}
			}},
		{name: "server", faults: map[string]any{"fail_first": 5, "fail_status": 503}, want: postsyncer.ErrServer, status: 503},
		{name: "invalid_response", faults: map[string]any{"malformed_json": true}, want: postsyncer.ErrInvalidResponse, status: 200},
		{name: "timeout", faults: map[string]any{"latency_ms": 3000}, opts: []postsyncer.ClientOption{postsyncer.WithTimeout(300 * time.Millisecond)},
			want: postsyncer.ErrTimeout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			apiKey := "ps_test_unknown_key"
			if c.faults != nil {
				apiKey = keyWithFaults(t, c.faults)
			}
			client := newClient(t, apiKey, append([]postsyncer.ClientOption{postsyncer.WithMaxRetries(0)}, c.opts...)...)
			_, err := client.CreateSession(context.Background(), postsyncer.TikTok, callbackURL)
			var apiError *postsyncer.APIError
			if !errors.Is(err, c.want) || !errors.As(err, &apiError) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if apiError.Kind != c.name || apiError.Status != c.status || apiError.Message == "" ||
				strings.Contains(err.Error(), apiKey) {
				t.Fatalf("unexpected error %#v", apiError)
			}
			if c.onError != nil {
				c.onError(t, apiError)
			}
		})
	}
}

func TestInvalidRequestAndTransportNeedNoService(t *testing.T) {
	client, err := postsyncer.NewClient("ps_test_api_key_0001", postsyncer.WithBaseURL("http://127.0.0.1:1/api"), postsyncer.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.CreateSession(context.Background(), postsyncer.TikTok, "/relative"); !errors.Is(err, postsyncer.ErrInvalidRequest) {
		t.Fatalf("relative callback URL: got %v", err)
	}
	// A state given is sent as given: the empty one is refused, never read as "generate one".
	for _, state := range []string{"", "a&state=b"} {
		_, err := client.CreateSession(context.Background(), postsyncer.TikTok, callbackURL, postsyncer.WithState(state))
		var apiError *postsyncer.APIError
		if !errors.Is(err, postsyncer.ErrInvalidRequest) || !errors.As(err, &apiError) || !strings.Contains(apiError.Message, "state") {
			t.Fatalf("state %q: got %v", state, err)
		}
	}
	if _, err := client.CreateSession(context.Background(), postsyncer.TikTok, callbackURL); !errors.Is(err, postsyncer.ErrTransport) {
		t.Fatalf("closed port: got %v", err)
	}
	if _, err := client.CreateSession(context.Background(), postsyncer.Platform(99), callbackURL); !errors.Is(err, postsyncer.ErrInvalidPlatform) {
		t.Fatalf("unknown platform: got %v", err)
	}
}

func TestRetriesUntilTheServiceRecovers(t *testing.T) {
	apiKey := keyWithFaults(t, map[string]any{"fail_first": 2, "fail_status": 503})
	createSession(t, newClient(t, apiKey, postsyncer.WithMaxRetries(2)))
	if n := sessionRequests(t, apiKey); n != 3 {
		t.Fatalf("the emulator saw %d requests, want 3 (two failures, one success)", n)
	}
}

func TestContextDeadlineEndsTheCall(t *testing.T) {
	client := newClient(t, keyWithFaults(t, map[string]any{"latency_ms": 2000}), postsyncer.WithTimeout(5*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := client.CreateSession(ctx, postsyncer.TikTok, callbackURL)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}

	cancelled, cancelNow := context.WithCancel(context.Background())
	cancelNow()
	if _, err := client.CreateSession(cancelled, postsyncer.TikTok, callbackURL); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
