// Verify your account: a net/http site proving social accounts through PostSyncer's flow.
//
// Connect → Flow.Begin (bound to this browser's session cookie) → the consent page →
// /callback → Flow.Complete → the verified account, or what went wrong in words a person can
// act on. The flow keeps the state (single use, bound to the session); this app keeps nothing.
package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"html/template"
	"log"
	"net/http"
	"os"

	postsyncer "github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"
)

const sessionCookie = "sid"

// Per error kind, what the person can do about it.
var completeErrors = []struct {
	kind  error
	words string
}{
	{postsyncer.ErrStateNotFound, "This link was already used or has expired. Start again."},
	{postsyncer.ErrSubjectMismatch, "This link was started in another browser or session. Start again from this browser."},
	{postsyncer.ErrAuthorizationDenied, "You declined the request, so nothing was linked. Connect again if you change your mind."},
	{postsyncer.ErrStoreUnavailable, "We could not check this link right now. Try again in a minute."},
	{postsyncer.ErrExpired, "This link has expired. Start again."},
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html><meta charset=utf-8>
<title>Verify your account</title><h1>Verify your account</h1>
{{if .Platforms}}<p>Prove which account is yours.</p>
{{range .Platforms}}<form method=post action="/connect/{{.}}"><button id="connect-{{.}}">Connect {{.}}</button></form>{{end}}
{{else if .Proof}}<p id=verified>Verified.</p><dl><dt>Platform</dt><dd id=platform>{{.Proof.Platform}}</dd>
<dt>Platform id</dt><dd id=platform-id>{{.Proof.PlatformID}}</dd><dt>Handle</dt><dd id=handle>{{.Proof.Handle}}</dd></dl>
{{else}}<p id=error>{{.Error}}</p>{{end}}
<p><a href="/">Back to the start</a></p>`))

type pageData struct {
	Platforms []postsyncer.Platform
	Proof     *postsyncer.Proof
	Error     string
}

func render(w http.ResponseWriter, status int, data pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pageTemplate.Execute(w, data); err != nil {
		log.Print(err)
	}
}

// sessionID is the browser session's id (the flow's subject), set on first sight; a real app
// has its own session.
func sessionID(w http.ResponseWriter, r *http.Request) string {
	if cookie, err := r.Cookie(sessionCookie); err == nil && cookie.Value != "" {
		return cookie.Value
	}
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		panic(err)
	}
	id := base64.RawURLEncoding.EncodeToString(random)
	// Lax: the cookie comes back on the consent page's top-level redirect to /callback.
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return id
}

func main() {
	var clientOptions []postsyncer.ClientOption
	if emulator := os.Getenv("PSD_EMULATOR_URL"); emulator != "" { // unset: the real PostSyncer
		clientOptions = append(clientOptions, postsyncer.WithBaseURL(emulator+"/api"))
	}
	client, err := postsyncer.NewClient(os.Getenv("PSD_API_KEY"), clientOptions...)
	if err != nil {
		log.Fatal(err)
	}
	verifier, err := postsyncer.NewVerifier([]string{os.Getenv("PSD_SIGNING_SECRET")})
	if err != nil {
		log.Fatal(err)
	}
	var store postsyncer.FlowStore // nil: in memory, for one process
	// Redis when several processes serve the site (any of them may get the callback).
	if url := os.Getenv("REDIS_URL"); url != "" {
		if store, err = postsyncer.NewRedisStore(url); err != nil {
			log.Fatal(err)
		}
	}
	flow, err := postsyncer.NewFlow(client, verifier, store)
	if err != nil {
		log.Fatal(err)
	}

	http.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		sessionID(w, r)
		render(w, http.StatusOK, pageData{Platforms: postsyncer.Platforms})
	})
	http.HandleFunc("POST /connect/{platform}", func(w http.ResponseWriter, r *http.Request) {
		platform, err := postsyncer.ParsePlatform(r.PathValue("platform"))
		if err != nil {
			render(w, http.StatusNotFound, pageData{Error: "Unknown platform."})
			return
		}
		callbackURL := "http://" + r.Host + "/callback"
		begun, err := flow.Begin(r.Context(), platform, callbackURL, sessionID(w, r))
		if err != nil {
			log.Printf("begin: %v", err)
			render(w, http.StatusServiceUnavailable, pageData{Error: "We cannot start a verification right now. Try again in a minute."})
			return
		}
		http.Redirect(w, r, begun.AuthorizeURL, http.StatusSeeOther)
	})
	http.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		done, err := flow.Complete("http://"+r.Host+r.URL.RequestURI(), sessionID(w, r))
		if err != nil {
			words := "This link could not be verified. Start again."
			for _, known := range completeErrors {
				if errors.Is(err, known.kind) {
					words = known.words
					break
				}
			}
			log.Printf("complete: %v", err)
			render(w, http.StatusBadRequest, pageData{Error: words})
			return
		}
		render(w, http.StatusOK, pageData{Proof: &done.Proof})
	})

	addr := "127.0.0.1:" + envOr("PORT", "8000")
	log.Printf("listening on http://%s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}
