// Package postsyncer proves that a user owns a social account through PostSyncer's OAuth
// delegation API, with the project's Rust core (linked statically through its C API,
// include/postsyncer_delegation.h) doing every check.
//
// The flow, on your server:
//
//	client, err := postsyncer.NewClient(os.Getenv("POSTSYNCER_API_KEY"))
//	session, err := client.CreateSession(ctx, postsyncer.TikTok, "https://yourapp.com/cb")
//	// persist session.State (generated unless WithState gives one), then redirect the
//	// browser to session.AuthorizeURL
//
//	verifier, err := postsyncer.NewVerifier([]string{os.Getenv("POSTSYNCER_SIGNING_SECRET")})
//	proof, err := verifier.Verify(r.URL.RawQuery, storedState, postsyncer.ExpectPlatform(postsyncer.TikTok))
//	if errors.Is(err, postsyncer.ErrAuthorizationDenied) { /* the user said no */ }
//	// trust proof.PlatformID
//
// Or let a Flow keep the state (single-use, bound to whoever began it) in a MemoryStore,
// a RedisStore shared by a fleet, or the application's own Store (NewAppStore):
//
//	flow, err := postsyncer.NewFlow(client, verifier, redisStore)
//	begun, err := flow.Begin(ctx, postsyncer.TikTok, "https://yourapp.com/cb", sessionID)
//	// redirect the browser to begun.AuthorizeURL; then, in the callback handler:
//	completed, err := flow.Complete(r.URL.RawQuery, sessionID)
//	if errors.Is(err, postsyncer.ErrStateNotFound) { /* replayed, expired or unknown */ }
//	// trust completed.Proof.PlatformID
//
// Every argument is judged once, by the core: options hand their values over as they are,
// so a negative leeway or a zero timeout is refused with the same *ConfigError kind and
// message as in every other language of the project, rather than by rules of this package
// that could drift from the core's. For the same reason no value doubles as "the
// default" or "none": the defaults are the Default* constants (the C API's), and "no
// maximum lifetime" or "generate the state" is said by giving, or leaving out, an option.
//
// A Platform's text form is its wire name ("twitter" for X), so a Platform stored in JSON
// or a database reads as the protocol spells it and any other language can read it back.
//
// The module carries the C header and a prebuilt static library of the core per platform
// (linux amd64/arm64, with -tags musl for Alpine; darwin amd64/arm64; windows amd64), so
// building needs CGO_ENABLED=1 and a C compiler, no Rust toolchain. Version reports which
// build it linked, the same string every binding of that build reports.
//
// Verifier, Client, Flow and the stores are safe for concurrent use; build each once and
// share it. Close releases their native resources (a finalizer does it too, as a safety net).
package postsyncer
