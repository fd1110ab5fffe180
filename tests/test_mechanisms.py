"""Tests that mutation testing showed missing (issue 17, tests/MUTATION.md): each pins one
mechanism by hand, at the public function of the engine or metrics module that owns it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from evpact.engine import resilience
from evpact.metrics import expected_shortfall

FX = 1.25  # CAD per USD in the hand cases (tests/cases.py)
# US 45X cell credit (US$/kWh) by year, 2030-2034: US$35 x (0.75, 0.5, 0.25, 0, 0)
CREDIT_USD = 35.0 * np.array([0.75, 0.5, 0.25, 0.0, 0.0])


def test_resilience_cut_of_a_plant_outside_the_declared_chain() -> None:
    """A cut at a (stage, country) the chain does not list hits that plant alone: it loses
    the larger of the cut (weeks x share) and the shortage reaching it from upstream; the
    stage as a whole and other stages are untouched by it."""
    chain = {"cam": {"CN": 1.0}, "cell": {"CA": 1.0}}
    cuts = {("cam", "CN"): 1.0, ("cell", "US"): 0.5}
    lost = resilience.lost_weeks(chain, cuts, 10.0, {"cell": 8.0})
    # upstream: 10 weeks of cathode less 8 weeks of stock = 2; own: 10 x 0.5 = 5
    assert lost[("cell", "US")] == 5.0
    assert lost[("cell", "CA")] == 2.0 and lost[("cell", "*")] == 2.0
    assert ("cam", "US") not in lost and ("cell", "CN") not in lost
    # when the upstream shortage is the larger, it is what the plant loses
    lost = resilience.lost_weeks(chain, cuts, 10.0, {"cell": 3.0})
    assert lost[("cell", "US")] == 7.0


def test_expected_shortfall_of_a_small_sample_is_its_worst_draw() -> None:
    """5% of 10 draws rounds up to one draw: the shortfall is the single worst value."""
    assert expected_shortfall(np.array([3.0, -7.0, 1.0, 2.0, 5.0, 0.0, 4.0, 6.0, 8.0, 9.0])) == -7.0
    assert expected_shortfall(np.arange(40.0), 0.05) == pytest.approx(0.5)  # ceil(2.0) = 2


def test_usmca_core_part_roll_up_at_and_below_the_threshold() -> None:
    """A core part at or above its threshold counts as wholly originating with roll-up, as its
    own content without; below it, its own content either way (USMCA Art. 4.5)."""
    from evpact.engine.origin import counted

    np.testing.assert_allclose(counted(np.array(0.8), np.array(0.75), np.array(1.0)), 1.0)
    np.testing.assert_allclose(counted(np.array(0.75), np.array(0.75), np.array(1.0)), 1.0)
    np.testing.assert_allclose(counted(np.array(0.8), np.array(0.75), np.array(0.0)), 0.8)
    np.testing.assert_allclose(counted(np.array(0.7), np.array(0.75), np.array(1.0)), 0.7)


def test_usmca_vehicle_rvc_with_core_parts_by_hand() -> None:
    """VNM/NC = pack (1 - O_pack) + core (1 - O_core) + other (1 - O_other): 0.2 x 0 +
    0.3 x 0.2 + 0.5 x 0.4 = 0.26, so RVC 74%; a pack and core above the whole net cost
    leave no other content (not a negative share)."""
    from evpact.engine.origin import vehicle_rvc

    got = vehicle_rvc(np.array(0.2), np.array(1.0), np.array(0.3), np.array(0.8), np.array(0.6))
    np.testing.assert_allclose(got, 0.74)
    got = vehicle_rvc(np.array(0.7), np.array(0.5), np.array(0.5), np.array(1.0), np.array(0.0))
    np.testing.assert_allclose(got, 1 - 0.7 * 0.5)


def test_tariffs_no_us_imports_when_home_plants_build_all_home_sales() -> None:
    """A group that builds more at home than it sells at home imports nothing from the US."""
    from evpact.engine.tariffs import imports_from_us

    np.testing.assert_allclose(imports_from_us(np.array(100.0), np.array(150.0), 0.5), 0.0)
    np.testing.assert_allclose(imports_from_us(np.array(100.0), np.array(40.0), 0.5), 30.0)


def test_tariffs_us_supply_kept_when_the_duty_equals_the_alternative() -> None:
    """The automaker moves US supply only when the duty costs more than the other plant."""
    from evpact.engine.tariffs import us_supply_kept

    base, gate = np.array(40_000.0), np.array(50_000.0)
    np.testing.assert_array_equal(us_supply_kept(np.array(0.25), base, gate, 0.2), 1.0)
    np.testing.assert_array_equal(us_supply_kept(np.array(0.25), base, gate, 0.19), 0.0)


def _usmca_rules() -> dict[str, np.ndarray]:
    return {
        "rvc_threshold": np.array(0.75),
        "core_rvc_threshold": np.array(0.75),
        "core_part_roll_up": np.array(1.0),
        "lvc_threshold": np.array(0.4),
        "lvc_technology_credit_max": np.array(0.1),
        "lvc_assembly_credit": np.array(0.05),
        "steel_aluminium_threshold": np.array(0.7),
        "usmca_in_force": np.array(1.0),
    }


def _vehicle(**given: float) -> dict[str, np.ndarray]:
    """A vehicle at every USMCA threshold exactly: pack RVC 1 - 0.5 x 0.5 = 75%; vehicle RVC
    1 - 0.5 x (1 - 0.5) = 75% with the pack and core rolled up; core parts 75%; LVC 25% +
    10% + 5% = 40%; steel and aluminium 70%."""
    values = {
        "pack_share": 0.25,
        "cell_share": 0.5,
        "cells_originating": 0.5,
        "pack_other_originating": 1.0,
        "core_share": 0.25,
        "core_originating": 0.75,
        "other_originating": 0.5,
        "high_wage_share": 0.25,
        "technology_credit": 0.1,
        "has_battery_plant": 1.0,
        "steel_aluminium": 0.7,
    }
    values.update(given)
    return {k: np.array(v) for k, v in values.items()}


def test_usmca_a_vehicle_exactly_at_every_threshold_qualifies() -> None:
    """Every USMCA test is 'at least': a vehicle exactly at each threshold qualifies, and
    one just below any of them does not."""
    from evpact.engine.origin import origin

    at = origin(**_vehicle(), rules=_usmca_rules())
    np.testing.assert_allclose([at.pack_rvc, at.rvc, at.lvc], [0.75, 0.75, 0.4])
    assert at.qualifies == 1.0
    for name, below in (
        ("core_originating", 0.74),
        ("steel_aluminium", 0.69),
        ("cells_originating", 0.49),  # pack RVC 74.5%
        ("other_originating", 0.49),  # vehicle RVC 74.5%
        ("high_wage_share", 0.24),  # LVC 39%
    ):
        assert origin(**_vehicle(**{name: below}), rules=_usmca_rules()).qualifies == 0.0, name


def test_usmca_origin_of_a_vehicle_without_battery_value_warns_nothing() -> None:
    """A vehicle whose pack has no value (no cells to count) still gets an origin, with no
    division warning (the suite turns warnings into errors): no cell share can qualify it."""
    from evpact.engine.origin import origin

    got = origin(**_vehicle(pack_share=0.0, cell_share=0.0), rules=_usmca_rules())
    assert np.isnan(got.min_cell_share) or got.min_cell_share >= 0


@pytest.mark.parametrize(
    ("given", "roll_up", "least"),
    [
        # pack binds: 1 - (1 - 0.75 - 0) / 0.5 = 0.5, and with roll-up the vehicle then passes
        ({}, 1.0, 0.5),
        # other pack content 0.5: the pack needs every cell originating (exactly 1 qualifies)
        ({"pack_other_originating": 0.5}, 1.0, 1.0),
        # few cells in the pack: other content alone passes it; no cell needs to originate
        ({"cell_share": 0.2}, 1.0, 0.0),
        # no roll-up, other content 0.7: the vehicle binds, 1 - [0.25 (1 - p) + 0.0625 +
        # 0.15] = 0.75 with p = 1 - 0.5 (1 - s) gives s = 0.7 (above the pack's 0.5)
        ({"other_originating": 0.7}, 0.0, 0.7),
        # other content 0.4 even with roll-up: no cell share is enough
        ({"other_originating": 0.4}, 1.0, np.nan),
    ],
)
def test_usmca_least_originating_cell_share_by_hand(
    given: dict[str, float], roll_up: float, least: float
) -> None:
    """The one-input answer the origin report gives: the smallest originating share of the
    pack's cells with which the vehicle qualifies, other inputs unchanged."""
    from evpact.engine.origin import origin

    rules = {**_usmca_rules(), "core_part_roll_up": np.array(roll_up)}
    got = origin(**_vehicle(**given), rules=rules)
    np.testing.assert_allclose(got.min_cell_share, least, atol=1e-12)
    if not np.isnan(least):  # and at that share it does qualify
        at = origin(**_vehicle(**given, cells_originating=least), rules=rules)
        assert at.qualifies == 1.0


