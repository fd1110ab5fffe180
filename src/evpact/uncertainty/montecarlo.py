"""Monte Carlo in blocks: draws stream through the engine a block at a time.

Every block draws its inputs from the run's streams (see ``sampling``), so the results do not
depend on the block size; a reducer sees each block while it is hot in cache, which is where
per-draw metrics are made (and where big runs will reduce on the fly).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine.compile import Model
from ..engine.simulate import simulate as run_block
from .sampling import central, sample

CHUNK = 4096  # draws per block: fastest on this model (benchmarks/bench_run.py)

Progress = Callable[[int, int], None]
Reducer = Callable[[int, int, list[dict[str, np.ndarray[Any, Any]]]], None]


def run_models(
    models: list[Model],
    draws: int,
    seed: int,
    chunk: int = CHUNK,
    deterministic: bool = False,
    progress: Progress | None = None,
    reduce: Reducer | None = None,
    dtype: type[np.floating[Any]] = np.float64,
) -> list[dict[str, np.ndarray[Any, Any]]]:
    """Arrays over all draws for each model, computed block by block on common random numbers.

    Results do not depend on ``chunk``; inputs the models share are drawn once per block.
    ``reduce(start, stop, blocks)`` sees each block of every model in full precision while
    it is hot in cache; the arrays kept for all draws are stored as ``dtype``.
    """
    if deterministic:
        blocks = [run_block(m, central(m.inputs), 1) for m in models]
        if reduce:
            reduce(0, 1, blocks)
        return blocks
    outs: list[dict[str, np.ndarray[Any, Any]]] = [{} for _ in models]
    for start in range(0, draws, chunk):
        stop = min(start + chunk, draws)
        shared: dict[str, Any] = {}
        blocks = [
            run_block(m, sample(m.inputs, seed, start, stop, shared), stop - start) for m in models
        ]
        if reduce:
            reduce(start, stop, blocks)
        for block, out in zip(blocks, outs, strict=True):
            for key, value in block.items():
                if key not in out:  # allocate once: no list of parts, no concatenation copy
                    out[key] = np.empty((draws, *value.shape[1:]), dtype=dtype)
                out[key][start:stop] = value
        if progress:  # draws done across all models, out of draws x models
            progress(stop * len(models), draws * len(models))
    return outs
