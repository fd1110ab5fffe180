"""The Crown ledger: every public flow a deal changes, per draw and year, by government and
instrument (mechanism 6).

A line is one flow of one government: an *outlay* (production credits, capital grants, other
incentives), a *refundable credit* (statutory or declared investment tax credits, paid out
through the tax system), *foregone revenue* (the zero-emission manufacturer rate, the CIT
exemption of production subsidies, accelerated capital cost allowance), a *revenue* (corporate
income tax, labour taxes, sales tax, taxes on production, customs), or *debt service*.

The balance counts each dollar once: public cost = outlays + refundable credits; revenue is
what is collected, so foregone revenue is already missing from it; tax expenditures
(refundable credits + foregone revenue) are reported beside the balance, not inside it.
Debt service, when asked for, is reported separately, as budget offices publish it.

Corporate income tax of a home plant comes from its own accounts: operating surplus (its
value added less labour income and taxes on production), plus taxable subsidies, less capital
cost allowance, with losses carried forward. The foregone revenue of each preference is the
difference it makes, stacked in a fixed order (exemption, then CCA, then rate), so that

    benchmark CIT = collected CIT + exemption + accelerated CCA + reduced rate

holds line by line (the benchmark: the general rate, subsidies taxable, and capital cost
allowance at regular rates with the half-year rule, so that accelerated CCA is what the
Accelerated Investment Incentive and full expensing add, as Finance Canada itemises them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..data import ReferenceData
from ..errors import EvpactError
from ..scenario.distributions import Dist, FloatArray
from ..scenario.model import Plant, Scenario
from ..scenario.rules import PARAMETERS, RulePack, load_rule_pack, yearly
from . import jit

if TYPE_CHECKING:
    from .compile import Input, PlantSpec

GOVERNMENTS = ("federal", "provincial")
LAYERS = ("direct", "indirect", "induced")
SCOPES = ("plant", "supply_chain", "total")
#: layers each accounting scope counts (lines without a layer count in every scope)
SCOPE_LAYERS = {
    "plant": ("direct",),
    "supply_chain": ("direct", "indirect"),
    "total": LAYERS,
}
#: the bundled fiscal packs: federal, then the province of the home plants
FEDERAL_PACK = "ca-fiscal-2024"
PROVINCIAL_PACKS = {"CA-ON": "ca-on-fiscal-2024"}
#: plant kinds whose income qualifies for the zero-emission technology manufacturer rate
#: (zero-emission vehicles and their batteries; cathode and anode makers are left out)
ZETM_KINDS = ("cell", "module", "pack", "assembly")
#: plant economics the ledger needs (bundled ledger.csv; scenario ``fiscal.<name>``)
FIGURES = (
    "equipment_share_of_capex",
    "spending_share_of_after_tax_income",
    "taxable_share_of_spending",
    "production_tax_share_of_gdp",
    "borrowing_rate",
    "inflation_rate",
)


@dataclass(frozen=True)
class Line:
    government: str
    category: str  # outlay | refundable_credit | foregone_revenue | revenue | debt_service
    instrument: str
    layer: str = ""  # direct | indirect | induced; "" counts in every scope

    @property
    def key(self) -> str:
        parts = (self.government, self.category, self.instrument, self.layer)
        return ".".join(p for p in parts if p)


def _lines() -> tuple[Line, ...]:
    out: list[Line] = []
    for g in GOVERNMENTS:
        out += [
            Line(g, "outlay", i) for i in ("production_credit", "capital_grant", "other_incentive")
        ]
        out.append(Line(g, "refundable_credit", "itc_declared"))
        if g == "federal":
            out += [Line(g, "refundable_credit", i) for i in ("itc_ctm", "itc_evsc")]
            out.append(Line(g, "foregone_revenue", "zetm_rate"))
        out += [Line(g, "foregone_revenue", i) for i in ("subsidy_exemption", "accelerated_cca")]
        taxes = ["cit", "labour", "sales_tax"] + (["production_taxes"] if g != "federal" else [])
        out += [Line(g, "revenue", t, layer) for t in taxes for layer in LAYERS]
        if g == "federal":
            out += [Line(g, "revenue", i) for i in ("customs_surtax", "customs_remission")]
        out.append(Line(g, "debt_service", "interest"))
    return tuple(out)


LINES = _lines()
INDEX = {line.key: i for i, line in enumerate(LINES)}
COST = ("outlay", "refundable_credit")
TAX_EXPENDITURE = ("refundable_credit", "foregone_revenue")


def government_of(payer: str) -> str:
    """The government a payer belongs to: ``federal`` is federal, any other payer (ontario,
    quebec, provincial) provincial."""
    return "federal" if payer == "federal" else "provincial"


def weights() -> tuple[tuple[str, ...], FloatArray]:
    """Aggregates the metrics need as a (line, aggregate) 0/1 matrix: per government, public
    cost, revenue per scope, tax expenditure and debt service."""
    names: list[str] = []
    cols: list[FloatArray] = []
    for g in GOVERNMENTS:
        mine = np.array([line.government == g for line in LINES])
        cat = np.array([line.category for line in LINES])
        layer = np.array([line.layer for line in LINES])
        names.append(f"{g}.cost")
        cols.append(mine & np.isin(cat, COST))
        for scope in SCOPES:
            names.append(f"{g}.revenue.{scope}")
            in_scope = (layer == "") | np.isin(layer, SCOPE_LAYERS[scope])
            cols.append(mine & (cat == "revenue") & in_scope)
        names.append(f"{g}.tax_expenditure")
        cols.append(mine & np.isin(cat, TAX_EXPENDITURE))
        names.append(f"{g}.foregone_revenue")
        cols.append(mine & (cat == "foregone_revenue"))
        names.append(f"{g}.debt_service")
        cols.append(mine & (cat == "debt_service"))
    return tuple(names), np.stack(cols, axis=1).astype(float)


# --- compile --------------------------------------------------------------------------------


class Builder(Protocol):
    """What the ledger's compile step needs from the scenario compiler."""

    s: Scenario
    data: ReferenceData
    years: np.ndarray[Any, Any]

    def put(self, path: str, value: Input) -> str: ...

    def value(self, path: str, given: Dist | None, default: Dist) -> str: ...

    def archetype(self, plant: Plant, parameter: str) -> Dist: ...


