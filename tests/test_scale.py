"""Scale-out and sweeps: a Dask cluster gives the numbers one process gives; a sweep runs every
grid variant on the same random numbers."""

from __future__ import annotations

import numpy as np
import pytest

import evpact
from evpact.errors import EvpactError
from evpact.optimize.sweep import parse_grid, sweep
from evpact.uncertainty.cluster import dask_client


def test_local_dask_cluster_gives_identical_results():
    alone = evpact.simulate("canada-korea-2026", draws=3000, seed=21, chunk=512)
    with dask_client(workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        spread = evpact.simulate("canada-korea-2026", draws=3000, seed=21, chunk=512, client=client)
    for name, metric in alone.metrics.items():
        np.testing.assert_array_equal(spread.metrics[name].values, metric.values, err_msg=name)
    for name in ("tax_total", "public_cost", "battery_local_gwh"):
        np.testing.assert_array_equal(spread.scenario[name].values, alone.scenario[name].values)
    assert spread.summary_dict() == alone.summary_dict()


def test_cluster_arguments_are_checked():
    with pytest.raises(EvpactError, match="tcp://"), dask_client(cluster="nowhere:1"):
        pass
    with pytest.raises(EvpactError, match="at least 1"), dask_client(workers=0):
        pass


def test_parse_grid():
    assert parse_grid("a.b=0.3:0.9:4") == ("a.b", pytest.approx([0.3, 0.5, 0.7, 0.9]))
    assert parse_grid("a.b=1,2.5") == ("a.b", [1.0, 2.5])
    for bad in ("a.b", "a.b=1:2", "a.b=x,y", "a.b=0:1:0"):
        with pytest.raises(EvpactError):
            parse_grid(bad)


def test_sweep_runs_every_variant_on_common_random_numbers():
    grid = {
        "deals.hmg-ontario.linkage.threshold": [0.2, 0.6],
        "deals.hmg-ontario.incentives.0.rate_scale": [0.5, 1.0],
    }
    table = sweep("canada-korea-2026", grid, draws=200, seed=4)
    assert table["variant"].nunique() == 4
    met = table[table["metric"] == "linkage_met_share"].set_index(list(grid))["mean"]
    assert met[(0.6, 1.0)] <= met[(0.2, 1.0)]
    # the same variant run alone gives the same row: sweeps share the run's random numbers
    alone = evpact.simulate(
        "canada-korea-2026", draws=200, seed=4, variant={k: v[1] for k, v in grid.items()}
    )
    row = table[(table["variant"] == 3) & (table["metric"] == "fiscal_net_npv")].iloc[0]
    assert row["mean"] == pytest.approx(
        alone.summary_dict()["metrics"]["fiscal_net_npv"]["mean"], rel=1e-12
    )
    with pytest.raises(EvpactError, match="does not exist"):
        sweep("canada-korea-2026", {"deals.hmg-ontario.linkage.treshold": [0.1]}, draws=10)


@pytest.mark.parametrize("scheme", ["lhs", "sobol"])
def test_sampling_schemes_do_not_depend_on_blocks(scheme):
    a = evpact.simulate("canada-korea-2026", draws=1024, seed=8, sampling=scheme)
    b = evpact.simulate("canada-korea-2026", draws=1024, seed=8, sampling=scheme, chunk=100)
    for name, metric in a.metrics.items():
        np.testing.assert_array_equal(b.metrics[name].values, metric.values, err_msg=name)
    mc = evpact.simulate("canada-korea-2026", draws=1024, seed=8)
    assert not np.array_equal(
        mc.metrics["gdp_cumulative"].values, a.metrics["gdp_cumulative"].values
    )


def test_scenario_correlations_reach_the_engine(write_scenario):
    import yaml
    from scipy import stats

    from evpact.scenario.load import bundled_scenarios

    raw = yaml.safe_load(bundled_scenarios()["canada-korea-2026"].read_text())
    raw["fiscal"] = {"discount_rate": {"uniform": [0.02, 0.08]}}
    raw["correlations"] = [
        {
            "inputs": ["fiscal.discount_rate", "plants.hmg-ontario.start"],
            "matrix": [[1.0, 0.9], [0.9, 1.0]],
        }
    ]
    path = write_scenario(raw)
    r = evpact.simulate(path, draws=2000, seed=5)
    rate = r.scenario["discount_rate"].values
    # the plant's first year of output follows its start (its volumes also follow whether its
    # US supply moves under the duty, so they are a weaker proxy since issue 12)
    made = r.scenario["plant_output"].sel(plant="hmg-ontario").values > 0
    first = np.where(made.any(axis=1), made.argmax(axis=1), made.shape[1])
    rho = stats.spearmanr(rate, first).statistic
    assert rho > 0.5
    raw.pop("correlations")
    free = evpact.simulate(write_scenario(raw, "free"), draws=2000, seed=5)
    rho_free = stats.spearmanr(
        free.scenario["discount_rate"].values,
        free.scenario["vehicles_assembled"].sel(year=2031).values,
    ).statistic
    assert abs(rho_free) < 0.1


def test_streamed_run_is_exact_for_means_and_bounded_for_quantiles(monkeypatch):
    from evpact.uncertainty.reduce import quantile_rank_error

    full = evpact.simulate("canada-korea-2026", draws=6000, seed=9, keep_draws=True)
    monkeypatch.setattr(evpact.api, "SUBSAMPLE", 1024)
    stream = evpact.simulate("canada-korea-2026", draws=6000, seed=9)
    assert stream.streamed and not full.streamed
    assert stream.scenario.sizes["draw"] == 1024 and stream.meta["draws"] == 6000
    bound = quantile_rank_error(1024, 6000)
    assert stream.meta["quantile_rank_error"] == bound
    fs, ss = full.summary_dict(), stream.summary_dict()
    for name, stats in fs["metrics"].items():
        got = ss["metrics"][name]
        if stats["mean"] is None:  # exact over all draws, including 'no value' draws
            assert got["mean"] is None, name
        else:
            assert got["mean"] == pytest.approx(stats["mean"], rel=1e-9, abs=1e-9), name
        values = np.sort(
            np.where(np.isnan(full.metrics[name].values), np.inf, full.metrics[name].values)
        )
        for key, q in (("p5", 0.05), ("p50", 0.5), ("p95", 0.95)):
            if got[key] is None:
                continue
            lo = np.searchsorted(values, got[key], "left") / values.size
            hi = np.searchsorted(values, got[key], "right") / values.size
            assert lo - bound <= q <= hi + bound, (name, key, lo, hi)
    _same(ss["risk"], fs["risk"])  # tails and probabilities come from every draw
    with pytest.raises(EvpactError, match="compare needs"):
        stream.compare(full)


def test_keep_draws_refuses_what_does_not_fit():
    with pytest.raises(EvpactError, match="GiB"):
        evpact.simulate("canada-korea-2026", draws=10**11, keep_draws=True)


def _same(got, want):
    if isinstance(want, dict):
        assert got.keys() == want.keys()
        for key in want:
            _same(got[key], want[key])
    elif want is None or isinstance(want, str):
        assert got == want
    else:
        assert got == pytest.approx(want, rel=1e-12)
