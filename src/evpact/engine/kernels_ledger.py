"""Compiled kernels (numba) for the Crown ledger's totals: ``ledger.crown`` without its lines.

A streamed block keeps only the ledger's aggregates (public cost, revenue by scope, tax
expenditure and foregone revenue, by government), so its lines need never exist as (draw, year)
arrays. Each kernel computes the flows of one part of the ledger element by element and adds
each to the aggregate row it belongs to, in the order the numpy path of ``ledger.crown`` adds
them and with the same operations, so both give the same bits (the rules are those of
``engine.kernels``: no fused multiply-adds, powers taken by numpy before a kernel runs, NaN and
-0.0 as numpy treats them). ``tests/test_kernels.py`` compares both paths.

Import this module only through ``engine.jit.compiled_for(draws, ".kernels_ledger")``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numba
import numpy as np

from ..scenario.distributions import FloatArray
from .kernels import IN2, _kernel, _wide

ROWS = numba.types.Array(numba.types.int64, 1, "A", readonly=True)
#: (draw, year) arrays that vary along both axes are passed C-contiguous (``_full``): with
#: their layout known, indexing is cheaper (the kernels run about twice as fast); inputs
#: that vary along one axis only stay broadcast views (``IN2``)
FULL = numba.types.Array(numba.types.float64, 2, "C", readonly=True)
ROWS3 = numba.types.Array(numba.types.float64, 3, "C")
#: a table by start year (start, year), C-contiguous, and each draw's row in it
TABLE = numba.types.Array(numba.types.float64, 2, "C", readonly=True)
STARTS = numba.types.Array(numba.types.int64, 1, "C", readonly=True)
FLAG = numba.types.boolean


def _full(shape: tuple[int, ...], *arrays: Any) -> list[FloatArray]:
    """Each input as a C-contiguous float (draw, year) array: itself when it is one, else a
    copy of its broadcast (a plant starting in the same year in every draw, say)."""
    out = []
    for a in arrays:
        a = np.asarray(a, dtype=float)
        if a.shape != shape or not a.flags.c_contiguous:
            a = np.ascontiguousarray(np.broadcast_to(a, shape))
        out.append(a)
    return out


@numba.njit(inline="always", cache=True)
def _carry(cum: float, peak: float, x: float) -> tuple[float, float, float]:
    """One year of ``ledger.taxable``: (taxable income, cumulative income, its running peak).
    ``np.maximum``'s rule: a NaN on either side wins."""
    c = cum + x
    high = peak if (peak >= c or peak != peak) else c
    return high - peak, c, high


def _by_start(
    shape: tuple[int, ...], shares: Sequence[FloatArray], spread: Any
) -> tuple[list[FloatArray], Any]:
    """``ledger._allowance_by_start``'s shares as C-contiguous (row, year) tables and each
    draw's row: the start year's, else the draw's own, or the only one."""
    n, m = shape
    tables = [np.ascontiguousarray(np.asarray(a, dtype=float).reshape(-1, m)) for a in shares]
    if spread is not None:
        return tables, np.ascontiguousarray(spread, dtype=np.int64)
    rows = max(t.shape[0] for t in tables)
    tables = [np.ascontiguousarray(np.broadcast_to(t, (rows, m))) for t in tables]
    return tables, (np.arange(n) if rows == n else np.zeros(n)).astype(np.int64)


# --- one home plant's corporate income tax (docs/model.md §6) ---------------------------------


