//go:build psd_test_panic

package postsyncer

/*
#cgo CFLAGS: -DPSD_TEST_PANIC
#include "postsyncer_delegation.h"
*/
import "C"

// testPanic makes the native library panic (psd_test_panic, which only builds with the
// core's test-panic feature have) and returns what the binding makes of the result. Only
// compiled with the build tag psd_test_panic, which scripts/test-go passes: a release
// library has no such function.
func testPanic() error {
	if result := C.psd_test_panic(); result != C.PSD_RESULT_OK {
		return kind(resultName(result))
	}
	return nil
}
