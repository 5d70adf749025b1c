package postsyncer

// The header and one prebuilt static library per GOOS/GOARCH live inside the module
// (include/, lib/<goos>_<goarch>/), so `go get` needs no Rust toolchain; see README.md for
// how they get there. Alpine and other musl systems build with -tags musl. The system
// libraries after each archive are the ones rustc names for that target
// (--print native-static-libs).

/*
#cgo CFLAGS: -I${SRCDIR}/include
#cgo linux,amd64,!musl LDFLAGS: ${SRCDIR}/lib/linux_amd64/libpostsyncer_delegation.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
#cgo linux,arm64,!musl LDFLAGS: ${SRCDIR}/lib/linux_arm64/libpostsyncer_delegation.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
#cgo linux,amd64,musl LDFLAGS: ${SRCDIR}/lib/linux_amd64_musl/libpostsyncer_delegation.a -lgcc_s -lc
#cgo linux,arm64,musl LDFLAGS: ${SRCDIR}/lib/linux_arm64_musl/libpostsyncer_delegation.a -lgcc_s -lc
#cgo darwin,amd64 LDFLAGS: ${SRCDIR}/lib/darwin_amd64/libpostsyncer_delegation.a -framework Security -framework CoreFoundation -liconv -lSystem -lc -lm
#cgo darwin,arm64 LDFLAGS: ${SRCDIR}/lib/darwin_arm64/libpostsyncer_delegation.a -framework Security -framework CoreFoundation -liconv -lSystem -lc -lm
#cgo windows,amd64 LDFLAGS: ${SRCDIR}/lib/windows_amd64/libpostsyncer_delegation.a -lbcrypt -ladvapi32 -lkernel32 -lntdll -luserenv -lws2_32 -ldbghelp
#include "postsyncer_delegation.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// cString passes s to C as a (pointer, length) pair without copying; "" is (NULL, 0). The
// C side never keeps the pointer beyond the call.
func cString(s string) (*C.char, C.size_t) {
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))
}

// presentEmpty is what a present but empty string points to: C reads (NULL, 0) as absent.
var presentEmpty C.char

// cPresentString is cString for an argument where NULL means "absent": "" is passed as a
// non-NULL pointer with length 0, so that the core sees (and judges) the empty string.
func cPresentString(s string) (*C.char, C.size_t) {
	if len(s) == 0 {
		return &presentEmpty, 0
	}
	return cString(s)
}

// cStringViews builds the psd_str array for strs. The string bytes are pinned, because
// the array (Go memory) holds pointers to them; unpin after the call.
func cStringViews(strs []string, pinner *runtime.Pinner) []C.psd_str {
	views := make([]C.psd_str, len(strs))
	for i, s := range strs {
		if data := unsafe.StringData(s); data != nil {
			pinner.Pin(data)
			views[i].data = (*C.char)(unsafe.Pointer(data))
		}
		views[i].len = C.size_t(len(s))
	}
	return views
}

// goString copies a view; the absent view gives "".
func goString(view C.psd_str) string {
	if view.data == nil {
		return ""
	}
	return C.GoStringN(view.data, C.int(view.len))
}

// goOptionalString copies a view that may be absent: nil for the absent view, so that
// "none" and "" stay apart.
func goOptionalString(view C.psd_str) *string {
	if view.data == nil {
		return nil
	}
	s := C.GoStringN(view.data, C.int(view.len))
	return &s
}

// takeString copies an owned psd_string and frees it.
func takeString(s *C.psd_string) string {
	defer C.psd_string_free(s)
	var view C.psd_str
	if C.psd_string_view(s, &view) != C.PSD_RESULT_OK {
		return ""
	}
	return goString(view)
}

// resultName is the stable word of a result code (bad_signature, rate_limited, …).
func resultName(result C.psd_result) string {
	return goString(C.psd_result_name(C.uint32_t(result)))
}
