"""What a user declares: the scenario format, validated by pydantic.

Field names carry their unit (``capacity_gwh``, ``amount_cad``). A field typed ``Uncertain``,
``NonNegative`` or ``Share`` takes a number or a distribution (see ``distributions``). Ids of
plants and deals are the handles used by ``--set`` paths (``deals.hmg-ontario.linkage.threshold``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import (
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from ..uncertainty.sampling import normal_correlation, suggest_correlation
from .base import Strict
from .distributions import Dist, fixed, uncertain
from .firms import Firm
from .types import (
    CapacityGwh,
    DiscountRate,
    Duration,
    Elasticity,
    Factor,
    GridIntensity,
    Jobs,
    MarginalCostOfFunds,
    Money,
    NonNegative,
    NonNegativeValue,
    ReferenceRate,
    Share,
    ShareValue,
    TonnesPerYear,
    UnitPrice,
    VehiclesPerYear,
    Year,
    YearValue,
)

PlantKind = Literal[
    "cell", "module", "pack", "cam", "pcam", "anode", "refinery", "mine", "assembly"
]
#: plant kinds whose capacity is counted in GWh of battery (or battery-equivalent material)
BATTERY_KINDS = ("cell", "module", "pack", "cam", "pcam", "anode")
Stage = Literal["mine", "refinery", "pcam", "cam", "anode", "cell", "module", "pack", "assembly"]
#: stages of the battery chain, upstream first (the plant kinds of DESIGN.md)
STAGES: tuple[str, ...] = Stage.__args__  # type: ignore[attr-defined]
Country = Field(pattern=r"^[A-Z]{2}$")
Id = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)


class OmitEmpty(Strict):
    """Optional collections added after the format first shipped are left out of the dump
    while empty, so files without them dump (and hash) exactly as before."""

    omit_if_empty: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit_empty(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in self.omit_if_empty:
            if not getattr(self, name):
                data.pop(name, None)
        return data


class PathRef(Strict):
    """A yearly path: a bundled path name (``market_paths.csv``) or an inline table."""

    path: str | None = None
    table: dict[Year, NonNegativeValue] | None = None
    scale: Factor = Field(default=fixed(1.0), description="Multiplies every year's value.")

    @model_validator(mode="after")
    def _one_source(self) -> PathRef:
        if (self.path is None) == (self.table is None):
            raise ValueError("give exactly one of 'path' (a bundled path name) or 'table'")
        return self


class SharePathRef(PathRef):
    """A yearly path of shares: an inline table's values lie in [0, 1]."""

    table: dict[Year, ShareValue] | None = None


class Offtake(Strict):
    """A customer contract for part of a battery plant's nameplate output."""

    customer: str
    region: str = Field(description="ISO country code where the cells are installed, e.g. US.")
    share: Share = Field(description="Contracted share of the plant's available output.")
    follows_ev_market: bool = Field(
        default=True,
        description="Scale the call with realised over planned EV share in the region "
        "(false for energy-storage customers).",
    )


