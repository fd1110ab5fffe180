# ruff: noqa: RUF001  (equations are quoted from docs/model.md with its own signs)
"""Explain a metric: which scenario inputs and which equations of docs/model.md produce it.

A small hand-kept map (model.md is the source of every equation quoted here); a metric the
engine reports but the map does not know yet still gets its unit, description and the
summary-metrics table of model.md.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..engine.compile import MINERALS
from ..errors import EvpactError

DOC = "docs/model.md"
SUMMARY = f"{DOC}#summary-metrics"
FISCAL = f"{DOC}#6-fiscal"
LEDGER = f"{DOC}#the-crown-ledger-engineledgerpy"
ECONOMY = f"{DOC}#5-economy"
BATTERY = f"{DOC}#3-battery-plants"
ASSEMBLY = f"{DOC}#2-assembly-plants"
LINKAGE = f"{DOC}#linkage-compliance"
COST = f"{DOC}#public-cost"
CHAPTER8 = f"{DOC}#8-minerals-chain-map-and-stress-tests-emissions-charging"
CHAIN = f"{DOC}#chain-map"
LEARNING = f"{DOC}#learning-optional"
ORIGIN = f"{DOC}#rules-of-origin-engineoriginpy-per-assembly-plant-a-and-year"
TARIFFS = f"{DOC}#tariffs-enginetariffspy"
NET = f"{DOC}#6b-net-impact-engineadditionalitypy"
NET_INPUTS = (
    "additionality.but_for",
    "deals.*.but_for",
    "plants.*.but_for",
    "additionality.slack",
    "additionality.unemployment_rate",
    "additionality.in_migration",
    "additionality.mcpf",
    "fiscal.rules",
    "reference: additionality.csv",
)
TRADE = ["trade.rules", "trade.plants", "trade.groups", "reference: trade_content.csv"]

PLANTS = [
    "plants.*.capacity_gwh",
    "plants.*.capacity_vehicles",
    "plants.*.start",
    "plants.*.ramp_years",
    "plants.*.yield",
    "plants.*.offtake",
]
MARKET = [
    "market.regions.*.lv_sales",
    "market.regions.*.ev_share",
    "market.regions.*.group_share",
    "plants.*.markets",
]
INCENTIVES = [
    "deals.*.incentives",
    "deals.*.linkage",
    "fx_cad_per_usd",
    "reference: incentive_schedules.csv",
]
ECON = [
    "economy.multipliers",
    "economy.cell_price_usd_per_kwh",
    "economy.ev_price_cad",
    "economy.factory_gate_share",
    "economy.pack_price_premium_over_cell",
    "economy.module_share_of_pack_premium",
    "reference: multipliers.csv",
    "reference: prices.csv",
]
TAX = [
    "fiscal.rules",
    "fiscal.labour_tax_rate",
    "fiscal.profit_share",
    "fiscal.corporate_tax_rate",
    "fiscal.equipment_share_of_capex",
    "plants.*.capex_cad",
    "deals.*.incentives.*.tax_exempt",
    "reference: ledger.csv",
    "reference: fiscal.csv",
]
DISCOUNT = ["fiscal.discount_rate", "fiscal.balance", "fiscal.price_basis"]


@dataclass(frozen=True)
class Explanation:
    equation: str
    inputs: tuple[str, ...]
    variables: tuple[str, ...]
    docs: str


def _entries() -> dict[str, Explanation]:
    e: dict[str, Explanation] = {
        "direct_jobs_peak": Explanation(
            "max_t Δdirect_jobs_t",
            (*PLANTS, *MARKET, "plants.*.direct_jobs"),
            ("direct_jobs",),
            ECONOMY,
        ),
        "total_jobs_peak": Explanation(
            "max_t Δ(direct + indirect + induced jobs)_t; indirect = J × (type1 − 1), "
            "induced = J × (type2 − type1)",
            (*PLANTS, *MARKET, *ECON),
            ("direct_jobs", "indirect_jobs", "induced_jobs"),
            ECONOMY,
        ),
        "gdp_cumulative": Explanation(
            "Σ_t Δ(gdp_direct + gdp_indirect + gdp_induced)_t, GDP direct = Y × "
            "gdp_per_output_direct; Y = cells plus modules, vehicles at the factory gate",
            (*PLANTS, *MARKET, *ECON),
            ("gdp_direct", "gdp_indirect", "gdp_induced"),
            ECONOMY,
        ),
        "labour_income_cumulative": Explanation(
            "Σ_t Δ(labour income, all layers)_t; direct = J × average_annual_earnings_cad, "
            "indirect and induced by the labour-income ratios' Type I and II",
            (*PLANTS, *MARKET, *ECON),
            ("labour_income_direct", "labour_income_indirect", "labour_income_induced"),
            ECONOMY,
        ),
        "public_cost_npv": Explanation(
            "Σ_t Δpublic_cost_t × δ_t, public_cost = incentive_paid − clawback_repaid, "
            "δ_t = (1 + r)^−(t − t0)",
            (*INCENTIVES, *PLANTS, *DISCOUNT),
            ("incentive_paid", "clawback_repaid", "public_cost"),
            COST,
        ),
        "public_cost_cumulative": Explanation(
            "Σ_t Δpublic_cost_t", (*INCENTIVES, *PLANTS), ("public_cost",), COST
        ),
        "clawback_cumulative": Explanation(
            "Σ_t Δclawback_repaid_t; pro_rata repays G × f_t / W",
            (
                "deals.*.incentives.*.clawback",
                "deals.*.incentives.*.clawback_years",
                "deals.*.linkage",
            ),
            ("clawback_repaid",),
            f"{DOC}#clawbacks-capital-grants-and-investment-tax-credits-only",
        ),
        "battery_output_gwh_cumulative": Explanation(
            "Σ_t Δbattery_output_gwh_t; Q = min(K × ramp × yield, local + export demand)",
            (*PLANTS, *MARKET),
            ("battery_output_gwh",),
            BATTERY,
        ),
        "vehicles_assembled_cumulative": Explanation(
            "Σ_t Δvehicles_assembled_t; V = min(capacity × ramp, allocated demand)",
            (*PLANTS, *MARKET),
            ("vehicles_assembled",),
            ASSEMBLY,
        ),
        "local_absorption_share": Explanation(
            "Σ_t battery_local_gwh / Σ_t battery_output_gwh (scenario level)",
            (*PLANTS, *MARKET, "deals.*.supply"),
            ("battery_local_gwh", "battery_output_gwh"),
            BATTERY,
        ),
        "linkage_met_share": Explanation(
            "measured deal-years with linkage_met = 1 over all measured deal-years; "
            "met_t = 1{R_t ≥ θ}, R_t = S(num)_t / S(den)_t",
            (
                "deals.*.linkage.threshold",
                "deals.*.linkage.from",
                "deals.*.linkage.window",
                "deals.*.linkage.kind",
                "deals.*.supply",
                *PLANTS,
                *MARKET,
            ),
            ("linkage_met",),
            LINKAGE,
        ),
        "linkage_holds_over_deal": Explanation(
            "1 if no deal's linkage fails in any measured year, else 0",
            ("deals.*.linkage", *PLANTS, *MARKET),
            ("linkage_met",),
            LINKAGE,
        ),
        "linkage_first_failure_year": Explanation(
            "first year in which any deal's linkage fails; NaN if it never fails",
            ("deals.*.linkage", *PLANTS, *MARKET),
            ("linkage_met",),
            LINKAGE,
        ),
        "co2e_manufacturing_cumulative": Explanation(
            "Σ_t Δ Σ_b Y[b]_t × 1e3 × (E × (e × g[b] / 1e3 + (1 − e) × h) + M)",
            (
                "plants.*.grid_gco2e_per_kwh",
                "emissions.cell_manufacturing_energy_kwh_per_kwh",
                "emissions.electricity_share_of_cell_manufacturing_energy",
                "emissions.process_heat_kg_co2e_per_kwh",
                "emissions.upstream_materials_kg_co2e_per_kwh",
                "reference: grid_intensity.csv",
                "reference: emissions.csv",
                *PLANTS,
            ),
            ("co2e_manufacturing_t",),
            CHAPTER8,
        ),
        "co2e_avoided_cumulative": Explanation(
            "Σ_t Δ(a × V^home_t) × L × (gasoline_g_per_km − bev_g_per_km) / 1e6, "
            "a = additionality.ev_adoption_added",
            (
                "additionality.ev_adoption_added",
                "emissions.vehicle_lifetime_km",
                "emissions.gasoline_car_lifecycle_g_per_km",
                "emissions.bev_lifecycle_g_per_km",
                *PLANTS,
                *MARKET,
            ),
            ("co2e_avoided_attributable_t",),
            CHAPTER8,
        ),
        **{
            name: Explanation(equation, NET_INPUTS, variables, NET)
            for name, equation, variables in (
                ("net_jobs_peak", "max_t Σ_L b_t σ_L Δjobs_L,t", ("but_for",)),
                (
                    "net_labour_income_cumulative",
                    "Σ_t Σ_L b_t σ_L ΔLI_L,t",
                    ("but_for",),
                ),
                (
                    "net_tax_revenue_npv",
                    "Σ_t b_t (Δtax_t − λ Σ_L (1 − σ_L) ΔLI_L,t) δ_t",
                    ("but_for", "tax_total"),
                ),
                (
                    "net_public_benefit_npv",
                    "Σ_t (resident_gain_t + net_tax_t − Δpublic_cost_t − excess_burden_t) δ_t",
                    ("but_for", "public_cost", "excess_burden"),
                ),
                (
                    "benefit_cost_ratio",
                    "Σ_t (resident_gain_t + net_tax_t) δ_t / Σ_t (Δpublic_cost_t + "
                    "excess_burden_t) δ_t",
                    ("but_for", "public_cost", "excess_burden"),
                ),
                (
                    "public_cost_per_net_job",
                    "public_cost_npv / net_jobs_peak",
                    ("but_for", "public_cost"),
                ),
                (
                    "deadweight_share",
                    "Σ_t Σ_inc (1 − b_plant) cost_inc,t δ_t / public_cost_npv",
                    ("public_cost_deadweight", "public_cost"),
                ),
            )
        },
        "co2e_avoided_by_vehicles_built": Explanation(
            "Σ_t ΔV_t × L × (gasoline_g_per_km − bev_g_per_km) / 1e6",
            (
                "emissions.vehicle_lifetime_km",
                "emissions.gasoline_car_lifecycle_g_per_km",
                "emissions.bev_lifecycle_g_per_km",
                *PLANTS,
                *MARKET,
            ),
            ("co2e_avoided_t",),
            CHAPTER8,
        ),
        "domestic_chain_share": Explanation(
            "mean over deals of (mean over the deal's stages of s[k, home]) (scenario level)",
            ("deals.*.chain", "deals.*.plants", "reference: trade_partners.csv"),
            (),
            CHAIN,
        ),
        "chain_hhi_max": Explanation(
            "max over sourced stages of Σ_(c ≠ ZZ) (100 × s[k,c])² (scenario level)",
            ("deals.*.chain",),
            (),
            CHAIN,
        ),
        "rvc_margin": Explanation(
            "lowest home assembly plant's Σ_t V_a,t × 100 (RVC_a,t − T_t) / Σ_t V_a,t "
            "(scenario level; RVC by net cost, the pack's origin following its cells)",
            (*TRADE, "deals.*.supply", *PLANTS),
            ("rvc_pct",),
            ORIGIN,
        ),
        "usmca_qualifying_share": Explanation(
            "Σ_t vehicles_usmca_qualifying_t / Σ_t home assembly output_t (scenario level)",
            (*TRADE, "deals.*.supply", *PLANTS),
            ("vehicles_usmca_qualifying", "vehicles_assembled"),
            ORIGIN,
        ),
        "us_tariff_cost_cumulative": Explanation(
            "Σ_t Δus_tariff_cost_cad_t; duty = rate × value for duty of US exports, on non-US "
            "content only for qualifying vehicles",
            (*TRADE, *PLANTS, *MARKET, "economy.value_for_duty_share"),
            ("us_tariff_cost_cad",),
            TARIFFS,
        ),
        "remission_value_cumulative": Explanation(
            "Σ_t Δremission_value_cad_t: the counter-tariff the groups avoid on imports, "
            "capped by their CUSMA imports",
            (*TRADE, *PLANTS, *MARKET),
            ("remission_value_cad",),
            TARIFFS,
        ),
        "learning_margin_cumulative": Explanation(
            "Σ_t Δ value[b]_t × cost_share × (1 − index_t), index_t = (E_t / E_0)^log2(1 − rate)",
            ("economy.learning", "reference: learning.csv", *PLANTS, *ECON),
            ("learning_margin", "cell_cost_index"),
            LEARNING,
        ),
    }
    for scope in ("plant", "supply_chain", "total"):
        suffix = "" if scope == "total" else f"_{scope}"
        tax = f"Σ_t Δtax_{scope},t × δ_t, tax = Σ_g Σ revenue lines of the Crown ledger in scope"
        e[f"tax_revenue_npv{suffix}"] = Explanation(
            tax, (*TAX, *ECON, *PLANTS, *DISCOUNT), (f"tax_{scope}",), LEDGER
        )
        e[f"fiscal_net_npv{suffix}"] = Explanation(
            f"tax_revenue_npv{suffix} − public_cost_npv",
            (*TAX, *ECON, *INCENTIVES, *PLANTS, *DISCOUNT),
            (f"tax_{scope}", "public_cost"),
            FISCAL,
        )
        e[f"fiscal_breakeven_year_{scope}"] = Explanation(
            f"the year after the last year with Z_t < −tol, Z_t = Σ_(u≤t) (Δtax_{scope},u − "
            "Δpublic_cost_u) × δ_u; NaN if year T is negative",
            (*TAX, *INCENTIVES, *DISCOUNT),
            (f"tax_{scope}", "public_cost"),
            FISCAL,
        )
    for g in ("federal", "provincial"):
        e[f"public_cost_npv_{g}"] = Explanation(
            f"Σ_t Δ(outlays + refundable credits)_{g},t × δ_t",
            (*INCENTIVES, *TAX, *PLANTS, *DISCOUNT),
            ("crown_totals", "crown_ledger"),
            LEDGER,
        )
        e[f"tax_revenue_npv_{g}"] = Explanation(
            f"Σ_t Δrevenue_{g},t × δ_t (corporate, labour, sales, production taxes, customs)",
            (*TAX, *ECON, *PLANTS, *DISCOUNT),
            ("crown_totals", "crown_ledger"),
            LEDGER,
        )
        for scope in ("plant", "supply_chain", "total"):
            suffix = "" if scope == "total" else f"_{scope}"
            e[f"fiscal_net_npv_{g}{suffix}"] = Explanation(
                f"Σ_t (Δrevenue_{g},{scope},t − Δcost_{g},t) × δ_t",
                (*TAX, *ECON, *INCENTIVES, *PLANTS, *DISCOUNT),
                ("crown_totals",),
                LEDGER,
            )
            e[f"fiscal_breakeven_year_{g}{suffix}"] = Explanation(
                f"the year after the last year with Z_t < −tol, Z_t = Σ_(u≤t) (Δrevenue_{g},"
                f"{scope},u − Δcost_{g},u) × w_u, w = δ (discounted) or 1 (cumulative)",
                (*TAX, *INCENTIVES, *DISCOUNT),
                ("crown_totals",),
                LEDGER,
            )
    e["tax_expenditure_npv"] = Explanation(
        "Σ_t Σ_g Δ(refundable credits + foregone revenue)_g,t × δ_t; foregone revenue = the "
        "CIT each preference removes, stacked: exemption, accelerated CCA, reduced rate",
        (*TAX, *INCENTIVES, *PLANTS, *DISCOUNT),
        ("crown_totals", "crown_ledger"),
        LEDGER,
    )
    e["total_support_npv"] = Explanation(
        "public_cost_npv + Σ_g foregone revenue NPV",
        (*TAX, *INCENTIVES, *PLANTS, *DISCOUNT),
        ("crown_totals",),
        LEDGER,
    )
    for m in MINERALS:
        e[f"mineral_{m}_cumulative"] = Explanation(
            f"Σ_t Δ Σ_b Y[b]_t × 1e6 × k[b,{m}] / 1e3, k = Σ_c share[b,c] × kg_per_kwh[c,{m}]",
            ("plants.*.chemistry", "reference: chemistries.csv", *PLANTS),
            (f"mineral_{m}_t",),
            CHAPTER8,
        )
        e[f"mineral_coverage_{m}"] = Explanation(
            f"Σ_t P[{m}]_t / Σ_t mineral_{m}_t (scenario level)",
            ("reference: mineral_production.csv", "mineral_projects", "plants.*.chemistry"),
            (f"mineral_{m}_t",),
            CHAPTER8,
        )
    for year in (2030, 2035):
        e[f"evs_per_public_port_{year}"] = Explanation(
            "stock_t / ports_t, stock_t = stock_(t−1) × (1 − scrappage) + lv_sales_t × ev_share_t",
            ("market.charging", "reference: charging.csv", *MARKET),
            ("ev_stock", "evs_per_public_port"),
            CHAPTER8,
        )
    return e


EXPLAINED = _entries()


@cache
def reported_metrics() -> dict[str, tuple[str, str]]:
    """Every metric a run reports, with its unit and description (one deterministic run)."""
    from ..api import simulate

    results = simulate("canada-korea-2026", deterministic=True)
    return {name: (m.unit, m.description) for name, m in results.metrics.items()}


def _base(name: str) -> str:
    """``..._reached_share`` companions are explained by the metric they count."""
    return name.removesuffix("_reached_share")


def explain(name: str) -> dict[str, Any]:
    known = reported_metrics()
    if name not in known and name not in EXPLAINED:
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise EvpactError(f"unknown metric '{name}'{hint}; GET /api/metrics lists them")
    unit, description = known.get(name, ("", ""))
    entry = EXPLAINED.get(name) or EXPLAINED.get(_base(name))
    out: dict[str, Any] = {"metric": name, "unit": unit, "description": description}
    if entry is None:
        out.update(equation=None, inputs=[], variables=[], docs=SUMMARY)
    else:
        out.update(
            equation=entry.equation,
            inputs=list(entry.inputs),
            variables=list(entry.variables),
            docs=entry.docs,
        )
    if name.endswith("_reached_share"):
        out["equation"] = f"1 if {_base(name)} exists for the draw (within the horizon), else 0"
    return out
