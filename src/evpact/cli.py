"""The command line: ``evpact run | compare | sweep | sensitivity | chain | stress | origin |
test-rules | serve | report | scenarios | validate | schema``.

Input problems (``EvpactError``) print one line on stderr and exit with code 2, before anything
is written.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .api import DEFAULT_DRAWS, DEFAULT_SEED, simulate
from .engine.compile import compile_scenario
from .engine.resilience import chain_indicators
from .errors import EvpactError
from .formatting import number
from .optimize.sweep import parse_grid
from .optimize.sweep import sweep as run_sweep
from .report.chain import chain_png, sankey_html
from .results import Results
from .scenario.load import (
    bundled_scenarios,
    load_counterfactual,
    load_scenario,
    parse_assignment,
    read_yaml,
)
from .scenario.model import Scenario
from .stress import parse_cut
from .stress import stress as run_stress
from .uncertainty.cluster import dask_client

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Evaluate EV industrial deals: battery supply tied to local vehicle assembly.",
)
# piped output has no width of its own: give tables room instead of rich's default 80 columns
out_console = Console() if sys.stdout.isatty() else Console(width=120)
err_console = Console(stderr=True)

#: metrics shown in the terminal table, in this order (all are in the JSON and CSV)
HEADLINE = (
    "direct_jobs_peak",
    "total_jobs_peak",
    "gdp_cumulative",
    "labour_income_cumulative",
    "public_cost_npv",
    "tax_revenue_npv",
    "fiscal_net_npv",
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
PROGRESS_FROM = 20_000  # draws: smaller runs finish in well under a second

ScenarioArg = Annotated[str, typer.Argument(help="Bundled scenario name or path to a YAML file.")]
DrawsOpt = Annotated[int, typer.Option("--draws", "-n", min=1, help="Monte Carlo draws.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed: same seed, same numbers.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output folder.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")]
ClusterOpt = Annotated[
    str | None,
    typer.Option("--cluster", help="Map draw blocks over Dask: 'local' or tcp://HOST:PORT."),
]
SamplingOpt = Annotated[
    str,
    typer.Option(
        "--sampling", help="Scheme of the draws: mc (independent), lhs (Latin hypercube), sobol."
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", help="Workers of a local Dask cluster (implies --cluster local)."),
]


def _variant(assignments: list[str] | None) -> dict[str, Any]:
    return dict(parse_assignment(a) for a in assignments or [])


def _fail(e: EvpactError) -> None:
    err_console.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def _notes() -> Iterator[None]:
    """Warnings the model raises (a Sobol run that is not a power of two...) as notes on
    stderr, one line each, instead of Python's warning format."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                err_console.print(f"[yellow]note:[/] {escape(str(w.message))}", highlight=False)


