"""Compiled kernels (numba) for the market and each plant's physical chain in
``engine.simulate`` (docs/model.md §1-3, §7b and §8c): the home EV stock, an assembly plant's
demand by region, production, parts, duty and books, and a battery plant's contracts, output,
deliveries, duty and books, each in a few passes over the draws instead of some forty numpy
passes.

The rules are ``engine.kernels``'s: each kernel follows the numpy code it stands for (named in
its docstring) operation by operation, so both give the same bits (``tests/test_kernels.py``).
A plant's terms of variable number (markets, offtake contracts) are first written, one pass
each, into the rows of a (term, draw, year) buffer, which the plant's kernel then reads.

Import this module only through ``engine.jit.compiled_for(draws, ".kernels_flows")``.
"""

from __future__ import annotations

from typing import cast

import numba
import numpy as np

from ..scenario.distributions import FloatArray
from .kernels import IN2, OUT2, OUT3, _clip01, _kernel, _minimum, _per_draw, _per_year, _wide

I64 = numba.types.int64
TERMS = numba.types.Array(numba.types.float64, 3, "C", readonly=True)
ROLES = numba.types.Array(I64, 1, "C", readonly=True)

FULL = numba.types.Array(numba.types.float64, 2, "C", readonly=True)
ROW = numba.types.Array(numba.types.float64, 1, "C", readonly=True)
YEAR = ROW
OUT2C = numba.types.Array(numba.types.float64, 2, "C")


def _rows(
    shape: tuple[int, int],
    full: tuple[FloatArray, ...],
    per_draw: tuple[FloatArray | float, ...],
    per_year: tuple[FloatArray | float, ...] = (),
) -> list[FloatArray] | None:
    """The inputs of a row kernel (``*_rows``), in order: ``full`` as they are when each is a
    C-contiguous (draw, year) float64 array, ``per_draw`` and ``per_year`` as contiguous
    vectors when each has one value per draw (per year); None when any has another shape,
    for the any-layout kernel. Row kernels walk a draw's years on contiguous memory, which
    numba vectorises: two to five times faster than through broadcast views."""
    n, m = shape
    rows: list[FloatArray] = []
    for a in full:
        if not (type(a) is np.ndarray and a.shape == shape and a.dtype == np.float64):
            return None
        if not a.flags.c_contiguous:
            return None
        rows.append(a)
    for b, width in [(b, n) for b in per_draw] + [(b, -m) for b in per_year]:
        v = _per_draw(b, width) if width > 0 else _per_year(b, -width)
        if v is None:
            return None
        rows.append(v)
    return rows


#: roles of a battery plant's offtake contract (bits of ``battery_chain``'s ``roles``)
HOME, US_DUTY = 1, 2


# --- one market's demand for an assembly plant (the terms of simulate's ``by_region``) -------


@numba.njit(inline="always")
def _demand_one(  # type: ignore[no-untyped-def]
    lv, ev, group, share, friction, rate, duty_base, factory_value, premium, pass_through,
    elasticity, us, kept_test,
):  # fmt: skip
    d = share * (lv * _clip01(ev) * group)
    if us:  # trade.export_friction of the vehicle duty, times tariffs.us_supply_kept
        f = _clip01(1.0 - elasticity * (rate * pass_through))
        if kept_test:
            f = f * (1.0 if rate * duty_base <= premium * factory_value else 0.0)
        return d * f
    return d * friction


@_kernel(*[IN2] * 11, I64, OUT2)
def _demand_term(  # type: ignore[no-untyped-def]
    lv, ev, group_share, share, friction, rate, duty_base, factory_value, premium, pass_through,
    elasticity, flags, out,
):  # fmt: skip
    n, m = out.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = _demand_one(
                lv[i, j], ev[i, j], group_share[i, j], share[i, j], friction[i, j], rate[i, j],
                duty_base[i, j], factory_value[i, j], premium[i, j], pass_through[i, j],
                elasticity[i, j], flags & 1, flags & 2,
            )  # fmt: skip


