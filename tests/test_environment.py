"""Minerals and emissions against hand calculations, limits and monotonicity."""

from __future__ import annotations

import numpy as np
import pytest

import evpact
from cases import one_cell_plant

FIXED_EMISSIONS = {
    "cell_manufacturing_energy_kwh_per_kwh": 30.0,
    "electricity_share_of_cell_manufacturing_energy": 0.5,
    "process_heat_kg_co2e_per_kwh": 0.2,
    "upstream_materials_kg_co2e_per_kwh": 50.0,
    "gasoline_car_lifecycle_g_per_km": 235.0,
    "bev_lifecycle_g_per_km": 63.0,
    "vehicle_lifetime_km": 200_000.0,
}


def case(**plant):
    data = one_cell_plant(chemistry={"NMC811": 0.5, "LFP": 0.5}, grid_gco2e_per_kwh=100.0, **plant)
    data["emissions"] = dict(FIXED_EMISSIONS)
    return data


def test_tonnes_follow_gwh_and_chemistry_exactly(write_scenario):
    r = evpact.simulate(write_scenario(case()), draws=2, seed=1)
    s = r.scenario
    # 10 GWh a year = 1e7 kWh; BatPaC 5.1: NMC811 0.658 kg Ni/kWh, LFP 0; Li 0.100 and 0.091
    np.testing.assert_allclose(s["mineral_nickel_t"], 1e7 * 0.5 * 0.658 / 1e3)
    np.testing.assert_allclose(s["mineral_lithium_t"], 1e7 * (0.5 * 0.100 + 0.5 * 0.091) / 1e3)
    np.testing.assert_allclose(s["mineral_cobalt_t"], 1e7 * 0.5 * 0.083 / 1e3)
    need = s["mineral_nickel_t"].values.sum(axis=1)
    production = s["mineral_production_cumulative_t"].sel(mineral="nickel").values
    np.testing.assert_allclose(r.metrics["mineral_coverage_nickel"].values, production / need)


def test_manufacturing_and_avoided_emissions_by_hand(write_scenario):
    r = evpact.simulate(write_scenario(case()), draws=2, seed=1)
    # 30 kWh/kWh: half at 100 g/kWh (1.5 kg) and half as heat at 0.2 kg/kWh (3 kg), plus
    # 50 kg/kWh of materials, on 1e7 kWh a year
    np.testing.assert_allclose(r.scenario["co2e_manufacturing_t"], 1e7 * 54.5 / 1e3)
    assert np.all(r.metrics["co2e_avoided_cumulative"].values == 0)  # no vehicles here
    k = evpact.simulate(
        "canada-korea-2026",
        draws=50,
        seed=2,
        variant={f"emissions.{n}": v for n, v in FIXED_EMISSIONS.items()},
    )
    vehicles = k.impact["vehicles_assembled"].values
    np.testing.assert_allclose(
        k.impact["co2e_avoided_t"].values, vehicles * 200_000 * (235 - 63) / 1e6
    )


def test_no_plant_no_minerals_no_emissions(write_scenario):
    r = evpact.simulate(write_scenario(case(capacity_gwh=0.0)), draws=3, seed=1)
    for name in ("mineral_nickel_t", "mineral_lithium_t", "co2e_manufacturing_t"):
        assert np.all(r.scenario[name].values == 0), name
    assert np.isnan(r.metrics["mineral_coverage_nickel"].values).all()  # no need, no ratio


def test_dirtier_grid_never_lowers_emissions():
    low = evpact.simulate(
        "canada-korea-2026",
        draws=300,
        seed=3,
        variant={"plants.nextstar-windsor.grid_gco2e_per_kwh": 35},
    )
    high = evpact.simulate(
        "canada-korea-2026",
        draws=300,
        seed=3,
        variant={"plants.nextstar-windsor.grid_gco2e_per_kwh": 558},
    )
    a = low.scenario["co2e_manufacturing_t"].values
    b = high.scenario["co2e_manufacturing_t"].values
    assert np.all(b >= a) and np.any(b > a)


def test_plants_without_chemistry_have_no_mineral_figures(write_scenario):
    r = evpact.simulate(write_scenario(one_cell_plant()), draws=2, seed=1)
    assert np.isnan(r.scenario["mineral_nickel_t"].values).all()
    assert r.summary_dict()["metrics"]["mineral_nickel_cumulative"]["mean"] is None


@pytest.mark.parametrize("name", ["canada-korea-2026", "nextstar-2023", "powerco-2023"])
def test_bundled_scenarios_report_minerals_and_emissions(name):
    m = evpact.simulate(name, draws=100, seed=4).summary_dict()["metrics"]
    assert m["mineral_nickel_cumulative"]["mean"] is not None
    assert m["co2e_manufacturing_cumulative"]["unit"] == "tCO2e"


