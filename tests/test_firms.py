"""The firms' side (issue 14): each firm's advantage and decision by hand, the but-for it
implies, monotonicity on common random numbers, and the negotiation zone against a grid."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

import evpact
from evpact.design.zopa import zopa
from evpact.engine import firms, tariffs
from evpact.engine.firms import SCALE, AlternativeSpec, FirmSpec
from evpact.engine.reuse import compiled
from evpact.engine.simulate import simulate
from evpact.errors import EvpactError
from evpact.metrics import draw_metrics
from evpact.scenario.load import load_counterfactual, load_scenario, vary
from evpact.uncertainty.sampling import sample

Array = np.ndarray[Any, Any]
YEARS = np.arange(2026, 2031).astype(float)


def spec(alternatives: tuple[AlternativeSpec, ...]) -> FirmSpec:
    return FirmSpec(
        id="f",
        role="automaker",
        plant="p",
        deal="d",
        hurdle="hurdle",
        premium="premium",
        margin="margin",
        tax="tax",
        capex="capex",
        capex_per_unit=False,
        alternatives=alternatives,
        decides_but_for=True,
    )


def alt(name: str) -> AlternativeSpec:
    return AlternativeSpec(
        id=name,
        gap=f"{name}.gap",
        capex=f"{name}.capex",
        capex_per_unit=False,
        grant=f"{name}.grant",
        tax=f"{name}.tax",
    )


def inputs(values: dict[str, float | Array]) -> Any:
    def v(key: str) -> Array:
        a = np.asarray(values[key], dtype=float)
        return a[:, None] if a.ndim == 1 else a

    return v


def base_of(f: FirmSpec, values: dict[str, float | Array], revenue: Array) -> firms.FirmBase:
    zero = np.zeros((revenue.shape[0], YEARS.size))
    return firms.firm_base(
        f,
        inputs(values),
        YEARS,
        2026,
        revenue,
        zero,
        np.zeros(1),
        zero,
        np.ones(1),
        np.full((revenue.shape[0], 1), 2027.0),
        np.ones(1),
        np.zeros(1),
        revenue.shape[0],
    )


def test_known_cash_flow_gives_npv_and_decision_by_hand() -> None:
    """Revenue 100 a year, margin 10%, tax 25%, capex 50 in 2027 at home; the alternative
    has a unit cost 2 points lower, tax 20%, no capex. At 10% and no inflation, by hand."""
    revenue = np.full((1, YEARS.size), 100.0)
    values = {
        "hurdle": 0.10, "premium": 0.0, "margin": 0.10, "tax": 0.25, "capex": 50.0,
        "us.gap": -0.02, "us.capex": 0.0, "us.grant": 0.0, "us.tax": 0.20,
    }  # fmt: skip
    b = base_of(spec((alt("us"),)), values, revenue)
    d = 1.1 ** -(YEARS - 2026)
    home = (7.5 * d).sum() - 50 / 1.1
    away = (0.12 * 100 * 0.8 * d).sum()
    assert b.advantage[0] == pytest.approx(home - away, rel=1e-12)
    assert home - away < 0  # so the firm builds away without support ...
    support = firms.support_value(np.zeros((1, 5)), np.full((1, 5), 10.0), b.tax, b.factors)
    assert support[0] == pytest.approx((10 * d).sum())
    k = firms.min_scale(b.advantage, support, b.premium)
    assert k[0] == pytest.approx((away - home) / (10 * d).sum())  # ... and accepts from k on
    assert firms.accepts(b.advantage + 1.000001 * k * support, b.premium)[0] == 1.0
    assert firms.accepts(b.advantage + 0.99 * k * support, b.premium)[0] == 0.0


def test_zero_cost_alternative_with_higher_margins_is_always_chosen() -> None:
    rng = np.random.default_rng(3)
    n = 200
    revenue = rng.uniform(10, 1000, (n, 1)) * np.ones((1, YEARS.size))
    values = {
        "hurdle": rng.uniform(0.02, 0.2, n), "premium": 0.0,
        "margin": rng.uniform(-0.1, 0.2, n), "tax": 0.25, "capex": rng.uniform(0, 500, n),
        "cheap.gap": -0.05, "cheap.capex": 0.0, "cheap.grant": 0.0, "cheap.tax": 0.25,
        "dear.gap": 0.5, "dear.capex": 1e6, "dear.grant": 0.0, "dear.tax": 0.25,
    }  # fmt: skip
    b = base_of(spec((alt("dear"), alt("cheap"))), values, revenue)
    assert np.all(b.best == 1)  # the cheap one is the best alternative in every draw
    assert np.all(b.advantage < 0)
    assert not firms.accepts(b.advantage, b.premium).any()


def test_market_choice_picks_the_cheaper_source() -> None:
    """US buyers are supplied from here while the duty per vehicle is below the other plant's
    extra cost, from the other plant once it is above."""
    rate = np.linspace(0, 0.5, 51)
    kept = tariffs.us_supply_kept(rate, np.full(51, 40_000.0), np.full(51, 50_000.0), 0.1)
    assert np.array_equal(kept, (rate * 40_000 <= 5_000).astype(float))
    assert kept[0] == 1 and kept[-1] == 0


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    s = load_scenario("canada-korea-2026")
    cf = load_counterfactual(s)
    model, cf_model = compiled(s), compiled(cf)
    n = 64
    shared: dict[str, Any] = {}
    x = sample(model.inputs, 11, 0, n, shared)
    c = simulate(cf_model, sample(cf_model.inputs, 11, 0, n, shared), n)
    return {"s": s, "model": model, "x": x, "c": c, "n": n}


def run_at(w: dict[str, Any], k: float | Array, **changes: Array) -> dict[str, Array]:
    x = {**w["x"], SCALE: np.broadcast_to(np.asarray(k, dtype=float), (w["n"],)), **changes}
    return simulate(w["model"], x, w["n"])


def test_larger_incentive_never_lowers_acceptance(world: dict[str, Any]) -> None:
    previous = None
    for k in (0.0, 1.0, 4.0, 16.0, 64.0):
        a = run_at(world, k)
        if previous is not None:
            assert np.all(a["firm_accepts"] >= previous["firm_accepts"])
            assert np.all(a["firm_npv_advantage"] >= previous["firm_npv_advantage"] - 1e-3)
        previous = a
    assert previous is not None and previous["firm_accepts"].min(axis=1).mean() > 0


def test_higher_us_duty_never_moves_us_sales_into_the_canadian_plant(
    world: dict[str, Any],
) -> None:
    key = "trade.rules.us_vehicle_tariff"
    base = np.asarray(world["x"][key], dtype=float)
    model = world["model"]
    i = [p.id for p in model.plants].index("hmg-ontario")
    previous = None
    for factor in (0.0, 0.5, 1.0, 2.0, 4.0):
        a = run_at(world, 1.0, **{key: np.clip(base * factor, 0.0, 1.0)})
        if previous is not None:
            assert np.all(a["plant_output"][:, i] <= previous["plant_output"][:, i] + 1e-6)
            assert np.all(a["battery_local_gwh"] <= previous["battery_local_gwh"] + 1e-9)
        previous = a


def test_but_for_comes_from_the_firms_unless_set_by_hand(world: dict[str, Any]) -> None:
    a = run_at(world, 1.0)
    # no firm would build at home in these draws -> b = 1 for both plants
    b_firms = 1.0 - a["firm_builds_anyway"]
    both = b_firms.min(axis=1) == 1
    assert np.allclose(a["but_for"][both], 1.0)
    hand = vary(
        world["s"], {"plants.hmg-ontario.but_for": 0.3, "plants.nextstar-windsor.but_for": 0.3}
    )
    r = evpact.simulate(hand, draws=20, seed=11)
    assert np.allclose(r.scenario["but_for"].values, 0.3)
    add = world["s"].additionality
    assert add is None or add.but_for is None  # the bundled range is what the firms replace
    scenario_level = vary(world["s"], {"additionality.but_for": 0.4})
    r = evpact.simulate(scenario_level, draws=20, seed=11)
    assert np.allclose(r.scenario["but_for"].values, 0.4)


def brute_force(w: dict[str, Any], grid: Array) -> tuple[Array, Array]:
    """Per draw, the smallest grid scale every firm accepts and the largest with a net
    public benefit >= 0, by running the engine at every grid point."""
    firm_ok, canada_ok = [], []
    for k in grid:
        a = run_at(w, k)
        m = draw_metrics(a, w["c"], w["model"].years, 2026, firms.ids(w["model"].firms))
        firm_ok.append(a["firm_accepts"].min(axis=1) == 1)
        canada_ok.append(m["net_public_benefit_npv"].values >= 0)
    f, c = np.array(firm_ok), np.array(canada_ok)
    low = np.where(f.any(axis=0), grid[np.argmax(f, axis=0)], np.inf)
    high = np.where(c.any(axis=0), grid[len(grid) - 1 - np.argmax(c[::-1], axis=0)], np.nan)
    return low, high


def test_zopa_bounds_match_a_brute_force_grid(world: dict[str, Any]) -> None:
    result = zopa("canada-korea-2026", draws=world["n"], seed=11)
    step = 0.25
    grid = np.arange(0.0, 64.0 + step, step)
    low, high = brute_force(world, grid)
    floor = result.table["firm_min_scale"].to_numpy()
    ceiling = result.table["canada_max_scale"].to_numpy()
    reach = np.isfinite(floor) & (floor <= 64)
    # the grid's first accepting point is the floor rounded up to the grid
    assert np.all(low[reach] >= floor[reach] - 1e-9)
    assert np.all(low[reach] - floor[reach] <= step + 1e-9)
    gains = np.isfinite(ceiling) & (ceiling < 64)
    assert gains.any()
    assert np.all(high[gains] <= ceiling[gains] + 1e-9)
    assert np.all(ceiling[gains] - high[gains] <= step + 1e-9)
    assert np.all(np.isnan(high[np.isnan(ceiling)]))


def test_zone_metric_agrees_with_the_zopa_command() -> None:
    r = evpact.simulate("canada-korea-2026", draws=64, seed=11)
    z = zopa("canada-korea-2026", draws=64, seed=11)
    assert np.array_equal(r.metrics["zopa_exists_share"].values, z.table["zone_exists"].to_numpy())


def test_bad_firms_are_refused_clearly() -> None:
    s = load_scenario("canada-korea-2026")
    with pytest.raises((ValidationError, EvpactError), match="unknown deal 'nope'"):
        vary(s, {"firms.lges.deal": "nope"})
    with pytest.raises((ValidationError, EvpactError), match="battery plant"):
        vary(s, {"firms.lges.plant": "hmg-ontario"})
    with pytest.raises(EvpactError, match="not an incentive"):
        evpact.simulate(
            s.model_copy(update={"instrument": ("deals.hmg-ontario.incentives.9",)}), draws=2
        )
    with pytest.raises(EvpactError, match="declares no firms"):
        zopa("no-deal", draws=2)


def test_report_has_the_firms_section_and_the_zone_chart(tmp_path: Any) -> None:
    from evpact.report.make import make_report

    out = make_report("canada-korea-2026", tmp_path / "r.html", draws=64, seed=11)
    page = out[0].read_text(encoding="utf-8")
    section = page.split('id="firms"')[1].split("<section")[0]
    assert "LG Energy Solution" in section and "Hyundai Motor Group" in section
    assert 'id="chart-zopa"' in section
    z = zopa("canada-korea-2026", draws=64, seed=11)
    assert f"a zone exists in {z.summary['zopa_exists_share']:.0%} of draws" in section
    plain = make_report("nextstar-2023", tmp_path / "n.html", draws=8, seed=11)
    assert 'id="firms"' not in plain[0].read_text(encoding="utf-8")


def test_the_zone_does_not_depend_on_the_instrument_amount() -> None:
    """The zone is about the instrument's scale: doubling the grant halves the smallest scale
    every firm accepts and leaves the support it needs, and so the zone, unchanged per draw."""
    a = evpact.simulate("canada-korea-2026", draws=64, seed=5)
    b = evpact.simulate(
        "canada-korea-2026",
        draws=64,
        seed=5,
        variant={"deals.hmg-ontario.incentives.1.amount_cad": 1.0e9},
    )
    ka, kb = (r.metrics["zopa_support_scale_min"].values for r in (a, b))
    assert np.allclose(kb, ka / 2, rtol=1e-9, equal_nan=True)
    at_a, at_b = (r.metrics["zopa_net_public_benefit_npv_at_min"].values for r in (a, b))
    assert np.allclose(at_a, at_b, rtol=1e-9, atol=1.0, equal_nan=True)
    assert np.array_equal(
        a.metrics["zopa_exists_share"].values, b.metrics["zopa_exists_share"].values
    )


def test_zopa_command_writes_the_chart_and_the_csv_behind_it(tmp_path: Any) -> None:
    import json

    import pandas as pd

    from test_cli import run_cli

    proc = run_cli(
        ["zopa", "canada-korea-2026", "--draws", "64", "--seed", "11", "--out", "z", "--json"],
        tmp_path,
    )
    out = json.loads(proc.stdout)
    assert out["scenario"] == "canada-korea-2026"
    assert 0.0 <= out["zopa_exists_share"] <= 1.0
    table = pd.read_csv(tmp_path / "z" / "zopa.csv")
    assert len(table) == 64
    assert out["zopa_exists_share"] == pytest.approx(table["zone_exists"].mean())
    exists = table["zone_exists"] == 1
    assert (table.loc[exists, "firm_min_scale"] <= table.loc[exists, "canada_max_scale"]).all()
    assert "plotly" in (tmp_path / "z" / "zopa.html").read_text(encoding="utf-8").lower()


def test_zopa_command_refuses_a_scenario_without_firms_and_writes_nothing(tmp_path: Any) -> None:
    import subprocess

    from cases import evpact_command

    proc = subprocess.run(
        [*evpact_command(), "zopa", "no-deal", "--draws", "4", "--out", "z"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "declares no firms" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "z").exists()


def test_zopa_uses_the_run_draws_with_correlated_inputs() -> None:
    s = vary(
        load_scenario("canada-korea-2026"),
        {
            "correlations": [
                {
                    "inputs": ["firms.hmg.hurdle_rate", "firms.hmg.margin_share"],
                    "matrix": [[1.0, -0.8], [-0.8, 1.0]],
                }
            ]
        },
    )
    r = evpact.simulate(s, draws=64, seed=11)
    z = zopa(s, draws=64, seed=11)
    k = r.metrics["zopa_support_scale_min"].values
    assert np.allclose(z.table["firm_min_scale"].to_numpy(), k, equal_nan=True)
    assert np.array_equal(r.metrics["zopa_exists_share"].values, z.table["zone_exists"].to_numpy())


def test_a_firms_own_figures_replace_the_bundled_rows() -> None:
    """A hurdle rate, margin, cost gap and grant set in the scenario are the compiled inputs
    (scalars become their own point value); the firm left alone keeps its firms.csv row."""
    from evpact.engine.compile import compile_scenario
    from evpact.scenario.load import validate

    base = load_scenario("canada-korea-2026")
    raw = base.model_dump(mode="json", by_alias=True)
    lges = next(f for f in raw["firms"] if f["id"] == "lges")
    lges.update(
        {"hurdle_rate": 0.0731, "margin_share": 0.0417, "tax_rate": 0.1913, "capex_cad": 4.1e9}
    )
    lges["alternatives"][0].update({"cost_gap_share": 0.0229, "grant_usd": 3.3e8})
    own = compile_scenario(validate(raw, base.name)).inputs
    bundled = compile_scenario(base).inputs
    alt = "firms.lges.alternatives.us-plant"
    for key, want in (
        ("firms.lges.hurdle_rate", 0.0731),
        ("firms.lges.margin_share", 0.0417),
        ("firms.lges.tax_rate", 0.1913),
        (f"{alt}.cost_gap_share", 0.0229),
        (f"{alt}.grant_usd", 3.3e8),
    ):
        got = own[key]
        assert np.asarray(got.central) == pytest.approx(want, rel=1e-12), key
        assert np.asarray(bundled[key].central) != pytest.approx(want, rel=1e-3), key
    # a total capital cost in CAD replaces the bundled cost per unit of capacity
    assert np.asarray(own["firms.lges.capex_cad"].central) == pytest.approx(4.1e9)
    assert "firms.lges.capex_usd_per_unit" in bundled
    assert "firms.lges.capex_usd_per_unit" not in own
    assert np.asarray(own["firms.hmg.hurdle_rate"].central) == pytest.approx(
        np.asarray(bundled["firms.hmg.hurdle_rate"].central)
    )


def test_45x_credit_at_the_alternative_by_hand() -> None:
    """A US alternative earns 45X per kWh it makes: (cell credit + module share x module
    credit) x eligible share, converted at the exchange rate and deflated from nominal USD to
    the price year; it lowers the home plant's advantage by exactly that, discounted."""
    revenue = np.full((1, YEARS.size), 100.0)
    kwh = np.full((1, YEARS.size), 2.0)
    values = {
        "hurdle": 0.10, "premium": 0.0, "margin": 0.10, "tax": 0.25, "capex": 0.0,
        "us.gap": 0.0, "us.capex": 0.0, "us.grant": 0.0, "us.tax": 0.25,
        "us.cell": 35.0, "us.module": 10.0, "us.eligible": 0.5,
    }  # fmt: skip
    credited = AlternativeSpec(
        id="us", gap="us.gap", capex="us.capex", capex_per_unit=False, grant="us.grant",
        tax="us.tax", credit_cell="us.cell", credit_module="us.module", eligible="us.eligible",
    )  # fmt: skip
    zero = np.zeros((1, YEARS.size))

    def base(a: AlternativeSpec) -> firms.FirmBase:
        return firms.firm_base(
            spec((a,)), inputs(values), YEARS, 2026, revenue, kwh, np.array([0.5]), zero,
            np.ones(1), np.full((1, 1), 2027.0), np.array([1.4]), np.array([0.02]), 1,
        )  # fmt: skip

    plain, with_45x = base(alt("us")), base(credited)
    deflate = 1.02 ** -(YEARS - 2026)
    credit = 2.0 * (35.0 + 0.5 * 10.0) * 0.5 * 1.4 * deflate  # CAD of 2026 per year
    assert plain.advantage[0] == pytest.approx(0.0, abs=1e-9)  # same economics both sides
    assert with_45x.advantage[0] == pytest.approx(-(credit * plain.factors[0]).sum(), rel=1e-12)
    half = AlternativeSpec(**{**credited.__dict__, "eligible": None})  # no eligibility: no 45X
    assert base(half).advantage[0] == pytest.approx(0.0, abs=1e-9)


