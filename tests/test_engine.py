"""The model against answers known independently: hand calculations, limits, monotonicity."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import evpact
from cases import one_cell_plant, sweep
from evpact.engine import fiscal, flows, linkage

YEARS = np.arange(2030, 2035)


def test_one_plant_by_hand(write_scenario):
    # Type I 2 and Type II 3.5 for jobs, 1.5 and 2.25 for GDP, 1.5 and 2.2 for labour income:
    # every layer differs, so a swap
    # of indirect and induced shows (tests/test_handcases.py has the linked, two-industry case)
    data = one_cell_plant()
    ratios = data["economy"]["multipliers"]["battery_cells"]
    ratios.update(
        {"jobs_type2": 3.5, "gdp_per_output_total": 0.45, "labour_income_per_output_total": 0.22}
    )
    r = evpact.simulate(write_scenario(data), draws=3, seed=1)
    imp = r.impact.isel(draw=0)
    # 10 GWh a year from 2030 (step start, yield 1): value 10e6 kWh x US$100 x 1.25 CAD/USD
    value = 10e6 * 100 * 1.25
    np.testing.assert_allclose(imp["battery_output_gwh"], 10.0)
    np.testing.assert_allclose(imp["direct_jobs"], 500)
    np.testing.assert_allclose(imp["indirect_jobs"], 500)  # 500 x (2 - 1)
    np.testing.assert_allclose(imp["induced_jobs"], 750)  # 500 x (3.5 - 2)
    np.testing.assert_allclose(imp["gdp_direct"], 0.2 * value)
    np.testing.assert_allclose(imp["gdp_indirect"], 0.1 * value)  # 0.3 - 0.2
    np.testing.assert_allclose(imp["gdp_induced"], 0.15 * value)  # 0.45 - 0.3
    # labour income: 500 jobs x C$80,000 directly; the ratios' Type I (0.15 / 0.1) and Type II
    # (0.22 / 0.1) give the other layers, so income per direct job is the earnings input
    li_plant = 500 * 80_000.0
    np.testing.assert_allclose(imp["labour_income_direct"], li_plant)
    np.testing.assert_allclose(imp["labour_income_indirect"], li_plant * 0.5)
    np.testing.assert_allclose(imp["labour_income_induced"], li_plant * 0.7)
    # tax is the Crown ledger's, checked line by line by hand in test_ledger.py
    # US$35/kWh x 45X phase-down (0.75, 0.5, 0.25, 0, 0) x 1.25, plus a C$100 M grant in 2030
    credit = 35 * 10e6 * 1.25 * np.array([0.75, 0.5, 0.25, 0.0, 0.0])
    cost = credit + np.array([1e8, 0, 0, 0, 0])
    np.testing.assert_allclose(imp["public_cost"], cost)
    # NPVs are present values in the price year (2026) at 5%
    disc = 1.05 ** -(YEARS - 2026.0)
    m = r.metrics
    tax_total = imp["tax_total"].values  # the Crown ledger's revenue (tests/test_ledger.py)
    np.testing.assert_allclose(m["public_cost_npv"].values[0], (cost * disc).sum())
    np.testing.assert_allclose(m["tax_revenue_npv"].values[0], (tax_total * disc).sum())
    np.testing.assert_allclose(m["fiscal_net_npv"].values[0], ((tax_total - cost) * disc).sum())
    np.testing.assert_allclose(m["total_jobs_peak"].values, 1750)
    # the discounted balance is still negative in 2034: no break-even, so its stats are null
    assert np.isnan(m["fiscal_breakeven_year_total"].values).all()
    s = r.summary_dict()["metrics"]
    assert s["fiscal_breakeven_year_total"]["p50"] is None
    assert s["fiscal_breakeven_year_total_reached_share"]["mean"] == 0.0


def test_breakeven_reached_when_credit_is_small(write_scenario):
    data = one_cell_plant()
    data["deals"][0]["incentives"][0]["rate_scale"] = 0.1
    r = evpact.simulate(write_scenario(data), draws=2, seed=1)
    tax = r.impact["tax_total"].values[0]
    cost = 0.1 * 35 * 10e6 * 1.25 * np.array([0.75, 0.5, 0.25, 0, 0]) + [1e8, 0, 0, 0, 0]
    np.testing.assert_allclose(r.impact["public_cost"].values[0], cost)
    cum = np.cumsum((tax - cost) * 1.05 ** -(YEARS - 2026.0))
    assert cum[-1] >= 0
    expected = YEARS[np.argmax(cum >= 0)]
    assert (cum[np.argmax(cum >= 0) :] >= 0).all()
    assert r.metrics["fiscal_breakeven_year_total"].values[0] == expected


def test_no_plant_no_jobs(write_scenario):
    r = evpact.simulate(write_scenario(one_cell_plant(capacity_gwh=0.0)), draws=5, seed=3)
    for name in (
        "battery_output_gwh",
        "direct_jobs",
        "indirect_jobs",
        "induced_jobs",
        "gdp_direct",
        "labour_income_direct",
        "tax_total",
    ):
        assert np.all(r.impact[name].values == 0), name


def test_no_deal_no_public_cost():
    """The world without a deal pays nothing, so against it a deal's public cost impact is
    the deal's own public cost, draw by draw."""
    r = evpact.simulate("canada-korea-2026", draws=50, seed=2, counterfactual="no-deal")
    assert np.all(r.counterfactual["public_cost"].values == 0)
    assert np.all(r.counterfactual["incentive_paid"].values == 0)
    np.testing.assert_array_equal(r.impact["public_cost"].values, r.scenario["public_cost"].values)
    assert np.all(r.scenario["public_cost"].values.sum(axis=1) > 0)  # the deal does pay


