"""Hand cases for what only the golden snapshots guarded (issue 17): every expected number below
is worked out from the scenario's own inputs, so a swapped layer, a double count, a wrong
comparison or a duty on the wrong base changes the answer. Each test names the mechanism it
pins. The scenarios are in ``cases.py``; every figure in them is fixed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import evpact
from cases import linked_pair, two_linked_deals

YEARS = np.arange(2030, 2035)
FX = 1.25  # CAD per USD
CELL_GWH_CAD = 100.0 * 1e6 * FX  # US$100/kWh cells, 1e6 kWh per GWh
# US 45X cell credit (US$/kWh) by year, 2030-2034: US$35 x (0.75, 0.5, 0.25, 0, 0)
CREDIT_USD = 35.0 * np.array([0.75, 0.5, 0.25, 0.0, 0.0])


def _run(write_scenario: Any, data: dict[str, Any], name: str = "case") -> Any:
    return evpact.simulate(write_scenario(data, name), draws=2, seed=1)


def _layers(direct: np.ndarray, type1: float, type2: float, bought: float) -> tuple[Any, ...]:
    """Direct, indirect and induced of one plant from its Type I and Type II ratios, with a
    ``bought`` share of its output supplied by linked plants or imported (no domestic
    supply-chain effect; induced shrinks with the direct + indirect base)."""
    indirect_full = direct * (type1 - 1.0)
    induced_full = direct * (type2 - type1)
    indirect = indirect_full * (1.0 - bought)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(
            direct + indirect_full > 0, (direct + indirect) / (direct + indirect_full), 1.0
        )
    return direct, indirect, induced_full * scale


# --- 1. one linked pair, every ratio distinct -------------------------------------------------


def test_linked_pair_layers_ratios_and_battery_leakage_by_hand(write_scenario: Any) -> None:
    """Economy (mechanism 5): distinct Type I and Type II for jobs, GDP and labour income, in
    two industries, and the linked battery excluded from the buyer's supply chain."""
    r = _run(write_scenario, linked_pair())
    s = r.scenario.isel(draw=0)
    cars = np.array([0.0, 0.0, 1.0, 1.0, 1.0])  # the assembly plant builds from 2032
    vehicles = 100_000 * cars
    # cells: 10 GWh x C$125 M; vehicles: 100,000 x C$50,000 x 0.8 at the factory gate
    cell_value = 10 * CELL_GWH_CAD * np.ones(5)
    car_value = vehicles * 50_000.0 * 0.8
    # the buyer's battery (50 kWh x US$100 x 1.2 pack premium x 1.25) is no domestic input:
    # 7,500 / 40,000 = 18.75% of its output. The linked cells it buys (5 GWh x C$125 M =
    # C$625 M of C$4 B = 15.6%) are inside that share, so they are not counted twice.
    bought = 50 * 100.0 * 1.2 * FX / (50_000.0 * 0.8)
    assert bought == pytest.approx(0.1875)
    expect = {
        "jobs": [
            _layers(500.0 * np.ones(5), 1.5, 2.25, 0.0),
            _layers(0.02 * vehicles, 3.0, 4.0, bought),
        ],
        "gdp": [
            _layers(0.2 * cell_value, 0.26 / 0.2, 0.35 / 0.2, 0.0),
            _layers(0.2 * car_value, 0.4 / 0.2, 0.5 / 0.2, bought),
        ],
        # income: direct jobs x earnings, then the income ratios' Type I and II
        "li": [
            _layers(500 * 80_000.0 * np.ones(5), 0.12 / 0.1, 0.19 / 0.1, 0.0),
            _layers(0.02 * vehicles * 70_000.0, 0.14 / 0.08, 0.2 / 0.08, bought),
        ],
    }
    names = {"jobs": "{}_jobs", "gdp": "gdp_{}", "li": "labour_income_{}"}
    for key, (cell, car) in expect.items():
        for i, layer in enumerate(("direct", "indirect", "induced")):
            got = s[names[key].format(layer)].values
            np.testing.assert_allclose(got, cell[i] + car[i], rtol=1e-8, err_msg=f"{key} {layer}")
    # spelled out for 2034, so the helper cannot hide a mistake: jobs 500 + 2,000 direct;
    # indirect 500 x 0.5 + 2,000 x 2 x 0.8125; induced 500 x 0.75 + 2,000 x 1 x 5,250 / 6,000
    np.testing.assert_allclose(s["direct_jobs"].values[-1], 2500)
    np.testing.assert_allclose(s["indirect_jobs"].values[-1], 250 + 3250)
    np.testing.assert_allclose(s["induced_jobs"].values[-1], 375 + 1750)
    # every layer differs, so a swap shows
    assert (
        len({round(float(s[f"{k}_jobs"].values[-1])) for k in ("direct", "indirect", "induced")})
        == 3
    )


