"""``simulate(..., metrics_only=True)``, the sweep's and optimiser's fast path, gives exactly
the per-draw metrics of the full run (issue 13)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import evpact
from evpact.errors import EvpactError
from evpact.optimize.sweep import sweep
from evpact.results import summary_table

VARIANT = {"deals.hmg-ontario.linkage.threshold": 0.7}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"draws": 300, "seed": 4},
        {"draws": 300, "seed": 4, "chunk": 128},  # three blocks, the last one short
        {"draws": 200, "seed": 9, "variant": VARIANT},
        {"deterministic": True},
        {"draws": 64, "seed": 2, "sampling": "sobol"},
    ],
    ids=["mc", "blocks", "variant", "deterministic", "sobol"],
)
def test_metrics_only_equals_the_full_run(kwargs: dict[str, Any]) -> None:
    full = evpact.simulate("canada-korea-2026", **kwargs).metrics
    fast = evpact.simulate("canada-korea-2026", metrics_only=True, **kwargs)
    assert list(fast) == list(full)
    for name, m in full.items():
        got = fast[name]
        assert (got.unit, got.kind, got.description) == (m.unit, m.kind, m.description)
        assert got.values.dtype == np.float64
        assert got.values.tobytes() == np.asarray(m.values, dtype=float).tobytes(), name
    assert summary_table(fast).equals(evpact.simulate("canada-korea-2026", **kwargs).summary())


def test_metrics_only_matches_on_every_bundled_scenario() -> None:
    for name in ("nextstar-2023", "powerco-2023"):
        full = evpact.simulate(name, draws=50, seed=3).metrics
        fast = evpact.simulate(name, draws=50, seed=3, metrics_only=True)
        for key, m in full.items():
            np.testing.assert_array_equal(fast[key].values, m.values, err_msg=key)


def test_sweep_rows_are_the_candidates_summaries() -> None:
    grid = {"deals.hmg-ontario.linkage.threshold": [0.3, 0.6]}
    table = sweep("canada-korea-2026", grid, draws=120, seed=5)
    for i, t in enumerate(grid["deals.hmg-ontario.linkage.threshold"]):
        want = evpact.simulate(
            "canada-korea-2026",
            draws=120,
            seed=5,
            variant={"deals.hmg-ontario.linkage.threshold": t},
        ).summary()
        got = table[table["variant"] == i].drop(
            columns=["variant", "deals.hmg-ontario.linkage.threshold"]
        )
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want)


def test_metrics_only_refuses_bad_input() -> None:
    with pytest.raises(EvpactError, match="draws must be at least 1"):
        evpact.simulate("canada-korea-2026", draws=0, metrics_only=True)
    with pytest.raises(EvpactError):
        evpact.simulate("canada-korea-2026", variant={"no.such.path": 1}, metrics_only=True)


def test_reused_draws_give_a_fresh_runs_numbers() -> None:
    """A candidate that follows another on the same draws reuses its uniforms and unchanged
    input values (uncertainty.montecarlo._Samples): the same numbers as from scratch."""
    from evpact.uncertainty.montecarlo import clear_kept

    evpact.simulate("canada-korea-2026", draws=200, seed=8, metrics_only=True)
    after = evpact.simulate(
        "canada-korea-2026", draws=200, seed=8, variant=VARIANT, metrics_only=True
    )
    clear_kept()
    fresh = evpact.simulate(
        "canada-korea-2026", draws=200, seed=8, variant=VARIANT, metrics_only=True
    )
    for name, m in fresh.items():
        assert after[name].values.tobytes() == m.values.tobytes(), name


def test_sweep_on_two_cores_is_the_one_core_table() -> None:
    """Batches of candidates on forked processes give the table one process gives."""
    grid = {"deals.hmg-ontario.linkage.threshold": [round(0.2 + 0.02 * i, 2) for i in range(34)]}
    one = sweep("canada-korea-2026", grid, draws=60, seed=6, workers=1)
    two = sweep("canada-korea-2026", grid, draws=60, seed=6, workers=2)
    pd.testing.assert_frame_equal(one, two)


def test_a_bad_candidate_on_a_worker_is_refused_cleanly() -> None:
    grid = {"deals.hmg-ontario.linkage.threshold": [0.5] * 20 + [-3.0] + [0.5] * 20}
    with pytest.raises(EvpactError):
        sweep("canada-korea-2026", grid, draws=20, seed=1, workers=2)
