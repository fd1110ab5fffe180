"""Tariff incidence and market choice (issue 12, item 3): the duty the exporter absorbs comes
out of its margin and corporate tax; a higher duty never raises home vehicle output."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from evpact.engine.reuse import compiled
from evpact.engine.simulate import simulate
from evpact.scenario.load import load_scenario
from evpact.uncertainty.sampling import sample

N = 200


def _run(**overrides: float) -> dict[str, Any]:
    """The default case's scenario world on fixed draws (common random numbers), with some
    inputs set to one value in every draw and year."""
    model = compiled(load_scenario("canada-korea-2026"))
    x = sample(model.inputs, 11, 0, N)
    years = model.years.size
    for key, value in overrides.items():
        x[key] = np.full((1, years), value) if key.startswith("trade.rules.") else value
    return simulate(model, x, N)


def test_producer_borne_duty_on_full_value_lowers_the_plant_tax() -> None:
    common = {
        "trade.rules.us_non_us_content_only": 0.0,  # duty on full value
        "market.regions.US.pass_through": 0.0,  # all borne by the producer
        "trade.plants.hmg-ontario.us_alternative_cost_share": 1.0,  # never moves supply
    }
    free = _run(**{"trade.rules.us_vehicle_tariff": 0.0}, **common)
    taxed = _run(**{"trade.rules.us_vehicle_tariff": 0.25}, **common)
    # no pass-through, no supply switch: the same vehicles in both runs
    np.testing.assert_array_equal(free["vehicles_assembled"], taxed["vehicles_assembled"])
    # the absorbed duty is all the duty, and it comes out of the plant's GDP and tax
    np.testing.assert_allclose(taxed["us_tariff_producer_borne_cad"], taxed["us_tariff_cost_cad"])
    exported = taxed["us_tariff_cost_cad"] > 0
    assert exported.any()
    assert np.all(taxed["tax_plant"] <= free["tax_plant"] + 1e-6)
    assert np.all(taxed["tax_plant"][exported] < free["tax_plant"][exported])
    np.testing.assert_allclose(
        free["gdp_direct"] - taxed["gdp_direct"], taxed["us_tariff_producer_borne_cad"]
    )


def test_a_higher_duty_never_raises_home_vehicle_output() -> None:
    runs = [
        _run(**{"trade.rules.us_vehicle_tariff": rate})["vehicles_assembled"]
        for rate in (0.0, 0.05, 0.1, 0.25, 0.5)
    ]
    for lower, higher in itertools.pairwise(runs):
        assert np.all(higher <= lower + 1e-9)
    assert np.any(runs[-1] < runs[0])  # the duty bites somewhere