class Plant(OmitEmpty):
    omit_if_empty = ("but_for",)

    id: str = Id
    kind: PlantKind
    name: str | None = None
    owner: str | None = None
    group: str | None = Field(default=None, description="Automaker group (assembly plants).")
    region: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$", description="e.g. CA-ON")
    start: YearValue = Field(description="Year production starts (fractional = part-year).")
    ramp_years: Duration | None = Field(default=None, description="Years to full output.")
    archetype: str | None = None
    direct_jobs: Jobs | None = Field(
        default=None, description="Direct jobs at full output (default: archetype ratio)."
    )
    # battery-chain plants
    capacity_gwh: CapacityGwh | None = None
    chemistry: dict[str, ShareValue] | dict[Year, dict[str, ShareValue]] | None = Field(
        default=None,
        description="Cathode chemistry shares ({NMC811: 0.5, LFP: 0.5}), or shares by year "
        "({2026: {NMC811: 1.0}, 2035: {LFP: 1.0}}), interpolated linearly in between.",
    )
    module_share: Share = Field(
        default=fixed(0.0), description="Share of cell output also assembled into modules."
    )
    yield_share: Share | None = Field(default=None, alias="yield")
    offtake: tuple[Offtake, ...] = ()
    # assembly plants
    capacity_vehicles: VehiclesPerYear | None = None
    pack_kwh: uncertain(1.0, 500.0) | None = None  # type: ignore[valid-type]
    markets: dict[str, Share] = Field(
        default_factory=dict,
        description="Share of the group's EV demand in each region allocated to this plant.",
    )
    vehicle_price_cad: UnitPrice | None = None
    grid_gco2e_per_kwh: GridIntensity | None = Field(
        default=None, description="Grid intensity where the plant sits (default: its region)."
    )
    but_for: Share | None = Field(
        default=None,
        description="Probability the plant would not be built in the country without the "
        "deal (default: its deal's, else additionality.but_for).",
    )
    capex_cad: NonNegative | None = Field(
        default=None,
        description="Capital cost (default: the archetype's cost per unit of capacity); the "
        "base of investment tax credits and capital cost allowance in the Crown ledger.",
    )

    @property
    def country(self) -> str:
        return self.region[:2]

    def chemistry_by_year(self) -> dict[int | None, dict[str, float]]:
        """The chemistry mix by year (``None``: one mix for every year)."""
        if not self.chemistry:
            return {}
        first = next(iter(self.chemistry.values()))
        if isinstance(first, dict):
            return dict(self.chemistry)  # type: ignore[arg-type]
        return {None: self.chemistry}  # type: ignore[dict-item]

    @model_validator(mode="after")
    def _kind_fields(self) -> Plant:
        if self.kind in ("mine", "refinery"):
            raise ValueError(
                f"kind '{self.kind}' is accepted in the format but not modelled yet "
                "(minerals come with the supply-chain mechanism); use cell, module, pack, cam, "
                "pcam, anode or assembly"
            )
        if self.kind == "assembly":
            if self.capacity_vehicles is None or self.pack_kwh is None:
                raise ValueError("an assembly plant needs capacity_vehicles and pack_kwh")
            if self.group is None:
                raise ValueError("an assembly plant needs its automaker 'group' (e.g. HMG)")
            if self.capacity_gwh is not None or self.offtake:
                raise ValueError("capacity_gwh and offtake belong to battery plants")
        else:
            if self.capacity_gwh is None:
                raise ValueError(f"a {self.kind} plant needs capacity_gwh")
            if self.capacity_vehicles is not None or self.markets:
                raise ValueError("capacity_vehicles and markets belong to assembly plants")
        for year, mix in self.chemistry_by_year().items():
            at = "" if year is None else f" in {year}"
            if any(v < 0 for v in mix.values()):
                raise ValueError(f"chemistry shares must be >= 0{at}")
            if abs(sum(mix.values()) - 1) > 1e-6:
                raise ValueError(
                    f"chemistry shares must add up to 1{at}, got {sum(mix.values()):g}"
                )
        customers = [o.customer for o in self.offtake]
        if len(set(customers)) != len(customers):
            raise ValueError(f"offtake customers must be unique, got {customers}")
        total = sum(o.share.support[1] for o in self.offtake)
        if total > 1 + 1e-9:
            raise ValueError(f"offtake shares can add up to at most 1, got up to {total:g}")
        return self


class SupplyRoute(Strict):
    """Part of a plant's battery need sourced from a linked local battery plant."""

    supplier: str = Field(alias="from")
    customer: str = Field(alias="to")
    share: Share = Field(default=fixed(1.0))


class Linkage(Strict):
    kind: Literal["local_absorption", "vehicles_per_gwh"] = "local_absorption"
    plant: str = Field(description="The battery plant whose output the condition measures.")
    threshold: NonNegative
    from_year: Year = Field(alias="from")
    window: int = Field(default=1, ge=1, le=10, description="Years averaged when measuring.")
    partial: Literal["binary", "proportional"] = "binary"

    @model_validator(mode="after")
    def _share_threshold(self) -> Linkage:
        if self.kind == "local_absorption" and self.threshold.support[1] > 1:
            raise ValueError("a local_absorption threshold is a share: it must be <= 1")
        return self


