"""Turns criterion's raw samples (target/criterion/<group>/<name>/new/sample.json) of
benches/verify.rs into harness rows: per-iteration time of each sample, in ns."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import row, write_part  # noqa: E402

GROUP = "verify: Rust"
BASELINE = "bare_hmac_sha256_keyed_each_time"


def per_iteration_ns(sample_path):
    with open(sample_path, encoding="utf-8") as f:
        sample = json.load(f)
    return [t / n for t, n in zip(sample["times"], sample["iters"])]


def main(criterion_dir):
    rows = []
    verify_dir = os.path.join(criterion_dir, "verify")
    for name, baseline, goal in [
        (BASELINE, None, None),
        ("verifier_valid_callback", BASELINE, "<= 1.3x"),
    ]:
        values = per_iteration_ns(os.path.join(verify_dir, name, "new", "sample.json"))
        rows.append(row(GROUP, name, "rust", "ns", values, baseline, goal))
    reject_dir = os.path.join(criterion_dir, "reject")
    for name in sorted(os.listdir(reject_dir)):
        sample = os.path.join(reject_dir, name, "new", "sample.json")
        if os.path.isfile(sample):
            rows.append(row("reject: Rust", name, "rust", "ns", per_iteration_ns(sample)))
    write_part("rust", rows)


if __name__ == "__main__":
    main(sys.argv[1])
