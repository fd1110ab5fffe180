"""The firms' side (mechanism 9): would each firm party to a deal build its home plant, with
the deal and without it, rather than produce the same volumes at its best alternative?

Per draw, a firm's advantage is the present value, at its own hurdle rate, of its after-tax
cash flow at the home plant less that at its best alternative location (docs/model.md,
"Firms"):

    A = PV_h[(1 - t_home)(m q - D) - K_home] - max_a PV_h[(1 - t_a)(m - g_a) q + C_a - K_a + G_a]
        + k PV_h[S]

with q the home plant's revenue (the engine's output value, the same volumes at either
location), m the operating margin, D the US duty the firm absorbs (engine.tariffs), g_a the
alternative's unit-cost gap, C_a its 45X credits, K capital, G grants, S the deal's support to
the firm after tax, and k the scale of the deal's support (1: the terms as written). The firm
accepts when A exceeds its premium. It would build at home without the deal when A at k = 0
does: the but-for of its plant is the share of draws where it would not. Everything is
linear in k, so the smallest scale at which every firm accepts has a closed form.

Pure functions over (draw, year) arrays; the compile step registers the inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from ..data import ReferenceData
from ..errors import EvpactError
from ..scenario.distributions import Dist, FloatArray, fixed
from ..scenario.firms import Firm, Location
from ..scenario.model import Scenario
from ..scenario.rules import RulePack, load_rule_pack, yearly
from . import jit

if TYPE_CHECKING:
    from .compile import Input

#: the scale of the deal's support the engine pays (1 = the terms as written); ``evpact zopa``
#: sets it per draw
SCALE = "firms.support_scale"
#: Canadian corporate tax of a zero-emission manufacturer in Ontario: federal + provincial
HOME_TAX_PACKS = {
    "CA-ON": (
        ("ca-fiscal-2024", "ca_federal_zetm_cit_rate"),
        ("ca-on-fiscal-2024", "ca_provincial_cit_rate"),
    )
}


@dataclass(frozen=True)
class AlternativeSpec:
    """Input paths of one alternative location."""

    id: str
    gap: str
    capex: str  # USD total, or USD per unit of the home plant's capacity
    capex_per_unit: bool
    grant: str  # USD
    tax: str
    credit_cell: str | None = None  # USD/kWh by year (45X)
    credit_module: str | None = None
    eligible: str | None = None


@dataclass(frozen=True)
class FirmSpec:
    """Input paths of one firm: its home plant's economics and its alternatives."""

    id: str
    role: str
    plant: str
    deal: str
    hurdle: str
    premium: str
    margin: str
    tax: str
    capex: str  # CAD total, or USD per unit of capacity
    capex_per_unit: bool
    alternatives: tuple[AlternativeSpec, ...]
    decides_but_for: bool  # no hand-set but-for on the plant or its deal


@dataclass(frozen=True)
class FirmsSpec:
    firms: tuple[FirmSpec, ...]
    scale: str
    instrument: tuple[tuple[str, int], ...]  # (deal, incentive index) the scale multiplies


