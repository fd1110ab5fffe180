"""``evpact serve`` and ``evpact report``: the web app and the offline HTML/PDF report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import EvpactError
from .common import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    DrawsOpt,
    ScenarioArg,
    SeedOpt,
    SetOpt,
    fail,
    out_console,
    variant,
)


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
    max_sync: Annotated[
        int | None,
        typer.Option("--max-sync", min=1, help="Synchronous runs at once (more get 503)."),
    ] = None,
    max_queued: Annotated[
        int | None, typer.Option("--max-queued", min=1, help="Queued jobs (more get 429).")
    ] = None,
    keep_runs: Annotated[
        int | None,
        typer.Option("--keep-runs", min=0, help="Stored runs kept, newest first (0: all)."),
    ] = None,
    max_candidates: Annotated[
        int | None,
        typer.Option("--max-candidates", min=4, help="Largest budget of a Design search."),
    ] = None,
) -> None:
    """Start the web app and HTTP API (FastAPI + uvicorn); limits also read EVPACT_* variables."""
    import uvicorn

    from ..web import Settings, create_app

    settings = Settings.from_env(
        db=db,
        max_draws=max_draws,
        sync_draws=sync_draws,
        max_seconds=max_seconds,
        max_body_bytes=max_body_bytes,
        max_sync=max_sync,
        max_queued=max_queued,
        keep_runs=keep_runs,
        max_candidates=max_candidates,
    )
    try:
        web_app = create_app(settings)
    except EvpactError as e:
        fail(e)
    store = settings.db.split("@")[-1]  # never print a password of the URL
    out_console.print(f"evpact: run store {store}; open http://{host}:{port}/", highlight=False)
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


def report(
    scenario: ScenarioArg = "canada-korea-2026",
    compare_with: Annotated[
        str | None,
        typer.Option("--compare", help="A second deal: the summary says what separates them."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The file to write (default report.html or report.md)."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="html (offline page), md (Markdown) or pdf.")
    ] = "html",
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print it to PDF (same name, .pdf).")
    ] = False,
    paper: Annotated[str, typer.Option("--paper", help="PDF paper: A4 or Letter.")] = "A4",
    sensitivity: Annotated[
        Path | None,
        typer.Option("--sensitivity", help="Folder (or CSV) written by 'evpact sensitivity'."),
    ] = None,
    stress_results: Annotated[
        Path | None,
        typer.Option("--stress", help="Folder (or stress.json) written by 'evpact stress'."),
    ] = None,
    draws: DrawsOpt = DEFAULT_DRAWS,
    seed: SeedOpt = DEFAULT_SEED,
    set_: SetOpt = None,
) -> None:
    """A briefing note on a deal: key findings first, then what it buys, costs and risks, with
    charts, sources and provenance; a self-contained HTML page, Markdown or PDF."""
    from ..report.make import make_report

    try:
        written = make_report(
            scenario,
            out,
            fmt=fmt,
            pdf=pdf,
            paper=paper,
            compare_with=compare_with,
            draws=draws,
            seed=seed,
            variant=variant(set_),
            sensitivity=sensitivity,
            stress=stress_results,
        )
    except EvpactError as e:
        fail(e)
    out_console.print(f"wrote {', '.join(map(str, written))}", style="dim", highlight=False)
