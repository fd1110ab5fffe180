"""Compiled kernels (numba) for the per-draw metrics of a block (``metrics``, ``ledger_metrics``).

The metrics build balances, net worlds and peaks out of a dozen (draw, year) arrays each, and
numpy makes a temporary for every step. Each kernel here computes one of those formulas in a
single pass per element, in exactly the order of operations of the numpy code it stands for
(named in its docstring), so both paths give the same bits, as the engine's kernels do
(docs/model.md, "Compiled kernels"): IEEE operations element by element, ``fastmath`` off (no
fused multiply-adds), sums over years in numpy's pairwise order, present values in the order
numpy's ``einsum`` adds them (only where a check at import shows it adds that way:
``EINSUM_ORDER``). ``tests/test_kernels.py`` compares both paths on every bundled scenario.

Import this module only through ``engine.jit.compiled_for(draws, "..kernels_metrics")``: it
imports numba.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numba
import numpy as np

# the one way evpact compiles a kernel, and its read-only inputs of any layout
from .engine.kernels import F64, IN1, IN2, _kernel, _wide

FloatArray = np.ndarray[Any, Any]
#: outputs the metrics allocate themselves: contiguous
OUT1 = numba.types.Array(F64, 1, "C")
OUT2 = numba.types.Array(F64, 2, "C")
OUT3 = numba.types.Array(F64, 3, "C")


# --- fiscal.breakeven_year of a balance built from four yearly series -----------------------


@numba.njit(inline="always")
def _first_year_even(cum: FloatArray, years: FloatArray) -> float:
    """``fiscal.breakeven_year`` of one cumulative balance: the year after the last year below
    -1e-6 x max(1, max |cum|); NaN if the last year is below it. Without branches on the
    values (a NaN anywhere makes the largest value NaN, as in ``np.max``; the largest of
    absolute values does not depend on the order), which ran 1.5x faster than the branches."""
    n = cum.shape[0]
    top = 0.0
    nan = False
    for t in range(n):
        v = abs(cum[t])
        nan |= v != v
        top = v if v > top else top
    if nan:
        top = np.nan
    tol = 1e-6 * (top if (top >= 1.0 or top != top) else 1.0)  # np.maximum(1.0, top)
    last = -1
    for t in range(n):
        last = t if cum[t] < -tol else last
    if cum[n - 1] < -tol:
        return np.nan
    return years[min(last + 1, n - 1)]


@_kernel(*[IN2] * 9, IN1, OUT2)
def _balance_breakevens(  # type: ignore[no-untyped-def]
    s_rev0, c_rev0, s_rev1, c_rev1, s_rev2, c_rev2, s_cost, c_cost, weight, years, out
):  # fmt: skip
    n, m = s_cost.shape
    cum = np.empty((3, m))
    for i in range(n):
        r0 = r1 = r2 = 0.0  # numpy's running totals start from zeros
        for t in range(m):
            cost = s_cost[i, t] - c_cost[i, t]
            w = weight[i, t]
            r0 = r0 + ((s_rev0[i, t] - c_rev0[i, t]) - cost) * w
            r1 = r1 + ((s_rev1[i, t] - c_rev1[i, t]) - cost) * w
            r2 = r2 + ((s_rev2[i, t] - c_rev2[i, t]) - cost) * w
            cum[0, t], cum[1, t], cum[2, t] = r0, r1, r2
        for k in range(3):
            out[k, i] = _first_year_even(cum[k], years)


def balance_breakevens(
    revenues: list[tuple[FloatArray, FloatArray]],
    cost: tuple[FloatArray, FloatArray],
    weight: FloatArray,
    years: FloatArray,
) -> FloatArray | None:
    """``fiscal.breakeven_year(((s_rev - c_rev) - (s_cost - c_cost)) * weight, years)`` per
    draw for three revenues (the scopes) against one cost, without the balances as (draw, year)
    arrays, each series read once: (3, draw). Revenue and cost are impacts (scenario,
    counterfactual pairs); ``weight`` holds the discount factors of a discounted balance (ones
    for a cumulative one). None without (draw, year) arrays of at least one year."""
    shape = np.broadcast_shapes(*(np.shape(a) for pair in (*revenues, cost) for a in pair))
    if len(shape) != 2 or shape[1] == 0:
        return None  # no years: numpy's to refuse, as it does
    out = np.empty((3, shape[0]))
    inputs = _wide(shape, *(a for pair in (*revenues, cost) for a in pair), weight)
    _balance_breakevens(*inputs, np.asarray(years, dtype=float), out)
    return out


# --- the jobs and labour income layers (metrics: the jobs peaks, additionality.net_world) ---


@numba.njit(inline="always")
def _pairwise(row: FloatArray) -> float:
    """``row.sum()`` in numpy's order (pairwise: eight running sums over blocks of eight, added
    as a tree, then the remainder; rows of up to 128) from its zero start."""
    m = row.shape[0]
    if m < 8:
        res = 0.0
        for j in range(m):
            res += row[j]
    else:
        r0, r1, r2, r3 = row[0], row[1], row[2], row[3]
        r4, r5, r6, r7 = row[4], row[5], row[6], row[7]
        j = 8
        while j < m - (m % 8):
            r0 += row[j]
            r1 += row[j + 1]
            r2 += row[j + 2]
            r3 += row[j + 3]
            r4 += row[j + 4]
            r5 += row[j + 5]
            r6 += row[j + 6]
            r7 += row[j + 7]
            j += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while j < m:
            res += row[j]
            j += 1
    return 0.0 + res


@numba.njit(inline="always")
def _dot(a: FloatArray, b: FloatArray) -> float:
    """``np.einsum("t,t->", a, b)`` in einsum's order of additions (``EINSUM_ORDER``)."""
    m = a.shape[0]
    even = 0.0
    odd = 0.0
    j = 0
    while m - j >= 8:
        even = a[j + 6] * b[j + 6] + even
        odd = a[j + 7] * b[j + 7] + odd
        even = a[j + 4] * b[j + 4] + even
        odd = a[j + 5] * b[j + 5] + odd
        even = a[j + 2] * b[j + 2] + even
        odd = a[j + 3] * b[j + 3] + odd
        even = a[j] * b[j] + even
        odd = a[j + 1] * b[j + 1] + odd
        j += 8
    while j < m:
        even = a[j] * b[j] + even
        odd = (a[j + 1] * b[j + 1] if j + 1 < m else 0.0) + odd
        j += 2
    return 0.0 + (even + odd)