@_kernel(*[FULL] * 3, *[ROW] * 8, I64, OUT2C)
def _demand_term_rows(  # type: ignore[no-untyped-def]
    lv, ev, rate, group_share, share, friction, duty_base, factory_value, premium,
    pass_through, elasticity, flags, out,
):  # fmt: skip
    """``_demand_term`` on contiguous (draw, year) sales, shares and duty rates and one value
    per draw of the rest: a draw's values, then its years."""
    n, m = out.shape
    for i in range(n):
        g, s, f, db, fv = group_share[i], share[i], friction[i], duty_base[i], factory_value[i]
        pr, pt, el = premium[i], pass_through[i], elasticity[i]
        for j in range(m):
            out[i, j] = _demand_one(
                lv[i, j], ev[i, j], g, s, f, rate[i, j], db, fv, pr, pt, el, flags & 1,
                flags & 2,
            )  # fmt: skip


def demand_term(
    out: FloatArray,
    lv: FloatArray,
    ev: FloatArray,
    group_share: FloatArray,
    share: FloatArray,
    friction: FloatArray | None,
    us: tuple[FloatArray, ...] | None,
    kept_test: bool,
) -> None:
    """Write one market's term of an assembly plant's demand into ``out`` ((draw, year)):
    share x ``market.ev_demand`` x friction, the friction either given (``friction``) or, for
    the US under a trade section, that of the vehicle duty (``us``: rate, value for duty,
    factory-gate value, alternative cost premium, pass-through, elasticity) times whether the
    automaker keeps supplying its US buyers from the plant (``kept_test``)."""
    shape = cast(tuple[int, int], out.shape)
    one = np.ones((1, 1))
    rate, duty_base, factory_value, premium, pass_through, elasticity = us or (one,) * 6
    flags = (us is not None) | kept_test << 1
    friction = one if friction is None else friction
    rows = _rows(
        shape, (lv, ev, rate), (group_share, share, friction, duty_base, factory_value, premium,
        pass_through, elasticity),
    )  # fmt: skip
    if rows is not None:
        _demand_term_rows(*rows, flags, out)
        return
    _demand_term(
        *_wide(
            shape, lv, ev, group_share, share, friction, rate, duty_base, factory_value,
            premium, pass_through, elasticity,
        ),
        flags,
        out,
    )  # fmt: skip


# --- an assembly plant's chain (plants.plant_flows, its assembly branch; docs/model.md §2-3) -


@_kernel(TERMS, *[IN2] * 15, I64, I64, I64, *[OUT2] * 9)
def _assembly(  # type: ignore[no-untyped-def]
    terms, capacity, ramp, kept, rate, duty_base, pass_through, pack_kwh, unit, gate_share,
    pack, premium, jobs_per_unit, us_cost_in, built_in, home_built_in, home_index, us_index,
    flags, out, need, value, battery_share, jobs, us_cost, absorbed, built, home_built,
):  # fmt: skip
    n, m = out.shape
    k = terms.shape[0]
    plan, duty, domestic = flags & 1, flags & 2, flags & 4
    for i in range(n):
        for j in range(m):
            demand = 0.0  # engine.arrays.total of the markets' terms
            for r in range(k):
                demand = demand + terms[r, i, j]
            full = capacity[i, j] * ramp[i, j]
            if plan:  # announced capacity and ramp, whatever the demand
                demand = full
            o = _minimum(full, demand) * kept[i, j]  # flows.assembly_production x availability
            if duty:  # the part sold in the US pays the vehicle duty
                part = o * terms[us_index, i, j] / demand if demand > 0 else 0.0
                d = part * duty_base[i, j] * rate[i, j]
                us_cost[i, j] = us_cost_in[i, j] + d
                absorbed[i, j] = d * (1.0 - pass_through[i, j])  # tariffs.producer_borne
            if domestic:
                home = 0.0
                if home_index >= 0:
                    home = o * terms[home_index, i, j] / demand if demand > 0 else 0.0
                built[i, j] = built_in[i, j] + o
                home_built[i, j] = home_built_in[i, j] + home
            x = o * unit[i, j] * gate_share[i, j]  # at the factory gate
            out[i, j] = o
            need[i, j] = o * pack_kwh[i, j] / 1e6
            value[i, j] = x
            battery_share[i, j] = _clip01(o * pack[i, j] * premium[i, j] / x if x > 0 else 0.0)
            jobs[i, j] = jobs_per_unit[i, j] * o