@dataclass(frozen=True)
class PlantTax:
    plant: str
    start: str  # input key of the start year
    capex: str  # input key: total capital cost, or per unit of capacity (with ``units``)
    units: str | None  # capacity input the per-unit capex multiplies
    zetm: bool
    statutory_itc: bool  # claims the CTM and EVSC credits itself
    exempt: bool = False  # receives payments exempt from corporate income tax


@dataclass(frozen=True)
class LedgerSpec:
    rates: dict[str, str]  # fiscal rule parameter -> input key (yearly path)
    acquisition: dict[str, tuple[FloatArray, FloatArray]]  # rule by year property is in use
    figures: dict[str, str]  # FIGURES name -> input key
    plants: tuple[PlantTax, ...]
    packs: tuple[str, ...]
    labour_scale: str | None = None  # fiscal.labour_tax_rate override, if any
    cit_scale: str | None = None  # fiscal.corporate_tax_rate override, if any
    debt_service: bool = False
    discounted: bool = True  # break-even on the discounted balance (else cumulative dollars)
    nominal: bool = False  # flows in dollars of each year (else of the price year)
    customs: bool = False  # the scenario's trade section moves the surtax and remission


def fiscal_packs(scenario: Scenario) -> list[RulePack]:
    """The fiscal rule packs in force: the scenario's own list, else the bundled federal pack
    and the pack of the home plants' province (none outside Canada)."""
    f = scenario.fiscal
    if f.rules is not None:
        return [load_rule_pack(ref, scenario._origin) for ref in f.rules]
    if scenario.home_country != "CA":
        return []
    regions = sorted({p.region for p in scenario.plants if p.country == "CA"})
    names = [FEDERAL_PACK, *[PROVINCIAL_PACKS[r] for r in regions if r in PROVINCIAL_PACKS][:1]]
    return [load_rule_pack(n) for n in names]


