"""Plain words for metric names and units, one table for every view (reports, web, CLI).

A reader sees "Public cost, present value, C$ 2026", never ``public_cost_npv`` in
``CAD_2026``; raw names stay in appendices and JSON. Metrics that come in families (per
scope, government, mineral, year) get their labels from the same loops that name them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engine.compile import MINERALS
from .metrics import PORT_YEARS

#: accounting scopes of the fiscal metrics (``metrics.SCOPES``), in words
SCOPE_WORDS = {
    "plant": "plants only",
    "supply_chain": "plants and supply chain",
    "total": "plants, supply chain and induced spending",
}
#: levels of government of the fiscal metrics split by who pays and receives
GOVERNMENTS = {"federal": "federal government", "provincial": "provincial government"}

UNITS = {
    "jobs": "jobs",
    "share": "%",
    "year": "year",
    "GWh": "GWh",
    "vehicles": "vehicles",
    "tCO2e": "t CO2e",
    "t": "tonnes",
    "ratio": "ratio",
    "pp": "percentage points",
    "HHI": "index 0-10,000",
    "evs_per_port": "EVs per port",
    "scale": "x the instrument as written",
}
#: per-firm metrics (``<prefix><firm id>``, engine.firms): the label with the firm's id
FIRM_FAMILIES = {
    "firm_accepts_share_": ("Chance {} accepts the deal", "its advantage reaches its premium"),
    "firm_npv_advantage_": (
        "Advantage to {} of the deal over its best alternative, present value",
        "at its hurdle rate",
    ),
    "but_for_share_": ("Chance {} would not build at home without the deal", ""),
}


@dataclass(frozen=True)
class Label:
    """What a metric is, in words, and what it is not (the note says the catch, if any)."""

    text: str
    note: str = ""


def unit_text(unit: str) -> str:
    """``CAD_2026`` -> ``C$ 2026`` (real Canadian dollars of 2026); others from ``UNITS``."""
    m = re.fullmatch(r"CAD_(\d{4})", unit)
    if m:
        return f"C$ {m.group(1)}"
    if unit == "CAD_nominal":
        return "C$ of each year"
    return UNITS.get(unit, unit.replace("_", " "))


def _families() -> dict[str, Label]:
    out: dict[str, Label] = {}
    for scope, words in SCOPE_WORDS.items():
        suffix = "" if scope == "total" else f"_{scope}"
        out[f"tax_revenue_npv{suffix}"] = Label(f"Tax revenue, present value ({words})")
        out[f"fiscal_net_npv{suffix}"] = Label(
            f"Net fiscal balance, present value ({words})", "tax revenue less public cost"
        )
        out[f"fiscal_breakeven_year_{scope}"] = Label(
            f"Fiscal break-even year ({words})",
            "first year the balance (discounted or cumulative, per the run's fiscal "
            "conventions) stays at or above zero",
        )
        out[f"fiscal_breakeven_year_{scope}_reached_share"] = Label(
            f"Chance of breaking even within the horizon ({words})"
        )
    for gov, words in GOVERNMENTS.items():
        out[f"public_cost_npv_{gov}"] = Label(f"Public cost, present value, {words}")
        out[f"public_cost_cumulative_{gov}"] = Label(f"Public cost, undiscounted sum, {words}")
        out[f"tax_revenue_npv_{gov}"] = Label(f"Tax revenue, present value, {words}")
        out[f"fiscal_net_npv_{gov}"] = Label(
            f"Net fiscal balance, present value, {words}", "tax revenue less public cost"
        )
        out[f"fiscal_breakeven_year_{gov}"] = Label(f"Fiscal break-even year, {words}")
        out[f"fiscal_breakeven_year_{gov}_reached_share"] = Label(
            f"Chance of breaking even within the horizon, {words}"
        )
        for scope, scope_words in SCOPE_WORDS.items():
            if scope == "total":
                continue
            out[f"fiscal_net_npv_{gov}_{scope}"] = Label(
                f"Net fiscal balance, present value, {words} ({scope_words})"
            )
            out[f"fiscal_breakeven_year_{gov}_{scope}"] = Label(
                f"Fiscal break-even year, {words} ({scope_words})"
            )
            out[f"fiscal_breakeven_year_{gov}_{scope}_reached_share"] = Label(
                f"Chance of breaking even within the horizon, {words} ({scope_words})"
            )
    for m in MINERALS:
        out[f"mineral_coverage_{m}"] = Label(
            f"Home {m} production over the {m} the cell plants need"
        )
        out[f"mineral_{m}_cumulative"] = Label(f"{m.capitalize()} in the cells made, sum")
    for year in PORT_YEARS:
        out[f"evs_per_public_port_{year}"] = Label(
            f"Electric vehicles per public charging port, end of {year}"
        )
    return out


LABELS: dict[str, Label] = {
    "direct_jobs_peak": Label("Direct jobs at peak", "highest year"),
    "total_jobs_peak": Label(
        "Jobs at peak, direct, indirect and induced", "highest year; gross of displacement"
    ),
    "net_jobs_peak": Label(
        "Jobs at peak, net",
        "only jobs that would not exist without the deal: but-for x slack share x gross",
    ),
    "net_labour_income_cumulative": Label(
        "Labour income, net, sum over the horizon", "but-for x slack share x gross"
    ),
    "net_tax_revenue_npv": Label(
        "Tax revenue, net, present value", "without plants built anyway or workers' old taxes"
    ),
    "public_benefit_npv": Label(
        "Public benefit, gross, present value",
        "residents' after-tax labour income + tax revenue - public cost",
    ),
    "benefit_cost_ratio": Label(
        "Benefit-cost ratio, net", "net income gains and tax over public cost and excess burden"
    ),
    "benefit_cost_ratio_gross": Label("Benefit-cost ratio, gross"),
    "public_cost_per_net_job": Label("Public cost per net job at peak, present value"),
    "public_cost_per_job": Label("Public cost per job at peak, gross, present value"),
    "deadweight_share": Label(
        "Share of the deal's payments that go to plants built anyway",
        "1 - but-for, payment-weighted",
    ),
    "excess_burden_npv": Label(
        "Excess burden of raising the public cost, present value", "(MCPF - 1) x public cost"
    ),
    "gdp_cumulative": Label("GDP, sum over the horizon"),
    "labour_income_cumulative": Label("Labour income, sum over the horizon"),
    "public_cost_npv": Label(
        "Public cost, present value", "outlays and refundable credits less clawbacks"
    ),
    "public_cost_cumulative": Label(
        "Public cost, undiscounted sum", "outlays and refundable credits less clawbacks"
    ),
    "tax_expenditure_npv": Label(
        "Tax expenditures, present value", "refundable credits and revenue foregone"
    ),
    "total_support_npv": Label(
        "Total public support, present value", "public cost plus revenue foregone"
    ),
    "debt_service_npv": Label(
        "Interest on financing the public cost, present value", "outside the balance"
    ),
    "fiscal_balance_cumulative": Label("Net fiscal balance, undiscounted sum"),
    "clawback_cumulative": Label("Clawbacks repaid, sum"),
    "net_public_benefit_npv": Label(
        "Public benefit, net, present value",
        "residents' income gains + net fiscal effect - excess burden of the public cost",
    ),
    "battery_output_gwh_cumulative": Label("Battery cells made, sum over the horizon"),
    "learning_margin_cumulative": Label("Cell plants' margin from learning, sum"),
    "vehicles_assembled_cumulative": Label("Vehicles assembled, sum over the horizon"),
    "local_absorption_share": Label("Cell output installed in vehicles assembled at home"),
    "linkage_met_share": Label("Measured years in which the linkage holds"),
    "linkage_holds_over_deal": Label(
        "Linkage holds in every year of the deal", "its mean is the probability"
    ),
    "linkage_first_failure_year": Label("First year the linkage fails"),
    "linkage_first_failure_year_reached_share": Label("Chance the linkage fails at least once"),
    "domestic_chain_share": Label("Domestic share of the deals' battery chains"),
    "chain_hhi_max": Label("Concentration of the most concentrated chain stage (HHI)"),
    "co2e_manufacturing_cumulative": Label("Cell manufacturing emissions, sum"),
    "co2e_avoided_cumulative": Label(
        "Emissions avoided because of the deal, sum",
        "only EV adoption the deal adds; 0 unless the scenario says it changes prices or supply",
    ),
    "co2e_avoided_by_vehicles_built": Label(
        "Emissions the vehicles built avoid, sum",
        "not caused by the deal: the same EVs would be driven, built elsewhere",
    ),
    "rvc_margin": Label(
        "Regional value content above the USMCA threshold", "lowest home assembly plant"
    ),
    "usmca_qualifying_share": Label("Home-assembled vehicles that qualify under USMCA"),
    "us_tariff_cost_cumulative": Label("US duties on exports, sum"),
    "ca_counter_tariff_cumulative": Label("Canadian surtax on US imports before remission, sum"),
    "remission_value_cumulative": Label("Surtax remitted to firms that build at home, sum"),
    "but_for_share": Label(
        "Chance the deal's plants would not be built without it (but-for)",
        "from the firms' own comparison when the scenario declares firms",
    ),
    "firm_accepts_share": Label("Chance every firm accepts the deal"),
    "firm_npv_advantage": Label(
        "Firms' joint advantage from the deal, present value", "each at its own hurdle rate"
    ),
    "zopa_exists_share": Label(
        "Chance a negotiation zone exists",
        "the support every firm accepts leaves the net public benefit >= 0",
    ),
    "zopa_support_scale_min": Label(
        "Smallest scale of the instrument every firm accepts", "1 = the terms as written"
    ),
    "zopa_net_public_benefit_npv_at_min": Label(
        "Public benefit, net, at the smallest support every firm accepts"
    ),
    **_families(),
}


def _firm_label(name: str) -> Label | None:
    for prefix, (text, note) in FIRM_FAMILIES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            return Label(text.format(name[len(prefix) :]), note)
    return None


def has_label(name: str) -> bool:
    return name in LABELS or _firm_label(name) is not None


def label(name: str) -> str:
    """The metric in words; a name without a label reads as its words (never an error, so a
    new metric shows up in reports before it has a label; a test keeps the table complete)."""
    known = LABELS.get(name) or _firm_label(name)
    if known is not None:
        return known.text
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def titled(name: str, unit: str) -> str:
    """``Public cost, present value, C$ 2026``: the label with its unit."""
    return f"{label(name)}, {unit_text(unit)}"


__all__ = ["LABELS", "Label", "has_label", "label", "titled", "unit_text"]
