"""Replication of published evaluations: each bundled case (``data/replications``) runs the
deals under the conventions the publication states and puts evpact's figure beside the
published one, with the tolerance it must land in. No case has a factor of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import yaml

from .api import simulate
from .data import data_dir
from .engine.fiscal import breakeven_year
from .engine.ledger import LINES, SCOPE_LAYERS

#: ledger categories a case's cost may draw on: what governments pay out (outlays, refundable
#: credits) and what they forgo (foregone revenue), as budget offices cost total support
COST_CATEGORIES = ("outlay", "refundable_credit", "foregone_revenue")


@dataclass(frozen=True)
class Case:
    id: str
    publication: dict[str, Any]
    published_text: str
    scenarios: tuple[str, ...]
    measure: str  # breakeven (a year) or cost (CAD)
    published: float
    tolerance: float  # years (break-even) or a share of the published figure (cost)
    set: dict[str, Any] = field(default_factory=dict)
    #: inputs the publication states for one deal only (a plant's capacity or schedule)
    set_by_scenario: dict[str, dict[str, Any]] = field(default_factory=dict)
    scope: str = "plant"
    #: ledger instruments counted as the cost (outlays, refundable credits, foregone revenue)
    cost: tuple[str, ...] = ("production_credit",)
    until: int | None = None
    stated: tuple[str, ...] = ()
    assumed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    case: Case
    value: float  # NaN: no break-even within the horizon

    @property
    def gap(self) -> float:
        if self.case.measure == "cost":
            return abs(self.value / self.case.published - 1.0)
        return abs(self.value - self.case.published)

    @property
    def within(self) -> bool:
        return bool(np.isfinite(self.value) and self.gap <= self.case.tolerance)


@cache
def cases() -> tuple[Case, ...]:
    raw = yaml.safe_load((data_dir() / "replications" / "cases.yaml").read_text("utf-8"))
    out = []
    for c in raw["cases"]:
        c = dict(c)
        for key in ("scenarios", "cost", "stated", "assumed"):
            if key in c:
                c[key] = tuple(c[key])
        out.append(Case(**c))
    return tuple(out)


def flows(case: Case) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Years, revenue and cost of the case's deals combined (central values: a published
    estimate is a point), both governments, as yearly impacts."""
    revenue = cost = None
    years = None
    layers = SCOPE_LAYERS[case.scope]
    rev_rows = [
        i for i, ln in enumerate(LINES) if ln.category == "revenue" and ln.layer in ("", *layers)
    ]
    cost_rows = [
        i
        for i, ln in enumerate(LINES)
        if ln.category in COST_CATEGORIES and ln.instrument in case.cost
    ]
    for name in case.scenarios:
        variant = {**case.set, **case.set_by_scenario.get(name, {})}
        r = simulate(name, deterministic=True, variant=variant)
        ledger = r.scenario["crown_ledger"].values[0] - r.counterfactual["crown_ledger"].values[0]
        rev, cst = ledger[rev_rows].sum(axis=0), ledger[cost_rows].sum(axis=0)
        y = r.scenario["year"].values
        if years is None:
            years, revenue, cost = y, rev, cst
        else:  # horizons may differ: align on the union of years
            allyears = np.union1d(years, y)
            revenue = _on(allyears, years, revenue) + _on(allyears, y, rev)
            cost = _on(allyears, years, cost) + _on(allyears, y, cst)
            years = allyears
    assert years is not None and revenue is not None and cost is not None
    return years, revenue, cost


def _on(years: Any, own: Any, values: Any) -> np.ndarray[Any, Any]:
    out = np.zeros(len(years))
    out[np.searchsorted(years, own)] = values
    return out


def run_case(case: Case) -> Outcome:
    years, revenue, cost = flows(case)
    if case.measure == "cost":
        upto = years <= (case.until or years[-1])
        return Outcome(case, float(cost[upto].sum()))
    if case.set.get("fiscal.balance", "discounted") != "cumulative":
        raise ValueError(f"{case.id}: replications state their balance as cumulative")
    year = breakeven_year((revenue - cost)[None, :], years.astype(float))[0]
    return Outcome(case, float(year))


def replicate() -> list[Outcome]:
    return [run_case(c) for c in cases()]
