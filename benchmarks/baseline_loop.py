"""The evpact model as a plain per-draw Python loop: the baseline the vectorised engine is
measured against (``bench_draws_per_second.py``) and checked against (``tests/test_baseline.py``).

This is how an analyst would write the model without numpy: for each draw, for each year, for
each plant, with plain floats and ``math``. It is written from ``docs/model.md`` (sections 1-6
and the summary metrics), not from ``engine/``, so agreement is an independent check of both.
It takes the same inputs as the engine: the scenario and its counterfactual are compiled with
``compile_scenario`` and sampled with ``sampling.sample`` (numpy draws the inputs; every
computation after that is scalar Python).

Run: ``python benchmarks/baseline_loop.py [draws] [seed]`` prints the metrics' means.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any

from evpact.engine.compile import Model, PlantSpec, compile_scenario
from evpact.scenario.load import load_counterfactual, load_scenario
from evpact.uncertainty.sampling import sample

Value = float | list[float]  # one input of one draw: a number, or a yearly path
Draw = dict[str, Value]
Yearly = dict[str, list[float]]

SCENARIO = "canada-korea-2026"
SEED = 20260129  # evpact's default seed
#: the loop implements the foundation's market friction, not the trade rules (USMCA origin,
#: Section 232, remission: those are checked by the YAML expert cases). Like for like is
#: canada-korea-2026 without its trade section and with the export friction it had before
#: (a 25% US tariff on a uniform 20-60% exposed share)
FOUNDATION: dict[str, Any] = {
    "trade": None,
    "market.regions.US.export_tariff": 0.25,
    "market.regions.US.tariff_exposed_share": {"uniform": [0.2, 0.6]},
}
SCOPES = ("plant", "supply_chain", "total")
GOVERNMENTS = ("federal", "provincial")
LAYERS = ("direct", "indirect", "induced")
#: the metrics this baseline computes, all named as in ``Results.metrics``
METRICS = (
    "direct_jobs_peak",
    "total_jobs_peak",
    "gdp_cumulative",
    "labour_income_cumulative",
    "public_cost_npv",
    "public_cost_cumulative",
    "clawback_cumulative",
    "tax_revenue_npv_plant",
    "tax_revenue_npv_supply_chain",
    "tax_revenue_npv",
    "fiscal_net_npv_plant",
    "fiscal_net_npv_supply_chain",
    "fiscal_net_npv",
    "fiscal_breakeven_year_plant",
    "fiscal_breakeven_year_supply_chain",
    "fiscal_breakeven_year_total",
    "public_cost_npv_federal",
    "public_cost_npv_provincial",
    "tax_revenue_npv_federal",
    "tax_revenue_npv_provincial",
    "fiscal_breakeven_year_federal",
    "fiscal_breakeven_year_provincial",
    "tax_expenditure_npv",
    "battery_output_gwh_cumulative",
    "vehicles_assembled_cumulative",
    "local_absorption_share",
    "linkage_met_share",
)


# --- inputs: numpy arrays from the sampler, read into plain Python per draw ------------------


def draws_of(model: Model, seed: int, n: int) -> list[Draw]:
    """The engine's sampled inputs for draws 0..n-1, one dict of floats and lists per draw."""
    x = sample(model.inputs, seed, 0, n)
    columns: dict[str, Any] = {}
    fixed: Draw = {}
    for key, a in x.items():
        if a.ndim == 0:  # a fixed number
            fixed[key] = float(a)
        elif a.ndim == 1:  # one number per draw
            columns[key] = a.tolist()
        elif a.shape[0] == 1:  # a fixed yearly path
            fixed[key] = a[0].tolist()
        else:  # one yearly path per draw
            columns[key] = a.tolist()
    return [{**fixed, **{key: col[i] for key, col in columns.items()}} for i in range(n)]


def yearly(value: Value, n_years: int) -> list[float]:
    """A yearly path; a single number holds in every year."""
    return list(value) if isinstance(value, list) else [value] * n_years


