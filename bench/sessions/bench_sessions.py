"""create_session under load against the emulator, over HTTP and HTTPS on loopback: the Rust
client and the Python binding (blocking and asyncio) against PostSyncer's published snippet,
`requests.post(url, headers={"Authorization": f"Bearer {key}"}, json={...})`, which opens a
new connection per call. Sequential calls and 64 in flight (Rust: tasks on one Client;
binding: asyncio workers, or threads for the blocking call; requests: a 64-thread pool, as a
user would write it). Writes bench/out/sessions.json (rows of bench/harness.py).

bench_sessions.py CLI RUST_BENCH [--quick]"""

import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time

import requests

import postsyncer_delegation as psd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import OUT_DIR, compare, row  # noqa: E402

CALLBACK = "https://app.example/callback"
CONCURRENCY = 64
SNIPPET = "requests.post snippet"
GOAL = ">= 3x"


class Emulator:
    """`postsyncer-delegate emulate` on a free loopback port (HTTPS with --tls)."""

    def __init__(self, cli, tls, workdir):
        self.cert_path = os.path.join(workdir, "emulator.pem") if tls else None
        args = [cli, "emulate", "--addr", "127.0.0.1:0"]
        if tls:
            args += ["--tls", "--tls-cert-out", self.cert_path]
        self.process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        announced = dict(self.process.stdout.readline().strip().split("=", 1) for _ in range(3))
        self.url = announced["PSD_EMULATOR_URL"]
        self.api_key = announced["PSD_API_KEY"]
        self.base_url = f"{self.url}/api"

    def certificate_pem(self):
        if self.cert_path is None:
            return None
        with open(self.cert_path, encoding="ascii") as f:
            return f.read()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Measurement:
    """Per-run wall time and errors, and every call's latency (ms)."""

    def __init__(self):
        self.runs = []
        self.latencies_ms = []

    def add_run(self, seconds, calls, errors, latencies_ms):
        self.runs.append({"seconds": seconds, "calls": calls, "errors": errors})
        self.latencies_ms.extend(latencies_ms)

    @classmethod
    def from_json(cls, report):
        measurement = cls()
        measurement.runs = report["runs"]
        measurement.latencies_ms = report["latencies_ms"]
        return measurement


