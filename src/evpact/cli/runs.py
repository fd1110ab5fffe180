"""``evpact run`` and ``evpact compare``: one simulation against a reference, summarised."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from ..errors import EvpactError
from ..formatting import number
from .common import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    PROGRESS_FROM,
    ClusterOpt,
    DrawsOpt,
    JsonOpt,
    OutOpt,
    SamplingOpt,
    ScenarioArg,
    SeedOpt,
    SetOpt,
    WorkersOpt,
    YesOpt,
    fail,
    missing,
    notes,
    out_console,
    progress,
    share_of_draws,
    variant,
    warn,
    years,
)

if TYPE_CHECKING:
    from ..results import Results

#: metrics shown in the terminal table, in this order (all are in the JSON and CSV)
HEADLINE = (
    "direct_jobs_peak",
    "total_jobs_peak",
    "net_jobs_peak",
    "gdp_cumulative",
    "labour_income_cumulative",
    "net_labour_income_cumulative",
    "public_cost_npv",
    "tax_revenue_npv",
    "net_tax_revenue_npv",
    "fiscal_net_npv",
    "public_benefit_npv",
    "net_public_benefit_npv",
    "benefit_cost_ratio",
    "public_cost_per_net_job",
    "deadweight_share",
    "but_for_share",
    "firm_accepts_share",
    "zopa_exists_share",
    "fiscal_net_npv_plant",
    "fiscal_breakeven_year_plant",
    "fiscal_breakeven_year_total",
    "battery_output_gwh_cumulative",
    "vehicles_assembled_cumulative",
    "local_absorption_share",
    "linkage_met_share",
    "co2e_manufacturing_cumulative",
    "co2e_avoided_cumulative",
    "mineral_coverage_lithium",
    "mineral_coverage_nickel",
    "domestic_chain_share",
    "chain_hhi_max",
    "rvc_margin",
    "usmca_qualifying_share",
    "us_tariff_cost_cumulative",
    "remission_value_cumulative",
)


def summary_table(results: Results, title: str, reference: dict[str, Any] | None = None) -> Table:
    """Headline metrics with their kind. With ``reference`` (B's levels, from ``compare``),
    impact rows show A - B and level rows show A and B side by side."""
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("metric", no_wrap=True)
    cols: tuple[str, ...] = ("kind", "unit", "median", "90% interval", "mean")
    if reference is not None:
        cols = ("kind", "unit", "A - B median", "90% interval", "A median", "B median")
    for col in cols:
        table.add_column(col, justify="left" if col in ("kind", "unit") else "right")
    summary = {str(k): v for k, v in results.summary().set_index("metric").to_dict("index").items()}
    notes = []
    for name in HEADLINE:
        if name not in summary:  # the firms' metrics need a firms section
            continue
        row = summary[name]
        unit, kind = str(row["unit"]), str(row["kind"])
        p5, p50, p95, mean = (
            None if missing(row[k]) else float(row[k]) for k in ("p5", "p50", "p95", "mean")
        )
        reached = f"{name}_reached_share"
        shown_mean = number(mean, unit)
        if reached in summary:
            share = float(summary[reached]["mean"])
            notes.append(f"{name}: reached within the horizon in {share_of_draws(share)} of draws")
            if mean is None and share > 0:
                shown_mean = "n/a"  # not "not reached": most draws do reach it
                notes[-1] += " (no mean: some draws never reach it)"
        interval = f"{number(p5, unit)} to {number(p95, unit)}"
        if reference is None:
            table.add_row(name, kind, unit, number(p50, unit), interval, shown_mean)
        elif kind == "impact":
            table.add_row(name, kind, unit, number(p50, unit), interval, "", "")
        else:
            b = reference.get(name, {}).get("p50")
            table.add_row(name, kind, unit, "", "", number(p50, unit), number(b, unit))
    if reference is not None:
        notes.insert(0, "impact rows: A - B draw by draw; level rows: each world's own value")
    else:
        notes.insert(
            0,
            "impact: the scenario minus its counterfactual, draw by draw; level: the "
            "scenario's own value",
        )
    table.caption = ". ".join(notes) + "."
    return table


def risk_table(results: Results) -> Table:
    risk = results.risk()
    metrics = results.summary_dict()["metrics"]
    table = Table(title="Risk", title_justify="left", header_style="bold")
    table.add_column("measure", no_wrap=True)
    table.add_column("value", justify="right")
    cvar = risk["fiscal_net_npv_cvar5"]
    table.add_row(
        "expected shortfall (CVaR 5%) of fiscal_net_npv", number(cvar["value"], cvar["unit"])
    )
    for scope, p in risk["breakeven_within_horizon_probability"].items():
        shown = "n/a" if p is None else share_of_draws(p)
        table.add_row(f"probability of break-even within the horizon ({scope})", shown)
    table.add_row(
        "probability the linkage holds in every measured year",
        number(risk["linkage_holds_over_deal_probability"], "share"),
    )
    first = metrics["linkage_first_failure_year"]
    if risk["linkage_holds_over_deal_probability"] is not None:
        when = [
            "never" if first[k] is None else number(first[k], "year") for k in ("p50", "p5", "p95")
        ]
        table.add_row(
            "first year the linkage fails (median, 90% interval)",
            f"{when[0]} ({when[1]} to {when[2]})",
        )
    return table


def report(results: Results, out: Path, as_json: bool, title: str, compare: bool = False) -> None:
    if compare:
        results.levels_b = results.reference_levels()
    files = results.write(out)
    warn(results.warnings)
    if as_json:
        sys.stdout.write(json.dumps(results.summary_dict()) + "\n")
        return
    m = results.meta
    out_console.print(summary_table(results, title, results.levels_b))
    out_console.print(risk_table(results))
    seed = "deterministic" if m["deterministic"] else f"seed {m['seed']}"
    out_console.print(
        f"{m['draws']:,} draws, {seed}, horizon {m['horizon'][0]}-{m['horizon'][1]}, "
        f"model {m['model_version']}, data {m['data_version']}, "
        f"scenario sha256 {m['scenario_sha256'][:12]}",
        style="dim",
        highlight=False,
    )
    if results.streamed:
        out_console.print(
            f"streamed: means, shares and tails over all {m['draws']:,} draws; quantiles over "
            f"the first {m['kept_draws']:,} (rank error at most {m['quantile_rank_error']:.4f})",
            style="dim",
            highlight=False,
        )
    out_console.print(f"wrote {len(files)} files to {out}/", style="dim", highlight=False)


def run(
    scenario: ScenarioArg = "canada-korea-2026",
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    set_: SetOpt = None,
    out: OutOpt = None,
    as_json: JsonOpt = False,
    deterministic: Annotated[
        bool, typer.Option("--deterministic", help="One run with every input at its central value.")
    ] = False,
    cluster: ClusterOpt = None,
    workers: WorkersOpt = None,
    sampling: SamplingOpt = "mc",
    keep_draws: Annotated[
        bool,
        typer.Option(
            "--keep-draws", help="Keep every draw in memory (runs past 65,536 draws stream)."
        ),
    ] = False,
    yes: YesOpt = False,
) -> None:
    """Simulate a deal against its counterfactual and summarise the impacts."""
    from ..api import simulate
    from ..limits import confirm_size, estimate_seconds
    from ..uncertainty.cluster import dask_client

    try:
        n = 1 if deterministic else draws
        confirm_size(
            f"a run of {n:,} draws", estimate_seconds(n, years(scenario, variant(set_))), yes
        )
        with (
            notes(),
            dask_client(cluster, workers if cluster else None) as client,
            progress(not as_json and draws >= PROGRESS_FROM and not deterministic, draws) as tick,
        ):
            results = simulate(
                scenario,
                draws=draws,
                seed=seed,
                variant=variant(set_),
                deterministic=deterministic,
                progress=tick,
                client=client,
                sampling=sampling,
                keep_draws=keep_draws or None,
                workers=None if cluster else workers,
            )
        name = results.meta["scenario"]
        title = f"{name} vs {results.meta['counterfactual']} (impacts and levels)"
        report(results, out or Path("evpact-out") / name, as_json, title)
    except EvpactError as e:
        fail(e)


def compare(
    a: Annotated[str, typer.Argument(help="Scenario A (bundled name or YAML path).")],
    b: Annotated[str, typer.Argument(help="Scenario B, the reference A is measured against.")],
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    set_a: Annotated[list[str] | None, typer.Option("--set-a", help="Variant of A.")] = None,
    set_b: Annotated[list[str] | None, typer.Option("--set-b", help="Variant of B.")] = None,
    out: OutOpt = None,
    as_json: JsonOpt = False,
    yes: YesOpt = False,
) -> None:
    """A minus B, draw by draw, on common random numbers: impacts as A - B, levels (shares
    and ratios of each world) side by side."""
    from ..api import simulate
    from ..limits import confirm_size, estimate_seconds
    from ..scenario.load import load_scenario

    try:
        sa, sb = load_scenario(a, variant(set_a)), load_scenario(b, variant(set_b))
        confirm_size(f"a comparison of {draws:,} draws", estimate_seconds(draws, years(sa)), yes)
        with progress(not as_json and draws >= PROGRESS_FROM, 2 * draws) as tick:
            results = simulate(sa, draws=draws, seed=seed, counterfactual=sb, progress=tick)
        report(
            results,
            out or Path("evpact-out") / f"{sa.name}-vs-{sb.name}",
            as_json,
            f"{sa.name} (A) against {sb.name} (B)",
            compare=True,
        )
    except EvpactError as e:
        fail(e)
