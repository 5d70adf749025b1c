package postsyncer

// #include "postsyncer_delegation.h"
import "C"

// GenerateState returns a fresh state for a new session: 256 bits from the operating
// system's CSPRNG, base64url without padding (43 characters). Persist it with the session
// and compare it on the callback.
func GenerateState() (string, error) {
	var state *C.psd_string
	if result := C.psd_generate_state(&state); result != C.PSD_RESULT_OK {
		return "", configError(result, nil)
	}
	return takeString(state), nil
}

// SignProof signs proof the way PostSyncer does and returns the callback query string
// (platform=…&platform_id=…&handle=…&state=…&expires=…&sig=…). Apps never need it: it
// exists for emulators and tests.
func SignProof(secret string, proof Proof) (string, error) {
	secretData, secretLen := cString(secret)
	idData, idLen := cString(proof.PlatformID)
	handleData, handleLen := cString(proof.Handle)
	stateData, stateLen := cString(proof.State)
	var query *C.psd_string
	result := C.psd_sign_proof(secretData, secretLen, C.psd_platform(proof.Platform), idData, idLen,
		handleData, handleLen, stateData, stateLen, C.int64_t(proof.Expires.Unix()), &query)
	if result != C.PSD_RESULT_OK {
		return "", configError(result, nil)
	}
	return takeString(query), nil
}
