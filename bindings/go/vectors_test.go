package postsyncer_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	postsyncer "github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"
)

type vectorCase struct {
	Name             string          `json:"name"`
	Input            string          `json:"input"`
	Secrets          []string        `json:"secrets"`
	ExpectedState    string          `json:"expected_state"`
	ExpectedPlatform string          `json:"expected_platform"`
	Leeway           int64           `json:"leeway"`
	MaxLifetime      json.RawMessage `json:"max_lifetime"` // absent: the default; null: no bound
	Now              int64           `json:"now"`
	Result           struct {
		OK *struct {
			Platform   string `json:"platform"`
			PlatformID string `json:"platform_id"`
			Handle     string `json:"handle"`
			State      string `json:"state"`
			Expires    int64  `json:"expires"`
		} `json:"ok"`
		Error     string `json:"error"`
		Parameter string `json:"parameter"`
		Code      string `json:"code"`
	} `json:"result"`
}

func loadVectors(t *testing.T) []vectorCase {
	t.Helper()
	// The project's vectors, or the differential test's generated cases (PSD_VECTORS).
	path := os.Getenv("PSD_VECTORS")
	if path == "" {
		path = filepath.Join("..", "..", "tests", "vectors", "verify.json")
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format string       `json:"format"`
		Cases  []vectorCase `json:"cases"`
	}
	if err := json.Unmarshal(text, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format != "postsyncer-delegation/verify-vectors/v1" || len(doc.Cases) < 60 {
		t.Fatalf("unexpected vector file: format %q, %d cases", doc.Format, len(doc.Cases))
	}
	return doc.Cases
}

func verifierFor(t *testing.T, c vectorCase) *postsyncer.Verifier {
	t.Helper()
	opts := []postsyncer.VerifierOption{postsyncer.WithLeeway(time.Duration(c.Leeway) * time.Second)}
	if len(c.MaxLifetime) > 0 {
		var seconds *int64
		if err := json.Unmarshal(c.MaxLifetime, &seconds); err != nil {
			t.Fatal(err)
		}
		if seconds == nil {
			opts = append(opts, postsyncer.WithoutMaxLifetime())
		} else {
			opts = append(opts, postsyncer.WithMaxLifetime(time.Duration(*seconds)*time.Second))
		}
	}
	verifier, err := postsyncer.NewVerifier(c.Secrets, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = verifier.Close() })
	return verifier
}

func TestEveryVector(t *testing.T) {
	for _, c := range loadVectors(t) {
		t.Run(c.Name, func(t *testing.T) {
			opts := []postsyncer.VerifyOption{postsyncer.At(time.Unix(c.Now, 0))}
			if c.ExpectedPlatform != "" {
				platform, err := postsyncer.ParsePlatform(c.ExpectedPlatform)
				if err != nil {
					t.Fatal(err)
				}
				opts = append(opts, postsyncer.ExpectPlatform(platform))
			}
			proof, err := verifierFor(t, c).Verify(c.Input, c.ExpectedState, opts...)

			if want := c.Result.OK; want != nil {
				if err != nil {
					t.Fatalf("want a proof, got %v", err)
				}
				got := [5]any{proof.Platform.String(), proof.PlatformID, proof.Handle, proof.State, proof.Expires.Unix()}
				if got != [5]any{want.Platform, want.PlatformID, want.Handle, want.State, want.Expires} {
					t.Fatalf("got %v, want %+v", got, *want)
				}
				return
			}
			var verifyError *postsyncer.VerifyError
			if !errors.As(err, &verifyError) {
				t.Fatalf("want a *VerifyError (%s), got %v", c.Result.Error, err)
			}
			got := [3]string{verifyError.Kind, verifyError.Parameter, verifyError.Code}
			if got != [3]string{c.Result.Error, c.Result.Parameter, c.Result.Code} || verifyError.Message == "" {
				t.Fatalf("got %q (%s), want %s/%s/%s", got, verifyError.Message, c.Result.Error, c.Result.Parameter, c.Result.Code)
			}
			if !errors.Is(err, kindSentinels[c.Result.Error]) {
				t.Fatalf("errors.Is does not match the sentinel of %s", c.Result.Error)
			}
		})
	}
}

// kindSentinels maps each verification kind word to its sentinel.
var kindSentinels = map[string]error{
	"authorization_denied": postsyncer.ErrAuthorizationDenied,
	"missing_parameter":    postsyncer.ErrMissingParameter,
	"duplicate_parameter":  postsyncer.ErrDuplicateParameter,
	"malformed_parameter":  postsyncer.ErrMalformedParameter,
	"bad_signature":        postsyncer.ErrBadSignature,
	"unsupported_platform": postsyncer.ErrUnsupportedPlatform,
	"platform_mismatch":    postsyncer.ErrPlatformMismatch,
	"state_mismatch":       postsyncer.ErrStateMismatch,
	"expired":              postsyncer.ErrExpired,
	"expiry_too_far":       postsyncer.ErrExpiryTooFar,
}
