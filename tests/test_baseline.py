"""The engine against an independent implementation: the plain per-draw Python loop of
``benchmarks/baseline_loop.py``, written from docs/model.md. Same sampled inputs, so every
metric must agree draw by draw to rounding. A failure means the engine, the loop or the docs
changed: find which (the engine is the reference, the docs must say what it does)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import evpact

RTOL = 1e-9


def _baseline() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "baseline_loop.py"
    spec = importlib.util.spec_from_file_location("baseline_loop", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_loop"] = module
    spec.loader.exec_module(module)
    return module


baseline = _baseline()
#: canada-korea-2026 without its trade section: what the loop implements (see the loop)
FOUNDATION = baseline.FOUNDATION


def _agree(scenario: str, draws: int, seed: int, variant: dict[str, Any] | None = None) -> None:
    if scenario == "canada-korea-2026":
        variant = {**FOUNDATION, **(variant or {})}
    loop = baseline.run(scenario, draws=draws, seed=seed, variant=variant)
    engine = evpact.simulate(scenario, draws=draws, seed=seed, variant=variant)
    worst = baseline.compare(loop, {name: engine.metrics[name].values for name in loop})
    bad = {name: gap for name, gap in worst.items() if not gap <= RTOL}
    assert not bad, f"loop and engine disagree (max relative difference): {bad}"


def test_canada_korea_loop_agrees_with_engine() -> None:
    _agree("canada-korea-2026", draws=50, seed=baseline.SEED)


def test_the_check_has_teeth() -> None:
    """The metrics vary across draws and are not trivially zero, and a wrong value is caught."""
    loop = baseline.run("canada-korea-2026", draws=50, seed=baseline.SEED, variant=FOUNDATION)
    for name in baseline.METRICS:
        finite = [v for v in loop[name] if not math.isnan(v)]
        assert finite, name
    for name in ("gdp_cumulative", "public_cost_npv", "fiscal_net_npv", "local_absorption_share"):
        assert len(set(loop[name])) > 25, name
    assert len(set(loop["clawback_cumulative"])) > 3  # whole years of a pro-rata clawback
    engine = evpact.simulate("canada-korea-2026", draws=50, seed=baseline.SEED, variant=FOUNDATION)
    values = {name: engine.metrics[name].values.copy() for name in loop}
    values["gdp_cumulative"][7] *= 1 + 1e-8
    assert baseline.compare(loop, values)["gdp_cumulative"] > RTOL


@pytest.mark.parametrize(
    "variant",
    [
        {  # proportional compliance over a rolling window
            "deals.hmg-ontario.linkage.partial": "proportional",
            "deals.hmg-ontario.linkage.window": 3,
            "deals.hmg-ontario.linkage.threshold": 0.5,
        },
        {"deals.hmg-ontario.incentives.1.clawback": "cliff"},
        {
            "deals.hmg-ontario.incentives.1.clawback": "graduated",
            "deals.hmg-ontario.linkage.from": 2024,
        },
        {  # vehicles per GWh, with a tight cap on the production credit
            "deals.hmg-ontario.linkage.kind": "vehicles_per_gwh",
            "deals.hmg-ontario.linkage.threshold": 2000,
            "deals.hmg-ontario.incentives.0.cap_cad": 2.0e9,
        },
        {  # a foreign customer: no domestic absorption (and no firm deciding on a home plant)
            "plants.hmg-ontario.region": "US-GA",
            "firms": [],
        },
        {  # an uncertain path scale and a cell price drawn once per draw
            "market.regions.CA.ev_share.scale": {"uniform": [0.5, 1.5]},
            "economy.cell_price_usd_per_kwh": {"uniform": [50, 120]},
        },
        {  # per-vehicle payments and investment tax credits, one clawed back
            "deals.hmg-ontario.incentives": [
                {
                    "kind": "per_vehicle",
                    "plant": "hmg-ontario",
                    "amount_cad": {"uniform": [1000, 5000]},
                    "conditional": True,
                    "payer": {"federal": 1.0},
                },
                {
                    "kind": "investment_tax_credit",
                    "plant": "hmg-ontario",
                    "rate": {"uniform": [0.1, 0.3]},
                    "clawback": "graduated",
                    "clawback_years": 5,
                    "payer": {"federal": 1.0},
                },
                {
                    "kind": "investment_tax_credit",
                    "plant": "nextstar-windsor",
                    "rate": 0.1,
                    "base_cad": {"uniform": [1.0e9, 2.0e9]},
                    "payer": {"federal": 1.0},
                },
            ]
        },
    ],
    ids=["proportional", "cliff", "graduated", "vehicles-per-gwh", "foreign", "scale", "itc"],
)
def test_loop_agrees_on_variants(variant: dict[str, Any]) -> None:
    _agree("canada-korea-2026", draws=30, seed=11, variant=variant)


@pytest.mark.parametrize("scenario", ["nextstar-2023", "powerco-2023"])
def test_loop_agrees_on_other_bundled_scenarios(scenario: str) -> None:
    _agree(scenario, draws=30, seed=11)
