"""The compiled kernels (engine.kernels, and uncertainty.kernels for the inverse CDFs and the
streaming totals) give the numpy path's numbers to the last bit, so the size threshold that
picks one or the other (engine.jit) can never change a result (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evpact.engine import jit, ledger
from evpact.engine.reuse import compiled
from evpact.engine.simulate import simulate
from evpact.metrics import draw_metrics
from evpact.scenario.distributions import parse_dist
from evpact.scenario.load import load_counterfactual, load_scenario
from evpact.uncertainty.reduce import Totals, _numpy_column_sums
from evpact.uncertainty.sampling import block_uniforms, ppf, sample, uncertain_paths
from golden_runs import GOLDEN, SCENARIOS, golden_summary


def kernels_on(monkeypatch: Any, on: bool) -> None:
    """Every block through the kernels (``on``) or through numpy."""
    monkeypatch.delenv("EVPACT_JIT_FROM_DRAWS", raising=False)
    monkeypatch.setattr(jit, "JIT_FROM_DRAWS", 0 if on else 10**9)
    monkeypatch.setattr(jit, "JIT_FROM_RUN_DRAWS", 0)


def both_worlds(
    name: str, draws: int, lines: bool, variant: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    scenario = load_scenario(name, variant)
    models = [
        compiled(s, ledger_lines=lines) for s in (scenario, load_counterfactual(scenario, variant))
    ]
    u = block_uniforms(
        uncertain_paths(*(m.inputs for m in models)), 7, 0, draws, draws, "mc",
        models[0].correlations,
    )  # fmt: skip
    shared: dict[str, Any] = {}
    values = [sample(m.inputs, 7, 0, draws, shared, u=u) for m in models]
    return [simulate(m, x, draws) for m, x in zip(models, values, strict=True)]


@pytest.mark.parametrize("lines", [False, True], ids=["totals", "lines"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_kernels_give_the_numpy_bits(name: str, lines: bool, monkeypatch: Any) -> None:
    kernels_on(monkeypatch, False)
    plain = both_worlds(name, 600, lines)
    kernels_on(monkeypatch, True)
    fused = both_worlds(name, 600, lines)
    for a, b in zip(plain, fused, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            x, y = np.asarray(a[key]), np.asarray(b[key])
            assert x.shape == y.shape, key
            assert x.tobytes() == y.tobytes(), key  # bit for bit, NaN and -0.0 included


def count_calls(monkeypatch: Any, names: dict[str, Any]) -> dict[str, int]:
    """Calls of each kernel ``name`` of module ``names[name]`` from now on (monkeypatched)."""
    calls = dict.fromkeys(names, 0)

    def counting(name: str) -> Any:
        kernel = getattr(names[name], name)

        def counted(*args: Any) -> Any:
            calls[name] += 1
            return kernel(*args)

        return counted

    for name, module in names.items():
        monkeypatch.setattr(module, name, counting(name))
    return calls


def test_the_bundled_comparison_reaches_every_engine_kernel(monkeypatch: Any) -> None:
    """The comparison above runs each of simulate's kernels on the bundled scenarios (so a
    kernel that silently stopped being called could not pass it by default)."""
    from evpact.engine import kernels, kernels_flows, kernels_ledger

    names = {
        "demand_term": kernels_flows,
        "assembly_chain": kernels_flows,
        "contract": kernels_flows,
        "battery_chain": kernels_flows,
        "ev_stock": kernels_flows,
        "cell_totals": kernels_flows,
        "origin": kernels,
        "ramp_factor": kernels,
        "counter_tariff": kernels,
        "home_cash": kernels,
        "alternative_cash": kernels,
        "production_credit": kernels,
        "plant_economy": kernels,
        "plant_tax": kernels_ledger,
        "revenue": kernels_ledger,
    }  # (``_layers``, economy.layered of one element, runs inside plant_economy)
    calls = count_calls(monkeypatch, names)
    kernels_on(monkeypatch, True)
    for name in SCENARIOS:
        both_worlds(name, 50, False)
    assert all(calls.values()), calls


@pytest.mark.parametrize("name", SCENARIOS)
def test_metrics_and_totals_give_the_numpy_bits(name: str, monkeypatch: Any) -> None:
    """Per-draw metrics (row sums, break-even years) and the streaming totals (column sums)
    of the same worlds, through the kernels and through numpy."""
    worlds = both_worlds(name, 700, False)
    years = load_scenario(name)
    out = []
    for on in (False, True):
        kernels_on(monkeypatch, on)
        metrics = draw_metrics(worlds[0], worlds[1], compiled(years).years, years.price_year)
        totals = Totals(700)
        totals.add(metrics, worlds)
        out.append((metrics, totals))
    (m0, t0), (m1, t1) = out
    for key, m in m0.items():
        assert m.values.tobytes() == m1[key].values.tobytes(), key
    for w0, w1 in zip(t0.yearly, t1.yearly, strict=True):
        assert list(w0) == list(w1)  # the same arrays, in the same order (the files')
        for key, total in w0.items():
            assert np.asarray(total).tobytes() == np.asarray(w1[key]).tobytes(), key
    for c0, c1 in zip(t0.yearly_counts, t1.yearly_counts, strict=True):
        assert c0["linkage_met"].tobytes() == c1["linkage_met"].tobytes()
    for key in ("held", "measured"):
        assert np.asarray(getattr(t0, key)).tobytes() == np.asarray(getattr(t1, key)).tobytes()
    assert (t0.sums, t0.nans) == (t1.sums, t1.nans)


def test_sums_in_numpy_order_on_every_layout() -> None:
    """Row and column sums of every array a world holds, and of views (broadcast, strided,
    negative zero, NaN, a single column), as numpy adds them."""
    from evpact.engine import kernels

    rng = np.random.default_rng(5)
    base = rng.normal(size=(300, 40)) * 10.0 ** rng.integers(-3, 9, size=(300, 40))
    base[3, 5] = np.nan
    cases = [
        base,
        base[:, :2],  # two years: still row after row
        np.ascontiguousarray(base[:, :5]),
        np.ascontiguousarray(base[:, :1]),  # one year: numpy adds it pairwise
        np.full((300, 3), -0.0),
        base[:, :20],  # strided rows
        base[:, :7],  # fewer than eight years: sequential
        base[:, :16],  # exactly two blocks of eight
        np.full((5, 20), -0.0),
        np.broadcast_to(base[:, :1], (300, 20)),
        np.broadcast_to(base[:1, :20], (300, 20)),
        base[:, :1],
        rng.normal(size=(300, 3, 20)),
    ]
    cases += [np.asarray(a) for a in both_worlds("canada-korea-2026", 300, False)[0].values()]
    from evpact.uncertainty import kernels as totals

    for a in cases:
        if a.dtype != np.float64 or a.ndim < 2:
            continue
        assert kernels.sums_over_draws(a).tobytes() == a.sum(axis=0).tobytes()
        assert totals.sums_over_draws(a).tobytes() == a.sum(axis=0).tobytes()
        assert _numpy_column_sums(a).tobytes() == a.sum(axis=0).tobytes()
        if a.ndim == 2:
            assert kernels.sums_over_years(a).tobytes() == a.sum(axis=1).tobytes()


@pytest.mark.parametrize("scheme", ["mc", "lhs"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_inputs_give_the_numpy_bits(name: str, scheme: str, monkeypatch: Any) -> None:
    """Every input of both worlds (triangular, yearly paths, PERT, uniform, fixed), drawn
    through the kernels and through ``Dist.ppf``: the same bits, in blocks of any size."""
    scenario = load_scenario(name)
    models = [compiled(s) for s in (scenario, load_counterfactual(scenario, None))]
    paths = uncertain_paths(*(m.inputs for m in models))
    for start, stop in ((0, 700), (700, 707)):
        u = block_uniforms(paths, 11, start, stop, 1000, scheme, models[0].correlations)
        drawn = []
        for on in (False, True):
            kernels_on(monkeypatch, on)
            shared: dict[str, Any] = {}
            drawn.append([sample(m.inputs, 11, start, stop, shared, u=u) for m in models])
        for plain, fused in zip(*drawn, strict=True):
            assert plain.keys() == fused.keys()
            for key, value in plain.items():
                assert np.asarray(value).tobytes() == np.asarray(fused[key]).tobytes(), key


def test_triangular_kernels_on_many_quantiles() -> None:
    """The triangular inverse CDF, scalar bounds and yearly paths, against numpy on a million
    quantiles and the edges: 0, 1, the sampler's extremes, the split itself, NaN, -0.0, and
    degenerate bounds (zero width, the mode at either end, negative and tiny values)."""
    from evpact.scenario.distributions import triangular_ppf
    from evpact.uncertainty import kernels

    rng = np.random.default_rng(17)
    edges = [0.0, 1.0, 2.0**-53, 1 - 2.0**-53, 0.25, 0.5, np.nan, -0.0]
    u = np.concatenate([rng.random(1_000_000), edges])
    bounds = [
        (0.0, 0.0, 0.0), (1.0, 1.0, 1.0), (-0.0, 0.0, 0.0), (0.0, 0.0, 1.0), (0.0, 1.0, 1.0),
        (2.0, 4.0, 10.0), (-5.0, -1.0, 3.0), (1e-9, 2e-9, 5e-9), (1e6, 1.5e6, 3e6),
    ]  # fmt: skip
    for _ in range(40):
        lo, mode, hi = np.sort(rng.normal(size=3) * 10.0 ** rng.integers(-6, 12))
        bounds.append((float(lo), float(mode), float(hi)))
    for lo, mode, hi in bounds:
        want = triangular_ppf(u, lo, mode, hi)
        assert kernels.triangular_ppf(u, lo, mode, hi).tobytes() == want.tobytes(), (lo, hi)
    low, mode, high = np.sort(rng.normal(size=(3, 20)) * 100.0, axis=0)
    low[:3] = mode[:3] = high[:3] = 7.0  # years with no range
    mode[3], mode[4] = low[3], high[4]  # the mode at either end
    want = triangular_ppf(u[:100_000, None], low, mode, high)
    assert kernels.triangular_path(u[:100_000], low, mode, high).tobytes() == want.tobytes()
    strided = u[:200_000:2]  # quantiles that are a view: the kernels take a copy
    assert (
        kernels.triangular_ppf(strided, 2.0, 4.0, 10.0).tobytes()
        == triangular_ppf(strided, 2.0, 4.0, 10.0).tobytes()
    )
    single = strided.astype(np.float32)  # numpy computes 1 - u in single precision: numpy's
    dist = parse_dist({"triangular": [2, 4, 10]})
    assert ppf(dist, single, kernels).tobytes() == dist.ppf(single).tobytes()


def test_breakeven_year_by_hand() -> None:
    """Balances whose break-even year is known, through the kernel and numpy."""
    from evpact.engine import fiscal, kernels

    years = np.arange(2026.0, 2031.0)
    net = np.array(
        [
            [-5.0, 1.0, 2.0, 3.0, 1.0],  # cumulative -5, -4, -2, 1, 2: from 2029
            [1.0, 1.0, 1.0, 1.0, 1.0],  # never negative: the first year
            [-1.0, -1.0, 0.0, 0.0, 0.0],  # still negative at the end: NaN
            [np.nan, 1.0, 1.0, 1.0, 1.0],  # no value: never below the (NaN) tolerance
            [-1e-9, 0.0, 0.0, 0.0, 0.0],  # within 1e-6 of zero: not negative
        ]
    )
    got = kernels.breakeven_year(net, years)
    np.testing.assert_array_equal(got, [2029.0, 2026.0, np.nan, 2026.0, 2026.0])
    plain = fiscal.breakeven_year(net, years)  # 5 draws: numpy
    assert plain.tobytes() == got.tobytes()


@pytest.mark.parametrize("name", SCENARIOS)
def test_golden_summaries_through_the_kernels(name: str, monkeypatch: Any) -> None:
    """The golden runs (300 draws) take the numpy path by default; forced through the kernels
    they give the same summaries exactly."""
    kernels_on(monkeypatch, True)
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    assert json.loads(json.dumps(golden_summary(name))) == expected


#: scenario variants that take the physical chain's kernels through their other branches
FLOW_VARIANTS = [
    ("canada-korea-2026", {"fiscal.production_basis": "company_plan"}),
    ("canada-korea-2026", {"market.charging.feedback": True}),
    ("nextstar-2023", {"fiscal.production_basis": "company_plan"}),
]


@pytest.mark.parametrize(("name", "variant"), FLOW_VARIANTS)
def test_physical_chain_kernels_on_variants(
    name: str, variant: dict[str, Any], monkeypatch: Any
) -> None:
    """Output at announced capacity (company plan) and the charging feedback through the
    kernels of the physical chain (``kernels_flows``) and through numpy: the same bits."""
    got = []
    for on in (False, True):
        kernels_on(monkeypatch, on)
        got.append(both_worlds(name, 400, False, variant))
    for a, b in zip(*got, strict=True):
        for key in a:
            assert np.asarray(a[key]).tobytes() == np.asarray(b[key]).tobytes(), key


@pytest.mark.parametrize("name", SCENARIOS)
def test_engine_kernels_on_awkward_inputs(name: str, monkeypatch: Any) -> None:
    """Every sampled input takes NaN, 0.0, -0.0 or a hundredfold value in some draws (a
    different draw per input): both paths still agree on every output bit for bit, and the
    awkward values reach the outputs."""
    scenario = load_scenario(name)
    models = [compiled(s, ledger_lines=False) for s in (scenario, load_counterfactual(scenario))]
    draws = 240
    u = block_uniforms(
        uncertain_paths(*(m.inputs for m in models)), 3, 0, draws, draws, "mc",
        models[0].correlations,
    )  # fmt: skip
    shared: dict[str, Any] = {}
    values = [sample(m.inputs, 3, 0, draws, shared, u=u) for m in models]
    edges = (np.nan, 0.0, -0.0, 100.0)
    for x in values:
        for k, key in enumerate(sorted(x)):
            a = np.array(x[key], dtype=float)
            if a.ndim and a.shape[0] == draws:
                row = 7 + (k * 5) % (draws - 7)
                a[row] = edges[k % 4] * (a[row] if edges[k % 4] == 100.0 else 1.0)
                x[key] = a
    got = []
    for on in (False, True):
        kernels_on(monkeypatch, on)
        with np.errstate(all="ignore"):
            got.append([simulate(m, x, draws) for m, x in zip(models, values, strict=True)])
    assert np.isnan(np.asarray(got[0][0]["plant_output"])).any()  # the scenario's plants
    for a, b in zip(*got, strict=True):
        for key in a:
            assert np.asarray(a[key]).tobytes() == np.asarray(b[key]).tobytes(), key


def test_kernels_keep_nan_and_limits(monkeypatch: Any) -> None:
    """Edge values the engine can meet, by hand: a NaN purchase share stays NaN, shares outside
    [0, 1] are clipped, a zero direct effect leaves nothing indirect or induced; the numpy
    path agrees bit for bit."""
    from evpact.engine import economy, kernels

    direct = np.array([[1.0, 0.0, 2.0, 3.0, np.nan]])
    simple, total = np.full((1, 5), 1.5), np.full((1, 5), 2.25)
    bought = np.array([[np.nan, 0.3, -1.0, 2.0, 0.5]])
    rows = zip(direct[0], simple[0], total[0], bought[0], strict=True)
    layers = [kernels._layers(*x) for x in rows]
    indirect, induced = (np.array([[x[k] for x in layers]]) for k in (0, 1))
    # d (s - 1)(1 - clip(p)): NaN, 0, 2 x 0.5 x 1, 3 x 0.5 x 0, NaN
    np.testing.assert_array_equal(indirect, [[np.nan, 0.0, 1.0, 0.0, np.nan]])
    # d (t - s) x (d + indirect) / (d + d (s - 1)): 0; 1.5 x 3/3; 2.25 x 3/4.5
    np.testing.assert_allclose(induced[0, 1:4], [0.0, 1.5, 1.5], rtol=1e-15)
    kernels_on(monkeypatch, False)
    plain = economy.layered(direct, simple, total, bought)
    assert plain.indirect.tobytes() == indirect.tobytes()
    assert plain.induced.tobytes() == induced.tobytes()


def awkward(rng: np.random.Generator, shape: tuple[int, ...], low: float, high: float) -> Any:
    """Uniform values with the edges the engine can meet: exact bounds, -0.0, 0.0 and NaN."""
    a = rng.uniform(low, high, size=shape)
    a.flat[::13] = low
    a.flat[1::17] = high
    a.flat[2::19] = -0.0
    a.flat[3::23] = 0.0
    a.flat[4::29] = np.nan
    return a


def test_origin_kernel_by_hand_and_against_numpy(monkeypatch: Any) -> None:
    """The USMCA tests through the kernel and numpy, bit for bit, on shares around every
    threshold (roll-up on and off, zero cell and pack shares, NaN); and one vehicle by hand:
    a pack of 20% of net cost with 60% originating cells (cells 75% of the pack, the rest
    70%) has a pack RVC of 1 - 0.75 x 0.4 - 0.25 x 0.3 = 62.5%, rolled up to 100% at a 60%
    core threshold, as is a 70%-originating core part of 30%, so the vehicle's RVC is
    1 - 0.5 x (1 - 0.8) = 90% and its LVC 0.3 + 0.1 + 0.05 = 45%: it qualifies."""
    from evpact.engine import origin

    rng = np.random.default_rng(3)
    n, m = 400, 6
    inputs = {
        "pack_share": awkward(rng, (n, m), 0.0, 0.6),
        "cell_share": awkward(rng, (n, 1), 0.0, 1.0),
        "cells_originating": awkward(rng, (n, m), 0.0, 1.0),
        "pack_other_originating": awkward(rng, (n, 1), 0.0, 1.0),
        "core_share": awkward(rng, (n, m), 0.0, 0.5),
        "core_originating": awkward(rng, (n, 1), 0.4, 1.0),
        "other_originating": awkward(rng, (n, 1), 0.0, 1.0),
        "high_wage_share": awkward(rng, (n, 1), 0.0, 0.5),
        "technology_credit": awkward(rng, (n, 1), 0.0, 0.2),
        "has_battery_plant": (rng.uniform(size=(n, 1)) > 0.5).astype(float),
        "steel_aluminium": awkward(rng, (n, 1), 0.5, 1.0),
    }
    rules = {
        "usmca_in_force": np.array([[0.0, 0.5, 1.0, 1.0, 1.0, 1.0]]),
        "rvc_threshold": np.array([[0.66, 0.69, 0.72, 0.75, 0.75, 0.75]]),
        "core_rvc_threshold": np.array([[0.66, 0.69, 0.72, 0.75, 0.75, 0.0]]),
        "core_part_roll_up": np.array([[1.0, 1.0, 0.0, 0.0, 1.0, 0.0]]),
        "lvc_technology_credit_max": np.full((1, m), 0.1),
        "lvc_assembly_credit": np.full((1, m), 0.05),
        "lvc_threshold": np.full((1, m), 0.4),
        "steel_aluminium_threshold": np.full((1, m), 0.7),
    }
    kernels_on(monkeypatch, True)
    fused = origin.origin(**inputs, rules=rules)
    kernels_on(monkeypatch, False)
    plain = origin.origin(**inputs, rules=rules)
    for field in ("pack_rvc", "rvc", "rvc_threshold", "lvc", "qualifies", "min_cell_share"):
        x = np.broadcast_to(getattr(plain, field), (n, m))
        assert x.tobytes() == getattr(fused, field).tobytes(), field
    assert 0 < np.nanmean(fused.qualifies) < 1  # both outcomes are exercised
    assert np.isnan(fused.min_cell_share).any() and np.isfinite(fused.min_cell_share).any()
    one = {k: np.array([[x]]) for k, x in (
        ("pack_share", 0.2), ("cell_share", 0.75), ("cells_originating", 0.6),
        ("pack_other_originating", 0.7), ("core_share", 0.3), ("core_originating", 0.7),
        ("other_originating", 0.8), ("high_wage_share", 0.3), ("technology_credit", 0.1),
        ("has_battery_plant", 1.0), ("steel_aluminium", 0.9),
    )}  # fmt: skip
    rule = {k: np.array([[x]]) for k, x in (
        ("usmca_in_force", 1.0), ("rvc_threshold", 0.75), ("core_rvc_threshold", 0.6),
        ("core_part_roll_up", 1.0), ("lvc_technology_credit_max", 0.1),
        ("lvc_assembly_credit", 0.05), ("lvc_threshold", 0.4),
        ("steel_aluminium_threshold", 0.7),
    )}  # fmt: skip
    for on in (True, False):
        kernels_on(monkeypatch, on)
        o = origin.origin(**one, rules=rule)
        np.testing.assert_allclose([o.pack_rvc[0, 0], o.rvc[0, 0]], [0.625, 0.9], rtol=1e-12)
        assert float(o.lvc[0, 0]) == pytest.approx(0.45)
        assert float(o.qualifies[0, 0]) == 1.0


def test_ev_stock_kernel_by_hand_and_against_numpy(monkeypatch: Any) -> None:
    """A stock of 100 EVs losing 10% a year and gaining half of 10 sales: 95, 90.5, 86.45;
    the kernel and numpy's column recursion agree bit for bit on awkward inputs, and without
    the feedback the EV share comes back as it went in."""
    from evpact.engine import charging

    rng = np.random.default_rng(6)
    n, m = 500, 12
    lv, share = awkward(rng, (n, m), 0.0, 2e6), awkward(rng, (n, m), 0.0, 1.0)
    start, scrap = awkward(rng, (n, 1), 0.0, 1e6), awkward(rng, (n, 1), 0.0, 0.2)
    ports = np.ones((n, m))
    got = []
    for on in (True, False):
        kernels_on(monkeypatch, on)
        hand, _ = charging.stock_and_ports(
            np.full((1000, 3), 10.0), np.full((1000, 3), 0.5), np.array(100.0),
            np.array(0.1), np.ones((1000, 3)), np.array(1.0), np.array(0.0), False,
        )  # fmt: skip
        np.testing.assert_allclose(hand[0], [95.0, 90.5, 86.45], rtol=1e-14)
        stock, out = charging.stock_and_ports(lv, share, start, scrap, ports, 1.0, 0.5, False)
        assert out is share
        got.append(stock)
    assert got[0].tobytes() == got[1].tobytes()
    assert np.isnan(got[0]).any()


def test_cell_totals_kernel_against_numpy(monkeypatch: Any) -> None:
    """Minerals and manufacturing emissions of home cell plants through the kernel, as
    ``engine.arrays.total`` adds them: a plant of unknown chemistry makes the minerals NaN, a
    plant without a grid adds no emissions, the first emitter starts them; and one plant by
    hand (2 GWh at 0.1 t of lithium per GWh and 60 kg CO2e per kWh: 0.2 t and 120,000 t)."""
    from evpact.engine.arrays import total

    kernels_on(monkeypatch, True)
    fused = jit.compiled_for(10**6, ".kernels_flows")
    assert fused is not None
    rng = np.random.default_rng(8)
    n, m = 300, 7
    outputs = [awkward(rng, (n, m), 0.0, 20.0) for _ in range(3)]
    kg = [[awkward(rng, (m,), 0.0, 2.0) * 1e3 for _ in range(5)], None, [np.asarray(0.5e3)] * 5]
    co2 = [None, awkward(rng, (n, 1), 0.0, 90.0), awkward(rng, (1, m), 0.0, 90.0)]
    acc = np.full((6, n, m), 7.0)  # whatever it held: the first plant starts every row
    for k, (x, t, c) in enumerate(zip(outputs, kg, co2, strict=True)):
        fused.cell_totals(acc, x, t, c, k == 0, k == 1)
    for row in range(5):
        plain = total(
            (x * t[row] if t is not None else np.full((n, m), np.nan)
             for x, t in zip(outputs, kg, strict=True)),
            (n, m),
        )  # fmt: skip
        assert plain.tobytes() == acc[row].tobytes()
        assert np.isnan(acc[row]).all()
    plain = total((x * 1e3 * c for x, c in zip(outputs, co2, strict=True) if c is not None), (n, m))
    assert plain.tobytes() == acc[5].tobytes()
    one = np.empty((6, 1, 1))
    fused.cell_totals(one, np.array([[2.0]]), [np.asarray(0.1)] * 5, np.array(60.0), True, True)
    np.testing.assert_allclose(one[:, 0, 0], [0.2] * 5 + [120_000.0], rtol=1e-15)


def test_row_kernels_match_any_layout_and_numpy(monkeypatch: Any) -> None:
    """An offtake contract's call and a market's demand term through the row kernels
    (contiguous (draw, year) arrays, per-draw and per-year vectors), through the any-layout
    kernels (the same inputs in Fortran order) and by numpy's expressions in simulate: the
    same bits, on awkward values."""
    from evpact.engine import trade
    from evpact.engine.market import ev_demand

    kernels_on(monkeypatch, True)
    fused = jit.compiled_for(10**6, ".kernels_flows")
    assert fused is not None
    rng = np.random.default_rng(9)
    n, m = 400, 11
    available, ratio = awkward(rng, (n, m), 0.0, 30.0), awkward(rng, (n, m), 0.0, 1.0)
    share, pt, el = (awkward(rng, (n, 1), 0.0, 1.0) for _ in range(3))
    cell_rate = awkward(rng, (1, m), 0.0, 0.5)
    with np.errstate(invalid="ignore"):
        plain = share * available * ratio * trade.export_friction(cell_rate, np.ones(1), pt, el)
    for layout in (np.ascontiguousarray, np.asfortranarray):
        out = np.empty((n, m))
        fused.contract(out, share, layout(available), layout(ratio), (cell_rate, pt, el))
        assert out.tobytes() == plain.tobytes()
    lv, ev, rate = awkward(rng, (n, m), 0.0, 2e6), awkward(rng, (n, m), -0.1, 1.1), ratio / 2
    group, db, fv, prem = (awkward(rng, (n, 1), 0.0, 1.0) for _ in range(4))
    with np.errstate(invalid="ignore"):
        kept = (rate * db <= prem * fv).astype(float)
        plain = (
            share
            * ev_demand(lv, ev, group)
            * (trade.export_friction(rate, np.ones(1), pt, el) * kept)
        )
    for layout in (np.ascontiguousarray, np.asfortranarray):
        out = np.empty((n, m))
        us = (layout(rate), db, fv, prem, pt, el)
        fused.demand_term(out, layout(lv), layout(ev), group, share, None, us, True)
        assert out.tobytes() == plain.tobytes()
    assert np.isnan(plain).any()


def test_ramp_kernel_by_hand_and_against_numpy(monkeypatch: Any) -> None:
    """A plant starting on 1 July with a one-year ramp averages 1/8 of full output in its
    first year (the area under the line from 0 to 1/2 over half a year), 7/8 in the next and
    all of it after; a zero ramp is a step. The kernel and numpy agree bit for bit on
    starts and ramps of every kind, NaN included."""
    from evpact.engine import flows

    years = np.arange(2026.0, 2036.0)
    rng = np.random.default_rng(4)
    start = awkward(rng, (300, 1), 2020.0, 2040.0)
    start[::7] = np.round(start[::7])
    ramp = awkward(rng, (300, 1), 0.0, 6.0)
    for on in (True, False):
        kernels_on(monkeypatch, on)
        hand = flows.ramp_factor(years, np.array([[2027.5], [2028.0]]), np.array([[1.0], [0.0]]))
        np.testing.assert_allclose(hand[0, :4], [0.0, 0.125, 0.875, 1.0], rtol=1e-12)
        np.testing.assert_allclose(hand[1, :4], [0.0, 0.0, 1.0, 1.0], atol=1e-9)
    yearly = awkward(rng, (300, years.size), 2020.0, 2040.0)  # not one start per draw
    for s, r in ((start, ramp), (yearly, ramp), (start, 2.0), (2030.5, ramp)):
        kernels_on(monkeypatch, True)
        fused = flows.ramp_factor(years, s, r)
        kernels_on(monkeypatch, False)
        assert flows.ramp_factor(years, s, r).tobytes() == fused.tobytes()


def test_counter_tariff_kernel_against_numpy(monkeypatch: Any) -> None:
    """Canada's counter-tariff and remission of canada-korea-2026 are not nil (so the
    bundled comparison above exercises the kernel), and both paths agree on them."""
    worlds = []
    for on in (False, True):
        kernels_on(monkeypatch, on)
        worlds.append(both_worlds("canada-korea-2026", 300, False)[0])
    for key in ("ca_counter_tariff_cad", "remission_value_cad"):
        assert np.asarray(worlds[0][key]).any(), key
        assert np.asarray(worlds[0][key]).tobytes() == np.asarray(worlds[1][key]).tobytes()


def test_firm_cash_kernels_by_hand_and_against_numpy(monkeypatch: Any) -> None:
    """A firm's yearly cash at home and at an alternative, through the kernels and as
    ``firms.firm_base`` writes it in numpy, bit for bit on awkward values (losses, -0.0,
    NaN, starts on a year boundary); and by hand: a 10% margin on 100 less a duty of 2,
    taxed at 25%, is 6; a loss of 4 pays no tax; capital of 50 falls in the start year."""
    from evpact.engine import kernels
    from evpact.engine.firms import after_tax, at_year

    years = np.arange(2026.0, 2032.0)
    got = kernels.home_cash(
        (2, 6), np.array([[0.1], [0.1]]), np.array([[100.0] * 6, [10.0] * 6]),
        np.array([[2.0] * 6, [5.0] * 6]), np.full((1, 6), 0.25), np.array([[50.0], [0.0]]),
        np.array([[2027.4], [2040.0]]), years,
    )  # fmt: skip
    np.testing.assert_array_equal(got[0], [6.0, -44.0, 6.0, 6.0, 6.0, 6.0])
    np.testing.assert_array_equal(got[1], [-4.0] * 6)
    rng = np.random.default_rng(6)
    n, shape = 300, (300, 6)
    margin, gap = awkward(rng, (n, 1), -0.1, 0.3), awkward(rng, (n, 1), -0.05, 0.1)
    revenue, duty = awkward(rng, shape, 0.0, 1e9), awkward(rng, shape, 0.0, 1e8)
    tax, alt_tax = awkward(rng, (1, 6), 0.1, 0.3), awkward(rng, (n, 1), 0.1, 0.3)
    capex, start = awkward(rng, (n, 1), 0.0, 1e9), awkward(rng, (n, 1), 2025.0, 2033.0)
    start[::5] = np.round(start[::5])
    credit = (
        awkward(rng, shape, 0.0, 1e7), awkward(rng, (1, 6), 0.0, 35.0),
        awkward(rng, (n, 1), 0.0, 1.0), awkward(rng, (1, 6), 0.0, 10.0),
        awkward(rng, (n, 1), 0.0, 1.0), awkward(rng, (n, 1), 1.2, 1.5),
        awkward(rng, (1, 6), 0.8, 1.0),
    )  # fmt: skip
    up_front, built = awkward(rng, (n, 1), -1e8, 1e9), np.maximum(start, years[0])
    home = after_tax(margin * revenue - duty, tax) - at_year(capex, start, years)
    assert (
        kernels.home_cash(shape, margin, revenue, duty, tax, capex, start, years).tobytes()
        == np.broadcast_to(home, shape).tobytes()
    )
    kwh, cell, share, module, eligible, fx, deflate = credit
    operating = after_tax((margin - gap) * revenue, alt_tax)
    for c in (None, credit):
        cash = operating
        if c is not None:
            cash = cash + kwh * (cell + share * module) * eligible * fx * deflate
        cash = cash - at_year(up_front, built, years)
        got = kernels.alternative_cash(
            shape, margin, gap, revenue, alt_tax, c, up_front, built, years
        )
        assert got.tobytes() == np.broadcast_to(cash, shape).tobytes()


def test_plant_economy_kernel_by_hand_and_against_numpy(monkeypatch: Any) -> None:
    """A home plant's nine layers through the kernel and numpy (``economy.home_plant``), bit
    for bit on awkward values with every combination of battery share, learning gains and
    absorbed duty; and by hand: output worth 100 at GDP ratios 0.3 / 0.45 / 0.6 with nothing
    bought from linked plants gives GDP 30 direct, 15 indirect, 15 induced, and buying half
    its inputs' worth from them halves the indirect layer (7.5) and shrinks induced in step
    (15 x 37.5 / 45 = 12.5)."""
    from evpact.engine import economy

    ratios = (np.array([[0.3]]), np.array([[0.45]]), np.array([[0.6]]))
    for on in (True, False):
        kernels_on(monkeypatch, on)
        acc = np.zeros((9, 2, 1))
        gdp, li = economy.home_plant(
            acc, np.array([[100.0], [100.0]]), np.array([[0.0], [50.0]]), None,
            np.array([[10.0], [10.0]]), (np.array([[1.5]]), np.array([[2.0]])), ratios,
            np.array([[50_000.0]]), ratios, None, None,
        )  # fmt: skip
        np.testing.assert_allclose(acc[3:6, 0, 0], [30.0, 15.0, 15.0], rtol=1e-14)
        np.testing.assert_allclose(acc[3:6, 1, 0], [30.0, 7.5, 12.5], rtol=1e-14)
        np.testing.assert_allclose(acc[0:3, 0, 0], [10.0, 5.0, 5.0], rtol=1e-14)
        assert gdp.ravel().tolist() == [30.0, 30.0] and li.ravel().tolist() == [5e5, 5e5]
    rng = np.random.default_rng(8)
    n, shape = 300, (300, 6)
    value, purchases = awkward(rng, shape, 0.0, 1e9), awkward(rng, shape, 0.0, 8e8)
    jobs = awkward(rng, shape, 0.0, 3000.0)
    jr = (awkward(rng, (n, 1), 1.0, 2.5), awkward(rng, (n, 1), 2.0, 3.5))
    gr = tuple(awkward(rng, (n, 1), 0.0, 0.6) for _ in range(3))
    lr = tuple(awkward(rng, (n, 1), 0.0, 0.4) for _ in range(3))
    earnings = awkward(rng, (n, 1), 4e4, 9e4)
    for battery in (None, awkward(rng, shape, 0.0, 0.5)):
        for gains in (None, awkward(rng, shape, 0.0, 1e7)):
            for absorbed in (None, awkward(rng, shape, 0.0, 1e7)):
                out = []
                start = awkward(rng, (9, *shape), -1e6, 1e6)  # other plants' layers
                for on in (True, False):
                    kernels_on(monkeypatch, on)
                    acc = start.copy()
                    direct = economy.home_plant(
                        acc, value, purchases, battery, jobs, jr, gr, earnings, lr, gains,
                        absorbed,
                    )  # fmt: skip
                    out.append((acc, direct))
                (a, d), (b, e) = out
                assert a.tobytes() == b.tobytes()
                assert [x.tobytes() for x in d] == [np.broadcast_to(x, shape).tobytes() for x in e]
                # the first plant starts the totals from zero, whatever the buffer held
                for on in (True, False):
                    kernels_on(monkeypatch, on)
                    fresh = np.zeros((9, *shape))
                    economy.home_plant(
                        fresh, value, purchases, battery, jobs, jr, gr, earnings, lr, gains,
                        absorbed,
                    )  # fmt: skip
                    used = start.copy()
                    economy.home_plant(
                        used, value, purchases, battery, jobs, jr, gr, earnings, lr, gains,
                        absorbed, first=True,
                    )  # fmt: skip
                    assert used.tobytes() == fresh.tobytes()


def test_production_credit_kernel_by_hand_and_against_numpy() -> None:
    """A production credit through the kernel and as ``simulate._incentive`` computes it in
    numpy (``arrays.total`` of the schedule's terms, ``linkage.capped_flow``, the deflator),
    bit for bit with and without cells, modules and a cap; and by hand: 2 GWh a year at
    US$35/kWh of cells, fx 1.4, under a nominal cap of C$250 M, pays 98, 98, 54, 0 (C$ M),
    deflated by 1.02 a year."""
    from evpact.engine import kernels
    from evpact.engine.arrays import total
    from evpact.engine.linkage import capped_flow

    years = 4
    deflator = 1.02 ** -np.arange(years)[None, :]
    got = kernels.production_credit(
        (1, years), np.full((1, years), 2.0), np.full(years, 35.0), np.zeros((1, 1)), None,
        np.ones((1, 1)), np.full((1, 1), 1.4), 1.0, np.array([250e6]), deflator,
    )  # fmt: skip
    np.testing.assert_allclose(got[0], np.array([98e6, 98e6, 54e6, 0.0]) * deflator[0])
    rng = np.random.default_rng(9)
    n, m = 300, 8
    output = awkward(rng, (n, m), 0.0, 30.0)
    cell, module = awkward(rng, (m,), 0.0, 35.0), awkward(rng, (m,), 0.0, 10.0)
    share, scale = awkward(rng, (n, 1), 0.0, 1.0), awkward(rng, (n, 1), 0.5, 1.5)
    fx, deflate = awkward(rng, (n, 1), 1.2, 1.5), awkward(rng, (1, m), 0.7, 1.0)
    compliance = awkward(rng, (n, m), 0.0, 1.0)
    for c in (1.0, compliance):
        for cap in (None, awkward(rng, (n,), 0.0, 5e9)):
            for rates in ((cell, None), (None, module), (cell, module), (None, None)):
                kwh = output * 1e6
                terms = []
                if rates[0] is not None:
                    terms.append(kwh * rates[0])
                if rates[1] is not None:
                    terms.append(kwh * share * rates[1])
                flow = total(terms, (n, m)) * scale * fx * c
                plain = capped_flow(flow, cap) * deflate
                fused = kernels.production_credit(
                    (n, m), output, rates[0], share, rates[1], scale, fx, c, cap, deflate
                )
                assert fused.tobytes() == np.broadcast_to(plain, (n, m)).tobytes()


def test_small_runs_do_not_import_numba() -> None:
    """A deterministic run stays on numpy: no numba import, no JIT compile to wait for."""
    probe = (
        "import sys, evpact; evpact.simulate('canada-korea-2026', deterministic=True);"
        "print('numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("draws", "loaded"), [(500, False), (700, True)])
def test_only_big_runs_load_the_kernels(draws: int, loaded: bool) -> None:
    """A process loads numba only for a run of which it computes at least
    ``JIT_FROM_RUN_DRAWS`` draws itself (here lowered to 600, blocks of 256)."""
    probe = (
        "import sys, evpact, evpact.engine.jit as jit;"
        "jit.JIT_FROM_DRAWS, jit.JIT_FROM_RUN_DRAWS = 256, 600;"
        f"evpact.simulate('canada-korea-2026', draws={draws}, seed=1, chunk=256, workers=1);"
        "print('numba' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "EVPACT_JIT_FROM_DRAWS"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(loaded)


def test_read_only_install_caches_elsewhere(tmp_path: Path) -> None:
    """Where the package directory is not writable, numba's cache goes to the user's cache
    directory and a big block still runs (with the same numbers)."""
    probe = """
import os, sys
from pathlib import Path
import evpact.engine.jit as jit
here = Path(jit.__file__).parent
real = os.access
blocked = (here, here / "__pycache__")
os.access = lambda p, mode, **k: Path(p) not in blocked and real(p, mode, **k)
import evpact
from evpact.uncertainty.montecarlo import clear_kept
def mean():
    clear_kept()  # recompute the worlds, not the last run's kept blocks
    r = evpact.simulate("canada-korea-2026", draws=64, seed=3, workers=1)
    return r.summary_dict()["metrics"]["fiscal_net_npv"]["mean"]
plain = mean()
jit.JIT_FROM_DRAWS = 0
jit.JIT_FROM_RUN_DRAWS = 0
fused = mean()
print(os.environ.get("NUMBA_CACHE_DIR"), plain == fused, "numba" in sys.modules)
"""
    env = {
        k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "EVPACT_JIT_FROM_DRAWS")
    }
    env["XDG_CACHE_HOME"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=600
    )
    assert out.returncode == 0, out.stderr
    cache, same, used = out.stdout.split()
    assert Path(cache) == tmp_path / "evpact" / "numba"
    assert any(Path(cache).rglob("*.nbi"))  # the kernels were cached there
    assert (same, used) == ("True", "True")


FORKED_KERNELS = """
import json, os, sys, numpy as np
import evpact, evpact.api
from evpact.engine import jit, ledger
from evpact.uncertainty import cores

log = sys.argv[1]
chosen = jit.compiled_for
def spy(draws, *module):
    k = chosen(draws, *module)
    if k is not None:
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\\n")
    return k
jit.compiled_for = spy
adopt = cores._adopt
def adopted(*args):  # runs in each worker as it starts: are the kernels there already?
    with open(log + ".loaded", "a") as f:
        f.write(f"{len(jit._loaded)}\\n")
    adopt(*args)
cores._adopt = adopted
evpact.api.SUBSAMPLE = 128  # keep 2 blocks of 64 draws; the other 9 only send summaries
jit.JIT_FROM_DRAWS, jit.JIT_FROM_RUN_DRAWS = 64, 200  # workers compute 350 draws each
two = evpact.simulate("canada-korea-2026", draws=700, seed=4, chunk=64, workers=2)
jit.JIT_FROM_DRAWS = 10**9  # numpy everywhere
plain = evpact.simulate("canada-korea-2026", draws=700, seed=4, chunk=64, workers=1)
same = two.summary_dict() == plain.summary_dict() and all(
    two.metrics[k].values.tobytes() == plain.metrics[k].values.tobytes() for k in two.metrics
)
pids = {int(p) for p in open(log).read().split()} if os.path.exists(log) else set()
loaded = open(log + ".loaded").read().split()
print(json.dumps({"same": same, "here": os.getpid() in pids, "workers": len(pids - {os.getpid()}),
                  "inherited": loaded == [str(len(jit.KERNEL_MODULES))] * 2}))
"""


def test_forked_workers_use_the_kernels_with_the_same_numbers(tmp_path: Path) -> None:
    """A streamed run whose forked workers compute enough draws to load the kernels (the
    thresholds lowered; the calling process loads them once before forking and computes no
    block itself): every statistic and kept metric equals an all-numpy run's."""
    env = {k: v for k, v in os.environ.items() if k != "EVPACT_JIT_FROM_DRAWS"}
    proc = subprocess.run(
        [sys.executable, "-c", FORKED_KERNELS, str(tmp_path / "pids")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"same": True, "here": False, "workers": 2, "inherited": True}


def test_numba_cache_goes_to_the_first_writable_cache_dir(tmp_path: Path, monkeypatch: Any) -> None:
    """In a read-only install the cache goes to $XDG_CACHE_HOME/evpact/numba, else
    ~/.cache/evpact/numba; a writable install or an explicit NUMBA_CACHE_DIR is left alone.
    In process (the subprocess probe above cannot see a mutated ``jit``)."""
    package = Path(jit.__file__).parent
    real_access = os.access

    def read_only_package(path: Any, mode: int) -> bool:
        return not Path(path).is_relative_to(package) and real_access(path, mode)

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    jit.set_cache_dir()  # the package itself is writable here: nothing to do
    assert "NUMBA_CACHE_DIR" not in os.environ

    monkeypatch.setattr(jit.os, "access", read_only_package)
    jit.set_cache_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "xdg" / "evpact" / "numba")
    assert (tmp_path / "xdg" / "evpact" / "numba").is_dir()

    jit.set_cache_dir()  # an explicit (here: the previous) choice wins
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "xdg" / "evpact" / "numba")
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    jit.set_cache_dir()  # the next start finds the folder it made: the same cache again
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "xdg" / "evpact" / "numba")

    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME")
    jit.set_cache_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "home" / ".cache" / "evpact" / "numba")