def test_usmca_rvc_of_nothing_is_undefined_without_a_warning() -> None:
    """Net cost 0: no RVC (NaN), not a division warning."""
    from evpact.engine.origin import rvc

    assert np.isnan(rvc(np.array([0.0, 0.0]), np.array([0.0, 0.5]))).all()


def test_minerals_tonnes_of_a_mixed_chemistry_by_hand(write_scenario: Any) -> None:
    """Mechanism 8a through simulate: 10 GWh a year of half NMC811, half LFP cells need
    10e6 kWh x (0.5 x 0.1 + 0.5 x 0.091) kg/kWh = 955 t of lithium and 10e6 x 0.5 x 0.658 kg
    = 3,290 t of nickel (BatPaC 5.1 kg per kWh, chemistries.csv), and no cobalt from LFP."""
    import evpact
    from cases import one_cell_plant

    data = one_cell_plant(chemistry={"NMC811": 0.5, "LFP": 0.5})
    r = evpact.simulate(write_scenario(data), draws=2, seed=1)
    s = r.scenario.isel(draw=0)
    lithium = 10e6 * (0.5 * 0.1 + 0.5 * 0.091) / 1e3
    np.testing.assert_allclose(s["mineral_lithium_t"], lithium)
    # over the 5 years, per draw; home production covers its share of that need
    np.testing.assert_allclose(r.metrics["mineral_lithium_cumulative"].values, 5 * lithium)
    made = r.scenario["mineral_production_cumulative_t"].values[:, 0]  # lithium first
    np.testing.assert_allclose(
        r.metrics["mineral_coverage_lithium"].values, made / (5 * lithium), rtol=1e-8
    )
    np.testing.assert_allclose(s["mineral_nickel_t"], 10e6 * 0.5 * 0.658 / 1e3)
    np.testing.assert_allclose(s["mineral_cobalt_t"], 10e6 * 0.5 * 0.083 / 1e3)


def test_linkage_rolling_window_is_a_sum_of_the_last_years() -> None:
    from evpact.engine.linkage import rolling_sum

    a = np.array([[1.0, 2.0, 3.0, 4.0]])
    np.testing.assert_array_equal(rolling_sum(a, 1), a)
    np.testing.assert_array_equal(rolling_sum(a, 2), [[1, 3, 5, 7]])
    np.testing.assert_array_equal(rolling_sum(a, 3), [[1, 3, 6, 9]])


def test_linkage_year_with_nothing_to_measure_neither_holds_nor_fails() -> None:
    """A measured year whose denominator is 0 (no output) has no verdict (NaN) and does not
    stop conditional payments; a small positive denominator is measured as usual."""
    from evpact.engine.linkage import compliance

    num, den = np.array([[0.0, 0.2, 0.1]]), np.array([[0.0, 0.5, 0.5]])
    measured = np.array([True, True, True])
    met, c = compliance(num, den, np.array([[0.3]]), 1, measured, proportional=False)
    np.testing.assert_array_equal(met, [[np.nan, 1, 0]])
    np.testing.assert_array_equal(c, [[1, 1, 0]])
    _, c = compliance(num, den, np.array([[0.3]]), 1, measured, proportional=True)
    np.testing.assert_allclose(c, [[1, 1, 0.2 / 0.3]])


def test_linkage_zero_threshold_always_pays_in_full() -> None:
    """A threshold of 0 is met by any output, and proportional payments are full."""
    from evpact.engine.linkage import compliance

    num, den = np.array([[0.0, 1.0]]), np.array([[10.0, 10.0]])
    met, c = compliance(num, den, np.array([[0.0]]), 1, np.array([True, True]), True)
    np.testing.assert_array_equal(met, [[1, 1]])
    np.testing.assert_array_equal(c, [[1, 1]])


def test_market_ev_share_outside_zero_one_is_clipped() -> None:
    from evpact.engine.market import ev_demand

    np.testing.assert_allclose(ev_demand(np.array(100.0), np.array(1.2), 0.5), 50.0)
    np.testing.assert_allclose(ev_demand(np.array(100.0), np.array(-0.1), 0.5), 0.0)


def test_emissions_of_making_cells_and_avoided_by_vehicles_by_hand(write_scenario: Any) -> None:
    """Mechanism 8b through simulate, every factor set: a kWh of cells takes 30 kWh of energy,
    half electric at 100 g/kWh and half heat at 0.2 kg/kWh, so 30 x (0.05 + 0.1) = 4.5 kg
    at the plant, plus 50 kg upstream: 10 GWh make 10e6 x 54.5 kg = 545,000 t. Each of the
    100,000 vehicles avoids 200,000 km x (250 - 100) g/km = 30 t."""
    import evpact
    from cases import linked_pair

    data = linked_pair(start=2030)
    data["plants"][0]["grid_gco2e_per_kwh"] = 100.0
    data["emissions"] = {
        "cell_manufacturing_energy_kwh_per_kwh": 30.0,
        "electricity_share_of_cell_manufacturing_energy": 0.5,
        "process_heat_kg_co2e_per_kwh": 0.2,
        "upstream_materials_kg_co2e_per_kwh": 50.0,
        "vehicle_lifetime_km": 200_000.0,
        "gasoline_car_lifecycle_g_per_km": 250.0,
        "bev_lifecycle_g_per_km": 100.0,
    }
    s = evpact.simulate(write_scenario(data), draws=2, seed=1).scenario.isel(draw=0)
    np.testing.assert_allclose(s["co2e_manufacturing_t"], 545_000.0)
    np.testing.assert_allclose(s["co2e_avoided_t"], 100_000 * 30.0)


def test_flows_plant_without_contract_customers_serves_linked_demand_only() -> None:
    """No offtake call: output is what the linked buyer takes, and the (empty) contracts get
    nothing, without a 0/0."""
    from evpact.engine.flows import battery_output

    out, linked, contracts = battery_output(np.array([10.0]), np.array([4.0]), [np.zeros(1)])
    assert out[0] == 4.0 and linked[0] == 4.0 and contracts[0][0] == 0.0


def test_trade_export_friction_never_below_zero() -> None:
    """A price rise times elasticity above 1 leaves no export demand, not a negative one."""
    from evpact.engine.trade import export_friction

    assert export_friction(np.array(1.0), np.array(1.0), np.array(1.0), np.array(2.0)) == 0.0
    assert export_friction(np.array(0.25), np.array(0.5), np.array(0.8), np.array(1.5)) == (
        pytest.approx(1 - 1.5 * 0.25 * 0.5 * 0.8)
    )


def test_resilience_stage_rows_by_hand() -> None:
    """One row per deal and stage, upstream first: shares by partner group (US and MX are
    USMCA partners of CA, KR a free-trade partner, CN neither), the largest country and
    whether the deal buys the stage (declared) or builds it."""
    chains = {
        "d": {
            "cam": {"CN": 0.5, "KR": 0.3, "US": 0.2},
            "cell": {"CA": 1.0},
        },
        "e": {"anode": {"MX": 1.0}},
    }
    partners = {"US": "usmca", "MX": "usmca", "KR": "fta"}
    rows = resilience.stage_rows(chains, "CA", partners, {"d": ["cam"]})
    assert [(r.deal, r.stage) for r in rows] == [("d", "cam"), ("d", "cell"), ("e", "anode")]
    cam, cell, anode = rows
    assert (cam.domestic, cam.usmca, cam.fta, cam.other) == pytest.approx((0, 0.2, 0.3, 0.5))
    assert cam.largest == "CN 50%" and cam.sourced
    assert cam.hhi == pytest.approx(2500 + 900 + 400)
    assert (cell.domestic, cell.largest, cell.sourced) == (1.0, "CA 100%", False)
    assert (anode.usmca, anode.sourced) == (1.0, False)


