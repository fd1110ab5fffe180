"""Compiled kernels (numba) for the engine's longest chains of (draw, year) temporaries.

Each kernel is one equation of docs/model.md computed in a single pass over the draws, element
by element, in exactly the order of operations of the numpy code it stands for (the numpy
function named in its docstring), so both give the same bits: IEEE additions, products,
divisions and comparisons are exact per element and numba contracts nothing into fused
multiply-adds unless told to (``fastmath`` is off). Powers are the exception: numpy's SIMD
``power`` and the C library's ``pow`` differ in the last bit, so powers are taken by numpy
before a kernel runs. ``tests/test_kernels.py`` compares both paths.

Import this module only through ``engine.jit.compiled_for``: it imports numba (about 0.3 s)
and places its cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numba
import numpy as np

from ..scenario.distributions import FloatArray

Kernel = Callable[..., None]  # a kernel writes into the arrays it is given
#: the kernels' argument types: inputs are read-only arrays of any layout (contiguous arrays,
#: broadcast views and slices all pass), outputs writable; one compiled version per kernel,
#: loaded from the cache when this module is imported (a version per layout met at run time
#: would each be loaded, or compiled, on first use: about 20 ms apiece)
F64 = numba.types.float64
IN1 = numba.types.Array(F64, 1, "A", readonly=True)
IN2 = numba.types.Array(F64, 2, "A", readonly=True)
OUT1 = numba.types.Array(F64, 1, "A")
OUT2 = numba.types.Array(F64, 2, "A")
OUT3 = numba.types.Array(F64, 3, "A")


def _kernel(*args: Any) -> Callable[[Callable[..., None]], Kernel]:
    """``numba.njit`` for one signature (``args``), with an on-disk cache and numpy's float
    semantics (a division by zero gives inf or NaN, as in numpy, instead of raising)."""
    signature = numba.types.void(*args)

    def wrap(f: Callable[..., None]) -> Kernel:
        return cast(Kernel, numba.njit(signature, cache=True, error_model="numpy", nogil=True)(f))

    return wrap


def _wide(shape: tuple[int, int], *arrays: FloatArray | float) -> list[FloatArray]:
    """Each input as a (draw, year) array (a broadcast view: no copy)."""
    return [np.broadcast_to(np.asarray(a, dtype=float), shape) for a in arrays]


# --- economy.layered (docs/model.md §5, import leakage) -------------------------------------


@_kernel(IN2, IN2, IN2, IN2, OUT2, OUT2)
def _layered(direct, simple, total, purchased, indirect, induced):  # type: ignore[no-untyped-def]
    n, m = direct.shape
    for i in range(n):
        for j in range(m):
            d = direct[i, j]
            s = simple[i, j]
            indirect_full = d * (s - 1.0)
            induced_full = d * (total[i, j] - s)
            q = purchased[i, j]
            if q < 0.0:  # np.clip(q, 0, 1); NaN stays NaN
                q = 0.0
            elif q > 1.0:
                q = 1.0
            ind = indirect_full * (1.0 - q)
            base = d + indirect_full
            scale = (d + ind) / base if base > 0 else 1.0
            indirect[i, j] = ind
            induced[i, j] = induced_full * scale


def layered(
    direct: FloatArray,
    simple_ratio: FloatArray,
    total_ratio: FloatArray,
    purchased_share: FloatArray,
    shape: tuple[int, int],
) -> tuple[FloatArray, FloatArray]:
    """Indirect and induced effects net of linked local purchases: ``economy.layered`` in one
    pass (indirect = direct (s - 1)(1 - p); induced = direct (t - s) x the share of the
    direct-plus-indirect base that stays)."""
    indirect, induced = np.empty(shape), np.empty(shape)
    _layered(*_wide(shape, direct, simple_ratio, total_ratio, purchased_share), indirect, induced)
    return indirect, induced


# --- sums over draws and over years, in numpy's order of additions --------------------------
#
# numpy sums a (draw, year) array over years (the contiguous axis) pairwise: eight running
# sums over blocks of eight, added as a tree, then the remainder in order (rows of up to
# 128 years: PW_BLOCKSIZE in numpy's loops_utils.h); over draws it adds row after row into
# a zeroed total. Both are repeated here exactly (same bits, tests/test_kernels.py) without
# numpy's per-row call overhead, which dominates for rows of 20 years.

PAIRWISE_BLOCK = 128


@_kernel(IN2, OUT1)
def _row_sums(a, out):  # type: ignore[no-untyped-def]
    n, m = a.shape
    for i in range(n):
        if m < 8:
            res = 0.0
            for j in range(m):
                res += a[i, j]
        else:
            r0, r1, r2, r3 = a[i, 0], a[i, 1], a[i, 2], a[i, 3]
            r4, r5, r6, r7 = a[i, 4], a[i, 5], a[i, 6], a[i, 7]
            j = 8
            while j < m - (m % 8):
                r0 += a[i, j]
                r1 += a[i, j + 1]
                r2 += a[i, j + 2]
                r3 += a[i, j + 3]
                r4 += a[i, j + 4]
                r5 += a[i, j + 5]
                r6 += a[i, j + 6]
                r7 += a[i, j + 7]
                j += 8
            res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while j < m:
                res += a[i, j]
                j += 1
        out[i] = 0.0 + res  # numpy starts the reduction from its identity, 0.0


@_kernel(IN2, OUT1)
def _column_sums(a, out):  # type: ignore[no-untyped-def]
    n, m = a.shape
    for j in range(m):
        out[j] = 0.0
    for i in range(n):
        for j in range(m):
            out[j] += a[i, j]


def sums_over_years(a: FloatArray) -> FloatArray:
    """``a.sum(axis=1)`` of a (draw, year) float64 array, the same bits."""
    if a.ndim != 2 or a.dtype != np.float64 or a.shape[1] > PAIRWISE_BLOCK:
        return np.asarray(a.sum(axis=1))
    out = np.empty(a.shape[0])
    _row_sums(a, out)
    return out


def sums_over_draws(a: FloatArray) -> FloatArray:
    """``a.sum(axis=0)`` of a (draw, ...) float64 array, the same bits. A single column is
    left to numpy (it sums it pairwise, not row after row)."""
    tail = a.shape[1:]
    width = int(np.prod(tail))
    if a.ndim < 2 or a.dtype != np.float64 or width < 2:
        return np.asarray(a.sum(axis=0))
    if a.ndim > 2:  # (draw, plant, year): its rows as one, when they are contiguous
        if not a.flags.c_contiguous:
            return np.asarray(a.sum(axis=0))
        a = a.reshape(a.shape[0], width)
    out = np.empty(width)
    _column_sums(a, out)
    return out.reshape(tail)


# --- fiscal.breakeven_year (docs/model.md §6, break-even year) ------------------------------


@_kernel(IN2, IN1, OUT1)
def _breakeven(net, years, out):  # type: ignore[no-untyped-def]
    rows, n = net.shape
    cum = np.empty(n)
    for i in range(rows):
        running = 0.0
        for t in range(n):
            running = running + net[i, t]
            cum[t] = running
        top = abs(cum[0])
        for t in range(1, n):
            v = abs(cum[t])
            if (v > top or v != v) and top == top:  # np.max: a NaN wins and stays
                top = v
        tol = 1e-6 * (top if (top >= 1.0 or top != top) else 1.0)  # np.maximum(1, top)
        last = -1
        for t in range(n):
            if cum[t] < -tol:
                last = t
        if cum[n - 1] < -tol:
            out[i] = np.nan
        else:
            out[i] = years[min(last + 1, n - 1)]


def breakeven_year(net_flow: FloatArray, years: FloatArray) -> FloatArray:
    """``fiscal.breakeven_year`` in one pass per draw: the year after the last year whose
    cumulative balance is below -1e-6 x max(1, its largest absolute value); NaN if the
    horizon ends below it."""
    net = np.asarray(net_flow, dtype=float)
    flat = net.reshape(-1, net.shape[-1])
    out = np.empty(flat.shape[0])
    _breakeven(flat, np.asarray(years, dtype=float), out)
    return out.reshape(net.shape[:-1])