def test_jit_thresholds_come_from_the_environment(monkeypatch: Any) -> None:
    """EVPACT_JIT_FROM_DRAWS sets the block threshold and drops the run threshold; unset or
    not a number, the defaults stand (1,024 draws a block, 2**17 a run)."""
    monkeypatch.delenv("EVPACT_JIT_FROM_DRAWS", raising=False)
    assert jit.thresholds() == (1024, 2**17)
    monkeypatch.setenv("EVPACT_JIT_FROM_DRAWS", " 64 ")
    assert jit.thresholds() == (64, 0)
    monkeypatch.setenv("EVPACT_JIT_FROM_DRAWS", "many")
    assert jit.thresholds() == (1024, 2**17)


#: the ledger's branches the bundled scenarios leave out: debt service, no statutory credits,
#: corporate and labour rates rescaled per draw (rates that vary by draw and year), nominal
LEDGER_VARIANTS = [
    ("canada-korea-2026", {"fiscal.debt_service": True, "fiscal.statutory_credits": False}),
    (
        "canada-korea-2026",
        {
            "fiscal.corporate_tax_rate": {"triangular": [0.1, 0.2, 0.3]},
            "fiscal.labour_tax_rate": {"triangular": [0.2, 0.25, 0.3]},
            "fiscal.price_basis": "nominal",
        },
    ),
    ("nextstar-2023", {"fiscal.debt_service": True}),
    ("powerco-2023", {}),
]


