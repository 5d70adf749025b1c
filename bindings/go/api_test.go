package postsyncer_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	postsyncer "github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"
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

// Numbers go to the core as they are: it, not this package, refuses them, with the same
// kind and message as in every other language. A negative value never means "the default".
func TestTheCoreRefusesBadNumbers(t *testing.T) {
	verifierCases := []struct {
		name  string
		opt   postsyncer.VerifierOption
		named string
	}{
		{"negative leeway", postsyncer.WithLeeway(-time.Second), "leeway_seconds"},
		{"leeway less than a second below zero", postsyncer.WithLeeway(-time.Millisecond), "leeway_seconds"},
		{"negative max lifetime", postsyncer.WithMaxLifetime(-time.Hour), "max_lifetime_seconds"},
	}
	for _, c := range verifierCases {
		verifier, err := postsyncer.NewVerifier([]string{testSecret}, c.opt)
		var configError *postsyncer.ConfigError
		if verifier != nil || !errors.Is(err, postsyncer.ErrInvalidArgument) || !errors.As(err, &configError) ||
			configError.Kind != "invalid_argument" || !strings.Contains(configError.Message, c.named) {
			t.Errorf("%s: got %v, %v", c.name, verifier, err)
		}
	}

	clientCases := []struct {
		name  string
		opt   postsyncer.ClientOption
		named string
	}{
		{"zero timeout", postsyncer.WithTimeout(0), "timeout"},
		{"negative timeout", postsyncer.WithTimeout(-time.Second), "timeout"},
		{"timeout less than a millisecond below zero", postsyncer.WithTimeout(-time.Microsecond), "timeout"},
		{"negative retries", postsyncer.WithMaxRetries(-1), "max_retries"},
		{"the most retries an int holds", postsyncer.WithMaxRetries(math.MaxInt), "max_retries"},
		{"the fewest retries an int holds", postsyncer.WithMaxRetries(math.MinInt), "max_retries"},
		{"empty base URL", postsyncer.WithBaseURL(""), "base_url"},
	}
	for _, c := range clientCases {
		client, err := postsyncer.NewClient("ps_test_api_key_0001", c.opt)
		var configError *postsyncer.ConfigError
		if client != nil || !errors.Is(err, postsyncer.ErrInvalidArgument) || !errors.As(err, &configError) ||
			!strings.Contains(configError.Message, c.named) || strings.Contains(err.Error(), "ps_test_api_key_0001") {
			t.Errorf("%s: got %v, %v", c.name, client, err)
		}
	}
}