def test_min_scale_below_one_unit_of_need() -> None:
    """The smallest scale is need / support for any positive need, small ones included."""
    k = firms.min_scale(np.array([9.5, 10.0, 12.0]), np.array([1.0, 1.0, 0.0]), np.full(3, 10.0))
    assert k == pytest.approx([0.5, 0.0, 0.0])


def test_capital_per_unit_of_capacity_and_in_total_by_hand() -> None:
    """Capital per unit of capacity is USD x capacity x FX (home and alternative); a total
    is taken as it is (CAD at home, USD at the alternative, then x FX). 3 units, FX 1.4, both
    built in 2027, every other flow zero: home 10 USD/unit = 42 CAD, alternative 20 USD in
    total = 28 CAD or 5 USD/unit = 21 CAD; the advantage is what the alternative costs less
    the home plant's capital, discounted one year at 10%."""
    zero = np.zeros((1, YEARS.size))
    values = {
        "hurdle": 0.10, "premium": 0.0, "margin": 0.0, "tax": 0.0, "capex": 10.0,
        "us.gap": 0.0, "us.capex": 20.0, "us.grant": 0.0, "us.tax": 0.0,
    }  # fmt: skip

    def advantage(home_per_unit: bool, alt_per_unit: bool, capex: float) -> float:
        f = FirmSpec(**{**spec(()).__dict__, "capex_per_unit": home_per_unit})
        a = AlternativeSpec(**{**alt("us").__dict__, "capex_per_unit": alt_per_unit})
        base = firms.firm_base(
            FirmSpec(**{**f.__dict__, "alternatives": (a,)}),
            inputs({**values, "us.capex": capex}), YEARS, 2026, zero, zero, np.zeros(1),
            zero, np.full(1, 3.0), np.full((1, 1), 2027.0), np.array([1.4]), np.zeros(1), 1,
        )  # fmt: skip
        return float(base.advantage[0])

    assert advantage(True, False, 20.0) == pytest.approx((28.0 - 42.0) / 1.1, rel=1e-12)
    # a grant at the alternative (USD) lowers what it costs: (20 - 3) x 1.4 = 23.8 CAD
    values["us.grant"] = 3.0
    assert advantage(True, False, 20.0) == pytest.approx((23.8 - 42.0) / 1.1, rel=1e-12)
    values["us.grant"] = 0.0
    assert advantage(True, True, 5.0) == pytest.approx((21.0 - 42.0) / 1.1, rel=1e-12)
    # a home total is CAD already: 10 CAD against the alternative's 28
    assert advantage(False, False, 20.0) == pytest.approx((28.0 - 10.0) / 1.1, rel=1e-12)