class Incentive(Strict):
    kind: Literal["production_credit", "capital_grant", "investment_tax_credit", "per_vehicle"]
    plant: str
    payer: dict[str, ShareValue] = Field(default_factory=lambda: {"federal": 1.0})
    conditional: bool = Field(
        default=False, description="Flows paid in proportion to the linkage being met."
    )
    clawback: Literal["none", "pro_rata", "cliff", "graduated"] = "none"
    clawback_years: int = Field(default=10, ge=1, le=50)
    # production_credit
    schedule: str | None = Field(
        default=None,
        description="production_credit: a bundled per-kWh schedule (incentive_schedules.csv); "
        "investment_tax_credit: a dated rate of the rule packs (ca_ctm_itc_rate, "
        "ca_evsc_itc_rate), taken in the year the plant starts, instead of 'rate'.",
    )
    components: tuple[Literal["cell", "module"], ...] = ("cell", "module")
    rate_scale: Factor = Field(default=fixed(1.0))
    cap_cad: Money | None = None
    # capital_grant / per_vehicle / investment_tax_credit
    amount_cad: Money | None = None
    year: Year | None = None
    rate: Share | None = None
    base_cad: Money | None = None
    tax_exempt: bool = Field(
        default=False,
        description="The payments are exempt from corporate income tax (as regulations of "
        "February 2024 made the NextStar and PowerCo production subsidies).",
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> Incentive:
        need = {
            "production_credit": ["schedule"],
            "capital_grant": ["amount_cad", "year"],
            "per_vehicle": ["amount_cad"],
            "investment_tax_credit": ["rate"],
        }[self.kind]
        if self.kind == "investment_tax_credit" and self.schedule is not None:
            if self.rate is not None:
                raise ValueError("give an investment tax credit's 'rate' or its 'schedule'")
            need = []
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} needs {', '.join(missing)}")
        if abs(sum(self.payer.values()) - 1) > 1e-6 or any(v < 0 for v in self.payer.values()):
            raise ValueError("payer shares must be >= 0 and add up to 1")
        lump = self.kind in ("capital_grant", "investment_tax_credit")
        if self.clawback != "none" and not lump:
            raise ValueError("clawback applies to lump sums; make flows 'conditional' instead")
        if self.conditional and lump:
            raise ValueError("a lump sum is made conditional through its 'clawback'")
        return self


def _check_country_shares(shares: dict[str, float], where: str) -> None:
    if not shares:
        raise ValueError(f"{where}: give at least one country's share (e.g. {{CN: 1.0}})")
    for country, share in shares.items():
        if len(country) != 2 or not country.isalpha() or not country.isupper():
            raise ValueError(f"{where}: '{country}' is not an ISO 3166 alpha-2 code (e.g. KR)")
        if not 0 <= share <= 1:
            raise ValueError(f"{where}.{country}: a share lies in [0, 1], got {share:g}")
    if shares and abs(sum(shares.values()) - 1) > 1e-6:
        raise ValueError(f"{where}: country shares must add up to 1, got {sum(shares.values()):g}")


class Deal(OmitEmpty):
    omit_if_empty = ("chain", "inventory_weeks", "but_for")

    id: str = Id
    name: str | None = None
    parties: tuple[str, ...] = ()
    plants: tuple[str, ...] = ()
    supply: tuple[SupplyRoute, ...] = ()
    linkage: Linkage | None = None
    incentives: tuple[Incentive, ...] = ()
    but_for: Share | None = Field(
        default=None,
        description="Probability the deal's plants would not be built in the country without "
        "it (default: additionality.but_for).",
    )
    chain: dict[Stage, dict[str, ShareValue]] = Field(
        default_factory=dict,
        description="Where each stage of the deal's battery chain sits: {stage: {country: "
        "share}}, ISO 3166 alpha-2 codes (ZZ: unspecified rest of world). Stages left out "
        "follow the deal's own plants.",
    )
    inventory_weeks: dict[Stage, float] = Field(
        default_factory=dict,
        description="Weeks of input stock each stage holds (default: chain_inventory.csv).",
    )

    @model_validator(mode="after")
    def _chain_shares(self) -> Deal:
        for stage, shares in self.chain.items():
            _check_country_shares(shares, f"chain.{stage}")
        for stage, weeks in self.inventory_weeks.items():
            if not 0 <= weeks <= 104:
                raise ValueError(f"inventory_weeks.{stage}: weeks lie in [0, 104], got {weeks:g}")
        return self

    @model_validator(mode="after")
    def _conditions_need_linkage(self) -> Deal:
        if self.linkage is None:
            for i, inc in enumerate(self.incentives):
                if inc.conditional or inc.clawback != "none":
                    raise ValueError(
                        f"incentives[{i}] is conditional or has a clawback, "
                        "but the deal has no linkage"
                    )
        return self


class RegionMarket(Strict):
    lv_sales: PathRef = Field(description="New light-vehicle sales per year (vehicles).")
    ev_share: SharePathRef = Field(description="EV share of new light-vehicle sales.")
    ev_share_plan: SharePathRef | None = Field(
        default=None, description="The EV share path battery offtake contracts were sized for."
    )
    group_share: dict[str, Share] = Field(default_factory=dict)
    export_tariff: Share = Field(
        default=fixed(0.0), description="Tariff on exports from the home country to this region."
    )
    tariff_exposed_share: Share = Field(
        default=fixed(1.0), description="Share of the export value the tariff applies to."
    )
    pass_through: Share = Field(default=fixed(1.0))
    price_elasticity: Elasticity = Field(
        default=fixed(0.0), description="Fall in demand (%) per 1% price rise."
    )


