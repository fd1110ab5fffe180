"""Compile wiring (issue 17): every compiled input's central value is the bundled row or the
scenario field its path names.

The per-draw loop and the hand cases share or override compile's inputs, so a compile step that
reads the wrong row or column (the simple GDP ratio for the total one, the first year of a
price path for the last, another plant's archetype) passes both. This test reads the bundled
CSVs and rule packs itself (pandas and yaml, not ``evpact.data``) and checks every input of a
few scenarios against the source ``SOURCES`` names for its path; an input no row of the table
describes fails too, so a new input comes with its source here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from cases import linked_pair, two_linked_deals
from evpact.data import data_dir
from evpact.engine.compile import Model, YearPath, compile_scenario
from evpact.scenario.distributions import Dist
from evpact.scenario.load import load_scenario
from evpact.scenario.model import Scenario

#: where a compiled input comes from: a row of a bundled table (table, key columns, column)
#: or a scenario field (a Dist, compared as declared)
Expected = Dist | tuple[float, float, float] | np.ndarray


@cache
def table(name: str) -> pd.DataFrame:
    return pd.read_csv(data_dir() / "reference" / f"{name}.csv")


def row(name: str, **keys: Any) -> tuple[float, float, float]:
    """(low, mode, high) of the one bundled row with these key columns."""
    t = table(name)
    mask = np.ones(len(t), dtype=bool)
    for col, val in keys.items():
        mask &= (t[col] == val).to_numpy()
    hits = t[mask]
    assert len(hits) == 1, (name, keys, len(hits))
    r = hits.iloc[0]
    return float(r["low"]), float(r["mode"]), float(r["high"])


def yearly_mode(name: str, years: np.ndarray, **keys: Any) -> np.ndarray:
    """A yearly table's mode interpolated on the horizon (flat beyond its first and last
    years)."""
    t = table(name)
    mask = np.ones(len(t), dtype=bool)
    for col, val in keys.items():
        mask &= (t[col] == val).to_numpy()
    rows = t[mask].sort_values("year")
    assert len(rows), (name, keys)
    return np.interp(years, rows["year"].to_numpy(float), rows["mode"].to_numpy(float))


@cache
def pack(name: str) -> dict[str, Any]:
    found = yaml.safe_load((data_dir() / "rules" / f"{name}.yaml").read_text())
    assert isinstance(found, dict)
    return found


def rule_in_year(packs: list[str], name: str, year: int) -> float:
    """The value a parameter of the listed packs has all through ``year``: the last pack that
    sets it wins; within a pack the entry in force latest. Not set by any: 0."""
    value = 0.0
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for p in packs:
        data = pack(p)
        entries = (data.get("parameters") or {}).get(name) or []
        live = []
        for e in entries:
            begins = e.get("effective", data.get("effective"))
            begins = dt.date.fromisoformat(str(begins)) if begins else dt.date.min
            until = dt.date.fromisoformat(str(e["until"])) if e.get("until") else dt.date.max
            if begins <= start and until >= end:
                live.append((begins, float(e["value"])))
        if live:
            value = max(live)[1]
    return value


# --- the table: input path -> where its central value comes from ----------------------------

Resolver = Callable[[re.Match[str], Scenario, np.ndarray], Expected | None]


def _plant(s: Scenario, pid: str) -> Any:
    return next(p for p in s.plants if p.id == pid)


def _deal(s: Scenario, did: str) -> Any:
    return next(d for d in s.deals if d.id == did)


def _archetype(p: Any, parameter: str) -> tuple[float, float, float]:
    default = {"assembly": "assembly-north-america", "cam": "cam-north-america"}
    name = p.archetype or default.get(p.kind, "cell-north-america")
    try:
        return row("plant_archetypes", archetype=name, parameter=parameter)
    except AssertionError:  # parameters an archetype lacks come from the cell archetype
        return row("plant_archetypes", archetype="cell-north-america", parameter=parameter)


def _market_path(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    region, name = m.group(1), m.group(2)
    ref = getattr(s.market.regions[region], name)
    if ref.table is not None:
        yrs = sorted(ref.table)
        path = np.interp(years, yrs, [ref.table[y] for y in yrs])
    else:
        path = yearly_mode("market_paths", years, path=ref.path, region=region)
    path = path * ref.scale.central
    return np.clip(path, 0.0, 1.0) if name.startswith("ev_share") else path


def _jobs(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    p = _plant(s, m.group(1))
    if p.direct_jobs is not None:
        cap = (p.capacity_vehicles or p.capacity_gwh).central
        return np.array(p.direct_jobs.central / cap)
    if p.kind == "assembly":
        return np.array(_archetype(p, "direct_jobs_per_1000_vehicles")[1] / 1000)
    return _archetype(p, "direct_jobs_per_gwh")


def _plant_default(parameter: str) -> Resolver:
    def resolve(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
        p = _plant(s, m.group(1))
        given = getattr(p, {"yield": "yield_share"}.get(m.group(2), m.group(2)))
        return given if given is not None else _archetype(p, parameter)

    return resolve


def _grid(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    p = _plant(s, m.group(1))
    if p.grid_gco2e_per_kwh is not None:
        return p.grid_gco2e_per_kwh
    t = table("grid_intensity")
    code = p.region if (t["region"] == p.region).any() else p.country
    return row("grid_intensity", region=code)


def _capex(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    p = _plant(s, m.group(1))
    return _archetype(p, "capex_cad_per_vehicle" if p.kind == "assembly" else "capex_cad_per_gwh")


def _field(*path: str) -> Resolver:
    """A scenario field: attribute names, ``{n}`` for the n-th regex group (an id, an index)."""

    def resolve(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
        obj: Any = s
        for step in path:
            key = m.group(int(step[1:-1])) if step.startswith("{") else step
            if isinstance(obj, dict):
                obj = obj[key]
            elif isinstance(obj, tuple | list):
                obj = (
                    obj[int(key)]
                    if key.isdigit()
                    else next(x for x in obj if getattr(x, "id", None) == key)
                )
            else:
                obj = getattr(obj, key)
        assert isinstance(obj, Dist), (path, obj)
        return obj

    return resolve


def _or_row(given: Callable[[Scenario, re.Match[str]], Any], name: str, **keys: Any) -> Resolver:
    """A scenario override if set, else one bundled row (``{n}`` in a key: a regex group)."""

    def resolve(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
        g = given(s, m)
        if g is not None:
            return g
        filled = {
            k: m.group(int(v[1:-1])) if isinstance(v, str) and v.startswith("{") else v
            for k, v in keys.items()
        }
        return row(name, **filled)

    return resolve


def _economy(field: str, item: str) -> Resolver:
    return _or_row(lambda s, m: getattr(s.economy, field), "prices", item=item)


def _ev_price(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    if s.economy.ev_price_cad is not None:
        return s.economy.ev_price_cad
    rows = table("prices")[table("prices")["item"] == "ev_price_cad"].sort_values("year")
    last = rows.iloc[-1]
    return float(last["low"]), float(last["mode"]), float(last["high"])


def _cell_price(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    given = s.economy.cell_price_usd_per_kwh
    if given is not None:
        return given
    return yearly_mode("prices", years, item="cell_price_usd_per_kwh")


def _ev_stock(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    """The last counted stock plus the sales counted between it and the horizon."""
    t = table("charging")
    t = t[t["region"] == s.home_country]
    stock = t[t["parameter"] == "ev_stock"].iloc[0]
    sales = t[(t["parameter"] == "ev_sales") & (t["year"] > stock["year"]) & (t["year"] < years[0])]
    return tuple(float(stock[k] + sales[k].sum()) for k in ("low", "mode", "high"))  # type: ignore[return-value]


def _charging(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    name = m.group(1)
    given = getattr(s.market.charging, name)
    if given is not None:
        return given
    key = "charging_elasticity" if name == "elasticity" else name
    return row("charging", region=s.home_country, parameter=key)


def _trade_plant(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    assert s.trade is not None
    given = s.trade.plants.get(m.group(1))
    value = getattr(given, m.group(2)) if given else None
    return value if value is not None else row("trade_content", parameter=m.group(2), group="*")


def _trade_group(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    assert s.trade is not None
    given = s.trade.groups.get(m.group(1))
    value = getattr(given, m.group(2)) if given else None
    if value is not None:
        return value
    t = table("trade_content")
    own = ((t["parameter"] == m.group(2)) & (t["group"] == m.group(1))).any()
    return row("trade_content", parameter=m.group(2), group=m.group(1) if own else "*")


def _trade_rule(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    assert s.trade is not None
    last = int(years[-1])
    return np.array(rule_in_year(list(s.trade.rules), m.group(1), last))


#: the federal fiscal pack, and Ontario's for a scenario with home plants in Ontario
def _fiscal_rule(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    packs = ["ca-fiscal-2024"]
    if any(p.region == "CA-ON" for p in s.plants if p.country == s.home_country):
        packs.append("ca-on-fiscal-2024")
    return np.array(rule_in_year(packs, m.group(1), int(years[-1])))


def _additionality(parameter: str, *field: str) -> Resolver:
    def given(s: Scenario, m: re.Match[str]) -> Any:
        obj: Any = s.additionality
        for f in field:
            obj = (
                None if obj is None else (obj.get(f) if isinstance(obj, dict) else getattr(obj, f))
            )
        return obj

    return _or_row(given, "additionality", parameter=parameter)


def _firm(s: Scenario, fid: str) -> Any:
    return next(f for f in s.firms if f.id == fid)


def _firm_row(parameter: str, field: str | None) -> Resolver:
    """A firm's own figure if set, else its firms.csv row: the firm's data key (its id unless
    ``data`` names another), location ``home``, this parameter."""

    def resolve(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
        f = _firm(s, m.group(1))
        given = getattr(f, field) if field else None
        if given is not None:
            return given
        return row("firms", firm=f.data or f.id, location="home", parameter=parameter)

    return resolve


def _alternative_row(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    """An alternative location's own figure if set, else the firms.csv row at its id."""
    f = _firm(s, m.group(1))
    a = next(x for x in f.alternatives if x.id == m.group(2))
    parameter = m.group(3)
    given = None if parameter == "capex_usd_per_unit" else getattr(a, parameter)
    if given is not None:
        return given
    return row("firms", firm=f.data or f.id, location=a.id, parameter=parameter)


