"""Mechanism 5b, learning: the home cell plants' unit cost falls with their cumulative output
(Wright's law), while the cell price follows its market path, so what they learn is margin.
That is the technology-transfer case for hosting cell making: skills that compound at home."""

from __future__ import annotations

import numpy as np

from ..scenario.distributions import FloatArray


def cost_index(output_gwh: FloatArray, initial_gwh: FloatArray, rate: FloatArray) -> FloatArray:
    """Unit cost in year t over the cost at the start, ``(E_t / E_0) ^ log2(1 - rate)``, where
    ``E_t`` is the starting experience plus the output of the years before t (GWh)."""
    before = np.cumsum(output_gwh, axis=-1) - output_gwh
    return ((initial_gwh + before) / initial_gwh) ** np.log2(1.0 - rate)


def margin_gain(value: FloatArray, cost_share: FloatArray, index: FloatArray) -> FloatArray:
    """What learning adds to a plant's margin: output value x cost share x (1 - cost index)."""
    return value * cost_share * (1.0 - index)