def test_zero_incentive_zero_public_cost():
    variant = {
        "deals.hmg-ontario.incentives.0.rate_scale": 0.0,
        "deals.hmg-ontario.incentives.1.amount_cad": 0.0,
        "fiscal.statutory_credits": False,  # the plants' own investment tax credits
    }
    r = evpact.simulate("canada-korea-2026", draws=200, seed=4, variant=variant)
    assert np.all(r.scenario["public_cost"].values == 0)


def test_higher_incentive_never_lowers_public_cost():
    runs = sweep("deals.hmg-ontario.incentives.0.rate_scale", (0.0, 0.5, 1.0, 1.5), seed=5)
    costs = [r.scenario["public_cost"].values.sum(axis=1) for r in runs]
    for lower, higher in itertools.pairwise(costs):
        assert np.all(higher >= lower - 1e-6)
    assert np.any(costs[-1] > costs[0])


def test_higher_threshold_never_raises_linkage_met_share():
    runs = sweep("deals.hmg-ontario.linkage.threshold", (0.1, 0.3, 0.5, 0.8), seed=6)
    shares = [r.metrics["linkage_met_share"].values for r in runs]
    for lower_t, higher_t in itertools.pairwise(shares):
        assert np.all(higher_t <= lower_t + 1e-12)
    assert shares[0].mean() > shares[-1].mean()


def test_flows_are_conserved():
    r = evpact.simulate("canada-korea-2026", draws=200, seed=8)
    s = r.scenario
    cells = s["plant_output"].sel(plant=s["plant_kind"] == "cell").sum("plant")
    np.testing.assert_allclose(cells, s["battery_output_gwh"])
    np.testing.assert_allclose(
        s["battery_local_gwh"] + s["battery_export_gwh"], s["battery_output_gwh"]
    )
    # never more than nameplate (49.5 GWh) and never more local than output
    assert float(s["battery_output_gwh"].max()) <= 49.5 + 1e-9
    assert np.all(s["battery_local_gwh"].values <= s["battery_output_gwh"].values + 1e-9)
    absorbed = r.metrics["local_absorption_share"].values
    assert np.all((absorbed >= 0) & (absorbed <= 1))


def test_unlinked_counterfactual_has_no_vehicles():
    r = evpact.simulate("canada-korea-2026", draws=50, seed=9)
    assert np.all(r.counterfactual["vehicles_assembled"].values == 0)
    assert r.metrics["vehicles_assembled_cumulative"].values.min() > 0


def test_ramp_factor_is_the_yearly_average_of_a_linear_ramp():
    years = np.arange(2024, 2029, dtype=float)
    np.testing.assert_allclose(flows.ramp_factor(years, 2024.0, 3.0), [1 / 6, 1 / 2, 5 / 6, 1, 1])
    np.testing.assert_allclose(flows.ramp_factor(years, 2024.5, 0.0), [0.5, 1, 1, 1, 1])
    np.testing.assert_allclose(flows.ramp_factor(years, 2030.0, 2.0), 0.0)


def test_battery_output_serves_linked_customers_first():
    out, linked, contracts = flows.battery_output(
        np.array([10.0]), np.array([4.0]), [np.array([6.0]), np.array([2.0])]
    )
    assert out[0] == 10 and linked[0] == 4
    np.testing.assert_allclose([c[0] for c in contracts], [4.5, 1.5])  # 6 GWh shared 6:2


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("none", [0, 0, 0, 0, 0]),
        ("pro_rata", [0, 0, 25, 0, 25]),  # failed years 2 and 4 of a 4-year window
        ("cliff", [0, 0, 100, 0, 0]),
        ("graduated", [0, 0, 75, 0, 0]),  # first failure after 1 of 4 years earned
    ],
)
def test_clawback_rules(rule, expected):
    failed = np.array([[0.0, 0.0, 1.0, 0.0, 1.0]])
    window = np.array([[0.0, 1.0, 1.0, 1.0, 1.0]])
    np.testing.assert_allclose(
        linkage.clawback(np.array([100.0]), failed, window, 4, rule)[0], expected
    )


