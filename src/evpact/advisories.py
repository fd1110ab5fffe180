"""Warnings for inputs that are valid but do nothing: a mechanism that never acts within the
horizon would otherwise report a quiet zero (or a full payment) that reads like a result.

Refusals live in the scenario model (``scenario.model``) and the compile step (a grant paid
outside the horizon); these are the cases where the input can be meant (a linkage its plant
never reaches, a credit scaled to zero) but deserves a word. Pure functions of a scenario and
its run's arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .scenario.model import Scenario


def run_warnings(s: Scenario, world: Any) -> list[str]:
    """What a run shows never happened in any draw: a linkage never measured (its condition
    then never binds), incentives never paid. ``world`` is the scenario's dataset."""
    out = []
    if "linkage_met" in world and world["linkage_met"].size:
        met = np.asarray(world["linkage_met"].values)
        for k, deal in enumerate(world["deal"].values):
            if np.isnan(met[:, k, :]).all():
                out.append(
                    f"deals.{deal}.linkage: never measured in any draw (its plant has no output "
                    "in the measured years): conditional support is paid as if it held"
                )
    # the deals' own incentives (the public cost also holds the statutory credits plants claim)
    unpaid = "incentive_paid" in world and not np.any(np.asarray(world["incentive_paid"].values))
    if any(d.incentives for d in s.deals) and unpaid:
        out.append(
            "incentives: none is paid within the horizon in any draw: "
            "check the plants' start years and the incentive terms"
        )
    return out
