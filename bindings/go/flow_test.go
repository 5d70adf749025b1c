package postsyncer_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	postsyncer "github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"
)

const callbackURL = "https://app.example/callback"

func newClient(t *testing.T, apiKey string, opts ...postsyncer.ClientOption) *postsyncer.Client {
	t.Helper()
	client, err := postsyncer.NewClient(apiKey, append([]postsyncer.ClientOption{postsyncer.WithBaseURL(emulator.url + "/api")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

func emulatorVerifier(t *testing.T) *postsyncer.Verifier {
	t.Helper()
	verifier, err := postsyncer.NewVerifier([]string{emulator.signingSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = verifier.Close() })
	return verifier
}

func createSession(t *testing.T, client *postsyncer.Client, opts ...postsyncer.SessionOption) postsyncer.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	session, err := client.CreateSession(ctx, postsyncer.TikTok, callbackURL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return session
}

func TestApproveThenVerify(t *testing.T) {
	session := createSession(t, newClient(t, emulator.apiKey))
	if !strings.HasPrefix(session.AuthorizeURL, emulator.url+"/oauth/delegate?request=psd_") ||
		session.ExpiresIn != 900*time.Second || len(session.State) != 43 ||
		session.Platform != postsyncer.TikTok || session.CallbackURL != callbackURL ||
		session.ExpiresAt.Before(time.Now().Add(890*time.Second)) {
		t.Fatalf("unexpected session %+v", session)
	}

	status, callback := decide(t, session.AuthorizeURL, "approve")
	if status != http.StatusSeeOther || !strings.HasPrefix(callback, callbackURL+"?") {
		t.Fatalf("approve: status %d, location %q", status, callback)
	}
	proof, err := emulatorVerifier(t).Verify(callback, session.State, postsyncer.ExpectPlatform(session.Platform))
	if err != nil {
		t.Fatal(err)
	}
	if proof.Platform != postsyncer.TikTok || proof.PlatformID != "_000abc" || proof.Handle != "jane" ||
		proof.State != session.State || proof.Expires.Before(time.Now()) {
		t.Fatalf("unexpected proof %+v", proof)
	}

	if status, _ := decide(t, session.AuthorizeURL, "approve"); status != http.StatusGone {
		t.Fatalf("a used authorize URL answered %d, want 410", status)
	}
}

func TestDenyIsAuthorizationDenied(t *testing.T) {
	session := createSession(t, newClient(t, emulator.apiKey), postsyncer.WithState("go_flow_given_state"))
	if session.State != "go_flow_given_state" {
		t.Fatalf("state %q was not kept", session.State)
	}
	_, callback := decide(t, session.AuthorizeURL, "deny")
	_, err := emulatorVerifier(t).Verify(callback, session.State)
	var verifyError *postsyncer.VerifyError
	if !errors.Is(err, postsyncer.ErrAuthorizationDenied) || !errors.As(err, &verifyError) || verifyError.Code != "access_denied" {
		t.Fatalf("got %v", err)
	}
}

func TestFaultyProofsAreRejected(t *testing.T) {
	for fault, want := range map[string]error{
		"bad_signature":       postsyncer.ErrBadSignature,
		"expired":             postsyncer.ErrExpired,
		"wrong_state":         postsyncer.ErrStateMismatch,
		"duplicate_parameter": postsyncer.ErrDuplicateParameter,
	} {
		t.Run(fault, func(t *testing.T) {
			client := newClient(t, keyWithFaults(t, map[string]any{"proof_fault": fault}))
			session := createSession(t, client)
			_, callback := decide(t, session.AuthorizeURL, "approve")
			if _, err := emulatorVerifier(t).Verify(callback, session.State); !errors.Is(err, want) {
				t.Fatalf("got %v, want %v", err, want)
			}
		})
	}
}
