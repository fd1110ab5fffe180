"""Economic ratios that hold up: labour income per job is the earnings input, output is valued
as produced (cells plus modules, vehicles at the factory gate), duties fall on the customs
value, and an assembly plant's battery never counts as domestic supply."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import evpact
from cases import one_cell_plant
from evpact.engine import economy, tariffs
from evpact.engine.compile import compile_scenario
from evpact.engine.simulate import simulate
from evpact.scenario.load import load_scenario
from evpact.uncertainty.sampling import sample


@pytest.mark.parametrize("name", ["nextstar-2023", "canada-korea-2026"])
def test_labour_income_per_direct_job_is_the_earnings_input(name: str) -> None:
    """Per draw and year, direct labour income over direct jobs equals the drawn earnings of
    the plants' industry (a jobs-weighted mean when industries mix)."""
    model = compile_scenario(load_scenario(name))
    x = sample(model.inputs, 11, 0, 200)
    out = simulate(model, x, 200)
    jobs, li = out["direct_jobs"], out["labour_income_direct"]
    home = [p for p in model.plants if p.domestic]
    industries = sorted({p.industry for p in home})
    earn = {
        i: np.broadcast_to(
            np.asarray(x[f"economy.multipliers.{i}.average_annual_earnings_cad"]).reshape(-1, 1),
            jobs.shape,
        )
        for i in industries
    }
    lo = np.min(np.stack(list(earn.values())), axis=0)
    hi = np.max(np.stack(list(earn.values())), axis=0)
    some = jobs > 0
    assert some.any()
    per_job = li[some] / jobs[some]
    assert (per_job >= lo[some] * (1 - 1e-9)).all() and (per_job <= hi[some] * (1 + 1e-9)).all()
    if len(industries) == 1:
        np.testing.assert_allclose(per_job, earn[industries[0]][some], rtol=1e-12)


def one_assembly_plant(**economy: object) -> dict[str, object]:
    """One Ontario assembly plant, everything fixed, demand above capacity: 100,000 vehicles
    a year from 2030 at C$60,000 retail with 80 kWh packs."""
    return {
        "name": "assembly-hand-case",
        "counterfactual": "no-deal",
        "horizon": [2030, 2032],
        "fx_cad_per_usd": 1.25,
        "plants": [
            {
                "id": "assembly",
                "kind": "assembly",
                "group": "maker",
                "region": "CA-ON",
                "capacity_vehicles": 100_000,
                "pack_kwh": 80.0,
                "vehicle_price_cad": 60_000.0,
                "direct_jobs": 1_600,
                "start": 2030,
                "ramp_years": 0,
                "markets": {"CA": 1.0},
            }
        ],
        "deals": [{"id": "deal", "plants": ["assembly"], "incentives": []}],
        "market": {
            "regions": {
                "CA": {
                    "lv_sales": {"table": {2030: 1.0e6}},
                    "ev_share": {"table": {2030: 0.5}},
                    "group_share": {"maker": 1.0},
                }
            }
        },
        "economy": {
            "cell_price_usd_per_kwh": 100.0,
            "pack_price_premium_over_cell": 1.3,
            "factory_gate_share": 0.9,
            "multipliers": {
                "vehicle_assembly": {
                    "jobs_type1": 3.0,
                    "jobs_type2": 6.0,
                    "gdp_per_output_direct": 0.1,
                    "gdp_per_output_simple": 0.3,
                    "gdp_per_output_total": 0.45,
                    "labour_income_per_output_direct": 0.02,
                    "labour_income_per_output_simple": 0.06,
                    "labour_income_per_output_total": 0.1,
                    "average_annual_earnings_cad": 75_000.0,
                }
            },
            **economy,
        },
        "fiscal": {
            "discount_rate": 0.05,
            "labour_tax_rate": 0.3,
            "corporate_tax_rate": 0.25,
            "profit_share": 0.5,
        },
    }


