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