@contextmanager
def _progress(enabled: bool, draws: int) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for runs long enough to need one."""
    if not enabled:
        yield None
        return
    columns = (
        TextColumn("simulating"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} draws"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("run", total=2 * draws)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _table(results: Results, title: str) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("metric", no_wrap=True)
    for col in ("unit", "median", "90% interval", "mean"):
        table.add_column(col, justify="left" if col == "unit" else "right")
    summary = {str(k): v for k, v in results.summary().set_index("metric").to_dict("index").items()}
    for name in HEADLINE:
        row = summary[name]
        unit = str(row["unit"])
        p5, p50, p95, mean = (
            None if _missing(row[k]) else float(row[k]) for k in ("p5", "p50", "p95", "mean")
        )
        reached = f"{name}_reached_share"
        if reached in summary:
            table.caption = (table.caption or "") + (
                f"{name}: reached within the horizon in "
                f"{100 * float(summary[reached]['mean']):.0f}% of draws. "
            )
        table.add_row(
            name,
            unit,
            number(p50, unit),
            f"{number(p5, unit)} to {number(p95, unit)}",
            number(mean, unit),
        )
    return table


def _risk_table(results: Results) -> Table:
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
        table.add_row(f"probability of break-even within the horizon ({scope})", number(p, "share"))
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


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _report(results: Results, out: Path, as_json: bool, title: str) -> None:
    files = results.write(out)
    if as_json:
        sys.stdout.write(json.dumps(results.summary_dict()) + "\n")
        return
    m = results.meta
    out_console.print(_table(results, title))
    out_console.print(_risk_table(results))
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


@app.command()
def run(
    scenario: ScenarioArg = "canada-korea-2026",
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Variant: PATH=VALUE, e.g. deals.hmg-ontario.linkage.threshold=0.6."
        ),
    ] = None,
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
) -> None:
    """Simulate a deal against its counterfactual and summarise the impacts."""
    try:
        with (
            _notes(),
            dask_client(cluster, workers) as client,
            _progress(not as_json and draws >= PROGRESS_FROM and not deterministic, draws) as tick,
        ):
            results = simulate(
                scenario,
                draws=draws,
                seed=seed,
                variant=_variant(set_),
                deterministic=deterministic,
                progress=tick,
                client=client,
                sampling=sampling,
                keep_draws=keep_draws or None,
            )
        name = results.meta["scenario"]
        title = f"{name} vs {results.meta['counterfactual']} (impacts)"
        _report(results, out or Path("evpact-out") / name, as_json, title)
    except EvpactError as e:
        _fail(e)


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="Scenario A (bundled name or YAML path).")],
    b: Annotated[str, typer.Argument(help="Scenario B, the reference A is measured against.")],
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    set_a: Annotated[list[str] | None, typer.Option("--set-a", help="Variant of A.")] = None,
    set_b: Annotated[list[str] | None, typer.Option("--set-b", help="Variant of B.")] = None,
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A minus B, draw by draw, on common random numbers."""
    try:
        sa, sb = load_scenario(a, _variant(set_a)), load_scenario(b, _variant(set_b))
        with _progress(not as_json and draws >= PROGRESS_FROM, draws) as tick:
            results = simulate(sa, draws=draws, seed=seed, counterfactual=sb, progress=tick)
        _report(
            results,
            out or Path("evpact-out") / f"{sa.name}-vs-{sb.name}",
            as_json,
            f"{sa.name} minus {sb.name}",
        )
    except EvpactError as e:
        _fail(e)


@app.command()
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
) -> None:
    """Every combination of a grid of deal terms, on the same random numbers, in one table."""
    try:
        axes = dict(parse_grid(g) for g in grid)
        shown = [m.strip() for m in metrics.split(",") if m.strip()]
        with dask_client(cluster, workers) as client:
            table = run_sweep(scenario, axes, draws=draws, seed=seed, client=client)
        unknown = sorted(set(shown) - set(table["metric"]))
        if unknown:
            raise EvpactError(f"--metrics: unknown {unknown}; see summary.csv of a run")
        name = load_scenario(scenario).name
        folder = out or Path("evpact-out") / name / "sweep"
        folder.mkdir(parents=True, exist_ok=True)
        table.to_csv(folder / "sweep.csv", index=False)
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
                *(number(None if _missing(row[m]) else float(row[m]), units[m]) for m in shown),
            )
        out_console.print(view)
        out_console.print(
            f"{draws:,} draws per variant, seed {seed}; wrote {folder}/sweep.csv",
            style="dim",
            highlight=False,
        )
    except EvpactError as e:
        _fail(e)


@app.command()
def scenarios() -> None:
    """List the bundled scenarios."""
    table = Table(header_style="bold")
    table.add_column("scenario", no_wrap=True)
    table.add_column("counterfactual", no_wrap=True)
    table.add_column("what it is")
    for name, path in bundled_scenarios().items():
        raw = read_yaml(path)
        table.add_row(name, str(raw.get("counterfactual") or "-"), str(raw.get("title", "")))
    out_console.print(table)


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="Scenario YAML file (or bundled name).")],
) -> None:
    """Check a scenario file (and its counterfactual) without running it."""
    try:
        s = load_scenario(file)
        compile_scenario(s)
        cf_note = "no counterfactual"
        if s.counterfactual is not None:
            cf = load_counterfactual(s)
            compile_scenario(cf)
            cf_note = f"counterfactual {cf.name}"
        out_console.print(
            f"[green]ok[/]: {s.name}: {len(s.plants)} plants, {len(s.deals)} deals, "
            f"horizon {s.horizon[0]}-{s.horizon[1]}, {cf_note}",
            highlight=False,
        )
    except EvpactError as e:
        _fail(e)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")