def crown_calls(name: str, variant: dict[str, Any], monkeypatch: Any) -> list[Any]:
    """The arguments of every ``ledger.crown`` call of both worlds of a 500-draw block."""
    calls: list[Any] = []
    real = ledger.crown

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger, "crown", spy)
    both_worlds(name, 500, False, variant)
    monkeypatch.setattr(ledger, "crown", real)
    return calls


def awkward_books(books: dict[str, Any]) -> dict[str, Any]:
    """The plants' books with NaN, infinities and negative zeros in some draws."""
    out = {}
    for plant, b in books.items():
        va, li, sub = (np.array(np.broadcast_to(a, b.value_added.shape)) for a in
                       (b.value_added, b.labour_income, b.taxable_subsidy))  # fmt: skip
        va[0, :3] = np.nan
        va[1, 5] = np.inf
        li[2, :] = -0.0
        va[2, :] = -0.0
        sub[3, 4:] = -np.inf
        out[plant] = ledger.PlantBooks(va, li, sub, b.exempt_subsidy, b.grants)
    return out


def synthetic_rescaling(
    books: dict[str, Any], outlays: dict[Any, Any], shape: tuple[int, int]
) -> ledger.Rescaled:
    """A rescaling that moves every flow the ledger can rescale (each outlay, each plant's
    taxable payments and grants), by a delta of either sign, zero in some draws."""
    rng = np.random.default_rng(11)
    delta = rng.normal(size=(shape[0], 1))
    delta[::7] = 0.0
    return ledger.Rescaled(
        delta,
        {k: 0.3 * np.broadcast_to(o, shape) for k, o in outlays.items()},
        {p: 0.02 * np.broadcast_to(b.value_added, shape) for p, b in books.items()},
        {p: rng.uniform(0.0, 2e7, size=shape) for p in books},
    )


