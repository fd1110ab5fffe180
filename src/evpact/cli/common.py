"""What every command shares: consoles, option types, error and warning handling.

Light on purpose: ``evpact --help`` imports this and nothing of the engine.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from ..defaults import DEFAULT_DRAWS, DEFAULT_SEED

if TYPE_CHECKING:
    from ..errors import EvpactError
    from ..scenario.model import Scenario

__all__ = ["DEFAULT_DRAWS", "DEFAULT_SEED"]

# piped output has no width of its own: give tables room instead of rich's default 80 columns
out_console = Console() if sys.stdout.isatty() else Console(width=120)
err_console = Console(stderr=True)

PROGRESS_FROM = 20_000  # draws: smaller runs finish in well under a second

ScenarioArg = Annotated[str, typer.Argument(help="Bundled scenario name or path to a YAML file.")]
DrawsOpt = Annotated[int, typer.Option("--draws", "-n", min=1, help="Monte Carlo draws.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed: same seed, same numbers.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output folder.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Variant: PATH=VALUE, e.g. deals.hmg-ontario.linkage.threshold=0.6."
    ),
]
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
YesOpt = Annotated[
    bool,
    typer.Option("--yes", help="Run even when the size estimate says it takes minutes or more."),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Cores that run draw blocks side by side (default: every core for runs past "
        "65,536 draws; 1: one), or the workers of --cluster local. Same numbers.",
    ),
]


def variant(assignments: list[str] | None) -> dict[str, Any]:
    from ..scenario.load import parse_assignment

    return dict(parse_assignment(a) for a in assignments or [])


def fail(e: EvpactError) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def warn(messages: list[str]) -> None:
    """Inputs that were valid but did nothing: one line each on stderr."""
    for message in messages:
        err_console.print(f"[yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)


def years(scenario: str | Scenario, assignments: dict[str, Any] | None = None) -> int:
    from ..scenario.load import load_scenario
    from ..scenario.model import Scenario

    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, assignments)
    return s.horizon[1] - s.horizon[0] + 1


def share_of_draws(share: float) -> str:
    """A share of draws as a percentage that never rounds 99.7% up to 100%."""
    if share in (0.0, 1.0):
        return f"{100 * share:.0f}%"
    return f"{100 * share:.1f}%"


def missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


@contextmanager
def notes() -> Iterator[None]:
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
def progress(
    enabled: bool, total: int, unit: str = "draws"
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for runs long enough to need one; the callback sets the real
    total (``done`` of ``total`` ``unit``) as the work reports it."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("simulating"),
        BarColumn(),
        TextColumn(f"{{task.completed:,}}/{{task.total:,}} {unit}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("run", total=total)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
