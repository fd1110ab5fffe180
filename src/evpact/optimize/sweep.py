"""A variant sweep: every combination of a grid of deal terms, on the same random numbers.

Each variant runs against the scenario's counterfactual with the same seed, so differences
between rows come from the terms, not from sampling noise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..api import DEFAULT_DRAWS, DEFAULT_SEED, simulate
from ..errors import EvpactError
from ..results import summary_table
from ..scenario.load import load_scenario, vary
from ..scenario.model import Scenario
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
    bundled figures), and the counterfactual's simulated blocks of small runs."""
    if not grid:
        raise EvpactError("a sweep needs at least one --grid PATH=...")
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    paths = list(grid)
    combos = list(itertools.product(*(grid[p] for p in paths)))
    for path in paths:  # fail on a bad path before running anything
        vary(base, {path: grid[path][0]})
    rows: list[dict[str, Any]] = []
    # a candidate's summary needs only its per-draw metrics, unless the run streams (its
    # means then come from the exact totals over every draw, as in ``Results.summary``)
    fast = draws <= SUBSAMPLE
    for i, combo in enumerate(combos):
        variant = dict(zip(paths, combo, strict=True))
        if fast:
            summary = summary_table(
                simulate(
                    base,
                    draws=draws,
                    seed=seed,
                    variant=variant,
                    client=client,
                    workers=workers,
                    metrics_only=True,
                )
            )
        else:
            summary = simulate(
                base, draws=draws, seed=seed, variant=variant, client=client, workers=workers
            ).summary()
        for record in summary.to_dict("records"):
            rows.append({"variant": i, **variant, **{str(k): v for k, v in record.items()}})
        if progress:
            progress(i + 1, len(combos))
    return pd.DataFrame(rows)
