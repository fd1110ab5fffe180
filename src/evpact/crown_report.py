"""The Crown ledger as tables: per line (government, category, instrument, layer) its NPV,
its undiscounted sum and its yearly mean impact, and the conventions it was counted under."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .api import LEDGER_LINES_DRAWS
from .engine.ledger import LINES
from .errors import EvpactError
from .results import Results


def conventions_text(c: dict[str, Any]) -> str:
    dollars = "nominal dollars" if c["price_basis"] == "nominal" else f"CAD of {c['price_year']}"
    return (
        f"balance {c['balance']}, {dollars}, production {c['production_basis']}, "
        f"NPVs in {c['npv_base_year']} present value; "
        f"rules {', '.join(c['fiscal_rules']) or 'none'}"
    )


def ledger_frame(results: Results) -> pd.DataFrame:
    """One row per ledger line: its mean NPV and undiscounted sum over the horizon, then its
    mean impact in each year (scenario minus counterfactual)."""
    if "crown_ledger" not in results.scenario:
        raise EvpactError(
            f"the ledger line by line is kept for runs of up to {LEDGER_LINES_DRAWS:,} draws; "
            "run with fewer draws"
        )
    s = results.scenario["crown_ledger"].values
    c = results.counterfactual["crown_ledger"].values
    impact = s - c  # (draw, line, year)
    years = results.scenario["year"].values.astype(float)
    conv = results.scenario["fiscal_conventions"].values
    rate = (1.0 + results.scenario["discount_rate"].values) * (1.0 + conv[:, 2] * conv[:, 1]) - 1
    disc = (1.0 + rate[:, None]) ** -(years - results.meta["price_year"])
    npv = np.einsum("dlt,dt->dl", impact, disc).mean(axis=0)
    yearly = impact.mean(axis=0)
    unit = results.scenario["crown_ledger"].attrs.get("units", "")
    rows = []
    for i, line in enumerate(LINES):
        rows.append(
            {
                "line": line.key,
                "government": line.government,
                "category": line.category,
                "instrument": line.instrument,
                "layer": line.layer or "all",
                "unit": unit,
                "npv": float(npv[i]),
                "cumulative": float(yearly[i].sum()),
                **{str(int(y)): float(v) for y, v in zip(years, yearly[i], strict=True)},
            }
        )
    return pd.DataFrame(rows)