def by_hand(r: ledger.Rescaled, books: dict[str, Any], outlays: dict[Any, Any]) -> Any:
    """The books and outlays with the support rescaled, as a separate ``crown`` call takes
    them."""
    scaled = {
        p: ledger.PlantBooks(
            b.value_added,
            b.labour_income,
            r.at(b.taxable_subsidy, r.taxable.get(p)),
            b.exempt_subsidy,
            r.at(b.grants, r.grants.get(p)),
        )
        for p, b in books.items()
    }
    return scaled, {k: r.at(o, r.outlays.get(k)) for k, o in outlays.items()}


@pytest.mark.parametrize(("name", "variant"), LEDGER_VARIANTS)
def test_ledger_totals_through_the_kernels(name: str, variant: dict[str, Any], monkeypatch: Any):
    """``ledger.crown``'s totals through ``kernels_ledger`` (each home plant's tax in one pass,
    the layers' revenue, customs and the closing sums in another) and through numpy, bit for
    bit, on every crown call of both worlds, also with NaN, infinities and -0.0 in the books
    and the layers; and with the support rescaled (the negotiation zone's, and one that moves
    every flow it can): the rescaled rows are those of a separate call on the rescaled books
    and outlays, and the other rows those of a call without, bit for bit on both paths."""
    calls = crown_calls(name, variant, monkeypatch)
    assert calls
    names = ledger.WEIGHTS[0]
    rows = [names.index(n) for n in ledger.RESCALED]
    for args in calls:
        spec, v, years, books, outlays, gdp, labour, customs, shape = args[:9]
        edgy_gdp = tuple(np.where(np.arange(shape[0])[:, None] == 4, -0.0, g) for g in gdp)
        rescalings = [args[10], synthetic_rescaling(books, outlays, shape)]
        for case in ((books, gdp), (awkward_books(books), edgy_gdp)):
            for r in [None] + [r for r in rescalings if r is not None]:
                got, alone = [], []
                for on in (False, True):
                    kernels_on(monkeypatch, on)
                    assert (jit.compiled_for(shape[0], ".kernels_ledger") is not None) == on
                    with np.errstate(invalid="ignore", over="ignore"):
                        totals, lines = ledger.crown(
                            spec, v, years, case[0], outlays, case[1], labour, customs, shape,
                            False, r,
                        )  # fmt: skip
                        if r is not None:
                            books_k, outlays_k = by_hand(r, case[0], outlays)
                            alone.append(
                                ledger.crown(
                                    spec, v, years, books_k, outlays_k, case[1], labour, customs,
                                    shape, False,
                                )[0]
                            )  # fmt: skip
                    assert lines is None
                    got.append(totals)
                assert got[0].tobytes() == got[1].tobytes()
                if r is None:
                    plain = got[0]
                    continue
                assert got[0][: len(names)].tobytes() == plain.tobytes()
                for separate in alone:
                    assert got[0][len(names) :].tobytes() == separate[rows].tobytes()
                if r is rescalings[1] and books:  # the rescaling moves cost and revenue
                    assert np.any(got[0][len(names) :] != plain[rows])
            if books and case[0] is not books:  # the awkward values reach the totals
                assert np.isnan(plain).any()