@_kernel(*[TABLE] * 4, STARTS, *[FULL] * 4, *[IN2] * 16, ROWS3, ROWS, FLAG, FLAG, FLAG, FLAG)
def _plant_tax(  # type: ignore[no-untyped-def]
    first_by_start, building_by_start, cca_by_start, regular_by_start, start,
    value_added, labour, taxable_subsidy, exempt_subsidy,
    unit_taxable, equipment, building, production_tax,
    credit, actual_fed, actual_prov, actual_fed_fg, actual_prov_fg,
    benchmark_fed, benchmark_prov, exempted_fed, exempted_prov, delta, equipment_k, building_k,
    out, rows, credits, exempt, rescaled, taxable_k,
):  # fmt: skip
    n, m = value_added.shape
    cost, expenditure, fed, prov = rows[0], rows[1], rows[2], rows[3]
    fed_fg, prov_fg = rows[4], rows[5]
    cost_k, fed_k, prov_k = (rows[6], rows[7], rows[8]) if rescaled else (0, 0, 0)
    for i in range(n):
        cum_x = cum_a = cum_b = cum_k = 0.0  # cumulative income of each base ...
        peak_x = peak_a = peak_b = peak_k = 0.0  # ... and its running maximum, floored at 0
        s = start[i]  # the CCA shares of the draw's start year
        first, w_building = first_by_start[s], building_by_start[s]
        w_cca, w_regular = cca_by_start[s], regular_by_start[s]
        for j in range(m):
            # capital cost allowance, accelerated (cca) and regular, as ledger.crown
            buildings = building[i, j] * w_building[j]
            cca = equipment[i, j] * w_cca[j] + buildings
            regular = equipment[i, j] * w_regular[j] + buildings
            surplus = value_added[i, j] * (1 - production_tax[i, j]) - labour[i, j]
            income = surplus + taxable_subsidy[i, j]
            # the bases, losses carried forward
            exempted, cum_x, peak_x = _carry(cum_x, peak_x, income - regular)
            actual, cum_a, peak_a = _carry(cum_a, peak_a, income - cca)
            # the lines, each added to its rows in the order they arrive: credits first
            if credits:
                paid = first[j] * credit[i, j]
                out[cost, i, j] = out[cost, i, j] + paid
                out[expenditure, i, j] = out[expenditure, i, j] + paid
                if rescaled:
                    out[cost_k, i, j] = out[cost_k, i, j] + paid
            if rescaled:  # the actual base with the support rescaled, and its tax
                subsidy = taxable_subsidy[i, j]
                if taxable_k:
                    subsidy = subsidy + delta[i, j] * unit_taxable[i, j]
                cca_k = equipment_k[i, j] * w_cca[j] + building_k[i, j] * w_building[j]
                base_k, cum_k, peak_k = _carry(cum_k, peak_k, surplus + subsidy - cca_k)
                out[fed_k, i, j] = out[fed_k, i, j] + base_k * actual_fed[i, j]
                out[prov_k, i, j] = out[prov_k, i, j] + base_k * actual_prov[i, j]
            f = out[fed, i, j] + actual * actual_fed[i, j]
            p = out[prov, i, j] + actual * actual_prov[i, j]
            ff = out[fed_fg, i, j] + actual * actual_fed_fg[i, j]
            pf = out[prov_fg, i, j] + actual * actual_prov_fg[i, j]
            if exempt:
                bench_x = income + exempt_subsidy[i, j] - regular
                benchmark, cum_b, peak_b = _carry(cum_b, peak_b, bench_x)
                ff = ff + benchmark * benchmark_fed[i, j]
                pf = pf + benchmark * benchmark_prov[i, j]
            out[fed, i, j] = f
            out[prov, i, j] = p
            out[fed_fg, i, j] = ff + exempted * exempted_fed[i, j]
            out[prov_fg, i, j] = pf + exempted * exempted_prov[i, j]


