"""Harness rows from JMH's JSON result (-rf json): one sample per measurement iteration."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import row, write_part  # noqa: E402

GROUP = "verify: JVM"
NAMES = {
    "javaxCryptoMac": "javax.crypto.Mac + manual parsing",
    "binding": "binding Verifier.verify (C ABI by JNA direct mapping)",
}
BASELINE = NAMES["javaxCryptoMac"]

with open(sys.argv[1], encoding="utf-8") as f:
    results = json.load(f)
samples = {}
for result in results:
    method = result["benchmark"].rsplit(".", 1)[1]
    samples[NAMES[method]] = [v for fork in result["primaryMetric"]["rawData"] for v in fork]
write_part("jvm", [
    row(GROUP, BASELINE, "java", "ns", samples[BASELINE]),
    row(GROUP, NAMES["binding"], "kotlin", "ns", samples[NAMES["binding"]], baseline=BASELINE, goal="<= 1.0x"),
])
