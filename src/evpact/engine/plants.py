"""The plants' physical chain (docs/model.md §2-3): each plant's output in a block of draws,
customers before suppliers, with the battery it needs, what it sells at home, buys from
linked suppliers and ships to the US (and the duty on it). Through ``kernels_flows`` in big
blocks (the same bits as the numpy below them)."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import cast

import numpy as np

from ..scenario.distributions import FloatArray
from . import economy, flows, jit, market, origin, tariffs, trade
from .arrays import total
from .compile import Model, PlantSpec, RegionSpec
from .inputs import Inputs


@dataclass(frozen=True)
class Markets:
    """Each region's yearly market (docs/model.md §1), as every plant reads it."""

    lv: dict[str, FloatArray]  # light-vehicle sales
    ev: dict[str, FloatArray]  # EV share of sales
    ratio: dict[str, FloatArray]  # EV share against its plan (contracts that follow it)
    friction: dict[str, FloatArray]  # exports kept through the region's tariff
    group_share: dict[tuple[str, str], str]  # (region, group) -> its share's input key


@dataclass(frozen=True)
class Flows:
    """Every plant's physical flows and the US duties on them, by plant id (or group)."""

    output: dict[str, FloatArray]  # vehicles (assembly) or GWh (battery plants)
    domestic: dict[str, FloatArray]  # GWh installed in vehicles assembled at home
    purchases: dict[str, FloatArray]  # CAD bought from linked home suppliers
    value: dict[str, FloatArray]  # CAD of output
    battery_share: dict[str, FloatArray]  # assembly: battery pack value / output value
    jobs: dict[str, FloatArray]  # direct jobs
    absorbed: dict[str, FloatArray]  # US duty borne in the plant's margin (CAD)
    built: dict[str, FloatArray]  # group -> vehicles built at home
    home_built: dict[str, FloatArray]  # group -> vehicles built at home for home buyers
    us_cost: FloatArray  # US duty on home plants' exports (CAD)
    us_offset: FloatArray  # the US offset on US-assembled vehicles (CAD)


