"""Metrics: what a run reports per draw, from the yearly arrays of a scenario and its
counterfactual. Pure functions on arrays, so a run can reduce block by block.

Metrics are impacts (scenario minus counterfactual, draw by draw on common random numbers)
unless their name says otherwise. A value that does not exist for a draw (a break-even not
reached within the horizon) is NaN there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal

import numpy as np

from .engine import jit
from .engine.additionality import DRAW_INPUTS, after_tax_income, net_world
from .engine.compile import MINERALS
from .firm_metrics import FIRM_INPUTS, firm_metrics
from .ledger_metrics import balance_breakevens, crown_metrics

Array = np.ndarray[Any, Any]
SCOPES = ("plant", "supply_chain", "total")
PORT_YEARS = (2030, 2035)
#: the metrics' compiled kernels, for ``engine.jit.compiled_for``
FUSED = "..kernels_metrics"
LAYERS = ("direct", "indirect", "induced")
#: yearly variables the metrics read (besides the per-draw ``discount_rate``)
METRIC_INPUTS = (
    "mineral_production_cumulative_t",
    "co2e_manufacturing_t",
    "co2e_avoided_t",
    "co2e_avoided_attributable_t",
    "evs_per_public_port",
    *(f"mineral_{m}_t" for m in MINERALS),
    "discount_rate",
    "fiscal_conventions",
    "crown_totals",
    "domestic_chain_share",
    "chain_hhi_max",
    "linkage_met",
    "public_cost",
    "public_cost_deadweight",
    "excess_burden",
    "but_for",
    "labour_revenue_rate",
    *DRAW_INPUTS,
    "clawback_repaid",
    "incentive_paid",
    "battery_output_gwh",
    "battery_local_gwh",
    "learning_margin",
    "vehicles_assembled",
    *(f"{k}_jobs" for k in LAYERS),
    *(f"gdp_{k}" for k in LAYERS),
    *(f"labour_income_{k}" for k in LAYERS),
    *(f"tax_{k}" for k in SCOPES),
    "assembly_vehicles",
    "assembly_rvc_margin_pp",
    "vehicles_usmca_qualifying",
    "us_tariff_cost_cad",
    "ca_counter_tariff_cad",
    "remission_value_cad",
    *FIRM_INPUTS,
)


@dataclass(frozen=True)
class Metric:
    """A metric's values per draw. ``kind``: ``impact`` (the scenario minus its counterfactual,
    draw by draw) or ``level`` (the scenario's own value, e.g. a share of its output)."""

    unit: str
    values: Array  # one per draw
    description: str
    kind: Literal["impact", "level"] = "impact"


@dataclass
class Sums:
    """Sums over years and present values of one block's two worlds, each taken once.

    Several metrics read the same sums (public cost and tax revenue in the gross, net and
    balance metrics; a mineral's tonnes in its coverage and its total), and the compiled
    kernels are looked up once per block instead of once per array (``engine.jit``). Every
    value is the one the metric's own formula gives: the same arrays, the same operations.
    """

    s: Mapping[str, Array]
    c: Mapping[str, Array]
    disc: Array  # (draw, year) discount factors
    rows: Callable[[Array], Array] = field(init=False)
    #: the metrics' own kernels (``kernels_metrics``) for this block, or None (numpy)
    fused: ModuleType | None = field(init=False)
    _years: dict[tuple[int, str], Array] = field(default_factory=dict, init=False)
    _npvs: dict[str, Array] = field(default_factory=dict, init=False)
    _layers: dict[str, Array] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        draws, years = self.disc.shape
        k = jit.compiled_for(draws)
        self.rows = _numpy_row_sums if k is None else k.sums_over_years
        # their sums over years repeat numpy's pairwise order for rows of up to 128 years
        self.fused = None if k is None or years > 128 else jit.compiled_for(draws, FUSED)

    def layers(self) -> dict[str, Array] | None:
        """The jobs and labour income layers of both worlds through the kernel
        (``kernels_metrics.layers``), once per block; None on numpy's path. Their labour
        income summed over years is each layer's ``of`` as well (the same pairwise sums)."""
        if self.fused is None or self._layers == {}:  # {}: the kernel declined the block
            return None
        if self._layers is None:
            self._layers = self.fused.layers(self.s, self.c, self.disc) or {}
            if not self._layers:  # e.g. einsum adds otherwise here (kernels_metrics)
                return None
            for world, key in enumerate(("gross_s", "gross_c")):
                for i, layer in enumerate(LAYERS):
                    self._years.setdefault(
                        (world, f"labour_income_{layer}"), self._layers[f"{key}_{i}"]
                    )
        return self._layers

    def of(self, world: int, name: str) -> Array:
        """``name`` of the scenario (0) or the counterfactual (1), summed over years."""
        key = (world, name)
        if key not in self._years:
            self._years[key] = self.rows((self.s, self.c)[world][name])
        return self._years[key]

    def total(self, *names: str) -> Array:
        """Impact over the horizon: scenario minus counterfactual, name after name."""
        return sum((self.of(0, n) - self.of(1, n) for n in names), np.zeros(self.disc.shape[0]))

    def npv(self, name: str) -> Array:
        """Impact in present value: each world's NPV, then their difference."""
        if name not in self._npvs:
            self._npvs[name] = _npv(self.s[name], self.c[name], self.disc)
        return self._npvs[name]


def _numpy_row_sums(a: Array) -> Array:
    return np.asarray(a.sum(axis=1))


def _npv(s: Array, c: Array, disc: Array) -> Array:
    return np.asarray(np.einsum("dt,dt->d", s, disc) - np.einsum("dt,dt->d", c, disc))


def draw_metrics(
    s: Mapping[str, Array],
    c: Mapping[str, Array],
    years: Array,
    price_year: int,
    firms: tuple[str, ...] = (),
) -> dict[str, Metric]:
    """Every metric for every draw of a scenario ``s`` against its counterfactual ``c``
    (arrays over draw x year, as ``engine.simulate`` returns them); ``firms`` names the
    scenario's firms in the order of its per-firm arrays."""
    years = np.asarray(years, dtype=float)
    conv = s["fiscal_conventions"]  # (draw, 3): discounted balance, nominal, inflation rate
    nominal = bool(conv[0, 1]) if len(conv) else False
    # present values in the price year; a nominal run discounts at the nominal rate, so its
    # NPVs are in dollars of the price year too, while its undiscounted sums are nominal
    cad = f"CAD_{price_year}"
    flow_unit = "CAD_nominal" if nominal else cad
    rate = (1.0 + s["discount_rate"]) * (1.0 + conv[:, 2] * conv[:, 1]) - 1.0
    disc = (1.0 + rate[:, None]) ** -(years - price_year)
    balance = np.where(conv[:, :1] > 0, disc, 1.0)

    # sums and NPVs are linear: take them per world and subtract, with no (draw, year)
    # temporaries; only peaks and break-evens need the yearly difference itself
    sums = Sums(s, c, disc)
    total, npv = sums.total, sums.npv

    def yearly(*names: str) -> Array:
        out = np.array(s[names[0]] - c[names[0]])
        for n in names[1:]:
            out += s[n]
            out -= c[n]
        return out

    layers = sums.layers()
    if layers is None:
        direct_peak = yearly("direct_jobs").max(axis=1)
        total_peak = yearly(*(f"{k}_jobs" for k in LAYERS)).max(axis=1)
    else:  # in the kernel's one pass over the layers, the same values
        direct_peak, total_peak = layers["direct_jobs_peak"], layers["total_jobs_peak"]
    cost_npv = npv("public_cost")
    out: dict[str, Metric] = {
        "direct_jobs_peak": Metric("jobs", direct_peak, "highest yearly direct jobs"),
        "total_jobs_peak": Metric(
            "jobs",
            total_peak,
            "highest yearly direct + indirect + induced jobs",
        ),
        "gdp_cumulative": Metric(
            flow_unit, total(*(f"gdp_{k}" for k in LAYERS)), "GDP over the horizon"
        ),
        "labour_income_cumulative": Metric(
            flow_unit,
            total(*(f"labour_income_{k}" for k in LAYERS)),
            "labour income over the horizon",
        ),
        "public_cost_npv": Metric(
            cad,
            cost_npv,
            "incentives paid less clawbacks, and statutory refundable credits, discounted",
        ),
        "public_cost_cumulative": Metric(
            flow_unit,
            total("public_cost"),
            "incentives paid less clawbacks, and statutory refundable credits, undiscounted",
        ),
        "clawback_cumulative": Metric(flow_unit, total("clawback_repaid"), "clawbacks repaid"),
    }
    for scope in SCOPES:
        suffix = "" if scope == "total" else f"_{scope}"
        tax_npv = npv(f"tax_{scope}")
        out[f"tax_revenue_npv{suffix}"] = Metric(
            cad, tax_npv, f"tax revenue collected, both governments ({scope} scope)"
        )
        out[f"fiscal_net_npv{suffix}"] = Metric(
            cad, tax_npv - cost_npv, f"tax less public cost ({scope} scope)"
        )
    breakevens = balance_breakevens(
        [(s[f"tax_{scope}"], c[f"tax_{scope}"]) for scope in SCOPES],
        (s["public_cost"], c["public_cost"]),
        balance,
        years,
        sums.fused,
    )
    for i, scope in enumerate(SCOPES):
        year = breakevens[i]
        out[f"fiscal_breakeven_year_{scope}"] = Metric(
            "year",
            year,
            f"first year the balance (discounted or cumulative, fiscal.balance) stays >= 0 "
            f"({scope} scope)",
        )
        out[f"fiscal_breakeven_year_{scope}_reached_share"] = Metric(
            "share", (~np.isnan(year)).astype(float), "draws that break even in the horizon"
        )
    for name, (unit, values, text) in crown_metrics(
        s, c, disc, balance, years, cad, sums.fused
    ).items():
        out[name] = Metric(unit, values, text)
    out["fiscal_balance_cumulative"] = Metric(
        flow_unit,
        total("tax_total") - total("public_cost"),
        "revenue collected less public cost, both governments, undiscounted (total scope)",
    )
    out["battery_output_gwh_cumulative"] = Metric(
        "GWh", total("battery_output_gwh"), "cell output over the horizon"
    )
    out["learning_margin_cumulative"] = Metric(
        flow_unit,
        total("learning_margin"),
        "margin the home cell plants gain as their costs fall with experience (0 unless "
        "economy.learning is set)",
    )
    out["vehicles_assembled_cumulative"] = Metric(
        "vehicles", total("vehicles_assembled"), "vehicles assembled over the horizon"
    )
    made = sums.of(0, "battery_output_gwh")
    local = sums.of(0, "battery_local_gwh")
    with np.errstate(divide="ignore", invalid="ignore"):
        absorbed = np.where(made > 0, local / made, np.nan)
    out["local_absorption_share"] = Metric(
        "share",
        absorbed,
        "scenario level: share of cell output installed in vehicles assembled in the country",
        kind="level",
    )
    met = s["linkage_met"]
    fused = None if sums.fused is None else sums.fused.linkage(met, years)
    if fused is None:
        measured = (~np.isnan(met)).sum(axis=(1, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            held = np.where(measured > 0, np.nansum(met, axis=(1, 2)) / measured, np.nan)
    else:  # the share and the risk metrics in one pass, the same values
        held = fused[0]
    out["linkage_met_share"] = Metric(
        "share", held, "scenario level: share of measured years the linkage holds", kind="level"
    )
    out.update(linkage_risk(met, years, None if fused is None else fused[1:]))
    out["domestic_chain_share"] = Metric(
        "share",
        np.array(s["domestic_chain_share"], dtype=float),
        "scenario level: domestic share of the deals' battery chains, stages weighted equally",
        kind="level",
    )
    out["chain_hhi_max"] = Metric(
        "HHI",
        np.array(s["chain_hhi_max"], dtype=float),
        "scenario level: Herfindahl-Hirschman index (0-10,000) of the most concentrated stage",
        kind="level",
    )
    out.update(net_metrics(s, c, disc, cad, sums, out["total_jobs_peak"].values))
    for name, (unit, values, text) in firm_metrics(
        s, out["net_public_benefit_npv"].values, disc, cad, firms
    ).items():
        impact = name == "zopa_net_public_benefit_npv_at_min"
        out[name] = Metric(unit, values, text, kind="impact" if impact else "level")
    out.update(environment(s, c, sums))
    out.update(trade(s, c, flow_unit, sums))
    draws = s["discount_rate"].size
    for port_year in PORT_YEARS:  # scenario level: the home market with the deal
        hit = np.flatnonzero(years == port_year)
        ratio = s["evs_per_public_port"][:, hit[0]] if hit.size else np.full(draws, np.nan)
        out[f"evs_per_public_port_{port_year}"] = Metric(
            "evs_per_port",
            ratio,
            f"scenario level: home EV stock per public charging port at the end of {port_year}",
            kind="level",
        )
    return out


def net_metrics(
    s: Mapping[str, Array],
    c: Mapping[str, Array],
    disc: Array,
    cad: str,
    sums: Sums | None = None,
    gross_jobs: Array | None = None,
) -> dict[str, Metric]:
    """Gross and net benefit metrics side by side (docs/model.md, "Net impact").

    Net metrics apply the same formulas as gross ones to both worlds' arrays scaled by the
    scenario's net factors (but-for probability, slack shares, in-migration), so that with
    every factor at 1 (0 for in-migration) and every MCPF at 1 they equal the gross ones bit
    for bit. Residents' benefit counts labour income after labour tax (the tax is in the
    fiscal term, counted once); profits of the firms are not residents' income.
    ``sums`` (the block's gross sums, shared with ``draw_metrics``) and ``gross_jobs``
    (``total_jobs_peak``) spare computing them twice.
    """
    sums = Sums(s, c, disc) if sums is None else sums
    layer = _net_layer(s, c, disc, sums)
    cost = sums.npv("public_cost")
    burden = sums.npv("excess_burden")
    out: dict[str, Metric] = {}
    for prefix, extra in (("", 0.0), ("net_", burden)):
        if prefix:
            jobs, tax, gains = layer.jobs_peak, layer.tax, layer.gains
        else:  # the gross worlds' tax and jobs are the block's own
            jobs = _peak((s, c)) if gross_jobs is None else gross_jobs
            tax, gains = sums.npv("tax_total"), layer.gross_gains
        paid = cost  # charged in full in both branches of the mixture (model.md §6b)
        benefit = gains + tax - paid - extra
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(paid + extra > 0, (gains + tax) / (paid + extra), np.nan)
            # a deal that saves public money has no cost per job (NaN, like the ratio)
            per_job = np.where((jobs > 0) & (paid > 0), paid / jobs, np.nan)
        if prefix:
            out["net_jobs_peak"] = Metric(
                "jobs", jobs, "highest yearly jobs the deal adds: but-for x slack share x gross"
            )
            out["net_labour_income_cumulative"] = Metric(
                cad,
                layer.labour_income,
                "labour income the deal adds: but-for x slack share x gross",
            )
            out["net_tax_revenue_npv"] = Metric(
                cad,
                tax,
                "tax revenue the deal adds, discounted: but-for x (gross less the "
                "labour tax of workers who move from other jobs)",
            )
        out[f"{prefix}public_benefit_npv"] = Metric(
            cad,
            benefit,
            "residents' after-tax labour income gains + tax revenue - public cost"
            + (" - excess burden, all net of deadweight and displacement" if prefix else ""),
        )
        out["benefit_cost_ratio" if prefix else "benefit_cost_ratio_gross"] = Metric(
            "ratio",
            ratio,
            "(residents' income gains + tax revenue) / (public cost"
            + (" + excess burden), net" if prefix else "), gross"),
        )
        out["public_cost_per_net_job" if prefix else "public_cost_per_job"] = Metric(
            cad,
            per_job,
            "public cost (present value) per job at peak" + (", net" if prefix else ""),
        )
    # of the deal's own payments (scenario level), the share paid for plants built anyway
    paid_s = np.einsum("dt,dt->d", s["incentive_paid"] - s["clawback_repaid"], disc)
    with np.errstate(divide="ignore", invalid="ignore"):
        dead = np.where(
            paid_s > 0, np.einsum("dt,dt->d", s["public_cost_deadweight"], disc) / paid_s, np.nan
        )
    out["deadweight_share"] = Metric(
        "share",
        dead,
        "scenario level: share of the deal's payments (present value) that go to plants "
        "built anyway (1 - but-for, payment-weighted)",
        kind="level",
    )
    out["excess_burden_npv"] = Metric(
        cad, burden, "deadweight cost of raising the public cost: (MCPF - 1) x cost, discounted"
    )
    return out


@dataclass(frozen=True)
class NetLayer:
    """Per draw, what the gross and net benefit metrics read of the net layer
    (``additionality.net_world``, ``after_tax_income``), each an impact."""

    gross_gains: Array  # residents' after-tax labour income, gross, present value
    gains: Array  # the same, net (but-for, slack, in-migration)
    tax: Array  # net tax revenue, present value
    jobs_peak: Array  # highest yearly net jobs
    labour_income: Array  # net labour income over the horizon


def _net_layer(s: Mapping[str, Array], c: Mapping[str, Array], disc: Array, sums: Sums) -> NetLayer:
    """``NetLayer`` of a block. numpy builds both net worlds (``net_world``) and takes their
    present values with ``einsum``; the kernel (``sums.layers``) computes the same elements in
    one pass and sums them in einsum's order, so both give the same values."""

    def npv(a: Array, b: Array) -> Array:
        return np.asarray(np.einsum("dt,dt->d", a, disc) - np.einsum("dt,dt->d", b, disc))

    k = sums.layers()
    if k is not None:
        li = np.zeros(disc.shape[0])
        for i in range(len(LAYERS)):  # as Sums.total adds them: layer after layer
            li = li + (k[f"net_s_{i}"] - k[f"net_c_{i}"])
        return NetLayer(
            gross_gains=k["gross_gains"],
            gains=k["gains"],
            tax=k["tax"],
            jobs_peak=k["net_jobs_peak"],
            labour_income=li,
        )
    layers = [s[f"slack_{k}"] for k in LAYERS]
    b = s["but_for"]
    rate = s["labour_revenue_rate"]  # the scenario's, in both worlds (the same rules)
    net_s = net_world(s, b, layers, s["in_migration"])
    net_c = net_world({**c, "labour_revenue_rate": rate}, b, layers, s["in_migration"])
    net = Sums(net_s, net_c, disc)
    return NetLayer(
        gross_gains=npv(after_tax_income(s, rate), after_tax_income(c, rate)),
        gains=npv(net_s["resident_income"], net_c["resident_income"]),
        tax=net.npv("tax_total"),
        jobs_peak=_peak((net_s, net_c)),
        labour_income=net.total(*(f"labour_income_{k}" for k in LAYERS)),
    )


def _peak(w: tuple[Mapping[str, Array], Mapping[str, Array]]) -> Array:
    """Highest yearly jobs impact, the three layers added."""
    out = np.array(w[0]["direct_jobs"] - w[1]["direct_jobs"])
    for k in LAYERS[1:]:
        out += w[0][f"{k}_jobs"]
        out -= w[1][f"{k}_jobs"]
    return np.asarray(out.max(axis=1))


#: the steps from gross GDP to the net public benefit, in order: (key, words, source)
WATERFALL = (
    ("gdp", "Gross GDP", "model.md §5: multipliers"),
    ("non_labour", "Less GDP that is not labour income (profits, depreciation)", "model.md §5"),
    (
        "labour_tax",
        "Less labour and sales taxes (counted in the fiscal line)",
        "Crown ledger rules",
    ),
    ("built_anyway", "Less income from plants built anyway (1 - but-for)", "Bartik 2018"),
    ("displaced", "Less income of workers who leave other jobs", "additionality.csv slack"),
    ("migrants", "Less income of in-migrants", "additionality.csv in_migration"),
    ("tax", "Plus net tax revenue", "model.md §6b"),
    ("cost", "Less public cost (outlays and refundable credits)", "Crown ledger"),
    ("burden", "Less excess burden of raising it", "Dahlby 2008; additionality.csv mcpf"),
)


def waterfall(s: Mapping[str, Array], c: Mapping[str, Array], years: Array) -> dict[str, Array]:
    """Per-draw present values of the ``WATERFALL`` steps; they add up to
    ``net_public_benefit_npv`` draw by draw (each step removes one factor of §6b in turn)."""
    years = np.asarray(years, dtype=float)
    disc = (1.0 + s["discount_rate"][:, None]) ** -(years - years[0])
    n = disc.shape[0]
    one, zero = np.ones(n), np.zeros(n)
    rate = s["labour_revenue_rate"]
    layers = [s[f"slack_{k}"] for k in LAYERS]

    def pv(name: str, ws: Mapping[str, Array], wc: Mapping[str, Array]) -> Array:
        return np.asarray(
            np.einsum("dt,dt->d", ws[name], disc) - np.einsum("dt,dt->d", wc[name], disc)
        )

    def gains(b: Array, sigma: list[Array], migration: Array) -> Array:
        ws = net_world(s, b, sigma, migration)
        wc = net_world({**c, "labour_revenue_rate": rate}, b, sigma, migration)
        return pv("resident_income", ws, wc)

    gdp = sum((pv(f"gdp_{k}", s, c) for k in LAYERS), zero)
    li = sum((pv(f"labour_income_{k}", s, c) for k in LAYERS), zero)
    full = np.ones_like(s["but_for"])
    a0 = gains(full, [one, one, one], zero)
    a1 = gains(s["but_for"], [one, one, one], zero)
    a2 = gains(s["but_for"], layers, zero)
    a3 = gains(s["but_for"], layers, s["in_migration"])
    net_s = net_world(s, s["but_for"], layers, s["in_migration"])
    net_c = net_world({**c, "labour_revenue_rate": rate}, s["but_for"], layers, s["in_migration"])
    return {
        "gdp": gdp,
        "non_labour": li - gdp,
        "labour_tax": a0 - li,
        "built_anyway": a1 - a0,
        "displaced": a2 - a1,
        "migrants": a3 - a2,
        "tax": pv("tax_total", net_s, net_c),
        "cost": -pv("public_cost", s, c),
        "burden": -pv("excess_burden", s, c),
    }


def environment(
    s: Mapping[str, Array], c: Mapping[str, Array], sums: Sums | None = None
) -> dict[str, Metric]:
    """Emissions made and avoided (impacts), and how far home mine production covers the
    minerals the scenario's home cell plants need (scenario level: production / need over the
    horizon, NaN without need or without a chemistry)."""
    sums = Sums(s, c, np.empty((len(s["discount_rate"]), 0))) if sums is None else sums
    of = sums.of
    out = {
        "co2e_manufacturing_cumulative": Metric(
            "tCO2e",
            of(0, "co2e_manufacturing_t") - of(1, "co2e_manufacturing_t"),
            "cell manufacturing emissions over the horizon (plant energy and materials)",
        ),
        "co2e_avoided_by_vehicles_built": Metric(
            "tCO2e",
            of(0, "co2e_avoided_t") - of(1, "co2e_avoided_t"),
            "lifecycle emissions the vehicles assembled avoid against gasoline cars; not "
            "caused by the deal unless it changes how many EVs are driven",
        ),
        "co2e_avoided_cumulative": Metric(
            "tCO2e",
            of(0, "co2e_avoided_attributable_t") - of(1, "co2e_avoided_attributable_t"),
            "lifecycle emissions avoided by the EV adoption the deal adds (0 unless the "
            "scenario sets additionality.ev_adoption_added)",
        ),
    }
    production = s["mineral_production_cumulative_t"]
    for i, m in enumerate(MINERALS):
        need = of(0, f"mineral_{m}_t")
        with np.errstate(divide="ignore", invalid="ignore"):
            cover = np.where(need > 0, production[:, i] / need, np.nan)
        out[f"mineral_coverage_{m}"] = Metric(
            "ratio",
            cover,
            f"scenario level: home {m} production over the {m} the home cell plants need",
            kind="level",
        )
        out[f"mineral_{m}_cumulative"] = Metric(
            "t",
            need - of(1, f"mineral_{m}_t"),
            f"tonnes of {m} in the cell output over the horizon",
        )
    return out


def trade(
    s: Mapping[str, Array], c: Mapping[str, Array], cad: str, sums: Sums | None = None
) -> dict[str, Metric]:
    """Rules of origin (scenario level) and tariff flows (impacts).

    ``rvc_margin``: for each home assembly plant, its RVC above the threshold (percentage
    points) averaged over the years weighted by its production; the scenario's value is the
    lowest plant's (the binding one). NaN without home assembly output or trade rules.
    """
    margin = s["assembly_rvc_margin_pp"]  # (draw, assembly, year), NaN off home plants
    made = np.where(np.isnan(margin), 0.0, s["assembly_vehicles"])
    weight = made.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_plant = np.where(weight > 0, np.nansum(margin * made, axis=2) / weight, np.nan)
    lowest = np.full(per_plant.shape[0], np.nan)
    if per_plant.shape[1]:
        some = ~np.all(np.isnan(per_plant), axis=1)
        lowest[some] = np.nanmin(per_plant[some], axis=1)
    sums = Sums(s, c, np.empty((margin.shape[0], 0))) if sums is None else sums
    vehicles = sums.of(0, "vehicles_usmca_qualifying")
    assembled = made.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(assembled > 0, vehicles / assembled, np.nan)

    def total(name: str) -> Array:
        return np.asarray(sums.of(0, name) - sums.of(1, name))

    return {
        "rvc_margin": Metric(
            "pp",
            lowest,
            "scenario level: lowest home assembly plant's production-weighted regional value "
            "content above the USMCA threshold",
            kind="level",
        ),
        "usmca_qualifying_share": Metric(
            "share",
            share,
            "scenario level: share of home-assembled vehicles that qualify under USMCA",
            kind="level",
        ),
        "us_tariff_cost_cumulative": Metric(
            cad, total("us_tariff_cost_cad"), "US duties on home exports of vehicles and cells"
        ),
        "ca_counter_tariff_cumulative": Metric(
            cad,
            total("ca_counter_tariff_cad"),
            "home surtax on the groups' US-built imports, before remission",
        ),
        "remission_value_cumulative": Metric(
            cad,
            total("remission_value_cad"),
            "surtax the groups avoid on US imports through room earned by building at home",
        ),
    }


def linkage_risk(met: Array, years: Array, fused: Array | None = None) -> dict[str, Metric]:
    """Whether the linkage holds over the whole deal, and the year it first fails.

    ``met`` is (draw, deal, year): 1 met, 0 failed, NaN not measured. A year fails when any
    deal's condition fails in it. Draws with nothing measured have no value (NaN). ``fused``:
    the three metrics' values as ``kernels_metrics.linkage`` computed them (the same values).
    """
    if fused is None:
        failed = np.any(met == 0, axis=1)  # (draw, year)
        measured = np.any(~np.isnan(met), axis=(1, 2))
        ever = failed.any(axis=1)
        first = np.where(ever, np.asarray(years, dtype=float)[np.argmax(failed, axis=1)], np.nan)
        fused = np.stack(
            [
                np.where(measured, (~ever).astype(float), np.nan),
                np.where(measured, first, np.nan),
                np.where(measured, ever.astype(float), np.nan),
            ]
        )
    return {
        "linkage_holds_over_deal": Metric(
            "share",
            fused[0],
            "scenario level: 1 if the linkage holds in every measured year; its mean is the "
            "probability the deal never fails its condition",
            kind="level",
        ),
        "linkage_first_failure_year": Metric(
            "year",
            fused[1],
            "scenario level: first year the linkage fails (no value if it never fails)",
            kind="level",
        ),
        "linkage_first_failure_year_reached_share": Metric(
            "share",
            fused[2],
            "scenario level: draws in which the linkage fails at least once",
            kind="level",
        ),
    }


def expected_shortfall(values: Array, level: float = 0.05) -> float:
    """Mean of the worst ``level`` share of draws (the lowest values; CVaR): what the public
    balance looks like in the bad tail, not just at its 5th percentile."""
    v = np.sort(np.asarray(values, dtype=float))
    k = max(1, int(np.ceil(level * v.size)))
    return float(v[:k].mean())


def holds_by_year(met: Array) -> tuple[Array, Array]:
    """(draws in which the linkage holds, draws in which it is measured) per year; their ratio
    is the probability the linkage holds that year. Sums, so blocks can be added up."""
    measured = np.any(~np.isnan(met), axis=1)
    held = measured & ~np.any(met == 0, axis=1)
    return held.sum(axis=0), measured.sum(axis=0)
