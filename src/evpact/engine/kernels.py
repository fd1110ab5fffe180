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
from .origin import RULES

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


def _wide(shape: tuple[int, ...], *arrays: FloatArray | float) -> list[FloatArray]:
    """Each input as an array of ``shape`` (draw, year, or any other): as it is when it
    already is one (numba takes a writable array for a read-only argument), else a broadcast
    view (no copy). The check costs a tenth of ``np.broadcast_to``, which a block calls
    hundreds of times."""
    return [
        a
        if type(a) is np.ndarray and a.shape == shape and a.dtype == np.float64
        else _spread(np.asarray(a, dtype=float), shape)
        if len(shape) == 2
        else np.broadcast_to(np.asarray(a, dtype=float), shape)
        for a in arrays
    ]


def _spread(a: FloatArray, shape: tuple[int, int]) -> FloatArray:
    """``np.broadcast_to(a, shape)`` of a float64 array, built directly on ``a``'s memory
    when ``a`` is C-contiguous and at most 2-D (a scalar, a (draw, 1) column, a (1, year) or
    (year,) path): a tenth of ``np.broadcast_to``'s time. The view is writable when ``a`` is;
    only kernels, which never write into an input, see it."""
    n, m = shape
    rows, cols = (1,) * (2 - a.ndim) + a.shape if a.ndim <= 2 else (0, 0)
    if not (a.flags.c_contiguous and n and m and rows in (1, n) and cols in (1, m)):
        return np.broadcast_to(a, shape)
    strides = (8 * cols if rows > 1 else 0, 8 if cols > 1 else 0)
    return np.ndarray(shape, np.float64, a, 0, strides)


def _per_draw(a: FloatArray | float, n: int) -> FloatArray | None:
    """``a`` as a contiguous (draw,) vector when it has one value per draw and broadcasts
    to (draw, year) as such (a scalar or a (draw, 1) or (1, 1) array), else None."""
    a = np.asarray(a, dtype=float)
    if a.size == 1:
        return np.full(n, a.reshape(()))
    if a.shape != (n, 1):
        return None
    return np.ascontiguousarray(a[:, 0])


def _per_year(a: FloatArray | float, m: int) -> FloatArray | None:
    """``a`` as a contiguous (year,) vector when it is one path for every draw (a scalar, a
    (year,) or (1, year) array), else None."""
    a = np.asarray(a, dtype=float)
    if a.size == 1:
        return np.full(m, a.reshape(()))
    if a.shape not in ((m,), (1, m)):
        return None
    return np.ascontiguousarray(a.reshape(m))


# --- economy.layered (docs/model.md §5, import leakage) -------------------------------------


@numba.njit(inline="always")
def _layers(d: float, s: float, t: float, q: float) -> tuple[float, float]:
    """economy.layered of one element: (indirect, induced)."""
    indirect_full = d * (s - 1.0)
    induced_full = d * (t - s)
    if q < 0.0:
        q = 0.0
    elif q > 1.0:
        q = 1.0
    ind = indirect_full * (1.0 - q)
    base = d + indirect_full
    scale = (d + ind) / base if base > 0 else 1.0
    return ind, induced_full * scale


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


# --- origin.origin: the USMCA tests of a vehicle (docs/model.md §7a, rules of origin) -------
#
# numpy's element rules, written out: np.minimum(a, b) is ``a if a < b or a is NaN else b``
# (so a tie gives b, and -0.0 against 0.0 gives b), np.maximum the same with ``>``,
# np.clip(x, lo, hi) keeps x unless it is below lo or above hi (NaN stays NaN) and
# np.clip(x, 0.0, None) is np.maximum(x, 0.0).


@numba.njit(inline="always")
def _minimum(a: float, b: float) -> float:
    return a if (a < b or a != a) else b


@numba.njit(inline="always")
def _maximum(a: float, b: float) -> float:
    return a if (a > b or a != a) else b


@numba.njit(inline="always")
def _clip01(x: float) -> float:
    if x < 0.0:
        return 0.0
    if x > 1.0:
        return 1.0
    return x


@numba.njit(inline="always")
def _pack_rvc(cs: float, co: float, po: float) -> float:
    return 1.0 - cs * (1.0 - co) - (1.0 - cs) * (1.0 - po)


