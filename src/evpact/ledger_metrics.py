"""Metrics of the Crown ledger: public cost, revenue, balance and break-even by government,
and the tax expenditures beside them (impacts, scenario minus counterfactual, per draw)."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

import numpy as np

from .engine.fiscal import breakeven_year
from .engine.ledger import GOVERNMENTS, SCOPES, WEIGHTS

Array = np.ndarray[Any, Any]
#: the aggregate series of the ledger the metrics read, in ``crown_totals`` order
AGGREGATES = WEIGHTS[0]


def crown_metrics(
    s: Mapping[str, Array],
    c: Mapping[str, Array],
    disc: Array,
    balance_weights: Array,
    years: Array,
    cad: str,
    fused: ModuleType | None = None,
) -> dict[str, tuple[str, Array, str]]:
    """Per government (and combined where the name has no government): NPVs at ``disc``, and
    break-evens of the balance weighted by ``balance_weights`` (``disc`` for a discounted
    balance, ones for a cumulative one); ``fused``: the metrics' kernels, if the block uses
    them. Returns name -> (unit, values, description)."""
    ts, tc = s["crown_totals"], c["crown_totals"]

    def series(name: str) -> tuple[Array, Array]:
        k = AGGREGATES.index(name)
        return ts[:, k, :], tc[:, k, :]

    # every aggregate's NPV in one pass per world
    npvs = np.einsum("dkt,dt->dk", ts, disc) - np.einsum("dkt,dt->dk", tc, disc)

    def npv(name: str) -> Array:
        return np.asarray(npvs[:, AGGREGATES.index(name)])

    out: dict[str, tuple[str, Array, str]] = {}
    for g in GOVERNMENTS:
        cost_npv = npv(f"{g}.cost")
        out[f"public_cost_npv_{g}"] = (
            cad,
            cost_npv,
            f"{g} outlays and refundable credits, less clawbacks, discounted",
        )
        years_even = balance_breakevens(
            [series(f"{g}.revenue.{scope}") for scope in SCOPES],
            series(f"{g}.cost"),
            balance_weights,
            years,
            fused,
        )
        for i, scope in enumerate(SCOPES):
            suffix = "" if scope == "total" else f"_{scope}"
            rev_npv = npv(f"{g}.revenue.{scope}")
            if scope == "total":
                out[f"tax_revenue_npv_{g}"] = (cad, rev_npv, f"{g} revenue collected ({scope})")
            out[f"fiscal_net_npv_{g}{suffix}"] = (
                cad,
                rev_npv - cost_npv,
                f"{g} revenue less public cost ({scope} scope)",
            )
            year = years_even[i]
            out[f"fiscal_breakeven_year_{g}{suffix}"] = (
                "year",
                year,
                f"first year the {g} balance stays >= 0 ({scope} scope)",
            )
            out[f"fiscal_breakeven_year_{g}{suffix}_reached_share"] = (
                "share",
                (~np.isnan(year)).astype(float),
                f"draws whose {g} balance breaks even in the horizon ({scope} scope)",
            )
    out["tax_expenditure_npv"] = (
        cad,
        sum((npv(f"{g}.tax_expenditure") for g in GOVERNMENTS), np.zeros(len(disc))),
        "refundable credits and revenue foregone through preferences, both governments "
        "(beside the balance: credits are in public cost, foregone revenue is not collected)",
    )
    foregone = sum((npv(f"{g}.foregone_revenue") for g in GOVERNMENTS), np.zeros(len(disc)))
    cost_all = out["public_cost_npv_federal"][1] + out["public_cost_npv_provincial"][1]
    out["total_support_npv"] = (
        cad,
        cost_all + foregone,
        "public cost plus revenue foregone (the budget office's total support)",
    )
    out["debt_service_npv"] = (
        cad,
        sum((npv(f"{g}.debt_service") for g in GOVERNMENTS), np.zeros(len(disc))),
        "interest on financing the public cost (0 unless fiscal.debt_service), outside the balance",
    )
    return out


def balance_breakevens(
    revenues: list[tuple[Array, Array]],
    cost: tuple[Array, Array],
    weights: Array,
    years: Array,
    fused: ModuleType | None = None,
) -> list[Array]:
    """Break-even year per draw of each balance ``(revenue - cost) x weights``, revenue and
    cost impacts (each a (scenario, counterfactual) pair of (draw, year) arrays).

    numpy: the balances in one buffer, built in place, then one ``breakeven_year`` pass for
    them all; the kernels (``fused``) never build them (same values: the same operations).
    """
    both = (
        None
        if fused is None or len(revenues) != 3
        else fused.balance_breakevens(revenues, cost, weights, years)
    )
    if both is not None:
        return list(both)
    shape = np.broadcast_shapes(*(np.shape(a) for rev in revenues for a in rev))
    nets = np.empty((len(revenues), *shape))
    for net, rev in zip(nets, revenues, strict=True):
        np.subtract(*rev, out=net)
    nets -= np.subtract(*cost)
    nets *= weights
    return list(breakeven_year(nets, years))
