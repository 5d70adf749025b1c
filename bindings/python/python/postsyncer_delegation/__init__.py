"""Prove that a user owns a social account through PostSyncer's OAuth delegation API.

1. Create a session with :class:`Client` and redirect the browser to its ``authorize_url``.
2. PostSyncer sends the browser back to your callback URL with a signed proof.
3. Verify the callback with :class:`Verifier` and trust ``proof.platform_id``.

Or let :class:`Flow` do all three with single-use state kept in memory, in Redis or in the
application's own :class:`StateStore`: ``begin`` then ``complete``.

Every decision is made by the project's Rust core. Everything but ``Verifier`` is its UniFFI
binding, generated into ``postsyncer_delegation._native`` when the wheel is built;
``Verifier`` calls the core's C ABI (see ``_verifier`` for why).
"""

from ._native.postsyncer_delegation import (
    ApiError,
    BeginError,
    Begun,
    Client,
    CompleteError,
    Completed,
    ConfigError,
    Flow,
    InternalError,
    Platform,
    Proof,
    Session,
    StateStore,
    StoreError,
    VerifyError,
    generate_state,
    platform_from_wire_name,
    sign_proof,
    version,
)
from ._verifier import Verifier

__version__ = version()

__all__ = [
    "ApiError",
    "BeginError",
    "Begun",
    "Client",
    "CompleteError",
    "Completed",
    "ConfigError",
    "Flow",
    "InternalError",
    "Platform",
    "Proof",
    "Session",
    "StateStore",
    "StoreError",
    "Verifier",
    "VerifyError",
    "__version__",
    "generate_state",
    "platform_from_wire_name",
    "sign_proof",
    "version",
]
