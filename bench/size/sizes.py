"""Cost to carry: artifact sizes (wheel, jar, cdylib, staticlib), and Python import time and
resident memory of `postsyncer_delegation` against `requests`, each in fresh interpreters.
Writes bench/out/size.json (rows of bench/harness.py).

sizes.py --python PY --wheel WHL --jar JAR --cdylib SO --cdylib-stripped SO
         --staticlib A --staticlib-stripped A [--interpreters N]"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import row, write_part  # noqa: E402

MIB = 1024 * 1024
WHEEL_LIMIT_MB = 3.0

# Run in a fresh interpreter: the import's wall time (after the interpreter's own start-up),
# then VmRSS from /proc/self/status, as JSON. An empty module name measures the bare interpreter.
PROBE = """
import json, sys, time
name = sys.argv[1]
started = time.perf_counter()
if name:
    __import__(name)
elapsed = time.perf_counter() - started
with open("/proc/self/status") as status:
    rss_kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
print(json.dumps({"ms": elapsed * 1e3, "rss_mib": rss_kib / 1024}))
"""


def probe(python, module, interpreters):
    """Import time (ms) and RSS after import (MiB) of `module` in `interpreters` fresh runs."""
    runs = []
    for _ in range(interpreters):
        output = subprocess.run(
            [python, "-c", PROBE, module], check=True, capture_output=True, text=True
        ).stdout
        runs.append(json.loads(output))
    return [r["ms"] for r in runs], [r["rss_mib"] for r in runs]


def size_row(name, language, path, note, goal_mb=None):
    megabytes = os.path.getsize(path) / MIB
    result = row("size", name, language, "MiB", [megabytes], note=note)
    result["p25"] = result["p75"] = None  # one file, no spread
    if goal_mb is not None:
        result["goal"] = f"<= {goal_mb:g} MiB"
        result["met"] = megabytes <= goal_mb
    return result


def main():
    parser = argparse.ArgumentParser()
    for name in ("python", "wheel", "jar", "cdylib", "cdylib-stripped", "staticlib",
                 "staticlib-stripped"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--interpreters", type=int, default=20)
    args = parser.parse_args()

    import_rows, rss_rows = [], []
    _, bare_rss = probe(args.python, "", args.interpreters)
    for module, baseline, goal in (("requests", None, None),
                                   ("postsyncer_delegation", "import requests", "<= 0.5x")):
        name = f"import {module}"
        ms, rss = probe(args.python, module, args.interpreters)
        import_rows.append(row("Python import time", name, "python", "ms", ms, baseline, goal,
                               note="fresh interpreter each; start-up excluded"))
        rss_rows.append(row("Python RSS after import", name, "python", "MiB", rss, baseline,
                            note=f"bare interpreter {sorted(bare_rss)[len(bare_rss) // 2]:.1f} MiB"))

    # Sizes are absolute goals, judged here rather than by a ratio.
    size_rows = [
        size_row("Python wheel", "python", args.wheel,
                 f"maturin build --release --strip: {os.path.basename(args.wheel)}",
                 WHEEL_LIMIT_MB),
        size_row("JVM jar", "jvm", args.jar, "mvn package, bundles the stripped library"),
        size_row("cdylib", "c", args.cdylib, "target/release, as built (symbols kept)"),
        size_row("cdylib, stripped", "c", args.cdylib_stripped, "strip --strip-unneeded"),
        size_row("staticlib", "c", args.staticlib, "target/release, as built"),
        size_row("staticlib, stripped", "c", args.staticlib_stripped, "strip --strip-debug"),
    ]
    # write_part fills ratio and met of the import rows; the size rows, without a baseline,
    # keep the met judged above.
    write_part("size", size_rows + import_rows + rss_rows)

if __name__ == "__main__":
    main()
