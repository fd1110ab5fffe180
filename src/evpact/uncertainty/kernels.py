"""Compiled kernels (numba) for the stages of a block around the engine: the triangular inverse
CDF of the sampled inputs and the streaming totals' sums over draws (of the yearly arrays, four
at a time, and of the linkage's, with its NaN).

Like ``engine.kernels`` (whose rules they follow: docs/model.md, "Compiled kernels"), each gives
the bits of the numpy expression it stands for, named in its docstring: the same IEEE operations
element by element in the same order, no fused multiply-adds (``fastmath`` off), square roots
correctly rounded on both paths. ``tests/test_kernels.py`` compares both paths. The signatures
take C-contiguous arrays where the callers have them: numba then vectorises the loops over
years, which an any-layout signature prevents (1.4-2x on the column sums).

Import this module only through
``engine.jit.compiled_for(draws, "..uncertainty.kernels")``: it imports numba.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numba
import numpy as np

from ..scenario.distributions import FloatArray

Kernel = Callable[..., None]
F64 = numba.types.float64
IN1C = numba.types.Array(F64, 1, "C", readonly=True)
IN2C = numba.types.Array(F64, 2, "C", readonly=True)
IN3C = numba.types.Array(F64, 3, "C", readonly=True)
OUT1C = numba.types.Array(F64, 1, "C")
OUT2C = numba.types.Array(F64, 2, "C")
INT1C = numba.types.Array(numba.types.int64, 1, "C")
#: arrays summed per pass of ``_column_sums_4``
GROUP = 4


def _kernel(*args: Any) -> Callable[[Callable[..., None]], Kernel]:
    """``numba.njit`` for one signature, cached on disk, with numpy's float semantics."""
    signature = numba.types.void(*args)

    def wrap(f: Callable[..., None]) -> Kernel:
        return cast(Kernel, numba.njit(signature, cache=True, error_model="numpy", nogil=True)(f))

    return wrap


# --- the triangular inverse CDF (scenario.distributions.triangular_ppf) ----------------------


# Both branches are computed and one is selected, as np.where does: a branch per draw on
# random quantiles is mispredicted half the time and stops the loop being vectorised (the
# select ran 1.9x faster on 4,096 draws).


@_kernel(IN1C, F64, F64, F64, F64, F64, F64, OUT1C)
def _triangular(u, lo, hi, width, left, right, split, out):  # type: ignore[no-untyped-def]
    for i in range(u.shape[0]):
        x = u[i]
        a = lo + np.sqrt(x * width * left)
        b = hi - np.sqrt((1 - x) * width * right)
        out[i] = a if x < split else b  # np.where(u < split, ...): NaN takes the right side


@_kernel(IN1C, IN1C, IN1C, IN1C, IN1C, IN1C, IN1C, OUT2C)
def _triangular_path(u, lo, hi, width, left, right, split, out):  # type: ignore[no-untyped-def]
    n, m = out.shape
    for i in range(n):
        x = u[i]
        for j in range(m):
            a = lo[j] + np.sqrt(x * width[j] * left[j])
            b = hi[j] - np.sqrt((1 - x) * width[j] * right[j])
            out[i, j] = a if x < split[j] else b


def triangular_ppf(u: FloatArray, lo: float, mode: float, hi: float) -> FloatArray:
    """``distributions.triangular_ppf(u, lo, mode, hi)`` for scalar bounds and float64
    quantiles in one pass. The constants are Python floats: IEEE doubles, as numpy's."""
    width = hi - lo
    split = (mode - lo) / width if width > 0 else 0.5
    out = np.empty(u.shape[0])
    _triangular(np.ascontiguousarray(u), lo, hi, width, mode - lo, hi - mode, split, out)
    return out


def triangular_path(u: FloatArray, lo: FloatArray, mode: FloatArray, hi: FloatArray) -> FloatArray:
    """``distributions.triangular_ppf(u[:, None], lo, mode, hi)``: one quantile per draw picks
    a yearly path between (year,) bounds. The per-year constants are numpy's own."""
    width = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        split = np.where(width > 0, (mode - lo) / np.where(width > 0, width, 1.0), 0.5)
    out = np.empty((u.shape[0], lo.shape[0]))
    args = (u, lo, hi, width, mode - lo, hi - mode, split)
    _triangular_path(*(np.ascontiguousarray(a, dtype=float) for a in args), out)
    return out


# --- sums over draws of a (draw, year) array (numpy's a.sum(axis=0)) ------------------------


