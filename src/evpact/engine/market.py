"""Mechanism 1, market: EV demand per region and automaker group, and how far realised EV
demand falls short of the path battery offtake contracts were sized for."""

from __future__ import annotations

import numpy as np

from ..scenario.distributions import FloatArray


def ev_demand(lv_sales: FloatArray, ev_share: FloatArray, group_share: FloatArray) -> FloatArray:
    """EVs a group sells in a region per year: light-vehicle sales x EV share x group share."""
    return lv_sales * np.clip(ev_share, 0.0, 1.0) * group_share


def demand_ratio(ev_share: FloatArray, planned_share: FloatArray | None) -> FloatArray:
    """Realised over planned EV share, capped at 1: contracts do not grow past their volume."""
    if planned_share is None:
        return np.ones_like(np.asarray(ev_share, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(planned_share > 0, ev_share / planned_share, 1.0)
    return np.clip(ratio, 0.0, 1.0)