def compile_ledger(b: Builder, plants: tuple[PlantSpec, ...], declared_itc: set[str]) -> LedgerSpec:
    """Inputs of the ledger: every fiscal rule as a yearly path ``fiscal.rules.<name>``, the
    plant economics of ``ledger.csv`` as ``fiscal.<name>``, and each home plant's capital."""
    s, years = b.s, b.years
    try:
        packs = fiscal_packs(s)
    except EvpactError as e:
        where = "fiscal.rules" if s.fiscal.rules is not None else None
        raise EvpactError(str(e), where) from None
    from .compile import YearPath

    rates = {}
    for name, p in PARAMETERS.items():
        if p.kind == "fiscal":
            path = yearly(packs, name, years)
            rates[name] = b.put(f"fiscal.rules.{name}", YearPath(path, path, path))
    first = min(int(years[0]), 2015)
    span = np.arange(first, int(years[-1]) + 1)
    acquisition = {
        name: (span.astype(float), yearly([load_rule_pack("ca-itc-2024"), *packs], name, span))
        for name in (
            "ca_ctm_itc_rate",
            "ca_evsc_itc_rate",
            "ca_cca_equipment_first_year",
            "ca_cca_equipment_rate",
            "ca_cca_building_rate",
        )
    }
    f = s.fiscal
    figures = {
        name: b.value(
            f"fiscal.{name}",
            getattr(f, name, None),
            b.data.figure("ledger", {"parameter": name}),
        )
        for name in FIGURES
    }
    by_id = {p.id: p for p in s.plants}
    exempt = {i.plant for d in s.deals for i in d.incentives if i.tax_exempt}
    taxed = []
    for spec in plants:
        if not spec.domestic:
            continue
        plant = by_id[spec.id]
        w = f"plants.{spec.id}"
        if plant.capex_cad is not None:
            capex, units = b.put(f"{w}.capex_cad", plant.capex_cad), None
        else:
            param = "capex_cad_per_vehicle" if plant.kind == "assembly" else "capex_cad_per_gwh"
            capex = b.put(f"{w}.capex_cad_per_unit", b.archetype(plant, param))
            units = spec.capacity
        taxed.append(
            PlantTax(
                plant=spec.id,
                start=spec.start,
                capex=capex,
                units=units,
                zetm=spec.kind in ZETM_KINDS,
                statutory_itc=f.statutory_credits and spec.id not in declared_itc,
                exempt=spec.id in exempt,
            )
        )
    return LedgerSpec(
        rates=rates,
        acquisition=acquisition,
        figures=figures,
        plants=tuple(taxed),
        packs=tuple(p.name for p in packs),
        labour_scale=(
            b.put("fiscal.labour_tax_rate", f.labour_tax_rate) if f.labour_tax_rate else None
        ),
        cit_scale=(
            b.put("fiscal.corporate_tax_rate", f.corporate_tax_rate)
            if f.corporate_tax_rate
            else None
        ),
        debt_service=f.debt_service,
        discounted=f.balance == "discounted",
        nominal=f.price_basis == "nominal",
        customs=s.trade is not None,
    )


# --- simulate -------------------------------------------------------------------------------


@dataclass
class PlantBooks:
    """What one home plant's tax return needs from the flows (CAD per draw-year)."""

    value_added: FloatArray
    labour_income: FloatArray
    taxable_subsidy: FloatArray
    exempt_subsidy: FloatArray
    grants: FloatArray


def taxable(income: FloatArray) -> FloatArray:
    """Taxable income per year with losses carried forward (no carry-back): cumulative taxable
    income is the running maximum of cumulative income, floored at zero."""
    x = np.ascontiguousarray(np.moveaxis(np.asarray(income, dtype=float), -1, 0))
    return np.moveaxis(_carried_forward(x), 0, -1)


def _carried_forward(x: FloatArray) -> FloatArray:
    """``taxable`` of a (year, ...) array: built year by year over draws held side by side,
    which is several times faster than cumulative ufuncs along a short last axis."""
    out = np.empty_like(x)
    cum = np.zeros(x.shape[1:])
    peak = np.zeros(x.shape[1:])
    for t in range(x.shape[0]):
        cum += x[t]
        high = np.maximum(peak, cum)
        np.subtract(high, peak, out=out[t])
        peak = high
    return out


def _bases_carried(bases: list[FloatArray], shape: tuple[int, int]) -> FloatArray:
    """``taxable`` of each base (base, draw, year), the bases written year-major once."""
    x = np.empty((shape[1], len(bases), shape[0]))
    for k, base in enumerate(bases):
        x[:, k, :] = np.broadcast_to(base, shape).T
    return np.moveaxis(_carried_forward(x), 0, -1)


Shares = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


def _allowance(
    acquisition: Mapping[str, tuple[FloatArray, FloatArray]], years: FloatArray, y0: FloatArray
) -> Shares:
    """Per draw and year, ``[age = 0]`` and the shares of capital that capital cost allowance
    writes off (docs/model.md §6): of buildings, and of equipment accelerated and regular.
    Declining balance; the accelerated first year (full or enhanced expensing) against the
    regular first year (half-year rule); buildings at their regular rate in both.

    A draw matters only through its start year ``y0``, so each share is computed once per
    start year and spread to the draws: the same numbers (every element is computed alike,
    powers included), without some twenty (draw, year) operations and two powers per plant.
    """
    shares, spread = _allowance_by_start(acquisition, years, y0)
    if spread is None:
        return shares
    first_, building, cca, regular = (a[spread] for a in shares)
    return first_, building, cca, regular