def shares(calls, concurrency):
    """`calls` split over `concurrency` workers, the first ones taking one more."""
    return [calls // concurrency + (i < calls % concurrency) for i in range(concurrency)]


def timed_calls(call, count, latencies_ms):
    """Runs `call` `count` times; appends each latency, returns the number of failures."""
    errors = 0
    for _ in range(count):
        started = time.perf_counter()
        try:
            call()
        except Exception:  # every failure counts, whatever its kind
            errors += 1
        latencies_ms.append((time.perf_counter() - started) * 1e3)
    return errors


def threaded_round(call, calls, concurrency):
    """One round on `concurrency` threads: (seconds, errors, latencies)."""
    latencies = [[] for _ in range(concurrency)]
    errors = [0] * concurrency

    def work(index, count):
        errors[index] = timed_calls(call, count, latencies[index])

    threads = [
        threading.Thread(target=work, args=(i, n)) for i, n in enumerate(shares(calls, concurrency))
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return seconds, sum(errors), [ms for worker in latencies for ms in worker]


def measure_threaded(call, calls, concurrency, runs):
    threaded_round(call, warmup_calls(concurrency), concurrency)
    measurement = Measurement()
    for _ in range(runs):
        seconds, errors, latencies = threaded_round(call, calls, concurrency)
        measurement.add_run(seconds, calls, errors, latencies)
    return measurement


def warmup_calls(concurrency):
    """Enough calls to open every connection a pooled client keeps for this concurrency."""
    return max(20, 2 * concurrency)


def snippet_call(emulator):
    """PostSyncer's published snippet: a new connection per call."""
    url = f"{emulator.base_url}/oauth/delegate/sessions"
    key = emulator.api_key
    verify = emulator.cert_path or True

    def call():
        response = requests.post(
            url,
            headers={"Authorization": f"Bearer {key}"},
            json={
                "platform": "tiktok",
                "callback_url": CALLBACK,
                "state": secrets.token_urlsafe(32),
            },
            timeout=10,
            verify=verify,
        )
        response.raise_for_status()
        return response.json()["authorize_url"]

    return call


def binding_client(emulator):
    pem = emulator.certificate_pem()
    if pem is None:
        return psd.Client(emulator.api_key, base_url=emulator.base_url)
    return psd.Client.with_root_certificate(emulator.api_key, pem, base_url=emulator.base_url)


def measure_binding_blocking(emulator, calls, concurrency, runs):
    client = binding_client(emulator)

    def call():
        return client.create_session_blocking(psd.Platform.TIKTOK, CALLBACK).authorize_url

    return measure_threaded(call, calls, concurrency, runs)


def measure_binding_asyncio(emulator, calls, concurrency, runs):
    client = binding_client(emulator)

    async def worker(count, latencies):
        errors = 0
        for _ in range(count):
            started = time.perf_counter()
            try:
                await client.create_session(psd.Platform.TIKTOK, CALLBACK)
            except Exception:  # every failure counts, whatever its kind
                errors += 1
            latencies.append((time.perf_counter() - started) * 1e3)
        return errors

    async def one_round(count):
        latencies = []
        started = time.perf_counter()
        errors = await asyncio.gather(*(worker(n, latencies) for n in shares(count, concurrency)))
        return time.perf_counter() - started, sum(errors), latencies

    async def main():
        await one_round(warmup_calls(concurrency))
        measurement = Measurement()
        for _ in range(runs):
            seconds, errors, latencies = await one_round(calls)
            measurement.add_run(seconds, calls, errors, latencies)
        return measurement

    return asyncio.run(main())


def measure_rust(rust_bench, emulator, calls, concurrency, runs):
    args = [rust_bench, emulator.base_url, emulator.api_key, emulator.cert_path or "-"]
    args += [str(calls), str(concurrency), str(runs)]
    report = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return Measurement.from_json(json.loads(report))


def percentile(ordered, fraction):
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def to_row(group, name, language, measurement, how):
    throughputs = [run["calls"] / run["seconds"] for run in measurement.runs]
    errors = sum(run["errors"] for run in measurement.runs)
    calls = sum(run["calls"] for run in measurement.runs)
    ordered = sorted(measurement.latencies_ms)
    note = (
        f"{how}; p50 {percentile(ordered, 0.5):.2f} ms, p99 {percentile(ordered, 0.99):.2f} ms; "
        f"errors {errors}/{calls}"
    )
    baseline, goal = (None, None) if name == SNIPPET else (SNIPPET, GOAL)
    result = row(group, name, language, "sessions/s", throughputs, baseline, goal, note)
    result["errors"] = errors
    return result


def bench_transport(cli, rust_bench, tls, sizes, runs):
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        emulator = Emulator(cli, tls, workdir)
        try:
            for mode, concurrency, calls in sizes:
                group = f"create_session {'https' if tls else 'http'}, {mode}"
                many = concurrency > 1
                cases = [
                    (SNIPPET, "python",
                     lambda: measure_threaded(snippet_call(emulator), calls, concurrency, runs),
                     "new connection per call" + (f", {concurrency}-thread pool" if many else "")),
                    ("Rust Client", "rust",
                     lambda: measure_rust(rust_bench, emulator, calls, concurrency, runs),
                     f"{concurrency} tasks on one Client" if many else "one Client"),
                    ("Python binding, blocking", "python",
                     lambda: measure_binding_blocking(emulator, calls, concurrency, runs),
                     f"{concurrency} threads on one Client" if many else "one Client"),
                    ("Python binding, asyncio", "python",
                     lambda: measure_binding_asyncio(emulator, calls, concurrency, runs),
                     f"{concurrency} asyncio workers on one Client" if many else "one Client"),
                ]
                for name, language, measure, how in cases:
                    print(f"bench sessions: {group}: {name}", file=sys.stderr)
                    rows.append(to_row(group, name, language, measure(), how))
        finally:
            emulator.stop()
    return rows


def main():
    cli, rust_bench = sys.argv[1:3]
    quick = "--quick" in sys.argv[3:]
    runs = 2 if quick else 5
    sizes = [("sequential", 1, 50 if quick else 200),
             (f"{CONCURRENCY} concurrent", CONCURRENCY, 128 if quick else 640)]
    rows = []
    for tls in (False, True):
        rows += bench_transport(cli, rust_bench, tls, sizes, runs)
    compare(rows)
    # The goal is the throughput ratio with zero errors.
    for r in rows:
        if r.pop("errors") and r["goal"] is not None:
            r["met"] = False
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, "sessions.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=2)
    print(f"bench sessions: wrote {path} ({len(rows)} rows)", file=sys.stderr)
    for r in rows:
        ratio = f"{r['ratio']:.1f}x" if r["ratio"] else "baseline"
        print(f"  {r['group']:38} {r['name']:26} {r['median']:9.0f}/s {ratio:>9}  {r['note']}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