@app.command()
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
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Variant: PATH=VALUE, as for run.")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Inputs shown per output.")] = 10,
) -> None:
    """Which uncertain inputs drive each impact: SALib indices, a CSV and a chart per output."""
    import warnings

    from .report.charts import write_charts
    from .uncertainty import sensitivity as sa

    names = sa.DEFAULT_OUTPUTS if outputs is None else [o.strip() for o in outputs.split(",")]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", sa.SensitivityWarning)
            table = sa.analyse_scenario(
                scenario, method, samples, [o for o in names if o], seed, variant=_variant(set_)
            )
    except EvpactError as e:
        _fail(e)
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


@app.command()
def chain(
    scenario: ScenarioArg = "canada-korea-2026",
    set_: Annotated[list[str] | None, typer.Option("--set", help="Variant: PATH=VALUE.")] = None,
    out: OutOpt = None,
) -> None:
    """Where each stage of the deals' battery chains sits: groups, concentration, diagram."""
    try:
        s = load_scenario(scenario, _variant(set_))
        model = compile_scenario(s)
    except EvpactError as e:
        _fail(e)
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


@app.command()
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
    set_: Annotated[list[str] | None, typer.Option("--set", help="Variant: PATH=VALUE.")] = None,
    out: OutOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cut supply at a stage of the chain: what the deal's world and its counterfactual lose."""
    try:
        parsed = [parse_cut(c) for c in cut or []]
        result = run_stress(
            scenario, parsed, weeks, year, draws=draws, seed=seed, variant=_variant(set_)
        )
    except EvpactError as e:
        _fail(e)
    m = result.meta
    result.write(out or Path("evpact-out") / f"{m['scenario']}-stress")
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


@app.command("test-rules")
def test_rules(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Case files or folders (default: the bundled expert cases)."),
    ] = None,
) -> None:
    """Run the YAML expert cases of the trade rules: pass or fail per case (exit 1 on failure)."""
    from .rulecases import case_files, run_files

    try:
        outcomes = run_files(case_files(list(paths or [])))
    except EvpactError as e:
        _fail(e)
    view = Table(title="Trade rule cases", title_justify="left", header_style="bold")
    for col in ("file", "case", "result", "detail"):
        view.add_column(col, overflow="fold")
    for o in outcomes:
        mark = "[green]pass[/]" if o.passed else "[bold red]FAIL[/]"
        view.add_row(o.file, escape(o.name), mark, escape(o.detail))
    out_console.print(view)
    failed = sum(not o.passed for o in outcomes)
    out_console.print(
        f"{len(outcomes) - failed} passed, {failed} failed", style="dim", highlight=False
    )
    if failed:
        raise typer.Exit(1)


