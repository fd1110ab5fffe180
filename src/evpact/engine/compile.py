"""Compile a validated scenario into flat specs and a table of uncertain inputs.

The engine never sees YAML or bundled tables: every number it uses is an entry of
``Model.inputs``, keyed by the path where the user sets it (``plants.<id>.capacity_gwh``,
``deals.<id>.supply.<i>.share``), or would set it to override the bundled default
(``economy.multipliers.battery_cells.jobs_type2``). A few keys name derived figures under their
plant (``plants.<id>.direct_jobs_per_unit``). That one table is what the sampler draws, what
sensitivity analysis ranks and what ``explain`` traces.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..data import ReferenceData, range_dist, reference
from ..errors import EvpactError
from ..scenario.distributions import Dist, FloatArray, fixed, triangular_ppf
from ..scenario.model import Correlation, Deal, PathRef, Plant, Scenario
from ..scenario.rules import RulePack, load_rule_pack, resolve, yearly
from .additionality import AdditionalitySpec, compile_additionality
from .firms import FirmsSpec, compile_firms
from .resilience import Chain, StageRow, lost_weeks, stage_rows, yearly_availability

if TYPE_CHECKING:
    from .ledger import LedgerSpec

INDUSTRY = {
    "assembly": "vehicle_assembly",
    "cell": "battery_cells",
    "module": "battery_cells",
    "pack": "battery_cells",
    "cam": "cathode_materials",
    "pcam": "cathode_materials",
    "anode": "cathode_materials",
}
DEFAULT_ARCHETYPE = {
    "assembly": "assembly-north-america",
    "cam": "cam-north-america",
    "pcam": "cam-north-america",
    "anode": "cam-north-america",
}
MINERALS = ("lithium", "nickel", "cobalt", "manganese", "graphite")
#: emission factors of emissions.csv the engine reads (scenario section ``emissions``)
EMISSION_FACTORS = (
    "cell_manufacturing_energy_kwh_per_kwh",
    "electricity_share_of_cell_manufacturing_energy",
    "process_heat_kg_co2e_per_kwh",
    "upstream_materials_kg_co2e_per_kwh",
    "gasoline_car_lifecycle_g_per_km",
    "bev_lifecycle_g_per_km",
    "vehicle_lifetime_km",
)
MULTIPLIER_MEASURES = (
    "jobs_type1",
    "jobs_type2",
    "gdp_per_output_direct",
    "gdp_per_output_simple",
    "gdp_per_output_total",
    "labour_income_per_output_direct",
    "labour_income_per_output_simple",
    "labour_income_per_output_total",
)
#: annual earnings per direct job: direct labour income is direct jobs x earnings, so labour
#: income per job always matches this input (the per-output labour-income ratios then give
#: only the indirect and induced layers, as Type I/II ratios)
EARNINGS = "average_annual_earnings_cad"


@dataclass(frozen=True)
class YearPath:
    """A yearly path with a sourced range each year; one quantile per draw picks the path."""

    low: FloatArray
    mode: FloatArray
    high: FloatArray

    @property
    def is_fixed(self) -> bool:
        return bool(np.all(self.low == self.high))

    @property
    def central(self) -> FloatArray:
        return self.mode

    def ppf(self, u: FloatArray) -> FloatArray:
        return triangular_ppf(u[:, None], self.low, self.mode, self.high)


Input = Dist | YearPath


@dataclass(frozen=True)
class RegionSpec:
    code: str
    lv_sales: str
    ev_share: str
    ev_share_plan: str | None
    group_share: dict[str, str]
    export_tariff: str
    tariff_exposed_share: str
    pass_through: str
    price_elasticity: str


@dataclass(frozen=True)
class PlantSpec:
    id: str
    kind: str
    industry: str
    domestic: bool
    start: str
    ramp_years: str
    capacity: str  # GWh for battery plants, vehicles for assembly
    jobs_per_unit: str  # direct jobs per GWh or per vehicle of capacity
    price: str  # price input: USD/kWh of cells (battery plants) or CAD per vehicle
    price_factor: float  # per unit of output: 1e6 x kind factor (GWh), 1 (vehicle)
    price_is_usd: bool
    yield_share: str | None = None
    module_share: str | None = None
    pack_kwh: str | None = None
    group: str | None = None
    markets: dict[str, str] = field(default_factory=dict)
    offtake: tuple[tuple[str, str, bool], ...] = ()  # (region, share input, follows EVs)
    minerals_kg_per_kwh: tuple[tuple[str, FloatArray], ...] | None = None  # per year
    grid: str | None = None  # grid intensity input (gCO2e/kWh) of the plant's region
    country: str = ""  # ISO code of where the plant sits


@dataclass(frozen=True)
class RouteSpec:
    supplier: str
    customer: str
    share: str


@dataclass(frozen=True)
class LinkageSpec:
    kind: str
    plant: str
    threshold: str
    from_year: int
    window: int
    proportional: bool


@dataclass(frozen=True)
class IncentiveSpec:
    kind: str
    plant: str
    payer: dict[str, float]
    conditional: bool
    clawback: str
    clawback_years: int
    amount: str | None = None  # CAD (grant, per vehicle) or rate (ITC)
    base: str | None = None
    year: int | None = None
    rate_scale: str | None = None
    cap: str | None = None
    base_units: str | None = None  # capacity the per-unit ITC base multiplies
    schedule: dict[str, FloatArray] = field(default_factory=dict)  # component -> USD/kWh
    tax_exempt: bool = False  # payments exempt from corporate income tax


@dataclass(frozen=True)
class DealSpec:
    id: str
    linkage: LinkageSpec | None
    incentives: tuple[IncentiveSpec, ...]


NORTH_AMERICA = ("CA", "US", "MX")
#: production-credit schedules that track US 45X: when the selected rule packs cut 45X below
#: its statutory schedule, these are cut in proportion ("should the incentives offered under
#: the U.S. IRA be reduced or cancelled, so would the performance incentives": Industrial Info
#: Resources, 2023, on the NextStar and PowerCo agreements)
TRACKS_45X = ("us-45x", "ca-match-45x")
#: rule-pack rates an investment tax credit can name as its schedule
ITC_SCHEDULES = ("ca_ctm_itc_rate", "ca_evsc_itc_rate")
#: content settings of an assembly plant's vehicles (``trade.plants.<id>``)
PLANT_TRADE = (
    "other_cells_originating",
    "pack_other_originating",
    "other_core_share_of_net_cost",
    "other_core_originating",
    "other_originating",
    "high_wage_share",
    "technology_credit",
    "steel_aluminium_originating",
    "us_content_share",
    "us_alternative_cost_share",
)
GROUP_TRADE = ("us_import_share", "us_cusma_share", "us_vehicle_camx_content")


@dataclass(frozen=True)
class CellRoute:
    """Cells an assembly plant gets from a linked plant: the route's share of its need and
    whether the supplier is in North America; ``cam`` are that supplier's own CAM routes."""

    share: str
    originating: bool
    cam: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class TradePlantSpec:
    plant: str
    inputs: dict[str, str]  # content setting -> input key
    cells: tuple[CellRoute, ...]
    trace_cathode: bool