def assembly_chain(
    terms: FloatArray,
    capacity: FloatArray,
    ramp: FloatArray,
    kept: FloatArray | float,
    home_index: int,
    us_index: int,
    duty: tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None,
    books: tuple[FloatArray, ...],
    built_in: tuple[FloatArray, FloatArray] | None,
    plan: bool,
) -> dict[str, FloatArray]:
    """An assembly plant's chain over its markets' ``terms`` ((market, draw, year), from
    ``demand_term``): demand, vehicles built, the US part's duty (``duty``: rate, value for
    duty, pass-through, the US cost so far), the group's vehicles built at home and for home
    buyers (``built_in``: so far), and its need (GWh), value, battery share and jobs
    (``books``: pack kWh, unit price, factory-gate share, pack value, pack premium, jobs per
    vehicle). Returns the arrays by the names simulate gives them."""
    shape = cast(tuple[int, int], terms.shape[1:])
    one = np.ones((1, 1))
    rate, duty_base, pass_through, us_cost_in = duty or (one,) * 4
    built0, home0 = built_in or (one, one)
    names = ("out", "need", "value", "battery_share", "jobs")
    out = {k: np.empty(shape) for k in names}
    extra = {k: np.empty(shape) if on else one for k, on in (
        ("us_cost", duty), ("absorbed", duty), ("built", built_in), ("home_built", built_in)
    )}  # fmt: skip
    _assembly(
        terms,
        *_wide(
            shape, capacity, ramp, kept, rate, duty_base, pass_through, *books, us_cost_in,
            built0, home0,
        ),
        home_index,
        us_index,
        plan | (duty is not None) << 1 | (built_in is not None) << 2,
        *out.values(),
        *extra.values(),
    )  # fmt: skip
    out.update({k: a for k, a in extra.items() if a is not one})
    return out


# --- one offtake contract of a battery plant (the terms of simulate's ``contracts``) --------


@numba.njit(inline="always")
def _contract_one(share, available, ratio, cell_rate, pass_through, elasticity, follows, us):  # type: ignore[no-untyped-def]
    c = share * available
    if follows:  # the contract follows realised EV demand (market.demand_ratio)
        c = c * ratio
    if us:  # trade.export_friction of the cells' duty
        c = c * _clip01(1.0 - elasticity * (cell_rate * pass_through))
    return c


@_kernel(*[IN2] * 6, I64, OUT2)
def _contract(  # type: ignore[no-untyped-def]
    share, available, ratio, cell_rate, pass_through, elasticity, flags, out
):
    n, m = out.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = _contract_one(
                share[i, j], available[i, j], ratio[i, j], cell_rate[i, j], pass_through[i, j],
                elasticity[i, j], flags & 1, flags & 2,
            )  # fmt: skip


@_kernel(FULL, FULL, ROW, ROW, ROW, YEAR, I64, OUT2C)
def _contract_rows(  # type: ignore[no-untyped-def]
    available, ratio, share, pass_through, elasticity, cell_rate, flags, out
):
    """``_contract`` on contiguous (draw, year) output and demand ratio, one share, pass-through
    and elasticity per draw and one duty path: a draw's values, then its years."""
    n, m = out.shape
    for i in range(n):
        s, pt, el = share[i], pass_through[i], elasticity[i]
        for j in range(m):
            out[i, j] = _contract_one(
                s, available[i, j], ratio[i, j], cell_rate[j], pt, el, flags & 1, flags & 2
            )


