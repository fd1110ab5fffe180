"""Charts of sensitivity results: one horizontal bar (tornado) chart per output.

A PNG for documents (matplotlib, drawn on a ``Figure`` with the Agg canvas, so no display
and no global pyplot state) and an HTML page for exploring (plotly, with plotly.js inside
the file, so it opens offline).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go  # type: ignore[import-untyped]
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

TOP = 15  # inputs per chart: past that the bars are noise for most scenarios
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c")
LABELS = {
    "ST": "total order (ST)",
    "S1": "first order (S1)",
    "mu_star": "mean |elementary effect| (mu*)",
    "sigma": "spread of elementary effects (sigma)",
    "delta": "moment-independent (delta)",
}


def bars(table: pd.DataFrame, output: str, top: int = TOP) -> pd.DataFrame:
    """The chart's data: the ``top`` inputs by rank, one column per index, and their conf.

    Rows run from the least to the most influential, so the largest bar is drawn on top.
    """
    rows = table[(table["output"] == output) & table["rank"].notna()]
    rows = rows[rows["rank"] <= top]
    value = rows.pivot(index="input", columns="index", values="value")
    conf = rows.pivot(index="input", columns="index", values="conf").add_suffix("_conf")
    ranks = rows.groupby("input")["rank"].min()
    indices = list(dict.fromkeys(rows["index"]))  # the main index first, as the table sorts
    out = value[indices].join(conf[[f"{i}_conf" for i in indices]])
    return out.loc[ranks.sort_values(ascending=False).index]


AXIS = {
    "sobol": "share of the output's variance",
    "morris": "output change per unit of input quantile",
    "delta": "index (0 = no influence, 1 = determines the output)",
}


def _title(table: pd.DataFrame, output: str, sep: str) -> str:
    method = table.attrs.get("method", "")
    where = table.attrs.get("scenario")
    against = table.attrs.get("counterfactual")
    scope = f"{where} vs {against}{sep}" if where and against else ""
    unit = "trajectories" if method == "morris" else "samples"
    return f"{scope}{output} ({method}, {table.attrs.get('samples', '?')} {unit})"


def _axis(table: pd.DataFrame) -> str:
    return f"{AXIS.get(table.attrs.get('method', ''), 'index')} (lines: 95% interval)"


def _indices(data: pd.DataFrame) -> list[str]:
    return [c for c in data.columns if not c.endswith("_conf")]


def write_png(table: pd.DataFrame, output: str, path: Path, top: int = TOP) -> Path:
    """Horizontal bars of each index with its 95% interval, the most influential on top."""
    data = bars(table, output, top)
    indices = _indices(data)
    fig = Figure(figsize=(9, 1.2 + 0.4 * max(len(data), 1)), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    height = 0.8 / max(len(indices), 1)
    y = range(len(data))
    for k, index in enumerate(reversed(indices)):  # main index drawn last: the top bar
        conf = data[f"{index}_conf"]
        err = None if conf.isna().all() else conf.fillna(0.0).clip(lower=0.0)
        ax.barh(
            [v + (k - (len(indices) - 1) / 2) * height for v in y],
            data[index],
            height=height,
            xerr=err,
            color=COLOURS[(len(indices) - 1 - k) % len(COLOURS)],
            label=LABELS.get(index, index),
            error_kw={"elinewidth": 0.8, "capsize": 2},
        )
    ax.set_yticks(list(y), list(data.index), fontsize=8)
    ax.axvline(0.0, color="black", linewidth=0.6)
    ax.set_xlabel(_axis(table))
    ax.set_title(_title(table, output, "\n"), fontsize=10, loc="left")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], fontsize=8, loc="lower right")
    fig.savefig(path, dpi=120)
    return path


def figure(table: pd.DataFrame, output: str, top: int = TOP) -> go.Figure:
    """The interactive chart: grouped horizontal bars, one colour per index."""
    data = bars(table, output, top)
    fig = go.Figure()
    for k, index in enumerate(_indices(data)):
        fig.add_trace(
            go.Bar(
                x=data[index],
                y=list(data.index),
                orientation="h",
                name=LABELS.get(index, index),
                marker_color=COLOURS[k % len(COLOURS)],
                error_x={
                    "type": "data",
                    "array": data[f"{index}_conf"].fillna(0.0).tolist(),
                    "visible": bool(data[f"{index}_conf"].notna().any()),
                },
            )
        )
    fig.update_layout(
        title=_title(table, output, "<br>"),
        barmode="group",
        xaxis_title=_axis(table),
        height=200 + 30 * max(len(data), 1),
        legend={"traceorder": "normal", "orientation": "h", "yanchor": "top", "y": -0.25},
        yaxis={"automargin": True, "tickfont": {"size": 10}},  # long input paths stay inside
        margin={"t": 70},
    )
    return fig


def write_html(table: pd.DataFrame, output: str, path: Path, top: int = TOP) -> Path:
    """The same chart as an interactive page that works without a network."""
    figure(table, output, top).write_html(path, include_plotlyjs=True, full_html=True)
    return path


def read_table(path: Path) -> pd.DataFrame:
    """A ``sensitivity.csv`` that ``evpact sensitivity`` wrote (its folder or the file), with
    the method its main index names, so the charts title it as before."""
    from ..errors import EvpactError

    file = path / "sensitivity.csv" if path.is_dir() else path
    try:
        table = pd.read_csv(file)
    except (OSError, ValueError) as e:
        raise EvpactError(
            f"cannot read a sensitivity table from {path}: {e}", "--sensitivity"
        ) from None
    missing = {"output", "input", "index", "value", "conf", "rank"} - set(table.columns)
    if missing or table.empty:
        raise EvpactError(
            f"{file} is not a table of 'evpact sensitivity' (missing {sorted(missing)})"
            if missing
            else f"{file} has no rows",
            "--sensitivity",
        )
    method = {"ST": "sobol", "mu_star": "morris", "delta": "delta"}
    table.attrs["method"] = next((method[i] for i in table["index"] if i in method), "")
    return table


def write_charts(table: pd.DataFrame, folder: Path, top: int = TOP) -> list[Path]:
    """``sensitivity_<output>.png`` and ``.html`` for every output in the table."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for output in dict.fromkeys(table["output"]):
        files.append(write_png(table, output, folder / f"sensitivity_{output}.png", top))
        files.append(write_html(table, output, folder / f"sensitivity_{output}.html", top))
    return files


__all__ = ["bars", "figure", "read_table", "write_charts", "write_html", "write_png"]