def _allowance_by_start(
    acquisition: Mapping[str, tuple[FloatArray, FloatArray]], years: FloatArray, y0: FloatArray
) -> tuple[Shares, np.ndarray[Any, np.dtype[np.intp]] | None]:
    """``_allowance``'s shares before they are spread: one row per start year and each
    draw's row, or (no row per draw: None) the shares as they broadcast (one start year for
    every draw, or start years too far apart or not finite: per draw)."""
    spread = None
    starts = np.asarray(y0, dtype=float)
    if starts.size > 1:
        lo, hi = np.min(starts), np.max(starts)
        if np.isfinite(lo) and np.isfinite(hi) and hi - lo < starts.size:
            spread = (starts.reshape(-1) - lo).astype(np.intp)
            starts = np.arange(lo, hi + 1)[:, None]
    age = years - starts
    first, after = age == 0, age > 0
    rate_e = _at(acquisition["ca_cca_equipment_rate"], starts)
    rate_b = _at(acquisition["ca_cca_building_rate"], starts)
    f1 = _at(acquisition["ca_cca_equipment_first_year"], starts)
    later = np.maximum(age - 1, 0.0)
    tail_e = np.where(after, rate_e * (1 - rate_e) ** later, 0.0)
    tail_b = np.where(after, rate_b * (1 - rate_b) ** later, 0.0)
    shares = (
        first.astype(float),
        np.where(first, rate_b / 2, (1 - rate_b / 2) * tail_b),
        np.where(first, f1, (1 - f1) * tail_e),
        np.where(first, rate_e / 2, (1 - rate_e / 2) * tail_e),
    )
    return shares, spread


def _at(table: tuple[FloatArray, FloatArray], year: FloatArray) -> FloatArray:
    """A dated rule's value for the year property becomes available for use (per draw)."""
    yrs, vals = table
    return np.asarray(np.interp(year, yrs, vals))


def _labour_factors(
    r: Mapping[str, FloatArray], fig: Mapping[str, FloatArray], labour_scale: FloatArray | float
) -> tuple[dict[str, FloatArray], dict[str, FloatArray], FloatArray]:
    """Revenue per dollar of labour income, by government, in factors: the labour tax rate
    ``lam``, sales tax on after-tax income ``taxed``, and the share of it households spend
    on taxable goods ``spent`` (sales tax per dollar is ``taxed x spent``)."""
    lam = {
        "federal": r["ca_federal_labour_revenue_rate"] * labour_scale,
        "provincial": r["ca_provincial_labour_revenue_rate"] * labour_scale,
    }
    sales = {"federal": r["ca_gst_rate"], "provincial": r["ca_provincial_sales_tax_rate"]}
    spent = fig["spending_share_of_after_tax_income"] * fig["taxable_share_of_spending"]
    after_tax = 1 - lam["federal"] - lam["provincial"]
    return lam, {g: after_tax * sales[g] for g in GOVERNMENTS}, spent