def test_a_firms_premium_is_its_own_else_zero() -> None:
    """``premium_cad`` is what a firm needs on top of a zero advantage to accept; a firm that
    sets none needs nothing. A premium above any advantage makes it refuse in every draw."""
    from evpact.engine.compile import compile_scenario
    from evpact.scenario.load import validate

    base = load_scenario("canada-korea-2026")
    raw = base.model_dump(mode="json", by_alias=True)
    next(f for f in raw["firms"] if f["id"] == "lges")["premium_cad"] = 5.0e7
    own = compile_scenario(validate(raw, base.name)).inputs
    assert float(own["firms.lges.premium_cad"].central) == 5.0e7
    assert float(own["firms.hmg.premium_cad"].central) == 0.0
    r = evpact.simulate(
        "canada-korea-2026", draws=8, seed=3, variant={"firms.0.premium_cad": 1.0e13}
    )
    assert r.scenario_model.firms[0].id == "lges"
    accepts = r.scenario["firm_accepts"].values  # (draw, firm)
    assert np.all(accepts[:, 0] == 0.0)


def test_the_zone_scales_every_incentive_of_the_firms_deals_unless_told_which() -> None:
    """Without ``instrument`` the zone scales every incentive of the deals the firms are party
    to (hmg-ontario: a production credit and a capital grant); with it, only those named."""
    base = load_scenario("canada-korea-2026")
    assert firms.instrument(base) == (("hmg-ontario", 1),)
    from evpact.scenario.load import validate

    raw = base.model_dump(mode="json", by_alias=True)
    raw["instrument"] = []
    everything = validate(raw, base.name)
    assert firms.instrument(everything) == (("hmg-ontario", 0), ("hmg-ontario", 1))
    # a deal no firm is party to adds nothing
    raw["deals"].append({**raw["deals"][0], "id": "other"})
    two = validate(raw, base.name)
    assert [d.id for d in two.deals] == ["hmg-ontario", "other"]
    assert firms.instrument(two) == (("hmg-ontario", 0), ("hmg-ontario", 1))