def test_economy_zero_ratios_and_tiny_plants_by_hand() -> None:
    """An industry with a zero direct ratio has no layers (not a 0/0); a plant with half a job
    still gets induced effects scaled by what its leakage leaves (base below 1); a buyer whose
    linked purchases exceed its output keeps no domestic supply chain (not a negative one)."""
    from evpact.engine.economy import layered, type_ratios

    ratios = type_ratios(np.array(0.0), np.array(0.1), np.array(0.2))  # no direct ratio: 1, 1
    zero = layered(np.array(100.0) * 0.0, *ratios, np.array(0.0))
    assert (zero.direct, zero.indirect, zero.induced) == (0.0, 0.0, 0.0)
    jobs = layered(np.array(10.0) * 1000.0, *ratios, np.array(0.0))
    assert (jobs.direct, jobs.indirect, jobs.induced) == (10_000.0, 0.0, 0.0)
    half = layered(np.array(0.5), np.array(1.5), np.array(2.0), np.array(0.5))
    # indirect 0.5 x 0.5 x 0.5 = 0.125; induced 0.25 x (0.5 + 0.125) / (0.5 + 0.25)
    np.testing.assert_allclose([half.indirect, half.induced], [0.125, 0.25 * 0.625 / 0.75])
    over = layered(np.array(10.0), np.array(2.0), np.array(3.0), np.array(1.5))
    np.testing.assert_allclose([over.indirect, over.induced], [0.0, 10.0 * 1.0 * 10 / 20])


def test_market_demand_ratio_without_a_plan_or_with_a_zero_plan_is_one() -> None:
    from evpact.engine.market import demand_ratio

    no_plan = demand_ratio(np.array([0.3, 0.5]), None)
    np.testing.assert_array_equal(no_plan, [1.0, 1.0])
    assert no_plan.shape == (2,) and no_plan.dtype == np.float64  # one float per share
    np.testing.assert_array_equal(
        demand_ratio(np.array([0.3, 0.3, 0.6]), np.array([0.0, 0.6, 0.5])), [1.0, 0.5, 1.0]
    )
    # no EVs against no plan (0/0) is no shortfall either, not NaN
    np.testing.assert_array_equal(demand_ratio(np.array([0.0]), np.array([0.0])), [1.0])


def test_charging_stock_and_port_feedback_by_hand() -> None:
    """Mechanism 8c: stock_t = stock_{t-1} x (1 - scrappage) + sales_t x share_t; with the
    feedback, share_t is scaled by min(1, target / (stock / ports)_{t-1}) ^ elasticity, ports
    counted as at least 1."""
    from evpact.engine.charging import stock_and_ports

    lv, ev = np.full((1, 3), 1000.0), np.full((1, 3), 0.5)
    ports = np.array([[0.5, 10.0, 1000.0]])
    args = (np.array(100.0), np.array(0.1), ports, np.array(20.0), np.array(0.5))
    stock, share = stock_and_ports(lv, ev, args[0], args[1], args[2], args[3], args[4], False)
    np.testing.assert_allclose(share, ev)
    s0 = 100 * 0.9 + 500
    s1 = s0 * 0.9 + 500
    np.testing.assert_allclose(stock, [[s0, s1, s1 * 0.9 + 500]])
    stock, share = stock_and_ports(lv, ev, args[0], args[1], args[2], args[3], args[4], True)
    # 2031: 590 EVs on max(0.5, 1) port: 20 / 590 of the target, square root
    share1 = 0.5 * (20 / s0) ** 0.5
    t1 = s0 * 0.9 + 1000 * share1
    share2 = 0.5 * min(1.0, 20 / (t1 / 10.0)) ** 0.5
    np.testing.assert_allclose(share, [[0.5, share1, share2]])
    np.testing.assert_allclose(stock, [[s0, t1, t1 * 0.9 + 1000 * share2]])
    # plenty of ports: no shortfall (the factor is capped at 1, never a boost)
    plenty = stock_and_ports(lv, ev, args[0], args[1], np.full((1, 3), 1e6), args[3], 0.5, True)
    np.testing.assert_array_equal(plenty[1], ev)
    # and an empty stock divides by nothing
    empty = stock_and_ports(
        lv, np.zeros((1, 3)), np.array(0.0), args[1], np.full((1, 3), 1e6), args[3], args[4], True
    )
    np.testing.assert_array_equal(empty[0], 0.0)


def test_additionality_but_for_weighted_by_output_value() -> None:
    """The deal's but-for probability: plants' own weighted by output value, the plain mean
    before any plant produces (values below 1 are output too)."""
    from evpact.engine.additionality import effective_but_for

    w = [np.array([[0.0, 0.25, 300.0]]), np.array([[0.0, 0.5, 100.0]])]
    got = effective_but_for(w, [np.array(0.2), np.array(0.6)], (1, 3))
    np.testing.assert_allclose(got, [[0.4, (0.05 + 0.3) / 0.75, (60 + 60) / 400]])
    np.testing.assert_array_equal(effective_but_for([], [], (1, 2)), [[1.0, 1.0]])


def test_fiscal_breakeven_tolerance_is_relative_to_each_draws_balance() -> None:
    """A cumulative balance within a millionth of the draw's largest balance (at least 1
    dollar) of zero counts as broken even (rounding), per draw: half a dollar short of a
    million-dollar swing breaks even, 1.5 millionths of a dollar short of a one-dollar swing
    does not."""
    from evpact.engine.fiscal import breakeven_year

    years = np.array([2030.0, 2031.0])
    net = np.array([[-1e6, 1e6 - 0.5], [-1.0, 1.0 - 1.5e-6]])
    np.testing.assert_array_equal(breakeven_year(net, years), [2031.0, np.nan])


def test_additionality_inputs_reach_the_net_layer_by_hand(write_scenario: Any) -> None:
    """The net layer's inputs through simulate: the deal's but-for probability is the plants'
    own weighted by output value ((C$1.25 B x 0.5 + C$4 B x 0.2) / C$5.25 B), each slack
    layer keeps its own value, the attributable emissions are the EVs the deal adds (half of
    100,000 x 30 t), and the excess burden is (MCPF - 1) x each government's cost, with
    Ontario's payer figure counted for the provincial government."""
    import evpact
    from cases import linked_pair

    data = linked_pair(start=2030)
    data["plants"][1]["but_for"] = 0.2
    data["deals"][0]["incentives"][1]["payer"] = {"ontario": 1.0}
    data["additionality"] = {
        "but_for": 0.5,
        "slack": {"direct": 0.1, "indirect": 0.2, "induced": 0.3},
        "in_migration": 0.25,
        "ev_adoption_added": 0.5,
        "mcpf": {"federal": 1.1, "ontario": 1.4},
    }
    data["emissions"] = {
        "vehicle_lifetime_km": 200_000.0,
        "gasoline_car_lifecycle_g_per_km": 250.0,
        "bev_lifecycle_g_per_km": 100.0,
    }
    s = evpact.simulate(write_scenario(data), draws=2, seed=1).scenario.isel(draw=0)
    np.testing.assert_allclose(s["but_for"], (1.25e9 * 0.5 + 4e9 * 0.2) / 5.25e9, rtol=1e-8)
    for layer, slack in (("direct", 0.1), ("indirect", 0.2), ("induced", 0.3)):
        assert float(s[f"slack_{layer}"]) == slack
    assert float(s["in_migration"]) == 0.25
    np.testing.assert_allclose(s["co2e_avoided_attributable_t"], 100_000 * 0.5 * 30, rtol=1e-8)
    credit = CREDIT_USD * 10e6 * FX  # federal (the default payer)
    grant = np.array([1e8, 0, 0, 0, 0])  # Ontario's
    np.testing.assert_allclose(s["excess_burden"], 0.1 * credit + 0.4 * grant, rtol=1e-8)


def test_metrics_units_and_kinds_are_stated() -> None:
    """Every metric has a unit from the known set, a kind (impact or level) and a
    description; money is in dollars of the price year (CAD_2026) or nominal."""
    import evpact

    r = evpact.simulate("canada-korea-2026", draws=4, seed=1)
    units = {
        "CAD_2026", "CAD_nominal", "jobs", "share", "year", "GWh", "vehicles", "HHI", "pp",
        "ratio", "t", "tCO2e", "evs_per_port", "CAD_2026_per_resident",
        "scale",  # a multiple of the deal's support as written (the firms' zone, labels.py)
    }  # fmt: skip
    for name, m in r.metrics.items():
        assert m.unit in units, (name, m.unit)
        assert m.kind in ("impact", "level"), (name, m.kind)
        assert m.description and "XX" not in m.description, name
    assert r.metrics["tax_revenue_npv"].unit == "CAD_2026"
    assert r.metrics["chain_hhi_max"].unit == "HHI"
    assert r.metrics["local_absorption_share"].kind == "level"
    assert r.metrics["gdp_cumulative"].description == "GDP over the horizon"


