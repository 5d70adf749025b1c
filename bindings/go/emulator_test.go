package postsyncer_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The emulator the tests talk to: from PSD_EMULATOR_URL, PSD_API_KEY and
// PSD_SIGNING_SECRET, or started by TestMain when those are unset.
var emulator struct {
	url, apiKey, signingSecret string
}

func TestMain(m *testing.M) {
	stop, err := ensureEmulator()
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

func ensureEmulator() (stop func(), err error) {
	emulator.url = os.Getenv("PSD_EMULATOR_URL")
	emulator.apiKey = os.Getenv("PSD_API_KEY")
	emulator.signingSecret = os.Getenv("PSD_SIGNING_SECRET")
	if emulator.url != "" {
		return func() {}, nil
	}
	binary := filepath.Join("..", "..", "target", "release", "postsyncer-delegate")
	cmd := exec.Command(binary, "emulate", "--addr", "127.0.0.1:0")
	var stderr bytes.Buffer // shown only when the emulator does not start
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w (build it first: cargo build --release --workspace)", err)
	}
	stop = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
	lines := bufio.NewScanner(stdout)
	for found := 0; found < 3 && lines.Scan(); {
		name, value, ok := strings.Cut(lines.Text(), "=")
		switch {
		case ok && name == "PSD_EMULATOR_URL":
			emulator.url = value
		case ok && name == "PSD_API_KEY":
			emulator.apiKey = value
		case ok && name == "PSD_SIGNING_SECRET":
			emulator.signingSecret = value
		default:
			continue
		}
		found++
	}
	if emulator.url == "" || emulator.apiKey == "" || emulator.signingSecret == "" {
		stop()
		return nil, fmt.Errorf("%s did not print its credentials: %s", binary, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }() // never let the emulator block on its output
	return stop, nil
}

// browser follows no redirect: the tests read the callback from the Location header.
var browser = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// decide sends the browser to the consent page with decision (approve or deny) and returns
// the HTTP status and the callback URL it was redirected to.
func decide(t *testing.T, authorizeURL, decision string) (int, string) {
	t.Helper()
	response, err := browser.Get(authorizeURL + "&decision=" + decision)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	return response.StatusCode, response.Header.Get("Location")
}

// keyWithFaults returns a fresh API key whose requests the emulator answers with faults.
func keyWithFaults(t *testing.T, faults map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(faults)
	response, err := browser.Post(emulator.url+"/emulator/api-keys", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	var created struct {
		APIKey string `json:"api_key"`
	}
	if err := json.NewDecoder(response.Body).Decode(&created); err != nil || response.StatusCode != http.StatusCreated {
		t.Fatalf("control API: status %d, %v", response.StatusCode, err)
	}
	return created.APIKey
}

// sessionRequests is how many sessions requests the emulator saw with apiKey.
func sessionRequests(t *testing.T, apiKey string) int {
	t.Helper()
	response, err := browser.Get(emulator.url + "/emulator/api-keys/" + apiKey + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	var stats struct {
		SessionRequests int `json:"session_requests"`
	}
	if err := json.NewDecoder(response.Body).Decode(&stats); err != nil {
		t.Fatal(err)
	}
	return stats.SessionRequests
}
