"""Mechanisms 2 and 3: assembly production and battery-plant output (physical flows)."""

from __future__ import annotations

import numpy as np

from ..scenario.distributions import FloatArray
from . import jit


def _ramp_integral(x: FloatArray) -> FloatArray:
    """Integral of clip(u, 0, 1) from 0 to x: 0, x²/2 below 1, x - 1/2 past it. Written into
    buffers of its own (``np.where``'s values, fewer temporaries) and always an array."""
    x = np.asarray(x, dtype=float)
    out = np.subtract(x, 0.5)
    square = np.multiply(0.5, x)
    square *= x
    np.copyto(out, square, where=x < 1)
    np.copyto(out, 0.0, where=x <= 0)
    return out


def ramp_factor(years: FloatArray, start: FloatArray, ramp_years: FloatArray) -> FloatArray:
    """Average share of full output reached in each calendar year.

    Output rises linearly from zero at ``start`` (a possibly fractional year) to full after
    ``ramp_years``; the factor is that line's exact average over the year, so a start on
    1 July gives half of a plant's first-year ramp and a zero ramp is a step.
    """
    shape = np.broadcast_shapes(np.shape(years), np.shape(start), np.shape(ramp_years))
    fused = jit.compiled_for(shape[0]) if len(shape) == 2 and np.ndim(years) == 1 else None
    if fused is not None:  # the same line in one pass over the draws (same bits)
        return fused.ramp_factor(years, start, ramp_years, (shape[0], shape[1]))
    r = np.maximum(ramp_years, 1e-9)
    hi = _ramp_integral((years + 1 - start) / r)
    hi -= _ramp_integral((years - start) / r)  # in place (hi has the full shape, r's too):
    hi *= r  # the same subtraction and product, in one buffer
    return hi


def assembly_production(capacity: FloatArray, ramp: FloatArray, demand: FloatArray) -> FloatArray:
    """Vehicles built: what the plant can make this year, or what its markets take if less."""
    return np.minimum(capacity * ramp, demand)


def battery_output(
    available: FloatArray, linked_need: FloatArray, offtake: list[FloatArray]
) -> tuple[FloatArray, FloatArray, list[FloatArray]]:
    """Output of a battery plant and where it goes.

    The plant sells what it can make or what its customers take, whichever is less. Linked
    local assembly is served first (the captive demand a linkage buys); contract customers
    share the rest in proportion to their call. Returns (output, to linked customers,
    to each offtake contract).
    """
    contracts = sum(offtake, np.zeros_like(available))
    output = np.minimum(available, linked_need + contracts)
    linked = np.minimum(output, linked_need)
    rest = output - linked
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(contracts > 0, rest / contracts, 0.0)
    return output, linked, [o * share for o in offtake]
