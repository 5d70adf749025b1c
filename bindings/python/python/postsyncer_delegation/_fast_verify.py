"""``Verifier.verify`` through the C ABI of the same native library, in three calls.

Why: the UniFFI-generated ``verify`` makes 8 native calls per verification (clone the object
handle, two string RustBuffers, two Option buffers, the call, the result buffer and its
free) and lifts the returned ``Proof`` byte by byte in Python; that costs several times the
verification itself (see BENCHMARKS.md). This path hands the callback and the state to
``psd_verifier_verify`` as (pointer, length) arguments and reads every proof field with one
``psd_proof_view``, then frees the proof: 3 native calls and no Python-side parsing.

What stays the same: the public API (this ``Verifier`` subclasses the generated one, whose
constructor still validates the configuration and raises the same ``ConfigError``), the
``Proof`` record and the ``VerifyError`` subclasses with the same ``kind``, ``parameter``,
``code`` and ``detail``, all read from the Rust core. Nothing is decided here: parsing,
the signature, the state, the platform and the expiry are checked by the Rust core, exactly
as through UniFFI; this module only moves bytes across the boundary.
"""

import ctypes
from typing import Dict, Optional, Type

from ._native import postsyncer_delegation as _generated

_c_str_p = ctypes.c_char_p
_size = ctypes.c_size_t
_handle = ctypes.c_void_p


class _Str(ctypes.Structure):
    """``psd_str``: a borrowed view of UTF-8 bytes."""

    _fields_ = [("data", ctypes.c_void_p), ("len", _size)]


class _ProofFields(ctypes.Structure):
    """``psd_proof_fields``: every field of a proof, borrowed from it."""

    _fields_ = [
        ("platform", ctypes.c_uint32),
        ("platform_id", _Str),
        ("handle", _Str),
        ("state", _Str),
        ("expires", ctypes.c_int64),
    ]


# The library UniFFI already loaded: dlopen of the same path returns the same handle.
_lib = ctypes.CDLL(_generated._UniffiLib._name)


def _function(name: str, restype, *argtypes):
    function = getattr(_lib, name)
    function.restype = restype
    function.argtypes = argtypes
    return function


_verifier_new = _function(
    "psd_verifier_new", ctypes.c_int, ctypes.POINTER(_Str), _size, ctypes.c_uint64, ctypes.c_int64,
    ctypes.POINTER(_handle), ctypes.c_void_p,
)
_verifier_free = _function("psd_verifier_free", None, _handle)
_verifier_verify = _function(
    "psd_verifier_verify", ctypes.c_int, _handle, _c_str_p, _size, _c_str_p, _size, ctypes.c_uint32,
    ctypes.c_void_p, ctypes.POINTER(_handle), ctypes.POINTER(_handle),
)
_proof_view = _function("psd_proof_view", ctypes.c_int, _handle, ctypes.POINTER(_ProofFields))
_proof_free = _function("psd_proof_free", None, _handle)
_error_getters = [
    _function(f"psd_verify_error_{field}", ctypes.c_int, _handle, ctypes.POINTER(_Str))
    for field in ("kind", "parameter", "code", "message")
]
_error_free = _function("psd_verify_error_free", None, _handle)
_platform_from_wire_name = _function(
    "psd_platform_from_wire_name", ctypes.c_int, _c_str_p, _size, ctypes.POINTER(ctypes.c_uint32)
)

_OK = 0
_NO_LIFETIME_BOUND = -1
_INT64 = (-(2**63), 2**63 - 1)
_string_at = ctypes.string_at


def _platform_codes() -> Dict[Optional[_generated.Platform], int]:
    """Each Platform's C code, by its wire name (``None``: no platform check)."""
    codes: Dict[Optional[_generated.Platform], int] = {None: 0}
    for platform in _generated.Platform:
        name = _generated.platform_wire_name(platform).encode()
        code = ctypes.c_uint32()
        if _platform_from_wire_name(name, len(name), ctypes.byref(code)) != _OK:
            raise _generated.InternalError(f"the native library does not know {name!r}")
        codes[platform] = code.value
    return codes


