"""One pass of the model over a block of draws: every quantity an array (draw, year).

market -> flows -> linkage & incentives -> economy -> fiscal. Loops run over plants, deals and
regions (a handful), never over draws. Minerals, resilience and emissions (mechanism 8) will
read the flows computed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import numpy as np

from ..scenario.distributions import FloatArray
from . import (
    additionality,
    charging,
    economy,
    emissions,
    firms,
    flows,
    jit,
    learning,
    ledger,
    linkage,
    market,
    minerals,
    origin,
    plants,
    resilience,
    tariffs,
    trade,
)
from .arrays import cumsum_years, total
from .compile import MINERALS, IncentiveSpec, Model, PlantSpec, TradeSpec
from .inputs import Inputs

#: yearly outputs per draw, with their units (``CAD`` becomes ``CAD_<price year>``)
VARIABLES: dict[str, str] = {
    "battery_output_gwh": "GWh",
    "battery_local_gwh": "GWh",
    "battery_export_gwh": "GWh",
    "vehicles_assembled": "vehicles",
    "direct_jobs": "jobs",
    "indirect_jobs": "jobs",
    "induced_jobs": "jobs",
    "gdp_direct": "CAD",
    "gdp_indirect": "CAD",
    "gdp_induced": "CAD",
    "labour_income_direct": "CAD",
    "labour_income_indirect": "CAD",
    "labour_income_induced": "CAD",
    "tax_plant": "CAD",
    "tax_supply_chain": "CAD",
    "tax_total": "CAD",
    "incentive_paid": "CAD",
    "clawback_repaid": "CAD",
    "public_cost": "CAD",
    "but_for": "share",
    "public_cost_deadweight": "CAD",
    "excess_burden": "CAD",
    "labour_revenue_rate": "share",
    **{f"mineral_{m}_t": "t" for m in MINERALS},
    "cell_cost_index": "1",
    "learning_margin": "CAD",
    "co2e_manufacturing_t": "tCO2e",
    "co2e_avoided_t": "tCO2e",
    "co2e_avoided_attributable_t": "tCO2e",
    "ev_stock": "vehicles",
    "evs_per_public_port": "evs_per_port",
    "rvc_pct": "pct",
    "lvc_pct": "pct",
    "vehicles_usmca_qualifying": "vehicles",
    "us_tariff_cost_cad": "CAD",
    "us_tariff_producer_borne_cad": "CAD",
    "us_offset_cad": "CAD",
    "ca_counter_tariff_cad": "CAD",
    "remission_value_cad": "CAD",
    "zopa_benefit_change": "CAD",
}
#: per-firm outputs (draw, firm) of a scenario with firms (none without)
FIRM_VARIABLES: dict[str, str] = {
    "firm_npv_advantage": "CAD",
    "firm_accepts": "1 = accepts",
    "firm_builds_anyway": "1 = builds at home without the deal",
    "firm_support_scale_min": "scale of the deal's support (1 = as written)",
}
#: the Crown ledger's instrument for each kind of incentive a deal declares
INSTRUMENT = {
    "production_credit": "production_credit",
    "capital_grant": "capital_grant",
    "per_vehicle": "other_incentive",
    "investment_tax_credit": "itc_declared",
}
#: per assembly plant trade outputs (draw, assembly, year), for the assembly plants of a
#: scenario with a trade section (none without one)
ASSEMBLY_VARIABLES: dict[str, str] = {
    "assembly_vehicles": "vehicles",
    "assembly_rvc_pct": "pct",
    "assembly_pack_rvc_pct": "pct",
    "assembly_rvc_margin_pp": "pp",
    "assembly_lvc_pct": "pct",
    "assembly_steel_aluminium_pct": "pct",
    "assembly_usmca_qualifying": "share",
    "assembly_min_cell_share": "share",
}


def simulate(model: Model, x: Mapping[str, FloatArray], n: int) -> dict[str, FloatArray]:
    """Run the model for ``n`` draws of the inputs ``x``; returns arrays (draw, year[, ...])."""
    v = Inputs(x, n)
    years = model.years.astype(float)
    shape = (n, years.size)
    zero = np.zeros(shape)
    fx = v("fx_cad_per_usd")

    # 1. market
    lv, ev, friction, ratio = {}, {}, {}, {}
    for r in model.regions:
        lv[r.code] = v.scaled_path(r.lv_sales)
        ev[r.code] = np.clip(v.scaled_path(r.ev_share), 0.0, 1.0)
        plan = v.scaled_path(r.ev_share_plan) if r.ev_share_plan else None
        ratio[r.code] = market.demand_ratio(ev[r.code], plan)
        friction[r.code] = (
            np.ones(1)
            if r.code == model.home
            else trade.export_friction(
                v(r.export_tariff),
                v(r.tariff_exposed_share),
                v(r.pass_through),
                v(r.price_elasticity),
            )
        )
    group_share = {(r.code, g): key for r in model.regions for g, key in r.group_share.items()}

    # 8c. the home EV stock against public ports (may feed back on the home EV share)
    ports = np.maximum(
        v("market.charging.public_ports")
        + v("market.charging.ports_added_per_year") * (years - model.ports_year),
        1.0,
    )
    ports = np.broadcast_to(ports, shape)
    if model.home in ev:
        home_region = next(r for r in model.regions if r.code == model.home)
        stock, ev[model.home] = charging.stock_and_ports(
            np.broadcast_to(lv[model.home], shape),
            np.broadcast_to(ev[model.home], shape),
            v("market.charging.ev_stock_start"),
            v("market.charging.scrappage_rate"),
            ports,
            v("market.charging.target_evs_per_port"),
            v("market.charging.elasticity"),
            model.charging_feedback,
        )
        if model.charging_feedback:  # the home share moved: so does its demand ratio
            plan = v.scaled_path(home_region.ev_share_plan) if home_region.ev_share_plan else None
            ratio[model.home] = market.demand_ratio(ev[model.home], plan)
    else:
        stock = np.full(shape, np.nan)

    # 7a. rules of origin of every assembly plant's vehicles (they depend on the contracted
    # cell supply and prices, not on volumes, so they come before the flows)
    tr = model.trade
    rules: dict[str, FloatArray] = {}
    origins: dict[str, origin.Origin] = {}
    content: dict[str, dict[str, FloatArray]] = {}
    if tr is not None:
        rules = {name: v(key) for name, key in tr.rules.items()}
        for ts in tr.plants:
            content[ts.plant] = {k: v(key) for k, key in ts.inputs.items()}
            origins[ts.plant] = _origin(model, tr, ts.plant, v, rules, fx)
    f = plants.plant_flows(
        model,
        v,
        years,
        zero,
        fx,
        plants.Markets(lv, ev, ratio, friction, group_share),
        rules,
        origins,
        content,
    )
    output, domestic, purchases, value = f.output, f.domestic, f.purchases, f.value
    battery_share, jobs, absorbed = f.battery_share, f.jobs, f.absorbed
    built, home_built, us_cost, us_offset = f.built, f.home_built, f.us_cost, f.us_offset

    # 9a. the firms' side without the deal's support: their advantage at home over their
    # best alternative on these volumes decides whether each plant is built anyway
    assert model.ledger is not None
    inflation_path = v(model.ledger.figures["inflation_rate"])
    bases: list[firms.FirmBase] = []
    for firm in model.firms.firms if model.firms else ():
        fp = plants.plant(model, firm.plant)
        bases.append(
            firms.firm_base(
                firm,
                v,
                years,
                model.price_year,
                value[fp.id],
                output[fp.id] * 1e6 if fp.kind != "assembly" else zero,
                v(fp.module_share) if fp.module_share is not None else np.zeros(1),
                absorbed.get(fp.id, zero),
                v(fp.capacity),
                v(fp.start),
                fx,
                inflation_path,
                n,
            )
        )

    # 4. linkage and incentives
    compliance: dict[str, FloatArray] = {}
    met: list[FloatArray] = []
    for d in model.deals:
        if d.linkage is None:
            continue
        lk = d.linkage
        if lk.kind == "local_absorption":
            num, den = domestic[lk.plant], output[lk.plant]
        else:  # vehicles_per_gwh of the plant's capacity
            num = total(
                (
                    output[r.customer]
                    for r in model.routes
                    if r.supplier == lk.plant
                    and _kind(model, r.customer) == "assembly"
                    and plants.plant(model, r.customer).domestic
                ),
                shape,
            )
            den = np.broadcast_to(v(plants.plant(model, lk.plant).capacity), shape)
        m, c = linkage.compliance(
            num, den, v(lk.threshold), lk.window, years >= lk.from_year, lk.proportional
        )
        compliance[d.id] = c
        met.append(m)

    adds = model.additionality
    plant_but_for = {pid: v(key) for pid, key in (adds.but_for.items() if adds else ())}
    for firm, base in zip(model.firms.firms if model.firms else (), bases, strict=True):
        if firm.decides_but_for:  # but for the deal the plant is not built: b = 1
            plant_but_for[firm.plant] = (base.advantage < base.premium).astype(float)[:, None]
    scale = v(model.firms.scale) if model.firms else np.ones(1)
    instrument = set(model.firms.instrument) if model.firms else set()
    unit_outlays: dict[tuple[str, str], FloatArray] = {}  # the scaled deals' support at scale 1
    unit_subsidy = {p.id: {"taxable": zero, "exempt": zero, "grants": zero} for p in model.plants}
    unit_itc = {p.id: zero for p in model.plants}
    itc = {p.id: zero for p in model.plants}  # every investment tax credit a plant earns
    paid, repaid, deadweight = zero, zero, zero
    by_payer = {payer: zero for payer in model.payers}
    outlays: dict[tuple[str, str], FloatArray] = {}  # (government, instrument) -> CAD
    subsidy = {p.id: {"taxable": zero, "exempt": zero, "grants": zero} for p in model.plants}
    for d in model.deals:
        deal_compliance = compliance.get(d.id)
        for i, inc in enumerate(d.incentives):
            flow = _incentive(inc, model, v, years, output, fx, deal_compliance)
            back = zero
            if inc.clawback != "none":
                assert deal_compliance is not None and d.linkage is not None
                start = d.linkage.from_year
                window = ((years >= start) & (years < start + inc.clawback_years)).astype(float)
                paid_yet = cumsum_years(flow) > 0  # nothing to repay before the payment
                back = linkage.clawback(
                    flow.sum(axis=-1),
                    (1.0 - deal_compliance) * paid_yet,
                    np.broadcast_to(window, shape),
                    inc.clawback_years,
                    inc.clawback,
                )
            if (d.id, i) in instrument:  # the instrument pays its support times the scale
                unit = flow - back
                for payer, share in inc.payer.items():
                    key = (ledger.government_of(payer), INSTRUMENT[inc.kind])
                    unit_outlays[key] = unit_outlays.get(key, zero) + share * unit
                kind = _subsidy_kind(inc.kind, inc.tax_exempt)
                if kind is None:
                    unit_itc[inc.plant] = unit_itc[inc.plant] + unit
                else:
                    unit_subsidy[inc.plant][kind] = unit_subsidy[inc.plant][kind] + unit
                flow, back = flow * scale, back * scale
            paid, repaid = paid + flow, repaid + back
            # the cost of a plant built anyway (probability 1 - b) buys nothing: deadweight
            deadweight = deadweight + (1.0 - plant_but_for.get(inc.plant, 1.0)) * (flow - back)
            net = flow - back
            for payer, share in inc.payer.items():
                owed = share * net
                by_payer[payer] = by_payer[payer] + owed
                key = (ledger.government_of(payer), INSTRUMENT[inc.kind])
                outlays[key] = outlays[key] + owed if key in outlays else owed
            kind = _subsidy_kind(inc.kind, inc.tax_exempt)
            if kind is not None:  # investment tax credits go through the tax system
                subsidy[inc.plant][kind] = subsidy[inc.plant][kind] + net
            else:
                itc[inc.plant] = itc[inc.plant] + net

    # 5b. learning: home cell plants' costs fall with their cumulative output
    home_cell_gwh = total(
        (output[p.id] for p in model.plants if p.kind == "cell" and p.domestic), shape
    )
    if model.learning:
        index = learning.cost_index(
            home_cell_gwh, v("economy.learning.initial_experience_gwh"), v("economy.learning.rate")
        )
    else:
        index = np.ones(shape)
    gains = {
        p.id: learning.margin_gain(value[p.id], v("economy.learning.cost_share"), index)
        for p in model.plants
        if model.learning and p.kind == "cell" and p.domestic
    }

    # 5. economy (home-country plants only): jobs, GDP and labour income by layer
    res: dict[str, FloatArray] = {}
    home_plants = [p for p in model.plants if p.domestic]
    layers = (len(economy.LAYERS), *shape)
    acc = np.empty(layers) if home_plants else np.zeros(layers)  # rows economy.LAYERS
    books: dict[str, ledger.PlantBooks] = {}
    for p in home_plants:
        mk = f"economy.multipliers.{p.industry}."
        value_added, labour_income = economy.home_plant(
            acc,
            value[p.id],
            purchases[p.id],
            battery_share[p.id] if p.kind == "assembly" else None,
            jobs[p.id],
            (v(mk + "jobs_type1"), v(mk + "jobs_type2")),
            (
                v(mk + "gdp_per_output_direct"),
                v(mk + "gdp_per_output_simple"),
                v(mk + "gdp_per_output_total"),
            ),
            v(mk + "average_annual_earnings_cad"),
            (
                v(mk + "labour_income_per_output_direct"),
                v(mk + "labour_income_per_output_simple"),
                v(mk + "labour_income_per_output_total"),
            ),
            gains.get(p.id),
            absorbed.get(p.id),
            first=p is home_plants[0],
        )
        books[p.id] = ledger.PlantBooks(
            value_added=value_added,
            labour_income=labour_income,
            taxable_subsidy=subsidy[p.id]["taxable"],
            exempt_subsidy=subsidy[p.id]["exempt"],
            grants=subsidy[p.id]["grants"],
        )
    acc_layers = {
        k: [acc[economy.LAYERS.index(f"{k}.{x}")] for x in ("direct", "indirect", "induced")]
        for k in ("jobs", "gdp", "li")
    }
    for k, name in (("jobs", "{}_jobs"), ("gdp", "gdp_{}"), ("li", "labour_income_{}")):
        for layer, arr in zip(("direct", "indirect", "induced"), acc_layers[k], strict=True):
            res[name.format(layer)] = arr

    cells = [p.id for p in model.plants if p.kind == "cell" and p.domestic]
    res["battery_output_gwh"] = home_cell_gwh
    res["cell_cost_index"] = index
    res["learning_margin"] = total(gains.values(), shape)
    res["battery_local_gwh"] = total((domestic[i] for i in cells), shape)
    res["battery_export_gwh"] = res["battery_output_gwh"] - res["battery_local_gwh"]
    res["vehicles_assembled"] = total(
        (output[p.id] for p in model.plants if p.kind == "assembly" and p.domestic), shape
    )
    # 8. minerals and emissions of the home cell plants; avoided emissions of home assembly
    home_cells = [p for p in model.plants if p.kind == "cell" and p.domestic]
    res.update(_cell_totals(v, output, home_cells, shape, jit.compiled_for(n, ".kernels_flows")))
    production = [v(f"minerals.production.{name}") for name in MINERALS]  # t per year, at home
    for project, mineral in model.mineral_projects:
        w = f"mineral_projects.{project}"
        i = MINERALS.index(mineral)
        production[i] = production[i] + v(f"{w}.tonnes_per_year") * flows.ramp_factor(
            years, v(f"{w}.start"), v(f"{w}.ramp_years")
        )
    res_minerals = np.stack([_over_years(a, shape) for a in production], axis=1)
    res["co2e_avoided_t"] = emissions.avoided_t(
        res["vehicles_assembled"],
        v("emissions.vehicle_lifetime_km"),
        v("emissions.gasoline_car_lifecycle_g_per_km"),
        v("emissions.bev_lifecycle_g_per_km"),
    )
    # only EVs the deal adds to home adoption avoid emissions because of it (issue 12)
    res["co2e_avoided_attributable_t"] = emissions.avoided_t(
        total(home_built.values(), shape) * (v(adds.ev_adoption_added) if adds else 0.0),
        v("emissions.vehicle_lifetime_km"),
        v("emissions.gasoline_car_lifecycle_g_per_km"),
        v("emissions.bev_lifecycle_g_per_km"),
    )
    # 7b. trade: origin of home-assembled vehicles, duties, counter-tariff and remission
    res.update(_trade_outputs(model, v, rules, origins, output, lv, ev, built, home_built, zero))
    # 9b. the firms with the deal's support, and the support at which all of them accept
    per_firm, k_min = firms.decide(
        model.firms.firms if model.firms else (), bases, subsidy, unit_subsidy, itc, unit_itc, scale
    )
    rescaled = None  # Canada's books with the support at that smallest scale
    if model.firms is not None:
        delta = np.where(np.isfinite(k_min)[:, None], k_min[:, None], scale) - scale
        rescaled = ledger.Rescaled(  # the instrument's flows; those it leaves at ``zero`` stand
            delta,
            unit_outlays,
            {pid: u["taxable"] for pid, u in unit_subsidy.items() if u["taxable"] is not zero},
            {pid: u["grants"] for pid, u in unit_subsidy.items() if u["grants"] is not zero},
        )
    # 6. the Crown ledger, by government and instrument, and its totals by accounting scope,
    # and (with firms) public cost and total revenue at the support rescaled, in one pass
    assert model.ledger is not None
    totals, crown = ledger.crown(
        model.ledger,
        v,
        years,
        books,
        outlays,
        (acc_layers["gdp"][0], acc_layers["gdp"][1], acc_layers["gdp"][2]),
        (acc_layers["li"][0], acc_layers["li"][1], acc_layers["li"][2]),
        (res["ca_counter_tariff_cad"], res["remission_value_cad"]),
        shape,
        model.ledger_lines,
        rescaled,
    )
    names = ledger.WEIGHTS[0]
    totals, at_k = totals[: len(names)], totals[len(names) :]

    aggregate = dict(zip(names, totals, strict=True))

    def both(measure: str, rows: Mapping[str, FloatArray] = aggregate) -> FloatArray:
        """Federal + provincial ``measure``: of the ledger's totals, or of ``rows``."""
        return total((rows[f"{g}.{measure}"] for g in ledger.GOVERNMENTS), shape)

    for scope in ledger.SCOPES:
        res[f"tax_{scope}"] = both(f"revenue.{scope}")
    cost = both("cost")
    res["us_tariff_cost_cad"] = us_cost
    res["us_tariff_producer_borne_cad"] = total(absorbed.values(), shape)
    res["us_offset_cad"] = us_offset
    res["ev_stock"] = stock
    res["evs_per_public_port"] = stock / ports
    res["incentive_paid"] = paid
    res["clawback_repaid"] = repaid
    res["public_cost"] = cost  # incentives paid less clawbacks, and statutory credits
    # the net layer (engine.additionality): the whole public cost is charged in both branches
    # of the mixture (the deal's payments are made whatever the plant; the statutory credits
    # stay with the deal too, an upper bound: see docs/model.md §6b)
    deal_plants = [p for p in model.plants if p.domestic and p.id in plant_but_for]
    res["but_for"] = additionality.effective_but_for(
        [value[p.id] for p in deal_plants], [plant_but_for[p.id] for p in deal_plants], shape
    )
    res["public_cost_deadweight"] = deadweight
    res["excess_burden"] = additionality.excess_burden(
        {g: totals[names.index(f"{g}.cost")] for g in ledger.GOVERNMENTS},
        {g: v(k) for g, k in (adds.mcpf.items() if adds else ())},
        zero,
    )
    res["labour_revenue_rate"] = ledger.revenue_per_labour_dollar(model.ledger, v)
    res["zopa_benefit_change"] = zero
    if model.firms is not None:  # the change in Canada's balance at that smallest scale
        scaled = dict(zip(ledger.RESCALED, at_k, strict=True))
        mcpf = {g: v(k) for g, k in (adds.mcpf.items() if adds else ())}
        burden = additionality.excess_burden(
            {g: scaled[f"{g}.cost"] - aggregate[f"{g}.cost"] for g in ledger.GOVERNMENTS},
            mcpf,
            zero,
        )
        res["zopa_benefit_change"] = (
            res["but_for"] * (both("revenue.total", scaled) - res["tax_total"])
            - (both("cost", scaled) - cost)
            - burden
        )
    res = {k: a if np.shape(a) == shape else np.broadcast_to(a, shape) for k, a in res.items()}
    spec = model.ledger
    assert spec is not None
    inflation = v.draw(spec.figures["inflation_rate"])
    if spec.nominal:  # every flow in dollars of its year, at the draw's inflation path
        index = (1.0 + inflation[:, None]) ** (years - model.price_year)
        res = {k: a * index if VARIABLES.get(k) == "CAD" else a for k, a in res.items()}
        crown = None if crown is None else crown * index
        totals = totals * index
    res["discount_rate"] = v.draw("fiscal.discount_rate")
    res["fiscal_conventions"] = np.stack(
        [np.full(n, float(spec.discounted)), np.full(n, float(spec.nominal)), inflation], axis=1
    )
    if crown is not None:
        res["crown_ledger"] = np.moveaxis(crown, 0, 1)  # (draw, line, year) views
    res["crown_totals"] = np.moveaxis(totals, 0, 1)
    if adds is not None:
        sigmas = additionality.slack_shares(
            [v.draw(k) for k in adds.slack],
            adds.slack_scaled,
            v.draw(adds.unemployment),
            v.draw(adds.unemployment_reference),
        )
        for layer, sigma in zip(additionality.LAYERS, sigmas, strict=True):
            res[f"slack_{layer}"] = sigma
        res["in_migration"] = v.draw(adds.in_migration)
    domestic_share, hhi_max = resilience.chain_indicators(model.chain_rows())
    res["domestic_chain_share"] = np.full(n, domestic_share)
    res["chain_hhi_max"] = np.full(n, hhi_max)
    res["mineral_production_cumulative_t"] = res_minerals  # (draw, mineral)
    res["linkage_met"] = np.stack(met, axis=1) if met else np.zeros((n, 0, years.size))
    res["public_cost_by_payer"] = (
        np.stack([np.broadcast_to(by_payer[p], shape) for p in model.payers], axis=1)
        if model.payers
        else np.zeros((n, 0, years.size))
    )
    res["plant_output"] = (
        np.stack([np.broadcast_to(output[p.id], shape) for p in model.plants], axis=1)
        if model.plants
        else np.zeros((n, 0, years.size))
    )
    res["plant_direct_jobs"] = (
        np.stack([np.broadcast_to(jobs[p.id], shape) for p in model.plants], axis=1)
        if model.plants
        else np.zeros((n, 0, years.size))
    )
    for k in FIRM_VARIABLES:
        res[k] = np.stack(per_firm[k], axis=1) if per_firm[k] else np.zeros((n, 0))
    res["zopa_support_scale_min"] = k_min if model.firms else np.full(n, np.nan)
    nan = np.full(shape, np.nan)
    per_plant: dict[str, list[FloatArray]] = {k: [] for k in ASSEMBLY_VARIABLES}
    for ts in tr.plants if tr is not None else ():
        o, p = origins[ts.plant], plants.plant(model, ts.plant)
        values = {
            "assembly_vehicles": output[p.id],
            "assembly_rvc_pct": 100 * o.rvc,
            "assembly_pack_rvc_pct": 100 * o.pack_rvc,
            "assembly_rvc_margin_pp": 100 * (o.rvc - o.rvc_threshold) if p.domestic else nan,
            "assembly_lvc_pct": 100 * o.lvc,
            "assembly_steel_aluminium_pct": 100 * o.steel_aluminium,
            "assembly_usmca_qualifying": o.qualifies,
            "assembly_min_cell_share": o.min_cell_share,
        }
        for k, a in values.items():
            per_plant[k].append(np.broadcast_to(a, shape))
    for k, arrays in per_plant.items():
        res[k] = np.stack(arrays, axis=1) if arrays else np.zeros((n, 0, years.size))
    return res