def compile_firms(
    scenario: Scenario,
    data: ReferenceData,
    put: Callable[[str, Input], str],
    years: FloatArray,
) -> FirmsSpec | None:
    """Register every firm's inputs (its own figures, else the bundled firms.csv rows of its
    ``data`` key) and the 45X and Canadian tax paths from the rule packs."""
    if not scenario.firms:
        return None
    from .compile import YearPath

    packs = (
        [load_rule_pack(ref, scenario._origin) for ref in scenario.trade.rules]
        if (scenario.trade)
        else []
    )
    plants = {p.id: p for p in scenario.plants}
    deals = {d.id: d for d in scenario.deals}
    # a but-for set by hand (the scenario's, its deal's or its plant's) wins over the firms'
    hand_set = scenario.additionality is not None and scenario.additionality.but_for is not None
    specs = []
    for f in scenario.firms:
        key = f.data or f.id
        where = f"firms.{f.id}"

        fig = partial(_figure, data, put, key)

        plant = plants[f.plant]
        if f.tax_rate is not None:
            tax = put(f"{where}.tax_rate", f.tax_rate)
        elif plant.region in HOME_TAX_PACKS:
            rate = sum(
                (
                    yearly([load_rule_pack(pack)], name, years)
                    for pack, name in HOME_TAX_PACKS[plant.region]
                ),
                np.zeros(len(years)),
            )
            tax = put(f"{where}.tax_rate", YearPath(rate, rate, rate))
        else:
            raise EvpactError(
                f"no bundled corporate tax rate for a plant in {plant.region}; set tax_rate",
                f"{where}.tax_rate",
            )
        if f.capex_cad is not None:
            capex, per_unit = put(f"{where}.capex_cad", f.capex_cad), False
        else:
            capex = fig("home", "capex_usd_per_unit", None, f"{where}.capex_usd_per_unit")
            per_unit = True
        alts = tuple(_alternative(f, a, fig, put, packs, years, YearPath) for a in f.alternatives)
        d = deals[f.deal]
        specs.append(
            FirmSpec(
                id=f.id,
                role=f.role,
                plant=f.plant,
                deal=f.deal,
                hurdle=fig("home", "hurdle_rate", f.hurdle_rate, f"{where}.hurdle_rate"),
                premium=put(
                    f"{where}.premium_cad",
                    f.premium_cad if f.premium_cad is not None else fixed(0.0),
                ),
                margin=fig("home", "margin_share", f.margin_share, f"{where}.margin_share"),
                tax=tax,
                capex=capex,
                capex_per_unit=per_unit,
                alternatives=alts,
                decides_but_for=plant.but_for is None and d.but_for is None and not hand_set,
            )
        )
    put(SCALE, fixed(1.0))
    return FirmsSpec(tuple(specs), SCALE, instrument(scenario))


def instrument(scenario: Scenario) -> tuple[tuple[str, int], ...]:
    """The incentives whose scale the negotiation zone varies: the scenario's ``instrument``
    paths (``deals.<id>.incentives.<i>``), else every incentive of the firms' deals."""
    if scenario.instrument:
        return tuple(_incentive_ref(scenario, ref) for ref in scenario.instrument)
    deals = {f.deal for f in scenario.firms}
    return tuple(
        (d.id, i) for d in scenario.deals if d.id in deals for i in range(len(d.incentives))
    )


def _incentive_ref(scenario: Scenario, ref: str) -> tuple[str, int]:
    parts = ref.split(".")
    deals = {d.id: d for d in scenario.deals}
    if (
        len(parts) == 4
        and parts[0] == "deals"
        and parts[2] == "incentives"
        and (
            parts[1] in deals
            and parts[3].isdigit()
            and int(parts[3]) < len(deals[parts[1]].incentives)
        )
    ):
        return parts[1], int(parts[3])
    raise EvpactError(
        f"'{ref}' is not an incentive of the scenario; write deals.<deal id>.incentives.<index>, "
        f"e.g. {', '.join(f'deals.{d.id}.incentives.0' for d in scenario.deals if d.incentives)}",
        "instrument",
    )


def _figure(
    data: ReferenceData,
    put: Callable[[str, Input], str],
    key: str,
    location: str,
    parameter: str,
    given: Dist | None,
    path: str,
) -> str:
    """Register a firm's figure: the scenario's own, else the bundled firms.csv row."""
    if given is not None:
        return put(path, given)
    try:
        value = data.figure("firms", {"firm": key, "location": location, "parameter": parameter})
    except EvpactError:
        field = _field(location, parameter)
        raise EvpactError(
            f"no bundled figure '{parameter}' for firm '{key}' at '{location}' in firms.csv; "
            f"set {field} in the scenario",
            f"{path.rsplit('.', 1)[0]}.{field}",
        ) from None
    return put(path, value)


def _field(location: str, parameter: str) -> str:
    """The scenario field that stands in for a bundled figure: its own name, except capital,
    which a scenario gives as a total (CAD at home, USD at an alternative)."""
    if parameter == "capex_usd_per_unit":
        return "capex_cad" if location == "home" else "capex_usd"
    return parameter


