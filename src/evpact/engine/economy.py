"""Mechanism 5: jobs, GDP and labour income from plant staffing and input-output ratios.

Jobs: direct jobs from staffing; indirect = direct x (Type I - 1); induced = direct x
(Type II - Type I). Labour income: direct = direct jobs x annual earnings, so income per job is
the earnings input; indirect and induced follow from the labour-income ratios' Type I and II
(simple / direct, total / direct). GDP: output value x per-dollar ratios (direct, simple =
direct + indirect, total = simple + induced). Output is valued as produced: cells plus the
value modules add, vehicles at the factory gate.

Import leakage: the indirect layer is what domestic suppliers make. An assembly plant's
battery is not bought from the domestic parts base the motor-vehicle ratios describe: it is
either imported (the value leaks abroad) or made by a linked home plant whose effects are
counted directly. Either way the buyer's indirect effects lose the battery's share of its
output, and its induced effects shrink in step, so nothing is counted twice or counted at home
that was made abroad.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.distributions import FloatArray
from . import jit


@dataclass(frozen=True)
class Effects:
    direct: FloatArray
    indirect: FloatArray
    induced: FloatArray

    def scoped(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Cumulative scopes: plant (direct), supply chain (+ indirect), total (+ induced)."""
        simple = self.direct + self.indirect
        return self.direct, simple, simple + self.induced


def layered(
    direct: FloatArray,
    simple_ratio: FloatArray,
    total_ratio: FloatArray,
    purchased_share: FloatArray,
) -> Effects:
    """Split an effect into direct, indirect and induced, net of linked local purchases.

    ``simple_ratio`` and ``total_ratio`` are (direct + indirect) / direct and
    (direct + indirect + induced) / direct.
    """
    shape = np.broadcast_shapes(
        *map(np.shape, (direct, simple_ratio, total_ratio, purchased_share))
    )
    fused = jit.compiled_for(shape[0]) if len(shape) == 2 else None
    if fused is not None:  # the same equations in one pass over the draws (same bits)
        parts = fused.layered(direct, simple_ratio, total_ratio, purchased_share, shape)
        return Effects(direct, *parts)
    indirect_full = direct * (simple_ratio - 1.0)
    induced_full = direct * (total_ratio - simple_ratio)
    keep = 1.0 - np.clip(purchased_share, 0.0, 1.0)
    indirect = indirect_full * keep
    with np.errstate(divide="ignore", invalid="ignore"):
        base = direct + indirect_full
        scale = np.where(base > 0, (direct + indirect) / base, 1.0)
    return Effects(direct, indirect, induced_full * scale)


def module_uplift(module_share: FloatArray, premium: FloatArray, share: FloatArray) -> FloatArray:
    """Value of a cell plant's output over its cells alone: modules add ``share`` of the pack's
    premium over cells (``premium - 1``) on the ``module_share`` of cells they take."""
    return 1.0 + module_share * (premium - 1.0) * share


def battery_value_factor(
    kind: str, module_share: FloatArray, premium: FloatArray, share: FloatArray
) -> FloatArray:
    """Output value per kWh over the cell price, as produced: cells (plus the modules a cell
    plant makes of a share of them), modules (cells + module value), packs (the pack price)."""
    if kind == "cell":
        return module_uplift(module_share, premium, share)
    if kind == "module":
        return module_uplift(np.ones_like(premium), premium, share)
    return np.asarray(premium, dtype=float)


def per_job(
    jobs: FloatArray,
    earnings: FloatArray,
    direct: FloatArray,
    simple: FloatArray,
    total: FloatArray,
    purchased_share: FloatArray,
) -> Effects:
    """Labour income: direct jobs x earnings, with indirect and induced layers from the
    per-dollar ratios' Type I (simple / direct) and Type II (total / direct)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(direct > 0, simple / direct, 1.0)
        t = np.where(direct > 0, total / direct, 1.0)
    return layered(jobs * earnings, s, t, purchased_share)


def per_output(
    value: FloatArray,
    direct: FloatArray,
    simple: FloatArray,
    total: FloatArray,
    purchased_share: FloatArray,
) -> Effects:
    """GDP or labour income from output value and per-dollar multipliers."""
    d = value * direct
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(direct > 0, simple / direct, 1.0)
        t = np.where(direct > 0, total / direct, 1.0)
    return layered(d, s, t, purchased_share)