def clip(v: float, lo: float, hi: float) -> float:
    return min(max(v, lo), hi)


def ramp_factor(t: int, start: float, ramp_years: float) -> float:
    """Average of the linear ramp over calendar year t (section 2)."""
    rho = max(ramp_years, 1e-9)

    def integral(u: float) -> float:
        if u <= 0:
            return 0.0
        if u < 1:
            return u * u / 2
        return u - 0.5

    return rho * (integral((t + 1 - start) / rho) - integral((t - start) / rho))


def layered(direct: float, s: float, z: float, beta: float) -> tuple[float, float, float]:
    """(direct, indirect, induced) net of linked local purchases (section 5)."""
    indirect_full = direct * (s - 1.0)
    induced_full = direct * (z - s)
    indirect = indirect_full * (1.0 - clip(beta, 0.0, 1.0))
    base = direct + indirect_full
    induced = induced_full * ((direct + indirect) / base if base > 0 else 1.0)
    return direct, indirect, induced


# --- one world (scenario or counterfactual), one draw -----------------------------------------


def run_world(model: Model, x: Draw) -> Yearly:
    """Every yearly quantity the metrics need, for one draw of one world."""
    years = [int(t) for t in model.years]
    T = len(years)
    home = model.home
    plants: dict[str, PlantSpec] = {p.id: p for p in model.plants}
    fx = float(x["fx_cad_per_usd"])  # type: ignore[arg-type]

    def num(key: str) -> float:
        return x[key]  # type: ignore[return-value]

    def path(key: str) -> list[float]:
        values = yearly(x[key], T)
        if f"{key}.scale" in x:  # an uncertain scale is drawn and multiplied in here
            scale = num(f"{key}.scale")
            values = [v * scale for v in values]
        return values

    # 1. market
    lv: dict[str, list[float]] = {}
    ev: dict[str, list[float]] = {}
    ratio: dict[str, list[float]] = {}
    friction: dict[str, float] = {}
    group_share: dict[tuple[str, str], float] = {}
    for r in model.regions:
        lv[r.code] = path(r.lv_sales)
        ev[r.code] = [clip(v, 0.0, 1.0) for v in path(r.ev_share)]
        if r.ev_share_plan is None:
            ratio[r.code] = [1.0] * T
        else:
            plan = path(r.ev_share_plan)
            ratio[r.code] = [
                clip(e / p, 0.0, 1.0) if p > 0 else 1.0
                for e, p in zip(ev[r.code], plan, strict=True)
            ]
        if r.code == home:
            friction[r.code] = 1.0
        else:
            rise = num(r.export_tariff) * num(r.tariff_exposed_share) * num(r.pass_through)
            friction[r.code] = clip(1.0 - num(r.price_elasticity) * rise, 0.0, 1.0)
        for g, key in r.group_share.items():
            group_share[(r.code, g)] = num(key)

    routes_from = {p.id: [r for r in model.routes if r.supplier == p.id] for p in model.plants}
    cell_price = yearly(x["economy.cell_price_usd_per_kwh"], T)

    # per plant and year
    output = {p.id: [0.0] * T for p in model.plants}  # vehicles or GWh
    domestic = {p.id: [0.0] * T for p in model.plants}  # GWh installed at home
    jobs = {p.id: [0.0] * T for p in model.plants}
    value = {p.id: [0.0] * T for p in model.plants}  # CAD
    bought = {p.id: [0.0] * T for p in model.plants}  # CAD from linked home suppliers
    battery = {p.id: [0.0] * T for p in model.plants}  # assembly: pack value, CAD
    premium = num("economy.pack_price_premium_over_cell")
    gate = num("economy.factory_gate_share")
    out: Yearly = {
        k: [0.0] * T
        for k in (
            "battery_output_gwh",
            "battery_local_gwh",
            "vehicles_assembled",
            *(f"{layer}_jobs" for layer in LAYERS),
            *(f"gdp_{layer}" for layer in LAYERS),
            *(f"labour_income_{layer}" for layer in LAYERS),
            *(f"tax_{scope}" for scope in SCOPES),
        )
    }
    va_direct = {p.id: [0.0] * T for p in model.plants}  # each home plant's own value added
    li_direct = {p.id: [0.0] * T for p in model.plants}  # and labour income

    for t in range(T):
        year = years[t]
        need: dict[str, float] = {}  # GWh each plant needs from its suppliers this year
        # 2-3. plants, customers before suppliers
        for p in model.plants:
            ramp = ramp_factor(year, num(p.start), num(p.ramp_years))
            capacity = num(p.capacity)
            if p.kind == "assembly":
                assert p.group is not None and p.pack_kwh is not None
                demand = 0.0
                for region, share in p.markets.items():
                    ev_demand = lv[region][t] * ev[region][t] * group_share[(region, p.group)]
                    demand += num(share) * ev_demand * friction[region]
                vehicles = min(capacity * ramp, demand)
                need[p.id] = vehicles * num(p.pack_kwh) / 1e6
                output[p.id][t] = vehicles
                value[p.id][t] = vehicles * num(p.price) * p.price_factor * gate  # factory gate
                battery[p.id][t] = vehicles * num(p.pack_kwh) * cell_price[t] * premium * fx
                jobs[p.id][t] = num(p.jobs_per_unit) * vehicles
                continue
            assert p.yield_share is not None
            yld = num(p.yield_share)
            available = capacity * ramp * yld
            calls = [num(r.share) * need[r.customer] for r in routes_from[p.id]]
            linked_need = sum(calls)
            contract_calls = []
            for region, share, follows in p.offtake:
                demand_ratio = ratio[region][t] if follows and region in ratio else 1.0
                contract_calls.append(num(share) * available * demand_ratio)
            contracted = sum(contract_calls)
            gwh = min(available, linked_need + contracted)
            linked = min(gwh, linked_need)
            unit_price = cell_price[t] * p.price_factor * fx  # CAD per GWh
            theta = num("economy.module_share_of_pack_premium")
            if p.kind == "cell":  # cells plus the modules made of a share of them (section 3)
                mu = num(p.module_share) if p.module_share is not None else 0.0
                unit_price *= 1.0 + mu * (premium - 1.0) * theta
            elif p.kind == "module":
                unit_price *= 1.0 + (premium - 1.0) * theta
            elif p.kind == "pack":
                unit_price *= premium
            at_home = 0.0
            for (region, _, _), call in zip(p.offtake, contract_calls, strict=True):
                fulfilled = call * (gwh - linked) / contracted if contracted > 0 else 0.0
                if region == home:
                    at_home += fulfilled
            for route, call in zip(routes_from[p.id], calls, strict=True):
                delivered = linked * call / linked_need if linked_need > 0 else 0.0
                if plants[route.customer].domestic:
                    at_home += delivered
                if p.domestic:
                    bought[route.customer][t] += delivered * unit_price
            need[p.id] = gwh
            output[p.id][t] = gwh
            domestic[p.id][t] = at_home
            value[p.id][t] = gwh * unit_price
            jobs[p.id][t] = num(p.jobs_per_unit) * gwh / yld if yld > 0 else 0.0

        # 5. economy and 6. tax, home plants only
        totals = {k: [0.0, 0.0, 0.0] for k in ("jobs", "gdp", "li")}
        for p in model.plants:
            if not p.domestic:
                continue
            if p.kind == "cell":
                out["battery_output_gwh"][t] += output[p.id][t]
                out["battery_local_gwh"][t] += domestic[p.id][t]
            elif p.kind == "assembly":
                out["vehicles_assembled"][t] += output[p.id][t]
            y = value[p.id][t]
            beta = clip(bought[p.id][t] / y, 0.0, 1.0) if y > 0 else 0.0
            if p.kind == "assembly" and y > 0:  # the battery is no domestic part (section 5)
                beta = max(beta, clip(battery[p.id][t] / y, 0.0, 1.0))
            mult = f"economy.multipliers.{p.industry}."
            effects = {
                "jobs": layered(
                    jobs[p.id][t], num(mult + "jobs_type1"), num(mult + "jobs_type2"), beta
                )
            }
            for k, measure in (("gdp", "gdp_per_output"), ("li", "labour_income_per_output")):
                direct = num(f"{mult}{measure}_direct")
                simple = num(f"{mult}{measure}_simple")
                total = num(f"{mult}{measure}_total")
                s = simple / direct if direct > 0 else 1.0
                z = total / direct if direct > 0 else 1.0
                # labour income: direct jobs x earnings; GDP: output x ratio (section 5)
                first = (
                    jobs[p.id][t] * num(mult + "average_annual_earnings_cad")
                    if k == "li"
                    else y * direct
                )
                effects[k] = layered(first, s, z, beta)
            va_direct[p.id][t] = effects["gdp"][0]
            li_direct[p.id][t] = effects["li"][0]
            for k, e in effects.items():
                for i in range(3):
                    totals[k][i] += e[i]
        for i, layer in enumerate(LAYERS):
            out[f"{layer}_jobs"][t] = totals["jobs"][i]
            out[f"gdp_{layer}"][t] = totals["gdp"][i]
            out[f"labour_income_{layer}"][t] = totals["li"][i]

    # 4. linkage compliance per deal
    compliance: dict[str, list[float]] = {}
    met: list[float] = []  # every deal-year; NaN where not measured
    for d in model.deals:
        lk = d.linkage
        if lk is None:
            continue
        if lk.kind == "local_absorption":
            numerator, denominator = domestic[lk.plant], output[lk.plant]
        else:  # vehicles_per_gwh: vehicles of assembly customers over nameplate GWh
            # the engine counts domestic customers only; docs/model.md says "whatever the
            # customer's country" (the engine is the reference: see the benchmark's report)
            customers = [
                r.customer
                for r in model.routes
                if r.supplier == lk.plant
                and plants[r.customer].kind == "assembly"
                and plants[r.customer].domestic
            ]
            numerator = [sum(output[c][t] for c in customers) for t in range(T)]
            denominator = [num(plants[lk.plant].capacity)] * T
        threshold = num(lk.threshold)
        c = [1.0] * T
        for t in range(T):
            first = max(0, t - lk.window + 1)
            s_num = sum(numerator[first : t + 1])
            s_den = sum(denominator[first : t + 1])
            if years[t] < lk.from_year or not s_den > 0:
                met.append(math.nan)
                continue
            r_t = s_num / s_den
            ok = 1.0 if r_t >= threshold - 1e-12 else 0.0
            met.append(ok)
            if lk.proportional:
                c[t] = min(r_t / threshold, 1.0) if threshold > 0 else 1.0
            else:
                c[t] = ok
        compliance[d.id] = c

    # 4. incentives and clawbacks
    paid = [0.0] * T
    repaid = [0.0] * T
    spec = model.ledger
    assert spec is not None and not spec.nominal  # the loop covers the real price basis
    inflation = num(spec.figures["inflation_rate"])
    outlay = {g: [0.0] * T for g in GOVERNMENTS}
    declared = {g: [0.0] * T for g in GOVERNMENTS}  # deals' own investment tax credits
    income = {
        p.id: {"taxable": [0.0] * T, "exempt": [0.0] * T, "grants": [0.0] * T} for p in model.plants
    }
    for d in model.deals:
        c_deal = compliance.get(d.id)
        for inc in d.incentives:
            plant = plants[inc.plant]
            gamma = c_deal if inc.conditional and c_deal is not None else [1.0] * T
            flow = [0.0] * T
            if inc.kind == "production_credit":
                assert inc.rate_scale is not None and plant.module_share is not None
                if plant.kind == "cell":
                    mu = num(plant.module_share)
                else:
                    mu = 1.0 if plant.kind == "module" else 0.0
                cumulative = 0.0
                for t in range(T):
                    kwh = output[plant.id][t] * 1e6
                    usd = 0.0
                    if "cell" in inc.schedule and plant.kind == "cell":
                        usd += kwh * float(inc.schedule["cell"][t])
                    if "module" in inc.schedule:
                        usd += kwh * mu * float(inc.schedule["module"][t])
                    f = usd * num(inc.rate_scale) * fx * gamma[t]
                    if inc.cap is None:
                        flow[t] = f
                    else:  # payments stop once their running total reaches the cap
                        cap = num(inc.cap)
                        flow[t] = min(cumulative + f, cap) - min(cumulative, cap)
                        cumulative += f
                    # the schedule and cap are nominal in law: in dollars of the price year
                    flow[t] *= (1.0 + inflation) ** -(years[t] - model.price_year)
            elif inc.kind == "per_vehicle":
                assert inc.amount is not None
                for t in range(T):
                    flow[t] = num(inc.amount) * output[plant.id][t] * gamma[t]
            elif inc.kind == "capital_grant":
                assert inc.amount is not None
                for t in range(T):
                    flow[t] = num(inc.amount) if years[t] == inc.year else 0.0
            else:  # investment tax credit, paid in the plant's start year
                assert inc.amount is not None and inc.base is not None
                base = num(inc.base) * (num(inc.base_units) if inc.base_units else 1.0)
                start_year = math.floor(num(plant.start))
                for t in range(T):
                    flow[t] = num(inc.amount) * base if years[t] == start_year else 0.0
            back = [0.0] * T
            if inc.clawback != "none":
                assert c_deal is not None and d.linkage is not None
                w_years = inc.clawback_years
                lump = sum(flow)
                so_far = 0.0
                earned = 0  # window years completed before this one
                triggered = False
                for t in range(T):
                    so_far += flow[t]
                    in_window = d.linkage.from_year <= years[t] < d.linkage.from_year + w_years
                    fail = (1.0 - c_deal[t]) if (in_window and so_far > 0) else 0.0
                    if inc.clawback == "pro_rata":
                        back[t] = lump * fail / w_years
                    elif fail > 0 and not triggered:
                        triggered = True
                        if inc.clawback == "cliff":
                            back[t] = lump
                        else:  # graduated
                            back[t] = lump * clip((w_years - earned) / w_years, 0.0, 1.0)
                    if in_window:
                        earned += 1
            for t in range(T):
                paid[t] += flow[t]
                repaid[t] += back[t]
                net = flow[t] - back[t]
                for payer, share in inc.payer.items():
                    g = "federal" if payer == "federal" else "provincial"
                    outlay[g][t] += share * net
                    if inc.kind == "investment_tax_credit":  # a refundable credit
                        declared[g][t] += share * net
                if inc.kind == "capital_grant":
                    income[inc.plant]["grants"][t] += net
                elif inc.kind != "investment_tax_credit":
                    income[inc.plant]["exempt" if inc.tax_exempt else "taxable"][t] += net

    out["incentive_paid"] = paid
    out["clawback_repaid"] = repaid
    out["linkage_met"] = met
    layers = {
        k: [[out[f"{k}_{layer}"][t] for t in range(T)] for layer in LAYERS]
        for k in ("gdp", "labour_income")
    }
    out.update(crown(model, x, years, outlay, declared, income, va_direct, li_direct, layers))
    return out