class MineralProject(Strict):
    """A mine or brine project at home that would add to domestic production."""

    id: str = Id
    mineral: Literal["lithium", "nickel", "cobalt", "manganese", "graphite"]
    tonnes_per_year: TonnesPerYear = Field(
        description="Contained tonnes a year at full output (lithium as metal, not LCE)."
    )
    start: YearValue = Field(description="Year production starts (fractional = part-year).")
    ramp_years: Duration = Field(default=fixed(0.0), description="Years to full output.")


class Disruption(Strict):
    """A cut in supply at one stage of the chain in one country, for some weeks."""

    stage: Stage
    country: str = Country
    share: float = Field(ge=0, le=1, description="Share of that country's supply cut.")
    weeks: float = Field(gt=0, le=520, description="How long the cut lasts.")
    year: Year = Field(description="Year the cut starts (at its beginning).")


class Charging(Strict):
    """The home country's EV stock against its public charging ports (charging.csv)."""

    feedback: bool = Field(
        default=False,
        description="Let a shortage of public ports (more EVs per port than the target) slow "
        "the home EV share: share x (target / EVs per port last year)^elasticity.",
    )
    elasticity: Elasticity | None = None
    public_ports: NonNegative | None = Field(default=None, description="Ports in 2026.")
    ports_added_per_year: NonNegative | None = None
    target_evs_per_port: NonNegative | None = None
    scrappage_rate: Share | None = None


class Market(Strict):
    regions: dict[str, RegionMarket]
    charging: Charging = Charging()


class Learning(Strict):
    """Learning by doing at the home cell plants: their unit cost falls with cumulative home
    cell output; the market price does not, so the saving is margin (learning.csv)."""

    rate: Share | None = Field(default=None, description="Cost decline per doubling.")
    initial_experience_gwh: uncertain(1e-3, 1e7) | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Experience the plants start with (default: one year of their nameplate).",
    )
    cost_share: Share | None = Field(
        default=None, description="Unit cost over the cell price when learning starts."
    )


class Economy(OmitEmpty):
    omit_if_empty = ("learning",)

    cell_price_usd_per_kwh: UnitPrice | None = None
    ev_price_cad: UnitPrice | None = None
    pack_price_premium_over_cell: uncertain(1.0, 5.0) | None = Field(  # type: ignore[valid-type]
        default=None, description="Pack price over cell price (values a pack's battery)."
    )
    module_share_of_pack_premium: Share | None = Field(
        default=None, description="Share of the pack's premium over cells that modules add."
    )
    factory_gate_share: Share | None = Field(
        default=None,
        description="Factory-gate value of a vehicle over its retail price (assembly output).",
    )
    value_for_duty_share: Share | None = Field(
        default=None,
        description="Customs value (value for duty) of a vehicle over its retail price.",
    )
    multipliers: dict[str, dict[str, NonNegative]] = Field(
        default_factory=dict,
        description="Overrides of bundled multipliers: {industry: {measure: value}}.",
    )
    learning: Learning | None = Field(
        default=None, description="Learning on cell costs (off unless given; {} = bundled)."
    )


class Emissions(Strict):
    """Overrides of the bundled emission factors (emissions.csv)."""

    cell_manufacturing_energy_kwh_per_kwh: NonNegative | None = None
    electricity_share_of_cell_manufacturing_energy: Share | None = None
    process_heat_kg_co2e_per_kwh: NonNegative | None = None
    upstream_materials_kg_co2e_per_kwh: NonNegative | None = None
    gasoline_car_lifecycle_g_per_km: NonNegative | None = None
    bev_lifecycle_g_per_km: NonNegative | None = None
    vehicle_lifetime_km: NonNegative | None = None


class Slack(Strict):
    """Share of the new jobs of each layer filled by people who would otherwise not work.

    Set here, a share is used as it is; left out, the bundled share at the reference
    unemployment rate is scaled by the scenario's unemployment rate (docs/model.md, slack)."""

    direct: Share | None = None
    indirect: Share | None = None
    induced: Share | None = None


