"""``evpact replicate``: published evaluations beside evpact's figures under the conventions
each publication states; exit 0 when every case lands within its tolerance, 1 otherwise."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from ..formatting import number

if TYPE_CHECKING:
    from ..replicate import Outcome


def _shown(o: Outcome, value: float) -> str:
    if o.case.measure == "cost":
        return number(value, "CAD")
    return "not reached" if value != value else f"{value:.0f}"


def replicate() -> None:
    """Run every bundled replication case and print published vs evpact figures, the gap,
    the tolerance, and the conventions stated or assumed."""
    from ..replicate import replicate as run_all

    console = Console() if sys.stdout.isatty() else Console(width=140)
    outcomes = run_all()
    table = Table(title="Replication of published evaluations")
    for col in ("case", "published", "evpact", "gap", "tolerance", "within", "conventions"):
        table.add_column(col, justify="right" if col in ("published", "evpact", "gap") else "left")
    for o in outcomes:
        c = o.case
        cost = c.measure == "cost"
        gap = "n/a" if o.value != o.value else (f"{100 * o.gap:.0f}%" if cost else f"{o.gap:.0f} y")
        tol = f"±{100 * c.tolerance:.0f}%" if cost else f"±{c.tolerance:.0f} y"
        conv = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in c.set.items())
        per_deal = {
            f"{k.split('.')[-1]}={v}" for s in c.set_by_scenario.values() for k, v in s.items()
        }
        if per_deal:
            conv += ", per deal: " + ", ".join(sorted(per_deal))
        if not cost:
            conv += f", scope={c.scope}"
        conv += ", cost=" + "+".join(c.cost)
        table.add_row(
            c.id,
            _shown(o, c.published),
            _shown(o, o.value),
            gap,
            tol,
            "yes" if o.within else "NO",
            conv,
        )
    console.print(table)
    for o in outcomes:
        c = o.case
        p = c.publication
        console.print(f'[bold]{c.id}[/]: {p["publisher"]}, "{p["title"]}", {p["year"]}')
        console.print(f"  published: {c.published_text}", highlight=False)
        for s in c.stated:
            console.print(f"  stated: {s}", highlight=False)
        for a in c.assumed:
            console.print(f"  assumed: {a}", highlight=False)
    if not all(o.within for o in outcomes):
        raise typer.Exit(1)
