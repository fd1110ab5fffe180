"""``evpact report``: run the deal (and the one it is compared with), read any sensitivity or
stress results given, and write the briefing as HTML, Markdown and/or PDF. The edge where
files are read and written; the content itself comes from ``briefing``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..api import simulate
from ..errors import EvpactError
from ..scenario.load import load_scenario

FORMATS = ("html", "md", "pdf")


def read_stress(path: Path) -> dict[str, Any]:
    """The ``stress.json`` that ``evpact stress`` writes (its folder or the file)."""
    file = path / "stress.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise EvpactError(f"cannot read stress results from {path}: {e}", "--stress") from None
    need = {"scenario", "cuts", "weeks", "year", "losses"}
    if not isinstance(data, dict) or not need <= set(data) or not data["losses"]:
        raise EvpactError(f"{file} is not the stress.json of 'evpact stress'", "--stress")
    return data


def make_report(
    scenario: str,
    out: Path | None,
    *,
    fmt: str = "html",
    pdf: bool = False,
    paper: str = "A4",
    compare_with: str | None = None,
    draws: int,
    seed: int,
    variant: dict[str, Any] | None = None,
    sensitivity: Path | None = None,
    stress: Path | None = None,
) -> list[Path]:
    """Write the report; returns the files written. ``fmt`` html or md; ``pdf`` (or ``fmt``
    pdf) also prints the HTML to PDF next to it."""
    from .briefing import build_document
    from .charts import read_table
    from .html import plotly_js, render_html
    from .markdown import render_markdown
    from .pdf import PAPERS, chromium_path, html_to_pdf

    if fmt not in FORMATS:
        raise EvpactError(f"format '{fmt}' is not one of {', '.join(FORMATS)}", "--format")
    if paper not in PAPERS:
        raise EvpactError(f"paper '{paper}' is not one of {', '.join(PAPERS)}", "--paper")
    pdf = pdf or fmt == "pdf"
    if pdf:
        chromium_path()  # fail before the run, not after
    table = read_table(sensitivity) if sensitivity is not None else None
    shock = read_stress(stress) if stress is not None else None
    a = simulate(scenario, draws=draws, seed=seed, variant=variant)
    runs, difference = [a], None
    if compare_with is not None:
        b = load_scenario(compare_with)
        assert a.scenario_model is not None
        difference = simulate(a.scenario_model, draws=draws, seed=seed, counterfactual=b)
        if b.counterfactual is not None:  # a world without a deal has no impacts to show
            runs.append(simulate(b, draws=draws, seed=seed))
    zone = None
    if a.scenario_model is not None and a.scenario_model.firms:  # the design's negotiation zone
        from ..design.zopa import zopa

        zone = zopa(a.scenario_model, draws=draws, seed=seed)
    doc = build_document(runs, difference, sensitivity=table, stress=shock, zopa=zone)
    suffix = ".md" if fmt == "md" else ".html"
    target = out or Path(f"report{suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    written = []
    if fmt == "md":
        target.write_text(render_markdown(doc), encoding="utf-8")
        written.append(target)
    page = render_html(doc, plotly_js())
    if fmt != "md" or pdf:
        html_path = target if fmt != "md" else target.with_suffix(".html")
        html_path.write_text(page, encoding="utf-8")
        written.append(html_path)
        if pdf:
            written.append(html_to_pdf(html_path, target.with_suffix(".pdf"), paper=paper))
    return written


__all__ = ["FORMATS", "make_report", "read_stress"]