@_kernel(IN2, IN2, OUT1)
def _dots(a, b, out):  # type: ignore[no-untyped-def]
    for i in range(a.shape[0]):
        out[i] = _dot(a[i], b[i])


def _einsum_order() -> bool:
    """Whether ``_dot`` gives this numpy's ``einsum("dt,dt->d")`` bits: rows of 0 to 64 years,
    values over twenty orders of magnitude, both signs, zeros of both signs."""
    rng = np.random.default_rng(2026)
    for m in range(65):
        a = rng.normal(size=(64, m)) * 10.0 ** rng.integers(-10, 10, size=(64, m))
        b = rng.uniform(-1.0, 1.0, size=(64, m))
        a.flat[::7], b.flat[3::11] = -0.0, 0.0
        got = np.empty(64)
        _dots(a, b, got)
        if got.tobytes() != np.einsum("dt,dt->d", a, b).tobytes():
            return False
    return True


#: numpy's einsum adds a row's products in its own order: in this build two lanes (even and
#: odd years), eight years a step taken from the last pair to the first, products added to
#: the lanes without fused multiply-adds, a last odd year against a zero, then the two lanes,
#: then the zeroed output. ``_dot`` repeats it; this is true only where it gives einsum's bits
#: on the probe above (checked when the module loads), so with another numpy build (another
#: SIMD width, fused multiply-adds) the metrics take numpy's path instead of changing a number
EINSUM_ORDER = _einsum_order()

#: rows of ``layers``' per-draw output
LAYER_VALUES = (
    "gross_gains", "gains", "tax", "direct_jobs_peak", "total_jobs_peak", "net_jobs_peak",
    *(f"{w}_{k}" for w in ("net_s", "net_c", "gross_s", "gross_c") for k in range(3)),
)  # fmt: skip


@numba.njit(inline="always")
def _peak(row: FloatArray) -> tuple[float, bool]:
    """The largest value of a row, and whether it is numpy's ``max`` for sure: no NaN and
    above zero (a positive maximum is one value, sign included, whatever the order)."""
    top = row[0]
    nan = top != top
    for t in range(1, row.shape[0]):
        v = row[t]
        nan |= v != v
        top = v if v > top else top
    return top, (not nan) and top > 0.0


