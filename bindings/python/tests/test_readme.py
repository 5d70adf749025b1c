"""The README's Python quickstart runs as written, against the emulator."""

import os
import re
from typing import Any, Dict

from conftest import REPO_ROOT, Emulator


def readme_python_quickstart() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", readme, re.DOTALL)
    assert match, "README.md has no Python block"
    return match.group(1)


def test_readme_quickstart_verifies_an_approved_session(emulator: Emulator, monkeypatch: Any) -> None:
    monkeypatch.setitem(os.environ, "POSTSYNCER_API_KEY", emulator.api_key)
    monkeypatch.setitem(os.environ, "POSTSYNCER_SIGNING_SECRET", emulator.signing_secret)
    monkeypatch.setitem(os.environ, "POSTSYNCER_BASE_URL", emulator.api_base)
    namespace: Dict[str, Any] = {}
    exec(compile(readme_python_quickstart(), "README.md", "exec"), namespace)

    session = namespace["session"]
    callback = emulator.decide(session.authorize_url, "approve")
    assert namespace["on_callback"](callback, session.state) == "_000abc"
    assert namespace["on_callback"](callback, "another-state") is None


def test_readme_quickstart_reports_a_denial(emulator: Emulator, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setitem(os.environ, "POSTSYNCER_API_KEY", emulator.api_key)
    monkeypatch.setitem(os.environ, "POSTSYNCER_SIGNING_SECRET", emulator.signing_secret)
    monkeypatch.setitem(os.environ, "POSTSYNCER_BASE_URL", emulator.api_base)
    namespace: Dict[str, Any] = {}
    exec(compile(readme_python_quickstart(), "README.md", "exec"), namespace)

    session = namespace["session"]
    callback = emulator.decide(session.authorize_url, "deny")
    assert namespace["on_callback"](callback, session.state) is None
    assert "declined: access_denied" in capsys.readouterr().out