def test_compliance_binary_and_proportional():
    num, den = np.array([[1.0, 1.0, 3.0]]), np.array([[10.0, 10.0, 10.0]])
    measured = np.array([False, True, True])
    met, c = linkage.compliance(num, den, np.array([[0.2]]), 1, measured, proportional=False)
    assert np.isnan(met[0, 0]) and met[0, 1] == 0 and met[0, 2] == 1
    np.testing.assert_allclose(c, [[1, 0, 1]])
    _, c = linkage.compliance(num, den, np.array([[0.2]]), 1, measured, proportional=True)
    np.testing.assert_allclose(c, [[1, 0.5, 1]])
    met2, _ = linkage.compliance(num, den, np.array([[0.2]]), 2, measured, proportional=False)
    assert met2[0, 2] == 1  # (1 + 3) / 20 = 0.2 over a two-year window


def test_capped_flow_stops_at_cap():
    np.testing.assert_allclose(
        linkage.capped_flow(np.array([[4.0, 4.0, 4.0]]), np.array([10.0])), [[4, 4, 2]]
    )


def test_breakeven_year_requires_staying_positive():
    years = np.arange(2030, 2035)
    np.testing.assert_array_equal(
        fiscal.breakeven_year(np.array([[-5.0, 6, -2, 3, 1]]), years), [2033]
    )
    assert np.isnan(fiscal.breakeven_year(np.array([[-5.0, 1, 1, 1, 1]]), years)[0])


def test_linkage_risk_by_hand():
    from evpact.metrics import holds_by_year, linkage_risk

    nan = np.nan
    met = np.array(
        [  # (draw, deal, year)
            [[nan, 1, 1, 1]],  # holds throughout
            [[nan, 1, 0, 1]],  # fails in the third year
            [[nan, nan, nan, nan]],  # never measured
        ]
    )
    years = np.array([2030, 2031, 2032, 2033])
    risk = linkage_risk(met, years)
    np.testing.assert_array_equal(risk["linkage_holds_over_deal"].values, [1, 0, nan])
    np.testing.assert_array_equal(risk["linkage_first_failure_year"].values, [nan, 2032, nan])
    held, measured = holds_by_year(met)
    np.testing.assert_array_equal(held, [0, 2, 1, 2])
    np.testing.assert_array_equal(measured, [0, 2, 2, 2])


def test_expected_shortfall_is_the_mean_of_the_worst_tail():
    from evpact.metrics import expected_shortfall

    values = np.arange(100.0)  # worst 5% = 0..4
    assert expected_shortfall(values) == 2.0
    assert expected_shortfall(values, 0.10) == 4.5


def test_learning_by_hand(write_scenario):
    """10 GWh a year from 2030, starting experience 10 GWh, 20% per doubling: the cost index
    is 1, 0.8 (20 GWh), 3^log2(0.8), 0.64 (40 GWh), 5^log2(0.8); the margin gained is the
    output value x cost share x (1 - index) and adds to direct GDP, not to jobs."""
    data = one_cell_plant()
    off = evpact.simulate(write_scenario(data, "off"), draws=2, seed=1).scenario
    data["economy"]["learning"] = {"rate": 0.2, "initial_experience_gwh": 10.0, "cost_share": 0.9}
    on = evpact.simulate(write_scenario(data, "on"), draws=2, seed=1).scenario
    b = np.log2(0.8)
    index = np.array([1.0, 2.0**b, 3.0**b, 4.0**b, 5.0**b])
    np.testing.assert_allclose(on["cell_cost_index"].values[0], index)
    value = 10 * 1e6 * 100.0 * 1.25  # 10 GWh x US$100/kWh x 1.25 CAD/USD
    np.testing.assert_allclose(on["learning_margin"].values[0], value * 0.9 * (1 - index))
    np.testing.assert_allclose(
        on["gdp_direct"].values - off["gdp_direct"].values, on["learning_margin"].values
    )
    np.testing.assert_array_equal(on["direct_jobs"].values, off["direct_jobs"].values)
    assert np.all(off["learning_margin"].values == 0) and np.all(off["cell_cost_index"] == 1)


def test_faster_learning_never_lowers_the_margin(write_scenario):
    data = one_cell_plant()
    margins = []
    for rate in (0.0, 0.1, 0.2, 0.3):
        data["economy"]["learning"] = {"rate": rate, "initial_experience_gwh": 10.0}
        r = evpact.simulate(write_scenario(data, f"r{rate}"), draws=20, seed=2)
        margins.append(r.scenario["learning_margin"].values)
    assert np.all(margins[0] == 0)  # no learning, no gain
    for slower, faster in itertools.pairwise(margins):
        assert np.all(faster >= slower)