def carry_forward(income: list[float]) -> list[float]:
    """Taxable income, losses carried forward in a pool (no carry-back)."""
    pool, out = 0.0, []
    for v in income:
        if v < 0:
            pool -= v
            out.append(0.0)
        else:
            used = min(pool, v)
            pool -= used
            out.append(v - used)
    return out


def crown(
    model: Model,
    x: Draw,
    years: list[int],
    outlay: dict[str, list[float]],
    declared: dict[str, list[float]],
    income: dict[str, dict[str, list[float]]],
    va_direct: dict[str, list[float]],
    li_direct: dict[str, list[float]],
    layers: dict[str, list[list[float]]],
) -> Yearly:
    """The Crown ledger of one draw (section 6): public cost, revenue by scope and tax
    expenditure per government; public cost and revenue of both as ``public_cost`` and
    ``tax_<scope>``."""
    spec = model.ledger
    assert spec is not None
    T = len(years)

    def num(key: str) -> float:
        return x[key]  # type: ignore[return-value]

    r = {name: yearly(x[key], T) for name, key in spec.rates.items()}
    f = {name: num(key) for name, key in spec.figures.items()}
    cit_scale = [1.0] * T
    if spec.cit_scale is not None:
        both = [
            a + b
            for a, b in zip(r["ca_federal_cit_rate"], r["ca_provincial_cit_rate"], strict=True)
        ]
        cit_scale = [num(spec.cit_scale) / v if v > 0 else 0.0 for v in both]
    lab_scale = [1.0] * T
    if spec.labour_scale is not None:
        both = [
            a + b
            for a, b in zip(
                r["ca_federal_labour_revenue_rate"],
                r["ca_provincial_labour_revenue_rate"],
                strict=True,
            )
        ]
        lab_scale = [num(spec.labour_scale) / v if v > 0 else 0.0 for v in both]

    def at(name: str, year: float) -> float:
        yrs, vals = spec.acquisition[name]
        i = min(max(int(year - yrs[0]), 0), len(yrs) - 1)
        return float(vals[i])

    cost = {g: list(outlay[g]) for g in GOVERNMENTS}
    rev = {g: {layer: [0.0] * T for layer in LAYERS} for g in GOVERNMENTS}
    expenditure = {g: list(declared[g]) for g in GOVERNMENTS}
    ptax = f["production_tax_share_of_gdp"]
    eq = clip(f["equipment_share_of_capex"], 0.0, 1.0)
    for pt in spec.plants:
        capex = num(pt.capex) * (num(pt.units) if pt.units else 1.0)
        y0 = math.floor(num(pt.start))
        ctm = evsc = 0.0
        if pt.statutory_itc:
            ctm = at("ca_ctm_itc_rate", y0) * eq * capex
            evsc = at("ca_evsc_itc_rate", y0) * (1 - eq) * capex
        grants = sum(income[pt.plant]["grants"])
        equipment = max(eq * (capex - grants) - ctm, 0.0)
        building = max((1 - eq) * (capex - grants) - evsc, 0.0)
        first_year = at("ca_cca_equipment_first_year", y0)
        rate_e = at("ca_cca_equipment_rate", y0)
        rate_b = at("ca_cca_building_rate", y0)
        actual_base, regular_base, bench_base = [], [], []
        for t in range(T):
            if years[t] == y0:
                cost["federal"][t] += ctm + evsc
                expenditure["federal"][t] += ctm + evsc
            # declining balance: what is left after the first year at the class rate
            k = years[t] - y0
            if k < 0:
                cca = regular = 0.0
            elif k == 0:
                cca = equipment * first_year + building * rate_b / 2
                regular = equipment * rate_e / 2 + building * rate_b / 2
            else:
                left_b = building * (1 - rate_b / 2) * (1 - rate_b) ** (k - 1)
                cca = equipment * (1 - first_year) * (1 - rate_e) ** (k - 1) * rate_e
                regular = equipment * (1 - rate_e / 2) * (1 - rate_e) ** (k - 1) * rate_e
                cca += left_b * rate_b
                regular += left_b * rate_b
            va, li = va_direct[pt.plant][t], li_direct[pt.plant][t]
            surplus = va - li - ptax * va
            taxable_sub = income[pt.plant]["taxable"][t]
            exempt_sub = income[pt.plant]["exempt"][t]
            actual_base.append(surplus + taxable_sub - cca)
            regular_base.append(surplus + taxable_sub - regular)
            bench_base.append(surplus + taxable_sub + exempt_sub - regular)
        actual = carry_forward(actual_base)
        carry_forward(regular_base)
        bench = carry_forward(bench_base)
        for t in range(T):
            general = r["ca_federal_cit_rate"][t] * cit_scale[t]
            reduced = r["ca_federal_zetm_cit_rate"][t] * cit_scale[t] if pt.zetm else general
            prov = r["ca_provincial_cit_rate"][t] * cit_scale[t]
            rev["federal"]["direct"][t] += reduced * actual[t]
            rev["provincial"]["direct"][t] += prov * actual[t]
            expenditure["federal"][t] += (general - reduced) * actual[t]
            expenditure["federal"][t] += general * (bench[t] - actual[t])
            expenditure["provincial"][t] += prov * (bench[t] - actual[t])
    for t in range(T):
        lam = {g: r[f"ca_{g}_labour_revenue_rate"][t] * lab_scale[t] for g in GOVERNMENTS}
        sales = {"federal": r["ca_gst_rate"][t], "provincial": r["ca_provincial_sales_tax_rate"][t]}
        general = {
            "federal": r["ca_federal_cit_rate"][t] * cit_scale[t],
            "provincial": r["ca_provincial_general_cit_rate"][t] * cit_scale[t],
        }
        spend = f["spending_share_of_after_tax_income"] * f["taxable_share_of_spending"]
        for i, layer in enumerate(LAYERS):
            va, li = layers["gdp"][i][t], layers["labour_income"][i][t]
            for g in GOVERNMENTS:
                v = li * lam[g] + li * (1 - lam["federal"] - lam["provincial"]) * spend * sales[g]
                if layer != "direct":
                    v += (va - li - ptax * va) * num("fiscal.profit_share") * general[g]
                if g == "provincial":
                    v += ptax * va
                rev[g][layer][t] += v
    out: Yearly = {}
    for g in GOVERNMENTS:
        out[f"cost_{g}"] = cost[g]
        out[f"tax_expenditure_{g}"] = expenditure[g]
        running = [0.0] * T
        for scope, layer in zip(SCOPES, LAYERS, strict=True):
            running = [a + b for a, b in zip(running, rev[g][layer], strict=True)]
            out[f"revenue_{g}_{scope}"] = running
    out["public_cost"] = [a + b for a, b in zip(cost["federal"], cost["provincial"], strict=True)]
    for scope in SCOPES:
        out[f"tax_{scope}"] = [
            a + b
            for a, b in zip(
                out[f"revenue_federal_{scope}"], out[f"revenue_provincial_{scope}"], strict=True
            )
        ]
    return out


