// Package postsyncer proves that a user owns a social account through PostSyncer's OAuth
// delegation API, with the project's Rust core (linked statically through its C API,
// include/postsyncer_delegation.h) doing every check.
//
// The flow, on your server:
//
//	client, err := postsyncer.NewClient(os.Getenv("POSTSYNCER_API_KEY"))
//	session, err := client.CreateSession(ctx, postsyncer.TikTok, "https://yourapp.com/cb", "")
//	// persist session.State, then redirect the browser to session.AuthorizeURL
//
//	verifier, err := postsyncer.NewVerifier([]string{os.Getenv("POSTSYNCER_SIGNING_SECRET")})
//	proof, err := verifier.Verify(r.URL.RawQuery, storedState, postsyncer.ExpectPlatform(postsyncer.TikTok))
//	if errors.Is(err, postsyncer.ErrAuthorizationDenied) { /* the user said no */ }
//	// trust proof.PlatformID
//
// Build the native library first (cargo build --release at the repository root): the
// package links target/release/libpostsyncer_delegation.a.
//
// Verifier and Client are safe for concurrent use; build each once and share it. Close
// releases their native resources (a finalizer does it too, as a safety net).
package postsyncer
