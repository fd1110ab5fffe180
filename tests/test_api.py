"""The Python API: loading, results, comparison, export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

import evpact


def test_results_api_and_compare(tmp_path):
    a = evpact.simulate("canada-korea-2026", draws=200, seed=1)
    b = evpact.simulate("canada-korea-2026-unlinked", draws=200, seed=1)
    assert isinstance(a.scenario, xr.Dataset)
    summary = a.summary()
    assert list(summary.columns) == ["metric", "kind", "unit", "mean", "p5", "p50", "p95"]
    frame = a.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 200 * 20
    # comparing with the counterfactual's own run reproduces the built-in impacts exactly
    c = a.compare(b)
    for name in ("public_cost", "direct_jobs", "gdp_induced"):
        np.testing.assert_array_equal(c.impact[name].values, a.impact[name].values)
    files = a.write(tmp_path / "out")
    assert {f.name for f in files} >= {"summary.json", "summary.csv", "results.nc"}


def test_variant_changes_hash_and_result():
    base = evpact.load_scenario("canada-korea-2026")
    varied = evpact.load_scenario("canada-korea-2026", {"deals.hmg-ontario.linkage.threshold": 0.6})
    assert varied.deals[0].linkage is not None
    assert varied.deals[0].linkage.threshold.central == 0.6
    from evpact.scenario.load import scenario_sha256

    assert scenario_sha256(base) != scenario_sha256(varied)


def test_counterfactual_takes_the_scenarios_world():
    r = evpact.simulate("nextstar-2023", draws=20, seed=1)
    assert r.meta["counterfactual"] == "no-deal"
    assert list(r.counterfactual["year"].values) == list(range(2024, 2044))


def test_large_runs_store_single_precision_but_metrics_stay_exact(monkeypatch):
    exact = evpact.simulate("canada-korea-2026", draws=300, seed=12)
    monkeypatch.setattr(evpact.api, "PER_DRAW_LIMIT", 100)
    large = evpact.simulate("canada-korea-2026", draws=300, seed=12)
    assert large.scenario["gdp_direct"].dtype == np.float32
    assert exact.scenario["gdp_direct"].dtype == np.float64
    for name, metric in exact.metrics.items():  # computed block by block in double precision
        np.testing.assert_array_equal(large.metrics[name].values, metric.values, err_msg=name)
    np.testing.assert_allclose(
        large.scenario["gdp_direct"], exact.scenario["gdp_direct"], rtol=1e-6
    )