# --- metrics of one draw -------------------------------------------------------------------


def draw_metrics(
    s: Yearly, c: Yearly, years: list[int], rate: float, price_year: int
) -> dict[str, float]:
    """The summary metrics of one draw: scenario ``s`` against counterfactual ``c``."""
    T = len(years)
    disc = [(1.0 + rate) ** -(years[t] - price_year) for t in range(T)]

    def delta(*names: str) -> list[float]:
        return [sum(s[k][t] - c[k][t] for k in names) for t in range(T)]

    def cumulative(*names: str) -> float:
        return sum(delta(*names))

    def npv(name: str) -> float:
        return sum(v * disc[t] for t, v in enumerate(delta(name)))

    m: dict[str, float] = {
        "direct_jobs_peak": max(delta("direct_jobs")),
        "total_jobs_peak": max(delta(*(f"{k}_jobs" for k in LAYERS))),
        "gdp_cumulative": cumulative(*(f"gdp_{k}" for k in LAYERS)),
        "labour_income_cumulative": cumulative(*(f"labour_income_{k}" for k in LAYERS)),
        "public_cost_npv": npv("public_cost"),
        "public_cost_cumulative": cumulative("public_cost"),
        "clawback_cumulative": cumulative("clawback_repaid"),
        "battery_output_gwh_cumulative": cumulative("battery_output_gwh"),
        "vehicles_assembled_cumulative": cumulative("vehicles_assembled"),
    }
    cost = delta("public_cost")
    for scope in SCOPES:
        suffix = "" if scope == "total" else f"_{scope}"
        tax = npv(f"tax_{scope}")
        m[f"tax_revenue_npv{suffix}"] = tax
        m[f"fiscal_net_npv{suffix}"] = tax - m["public_cost_npv"]
        m[f"fiscal_breakeven_year_{scope}"] = breakeven(delta(f"tax_{scope}"), cost, disc, years)
    for g in GOVERNMENTS:
        m[f"public_cost_npv_{g}"] = npv(f"cost_{g}")
        m[f"tax_revenue_npv_{g}"] = npv(f"revenue_{g}_total")
        m[f"fiscal_breakeven_year_{g}"] = breakeven(
            delta(f"revenue_{g}_total"), delta(f"cost_{g}"), disc, years
        )
    m["tax_expenditure_npv"] = npv("tax_expenditure_federal") + npv("tax_expenditure_provincial")
    made = sum(s["battery_output_gwh"])
    local = sum(s["battery_local_gwh"])
    m["local_absorption_share"] = local / made if made > 0 else math.nan
    measured = [v for v in s["linkage_met"] if not math.isnan(v)]
    m["linkage_met_share"] = sum(measured) / len(measured) if measured else math.nan
    return m