def _alternative(
    f: Firm,
    a: Location,
    fig: Callable[[str, str, Dist | None, str], str],
    put: Callable[[str, Input], str],
    packs: list[RulePack],
    years: FloatArray,
    year_path: type,
) -> AlternativeSpec:
    w = f"firms.{f.id}.alternatives.{a.id}"
    if a.capex_usd is not None:
        capex, per_unit = put(f"{w}.capex_usd", a.capex_usd), False
    else:
        capex, per_unit = fig(a.id, "capex_usd_per_unit", None, f"{w}.capex_usd_per_unit"), True
    credit: dict[str, str | None] = {"cell": None, "module": None, "eligible": None}
    if a.us_45x:
        law = [load_rule_pack("us-45x-2022"), *packs]
        for comp in ("cell", "module"):
            path = yearly(law, f"us_45x_{comp}_usd_per_kwh", years)
            credit[comp] = put(f"{w}.us_45x_{comp}_usd_per_kwh", year_path(path, path, path))
        credit["eligible"] = fig(
            a.id, "us_45x_eligible_share", a.us_45x_eligible_share, f"{w}.us_45x_eligible_share"
        )
    return AlternativeSpec(
        id=a.id,
        gap=fig(a.id, "cost_gap_share", a.cost_gap_share, f"{w}.cost_gap_share"),
        capex=capex,
        capex_per_unit=per_unit,
        grant=fig(a.id, "grant_usd", a.grant_usd, f"{w}.grant_usd"),
        tax=fig(a.id, "tax_rate", a.tax_rate, f"{w}.tax_rate"),
        credit_cell=credit["cell"],
        credit_module=credit["module"],
        eligible=credit["eligible"],
    )


# --- pure functions ---------------------------------------------------------------------------


def discount(rate: FloatArray, inflation: FloatArray, years: FloatArray, base: int) -> FloatArray:
    """Real discount factors (draw, year) at a nominal hurdle rate: the engine's flows are in
    dollars of the price year, so they are discounted at (1 + h) / (1 + inflation) - 1."""
    real = (1.0 + rate) / (1.0 + inflation) - 1.0
    return np.asarray((1.0 + real) ** -(years - base))


def pv(flows: FloatArray, factors: FloatArray) -> FloatArray:
    """Present value per draw of yearly flows."""
    return np.asarray(np.einsum("dt,dt->d", *np.broadcast_arrays(flows, factors)))


def after_tax(operating: FloatArray, tax: FloatArray) -> FloatArray:
    """Operating cash after corporate tax (no loss is refunded: tax on positive income only)."""
    return np.asarray(operating - tax * np.maximum(operating, 0.0))


def at_year(amount: FloatArray, year: FloatArray, years: FloatArray) -> FloatArray:
    """An up-front amount placed in its year (its floor), as a (draw, year) flow."""
    return np.asarray(amount * (years == np.floor(year)))


def min_scale(base: FloatArray, support: FloatArray, premium: FloatArray) -> FloatArray:
    """Smallest k >= 0 with base + k support >= premium (the advantage is linear in k): 0 when
    the firm accepts without support, +inf when no support makes it accept."""
    need = premium - base
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(support > 0, need / support, np.inf)
    return np.asarray(np.where(need <= 0, 0.0, k))


def accepts(advantage: FloatArray, premium: FloatArray) -> FloatArray:
    """1 where the firm accepts: its advantage reaches its premium."""
    return np.asarray((advantage >= premium).astype(float))


@dataclass(frozen=True)
class FirmBase:
    """One firm's side of the deal before the deal's support: the advantage of its home plant
    over its best alternative (per draw) and what it needs to price the support."""

    advantage: FloatArray  # (draw,) CAD of the price year, present value
    factors: FloatArray  # (draw, year) its discount factors
    tax: FloatArray  # its corporate tax rate at home, by year
    premium: FloatArray  # (draw,)
    best: FloatArray  # (draw,) index of its best alternative


