"""The Crown ledger against hand calculations, conservation laws and monotonicity per draw."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import numpy as np
import pytest

import evpact
from cases import one_cell_plant
from evpact.engine.ledger import INDEX, LINES, WEIGHTS, taxable

YEARS = np.arange(2026, 2031)
V = 10e6 * 100 * 1.25  # output value: 10 GWh x US$100/kWh x 1.25 CAD/USD
# rates of the bundled packs in 2026-2030 (ca-fiscal-2024, ca-on-fiscal-2024, ca-itc-2024)
FED_GENERAL, ZETM, PROV, PROV_GENERAL = 0.15, 0.075, 0.10, 0.115
LAMBDA = {"federal": 0.1527, "provincial": 0.0804}
SALES = {"federal": 0.05, "provincial": 0.08}
# labour income by layer: 500 jobs x C$80,000 directly, then the per-output ratios' steps
# (simple / direct = 0.15 / 0.1, total / direct = 0.2 / 0.1) scale it: 40 M, 20 M, 20 M
LI = {"direct": 500 * 80_000.0, "indirect": 500 * 80_000.0 * 0.5, "induced": 500 * 80_000.0 * 0.5}


def ledger_case() -> dict[str, Any]:
    """One cell plant from 2026 with a tax-exempt 45X-style credit paid 2/3 by Ottawa and 1/3
    by Ontario, an Ontario capital grant, and the statutory investment tax credits."""
    data = one_cell_plant(start=2026, capex_cad=1.0e9)
    data["horizon"] = [2026, 2030]
    data["deals"][0]["incentives"] = [
        {
            "kind": "production_credit",
            "plant": "cells",
            "schedule": "us-45x",
            "components": ["cell"],
            "payer": {"federal": 2 / 3, "ontario": 1 / 3},
            "tax_exempt": True,
        },
        {
            "kind": "capital_grant",
            "plant": "cells",
            "amount_cad": 1.0e8,
            "year": 2026,
            "payer": {"ontario": 1.0},
        },
    ]
    data["fiscal"] = {
        "discount_rate": 0.05,
        "profit_share": 0.5,
        "inflation_rate": 0.02,
        "equipment_share_of_capex": 0.7,
        "spending_share_of_after_tax_income": 0.95,
        "taxable_share_of_spending": 0.6,
        "production_tax_share_of_gdp": 0.01,
    }
    return data


def carry_forward(income: np.ndarray) -> np.ndarray:
    """Taxable income with a pool of losses carried forward, one year at a time."""
    pool, out = 0.0, []
    for x in income:
        if x < 0:
            pool -= x
            out.append(0.0)
        else:
            used = min(pool, x)
            pool -= used
            out.append(x - used)
    return np.array(out)


def hand_ledger() -> dict[str, np.ndarray]:
    k = YEARS - 2026.0
    # US$35/kWh on 10e6 kWh, 45X phase-down 0.75 in 2030, nominal in law: deflated at 2%
    credit = 35 * 10e6 * 1.25 * np.array([1, 1, 1, 1, 0.75]) * 1.02**-k
    grant = np.array([1e8, 0, 0, 0, 0])
    first = (k == 0).astype(float)
    ctm, evsc = 0.30 * 0.7 * 1e9, 0.10 * 0.3 * 1e9  # available for use in 2026
    equipment = 0.7 * (1e9 - 1e8) - ctm  # grants and credits reduce the capital cost
    building = 0.3 * (1e9 - 1e8) - evsc
    later = np.maximum(k - 1, 0)
    # 2026 acquisitions: 55% enhanced first year, 30% declining balance; buildings 10%
    tail_e = np.where(k > 0, 0.3 * 0.7**later, 0.0)
    bldg = building * np.where(k == 0, 0.05, 0.95 * 0.1 * 0.9**later)
    cca = equipment * np.where(k == 0, 0.55, 0.45 * tail_e) + bldg
    regular = equipment * np.where(k == 0, 0.15, 0.85 * tail_e) + bldg
    # value added - labour (500 jobs x C$80,000: income per job is the earnings input)
    # - production taxes
    surplus = 0.2 * V - LI["direct"] - 0.01 * 0.2 * V
    benchmark = carry_forward(surplus + credit - regular)
    exempted = carry_forward(surplus - regular)
    actual = carry_forward(surplus - cca)
    out = {
        "federal.outlay.production_credit": credit * 2 / 3,
        "provincial.outlay.production_credit": credit / 3,
        "provincial.outlay.capital_grant": grant,
        "federal.refundable_credit.itc_ctm": ctm * first,
        "federal.refundable_credit.itc_evsc": evsc * first,
        "federal.revenue.cit.direct": ZETM * actual,
        "provincial.revenue.cit.direct": PROV * actual,
        "federal.foregone_revenue.zetm_rate": (FED_GENERAL - ZETM) * actual,
        "federal.foregone_revenue.subsidy_exemption": FED_GENERAL * (benchmark - exempted),
        "provincial.foregone_revenue.subsidy_exemption": PROV * (benchmark - exempted),
        "federal.foregone_revenue.accelerated_cca": FED_GENERAL * (exempted - actual),
        "provincial.foregone_revenue.accelerated_cca": PROV * (exempted - actual),
    }
    # layers: GDP 0.2 v direct, 0.1 v indirect, 0.1 v induced; labour income LI
    spent = (1 - LAMBDA["federal"] - LAMBDA["provincial"]) * 0.95 * 0.6
    general = {"federal": FED_GENERAL, "provincial": PROV_GENERAL}
    for layer, gdp in (("direct", 0.2), ("indirect", 0.1), ("induced", 0.1)):
        li = LI[layer]
        for g in ("federal", "provincial"):
            out[f"{g}.revenue.labour.{layer}"] = np.full(5, li * LAMBDA[g])
            out[f"{g}.revenue.sales_tax.{layer}"] = np.full(5, li * spent * SALES[g])
            if layer != "direct":
                surplus_l = (gdp - 0.01 * gdp) * V - li
                out[f"{g}.revenue.cit.{layer}"] = np.full(5, surplus_l * 0.5 * general[g])
        out[f"provincial.revenue.production_taxes.{layer}"] = np.full(5, 0.01 * gdp * V)
    return out


def test_ledger_by_hand_each_instrument_both_governments(write_scenario):
    r = evpact.simulate(write_scenario(ledger_case()), draws=2, seed=1)
    ledger = r.scenario["crown_ledger"].values[0] - r.counterfactual["crown_ledger"].values[0]
    hand = hand_ledger()
    for key, expected in hand.items():
        np.testing.assert_allclose(ledger[INDEX[key]], expected, rtol=1e-7, atol=1.0, err_msg=key)
    for i, line in enumerate(LINES):  # every other line is zero here
        if line.key not in hand:
            assert np.all(ledger[i] == 0), line.key
    # metrics per government at 5% to 2026
    disc = 1.05 ** -(YEARS - 2026.0)
    m = r.metrics

    def npv(keys: list[str]) -> float:
        return float(sum((hand[k] * disc).sum() for k in keys))

    for g in ("federal", "provincial"):
        cost = [k for k in hand if k.startswith(g) and (".outlay." in k or ".refundable_" in k)]
        revenue = [k for k in hand if k.startswith(g) and ".revenue." in k]
        np.testing.assert_allclose(m[f"public_cost_npv_{g}"].values[0], npv(cost))
        np.testing.assert_allclose(m[f"tax_revenue_npv_{g}"].values[0], npv(revenue))
        np.testing.assert_allclose(m[f"fiscal_net_npv_{g}"].values[0], npv(revenue) - npv(cost))
        net = sum(hand[k] for k in revenue) - sum(hand[k] for k in cost)
        cum = np.cumsum(net * disc)
        year = m[f"fiscal_breakeven_year_{g}"].values[0]
        if cum[-1] < 0:
            assert np.isnan(year)
        else:
            last_negative = np.flatnonzero(cum < 0)
            assert year == YEARS[last_negative[-1] + 1 if last_negative.size else 0]
    expenditure = [k for k in hand if ".refundable_" in k or ".foregone_" in k]
    np.testing.assert_allclose(m["tax_expenditure_npv"].values[0], npv(expenditure))
    # the combined metrics are the two governments' sums
    for name in ("public_cost_npv", "tax_revenue_npv", "fiscal_net_npv"):
        np.testing.assert_allclose(
            m[name].values,
            m[f"{name}_federal"].values + m[f"{name}_provincial"].values,
            rtol=1e-12,
        )


def test_benchmark_cit_is_collected_plus_foregone(write_scenario):
    """Each preference's cost is the difference it makes: at the general rate, the tax on
    the benchmark base equals what is collected plus every line of foregone revenue."""
    hand_ledger()
    r = evpact.simulate(write_scenario(ledger_case()), draws=2, seed=1)
    ledger = r.scenario["crown_ledger"].values[0]
    for g, general in (("federal", FED_GENERAL), ("provincial", PROV)):
        collected = ledger[INDEX[f"{g}.revenue.cit.direct"]]
        foregone = sum(
            ledger[i]
            for i, ln in enumerate(LINES)
            if ln.government == g and ln.category == "foregone_revenue"
        )
        k = YEARS - 2026.0
        credit = 35 * 10e6 * 1.25 * np.array([1, 1, 1, 1, 0.75]) * 1.02**-k
        surplus = 0.2 * V - LI["direct"] - 0.01 * 0.2 * V
        regular = hand_regular()
        np.testing.assert_allclose(
            collected + foregone, general * carry_forward(surplus + credit - regular), atol=1.0
        )


def test_taxable_income_carries_losses_forward():
    income = np.array([[-10.0, 5, 10, -3, 1, 8]])
    np.testing.assert_allclose(taxable(income)[0], carry_forward(income[0]))
    np.testing.assert_allclose(taxable(income)[0], [0, 0, 5, 0, 0, 6])


def hand_regular() -> np.ndarray:
    k = YEARS - 2026.0
    equipment, building = 0.7 * 9e8 - 0.3 * 0.7e9, 0.3 * 9e8 - 0.1 * 0.3e9
    later = np.maximum(k - 1, 0)
    tail_e = np.where(k > 0, 0.3 * 0.7**later, 0.0)
    bldg = building * np.where(k == 0, 0.05, 0.95 * 0.1 * 0.9**later)
    return equipment * np.where(k == 0, 0.15, 0.85 * tail_e) + bldg


def test_allowance_per_start_year_is_the_allowance_per_draw():
    """CCA shares computed once per start year and spread to the draws are, bit for bit, the
    shares computed draw by draw (docs/model.md §6); a NaN start year or a span wider than
    the draws computes them draw by draw. By hand: a plant starting in the first year writes
    off half of the regular rate (half-year rule) then the declining balance."""
    from evpact.engine.compile import compile_scenario
    from evpact.engine.ledger import _allowance, _at
    from evpact.scenario.load import load_scenario

    model = compile_scenario(load_scenario("canada-korea-2026"))
    assert model.ledger is not None
    acq = model.ledger.acquisition
    years = model.years.astype(float)
    rng = np.random.default_rng(8)
    cases = [
        rng.integers(2024, 2032, size=(300, 1)).astype(float),  # spread from 8 start years
        np.array([[2027.0], [np.nan], [2026.0]]),  # NaN: draw by draw
        np.array([[2026.0], [2100.0]]),  # wider than the draws: draw by draw
        np.float64(2028.0),  # one start year for every draw
    ]
    for y0 in cases:
        age = years - y0
        first = age == 0
        rate_e = _at(acq["ca_cca_equipment_rate"], y0)
        rate_b = _at(acq["ca_cca_building_rate"], y0)
        f1 = _at(acq["ca_cca_equipment_first_year"], y0)
        later = np.maximum(age - 1, 0.0)
        tail_e = np.where(age > 0, rate_e * (1 - rate_e) ** later, 0.0)
        tail_b = np.where(age > 0, rate_b * (1 - rate_b) ** later, 0.0)
        expected = (
            first.astype(float),
            np.where(first, rate_b / 2, (1 - rate_b / 2) * tail_b),
            np.where(first, f1, (1 - f1) * tail_e),
            np.where(first, rate_e / 2, (1 - rate_e / 2) * tail_e),
        )
        got = _allowance(acq, years, y0)
        for a, b in zip(got, expected, strict=True):
            assert a.shape == b.shape
            assert a.tobytes() == b.tobytes()
    # a start in the first year at the regular equipment rate: rho / 2, then (1 - rho / 2) rho
    first, _, _, regular = _allowance(acq, years, np.array([[years[0]], [years[0]]]))
    rho = _at(acq["ca_cca_equipment_rate"], years[0])
    np.testing.assert_array_equal(first[:, 0], [1.0, 1.0])
    hand = [rho / 2, (1 - rho / 2) * rho, (1 - rho / 2) * rho * (1 - rho)]
    np.testing.assert_allclose(regular[0, :3], hand, rtol=1e-15)


def test_aggregates_are_the_lines_summed():
    r = evpact.simulate("canada-korea-2026", draws=30, seed=3)
    _names, w = WEIGHTS
    lines = r.scenario["crown_ledger"].values
    totals = r.scenario["crown_totals"].values
    np.testing.assert_allclose(np.einsum("dlt,lk->dkt", lines, w), totals, rtol=1e-9, atol=1e-3)


@pytest.mark.parametrize("exempt", [True, False])
def test_totals_without_lines_match_the_lines(exempt):
    """Big runs build only the totals, one product per row; they equal the lines summed."""
    from dataclasses import replace

    from evpact.engine.compile import compile_scenario
    from evpact.engine.simulate import simulate
    from evpact.scenario.load import load_scenario
    from evpact.uncertainty.sampling import sample

    variant = {"fiscal.debt_service": True, "deals.hmg-ontario.incentives.0.tax_exempt": exempt}
    model = compile_scenario(load_scenario("canada-korea-2026", variant))
    x = sample(model.inputs, 5, 0, 64, {})
    full = simulate(replace(model, ledger_lines=True), x, 64)
    lean = simulate(replace(model, ledger_lines=False), x, 64)
    assert "crown_ledger" not in lean
    np.testing.assert_allclose(lean["crown_totals"], full["crown_totals"], rtol=1e-9, atol=1e-2)
    _, w = WEIGHTS
    np.testing.assert_allclose(
        np.einsum("dlt,lk->dkt", full["crown_ledger"], w), full["crown_totals"], atol=1e-2
    )


def test_adding_an_itc_never_lowers_public_cost():
    """Common random numbers: the same draws with and without the statutory credits."""
    without = evpact.simulate(
        "canada-korea-2026", draws=200, seed=11, variant={"fiscal.statutory_credits": False}
    )
    with_itc = evpact.simulate("canada-korea-2026", draws=200, seed=11)
    for name in ("public_cost_npv", "public_cost_npv_federal", "tax_expenditure_npv"):
        a, b = without.metrics[name].values, with_itc.metrics[name].values
        assert np.all(b >= a - 1e-6), name
    assert np.any(
        with_itc.metrics["public_cost_npv"].values > without.metrics["public_cost_npv"].values
    )
    # the province pays none of them
    np.testing.assert_allclose(
        with_itc.metrics["public_cost_npv_provincial"].values,
        without.metrics["public_cost_npv_provincial"].values,
    )


def test_higher_corporate_rate_never_lowers_revenue():
    runs = [
        evpact.simulate(
            "canada-korea-2026", draws=200, seed=12, variant={"fiscal.corporate_tax_rate": rate}
        )
        for rate in (0.15, 0.25, 0.35)
    ]
    for name in ("tax_revenue_npv", "tax_revenue_npv_federal", "tax_revenue_npv_provincial"):
        values = [r.metrics[name].values for r in runs]
        for lower, higher in itertools.pairwise(values):
            assert np.all(higher >= lower - 1e-6), name
        assert np.any(values[-1] > values[0]), name


def test_nominal_basis_keeps_npvs_and_inflates_sums(write_scenario):
    real = evpact.simulate(write_scenario(ledger_case()), draws=2, seed=1)
    data = copy.deepcopy(ledger_case())
    data["fiscal"]["price_basis"] = "nominal"
    nominal = evpact.simulate(write_scenario(data), draws=2, seed=1)
    for name in ("public_cost_npv_federal", "tax_revenue_npv_provincial", "fiscal_net_npv"):
        np.testing.assert_allclose(nominal.metrics[name].values, real.metrics[name].values)
    assert nominal.metrics["public_cost_cumulative"].unit == "CAD_nominal"
    # the legislated credit is nominal: in nominal dollars it is the statute's US$35 again
    credit = nominal.scenario["crown_ledger"].values[0, INDEX["federal.outlay.production_credit"]]
    np.testing.assert_allclose(credit, 35 * 10e6 * 1.25 * np.array([1, 1, 1, 1, 0.75]) * 2 / 3)


def test_cumulative_balance_breaks_even_no_later_than_discounted(write_scenario):
    data = ledger_case()
    data["deals"][0]["incentives"][0]["rate_scale"] = 0.05
    # no grant and no statutory credits: a case that does break even inside five years
    data["deals"][0]["incentives"] = data["deals"][0]["incentives"][:1]
    data["fiscal"]["statutory_credits"] = False
    disc = evpact.simulate(write_scenario(data), draws=2, seed=1)
    data["fiscal"]["balance"] = "cumulative"
    cum = evpact.simulate(write_scenario(data), draws=2, seed=1)
    a = disc.metrics["fiscal_breakeven_year_total"].values
    b = cum.metrics["fiscal_breakeven_year_total"].values
    assert np.all(~np.isnan(b))
    assert np.all(np.isnan(a) | (b <= a))


def test_company_plan_never_produces_less_than_the_market():
    market = evpact.simulate("nextstar-2023", draws=100, seed=13)
    plan = evpact.simulate(
        "nextstar-2023", draws=100, seed=13, variant={"fiscal.production_basis": "company_plan"}
    )
    a = market.scenario["battery_output_gwh"].values
    b = plan.scenario["battery_output_gwh"].values
    assert np.all(b >= a - 1e-9)
    assert np.any(b > a)


def test_fiscal_command_prints_and_writes_the_ledger(tmp_path):
    import subprocess

    import pandas as pd

    from cases import evpact_command

    out = tmp_path / "out"
    done = subprocess.run(
        [*evpact_command(), "fiscal", "nextstar-2023", "--draws", "50", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env={"COLUMNS": "160", "NO_COLOR": "1", **__import__("os").environ},
    )
    assert done.returncode == 0, done.stderr
    for text in ("federal", "provincial", "production_credit", "itc_ctm", "balance discounted"):
        assert text in done.stdout, text
    frame = pd.read_csv(out / "ledger.csv")
    assert list(frame["line"]) == [line.key for line in LINES]
    assert {"npv", "cumulative", "2024", "2043"} <= set(frame.columns)
    # the command's totals are the run's metrics
    r = evpact.simulate("nextstar-2023", draws=50)
    cost = frame[frame["category"].isin(["outlay", "refundable_credit"])]
    assert cost["npv"].sum() == pytest.approx(r.metrics["public_cost_npv"].values.mean(), rel=1e-9)


def test_fiscal_command_refuses_bad_input_cleanly(tmp_path):
    import subprocess

    from cases import evpact_command

    for args in (["fiscal", "no-such-scenario"], ["fiscal", "nextstar-2023", "--draws", "5000"]):
        done = subprocess.run(
            [*evpact_command(), *args, "--out", str(tmp_path / "x")],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr and "error:" in done.stderr
        assert not (tmp_path / "x").exists()


def test_debt_service_is_interest_on_past_public_cost_beside_the_balance(write_scenario):
    data = ledger_case()
    data["fiscal"]["debt_service"] = True
    data["fiscal"]["borrowing_rate"] = 0.04
    with_debt = evpact.simulate(write_scenario(data), draws=2, seed=1)
    without = evpact.simulate(write_scenario(ledger_case()), draws=2, seed=1)
    hand = hand_ledger()
    ledger = with_debt.scenario["crown_ledger"].values[0]
    for g in ("federal", "provincial"):
        cost = sum(
            h
            for k, h in hand.items()
            if k.startswith(g) and (".outlay." in k or ".refundable_" in k)
        )
        before = np.cumsum(cost) - cost  # financed to the start of each year
        np.testing.assert_allclose(
            ledger[INDEX[f"{g}.debt_service.interest"]], 0.04 * before, atol=1.0
        )
        np.testing.assert_allclose(
            with_debt.metrics[f"fiscal_net_npv_{g}"].values,
            without.metrics[f"fiscal_net_npv_{g}"].values,
        )
    assert with_debt.metrics["debt_service_npv"].values[0] > 0
    assert without.metrics["debt_service_npv"].values[0] == 0
