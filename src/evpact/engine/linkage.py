"""Mechanism 4: is the linkage met, and what incentives pay and claw back as a result."""

from __future__ import annotations

import numpy as np

from ..scenario.distributions import FloatArray
from .arrays import cumsum_years


def rolling_sum(a: FloatArray, window: int) -> FloatArray:
    """Sum over the last ``window`` years (fewer at the start of the horizon)."""
    if window == 1:
        return a
    c = cumsum_years(a)
    out = c.copy()
    out[..., window:] = c[..., window:] - c[..., :-window]
    return out


def compliance(
    numerator: FloatArray,
    denominator: FloatArray,
    threshold: FloatArray,
    window: int,
    measured: FloatArray,
    proportional: bool,
) -> tuple[FloatArray, FloatArray]:
    """(met, compliance) per draw-year.

    The linkage ratio is measured over a rolling window as a ratio of sums. ``met`` is 1 or 0
    in measured years and NaN elsewhere; ``compliance`` scales conditional payments: 1 before
    measurement starts, then met (binary) or ratio / threshold capped at 1 (proportional).
    """
    num, den = rolling_sum(numerator, window), rolling_sum(denominator, window)
    measured = measured & (den > 0)  # a year with nothing to measure neither holds nor fails
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, num / den, 0.0)
        met = (ratio >= threshold - 1e-12).astype(float)
        level = np.where(threshold > 0, np.minimum(ratio / threshold, 1.0), 1.0)
    c = level if proportional else met
    return np.where(measured, met, np.nan), np.where(measured, c, 1.0)


def capped_flow(flow: FloatArray, cap: FloatArray | None) -> FloatArray:
    """Payments that stop once their cumulative total reaches ``cap``."""
    if cap is None:
        return flow
    paid = np.minimum(cumsum_years(flow), np.asarray(cap)[..., None])
    out = np.empty_like(paid)  # np.diff(paid, axis=-1, prepend=0.0) without the copy
    out[..., :1] = paid[..., :1]  # x - 0.0 is x, -0.0 included
    np.subtract(paid[..., 1:], paid[..., :-1], out=out[..., 1:])
    return out


def clawback(
    amount: FloatArray, failed: FloatArray, window: FloatArray, years: int, rule: str
) -> FloatArray:
    """Repayments of a lump sum when the linkage fails inside the clawback window.

    ``failed`` is the failure level per year (1 - compliance); ``window`` marks the years of
    the ``years``-long window that fall in the horizon. pro_rata: each failed year repays its
    1/years share; cliff: the first failure repays everything; graduated: the first failure
    repays the share not yet earned.
    """
    amount = np.asarray(amount)[..., None]
    f = failed * window
    if rule == "none":
        return np.zeros_like(f)
    if rule == "pro_rata":
        return amount * f / years
    hit = f > 0
    first = hit & (np.cumsum(hit, axis=-1) == 1)
    if rule == "cliff":
        return amount * first
    earned = cumsum_years(window) - window  # window years completed before this one
    return amount * first * np.clip((years - earned) / years, 0.0, 1.0)
