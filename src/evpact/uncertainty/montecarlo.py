"""Monte Carlo in blocks: draws stream through the engine a block at a time.

Every block draws its inputs from the run's streams (see ``sampling``), so the results do not
depend on the block size; a reducer sees each block while it is hot in cache, which is where
per-draw metrics are made (and where big runs will reduce on the fly).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..engine.compile import Model
from ..engine.simulate import simulate as run_block
from .sampling import block_uniforms, central, sample, uncertain_paths

CHUNK = 4096  # draws per block: fastest on this model (benchmarks/bench_run.py)

Progress = Callable[[int, int], None]
Reducer = Callable[[int, int, list[dict[str, np.ndarray[Any, Any]]]], None]


Block = list[dict[str, np.ndarray[Any, Any]]]


def compute_block(
    models: list[Model], seed: int, start: int, stop: int, total: int, scheme: str = "mc"
) -> Block:
    """Draws ``start..stop-1`` of every model: a pure function of its arguments, so a block
    gives the same numbers in this process, in another one, or on a cluster's worker.

    The uniforms come from ``block_uniforms`` over the union of the models' uncertain inputs,
    with the scenario's (first model's) rank correlations, so the counterfactual shares both
    the draws and their correlation structure.
    """
    paths = uncertain_paths(*(m.inputs for m in models))
    u = block_uniforms(paths, seed, start, stop, total, scheme, models[0].correlations)
    shared: dict[str, Any] = {}
    return [
        run_block(m, sample(m.inputs, seed, start, stop, shared, u=u), stop - start) for m in models
    ]


def blocks(draws: int, chunk: int) -> list[tuple[int, int]]:
    return [(start, min(start + chunk, draws)) for start in range(0, draws, chunk)]


def run_models(
    models: list[Model],
    draws: int,
    seed: int,
    chunk: int = CHUNK,
    deterministic: bool = False,
    progress: Progress | None = None,
    reduce: Reducer | None = None,
    dtype: type[np.floating[Any]] = np.float64,
    client: Any = None,
    scheme: str = "mc",
    keep: int | None = None,
) -> Block:
    """Arrays over all draws for each model, computed block by block on common random numbers.

    Results do not depend on ``chunk`` nor on where blocks run: with a Dask ``client`` they
    are mapped over its workers and placed back by their draw range. Inputs the models share
    are drawn once per block. ``reduce(start, stop, blocks)`` sees each block of every model
    in full precision; the arrays of the first ``keep`` draws (all by default) are stored as
    ``dtype``, the rest only pass through ``reduce``: memory stays flat however many draws.
    """
    if deterministic:
        one = [run_block(m, central(m.inputs), 1) for m in models]
        if reduce:
            reduce(0, 1, one)
        return one
    outs: Block = [{} for _ in models]
    kept = draws if keep is None else min(keep, draws)
    done = 0
    ranges = blocks(draws, chunk)
    for (start, stop), block in _map_blocks(models, seed, ranges, draws, scheme, client):
        if reduce:
            reduce(start, stop, block)
        rows = min(stop, kept) - start
        for part, out in zip(block, outs, strict=True):
            for key, value in part.items():
                if rows <= 0:
                    break
                if key not in out:  # allocate once: no list of parts, no concatenation copy
                    out[key] = np.empty((kept, *value.shape[1:]), dtype=dtype)
                out[key][start : start + rows] = value[:rows]
        done += stop - start
        if progress:  # draws done across all models, out of draws x models
            progress(done * len(models), draws * len(models))
    return outs


def _map_blocks(
    models: list[Model],
    seed: int,
    ranges: list[tuple[int, int]],
    total: int,
    scheme: str,
    client: Any,
) -> Iterator[tuple[tuple[int, int], Block]]:
    """Blocks in this process, or on a Dask cluster as they complete (any order)."""
    if client is None:
        for start, stop in ranges:
            yield (start, stop), compute_block(models, seed, start, stop, total, scheme)
        return
    from distributed import as_completed

    [remote_models] = client.scatter([models], broadcast=True)
    futures = {
        client.submit(compute_block, remote_models, seed, start, stop, total, scheme, pure=False): (
            start,
            stop,
        )
        for start, stop in ranges
    }
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        yield futures[future], future.result()
        future.release()
