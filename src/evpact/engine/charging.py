"""Mechanism 8c, charging: the EV stock the market path implies against public charging
ports, and (when a scenario enables it) a port shortage slowing the home EV share."""

from __future__ import annotations

import numpy as np

from ..scenario.distributions import FloatArray
from . import jit


def stock_and_ports(
    lv_sales: FloatArray,
    ev_share: FloatArray,
    stock_start: FloatArray,
    scrappage: FloatArray,
    ports: FloatArray,
    target: FloatArray,
    elasticity: FloatArray,
    feedback: bool,
) -> tuple[FloatArray, FloatArray]:
    """(EV stock at each year's end, EV share after any charging feedback), (draw, year).

    stock_t = stock_{t-1} x (1 - scrappage) + light-vehicle sales_t x EV share_t. With the
    feedback, the EV share of year t is scaled by min(1, target / (stock / ports)_{t-1}) to
    the power ``elasticity``: a recursion over years, vectorised over draws.
    """
    n, years = ev_share.shape
    if not feedback:  # the share stays as it is; the stock is the recursion alone
        fused = jit.compiled_for(n, ".kernels_flows")
        if fused is not None:  # the same recursion a draw at a time (same bits)
            return fused.ev_stock(lv_sales, ev_share, stock_start, scrappage), ev_share
    share = ev_share.copy() if feedback else ev_share
    stock = np.empty((n, years))
    previous = np.broadcast_to(stock_start, (n, 1))[:, 0]
    keep = 1.0 - np.broadcast_to(scrappage, (n, 1))[:, 0]
    for t in range(years):
        if feedback and t > 0:
            ratio = stock[:, t - 1] / np.maximum(ports[:, t - 1], 1.0)
            with np.errstate(divide="ignore"):
                shortfall = np.clip(np.broadcast_to(target, (n, 1))[:, 0] / ratio, 0.0, 1.0)
            share[:, t] *= shortfall ** np.broadcast_to(elasticity, (n, 1))[:, 0]
        stock[:, t] = previous * keep + lv_sales[:, t] * share[:, t]
        previous = stock[:, t]
    return stock, share
