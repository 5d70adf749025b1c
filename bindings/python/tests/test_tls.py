"""`Client.with_root_certificate` against the emulator over HTTPS (`emulate --tls`): trusting
its certificate works, not trusting it is `transport`, and a PEM without a certificate is
refused when the client is built."""

import subprocess
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from conftest import CALLBACK_URL, REPO_ROOT
from postsyncer_delegation import ApiError, Client, ConfigError, Platform


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[str, str, str]]:
    """(API base URL, API key, certificate PEM) of an HTTPS emulator started for this module."""
    cert_path = tmp_path_factory.mktemp("tls") / "emulator.pem"
    binary = REPO_ROOT / "target" / "release" / "postsyncer-delegate"
    process = subprocess.Popen(
        [str(binary), "emulate", "--addr", "127.0.0.1:0", "--tls", "--tls-cert-out", str(cert_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        announced = dict(process.stdout.readline().strip().split("=", 1) for _ in range(3))
        yield f"{announced['PSD_EMULATOR_URL']}/api", announced["PSD_API_KEY"], Path(cert_path).read_text()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_client_that_trusts_the_certificate_creates_sessions(tls_emulator: Tuple[str, str, str]) -> None:
    base_url, api_key, pem = tls_emulator
    client = Client.with_root_certificate(api_key, pem, base_url=base_url)
    session = client.create_session_blocking(Platform.TIKTOK, CALLBACK_URL)
    assert session.authorize_url.startswith(base_url.removesuffix("/api") + "/oauth/delegate?request=psd_")
    assert session.authorize_url.startswith("https://")


def test_a_client_that_does_not_trust_it_gets_transport(tls_emulator: Tuple[str, str, str]) -> None:
    base_url, api_key, _ = tls_emulator
    with pytest.raises(ApiError.Transport) as caught:
        Client(api_key, base_url=base_url).create_session_blocking(Platform.TIKTOK, CALLBACK_URL)
    assert caught.value.kind == "transport"


def test_a_pem_without_a_certificate_is_refused() -> None:
    with pytest.raises(ConfigError.InvalidArgument) as caught:
        Client.with_root_certificate("ps_test_api_key_0001", "not a certificate", base_url="https://127.0.0.1:9/api")
    assert "root_certificate_pem" in str(caught.value)
