"""``evpact optimize``: search deal terms for the best trade-offs (NSGA-II), on common random
numbers, and write the Pareto set with the command that reruns each of its rows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import EvpactError
from .common import (
    DEFAULT_SEED,
    OutOpt,
    ScenarioArg,
    SeedOpt,
    YesOpt,
    err_console,
    fail,
    out_console,
    progress,
    years,
)

#: fixed cost of one candidate on top of its draws, in seconds (assumption, measured on the
#: bundled scenario: 0.04-0.06 s; candidates reuse the compiled counterfactual and its draws)
CANDIDATE_OVERHEAD_SECONDS = 0.06


def optimize(
    scenario: ScenarioArg,
    term: Annotated[
        list[str],
        typer.Option(
            "--term",
            help="PATH=LOW:HIGH, a scenario path (as --set takes) and its search bounds; "
            "whole-number paths (years, durations) are rounded.",
        ),
    ],
    objective: Annotated[
        list[str],
        typer.Option(
            "--objective",
            help="METRIC[.STAT][:max|min]; STAT is mean (default), p5, p50, p95, cvar5 (mean "
            "of the lowest 5% of draws) or cvar95 (of the highest 5%).",
        ),
    ],
    constraint: Annotated[
        list[str] | None,
        typer.Option("--constraint", help="METRIC[.STAT]>=NUMBER or METRIC[.STAT]<=NUMBER."),
    ] = None,
    draws: Annotated[
        int, typer.Option("--draws", "-n", help="Monte Carlo draws per candidate.")
    ] = 1000,
    budget: Annotated[int, typer.Option("--budget", help="Candidates evaluated at most.")] = 200,
    seed: SeedOpt = DEFAULT_SEED,
    population: Annotated[
        int | None,
        typer.Option("--population", min=2, help="NSGA-II population (default: 10 per term)."),
    ] = None,
    out: OutOpt = None,
    yes: YesOpt = False,
) -> None:
    """Search deal terms for the Pareto set of the objectives under the constraints."""
    from ..limits import DRAWS_PER_SECOND, confirm_size
    from ..optimize import frontier
    from ..optimize.search import check_sizes, optimise, population_size, prepare
    from ..optimize.spec import parse_constraint, parse_objective, parse_term
    from ..scenario.load import load_scenario

    try:
        terms = [parse_term(t) for t in term]
        objectives = [parse_objective(o) for o in objective]
        constraints = [parse_constraint(c) for c in constraint or []]
        check_sizes(draws, budget)
        seconds = budget * (
            CANDIDATE_OVERHEAD_SECONDS + draws * years(scenario) / 20 / DRAWS_PER_SECOND
        )
        confirm_size(f"{budget:,} candidates x {draws:,} draws", seconds, yes)
        base = load_scenario(scenario)
        design, scales = prepare(base, terms, objectives, constraints, draws, seed)
        size = population or population_size(len(design.terms), budget)
        err_console.print(
            f"searching {len(design.terms)} term(s) with NSGA-II (population {min(size, budget)}"
            f"), {budget:,} candidates of {draws:,} draws, seed {seed}; Ctrl-C stops and "
            "writes the best found so far",
            highlight=False,
            soft_wrap=True,
        )
        with progress(True, budget, "candidates") as tick:
            found = optimise(design, scales, budget, population=population, progress=tick)
        folder = out or Path("evpact-out") / base.name / "optimize"
        files = frontier.write(design, found, scenario, folder)
    except EvpactError as e:
        fail(e)
    table = frontier.pareto_table(design, found, scenario)
    if found.interrupted:
        err_console.print(
            f"[yellow]stopped:[/] after {len(found.candidates):,} of {budget:,} candidates; "
            "the Pareto set below is the best found so far",
            highlight=False,
        )
    if table.empty:
        feasible = sum(c.feasible for c in found.unique())
        why = (
            "no candidate met every constraint: loosen a --constraint or widen a --term"
            if constraints and feasible == 0
            else "no candidate had every objective defined"
        )
        err_console.print(f"[yellow]empty Pareto set:[/] {why}", highlight=False)
    else:
        view = Table(
            title=f"{base.name}: Pareto set ({len(table)} of {len(found.unique()):,} distinct "
            "candidates)",
            title_justify="left",
            header_style="bold",
        )
        columns = [c for c in table.columns if c != "command"]
        for col in columns:
            view.add_column(col, justify="right", overflow="fold")
        for row in table.to_dict("records"):
            view.add_row(*(f"{row[c]:.6g}" for c in columns))
        out_console.print(view)
        out_console.print("rerun a row exactly:", style="bold")
        for i, cmd in enumerate(table["command"], start=1):
            out_console.print(f"{i:>3}  {escape(cmd)}", highlight=False, soft_wrap=True)
    out_console.print(
        f"{len(found.candidates):,} candidates, {draws:,} draws each, seed {seed}; wrote "
        + ", ".join(str(f) for f in files),
        style="dim",
        highlight=False,
        soft_wrap=True,
    )