@numba.njit(inline="always")
def _counted(share: float, threshold: float, roll: float) -> float:
    if share >= threshold - 1e-12:
        return roll * 1.0 + (1.0 - roll) * share
    return share


@numba.njit(inline="always")
def _vehicle_rvc(ps: float, pc: float, ks: float, kc: float, oo: float) -> float:
    other = _clip01(1.0 - ps - ks)
    vnm = ps * (1.0 - pc) + ks * (1.0 - kc) + other * (1.0 - oo)
    return (1.0 - vnm) / 1.0  # origin.rvc with a net cost of one


@numba.njit(inline="always")
def _origin_one(  # type: ignore[no-untyped-def]
    ps, cs, cells, po, ks, co, oo, hw, credit, plant, steel, in_force, tt, tc, rl, lvc_max,
    lvc_credit, lvc_t, steel_t,
):  # fmt: skip
    """``origin.origin`` of one element: (pack RVC, vehicle RVC, LVC, qualifying share, least
    qualifying cell share)."""
    eps = 1e-12
    p_rvc = _pack_rvc(cs, cells, po)
    o_pack = _counted(p_rvc, tc, rl)
    o_core = _counted(co, tc, rl)
    v_rvc = _vehicle_rvc(ps, o_pack, ks, o_core, oo)
    v_lvc = hw + _minimum(credit, lvc_max) + lvc_credit * plant
    others_ok = (co >= tc - eps) and (v_lvc >= lvc_t - eps) and (steel >= steel_t - eps)
    ok = others_ok and (p_rvc >= tc - eps) and (v_rvc >= tt - eps)
    # the least originating cell share that passes the pack and the vehicle tests
    rest = (1.0 - cs) * (1.0 - po)
    s_pack = 1.0 - (1.0 - tc - rest) / cs if cs > 0 else np.inf
    at_pack = _vehicle_rvc(ps, 1.0 if rl > 0 else _pack_rvc(cs, s_pack, po), ks, o_core, oo)
    v_zero = _vehicle_rvc(ps, _pack_rvc(cs, 0.0, po), ks, o_core, oo)
    psc = ps * cs
    s_vehicle = (tt - v_zero) / psc if psc > 0 else np.inf
    rolled = rl * (1.0 if at_pack >= tt - eps else 0.0) > 0
    need = _maximum(s_pack if rolled else _maximum(s_pack, s_vehicle), 0.0)
    need = _minimum(need, 1.0) if (others_ok and need <= 1.0 + eps) else np.nan
    return p_rvc, v_rvc, v_lvc, in_force * (1.0 if ok else 0.0), need


@_kernel(*[IN2] * 19, *[OUT2] * 5)
def _origin(  # type: ignore[no-untyped-def]
    pack_share, cell_share, cells_originating, pack_other, core_share, core_originating,
    other_originating, high_wage, technology_credit, battery_plant, steel_aluminium,
    in_force, t, t_core, roll, lvc_max, lvc_credit, lvc_t, steel_t,
    p_rvc_out, rvc_out, lvc_out, qualifies_out, need_out,
):  # fmt: skip
    n, m = pack_share.shape
    for i in range(n):
        for j in range(m):
            (
                p_rvc_out[i, j],
                rvc_out[i, j],
                lvc_out[i, j],
                qualifies_out[i, j],
                need_out[i, j],
            ) = _origin_one(
                pack_share[i, j], cell_share[i, j], cells_originating[i, j], pack_other[i, j],
                core_share[i, j], core_originating[i, j], other_originating[i, j],
                high_wage[i, j], technology_credit[i, j], battery_plant[i, j],
                steel_aluminium[i, j], in_force[i, j], t[i, j], t_core[i, j], roll[i, j],
                lvc_max[i, j], lvc_credit[i, j], lvc_t[i, j], steel_t[i, j],
            )  # fmt: skip


YEARS = numba.types.Array(F64, 1, "C", readonly=True)
CELLS = numba.types.Array(F64, 2, "C", readonly=True)


