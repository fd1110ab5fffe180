"""Mechanism 6: the break-even year of a balance (the flows themselves are the Crown ledger's,
``engine.ledger``; discounting is done where the metrics are, ``metrics.draw_metrics``)."""

from __future__ import annotations

import numpy as np

from ..scenario.distributions import FloatArray
from . import jit


def breakeven_year(net_flow: FloatArray, years: FloatArray) -> FloatArray:
    """First year from which the cumulative net balance stays >= 0 to the horizon's end.

    That is the year after the last year with a negative balance (the first year if there is
    none); NaN where the last year is still negative (not reached within the horizon). The
    cumulative balance is built year by year over draws held side by side (year-major), which
    is several times faster than cumulative ufuncs along a short last axis.
    """
    net = np.asarray(net_flow, dtype=float)
    fused = jit.compiled_for(net.shape[-2]) if net.ndim >= 2 else None
    if fused is not None:  # the same test draw by draw in one pass (same values)
        return np.asarray(fused.breakeven_year(net, years))
    n = net.shape[-1]
    cum = np.empty((n, *net.shape[:-1]))
    running = np.zeros(net.shape[:-1])
    for t in range(n):
        running = running + net[..., t]
        cum[t] = running
    tol = 1e-6 * np.maximum(1.0, np.abs(cum).max(axis=0))
    negative = cum < -tol
    last = np.full(net.shape[:-1], -1)
    for t in range(n):
        last = np.where(negative[t], t, last)
    first_ok = np.minimum(last + 1, n - 1)
    return np.where(negative[-1], np.nan, np.asarray(years, dtype=float)[first_ok])
