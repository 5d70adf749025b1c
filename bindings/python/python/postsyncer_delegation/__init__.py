"""Prove that a user owns a social account through PostSyncer's OAuth delegation API.

1. Create a session with :class:`Client` and redirect the browser to its ``authorize_url``.
2. PostSyncer sends the browser back to your callback URL with a signed proof.
3. Verify the callback with :class:`Verifier` and trust ``proof.platform_id``.

Every decision is made by the project's Rust core; this package is its UniFFI binding
(generated into ``postsyncer_delegation._native`` when the wheel is built) and adds nothing
but the string form of errors and a faster call path for ``Verifier.verify`` (the C ABI of
the same library, see ``_fast_verify``).
"""

from ._native.postsyncer_delegation import (
    ApiError,
    Client,
    ConfigError,
    InternalError,
    Platform,
    Proof,
    Session,
    VerifyError,
    generate_state,
    platform_from_wire_name,
    platform_wire_name,
    sign_proof,
)
from ._fast_verify import Verifier

__all__ = [
    "ApiError",
    "Client",
    "ConfigError",
    "InternalError",
    "Platform",
    "Proof",
    "Session",
    "Verifier",
    "VerifyError",
    "generate_state",
    "platform_from_wire_name",
    "platform_wire_name",
    "sign_proof",
]


def _kind_and_detail(error: Exception) -> str:
    return f"{error.kind}: {error.detail}"  # type: ignore[attr-defined]


# The generated classes print their fields; print "<kind>: <detail>" as the Rust core does.
for _error_class in (VerifyError, ConfigError, ApiError):
    _error_class.__str__ = _kind_and_detail  # type: ignore[method-assign]
del _error_class