@pytest.mark.parametrize(
    "starts",
    [
        lambda n: np.full((1, 1), 2027.0),  # one start year for every draw
        lambda n: 2026.0 + np.arange(n)[:, None] % 5,  # a few start years, looked up
        lambda n: np.where(np.arange(n)[:, None] % 2 == 0, 2027.0, 3000.0),  # too far apart
        lambda n: np.where(np.arange(n)[:, None] == 3, np.nan, 2028.5),  # not finite
    ],
    ids=["fixed", "by-start", "far-apart", "nan"],
)
def test_ledger_cca_shares_by_start_year(starts: Any, monkeypatch: Any) -> None:
    """The plant kernel looks the CCA shares up by each draw's start year (or per draw, or
    one row for all): the numpy path's bits whatever the start years are."""
    args = crown_calls("canada-korea-2026", {}, monkeypatch)[0]
    spec, v, years, books, outlays, gdp, labour, customs, shape = args[:9]
    keys = {pt.start for pt in spec.plants}

    def values(key: str) -> Any:
        return starts(shape[0]) if key in keys else v(key)

    got = []
    for on in (False, True):
        kernels_on(monkeypatch, on)
        with np.errstate(invalid="ignore"):
            got.append(
                ledger.crown(
                    spec, values, years, books, outlays, gdp, labour, customs, shape, False,
                    synthetic_rescaling(books, outlays, shape),
                )[0]
            )  # fmt: skip
    assert got[0].tobytes() == got[1].tobytes()
    assert np.any(got[0][ledger.ROW["federal.revenue.plant"]] != 0.0)


