"""``evpact data``: bring official figures into evpact.

``evpact data import-multipliers FILE`` reads Statistics Canada's input-output multiplier CSV
(tables 36-10-0594-01 / 36-10-0595-01, as downloaded) and writes ``economy.multipliers`` for a
scenario, so a run uses the agency's ratios instead of the bundled stand-ins.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ..errors import EvpactError

if TYPE_CHECKING:  # imported when the command runs: `evpact --help` stays light
    from ..data.statcan import Imported

data_app = typer.Typer(no_args_is_help=True, help="Bring official data into evpact.")
out_console = Console(width=120)
err_console = Console(stderr=True)


def _codes(mappings: list[str] | None) -> dict[str, tuple[str, ...]]:
    from ..data.statcan import DEFAULT_CODES

    codes = dict(DEFAULT_CODES)
    for m in mappings or []:
        name, sep, code = m.partition("=")
        if not sep or not name.strip() or not code.strip():
            raise EvpactError(f"--industry expects NAME=IOIC_CODE, got '{m}'")
        if name.strip() not in DEFAULT_CODES:
            raise EvpactError(f"--industry: unknown industry '{name}'; use {sorted(DEFAULT_CODES)}")
        codes[name.strip()] = (code.strip().strip("[]"),)
    return codes


def _source(got: Imported, file: Path, industry: str) -> str:
    where = got.geo + (f", {got.coverage}" if got.coverage else "")
    return (
        f"Statistics Canada, input-output multipliers ({file.name}), {got.industries[industry]}, "
        f"{where}, reference year {got.year}; imported with evpact data import-multipliers"
    )


def _document(got: Imported, file: Path, scenario: str | None) -> dict[str, Any]:
    """The scenario (or a bare ``economy`` section) with the imported multipliers merged."""
    from ..data.statcan import ENGINE_INDUSTRIES
    from ..engine.compile import MULTIPLIER_MEASURES
    from ..scenario.load import load_raw, validate

    used = {k: v for k, v in got.ratios.items() if k in ENGINE_INDUSTRIES}
    doc: dict[str, Any] = load_raw(scenario)[0] if scenario else {}
    economy = doc.setdefault("economy", {})
    multipliers = economy.setdefault("multipliers", {})
    for industry, ratios in used.items():
        multipliers[industry] = {m: round(ratios[m], 6) for m in MULTIPLIER_MEASURES}
    sources = doc.setdefault("sources", {})
    for industry in used:
        sources[f"economy.multipliers.{industry}"] = _source(got, file, industry)
    if scenario:
        validate(doc, scenario)  # the merged scenario must still be a valid one
    return doc


def _table(got: Imported) -> Table:
    from ..data.statcan import ENGINE_INDUSTRIES
    from ..engine.compile import MULTIPLIER_MEASURES

    t = Table(
        title=f"Multipliers, {got.geo}, {got.year}" + (f", {got.coverage}" if got.coverage else "")
    )
    t.add_column("measure")
    for industry in got.ratios:
        t.add_column(
            industry + ("" if industry in ENGINE_INDUSTRIES else " (not used)"), justify="right"
        )
    for m in MULTIPLIER_MEASURES:
        t.add_row(m, *(f"{got.ratios[i][m]:.4f}" for i in got.ratios))
    t.add_row(
        "IOIC industry", *(got.industries[i].rsplit("[", 1)[-1].rstrip("]") for i in got.ratios)
    )
    return t


@data_app.command("import-multipliers")
def import_multipliers_command(
    file: Annotated[Path, typer.Argument(help="Statistics Canada CSV (e.g. 36100594.csv).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the YAML here (default: print it).")
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(help="Merge into this scenario (name or path) and write the whole scenario."),
    ] = None,
    year: Annotated[str | None, typer.Option(help="REF_DATE (default: the latest).")] = None,
    geo: Annotated[str, typer.Option(help="GEO, e.g. Canada or Ontario.")] = "Canada",
    coverage: Annotated[
        str | None, typer.Option(help="Geographical coverage (provincial table).")
    ] = None,
    industry: Annotated[
        list[str] | None,
        typer.Option(help="Map an evpact industry to an IOIC code: battery_cells=BS335900."),
    ] = None,
) -> None:
    """Read Statistics Canada input-output multipliers into evpact's economy.multipliers."""
    import yaml

    from ..data.statcan import ENGINE_INDUSTRIES, import_multipliers

    try:
        got = import_multipliers(
            file, year=year, geo=geo, coverage=coverage, codes=_codes(industry)
        )
        doc = _document(got, file, scenario)
    except EvpactError as e:
        err_console.print(f"[red]error:[/red] {e}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    missing = sorted(set(ENGINE_INDUSTRIES) - set(got.ratios))
    if out is None:
        out_console.print(_table(got))
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        out_console.print(_table(got))
        out_console.print(f"wrote {out}")
    if missing:
        err_console.print(f"not in the file, bundled ratios stay: {', '.join(missing)}")
