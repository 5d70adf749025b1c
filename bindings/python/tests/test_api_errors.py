"""Every ApiError kind, each provoked for real through the emulator's control API."""

import asyncio
import socket

import pytest

from conftest import CALLBACK_URL, Emulator
from postsyncer_delegation import ApiError, Client, Platform


def failing_client(emulator: Emulator, timeout_ms: int = 10000, **faults: object) -> Client:
    """A client without retries whose API key gets these faults."""
    api_key = emulator.new_api_key(**faults)
    return Client(api_key, base_url=emulator.api_base, timeout_ms=timeout_ms, max_retries=0)


def create(client: Client, callback_url: str = CALLBACK_URL):
    return client.create_session_blocking(Platform.TIKTOK, callback_url)


def test_invalid_request_is_refused_before_sending(emulator: Emulator) -> None:
    api_key = emulator.new_api_key()
    client = Client(api_key, base_url=emulator.api_base)
    with pytest.raises(ApiError.InvalidRequest) as caught:
        create(client, callback_url="/relative/callback")
    assert caught.value.kind == "invalid_request"
    assert caught.value.status is None
    assert emulator.session_requests(api_key) == 0


def test_unauthenticated(emulator: Emulator) -> None:
    client = Client("ps_not_a_key", base_url=emulator.api_base, max_retries=0)
    with pytest.raises(ApiError.Unauthenticated) as caught:
        create(client)
    assert (caught.value.kind, caught.value.status) == ("unauthenticated", 401)
    assert "ps_not_a_key" not in str(caught.value)


@pytest.mark.parametrize(
    ("status", "error_class", "kind"),
    [
        (403, ApiError.Forbidden, "forbidden"),
        (404, ApiError.NotFound, "not_found"),
        (500, ApiError.Server, "server"),
    ],
)
def test_status_kinds(emulator: Emulator, status: int, error_class: type, kind: str) -> None:
    with pytest.raises(error_class) as caught:
        create(failing_client(emulator, status=status))
    assert (caught.value.kind, caught.value.status) == (kind, status)


def test_validation_carries_field_errors(emulator: Emulator) -> None:
    with pytest.raises(ApiError.Validation) as caught:
        create(failing_client(emulator, status=422))
    error = caught.value
    assert (error.kind, error.status) == ("validation", 422)
    assert error.field_errors
    assert all(isinstance(messages, list) and messages for messages in error.field_errors.values())


def test_rate_limited_carries_retry_after(emulator: Emulator) -> None:
    # A Retry-After longer than the client honours is returned at once, not waited for.
    with pytest.raises(ApiError.RateLimited) as caught:
        create(failing_client(emulator, rate_limit_first=1, retry_after=120))
    error = caught.value
    assert (error.kind, error.status) == ("rate_limited", 429)
    assert error.retry_after_seconds == 120.0


def test_rate_limit_is_retried_after_retry_after(emulator: Emulator) -> None:
    api_key = emulator.new_api_key(rate_limit_first=1, retry_after=1)
    client = Client(api_key, base_url=emulator.api_base, max_retries=1)
    assert create(client).authorize_url
    assert emulator.session_requests(api_key) == 2


def test_server_error_is_retried(emulator: Emulator) -> None:
    api_key = emulator.new_api_key(fail_first=1, fail_status=503)
    client = Client(api_key, base_url=emulator.api_base, max_retries=2)
    assert create(client).authorize_url
    assert emulator.session_requests(api_key) == 2


def test_transport(emulator: Emulator) -> None:
    # A port that was just free: nothing listens there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = Client("ps_test_api_key_0001", base_url=f"http://127.0.0.1:{port}/api", max_retries=0)
    with pytest.raises(ApiError.Transport) as caught:
        create(client)
    assert caught.value.kind == "transport"
    assert caught.value.status is None


def test_timeout(emulator: Emulator) -> None:
    with pytest.raises(ApiError.Timeout) as caught:
        create(failing_client(emulator, timeout_ms=200, latency_ms=3000))
    assert caught.value.kind == "timeout"


def test_invalid_response(emulator: Emulator) -> None:
    with pytest.raises(ApiError.InvalidResponse) as caught:
        create(failing_client(emulator, malformed_json=True))
    assert caught.value.kind == "invalid_response"


def test_async_errors_are_the_same_classes(emulator: Emulator) -> None:
    client = failing_client(emulator, status=403)

    async def attempt() -> None:
        await client.create_session(Platform.TIKTOK, CALLBACK_URL)

    with pytest.raises(ApiError.Forbidden):
        asyncio.run(attempt())


def test_str_is_kind_and_detail(emulator: Emulator) -> None:
    with pytest.raises(ApiError) as caught:
        create(failing_client(emulator, status=403))
    assert "kind='forbidden'" in str(caught.value) and repr(caught.value.detail) in str(caught.value)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (401, ApiError.Unauthenticated),
        (422, ApiError.Validation),
        (500, ApiError.Server),
    ],
)
def test_an_api_key_echoed_by_the_service_is_in_no_part_of_the_error(
    emulator: Emulator, status: int, error_class: type
) -> None:
    # The emulator's echo_api_key switch quotes "Bearer <key>" back, as an echoing proxy or a
    # WAF page does: in the message and, for 422, in field names and field messages.
    api_key = emulator.new_api_key(status=status, echo_api_key=True)
    client = Client(api_key, base_url=emulator.api_base, max_retries=0)
    with pytest.raises(error_class) as caught:
        create(client)
    error = caught.value
    for shown in (str(error), repr(error), error.detail, repr(error.field_errors)):
        assert api_key not in shown
    assert "[redacted]" in error.detail
    for field, messages in error.field_errors.items():
        assert api_key not in field
        assert all(api_key not in message for message in messages)
    if status == 422:
        assert "[redacted]" in error.field_errors


def test_a_hostile_authorize_url_is_refused(emulator: Emulator) -> None:
    hostile = f"{emulator.url}/oauth/delegate?request=psd_x\r\nSet-Cookie: a=b"
    api_key = emulator.new_api_key(authorize_url=hostile)
    with pytest.raises(ApiError.InvalidResponse) as caught:
        create(Client(api_key, base_url=emulator.api_base, max_retries=0))
    assert "Set-Cookie" not in caught.value.detail