@_kernel(*[CELLS] * 2, *[YEARS] * 9, *[YEARS] * 8, *[numba.types.Array(F64, 2, "C")] * 5)
def _origin_rows(  # type: ignore[no-untyped-def]
    pack_share, core_share, cell_share, cells_originating, pack_other, core_originating,
    other_originating, high_wage, technology_credit, battery_plant, steel_aluminium,
    in_force, t, t_core, roll, lvc_max, lvc_credit, lvc_t, steel_t,
    p_rvc_out, rvc_out, lvc_out, qualifies_out, need_out,
):  # fmt: skip
    """``_origin`` when the pack's and the core parts' shares are contiguous (draw, year)
    arrays, the other shares one per draw and the rules one path for all draws (the bundled
    scenarios): a draw's shares, then its years, on contiguous rows."""
    n, m = pack_share.shape
    for i in range(n):
        cs, cells, po, co = cell_share[i], cells_originating[i], pack_other[i], core_originating[i]
        oo, hw, credit, plant = (
            other_originating[i],
            high_wage[i],
            technology_credit[i],
            battery_plant[i],
        )
        steel = steel_aluminium[i]
        for j in range(m):
            (
                p_rvc_out[i, j],
                rvc_out[i, j],
                lvc_out[i, j],
                qualifies_out[i, j],
                need_out[i, j],
            ) = _origin_one(
                pack_share[i, j], cs, cells, po, core_share[i, j], co, oo, hw, credit, plant,
                steel, in_force[j], t[j], t_core[j], roll[j], lvc_max[j], lvc_credit[j],
                lvc_t[j], steel_t[j],
            )  # fmt: skip


def origin(
    shape: tuple[int, int],
    pack_share: FloatArray,
    cell_share: FloatArray,
    cells_originating: FloatArray,
    pack_other_originating: FloatArray,
    core_share: FloatArray,
    core_originating: FloatArray,
    other_originating: FloatArray,
    high_wage_share: FloatArray,
    technology_credit: FloatArray,
    has_battery_plant: FloatArray,
    steel_aluminium: FloatArray,
    rules: dict[str, FloatArray],
) -> tuple[FloatArray, ...]:
    """``origin.origin`` in one pass: (pack RVC, vehicle RVC, RVC threshold, LVC, qualifying
    share, least qualifying cell share), each (draw, year)."""
    out = [np.empty(shape) for _ in range(5)]
    per_draw = [
        _per_draw(a, shape[0])
        for a in (
            cell_share, cells_originating, pack_other_originating, core_originating,
            other_originating, high_wage_share, technology_credit, has_battery_plant,
            steel_aluminium,
        )
    ]  # fmt: skip
    per_year = [_per_year(rules[k], shape[1]) for k in RULES]
    full = [
        a if type(a) is np.ndarray and a.shape == shape and a.flags.c_contiguous else None
        for a in (pack_share, core_share)
    ]
    if all(a is not None for a in (*per_draw, *per_year, *full)):
        _origin_rows(*full, *per_draw, *per_year, *out)
    else:
        _origin(
            *_wide(
                shape, pack_share, cell_share, cells_originating, pack_other_originating,
                core_share, core_originating, other_originating, high_wage_share,
                technology_credit, has_battery_plant, steel_aluminium,
                *(rules[k] for k in RULES),  # in the kernel's order
            ),
            *out,
        )  # fmt: skip
    p_rvc, v_rvc, v_lvc, qualifies, need = out
    threshold = np.broadcast_to(np.asarray(rules["rvc_threshold"], dtype=float) + 0.0, shape)
    return p_rvc, v_rvc, threshold, v_lvc, qualifies, need


# --- flows.ramp_factor (docs/model.md §2, ramp-up) -------------------------------------------


@numba.njit(inline="always")
def _ramp_integral(x: float) -> float:
    if x <= 0:
        return 0.0
    return 0.5 * x * x if x < 1 else x - 0.5


@_kernel(IN1, IN2, IN2, OUT2)
def _ramp(years, start, ramp_years, out):  # type: ignore[no-untyped-def]
    n, m = out.shape
    for i in range(n):
        for j in range(m):
            r = _maximum(ramp_years[i, j], 1e-9)
            s = start[i, j]
            y = years[j]
            hi = _ramp_integral((y + 1 - s) / r)
            lo = _ramp_integral((y - s) / r)
            out[i, j] = r * (hi - lo)


ROW = numba.types.Array(F64, 1, "C", readonly=True)


@_kernel(ROW, ROW, ROW, numba.types.Array(F64, 2, "C"))
def _ramp_rows(years, start, ramp_years, out):  # type: ignore[no-untyped-def]
    n, m = out.shape
    for i in range(n):  # a draw's start and ramp, then its years: numba vectorises these
        r = _maximum(ramp_years[i], 1e-9)
        s = start[i]
        for j in range(m):
            hi = _ramp_integral((years[j] + 1 - s) / r)
            lo = _ramp_integral((years[j] - s) / r)
            out[i, j] = r * (hi - lo)