@_kernel(IN2C, OUT1C)
def _column_sums(a, out):  # type: ignore[no-untyped-def]
    n, m = a.shape
    acc = np.zeros(m)  # numpy adds row after row into a zeroed total
    for i in range(n):
        for j in range(m):
            acc[j] += a[i, j]
    for j in range(m):
        out[j] = acc[j]


def sums_over_draws(a: FloatArray) -> FloatArray:
    """``a.sum(axis=0)`` of a C-contiguous (draw, ...) float64 array of two columns or more,
    the same bits; any other array is summed by numpy (a single column numpy adds pairwise)."""
    tail = a.shape[1:]
    width = int(np.prod(tail))
    if a.ndim < 2 or a.dtype != np.float64 or width < 2 or not a.flags.c_contiguous:
        return np.asarray(a.sum(axis=0))
    out = np.empty(width)
    _column_sums(a.reshape(a.shape[0], width), out)
    return out.reshape(tail)


@_kernel(*[IN2C] * GROUP, OUT2C)
def _column_sums_4(a, b, c, d, out):  # type: ignore[no-untyped-def]
    n, m = a.shape
    for j in range(m):
        out[0, j] = out[1, j] = out[2, j] = out[3, j] = 0.0
    for i in range(n):
        for j in range(m):
            out[0, j] += a[i, j]
            out[1, j] += b[i, j]
            out[2, j] += c[i, j]
            out[3, j] += d[i, j]


def sums_over_draws_of(arrays: list[FloatArray]) -> list[FloatArray]:
    """``[a.sum(axis=0) for a in arrays]``, the same bits, four arrays of one shape per pass.

    Each column is still added row after row from zero, as numpy does; four arrays side by side
    give the processor four times as many independent additions to overlap (the running total
    of one column waits on its previous addition), which ran 10-15% faster on a block's ~110
    arrays, most of whose cost is reading them from memory."""
    out: list[FloatArray | None] = [None] * len(arrays)
    groups: dict[tuple[int, int], list[int]] = {}
    for i, a in enumerate(arrays):
        width = int(np.prod(a.shape[1:]))
        if a.ndim >= 2 and a.dtype == np.float64 and width >= 2 and a.flags.c_contiguous:
            groups.setdefault((a.shape[0], width), []).append(i)
        else:
            out[i] = sums_over_draws(a)
    for (n, width), members in groups.items():
        whole = len(members) - len(members) % GROUP
        sums = np.empty((GROUP, width))
        for g in range(0, whole, GROUP):
            ids = members[g : g + GROUP]
            _column_sums_4(*(arrays[i].reshape(n, width) for i in ids), sums)
            for row, i in enumerate(ids):
                out[i] = sums[row].reshape(arrays[i].shape[1:]).copy()
        for i in members[whole:]:
            out[i] = sums_over_draws(arrays[i])
    return [np.asarray(a) for a in out]


# --- the linkage's yearly totals (reduce.Totals: np.nansum, counts, metrics.holds_by_year) ---


@_kernel(IN3C, OUT1C, INT1C, INT1C, INT1C)
def _linkage(met, total, counted, held, measured):  # type: ignore[no-untyped-def]
    n, deals, m = met.shape
    for j in range(deals * m):
        total[j] = 0.0
        counted[j] = 0
    for t in range(m):
        held[t] = measured[t] = 0
    for i in range(n):
        for t in range(m):
            any_measured = False
            any_failed = False
            for d in range(deals):
                x = met[i, d, t]
                j = d * m + t
                if x == x:
                    total[j] += x
                    counted[j] += 1
                    any_measured = True
                else:
                    total[j] += 0.0  # np.nansum adds a zero in its place
                any_failed |= x == 0.0
            measured[t] += any_measured
            held[t] += any_measured and not any_failed


def linkage_sums(met: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None:
    """For a (draw, deal, year) linkage array with NaN where a year is not measured, in one
    pass: ``np.nansum(met, axis=0)``, ``(~np.isnan(met)).sum(axis=0)`` and
    ``metrics.holds_by_year(met)`` (draws where the linkage holds, and where it is measured,
    per year), the same values (the NaN-free sum row after row from zero, as numpy adds a
    C-ordered array of two columns or more; None for any other array: numpy's to sum)."""
    if met.ndim != 3 or met.dtype != np.float64 or not met.flags.c_contiguous:
        return None
    _, deals, m = met.shape
    if deals * m < 2:
        return None
    total, counted = np.empty(deals * m), np.empty(deals * m, dtype=np.int64)
    held, measured = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64)
    _linkage(met, total, counted, held, measured)
    return total.reshape(deals, m), counted.reshape(deals, m), held, measured