class Additionality(Strict):
    """What the deal adds beyond what would happen anyway (see docs/model.md, net impact)."""

    but_for: Share | None = Field(
        default=None,
        description="Probability a plant would not be built in the country without the deal "
        "(default: Bartik 2018 range).",
    )
    slack: Slack = Slack()
    unemployment_rate: Share | None = Field(
        default=None,
        description="Regional unemployment rate over the deal's years (default: Ontario, "
        "Labour Force Survey); scales the bundled slack shares.",
    )
    unemployment_reference: ReferenceRate | None = Field(
        default=None,
        description="Unemployment rate at which the bundled slack shares hold (default: "
        "Ontario's historical average, Labour Force Survey).",
    )
    in_migration: Share | None = Field(
        default=None,
        description="Share of the net new jobs taken by people who move in (not residents).",
    )
    ev_adoption_added: Share | None = Field(
        default=None,
        description="Share of the deal's home-sold vehicles that are EVs bought only because "
        "the deal changes prices or supply (default 0: the same EV demand in both worlds).",
    )
    mcpf: dict[str, MarginalCostOfFunds] = Field(
        default_factory=dict,
        description="Marginal cost of public funds by payer ({federal: 1.2, ontario: 1.3}); "
        "payers left out take the federal or the provincial default.",
    )


class Fiscal(Strict):
    """Fiscal inputs and conventions of the Crown ledger (``engine.ledger``)."""

    discount_rate: DiscountRate | None = None
    labour_tax_rate: Share | None = Field(
        default=None,
        description="Rescales both governments' revenue per dollar of labour income (the "
        "fiscal packs') so that they sum to this rate.",
    )
    corporate_tax_rate: Share | None = Field(
        default=None,
        description="Rescales both governments' corporate income tax rates (the fiscal "
        "packs') so that they sum to this manufacturing rate.",
    )
    profit_share: Share | None = Field(
        default=None,
        description="Share of the supply chain's and households' suppliers' operating surplus "
        "that is taxable corporate profit (the plants' own profit comes from their accounts).",
    )
    rules: tuple[str, ...] | None = Field(
        default=None,
        description="Fiscal rule packs (bundled names or YAML paths), in order; default: "
        "ca-fiscal-2024 plus the province's pack (ca-on-fiscal-2024 for CA-ON plants).",
    )
    statutory_credits: bool = Field(
        default=True,
        description="The home plants claim the Clean Technology Manufacturing and EV Supply "
        "Chain ITCs on their eligible capital (unless a deal declares an ITC for the plant).",
    )
    balance: Literal["discounted", "cumulative"] = Field(
        default="discounted",
        description="Break-even on the discounted balance, or on cumulative undiscounted "
        "dollars as budget offices state it.",
    )
    price_basis: Literal["real", "nominal"] = Field(
        default="real",
        description="Dollars of the price year (real) or of each year (nominal, at the "
        "bundled inflation path).",
    )
    production_basis: Literal["market", "company_plan"] = Field(
        default="market",
        description="Output limited by today's demand (market) or the companies' announced "
        "capacity and ramp at full utilisation (company_plan).",
    )
    debt_service: bool = Field(
        default=False, description="Report the interest cost of financing the outlays."
    )
    equipment_share_of_capex: Share | None = Field(
        default=None, description="Machinery and equipment share of capital (the rest: buildings)."
    )
    spending_share_of_after_tax_income: Share | None = None
    taxable_share_of_spending: Share | None = None
    production_tax_share_of_gdp: Share | None = None
    inflation_rate: uncertain(-0.05, 0.2) | None = None  # type: ignore[valid-type]
    borrowing_rate: DiscountRate | None = None


def _matrix_text(m: Any) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{v:g}" for v in row) + "]" for row in m) + "]"