@app.command()
def origin(
    scenario: ScenarioArg = "canada-korea-2026",
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=0, help="0: one run at central values.")
    ] = 0,
    seed: SeedOpt = DEFAULT_SEED,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Variant: PATH=VALUE, as for run.")
    ] = None,
    out: OutOpt = None,
) -> None:
    """USMCA origin per assembly plant and year: RVC (pack and vehicle), LVC, steel and
    aluminium against their rules, qualification and the one change that would qualify it."""
    try:
        results = simulate(
            scenario,
            draws=max(draws, 1),
            seed=seed,
            variant=_variant(set_),
            deterministic=draws == 0,
        )
    except EvpactError as e:
        _fail(e)
    table = results.origin_table()
    name = results.meta["scenario"]
    folder = out or Path("evpact-out") / name
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / "origin.csv", index=False)
    if table.empty:
        out_console.print(f"{name}: no trade section or no assembly output, nothing to show")
        return
    stat = "central values" if draws == 0 else f"medians of {draws:,} draws"
    view = Table(title=f"{name}: USMCA origin ({stat})", title_justify="left", header_style="bold")
    cols = {
        "plant": "plant",
        "year": "year",
        "pack RVC": "pack_rvc_pct",
        "RVC": "rvc_pct",
        "margin": "rvc_margin_pp",
        "LVC": "lvc_pct",
        "steel/alu": "steel_aluminium_pct",
        "qualifies": "qualifying_share",
        "change to qualify": "change_to_qualify",
    }
    for col in cols:
        view.add_column(col, justify="left" if col in ("plant", "change to qualify") else "right")
    for row in table.to_dict("records"):
        view.add_row(
            str(row["plant"]),
            str(row["year"]),
            f"{row['pack_rvc_pct']:.1f}% / {row['core_rvc_threshold_pct']:.0f}",
            f"{row['rvc_pct']:.1f}% / {row['rvc_threshold_pct']:.0f}",
            f"{row['rvc_margin_pp']:+.1f} pp",
            f"{row['lvc_pct']:.1f}% / {row['lvc_threshold_pct']:.0f}",
            f"{row['steel_aluminium_pct']:.0f}% / {row['steel_aluminium_threshold_pct']:.0f}",
            f"{100 * row['qualifying_share']:.0f}%",
            str(row["change_to_qualify"]),
        )
    out_console.print(view)
    out_console.print(f"wrote {folder}/origin.csv", style="dim", highlight=False)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (localhost only by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option("--db", help="SQLAlchemy URL of the run store (default: SQLite file in cwd)."),
    ] = None,
    max_draws: Annotated[
        int | None, typer.Option("--max-draws", min=1, help="Largest run.")
    ] = None,
    sync_draws: Annotated[
        int | None, typer.Option("--sync-draws", min=1, help="Largest run answered at once.")
    ] = None,
    max_seconds: Annotated[
        float | None, typer.Option("--max-seconds", min=0.1, help="Longest run, in seconds.")
    ] = None,
    max_body_bytes: Annotated[
        int | None, typer.Option("--max-body-bytes", min=1, help="Largest request body.")
    ] = None,
) -> None:
    """Start the web app and HTTP API (FastAPI + uvicorn); limits also read EVPACT_* variables."""
    import uvicorn

    from .web import Settings, create_app

    settings = Settings.from_env(
        db=db,
        max_draws=max_draws,
        sync_draws=sync_draws,
        max_seconds=max_seconds,
        max_body_bytes=max_body_bytes,
    )
    try:
        web_app = create_app(settings)
    except EvpactError as e:
        _fail(e)
    store = settings.db.split("@")[-1]  # never print a password of the URL
    out_console.print(f"evpact: run store {store}; open http://{host}:{port}/", highlight=False)
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


@app.command()
def report(
    scenario: ScenarioArg = "canada-korea-2026",
    compare_with: Annotated[
        str | None, typer.Option("--compare", help="A second scenario shown side by side.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print it to PDF (same name, .pdf).")
    ] = False,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Variant of the scenario: PATH=VALUE.")
    ] = None,
) -> None:
    """A self-contained HTML report (charts, tables, sources, provenance) that opens offline."""
    from .report.html import build_report, plotly_js
    from .report.pdf import chromium_path, html_to_pdf

    try:
        if pdf:
            chromium_path()  # fail before the run, not after
        a = simulate(scenario, draws=draws, seed=seed, variant=_variant(set_))
        runs, difference = [a], None
        if compare_with is not None:
            b = load_scenario(compare_with)
            assert a.scenario_model is not None
            difference = simulate(a.scenario_model, draws=draws, seed=seed, counterfactual=b)
            if b.counterfactual is not None:  # a world without a deal has no impacts to show
                runs.append(simulate(b, draws=draws, seed=seed))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(build_report(runs, plotly_js(), difference), encoding="utf-8")
        written = [out]
        if pdf:
            written.append(html_to_pdf(out, out.with_suffix(".pdf")))
    except EvpactError as e:
        _fail(e)
    out_console.print(f"wrote {', '.join(map(str, written))}", style="dim", highlight=False)


def main() -> None:
    app()


from .cli_fiscal import fiscal as _fiscal  # noqa: E402  (its own module: the ledger command)

app.command("fiscal")(_fiscal)
from .cli_replicate import replicate as _replicate  # noqa: E402  (its own module)

app.command("replicate")(_replicate)