def test_ledger_chart_of_accounts_by_hand() -> None:
    """The ledger's lines, the aggregates they add to and the row each line lands in, counted
    by hand from the fiscal design (DESIGN.md: each public flow once, for the government that
    pays or receives it). Built once at import, so the builders are called here again."""
    from evpact.engine import ledger

    lines = ledger._lines()
    keys = [ln.key for ln in lines]
    assert len(set(keys)) == len(keys)
    per_gov = {g: [ln for ln in lines if ln.government == g] for g in ("federal", "provincial")}
    # federal: 3 outlays, 3 refundable ITCs, ZETM rate + 2 foregone, 3 taxes x 3 layers,
    # surtax and remission, interest; provincial: 3 outlays, its ITC, 2 foregone,
    # 4 taxes (with production taxes) x 3 layers, interest
    assert (len(per_gov["federal"]), len(per_gov["provincial"])) == (21, 19)
    for key in (
        "federal.revenue.cit.direct",
        "provincial.revenue.production_taxes.induced",
        "federal.revenue.customs_surtax",
        "federal.foregone_revenue.zetm_rate",
        "provincial.refundable_credit.itc_declared",
        "federal.debt_service.interest",
        "provincial.debt_service.interest",
    ):
        assert key in keys, key
    assert "federal.revenue.production_taxes.direct" not in keys
    # every instrument an incentive books (simulate.INSTRUMENT) has a line for both payers
    from evpact.engine.simulate import INSTRUMENT

    for g in ("federal", "provincial"):
        for instrument in INSTRUMENT.values():
            category = "refundable_credit" if instrument == "itc_declared" else "outlay"
            assert f"{g}.{category}.{instrument}" in keys, (g, instrument)
    assert {ln.category for ln in lines} == {
        "outlay", "refundable_credit", "foregone_revenue", "revenue", "debt_service",
    }  # fmt: skip

    names, w = ledger.weights()
    assert list(names[:7]) == [
        "federal.cost", "federal.revenue.plant", "federal.revenue.supply_chain",
        "federal.revenue.total", "federal.tax_expenditure", "federal.foregone_revenue",
        "federal.debt_service",
    ]  # fmt: skip
    assert len(names) == 14 and names[7] == "provincial.cost"
    col = dict(zip(names, w.T, strict=True))
    # revenue per scope: the layered taxes in it plus the unlayered customs lines (federal)
    counts = {
        "federal.cost": 6, "federal.revenue.plant": 3 + 2, "federal.revenue.supply_chain": 6 + 2,
        "federal.revenue.total": 9 + 2, "federal.tax_expenditure": 3 + 3,
        "federal.foregone_revenue": 3, "federal.debt_service": 1,
        "provincial.cost": 4, "provincial.revenue.plant": 4, "provincial.revenue.supply_chain": 8,
        "provincial.revenue.total": 12, "provincial.tax_expenditure": 1 + 2,
        "provincial.foregone_revenue": 2, "provincial.debt_service": 1,
    }  # fmt: skip
    assert {n: int(c.sum()) for n, c in col.items()} == counts
    assert set(np.unique(w)) == {0.0, 1.0}

    first, second = ledger._targets()
    at = {ln.key: i for i, ln in enumerate(lines)}
    row = {n: i for i, n in enumerate(names)}
    expect = {
        "federal.outlay.capital_grant": "federal.cost",
        "federal.refundable_credit.itc_ctm": "federal.cost",
        "federal.revenue.cit.direct": "federal.revenue.plant",
        "federal.revenue.customs_surtax": "federal.revenue.plant",
        "provincial.revenue.labour.indirect": "provincial.revenue.supply_chain",
        "provincial.revenue.sales_tax.induced": "provincial.revenue.total",
        "federal.debt_service.interest": "federal.debt_service",
        "provincial.foregone_revenue.accelerated_cca": "provincial.foregone_revenue",
    }
    for key, target in expect.items():
        assert first[at[key]] == row[target], key
    assert len(first) == len(lines)  # every line lands in exactly one row as it arrives
    assert {lines[i].key for i in second} == {
        "federal.refundable_credit.itc_declared", "federal.refundable_credit.itc_ctm",
        "federal.refundable_credit.itc_evsc", "provincial.refundable_credit.itc_declared",
    }  # fmt: skip
    assert all(names[j].endswith(".tax_expenditure") for j in second.values())
    assert (
        second[at["provincial.refundable_credit.itc_declared"]] == row["provincial.tax_expenditure"]
    )


def test_ledger_conventions_name_every_choice() -> None:
    """What a run says about how it counted public money: each fiscal choice of the scenario
    under its own key, the NPV base year the price year, and the rule packs by name."""
    from evpact.engine import ledger
    from evpact.scenario.load import load_scenario

    s = load_scenario("canada-korea-2026")
    c = ledger.conventions(s)
    f = s.fiscal
    assert c == {
        "balance": f.balance,
        "price_basis": f.price_basis,
        "production_basis": f.production_basis,
        "price_year": s.price_year,
        "npv_base_year": s.price_year,
        "statutory_credits": f.statutory_credits,
        "debt_service": f.debt_service,
        "fiscal_rules": [p.name for p in ledger.fiscal_packs(s)],
    }
    assert c["price_year"] == c["npv_base_year"] == 2026
    assert c["fiscal_rules"] and all(isinstance(n, str) and n for n in c["fiscal_rules"])


def test_waterfall_steps_add_up_per_draw_and_vanish_at_their_limits() -> None:
    """The gross-to-net steps (metrics.waterfall, §6b): per draw they add up to the net public
    benefit; gross GDP, cost and burden are the discounted scenario-minus-counterfactual sums
    by hand; and each step that removes a factor is zero when that factor is neutral (all
    built because of the deal, no slack displaced, no in-migration)."""
    import evpact
    from evpact.metrics import LAYERS, METRIC_INPUTS, waterfall

    r = evpact.simulate("canada-korea-2026", draws=6, seed=5)
    s = {n: np.asarray(r.scenario[n].values, dtype=float) for n in METRIC_INPUTS}
    c = {n: np.asarray(r.counterfactual[n].values, dtype=float) for n in METRIC_INPUTS}
    years = np.asarray(r.scenario["year"].values, dtype=float)
    w = waterfall(s, c, years)
    np.testing.assert_allclose(
        sum(w.values()), r.metrics["net_public_benefit_npv"].values, rtol=1e-9, atol=1.0
    )
    disc = (1.0 + s["discount_rate"][:, None]) ** -(years - years[0])

    def pv(name: str) -> Any:
        return ((s[name] - c[name]) * disc).sum(axis=1)

    np.testing.assert_allclose(w["gdp"], sum(pv(f"gdp_{k}") for k in LAYERS), rtol=1e-9)
    np.testing.assert_allclose(
        w["non_labour"], sum(pv(f"labour_income_{k}") for k in LAYERS) - w["gdp"], rtol=1e-9
    )
    np.testing.assert_allclose(w["cost"], -pv("public_cost"), rtol=1e-9)
    np.testing.assert_allclose(w["burden"], -pv("excess_burden"), rtol=1e-9)
    assert np.all(w["cost"] < 0) and np.all(w["gdp"] > 0)
    assert np.any(w["built_anyway"] != 0) and np.any(w["displaced"] != 0)

    d = s["in_migration"].shape  # (draw,); but_for is (draw, year)
    neutral = {**s, "but_for": np.ones_like(s["but_for"]), "in_migration": np.zeros(d)}
    neutral.update({f"slack_{k}": np.ones(d) for k in LAYERS})
    w0 = waterfall(neutral, c, years)
    for step in ("built_anyway", "displaced", "migrants"):
        np.testing.assert_allclose(w0[step], 0.0, atol=1e-6, err_msg=step)
    np.testing.assert_allclose(w0["gdp"], w["gdp"], rtol=1e-12)


