"""A variant sweep: every combination of a grid of deal terms, on the same random numbers.

Each variant runs against the scenario's counterfactual with the same seed, so differences
between rows come from the terms, not from sampling noise.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..api import DEFAULT_DRAWS, DEFAULT_SEED, simulate
from ..errors import EvpactError
from ..results import summary_table
from ..scenario.load import load_scenario, vary
from ..scenario.model import Scenario
from ..uncertainty.cores import _can_fork
from ..uncertainty.reduce import SUBSAMPLE

#: values one grid axis may take (a million-point grid is still possible over several axes,
#: and the CLI asks for --yes before a sweep that long)
MAX_AXIS = 100_000


def parse_grid(text: str) -> tuple[str, list[float]]:
    """``PATH=START:STOP:N`` (N evenly spaced values, ends included) or ``PATH=V1,V2,...``."""
    if "=" not in text:
        raise EvpactError(f"--grid expects PATH=START:STOP:N or PATH=V1,V2,..., got '{text}'")
    path, _, spec = text.partition("=")
    try:
        if ":" in spec:
            start, stop, count = spec.split(":")
            n = int(count)
            if not 1 <= n <= MAX_AXIS:
                raise ValueError
            values = [float(v) for v in np.linspace(float(start), float(stop), n)]
        else:
            values = [float(v) for v in spec.split(",")]
        if not all(math.isfinite(v) for v in values):
            raise ValueError
    except ValueError:
        raise EvpactError(
            f"--grid {path}: cannot read '{spec[:60]}'; use START:STOP:N (1 <= N <= "
            f"{MAX_AXIS:,}) or V1,V2,... with finite numbers"
        ) from None
    return path.strip(), values


def sweep(
    scenario: str | Path | Scenario,
    grid: dict[str, list[float]],
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    *,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """One row per (variant, metric): the grid values, then unit, mean, p5, p50, p95.

    Candidates share what did not change: the compiled counterfactual (and the scenario's
    bundled figures), and the counterfactual's simulated blocks of small runs. Candidates of
    up to ``SUBSAMPLE`` draws are scored from their per-draw metrics alone, in batches on
    ``workers`` cores (default: one, this process); the table does not depend on it."""
    if not grid:
        raise EvpactError("a sweep needs at least one --grid PATH=...")
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    paths = list(grid)
    combos = list(itertools.product(*(grid[p] for p in paths)))
    for path in paths:  # fail on a bad path before running anything
        vary(base, {path: grid[path][0]})
    variants = [dict(zip(paths, combo, strict=True)) for combo in combos]
    # a candidate's summary needs only its per-draw metrics, unless the run streams (its
    # means then come from the exact totals over every draw, as in ``Results.summary``)
    if draws <= SUBSAMPLE:
        # one core unless asked: on this shared 2-core machine a second process measured
        # slower, not faster (benchmarks/RESULTS.md, Round 3)
        cores = 1 if client is not None else workers or 1
        tables = _summaries(base, variants, draws, seed, client, cores, progress)
    else:
        tables = (
            simulate(
                base, draws=draws, seed=seed, variant=v, client=client, workers=workers
            ).summary()
            for v in variants
        )
    rows: list[dict[str, Any]] = []
    for i, (variant, summary) in enumerate(zip(variants, tables, strict=False)):
        for record in summary.to_dict("records"):
            rows.append({"variant": i, **variant, **{str(k): v for k, v in record.items()}})
        if progress and draws > SUBSAMPLE:
            progress(i + 1, len(variants))
    return pd.DataFrame(rows)


#: candidates per task on a worker: enough to amortise the task, few enough to show progress
BATCH = 16


def _summaries(
    base: Scenario,
    variants: list[dict[str, float]],
    draws: int,
    seed: int,
    client: Any,
    cores: int,
    progress: Callable[[int, int], None] | None,
) -> Iterator[pd.DataFrame]:
    """Each candidate's summary table, in order, from its per-draw metrics
    (``simulate(..., metrics_only=True)``). With more than one core and enough candidates,
    batches of consecutive candidates run on forked processes, each keeping what its
    candidates share (the compiled counterfactual, its simulated blocks, the draws): a
    candidate is a pure function of its terms, so the table is the one a single process
    makes (``tests/test_metrics_only.py``)."""
    batches = [variants[i : i + BATCH] for i in range(0, len(variants), BATCH)]
    if cores > 1 and len(batches) > 1 and _can_fork():
        with ProcessPoolExecutor(
            max_workers=cores,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_adopt,
            initargs=(base, draws, seed),
        ) as pool:
            futures = [pool.submit(_batch, b) for b in batches]
            done = 0
            try:
                for future in futures:
                    for table in future.result():
                        done += 1
                        if progress:
                            progress(done, len(variants))
                        yield table
            finally:  # an error or an abandoned sweep: drop the batches not started
                for future in futures:
                    future.cancel()
        return
    for i, variant in enumerate(variants):
        yield summary_table(
            simulate(
                base, draws=draws, seed=seed, variant=variant, client=client, metrics_only=True
            )
        )
        if progress:
            progress(i + 1, len(variants))


_job: tuple[Scenario, int, int] | None = None  # a sweep worker's scenario, draws and seed


def _adopt(base: Scenario, draws: int, seed: int) -> None:
    global _job
    _job = (base, draws, seed)


def _batch(variants: list[dict[str, float]]) -> list[pd.DataFrame]:
    assert _job is not None, "a sweep worker runs only after _adopt"
    base, draws, seed = _job
    return [
        summary_table(
            simulate(base, draws=draws, seed=seed, variant=v, workers=1, metrics_only=True)
        )
        for v in variants
    ]