def contract(
    out: FloatArray,
    share: FloatArray,
    available: FloatArray,
    ratio: FloatArray | None,
    us: tuple[FloatArray, FloatArray, FloatArray] | None,
) -> None:
    """Write one offtake contract's call into ``out``: share x available output, times the
    demand ratio when it follows demand (``ratio``), times the friction of the US duty on
    cells (``us``: cell duty rate, pass-through, elasticity)."""
    shape = cast(tuple[int, int], out.shape)
    one = np.ones((1, 1))
    cell_rate, pass_through, elasticity = us or (one, one, one)
    flags = (ratio is not None) | (us is not None) << 1
    ratio = available if ratio is None else ratio  # (unread without the flag)
    rows = _rows(shape, (available, ratio), (share, pass_through, elasticity), (cell_rate,))
    if rows is not None:
        _contract_rows(*rows, flags, out)
        return
    _contract(
        *_wide(shape, share, available, ratio, cell_rate, pass_through, elasticity),
        flags,
        out,
    )


# --- a battery plant's chain (plants.plant_flows, its battery branch; docs/model.md §2-3) --


@_kernel(TERMS, ROLES, *[IN2] * 9, I64, *[OUT2] * 7)
def _battery(  # type: ignore[no-untyped-def]
    calls, roles, available, linked_need, kept, unit_price, yield_share, jobs_per_unit,
    cell_rate, pass_through, us_cost_in, flags, out, linked, value, home, jobs, us_cost,
    absorbed,
):  # fmt: skip
    n, m = out.shape
    k = calls.shape[0]
    plan = flags & 1
    for i in range(n):
        for j in range(m):
            av = available[i, j]
            need = linked_need[i, j]
            contracted = 0.0  # flows.battery_output: sum(offtake, zeros)
            for c in range(k):
                contracted = contracted + calls[c, i, j]
            o = _minimum(av, need + contracted)
            to_linked = _minimum(o, need)
            rest = o - to_linked
            share = rest / contracted if contracted > 0 else 0.0
            if plan:  # full utilisation: what contracts leave is sold elsewhere
                o = av
            q = kept[i, j]
            o = o * q
            price = unit_price[i, j]
            at_home = 0.0  # engine.arrays.total of the home contracts
            cost = us_cost_in[i, j]
            borne = 0.0
            for c in range(k):
                f = calls[c, i, j] * share * q
                if roles[c] & 1:
                    at_home = at_home + f
                if roles[c] & 2:  # the US duty on cells exported as auto parts
                    d = f * price * cell_rate[i, j]
                    cost = cost + d
                    borne = borne + d * (1.0 - pass_through[i, j])  # tariffs.producer_borne
            y = yield_share[i, j]
            out[i, j] = o
            linked[i, j] = to_linked * q
            value[i, j] = o * price
            home[i, j] = at_home
            jobs[i, j] = jobs_per_unit[i, j] * o / y if y > 0 else 0.0
            us_cost[i, j] = cost
            absorbed[i, j] = borne


def battery_chain(
    calls: FloatArray,
    roles: list[int],
    available: FloatArray,
    linked_need: FloatArray,
    kept: FloatArray | float,
    unit_price: FloatArray,
    yield_share: FloatArray,
    jobs_per_unit: FloatArray,
    duty: tuple[FloatArray, FloatArray, FloatArray],
    plan: bool,
) -> dict[str, FloatArray]:
    """A battery plant's chain over its contracts' ``calls`` ((contract, draw, year), from
    ``contract``; ``roles`` marks the home ones, ``HOME``, and those paying the US duty,
    ``US_DUTY``): output (``flows.battery_output`` with linked customers served first), what
    goes to linked customers, value, GWh the home contracts take, jobs, and the US duty added
    to the cost so far and the part the plant absorbs (``duty``: cell duty rate,
    pass-through, the US cost so far). Returns the arrays by the names simulate gives them."""
    shape = cast(tuple[int, int], available.shape)
    names = ("out", "linked", "value", "home", "jobs", "us_cost", "absorbed")
    out = {k: np.empty(shape) for k in names}
    cell_rate, pass_through, us_cost_in = duty
    _battery(
        calls,
        np.asarray(roles, dtype=np.int64),
        *_wide(
            shape, available, linked_need, kept, unit_price, yield_share, jobs_per_unit,
            cell_rate, pass_through, us_cost_in,
        ),
        int(plan),
        *out.values(),
    )  # fmt: skip
    return out


