"""Fixtures: the conformance vectors and a running emulator.

The emulator is the one named by PSD_EMULATOR_URL / PSD_API_KEY / PSD_SIGNING_SECRET when
those are set (scripts/test-python sets them); otherwise this file starts the release build
of `postsyncer-delegate emulate` on a free port and stops it after the session.
"""

import http.client
import json
import os
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

REPO_ROOT = Path(os.environ.get("REPO_ROOT") or Path(__file__).resolve().parents[3])
# The project's vectors, or the differential test's generated cases (scripts/test-differential).
VECTORS = Path(os.environ.get("PSD_VECTORS") or REPO_ROOT / "tests" / "vectors" / "verify.json")
CALLBACK_URL = "https://app.example/oauth/callback"


def load_vectors() -> List[Dict[str, Any]]:
    return json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]


@dataclass(frozen=True)
class Emulator:
    url: str
    api_key: str
    signing_secret: str

    @property
    def api_base(self) -> str:
        return f"{self.url}/api"

    def new_api_key(self, **faults: Any) -> str:
        """A fresh API key whose sessions requests get these faults (the control API)."""
        request = urllib.request.Request(
            f"{self.url}/emulator/api-keys",
            data=json.dumps(faults).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
            return json.load(response)["api_key"]

    def session_requests(self, api_key: str) -> int:
        with urllib.request.urlopen(
            f"{self.url}/emulator/api-keys/{api_key}/stats", timeout=10
        ) as response:
            return json.load(response)["session_requests"]

    def decide(self, authorize_url: str, decision: str, identity: Optional[str] = None) -> str:
        """Answers the consent page without a browser; returns the callback URL it redirects to."""
        query = {"decision": decision}
        if identity is not None:
            query["identity"] = identity
        parts = urllib.parse.urlsplit(f"{authorize_url}&{urllib.parse.urlencode(query)}")
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request("GET", f"{parts.path}?{parts.query}")
            response = connection.getresponse()
            response.read()
            assert response.status == 303, f"consent answered {response.status}"
            return response.headers["Location"]
        finally:
            connection.close()


def _start_emulator(log_dir: Path) -> "tuple[subprocess.Popen[bytes], Emulator]":
    binary = REPO_ROOT / "target" / "release" / "postsyncer-delegate"
    if not binary.is_file():
        pytest.exit(f"{binary} is missing: run `cargo build --release --workspace` first", 2)
    stdout_path = log_dir / "stdout"
    # Output goes to files, so the emulator never blocks on a full pipe.
    with open(stdout_path, "wb") as stdout, open(log_dir / "stderr", "wb") as stderr:
        process = subprocess.Popen(
            [str(binary), "emulate", "--addr", "127.0.0.1:0"], stdout=stdout, stderr=stderr
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        values = dict(
            line.split("=", 1)
            for line in stdout_path.read_text().splitlines()
            if line.startswith("PSD_") and "=" in line
        )
        if len(values) >= 3:
            return process, Emulator(
                values["PSD_EMULATOR_URL"], values["PSD_API_KEY"], values["PSD_SIGNING_SECRET"]
            )
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    process.wait()
    pytest.exit(f"the emulator did not start: {(log_dir / 'stderr').read_text()}", 2)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    url = os.environ.get("PSD_EMULATOR_URL")
    if url:
        yield Emulator(url, os.environ["PSD_API_KEY"], os.environ["PSD_SIGNING_SECRET"])
        return
    with tempfile.TemporaryDirectory() as log_dir:
        process, started = _start_emulator(Path(log_dir))
        try:
            yield started
        finally:
            process.terminate()
            process.wait(timeout=10)
