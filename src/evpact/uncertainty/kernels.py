"""Compiled kernels (numba) for the stages of a block around the engine: the triangular inverse
CDF of the sampled inputs and the streaming totals' sums over draws.

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

import numba
import numpy as np

from ..engine.kernels import _kernel  # the one way evpact compiles a kernel
from ..scenario.distributions import FloatArray

F64 = numba.types.float64
IN1C = numba.types.Array(F64, 1, "C", readonly=True)
IN2C = numba.types.Array(F64, 2, "C", readonly=True)
OUT1C = numba.types.Array(F64, 1, "C")
OUT2C = numba.types.Array(F64, 2, "C")


# --- the triangular inverse CDF (scenario.distributions.triangular_ppf) ----------------------


# No branch per draw: a branch on random quantiles is mispredicted half the time and stops
# the loop being vectorised (selecting ran 1.9x faster on 4,096 draws). The side is selected
# first, then one square root of the selected argument is taken: the same operations on the
# same numbers as the branch np.where keeps, half the square roots of computing both sides
# (12% faster on the yearly paths, where the roots are most of the cost).


@_kernel(IN1C, F64, F64, F64, F64, F64, F64, OUT1C)
def _triangular(u, lo, hi, width, left, right, split, out):  # type: ignore[no-untyped-def]
    for i in range(u.shape[0]):
        x = u[i]
        below = x < split  # np.where(u < split, ...): NaN takes the right side
        root = np.sqrt(x * width * left if below else (1 - x) * width * right)
        out[i] = lo + root if below else hi - root


@_kernel(IN1C, IN1C, IN1C, IN1C, IN1C, IN1C, IN1C, OUT2C)
def _triangular_path(u, lo, hi, width, left, right, split, out):  # type: ignore[no-untyped-def]
    n, m = out.shape
    for i in range(n):
        x = u[i]
        for j in range(m):
            below = x < split[j]
            root = np.sqrt(x * width[j] * left[j] if below else (1 - x) * width[j] * right[j])
            out[i, j] = lo[j] + root if below else hi[j] - root


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
