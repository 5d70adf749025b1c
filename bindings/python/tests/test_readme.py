"""The README's Python quickstart runs as written, against the emulator."""

import os
import re
from typing import Any, Dict

import pytest

from conftest import REPO_ROOT, Emulator


@pytest.fixture
def quickstart(emulator: Emulator, monkeypatch: Any) -> Dict[str, Any]:
    """The namespace left by running the README's first Python block with the emulator's
    credentials in the environment."""
    monkeypatch.setitem(os.environ, "POSTSYNCER_API_KEY", emulator.api_key)
    monkeypatch.setitem(os.environ, "POSTSYNCER_SIGNING_SECRET", emulator.signing_secret)
    monkeypatch.setitem(os.environ, "POSTSYNCER_BASE_URL", emulator.api_base)
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md has no Python block"
    namespace: Dict[str, Any] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    return namespace


def test_readme_quickstart_completes_an_approved_flow_once(
    quickstart: Dict[str, Any], emulator: Emulator, capsys: Any
) -> None:
    callback = emulator.decide(quickstart["on_connect"]("browser-1"), "approve")
    assert quickstart["on_callback"](callback, "browser-1") == "_000abc"
    assert quickstart["on_callback"](callback, "browser-1") is None
    assert "refused: state_not_found" in capsys.readouterr().out


def test_readme_quickstart_refuses_another_browser(quickstart: Dict[str, Any], emulator: Emulator, capsys: Any) -> None:
    callback = emulator.decide(quickstart["on_connect"]("browser-1"), "approve")
    assert quickstart["on_callback"](callback, "browser-2") is None
    assert "refused: subject_mismatch" in capsys.readouterr().out


def test_readme_quickstart_reports_a_denial(quickstart: Dict[str, Any], emulator: Emulator, capsys: Any) -> None:
    callback = emulator.decide(quickstart["on_connect"]("browser-1"), "deny")
    assert quickstart["on_callback"](callback, "browser-1") is None
    assert "declined: access_denied" in capsys.readouterr().out