func TestDefaultsAreTheCAPIs(t *testing.T) {
	if postsyncer.DefaultLeeway != 0 || postsyncer.DefaultMaxLifetime != time.Hour ||
		postsyncer.DefaultTimeout != 10*time.Second || postsyncer.DefaultMaxRetries != 2 {
		t.Fatalf("defaults %v %v %v %v", postsyncer.DefaultLeeway, postsyncer.DefaultMaxLifetime,
			postsyncer.DefaultTimeout, postsyncer.DefaultMaxRetries)
	}
	client, err := postsyncer.NewClient("ps_test_api_key_0001", postsyncer.WithTimeout(postsyncer.DefaultTimeout),
		postsyncer.WithMaxRetries(postsyncer.DefaultMaxRetries), postsyncer.WithTimeout(time.Nanosecond))
	if err != nil {
		t.Fatalf("the defaults and a positive timeout below a millisecond: %v", err)
	}
	_ = client.Close()

	// The default bound is DefaultMaxLifetime: an expiry exactly that far ahead verifies,
	// one second more does not.
	verifier, err := postsyncer.NewVerifier([]string{testSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer verifier.Close()
	now := time.Unix(1_716_999_940, 0)
	for _, c := range []struct {
		ahead time.Duration
		want  error
	}{{postsyncer.DefaultMaxLifetime, nil}, {postsyncer.DefaultMaxLifetime + time.Second, postsyncer.ErrExpiryTooFar}} {
		query := signedQuery(t, "a1b2c3d4", now.Add(c.ahead))
		if _, err := verifier.Verify(query, "a1b2c3d4", postsyncer.At(now)); !errors.Is(err, c.want) {
			t.Fatalf("expiry %v ahead: got %v, want %v", c.ahead, err, c.want)
		}
	}
}

func TestWithoutMaxLifetimeAcceptsAnyExpiryAhead(t *testing.T) {
	now := time.Unix(1_716_999_940, 0)
	query := signedQuery(t, "a1b2c3d4", now.AddDate(10, 0, 0))
	bounded, err := postsyncer.NewVerifier([]string{testSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer bounded.Close()
	if _, err := bounded.Verify(query, "a1b2c3d4", postsyncer.At(now)); !errors.Is(err, postsyncer.ErrExpiryTooFar) {
		t.Fatalf("default bound: got %v", err)
	}
	// The last option wins: a bound then no bound is no bound.
	unbounded, err := postsyncer.NewVerifier([]string{testSecret}, postsyncer.WithMaxLifetime(time.Minute),
		postsyncer.WithoutMaxLifetime())
	if err != nil {
		t.Fatal(err)
	}
	defer unbounded.Close()
	proof, err := unbounded.Verify(query, "a1b2c3d4", postsyncer.At(now), postsyncer.ExpectPlatform(postsyncer.TikTok))
	if err != nil || !proof.Expires.Equal(now.AddDate(10, 0, 0)) {
		t.Fatalf("no bound: got %+v, %v", proof, err)
	}
}

// signedQuery is a TikTok proof for _000abc/jane with this state and expiry.
func signedQuery(t *testing.T, state string, expires time.Time) string {
	t.Helper()
	query, err := postsyncer.SignProof(testSecret, postsyncer.Proof{
		Platform: postsyncer.TikTok, PlatformID: "_000abc", Handle: "jane", State: state, Expires: expires})
	if err != nil {
		t.Fatal(err)
	}
	return query
}

// The linked library is this module's release (scripts/check-versions keeps ModuleVersion
// equal to Cargo.toml's version): a prebuilt library left over from another release fails here.
func TestVersionIsTheModules(t *testing.T) {
	if got := postsyncer.Version(); got != postsyncer.ModuleVersion {
		t.Fatalf("Version() = %q, ModuleVersion = %q", got, postsyncer.ModuleVersion)
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

func TestPlatformTextIsTheWireName(t *testing.T) {
	want := []string{"tiktok", "instagram", "twitter", "linkedin", "youtube", "facebook", "pinterest", "threads"}
	for i, platform := range postsyncer.Platforms {
		text, err := platform.MarshalText()
		if err != nil || string(text) != want[i] {
			t.Fatalf("MarshalText(%d) = %q, %v; want %q", uint32(platform), text, err, want[i])
		}
		var back postsyncer.Platform
		if err := back.UnmarshalText(text); err != nil || back != platform {
			t.Fatalf("UnmarshalText(%q) = %v, %v", text, back, err)
		}
	}
	for _, name := range []string{"TikTok", "x", "X", "bluesky", ""} {
		platform := postsyncer.Threads
		if err := platform.UnmarshalText([]byte(name)); !errors.Is(err, postsyncer.ErrInvalidPlatform) || platform != postsyncer.Threads {
			t.Fatalf("UnmarshalText(%q): got %v, %v", name, platform, err)
		}
	}
	for _, platform := range []postsyncer.Platform{0, 9, 99} {
		if text, err := platform.MarshalText(); !errors.Is(err, postsyncer.ErrInvalidPlatform) || text != nil {
			t.Fatalf("MarshalText(%d): got %q, %v", uint32(platform), text, err)
		}
	}
}

func TestPlatformJSONRoundTrip(t *testing.T) {
	type stored struct {
		Platform postsyncer.Platform            `json:"platform"`
		Accounts map[postsyncer.Platform]string `json:"accounts"`
		Linked   []postsyncer.Platform          `json:"linked"`
	}
	in := stored{
		Platform: postsyncer.X,
		Accounts: map[postsyncer.Platform]string{postsyncer.TikTok: "_000abc", postsyncer.X: "12345"},
		Linked:   []postsyncer.Platform{postsyncer.YouTube, postsyncer.Threads},
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	const wantJSON = `{"platform":"twitter","accounts":{"tiktok":"_000abc","twitter":"12345"},"linked":["youtube","threads"]}`
	if string(data) != wantJSON {
		t.Fatalf("json.Marshal = %s, want %s", data, wantJSON)
	}
	var out stored
	if err := json.Unmarshal(data, &out); err != nil || out.Platform != in.Platform || len(out.Accounts) != 2 ||
		out.Accounts[postsyncer.X] != "12345" || out.Accounts[postsyncer.TikTok] != "_000abc" ||
		len(out.Linked) != 2 || out.Linked[0] != postsyncer.YouTube || out.Linked[1] != postsyncer.Threads {
		t.Fatalf("json.Unmarshal = %+v, %v", out, err)
	}

	if err := json.Unmarshal([]byte(`{"platform":"x"}`), &out); !errors.Is(err, postsyncer.ErrInvalidPlatform) {
		t.Fatalf("unknown name: got %v", err)
	}
	if err := json.Unmarshal([]byte(`{"platform":3}`), &out); err == nil {
		t.Fatal("a number was accepted as a platform")
	}
	if _, err := json.Marshal(stored{Platform: postsyncer.Platform(42)}); !errors.Is(err, postsyncer.ErrInvalidPlatform) {
		t.Fatalf("marshalling an invalid platform: got %v", err)
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
