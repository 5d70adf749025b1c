//go:build psd_test_panic

package postsyncer

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// A panic inside Rust comes back as ErrPanic, on any thread, and the process and the
// library live on: verification still works afterwards.
func TestPanicIsAnError(t *testing.T) {
	if err := testPanic(); !errors.Is(err, ErrPanic) {
		t.Fatalf("psd_test_panic: got %v, want ErrPanic", err)
	}
	// From many goroutines (so, OS threads) at once.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- testPanic()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, ErrPanic) {
			t.Fatalf("psd_test_panic on a goroutine: got %v, want ErrPanic", err)
		}
	}

	verifier, err := NewVerifier([]string{"ps_test_signing_secret_0001"})
	if err != nil {
		t.Fatal(err)
	}
	defer verifier.Close()
	const callback = "platform=tiktok&platform_id=_000abc&handle=jane&state=a1b2c3d4&expires=1717000000" +
		"&sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14"
	proof, err := verifier.Verify(callback, "a1b2c3d4", At(time.Unix(1716999940, 0)))
	if err != nil || proof.PlatformID != "_000abc" {
		t.Fatalf("verify after the panics: got %+v, %v", proof, err)
	}
}