def breakeven(
    revenue: list[float], cost: list[float], disc: list[float], years: list[int]
) -> float:
    """The year after the last year the discounted balance is negative (NaN if the last)."""
    T = len(years)
    balance, running = [], 0.0
    for t in range(T):
        running += (revenue[t] - cost[t]) * disc[t]
        balance.append(running)
    tol = 1e-6 * max(1.0, max(abs(z) for z in balance))
    negative = [t for t in range(T) if balance[t] < -tol]
    if negative and negative[-1] == T - 1:
        return math.nan
    return float(years[negative[-1] + 1] if negative else years[0])


# --- a run ---------------------------------------------------------------------------------


def models(scenario: str = SCENARIO, variant: dict[str, Any] | None = None) -> tuple[Model, Model]:
    """The compiled scenario and its counterfactual (as ``evpact.simulate`` compiles them)."""
    s = load_scenario(scenario, variant)
    return compile_scenario(s), compile_scenario(load_counterfactual(s, variant))


def run(
    scenario: str = SCENARIO,
    draws: int = 2000,
    seed: int = SEED,
    variant: dict[str, Any] | None = None,
) -> dict[str, list[float]]:
    """Every metric for draws 0..draws-1, computed draw by draw."""
    ms, mc = models(scenario, variant)
    years = [int(t) for t in ms.years]
    xs, xc = draws_of(ms, seed, draws), draws_of(mc, seed, draws)
    out: dict[str, list[float]] = {name: [] for name in METRICS}
    for i in range(draws):
        s = run_world(ms, xs[i])
        c = run_world(mc, xc[i])
        rate = float(xs[i]["fiscal.discount_rate"])  # type: ignore[arg-type]
        for name, v in draw_metrics(s, c, years, rate, ms.price_year).items():
            out[name].append(v)
    return out


def compare(baseline: Mapping[str, list[float]], engine: Mapping[str, Any]) -> dict[str, float]:
    """Largest relative difference per metric, |a - b| / max(|a|, |b|) (0 where both are 0
    or both NaN; inf where only one is NaN)."""
    worst: dict[str, float] = {}
    for name, values in baseline.items():
        ref = engine[name]
        w = 0.0
        for a, b in zip(values, ref, strict=True):
            b = float(b)
            if math.isnan(a) or math.isnan(b):
                w = w if math.isnan(a) and math.isnan(b) else math.inf
                continue
            scale = max(abs(a), abs(b))
            if scale > 0:
                w = max(w, abs(a - b) / scale)
        worst[name] = w
    return worst


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else SEED
    for name, values in run(draws=n, seed=seed).items():
        finite = [v for v in values if not math.isnan(v)]
        mean = sum(finite) / len(finite) if finite else math.nan
        print(f"{name:<40}{mean:>22.6g}  ({len(values) - len(finite)} NaN)")
