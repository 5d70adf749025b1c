"""A Client built before fork() works in the child: os.fork (blocking and asyncio calls, a
grandchild too), multiprocessing's fork start method, and gunicorn --preload with several
workers, which is how servers load an application once and fork it.

Before the fix, the child's first call never returned: the client's worker threads did not
exist in the child. Every test is bounded in time (an alarm in each child, deadlines in the
parent), so a regression fails instead of hanging.
"""

import asyncio
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from conftest import CALLBACK_URL, Emulator
from postsyncer_delegation import Client, Platform

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() is POSIX only"),
    # Python 3.12+ warns about fork() in a process with threads (the client's workers):
    # that is the very situation under test.
    pytest.mark.filterwarnings("ignore:.*multi-threaded.*fork.*:DeprecationWarning"),
]

CHILD_SECONDS = 20  # a child still running after this is killed by its alarm


def make_client(emulator: Emulator) -> Client:
    return Client(emulator.api_key, base_url=emulator.api_base, timeout_ms=2000)


def run_in_child(work: Callable[[], Dict[str, Any]]) -> Dict[str, Any]:
    """Forks; the child runs work() under an alarm and reports its result as JSON."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        status = 1
        try:
            os.close(read_end)
            signal.alarm(CHILD_SECONDS)
            report: Dict[str, Any] = {"ok": True, **work()}
        except BaseException as error:  # noqa: BLE001 - everything goes to the parent
            report = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        try:
            with os.fdopen(write_end, "w") as out:
                json.dump(report, out)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    status = wait_bounded(pid, CHILD_SECONDS + 10)
    with os.fdopen(read_end) as reader:
        text = reader.read()
    assert os.WIFEXITED(status), f"the child did not exit normally (status {status}): it hung or crashed"
    report = json.loads(text)
    assert report["ok"], report.get("error")
    return report


def wait_bounded(pid: int, seconds: float) -> int:
    """waitpid with a deadline: a child still running then is killed (and the test fails)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"child {pid} still running after {seconds} s: killed")


def create(client: Client) -> str:
    return client.create_session_blocking(Platform.TIKTOK, CALLBACK_URL).state


def create_async(client: Client) -> str:
    async def main() -> str:
        return (await client.create_session(Platform.TIKTOK, CALLBACK_URL)).state

    return asyncio.run(main())


def test_a_forked_child_creates_sessions_blocking_and_async(emulator: Emulator) -> None:
    client = make_client(emulator)
    create(client)  # the parent's runtime and pool are in use when it forks
    create_async(client)

    def child() -> Dict[str, Any]:
        return {"blocking": create(client), "async": create_async(client), "again": create(client)}

    report = run_in_child(child)
    assert len({report["blocking"], report["async"], report["again"]}) == 3
    # The parent is unaffected by what the child did.
    assert create(client) and create_async(client)


def test_a_forked_child_can_start_with_asyncio(emulator: Emulator) -> None:
    client = make_client(emulator)
    create(client)
    report = run_in_child(lambda: {"async": create_async(client), "blocking": create(client)})
    assert report["async"] and report["blocking"]


def test_a_grandchild_works_too(emulator: Emulator) -> None:
    client = make_client(emulator)
    create(client)

    def child() -> Dict[str, Any]:
        mine = create(client)
        grandchild = run_in_child(lambda: {"state": create(client)})
        return {"child": mine, "grandchild": grandchild["state"], "child_again": create(client)}

    report = run_in_child(child)
    assert report["child"] and report["grandchild"] and report["child_again"]


def test_dropping_the_client_in_the_child_does_not_block(emulator: Emulator) -> None:
    client = make_client(emulator)
    create(client)

    def child() -> Dict[str, Any]:
        nonlocal client
        state = create(client)
        del client  # the child's runtime is stopped, the parent's left alone
        return {"state": state}

    assert run_in_child(child)["state"]
    # A child that never used the client drops it too.
    fresh = make_client(emulator)
    create(fresh)

    def unused_child() -> Dict[str, Any]:
        nonlocal fresh
        del fresh
        return {}

    run_in_child(unused_child)


# multiprocessing's workers find the client through this module, as in an application.
_POOL_CLIENT: List[Client] = []


def _pool_work(_: int) -> List[Any]:
    client = _POOL_CLIENT[0]
    return [os.getpid(), create(client), create_async(client)]


def test_multiprocessing_with_the_fork_start_method(emulator: Emulator) -> None:
    client = make_client(emulator)
    create(client)
    _POOL_CLIENT[:] = [client]
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(processes=3) as pool:
            results = pool.map_async(_pool_work, range(9)).get(timeout=60)
    finally:
        _POOL_CLIENT.clear()
    assert len(results) == 9
    assert all(pid != os.getpid() and state and async_state for pid, state, async_state in results)
    states = [state for _, state, _ in results] + [state for _, _, state in results]
    assert len(set(states)) == len(states)


GUNICORN_APP = """
import json
import os

from postsyncer_delegation import Client, Platform

# Loaded once in the master (--preload), then forked into the workers.
client = Client(os.environ["PSD_FORK_API_KEY"], base_url=os.environ["PSD_FORK_API_BASE"], timeout_ms=5000)
client.create_session_blocking(Platform.TIKTOK, "https://app.example/cb")  # in use before fork


def application(environ, start_response):
    session = client.create_session_blocking(Platform.TIKTOK, "https://app.example/cb")
    body = json.dumps({"pid": os.getpid(), "state": session.state}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
"""

WORKERS = 3


def test_gunicorn_preload_workers_create_sessions(emulator: Emulator, tmp_path: Path) -> None:
    pytest.importorskip("gunicorn")
    (tmp_path / "fork_app.py").write_text(textwrap.dedent(GUNICORN_APP))
    # Each request takes 300 ms at the emulator, so concurrent requests spread over workers.
    env = {
        **os.environ,
        "PSD_FORK_API_KEY": emulator.new_api_key(latency_ms=300),
        "PSD_FORK_API_BASE": emulator.api_base,
    }
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--preload", "--workers", str(WORKERS),
                "--bind", "127.0.0.1:0", "--timeout", "30", "--graceful-timeout", "5",
                "--chdir", str(tmp_path), "fork_app:application",
            ],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    try:
        url = wait_for_gunicorn(server, log_path)
        pids = set()
        states = []
        deadline = time.monotonic() + 60
        with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:
            while len(pids) < WORKERS and time.monotonic() < deadline:
                for answer in pool.map(lambda _: fetch_json(url), range(2 * WORKERS)):
                    pids.add(answer["pid"])
                    states.append(answer["state"])
        assert len(pids) == WORKERS, f"answers came from {len(pids)} workers: {log_path.read_text()}"
        assert server.pid not in pids
        assert len(set(states)) == len(states)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_for_gunicorn(server: "subprocess.Popen[bytes]", log_path: Path) -> str:
    """The URL gunicorn listens at, once all workers have booted."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        log = log_path.read_text(errors="replace")
        listening = re.search(r"Listening at: (http://[0-9.]+:[0-9]+)", log)
        if listening and log.count("Booting worker") >= WORKERS:
            return listening.group(1)
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited ({server.returncode}): {log}")
        time.sleep(0.05)
    pytest.fail(f"gunicorn did not start its workers within 30 s: {log_path.read_text()}")


def fetch_json(url: str) -> Dict[str, Any]:
    with urllib.request.urlopen(url, timeout=15) as response:
        assert response.status == 200
        return json.load(response)
