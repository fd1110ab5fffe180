"""Mechanism 5: jobs, GDP and labour income from plant staffing and input-output ratios.

Jobs: direct jobs from staffing; indirect = direct x (Type I - 1); induced = direct x
(Type II - Type I). GDP and labour income: output value x per-dollar ratios (direct, simple =
direct + indirect, total = simple + induced). When a plant buys batteries from a linked local
plant whose effects are counted directly, the buyer's indirect effects lose that purchase's
share of its output, and its induced effects shrink in step, so nothing is counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.distributions import FloatArray


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
    indirect_full = direct * (simple_ratio - 1.0)
    induced_full = direct * (total_ratio - simple_ratio)
    keep = 1.0 - np.clip(purchased_share, 0.0, 1.0)
    indirect = indirect_full * keep
    with np.errstate(divide="ignore", invalid="ignore"):
        base = direct + indirect_full
        scale = np.where(base > 0, (direct + indirect) / base, 1.0)
    return Effects(direct, indirect, induced_full * scale)


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
