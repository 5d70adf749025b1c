"""``Verifier`` over the C ABI of the library the wheel ships.

Why not UniFFI's generated ``Verifier``: its call path (handle clone, a RustBuffer per argument,
the result lifted in Python) costs several times the standard library's own verifier
(BENCHMARKS.md), while this path is three native calls: ``psd_verifier_verify`` with
(pointer, length) arguments, one ``psd_proof_view`` (or ``psd_verify_error_view``), one free.
``uniffi.toml`` excludes the generated class for Python, so this is the only one.

Nothing is decided here: every check runs in the Rust core. This module moves bytes across
the boundary and picks the exception class for a numbered result from ``_ERRORS``.
"""

import ctypes
import os
import sys
import weakref
from typing import Iterable, Optional

from ._native import postsyncer_delegation as _generated
from ._native.postsyncer_delegation import ConfigError, Platform, Proof, VerifyError

_LIBRARY_FILE = {"darwin": "libpostsyncer_delegation.dylib", "win32": "postsyncer_delegation.dll"}.get(
    sys.platform, "libpostsyncer_delegation.so"
)
# The library the generated module loaded: loading the same path again returns the same one.
_lib = ctypes.CDLL(os.path.join(os.path.dirname(os.path.abspath(_generated.__file__)), _LIBRARY_FILE))

_size = ctypes.c_size_t
_handle = ctypes.c_void_p


class _Str(ctypes.Structure):
    """``psd_str``: a borrowed view of UTF-8 bytes (``data`` NULL: absent)."""

    _fields_ = [("data", ctypes.c_void_p), ("len", _size)]


class _ProofFields(ctypes.Structure):
    """``psd_proof_fields``."""

    _fields_ = [
        ("platform", ctypes.c_uint32),
        ("platform_id", _Str),
        ("handle", _Str),
        ("state", _Str),
        ("expires", ctypes.c_int64),
    ]


class _VerifyErrorFields(ctypes.Structure):
    """``psd_verify_error_fields``."""

    _fields_ = [("kind", _Str), ("parameter", _Str), ("code", _Str), ("message", _Str)]


def _function(name: str, restype, *argtypes):
    function = getattr(_lib, name)
    function.restype = restype
    function.argtypes = argtypes
    return function


_verifier_new = _function(
    "psd_verifier_new", ctypes.c_int, ctypes.POINTER(_Str), _size, ctypes.c_int64,
    ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(_handle), ctypes.POINTER(_handle),
)
_verifier_free = _function("psd_verifier_free", None, _handle)
_verifier_verify = _function(
    "psd_verifier_verify", ctypes.c_int, _handle, ctypes.c_char_p, _size, ctypes.c_char_p, _size,
    ctypes.c_uint32, ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(_handle), ctypes.POINTER(_handle),
)
_proof_view = _function("psd_proof_view", ctypes.c_int, _handle, ctypes.POINTER(_ProofFields))
_proof_free = _function("psd_proof_free", None, _handle)
_verify_error_view = _function(
    "psd_verify_error_view", ctypes.c_int, _handle, ctypes.POINTER(_VerifyErrorFields)
)
_verify_error_free = _function("psd_verify_error_free", None, _handle)
_string_view = _function("psd_string_view", ctypes.c_int, _handle, ctypes.POINTER(_Str))
_string_free = _function("psd_string_free", None, _handle)
_platform_from_wire_name = _function(
    "psd_platform_from_wire_name", ctypes.c_int, ctypes.c_char_p, _size, ctypes.POINTER(ctypes.c_uint32)
)
_result_name = _function("psd_result_name", _Str, ctypes.c_uint32)

_OK = 0
_NO_PLATFORM = 0
_INT64 = (-(2**63), 2**63 - 1)
# The numbered results of include/postsyncer_delegation.h this class can meet, and the
# exception class each one raises.
_ERRORS = {
    100: ConfigError.NoSecret,
    101: ConfigError.EmptySecret,
    102: ConfigError.EmptyApiKey,
    103: ConfigError.InvalidArgument,
    104: ConfigError.EntropyUnavailable,
    200: VerifyError.AuthorizationDenied,
    201: VerifyError.MissingParameter,
    202: VerifyError.DuplicateParameter,
    203: VerifyError.MalformedParameter,
    204: VerifyError.BadSignature,
    205: VerifyError.UnsupportedPlatform,
    206: VerifyError.PlatformMismatch,
    207: VerifyError.StateMismatch,
    208: VerifyError.Expired,
    209: VerifyError.ExpiryTooFar,
}


def _text(view: _Str) -> str:
    return ctypes.string_at(view.data, view.len).decode() if view.len else ""


def _optional_text(view: _Str) -> Optional[str]:
    return None if view.data is None else _text(view)