def test_linked_pair_linkage_conditional_credit_and_clawback_by_hand(write_scenario: Any) -> None:
    """Linkage and incentives (mechanism 4): local absorption is 0 in 2031 (the buyer has not
    started) and 5/10 from 2032; the conditional credit skips the failed year and the grant
    repays 1/4 for it (pro rata over a 4-year window from 2031); the public cost counts each
    payment once, less the repayment."""
    r = _run(write_scenario, linked_pair())
    s = r.scenario.isel(draw=0)
    np.testing.assert_allclose(s["battery_output_gwh"], 10.0)
    np.testing.assert_allclose(s["battery_local_gwh"], [0, 0, 5, 5, 5])
    np.testing.assert_allclose(s["battery_export_gwh"], [10, 10, 5, 5, 5])
    np.testing.assert_array_equal(s["linkage_met"].values, [[np.nan, 0, 1, 1, 1]])
    met = np.array([1.0, 0.0, 1.0, 1.0, 1.0])  # not measured in 2030: paid in full
    credit = CREDIT_USD * 10e6 * FX * met
    grant = np.array([1e8, 0, 0, 0, 0])
    repaid = np.array([0, 1e8 / 4, 0, 0, 0])
    np.testing.assert_allclose(s["incentive_paid"], credit + grant, rtol=1e-8)
    np.testing.assert_allclose(s["clawback_repaid"], repaid)
    np.testing.assert_allclose(s["public_cost"], credit + grant - repaid, rtol=1e-8)
    m = {k: v.values[0] for k, v in r.metrics.items()}
    assert m["clawback_cumulative"] == pytest.approx(2.5e7)
    assert m["local_absorption_share"] == pytest.approx(15 / 50)
    assert m["linkage_met_share"] == pytest.approx(3 / 4)
    assert m["linkage_holds_over_deal"] == 0
    assert m["linkage_first_failure_year"] == 2031


@pytest.mark.parametrize(("rule", "repaid"), [("cliff", 1e8), ("graduated", 1e8)])
def test_linked_pair_first_failure_repays_the_whole_grant(
    write_scenario: Any, rule: str, repaid: float
) -> None:
    """Clawback rules through simulate: the first failure (2031, the first year of the window,
    nothing yet earned) repays everything under cliff and graduated alike."""
    data = linked_pair()
    data["deals"][0]["incentives"][1]["clawback"] = rule
    s = _run(write_scenario, data).scenario.isel(draw=0)
    np.testing.assert_allclose(s["clawback_repaid"], [0, repaid, 0, 0, 0])


def test_clawback_starts_with_the_linkage_not_the_horizon(write_scenario: Any) -> None:
    """A failure after the clawback window repays nothing; one inside it repays its share.
    The buyer starts in 2033 so the linkage (from 2031) fails in 2031 and 2032; a 1-year
    window covers 2031 only."""
    data = linked_pair(start=2033)
    data["deals"][0]["incentives"][1]["clawback_years"] = 1
    s = _run(write_scenario, data).scenario.isel(draw=0)
    np.testing.assert_array_equal(s["linkage_met"].values, [[np.nan, 0, 0, 1, 1]])
    np.testing.assert_allclose(s["clawback_repaid"], [0, 1e8, 0, 0, 0])


# --- 2. two assembly plants, two linked deals ------------------------------------------------


def _threshold_pack(tmp_path: Path) -> Path:
    """A what-if pack raising the USMCA vehicle RVC threshold to 88% from 2033."""
    path = tmp_path / "rvc-88.yaml"
    rule = {"value": 0.88, "effective": "2033-01-01", "assumption": "what-if of a test"}
    path.write_text(
        yaml.safe_dump(
            {
                "name": "rvc-88",
                "effective": "2020-01-01",
                "what_if": True,
                "parameters": {"rvc_threshold": [rule]},
            }
        )
    )
    return path