def firm_base(
    f: FirmSpec,
    v: Callable[[str], FloatArray],
    years: FloatArray,
    price_year: int,
    revenue: FloatArray,
    kwh: FloatArray,
    module_share: FloatArray,
    duty: FloatArray,
    capacity: FloatArray,
    start: FloatArray,
    fx: FloatArray,
    inflation: FloatArray,
    n: int,
) -> FirmBase:
    """A firm's advantage without the deal's support. ``revenue`` is its home plant's output
    value (CAD), ``kwh`` its output in kWh (battery makers; 45X pays on it), ``duty`` the US
    duty it absorbs; the alternative produces the same volumes. Capital is counted in the year
    its plant starts if that falls in the horizon (sunk otherwise); an alternative builds in
    the home plant's start year, or the first year of the horizon if that is later."""
    factors = np.broadcast_to(discount(v(f.hurdle), inflation, years, price_year), (n, years.size))
    deflate = (1.0 + inflation) ** -(years - price_year)  # nominal USD in law -> real
    margin, tax = v(f.margin), v(f.tax)
    capex = v(f.capex) * (capacity * fx if f.capex_per_unit else 1.0)
    shape = (n, years.size)
    fused = jit.compiled_for(n)  # the cash flows in one pass over the draws (same bits)
    if fused is not None:
        home = fused.home_cash(shape, margin, revenue, duty, tax, capex, start, years)
    else:
        home = after_tax(margin * revenue - duty, tax) - at_year(capex, start, years)
    built = np.maximum(start, years[0])
    values = []
    for a in f.alternatives:
        credit = None
        if a.credit_cell is not None and a.credit_module is not None and a.eligible is not None:
            credit = (
                kwh,
                v(a.credit_cell),
                module_share,
                v(a.credit_module),
                v(a.eligible),
                fx,
                deflate,
            )
        up_front = v(a.capex) * (capacity if a.capex_per_unit else 1.0) - v(a.grant)
        if fused is not None:
            cash = fused.alternative_cash(
                shape, margin, v(a.gap), revenue, v(a.tax), credit, up_front * fx, built, years
            )
        else:
            operating = after_tax((margin - v(a.gap)) * revenue, v(a.tax))
            if credit is not None:
                per_kwh = credit[1] + credit[2] * credit[3]
                operating = operating + credit[0] * per_kwh * credit[4] * fx * deflate
            cash = operating - at_year(up_front * fx, built, years)
        values.append(pv(cash, factors))
    stacked = np.stack(np.broadcast_arrays(*values), axis=1)
    return FirmBase(
        advantage=pv(home, factors) - stacked.max(axis=1),
        factors=factors,
        tax=np.asarray(tax),
        premium=np.broadcast_to(np.ravel(v(f.premium)), (n,)),
        best=stacked.argmax(axis=1).astype(float),
    )


def support_value(
    taxable: FloatArray, untaxed: FloatArray, tax: FloatArray, factors: FloatArray
) -> FloatArray:
    """Present value to the firm of the deal's support at scale 1: taxable payments after its
    corporate tax, tax-exempt payments, grants and tax credits in full."""
    return pv(taxable * (1.0 - tax) + untaxed, factors)


def decide(
    specs: Sequence[FirmSpec],
    bases: Sequence[FirmBase],
    subsidy: Mapping[str, Mapping[str, FloatArray]],
    unit_subsidy: Mapping[str, Mapping[str, FloatArray]],
    itc: Mapping[str, FloatArray],
    unit_itc: Mapping[str, FloatArray],
    scale: FloatArray,
) -> tuple[dict[str, list[FloatArray]], FloatArray]:
    """Each firm with the deal: its advantage ``A⁰ + F + k S`` (``subsidy`` and ``itc``: what
    its plant receives, the instrument's part at scale ``scale``; ``unit_*``: the instrument
    at scale 1), whether it accepts, whether it builds anyway, and its smallest scale; and the
    smallest scale at which every firm accepts (0 without firms)."""
    n = bases[0].advantage.shape[0] if bases else 1
    out: dict[str, list[FloatArray]] = {
        "firm_npv_advantage": [],
        "firm_accepts": [],
        "firm_builds_anyway": [],
        "firm_support_scale_min": [],
    }
    k_min = np.zeros(n)
    for f, base in zip(specs, bases, strict=True):
        got, inst = subsidy[f.plant], unit_subsidy[f.plant]
        untaxed = inst["exempt"] + inst["grants"] + unit_itc[f.plant]
        support = support_value(inst["taxable"], untaxed, base.tax, base.factors)
        fixed = support_value(
            got["taxable"] - scale * inst["taxable"],
            got["exempt"] + got["grants"] + itc[f.plant] - scale * untaxed,
            base.tax,
            base.factors,
        )
        advantage = base.advantage + fixed + np.ravel(scale) * support
        k_f = min_scale(base.advantage + fixed, support, base.premium)
        k_min = np.maximum(k_min, k_f)
        out["firm_npv_advantage"].append(advantage)
        out["firm_accepts"].append(accepts(advantage, base.premium))
        out["firm_builds_anyway"].append(accepts(base.advantage, base.premium))
        out["firm_support_scale_min"].append(k_f)
    return out, k_min


def ids(spec: FirmsSpec | None) -> tuple[str, ...]:
    """The firms' ids in the order of the engine's per-firm arrays (none without firms)."""
    return tuple(f.id for f in spec.firms) if spec else ()
