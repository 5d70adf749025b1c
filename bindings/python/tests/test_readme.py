"""The README's Python quickstart runs as written, against the emulator."""

import os
import re
from typing import Any, Dict

import pytest

from conftest import REPO_ROOT, Emulator


@pytest.fixture
def quickstart(emulator: Emulator, monkeypatch: Any) -> Dict[str, Any]:
    """The namespace left by running the README's first Python block with the emulator's
    credentials in the environment (it creates a session as it runs)."""
    monkeypatch.setitem(os.environ, "POSTSYNCER_API_KEY", emulator.api_key)
    monkeypatch.setitem(os.environ, "POSTSYNCER_SIGNING_SECRET", emulator.signing_secret)
    monkeypatch.setitem(os.environ, "POSTSYNCER_BASE_URL", emulator.api_base)
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md has no Python block"
    namespace: Dict[str, Any] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    return namespace


def test_readme_quickstart_verifies_an_approved_session(quickstart: Dict[str, Any], emulator: Emulator) -> None:
    session = quickstart["session"]
    callback = emulator.decide(session.authorize_url, "approve")
    assert quickstart["on_callback"](callback, session.state) == "_000abc"
    assert quickstart["on_callback"](callback, "another-state") is None


def test_readme_quickstart_reports_a_denial(quickstart: Dict[str, Any], emulator: Emulator, capsys: Any) -> None:
    session = quickstart["session"]
    callback = emulator.decide(session.authorize_url, "deny")
    assert quickstart["on_callback"](callback, session.state) is None
    assert "declined: access_denied" in capsys.readouterr().out