# inputs: both worlds' jobs and labour income (3 layers each) and tax_total; the scenario's
# but-for, slack shares by layer, in-migration and labour tax rate; the discount factors.
# outputs: per draw the ``LAYER_VALUES``, a flag for draws whose peaks numpy must take, and
# for those draws only, the three yearly jobs impacts
@_kernel(*[IN2] * 15, *[IN1] * 4, IN2, IN2, OUT2, OUT1, OUT3)
def _layers(  # type: ignore[no-untyped-def]
    sj0, sj1, sj2, sl0, sl1, sl2, stax, cj0, cj1, cj2, cl0, cl1, cl2, ctax,
    b, sig0, sig1, sig2, mig, rate, disc,
    out, flagged, jobs,
):  # fmt: skip
    n, m = b.shape
    rows = np.empty((15, m))
    for i in range(n):
        s0, s1, s2 = sig0[i], sig1[i], sig2[i]
        o0, o1, o2 = 1.0 - s0, 1.0 - s1, 1.0 - s2
        keep = 1.0 - mig[i]
        for t in range(m):
            bt, r = b[i, t], rate[i, t]
            f0, f1, f2 = bt * s0, bt * s1, bt * s2
            untaxed = 1.0 - r
            # the gross jobs impacts, as draw_metrics' ``yearly`` adds the layers in turn
            d = sj0[i, t] - cj0[i, t]
            rows[12, t] = d
            rows[13, t] = (((d + sj1[i, t]) - cj1[i, t]) + sj2[i, t]) - cj2[i, t]
            # after_tax_income of each gross world
            rows[6, t] = ((sl0[i, t] + sl1[i, t]) + sl2[i, t]) * untaxed
            rows[7, t] = ((cl0[i, t] + cl1[i, t]) + cl2[i, t]) * untaxed
            # net_world of the scenario: layers x b x slack, tax less the moved workers' tax
            a0, a1, a2 = f0 * sl0[i, t], f1 * sl1[i, t], f2 * sl2[i, t]
            moved = ((0.0 + o0 * sl0[i, t]) + o1 * sl1[i, t]) + o2 * sl2[i, t]
            rows[10, t] = bt * (stax[i, t] - r * moved)
            rows[8, t] = keep * (((a0 + a1) + a2) * untaxed)
            # and of the counterfactual, with the scenario's factors and rate
            c0, c1, c2 = f0 * cl0[i, t], f1 * cl1[i, t], f2 * cl2[i, t]
            moved = ((0.0 + o0 * cl0[i, t]) + o1 * cl1[i, t]) + o2 * cl2[i, t]
            rows[11, t] = bt * (ctax[i, t] - r * moved)
            rows[9, t] = keep * (((c0 + c1) + c2) * untaxed)
            rows[0, t], rows[1, t], rows[2, t] = a0, a1, a2
            rows[3, t], rows[4, t], rows[5, t] = c0, c1, c2
            # the net jobs impact, layer after layer (metrics._peak of the net worlds)
            d = f0 * sj0[i, t] - f0 * cj0[i, t]
            d = d + f1 * sj1[i, t]
            d = d - f1 * cj1[i, t]
            d = d + f2 * sj2[i, t]
            rows[14, t] = d - f2 * cj2[i, t]
        # present values as einsum takes them: each world's, then the difference
        for k in range(3):
            w = disc[i]
            out[k, i] = _dot(rows[6 + 2 * k], w) - _dot(rows[7 + 2 * k], w)
        sure = True
        for k in range(3):
            top, ok = _peak(rows[12 + k])
            out[3 + k, i] = top
            sure &= ok
        flagged[i] = 0.0 if sure else 1.0
        if not sure:
            for k in range(3):
                for t in range(m):
                    jobs[k, i, t] = rows[12 + k, t]
        for k in range(6):
            out[6 + k, i] = _pairwise(rows[k])
        for k, row in enumerate((sl0[i], sl1[i], sl2[i], cl0[i], cl1[i], cl2[i])):
            out[12 + k, i] = _pairwise(row)


