"""Every conformance vector through the Python binding (protocol.md §3)."""

from typing import Any, Dict

import pytest

from conftest import load_vectors
from postsyncer_delegation import (
    Verifier,
    VerifyError,
    platform_from_wire_name,
)

CASES = load_vectors()


def camel_case(word: str) -> str:
    return "".join(piece.capitalize() for piece in word.split("_"))


def verifier_for(case: Dict[str, Any]) -> Verifier:
    return Verifier(
        secrets=case["secrets"],
        leeway_seconds=case.get("leeway", 0),
        # An absent bound is the default (3600 s); null in a vector turns it off.
        max_lifetime_seconds=case.get("max_lifetime", 3600),
    )


def verify(case: Dict[str, Any]):
    expected_platform = None
    if "expected_platform" in case:
        expected_platform = platform_from_wire_name(case["expected_platform"])
        assert expected_platform is not None
    return verifier_for(case).verify(
        case["input"],
        expected_state=case["expected_state"],
        expected_platform=expected_platform,
        now=case["now"],
    )


def test_every_vector_is_loaded() -> None:
    assert len(CASES) == 60


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_vector(case: Dict[str, Any]) -> None:
    expected = case["result"]
    if "ok" in expected:
        proof = verify(case)
        assert {
            "platform": proof.platform.wire_name(),
            "platform_id": proof.platform_id,
            "handle": proof.handle,
            "state": proof.state,
            "expires": proof.expires,
        } == expected["ok"]
        return

    with pytest.raises(VerifyError) as caught:
        verify(case)
    error = caught.value
    assert error.kind == expected["error"]
    assert error.parameter == expected.get("parameter")
    assert error.code == expected.get("code")
    # Catchable by kind: the variant class is named after the protocol word.
    assert isinstance(error, getattr(VerifyError, camel_case(expected["error"])))
    assert error.detail
    assert f"kind={error.kind!r}" in str(error) and repr(error.detail) in str(error)
