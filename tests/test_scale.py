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