def _origin(
    model: Model,
    tr: TradeSpec,
    plant_id: str,
    v: Inputs,
    rules: dict[str, FloatArray],
    fx: FloatArray,
) -> origin.Origin:
    """USMCA origin of one assembly plant's vehicles. The pack's share of the vehicle's net
    cost is its value (kWh x cell price x pack premium) over the vehicle's price; its cells
    originate where linked North American plants supply them (optionally only for their
    cathode's originating share), else per ``other_cells_originating``."""
    p = plants.plant(model, plant_id)
    ts = next(t for t in tr.plants if t.plant == plant_id)
    c = {k: v(key) for k, key in ts.inputs.items()}
    premium = v(tr.pack_premium)
    # at the inputs' own shapes ((draw, 1) for per-draw shares): the same values as from a
    # (draw, year) zero, -0.0 turned to 0.0 alike, without (draw, year) temporaries
    linked: FloatArray | float = 0.0
    na: FloatArray | float = 0.0
    battery_plant: FloatArray | float = 0.0
    for route in ts.cells:
        share = v(route.share)
        linked = linked + share
        if route.originating:
            o: FloatArray | float = 1.0
            if ts.trace_cathode:
                cam_na = sum((v(k) for k, ok in route.cam if ok), 0.0)
                o = origin.cell_origin(v(tr.cam_share), np.minimum(cam_na, 1.0))
            na = na + share * o
            battery_plant = np.maximum(battery_plant, (share > 0).astype(float))
    cells = na + np.clip(1.0 - linked, 0.0, 1.0) * c["other_cells_originating"]
    assert p.pack_kwh is not None
    pack_value = v(p.pack_kwh) * v("economy.cell_price_usd_per_kwh") * premium * fx
    price = v(p.price) * p.price_factor * v("economy.factory_gate_share")  # ~ net cost basis
    with np.errstate(divide="ignore", invalid="ignore"):
        pack_share = np.clip(np.where(price > 0, pack_value / price, 0.0), 0.0, 1.0)
    return origin.origin(
        pack_share=pack_share,
        cell_share=1.0 / premium,
        cells_originating=np.clip(cells, 0.0, 1.0),
        pack_other_originating=c["pack_other_originating"],
        core_share=np.minimum(c["other_core_share_of_net_cost"], 1.0 - pack_share),
        core_originating=c["other_core_originating"],
        other_originating=c["other_originating"],
        high_wage_share=c["high_wage_share"],
        technology_credit=c["technology_credit"],
        has_battery_plant=np.asarray(battery_plant, dtype=float),
        steel_aluminium=c["steel_aluminium_originating"],
        rules=rules,
    )


