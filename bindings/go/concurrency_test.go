package postsyncer_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	postsyncer "github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"
)

// One verifier, many goroutines, interleaved valid and forged callbacks: every result is
// the one expected for its own input.
func TestOneVerifierManyGoroutines(t *testing.T) {
	verifier, err := postsyncer.NewVerifier([]string{testSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer verifier.Close()
	expires := time.Now().Add(5 * time.Minute).Truncate(time.Second)

	const goroutines, rounds = 16, 200
	var wg sync.WaitGroup
	failures := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			state := fmt.Sprintf("state_%d", g)
			query, err := postsyncer.SignProof(testSecret, postsyncer.Proof{
				Platform: postsyncer.Threads, PlatformID: fmt.Sprintf("user_%d", g), Handle: "h", State: state, Expires: expires})
			if err != nil {
				failures <- err
				return
			}
			forged := query[:len(query)-1] + map[bool]string{true: "0", false: "1"}[query[len(query)-1] != '0']
			for i := 0; i < rounds; i++ {
				proof, err := verifier.Verify(query, state)
				if err != nil || proof.PlatformID != fmt.Sprintf("user_%d", g) {
					failures <- fmt.Errorf("goroutine %d: %+v, %v", g, proof, err)
					return
				}
				if _, err := verifier.Verify(forged, state); !errors.Is(err, postsyncer.ErrBadSignature) {
					failures <- fmt.Errorf("goroutine %d: forged callback gave %v", g, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
}
