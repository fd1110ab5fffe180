"""CPU of the Crown ledger and the firms' side inside the engine, per block of ``CHUNK`` draws
of canada-korea-2026 and its counterfactual (both worlds, as a forked worker of a 10^6-draw run
computes them: the ledger's totals only): ``ledger.crown`` (every call), ``firms.firm_base``,
``firms.decide`` and ``additionality.effective_but_for``, timed by wrapping each, and the whole
``simulate`` beside them (RESULTS.md, Speed (issue 13), Round 5 — the Crown ledger and the
firms' side).

Run pinned: ``taskset -c 0 python benchmarks/profile_ledger_firms.py [numpy|jit] [BLOCKS]``
(default numpy, 20 blocks after a warm-up). The inputs are sampled outside the timing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import streamed_blocks  # this folder

from evpact.engine import additionality, firms, ledger
from evpact.engine.simulate import simulate
from evpact.uncertainty.montecarlo import CHUNK

TIMED = (
    (ledger, "crown"),
    (firms, "firm_base"),
    (firms, "decide"),
    (additionality, "effective_but_for"),
)


def timed(module: ModuleType, name: str, spent: dict[str, float]) -> None:
    """Replace ``module.name`` by itself, adding its CPU seconds to ``spent[name]``."""
    real: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.process_time() - t

    setattr(module, name, wrapper)


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "numpy"
    blocks = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    streamed_blocks.as_worker(path)
    _, models = streamed_blocks.worlds()
    inputs = [streamed_blocks.inputs(models, i) for i in range(blocks + 1)]
    for m, x in zip(models, inputs[0], strict=True):  # warm-up
        simulate(m, x, CHUNK)
    spent: dict[str, float] = {}
    for module, name in TIMED:
        timed(module, name, spent)
    t0 = time.process_time()
    for values in inputs[1:]:
        for m, x in zip(models, values, strict=True):
            simulate(m, x, CHUNK)
    engine = 1e3 * (time.process_time() - t0) / blocks
    parts = {name: 1e3 * spent.get(name, 0.0) / blocks for _, name in TIMED}
    shown = ", ".join(f"{name} {ms:.2f}" for name, ms in parts.items())
    print(
        f"CPU ms per block of {CHUNK} draws, both worlds, {path}: engine {engine:.1f}; "
        f"{shown}; together {sum(parts.values()):.2f}"
    )


if __name__ == "__main__":
    main()