def test_two_deals_a_year_fails_when_any_deal_fails(write_scenario: Any) -> None:
    """Metrics over several deals: deal a fails in 2033 only, deal b in 2031-2033; the first
    failure is the earliest of either (2031), the linkage does not hold over the deal, and
    the share of measured deal-years met is 4 of 8."""
    r = _run(write_scenario, two_linked_deals())
    s = r.scenario.isel(draw=0)
    np.testing.assert_allclose(
        s["plant_output"].values[:2], [[1e5, 1e5, 1e5, 2e4, 1e5], [0, 0, 0, 2e4, 1e5]]
    )
    np.testing.assert_array_equal(
        s["linkage_met"].values, [[np.nan, 1, 1, 0, 1], [np.nan, 0, 0, 0, 1]]
    )
    m = {k: v.values[0] for k, v in r.metrics.items()}
    assert m["linkage_first_failure_year"] == 2031
    assert m["linkage_first_failure_year_reached_share"] == 1
    assert m["linkage_holds_over_deal"] == 0
    assert m["linkage_met_share"] == pytest.approx(4 / 8)
    # each deal's conditional credit follows its own linkage, not the other's
    credit = CREDIT_USD * 10e6 * FX
    met_a, met_b = np.array([1, 1, 1, 0, 1]), np.array([1, 0, 0, 0, 1])
    np.testing.assert_allclose(s["incentive_paid"], credit * (met_a + met_b), rtol=1e-8)


def test_two_deals_that_both_hold_hold_over_the_deal(write_scenario: Any) -> None:
    """Without the 2033 sales drop and with b's plant from 2030 both deals hold every year."""
    data = two_linked_deals()
    data["market"]["regions"]["CA"]["lv_sales"] = {"table": {2030: 1.0e6}}
    data["plants"][3]["start"] = 2030
    m = {k: v.values[0] for k, v in _run(write_scenario, data).metrics.items()}
    assert m["linkage_holds_over_deal"] == 1
    assert np.isnan(m["linkage_first_failure_year"])
    assert m["linkage_first_failure_year_reached_share"] == 0
    assert m["linkage_met_share"] == 1


def test_binding_plant_is_the_lowest_production_weighted_rvc_margin(
    write_scenario: Any, tmp_path: Path
) -> None:
    """Rules of origin over two home assembly plants (mechanism 7a). With no other core parts
    and a fully originating pack, RVC = 1 - (1 - pack share) (1 - other_originating); the pack
    share is 7,500 / 40,000. Plant a (other 0.8): 83.75%; plant b (0.9): 91.875%.

    With the threshold at 75% a binds (8.75 pp < 16.875). From 2033 a what-if threshold of 88%
    puts a below it; b only builds from 2033, so weighted by production a's margin is
    (3 x 100,000 x 8.75 - 120,000 x 4.25) / 420,000 = 5.036 pp and b's 3.875 pp: b binds,
    although its vehicles have the higher RVC (a plain mean over years, 3.55 pp for a, or
    the worst year would pick a)."""
    pack_share = 7_500 / 40_000
    rvc = 100 * (1 - (1 - pack_share) * (1 - np.array([0.8, 0.9])))
    np.testing.assert_allclose(rvc, [83.75, 91.875])
    r = _run(write_scenario, two_linked_deals(), "t75")
    s = r.scenario.isel(draw=0)
    np.testing.assert_allclose(s["assembly_rvc_pct"].values, rvc[:, None] * np.ones(5))
    np.testing.assert_allclose(s["assembly_rvc_margin_pp"].values, (rvc - 75)[:, None] * np.ones(5))
    assert r.metrics["rvc_margin"].values[0] == pytest.approx(8.75)
    # the scenario's RVC is weighted by production: 2033 has 20,000 of each
    np.testing.assert_allclose(s["rvc_pct"].values, [83.75, 83.75, 83.75, rvc.mean(), rvc.mean()])
    # both qualify (LVC 40% + 5% battery-plant credit; steel 90%), so every vehicle counts
    np.testing.assert_allclose(s["vehicles_usmca_qualifying"], s["vehicles_assembled"])
    assert r.metrics["usmca_qualifying_share"].values[0] == 1

    data = two_linked_deals()
    data["trade"]["rules"].append(str(_threshold_pack(tmp_path)))
    r = _run(write_scenario, data, "t88")
    s = r.scenario.isel(draw=0)
    threshold = np.array([75, 75, 75, 88, 88])
    np.testing.assert_allclose(s["assembly_rvc_margin_pp"].values[0], rvc[0] - threshold)
    a = (3 * 100_000 * 8.75 - 120_000 * 4.25) / 420_000
    assert a > 3.875 > (3 * 8.75 - 2 * 4.25) / 5
    assert r.metrics["rvc_margin"].values[0] == pytest.approx(3.875)
    # a fails the 88% test from 2033; b passes it
    np.testing.assert_allclose(s["assembly_usmca_qualifying"].values[0], [1, 1, 1, 0, 0])
    np.testing.assert_allclose(s["assembly_usmca_qualifying"].values[1], 1)
    np.testing.assert_allclose(s["vehicles_usmca_qualifying"], [1e5, 1e5, 1e5, 2e4, 1e5])


