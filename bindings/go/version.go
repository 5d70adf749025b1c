package postsyncer

// #include "postsyncer_delegation.h"
import "C"

// Version is the version of the native library this package is linked to (the crate's,
// from Cargo.toml): the same string every binding of the project reports, so that a log
// line or a bug report says which core did the checks.
func Version() string {
	return goString(C.psd_version())
}