def ramp_factor(
    years: FloatArray, start: FloatArray, ramp_years: FloatArray, shape: tuple[int, int]
) -> FloatArray:
    """``flows.ramp_factor`` in one pass: the average share of full output in each year. A
    plant's start and ramp are usually one number per draw: then each draw's row is
    computed from them alone, contiguous, about five times faster."""
    out = np.empty(shape)
    years = np.ascontiguousarray(years, dtype=float)
    per_draw = [_per_draw(a, shape[0]) for a in (start, ramp_years)]
    if per_draw[0] is not None and per_draw[1] is not None and years.shape == shape[1:]:
        _ramp_rows(years, per_draw[0], per_draw[1], out)
    else:
        _ramp(years, *_wide(shape, start, ramp_years), out)
    return out


# --- the home country's counter-tariff and remission on one group's US-built imports --------
# (simulate._trade_outputs and the engine.tariffs functions it calls; docs/model.md §7b)


@_kernel(*[IN2] * 13, OUT2, OUT2)
def _counter_tariff(  # type: ignore[no-untyped-def]
    lv, ev, group_share, built_for_home, built, us_share, cusma, in_force, camx, rate,
    minimum_deduction, price, room_per_vehicle, counter, remitted,
):  # fmt: skip
    n, m = counter.shape
    for i in range(n):
        for j in range(m):
            share = cusma[i, j] * in_force[i, j]  # CUSMA treatment needs the agreement
            demand = lv[i, j] * _clip01(ev[i, j]) * group_share[i, j]  # market.ev_demand
            imports = us_share[i, j] * _maximum(demand - built_for_home[i, j], 0.0)
            deducted = _maximum(camx[i, j], minimum_deduction[i, j])
            r = rate[i, j]
            cusma_rate = r * (1.0 * (1.0 - deducted) + (1.0 - 1.0))  # every vehicle CUSMA
            mixed_rate = r * (share * (1.0 - deducted) + (1.0 - share))
            p = price[i, j]
            counter[i, j] = counter[i, j] + imports * p * mixed_rate
            room = room_per_vehicle[i, j] * built[i, j]
            remitted[i, j] = remitted[i, j] + _minimum(room, imports * share) * (p * cusma_rate)


def counter_tariff(
    counter: FloatArray,
    remitted: FloatArray,
    lv: FloatArray,
    ev: FloatArray,
    group_share: FloatArray,
    built_for_home: FloatArray,
    built: FloatArray,
    us_share: FloatArray,
    cusma: FloatArray,
    in_force: FloatArray,
    camx: FloatArray,
    rate: FloatArray,
    minimum_deduction: FloatArray,
    price: FloatArray,
    room_per_vehicle: FloatArray,
) -> None:
    """Add one group's counter-tariff and remitted surtax to ``counter`` and ``remitted``
    (writable (draw, year) arrays) in one pass: the group's home EV sales not built at home,
    the US share of them, the surtax on them at the CUSMA mix, and the remission room that
    building at home earns (``tariffs.imports_from_us``, ``ca_surtax_rate``, ``remission``)."""
    shape = cast(tuple[int, int], counter.shape)
    _counter_tariff(
        *_wide(
            shape, lv, ev, group_share, built_for_home, built, us_share, cusma, in_force, camx,
            rate, minimum_deduction, price, room_per_vehicle,
        ),
        counter,
        remitted,
    )  # fmt: skip


# --- firms.firm_base: a firm's yearly cash flows at home and at an alternative --------------
# (docs/model.md, "Firms"; the present values stay with numpy's einsum, in its order)


@numba.njit(inline="always")
def _after_tax(operating: float, tax: float) -> float:
    return operating - tax * _maximum(operating, 0.0)


@_kernel(IN2, IN2, IN2, IN2, IN2, IN2, IN1, OUT2)
def _home_cash(margin, revenue, duty, tax, capex, start, years, out):  # type: ignore[no-untyped-def]
    n, m = out.shape
    for i in range(n):
        for j in range(m):
            placed = 1.0 if years[j] == np.floor(start[i, j]) else 0.0  # firms.at_year
            out[i, j] = (
                _after_tax(margin[i, j] * revenue[i, j] - duty[i, j], tax[i, j])
                - capex[i, j] * placed
            )


