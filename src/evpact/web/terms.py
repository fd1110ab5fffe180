"""The main deal terms of a scenario as form fields: each a variant path and its current value.

Linkage thresholds, incentive schedules and rates, plant capacities and start years: the terms
negotiators change. Values are the scenario's own (a number or a distribution such as
``{"pert": [2029, 2030, 2033]}``), and a changed field becomes one ``set`` entry of a run.
"""

from __future__ import annotations

from typing import Any

from ..data import reference
from ..scenario.model import Scenario

INCENTIVE_FIELDS = {
    "production_credit": ("schedule", "rate_scale"),
    "capital_grant": ("amount_cad", "year"),
    "per_vehicle": ("amount_cad",),
    "investment_tax_credit": ("rate",),
}


#: fields whose values are calendar years (whole numbers in the form)
YEARS = {"start", "year", "from"}
#: field names in words, with units where they have one
WORDS = {
    "capacity_gwh": "capacity (GWh a year)",
    "capacity_vehicles": "capacity (vehicles a year)",
    "amount_cad": "amount (C$)",
    "rate_scale": "rate scale (x schedule)",
    "rate": "rate (share of investment)",
    "year": "year",
}


def schedules() -> list[str]:
    return sorted(set(reference().table("incentive_schedules")["schedule"]))


def terms(scenario: Scenario) -> list[dict[str, Any]]:
    """Editable fields: ``path`` (for ``set``), ``label``, ``value``, ``options`` if any, and
    ``kind`` (``year``, ``choice`` or ``number``: the form asks whole years for years)."""
    raw = scenario.model_dump(mode="json", by_alias=True)
    out: list[dict[str, Any]] = []

    def add(path: str, label: str, value: Any, options: list[str] | None = None) -> None:
        last = path.rsplit(".", 1)[-1]
        kind = "year" if last in YEARS else "choice" if options else "number"
        out.append({"path": path, "label": label, "value": value, "options": options, "kind": kind})

    for deal in raw["deals"]:
        base = f"deals.{deal['id']}"
        if deal.get("linkage"):
            add(
                f"{base}.linkage.threshold",
                f"{deal['id']}: linkage threshold",
                deal["linkage"]["threshold"],
            )
            add(
                f"{base}.linkage.from",
                f"{deal['id']}: linkage measured from",
                deal["linkage"]["from"],
            )
        for i, inc in enumerate(deal["incentives"]):
            for name in INCENTIVE_FIELDS[inc["kind"]]:
                add(
                    f"{base}.incentives.{i}.{name}",
                    f"{deal['id']}: {inc['kind'].replace('_', ' ')} ({inc['plant']}), "
                    f"{WORDS.get(name, name.replace('_', ' '))}",
                    inc[name],
                    schedules() if name == "schedule" else None,
                )
    for plant in raw["plants"]:
        size = "capacity_vehicles" if plant["kind"] == "assembly" else "capacity_gwh"
        add(f"plants.{plant['id']}.{size}", f"{plant['id']}: {WORDS[size]}", plant[size])
        add(f"plants.{plant['id']}.start", f"{plant['id']}: start year", plant["start"])
    return out