def _trade_outputs(
    model: Model,
    v: Inputs,
    rules: dict[str, FloatArray],
    origins: dict[str, origin.Origin],
    output: dict[str, FloatArray],
    lv: dict[str, FloatArray],
    ev: dict[str, FloatArray],
    built: dict[str, FloatArray],
    home_built: dict[str, FloatArray],
    zero: FloatArray,
) -> dict[str, FloatArray]:
    """Yearly trade outputs of the home country: production-weighted RVC and LVC of its
    assembly plants, qualifying vehicles, and Canada-style counter-tariff and remission on
    its groups' US-built imports."""
    out: dict[str, FloatArray] = {
        "rvc_pct": np.full(zero.shape, np.nan),
        "lvc_pct": np.full(zero.shape, np.nan),
        "vehicles_usmca_qualifying": zero,
        "ca_counter_tariff_cad": zero,
        "remission_value_cad": zero,
    }
    tr = model.trade
    if tr is None:
        return out
    home = [p for p in model.plants if p.kind == "assembly" and p.domestic]
    if home:  # without home assembly: no RVC or LVC (NaN), nothing qualifies
        made = total((output[p.id] for p in home), zero.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            for key, attr in (("rvc_pct", "rvc"), ("lvc_pct", "lvc")):
                weighted = total(
                    (output[p.id] * getattr(origins[p.id], attr) for p in home), zero.shape
                )
                out[key] = np.where(made > 0, 100 * weighted / made, np.nan)
        out["vehicles_usmca_qualifying"] = total(
            (output[p.id] * origins[p.id].qualifies for p in home), zero.shape
        )
    if model.home == "US" or model.home not in lv:
        return out
    price = tariffs.value_for_duty(v("economy.ev_price_cad"), v("economy.value_for_duty_share"))
    region = next(r for r in model.regions if r.code == model.home)
    counter, remitted = zero, zero
    fused = jit.compiled_for(zero.shape[0])
    if fused is not None:  # the same sums in one pass over the draws per group (same bits)
        counter, remitted = np.zeros(zero.shape), np.zeros(zero.shape)
        for g, keys in tr.groups:
            c = {k: v(key) for k, key in keys.items()}
            fused.counter_tariff(
                counter,
                remitted,
                lv[model.home],
                ev[model.home],
                v(region.group_share[g]),
                home_built.get(g, zero),
                built.get(g, zero),
                c["us_import_share"],
                c["us_cusma_share"],
                rules["usmca_in_force"],
                c["us_vehicle_camx_content"],
                rules["ca_surtax_rate"],
                rules["ca_surtax_minimum_deduction"],
                price,
                rules["ca_remission_vehicles_per_vehicle_built"],
            )
    for g, keys in tr.groups if fused is None else ():
        c = {k: v(key) for k, key in keys.items()}
        # CUSMA treatment of US vehicles needs the agreement in force
        c["us_cusma_share"] = c["us_cusma_share"] * rules["usmca_in_force"]
        demand = market.ev_demand(lv[model.home], ev[model.home], v(region.group_share[g]))
        imports = tariffs.imports_from_us(demand, home_built.get(g, zero), c["us_import_share"])
        cusma_rate = tariffs.ca_surtax_rate(
            rules["ca_surtax_rate"],
            rules["ca_surtax_minimum_deduction"],
            c["us_vehicle_camx_content"],
            np.ones(1),
        )
        rate = tariffs.ca_surtax_rate(
            rules["ca_surtax_rate"],
            rules["ca_surtax_minimum_deduction"],
            c["us_vehicle_camx_content"],
            c["us_cusma_share"],
        )
        counter = counter + imports * price * rate
        remitted = remitted + tariffs.remission(
            rules["ca_remission_vehicles_per_vehicle_built"],
            built.get(g, zero),
            imports * c["us_cusma_share"],
            price * cusma_rate,
        )
    out["ca_counter_tariff_cad"] = counter
    out["remission_value_cad"] = remitted
    return out


def _cell_totals(
    v: Inputs,
    output: dict[str, FloatArray],
    home_cells: list[PlantSpec],
    shape: tuple[int, int],
    fused: ModuleType | None,
) -> dict[str, FloatArray]:
    """Minerals in the home cell plants' output (t) and the emissions of making it (tCO2e),
    summed over the plants: through ``kernels_flows`` in one pass per plant (same bits)."""
    names = [f"mineral_{m}_t" for m in MINERALS] + ["co2e_manufacturing_t"]
    if fused is None or not home_cells:
        out = {
            f"mineral_{m}_t": total(
                (
                    minerals.mineral_tonnes(output[p.id], dict(p.minerals_kg_per_kwh)[m])
                    if p.minerals_kg_per_kwh is not None
                    else np.full(shape, np.nan)
                    for p in home_cells
                ),
                shape,
            )
            for m in MINERALS
        }
        out["co2e_manufacturing_t"] = total(
            (
                emissions.manufacturing_t(
                    output[p.id],
                    v("emissions.cell_manufacturing_energy_kwh_per_kwh"),
                    v("emissions.electricity_share_of_cell_manufacturing_energy"),
                    v(p.grid),
                    v("emissions.process_heat_kg_co2e_per_kwh"),
                    v("emissions.upstream_materials_kg_co2e_per_kwh"),
                )
                for p in home_cells
                if p.grid is not None
            ),
            shape,
        )
        return out
    acc = np.empty((len(names), *shape))
    emitting = 0
    for k, p in enumerate(home_cells):
        kg = dict(p.minerals_kg_per_kwh) if p.minerals_kg_per_kwh is not None else None
        co2 = None
        if p.grid is not None:
            co2 = emissions.cell_kg_per_kwh(
                v("emissions.cell_manufacturing_energy_kwh_per_kwh"),
                v("emissions.electricity_share_of_cell_manufacturing_energy"),
                v(p.grid),
                v("emissions.process_heat_kg_co2e_per_kwh"),
                v("emissions.upstream_materials_kg_co2e_per_kwh"),
            )
        fused.cell_totals(
            acc,
            output[p.id],
            None if kg is None else [np.asarray(kg[m]) * 1e3 for m in MINERALS],
            co2,
            k == 0,
            emitting == 0,
        )
        emitting += co2 is not None
    out = dict(zip(names, acc, strict=True))
    if not emitting:
        out["co2e_manufacturing_t"] = np.zeros(shape)
    return out


def _over_years(a: FloatArray, shape: tuple[int, int]) -> FloatArray:
    """Each draw's total over the years of ``a`` broadcast to ``shape``: a year path shared
    by every draw is summed once (numpy sums each broadcast row as it sums the path: the
    same pairwise order, so the same bits)."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 2 and a.shape[0] == 1 and a.shape[1] == shape[1]:
        return np.broadcast_to(a.sum(axis=-1), shape[:1])
    return jit.sums_over_years(np.broadcast_to(a, shape))


def _subsidy_kind(kind: str, tax_exempt: bool) -> str | None:
    """How a plant's books carry an incentive: a grant, a (tax-exempt) subsidy, or nothing
    (an investment tax credit reaches the firm through the tax system)."""
    if kind == "capital_grant":
        return "grants"
    if kind == "investment_tax_credit":
        return None
    return "exempt" if tax_exempt else "taxable"


def _kind(model: Model, plant_id: str) -> str:
    return plants.plant(model, plant_id).kind


def _incentive(
    inc: IncentiveSpec,
    model: Model,
    v: Inputs,
    years: FloatArray,
    output: dict[str, FloatArray],
    fx: FloatArray,
    compliance: FloatArray | None,
) -> FloatArray:
    """Gross payments of one incentive per draw-year (CAD), before any clawback."""
    n = v.n
    plant = plants.plant(model, inc.plant)
    c = compliance if (inc.conditional and compliance is not None) else 1.0
    if inc.kind == "production_credit":
        assert inc.rate_scale is not None and plant.module_share is not None
        fused = jit.compiled_for(n)
        if fused is not None:  # the same payments in one pass over the draws (same bits)
            assert model.ledger is not None
            inflation = v(model.ledger.figures["inflation_rate"])
            return fused.production_credit(
                (n, years.size),
                output[plant.id],
                inc.schedule["cell"] if "cell" in inc.schedule and plant.kind == "cell" else None,
                v(plant.module_share) if plant.kind == "cell" else float(plant.kind == "module"),
                inc.schedule.get("module"),
                v(inc.rate_scale),
                fx,
                c,
                v.draw(inc.cap) if inc.cap else None,
                (1.0 + inflation) ** -(years - model.price_year),
            )
        kwh = output[plant.id] * 1e6
        terms = []
        if "cell" in inc.schedule and plant.kind == "cell":
            terms.append(kwh * inc.schedule["cell"])
        if "module" in inc.schedule:
            share = v(plant.module_share) if plant.kind == "cell" else float(plant.kind == "module")
            terms.append(kwh * share * inc.schedule["module"])
        usd = total(terms, (n, years.size))
        flow = usd * v(inc.rate_scale) * fx * c
        # the schedule and its cap are nominal in law: cap in nominal dollars, then express
        # each year's payment in dollars of the price year
        capped = linkage.capped_flow(flow, v.draw(inc.cap) if inc.cap else None)
        assert model.ledger is not None
        inflation = v(model.ledger.figures["inflation_rate"])
        return capped * (1.0 + inflation) ** -(years - model.price_year)
    assert inc.amount is not None
    if inc.kind == "per_vehicle":
        return np.broadcast_to(v(inc.amount) * output[plant.id] * c, (n, years.size))
    if inc.kind == "capital_grant":
        return np.broadcast_to(v(inc.amount) * (years == inc.year), (n, years.size))
    # investment tax credit: rate x capex, paid in the year the plant starts (if in the horizon)
    assert inc.base is not None
    base = v(inc.base) * (v(inc.base_units) if inc.base_units else 1.0)
    return np.broadcast_to(
        v(inc.amount) * base * (years == np.floor(v(plant.start))), (n, years.size)
    )
