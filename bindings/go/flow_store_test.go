package postsyncer_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	postsyncer "github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"
)

// redisURL is the redis-server scripts/test-go started (scripts/lib/redis.sh). Without one
// the Redis tests skip, except under CI, where a missing server is a failure.
func redisURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("PSD_REDIS_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PSD_REDIS_URL is not set under CI: scripts/test-go starts redis-server")
		}
		t.Skip("PSD_REDIS_URL is not set (scripts/test-go starts redis-server)")
	}
	return url
}

// mapStore is an application's own Store: a map under a mutex, taking once.
type mapStore struct {
	mu      sync.Mutex
	records map[string]string
	fail    error
	panics  bool
}

func newMapStore() *mapStore { return &mapStore{records: map[string]string{}} }

func (s *mapStore) Put(key, record string, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.panics {
		panic("the test store panics")
	}
	if s.fail != nil {
		return s.fail
	}
	if _, taken := s.records[key]; taken || ttl < time.Second {
		return errors.New("key in use, or no ttl")
	}
	s.records[key] = record
	return nil
}

func (s *mapStore) Take(key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.panics {
		panic("the test store panics")
	}
	if s.fail != nil {
		return "", false, s.fail
	}
	record, found := s.records[key]
	delete(s.records, key)
	return record, found, nil
}

// stores makes each kind of store, by name, failing (or skipping) the test given.
func stores() map[string]func(t *testing.T) postsyncer.FlowStore {
	return map[string]func(t *testing.T) postsyncer.FlowStore{
		"memory": func(t *testing.T) postsyncer.FlowStore {
			store, err := postsyncer.NewMemoryStore(postsyncer.DefaultMemoryStoreCapacity)
			if err != nil {
				t.Fatal(err)
			}
			return store
		},
		"redis": func(t *testing.T) postsyncer.FlowStore {
			store, err := postsyncer.NewRedisStore(redisURL(t), postsyncer.WithKeyPrefix("psd-go-test:"))
			if err != nil {
				t.Fatal(err)
			}
			return store
		},
		"app": func(t *testing.T) postsyncer.FlowStore {
			store, err := postsyncer.NewAppStore(newMapStore())
			if err != nil {
				t.Fatal(err)
			}
			return store
		},
	}
}

func newFlow(t *testing.T, store postsyncer.FlowStore, opts ...postsyncer.FlowOption) *postsyncer.Flow {
	t.Helper()
	flow, err := postsyncer.NewFlow(newClient(t, emulator.apiKey), emulatorVerifier(t), store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = flow.Close() })
	return flow
}

// beginAndDecide begins a flow for subject and sends the browser through the consent page.
func beginAndDecide(t *testing.T, flow *postsyncer.Flow, subject, decision string, opts ...postsyncer.BeginOption) (postsyncer.Begun, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	begun, err := flow.Begin(ctx, postsyncer.TikTok, callbackURL, subject, opts...)
	if err != nil {
		t.Fatal(err)
	}
	status, callback := decide(t, begun.AuthorizeURL, decision)
	if status != http.StatusSeeOther {
		t.Fatalf("%s: status %d", decision, status)
	}
	return begun, callback
}

func wantFlowError(t *testing.T, err, want error) {
	t.Helper()
	var flowError *postsyncer.FlowError
	if !errors.Is(err, want) || !errors.As(err, &flowError) || flowError.Message == "" {
		t.Fatalf("got %v, want %v as a *FlowError", err, want)
	}
}

