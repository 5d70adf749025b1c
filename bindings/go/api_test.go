package postsyncer_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	postsyncer "github.com/postsyncer/postsyncer-delegation/bindings/go"
)

const testSecret = "ps_test_signing_secret_0001"

func TestConfigurationErrors(t *testing.T) {
	_, err := postsyncer.NewVerifier(nil)
	var configError *postsyncer.ConfigError
	if !errors.Is(err, postsyncer.ErrNoSecret) || !errors.As(err, &configError) || configError.Message == "" {
		t.Fatalf("no secrets: got %v", err)
	}
	_, err = postsyncer.NewVerifier([]string{"keep_this_private", ""})
	if !errors.Is(err, postsyncer.ErrEmptySecret) || !strings.Contains(err.Error(), "#1") || strings.Contains(err.Error(), "keep_this_private") {
		t.Fatalf("empty secret: got %v", err)
	}
	if _, err := postsyncer.NewVerifier([]string{"\xff"}); !errors.Is(err, postsyncer.ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8: got %v", err)
	}
	if _, err := postsyncer.NewClient(""); !errors.Is(err, postsyncer.ErrEmptyAPIKey) {
		t.Fatalf("empty API key: got %v", err)
	}
	if _, err := postsyncer.NewClient("ps_test_api_key_0001", postsyncer.WithBaseURL("ftp://example.com/api")); !errors.Is(err, postsyncer.ErrInvalidArgument) {
		t.Fatalf("ftp base URL: got %v", err)
	}
	if _, err := postsyncer.SignProof("", postsyncer.Proof{Platform: postsyncer.TikTok, PlatformID: "a", State: "s"}); !errors.Is(err, postsyncer.ErrEmptySecret) {
		t.Fatalf("empty signing secret: got %v", err)
	}
}

func TestPlatformNames(t *testing.T) {
	want := []string{"tiktok", "instagram", "twitter", "linkedin", "youtube", "facebook", "pinterest", "threads"}
	for i, platform := range postsyncer.Platforms {
		if platform.String() != want[i] {
			t.Fatalf("%d is %q, want %q", platform, platform, want[i])
		}
		if parsed, err := postsyncer.ParsePlatform(want[i]); err != nil || parsed != platform {
			t.Fatalf("ParsePlatform(%q) = %v, %v", want[i], parsed, err)
		}
	}
	for _, name := range []string{"TikTok", "x", "bluesky", ""} {
		if _, err := postsyncer.ParsePlatform(name); !errors.Is(err, postsyncer.ErrInvalidPlatform) {
			t.Fatalf("ParsePlatform(%q): got %v", name, err)
		}
	}
}

func TestSignedProofsRoundTrip(t *testing.T) {
	state, err := postsyncer.GenerateState()
	if err != nil || len(state) != 43 || strings.ContainsAny(state, "&=+") {
		t.Fatalf("GenerateState: %q, %v", state, err)
	}
	if other, _ := postsyncer.GenerateState(); other == state {
		t.Fatal("two generated states are equal")
	}
	want := postsyncer.Proof{Platform: postsyncer.X, PlatformID: "12345", Handle: "a&b=c+d%e ü", State: state,
		Expires: time.Now().Add(5 * time.Minute).Truncate(time.Second)}
	query, err := postsyncer.SignProof(testSecret, want)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := postsyncer.NewVerifier([]string{"an_old_secret", testSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer verifier.Close()
	got, err := verifier.Verify("https://app.example/cb?"+query, state, postsyncer.ExpectPlatform(postsyncer.X))
	if err != nil || got.Platform != want.Platform || got.PlatformID != want.PlatformID || got.Handle != want.Handle ||
		got.State != want.State || !got.Expires.Equal(want.Expires) {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	if _, err := verifier.Verify(query, state, postsyncer.ExpectPlatform(postsyncer.TikTok)); !errors.Is(err, postsyncer.ErrPlatformMismatch) {
		t.Fatalf("expected platform: got %v", err)
	}
	if _, err := verifier.Verify(query, state, postsyncer.At(want.Expires.Add(time.Second))); !errors.Is(err, postsyncer.ErrExpired) {
		t.Fatalf("later clock: got %v", err)
	}
}

func TestClosedObjectsRefuseCalls(t *testing.T) {
	verifier, err := postsyncer.NewVerifier([]string{testSecret})
	if err != nil {
		t.Fatal(err)
	}
	_ = verifier.Close()
	_ = verifier.Close()
	if _, err := verifier.Verify("platform=tiktok", "s"); !errors.Is(err, postsyncer.ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
}
