"""``evpact origin`` and ``evpact test-rules``: USMCA origin per plant and year, and the expert
cases that check the trade rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import EvpactError
from .common import DEFAULT_SEED, OutOpt, ScenarioArg, SeedOpt, SetOpt, fail, out_console, variant


def test_rules(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Case files or folders (default: the bundled expert cases)."),
    ] = None,
) -> None:
    """Run the YAML expert cases of the trade rules: pass or fail per case (exit 1 on failure)."""
    from ..rulecases import case_files, run_files

    try:
        outcomes = run_files(case_files(list(paths or [])))
    except EvpactError as e:
        fail(e)
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


def origin(
    scenario: ScenarioArg = "canada-korea-2026",
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=0, help="0: one run at central values.")
    ] = 0,
    seed: SeedOpt = DEFAULT_SEED,
    set_: SetOpt = None,
    out: OutOpt = None,
) -> None:
    """USMCA origin per assembly plant and year: RVC (pack and vehicle), LVC, steel and
    aluminium against their rules, qualification and the one change that would qualify it."""
    from ..api import simulate

    try:
        results = simulate(
            scenario,
            draws=max(draws, 1),
            seed=seed,
            variant=variant(set_),
            deterministic=draws == 0,
        )
    except EvpactError as e:
        fail(e)
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
