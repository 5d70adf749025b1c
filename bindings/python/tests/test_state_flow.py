"""`Flow` (protocol.md §5) against the emulator, on every store: memory, a real Redis
(PSD_REDIS_URL, started by scripts/test-python), and application stores written in Python
(a dict under a lock, and sqlite3 with `DELETE … RETURNING`)."""

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import pytest

from conftest import CALLBACK_URL, Emulator
from postsyncer_delegation import (
    BeginError,
    Client,
    CompleteError,
    Flow,
    Platform,
    StateStore,
    StoreError,
)

# A loopback port nothing listens on (the discard port): connecting is refused at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:9/"


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("PSD_REDIS_URL")
    if not url:
        message = "PSD_REDIS_URL is not set: scripts/test-python starts a redis-server and sets it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


class DictStore(StateStore):
    """An application store in a few lines: a dict, a lock, `pop` as the atomic take."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: Dict[str, Tuple[str, float]] = {}

    def put(self, key: str, record: str, ttl_seconds: int) -> None:
        with self._lock:
            held = self._records.get(key)
            if held is not None and held[1] > time.monotonic():
                raise StoreError.Failed("key in use")
            self._records[key] = (record, time.monotonic() + ttl_seconds)

    def take(self, key: str) -> Optional[str]:
        with self._lock:
            held = self._records.pop(key, None)
        if held is None or held[1] <= time.monotonic():
            return None
        return held[0]


class SqliteStore(StateStore):
    """An application store over SQL: one connection per call, `DELETE … RETURNING` takes."""

    def __init__(self, path: Path) -> None:
        self._path = str(path)
        with closing(self._connect()) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS flow_state"
                " (key TEXT PRIMARY KEY, record TEXT NOT NULL, expires_at REAL NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._path, timeout=30, isolation_level=None)

    def put(self, key: str, record: str, ttl_seconds: int) -> None:
        now = time.time()
        with closing(self._connect()) as db:
            db.execute("DELETE FROM flow_state WHERE key = ? AND expires_at < ?", (key, now))
            db.execute(
                "INSERT INTO flow_state (key, record, expires_at) VALUES (?, ?, ?)",
                (key, record, now + ttl_seconds),
            )

    def take(self, key: str) -> Optional[str]:
        with closing(self._connect()) as db:
            row = db.execute(
                "DELETE FROM flow_state WHERE key = ? AND expires_at >= ? RETURNING record",
                (key, time.time()),
            ).fetchone()
        return None if row is None else str(row[0])


def client_for(emulator: Emulator) -> Client:
    return Client(emulator.api_key, base_url=emulator.api_base)


FlowFactory = Callable[[], Flow]
STORES = ["memory", "redis", "python-dict", "sqlite3"]


@pytest.fixture(params=STORES)
def make_flow(
    request: pytest.FixtureRequest, emulator: Emulator, tmp_path: Path
) -> Iterator[FlowFactory]:
    client = client_for(emulator)
    secrets = [emulator.signing_secret]
    kind = request.param
    if kind == "memory":
        flow = Flow(client, secrets)
    elif kind == "redis":
        url = request.getfixturevalue("redis_url")
        flow = Flow.with_redis(client, secrets, url, key_prefix=f"psd-test:{uuid.uuid4()}:")
    elif kind == "python-dict":
        flow = Flow.with_store(client, secrets, DictStore())
    else:
        flow = Flow.with_store(client, secrets, SqliteStore(tmp_path / "state.db"))
    yield lambda: flow


def begin_and_approve(flow: Flow, emulator: Emulator, subject: str) -> str:
    begun = flow.begin_blocking(Platform.TIKTOK, CALLBACK_URL, subject, metadata="/account")
    assert begun.authorize_url.startswith(f"{emulator.url}/oauth/delegate?request=psd_")
    assert begun.expires_in == 900
    assert len(begun.state) == 43
    return emulator.decide(begun.authorize_url, "approve")


def test_begin_approve_complete_then_replay(make_flow: FlowFactory, emulator: Emulator) -> None:
    flow = make_flow()
    callback = begin_and_approve(flow, emulator, "user-1")
    completed = flow.complete_blocking(callback, "user-1")
    assert (completed.proof.platform, completed.proof.platform_id, completed.proof.handle) == (
        Platform.TIKTOK,
        "_000abc",
        "jane",
    )
    assert completed.metadata == "/account"

    with pytest.raises(CompleteError.StateNotFound) as replay:
        flow.complete_blocking(callback, "user-1")
    assert replay.value.kind == "state_not_found"
    assert isinstance(replay.value, CompleteError)


def test_another_subject_is_refused_and_spends_the_state(
    make_flow: FlowFactory, emulator: Emulator
) -> None:
    flow = make_flow()
    callback = begin_and_approve(flow, emulator, "browser-a")
    with pytest.raises(CompleteError.SubjectMismatch) as mismatch:
        flow.complete_blocking(callback, "browser-b")
    assert mismatch.value.kind == "subject_mismatch"
    assert "browser-a" not in mismatch.value.detail
    with pytest.raises(CompleteError.StateNotFound):
        flow.complete_blocking(callback, "browser-a")


def test_concurrent_completions_give_exactly_one_success(
    make_flow: FlowFactory, emulator: Emulator
) -> None:
    flow = make_flow()
    callback = begin_and_approve(flow, emulator, "user-1")
    barrier = threading.Barrier(16)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            flow.complete_blocking(callback, "user-1")
            return "ok"
        except CompleteError as e:
            return e.kind

    with ThreadPoolExecutor(16) as pool:
        outcomes: List[str] = list(pool.map(attempt, range(16)))
    assert sorted(outcomes) == ["ok"] + ["state_not_found"] * 15


def test_asyncio_begin_and_complete(make_flow: FlowFactory, emulator: Emulator) -> None:
    flow = make_flow()

    async def run() -> None:
        begun = await flow.begin(Platform.YOUTUBE, CALLBACK_URL, "user-9")
        callback = await asyncio.to_thread(emulator.decide, begun.authorize_url, "approve")
        completed = await flow.complete(callback, "user-9")
        assert completed.proof.platform == Platform.YOUTUBE
        assert completed.proof.state == begun.state
        assert completed.metadata is None
        with pytest.raises(CompleteError.StateNotFound):
            await flow.complete(callback, "user-9")

    asyncio.run(run())


def test_denied_consent_is_authorization_denied(
    make_flow: FlowFactory, emulator: Emulator
) -> None:
    flow = make_flow()
    begun = flow.begin_blocking(Platform.FACEBOOK, CALLBACK_URL, "user-1")
    callback = emulator.decide(begun.authorize_url, "deny")
    with pytest.raises(CompleteError.AuthorizationDenied) as denied:
        flow.complete_blocking(callback, "user-1")
    assert denied.value.kind == "authorization_denied"
    assert denied.value.code == "access_denied"


def test_invalid_arguments(emulator: Emulator) -> None:
    flow = Flow(client_for(emulator), [emulator.signing_secret])
    with pytest.raises(BeginError.InvalidArgument) as empty:
        flow.begin_blocking(Platform.TIKTOK, CALLBACK_URL, "")
    assert empty.value.kind == "invalid_argument"
    with pytest.raises(BeginError.InvalidArgument):
        flow.begin_blocking(Platform.TIKTOK, CALLBACK_URL, "u", metadata="x" * 5000)
    with pytest.raises(CompleteError.MissingParameter):
        flow.complete_blocking("https://app.example/cb?platform=tiktok", "u")


def test_session_errors_come_back_as_begin_errors(emulator: Emulator) -> None:
    flow = Flow(Client("psd_wrong_key", base_url=emulator.api_base), [emulator.signing_secret])
    with pytest.raises(BeginError.Unauthenticated) as refused:
        flow.begin_blocking(Platform.TIKTOK, CALLBACK_URL, "u")
    assert refused.value.kind == "unauthenticated"
    assert refused.value.status == 401


def test_record_expires_with_its_ttl(redis_url: str, emulator: Emulator) -> None:
    flow = Flow.with_redis(
        client_for(emulator),
        [emulator.signing_secret],
        redis_url,
        key_prefix=f"psd-test:{uuid.uuid4()}:",
        max_pending_seconds=1,
    )
    begun = flow.begin_blocking(Platform.TIKTOK, CALLBACK_URL, "u")
    assert begun.expires_in == 1
    callback = emulator.decide(begun.authorize_url, "approve")
    time.sleep(2.2)
    with pytest.raises(CompleteError.StateNotFound):
        flow.complete_blocking(callback, "u")


def test_unreachable_redis_is_store_unavailable(redis_url: str, emulator: Emulator) -> None:
    client, secrets = client_for(emulator), [emulator.signing_secret]
    down = Flow.with_redis(client, secrets, UNREACHABLE_REDIS, connect_timeout_ms=500)
    with pytest.raises(BeginError.StoreUnavailable) as at_begin:
        down.begin_blocking(Platform.TIKTOK, CALLBACK_URL, "u")
    assert at_begin.value.kind == "store_unavailable"

    # Begun on the real Redis, completed by a flow whose Redis is gone: never a proof.
    prefix = f"psd-test:{uuid.uuid4()}:"
    up = Flow.with_redis(client, secrets, redis_url, key_prefix=prefix)
    callback = emulator.decide(up.begin_blocking(Platform.TIKTOK, CALLBACK_URL, "u").authorize_url, "approve")
    gone = Flow.with_redis(client, secrets, UNREACHABLE_REDIS, key_prefix=prefix, connect_timeout_ms=500)
    with pytest.raises(CompleteError.StoreUnavailable) as at_complete:
        gone.complete_blocking(callback, "u")
    assert at_complete.value.kind == "store_unavailable"
    # The failed attempt took nothing: the real store still completes it once.
    assert up.complete_blocking(callback, "u").proof.platform_id == "_000abc"


class FailingStore(StateStore):
    """Stores like DictStore; raises from `put` or `take` when told to."""

    def __init__(self, fail_put: bool, fail_take: bool, error: Exception) -> None:
        self.inner = DictStore()
        self.fail_put, self.fail_take, self.error = fail_put, fail_take, error

    def put(self, key: str, record: str, ttl_seconds: int) -> None:
        if self.fail_put:
            raise self.error
        self.inner.put(key, record, ttl_seconds)

    def take(self, key: str) -> Optional[str]:
        if self.fail_take:
            raise self.error
        return self.inner.take(key)


@pytest.mark.parametrize(
    "error", [StoreError.Failed("database is down"), RuntimeError("database is down")]
)
def test_a_store_that_raises_is_store_unavailable(emulator: Emulator, error: Exception) -> None:
    client, secrets = client_for(emulator), [emulator.signing_secret]
    flow = Flow.with_store(client, secrets, FailingStore(True, False, error))
    with pytest.raises(BeginError.StoreUnavailable) as at_begin:
        flow.begin_blocking(Platform.TIKTOK, CALLBACK_URL, "u")
    assert "database is down" in at_begin.value.detail

    store = FailingStore(False, False, error)
    flow = Flow.with_store(client, secrets, store)
    callback = begin_and_approve(flow, emulator, "u")
    store.fail_take = True
    with pytest.raises(CompleteError.StoreUnavailable) as at_complete:
        flow.complete_blocking(callback, "u")
    assert "database is down" in at_complete.value.detail

    async def complete_async() -> None:
        await flow.complete(callback, "u")

    with pytest.raises(CompleteError.StoreUnavailable):
        asyncio.run(complete_async())
    # The process lives on, and the store works again once it recovers.
    store.fail_take = False
    assert flow.complete_blocking(callback, "u").metadata == "/account"


def test_a_store_that_answers_garbage_is_store_unavailable(emulator: Emulator) -> None:
    class GarbageStore(DictStore):
        def take(self, key: str) -> Optional[str]:
            super().take(key)
            return "not a record"

    flow = Flow.with_store(client_for(emulator), [emulator.signing_secret], GarbageStore())
    callback = begin_and_approve(flow, emulator, "u")
    with pytest.raises(CompleteError.StoreUnavailable):
        flow.complete_blocking(callback, "u")


def test_negative_and_meaningless_zero_numbers_are_config_errors(emulator: Emulator) -> None:
    from postsyncer_delegation import ConfigError

    client = client_for(emulator)
    for refused in (-1, 0):
        with pytest.raises(ConfigError.InvalidArgument, match="max_pending_seconds"):
            Flow(client, [emulator.signing_secret], max_pending_seconds=refused)
        with pytest.raises(ConfigError.InvalidArgument, match="memory_capacity"):
            Flow(client, [emulator.signing_secret], memory_capacity=refused)
    with pytest.raises(ConfigError.NoSecret):
        Flow(client, [])
    with pytest.raises(ConfigError.InvalidArgument):
        Flow.with_redis(client, [emulator.signing_secret], "http://not-redis/")


# One OS process's share of the completions: waits for the common start time, then completes
# the callback from THREADS threads at once and prints each outcome's kind ("ok" for a proof).
CHILD = """
import json, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from postsyncer_delegation import Client, CompleteError, Flow
args = json.loads(sys.argv[1])
flow = Flow.with_redis(Client(args["api_key"], base_url=args["api_base"]), [args["secret"]],
                       args["redis_url"], key_prefix=args["prefix"])
