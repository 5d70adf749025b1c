"""Harness rows from `go test -bench` output on stdin: one sample per -count repetition,
ns/op as the unit; B/op and allocs/op (medians) go into the note."""

import os
import re
import statistics
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import row, write_part  # noqa: E402

LINE = re.compile(r"^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+(\d+) B/op\s+(\d+) allocs/op")
GROUP = "verify: Go"
NAMES = {"VerifyStdlib": "stdlib net/url + crypto/hmac", "VerifyBinding": "binding Verifier.Verify"}
BASELINE = NAMES["VerifyStdlib"]

samples = defaultdict(list)
for line in sys.stdin:
    match = LINE.match(line)
    if match:
        name, ns, bytes_per_op, allocs = match.groups()
        samples[name].append((float(ns), int(bytes_per_op), int(allocs)))
if set(samples) != set(NAMES):
    sys.exit(f"bench/go: expected benchmarks {sorted(NAMES)}, got {sorted(samples)}")
rows = []
for name in ("VerifyStdlib", "VerifyBinding"):
    runs = samples[name]
    note = (f"{statistics.median(r[1] for r in runs):.0f} B/op, "
            f"{statistics.median(r[2] for r in runs):.0f} allocs/op")
    is_baseline = NAMES[name] == BASELINE
    rows.append(row(GROUP, NAMES[name], "go", "ns", [r[0] for r in runs],
                    baseline=None if is_baseline else BASELINE,
                    goal=None if is_baseline else "<= 1.0x", note=note))
write_part("go", rows)
