"""``evpact chain`` and ``evpact stress``: where the deals' battery chains sit, and what a cut
at one stage of them costs."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..errors import EvpactError
from ..formatting import number
from .common import (
    DEFAULT_SEED,
    DrawsOpt,
    JsonOpt,
    OutOpt,
    ScenarioArg,
    SeedOpt,
    SetOpt,
    YesOpt,
    fail,
    out_console,
    variant,
    warn,
    years,
)


def chain(
    scenario: ScenarioArg = "canada-korea-2026",
    set_: SetOpt = None,
    out: OutOpt = None,
) -> None:
    """Where each stage of the deals' battery chains sits: groups, concentration, diagram."""
    import pandas as pd

    from ..engine.compile import compile_scenario
    from ..engine.resilience import chain_indicators
    from ..report.chain import chain_png, sankey_html
    from ..scenario.load import load_scenario

    try:
        s = load_scenario(scenario, variant(set_))
        model = compile_scenario(s)
    except EvpactError as e:
        fail(e)
    rows = model.chain_rows()
    if not rows:
        out_console.print(f"{s.name}: no deal declares a chain or builds a battery-chain plant")
        return
    table = Table(title=f"{s.name}: chain map", title_justify="left", header_style="bold")
    for col in ("deal", "stage", "domestic", "usmca", "fta", "other", "HHI", "largest"):
        table.add_column(col, justify="left" if col in ("deal", "stage", "largest") else "right")
    for r in rows:
        shares = (number(x, "share") for x in (r.domestic, r.usmca, r.fta, r.other))
        hhi = f"{r.hhi:,.0f}" + ("" if r.sourced else " (own plants)")
        table.add_row(r.deal, r.stage, *shares, hhi, r.largest)
    domestic, hhi_max = chain_indicators(rows)
    table.caption = (
        f"domestic_chain_share {number(domestic, 'share')}, chain_hhi_max "
        f"{'n/a' if math.isnan(hhi_max) else f'{hhi_max:,.0f}'} (HHI 0-10,000 over the stages "
        "the deals source; FTA = free-trade partner of the home country)"
    )
    out_console.print(table)
    folder = out or Path("evpact-out") / s.name
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame([vars(r) for r in rows]).to_csv(folder / "chain.csv", index=False)
    sankey_html(model, folder / "chain.html")
    chain_png(model, folder / "chain.png")
    out_console.print(
        f"wrote chain.csv, chain.html and chain.png to {folder}/", style="dim", highlight=False
    )


def stress(
    scenario: ScenarioArg = "canada-korea-2026",
    cut: Annotated[
        list[str] | None,
        typer.Option(
            "--cut", help="STAGE:COUNTRY=SHARE, e.g. cam:KR=1.0 (ISO alpha-2; repeatable)."
        ),
    ] = None,
    weeks: Annotated[float, typer.Option("--weeks", help="How long the cuts last.")] = 12.0,
    year: Annotated[
        int | None, typer.Option("--year", help="Year the cuts start (default: mid-horizon).")
    ] = None,
    draws: DrawsOpt = 500,
    seed: SeedOpt = DEFAULT_SEED,
    set_: SetOpt = None,
    out: OutOpt = None,
    as_json: JsonOpt = False,
    yes: YesOpt = False,
) -> None:
    """Cut supply at a stage of the chain: what the deal's world and its counterfactual lose."""
    from ..limits import confirm_size, estimate_seconds
    from ..stress import parse_cut
    from ..stress import stress as run_stress

    try:
        parsed = [parse_cut(c) for c in cut or []]
        horizon = years(scenario, variant(set_))
        confirm_size(
            f"a stress test of {draws:,} draws", estimate_seconds(draws, horizon, runs=2), yes
        )
        result = run_stress(
            scenario, parsed, weeks, year, draws=draws, seed=seed, variant=variant(set_)
        )
        m = result.meta
        result.write(out or Path("evpact-out") / f"{m['scenario']}-stress")
    except EvpactError as e:
        fail(e)
    warn(m["warnings"])
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict()) + "\n")
        return
    cuts = ", ".join(f"{c['stage']}:{c['country']}={c['share']:g}" for c in m["cuts"])
    table = Table(
        title=f"{m['scenario']}: losses from {cuts} for {m['weeks']:g} weeks from {m['year']}",
        title_justify="left",
        header_style="bold",
    )
    for col in ("world", "loss", "unit", "median", "90% interval", "mean"):
        table.add_column(col, justify="left" if col in ("world", "loss", "unit") else "right")
    for row in result.table.to_dict("records"):
        unit = str(row["unit"])
        table.add_row(
            str(row["world"]),
            str(row["loss"]),
            unit,
            number(row["p50"], unit),
            f"{number(row['p5'], unit)} to {number(row['p95'], unit)}",
            number(row["mean"], unit),
        )
    table.caption = (
        "each world against itself without the cut, same draws; the first world is the deal's"
    )
    out_console.print(table)