def test_emission_metrics_are_the_summed_differences_and_attributable_needs_adoption() -> None:
    """The three emission metrics, by name: cumulative manufacturing and vehicle-built
    emissions are the scenario-minus-counterfactual sums over the years; the attributable
    avoided emissions are zero unless the deal adds EV adoption, and then the summed
    difference of the attributable series (metrics.environment)."""
    import evpact

    def summed(r: Any, name: str) -> Any:
        return (r.scenario[name].values - r.counterfactual[name].values).sum(axis=1)

    plain = evpact.simulate("canada-korea-2026", draws=4, seed=2)
    added = evpact.simulate(
        "canada-korea-2026", draws=4, seed=2, variant={"additionality.ev_adoption_added": 0.3}
    )
    for r in (plain, added):
        for metric, series in (
            ("co2e_manufacturing_cumulative", "co2e_manufacturing_t"),
            ("co2e_avoided_by_vehicles_built", "co2e_avoided_t"),
            ("co2e_avoided_cumulative", "co2e_avoided_attributable_t"),
        ):
            np.testing.assert_allclose(r.metrics[metric].values, summed(r, series), rtol=1e-9)
    assert np.all(plain.metrics["co2e_avoided_cumulative"].values == 0)
    assert np.all(added.metrics["co2e_avoided_cumulative"].values > 0)
    assert np.all(plain.metrics["co2e_manufacturing_cumulative"].values > 0)


def test_crown_total_support_is_both_governments_cost_plus_foregone_revenue_by_hand() -> None:
    """The budget office's total support (ledger_metrics): public cost of both governments plus
    the revenue foregone through preferences, each discounted; computed here on a ledger of
    known rows (one draw, three years, disc 1, 0.5, 0.25)."""
    from evpact.engine.ledger import WEIGHTS
    from evpact.ledger_metrics import crown_metrics

    names = list(WEIGHTS[0])
    ts = np.zeros((1, len(names), 3))
    tc = np.zeros_like(ts)
    rows = {
        "federal.cost": [100.0, 40.0, 0.0],
        "provincial.cost": [60.0, 0.0, 20.0],
        "federal.foregone_revenue": [0.0, 8.0, 8.0],
        "provincial.foregone_revenue": [4.0, 0.0, 0.0],
        "federal.tax_expenditure": [10.0, 0.0, 0.0],
        "provincial.tax_expenditure": [0.0, 0.0, 4.0],
        "federal.debt_service": [0.0, 2.0, 2.0],
        "federal.revenue.total": [0.0, 50.0, 90.0],
    }
    for name, values in rows.items():
        ts[0, names.index(name)] = values
    tc[0, names.index("federal.cost")] = [10.0, 0.0, 0.0]  # spent anyway: not the deal's
    disc = np.array([[1.0, 0.5, 0.25]])
    years = np.array([2026.0, 2027.0, 2028.0])
    out = crown_metrics({"crown_totals": ts}, {"crown_totals": tc}, disc, disc, years, "CAD")
    fed_cost = 90 + 40 * 0.5  # 110
    prov_cost = 60 + 20 * 0.25  # 65
    foregone = 8 * 0.5 + 8 * 0.25 + 4  # 10
    assert out["public_cost_npv_federal"][1] == pytest.approx([fed_cost])
    assert out["public_cost_npv_provincial"][1] == pytest.approx([prov_cost])
    assert out["total_support_npv"][1] == pytest.approx([fed_cost + prov_cost + foregone])
    assert out["tax_expenditure_npv"][1] == pytest.approx([10 + 4 * 0.25])
    assert out["debt_service_npv"][1] == pytest.approx([2 * 0.5 + 2 * 0.25])
    assert out["tax_revenue_npv_federal"][1] == pytest.approx([50 * 0.5 + 90 * 0.25])
    # federal balance (total scope), discounted: -90, +5, +22.5 -> cumulative -90, -85, -62.5
    assert np.isnan(out["fiscal_breakeven_year_federal"][1][0])
    assert out["fiscal_breakeven_year_federal_reached_share"][1] == pytest.approx([0.0])


def test_firm_and_zone_metrics_by_hand() -> None:
    """The firms' joint advantage is the sum of theirs; the net benefit at the smallest
    accepted support is the net benefit as written plus the discounted change the rescaled
    support brings, NaN where no scale works; the zone exists where that is >= 0
    (firm_metrics, three draws: a zone, a scale with a loss, no scale)."""
    from evpact.firm_metrics import firm_metrics

    disc = np.array([[1.0, 0.5]] * 3)
    s = {
        "but_for": np.full((3, 2), 0.8),
        "firm_accepts": np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]),
        "firm_npv_advantage": np.array([[5.0, 7.0], [1.0, -2.0], [-3.0, -4.0]]),
        "firm_builds_anyway": np.array([[0.0, 1.0], [0.0, 0.0], [1.0, 1.0]]),
        "zopa_support_scale_min": np.array([0.5, 2.0, np.inf]),
        "zopa_benefit_change": np.array([[10.0, 10.0], [-40.0, -40.0], [0.0, 0.0]]),
    }
    net = np.array([-5.0, 20.0, 3.0])
    out = firm_metrics(s, net, disc, "CAD", ("a", "b"))
    assert out["firm_npv_advantage"][1] == pytest.approx([12.0, -1.0, -7.0])
    assert out["firm_npv_advantage_b"][1] == pytest.approx([7.0, -2.0, -4.0])
    assert out["firm_accepts_share"][1] == pytest.approx([1.0, 0.0, 0.0])
    assert out["but_for_share_a"][1] == pytest.approx([1.0, 1.0, 0.0])
    k = out["zopa_support_scale_min"][1]
    assert k[:2] == pytest.approx([0.5, 2.0]) and np.isnan(k[2])
    at = out["zopa_net_public_benefit_npv_at_min"][1]
    assert at.dtype == float
    assert at[:2] == pytest.approx([-5 + 15.0, 20 - 60.0]) and np.isnan(at[2])
    assert out["zopa_exists_share"][1] == pytest.approx([1.0, 0.0, 0.0])
    # a zone that leaves the net benefit exactly at zero still exists (>= 0, not > 0)
    edge = {**{key: v[:1] for key, v in s.items()}, "zopa_benefit_change": np.array([[10.0, 0.0]])}
    out = firm_metrics(edge, np.array([-10.0]), disc[:1], "CAD", ("a", "b"))
    assert out["zopa_net_public_benefit_npv_at_min"][1] == pytest.approx([0.0])
    assert out["zopa_exists_share"][1] == pytest.approx([1.0])


def test_minerals_of_a_chemistry_mix_given_by_year_are_interpolated(write_scenario: Any) -> None:
    """A mix given by year moves linearly between its years and holds flat outside them
    (compile.mineral_intensity): all NMC811 in 2031 to all LFP in 2033 gives, for 10 GWh a
    year, lithium from 1,000 t (0.1 kg/kWh) to 910 t (0.091) and nickel from 6,580 t to none."""
    import evpact
    from cases import one_cell_plant

    data = one_cell_plant(chemistry={2031: {"NMC811": 1.0}, 2033: {"LFP": 1.0}})
    r = evpact.simulate(write_scenario(data), draws=2, seed=1)
    s = r.scenario.isel(draw=0)
    years = s["year"].values
    assert years[0] < 2031 and years[-1] > 2033  # a year held flat on each side
    step = np.clip((years - 2031) / 2.0, 0.0, 1.0)
    np.testing.assert_allclose(s["mineral_lithium_t"], 1e4 * (0.1 + (0.091 - 0.1) * step))
    np.testing.assert_allclose(s["mineral_nickel_t"], 1e4 * 0.658 * (1 - step), atol=1e-9)


def test_revenue_per_labour_dollar_is_the_ledgers_labour_and_sales_tax_per_income_dollar() -> None:
    """The rate the net layer takes off a worker who already had a job (ledger.
    revenue_per_labour_dollar) is what the Crown ledger collects per dollar of the plants'
    direct labour income: income and payroll taxes plus sales tax on the spending, both
    governments (the ledger's own lines, draw by draw)."""
    import evpact
    from evpact.engine.ledger import LINES

    # a seed of its own: mutmut maps tests to functions by what they call, and a run another
    # test already made (reuse's caches) would hide the call
    r = evpact.simulate("canada-korea-2026", draws=3, seed=29)
    lines = r.scenario["crown_ledger"].values  # (draw, line, year)
    keys = [ln.key for ln in LINES]
    collected = sum(
        lines[:, keys.index(f"{g}.revenue.{t}.direct")]
        for g in ("federal", "provincial")
        for t in ("labour", "sales_tax")
    )
    income = r.scenario["labour_income_direct"].values
    paid = income > 0
    assert paid.sum() > 10
    rate = r.scenario["labour_revenue_rate"].values
    np.testing.assert_allclose(rate[paid], collected[paid] / income[paid], rtol=1e-9)
    assert np.all((rate > 0.1) & (rate < 0.6))  # a plausible combined rate on labour income