def test_a_firm_without_bundled_figures_is_told_which_field_to_set() -> None:
    """A firm whose ``data`` key has no firms.csv rows is refused at the first figure it
    lacks, naming a field the scenario has: capital as ``capex_usd`` at an alternative and
    ``capex_cad`` at home (a total; the bundled figure is per unit), others by their name."""
    from evpact.engine.compile import compile_scenario
    from evpact.scenario.load import validate

    base = load_scenario("canada-korea-2026")
    raw = base.model_dump(mode="json", by_alias=True)
    lges = raw["firms"][0]
    lges["data"] = "nobody"
    alt = "firms.lges.alternatives.us-plant"
    steps = (
        ("firms.lges.capex_cad", "'capex_usd_per_unit' for firm 'nobody' at 'home'", "capex_cad"),
        (f"{alt}.capex_usd", "at 'us-plant' in firms.csv; set capex_usd in the", "capex_usd"),
        (f"{alt}.us_45x_eligible_share", "set us_45x_eligible_share in the scenario", None),
    )
    for path, words, give in steps:
        with pytest.raises(EvpactError) as refused:
            compile_scenario(validate(raw, base.name))
        assert refused.value.path == path
        assert words in str(refused.value)
        if give == "capex_cad":  # given, the next figure it lacks is refused
            lges["capex_cad"] = 1.0e9
        elif give == "capex_usd":
            lges["alternatives"][0]["capex_usd"] = 1.0e9