def attempt(_):
    try:
        flow.complete_blocking(args["callback"], "user-1")
        return "ok"
    except CompleteError as e:
        return e.kind
time.sleep(max(0.0, args["start_at"] - time.time()))
with ThreadPoolExecutor(args["threads"]) as pool:
    print(json.dumps(list(pool.map(attempt, range(args["threads"])))))
"""


def complete_in_processes(
    emulator: Emulator, redis_url: str, prefix: str, callback: str, processes: int, threads: int
) -> List[str]:
    args = {
        "api_key": emulator.api_key,
        "api_base": emulator.api_base,
        "secret": emulator.signing_secret,
        "redis_url": redis_url,
        "prefix": prefix,
        "callback": callback,
        "threads": threads,
        # Time for every interpreter to start and load the library before anyone completes.
        "start_at": time.time() + 3,
    }
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, json.dumps(args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    outcomes: List[str] = []
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        outcomes += json.loads(out)
    return outcomes


def test_one_success_among_100_completions_in_2_processes(
    redis_url: str, emulator: Emulator
) -> None:
    prefix = f"psd-test:{uuid.uuid4()}:"
    flow = Flow.with_redis(client_for(emulator), [emulator.signing_secret], redis_url, key_prefix=prefix)
    callback = begin_and_approve(flow, emulator, "user-1")
    outcomes = complete_in_processes(emulator, redis_url, prefix, callback, processes=2, threads=50)
    assert sorted(outcomes) == ["ok"] + ["state_not_found"] * 99


def test_completed_in_one_process_refused_in_another(redis_url: str, emulator: Emulator) -> None:
    prefix = f"psd-test:{uuid.uuid4()}:"
    flow = Flow.with_redis(client_for(emulator), [emulator.signing_secret], redis_url, key_prefix=prefix)
    callback = begin_and_approve(flow, emulator, "user-1")
    assert complete_in_processes(emulator, redis_url, prefix, callback, processes=1, threads=1) == ["ok"]
    with pytest.raises(CompleteError.StateNotFound):
        flow.complete_blocking(callback, "user-1")


def test_redis_stopped_mid_flow_is_store_unavailable(redis_url: str, emulator: Emulator) -> None:
    """A redis-server of this test's own (PSD_REDIS_SERVER, the binary scripts/test-python
    started), stopped between begin and complete: never a proof."""
    server = os.environ.get("PSD_REDIS_SERVER")
    if not server:
        pytest.fail("PSD_REDIS_SERVER is not set: scripts/test-python sets it with PSD_REDIS_URL")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not listen"
                time.sleep(0.05)
        flow = Flow.with_redis(
            client_for(emulator),
            [emulator.signing_secret],
            f"redis://127.0.0.1:{port}/",
            connect_timeout_ms=500,
            command_timeout_ms=500,
        )
        callback = begin_and_approve(flow, emulator, "u")
    finally:
        process.terminate()
        process.wait(timeout=10)
    with pytest.raises(CompleteError.StoreUnavailable):
        flow.complete_blocking(callback, "u")
    with pytest.raises(BeginError.StoreUnavailable):
        flow.begin_blocking(Platform.TIKTOK, CALLBACK_URL, "u")
