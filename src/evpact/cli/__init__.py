"""The command line: ``evpact run | compare | sweep | optimize | sensitivity | chain | stress |
origin | test-rules | serve | report | fiscal | replicate | zopa | data | scenarios | validate |
schema``,
a module per command group.

Input problems (``EvpactError``) print one line on stderr and exit with code 2, before anything
is written. Each command imports what it needs when it runs, so ``evpact --help``, ``scenarios``
and ``validate`` never load pandas' plotting stack, scipy.stats, xarray, dask or plotly
(``tests/test_cli_imports.py`` holds this).
"""

from __future__ import annotations

import typer

from . import catalogue, chain, design, fiscal, optimize, outputs, replicate, runs, terms, trade
from .data import data_app

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Evaluate EV industrial deals: battery supply tied to local vehicle assembly.",
)
app.command()(runs.run)
app.command()(runs.compare)
app.command()(terms.sweep)
app.command()(optimize.optimize)
app.command()(catalogue.scenarios)
app.command()(catalogue.validate)
app.command()(catalogue.schema)
app.command()(terms.sensitivity)
app.command()(chain.chain)
app.command()(chain.stress)
app.command("test-rules")(trade.test_rules)
app.command()(trade.origin)
app.command()(outputs.serve)
app.command()(outputs.report)
app.command()(fiscal.fiscal)
app.command()(replicate.replicate)
app.command()(design.zopa)
app.add_typer(data_app, name="data")


def main() -> None:
    app()