def test_a_firm_accepts_an_advantage_exactly_at_its_premium() -> None:
    """The firm accepts when its advantage reaches its premium (>=): at equality it accepts,
    a cent below it does not."""
    advantage = np.array([5.0, 4.99, 0.0])
    assert firms.accepts(advantage, np.array([5.0, 5.0, 0.0])).tolist() == [1.0, 0.0, 1.0]


def test_support_value_taxes_taxable_payments_only_by_hand() -> None:
    """A taxable payment of 10 a year is worth 10 x (1 - 25%) after corporate tax; a grant or
    credit of 4 a year in full; at 10% over two years: 7.5 + 4 + (7.5 + 4) / 1.1."""
    factors = np.array([[1.0, 1 / 1.1]])
    got = firms.support_value(np.full((1, 2), 10.0), np.full((1, 2), 4.0), np.array(0.25), factors)
    assert got[0] == pytest.approx(11.5 + 11.5 / 1.1, rel=1e-12)


def test_the_firms_metrics_keep_their_names() -> None:
    """The firms' metrics are interfaces (docs, the zopa command, stored runs): each name is
    there, with the share of draws where every firm's plant is additional."""
    from evpact.firm_metrics import firm_metrics

    disc = np.ones((2, 2))
    s = {
        "but_for": np.array([[1.0, 1.0], [0.0, 0.0]]),
        "firm_accepts": np.ones((2, 1)),
        "firm_npv_advantage": np.ones((2, 1)),
        "firm_builds_anyway": np.array([[0.0], [1.0]]),
        "zopa_support_scale_min": np.array([0.5, 0.5]),
        "zopa_benefit_change": np.zeros((2, 2)),
    }
    out = firm_metrics(s, np.zeros(2), disc, "CAD", ("a",))
    for name in (
        "but_for_share", "firm_npv_advantage", "firm_accepts_share", "zopa_support_scale_min",
        "zopa_net_public_benefit_npv_at_min", "zopa_exists_share",
    ):  # fmt: skip
        assert name in out, name
    assert out["but_for_share"][1] == pytest.approx([1.0, 0.0])
