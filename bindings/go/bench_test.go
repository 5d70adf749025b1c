package postsyncer_test

// Benchmarks for scripts/bench (bench/go/run), never timed assertions: one verification
// through the binding, reading PlatformID and Handle, against the standard library path a
// Go backend writes (net/url + crypto/hmac).

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"testing"
	"time"

	postsyncer "github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"
)

const (
	benchSecret   = "ps_test_signing_secret_0001"
	benchState    = "a1b2c3d4"
	benchCallback = "https://yourapp.com/cb?platform=tiktok&platform_id=_000abc&handle=jane&state=a1b2c3d4" +
		"&expires=1717000000&sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14"
)

var benchNow = time.Unix(1_716_999_940, 0)

func BenchmarkVerifyBinding(b *testing.B) {
	verifier, err := postsyncer.NewVerifier([]string{benchSecret})
	if err != nil {
		b.Fatal(err)
	}
	defer verifier.Close()
	at := postsyncer.At(benchNow)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		proof, err := verifier.Verify(benchCallback, benchState, at)
		if err != nil || proof.PlatformID != "_000abc" || proof.Handle != "jane" {
			b.Fatal(proof, err)
		}
	}
}

// stdlibVerify is what a hand-written Go verifier does: parse the query, rebuild the base,
// HMAC it with the secret, compare in constant time, then check state and expiry.
func stdlibVerify(callback, expectedState string, now int64) (platformID, handle string, err error) {
	u, err := url.Parse(callback)
	if err != nil {
		return "", "", err
	}
	q := u.Query()
	base := "platform=" + q.Get("platform") + "&platform_id=" + q.Get("platform_id") +
		"&handle=" + q.Get("handle") + "&state=" + q.Get("state") + "&expires=" + q.Get("expires")
	mac := hmac.New(sha256.New, []byte(benchSecret))
	mac.Write([]byte(base))
	sig, err := hex.DecodeString(q.Get("sig"))
	if err != nil || !hmac.Equal(mac.Sum(nil), sig) {
		return "", "", errors.New("bad signature")
	}
	expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil || expires < now || !hmac.Equal([]byte(q.Get("state")), []byte(expectedState)) {
		return "", "", errors.New("rejected")
	}
	return q.Get("platform_id"), q.Get("handle"), nil
}

func BenchmarkVerifyStdlib(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		platformID, handle, err := stdlibVerify(benchCallback, benchState, benchNow.Unix())
		if err != nil || platformID != "_000abc" || handle != "jane" {
			b.Fatal(platformID, handle, err)
		}
	}
}