def _platform_code(platform: Platform) -> int:
    name = platform.wire_name().encode()
    code = ctypes.c_uint32()
    if _platform_from_wire_name(name, len(name), ctypes.byref(code)) != _OK:
        raise _generated.InternalError(f"the native library does not know the platform {name!r}")
    return code.value


_PLATFORM_CODES = {platform: _platform_code(platform) for platform in Platform}
_PLATFORMS = {code: platform for platform, code in _PLATFORM_CODES.items()}


def _unexpected(result: int) -> Exception:
    return _generated.InternalError(f"the native library answered {_text(_result_name(result))} ({result})")


def _config_error(result: int, message: _handle) -> Exception:
    try:
        view = _Str()
        detail = _text(view) if message.value and _string_view(message, ctypes.byref(view)) == _OK else ""
    finally:
        _string_free(message)
    error_class = _ERRORS.get(result)
    if error_class is None or not issubclass(error_class, ConfigError):
        return _unexpected(result)
    return error_class(_text(_result_name(result)), detail)


def _verify_error(result: int, error: _handle) -> Exception:
    try:
        fields = _VerifyErrorFields()
        error_class = _ERRORS.get(result)
        if error_class is None or not error.value or _verify_error_view(error, ctypes.byref(fields)) != _OK:
            return _unexpected(result)
        return error_class(
            _text(fields.kind), _optional_text(fields.parameter), _optional_text(fields.code), _text(fields.message)
        )
    finally:
        _verify_error_free(error)


def _int64(value: object, name: str) -> int:
    if type(value) is not int:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not _INT64[0] <= value <= _INT64[1]:
        raise ValueError(f"{name} must fit in 64 bits, not {value}")
    return value


def _utf8(value: object, name: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value.encode()


class Verifier:
    """Verifies PostSyncer callbacks against one or more signing secrets. Build it once at
    start-up and share it between threads; key material is zeroized when it is freed.

    ``leeway_seconds`` tolerates clock skew; ``max_lifetime_seconds`` bounds how far ahead an
    expiry may be (``None`` turns the bound off). Refuses no secret, an empty secret and
    negative numbers with :class:`ConfigError`.
    """

    def __init__(
        self, secrets: Iterable[str], leeway_seconds: int = 0, max_lifetime_seconds: Optional[int] = 3600
    ) -> None:
        encoded = [_utf8(secret, "each secret") for secret in secrets]
        views = (_Str * len(encoded))(*(_Str(ctypes.cast(s, ctypes.c_void_p), len(s)) for s in encoded))
        leeway = _int64(leeway_seconds, "leeway_seconds")
        lifetime = (
            None
            if max_lifetime_seconds is None
            else ctypes.byref(ctypes.c_int64(_int64(max_lifetime_seconds, "max_lifetime_seconds")))
        )
        handle = _handle()
        message = _handle()
        result = _verifier_new(views, len(encoded), leeway, lifetime, ctypes.byref(handle), ctypes.byref(message))
        if result != _OK:
            raise _config_error(result, message)
        self._handle = handle
        weakref.finalize(self, _verifier_free, handle)

    def verify(
        self,
        callback: str,
        expected_state: str,
        expected_platform: Optional[Platform] = None,
        now: Optional[int] = None,
    ) -> Proof:
        """Verifies a callback (the whole URL, or its query with or without ``?``) and returns
        the proof, or raises the :class:`VerifyError` subclass of the first failing check.
        ``now`` is the current time in unix seconds; ``None`` reads the system clock."""
        callback_bytes = _utf8(callback, "callback")
        state_bytes = _utf8(expected_state, "expected_state")
        if expected_platform is None:
            platform_code = _NO_PLATFORM
        elif isinstance(expected_platform, Platform):
            platform_code = _PLATFORM_CODES[expected_platform]
        else:
            raise TypeError(f"expected_platform must be a Platform or None, not {type(expected_platform).__name__}")
        now_pointer = None if now is None else ctypes.byref(ctypes.c_int64(_int64(now, "now")))
        proof = _handle()
        error = _handle()
        result = _verifier_verify(
            self._handle, callback_bytes, len(callback_bytes), state_bytes, len(state_bytes),
            platform_code, now_pointer, ctypes.byref(proof), ctypes.byref(error),
        )
        if result != _OK:
            raise _verify_error(result, error)
        try:
            fields = _ProofFields()
            if _proof_view(proof, ctypes.byref(fields)) != _OK:
                raise _unexpected(result)
            return Proof(
                platform=_PLATFORMS[fields.platform],
                platform_id=_text(fields.platform_id),
                handle=_text(fields.handle),
                state=_text(fields.state),
                expires=fields.expires,
            )
        finally:
            _proof_free(proof)

    def __repr__(self) -> str:
        return "Verifier(<secrets redacted>)"
