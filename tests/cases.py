"""Small scenarios whose results can be computed by hand."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any


def one_cell_plant(**plant: Any) -> dict[str, Any]:
    """A fully fixed one-plant scenario whose results can be computed by hand."""
    base_plant = {
        "id": "cells",
        "kind": "cell",
        "region": "CA-ON",
        "capacity_gwh": 10.0,
        "start": 2030,
        "ramp_years": 0,
        "yield": 1.0,
        "direct_jobs": 500,
        "offtake": [
            {"customer": "buyer", "region": "CA", "share": 1.0, "follows_ev_market": False}
        ],
    }
    base_plant.update(plant)
    return {
        "name": "hand-case",
        "counterfactual": "no-deal",
        "horizon": [2030, 2034],
        "fx_cad_per_usd": 1.25,
        "plants": [base_plant],
        "deals": [
            {
                "id": "deal",
                "plants": ["cells"],
                "incentives": [
                    {
                        "kind": "production_credit",
                        "plant": "cells",
                        "schedule": "us-45x",
                        "components": ["cell"],
                    },
                    {"kind": "capital_grant", "plant": "cells", "amount_cad": 1.0e8, "year": 2030},
                ],
            }
        ],
        "market": {
            "regions": {
                "CA": {"lv_sales": {"table": {2030: 1.0e6}}, "ev_share": {"table": {2030: 0.5}}}
            }
        },
        "economy": {
            "cell_price_usd_per_kwh": 100.0,
            "multipliers": {
                "battery_cells": {
                    "jobs_type1": 2.0,
                    "jobs_type2": 3.0,
                    "gdp_per_output_direct": 0.2,
                    "gdp_per_output_simple": 0.3,
                    "gdp_per_output_total": 0.4,
                    "labour_income_per_output_direct": 0.1,
                    "labour_income_per_output_simple": 0.15,
                    "labour_income_per_output_total": 0.2,
                    "average_annual_earnings_cad": 80000.0,
                }
            },
        },
        "fiscal": {
            "discount_rate": 0.05,
            "profit_share": 0.5,
            # no statutory credits and no inflation, so public cost is the deal's own
            # incentives in dollars of the price year (tests/test_ledger.py covers the rest)
            "statutory_credits": False,
            "inflation_rate": 0.0,
        },
    }


def evpact_command() -> list[str]:
    """The ``evpact`` console script of this interpreter, else the entry point via ``-c``."""
    here = Path(sys.executable).parent / ("evpact.exe" if os.name == "nt" else "evpact")
    if here.exists():
        return [str(here)]
    found = shutil.which("evpact")
    if found:
        return [found]
    return [sys.executable, "-c", "from evpact.cli import main; main()"]


def sweep(variant_path: str, values: tuple[float, ...], seed: int) -> list[Any]:
    """canada-korea-2026 run once per value of one variant path, on the same random numbers."""
    import evpact

    return [
        evpact.simulate("canada-korea-2026", draws=300, seed=seed, variant={variant_path: value})
        for value in values
    ]


def linked_pair(**assembly: Any) -> dict[str, Any]:
    """A cell plant linked to a home assembly plant, every figure fixed and asymmetric, so a
    swap (indirect for induced, GDP for income ratios, Type I for Type II) or a double count
    (the linked battery in the buyer's supply chain) changes the answer.

    10 GWh of cells from 2030; the assembly plant (100,000 vehicles x 50 kWh = 5 GWh) starts
    in 2032 and takes NextStar-style linked cells first; the rest goes to a US storage buyer.
    The linkage (30% of cell output installed at home, from 2031) fails in 2031 only; the
    conditional credit skips that year and the assembly grant is clawed back pro rata."""
    data = one_cell_plant(
        offtake=[{"customer": "storage", "region": "US", "share": 1.0, "follows_ev_market": False}]
    )
    plant = {
        "id": "cars",
        "kind": "assembly",
        "group": "G",
        "region": "CA-ON",
        "capacity_vehicles": 100_000,
        "pack_kwh": 50.0,
        "start": 2032,
        "ramp_years": 0,
        "direct_jobs": 2000,
        "vehicle_price_cad": 50_000.0,
        "markets": {"CA": 1.0},
    }
    plant.update(assembly)
    data["plants"].append(plant)
    data["deals"] = [
        {
            "id": "deal",
            "plants": ["cells", "cars"],
            "supply": [{"from": "cells", "to": "cars", "share": 1.0}],
            "linkage": {"plant": "cells", "threshold": 0.3, "from": 2031},
            "incentives": [
                {
                    "kind": "production_credit",
                    "plant": "cells",
                    "schedule": "us-45x",
                    "components": ["cell"],
                    "conditional": True,
                },
                {
                    "kind": "capital_grant",
                    "plant": "cars",
                    "amount_cad": 1.0e8,
                    "year": 2030,
                    "clawback": "pro_rata",
                    "clawback_years": 4,
                },
            ],
        }
    ]
    data["market"]["regions"]["CA"]["group_share"] = {"G": 0.4}
    data["market"]["regions"]["US"] = {
        "lv_sales": {"table": {2030: 1.0e7}},
        "ev_share": {"table": {2030: 0.2}},
    }
    data["economy"].update(
        {
            "factory_gate_share": 0.8,
            "pack_price_premium_over_cell": 1.2,
            "multipliers": {
                # Type I 1.5, Type II 2.25 (jobs); 1.3 / 1.75 (GDP); 1.2 / 1.9 (income)
                "battery_cells": {
                    "jobs_type1": 1.5,
                    "jobs_type2": 2.25,
                    "gdp_per_output_direct": 0.2,
                    "gdp_per_output_simple": 0.26,
                    "gdp_per_output_total": 0.35,
                    "labour_income_per_output_direct": 0.1,
                    "labour_income_per_output_simple": 0.12,
                    "labour_income_per_output_total": 0.19,
                    "average_annual_earnings_cad": 80_000.0,
                },
                # Type I 3, Type II 4 (jobs); 2 / 2.5 (GDP); 1.75 / 2.5 (income)
                "vehicle_assembly": {
                    "jobs_type1": 3.0,
                    "jobs_type2": 4.0,
                    "gdp_per_output_direct": 0.2,
                    "gdp_per_output_simple": 0.4,
                    "gdp_per_output_total": 0.5,
                    "labour_income_per_output_direct": 0.08,
                    "labour_income_per_output_simple": 0.14,
                    "labour_income_per_output_total": 0.2,
                    "average_annual_earnings_cad": 70_000.0,
                },
            },
        }
    )
    return data


#: trade content fixed at values that make a vehicle's origin a one-line calculation: no
#: other core parts, the pack fully originating (linked Canadian cells, other pack content 1),
#: so RVC = 1 - (1 - pack share) x (1 - other_originating)
FIXED_CONTENT = {
    "other_cells_originating": 0.0,
    "pack_other_originating": 1.0,
    "other_core_share_of_net_cost": 0.0,
    "other_core_originating": 1.0,
    "high_wage_share": 0.4,
    "technology_credit": 0.0,
    "steel_aluminium_originating": 0.9,
    "us_content_share": 0.5,
    "us_alternative_cost_share": 1.0,
}


def two_linked_deals(other_originating: tuple[float, float] = (0.8, 0.9)) -> dict[str, Any]:
    """Two cell plants, each linked by its own deal to its own home assembly plant
    (100,000 vehicles x 50 kWh = 5 GWh of 10), every figure fixed.

    Deal ``a`` (plant ``cars-a``, from 2030) fails only in 2033, when light-vehicle sales
    drop to a tenth and its plant builds 20,000 vehicles (1 GWh: 10% < 30%). Deal ``b`` (plant
    ``cars-b``, from 2033) fails in 2031 and 2032 (nothing assembled yet) and in 2033; it holds
    in 2034. The plants' vehicles differ only in ``other_originating``."""
    data = linked_pair()
    cells = data["plants"][0]
    cars = data["plants"][1]
    data["plants"] = [
        {**cells, "id": "cells-a"},
        {**cells, "id": "cells-b"},
        {**cars, "id": "cars-a", "group": "GA", "start": 2030},
        {**cars, "id": "cars-b", "group": "GB", "start": 2033},
    ]
    deal = data["deals"][0]
    data["deals"] = [
        {
            "id": x,
            "plants": [f"cells-{x}", f"cars-{x}"],
            "supply": [{"from": f"cells-{x}", "to": f"cars-{x}", "share": 1.0}],
            "linkage": {**deal["linkage"], "plant": f"cells-{x}"},
            "incentives": [{**deal["incentives"][0], "plant": f"cells-{x}"}],
        }
        for x in ("a", "b")
    ]
    ca = data["market"]["regions"]["CA"]
    ca["lv_sales"] = {"table": {2030: 1.0e6, 2032: 1.0e6, 2033: 1.0e5, 2034: 1.0e6}}
    ca["group_share"] = {"GA": 0.4, "GB": 0.4}
    data["trade"] = {
        "rules": ["usmca-2020", "us-232-2025", "ca-surtax-2025", "ca-remission-2025"],
        "plants": {
            f"cars-{x}": {**FIXED_CONTENT, "other_originating": o}
            for x, o in zip(("a", "b"), other_originating, strict=True)
        },
    }
    return data