class Correlation(Strict):
    """Rank (Spearman) correlations among uncertain inputs, keyed by their engine paths."""

    inputs: tuple[str, ...] = Field(
        description="Paths of uncertain inputs, e.g. market.regions.US.ev_share."
    )
    matrix: tuple[tuple[float, ...], ...] = Field(
        description="Spearman rank correlation matrix, one row per input, in the same order."
    )

    @model_validator(mode="after")
    def _valid_matrix(self) -> Correlation:
        n = len(self.inputs)
        if n < 2:
            raise ValueError(f"a correlation group needs at least 2 inputs, got {n}")
        repeated = sorted({p for p in self.inputs if self.inputs.count(p) > 1})
        if repeated:
            raise ValueError(f"inputs repeated within the group: {repeated}")
        rows = [len(row) for row in self.matrix]
        if len(rows) != n or any(r != n for r in rows):
            raise ValueError(
                f"matrix must be {n}x{n} for {n} inputs, got {len(rows)} row(s) of "
                f"{'/'.join(str(r) for r in sorted(set(rows))) or 0} value(s)"
            )
        m = np.array(self.matrix, dtype=float)
        outside = np.argwhere(~((m >= -1) & (m <= 1)))  # NaN included
        if len(outside):
            i, j = outside[0]
            raise ValueError(f"matrix[{i}][{j}] = {m[i, j]:g}: correlations lie in [-1, 1]")
        for i in range(n):
            if m[i, i] != 1:
                raise ValueError(f"matrix[{i}][{i}] = {m[i, i]:g}: the diagonal must be 1")
        asymmetric = np.argwhere(np.abs(m - m.T) > 1e-9)
        if len(asymmetric):
            i, j = asymmetric[0]
            raise ValueError(
                f"matrix is not symmetric: matrix[{i}][{j}] = {m[i, j]:g} but "
                f"matrix[{j}][{i}] = {m[j, i]:g}"
            )
        w = np.linalg.eigvalsh(m)
        if w[0] < -1e-9:
            raise ValueError(
                f"matrix is not positive semi-definite (eigenvalue {w[0]:.3g} < 0): these "
                f"correlations contradict each other; the nearest valid matrix is about "
                f"{_matrix_text(suggest_correlation(m))}"
            )
        w = np.linalg.eigvalsh(normal_correlation(m))
        if w[0] < -1e-9:
            raise ValueError(
                "matrix is valid but cannot be sampled: its normal-scale equivalent "
                f"2 sin(pi rho / 6) has eigenvalue {w[0]:.3g} < 0 (the Gaussian copula needs it "
                f"positive semi-definite); a close matrix that works is "
                f"{_matrix_text(suggest_correlation(m))}"
            )
        return self


#: rule packs a scenario with an empty ``trade`` section selects (see ``scenario.rules``)
DEFAULT_RULES = ("usmca-2020", "us-232-2025", "ca-surtax-2025", "ca-remission-2025")


class PlantTrade(Strict):
    """Origin and content of an assembly plant's vehicles; unset fields take the bundled
    defaults of ``trade_content.csv`` (each sourced or marked as an assumption)."""

    other_cells_originating: Share | None = Field(
        default=None,
        description="Originating share of the cells not supplied by linked plants of the "
        "scenario (imported cells: 0).",
    )
    trace_cathode: bool = Field(
        default=False,
        description="A North American cell counts as originating only for its cathode "
        "material's originating share (CAM supplied by linked North American CAM plants).",
    )
    pack_other_originating: Share | None = None
    other_core_share_of_net_cost: Share | None = None
    other_core_originating: Share | None = None
    other_originating: Share | None = None
    high_wage_share: Share | None = Field(
        default=None, description="LVC material and manufacturing expenditures at >= US$16/h."
    )
    technology_credit: Share | None = None
    steel_aluminium_originating: Share | None = None
    us_content_share: Share | None = Field(
        default=None, description="US content of the vehicle's value (Section 232 base)."
    )
    us_alternative_cost_share: Share | None = Field(
        default=None,
        description="Extra cost per vehicle of supplying the US from the group's other plant, "
        "as a share of the factory-gate value; above the duty per vehicle, the US is supplied "
        "from here.",
    )


class GroupTrade(Strict):
    """An automaker group's US-built vehicles sold in the home country (counter-tariff)."""

    us_import_share: Share | None = Field(
        default=None,
        description="Share of the group's home EV sales not built at home that comes from the US.",
    )
    us_cusma_share: Share | None = None
    us_vehicle_camx_content: Share | None = None


class Trade(Strict):
    """Trade regime: rule packs in order (later ones override earlier ones from their dates),
    and the content of each assembly plant's vehicles."""

    rules: tuple[str, ...] = Field(
        default=DEFAULT_RULES, description="Bundled rule pack names or YAML paths, in order."
    )
    plants: dict[str, PlantTrade] = Field(default_factory=dict)
    groups: dict[str, GroupTrade] = Field(default_factory=dict)


