package postsyncer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	postsyncer "github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"
)

// The client's timeout bounds the whole call: a 429 asking for 5 s against a 2 s timeout
// is ErrRateLimited at once (before: 10 s, two 5 s waits on top of the attempts).
func TestTimeoutIsADeadlineForTheWholeCall(t *testing.T) {
	key := keyWithFaults(t, map[string]any{"rate_limit_first": 5, "retry_after": 5})
	client := newClient(t, key, postsyncer.WithTimeout(2*time.Second))
	started := time.Now()
	_, err := client.CreateSession(context.Background(), postsyncer.TikTok, callbackURL)
	var apiError *postsyncer.APIError
	if !errors.Is(err, postsyncer.ErrRateLimited) || !errors.As(err, &apiError) || apiError.RetryAfter != 5*time.Second {
		t.Fatalf("got %v, want ErrRateLimited with RetryAfter 5s", err)
	}
	if took := time.Since(started); took > 2500*time.Millisecond {
		t.Fatalf("took %v, more than the 2 s timeout", took)
	}
	if n := sessionRequests(t, key); n != 1 {
		t.Fatalf("%d requests, want 1: the 5 s wait must not be taken", n)
	}
}

// A context deadline bounds the Rust call itself, not only the wait in Go: Close, which
// waits for running calls, returns at once after CreateSession did. Before, the request
// ran on until the client's timeout (here 30 s; the emulator answers after 5 s).
func TestContextDeadlineBoundsTheRustCall(t *testing.T) {
	client := newClient(t, keyWithFaults(t, map[string]any{"latency_ms": 5000}), postsyncer.WithTimeout(30*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	started := time.Now()
	_, err := client.CreateSession(ctx, postsyncer.TikTok, callbackURL)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(started); took > 2*time.Second {
		t.Fatalf("CreateSession and Close took %v: the request outlived the context's deadline", took)
	}
}

// The deadline reaches Rust even when Go is not waiting on ctx.Done first: against a 429
// asking for 5 s, a 1 s context deadline (shorter than the client's 30 s timeout) ends the
// call at once with the rate limit, the wait not taken.
func TestContextDeadlineIsTheCallsDeadline(t *testing.T) {
	key := keyWithFaults(t, map[string]any{"rate_limit_first": 5, "retry_after": 5})
	client := newClient(t, key, postsyncer.WithTimeout(30*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	started := time.Now()
	_, err := client.CreateSession(ctx, postsyncer.TikTok, callbackURL)
	if !errors.Is(err, postsyncer.ErrRateLimited) {
		t.Fatalf("got %v, want ErrRateLimited", err)
	}
	if took := time.Since(started); took > 900*time.Millisecond {
		t.Fatalf("took %v: the call waited instead of returning at once", took)
	}
	if n := sessionRequests(t, key); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// Cancelling the context aborts the Rust call too: Close returns at once.
func TestCancelledContextAbortsTheRustCall(t *testing.T) {
	client := newClient(t, keyWithFaults(t, map[string]any{"latency_ms": 5000}), postsyncer.WithTimeout(30*time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	started := time.Now()
	_, err := client.CreateSession(ctx, postsyncer.TikTok, callbackURL)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(started); took > 2*time.Second {
		t.Fatalf("CreateSession and Close took %v: the request outlived the cancelled context", took)
	}
}

func TestRetryOptions(t *testing.T) {
	// A Retry-After beyond the cap is returned at once, within a long timeout.
	key := keyWithFaults(t, map[string]any{"rate_limit_first": 5, "retry_after": 3})
	client := newClient(t, key, postsyncer.WithTimeout(30*time.Second), postsyncer.WithMaxRetryAfter(time.Second))
	started := time.Now()
	if _, err := client.CreateSession(context.Background(), postsyncer.TikTok, callbackURL); !errors.Is(err, postsyncer.ErrRateLimited) {
		t.Fatalf("got %v, want ErrRateLimited", err)
	}
	if took := time.Since(started); took > 2*time.Second || sessionRequests(t, key) != 1 {
		t.Fatalf("took %v with %d requests: the 3 s wait beyond the 1 s cap was taken", took, sessionRequests(t, key))
	}

	// Quick backoffs: three 503s and a success within a short timeout.
	key = keyWithFaults(t, map[string]any{"fail_first": 3, "fail_status": 503})
	client = newClient(t, key, postsyncer.WithMaxRetries(3), postsyncer.WithBackoff(time.Millisecond, 5*time.Millisecond),
		postsyncer.WithTimeout(2*time.Second))
	if _, err := client.CreateSession(context.Background(), postsyncer.TikTok, callbackURL); err != nil {
		t.Fatal(err)
	}
	if n := sessionRequests(t, key); n != 4 {
		t.Fatalf("%d requests, want 4", n)
	}

	if postsyncer.DefaultInitialBackoff != 200*time.Millisecond || postsyncer.DefaultMaxBackoff != 5*time.Second ||
		postsyncer.DefaultMaxRetryAfter != 30*time.Second {
		t.Fatalf("defaults %v %v %v", postsyncer.DefaultInitialBackoff, postsyncer.DefaultMaxBackoff, postsyncer.DefaultMaxRetryAfter)
	}
	for _, opt := range []postsyncer.ClientOption{
		postsyncer.WithMaxRetryAfter(-time.Second),
		postsyncer.WithBackoff(-time.Millisecond, time.Second),
		postsyncer.WithBackoff(time.Millisecond, -time.Second),
	} {
		if client, err := postsyncer.NewClient("ps_test_api_key_0001", opt); client != nil || !errors.Is(err, postsyncer.ErrInvalidArgument) {
			t.Fatalf("a negative duration: got %v, %v", client, err)
		}
	}
}
