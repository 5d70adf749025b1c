"""Flow::complete under load, through the Rust load generator (bench/flow/flow_load.rs, the
`bench-flow` example): the memory store in one process (sequential, and 64 tokio tasks),
and a real redis-server on loopback (sequential in one process, and 64 concurrent split over
2 OS processes of 32 tasks sharing the Redis). For Redis, one process begins the flows and
writes their signed callbacks to a file; the runners then complete their halves starting at
the same instant; throughput is all completions / (latest end - earliest start), latency
percentiles are over every completion. Every completion must succeed, and every callback
completed again afterwards must be refused (state_not_found): anything else is an error,
and a row with errors misses its goal. Writes bench/out/flow.json (rows of bench/harness.py).

The emulator's credentials come from the environment (scripts/lib/emulator.sh).

bench_flow.py RUST_BENCH REDIS_URL [--quick]"""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import row, write_part  # noqa: E402

CONCURRENCY = 64
PROCESSES = 2
# Issue 10: with Redis on loopback, at 64 concurrent.
THROUGHPUT_GOAL = ">= 10000 /s"
P99_GOAL = "<= 5 ms"


def percentile(ordered, fraction):
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def duration(ms):
    """A latency in words: microseconds below 0.1 ms, where the memory store's are."""
    return f"{ms * 1000:.1f} µs" if ms < 0.1 else f"{ms:.2f} ms"


def rust(bench, *args):
    done = subprocess.run([bench, *map(str, args)], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def measure_memory(bench, calls, concurrency, runs):
    """(throughputs, latencies, errors, calls) of `runs` rounds in one process."""
    report = rust(bench, "memory", calls, concurrency, runs)
    throughputs = [r["calls"] / r["seconds"] for r in report["runs"]]
    errors = sum(r["errors"] + r["replay_errors"] for r in report["runs"])
    return throughputs, [report["latencies_ms"]], errors, calls * runs


def measure_redis(bench, redis_url, calls, concurrency, processes, runs):
    """Each run: prepare `calls` flows, complete them over `processes` processes of
    `concurrency / processes` tasks each, then replay them all from a fresh process."""
    throughputs, latencies, errors = [], [], 0
    with tempfile.TemporaryDirectory() as workdir:
        for run in range(runs):
            prefix = f"psd:bench:{os.getpid()}:{concurrency}:{run}:"
            everything = os.path.join(workdir, f"all-{run}")
            rust(bench, "prepare", redis_url, prefix, calls, everything)
            with open(everything, encoding="utf-8") as f:
                lines = f.readlines()
            halves = []
            for index in range(processes):
                path = os.path.join(workdir, f"part-{run}-{index}")
                with open(path, "w", encoding="utf-8") as f:
                    f.writelines(lines[index::processes])
                halves.append(path)
            # Far enough ahead for every runner to start, read its file and connect.
            start_at = int(time.time() * 1000) + 1500
            runners = [
                subprocess.Popen(
                    [bench, "run", redis_url, prefix, path, str(concurrency // processes),
                     str(start_at)],
                    stdout=subprocess.PIPE, text=True,
                )
                for path in halves
            ]
            reports = []
            for runner in runners:
                out, _ = runner.communicate()
                if runner.returncode != 0:
                    sys.exit(f"bench flow: a runner failed (exit {runner.returncode})")
                reports.append(json.loads(out))
            start = min(int(r["start_ns"]) for r in reports)
            end = max(int(r["end_ns"]) for r in reports)
            done = sum(r["calls"] for r in reports)
            throughputs.append(done / ((end - start) / 1e9))
            latencies.append([ms for r in reports for ms in r["latencies_ms"]])
            errors += sum(r["errors"] for r in reports) + (calls - done)
            replayed = rust(bench, "replay", redis_url, prefix, everything, concurrency)
            errors += replayed["errors"]
    return throughputs, latencies, errors, calls * runs


def rows_of(group, name, how, measured, goals=False):
    throughputs, per_run_latencies, errors, calls = measured
    ordered = sorted(ms for run in per_run_latencies for ms in run)
    p50, p99 = percentile(ordered, 0.5), percentile(ordered, 0.99)
    note = f"{how}; p50 {duration(p50)}, p99 {duration(p99)}; errors {errors}/{calls}"
    rows = [row(group, name, "rust", "completions/s", throughputs, None,
                THROUGHPUT_GOAL if goals else None, note)]
    if goals:
        # The p99 of each run: the row's median is the median run's p99.
        p99s = [percentile(sorted(run), 0.99) for run in per_run_latencies]
        rows.append(row(group, f"{name}: p99 latency", "rust", "ms", p99s, None, P99_GOAL,
                        f"p99 of each run's {len(per_run_latencies[0]):,} completions; "
                        f"errors {errors}/{calls}"))
    for r in rows:
        r["errors"] = errors
    return rows


def main():
    bench, redis_url = sys.argv[1:3]
    quick = "--quick" in sys.argv[3:]
    runs = 2 if quick else 5
    sequential_calls = 500 if quick else 5000
    concurrent_calls = 2000 if quick else 20000
    many = f"{CONCURRENCY} concurrent"
    cases = [
        ("Flow.complete, memory store", "sequential", "1 task",
         lambda: measure_memory(bench, sequential_calls, 1, runs), False),
        ("Flow.complete, memory store", many, f"{CONCURRENCY} tokio tasks, one process",
         lambda: measure_memory(bench, concurrent_calls, CONCURRENCY, runs), False),
        ("Flow.complete, Redis on loopback", "sequential", "1 task, one process",
         lambda: measure_redis(bench, redis_url, sequential_calls, 1, 1, runs), False),
        ("Flow.complete, Redis on loopback", f"{many}, {PROCESSES} processes",
         f"{CONCURRENCY // PROCESSES} tokio tasks in each of {PROCESSES} processes",
         lambda: measure_redis(bench, redis_url, concurrent_calls, CONCURRENCY, PROCESSES, runs),
         True),
    ]
    rows = []
    for group, name, how, measure, goals in cases:
        print(f"bench flow: {group}: {name}", file=sys.stderr)
        rows += rows_of(group, name, how, measure(), goals)
    # A goal is met only with every completion succeeding exactly once (write_part's compare
    # leaves a decided `met` alone).
    for r in rows:
        if r.pop("errors") and r["goal"] is not None:
            r["met"] = False
    write_part("flow", rows)
    for r in rows:
        met = {True: "met", False: "NOT met", None: ""}[r["met"]]
        print(f"  {r['group']:34} {r['name']:40} {r['median']:10.2f} {r['unit']:14} {met:8} "
              f"{r['note']}", file=sys.stderr)


if __name__ == "__main__":
    main()