# --- 3. trade flows through simulate ---------------------------------------------------------

#: every tariff rule at a what-if value of this test, so the expected duties are by hand
TARIFFS = {
    "usmca_in_force": 1.0,
    "us_vehicle_tariff": 0.25,
    "us_non_us_content_only": 1.0,
    "us_battery_tariff": 0.1,
    "us_parts_exempt": 1.0,
    "us_offset_share_of_msrp": 0.0375,
    "ca_surtax_rate": 0.25,
    "ca_surtax_minimum_deduction": 0.15,
    "ca_remission_vehicles_per_vehicle_built": 0.2,
}
PASS_THROUGH, ELASTICITY = 0.6, 0.5
VFD, PLANT_PRICE, EV_PRICE = 0.7, 50_000.0, 60_000.0  # value for duty share; CAD per vehicle


def _exporter(tmp_path: Path, **rules: float) -> dict[str, Any]:
    """The linked pair with its assembly plant from 2030 selling to Canada and the US, its cell
    plant selling 40% of its output to a US storage buyer, and a trade section whose tariff
    rules are the values above (``rules`` overrides some)."""
    pack = tmp_path / "test-tariffs.yaml"
    params = {**TARIFFS, **rules}
    pack.write_text(
        yaml.safe_dump(
            {
                "name": "test-tariffs",
                "effective": "2020-01-01",
                "what_if": True,
                "parameters": {
                    k: [{"value": v, "assumption": "what-if of a test"}] for k, v in params.items()
                },
            }
        )
    )
    data = linked_pair(start=2030, markets={"CA": 1.0, "US": 1.0})
    data["plants"][0]["offtake"][0]["share"] = 0.4
    data["market"]["regions"]["US"].update(
        {"group_share": {"G": 0.1}, "pass_through": PASS_THROUGH, "price_elasticity": ELASTICITY}
    )
    data["economy"].update({"value_for_duty_share": VFD, "ev_price_cad": EV_PRICE})
    from cases import FIXED_CONTENT

    data["trade"] = {
        "rules": ["usmca-2020", str(pack)],
        "plants": {"cars": {**FIXED_CONTENT, "other_originating": 0.8}},
        "groups": {
            "G": {"us_import_share": 0.3, "us_cusma_share": 0.8, "us_vehicle_camx_content": 0.1}
        },
    }
    return data


