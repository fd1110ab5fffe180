"""Mechanism 6: tax revenue by accounting scope, NPV and break-even year."""

from __future__ import annotations

import numpy as np

from ..scenario.distributions import FloatArray


def tax_revenue(
    labour_income: FloatArray,
    gdp: FloatArray,
    labour_tax_rate: FloatArray,
    corporate_tax_rate: FloatArray,
    profit_share: FloatArray,
) -> FloatArray:
    """Revenue from labour income and from the taxable-profit part of non-labour GDP."""
    return (
        labour_income * labour_tax_rate + (gdp - labour_income) * profit_share * corporate_tax_rate
    )


def discount_factors(years: FloatArray, rate: FloatArray, base_year: int) -> FloatArray:
    """(1 + r)^-(t - base) per draw-year; ``rate`` is per draw."""
    return (1.0 + np.asarray(rate)[..., None]) ** -(years - base_year)


def breakeven_year(net_flow: FloatArray, years: FloatArray) -> FloatArray:
    """First year from which the cumulative net balance stays >= 0 to the horizon's end.

    NaN where it is still negative in the last year (not reached within the horizon).
    """
    cum = np.cumsum(net_flow, axis=-1)
    ok = cum >= -1e-6 * np.maximum(1.0, np.abs(cum).max(axis=-1, keepdims=True))
    stays = np.flip(np.cumprod(np.flip(ok, axis=-1), axis=-1), axis=-1).astype(bool)
    first = np.argmax(stays, axis=-1)
    return np.where(stays[..., -1], np.asarray(years)[first], np.nan)