def plant_flows(
    model: Model,
    v: Inputs,
    years: FloatArray,
    zero: FloatArray,
    fx: FloatArray,
    markets: Markets,
    rules: dict[str, FloatArray],
    origins: dict[str, origin.Origin],
    content: dict[str, dict[str, FloatArray]],
) -> Flows:
    """Every plant's flows for a block of draws (``zero``: the block's (draw, year) zeros);
    ``rules``, ``origins``, ``content``: the trade rules, each assembly plant's rules of
    origin and its trade inputs (empty without a trade section)."""
    n, shape = v.n, zero.shape
    lv, ev, ratio, friction = markets.lv, markets.ev, markets.ratio, markets.friction
    group_share = markets.group_share
    tr = model.trade
    us_region = next((r for r in model.regions if r.code == "US"), None)

    def us_friction(rate: FloatArray) -> FloatArray:
        assert us_region is not None
        return trade.export_friction(
            rate, np.ones(1), v(us_region.pass_through), v(us_region.price_elasticity)
        )

    us_cost, us_offset = zero, zero
    absorbed: dict[str, FloatArray] = {}  # plant -> US duty borne in its margin (CAD)
    home_built: dict[str, FloatArray] = {}  # group -> vehicles built at home for home buyers
    built: dict[str, FloatArray] = {}  # group -> vehicles built at home

    # 2-3. physical flows, customers before suppliers
    output: dict[str, FloatArray] = {}  # vehicles (assembly) or GWh (battery plants)
    need: dict[str, FloatArray] = {}  # GWh of battery each plant needs from its suppliers
    domestic: dict[str, FloatArray] = {}  # GWh installed in vehicles assembled at home
    purchases: dict[str, FloatArray] = {p.id: zero for p in model.plants}  # CAD, linked
    value: dict[str, FloatArray] = {}
    battery_share: dict[str, FloatArray] = {}  # assembly: battery pack value / output value
    jobs: dict[str, FloatArray] = {}
    fused = jit.compiled_for(n, ".kernels_flows")
    one = np.ones((1, 1))
    for p in model.plants:
        ramp = flows.ramp_factor(years, v(p.start), v(p.ramp_years))
        # supply cuts (mechanism 8d) remove weeks of output; spare capacity does not make
        # them up, because the shortage reaches the plant through its whole chain
        kept = model.availability.get(p.id, 1.0)
        cap = v(p.capacity)
        if p.kind == "assembly":
            assert p.group is not None and p.pack_kwh is not None
            g = p.group
            rate = zero
            if tr is not None and p.country != "US":
                rate = tariffs.us_vehicle_rate(
                    rules["us_vehicle_tariff"],
                    origins[p.id].qualifies,
                    rules["us_non_us_content_only"],
                    content[p.id]["us_content_share"],
                )
            unit = v(p.price) * p.price_factor  # retail (MSRP)
            duty_base = tariffs.value_for_duty(unit, v("economy.value_for_duty_share"))
            pack = v(p.pack_kwh) * v("economy.cell_price_usd_per_kwh") * fx
            if fused is not None:  # the same chain in a pass per market and one more
                chain = _assembly_fused(
                    fused,
                    model,
                    p,
                    v,
                    (cap, ramp, kept),
                    [
                        (r, v(share), lv[r], ev[r], v(group_share[(r, g)]))
                        for r, share in p.markets.items()
                    ],
                    friction,
                    (rate, duty_base, unit, pack),
                    content.get(p.id),
                    us_cost,
                    (built.get(g, zero), home_built.get(g, zero)) if p.domestic else None,
                    us_region,
                )
                out = chain["out"]
                if "us_cost" in chain:
                    us_cost = chain["us_cost"]
                    if us_region is not None:
                        absorbed[p.id] = chain["absorbed"]
                if p.domestic:
                    built[g], home_built[g] = chain["built"], chain["home_built"]
                need[p.id], value[p.id] = chain["need"], chain["value"]
                battery_share[p.id], jobs[p.id] = chain["battery_share"], chain["jobs"]
                if tr is not None and p.country == "US":
                    us_offset = us_offset + tariffs.us_offset(
                        rules["us_offset_share_of_msrp"], unit, out
                    )
                output[p.id] = out
                continue
            us_kept = (
                tariffs.us_supply_kept(
                    rate,
                    duty_base,
                    unit * v("economy.factory_gate_share"),
                    content[p.id]["us_alternative_cost_share"],
                )
                if tr is not None and p.country != "US"
                else 1.0
            )
            by_region = {
                r: v(share)
                * market.ev_demand(lv[r], ev[r], v(group_share[(r, p.group)]))
                * (us_friction(rate) * us_kept if tr is not None and r == "US" else friction[r])
                for r, share in p.markets.items()
            }
            demand = total(by_region.values(), shape)
            if model.company_plan:  # announced capacity and ramp, whatever the demand
                demand = np.broadcast_to(cap * ramp, shape)
            out = flows.assembly_production(cap, ramp, demand) * kept
            with np.errstate(divide="ignore", invalid="ignore"):
                part = {
                    r: np.where(demand > 0, out * d / demand, 0.0) for r, d in by_region.items()
                }
            if p.domestic and "US" in part:
                duty = part["US"] * duty_base * rate
                us_cost = us_cost + duty
                if us_region is not None:
                    absorbed[p.id] = tariffs.producer_borne(duty, v(us_region.pass_through))
            if tr is not None and p.country == "US":
                us_offset = us_offset + tariffs.us_offset(
                    rules["us_offset_share_of_msrp"], unit, out
                )
            if p.domestic:
                built[g] = built.get(g, zero) + out
                home_built[g] = home_built.get(g, zero) + part.get(model.home, zero)
            need[p.id] = out * v(p.pack_kwh) / 1e6
            value[p.id] = out * unit * v("economy.factory_gate_share")  # at factory gate
            with np.errstate(divide="ignore", invalid="ignore"):
                battery_share[p.id] = np.clip(
                    np.where(
                        value[p.id] > 0,
                        out * pack * v("economy.pack_price_premium_over_cell") / value[p.id],
                        0.0,
                    ),
                    0.0,
                    1.0,
                )
            jobs[p.id] = v(p.jobs_per_unit) * out
        else:
            assert p.yield_share is not None
            yld = v(p.yield_share)
            available = cap * ramp * yld
            routes = [r for r in model.routes if r.supplier == p.id]
            calls = [v(r.share) * need[r.customer] for r in routes]
            linked_need = total(calls, shape)
            cell_rate = zero  # US duty on cells exported to the US (as auto parts)
            if tr is not None and p.country != "US":
                cell_rate = tariffs.us_battery_rate(
                    rules["us_battery_tariff"], rules["us_parts_exempt"], rules["usmca_in_force"]
                )
            unit_price = v(p.price) * p.price_factor * fx  # CAD per GWh of cells
            if p.kind in ("cell", "module", "pack"):  # ... plus modules and packs made
                unit_price = unit_price * economy.battery_value_factor(
                    p.kind,
                    v(p.module_share) if p.module_share is not None else np.zeros(1),
                    v("economy.pack_price_premium_over_cell"),
                    v("economy.module_share_of_pack_premium"),
                )
            us_pass_through = v(us_region.pass_through) if us_region is not None else one
            if fused is not None:  # the same chain in a pass per contract and one more
                calls_by_contract = np.empty((len(p.offtake), *shape))
                roles = []
                for row, (region, share_key, follows) in zip(
                    calls_by_contract, p.offtake, strict=True
                ):
                    us = None
                    if tr is not None and region == "US":
                        assert us_region is not None
                        us = (cell_rate, us_pass_through, v(us_region.price_elasticity))
                    fused.contract(
                        row, v(share_key), available, ratio.get(region) if follows else None, us
                    )
                    roles.append(
                        fused.HOME * (region == model.home)
                        | fused.US_DUTY * (p.domestic and tr is not None and region == "US")
                    )
                chain = fused.battery_chain(
                    calls_by_contract,
                    roles,
                    available,
                    linked_need,
                    kept,
                    unit_price,
                    yld,
                    v(p.jobs_per_unit),
                    (cell_rate, us_pass_through, us_cost),
                    model.company_plan,
                )
                out, linked, home = chain["out"], chain["linked"], chain["home"]
                value[p.id], jobs[p.id] = chain["value"], chain["jobs"]
                if any(role & fused.US_DUTY for role in roles):
                    us_cost = chain["us_cost"]
                    if us_region is not None:
                        absorbed[p.id] = chain["absorbed"]
            else:
                contracts = [
                    v(share)
                    * available
                    * (ratio.get(region, 1.0) if follows else 1.0)
                    * (us_friction(cell_rate) if tr is not None and region == "US" else 1.0)
                    for region, share, follows in p.offtake
                ]
                out, linked, fulfilled = flows.battery_output(available, linked_need, contracts)
                if model.company_plan:  # full utilisation: what contracts leave is sold elsewhere
                    out = np.broadcast_to(available, shape)
                out, linked, fulfilled = out * kept, linked * kept, [f * kept for f in fulfilled]
                value[p.id] = out * unit_price
                home = total(  # installed in vehicles assembled at home: home contracts ...
                    (
                        f
                        for (region, _, _), f in zip(p.offtake, fulfilled, strict=True)
                        if region == model.home
                    ),
                    shape,
                )
                with np.errstate(divide="ignore", invalid="ignore"):
                    jobs[p.id] = np.where(yld > 0, v(p.jobs_per_unit) * out / yld, 0.0)
                if p.domestic and tr is not None:
                    for (region, _, _), f in zip(p.offtake, fulfilled, strict=True):
                        if region == "US":
                            duty = f * unit_price * cell_rate
                            us_cost = us_cost + duty
                            if us_region is not None:
                                absorbed[p.id] = absorbed.get(p.id, zero) + tariffs.producer_borne(
                                    duty, us_pass_through
                                )
            need[p.id] = out
            with np.errstate(divide="ignore", invalid="ignore"):
                for route, call in zip(routes, calls, strict=True):
                    delivered = np.where(linked_need > 0, linked * call / linked_need, 0.0)
                    if plant(model, route.customer).domestic:  # ... and linked home plants
                        home = home + delivered
                    if p.domestic:  # a buyer's indirect effects exclude home suppliers' output
                        purchases[route.customer] = (
                            purchases[route.customer] + delivered * unit_price
                        )
            domestic[p.id] = home
        output[p.id] = out
    return Flows(
        output=output,
        domestic=domestic,
        purchases=purchases,
        value=value,
        battery_share=battery_share,
        jobs=jobs,
        absorbed=absorbed,
        built=built,
        home_built=home_built,
        us_cost=us_cost,
        us_offset=us_offset,
    )


