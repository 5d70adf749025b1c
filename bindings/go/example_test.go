package postsyncer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	postsyncer "github.com/postsyncer-delegation/postsyncer-delegation/bindings/go"
)

func ExampleVerifier_Verify() {
	verifier, err := postsyncer.NewVerifier([]string{"ps_test_signing_secret_0001"})
	if err != nil {
		panic(err)
	}
	defer verifier.Close()

	callback := "https://yourapp.com/cb?platform=tiktok&platform_id=_000abc&handle=jane&state=a1b2c3d4" +
		"&expires=1717000000&sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14"
	proof, err := verifier.Verify(callback, "a1b2c3d4",
		postsyncer.ExpectPlatform(postsyncer.TikTok), postsyncer.At(time.Unix(1716999940, 0)))
	fmt.Println(proof.PlatformID, err)

	_, err = verifier.Verify(callback, "another_state", postsyncer.At(time.Unix(1716999940, 0)))
	var verifyError *postsyncer.VerifyError
	fmt.Println(errors.Is(err, postsyncer.ErrStateMismatch), errors.As(err, &verifyError) && verifyError.Parameter == "state")
	// Output:
	// _000abc <nil>
	// true true
}

// A session with a generated state (persist session.State), and one with the app's own.
func ExampleClient_CreateSession() {
	client, err := postsyncer.NewClient(os.Getenv("POSTSYNCER_API_KEY"))
	if err != nil {
		panic(err)
	}
	defer client.Close()

	session, err := client.CreateSession(context.Background(), postsyncer.TikTok, "https://yourapp.com/cb")
	if err != nil {
		panic(err)
	}
	fmt.Println(session.AuthorizeURL, session.State)

	session, err = client.CreateSession(context.Background(), postsyncer.X, "https://yourapp.com/cb",
		postsyncer.WithState("state_from_my_session_store"))
	var apiError *postsyncer.APIError
	if errors.Is(err, postsyncer.ErrRateLimited) && errors.As(err, &apiError) {
		fmt.Println("retry after", apiError.RetryAfter)
	}
}

// A Platform reads and writes as its wire name, in JSON as anywhere else.
func ExamplePlatform_MarshalText() {
	data, _ := json.Marshal(map[string]postsyncer.Platform{"platform": postsyncer.X})
	fmt.Println(string(data))

	var stored struct {
		Platform postsyncer.Platform `json:"platform"`
	}
	err := json.Unmarshal([]byte(`{"platform":"threads"}`), &stored)
	fmt.Println(stored.Platform == postsyncer.Threads, err)
	// Output:
	// {"platform":"twitter"}
	// true <nil>
}
