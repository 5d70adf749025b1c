package postsyncer

// #include "postsyncer_delegation.h"
import "C"

// ModuleVersion is this Go module's release: its tag is bindings/go/v<ModuleVersion> (the tag
// prefix Go requires of a module in a subdirectory), and the prebuilt libraries under lib/
// are that release's build of the core, so Version() returns the same string.
const ModuleVersion = "0.1.0"

// Version is the version of the native library this package is linked to (the crate's,
// from Cargo.toml): the same string every binding of the project reports, so that a log
// line or a bug report says which core did the checks.
func Version() string {
	return goString(C.psd_version())
}