def test_crown_lines_add_up_to_the_aggregates_with_several_plants() -> None:
    """The ledger's lines (each flow once, for the government that pays or receives it) summed
    through the aggregate weights are the aggregates the metrics read, draw by draw and year
    by year, in a scenario whose two plants both pay into the same lines (corporate and
    labour taxes), so a line that kept only one plant's flow would show."""
    import evpact
    from evpact.engine.ledger import WEIGHTS

    r = evpact.simulate("canada-korea-2026", draws=3, seed=4)
    assert len(r.scenario_model.plants) >= 2
    lines = r.scenario["crown_ledger"].values  # (draw, line, year)
    totals = r.scenario["crown_totals"].values  # (draw, aggregate, year)
    np.testing.assert_allclose(
        np.einsum("dlt,la->dat", lines, WEIGHTS[1]), totals, rtol=1e-9, atol=1e-3
    )
    assert np.abs(totals).max() > 1e8  # real money flows through both


def _charging_run(write_scenario: Any, feedback: bool) -> Any:
    import evpact
    from cases import one_cell_plant

    data = one_cell_plant()
    data["market"]["charging"] = {
        "feedback": feedback, "public_ports": 1000, "ports_added_per_year": 0,
        "target_evs_per_port": 100, "elasticity": 1.0, "scrappage_rate": 0.0,
    }  # fmt: skip
    return evpact.simulate(write_scenario(data), draws=2, seed=1).scenario.isel(draw=0)


def test_charging_feedback_switch_reaches_the_ev_stock(write_scenario: Any) -> None:
    """``market.charging.feedback`` reaches the engine (mechanism 8c): without it the home
    stock grows by sales x share (10^6 x 0.5) a year; with it, from the second year, by that
    times target / (EVs per port last year) (1,000 ports, target 100, elasticity 1)."""
    off = _charging_run(write_scenario, False)
    np.testing.assert_allclose(np.diff(off["ev_stock"].values), 5e5, rtol=1e-12)
    on = _charging_run(write_scenario, True)
    stock, per_port = on["ev_stock"].values, on["evs_per_public_port"].values
    np.testing.assert_allclose(per_port, stock / 1000.0, rtol=1e-12)
    assert stock[0] == pytest.approx(off["ev_stock"].values[0], rel=1e-12)  # no lag yet
    want = 5e5 * np.minimum(1.0, 100.0 / per_port[:-1])
    assert np.all(want < 5e5 / 10)  # the shortage binds hard: over 1,000 EVs a port
    np.testing.assert_allclose(np.diff(stock), want, rtol=1e-9)


def test_ledger_rescales_the_packs_rates_to_the_fiscal_overrides() -> None:
    """``fiscal.labour_tax_rate`` rescales both governments' labour revenue so that they sum to
    it (their lines are then exactly 30% of direct labour income); ``corporate_tax_rate``
    rescales both corporate rates by rate / (federal 15% + Ontario 10%), so every CIT line
    (general, ZETM, accelerated CCA) is 0.20 / 0.25 of the packs' own, draw by draw on the
    same random numbers (engine.ledger.crown and revenue_per_labour_dollar)."""
    import evpact
    from evpact.engine.ledger import LINES

    keys = [ln.key for ln in LINES]
    packs = evpact.simulate("canada-korea-2026", draws=3, seed=5)
    own = evpact.simulate(
        "canada-korea-2026",
        draws=3,
        seed=5,
        variant={"fiscal.labour_tax_rate": 0.3, "fiscal.corporate_tax_rate": 0.2},
    )
    before, after = packs.scenario["crown_ledger"].values, own.scenario["crown_ledger"].values
    income = own.scenario["labour_income_direct"].values
    np.testing.assert_array_equal(income, packs.scenario["labour_income_direct"].values)
    paid = income > 0
    assert paid.sum() > 10
    labour = sum(after[:, keys.index(f"{g}.revenue.labour.direct")] for g in GOVS)
    np.testing.assert_allclose(labour[paid] / income[paid], 0.3, rtol=1e-12)
    # the rate the net layer uses is rescaled the same way: it is still what the ledger's
    # lines collect per dollar of income (labour taxes plus sales tax on what is left)
    rate = own.scenario["labour_revenue_rate"].values
    collected = labour + sum(after[:, keys.index(f"{g}.revenue.sales_tax.direct")] for g in GOVS)
    np.testing.assert_allclose(rate[paid], collected[paid] / income[paid], rtol=1e-9)
    assert np.all(rate[paid] > 0.3)
    cit = [k for k in keys if ".revenue.cit." in k or k.endswith(("accelerated_cca", "zetm_rate"))]
    assert len(cit) == 9
    for k in cit:
        i = keys.index(k)
        assert np.abs(before[:, i]).max() > 1e5, k  # a real flow
        np.testing.assert_allclose(after[:, i], 0.8 * before[:, i], rtol=1e-9, atol=1e-2)


GOVS = ("federal", "provincial")


def test_zone_metric_at_the_smallest_scale_is_the_only_impact_of_the_firms() -> None:
    """The net public benefit at the zone's smallest scale is scenario minus counterfactual
    (an impact); the firms' advantages, decisions and scales are levels of the scenario."""
    import evpact

    r = evpact.simulate("canada-korea-2026", draws=4, seed=1)
    firm = [n for n in r.metrics if n.startswith(("firm_", "zopa_", "but_for_share"))]
    assert "zopa_net_public_benefit_npv_at_min" in firm and len(firm) > 5
    for name in firm:
        want = "impact" if name == "zopa_net_public_benefit_npv_at_min" else "level"
        assert r.metrics[name].kind == want, name


def test_learning_base_without_home_cell_plants_is_one_gwh(write_scenario: Any) -> None:
    """Learning starts from one year of the home cell plants' nameplate (10 GWh here), and
    from a floor of 1 GWh when the country has none (a US plant's capacity is not home
    experience), so the experience curve never starts at zero."""
    from cases import one_cell_plant
    from evpact.engine.compile import compile_scenario
    from evpact.scenario.load import load_scenario

    data = one_cell_plant()
    data["economy"]["learning"] = {"rate": 0.1}
    start = "economy.learning.initial_experience_gwh"
    home = compile_scenario(load_scenario(write_scenario(data))).inputs[start]
    assert float(home.central) == 10.0
    data["plants"][0]["region"] = "US-MI"
    abroad = compile_scenario(load_scenario(write_scenario(data, "us"))).inputs[start]
    assert float(abroad.central) == 1.0


def test_rule_pack_given_by_a_path_beside_the_scenario(tmp_path: Any) -> None:
    """A rule pack named by a path relative to the scenario's folder is found there, by the
    trade compile step, the firms' 45X law and the Crown ledger's fiscal packs alike (in the
    scenario and in its bundled counterfactual): copies of the bundled packs under ``rules/``
    give the bundled run's numbers exactly, every metric included."""
    import shutil
    from pathlib import Path

    import yaml

    import evpact
    from evpact.engine.ledger import fiscal_packs
    from evpact.scenario.load import load_scenario
    from evpact.scenario.rules import bundled_rules

    base = load_scenario("canada-korea-2026")
    raw = base.model_dump(mode="json", by_alias=True, exclude_none=True)
    (tmp_path / "rules").mkdir()
    rules = list(raw["trade"]["rules"])
    for i, name in enumerate(rules):
        shutil.copy(bundled_rules()[name], tmp_path / "rules" / f"copy-{name}.yaml")
        rules[i] = f"rules/copy-{name}.yaml"
    raw["trade"]["rules"] = rules
    fiscal = [pack.name for pack in fiscal_packs(base)]  # the defaults, spelled out as paths
    for name in fiscal:
        shutil.copy(bundled_rules()[name], tmp_path / "rules" / f"copy-{name}.yaml")
    raw.setdefault("fiscal", {})["rules"] = [f"rules/copy-{name}.yaml" for name in fiscal]
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert not (Path.cwd() / rules[0]).exists()  # only the scenario's folder has it
    moved = evpact.simulate(path, draws=3, seed=2)
    bundled = evpact.simulate("canada-korea-2026", draws=3, seed=2)
    assert len(fiscal) == 2 and moved.summary_dict()["metrics"] == bundled.summary_dict()["metrics"]
    for name in ("us_tariff_cost_cad", "firm_npv_advantage", "vehicles_usmca_qualifying"):
        np.testing.assert_array_equal(moved.scenario[name].values, bundled.scenario[name].values)