def _vehicle_trade_by_hand(parts_exempt: bool) -> dict[str, float]:
    """Every trade flow of one year of the exporter, from its inputs."""
    # the vehicle qualifies (RVC 83.75% >= 75%), so the US duty falls on non-US content only:
    # 25% x (1 - 0.5 US content) on the value for duty (70% of C$50,000), never on retail
    rate = 0.25 * (1 - 0.5)
    duty_base = VFD * PLANT_PRICE
    friction = 1 - ELASTICITY * rate * PASS_THROUGH  # price rise passed on x elasticity
    ca, us = 1e6 * 0.5 * 0.4, 1e7 * 0.2 * 0.1 * friction  # EV demand of the group
    built = 100_000.0  # capacity binds
    to_us, to_ca = built * us / (ca + us), built * ca / (ca + us)
    vehicle_duty = to_us * duty_base * rate
    # cells: 10 GWh, 5 linked; the US buyer calls 40% of output, cut by its own friction when
    # the parts exemption is off (10% duty on the cells' value)
    cell_rate = 0.0 if parts_exempt else 0.1
    call = 0.4 * 10 * (1 - ELASTICITY * cell_rate * PASS_THROUGH)
    cells_out = min(10.0, 5.0 + call)
    cell_duty = call * CELL_GWH_CAD * cell_rate
    # Canada's surtax on the group's US-built imports: 30% of its Canadian sales not built
    # here; on CUSMA vehicles (80%) 25% of value less at least 15% content, on the rest 25%
    imports = 0.3 * (ca - to_ca)
    price = VFD * EV_PRICE
    surtax = 0.25 * (0.8 * (1 - 0.15) + 0.2)
    # remission: CUSMA imports surtax-free up to 0.2 per vehicle built here (20,000 < 0.8 x
    # imports), each worth its CUSMA surtax
    room = min(0.2 * built, 0.8 * imports)
    assert room == 0.2 * built
    return {
        "us_tariff_cost_cad": vehicle_duty + cell_duty,
        "us_tariff_producer_borne_cad": (vehicle_duty + cell_duty) * (1 - PASS_THROUGH),
        "vehicle_duty_borne": vehicle_duty * (1 - PASS_THROUGH),
        "cell_duty_borne": cell_duty * (1 - PASS_THROUGH),
        "ca_counter_tariff_cad": imports * price * surtax,
        "remission_value_cad": room * price * 0.25 * (1 - 0.15),
        "cells_out": cells_out,
        "to_us": to_us,
    }


@pytest.mark.parametrize("parts_exempt", [True, False], ids=["parts-exempt", "parts-dutiable"])
def test_us_duty_counter_tariff_and_remission_by_hand(
    write_scenario: Any, tmp_path: Path, parts_exempt: bool
) -> None:
    """Trade (mechanism 7b) added up by simulate: the US duty on the exported vehicles' value
    for duty and on the cells the US buyer takes (nil under the parts exemption), the share
    producers absorb (out of their GDP), Canada's surtax on the group's US imports and the
    remission room earned by building here."""
    data = _exporter(tmp_path, us_parts_exempt=float(parts_exempt))
    s = _run(write_scenario, data).scenario.isel(draw=0)
    want = _vehicle_trade_by_hand(parts_exempt)
    for name in (
        "us_tariff_cost_cad",
        "us_tariff_producer_borne_cad",
        "ca_counter_tariff_cad",
        "remission_value_cad",
    ):
        np.testing.assert_allclose(s[name].values, want[name], rtol=1e-9, err_msg=name)
    np.testing.assert_allclose(s["battery_output_gwh"], want["cells_out"], rtol=1e-9)
    np.testing.assert_allclose(s["vehicles_assembled"], 100_000)
    # the absorbed duty comes out of each exporter's direct GDP: cells 0.2 x value, vehicles
    # 0.2 x factory-gate value
    gdp = 0.2 * want["cells_out"] * CELL_GWH_CAD + 0.2 * 100_000 * PLANT_PRICE * 0.8
    np.testing.assert_allclose(
        s["gdp_direct"].values,
        gdp - want["vehicle_duty_borne"] - want["cell_duty_borne"],
        rtol=1e-9,
    )
    # the cumulative metrics add up each draw's years of scenario minus counterfactual (the
    # no-deal world builds nothing here, so its group imports all it sells from the US)
    r = evpact.simulate(write_scenario(data, "again"), draws=2, seed=1)
    no_deal_imports = 0.3 * 1e6 * 0.5 * 0.4
    no_deal = {
        "us_tariff_cost_cad": 0.0,
        "ca_counter_tariff_cad": no_deal_imports * VFD * EV_PRICE * 0.25 * (0.8 * 0.85 + 0.2),
        "remission_value_cad": 0.0,
    }
    for metric, name in (
        ("us_tariff_cost_cumulative", "us_tariff_cost_cad"),
        ("ca_counter_tariff_cumulative", "ca_counter_tariff_cad"),
        ("remission_value_cumulative", "remission_value_cad"),
    ):
        impact = 5 * (want[name] - no_deal[name])
        np.testing.assert_allclose(r.metrics[metric].values, impact, rtol=1e-9, err_msg=metric)
    # a Canadian plant earns no US offset (only US assembly does)
    np.testing.assert_allclose(s["us_offset_cad"], 0.0)
    assert want["to_us"] < 100_000 / 2  # the US market is the smaller: the split matters