@_kernel(*[IN2] * 13, IN1, numba.types.boolean, OUT2)
def _alternative_cash(  # type: ignore[no-untyped-def]
    margin, gap, revenue, tax, kwh, credit_cell, module_share, credit_module, eligible, fx,
    deflate, up_front, built, years, credited, out,
):  # fmt: skip
    n, m = out.shape
    for i in range(n):
        for j in range(m):
            operating = _after_tax((margin[i, j] - gap[i, j]) * revenue[i, j], tax[i, j])
            if credited:  # 45X: per kWh of cells and modules, nominal USD in law -> real CAD
                per_kwh = credit_cell[i, j] + module_share[i, j] * credit_module[i, j]
                operating = operating + (
                    kwh[i, j] * per_kwh * eligible[i, j] * fx[i, j] * deflate[i, j]
                )
            placed = 1.0 if years[j] == np.floor(built[i, j]) else 0.0
            out[i, j] = operating - up_front[i, j] * placed


def home_cash(
    shape: tuple[int, int],
    margin: FloatArray,
    revenue: FloatArray,
    duty: FloatArray,
    tax: FloatArray,
    capex: FloatArray,
    start: FloatArray,
    years: FloatArray,
) -> FloatArray:
    """The home plant's after-tax operating cash less its capital in its start year."""
    out = np.empty(shape)
    _home_cash(*_wide(shape, margin, revenue, duty, tax, capex, start), years, out)
    return out


def alternative_cash(
    shape: tuple[int, int],
    margin: FloatArray,
    gap: FloatArray,
    revenue: FloatArray,
    tax: FloatArray,
    credit: tuple[FloatArray, ...] | None,
    up_front: FloatArray,
    built: FloatArray,
    years: FloatArray,
) -> FloatArray:
    """An alternative's after-tax operating cash on the same revenue, plus its 45X credits
    when it has them (``credit``: kWh, cell credit, module share, module credit, eligible
    share, fx, deflator), less its capital (``up_front``, CAD) in the year it builds."""
    out = np.empty(shape)
    credits = credit if credit is not None else (np.zeros((1, 1)),) * 7
    _alternative_cash(
        *_wide(shape, margin, gap, revenue, tax, *credits, up_front, built),
        years,
        credit is not None,
        out,
    )
    return out


# --- simulate's economy step for one home plant (docs/model.md §5) ---------------------------
# the purchase share, economy.layered for jobs, GDP (per_output) and labour income (per_job),
# the learning margin and absorbed duty on GDP, added to the world's nine layer totals


@_kernel(*[IN2] * 14, numba.types.int64, OUT3, OUT2, OUT2)
def _plant_economy(  # type: ignore[no-untyped-def]
    value, purchases, battery_share, jobs, jobs_simple, jobs_total, gdp_direct_ratio,
    gdp_simple, gdp_total, earnings, li_simple, li_total, gains, absorbed, flags, acc,
    gdp_direct, li_direct,
):  # fmt: skip
    n, m = value.shape
    assembly, learning, duty, first = flags & 1, flags & 2, flags & 4, flags & 8
    for i in range(n):
        for j in range(m):
            x = value[i, j]
            q = purchases[i, j] / x if x > 0 else 0.0
            if assembly:  # the battery, linked or imported, is no domestic part
                q = _maximum(q, battery_share[i, j])
            e = jobs[i, j]
            ji, jn = _layers(e, jobs_simple[i, j], jobs_total[i, j], q)
            g = x * gdp_direct_ratio[i, j]
            gi, gn = _layers(g, gdp_simple[i, j], gdp_total[i, j], q)
            w = e * earnings[i, j]
            wi, wn = _layers(w, li_simple[i, j], li_total[i, j], q)
            if learning:
                g = g + gains[i, j]
            if duty:
                g = g - absorbed[i, j]
            gdp_direct[i, j] = g
            li_direct[i, j] = w
            if first:  # the totals start from zero (0.0 + x: -0.0 becomes 0.0)
                for k in range(9):
                    acc[k, i, j] = 0.0
            acc[0, i, j] = acc[0, i, j] + e
            acc[1, i, j] = acc[1, i, j] + ji
            acc[2, i, j] = acc[2, i, j] + jn
            acc[3, i, j] = acc[3, i, j] + g
            acc[4, i, j] = acc[4, i, j] + gi
            acc[5, i, j] = acc[5, i, j] + gn
            acc[6, i, j] = acc[6, i, j] + w
            acc[7, i, j] = acc[7, i, j] + wi
            acc[8, i, j] = acc[8, i, j] + wn