# --- the metrics' and totals' kernels (kernels_metrics; uncertainty.kernels, Round 5) --------


def metric_kernels() -> Any:
    from evpact import kernels_metrics

    return kernels_metrics


def test_balance_breakevens_by_hand_and_against_numpy() -> None:
    """Three balances ``((revenue - cost) x weight)`` whose break-even years are known, then
    awkward ones (NaN, -0.0, infinities, strided views of a ledger's totals, broadcast rows):
    the kernel gives numpy's values bit for bit without building the balances."""
    from evpact.ledger_metrics import balance_breakevens

    k = metric_kernels()
    years = np.arange(2026.0, 2031.0)
    zero = np.zeros((4, 5))
    cost = np.array([[5.0, 0, 0, 0, 0], [0] * 5, [1.0, 1.0, 0, 0, 0], [np.nan, 0, 0, 0, 0]])
    revenue = np.array([[0.0, 1, 2, 3, 1], [1.0] * 5, [0.0] * 5, [0.0, 1, 1, 1, 1]])
    # cumulative -5, -4, -2, 1, 2: from 2029; never negative: 2026; -1, -2, ...: NaN; NaN: 2026
    want = [2029.0, 2026.0, np.nan, 2026.0]
    ones = np.ones((4, 5))
    got = k.balance_breakevens([(revenue, zero)] * 3, (cost, zero), ones, years)
    for row in got:
        np.testing.assert_array_equal(row, want)
    # a discounted balance: halving weights change no sign, so no year
    half = k.balance_breakevens([(revenue, zero)] * 3, (cost, zero), ones / 2, years)
    assert half.tobytes() == got.tobytes()
    rng = np.random.default_rng(11)
    # the engine's layout of the ledger's totals (aggregate-major), and a C-ordered one
    totals = [
        awkward(rng, (6, 500, 20), -5.0, 5.0).transpose(1, 0, 2),
        awkward(rng, (500, 6, 20), -5.0, 5.0),
    ]
    totals[0][7, 2, 3] = np.inf
    totals[1][9, 1, 4] = -np.inf
    weights = np.broadcast_to(rng.uniform(0.3, 1.0, size=(1, 20)), (500, 20))
    years = np.arange(2026.0, 2046.0)
    for weight in (weights, np.ones((500, 20)), awkward(rng, (500, 20), 0.0, 1.0)):
        revenues = [(totals[0][:, j, :], totals[1][:, j, :]) for j in (1, 2, 3)]
        cost = (totals[0][:, 0, :], totals[1][:, 0, :])
        fused = k.balance_breakevens(revenues, cost, weight, years)
        with np.errstate(invalid="ignore"):  # inf - inf, inf x 0: NaN, as the kernel's
            plain = balance_breakevens(revenues, cost, weight, years)
        for a, b in zip(fused, plain, strict=True):
            assert a.tobytes() == b.tobytes()
    empty = np.zeros((4, 0))  # no years: left to numpy (which refuses an empty maximum)
    assert k.balance_breakevens([(empty, empty)] * 3, (empty, empty), empty, years[:0]) is None


