"""``evpact scenarios``, ``evpact validate`` and ``evpact schema``: what can be run, and whether
a file can. None of them simulates, so none imports the engine's heavy libraries."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from ..errors import EvpactError
from .common import fail, out_console


def scenarios() -> None:
    """List the bundled scenarios."""
    from ..scenario.load import bundled_scenarios, read_yaml

    table = Table(header_style="bold")
    table.add_column("scenario", no_wrap=True)
    table.add_column("counterfactual", no_wrap=True)
    table.add_column("what it is")
    for name, path in bundled_scenarios().items():
        raw = read_yaml(path)
        table.add_row(name, str(raw.get("counterfactual") or "-"), str(raw.get("title", "")))
    out_console.print(table)


def validate(
    file: Annotated[str, typer.Argument(help="Scenario YAML file (or bundled name).")],
) -> None:
    """Check a scenario file (and its counterfactual) without running it."""
    from ..engine.compile import compile_scenario
    from ..scenario.load import load_counterfactual, load_scenario

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
        fail(e)


def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from ..scenario.model import Scenario

    sys.stdout.write(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2) + "\n")