def plant_tax(
    aggregates: FloatArray,
    rows: Sequence[int],
    by_start: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    spread: Any,
    capital: tuple[FloatArray, FloatArray],
    books: Any,
    production_tax: FloatArray,
    credit: FloatArray | None,
    on_actual: Sequence[FloatArray | float],
    on_benchmark: Sequence[FloatArray | float] | None,
    on_exempted: Sequence[FloatArray | float],
    rescaled: tuple[FloatArray, FloatArray | None, FloatArray, FloatArray] | None = None,
) -> None:
    """One home plant's lines added to the aggregates (rows: cost, tax expenditure, federal
    and provincial revenue of the plant scope, federal and provincial foregone revenue):
    the statutory credits (``credit`` x ``first``, [age = 0], when claimed), then, from capital
    cost allowance (the shares of buildings and of equipment, accelerated and regular, written
    off) of ``capital`` (equipment, buildings) and
    from the plant's books, its three carried-forward bases (docs/model.md §6) at their rates
    per row, each summed as ``ledger.crown`` sums a base's rates: ``on_actual`` (4 rows),
    ``on_benchmark`` (2, when the plant has exempt income) and ``on_exempted`` (2).

    ``first`` and the shares come per start year (``by_start``, ``spread``: as
    ``ledger._allowance_by_start`` gives them) and are looked up by each draw's start year:
    small tables that stay in cache instead of four (draw, year) arrays.

    With ``rescaled`` (``delta`` and the taxable payments at scale 1, if the instrument pays
    any, which ``ledger.Rescaled`` adds; equipment and buildings with the support rescaled)
    and three more rows (rescaled cost, federal and provincial revenue): the credits are
    added to the rescaled cost too, and the actual base at the rescaled support is carried
    forward beside the others, at the revenue rows' rates."""
    shape = aggregates.shape[1:]
    none = np.zeros(1)
    b = books
    tables, starts = _by_start(shape, by_start, spread)
    full = (b.value_added, b.labour_income, b.taxable_subsidy, b.exempt_subsidy)
    delta, taxable_k, equipment_k, building_k = rescaled or (none, None, none, none)
    _plant_tax(
        *tables,
        starts,
        *_full(shape, *full),
        *_wide(
            shape,
            none if taxable_k is None else taxable_k,
            *capital,
            production_tax,
            none if credit is None else credit,
            *on_actual,
            *(on_benchmark or (none, none)),
            *on_exempted,
            delta,
            equipment_k,
            building_k,
        ),
        aggregates,
        np.asarray(rows, dtype=np.int64),
        credit is not None,
        on_benchmark is not None,
        rescaled is not None,
        taxable_k is not None,
    )


# --- revenue outside the plants' own books, and the scopes closed (docs/model.md §6) ----------


@numba.njit(inline="always", cache=True)
def _layer(  # type: ignore[no-untyped-def]
    fed, prov, va, li, ptax, labour_fed, labour_prov, surplus_fed, surplus_prov, suppliers
):  # fmt: skip
    """One layer's rows (federal, provincial) after its labour and sales tax, its suppliers'
    CIT (not in the direct layer) and its taxes on production."""
    fed = fed + li * labour_fed
    prov = prov + li * labour_prov
    production = ptax * va
    if suppliers:
        surplus = va - li - production
        fed = fed + surplus * surplus_fed
        prov = prov + surplus * surplus_prov
    return fed, prov + production