@dataclass(frozen=True)
class TradeSpec:
    """The trade regime: each rule parameter as a yearly input, content per assembly plant,
    and the home-market groups whose US imports meet the counter-tariff."""

    packs: tuple[str, ...]
    rules: dict[str, str]  # parameter -> input key (a fixed yearly path)
    plants: tuple[TradePlantSpec, ...]
    groups: tuple[tuple[str, dict[str, str]], ...]
    pack_premium: str
    cam_share: str


@dataclass(frozen=True)
class Model:
    """Everything the engine needs: labels, structure and the uncertain-input table."""

    name: str
    years: np.ndarray[Any, np.dtype[np.int64]]
    home: str
    inputs: dict[str, Input]
    regions: tuple[RegionSpec, ...]
    plants: tuple[PlantSpec, ...]  # assembly first, then battery plants, customers before suppliers
    routes: tuple[RouteSpec, ...]
    deals: tuple[DealSpec, ...]
    payers: tuple[str, ...]
    charging_feedback: bool = False
    learning: bool = False  # cell costs fall with cumulative home cell output
    mineral_projects: tuple[tuple[str, str], ...] = ()  # (project id, mineral)
    ports_year: int = 2026  # the year the bundled port count refers to
    correlations: tuple[Correlation, ...] = ()  # rank correlations among uncertain inputs
    trade: TradeSpec | None = None  # None: no trade section, only the market's export friction
    chains: dict[str, Chain] = field(default_factory=dict)  # deal -> stage -> country -> share
    sourced: dict[str, tuple[str, ...]] = field(default_factory=dict)  # stages a deal buys
    partners: dict[str, str] = field(default_factory=dict)  # country -> usmca | fta
    availability: dict[str, FloatArray] = field(default_factory=dict)  # plant -> year share
    additionality: AdditionalitySpec | None = None  # the net layer's inputs (engine.additionality)
    ledger: LedgerSpec | None = None  # the Crown ledger's inputs (engine.ledger)
    company_plan: bool = False  # output at announced capacity and ramp, not demand-limited
    price_year: int = 2026  # dollars of this year (real basis) and the NPVs' base year
    ledger_lines: bool = True  # build the Crown ledger line by line (big runs: totals only)
    firms: FirmsSpec | None = None  # the firms' side (engine.firms), when the scenario has firms

    def chain_rows(self) -> list[StageRow]:
        """Where each deal's chain sits, stage by stage (see ``engine.resilience``)."""
        return stage_rows(self.chains, self.home, self.partners, self.sourced)