def test_assembly_by_hand(write_scenario) -> None:
    """Output at the factory gate; the battery's share of it leaks out of indirect effects.

    value = 100,000 x 60,000 x 0.9 = C$5.4 B; pack = 80 kWh x US$100 x 1.3 x 1.25 = C$13,000
    a vehicle, 13,000 / 54,000 of the output; indirect GDP = value x (0.3 - 0.1) x (1 - that),
    induced GDP shrinks in the same proportion as direct + indirect."""
    imp = evpact.simulate(write_scenario(one_assembly_plant()), draws=2, seed=1).impact
    value = 100_000 * 60_000 * 0.9
    leak = 13_000 / 54_000
    np.testing.assert_allclose(imp["vehicles_assembled"], 100_000)
    np.testing.assert_allclose(imp["gdp_direct"], 0.1 * value)
    np.testing.assert_allclose(imp["gdp_indirect"], 0.2 * value * (1 - leak))
    scale = (0.1 + 0.2 * (1 - leak)) / 0.3
    np.testing.assert_allclose(imp["gdp_induced"], 0.15 * value * scale)
    # labour income per direct job is the earnings input; jobs too lose the battery's share
    np.testing.assert_allclose(imp["labour_income_direct"] / imp["direct_jobs"], 75_000.0)
    np.testing.assert_allclose(imp["indirect_jobs"], 1_600 * 2.0 * (1 - leak))
    np.testing.assert_allclose(
        imp["labour_income_indirect"], 1_600 * 75_000.0 * (0.06 / 0.02 - 1) * (1 - leak)
    )


def test_retail_is_not_output(write_scenario) -> None:
    """The same plant valued at retail (share 1) has more GDP in exact proportion to direct
    output, the same jobs and the same direct labour income."""
    gate = evpact.simulate(write_scenario(one_assembly_plant(), "g"), draws=2, seed=1).impact
    retail = evpact.simulate(
        write_scenario(one_assembly_plant(factory_gate_share=1.0), "r"), draws=2, seed=1
    ).impact
    np.testing.assert_allclose(gate["gdp_direct"] / retail["gdp_direct"], 0.9)
    np.testing.assert_array_equal(gate["direct_jobs"].values, retail["direct_jobs"].values)
    np.testing.assert_allclose(gate["labour_income_direct"], retail["labour_income_direct"])


def test_dearer_battery_leaks_more(write_scenario) -> None:
    """Monotone: a higher pack premium is more imported content, never more indirect GDP."""
    runs = [
        evpact.simulate(
            write_scenario(one_assembly_plant(pack_price_premium_over_cell=k), f"k{k}"),
            draws=2,
            seed=1,
        )
        .impact["gdp_indirect"]
        .values
        for k in (1.0, 1.3, 1.6, 2.0)
    ]
    assert all((b < a).all() for a, b in itertools.pairwise(runs))


def test_module_output_adds_value_by_hand(write_scenario) -> None:
    """Half the cells leave as modules; modules add 0.5 of the pack's 0.3 premium over cells:
    value = cells x (1 + 0.5 x 0.3 x 0.5) = 1.075 x cells; jobs do not change."""
    runs = []
    for name, share in (("cells", 0.0), ("modules", 0.5)):
        data = one_cell_plant(module_share=share)
        data["economy"].update(pack_price_premium_over_cell=1.3, module_share_of_pack_premium=0.5)
        runs.append(evpact.simulate(write_scenario(data, name), draws=2, seed=1).scenario)
    a, b = runs
    value = 10e6 * 100 * 1.25
    np.testing.assert_allclose(a["gdp_direct"], 0.2 * value)
    np.testing.assert_allclose(b["gdp_direct"], 0.2 * value * 1.075)
    np.testing.assert_array_equal(b["direct_jobs"].values, a["direct_jobs"].values)


@pytest.mark.parametrize(("kind", "factor"), [("module", 1 + 0.3 * 0.5), ("pack", 1.3)])
def test_module_and_pack_plants_by_hand(write_scenario, kind: str, factor: float) -> None:
    """A module plant sells cells plus module value (premium 0.3 x module share 0.5); a pack
    plant sells at the pack price (1.3 x cells)."""
    data = one_cell_plant(kind=kind)
    data["deals"][0]["incentives"] = data["deals"][0]["incentives"][1:]  # the grant only
    data["economy"].update(pack_price_premium_over_cell=1.3, module_share_of_pack_premium=0.5)
    s = evpact.simulate(write_scenario(data, kind), draws=2, seed=1).scenario
    np.testing.assert_allclose(s["gdp_direct"], 0.2 * 10e6 * 100 * 1.25 * factor)


def test_module_uplift_limits() -> None:
    assert economy.module_uplift(np.array(0.0), np.array(1.31), np.array(0.5)) == 1.0
    # every cell in a module that carries the whole pack premium: the pack's value
    assert economy.module_uplift(np.array(1.0), np.array(1.31), np.array(1.0)) == pytest.approx(
        1.31
    )


def test_value_for_duty_is_a_share_of_retail() -> None:
    np.testing.assert_allclose(tariffs.value_for_duty(np.array([60_000.0]), 0.9), [54_000.0])
