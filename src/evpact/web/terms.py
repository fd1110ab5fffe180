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


def schedules() -> list[str]:
    return sorted(set(reference().table("incentive_schedules")["schedule"]))


def terms(scenario: Scenario) -> list[dict[str, Any]]:
    """Editable fields: ``path`` (for ``set``), ``label``, ``value`` and ``options`` if any."""
    raw = scenario.model_dump(mode="json", by_alias=True)
    out: list[dict[str, Any]] = []

    def add(path: str, label: str, value: Any, options: list[str] | None = None) -> None:
        out.append({"path": path, "label": label, "value": value, "options": options})

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
                    f"{deal['id']}: {inc['kind'].replace('_', ' ')} ({inc['plant']}) {name}",
                    inc[name],
                    schedules() if name == "schedule" else None,
                )
    for plant in raw["plants"]:
        size = "capacity_vehicles" if plant["kind"] == "assembly" else "capacity_gwh"
        add(f"plants.{plant['id']}.{size}", f"{plant['id']}: {size}", plant[size])
        add(f"plants.{plant['id']}.start", f"{plant['id']}: start year", plant["start"])
    return out
