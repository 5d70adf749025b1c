package postsyncer

// The C callbacks of an AppStore (store.go), exported to the library. A file with //export
// may only declare in its preamble.

// #include <stdlib.h>
// #include "postsyncer_delegation.h"
import "C"

import (
	"fmt"
	"math"
	"runtime/cgo"
	"time"
	"unsafe"
)

// storeOf is the Store behind an AppStore's user_data.
func storeOf(userData unsafe.Pointer) Store {
	return cgo.Handle(*(*C.uintptr_t)(userData)).Value().(Store)
}

// replyError hands err's text to the library for its store_unavailable message.
func replyError(reply *C.psd_store_reply, err error) C.int32_t {
	data, length := cString(err.Error())
	C.psd_store_reply_error(reply, data, length)
	return C.PSD_STORE_FAILED
}

// recoverStore turns a panic of the application's Store into a failure: a Go panic must
// not unwind through the library's C frames.
func recoverStore(reply *C.psd_store_reply, status *C.int32_t) {
	if recovered := recover(); recovered != nil {
		*status = replyError(reply, fmt.Errorf("the Go Store panicked: %v", recovered))
	}
}

//export psdGoStorePut
func psdGoStorePut(userData unsafe.Pointer, key, record C.psd_str, ttlSeconds C.uint64_t,
	reply *C.psd_store_reply) (status C.int32_t) {
	defer recoverStore(reply, &status)
	ttl := time.Duration(math.MaxInt64) // a TTL past what a Duration holds: as long as one can be
	if ttlSeconds < C.uint64_t(math.MaxInt64/int64(time.Second)) {
		ttl = time.Duration(ttlSeconds) * time.Second
	}
	if err := storeOf(userData).Put(goString(key), goString(record), ttl); err != nil {
		return replyError(reply, err)
	}
	return C.PSD_STORE_OK
}

//export psdGoStoreTake
func psdGoStoreTake(userData unsafe.Pointer, key C.psd_str, reply *C.psd_store_reply) (status C.int32_t) {
	defer recoverStore(reply, &status)
	record, found, err := storeOf(userData).Take(goString(key))
	switch {
	case err != nil:
		return replyError(reply, err)
	case !found:
		return C.PSD_STORE_NOT_FOUND
	}
	// The library copies the record before psd_store_reply_record returns.
	data, length := cPresentString(record)
	if C.psd_store_reply_record(reply, data, length) != C.PSD_RESULT_OK {
		return replyError(reply, fmt.Errorf("the Go Store's record is not valid UTF-8"))
	}
	return C.PSD_STORE_OK
}

//export psdGoStoreRelease
func psdGoStoreRelease(userData unsafe.Pointer) {
	cgo.Handle(*(*C.uintptr_t)(userData)).Delete()
	C.free(userData)
}
