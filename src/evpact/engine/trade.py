"""Mechanism 7, trade. For now the export friction of the market mechanism; rules of origin,
Section 232 duties, counter-tariffs and remission credits come with the trade issue."""

from __future__ import annotations

import numpy as np

from ..scenario.distributions import FloatArray


def export_friction(
    tariff: FloatArray,
    exposed_share: FloatArray,
    pass_through: FloatArray,
    elasticity: FloatArray,
) -> FloatArray:
    """Share of export demand left after a tariff: the duty on the exposed share of value,
    passed through to the buyer's price, times the price elasticity of demand (floored at 0)."""
    price_rise = tariff * exposed_share * pass_through
    return np.clip(1.0 - elasticity * price_rise, 0.0, 1.0)