class Scenario(OmitEmpty):
    omit_if_empty = (
        "correlations",
        "disruptions",
        "mineral_projects",
        "trade",
        "additionality",
        "firms",
        "instrument",
    )

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str = ""
    description: str = ""
    hypothetical: str = Field(default="", description="What in this scenario is hypothetical.")
    counterfactual: str | None = Field(
        default="no-deal", description="Bundled name or YAML path of the world without the deal."
    )
    horizon: tuple[Year, Year]
    price_year: Year = 2026
    home_country: str = Field(default="CA", pattern=r"^[A-Z]{2}$")
    fx_cad_per_usd: uncertain(0.5, 3.0) | None = None  # type: ignore[valid-type]
    plants: tuple[Plant, ...] = ()
    deals: tuple[Deal, ...] = ()
    market: Market
    economy: Economy = Economy()
    fiscal: Fiscal = Fiscal()
    additionality: Additionality | None = Field(
        default=None,
        description="Additionality: but-for probability, labour-market slack, cost of public "
        "funds (bundled defaults when left out).",
    )
    emissions: Emissions = Emissions()
    correlations: tuple[Correlation, ...] = Field(
        default=(), description="Rank correlations among uncertain inputs, in groups."
    )
    disruptions: tuple[Disruption, ...] = Field(
        default=(), description="Supply cuts in the chain (see `evpact stress`)."
    )
    mineral_projects: tuple[MineralProject, ...] = Field(
        default=(), description="Home mineral projects added to domestic production."
    )
    firms: tuple[Firm, ...] = Field(
        default=(),
        description="Firms party to the deals: their home plant, alternatives and hurdle rate "
        "(bundled firms.csv for unset figures). With firms, each plant's but-for comes from "
        "their own comparison unless set by hand.",
    )
    instrument: tuple[str, ...] = Field(
        default=(),
        description="The deal's support the firms' negotiation zone scales, as incentive paths "
        "deals.<id>.incentives.<index> (default: every incentive of the firms' deals).",
    )
    trade: Trade | None = Field(
        default=None,
        description="Trade regime (rules of origin, tariffs); without it only the market's "
        "export_tariff friction applies. An empty mapping selects the default rule packs.",
    )
    sources: dict[str, str] = Field(
        default_factory=dict, description="Source of each figure, keyed by its path in this file."
    )
    _origin: Path | None = PrivateAttr(default=None)

    def _firms_consistent(self, kinds: Mapping[str, str]) -> None:
        """Each firm names a deal of the scenario and one of that deal's home plants, of the
        kind its role runs; a plant has at most one deciding firm."""
        ids = [f.id for f in self.firms]
        if len(set(ids)) != len(ids):
            raise ValueError(f"firm ids must be unique, got {ids}")
        deals = {d.id: d for d in self.deals}
        plants = {p.id: p for p in self.plants}
        seen: set[str] = set()
        for f in self.firms:
            where = f"firms.{f.id}"
            if f.deal not in deals:
                close = difflib.get_close_matches(f.deal, list(deals), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise ValueError(f"{where}.deal: unknown deal '{f.deal}'{hint}")
            if f.plant not in kinds:
                close = difflib.get_close_matches(f.plant, list(kinds), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise ValueError(f"{where}.plant: unknown plant '{f.plant}'{hint}")
            d = deals[f.deal]
            touched = {*d.plants, *(r.supplier for r in d.supply), *(r.customer for r in d.supply)}
            if f.plant not in touched | {i.plant for i in d.incentives}:
                raise ValueError(f"{where}.plant: '{f.plant}' is not a plant of deal '{f.deal}'")
            if plants[f.plant].country != self.home_country:
                raise ValueError(
                    f"{where}.plant: '{f.plant}' is not in the home country "
                    f"({self.home_country}); a firm's home plant is the one the deal wants"
                )
            want = "assembly" if f.role == "automaker" else "a battery plant"
            if (kinds[f.plant] == "assembly") != (f.role == "automaker"):
                raise ValueError(
                    f"{where}.plant: a {f.role.replace('_', ' ')} runs {want}, but "
                    f"'{f.plant}' is a {kinds[f.plant]} plant"
                )
            if f.plant in seen:
                raise ValueError(f"{where}.plant: '{f.plant}' already has a deciding firm")
            seen.add(f.plant)
            for a in f.alternatives:
                if a.us_45x and f.role != "battery_maker":
                    raise ValueError(
                        f"{where}.alternatives.{a.id}: 45X pays battery makers for cells and "
                        "modules, not automakers"
                    )
                if a.us_45x and a.country != "US":
                    raise ValueError(f"{where}.alternatives.{a.id}: 45X needs a US location")

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        first, last = self.horizon
        if last < first:
            raise ValueError(f"horizon ends ({last}) before it starts ({first})")
        if not (first >= 1990 and last <= 2100):
            raise ValueError("horizon must lie within 1990-2100")
        self._inside_horizon()
        ids = [p.id for p in self.plants]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"plant ids must be unique, repeated: {dupes}")
        deal_ids = [d.id for d in self.deals]
        if len(set(deal_ids)) != len(deal_ids):
            raise ValueError("deal ids must be unique")
        kinds = {p.id: p.kind for p in self.plants}

        def known(ref: str, where: str, want: str | None = None) -> None:
            if ref not in kinds:
                close = difflib.get_close_matches(ref, ids, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise ValueError(f"{where}: unknown plant '{ref}'{hint}")
            if want == "battery" and kinds[ref] not in BATTERY_KINDS:
                raise ValueError(f"{where}: plant '{ref}' is a {kinds[ref]}, not a battery plant")

        for d in self.deals:
            for ref in d.plants:
                known(ref, f"deals.{d.id}.plants")
            for r in d.supply:
                known(r.supplier, f"deals.{d.id}.supply", "battery")
                known(r.customer, f"deals.{d.id}.supply")
                if r.supplier == r.customer:
                    raise ValueError(f"deals.{d.id}.supply: a plant cannot supply itself")
            if d.linkage is not None:
                known(d.linkage.plant, f"deals.{d.id}.linkage.plant", "battery")
            for inc in d.incentives:
                known(inc.plant, f"deals.{d.id}.incentives")
                if inc.kind == "per_vehicle" and kinds[inc.plant] != "assembly":
                    raise ValueError(f"deals.{d.id}: per_vehicle support needs an assembly plant")
                if inc.kind == "production_credit" and kinds[inc.plant] not in ("cell", "module"):
                    raise ValueError(
                        f"deals.{d.id}: a production credit pays per kWh of cells or modules, "
                        f"but '{inc.plant}' is a {kinds[inc.plant]} plant"
                    )
        self._firms_consistent(kinds)
        grouped: dict[str, int] = {}
        for g, group in enumerate(self.correlations):
            for path in group.inputs:
                if path in grouped:
                    raise ValueError(
                        f"correlations.{g}: input '{path}' is already in correlations."
                        f"{grouped[path]}; an input belongs to at most one group (merge them)"
                    )
                grouped[path] = g
        if self.trade is not None:
            for pid in self.trade.plants:
                if kinds.get(pid) != "assembly":
                    close = difflib.get_close_matches(pid, ids, n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise ValueError(f"trade.plants: '{pid}' is not an assembly plant{hint}")
            us = self.market.regions.get("US")
            if us is not None and not (
                us.export_tariff.is_fixed and us.export_tariff.central == 0.0
            ):
                raise ValueError(
                    "market.regions.US.export_tariff: with a trade section the US duty comes "
                    "from the rule packs (us-232-2025); remove export_tariff"
                )
        for p in self.plants:
            if p.kind == "assembly":
                for region in p.markets:
                    if region not in self.market.regions:
                        raise ValueError(
                            f"plants.{p.id}.markets: region '{region}' is not in market.regions "
                            f"({', '.join(self.market.regions)})"
                        )
                    if p.group not in self.market.regions[region].group_share:
                        raise ValueError(
                            f"plants.{p.id}: market.regions.{region}.group_share has no "
                            f"share for group '{p.group}'"
                        )
            for o in p.offtake:
                if o.region != self.home_country and o.region not in self.market.regions:
                    raise ValueError(
                        f"plants.{p.id}.offtake: region '{o.region}' is not in market.regions"
                    )
        return self

    def _inside_horizon(self) -> None:
        """Years a mechanism needs inside the horizon: outside it the mechanism would do
        nothing, silently (a plant that never produces, a linkage never measured while its
        conditional credit is paid in full, a cut that never happens)."""
        first, last = self.horizon
        span = f"the horizon ({first}-{last})"
        for p in self.plants:
            if p.start.support[0] >= last + 1:
                raise ValueError(
                    f"plants.{p.id}.start: the plant starts after {span} ends "
                    f"(earliest {p.start.support[0]:g}): it would never produce; "
                    "extend the horizon or remove the plant"
                )
        for m in self.mineral_projects:
            if m.start.support[0] >= last + 1:
                raise ValueError(
                    f"mineral_projects.{m.id}.start: the project starts after {span} ends "
                    f"(earliest {m.start.support[0]:g}): it would never produce"
                )
        for d in self.deals:
            if d.linkage is not None and d.linkage.from_year > last:
                raise ValueError(
                    f"deals.{d.id}.linkage.from: {d.linkage.from_year} is after {span}: the "
                    "linkage would never be measured and conditional support would be paid "
                    "in full"
                )
        for i, cut in enumerate(self.disruptions):
            if not first <= cut.year <= last:
                raise ValueError(
                    f"disruptions.{i}.year: {cut.year} is outside {span}: the cut would "
                    "never happen"
                )

    @property
    def years(self) -> range:
        return range(self.horizon[0], self.horizon[1] + 1)


__all__ = [
    "BATTERY_KINDS",
    "DEFAULT_RULES",
    "STAGES",
    "Correlation",
    "Deal",
    "Disruption",
    "Dist",
    "Incentive",
    "Plant",
    "Scenario",
    "Trade",
]