def _firm_tax(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    """A firm's home tax rate: its own, else the federal zero-emission manufacturer rate plus
    Ontario's, in the last year (a plant in Ontario)."""
    f = _firm(s, m.group(1))
    if f.tax_rate is not None:
        return f.tax_rate
    assert _plant(s, f.plant).region == "CA-ON"
    last = int(years[-1])
    return np.array(
        rule_in_year(["ca-fiscal-2024"], "ca_federal_zetm_cit_rate", last)
        + rule_in_year(["ca-on-fiscal-2024"], "ca_provincial_cit_rate", last)
    )


def _us_45x(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    packs = ["us-45x-2022", *(s.trade.rules if s.trade else [])]
    return np.array(rule_in_year(packs, f"us_45x_{m.group(3)}_usd_per_kwh", int(years[-1])))


def _minerals(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    return yearly_mode("mineral_production", years, mineral=m.group(1), region=s.home_country)


def _experience(m: re.Match[str], s: Scenario, years: np.ndarray) -> Expected:
    assert s.economy.learning is not None
    given = s.economy.learning.initial_experience_gwh
    if given is not None:
        return given
    home = [
        p.capacity_gwh.central for p in s.plants if p.kind == "cell" and p.country == s.home_country
    ]
    return np.array(max(sum(home), 1.0))


def _learning(field: str, parameter: str) -> Resolver:
    return _or_row(lambda s, m: getattr(s.economy.learning, field), "learning", parameter=parameter)


ID = r"([a-z0-9][a-z0-9_.-]*?)"
SOURCES: list[tuple[str, str, Resolver]] = [
    # market
    (
        r"market\.regions\.(\w+)\.(lv_sales|ev_share|ev_share_plan)",
        "market_paths.csv (path, region) or the scenario's table, x scale",
        _market_path,
    ),
    (
        r"market\.regions\.(\w+)\.group_share\.(\w+)",
        "scenario",
        _field("market", "regions", "{1}", "group_share", "{2}"),
    ),
    (
        r"market\.regions\.(\w+)\.(export_tariff|tariff_exposed_share|pass_through|price_elasticity)",
        "scenario",
        _field("market", "regions", "{1}", "{2}"),
    ),
    (r"market\.charging\.ev_stock_start", "charging.csv ev_stock + ev_sales since", _ev_stock),
    (r"market\.charging\.(\w+)", "charging.csv (region, parameter) or scenario", _charging),
    # plants
    (
        rf"plants\.{ID}\.(start|capacity_gwh|capacity_vehicles|pack_kwh|module_share|vehicle_price_cad|capex_cad|but_for)",
        "scenario",
        _field("plants", "{1}", "{2}"),
    ),
    (rf"plants\.{ID}\.(markets)\.(\w+)", "scenario", _field("plants", "{1}", "markets", "{3}")),
    (
        rf"plants\.{ID}\.offtake\.(\d+)\.share",
        "scenario",
        _field("plants", "{1}", "offtake", "{2}", "share"),
    ),
    (
        rf"plants\.{ID}\.(ramp_years)",
        "plant_archetypes.csv ramp_years or scenario",
        _plant_default("ramp_years"),
    ),
    (
        rf"plants\.{ID}\.(yield)",
        "plant_archetypes.csv yield_mature or scenario",
        _plant_default("yield_mature"),
    ),
    (
        rf"plants\.{ID}\.direct_jobs_per_unit",
        "scenario direct_jobs / capacity, or plant_archetypes.csv",
        _jobs,
    ),
    (
        rf"plants\.{ID}\.grid_gco2e_per_kwh",
        "grid_intensity.csv (region, else country) or scenario",
        _grid,
    ),
    (rf"plants\.{ID}\.capex_cad_per_unit", "plant_archetypes.csv capex per GWh or vehicle", _capex),
    # deals
    (
        rf"deals\.{ID}\.supply\.(\d+)\.share",
        "scenario",
        _field("deals", "{1}", "supply", "{2}", "share"),
    ),
    (
        rf"deals\.{ID}\.linkage\.threshold",
        "scenario",
        _field("deals", "{1}", "linkage", "threshold"),
    ),
    (
        rf"deals\.{ID}\.incentives\.(\d+)\.(\w+)",
        "scenario",
        _field("deals", "{1}", "incentives", "{2}", "{3}"),
    ),
    (rf"deals\.{ID}\.but_for", "scenario", _field("deals", "{1}", "but_for")),
    # economy
    (
        r"economy\.cell_price_usd_per_kwh",
        "prices.csv cell_price_usd_per_kwh by year, or scenario",
        _cell_price,
    ),
    (r"economy\.ev_price_cad", "prices.csv ev_price_cad, last year, or scenario", _ev_price),
    (
        r"economy\.pack_price_premium_over_cell",
        "prices.csv",
        _economy("pack_price_premium_over_cell", "pack_price_premium_over_cell"),
    ),
    (
        r"economy\.module_share_of_pack_premium",
        "prices.csv",
        _economy("module_share_of_pack_premium", "module_share_of_pack_premium"),
    ),
    (
        r"economy\.factory_gate_share",
        "prices.csv",
        _economy("factory_gate_share", "factory_gate_share_of_retail"),
    ),
    (
        r"economy\.value_for_duty_share",
        "prices.csv",
        _economy("value_for_duty_share", "value_for_duty_share_of_retail"),
    ),
    (
        r"economy\.multipliers\.(\w+)\.(\w+)",
        "multipliers.csv (industry, measure) or scenario",
        _or_row(
            lambda s, m: s.economy.multipliers.get(m.group(1), {}).get(m.group(2)),
            "multipliers",
            industry="{1}",
            measure="{2}",
        ),
    ),
    (
        r"fx_cad_per_usd",
        "prices.csv fx_cad_per_usd or scenario",
        _or_row(lambda s, m: s.fx_cad_per_usd, "prices", item="fx_cad_per_usd"),
    ),
    # fiscal and the Crown ledger
    (
        r"fiscal\.discount_rate",
        "fiscal.csv discount_rate_real or scenario",
        _or_row(lambda s, m: s.fiscal.discount_rate, "fiscal", parameter="discount_rate_real"),
    ),
    (
        r"fiscal\.profit_share",
        "fiscal.csv profit_share_of_gdp_net_of_labour or scenario",
        _or_row(
            lambda s, m: s.fiscal.profit_share,
            "fiscal",
            parameter="profit_share_of_gdp_net_of_labour",
        ),
    ),
    (r"fiscal\.rules\.(\w+)", "ca-fiscal-2024 (+ ca-on-fiscal-2024) rule packs", _fiscal_rule),
    (
        r"fiscal\.(\w+)",
        "ledger.csv (parameter) or scenario",
        _or_row(lambda s, m: getattr(s.fiscal, m.group(1), None), "ledger", parameter="{1}"),
    ),
    # environment
    (
        r"minerals\.production\.(\w+)",
        "mineral_production.csv (mineral, home region) by year",
        _minerals,
    ),
    (
        r"emissions\.(\w+)",
        "emissions.csv (parameter) or scenario",
        _or_row(lambda s, m: getattr(s.emissions, m.group(1)), "emissions", parameter="{1}"),
    ),
    # trade
    (r"trade\.rules\.(\w+)", "the scenario's rule packs (last listed wins)", _trade_rule),
    (rf"trade\.plants\.{ID}\.(\w+)", "trade_content.csv (parameter, *) or scenario", _trade_plant),
    (
        r"trade\.groups\.(\w+)\.(\w+)",
        "trade_content.csv (parameter, group else *) or scenario",
        _trade_group,
    ),
    (
        r"trade\.cam_value_share_of_cell_price",
        "prices.csv",
        lambda m, s, y: row("prices", item="cam_value_share_of_cell_price"),
    ),
    # learning and mineral projects
    (
        r"economy\.learning\.initial_experience_gwh",
        "scenario, else the home cell plants' nameplate (at least 1 GWh)",
        _experience,
    ),
    (
        r"economy\.learning\.rate",
        "learning.csv cell_learning_rate or scenario",
        _learning("rate", "cell_learning_rate"),
    ),
    (
        r"economy\.learning\.cost_share",
        "learning.csv cost_share_of_cell_price or scenario",
        _learning("cost_share", "cost_share_of_cell_price"),
    ),
    (
        rf"mineral_projects\.{ID}\.(tonnes_per_year|start|ramp_years)",
        "scenario",
        _field("mineral_projects", "{1}", "{2}"),
    ),
    # additionality (the net layer)
    (
        r"additionality\.but_for",
        "additionality.csv but_for or scenario",
        _additionality("but_for", "but_for"),
    ),
    (
        r"additionality\.slack\.(direct)",
        "additionality.csv slack_direct",
        _additionality("slack_direct", "slack", "direct"),
    ),
    (
        r"additionality\.slack\.(indirect)",
        "additionality.csv slack_indirect",
        _additionality("slack_indirect", "slack", "indirect"),
    ),
    (
        r"additionality\.slack\.(induced)",
        "additionality.csv slack_induced",
        _additionality("slack_induced", "slack", "induced"),
    ),
    # the firms' side (engine/firms.py)
    # an alternative's paths first: an id may hold dots, so firms.<id>.tax_rate matches them too
    (
        rf"firms\.{ID}\.alternatives\.{ID}\.us_45x_(cell|module)_usd_per_kwh",
        "us-45x-2022 (then the scenario's trade packs)",
        _us_45x,
    ),
    (
        rf"firms\.{ID}\.alternatives\.{ID}\."
        r"(cost_gap_share|grant_usd|tax_rate|us_45x_eligible_share|capex_usd_per_unit)",
        "firms.csv row of the alternative or scenario",
        _alternative_row,
    ),
    (
        rf"firms\.{ID}\.(hurdle_rate|margin_share)",
        "firms.csv home row or scenario",
        lambda m, s, y: _firm_row(m.group(2), m.group(2))(m, s, y),
    ),
    (
        rf"firms\.{ID}\.capex_usd_per_unit",
        "firms.csv home capex_usd_per_unit",
        _firm_row("capex_usd_per_unit", None),
    ),
    (
        rf"firms\.{ID}\.premium_cad",
        "scenario, else 0 (accept at any advantage)",
        lambda m, s, y: _firm(s, m.group(1)).premium_cad or np.array(0.0),
    ),
    (rf"firms\.{ID}\.tax_rate", "ca-fiscal-2024 ZETM + ca-on-fiscal-2024 or scenario", _firm_tax),
    (r"firms\.support_scale", "fixed 1 (the terms as written)", lambda m, s, y: np.array(1.0)),
    (
        r"additionality\.unemployment_rate",
        "additionality.csv unemployment_rate (Ontario, LFS) or scenario",
        _additionality("unemployment_rate", "unemployment_rate"),
    ),
    (
        r"additionality\.unemployment_reference",
        "additionality.csv unemployment_reference or scenario",
        _additionality("unemployment_reference", "unemployment_reference"),
    ),
    (
        r"additionality\.in_migration",
        "additionality.csv in_migration",
        _additionality("in_migration", "in_migration"),
    ),
    (
        r"additionality\.mcpf\.(federal)",
        "additionality.csv mcpf_federal",
        _additionality("mcpf_federal", "mcpf", "federal"),
    ),
    (
        r"additionality\.mcpf\.(provincial)",
        "additionality.csv mcpf_provincial",
        _additionality("mcpf_provincial", "mcpf", "provincial"),
    ),
    (
        r"additionality\.mcpf\.(\w+)",
        "scenario: a provincial payer's own figure (e.g. ontario)",
        _field("additionality", "mcpf", "{1}"),
    ),
    (
        r"additionality\.ev_adoption_added",
        "additionality.csv ev_adoption_added",
        _additionality("ev_adoption_added", "ev_adoption_added"),
    ),
]


def _check(key: str, got: Any, want: Expected, years: np.ndarray) -> None:
    if isinstance(want, Dist):
        assert isinstance(got, Dist), key
        assert got == want, (key, got, want)
        return
    if isinstance(want, tuple):  # a bundled (low, mode, high) row
        assert isinstance(got, Dist), key
        assert got.central == pytest.approx(want[1], rel=1e-12), (key, got, want)
        assert got.support == pytest.approx((want[0], want[2]), rel=1e-12), (key, got, want)
        return
    central = got.central if isinstance(got, YearPath) else np.array(got.central)
    if isinstance(got, YearPath) and want.ndim == 0:  # a rule: its value in the last year
        central = central[-1]
    np.testing.assert_allclose(central, want, rtol=1e-12, err_msg=key)


def _scenarios(tmp_path: Path) -> dict[str, Scenario]:
    out = {
        name: load_scenario(name) for name in ("canada-korea-2026", "nextstar-2023", "powerco-2023")
    }
    # the pair again, with every override a scenario can give, so those branches are read too
    given = linked_pair(but_for=0.4, capex_cad=2.0e9, grid_gco2e_per_kwh=50.0)
    given["plants"][0].update({"ramp_years": 2.0, "yield": 0.95, "archetype": "cell-north-america"})
    given["deals"][0]["but_for"] = 0.3
    given["economy"].update(
        {
            "cell_price_usd_per_kwh": 90.0,
            "ev_price_cad": 55_000.0,
            "module_share_of_pack_premium": 0.4,
            "value_for_duty_share": 0.75,
            "learning": {"rate": 0.15},
        }
    )
    given["emissions"] = {"vehicle_lifetime_km": 250_000.0}
    given["additionality"] = {
        "but_for": 0.5,
        "slack": {"indirect": 0.2},
        "in_migration": 0.1,
        "mcpf": {"federal": 1.1, "ontario": 1.4},
        "ev_adoption_added": 0.3,
    }
    given["market"]["charging"] = {"public_ports": 40_000.0}
    given["mineral_projects"] = [
        {"id": "mine", "mineral": "lithium", "tonnes_per_year": 1000.0, "start": 2031}
    ]
    given["fiscal"]["discount_rate"] = 0.04
    learned = linked_pair()
    learned["economy"]["learning"] = {}
    for name, data in (
        ("linked-pair", linked_pair()),
        ("two-deals", two_linked_deals()),
        ("overrides", given),
        ("learning", learned),
    ):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        out[name] = load_scenario(str(path))
    return out


def test_every_compiled_input_is_its_named_source(tmp_path: Path) -> None:
    seen: set[str] = set()
    checked = 0
    for name, scenario in _scenarios(tmp_path).items():
        model: Model = compile_scenario(scenario)
        years = model.years.astype(float)
        for key, got in model.inputs.items():
            matches = [(pat, res) for pat, _, res in SOURCES if re.fullmatch(pat, key)]
            assert matches, f"{name}: no source row in SOURCES describes input {key}"
            pat, resolve = matches[0]
            m = re.fullmatch(pat, key)
            assert m is not None
            _check(f"{name}: {key}", got, resolve(m, scenario, years), years)
            seen.add(pat)
            checked += 1
    assert checked > 300
    # every row of the table is exercised by some scenario, so none is dead
    unused = [pat for pat, _, _ in SOURCES if pat not in seen]
    assert not unused, unused


def test_wiring_check_catches_a_wrong_row(tmp_path: Path) -> None:
    """The check itself can fail: a model whose total GDP ratio was read from the simple
    column, or whose pack premium came from another price row, is refused."""
    scenario = load_scenario("canada-korea-2026")
    model = compile_scenario(scenario)
    years = model.years.astype(float)
    key = "economy.multipliers.battery_cells.gdp_per_output_total"
    m = re.fullmatch(r"economy\.multipliers\.(\w+)\.(\w+)", key)
    assert m is not None
    resolve = next(res for pat, _, res in SOURCES if re.fullmatch(pat, key))
    wrong = model.inputs["economy.multipliers.battery_cells.gdp_per_output_simple"]
    with pytest.raises(AssertionError):
        _check(key, wrong, resolve(m, scenario, years), years)
    key = "economy.pack_price_premium_over_cell"
    m = re.fullmatch(key.replace(".", r"\."), key)
    assert m is not None
    resolve = next(res for pat, _, res in SOURCES if re.fullmatch(pat, key))
    with pytest.raises(AssertionError):
        _check(key, model.inputs["economy.factory_gate_share"], resolve(m, scenario, years), years)


@pytest.mark.parametrize(("kind", "item"), [("cam", "cam"), ("pcam", "cam"), ("anode", "anode")])
def test_materials_plants_are_valued_at_their_share_of_the_cell_price(kind: str, item: str) -> None:
    """A cathode, precursor or anode plant's output per GWh-equivalent is worth its prices.csv
    share of the cell price (precursor at the cathode's share: no row of its own); a cell
    plant's is the cell price itself (1e6 kWh per GWh)."""
    from cases import one_cell_plant
    from evpact.scenario.load import validate

    prices = table("prices").set_index("item")
    share = float(prices.loc[f"{item}_value_share_of_cell_price", "mode"])
    assert 0 < share < 1
    for k, want in ((kind, 1e6 * share), ("cell", 1e6)):
        data = one_cell_plant(kind=k)
        data["deals"][0]["incentives"] = [data["deals"][0]["incentives"][1]]  # the grant
        (plant,) = compile_scenario(validate(data, "materials")).plants
        assert plant.price_factor == pytest.approx(want, rel=1e-12), k


def test_a_fixed_scale_multiplies_every_band_of_a_bundled_path() -> None:
    """``{path: ..., scale: 1.1}`` is the bundled path with its low, mode and high each times
    1.1 (compile.path), and a share stays within 0 and 1 after scaling."""
    from evpact.scenario.load import vary

    base = load_scenario("canada-korea-2026")
    scaled = vary(base, {"market.regions.CA.lv_sales.scale": 1.1})
    big = vary(base, {"market.regions.CA.ev_share.scale": 5.0})
    plain = compile_scenario(base).inputs
    for key, model, factor in (
        ("market.regions.CA.lv_sales", compile_scenario(scaled).inputs, 1.1),
        ("market.regions.CA.ev_share", compile_scenario(big).inputs, 5.0),
    ):
        got, was = model[key], plain[key]
        assert isinstance(got, YearPath) and isinstance(was, YearPath)
        assert np.any(was.low < was.mode)  # a band to scale
        for band in ("low", "mode", "high"):
            want = getattr(was, band) * factor
            if key.endswith("ev_share"):
                want = np.clip(want, 0.0, 1.0)
            np.testing.assert_allclose(getattr(got, band), want, rtol=1e-12, err_msg=band)
