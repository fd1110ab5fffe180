"""CPU of the engine alone (``engine.simulate.simulate``, both worlds of canada-korea-2026) per
block of ``CHUNK`` draws, on the numpy path and through the kernels, with the part spent in the
Crown ledger (``ledger.crown``) apart, and a cProfile of it (RESULTS.md, "Round 4").

Run: ``python benchmarks/profile_engine.py [BLOCKS] [numpy|jit] [profile [SORT [LINES]]]``
(default 20 blocks on the numpy path). The inputs are sampled once per block, outside the
timing; the block is the one a forked worker of a 10^6-draw run computes (ledger totals only).
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from typing import Any

import streamed_blocks  # this folder

from evpact.engine import ledger
from evpact.engine.simulate import simulate
from evpact.uncertainty.montecarlo import CHUNK


def main() -> None:
    args = sys.argv[1:]
    blocks = int(args[0]) if args else 20
    path = args[1] if len(args) > 1 else "numpy"
    profiled = len(args) > 2 and args[2] == "profile"
    streamed_blocks.as_worker(path)
    _, models = streamed_blocks.worlds()
    inputs = [streamed_blocks.inputs(models, i) for i in range(blocks + 1)]
    for m, x in zip(models, inputs[0], strict=True):  # warm-up
        simulate(m, x, CHUNK)
    in_ledger = [0.0]  # CPU in ledger.crown, the Crown ledger (not this round's part)
    crown = ledger.crown

    def timed_crown(*args: Any, **kwargs: Any) -> Any:
        t = time.process_time()
        try:
            return crown(*args, **kwargs)
        finally:
            in_ledger[0] += time.process_time() - t

    ledger.crown = timed_crown
    profile = cProfile.Profile() if profiled else None
    t0 = time.process_time()
    if profile:
        profile.enable()
    for values in inputs[1:]:
        for m, x in zip(models, values, strict=True):
            simulate(m, x, CHUNK)
    if profile:
        profile.disable()
    ms = 1e3 * (time.process_time() - t0) / blocks
    crown_ms = 1e3 * in_ledger[0] / blocks
    print(
        f"engine CPU ms per block of {CHUNK} draws, both worlds, {path}: {ms:.1f} "
        f"(ledger.crown {crown_ms:.1f}, the rest {ms - crown_ms:.1f})"
    )
    if profile:
        sort = args[3] if len(args) > 3 else "tottime"
        lines = int(args[4]) if len(args) > 4 else 30
        pstats.Stats(profile).strip_dirs().sort_stats(sort).print_stats(lines)


if __name__ == "__main__":
    main()