# --- charging.stock_and_ports without the feedback: the EV stock, a recursion over years ---


@_kernel(IN2, IN2, IN2, IN2, OUT2)
def _ev_stock(lv, share, stock_start, scrappage, out):  # type: ignore[no-untyped-def]
    n, m = out.shape
    for i in range(n):
        previous = stock_start[i, 0]
        keep = 1.0 - scrappage[i, 0]
        for t in range(m):
            previous = previous * keep + lv[i, t] * share[i, t]
            out[i, t] = previous


def ev_stock(
    lv_sales: FloatArray, ev_share: FloatArray, stock_start: FloatArray, scrappage: FloatArray
) -> FloatArray:
    """The EV stock at each year's end, (draw, year): last year's stock less scrappage plus
    this year's EV sales, a draw at a time along its years."""
    shape = cast(tuple[int, int], np.broadcast_shapes(np.shape(lv_sales), np.shape(ev_share)))
    out = np.empty(shape)
    _ev_stock(*_wide(shape, lv_sales, ev_share, stock_start, scrappage), out)
    return out


# --- a home cell plant's minerals and manufacturing emissions (simulate._cell_totals) -------


@_kernel(IN2, *[IN2] * 5, IN2, I64, OUT3)
def _cell_totals(  # type: ignore[no-untyped-def]
    output, lithium, nickel, cobalt, manganese, graphite, co2, flags, acc
):
    n, m = output.shape
    first, unknown, emits, first_emitter = flags & 1, flags & 2, flags & 4, flags & 8
    for i in range(n):
        for j in range(m):
            x = output[i, j]
            for k, coefficient in enumerate((lithium, nickel, cobalt, manganese, graphite)):
                term = np.nan if unknown else x * coefficient[i, j]  # minerals.mineral_tonnes
                acc[k, i, j] = (0.0 if first else acc[k, i, j]) + term
            if emits:  # emissions.manufacturing_t
                term = x * 1e3 * co2[i, j]
                acc[5, i, j] = (0.0 if first_emitter else acc[5, i, j]) + term


def cell_totals(
    acc: FloatArray,
    output: FloatArray,
    tonnes_per_gwh: list[FloatArray] | None,
    co2_kg_per_kwh: FloatArray | None,
    first: bool,
    first_emitter: bool,
) -> None:
    """Add one home cell plant's minerals (t: GWh x ``tonnes_per_gwh``, one per mineral in
    ``compile.MINERALS`` order; NaN when its chemistry is unknown) and manufacturing emissions
    (tCO2e: GWh x 1e3 x ``co2_kg_per_kwh``, if it has a grid) to the rows of ``acc``
    ((mineral..., CO2e), draw, year), starting them from zero when ``first`` (the minerals)
    and ``first_emitter`` (the emissions): ``engine.arrays.total``'s order."""
    shape = cast(tuple[int, int], acc.shape[1:])
    one = np.ones((1, 1))
    coefficients = tonnes_per_gwh or [one] * 5
    _cell_totals(
        *_wide(shape, output, *coefficients, one if co2_kg_per_kwh is None else co2_kg_per_kwh),
        (first | (tonnes_per_gwh is None) << 1 | (co2_kg_per_kwh is not None) << 2
         | first_emitter << 3),
        acc,
    )  # fmt: skip
