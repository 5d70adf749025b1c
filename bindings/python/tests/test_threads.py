"""One Verifier shared by 8 threads gives every thread the same answers as one thread."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

from conftest import load_vectors
from postsyncer_delegation import Verifier, VerifyError

THREADS = 8
ROUNDS = 50
SECRET = "ps_test_signing_secret_0001"
# The vectors a default verifier with the one test secret decides.
CASES = [
    case
    for case in load_vectors()
    if case["secrets"] == [SECRET] and not {"leeway", "max_lifetime", "expected_platform"} & set(case)
]


def outcome(verifier: Verifier, case: Dict[str, Any]) -> Tuple[str, str]:
    try:
        proof = verifier.verify(case["input"], expected_state=case["expected_state"], now=case["now"])
    except VerifyError as error:
        return ("error", error.kind)
    return ("ok", proof.platform_id)


def test_one_verifier_shared_by_eight_threads() -> None:
    verifier = Verifier([SECRET])
    expected = [outcome(verifier, case) for case in CASES]
    start = threading.Barrier(THREADS)

    def worker(_: int) -> List[List[Tuple[str, str]]]:
        start.wait()
        return [[outcome(verifier, case) for case in CASES] for _ in range(ROUNDS)]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))

    assert len(CASES) > 40
    for per_thread in results:
        assert len(per_thread) == ROUNDS
        for answers in per_thread:
            assert answers == expected