func TestFlowOnEachStore(t *testing.T) {
	for name, makeStore := range stores() {
		t.Run(name, func(t *testing.T) {
			store := makeStore(t)
			flow := newFlow(t, store)
			_ = store.(interface{ Close() error }).Close() // the flow keeps its own reference

			begun, callback := beginAndDecide(t, flow, "session-42", "approve", postsyncer.WithMetadata("return_to=/settings"))
			if !strings.HasPrefix(begun.AuthorizeURL, emulator.url+"/oauth/delegate?request=psd_") ||
				len(begun.State) != 43 || begun.ExpiresIn != 900*time.Second {
				t.Fatalf("unexpected begun flow %+v", begun)
			}
			completed, err := flow.Complete(callback, "session-42")
			if err != nil {
				t.Fatal(err)
			}
			if completed.Metadata == nil || *completed.Metadata != "return_to=/settings" || completed.Proof.PlatformID != "_000abc" ||
				completed.Proof.Platform != postsyncer.TikTok || completed.Proof.State != begun.State {
				t.Fatalf("unexpected completion %+v", completed)
			}

			// The record was taken: the same callback again finds nothing.
			_, err = flow.Complete(callback, "session-42")
			wantFlowError(t, err, postsyncer.ErrStateNotFound)

			// Begun in one browser, completed in another; the state is spent either way.
			_, callback = beginAndDecide(t, flow, "session-attacker", "approve")
			_, err = flow.Complete(callback, "session-victim")
			wantFlowError(t, err, postsyncer.ErrSubjectMismatch)
			if strings.Contains(err.Error(), "session-victim") || strings.Contains(err.Error(), "session-attacker") {
				t.Fatalf("the message shows a subject: %v", err)
			}
			_, err = flow.Complete(callback, "session-attacker")
			wantFlowError(t, err, postsyncer.ErrStateNotFound)

			// No metadata comes back as none, and empty metadata as empty; a denial is the
			// callback's *VerifyError.
			_, callback = beginAndDecide(t, flow, "session-8", "approve")
			if completed, err := flow.Complete(callback, "session-8"); err != nil || completed.Metadata != nil {
				t.Fatalf("got %+v, %v", completed, err)
			}
			_, callback = beginAndDecide(t, flow, "session-10", "approve", postsyncer.WithMetadata(""))
			if completed, err := flow.Complete(callback, "session-10"); err != nil ||
				completed.Metadata == nil || *completed.Metadata != "" {
				t.Fatalf("got %+v, %v", completed, err)
			}
			_, callback = beginAndDecide(t, flow, "session-9", "deny")
			_, err = flow.Complete(callback, "session-9")
			var verifyError *postsyncer.VerifyError
			if !errors.Is(err, postsyncer.ErrAuthorizationDenied) || !errors.As(err, &verifyError) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestFlowConcurrentCompletionsOfOneCallbackSucceedOnce(t *testing.T) {
	for name, makeStore := range stores() {
		t.Run(name, func(t *testing.T) {
			store := makeStore(t)
			flow := newFlow(t, store)
			_ = store.(interface{ Close() error }).Close()
			_, callback := beginAndDecide(t, flow, "session-1", "approve")
			const goroutines = 32
			errs := make(chan error, goroutines)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := 0; i < goroutines; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, err := flow.Complete(callback, "session-1")
					errs <- err
				}()
			}
			close(start)
			wg.Wait()
			close(errs)
			successes := 0
			for err := range errs {
				switch {
				case err == nil:
					successes++
				case !errors.Is(err, postsyncer.ErrStateNotFound):
					t.Errorf("unexpected error %v", err)
				}
			}
			if successes != 1 {
				t.Fatalf("%d of %d completions succeeded, want exactly 1", successes, goroutines)
			}
		})
	}
}

func TestFlowRedisUnreachableIsStoreUnavailable(t *testing.T) {
	redisURL(t) // the same rule as the other Redis tests
	// Nothing listens on port 1.
	store, err := postsyncer.NewRedisStore("redis://127.0.0.1:1/",
		postsyncer.WithConnectTimeout(300*time.Millisecond), postsyncer.WithCommandTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	flow := newFlow(t, store)
	_, err = flow.Begin(context.Background(), postsyncer.TikTok, callbackURL, "session-1")
	wantFlowError(t, err, postsyncer.ErrStoreUnavailable)
	_, err = flow.Complete("?platform=tiktok&state=abc&sig=x", "session-1")
	wantFlowError(t, err, postsyncer.ErrStoreUnavailable)

	_, err = postsyncer.NewRedisStore("http://:hunter2@127.0.0.1/")
	var configError *postsyncer.ConfigError
	if !errors.Is(err, postsyncer.ErrInvalidArgument) || !errors.As(err, &configError) ||
		strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("got %v", err)
	}
	if _, err = postsyncer.NewRedisStore(redisURL(t), postsyncer.WithCommandTimeout(0)); !errors.Is(err, postsyncer.ErrInvalidArgument) {
		t.Fatalf("got %v", err)
	}
}

func TestFlowAppStoreFailuresAreStoreUnavailable(t *testing.T) {
	mine := newMapStore()
	store, err := postsyncer.NewAppStore(mine)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	flow := newFlow(t, store)

	mine.fail = errors.New("the test database is down")
	_, err = flow.Begin(context.Background(), postsyncer.TikTok, callbackURL, "session-1")
	wantFlowError(t, err, postsyncer.ErrStoreUnavailable)
	if !strings.Contains(err.Error(), "the test database is down") {
		t.Fatalf("the store's error is not quoted: %v", err)
	}
	_, err = flow.Complete("?platform=tiktok&state=abc&sig=x", "session-1")
	wantFlowError(t, err, postsyncer.ErrStoreUnavailable)

	// A panicking Store fails the call; the process lives on.
	mine.fail, mine.panics = nil, true
	_, err = flow.Complete("?platform=tiktok&state=abc&sig=x", "session-1")
	wantFlowError(t, err, postsyncer.ErrStoreUnavailable)
	if !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("got %v", err)
	}
}

func TestFlowArguments(t *testing.T) {
	for _, capacity := range []int{0, -1} {
		if _, err := postsyncer.NewMemoryStore(capacity); !errors.Is(err, postsyncer.ErrInvalidArgument) {
			t.Fatalf("capacity %d: got %v", capacity, err)
		}
	}
	if _, err := postsyncer.NewFlow(newClient(t, emulator.apiKey), emulatorVerifier(t), nil,
		postsyncer.WithMaxPending(0)); !errors.Is(err, postsyncer.ErrInvalidArgument) {
		t.Fatalf("got %v", err)
	}
	flow := newFlow(t, nil) // nil: a memory store of the default capacity
	_, err := flow.Begin(context.Background(), postsyncer.TikTok, callbackURL, "")
	wantFlowError(t, err, postsyncer.ErrInvalidArgument)
	if _, err := flow.Complete("?platform=tiktok", "s"); !errors.Is(err, postsyncer.ErrMissingParameter) {
		t.Fatalf("got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := flow.Begin(ctx, postsyncer.TikTok, callbackURL, "s"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}

	closedStore, err := postsyncer.NewMemoryStore(8)
	if err != nil {
		t.Fatal(err)
	}
	_ = closedStore.Close()
	if _, err := postsyncer.NewFlow(newClient(t, emulator.apiKey), emulatorVerifier(t), closedStore); !errors.Is(err, postsyncer.ErrClosed) {
		t.Fatalf("got %v", err)
	}
	var none *postsyncer.RedisStore
	if _, err := postsyncer.NewFlow(newClient(t, emulator.apiKey), emulatorVerifier(t), none); !errors.Is(err, postsyncer.ErrClosed) {
		t.Fatalf("got %v", err)
	}
	_ = flow.Close()
	if _, err := flow.Complete("?state=x", "s"); !errors.Is(err, postsyncer.ErrClosed) {
		t.Fatalf("got %v", err)
	}
	if _, err := flow.Begin(context.Background(), postsyncer.TikTok, callbackURL, "s"); !errors.Is(err, postsyncer.ErrClosed) {
		t.Fatalf("got %v", err)
	}
}