def _layer_arrays(w: Mapping[str, FloatArray], layers: tuple[str, ...]) -> list[FloatArray]:
    return [w[f"{k}_jobs"] for k in layers] + [w[f"labour_income_{k}"] for k in layers]


def layers(
    s: Mapping[str, FloatArray], c: Mapping[str, FloatArray], disc: FloatArray
) -> dict[str, FloatArray] | None:
    """What the metrics read of the jobs and labour income layers of both worlds, per draw,
    in one pass that keeps each draw's yearly values in a small buffer: the present values
    (``disc``) of residents' after-tax labour income gains, gross (``gross_gains``:
    ``additionality.after_tax_income``) and net (``gains``), and of net tax (``tax``), the net
    worlds being ``additionality.net_world``'s (the scenario's factors and labour tax rate in
    both); the highest yearly direct, total and net jobs impacts; each layer's labour income
    summed over years, net and gross, scenario and counterfactual (``net_s_0`` ...
    ``gross_c_2``). The same values as numpy's: the present values in ``einsum``'s order
    (``EINSUM_ORDER``), the sums pairwise, a peak numpy's ``max`` of the same row wherever it
    is not a positive number. None where that cannot hold (einsum adds otherwise here, no
    years, or rows of more than 128 years): numpy's to compute."""
    names = ("direct", "indirect", "induced")
    shape = np.shape(s["tax_total"])
    if not EINSUM_ORDER or len(shape) != 2 or not 0 < shape[1] <= 128:
        return None
    n = shape[0]
    wide = _wide(
        shape,
        *(a for w in (s, c) for a in (*_layer_arrays(w, names), w["tax_total"])),
        s["but_for"],
    )
    per_draw = _wide((n,), *(s[f"slack_{k}"] for k in names), s["in_migration"])
    extra = _wide(shape, s["labour_revenue_rate"], disc)
    out = np.empty((len(LAYER_VALUES), n))
    flagged = np.empty(n)
    jobs = np.empty((3, *shape))  # written only for the draws numpy must take the peaks of
    _layers(*wide, *per_draw, *extra, out, flagged, jobs)
    redo = np.flatnonzero(flagged)
    for k in range(3):
        if redo.size:
            out[3 + k, redo] = jobs[k, redo].max(axis=1)
    return dict(zip(LAYER_VALUES, out, strict=True))


# --- the linkage metrics (metrics.draw_metrics' linkage_met_share, metrics.linkage_risk) -----


IN3C = numba.types.Array(F64, 3, "C", readonly=True)


@_kernel(IN3C, IN1, OUT2)
def _linkage(met, years, out):  # type: ignore[no-untyped-def]
    n, deals, m = met.shape
    row = np.empty(deals * m)
    for i in range(n):
        counted = 0
        ever = False
        first = -1
        for t in range(m):
            failed = False
            for d in range(deals):
                x = met[i, d, t]
                row[d * m + t] = x if x == x else 0.0  # np.nansum: NaN as zero
                counted += x == x
                failed |= x == 0.0
            if failed and not ever:
                ever, first = True, t
        if counted > 0:
            out[0, i] = _pairwise(row) / counted
            out[1, i] = 0.0 if ever else 1.0
            out[2, i] = years[first] if ever else np.nan
            out[3, i] = 1.0 if ever else 0.0
        else:
            out[0, i] = out[1, i] = out[2, i] = out[3, i] = np.nan


def linkage(met: FloatArray, years: FloatArray) -> FloatArray | None:
    """The linkage metrics per draw of a (draw, deal, year) array (1 met, 0 failed, NaN not
    measured) in one pass, (4, draw): ``linkage_met_share`` (the sum of measured values over
    their count: ``nansum`` over deals and years, pairwise as numpy adds a row, over
    ``(~isnan).sum``), then ``metrics.linkage_risk``'s ``linkage_holds_over_deal``,
    ``linkage_first_failure_year`` and ``..._reached_share``; NaN where nothing is measured.
    None for an array numpy would add otherwise (not C-ordered float64, or rows of more than
    128 values, which numpy splits): numpy's to compute."""
    if met.ndim != 3 or met.dtype != np.float64 or not met.flags.c_contiguous:
        return None
    if met.shape[1] * met.shape[2] > 128:
        return None
    out = np.empty((4, met.shape[0]))
    _linkage(met, np.asarray(years, dtype=float), out)
    return out
