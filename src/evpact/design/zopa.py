"""The price of a plant and the negotiation zone (ZOPA), per draw on common random numbers.

The scale ``k`` multiplies the scenario's instrument (its ``instrument`` incentives; 1 = the
terms as written). Per draw:

* the firms' floor ``k_firm``: the smallest scale at which every firm accepts, in closed form
  (the engine's ``zopa_support_scale_min``: each firm's advantage is linear in k);
* Canada's ceiling ``k_canada``: the largest scale at which the net public benefit stays
  >= 0, by a vectorised bisection over k (the Crown ledger is not linear: losses carry
  forward), every draw at once, the same draws at every k;
* the zone exists where k_firm <= k_canada; its width is k_canada - k_firm.

Scales become dollars through the instrument's public cost at scale 1 (present value).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..defaults import DEFAULT_SEED
from ..engine.firms import SCALE, ids
from ..engine.reuse import compiled
from ..engine.simulate import simulate
from ..errors import EvpactError
from ..metrics import draw_metrics
from ..scenario.load import load_counterfactual, load_scenario
from ..scenario.model import Scenario
from ..uncertainty.sampling import block_uniforms, sample, uncertain_paths

Array = np.ndarray[Any, Any]
#: bisection steps: the ceiling is bracketed to 2^-40 of its bracket
STEPS = 40
#: the ceiling is searched up to this scale (beyond it Canada's benefit is never >= 0 here)
MAX_SCALE = 1024.0


@dataclass(frozen=True)
class Zopa:
    """Per-draw bounds (``table``) and their summary."""

    table: pd.DataFrame
    summary: dict[str, float]
    scenario: str
    instrument: tuple[str, ...]


def zopa(
    scenario: Scenario | str | Path,
    draws: int = 1000,
    seed: int = DEFAULT_SEED,
    variant: dict[str, Any] | None = None,
) -> Zopa:
    """The firms' floor and Canada's ceiling on the instrument's scale, per draw."""
    if draws < 1:
        raise EvpactError(f"draws must be at least 1, got {draws}")
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, variant)
    if not s.firms:
        raise EvpactError(
            f"{s.name} declares no firms; add a firms section (docs/scenario-format.md)", "firms"
        )
    cf = load_counterfactual(s, variant)
    model, cf_model = compiled(s), compiled(cf)
    # the draws of `evpact run` with this seed (its uniforms, correlations included)
    u = block_uniforms(
        uncertain_paths(model.inputs, cf_model.inputs),
        seed,
        0,
        draws,
        draws,
        "mc",
        model.correlations,
    )
    shared: dict[str, Any] = {}
    x = sample(model.inputs, seed, 0, draws, shared, u=u)
    c = simulate(cf_model, sample(cf_model.inputs, seed, 0, draws, shared, u=u), draws)
    firms = ids(model.firms)

    def metrics(k: Array) -> dict[str, Array]:
        arrays = simulate(model, {**x, SCALE: k}, draws)
        m = draw_metrics(arrays, c, model.years, s.price_year, firms)
        return {name: m[name].values for name in ("net_public_benefit_npv", "public_cost_npv")}

    one, none = np.ones(draws), np.zeros(draws)
    at_one = simulate(model, {**x, SCALE: one}, draws)
    floor = np.asarray(at_one["zopa_support_scale_min"], dtype=float)
    at_zero = metrics(none)
    unit_cost = metrics(one)["public_cost_npv"] - at_zero["public_cost_npv"]
    ceiling = canada_ceiling(lambda k: metrics(k)["net_public_benefit_npv"], at_zero, draws)
    exists = np.isfinite(floor) & (floor <= ceiling)
    table = pd.DataFrame(
        {
            "draw": np.arange(draws),
            "firm_min_scale": np.where(np.isfinite(floor), floor, np.nan),
            "canada_max_scale": ceiling,
            "instrument_cost_npv_at_scale_1": unit_cost,
            "firm_min_support_npv": np.where(np.isfinite(floor), floor * unit_cost, np.nan),
            "canada_max_support_npv": ceiling * unit_cost,
            "zone_exists": exists.astype(float),
            "zone_width_scale": np.where(exists, ceiling - floor, np.nan),
        }
    )
    table["zone_width_npv"] = table["zone_width_scale"] * unit_cost
    for i, f in enumerate(firms):
        table[f"firm_accepts_{f}"] = at_one["firm_accepts"][:, i]
    summary = {
        "zopa_exists_share": float(exists.mean()),
        "firm_accepts_share": float(np.min(at_one["firm_accepts"], axis=1).mean()),
        "firm_reachable_share": float(np.isfinite(floor).mean()),
        "canada_gains_share": float(np.isfinite(ceiling).mean()),
    }
    for col in ("firm_min_support_npv", "canada_max_support_npv", "zone_width_npv"):
        v = table[col].to_numpy(dtype=float)
        for q in (5, 50, 95):
            summary[f"{col}_p{q}"] = (
                float(np.nanpercentile(v, q)) if np.isfinite(v).any() else (float("nan"))
            )
    instrument = s.instrument or tuple(
        f"deals.{d}.incentives.{i}" for d, i in (model.firms.instrument if model.firms else ())
    )
    return Zopa(table, summary, s.name, tuple(instrument))


