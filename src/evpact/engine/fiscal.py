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

    That is the year after the last year with a negative balance (the first year if there is
    none); NaN where the last year is still negative (not reached within the horizon).
    """
    cum = np.cumsum(net_flow, axis=-1)
    tol = 1e-6 * np.maximum(1.0, np.abs(cum).max(axis=-1, keepdims=True))
    negative = cum < -tol
    n = negative.shape[-1]
    last_negative = n - 1 - np.argmax(negative[..., ::-1], axis=-1)
    first_ok = np.where(negative.any(axis=-1), last_negative + 1, 0)
    return np.where(negative[..., -1], np.nan, np.asarray(years)[np.minimum(first_ok, n - 1)])