def plant_economy(
    acc: FloatArray,
    value: FloatArray,
    purchases: FloatArray,
    battery_share: FloatArray | None,
    jobs: FloatArray,
    jobs_ratios: tuple[FloatArray, FloatArray],
    gdp_ratios: tuple[FloatArray, FloatArray, FloatArray],
    earnings: FloatArray,
    li_ratios: tuple[FloatArray, FloatArray],
    gains: FloatArray | None,
    absorbed: FloatArray | None,
    first: bool,
) -> tuple[FloatArray, FloatArray]:
    """``economy.home_plant`` in one pass: adds the plant's nine layers to ``acc`` (jobs, GDP,
    labour income x direct, indirect, induced; to zero when ``first``: ``acc`` may then hold
    anything) and returns its GDP and labour income direct."""
    shape = cast(tuple[int, int], acc.shape[1:])
    gdp_direct, li_direct = np.empty(shape), np.empty(shape)
    zero = np.zeros((1, 1))
    flags = (
        (battery_share is not None)
        | (gains is not None) << 1
        | (absorbed is not None) << 2
        | first << 3
    )
    _plant_economy(
        *_wide(
            shape,
            value,
            purchases,
            zero if battery_share is None else battery_share,
            jobs,
            *jobs_ratios,
            *gdp_ratios,
            earnings,
            *li_ratios,
            zero if gains is None else gains,
            zero if absorbed is None else absorbed,
        ),
        flags,
        acc,
        gdp_direct,
        li_direct,
    )
    return gdp_direct, li_direct


# --- a production credit's yearly payments (simulate._incentive; docs/model.md §4) ----------


@_kernel(*[IN2] * 9, numba.types.int64, OUT2)
def _production_credit(  # type: ignore[no-untyped-def]
    output, cell_rate, module_share, module_rate, rate_scale, fx, compliance, cap, deflator,
    flags, out,
):  # fmt: skip
    n, m = out.shape
    cell, module, capped = flags & 1, flags & 2, flags & 4
    for i in range(n):
        cum = 0.0
        before = 0.0
        for j in range(m):
            kwh = output[i, j] * 1e6
            usd = 0.0  # engine.arrays.total of the schedule's terms: 0.0 + each, in order
            if cell:
                usd = kwh * cell_rate[i, j] + 0.0
            if module:
                term = kwh * module_share[i, j] * module_rate[i, j]
                usd = usd + term if cell else term + 0.0
            flow = usd * rate_scale[i, j] * fx[i, j] * compliance[i, j]
            if capped:  # linkage.capped_flow: the running total held at the cap, differenced
                cum = flow if j == 0 else cum + flow
                paid = _minimum(cum, cap[i, j])
                flow = paid if j == 0 else paid - before
                before = paid
            out[i, j] = flow * deflator[i, j]


def production_credit(
    shape: tuple[int, int],
    output: FloatArray,
    cell_rate: FloatArray | None,
    module_share: FloatArray,
    module_rate: FloatArray | None,
    rate_scale: FloatArray,
    fx: FloatArray,
    compliance: FloatArray | float,
    cap: FloatArray | None,
    deflator: FloatArray,
) -> FloatArray:
    """A production credit's payments per draw-year in dollars of the price year: GWh x 1e6
    kWh x the schedule's USD per kWh (cells, and modules on ``module_share`` of them) x the
    rate scale x fx x compliance, stopped at the nominal ``cap`` (per draw), times the
    ``deflator`` (taken by numpy: a power)."""
    out = np.empty(shape)
    zero = np.zeros((1, 1))
    flags = (cell_rate is not None) | (module_rate is not None) << 1 | (cap is not None) << 2
    _production_credit(
        *_wide(
            shape,
            output,
            zero if cell_rate is None else cell_rate,
            module_share,
            zero if module_rate is None else module_rate,
            rate_scale,
            fx,
            compliance,
            zero if cap is None else np.asarray(cap)[:, None],
            deflator,
        ),
        flags,
        out,
    )
    return out
