"""``evpact fiscal SCENARIO``: the Crown ledger by government and instrument, printed and
written as CSV (``ledger.csv``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from ..defaults import DEFAULT_SEED
from ..formatting import number
from .common import ScenarioArg, SeedOpt, SetOpt, fail, out_console, variant

if TYPE_CHECKING:
    from ..results import Results

FISCAL_DRAWS = 1000
CATEGORY_TITLE = {
    "outlay": "outlays",
    "refundable_credit": "refundable credits",
    "foregone_revenue": "revenue foregone (memo)",
    "revenue": "revenue collected",
    "debt_service": "debt service (memo)",
}


def fiscal(
    scenario: ScenarioArg,
    draws: Annotated[int, typer.Option("--draws", "-n", min=1, help="Monte Carlo draws.")] = (
        FISCAL_DRAWS
    ),
    seed: SeedOpt = DEFAULT_SEED,
    set_: SetOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for ledger.csv (default evpact-out/NAME).")
    ] = None,
    deterministic: Annotated[
        bool, typer.Option("--deterministic", help="One run with every input at its central value.")
    ] = False,
) -> None:
    """The Crown ledger of a deal: every public flow by government and instrument (mean
    impacts), the balance and break-even per government, and the conventions used."""
    from ..api import LEDGER_LINES_DRAWS, simulate
    from ..crown_report import ledger_frame
    from ..errors import EvpactError

    console = out_console
    try:
        if draws > LEDGER_LINES_DRAWS and not deterministic:
            raise EvpactError(
                f"the ledger line by line is kept for runs of up to {LEDGER_LINES_DRAWS:,} draws; "
                f"got --draws {draws:,}"
            )
        results = simulate(
            scenario, draws=draws, seed=seed, variant=variant(set_), deterministic=deterministic
        )
        frame = ledger_frame(results)
    except EvpactError as e:
        fail(e)
    console.print(_table(results, frame))
    console.print(_balance(results))
    folder = out or Path("evpact-out") / results.meta["scenario"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ledger.csv"
    frame.to_csv(path, index=False)
    console.print(f"wrote {path}", style="dim", highlight=False)


def _table(results: Results, frame: object) -> Table:
    import pandas as pd

    from ..crown_report import conventions_text
    from ..engine.ledger import conventions

    assert isinstance(frame, pd.DataFrame)
    model = results.scenario_model
    conv = conventions_text(conventions(model)) if model else ""
    unit = frame["unit"].iloc[0] if len(frame) else ""
    table = Table(
        title=f"Crown ledger: {results.meta['scenario']} vs {results.meta['counterfactual']}",
        caption=f"mean impacts over {results.meta['draws']} draws, {unit}; {conv}",
    )
    for col in ("government", "category", "instrument", "NPV", "sum"):
        table.add_column(col, justify="right" if col in ("NPV", "sum") else "left")
    grouped = (
        frame.groupby(["government", "category", "instrument"], sort=False)[["npv", "cumulative"]]
        .sum()
        .reset_index()
    )
    for _, row in grouped.iterrows():
        if row["npv"] == 0 and row["cumulative"] == 0:
            continue
        table.add_row(
            str(row["government"]),
            CATEGORY_TITLE[str(row["category"])],
            str(row["instrument"]),
            number(float(row["npv"]), "CAD"),
            number(float(row["cumulative"]), "CAD"),
        )
    return table


def _balance(results: Results) -> Table:
    table = Table(title="Balance by government (total scope unless named)")
    for col in ("metric", "mean", "p50"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    summary = results.summary_dict()["metrics"]
    names = [
        f"{m}_{g}"
        for g in ("federal", "provincial")
        for m in ("public_cost_npv", "tax_revenue_npv", "fiscal_net_npv")
    ]
    names += [
        f"fiscal_breakeven_year_{g}{s}"
        for g in ("federal", "provincial")
        for s in ("_plant", "_supply_chain", "")
    ]
    names += ["fiscal_breakeven_year_total", "tax_expenditure_npv", "total_support_npv"]
    for name in names:
        row = summary[name]
        shown = [number(row[k], str(row["unit"])) for k in ("mean", "p50")]
        if name.startswith("fiscal_breakeven_year"):
            share = summary[f"{name}_reached_share"]["mean"]
            shown[0] = f"{shown[0]} ({100 * float(share or 0):.0f}% of draws reach it)"
        table.add_row(name, *shown)
    return table
