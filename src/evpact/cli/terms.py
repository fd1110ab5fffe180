"""``evpact sweep`` and ``evpact sensitivity``: how the impacts move with deal terms and with
the uncertain inputs."""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import EvpactError
from ..formatting import number
from .common import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    ClusterOpt,
    DrawsOpt,
    JsonOpt,
    OutOpt,
    ScenarioArg,
    SeedOpt,
    SetOpt,
    WorkersOpt,
    YesOpt,
    err_console,
    fail,
    missing,
    out_console,
    progress,
    variant,
    years,
)


def sweep(
    scenario: ScenarioArg,
    grid: Annotated[
        list[str],
        typer.Option(
            "--grid", help="PATH=START:STOP:N or PATH=V1,V2,...; several make a full grid."
        ),
    ],
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    metrics: Annotated[
        str, typer.Option("--metrics", help="Metrics shown in the table (all are written).")
    ] = "linkage_met_share,public_cost_npv,fiscal_net_npv,total_jobs_peak",
    out: OutOpt = None,
    as_json: JsonOpt = False,
    cluster: ClusterOpt = None,
    workers: WorkersOpt = None,
    yes: YesOpt = False,
) -> None:
    """Every combination of a grid of deal terms, on the same random numbers, in one table."""
    from ..atomic import staged
    from ..limits import confirm_size, estimate_seconds
    from ..optimize.sweep import parse_grid
    from ..optimize.sweep import sweep as run_sweep
    from ..scenario.load import load_scenario
    from ..uncertainty.cluster import dask_client

    try:
        axes = dict(parse_grid(g) for g in grid)
        shown = [m.strip() for m in metrics.split(",") if m.strip()]
        points = math.prod(len(v) for v in axes.values())
        confirm_size(
            f"a sweep of {points:,} variants x {draws:,} draws",
            estimate_seconds(draws, years(scenario), runs=points),
            yes,
        )
        with (
            dask_client(cluster, workers if cluster else None) as client,
            progress(not as_json and points > 1, points, "variants") as tick,
        ):
            table = run_sweep(
                scenario,
                axes,
                draws=draws,
                seed=seed,
                client=client,
                progress=tick,
                workers=None if cluster else workers,
            )
        unknown = sorted(set(shown) - set(table["metric"]))
        if unknown:
            raise EvpactError(f"--metrics: unknown {unknown}; see summary.csv of a run")
        name = load_scenario(scenario).name
        folder = out or Path("evpact-out") / name / "sweep"
        with staged(folder) as tmp:
            table.to_csv(tmp / "sweep.csv", index=False)
        if as_json:
            sys.stdout.write(table.to_json(orient="records") + "\n")
            return
        wide = table[table["metric"].isin(shown)].pivot_table(
            index=list(axes), columns="metric", values="p50", sort=False
        )
        view = Table(title=f"{name}: sweep (median of each metric)", header_style="bold")
        for col in [*axes, *shown]:
            view.add_column(col, justify="right")
        units = dict(zip(table["metric"], table["unit"], strict=False))
        for key, row in wide.iterrows():
            keys = key if isinstance(key, tuple) else (key,)
            view.add_row(
                *(f"{k:g}" for k in keys),
                *(number(None if missing(row[m]) else float(row[m]), units[m]) for m in shown),
            )
        out_console.print(view)
        out_console.print(
            f"{draws:,} draws per variant, seed {seed}; wrote {folder}/sweep.csv",
            style="dim",
            highlight=False,
        )
    except EvpactError as e:
        fail(e)


def sensitivity(
    scenario: ScenarioArg = "canada-korea-2026",
    method: Annotated[
        str, typer.Option("--method", help="sobol (variance shares), morris (screening), delta.")
    ] = "sobol",
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            help="Sobol' base rows (a power of two; runs N x (inputs + 2)), Morris trajectories "
            "or delta rows. Default 256, 20, 1000.",
        ),
    ] = None,
    outputs: Annotated[
        str | None,
        typer.Option("--outputs", help="Comma-separated metrics (default: four headline ones)."),
    ] = None,
    out: OutOpt = None,
    seed: SeedOpt = DEFAULT_SEED,
    set_: SetOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Inputs shown per output.")] = 10,
) -> None:
    """Which uncertain inputs drive each impact: SALib indices, a CSV and a chart per output."""
    from ..report.charts import write_charts
    from ..uncertainty import sensitivity as sa

    names = sa.DEFAULT_OUTPUTS if outputs is None else [o.strip() for o in outputs.split(",")]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", sa.SensitivityWarning)
            table = sa.analyse_scenario(
                scenario, method, samples, [o for o in names if o], seed, variant=variant(set_)
            )
    except EvpactError as e:
        fail(e)
    for w in caught:
        if issubclass(w.category, sa.SensitivityWarning):
            err_console.print(
                f"[yellow]warning:[/] {escape(str(w.message))}", highlight=False, soft_wrap=True
            )
        else:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    folder = out or Path("evpact-out") / table.attrs["scenario"] / "sensitivity"
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / "sensitivity.csv", index=False)
    files = [folder / "sensitivity.csv", *write_charts(table, folder)]
    m = table.attrs
    view = Table(
        title=f"{m['scenario']} vs {m['counterfactual']}: sensitivity ({m['method']})",
        title_justify="left",
        header_style="bold",
    )
    shown = table[table["rank"] <= top]
    widest = int(shown["input"].str.len().max()) if len(shown) else 5
    for col in ("output", "input", "index", "value", "95% interval", "rank"):
        view.add_column(
            col,
            justify="right" if col in ("value", "rank") else "left",
            overflow="fold",
            no_wrap=col != "input",
            min_width=min(widest, 60) if col == "input" else None,
        )
    for row in shown.to_dict("records"):
        value, conf = float(row["value"]), float(row["conf"])
        interval = "" if math.isnan(conf) else f"{value - conf:.3g} to {value + conf:.3g}"
        note = " *" if row["note"] else ""
        view.add_row(
            str(row["output"]),
            str(row["input"]),
            str(row["index"]),
            f"{value:.3g}{note}",
            interval,
            str(row["rank"]),
        )
    view.caption = (
        f"top {top} inputs per output by {sa.MAIN_INDEX[m['method']]}; all in sensitivity.csv"
        + ("; * a negative index: see the notes below" if shown["note"].any() else "")
    )
    out_console.print(view)
    for note in m["notes"]:
        out_console.print(note, style="dim", highlight=False)
    out_console.print(
        f"{m['evaluations']:,} evaluations of both worlds, seed {m['seed']}; "
        f"wrote {len(files)} files to {folder}/",
        style="dim",
        highlight=False,
    )
