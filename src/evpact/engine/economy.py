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
    return _layered(direct, simple_ratio, total_ratio, 1.0 - np.clip(purchased_share, 0.0, 1.0))


def _layered(
    direct: FloatArray, simple_ratio: FloatArray, total_ratio: FloatArray, keep: FloatArray
) -> Effects:
    """``layered`` with the share of indirect effects kept at home, ``keep``, given."""
    indirect_full = direct * (simple_ratio - 1.0)
    induced_full = direct * (total_ratio - simple_ratio)
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


def type_ratios(
    direct: FloatArray, simple: FloatArray, total: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Type I (simple / direct) and Type II (total / direct) ratios of per-dollar multipliers
    (1 where there is no direct effect)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(direct > 0, simple / direct, 1.0), np.where(direct > 0, total / direct, 1.0)


#: the rows of a world's layer totals (``home_plant``'s ``acc``)
LAYERS = tuple(
    f"{k}.{layer}" for k in ("jobs", "gdp", "li") for layer in ("direct", "indirect", "induced")
)


def home_plant(
    acc: FloatArray,
    value: FloatArray,
    purchases: FloatArray,
    battery_share: FloatArray | None,
    jobs: FloatArray,
    jobs_ratios: tuple[FloatArray, FloatArray],
    gdp_per_output: tuple[FloatArray, FloatArray, FloatArray],
    earnings: FloatArray,
    li_per_output: tuple[FloatArray, FloatArray, FloatArray],
    gains: FloatArray | None,
    absorbed: FloatArray | None,
    first: bool = False,
) -> tuple[FloatArray, FloatArray]:
    """One home plant's jobs, GDP and labour income, each direct, indirect and induced, added
    to the world's totals ``acc`` (rows ``LAYERS``, each (draw, year); the ``first`` plant's
    start them from zero, whatever ``acc`` held, without a pass to zero it first); returns
    the plant's direct GDP (value added) and labour income for its books.

    The plant's purchases from linked home plants (and an assembly plant's battery,
    ``battery_share`` of its output value) are not bought from the domestic supply chain
    (``layered``); a cell plant's learning ``gains`` are margin and the US duty it
    ``absorbed`` comes out of it, both in direct GDP only.
    """
    gdp_ratios = (gdp_per_output[0], *type_ratios(*gdp_per_output))
    li_ratios = type_ratios(*li_per_output)
    fused = jit.compiled_for(acc.shape[1]) if acc.ndim == 3 else None
    if fused is not None:  # the same equations in one pass over the draws (same bits)
        return fused.plant_economy(
            acc, value, purchases, battery_share, jobs, jobs_ratios, gdp_ratios, earnings,
            li_ratios, gains, absorbed, first,
        )  # fmt: skip
    with np.errstate(divide="ignore", invalid="ignore"):
        bought = np.where(value > 0, purchases / value, 0.0)
        if battery_share is not None:  # the battery, linked or imported, is no domestic part
            bought = np.maximum(bought, battery_share)
    keep = 1.0 - np.clip(bought, 0.0, 1.0)  # once for the three layers
    effects = [
        _layered(jobs, *jobs_ratios, keep),
        _layered(value * gdp_ratios[0], *gdp_ratios[1:], keep),
        _layered(jobs * earnings, *li_ratios, keep),
    ]
    gdp = effects[1]
    if gains is not None:  # learning is margin: value added without more inputs or wages
        gdp = Effects(gdp.direct + gains, gdp.indirect, gdp.induced)
    if absorbed is not None:  # the duty the exporter absorbs comes out of its margin
        gdp = Effects(gdp.direct - absorbed, gdp.indirect, gdp.induced)
    effects[1] = gdp
    for k, e in enumerate(effects):
        for layer, a in enumerate((e.direct, e.indirect, e.induced)):
            row = acc[3 * k + layer]
            np.add(0.0 if first else row, a, out=row)
    return gdp.direct, effects[2].direct