def layer_worlds(rng: np.random.Generator, n: int, m: int) -> tuple[Any, Any]:
    """Two awkward worlds of the jobs and labour income layers: factors at their bounds, NaN,
    -0.0, a broadcast layer."""
    from evpact.metrics import LAYERS

    shape = (n, m)

    def world() -> dict[str, Any]:
        w = {f"{x}_jobs": awkward(rng, shape, -50.0, 500.0) for x in LAYERS}
        w |= {f"labour_income_{x}": awkward(rng, shape, -1e6, 1e8) for x in LAYERS}
        w["tax_total"] = awkward(rng, shape, -1e7, 1e7)
        w["labour_revenue_rate"] = rng.uniform(0, 0.5, size=shape)
        return w

    s, c = world(), world()
    c["indirect_jobs"] = np.broadcast_to(c["indirect_jobs"][:1], shape)
    s |= {f"slack_{x}": awkward(rng, (n,), 0.0, 1.0) for x in LAYERS}
    s["in_migration"] = awkward(rng, (n,), 0.0, 1.0)
    s["but_for"] = awkward(rng, shape, 0.0, 1.0)
    return s, c


def test_layers_kernel_against_net_world(monkeypatch: Any) -> None:
    """The jobs and labour income layers in one pass give what ``net_world``,
    ``after_tax_income``, einsum's present values, the jobs impacts' maxima and the row sums
    give, bit for bit, on awkward worlds (NaN, -0.0, peaks at and below zero), also with
    but-for 1 and a labour tax rate broadcast over draws."""
    from evpact.engine.additionality import after_tax_income, net_world
    from evpact.metrics import LAYERS, Sums, _net_layer

    k = metric_kernels()
    if not k.EINSUM_ORDER:
        pytest.skip("this numpy's einsum adds in another order: the kernel declines")
    rng = np.random.default_rng(12)
    n, m = 400, 20
    s, c = layer_worlds(rng, n, m)
    for row in range(40, 60):  # no jobs impact at all, or only losses: numpy takes the peak
        for x in LAYERS:
            c[f"{x}_jobs"] = np.array(c[f"{x}_jobs"])
            s[f"{x}_jobs"][row] = (
                c[f"{x}_jobs"][row] if row < 50 else -1.0 - abs(c[f"{x}_jobs"][row])
            )

    def npv(a: Any, b: Any, disc: Any) -> Any:
        return np.einsum("dt,dt->d", a, disc) - np.einsum("dt,dt->d", b, disc)

    for b, rate in (
        (s["but_for"], s["labour_revenue_rate"]),
        (np.ones((n, m)), np.broadcast_to(rng.uniform(0, 0.5, size=(1, m)), (n, m))),
    ):
        s["but_for"], s["labour_revenue_rate"] = b, rate
        disc = awkward(rng, (n, m), 0.0, 1.0)
        got = k.layers(s, c, disc)
        layers = [s[f"slack_{x}"] for x in LAYERS]
        net_s = net_world(s, b, layers, s["in_migration"])
        net_c = net_world({**c, "labour_revenue_rate": rate}, b, layers, s["in_migration"])

        def jobs(w: tuple[Any, Any], names: tuple[str, ...]) -> Any:
            out = np.array(w[0][names[0]] - w[1][names[0]])
            for x in names[1:]:
                out += w[0][x]
                out -= w[1][x]
            return out.max(axis=1)

        every = tuple(f"{x}_jobs" for x in LAYERS)
        with np.errstate(invalid="ignore"):
            want = {
                "gross_gains": npv(after_tax_income(s, rate), after_tax_income(c, rate), disc),
                "gains": npv(net_s["resident_income"], net_c["resident_income"], disc),
                "tax": npv(net_s["tax_total"], net_c["tax_total"], disc),
                "direct_jobs_peak": jobs((s, c), every[:1]),
                "total_jobs_peak": jobs((s, c), every),
                "net_jobs_peak": jobs((net_s, net_c), every),
            }
        for i, x in enumerate(LAYERS):
            for key, w in (("net_s", net_s), ("net_c", net_c), ("gross_s", s), ("gross_c", c)):
                want[f"{key}_{i}"] = w[f"labour_income_{x}"].sum(axis=1)
        assert got is not None and got.keys() == want.keys()
        for key, values in want.items():
            assert got[key].tobytes() == values.tobytes(), key
        kernels_on(monkeypatch, True)
        fused = _net_layer(s, c, disc, Sums(s, c, disc))
        kernels_on(monkeypatch, False)
        with np.errstate(invalid="ignore"):
            plain = _net_layer(s, c, disc, Sums(s, c, disc))
        for field in ("gross_gains", "gains", "tax", "jobs_peak", "labour_income"):
            assert getattr(fused, field).tobytes() == getattr(plain, field).tobytes(), field
    monkeypatch.setattr(k, "EINSUM_ORDER", False)
    assert k.layers(s, c, disc) is None  # then numpy computes them all


