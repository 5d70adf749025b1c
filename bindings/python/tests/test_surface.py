"""The rest of the Python surface: configuration errors, platforms, state and signing."""

import pytest

from postsyncer_delegation import (
    Client,
    ConfigError,
    Platform,
    Proof,
    Verifier,
    VerifyError,
    generate_state,
    platform_from_wire_name,
    sign_proof,
)

SECRET = "ps_test_signing_secret_0001"


def test_platform_wire_names_round_trip() -> None:
    assert len(Platform) == 8
    for platform in Platform:
        assert platform_from_wire_name(platform.wire_name()) == platform
    assert Platform.TWITTER.wire_name() == "twitter"
    assert platform_from_wire_name("x") is None
    assert platform_from_wire_name("TikTok") is None


def test_generate_state_is_fresh_and_url_safe() -> None:
    states = {generate_state() for _ in range(100)}
    assert len(states) == 100
    for state in states:
        assert len(state) == 43
        assert all(c.isalnum() or c in "-_" for c in state)


def test_sign_then_verify_round_trips() -> None:
    proof = Proof(
        platform=Platform.THREADS,
        platform_id="17841400000000000",
        handle="jane doe & co",
        state="a1b2c3d4",
        expires=1_717_000_000,
    )
    query = sign_proof(SECRET, proof)
    assert Verifier([SECRET]).verify(query, expected_state="a1b2c3d4", now=1_716_999_940) == proof
    with pytest.raises(VerifyError.BadSignature):
        Verifier(["another-secret"]).verify(query, expected_state="a1b2c3d4", now=1_716_999_940)


def test_rotation_accepts_either_secret() -> None:
    proof = Proof(platform=Platform.TIKTOK, platform_id="_1", handle="", state="s", expires=100)
    verifier = Verifier(secrets=["new-secret", SECRET])
    assert verifier.verify(sign_proof(SECRET, proof), expected_state="s", now=100) == proof


def test_default_lifetime_bound_and_turning_it_off() -> None:
    far = Proof(platform=Platform.TIKTOK, platform_id="_1", handle="h", state="s", expires=10_000)
    query = sign_proof(SECRET, far)
    with pytest.raises(VerifyError.ExpiryTooFar):
        Verifier([SECRET]).verify(query, expected_state="s", now=0)
    unbounded = Verifier([SECRET], max_lifetime_seconds=None)
    assert unbounded.verify(query, expected_state="s", now=0) == far


def test_leeway_accepts_a_late_proof() -> None:
    proof = Proof(platform=Platform.TIKTOK, platform_id="_1", handle="h", state="s", expires=100)
    query = sign_proof(SECRET, proof)
    with pytest.raises(VerifyError.Expired):
        Verifier([SECRET]).verify(query, expected_state="s", now=130)
    assert Verifier([SECRET], leeway_seconds=60).verify(query, expected_state="s", now=130) == proof


@pytest.mark.parametrize(
    ("build", "error_class", "kind"),
    [
        (lambda: Verifier([]), ConfigError.NoSecret, "no_secret"),
        (lambda: Verifier([SECRET, ""]), ConfigError.EmptySecret, "empty_secret"),
        (lambda: Verifier([SECRET], leeway_seconds=-1), ConfigError.InvalidArgument, "invalid_argument"),
        (
            lambda: Verifier([SECRET], max_lifetime_seconds=-5),
            ConfigError.InvalidArgument,
            "invalid_argument",
        ),
        (lambda: Client(""), ConfigError.EmptyApiKey, "empty_api_key"),
        (lambda: Client("ps_key", timeout_ms=-1), ConfigError.InvalidArgument, "invalid_argument"),
        (lambda: Client("ps_key", max_retries=-1), ConfigError.InvalidArgument, "invalid_argument"),
        (
            lambda: Client("ps_key", base_url="ftp://example.com/api"),
            ConfigError.InvalidArgument,
            "invalid_argument",
        ),
        (lambda: sign_proof("", Proof(platform=Platform.TIKTOK, platform_id="_1", handle="", state="s", expires=1)), ConfigError.EmptySecret, "empty_secret"),
    ],
)
def test_configuration_errors(build, error_class: type, kind: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build()
    assert isinstance(caught.value, error_class)
    assert caught.value.kind == kind
    assert f"kind={kind!r}" in str(caught.value) and repr(caught.value.detail) in str(caught.value)


def test_secrets_never_appear_in_errors() -> None:
    secret = "ps_live_signing_secret_do_not_print"
    proof = Proof(platform=Platform.TIKTOK, platform_id="_1", handle="", state="s", expires=1)
    query = sign_proof("another", proof)
    with pytest.raises(VerifyError) as caught:
        Verifier([secret]).verify(query, expected_state="s", now=1)
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value)


def test_verify_errors_are_catchable_as_exceptions() -> None:
    with pytest.raises(Exception) as caught:
        Verifier([SECRET]).verify("platform=tiktok", expected_state="s")
    error = caught.value
    assert isinstance(error, VerifyError.MissingParameter)
    assert (error.kind, error.parameter, error.code) == ("missing_parameter", "platform_id", None)


def test_the_error_hierarchy_is_true() -> None:
    assert issubclass(VerifyError.BadSignature, VerifyError)
    assert issubclass(ConfigError.EmptySecret, ConfigError)
    with pytest.raises(ConfigError.NoSecret):
        Verifier([])


def test_one_version_everywhere() -> None:
    import tomllib
    from pathlib import Path

    import postsyncer_delegation

    cargo = tomllib.loads((Path(__file__).parents[3] / "Cargo.toml").read_text())
    assert postsyncer_delegation.version() == cargo["workspace"]["package"]["version"]
    assert postsyncer_delegation.__version__ == postsyncer_delegation.version()


def test_verifier_arguments_of_the_wrong_type_are_type_errors() -> None:
    verifier = Verifier([SECRET])
    with pytest.raises(TypeError):
        verifier.verify(b"platform=tiktok", expected_state="s")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        verifier.verify("platform=tiktok", expected_state="s", expected_platform="tiktok")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Verifier([SECRET], leeway_seconds=1.5)  # type: ignore[arg-type]
    assert SECRET not in repr(verifier)
