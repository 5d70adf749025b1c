"""Python: one verification through the binding (reading platform_id and handle) against the
stdlib path a Python backend writes (urllib.parse.parse_qs + PostSyncer's published hmac
snippet).

Each sample is the mean µs per call over a batch; samples alternate between the contenders so
that load on the machine falls on all of them alike."""

import hashlib
import hmac
import os
import sys
import time
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import row, write_part  # noqa: E402

from postsyncer_delegation import Verifier  # noqa: E402

SECRET = "ps_test_signing_secret_0001"
STATE = "a1b2c3d4"
NOW = 1_716_999_940
CALLBACK = (
    "https://yourapp.com/cb?platform=tiktok&platform_id=_000abc&handle=jane&state=a1b2c3d4"
    "&expires=1717000000&sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14"
)
BATCH = 2000
SAMPLES = 40
GROUP = "verify: Python"
STDLIB = "stdlib parse_qs + hmac snippet"
BINDING = "binding Verifier.verify (C ABI)"


def stdlib_verify(callback, expected_state, now):
    """PostSyncer's published Python verifier, driven by parse_qs, plus the state and
    expiry checks it leaves to the app."""
    params = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
    base = (
        f"platform={params['platform']}&platform_id={params['platform_id']}"
        f"&handle={params['handle']}&state={params['state']}&expires={params['expires']}"
    )
    expected = hmac.new(SECRET.encode(), base.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, params["sig"]):
        raise ValueError("bad signature")
    if not hmac.compare_digest(params["state"], expected_state) or int(params["expires"]) < now:
        raise ValueError("rejected")
    return params["platform_id"], params["handle"]


def main():
    verifier = Verifier([SECRET])
    contenders = {
        STDLIB: lambda: stdlib_verify(CALLBACK, STATE, NOW),
        BINDING: lambda: (
            lambda p: (p.platform_id, p.handle))(verifier.verify(CALLBACK, expected_state=STATE, now=NOW)),
    }
    assert contenders[STDLIB]() == ("_000abc", "jane")
    for contender in contenders.values():
        assert contender() == ("_000abc", "jane")
    samples = {name: [] for name in contenders}
    for _ in range(SAMPLES):
        for name, contender in contenders.items():
            start = time.perf_counter_ns()
            for _ in range(BATCH):
                contender()
            samples[name].append((time.perf_counter_ns() - start) / BATCH / 1000)
    goals = {BINDING: "<= 1.0x"}
    write_part("python", [
        row(GROUP, name, "python", "µs", values,
            baseline=None if name == STDLIB else STDLIB, goal=goals.get(name))
        for name, values in samples.items()
    ])


if __name__ == "__main__":
    main()