def _refusal_cases() -> dict[str, tuple[dict[str, Any], str, tuple[str, ...]]]:
    """Scenarios the compile step refuses: (scenario, the field named, words the message must
    hold: the bad value and what would be accepted)."""
    from cases import linked_pair, one_cell_plant

    cases: dict[str, tuple[dict[str, Any], str, tuple[str, ...]]] = {}
    d = one_cell_plant(archetype="nope")
    cases["archetype"] = (d, "plants.cells.archetype", ("unknown archetype 'nope'", "cell-north"))
    d = one_cell_plant()
    d["deals"][0]["incentives"][0]["schedule"] = "nope"
    cases["schedule"] = (
        d, "deals.deal.incentives.0.schedule", ("unknown schedule 'nope'", "us-45x"),
    )  # fmt: skip
    d = one_cell_plant()
    d["deals"][0]["incentives"].append(
        {"kind": "investment_tax_credit", "plant": "cells", "schedule": "nope"}
    )
    cases["itc"] = (
        d, "deals.deal.incentives.2.schedule", ("tax credit schedule 'nope'", "ca_ctm_itc_rate"),
    )  # fmt: skip
    d = one_cell_plant()
    d["mineral_projects"] = [
        {"id": "m", "mineral": m, "tonnes_per_year": 100.0, "start": 2031}
        for m in ("lithium", "nickel")
    ]
    cases["minerals"] = (d, "mineral_projects", ("must be unique", "['m', 'm']"))
    d = one_cell_plant()
    d["plants"].append({**d["plants"][0], "id": "mods", "kind": "module"})
    d["deals"][0]["plants"].append("mods")
    d["deals"][0]["supply"] = [
        {"from": "cells", "to": "mods", "share": 1.0},
        {"from": "mods", "to": "cells", "share": 1.0},
    ]
    cases["cycle"] = (d, "deals", ("form a cycle", "['cells', 'mods']"))
    d = linked_pair()
    d["plants"].append({**d["plants"][0], "id": "cells2"})
    d["deals"][0]["plants"].append("cells2")
    d["deals"][0]["supply"].append({"from": "cells2", "to": "cars", "share": 0.5})
    cases["over_one"] = (d, "deals", ("up to 1.5 of plant 'cars'", "at most 1"))
    d = one_cell_plant()
    d["deals"][0]["incentives"][1]["year"] = 2040
    cases["year"] = (d, "deals.deal.incentives.1.year", ("year 2040", "horizon 2030-2034"))
    d = one_cell_plant()
    d["economy"]["multipliers"]["battery_cells"]["foo"] = 1.0
    cases["measure"] = (
        d, "economy.multipliers.battery_cells", ("unknown measure 'foo'", "jobs_type1"),
    )  # fmt: skip
    d = one_cell_plant()
    d["economy"]["multipliers"]["nope"] = d["economy"]["multipliers"]["battery_cells"]
    cases["industry"] = (d, "economy.multipliers", ("unknown industry 'nope'", "battery_cells"))
    d = one_cell_plant(chemistry={"NMC812": 1.0})
    cases["chemistry"] = (
        d, "plants.cells.chemistry", ("unknown chemistry 'NMC812'", "did you mean 'NMC811'", "LFP"),
    )  # fmt: skip
    d = one_cell_plant()
    d["correlations"] = [
        {"inputs": ["nope.a", "economy.factory_gate_share"], "matrix": [[1, 0.5], [0.5, 1]]}
    ]
    cases["correlation"] = (
        d, "correlations.0.inputs", ("'nope.a' is not an input", "economy.factory_gate_share"),
    )  # fmt: skip
    d = one_cell_plant()
    d["fiscal"]["rules"] = ["ca-fiscal-2042"]
    cases["fiscal_rules"] = (
        d, "fiscal.rules", ("unknown rule pack 'ca-fiscal-2042'", "did you mean 'ca-fiscal-2024'"),
    )  # fmt: skip
    return cases


@pytest.mark.parametrize("case", sorted(_refusal_cases()))
def test_compile_refusals_name_the_field_the_value_and_the_choices(case: str) -> None:
    """A scenario the engine cannot build is refused with the field at fault (the path a user
    finds in the YAML), the bad value and what would be accepted: in process, so the text is
    the engine's own (the CLI tests see it only through a subprocess)."""
    from evpact.engine.compile import compile_scenario
    from evpact.errors import EvpactError
    from evpact.scenario.load import validate

    data, path, words = _refusal_cases()[case]
    with pytest.raises(EvpactError) as refused:
        compile_scenario(validate(data, "case.yaml"))
    assert refused.value.path == path
    for word in words:
        assert word in str(refused.value), word


def test_company_plan_builds_an_assembly_plant_at_capacity_whatever_the_demand(
    write_scenario: Any,
) -> None:
    """On the company-plan basis an assembly plant builds its announced capacity (100,000
    vehicles from 2032) although its home market takes only 10^6 x 0.5 EV share x 0.1 group
    share = 50,000 a year, which is what it builds on the market basis."""
    import evpact
    from cases import linked_pair

    built = {}
    for basis in ("market", "company_plan"):
        data = linked_pair()
        data["market"]["regions"]["CA"]["group_share"] = {"G": 0.1}
        data["fiscal"]["production_basis"] = basis
        r = evpact.simulate(write_scenario(data, basis), draws=2, seed=1)
        built[basis] = r.scenario["vehicles_assembled"].values
    want = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
    np.testing.assert_allclose(built["market"], np.tile(5e4 * want, (2, 1)), rtol=1e-6)
    np.testing.assert_allclose(built["company_plan"], np.tile(1e5 * want, (2, 1)), rtol=1e-6)


def test_an_assembly_plant_selling_only_abroad_builds_for_that_market(write_scenario: Any) -> None:
    """A home assembly plant whose only market is the US builds what its group sells there
    (10^7 x 0.2 EV share x 0.01 group share = 20,000 vehicles a year from 2032) and adds
    nothing to the home-built vehicles of its group."""
    import evpact
    from cases import linked_pair

    data = linked_pair(markets={"US": 1.0})
    data["market"]["regions"]["US"]["group_share"] = {"G": 0.01}
    r = evpact.simulate(write_scenario(data), draws=2, seed=1)
    np.testing.assert_allclose(
        r.scenario["vehicles_assembled"].values, [[0, 0, 2e4, 2e4, 2e4]] * 2, rtol=1e-9
    )


def test_us_duty_on_cells_falls_on_a_home_plant_not_on_a_us_plant(write_scenario: Any) -> None:
    """With batteries at the 25% parts rate (the what-if pack that ends the parts exemption)
    and a US price elasticity of 1, a plant in Ontario selling 10 GWh to a US buyer keeps
    10 x (1 - 1 x 25%) = 7.5 GWh of the contract and pays 7.5 x 10^6 kWh x US$100 x 1.25 x 0.25
    = C$234.4M a year of US duty; the same plant in Michigan sells at home: all 10 GWh, no
    duty."""
    import evpact
    from cases import one_cell_plant

    duty, made = {}, {}
    for region in ("CA-ON", "US-MI"):
        buyer = {"customer": "storage", "region": "US", "share": 1.0, "follows_ev_market": False}
        data = one_cell_plant(region=region, offtake=[buyer])
        data["market"]["regions"]["US"] = {
            "lv_sales": {"table": {2030: 1.0e7}},
            "ev_share": {"table": {2030: 0.2}},
            "price_elasticity": 1.0,
        }
        data["trade"] = {"rules": ["usmca-2020", "us-232-2025", "whatif-parts-exemption-ends"]}
        r = evpact.simulate(write_scenario(data, region), draws=2, seed=1)
        duty[region] = r.scenario["us_tariff_cost_cad"].values
        made[region] = r.scenario["plant_output"].values[:, 0, 1:]  # GWh
    np.testing.assert_allclose(made["CA-ON"], 7.5, rtol=1e-9)
    np.testing.assert_allclose(duty["CA-ON"], 7.5e6 * 100 * 1.25 * 0.25, rtol=1e-6)
    np.testing.assert_allclose(made["US-MI"], 10.0, rtol=1e-9)
    np.testing.assert_array_equal(duty["US-MI"], 0.0)


