"""CPU per streamed block of the Crown ledger alone (``ledger.crown``, totals only), on the numpy
path and through the compiled kernels: every ``crown`` call of both worlds of one block of
``CHUNK`` draws of canada-korea-2026, as a forked worker of a 10^6-draw run computes it (its
allocator settings, the ledger's totals only). The two paths must give the same bits; the
script exits with status 1 if they do not. RESULTS.md, Speed (issue 13), Round 4.

Run pinned: ``taskset -c 0 python benchmarks/profile_ledger.py [REPEATS] [SCENARIO]``
(default 100 repeats after a warm-up; prints the minimum and median CPU ms per block).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import streamed_blocks  # this folder

from evpact.engine import jit, ledger
from evpact.engine import simulate as engine
from evpact.uncertainty.cores import _keep_freed_memory
from evpact.uncertainty.montecarlo import CHUNK


def crown_calls(name: str) -> list[tuple[Any, ...]]:
    """The arguments of every ``ledger.crown`` call of one streamed block of both worlds."""
    calls: list[tuple[Any, ...]] = []
    real = ledger.crown

    def spy(*args: Any) -> Any:
        calls.append(args)
        return real(*args)

    ledger.crown = spy
    try:
        _, models = streamed_blocks.worlds(name)
        for m, x in zip(models, streamed_blocks.inputs(models, 0), strict=True):
            engine.simulate(m, x, CHUNK)
    finally:
        ledger.crown = real
    return calls


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    name = sys.argv[2] if len(sys.argv) > 2 else "canada-korea-2026"
    _keep_freed_memory()  # a block worker's allocator settings
    calls = crown_calls(name)
    jit.JIT_FROM_RUN_DRAWS = 0
    results = {}
    for path, block in (("numpy", 10**9), ("kernels", 0)):
        jit.JIT_FROM_DRAWS = block
        for args in calls:  # warm-up (and the kernels' load)
            ledger.crown(*args)
        times = []
        for _ in range(repeats):
            t = time.process_time()
            out = [ledger.crown(*args)[0] for args in calls]
            times.append(time.process_time() - t)
        times.sort()
        results[path] = out
        print(
            f"{name}, {path}: min {1e3 * times[0]:.2f}, median {1e3 * times[len(times) // 2]:.2f}"
            f" CPU ms per block of {CHUNK} draws ({len(calls)} crown calls)"
        )
    same = all(
        a.tobytes() == b.tobytes()
        for a, b in zip(results["numpy"], results["kernels"], strict=True)
    )
    print("same bits" if same else "DIFFERENT BITS")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
