"""The model reproduces published figures of the 2023 production-subsidy deals."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import evpact
from evpact.scenario.load import bundled_scenarios


def full_output(name: str) -> dict:
    """A bundled deal with its plant at nameplate from its first year, every cell sold."""
    raw = yaml.safe_load(bundled_scenarios()[name].read_text())
    plant = raw["plants"][0]
    plant.update({"ramp_years": 0, "yield": 1.0, "module_share": 1.0})
    plant["start"] = raw["horizon"][0]
    plant["offtake"] = [
        {"customer": "all", "region": "CA", "share": 1.0, "follows_ev_market": False}
    ]
    # the published figures are the statute's dollars of each year: a nominal run
    raw.setdefault("fiscal", {})["price_basis"] = "nominal"
    return raw


def test_nextstar_incentive_is_about_us_2_billion_a_year(write_scenario):
    # 45 GWh x US$45/kWh (cells + modules) ~ US$2.0 B a year (Driving.ca; deals.md S46)
    raw = full_output("nextstar-2023")
    raw["fx_cad_per_usd"] = 1.0
    raw["deals"][0]["incentives"] = raw["deals"][0]["incentives"][:1]
    raw["deals"][0]["incentives"][0].pop("cap_cad")
    r = evpact.simulate(write_scenario(raw), deterministic=True, counterfactual="no-deal")
    paid = r.scenario["incentive_paid"].sel(year=2025).item()
    assert paid == pytest.approx(45e6 * 45)
    assert paid == pytest.approx(2.0e9, rel=0.02)


def test_powerco_support_reaches_its_cap_at_full_output(write_scenario):
    # 90 GWh x US$35/kWh x 1.3013 ~ C$4.1 B a year before the phase-down (ISED figures,
    # deals.md 2.1), so a plant at nameplate from 2024 exhausts the C$13.2 B cap
    raw = full_output("powerco-2023")
    raw["fx_cad_per_usd"] = 1.3013
    r = evpact.simulate(write_scenario(raw), deterministic=True, counterfactual="no-deal")
    s = r.scenario
    assert s["incentive_paid"].sel(year=2024).item() == pytest.approx(90e6 * 35 * 1.3013)
    assert s["incentive_paid"].sel(year=2024).item() == pytest.approx(4.1e9, rel=0.01)
    credit_total = s["incentive_paid"].sum().item() - 1.2e9  # less the two capital grants
    assert credit_total == pytest.approx(13.2e9)
    paid = s["incentive_paid"].values[0]
    years = s["year"].values
    assert np.all(paid[years >= 2033] == 0)  # nothing after the 45X schedule ends