class _Builder:
    def __init__(self, scenario: Scenario, data: ReferenceData) -> None:
        self.s = scenario
        self.data = data
        self.years = np.arange(scenario.horizon[0], scenario.horizon[1] + 1)
        self.inputs: dict[str, Input] = {}

    def put(self, path: str, value: Input) -> str:
        self.inputs[path] = value
        return path

    def value(self, path: str, given: Dist | None, default: Dist) -> str:
        return self.put(path, given if given is not None else default)

    def yearly(self, rows: pd.DataFrame) -> YearPath:
        yrs = rows["year"].to_numpy(dtype=float)
        cols = [
            np.interp(self.years, yrs, rows[c].to_numpy(dtype=float))
            for c in ("low", "mode", "high")
        ]
        return YearPath(*cols)

    def path(self, where: str, ref: PathRef, region: str, clip: float | None = None) -> str:
        if ref.table is not None:
            yrs = np.array(sorted(ref.table), dtype=float)
            vals = np.array([ref.table[int(y)] for y in yrs])
            v = np.interp(self.years, yrs, vals)
            yp = YearPath(v, v, v)
        else:
            assert ref.path is not None
            rows = self.data.rows("market_paths", path=ref.path, region=region)
            if rows.empty:
                table = self.data.table("market_paths")
                names = sorted(set(table.loc[table["region"] == region, "path"]))
                raise EvpactError(
                    f"no bundled path '{ref.path}' for region {region}; available: {names}",
                    where,
                )
            yp = self.yearly(rows.sort_values("year"))
        scale = ref.scale.central if ref.scale.is_fixed else None
        if scale is not None and scale != 1.0:
            yp = YearPath(yp.low * scale, yp.mode * scale, yp.high * scale)
        elif scale is None:
            self.put(f"{where}.scale", ref.scale)
        if clip is not None:
            yp = YearPath(*(np.clip(a, 0.0, clip) for a in (yp.low, yp.mode, yp.high)))
        return self.put(where, yp)

    def archetype(self, plant: Plant, parameter: str) -> Dist:
        name = plant.archetype or DEFAULT_ARCHETYPE.get(plant.kind, "cell-north-america")
        table = self.data.table("plant_archetypes")
        if self.data.rows("plant_archetypes", archetype=name).empty:
            raise EvpactError(
                f"unknown archetype '{name}'; bundled: {sorted(set(table['archetype']))}",
                f"plants.{plant.id}.archetype",
            )
        rows = self.data.rows("plant_archetypes", archetype=name, parameter=parameter)
        if rows.empty:  # parameters an archetype lacks come from the cell plant archetype
            rows = self.data.rows(
                "plant_archetypes", archetype="cell-north-america", parameter=parameter
            )
        if rows.empty:
            raise EvpactError(
                f"archetype '{name}' has no '{parameter}', which this {plant.kind} plant needs",
                f"plants.{plant.id}.archetype",
            )
        r = rows.iloc[0]
        return range_dist(r["low"], r["mode"], r["high"])

    def price_path(self, item: str) -> YearPath:
        return self.yearly(self.data.yearly("prices", {"item": item}))

    # --- sections -------------------------------------------------------------------------

    def regions(self) -> tuple[RegionSpec, ...]:
        out = []
        for code, m in self.s.market.regions.items():
            w = f"market.regions.{code}"
            out.append(
                RegionSpec(
                    code=code,
                    lv_sales=self.path(f"{w}.lv_sales", m.lv_sales, code),
                    ev_share=self.path(f"{w}.ev_share", m.ev_share, code, clip=1.0),
                    ev_share_plan=(
                        self.path(f"{w}.ev_share_plan", m.ev_share_plan, code, clip=1.0)
                        if m.ev_share_plan
                        else None
                    ),
                    group_share={
                        g: self.put(f"{w}.group_share.{g}", d) for g, d in m.group_share.items()
                    },
                    export_tariff=self.put(f"{w}.export_tariff", m.export_tariff),
                    tariff_exposed_share=self.put(
                        f"{w}.tariff_exposed_share", m.tariff_exposed_share
                    ),
                    pass_through=self.put(f"{w}.pass_through", m.pass_through),
                    price_elasticity=self.put(f"{w}.price_elasticity", m.price_elasticity),
                )
            )
        return tuple(out)

    def plant(self, p: Plant) -> PlantSpec:
        w = f"plants.{p.id}"
        self.check_chemistry(p, w)
        common: dict[str, Any] = dict(
            id=p.id,
            kind=p.kind,
            industry=INDUSTRY[p.kind],
            domestic=p.country == self.s.home_country,
            country=p.country,
            start=self.put(f"{w}.start", p.start),
            ramp_years=self.value(f"{w}.ramp_years", p.ramp_years, self.archetype(p, "ramp_years")),
        )
        if p.kind == "assembly":
            assert p.capacity_vehicles is not None and p.pack_kwh is not None
            cap = self.put(f"{w}.capacity_vehicles", p.capacity_vehicles)
            if p.direct_jobs is not None:
                jobs = self.put(
                    f"{w}.direct_jobs_per_unit", _per_unit(p.direct_jobs, p.capacity_vehicles)
                )
            else:
                per_1000 = self.archetype(p, "direct_jobs_per_1000_vehicles")
                jobs = self.put(f"{w}.direct_jobs_per_unit", _scaled(per_1000, 1e-3))
            price = (
                self.put(f"{w}.vehicle_price_cad", p.vehicle_price_cad)
                if p.vehicle_price_cad is not None
                else "economy.ev_price_cad"
            )
            return PlantSpec(
                **common,
                capacity=cap,
                jobs_per_unit=jobs,
                price=price,
                price_factor=1.0,
                price_is_usd=False,
                pack_kwh=self.put(f"{w}.pack_kwh", p.pack_kwh),
                group=p.group,
                markets={r: self.put(f"{w}.markets.{r}", d) for r, d in p.markets.items()},
            )
        assert p.capacity_gwh is not None
        cap = self.put(f"{w}.capacity_gwh", p.capacity_gwh)
        if p.direct_jobs is not None:
            jobs = self.put(f"{w}.direct_jobs_per_unit", _per_unit(p.direct_jobs, p.capacity_gwh))
        else:
            jobs = self.put(f"{w}.direct_jobs_per_unit", self.archetype(p, "direct_jobs_per_gwh"))
        return PlantSpec(
            **common,
            capacity=cap,
            jobs_per_unit=jobs,
            price="economy.cell_price_usd_per_kwh",
            price_factor=1e6 * self._value_factor(p),
            price_is_usd=True,
            yield_share=self.value(f"{w}.yield", p.yield_share, self.archetype(p, "yield_mature")),
            module_share=self.put(f"{w}.module_share", p.module_share),
            minerals_kg_per_kwh=self.mineral_intensity(p),
            grid=self.value(f"{w}.grid_gco2e_per_kwh", p.grid_gco2e_per_kwh, self.grid(p)),
            offtake=tuple(
                (
                    o.region,
                    self.put(f"{w}.offtake.{i}.share", o.share),
                    o.follows_ev_market,
                )
                for i, o in enumerate(p.offtake)
            ),
        )

    def check_chemistry(self, p: Plant, where: str) -> None:
        known = sorted(set(self.data.table("chemistries")["chemistry"]))
        for mix in p.chemistry_by_year().values():
            for name in mix:
                if name not in known:
                    close = difflib.get_close_matches(name, known, n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise EvpactError(
                        f"unknown chemistry '{name}'{hint}; bundled: {', '.join(known)}",
                        f"{where}.chemistry",
                    )

    def mineral_intensity(self, p: Plant) -> tuple[tuple[str, FloatArray], ...] | None:
        """kg of each mineral per kWh of the plant's output, per year, from its chemistry mix
        (a mix given by year is interpolated linearly and held flat outside its years)."""
        mixes = p.chemistry_by_year()
        if not mixes:
            return None
        kg = self.data.derived("kg_per_kwh", _kg_per_kwh)
        at_year: dict[int | None, FloatArray] = {
            year: np.sum([share * kg[c] for c, share in mix.items()], 0)
            for year, mix in mixes.items()
        }
        if None in at_year:
            path = np.broadcast_to(at_year[None], (self.years.size, len(MINERALS)))
        else:
            known = sorted(y for y in at_year if y is not None)
            path = np.stack(
                [
                    np.interp(self.years, known, [at_year[y][i] for y in known])
                    for i in range(len(MINERALS))
                ],
                axis=1,
            )
        return tuple((m, np.ascontiguousarray(path[:, i])) for i, m in enumerate(MINERALS))

    def grid(self, p: Plant) -> Dist:
        """Grid intensity where the plant sits: its region (CA-ON), else its country (CA)."""
        table = self.data.table("grid_intensity")
        for code in (p.region, p.country):
            rows = table[table["region"] == code]
            if not rows.empty:
                r = rows.iloc[0]
                return range_dist(r["low"], r["mode"], r["high"])
        raise EvpactError(
            f"no bundled grid intensity for {p.region}; set grid_gco2e_per_kwh "
            f"(bundled: {', '.join(sorted(table['region']))})",
            f"plants.{p.id}",
        )

    def charging(self) -> int:
        """Inputs of the EV stock and charging ports; returns the ports' reference year."""
        c = self.s.market.charging
        home = self.data.rows("charging", region=self.s.home_country)

        def row(parameter: str) -> pd.Series:
            rows = self.data.rows("charging", region=self.s.home_country, parameter=parameter)
            if rows.empty:
                raise EvpactError(
                    f"no bundled {parameter} for {self.s.home_country}", "market.charging"
                )
            return rows.iloc[0]

        def dist(parameter: str) -> Dist:
            r = row(parameter)
            return range_dist(r["low"], r["mode"], r["high"])

        # stock at the start of the horizon: the last counted stock plus the sales counted
        # since (their ranges add up); scrappage over those few years is left out
        first = self.s.horizon[0]
        stock = row("ev_stock")
        sales = home[
            (home["parameter"] == "ev_sales")
            & (home["year"] > stock["year"])
            & (home["year"] < first)
        ]
        lo, mo, hi = (float(stock[k]) + float(sales[k].sum()) for k in ("low", "mode", "high"))
        self.put("market.charging.ev_stock_start", range_dist(lo, mo, hi))
        for name in (
            "public_ports",
            "ports_added_per_year",
            "target_evs_per_port",
            "scrappage_rate",
            "elasticity",
        ):
            key = "charging_elasticity" if name == "elasticity" else name
            self.value(f"market.charging.{name}", getattr(c, name), dist(key))
        return int(row("public_ports")["year"])

    def environment(self) -> None:
        """Domestic mineral production and the emission factors, as uncertain inputs."""
        for mineral in MINERALS:
            rows = self.data.rows(
                "mineral_production", region=self.s.home_country, mineral=mineral
            ).sort_values("year")
            if rows.empty:
                raise EvpactError(
                    f"no bundled {mineral} production for {self.s.home_country}", "minerals"
                )
            self.put(f"minerals.production.{mineral}", self.yearly(rows))
        ids = [m.id for m in self.s.mineral_projects]
        if len(set(ids)) != len(ids):
            raise EvpactError(f"mineral project ids must be unique, got {ids}", "mineral_projects")
        for m in self.s.mineral_projects:
            w = f"mineral_projects.{m.id}"
            self.put(f"{w}.tonnes_per_year", m.tonnes_per_year)
            self.put(f"{w}.start", m.start)
            self.put(f"{w}.ramp_years", m.ramp_years)
        e = self.s.emissions
        for name in EMISSION_FACTORS:
            self.value(
                f"emissions.{name}",
                getattr(e, name),
                self.data.figure("emissions", {"parameter": name}),
            )

    def chains(self) -> dict[str, Chain]:
        """Each deal's chain: the stages it declares, and for the others the countries of
        its own plants of that kind (weighted by capacity)."""
        plants = {p.id: p for p in self.s.plants}
        out: dict[str, Chain] = {}
        for d in self.s.deals:
            chain: dict[str, dict[str, float]] = {k: dict(v) for k, v in d.chain.items()}
            built: dict[str, dict[str, float]] = {}
            for ref in d.plants:
                p = plants[ref]
                size = (p.capacity_gwh or p.capacity_vehicles or fixed(1.0)).central
                stage = built.setdefault(p.kind, {})
                stage[p.country] = stage.get(p.country, 0.0) + size
            for kind, sizes in built.items():
                total = sum(sizes.values())
                if kind not in chain and total > 0:
                    chain[kind] = {c: v / total for c, v in sizes.items()}
            if chain:
                out[d.id] = chain
        return out

    def availability(self, chains: dict[str, Chain]) -> dict[str, FloatArray]:
        """Share of each year's output a plant keeps under the scenario's disruptions: its
        deals' chains carry a cut down to it (a plant in no deal feels only cuts of its own
        stage and country). Cuts starting the same year for the same weeks are concurrent."""
        if not self.s.disruptions:
            return {}
        table = self.data.table("chain_inventory")
        default_stock = dict(zip(table["stage"], table["weeks"].astype(float), strict=True))
        events: dict[tuple[int, float], dict[tuple[str, str], float]] = {}
        for cut in self.s.disruptions:
            key = (cut.stage, cut.country)
            group = events.setdefault((cut.year, cut.weeks), {})
            group[key] = max(group.get(key, 0.0), cut.share)
        out: dict[str, FloatArray] = {}
        for p in self.s.plants:
            worlds = [
                (chains[d.id], {**default_stock, **d.inventory_weeks})
                for d in self.s.deals
                if p.id in d.plants and d.id in chains
            ] or [({p.kind: {p.country: 1.0}}, default_stock)]
            kept = np.ones(self.years.size)
            for chain, stock in worlds:
                loss = np.zeros(self.years.size)
                for (year, weeks), cuts in events.items():
                    lost = lost_weeks(chain, cuts, weeks, stock).get((p.kind, p.country), 0.0)
                    loss += 1.0 - yearly_availability(lost, year, self.years)
                kept = np.minimum(kept, np.clip(1.0 - loss, 0.0, 1.0))
            if (kept < 1).any():
                out[p.id] = kept
        return out

    def _value_factor(self, p: Plant) -> float:
        """Output value per GWh(-equivalent) relative to cells (packs, cathode, anode)."""
        if p.kind in ("cell", "module", "pack"):
            return 1.0  # modules and packs add value per draw (economy.battery_value_factor)
        item = f"{'cam' if p.kind == 'pcam' else p.kind}_value_share_of_cell_price"
        return self.data.figure("prices", {"item": item}).central

    def prices(self) -> None:
        """One cell price and one EV price per draw, shared by every plant, and the ratios that
        turn them into the value of what plants make: the pack premium and the share of it
        modules add, the vehicle's factory-gate value and its value for duty, each a share of
        the retail price."""
        e = self.s.economy
        self.put(
            "economy.cell_price_usd_per_kwh",
            e.cell_price_usd_per_kwh or self.price_path("cell_price_usd_per_kwh"),
        )
        if e.learning is not None:
            home_gwh = sum(
                (
                    p.capacity_gwh.central
                    for p in self.s.plants
                    if p.kind == "cell"
                    and p.country == self.s.home_country
                    and p.capacity_gwh is not None
                ),
                0.0,
            )
            self.value(
                "economy.learning.initial_experience_gwh",
                e.learning.initial_experience_gwh,
                fixed(max(home_gwh, 1.0)),
            )
            for name, key in (
                ("rate", "cell_learning_rate"),
                ("cost_share", "cost_share_of_cell_price"),
            ):
                self.value(
                    f"economy.learning.{name}",
                    getattr(e.learning, name),
                    self.data.figure("learning", {"parameter": key}),
                )
        fig = self.data.figure
        self.value(
            "economy.pack_price_premium_over_cell",
            e.pack_price_premium_over_cell,
            fig("prices", {"item": "pack_price_premium_over_cell"}),
        )
        self.value(
            "economy.module_share_of_pack_premium",
            e.module_share_of_pack_premium,
            fig("prices", {"item": "module_share_of_pack_premium"}),
        )
        self.value(
            "economy.factory_gate_share",
            e.factory_gate_share,
            fig("prices", {"item": "factory_gate_share_of_retail"}),
        )
        self.value(
            "economy.value_for_duty_share",
            e.value_for_duty_share,
            fig("prices", {"item": "value_for_duty_share_of_retail"}),
        )
        rows = self.data.yearly("prices", {"item": "ev_price_cad"})
        last = rows.iloc[-1]
        self.value(
            "economy.ev_price_cad",
            e.ev_price_cad,
            range_dist(last["low"], last["mode"], last["high"]),
        )

    def order(self, plants: list[PlantSpec], routes: list[RouteSpec]) -> tuple[PlantSpec, ...]:
        """Customers before their suppliers, so demand can flow up the chain in one pass."""
        by_id = {p.id: p for p in plants}
        suppliers_of: dict[str, set[str]] = {p.id: set() for p in plants}
        for r in routes:
            suppliers_of[r.customer].add(r.supplier)
        done: list[str] = []
        pending = [p.id for p in plants if p.kind == "assembly"] + [
            p.id for p in plants if p.kind != "assembly"
        ]
        while pending:
            ready = [i for i in pending if all(i not in suppliers_of[c] for c in pending if c != i)]
            if not ready:
                raise EvpactError(f"supply routes form a cycle among plants {pending}", "deals")
            done.append(ready[0])
            pending.remove(ready[0])
        return tuple(by_id[i] for i in done)

    def deal(self, d: Deal, plants: dict[str, PlantSpec]) -> DealSpec:
        w = f"deals.{d.id}"
        link = None
        if d.linkage is not None:
            lk = d.linkage
            link = LinkageSpec(
                kind=lk.kind,
                plant=lk.plant,
                threshold=self.put(f"{w}.linkage.threshold", lk.threshold),
                from_year=lk.from_year,
                window=lk.window,
                proportional=lk.partial == "proportional",
            )
        incs = []
        first, last = self.s.horizon
        for i, inc in enumerate(d.incentives):
            wi = f"{w}.incentives.{i}"
            if inc.year is not None and not first <= inc.year <= last:
                raise EvpactError(
                    f"year {inc.year} lies outside the horizon {first}-{last}", f"{wi}.year"
                )
            kw: dict[str, Any] = dict(
                kind=inc.kind,
                plant=inc.plant,
                payer=dict(inc.payer),
                conditional=inc.conditional,
                clawback=inc.clawback,
                clawback_years=inc.clawback_years,
                year=inc.year,
                tax_exempt=inc.tax_exempt,
            )
            if inc.kind == "production_credit":
                assert inc.schedule is not None
                kw["schedule"] = self.schedule(inc.schedule, inc.components, f"{wi}.schedule")
                if inc.schedule in TRACKS_45X:
                    kw["schedule"] = self.us_cut(kw["schedule"])
                kw["rate_scale"] = self.put(f"{wi}.rate_scale", inc.rate_scale)
                if inc.cap_cad is not None:
                    kw["cap"] = self.put(f"{wi}.cap_cad", inc.cap_cad)
            elif inc.kind == "investment_tax_credit":
                if inc.schedule is not None:
                    kw["amount"] = self.put(f"{wi}.rate", self.itc_rate(inc.schedule, wi))
                else:
                    assert inc.rate is not None
                    kw["amount"] = self.put(f"{wi}.rate", inc.rate)
                target = next(p for p in self.s.plants if p.id == inc.plant)
                if inc.base_cad is not None:
                    kw["base"] = self.put(f"{wi}.base_cad", inc.base_cad)
                else:
                    param = (
                        "capex_cad_per_vehicle"
                        if target.kind == "assembly"
                        else "capex_cad_per_gwh"
                    )
                    kw["base"] = self.put(f"{wi}.capex_per_unit", self.archetype(target, param))
                    kw["base_units"] = plants[inc.plant].capacity
            else:
                assert inc.amount_cad is not None
                kw["amount"] = self.put(f"{wi}.amount_cad", inc.amount_cad)
            incs.append(IncentiveSpec(**kw))
        return DealSpec(id=d.id, linkage=link, incentives=tuple(incs))

    def packs(self) -> list[RulePack]:
        return (
            [load_rule_pack(ref, self.s._origin) for ref in self.s.trade.rules]
            if self.s.trade
            else []
        )

    def us_cut(self, schedule: dict[str, FloatArray]) -> dict[str, FloatArray]:
        """A 45X-tracking schedule cut where the selected rule packs set 45X below its
        statutory schedule (the bundled us-45x), in proportion, never raised."""
        packs = self.packs()
        out = dict(schedule)
        for comp, param in (
            ("cell", "us_45x_cell_usd_per_kwh"),
            ("module", "us_45x_module_usd_per_kwh"),
        ):
            if comp not in out or not any(param in p.parameters for p in packs):
                continue
            statutory = self.schedule("us-45x", (comp,), "us-45x")[comp]
            law = yearly(packs, param, self.years)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(statutory > 0, np.minimum(law / statutory, 1.0), 1.0)
            out[comp] = out[comp] * factor
        return out

    def itc_rate(self, name: str, where: str) -> YearPath:
        """An investment tax credit's rate by year of first use: the bundled ca-itc-2024 pack,
        overridden by the scenario's own packs."""
        if name not in ITC_SCHEDULES:
            raise EvpactError(
                f"unknown investment tax credit schedule '{name}'; use {', '.join(ITC_SCHEDULES)}",
                f"{where}.schedule",
            )
        path = yearly([load_rule_pack("ca-itc-2024"), *self.packs()], name, self.years)
        return YearPath(path, path, path)

    def schedule(self, name: str, components: tuple[str, ...], where: str) -> dict[str, FloatArray]:
        table = self.data.table("incentive_schedules")
        rows = self.data.rows("incentive_schedules", schedule=name)
        if rows.empty:
            raise EvpactError(
                f"unknown schedule '{name}'; bundled: {sorted(set(table['schedule']))}", where
            )
        out = {}
        for comp in components:
            r = rows[rows["component"] == comp].sort_values("year")
            rate = (r["rate_usd_per_kwh"] * r["phase_factor"]).to_numpy(dtype=float)
            yrs = r["year"].to_numpy()
            # outside the schedule's own years the credit does not exist
            out[comp] = np.where(
                (self.years >= yrs.min()) & (self.years <= yrs.max()),
                np.interp(self.years, yrs, rate),
                0.0,
            )
        return out

    def trade(self, routes: list[RouteSpec]) -> TradeSpec | None:
        """Rule packs as yearly inputs ``trade.rules.<parameter>``; content settings of each
        assembly plant as inputs ``trade.plants.<id>.<setting>`` (bundled defaults from
        trade_content.csv); groups' US imports as ``trade.groups.<group>.<setting>``."""
        t = self.s.trade
        if t is None:
            return None
        packs = [load_rule_pack(ref, self.s._origin) for ref in t.rules]
        rules = {
            name: self.put(f"trade.rules.{name}", YearPath(path, path, path))
            for name, path in resolve(packs, self.years).items()
        }

        def default(parameter: str, group: str = "*") -> Dist:
            rows = self.data.rows("trade_content", parameter=parameter, group=group)
            if rows.empty:
                rows = self.data.rows("trade_content", parameter=parameter, group="*")
            r = rows.iloc[0]
            return range_dist(r["low"], r["mode"], r["high"])

        country = {p.id: p.country for p in self.s.plants}
        kind = {p.id: p.kind for p in self.s.plants}
        plants = []
        for p in self.s.plants:
            if p.kind != "assembly":
                continue
            given = t.plants.get(p.id)
            w = f"trade.plants.{p.id}"
            inputs = {
                name: self.value(
                    f"{w}.{name}", getattr(given, name) if given else None, default(name)
                )
                for name in PLANT_TRADE
            }
            cells = tuple(
                CellRoute(
                    r.share,
                    country[r.supplier] in NORTH_AMERICA,
                    tuple(
                        (c.share, country[c.supplier] in NORTH_AMERICA)
                        for c in routes
                        if c.customer == r.supplier and kind[c.supplier] in ("cam", "pcam")
                    ),
                )
                for r in routes
                if r.customer == p.id and kind[r.supplier] in ("cell", "module", "pack")
            )
            plants.append(TradePlantSpec(p.id, inputs, cells, bool(given and given.trace_cathode)))
        home = self.s.market.regions.get(self.s.home_country)
        groups = []
        for g in sorted(home.group_share if home else {}):
            given_g = t.groups.get(g)
            groups.append(
                (
                    g,
                    {
                        name: self.value(
                            f"trade.groups.{g}.{name}",
                            getattr(given_g, name) if given_g else None,
                            default(name, g),
                        )
                        for name in GROUP_TRADE
                    },
                )
            )
        fig = self.data.figure
        return TradeSpec(
            packs=tuple(p.name for p in packs),
            rules=rules,
            plants=tuple(plants),
            groups=tuple(groups),
            pack_premium="economy.pack_price_premium_over_cell",
            cam_share=self.put(
                "trade.cam_value_share_of_cell_price",
                fig("prices", {"item": "cam_value_share_of_cell_price"}),
            ),
        )

    def economy_and_fiscal(self) -> None:
        industries = sorted(set(INDUSTRY[p.kind] for p in self.s.plants))
        overrides = self.s.economy.multipliers
        for ind in overrides:
            if ind not in INDUSTRY.values():
                raise EvpactError(
                    f"unknown industry '{ind}'; use {sorted(set(INDUSTRY.values()))}",
                    "economy.multipliers",
                )
        for ind in industries:
            for m in (*MULTIPLIER_MEASURES, EARNINGS):
                given = overrides.get(ind, {}).get(m)
                self.value(
                    f"economy.multipliers.{ind}.{m}",
                    given,
                    self.data.figure("multipliers", {"industry": ind, "measure": m}),
                )
        for ind, measures in overrides.items():
            for m in measures:
                if m not in (*MULTIPLIER_MEASURES, EARNINGS):
                    raise EvpactError(
                        f"unknown measure '{m}'; use {[*MULTIPLIER_MEASURES, EARNINGS]}",
                        f"economy.multipliers.{ind}",
                    )
        for name, parameter in (
            ("discount_rate", "discount_rate_real"),
            ("profit_share", "profit_share_of_gdp_net_of_labour"),
        ):
            self.value(
                f"fiscal.{name}",
                getattr(self.s.fiscal, name),
                self.data.figure("fiscal", {"parameter": parameter}),
            )
        self.value(
            "fx_cad_per_usd",
            self.s.fx_cad_per_usd,
            self.data.figure("prices", {"item": "fx_cad_per_usd"}),
        )


def _per_unit(jobs: Dist, capacity: Dist) -> Dist:
    """Declared plant jobs as jobs per unit of capacity (the capacity's central value)."""
    cap = capacity.central
    return _scaled(jobs, 1.0 / cap if cap > 0 else 0.0)


def _scaled(d: Dist, k: float) -> Dist:
    if d.kind in ("fixed", "uniform", "triangular", "pert"):
        return Dist(d.kind, tuple(v * k for v in d.params))
    if d.kind == "normal":
        m, sd, lo, hi = d.params
        return Dist("normal", (m * k, sd * k, lo * k, hi * k))
    return Dist("lognormal", (d.params[0] * k, d.params[1]))


def _kg_per_kwh(data: ReferenceData) -> dict[str, FloatArray]:
    """kg of each mineral (in ``MINERALS`` order) per kWh, by chemistry."""
    table = data.table("chemistries")
    kg = table.pivot_table(index="chemistry", columns="mineral", values="kg_per_kwh")
    kg = kg.reindex(columns=list(MINERALS), fill_value=0.0).fillna(0.0)
    return {str(c): kg.loc[c].to_numpy(dtype=float) for c in kg.index}


def compile_scenario(scenario: Scenario, data: ReferenceData | None = None) -> Model:
    from .ledger import compile_ledger, declared_itc

    b = _Builder(scenario, data or reference())
    regions = b.regions()
    plant_specs = [b.plant(p) for p in scenario.plants]
    routes = [
        RouteSpec(r.supplier, r.customer, b.put(f"deals.{d.id}.supply.{i}.share", r.share))
        for d in scenario.deals
        for i, r in enumerate(d.supply)
    ]
    _check_route_shares(scenario)
    plants = b.order(plant_specs, routes)
    by_id = {p.id: p for p in plants}
    deals = tuple(b.deal(d, by_id) for d in scenario.deals)
    b.prices()
    b.economy_and_fiscal()
    b.environment()
    ports_year = b.charging()
    trade = b.trade(routes)
    payers = sorted({k for d in deals for i in d.incentives for k in i.payer})
    net = compile_additionality(scenario, b.data, b.put)
    chains = b.chains()
    partners_table = b.data.table("trade_partners")
    partners = partners_table[partners_table["home"] == scenario.home_country]
    model = Model(
        name=scenario.name,
        years=b.years,
        home=scenario.home_country,
        inputs=b.inputs,
        regions=regions,
        plants=plants,
        routes=tuple(routes),
        deals=deals,
        payers=tuple(payers),
        charging_feedback=scenario.market.charging.feedback,
        learning=scenario.economy.learning is not None,
        mineral_projects=tuple((m.id, m.mineral) for m in scenario.mineral_projects),
        ports_year=ports_year,
        correlations=scenario.correlations,
        chains=chains,
        sourced={d.id: tuple(d.chain) for d in scenario.deals},
        partners=dict(zip(partners["country"], partners["group"], strict=True)),
        availability=b.availability(chains),
        trade=trade,
        additionality=net,
        ledger=compile_ledger(b, plants, declared_itc(scenario)),
        company_plan=scenario.fiscal.production_basis == "company_plan",
        price_year=scenario.price_year,
        firms=compile_firms(scenario, b.data, b.put, b.years),
    )
    check_correlations(model, scenario)
    return model


def check_correlations(model: Model, scenario: Scenario) -> None:
    """Every correlated path names an uncertain input of the compiled model.

    Checked here, not when loading, because only compiling knows the inputs (bundled defaults
    such as multipliers and price paths become inputs without appearing in the file).
    """
    for g, group in enumerate(scenario.correlations):
        where = f"correlations.{g}.inputs"
        for path in group.inputs:
            if path not in model.inputs:
                close = difflib.get_close_matches(path, list(model.inputs), n=1)
                if close:
                    hint = f"did you mean '{close[0]}'?"
                else:
                    uncertain = sorted(p for p, d in model.inputs.items() if not d.is_fixed)
                    hint = f"uncertain inputs: {', '.join(uncertain) or 'none'}"
                raise EvpactError(f"'{path}' is not an input of this scenario; {hint}", where)
            if model.inputs[path].is_fixed:
                raise EvpactError(
                    f"'{path}' is fixed, nothing to correlate; give it a distribution first",
                    where,
                )


def _check_route_shares(s: Scenario) -> None:
    total: dict[str, float] = {}
    for d in s.deals:
        for r in d.supply:
            total[r.customer] = total.get(r.customer, 0.0) + r.share.support[1]
    for customer, t in total.items():
        if t > 1 + 1e-9:
            raise EvpactError(
                f"supply routes source up to {t:g} of plant '{customer}''s need; at most 1", "deals"
            )


__all__ = ["Model", "YearPath", "check_correlations", "compile_scenario"]
