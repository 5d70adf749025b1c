package com.postsyncer.delegation

// The generated VerifyException keeps its fields on each subclass; the tests read them from
// the sealed base. The `when` is exhaustive, so a new kind fails compilation here.

data class VerifyErrorFields(val kind: String, val parameter: String?, val code: String?, val detail: String)

fun VerifyException.fields(): VerifyErrorFields = when (this) {
    is VerifyException.AuthorizationDenied -> VerifyErrorFields(kind, parameter, code, detail)
    is VerifyException.MissingParameter -> VerifyErrorFields(kind, parameter, code, detail)
    is VerifyException.DuplicateParameter -> VerifyErrorFields(kind, parameter, code, detail)
    is VerifyException.MalformedParameter -> VerifyErrorFields(kind, parameter, code, detail)
    is VerifyException.BadSignature -> VerifyErrorFields(kind, parameter, code, detail)
    is VerifyException.UnsupportedPlatform -> VerifyErrorFields(kind, parameter, code, detail)
    is VerifyException.PlatformMismatch -> VerifyErrorFields(kind, parameter, code, detail)
    is VerifyException.StateMismatch -> VerifyErrorFields(kind, parameter, code, detail)
    is VerifyException.Expired -> VerifyErrorFields(kind, parameter, code, detail)
    is VerifyException.ExpiryTooFar -> VerifyErrorFields(kind, parameter, code, detail)
}
