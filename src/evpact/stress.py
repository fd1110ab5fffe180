"""Disruption stress tests: a world with supply cuts against the same world without them.

A cut is part of the world, like the market: it hits the scenario and its counterfactual alike,
so linked and unlinked deals meet the same shock. Each world is run twice on common random
numbers (with and without the cut); the difference is what the cut costs there.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .api import DEFAULT_DRAWS, DEFAULT_SEED, simulate
from .atomic import staged
from .errors import EvpactError
from .results import statistics
from .scenario.load import load_counterfactual, load_scenario
from .scenario.model import STAGES, Disruption, Scenario

_CUT = re.compile(r"^(?P<stage>[a-z]+):(?P<country>[A-Za-z]{2})=(?P<share>[^=]+)$")
#: what a cut costs, per world: (name, unit, yearly variables summed over years)
LOSSES = (
    ("vehicles", "vehicles", ("vehicles_assembled",)),
    ("battery_gwh", "GWh", ("battery_output_gwh",)),
    ("job_years", "job-years", ("direct_jobs", "indirect_jobs", "induced_jobs")),
    ("gdp", "CAD", ("gdp_direct", "gdp_indirect", "gdp_induced")),
)


def parse_cut(text: str) -> tuple[str, str, float]:
    """``STAGE:COUNTRY=SHARE`` (``cam:KR=1.0``) as (stage, country, share)."""
    m = _CUT.match(text.strip())
    if m is None:
        raise EvpactError(f"'{text}' is not STAGE:COUNTRY=SHARE (e.g. cam:KR=1.0)", "--cut")
    stage, country = m["stage"], m["country"].upper()
    if stage not in STAGES:
        close = difflib.get_close_matches(stage, STAGES, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise EvpactError(f"unknown stage '{stage}'{hint}; stages: {', '.join(STAGES)}", "--cut")
    try:
        share = float(m["share"])
    except ValueError:
        raise EvpactError(f"share '{m['share']}' in '{text}' is not a number", "--cut") from None
    if not 0 <= share <= 1:
        raise EvpactError(f"share {share:g} in '{text}' must lie in [0, 1]", "--cut")
    return stage, country, share


@dataclass(frozen=True)
class StressResult:
    table: pd.DataFrame  # world, loss, unit, mean, p5, p50, p95 (losses are positive)
    yearly: pd.DataFrame  # world, year, loss: mean loss per year
    meta: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        rows = self.table.replace({np.nan: None}).to_dict("records")
        return {**self.meta, "losses": rows}

    def write(self, out: Path) -> list[Path]:
        with staged(out) as tmp:
            self.table.to_csv(tmp / "stress.csv", index=False)
            self.yearly.to_csv(tmp / "stress_yearly.csv", index=False)
            (tmp / "stress.json").write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        return [out / "stress.csv", out / "stress_yearly.csv", out / "stress.json"]


def check(
    base: Scenario, cuts: list[tuple[str, str, float]], weeks: float, year: int | None
) -> int:
    """The year the cuts start (default: mid-horizon), once weeks, year and cuts are checked."""
    first, last = base.horizon
    year = (first + last) // 2 if year is None else year
    if not first <= year <= last:
        raise EvpactError(f"the cut starts in {year}, outside the horizon {first}-{last}", "--year")
    if not 0 < weeks <= 520:
        raise EvpactError(f"weeks must lie in (0, 520], got {weeks:g}", "--weeks")
    if not cuts:
        raise EvpactError("give at least one --cut STAGE:COUNTRY=SHARE", "--cut")
    return year


def stress(
    scenario: Scenario | str | Path,
    cuts: list[tuple[str, str, float]],
    weeks: float,
    year: int | None = None,
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    variant: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> StressResult:
    """What ``cuts`` (stage, country, share) lasting ``weeks`` from the start of ``year``
    (default: the middle of the horizon) cost the deal's world and its counterfactual's.
    ``progress(done, total)`` is called as the runs go (one after another, in all)."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, variant)
    year = check(base, cuts, weeks, year)
    added = tuple(
        Disruption(stage=s, country=c, share=share, weeks=weeks, year=year) for s, c, share in cuts
    )
    hit = base.model_copy(update={"disruptions": (*base.disruptions, *added)})
    hit._origin = base._origin
    worlds = {base.name: (hit, base)}
    if base.counterfactual is not None:
        worlds[base.counterfactual] = (load_counterfactual(hit), load_counterfactual(base))
    rows, yearly = [], []
    for k, (world, (with_cut, without)) in enumerate(worlds.items()):

        def step(done: int, total: int, k: int = k) -> None:
            if progress is not None:
                progress(k * total + done, len(worlds) * total)

        r = simulate(with_cut, draws=draws, seed=seed, counterfactual=without, progress=step)
        for name, unit, variables in LOSSES:
            loss = -np.sum([r.impact_of(v) for v in variables], axis=0)  # (draw, year): lost
            unit = f"CAD_{base.price_year}" if unit == "CAD" else unit
            rows.append({"world": world, "loss": name, "unit": unit, **statistics(loss.sum(1))})
            for y, value in zip(r.scenario["year"].values, loss.mean(axis=0), strict=True):
                yearly.append({"world": world, "year": int(y), "loss": name, "mean": value})
    touched = any(
        (row["mean"] or 0.0) != 0.0 or (row["p5"] or 0.0) != 0.0 or (row["p95"] or 0.0) != 0.0
        for row in rows
    )
    warnings = (
        []
        if touched
        else [
            f"the cut{'s' if len(cuts) > 1 else ''} "
            f"{', '.join(f'{s}:{c}={share:g}' for s, c, share in cuts)} touch"
            f"{'' if len(cuts) > 1 else 'es'} nothing in any draw of either world: no plant or "
            "declared chain of the deals has that stage in that country (see `evpact chain`)"
        ]
    )
    meta = {
        "scenario": base.name,
        "counterfactual": base.counterfactual,
        "cuts": [{"stage": s, "country": c, "share": share} for s, c, share in cuts],
        "weeks": weeks,
        "year": year,
        "draws": draws,
        "seed": seed,
        "warnings": warnings,
    }
    return StressResult(pd.DataFrame(rows), pd.DataFrame(yearly), meta)