def test_us_duty_on_a_non_qualifying_vehicle_is_on_its_full_value(
    write_scenario: Any, tmp_path: Path
) -> None:
    """Without USMCA in force nothing qualifies: the duty is 25% of the whole value for duty,
    there is no CUSMA treatment of US imports (so no remission) and the surtax is 25% of it."""
    data = _exporter(tmp_path, usmca_in_force=0.0)
    s = _run(write_scenario, data).scenario.isel(draw=0)
    np.testing.assert_allclose(s["vehicles_usmca_qualifying"], 0.0)
    rate, duty_base = 0.25, VFD * PLANT_PRICE
    friction = 1 - ELASTICITY * rate * PASS_THROUGH
    ca, us = 1e6 * 0.5 * 0.4, 1e7 * 0.2 * 0.1 * friction
    to_us, to_ca = 1e5 * us / (ca + us), 1e5 * ca / (ca + us)
    # cells: the parts exemption needs USMCA in force, so they pay 10% too
    call = 0.4 * 10 * (1 - ELASTICITY * 0.1 * PASS_THROUGH)
    np.testing.assert_allclose(
        s["us_tariff_cost_cad"], to_us * duty_base * rate + call * CELL_GWH_CAD * 0.1, rtol=1e-9
    )
    imports = 0.3 * (ca - to_ca)
    np.testing.assert_allclose(
        s["ca_counter_tariff_cad"], imports * VFD * EV_PRICE * 0.25, rtol=1e-9
    )
    np.testing.assert_allclose(s["remission_value_cad"], 0.0)


def test_us_supply_moves_when_the_duty_exceeds_the_other_plants_cost(
    write_scenario: Any, tmp_path: Path
) -> None:
    """The automaker supplies US buyers from its other plant when the duty per vehicle
    (25% x C$35,000 = C$8,750 on a non-qualifying vehicle) exceeds that plant's extra cost
    (a share of the C$40,000 factory-gate value): at 20% (C$8,000) the US gets nothing from
    here; at 25% (C$10,000) it still does."""
    out = {}
    for share in (0.2, 0.25):
        data = _exporter(tmp_path, usmca_in_force=0.0)
        data["trade"]["plants"]["cars"]["us_alternative_cost_share"] = share
        s = _run(write_scenario, data, f"alt{share}").scenario.isel(draw=0)
        out[share] = s
    call = 0.4 * 10 * (1 - ELASTICITY * 0.1 * PASS_THROUGH)
    cell_duty = call * CELL_GWH_CAD * 0.1
    np.testing.assert_allclose(out[0.2]["us_tariff_cost_cad"], cell_duty, rtol=1e-9)
    assert np.all(out[0.25]["us_tariff_cost_cad"].values > cell_duty * 1.01)


def test_us_assembly_earns_the_offset_on_its_msrp(write_scenario: Any, tmp_path: Path) -> None:
    """A US plant of the group (not a home plant) earns the parts-duty offset: 3.75% of its
    MSRP per vehicle built; it pays no US duty itself and adds nothing to home output."""
    data = _exporter(tmp_path)
    us_plant = {
        **data["plants"][1],
        "id": "us-cars",
        "region": "US-GA",
        "capacity_vehicles": 50_000,
        "vehicle_price_cad": 45_000.0,
        "markets": {"US": 1.0},
    }
    data["plants"].append(us_plant)
    s = _run(write_scenario, data).scenario.isel(draw=0)
    # US demand of the group (1e7 x 0.2 x 0.1 = 200,000) exceeds its 50,000 capacity
    np.testing.assert_allclose(s["us_offset_cad"], 0.0375 * 45_000.0 * 50_000, rtol=1e-9)
    np.testing.assert_allclose(s["vehicles_assembled"], 100_000)


def test_vehicles_per_gwh_linkage_counts_only_the_plants_own_buyers(write_scenario: Any) -> None:
    """A vehicles-per-GWh condition on cells-a (3,000 vehicles per GWh of its 10 GWh) counts
    the home vehicles built from cells-a's cells, not those of cells-b's buyer: in 2033
    cars-a builds 20,000 (< 30,000, failed) while both plants together build 40,000."""
    data = two_linked_deals()
    data["deals"][0]["linkage"] = {
        "kind": "vehicles_per_gwh",
        "plant": "cells-a",
        "threshold": 3000,
        "from": 2031,
    }
    s = _run(write_scenario, data).scenario.isel(draw=0)
    np.testing.assert_array_equal(s["linkage_met"].values[0], [np.nan, 1, 1, 0, 1])
