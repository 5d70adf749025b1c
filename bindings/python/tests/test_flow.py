"""The whole delegation flow against the emulator: create a session, consent, verify."""

import asyncio

import pytest

from conftest import CALLBACK_URL, Emulator
from postsyncer_delegation import Client, Platform, Session, Verifier, VerifyError


def client_for(emulator: Emulator, api_key: str = "") -> Client:
    return Client(api_key or emulator.api_key, base_url=emulator.api_base)


def assert_session(session: Session, emulator: Emulator, platform: Platform) -> None:
    assert session.authorize_url.startswith(f"{emulator.url}/oauth/delegate?request=psd_")
    assert session.expires_in == 900
    assert session.expires_at > 0
    assert session.platform == platform
    assert session.callback_url == CALLBACK_URL


def test_blocking_flow(emulator: Emulator) -> None:
    client = client_for(emulator)
    verifier = Verifier([emulator.signing_secret])

    session = client.create_session_blocking(Platform.TIKTOK, CALLBACK_URL, state="s1-blocking")
    assert_session(session, emulator, Platform.TIKTOK)
    assert session.state == "s1-blocking"

    callback = emulator.decide(session.authorize_url, "approve")
    assert callback.startswith(f"{CALLBACK_URL}?")
    proof = verifier.verify(
        callback, expected_state=session.state, expected_platform=session.platform
    )
    assert (proof.platform, proof.platform_id, proof.handle) == (
        Platform.TIKTOK,
        "_000abc",
        "jane",
    )
    assert proof.state == "s1-blocking"


def test_asyncio_flow(emulator: Emulator) -> None:
    client = client_for(emulator)
    verifier = Verifier([emulator.signing_secret])
    platforms = [Platform.INSTAGRAM, Platform.TWITTER, Platform.YOUTUBE, Platform.THREADS]

    async def create_all() -> "list[Session]":
        return await asyncio.gather(
            *(client.create_session(platform, CALLBACK_URL) for platform in platforms)
        )

    sessions = asyncio.run(create_all())
    for platform, session in zip(platforms, sessions):
        assert_session(session, emulator, platform)
        # No state given: the core generated 256 random bits, base64url.
        assert len(session.state) == 43
        proof = verifier.verify(
            emulator.decide(session.authorize_url, "approve"),
            expected_state=session.state,
            expected_platform=platform,
        )
        assert proof.platform == platform
        assert proof.state == session.state
    assert len({session.state for session in sessions}) == len(sessions)


def test_callback_url_with_its_own_query(emulator: Emulator) -> None:
    callback_url = f"{CALLBACK_URL}?tenant=42"
    session = client_for(emulator).create_session_blocking(Platform.LINKEDIN, callback_url)
    callback = emulator.decide(session.authorize_url, "approve")
    assert callback.startswith(f"{callback_url}&")
    proof = Verifier([emulator.signing_secret]).verify(callback, expected_state=session.state)
    assert proof.platform == Platform.LINKEDIN


def test_denied_consent_is_authorization_denied(emulator: Emulator) -> None:
    session = client_for(emulator).create_session_blocking(Platform.FACEBOOK, CALLBACK_URL)
    callback = emulator.decide(session.authorize_url, "deny")
    with pytest.raises(VerifyError.AuthorizationDenied) as caught:
        Verifier([emulator.signing_secret]).verify(callback, expected_state=session.state)
    assert caught.value.kind == "authorization_denied"
    assert caught.value.code == "access_denied"


def test_a_callback_for_another_platform_is_refused(emulator: Emulator) -> None:
    session = client_for(emulator).create_session_blocking(Platform.PINTEREST, CALLBACK_URL)
    callback = emulator.decide(session.authorize_url, "approve")
    with pytest.raises(VerifyError.PlatformMismatch):
        Verifier([emulator.signing_secret]).verify(
            callback, expected_state=session.state, expected_platform=Platform.TIKTOK
        )


@pytest.mark.parametrize(
    ("proof_fault", "error_class"),
    [
        ("bad_signature", VerifyError.BadSignature),
        ("expired", VerifyError.Expired),
        ("wrong_state", VerifyError.StateMismatch),
        ("duplicate_parameter", VerifyError.DuplicateParameter),
    ],
)
def test_corrupted_callbacks_are_refused_by_kind(
    emulator: Emulator, proof_fault: str, error_class: type
) -> None:
    api_key = emulator.new_api_key(proof_fault=proof_fault)
    session = client_for(emulator, api_key).create_session_blocking(Platform.TIKTOK, CALLBACK_URL)
    callback = emulator.decide(session.authorize_url, "approve")
    with pytest.raises(error_class) as caught:
        Verifier([emulator.signing_secret]).verify(callback, expected_state=session.state)
    assert isinstance(caught.value, VerifyError)