def canada_ceiling(
    benefit: Callable[[Array], Array], at_zero: dict[str, Array], draws: int
) -> Array:
    """Largest scale with a net public benefit >= 0, per draw, by bisection on a bracket that
    doubles until the benefit turns negative; NaN where it is negative even at scale 0 (no
    support is affordable), ``MAX_SCALE`` where it never turns negative below it."""
    ok = at_zero["net_public_benefit_npv"] >= 0
    lo, hi = np.zeros(draws), np.ones(draws)
    open_ = ok.copy()  # draws whose bracket still has a non-negative top
    while open_.any() and hi.max() < MAX_SCALE:
        top = benefit(hi) >= 0
        open_ = open_ & top
        lo = np.where(open_, hi, lo)
        hi = np.where(open_, hi * 2.0, hi)
    for _ in range(STEPS):
        mid = 0.5 * (lo + hi)
        good = benefit(mid) >= 0
        lo, hi = np.where(good, mid, lo), np.where(good, hi, mid)
    return np.where(ok, lo, np.nan)


def figure(result: Zopa, unit: str) -> dict[str, Any]:
    """Two distributions and their overlap: the support each draw's firms need and the
    support Canada can pay while its net public benefit stays >= 0 (Plotly figure dict)."""
    t = result.table
    traces = []
    for col, name, colour in (
        ("firm_min_support_npv", "firms accept from", "#d95f02"),
        ("canada_max_support_npv", "Canada gains up to", "#1b9e77"),
    ):
        v = t[col].to_numpy(dtype=float)
        traces.append(
            {
                "type": "histogram",
                "x": [float(a) for a in v[np.isfinite(v)]],
                "name": name,
                "opacity": 0.6,
                "marker": {"color": colour},
                "nbinsx": 50,
            }
        )
    share = result.summary["zopa_exists_share"]
    return {
        "data": traces,
        "layout": {
            "barmode": "overlay",
            "title": {
                "text": f"{result.scenario}: negotiation zone exists in {share:.0%} of draws"
            },
            "xaxis": {"title": {"text": f"support, present value ({unit})"}},
            "yaxis": {"title": {"text": "draws"}},
        },
    }


def write(result: Zopa, folder: Path, unit: str) -> list[Path]:
    """The per-draw CSV, the summary CSV and the chart (HTML) into ``folder``."""
    import plotly.io as pio  # type: ignore[import-untyped]

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "zopa.csv", folder / "zopa_summary.csv", folder / "zopa.html"]
    result.table.to_csv(paths[0], index=False)
    pd.DataFrame([{"statistic": k, "value": v} for k, v in result.summary.items()]).to_csv(
        paths[1], index=False
    )
    pio.write_html(pio.from_json(_json(figure(result, unit))), paths[2], include_plotlyjs=True)
    return paths


def _json(fig: dict[str, Any]) -> str:
    import json

    return json.dumps(fig)
