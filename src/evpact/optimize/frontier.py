"""What an optimiser run leaves behind: the Pareto table, every evaluation, a chart.

Tidy tables (one row per candidate; term paths, objective and constraint labels as columns)
so a spreadsheet, pandas or the web page read them alike. Each Pareto row carries the
``evpact run`` command that reruns it exactly: same draws, same seed, the term values as
evaluated.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from .search import Candidate, Design, Search


def margin_column(label: str) -> str:
    return f"margin({label})"


def _row(design: Design, c: Candidate) -> dict[str, Any]:
    row: dict[str, Any] = {
        t.path: round(v) if t.integer else v for t, v in zip(design.terms, c.terms, strict=True)
    }
    row |= {o.target.label: v for o, v in zip(design.objectives, c.objectives, strict=True)}
    row |= {margin_column(k.label): v for k, v in zip(design.constraints, c.margins, strict=True)}
    return row


def pareto_table(design: Design, found: Search, scenario: str) -> pd.DataFrame:
    """The Pareto set, best on the first objective first, with its rerun command."""
    senses = [o.sense for o in design.objectives]
    rows = [
        {**_row(design, c), "command": design.command(scenario, c.terms)}
        for c in found.pareto(senses)
    ]
    columns = [
        *(t.path for t in design.terms),
        *(o.target.label for o in design.objectives),
        *(margin_column(k.label) for k in design.constraints),
        "command",
    ]
    table = pd.DataFrame(rows, columns=columns)
    if len(table):
        first = design.objectives[0]
        table = table.sort_values(
            first.target.label, ascending=first.sense == "min", kind="stable"
        ).reset_index(drop=True)
    return table


def evaluations_table(design: Design, found: Search) -> pd.DataFrame:
    """Every evaluation in order (a repeat of an earlier candidate is marked), feasible or not,
    and whether it is on the Pareto set."""
    front = {c.terms for c in found.pareto([o.sense for o in design.objectives])}
    seen: set[tuple[float, ...]] = set()
    rows = []
    for i, c in enumerate(found.candidates, start=1):
        rows.append(
            {
                "evaluation": i,
                **_row(design, c),
                "feasible": c.feasible,
                "pareto": c.terms in front,
                "repeat": c.terms in seen,
                "error": c.error or "",
            }
        )
        seen.add(c.terms)
    return pd.DataFrame(rows)


def _axes(design: Design) -> tuple[str, str, str, str]:
    """The chart's x and y columns and titles: the first two objectives, or the evaluation
    number against the only objective."""
    labels = [
        f"{o.label} ({unit})" if unit else o.label
        for o, unit in zip(design.objectives, design.units or [""] * 9, strict=False)
    ]
    if len(labels) == 1:
        return "evaluation", design.objectives[0].target.label, "evaluation", labels[0]
    return (
        design.objectives[0].target.label,
        design.objectives[1].target.label,
        labels[0],
        labels[1],
    )


def figure(design: Design, evaluations: pd.DataFrame, title: str) -> dict[str, Any]:
    """The frontier as a Plotly figure (a plain dict: the web page draws it as it is, the HTML
    file through plotly): every feasible evaluation, the infeasible ones faint, the Pareto set.
    Each point carries its evaluation number (``customdata``), so a click can open its run."""
    x, y, xt, yt = _axes(design)
    fresh = evaluations[~evaluations["repeat"]] if len(evaluations) else evaluations
    groups = (
        ("infeasible", ~fresh["feasible"], {"color": "#767676", "symbol": "x", "size": 6}),
        ("feasible", fresh["feasible"] & ~fresh["pareto"], {"color": "#6f9fd8", "size": 7}),
        ("Pareto set", fresh["pareto"], {"color": "#c0392b", "size": 10}),
    )
    data = []
    for name, mask, marker in groups:
        part = fresh[mask]
        if name == "Pareto set":
            part = part.sort_values(x)
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers" if name == "Pareto set" else "markers",
                "name": name,
                "x": [_plain(v) for v in part[x]],
                "y": [_plain(v) for v in part[y]],
                "customdata": [int(v) for v in part["evaluation"]],
                "marker": marker,
                "line": {"width": 1, "dash": "dot"},
                "hovertemplate": f"{xt}: %{{x:.4g}}<br>{yt}: %{{y:.4g}}<br>"
                "evaluation %{customdata}<extra></extra>",
            }
        )
    layout = {
        "title": {"text": title, "font": {"size": 13}},
        "xaxis": {"title": {"text": xt}},
        "yaxis": {"title": {"text": yt}},
        "height": 480,
        "margin": {"l": 70, "r": 20, "t": 60, "b": 60},
        "legend": {"orientation": "h", "y": -0.2},
    }
    return {"data": data, "layout": layout}


def _plain(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


def write_png(design: Design, evaluations: pd.DataFrame, title: str, path: Path) -> Path:
    """The same chart as a PNG for documents (matplotlib, Agg canvas, no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    x, y, xt, yt = _axes(design)
    fig = Figure(figsize=(8, 5.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    fresh = evaluations[~evaluations["repeat"]]
    bad = fresh[~fresh["feasible"]]
    ok = fresh[fresh["feasible"] & ~fresh["pareto"]]
    front = fresh[fresh["pareto"]].sort_values(x)
    ax.scatter(bad[x], bad[y], marker="x", s=12, color="#bbbbbb", label="infeasible")
    ax.scatter(ok[x], ok[y], s=12, color="#7fa7cf", label="feasible")
    ax.scatter(front[x], front[y], s=30, color="#d62728", label="Pareto set", zorder=3)
    ax.set_xlabel(xt)
    ax.set_ylabel(yt)
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(fontsize=8)
    fig.savefig(path, dpi=120)
    return path


def chart_title(design: Design, evaluations: pd.DataFrame, pareto: pd.DataFrame) -> str:
    return (
        f"{design.base.name}: {len(evaluations):,} evaluations, {len(pareto)} on the Pareto set"
        f" ({design.draws:,} draws each, seed {design.seed})"
    )


def write(design: Design, found: Search, scenario: str, folder: Path) -> list[Path]:
    """pareto.csv, evaluations.csv, frontier.html and frontier.png into ``folder`` (staged:
    a failure leaves the folder as it was)."""
    from ..atomic import staged

    pareto = pareto_table(design, found, scenario)
    evaluations = evaluations_table(design, found)
    title = chart_title(design, evaluations, pareto)
    names = ("pareto.csv", "evaluations.csv", "frontier.html", "frontier.png")
    with staged(folder) as tmp:
        pareto.to_csv(tmp / names[0], index=False)
        evaluations.to_csv(tmp / names[1], index=False)
        if len(evaluations):
            import plotly.graph_objects as go  # type: ignore[import-untyped]

            go.Figure(figure(design, evaluations, title)).write_html(
                tmp / names[2], include_plotlyjs=True, full_html=True
            )
            write_png(design, evaluations, title, tmp / names[3])
    return [folder / n for n in names if (folder / n).exists()]