def test_labour_override_over_packs_without_labour_taxes_collects_none() -> None:
    """``fiscal.labour_tax_rate`` rescales the packs' labour rates; packs with none (both 0)
    have nothing to rescale, so labour revenue stays 0 (not 0 x inf) and the rate per labour
    dollar is the sales tax on what households spend: (5% + 8%) x 0.8 x 0.5 = 0.052."""
    from dataclasses import replace

    from evpact.engine.compile import compile_scenario
    from evpact.engine.ledger import revenue_per_labour_dollar
    from evpact.scenario.load import load_scenario

    spec = compile_scenario(load_scenario("canada-korea-2026")).ledger
    assert spec is not None
    given = {
        "ca_federal_labour_revenue_rate": 0.0, "ca_provincial_labour_revenue_rate": 0.0,
        "ca_gst_rate": 0.05, "ca_provincial_sales_tax_rate": 0.08,
        "spending_share_of_after_tax_income": 0.8, "taxable_share_of_spending": 0.5,
        "override": 0.3,
    }  # fmt: skip
    keys = {**{k: n for n, k in spec.rates.items()}, **{k: n for n, k in spec.figures.items()}}

    def v(key: str) -> Any:
        return np.full((2, 1), given.get(keys.get(key, key), 0.0))

    rate = revenue_per_labour_dollar(replace(spec, labour_scale="override"), v)
    np.testing.assert_allclose(rate, 0.13 * 0.4, rtol=1e-12)
    given["ca_federal_labour_revenue_rate"] = 0.1  # some to rescale: 0.3 + 0.7 x 0.052
    rate = revenue_per_labour_dollar(replace(spec, labour_scale="override"), v)
    np.testing.assert_allclose(rate, 0.3 + 0.7 * 0.052, rtol=1e-12)


def test_rvc_margin_and_qualifying_share_count_home_assembly_plants_only() -> None:
    """A US assembly plant has no RVC margin (NaN) and its vehicles are not home-assembled:
    the scenario's margin is the home plant's production-weighted one, (100 x 5 + 300 x 7) /
    400 = 6.5 pp, and the qualifying share is over the home plant's 400 vehicles (metrics.
    trade)."""
    from evpact.metrics import trade

    zero = np.zeros((1, 2))
    flows = {
        k: zero for k in ("us_tariff_cost_cad", "ca_counter_tariff_cad", "remission_value_cad")
    }
    s = {
        "assembly_rvc_margin_pp": np.array([[[5.0, 7.0], [np.nan, np.nan]]]),
        "assembly_vehicles": np.array([[[100.0, 300.0], [1000.0, 1000.0]]]),
        "vehicles_usmca_qualifying": np.array([[100.0, 200.0]]),
        **flows,
    }
    out = trade(s, flows, "CAD_2026")
    assert out["rvc_margin"].values[0] == pytest.approx(6.5)
    assert out["usmca_qualifying_share"].values[0] == pytest.approx(300 / 400)


def test_cumulative_fiscal_balance_is_revenue_less_public_cost_summed_over_years() -> None:
    """``fiscal_balance_cumulative``: both governments' revenue less public cost, scenario
    minus counterfactual, summed over the years undiscounted, draw by draw."""
    import evpact

    r = evpact.simulate("canada-korea-2026", draws=3, seed=7)
    s, c = r.scenario, r.counterfactual
    revenue = (s["tax_total"] - c["tax_total"]).sum("year").values
    cost = (s["public_cost"] - c["public_cost"]).sum("year").values
    assert np.all(cost > 0) and np.all(revenue > 0)
    got = r.metrics["fiscal_balance_cumulative"].values
    np.testing.assert_allclose(got, revenue - cost, rtol=1e-9)


def test_a_deal_without_public_cost_has_no_ratio_and_no_cost_per_job(write_scenario: Any) -> None:
    """With no incentives and no statutory credits the public cost is 0: the benefit-cost
    ratio and the cost per job are undefined (NaN), not infinite or zero, although the plant
    adds jobs (metrics.net_metrics)."""
    import evpact
    from cases import one_cell_plant

    data = one_cell_plant()
    data["deals"][0]["incentives"] = []
    r = evpact.simulate(write_scenario(data), draws=2, seed=1)
    assert np.all(r.metrics["public_cost_npv"].values == 0.0)
    assert np.all(r.metrics["total_jobs_peak"].values > 0)
    assert np.all(r.metrics["net_jobs_peak"].values > 0)
    for name in ("benefit_cost_ratio", "benefit_cost_ratio_gross"):
        assert np.all(np.isnan(r.metrics[name].values)), name
    for name in ("public_cost_per_job", "public_cost_per_net_job"):
        assert np.all(np.isnan(r.metrics[name].values)), name


def test_compiled_models_of_the_same_text_in_two_folders_are_kept_apart(tmp_path: Any) -> None:
    """The compile cache keys a model by the scenario's folder too: the same YAML in two
    folders whose ``rules/battery.yaml`` differ (batteries at the 25% parts rate, or no duty
    at all) gives each folder's duty on 10 GWh of cells sold to the US (C$312.5M a year, 0),
    not the model compiled first (engine.reuse)."""
    import shutil

    import yaml

    import evpact
    from cases import one_cell_plant
    from evpact.scenario.rules import bundled_rules

    buyer = {"customer": "storage", "region": "US", "share": 1.0, "follows_ev_market": False}
    data = one_cell_plant(offtake=[buyer])
    data["market"]["regions"]["US"] = {
        "lv_sales": {"table": {2030: 1.0e7}},
        "ev_share": {"table": {2030: 0.2}},
    }
    data["trade"] = {"rules": ["usmca-2020", "us-232-2025", "rules/battery.yaml"]}
    duty = {}
    for folder, pack in (("dutiable", "whatif-parts-exemption-ends"), ("free", "no-tariffs")):
        (tmp_path / folder / "rules").mkdir(parents=True)
        shutil.copy(bundled_rules()[pack], tmp_path / folder / "rules" / "battery.yaml")
        path = tmp_path / folder / "scenario.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        r = evpact.simulate(path, draws=2, seed=1)
        duty[folder] = r.scenario["us_tariff_cost_cad"].values
    np.testing.assert_allclose(duty["dutiable"], 1e7 * 100 * 1.25 * 0.25, rtol=1e-6)
    np.testing.assert_array_equal(duty["free"], 0.0)


def test_a_mineral_project_of_uncertain_size_adds_each_draws_own_tonnes(
    write_scenario: Any,
) -> None:
    """A nickel project whose yearly tonnes are uncertain (triangular 1,000-2,000-4,000 t),
    starting in 2032 without a ramp, adds in each draw 3 years (2032-2034) x that draw's
    tonnes to the home production over the horizon: a (draw, year) path summed draw by draw
    (``simulate._over_years``), on top of the bundled production's own total."""
    from cases import one_cell_plant
    from evpact.engine.compile import MINERALS, compile_scenario
    from evpact.engine.simulate import simulate
    from evpact.scenario.load import load_scenario
    from evpact.uncertainty.sampling import sample

    data = one_cell_plant()
    data["mineral_projects"] = [
        {
            "id": "mine",
            "mineral": "nickel",
            "tonnes_per_year": {"triangular": [1000.0, 2000.0, 4000.0]},
            "start": 2032,
        }
    ]
    model = compile_scenario(load_scenario(str(write_scenario(data))))
    x = sample(model.inputs, 3, 0, 4)
    tonnes = np.asarray(x["mineral_projects.mine.tonnes_per_year"]).reshape(-1)
    assert tonnes.shape == (4,) and np.unique(tonnes).size == 4  # one size per draw
    home = np.broadcast_to(x["minerals.production.nickel"], (4, 5)).sum(axis=1)
    got = simulate(model, x, 4)["mineral_production_cumulative_t"]
    np.testing.assert_allclose(got[:, MINERALS.index("nickel")], home + 3 * tonnes, rtol=1e-9)


def test_a_deal_that_pays_but_adds_no_jobs_has_no_cost_per_job(write_scenario: Any) -> None:
    """Cost per job is undefined (NaN, not infinite) when the deal pays but adds no jobs: both
    plants of the linked pair with 0 direct jobs add none in any layer, while the credit and
    the grant still cost the public money (metrics.net_metrics, gross and net)."""
    import evpact
    from cases import linked_pair

    data = linked_pair(direct_jobs=0)
    data["plants"][0]["direct_jobs"] = 0
    r = evpact.simulate(write_scenario(data), draws=2, seed=1)
    assert (r.metrics["total_jobs_peak"].values == 0).all()
    assert (r.metrics["net_jobs_peak"].values == 0).all()
    assert (r.metrics["public_cost_npv"].values > 0).all()
    assert np.isnan(r.metrics["public_cost_per_job"].values).all()
    assert np.isnan(r.metrics["public_cost_per_net_job"].values).all()