def _assembly_fused(
    fused: ModuleType,
    model: Model,
    p: PlantSpec,
    v: Inputs,
    supply: tuple[FloatArray, FloatArray, FloatArray | float],
    markets: list[tuple[str, FloatArray, FloatArray, FloatArray, FloatArray]],
    friction: dict[str, FloatArray],
    prices: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    content: dict[str, FloatArray] | None,
    us_cost: FloatArray,
    groups: tuple[FloatArray, FloatArray] | None,
    us_region: RegionSpec | None,
) -> dict[str, FloatArray]:
    """``plant_flows``'s assembly branch through ``kernels_flows`` (the same bits): a pass per
    market for its demand term (share, EVs of the plant's group, export friction), then one
    for the plant's chain. ``markets``: (region, share, LV sales, EV share, group share);
    ``prices``: the US duty rate, value for duty, unit price (MSRP) and pack value."""
    tr = model.trade
    rate, duty_base, unit, pack = prices
    gate = v("economy.factory_gate_share")
    one = np.ones((1, 1))
    shape = (v.n, model.years.size)
    terms = np.empty((len(markets), *shape))
    keys = [m[0] for m in markets]
    for row, (r, share, lv, ev, group) in zip(terms, markets, strict=True):
        us: tuple[FloatArray, ...] | None = None
        if tr is not None and r == "US":  # the vehicle duty's friction, and the supply test
            assert us_region is not None
            alternative = one if content is None else content["us_alternative_cost_share"]
            us = (rate, duty_base, unit * gate, alternative, v(us_region.pass_through))
            us += (v(us_region.price_elasticity),)
        kept_test = tr is not None and p.country != "US"
        fused.demand_term(row, lv, ev, group, share, friction[r], us, kept_test)
    duty = p.domestic and "US" in keys
    assert p.pack_kwh is not None
    pass_through = v(us_region.pass_through) if us_region is not None else one
    return cast(
        dict[str, FloatArray],
        fused.assembly_chain(
            terms,
            *supply,
            keys.index(model.home) if model.home in keys else -1,
            keys.index("US") if duty else -1,
            (rate, duty_base, pass_through, us_cost) if duty else None,
            (
                v(p.pack_kwh),
                unit,
                gate,
                pack,
                v("economy.pack_price_premium_over_cell"),
                v(p.jobs_per_unit),
            ),
            groups,
            model.company_plan,
        ),
    )


def plant(model: Model, plant_id: str) -> PlantSpec:
    return next(p for p in model.plants if p.id == plant_id)
