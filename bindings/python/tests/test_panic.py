"""A panic inside the Rust core comes back as an exception (or the C API's panic result), and
the process and the library live on.

``test_panic`` exists only in builds with the core's test-panic feature, which
scripts/test-python turns on; a release wheel has no such function.
"""

import ctypes
import threading
from typing import Any, Dict, List

import pytest

from conftest import load_vectors
from postsyncer_delegation import InternalError, Verifier
from postsyncer_delegation import _verifier
from postsyncer_delegation._native import postsyncer_delegation as native

PSD_RESULT_PANIC = 5


def verify_first_accepted_vector() -> None:
    case: Dict[str, Any] = next(c for c in load_vectors() if "ok" in c["result"])
    proof = Verifier(case["secrets"]).verify(case["input"], expected_state=case["expected_state"], now=case["now"])
    assert proof.platform_id == case["result"]["ok"]["platform_id"]


def test_a_panic_through_uniffi_is_internal_error() -> None:
    with pytest.raises(InternalError) as raised:
        native.test_panic()
    assert "deliberate panic" in str(raised.value)
    with pytest.raises(InternalError):  # again: nothing was left poisoned
        native.test_panic()
    verify_first_accepted_vector()


def test_a_panic_through_the_c_abi_is_the_panic_result() -> None:
    psd_test_panic = _verifier._lib.psd_test_panic
    psd_test_panic.restype = ctypes.c_int
    psd_test_panic.argtypes = []
    assert psd_test_panic() == PSD_RESULT_PANIC
    verify_first_accepted_vector()


def test_panics_on_many_threads_at_once() -> None:
    outcomes: List[str] = []
    lock = threading.Lock()

    def panic_once() -> None:
        try:
            native.test_panic()
            outcome = "returned"
        except InternalError:
            outcome = "internal_error"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=panic_once) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["internal_error"] * 8
    verify_first_accepted_vector()
