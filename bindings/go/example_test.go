package postsyncer_test

import (
	"errors"
	"fmt"
	"time"

	postsyncer "github.com/postsyncer/postsyncer-delegation/bindings/go"
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