@_kernel(*[FULL] * 8, *[IN2] * 9, ROWS3, ROWS, FLAG, FLAG)
def _revenue(  # type: ignore[no-untyped-def]
    gdp_d, gdp_i, gdp_n, li_d, li_i, li_n, surtax, remission, production_tax,
    lam_fed, lam_prov, taxed_fed, taxed_prov, spent, general_fed, general_prov, profit_share,
    out, rows, customs, rescaled,
):  # fmt: skip
    n, m = gdp_d.shape
    f_plant, f_chain, f_total, f_exp, f_fg = rows[0], rows[1], rows[2], rows[3], rows[4]
    p_plant, p_chain, p_total, p_exp, p_fg = rows[5], rows[6], rows[7], rows[8], rows[9]
    f_k, p_k = (rows[10], rows[11]) if rescaled else (0, 0)
    for i in range(n):
        for j in range(m):
            pt = production_tax[i, j]
            # per dollar of labour income: labour tax + sales tax (ledger._on_labour), and
            # per dollar of suppliers' operating surplus: CIT on its taxable-profit share
            lf = lam_fed[i, j] + taxed_fed[i, j] * spent[i, j]
            lp = lam_prov[i, j] + taxed_prov[i, j] * spent[i, j]
            sf = general_fed[i, j] * profit_share[i, j]
            sp = general_prov[i, j] * profit_share[i, j]
            fp, pp = _layer(
                out[f_plant, i, j], out[p_plant, i, j], gdp_d[i, j], li_d[i, j], pt, lf, lp, sf, sp,
                False,
            )  # fmt: skip
            # the supply-chain and total rows are still zero here (only the layers add to them)
            fc, pc = _layer(0.0, 0.0, gdp_i[i, j], li_i[i, j], pt, lf, lp, sf, sp, True)
            ft, ptot = _layer(0.0, 0.0, gdp_n[i, j], li_n[i, j], pt, lf, lp, sf, sp, True)
            if customs:
                fp = fp + surtax[i, j]
                fp = fp + -remission[i, j]
            if rescaled:  # the plant scope at the rescaled support, then its total revenue
                fk, pk = _layer(
                    out[f_k, i, j], out[p_k, i, j], gdp_d[i, j], li_d[i, j], pt, lf, lp, sf, sp,
                    False,
                )  # fmt: skip
                if customs:
                    fk = fk + surtax[i, j]
                    fk = fk + -remission[i, j]
                out[f_k, i, j] = ft + (fc + fk)
                out[p_k, i, j] = ptot + (pc + pk)
            # the rows closed: wider scopes include narrower ones, tax expenditure foregone
            # revenue
            fc = fc + fp
            pc = pc + pp
            out[f_plant, i, j], out[f_chain, i, j], out[f_total, i, j] = fp, fc, ft + fc
            out[p_plant, i, j], out[p_chain, i, j], out[p_total, i, j] = pp, pc, ptot + pc
            out[f_exp, i, j] = out[f_exp, i, j] + out[f_fg, i, j]
            out[p_exp, i, j] = out[p_exp, i, j] + out[p_fg, i, j]


def revenue(
    aggregates: FloatArray,
    rows: Sequence[int],
    gdp: tuple[FloatArray, FloatArray, FloatArray],
    labour: tuple[FloatArray, FloatArray, FloatArray],
    production_tax: FloatArray,
    on_labour: tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray],
    on_surplus: tuple[FloatArray, FloatArray, FloatArray],
    customs: tuple[FloatArray, FloatArray] | None,
    rescaled: tuple[int, int] | None = None,
) -> None:
    """The revenue lines of the three layers, then the customs lines (surtax, remission) when
    given, then the rows closed as ``ledger.crown`` closes them: supply chain += plant, total
    += supply chain, tax expenditure += foregone revenue. Per dollar of labour income, labour
    and sales tax ``lam + taxed x spent`` (``on_labour``: both ``lam``, both ``taxed``,
    ``spent``; ``ledger._labour_factors``); per dollar of the suppliers' operating surplus in
    the indirect and induced layers, ``general x profit_share`` (``on_surplus``: both rates,
    the share); taxes on production ``production_tax x GDP``. ``rows``: federal plant, supply
    chain, total, tax expenditure, foregone revenue, then the same provincial. ``rescaled``:
    the federal and provincial rows holding the plant scope's revenue with the support
    rescaled (``ledger.crown``), which get the same layers and customs and become total
    revenue."""
    shape = aggregates.shape[1:]
    none = np.zeros(1)
    _revenue(
        *_full(shape, *gdp, *labour, *(customs or (none, none))),
        *_wide(shape, production_tax, *on_labour, *on_surplus),
        aggregates,
        np.asarray((*rows, *(rescaled or ())), dtype=np.int64),
        customs is not None,
        rescaled is not None,
    )
