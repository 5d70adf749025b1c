package com.postsyncer.delegation

// The generated exceptions keep their fields on each subclass; the tests read them from the
// sealed base. Each `when` is exhaustive, so a new kind fails compilation here.

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

data class ApiErrorFields(val kind: String, val status: Int?, val detail: String)

fun ApiException.fields(): ApiErrorFields = when (this) {
    is ApiException.InvalidRequest -> ApiErrorFields(kind, status?.toInt(), detail)
    is ApiException.Unauthenticated -> ApiErrorFields(kind, status?.toInt(), detail)
    is ApiException.Forbidden -> ApiErrorFields(kind, status?.toInt(), detail)
    is ApiException.NotFound -> ApiErrorFields(kind, status?.toInt(), detail)
    is ApiException.Validation -> ApiErrorFields(kind, status?.toInt(), detail)
    is ApiException.RateLimited -> ApiErrorFields(kind, status?.toInt(), detail)
    is ApiException.Server -> ApiErrorFields(kind, status?.toInt(), detail)
    is ApiException.Transport -> ApiErrorFields(kind, status?.toInt(), detail)
    is ApiException.Timeout -> ApiErrorFields(kind, status?.toInt(), detail)
    is ApiException.InvalidResponse -> ApiErrorFields(kind, status?.toInt(), detail)
}