def test_ev_stock_recursion_by_hand():
    from evpact.engine.charging import stock_and_ports

    lv = np.array([[100.0, 100.0, 100.0]])
    share = np.array([[0.5, 0.5, 0.5]])
    ports = np.array([[1.0, 1.0, 1.0]])
    # stock at start 200, scrappage 10%, target 24 EVs per port, elasticity 0.5
    args = (
        lv,
        share,
        np.array([[200.0]]),
        np.array([[0.1]]),
        ports,
        np.array([[24.0]]),
        np.array([[0.5]]),
    )
    stock, out = stock_and_ports(*args, feedback=False)
    np.testing.assert_allclose(stock[0], [230.0, 257.0, 281.3])  # x 0.9 + 50 each year
    np.testing.assert_array_equal(out, share)
    # with the feedback: 230 EVs per port against a target of 24 cuts year 2's share
    stock_fb, out_fb = stock_and_ports(*args, feedback=True)
    assert out_fb[0, 1] == pytest.approx(0.5 * (24 / 230) ** 0.5)
    assert np.all(out_fb <= share) and np.all(stock_fb <= stock)


def test_charging_feedback_only_ever_slows_the_market():
    base = evpact.simulate("canada-korea-2026", draws=200, seed=6)
    slowed = evpact.simulate(
        "canada-korea-2026", draws=200, seed=6, variant={"market.charging.feedback": True}
    )
    assert np.all(slowed.scenario["ev_stock"].values <= base.scenario["ev_stock"].values + 1e-6)
    flat = evpact.simulate(
        "canada-korea-2026",
        draws=200,
        seed=6,
        variant={"market.charging.feedback": True, "market.charging.elasticity": 0.0},
    )
    np.testing.assert_allclose(flat.scenario["ev_stock"].values, base.scenario["ev_stock"].values)
    ratio = base.scenario["evs_per_public_port"].sel(year=2030).values
    np.testing.assert_allclose(base.metrics["evs_per_public_port_2030"].values, ratio)


def test_chemistry_shift_interpolates_and_conserves(write_scenario):
    """NMC811 in 2030 to LFP in 2034: nickel falls linearly to zero, lithium follows the
    weighted BatPaC intensities year by year, exactly."""
    data = case()
    data["plants"][0]["chemistry"] = {2030: {"NMC811": 1.0}, 2034: {"LFP": 1.0}}
    s = evpact.simulate(write_scenario(data), draws=2, seed=1).scenario
    lfp = np.linspace(0.0, 1.0, 5)  # share of LFP in 2030..2034
    np.testing.assert_allclose(s["mineral_nickel_t"].values[0], 1e7 * (1 - lfp) * 0.658 / 1e3)
    np.testing.assert_allclose(
        s["mineral_lithium_t"].values[0], 1e7 * ((1 - lfp) * 0.100 + lfp * 0.091) / 1e3
    )


def test_chemistry_shares_by_year_must_add_up(write_scenario):
    data = case()
    data["plants"][0]["chemistry"] = {2030: {"NMC811": 1.0}, 2034: {"LFP": 0.6}}
    with pytest.raises(evpact.EvpactError, match="add up to 1 in 2034"):
        evpact.load_scenario(write_scenario(data))


def test_mineral_project_adds_to_home_production(write_scenario):
    """A 20,000 t nickel project starting in 2032 with no ramp adds 3 x 20,000 t over
    2030-2034; a half-year start (2032.5) adds 2.5 years' worth. Need does not change."""
    data = case()
    base = evpact.simulate(write_scenario(data, "base"), draws=2, seed=1)
    covered = []
    for start, years in ((2032, 3.0), (2032.5, 2.5)):
        data["mineral_projects"] = [
            {"id": "mine", "mineral": "nickel", "tonnes_per_year": 20_000, "start": start}
        ]
        r = evpact.simulate(write_scenario(data, f"p{start}"), draws=2, seed=1)
        extra = (
            r.scenario["mineral_production_cumulative_t"].sel(mineral="nickel").values
            - base.scenario["mineral_production_cumulative_t"].sel(mineral="nickel").values
        )
        np.testing.assert_allclose(extra, 20_000 * years)
        np.testing.assert_array_equal(
            r.scenario["mineral_nickel_t"].values, base.scenario["mineral_nickel_t"].values
        )
        covered.append(r.metrics["mineral_coverage_nickel"].values)
    assert np.all(covered[0] > base.metrics["mineral_coverage_nickel"].values)