def _on_labour(
    r: Mapping[str, FloatArray], fig: Mapping[str, FloatArray], labour_scale: FloatArray | float
) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Revenue per dollar of labour income, by government: labour taxes, and sales tax on the
    after-tax income households spend."""
    lam, taxed, spent = _labour_factors(r, fig, labour_scale)
    return lam, {g: taxed[g] * spent for g in GOVERNMENTS}


def revenue_per_labour_dollar(
    spec: LedgerSpec | None, v: Callable[[str], FloatArray]
) -> FloatArray:
    """Both governments' revenue per dollar of labour income (draw, year): what a worker who
    leaves another job already paid, so the deal does not add it (engine.additionality)."""
    if spec is None:
        return np.zeros(1)
    r = {name: v(key) for name, key in spec.rates.items()}
    fig = {name: v(key) for name, key in spec.figures.items()}
    labour_scale: FloatArray | float = 1.0
    if spec.labour_scale is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            both = r["ca_federal_labour_revenue_rate"] + r["ca_provincial_labour_revenue_rate"]
            labour_scale = np.where(both > 0, v(spec.labour_scale) / both, 0.0)
    lam, per_li = _on_labour(r, fig, labour_scale)
    return np.asarray(sum((lam[g] + per_li[g] for g in GOVERNMENTS), np.zeros(1)))


@dataclass(frozen=True)
class Rescaled:
    """The deal's instrument at another scale of support: each flow it pays, plus ``delta``
    times its support at scale 1 (the negotiation zone's smallest accepted scale less the
    scale paid). Only flows the instrument moves are given; the others stand."""

    delta: FloatArray  # (draw, 1)
    outlays: Mapping[tuple[str, str], FloatArray]  # (government, instrument) -> at scale 1
    taxable: Mapping[str, FloatArray]  # plant -> taxable payments at scale 1
    grants: Mapping[str, FloatArray]  # plant -> grants at scale 1

    def at(self, flow: FloatArray, unit: FloatArray | None) -> FloatArray:
        """``flow + delta x unit``, or the flow itself when the instrument does not move it."""
        return flow if unit is None else flow + self.delta * unit


def crown(
    spec: LedgerSpec,
    v: Callable[[str], FloatArray],
    years: FloatArray,
    books: Mapping[str, PlantBooks],
    outlays: Mapping[tuple[str, str], FloatArray],
    gdp: tuple[FloatArray, FloatArray, FloatArray],
    labour: tuple[FloatArray, FloatArray, FloatArray],
    customs: tuple[FloatArray, FloatArray],
    shape: tuple[int, int],
    lines: bool = True,
    rescaled: Rescaled | None = None,
) -> tuple[FloatArray, FloatArray | None]:
    """The ledger's aggregates (``WEIGHTS``: aggregate, draw, year) and, when ``lines``, the
    ledger itself (line, draw, year, lines as ``LINES``), in CAD of the price year.

    ``outlays`` maps (government, instrument) to payments net of clawbacks; ``gdp`` and
    ``labour`` are the home economy's layers (direct, indirect, induced); ``customs`` is the
    surtax collected and the surtax remitted. Lines that cannot move in this model are never
    built (big runs only need the aggregates).

    With ``rescaled``, the aggregates end with the rows of ``RESCALED``: public cost and total
    revenue by government with the instrument's support rescaled, the same bits as the rows
    of a second call with the rescaled flows, in the same pass. Only what the support moves
    is computed twice (outlays, each plant's actual tax base); the rest is added to both.
    """
    flows: dict[int, FloatArray] = {}
    # the totals of big blocks by compiled kernels (same bits); the lines, kept only in runs of
    # up to api.LEDGER_LINES_DRAWS draws, by numpy
    fused = None if lines else jit.compiled_for(shape[0], ".kernels_ledger")
    # aggregates are summed in place as lines arrive: revenue by layer first (made into
    # cumulative scopes at the end), credits first (tax expenditure adds foregone revenue)
    # (a row's first flow is written as 0.0 + flow, which is what adding it to zeros gives,
    # so no row is zeroed before it is written; rows read before, by a kernel or an in-place
    # sum, are zeroed then: ``zeroed``)
    aggregates = np.empty((len(WEIGHTS[0]) + (len(RESCALED) if rescaled else 0), *shape))
    fresh = set(range(len(aggregates)))  # rows nothing was written to yet
    # rows whose flows are the same at either scale are added to the rescaled rows as well
    mirror = MIRROR if rescaled is not None else {}

    def zeroed(rows: Iterable[int]) -> None:
        for k in fresh.intersection(rows):
            aggregates[k].fill(0.0)
            fresh.discard(k)

    def add_row(k: int, flow: FloatArray, mirrored: bool = True) -> None:
        for row in (k, mirror[k]) if mirrored and k in mirror else (k,):
            if row in fresh:
                np.add(flow, 0.0, out=aggregates[row])
                fresh.discard(row)
            else:
                np.add(aggregates[row], flow, out=aggregates[row])

    def add(key: str, flow: FloatArray, mirrored: bool = True) -> None:
        i = INDEX[key]
        add_row(TARGET[i], flow, mirrored)
        if i in SECOND:
            add_row(SECOND[i], flow, mirrored)
        if lines:
            flows[i] = flows[i] + flow if i in flows else flow

    def add_parts(
        base: FloatArray,
        rates: dict[str, Any],
        per_row: Mapping[int, Any] | None = None,
        mirrored: bool = True,
    ) -> None:
        """Lines that are one base at several rates: the aggregates get one product per row
        (``_per_row``, unless given); the lines, when kept, one product each."""
        if lines:
            for key, rate in rates.items():
                i = INDEX[key]
                flow = base * rate
                flows[i] = flows[i] + flow if i in flows else flow
        for k, rate in (_per_row(rates) if per_row is None else per_row).items():
            add_row(k, base * rate, mirrored)

    r = {name: v(key) for name, key in spec.rates.items()}
    fig = {name: v(key) for name, key in spec.figures.items()}
    cit_scale: FloatArray | float = 1.0
    if spec.cit_scale is not None:  # an override of the combined manufacturing rate
        with np.errstate(divide="ignore", invalid="ignore"):
            both = r["ca_federal_cit_rate"] + r["ca_provincial_cit_rate"]
            cit_scale = np.where(both > 0, v(spec.cit_scale) / both, 0.0)
    labour_scale: FloatArray | float = 1.0
    if spec.labour_scale is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            both = r["ca_federal_labour_revenue_rate"] + r["ca_provincial_labour_revenue_rate"]
            labour_scale = np.where(both > 0, v(spec.labour_scale) / both, 0.0)
    fed_general = r["ca_federal_cit_rate"] * cit_scale
    prov = r["ca_provincial_cit_rate"] * cit_scale
    ptax = fig["production_tax_share_of_gdp"]

    for (g, instrument), flow in outlays.items():
        category = "refundable_credit" if instrument == "itc_declared" else "outlay"
        add(f"{g}.{category}.{instrument}", flow, mirrored=False)
        if rescaled is not None:  # the rescaled cost gets the outlay at the other scale
            at = rescaled.at(flow, rescaled.outlays.get((g, instrument)))
            add_row(mirror[ROW[f"{g}.cost"]], at, mirrored=False)

    eq = np.clip(fig["equipment_share_of_capex"], 0.0, 1.0)
    for pt in spec.plants:
        bk = books[pt.plant]
        capex = v(pt.capex) * (v(pt.units) if pt.units else 1.0)
        y0 = np.floor(v(pt.start))  # property available for use in the start year
        itc_ctm = itc_evsc = np.zeros_like(capex)
        credits: dict[str, Any] = {}
        if pt.statutory_itc:
            itc_ctm = _at(spec.acquisition["ca_ctm_itc_rate"], y0) * eq * capex
            itc_evsc = _at(spec.acquisition["ca_evsc_itc_rate"], y0) * (1 - eq) * capex
            credits = {
                "federal.refundable_credit.itc_ctm": itc_ctm,
                "federal.refundable_credit.itc_evsc": itc_evsc,
            }
        # assistance and credits reduce the capital cost that CCA writes off (ITA 13(7.1))
        grants = _over_years(bk.grants)
        equipment = np.maximum(eq * (capex - grants) - itc_ctm, 0.0)
        building = np.maximum((1 - eq) * (capex - grants) - itc_evsc, 0.0)
        # the support rescaled: delta, taxable payments at scale 1, equipment and buildings
        at_k: tuple[FloatArray, FloatArray | None, FloatArray, FloatArray] | None = None
        if rescaled is not None:
            equipment_k, building_k = equipment, building
            unit = rescaled.grants.get(pt.plant)
            if unit is not None:
                grants = _over_years(rescaled.at(bk.grants, unit))
                equipment_k = np.maximum(eq * (capex - grants) - itc_ctm, 0.0)
                building_k = np.maximum((1 - eq) * (capex - grants) - itc_evsc, 0.0)
            at_k = (rescaled.delta, rescaled.taxable.get(pt.plant), equipment_k, building_k)
        by_start, spread = _allowance_by_start(spec.acquisition, years, y0)
        fed = r["ca_federal_zetm_cit_rate"] * cit_scale if pt.zetm else fed_general
        # collected on the actual base; each preference is the difference it makes:
        # CCA = rate x (exempted - actual), exemption = rate x (benchmark - exempted)
        on_actual = {
            "federal.revenue.cit.direct": fed,
            "provincial.revenue.cit.direct": prov,
            "federal.foregone_revenue.accelerated_cca": -fed_general,
            "provincial.foregone_revenue.accelerated_cca": -prov,
        }
        if pt.zetm:
            on_actual["federal.foregone_revenue.zetm_rate"] = fed_general - fed
        on_benchmark = {
            "federal.foregone_revenue.subsidy_exemption": fed_general,
            "provincial.foregone_revenue.subsidy_exemption": prov,
        }
        on_exempted = {
            "federal.foregone_revenue.accelerated_cca": fed_general,
            "provincial.foregone_revenue.accelerated_cca": prov,
        }
        if pt.exempt:
            on_exempted["federal.foregone_revenue.subsidy_exemption"] = -fed_general
            on_exempted["provincial.foregone_revenue.subsidy_exemption"] = -prov
        if fused is not None:  # CCA, the bases and their lines in one pass
            rows = PLANT_ROWS if at_k is None else PLANT_ROWS + RESCALED_PLANT_ROWS
            zeroed(rows)
            fused.plant_tax(
                aggregates,
                rows,
                by_start,  # looked up by start year in the kernel
                spread,
                (equipment, building),
                bk,
                ptax,
                _per_row(credits)[PLANT_ROWS[0]] if credits else None,
                _in_rows(on_actual, PLANT_ROWS[2:]),
                _in_rows(on_benchmark, PLANT_ROWS[4:]) if pt.exempt else None,
                _in_rows(on_exempted, PLANT_ROWS[4:]),
                at_k,
            )
            continue
        first, w_building, w_cca, w_regular = (
            by_start if spread is None else tuple(a[spread] for a in by_start)
        )
        if credits:
            add_parts(first, credits)
        buildings = building * w_building
        cca = equipment * w_cca + buildings
        regular = equipment * w_regular + buildings
        surplus = bk.value_added * (1 - ptax) - bk.labour_income
        # the bases' losses carried forward in one pass over the years
        income = surplus + bk.taxable_subsidy
        bases = [income - regular, income - cca]
        if pt.exempt:
            bases.append(income + bk.exempt_subsidy - regular)
        if rescaled is not None and at_k is not None:  # the actual base, support rescaled
            income_k = surplus + rescaled.at(bk.taxable_subsidy, at_k[1])
            bases.append(income_k - (at_k[2] * w_cca + at_k[3] * w_building))
        carried = _bases_carried(bases, shape)
        exempted, actual = carried[0], carried[1]
        add_parts(actual, on_actual, mirrored=False)
        if at_k is not None:  # its tax collected, in the rescaled rows
            for k, rate in ((mirror[PLANT_ROWS[2]], fed), (mirror[PLANT_ROWS[3]], prov)):
                add_row(k, carried[-1] * rate, mirrored=False)
        if pt.exempt:
            add_parts(carried[2], on_benchmark)
        add_parts(exempted, on_exempted)

    general = {
        "federal": fed_general,
        "provincial": r["ca_provincial_general_cit_rate"] * cit_scale,
    }
    profit_share = v("fiscal.profit_share")
    if fused is not None:  # the layers, customs and the rows closed in one pass
        lam, taxed, spent = _labour_factors(r, fig, labour_scale)
        scaled_rows = None if rescaled is None else tuple(MIRROR[k] for k in PLANT_ROWS[2:4])
        # the kernel reads the plant scope, tax expenditure and foregone revenue, and writes
        # the wider scopes whole
        zeroed((*(REVENUE_ROWS[i] for i in (0, 3, 4, 5, 8, 9)), *(scaled_rows or ())))
        fresh.difference_update(REVENUE_ROWS)
        fused.revenue(
            aggregates,
            REVENUE_ROWS,
            gdp,
            labour,
            ptax,
            (lam["federal"], lam["provincial"], taxed["federal"], taxed["provincial"], spent),
            (general["federal"], general["provincial"], profit_share),
            customs if spec.customs else None,
            scaled_rows,
        )
    else:
        lam, per_li = _on_labour(r, fig, labour_scale)
        # per dollar of the suppliers' operating surplus: tax on its taxable-profit share
        per_surplus = {g: general[g] * profit_share for g in GOVERNMENTS}
        per_li_row = {g: lam[g] + per_li[g] for g in GOVERNMENTS}  # _per_row's sums, once
        for layer, va, li in zip(LAYERS, gdp, labour, strict=True):
            on_labour = {f"{g}.revenue.labour.{layer}": lam[g] for g in GOVERNMENTS}
            on_labour.update({f"{g}.revenue.sales_tax.{layer}": per_li[g] for g in GOVERNMENTS})
            scope = SCOPES[LAYERS.index(layer)]
            add_parts(
                li, on_labour, {ROW[f"{g}.revenue.{scope}"]: per_li_row[g] for g in GOVERNMENTS}
            )
            production = ptax * va  # taxes on production, also out of suppliers' surplus
            if layer != "direct":  # suppliers' and households' suppliers' profits
                surplus = np.subtract(va, li, out=np.empty(shape))
                np.subtract(surplus, production, out=surplus)
                cit = {f"{g}.revenue.cit.{layer}": per_surplus[g] for g in GOVERNMENTS}
                add_parts(surplus, cit)
            add(f"provincial.revenue.production_taxes.{layer}", production)
        if spec.customs:
            add("federal.revenue.customs_surtax", customs[0])
            add("federal.revenue.customs_remission", -customs[1])
        zeroed(range(len(aggregates)))  # (rows summed in place below)
        for g in GOVERNMENTS:  # wider scopes include narrower ones
            row = {name: aggregates[ROW[f"{g}.{name}"]] for name in AGGREGATE_NAMES}
            if rescaled is not None:  # total revenue rescaled: total + (supply chain + plant)
                scaled = aggregates[mirror[ROW[f"{g}.revenue.plant"]]]
                np.add(row["revenue.supply_chain"], scaled, out=scaled)
                np.add(row["revenue.total"], scaled, out=scaled)
            row["revenue.supply_chain"] += row["revenue.plant"]
            row["revenue.total"] += row["revenue.supply_chain"]
            row["tax_expenditure"] += row["foregone_revenue"]
    if spec.debt_service:  # interest on the public cost financed to the start of each year
        for g in GOVERNMENTS:
            zeroed((ROW[f"{g}.cost"],))
            cost = aggregates[ROW[f"{g}.cost"]]
            add(
                f"{g}.debt_service.interest",
                fig["borrowing_rate"] * (np.cumsum(cost, axis=-1) - cost),
            )
    zeroed(range(len(aggregates)))  # rows no flow reached
    if not lines:
        return aggregates, None
    ledger = np.zeros((len(LINES), *shape))
    for i, flow in flows.items():
        ledger[i] = flow
    return aggregates, ledger


def _over_years(grants: FloatArray) -> FloatArray:
    """Each draw's sum over years (draw, 1): numpy's, by the kernel on big blocks (same bits)."""
    if np.ndim(grants) == 2:
        return jit.sums_over_years(grants)[:, None]
    return np.asarray(grants.sum(axis=-1, keepdims=True))


def _per_row(rates: Mapping[str, Any]) -> dict[int, Any]:
    """The aggregate rows that lines of one base at several rates add to, each with its lines'
    rates summed in the order given: one product per row gives the sums of the lines (by
    linearity), with the same digits whether or not the lines are kept."""
    per_row: dict[int, Any] = {}
    for key, rate in rates.items():
        i = INDEX[key]
        for target in (TARGET, SECOND):
            if i in target:
                k = target[i]
                per_row[k] = per_row[k] + rate if k in per_row else rate
    return per_row


def _in_rows(rates: Mapping[str, Any], rows: tuple[int, ...]) -> list[Any]:
    """``_per_row``'s rates for the given rows, in their order."""
    per_row = _per_row(rates)
    return [per_row[k] for k in rows]


WEIGHTS = weights()
AGGREGATE_NAMES = (
    "cost",
    "revenue.plant",
    "revenue.supply_chain",
    "revenue.total",
    "tax_expenditure",
    "foregone_revenue",
    "debt_service",
)


def _targets() -> tuple[dict[int, int], dict[int, int]]:
    """The aggregate row each line adds to as it arrives (revenue to its layer's scope row,
    foregone revenue to its own row; wider scopes and tax expenditure are summed when the
    rows are closed), and the second row of a refundable credit (cost and tax expenditure)."""
    names = WEIGHTS[0]
    first: dict[int, int] = {}
    second: dict[int, int] = {}
    scope_of = {"": "plant", "direct": "plant", "indirect": "supply_chain", "induced": "total"}
    for i, ln in enumerate(LINES):
        g = ln.government
        if ln.category in COST:
            first[i] = names.index(f"{g}.cost")
        elif ln.category == "revenue":
            first[i] = names.index(f"{g}.revenue.{scope_of[ln.layer]}")
        elif ln.category == "debt_service":
            first[i] = names.index(f"{g}.debt_service")
        if ln.category == "refundable_credit":
            second[i] = names.index(f"{g}.tax_expenditure")
        if ln.category == "foregone_revenue":  # in tax expenditure when the rows are closed
            first[i] = names.index(f"{g}.foregone_revenue")
    return first, second


TARGET, SECOND = _targets()
ROW = {name: k for k, name in enumerate(WEIGHTS[0])}
#: the rows a home plant's lines add to (``kernels_ledger.plant_tax``)
PLANT_ROWS = tuple(
    ROW[name]
    for name in (
        "federal.cost",
        "federal.tax_expenditure",
        "federal.revenue.plant",
        "provincial.revenue.plant",
        "federal.foregone_revenue",
        "provincial.foregone_revenue",
    )
)
#: with the support rescaled (``crown``'s ``rescaled``), the rows after ``WEIGHTS``': public
#: cost and total revenue by government (the revenue rows hold the plant scope until closed)
RESCALED = tuple(f"{g}.{name}" for g in GOVERNMENTS for name in ("cost", "revenue.total"))
#: the rows whose flows are the same at either scale, and the rescaled row each also adds to
MIRROR = {
    ROW[f"{g}.{name}"]: len(WEIGHTS[0]) + RESCALED.index(f"{g}.{rescaled}")
    for g in GOVERNMENTS
    for name, rescaled in (("cost", "cost"), ("revenue.plant", "revenue.total"))
}
#: the rescaled rows a home plant adds to: federal cost, federal and provincial revenue
RESCALED_PLANT_ROWS = tuple(MIRROR[k] for k in (PLANT_ROWS[0], PLANT_ROWS[2], PLANT_ROWS[3]))
#: the rows the layers' revenue and the closing sums touch (``kernels_ledger.revenue``)
REVENUE_ROWS = tuple(
    ROW[f"{g}.{name}"]
    for g in GOVERNMENTS
    for name in (
        "revenue.plant",
        "revenue.supply_chain",
        "revenue.total",
        "tax_expenditure",
        "foregone_revenue",
    )
)

__all__ = [
    "GOVERNMENTS",
    "INDEX",
    "LINES",
    "LedgerSpec",
    "Line",
    "PlantBooks",
    "compile_ledger",
    "crown",
    "government_of",
    "taxable",
    "weights",
]


def conventions(scenario: Scenario) -> dict[str, Any]:
    """How a run counted public money; every output that shows a fiscal figure says this."""
    f = scenario.fiscal
    return {
        "balance": f.balance,
        "price_basis": f.price_basis,
        "production_basis": f.production_basis,
        "price_year": scenario.price_year,
        "npv_base_year": scenario.price_year,
        "statutory_credits": f.statutory_credits,
        "debt_service": f.debt_service,
        "fiscal_rules": [p.name for p in fiscal_packs(scenario)],
    }


def declared_itc(scenario: Scenario) -> set[str]:
    """Plants for which a deal declares its own investment tax credit (it replaces the
    statutory credits there, so nothing is counted twice)."""
    return {
        i.plant for d in scenario.deals for i in d.incentives if i.kind == "investment_tax_credit"
    }