_PLATFORM_CODES = _platform_codes()
_PLATFORMS = {code: platform for platform, code in _PLATFORM_CODES.items() if platform is not None}
# "bad_signature" -> VerifyError.BadSignature, from the generated classes themselves.
_ERROR_CLASSES: Dict[str, Type[Exception]] = {
    "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_"): cls
    for name, cls in vars(_generated.VerifyError).items()
    if isinstance(cls, type) and issubclass(cls, Exception)
}


def _text(view: _Str) -> str:
    return _string_at(view.data, view.len).decode() if view.len else ""


def _optional_text(view: _Str) -> Optional[str]:
    return None if view.data is None else _text(view)


def _verify_error(error: _handle) -> Exception:
    """The VerifyError subclass for a rejected callback, with the core's fields; frees it."""
    try:
        views = [_Str() for _ in _error_getters]
        for getter, view in zip(_error_getters, views):
            if getter(error, ctypes.byref(view)) != _OK:
                return _generated.InternalError("could not read a verification error")
        kind, parameter, code, detail = views
        kind_text = _text(kind)
        return _ERROR_CLASSES[kind_text](kind_text, _optional_text(parameter), _optional_text(code), _text(detail))
    finally:
        _error_free(error)


def _encoded(value: object, name: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value.encode()


class Verifier(_generated.Verifier):
    __doc__ = _generated.Verifier.__doc__

    def __init__(self, secrets, leeway_seconds=0, max_lifetime_seconds=3600):
        secrets = list(secrets)  # read twice: once by each constructor
        # The generated constructor validates the configuration and raises ConfigError.
        super().__init__(secrets, leeway_seconds, max_lifetime_seconds)
        encoded = [secret.encode() for secret in secrets]
        views = (_Str * len(encoded))(*(_Str(ctypes.cast(s, ctypes.c_void_p), len(s)) for s in encoded))
        handle = _handle()
        lifetime = _NO_LIFETIME_BOUND if max_lifetime_seconds is None else max_lifetime_seconds
        if _verifier_new(views, len(encoded), leeway_seconds, lifetime, ctypes.byref(handle), None) != _OK:
            raise _generated.InternalError("the C verifier refused a configuration UniFFI accepted")
        self._c_verifier = handle

    def __del__(self):
        handle = getattr(self, "_c_verifier", None)
        if handle is not None:
            _verifier_free(handle)
        super().__del__()

    def verify(self, callback, expected_state, expected_platform=None, now=None):
        callback_bytes = _encoded(callback, "callback")
        state_bytes = _encoded(expected_state, "expected_state")
        try:
            platform_code = _PLATFORM_CODES[expected_platform]
        except (KeyError, TypeError):
            raise TypeError(f"expected_platform must be a Platform or None, not {expected_platform!r}") from None
        if now is None:
            now_pointer = None
        elif type(now) is int and _INT64[0] <= now <= _INT64[1]:
            now_pointer = ctypes.byref(ctypes.c_int64(now))
        else:
            raise ValueError(f"now must be an int64 number of unix seconds, not {now!r}")
        proof = _handle()
        error = _handle()
        result = _verifier_verify(
            self._c_verifier, callback_bytes, len(callback_bytes), state_bytes, len(state_bytes),
            platform_code, now_pointer, ctypes.byref(proof), ctypes.byref(error),
        )
        if result != _OK:
            if error.value is None:
                raise _generated.InternalError(f"psd_verifier_verify failed with code {result}")
            raise _verify_error(error)
        try:
            fields = _ProofFields()
            if _proof_view(proof, ctypes.byref(fields)) != _OK:
                raise _generated.InternalError("could not read the verified proof")
            return _generated.Proof(
                platform=_PLATFORMS[fields.platform],
                platform_id=_text(fields.platform_id),
                handle=_text(fields.handle),
                state=_text(fields.state),
                expires=fields.expires,
            )
        finally:
            _proof_free(proof)

    verify.__doc__ = _generated.Verifier.verify.__doc__