def test_layers_kernel_by_hand() -> None:
    """One draw and two years (the second all zero): jobs 3, 5, 7 against 1, 2, 4; labour
    income 10, 20, 30 against 0; tax 100 against 0; but-for 0.5, slack 1, 0.5, 0;
    in-migration 0.2, labour tax 0.25, discount factors 0.5 then 1."""
    from evpact.metrics import LAYERS

    def row(v: float) -> Any:
        return np.array([[v, 0.0]])

    s = {f"{x}_jobs": row(v) for x, v in zip(LAYERS, (3.0, 5.0, 7.0), strict=True)}
    s |= {f"labour_income_{x}": row(v) for x, v in zip(LAYERS, (10.0, 20.0, 30.0), strict=True)}
    c = {f"{x}_jobs": row(v) for x, v in zip(LAYERS, (1.0, 2.0, 4.0), strict=True)}
    c |= {f"labour_income_{x}": row(0.0) for x in LAYERS}
    s["tax_total"], c["tax_total"] = row(100.0), row(0.0)
    s |= {f"slack_{x}": np.array([v]) for x, v in zip(LAYERS, (1.0, 0.5, 0.0), strict=True)}
    s |= {"in_migration": np.array([0.2]), "but_for": np.full((1, 2), 0.5)}
    s["labour_revenue_rate"] = np.full((1, 2), 0.25)
    got = metric_kernels().layers(s, c, np.array([[0.5, 1.0]]))
    assert got is not None
    got = {k: float(v[0]) for k, v in got.items()}
    assert got["direct_jobs_peak"] == 2.0 and got["total_jobs_peak"] == 8.0  # 2 + 3 + 3
    assert got["net_jobs_peak"] == 0.5 * 2 + 0.25 * 3 + 0.0  # but-for x slack x each layer
    assert got["gross_gains"] == 0.5 * 60.0 * 0.75
    # moved: (1 - slack) x income = 0 + 10 + 30; net tax: 0.5 x (100 - 0.25 x 40)
    assert got["tax"] == 0.5 * 45.0
    # net income 5 + 5 + 0, after tax x 0.75, of which residents 0.8
    assert got["gains"] == 0.5 * 0.8 * (10.0 * 0.75)
    assert [got[f"net_s_{i}"] for i in range(3)] == [5.0, 5.0, 0.0]
    assert [got[f"gross_s_{i}"] for i in range(3)] == [10.0, 20.0, 30.0]


def test_einsum_order_by_hand() -> None:
    """``_dot``'s order, by hand: 1e16 + 1 - 1e16 is 0 added in sequence but 1 when the
    terms sit in different lanes; einsum agrees with it wherever the kernel uses it."""
    k = metric_kernels()
    a = np.array([[1e16, 1.0, -1e16, 0.0]])
    out = np.empty(1)
    k._dots(a, np.ones_like(a), out)
    assert out[0] == 1.0  # even lane: 1e16 + (-1e16) = 0; odd lane: 1 + 0 = 1
    if k.EINSUM_ORDER:
        assert out.tobytes() == np.einsum("dt,dt->d", a, np.ones_like(a)).tobytes()


def test_the_bundled_comparison_reaches_every_metric_kernel(monkeypatch: Any) -> None:
    """``test_metrics_and_totals_give_the_numpy_bits`` runs each of the metrics' kernels on
    the bundled scenarios."""
    names = {
        "balance_breakevens": metric_kernels(),
        "layers": metric_kernels(),
        "linkage": metric_kernels(),
    }
    calls = count_calls(monkeypatch, names)
    for name in SCENARIOS:
        worlds = both_worlds(name, 50, False)
        kernels_on(monkeypatch, True)
        scenario = load_scenario(name)
        metrics = draw_metrics(worlds[0], worlds[1], compiled(scenario).years, scenario.price_year)
        Totals(50).add(metrics, worlds)
    assert all(calls.values()), calls


def test_linkage_metrics_kernel_by_hand_and_against_numpy() -> None:
    """The linkage share and risk metrics in one pass: by hand, then numpy's values on random
    linkage arrays (values besides 0 and 1 too, so the order of additions shows)."""
    from evpact.metrics import linkage_risk

    k = metric_kernels()
    nan = np.nan
    years = np.array([2026.0, 2027.0, 2028.0])
    met = np.array(  # (draw, deal, year)
        [
            [[1.0, 1.0, nan], [1.0, 0.0, nan]],  # 3 of 4 measured held; fails in 2027
            [[1.0, nan, nan], [nan, nan, nan]],  # holds throughout
            [[nan, nan, nan], [nan, nan, nan]],  # nothing measured
        ]
    )
    got = k.linkage(met, years)
    np.testing.assert_array_equal(got[0], [0.75, 1.0, nan])
    np.testing.assert_array_equal(got[1], [0.0, 1.0, nan])
    np.testing.assert_array_equal(got[2], [2027.0, nan, nan])
    np.testing.assert_array_equal(got[3], [1.0, 0.0, nan])
    rng = np.random.default_rng(17)
    for shape in ((400, 1, 20), (400, 3, 20), (400, 0, 20), (50, 2, 3), (50, 1, 1)):
        years = np.arange(2026.0, 2026.0 + shape[2])
        met = rng.choice([0.0, 1.0, -0.0, nan, 0.5, 1e-17], size=shape)
        got = k.linkage(met, years)
        measured = (~np.isnan(met)).sum(axis=(1, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            held = np.where(measured > 0, np.nansum(met, axis=(1, 2)) / measured, np.nan)
        assert got[0].tobytes() == held.tobytes(), shape
        for row, metric in zip(got[1:], linkage_risk(met, years).values(), strict=True):
            assert row.tobytes() == metric.values.tobytes(), shape
    assert k.linkage(np.zeros((5, 7, 20)), np.arange(20.0)) is None  # rows past 128: numpy
    assert k.linkage(np.zeros((5, 2, 20))[:, :1], np.arange(20.0)) is None  # not C-ordered
