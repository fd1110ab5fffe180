"""The chain map as a diagram: each deal's stages as columns, countries as blocks sized by
their share, coloured by group (domestic, USMCA, free-trade partner, other).

Links between stages assume proportional mixing (each country's output feeds the next stage's
countries in proportion to their shares), because a chain declares shares per stage, not
bilateral flows. An offline HTML Sankey (plotly, plotly.js inside) and a PNG (matplotlib).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go  # type: ignore[import-untyped]
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..engine.compile import Model
from ..engine.resilience import StageRow, declared_inputs
from ..scenario.model import STAGES

GROUP_COLOURS = {
    "domestic": "#2ca02c",
    "usmca": "#1f77b4",
    "fta": "#9467bd",
    "other": "#d62728",
}


def _chains(model: Model) -> dict[str, dict[str, dict[str, float]]]:
    """deal -> stage -> country -> share, upstream first."""
    return {
        deal: {s: dict(chain[s]) for s in STAGES if s in chain}
        for deal, chain in model.chains.items()
    }


def _group(model: Model, country: str) -> str:
    return "domestic" if country == model.home else model.partners.get(country, "other")


def links(chain: dict[str, dict[str, float]]) -> list[tuple[str, str, str, str, float]]:
    """(from stage, from country, to stage, to country, share of the downstream stage)."""
    out = []
    for stage, shares in chain.items():
        for upstream in declared_inputs(stage, chain):
            for a, sa in chain[upstream].items():
                for b, sb in shares.items():
                    out.append((upstream, a, stage, b, sa * sb))
    return out


def chain_table(model: Model) -> pd.DataFrame:
    """One row per deal and stage (the fields ``evpact chain`` prints and writes)."""
    return pd.DataFrame(
        [vars(r) for r in model.chain_rows()], columns=[f.name for f in fields(StageRow)]
    )


def sankey_figure(model: Model) -> dict[str, Any]:
    """One Sankey per deal, stacked, as a plotly figure dict (``data`` and ``layout``): the
    one figure behind ``evpact chain``'s HTML, the web app's chain view and the report."""
    chains = _chains(model)
    data: list[dict[str, Any]] = []
    for row, (deal, chain) in enumerate(chains.items()):
        nodes = [(s, c) for s, shares in chain.items() for c in shares]
        index = {n: i for i, n in enumerate(nodes)}
        flows = links(chain)
        top = 1 - row / len(chains)
        data.append(
            {
                "type": "sankey",
                "name": deal,
                "domain": {"x": [0, 1], "y": [top - 0.9 / len(chains), top]},
                "node": {
                    "label": [f"{s}: {c} {chain[s][c]:.0%}" for s, c in nodes],
                    "color": [GROUP_COLOURS[_group(model, c)] for _, c in nodes],
                    "pad": 12,
                },
                "link": {
                    "source": [index[(s, a)] for s, a, _, _, _ in flows],
                    "target": [index[(t, b)] for _, _, t, b, _ in flows],
                    "value": [float(v) for *_, v in flows],
                },
            }
        )
    return {
        "data": data,
        "layout": {
            "title": {
                "text": f"{model.name}: where each stage of the battery chain sits<br>"
                "<sup>green domestic, blue USMCA, purple FTA partner, red other</sup>",
                "font": {"size": 14},
            },
            "height": max(360, 320 * len(chains)),
            "margin": {"l": 20, "r": 20, "t": 60, "b": 20},
        },
    }


def sankey_html(model: Model, path: Path) -> Path:
    """An interactive Sankey diagram per deal, in one self-contained HTML file."""
    go.Figure(sankey_figure(model)).write_html(path, include_plotlyjs=True, full_html=True)
    return path


def chain_png(model: Model, path: Path) -> Path:
    """The same chains as layered columns with alluvial bands, for documents."""
    chains = _chains(model)
    fig = Figure(figsize=(10, 3.2 * max(1, len(chains))), constrained_layout=True)
    FigureCanvasAgg(fig)
    axes = fig.subplots(max(1, len(chains)), 1, squeeze=False)[:, 0]
    width = 0.35
    for ax, (deal, chain) in zip(axes, chains.items(), strict=False):
        column = {s: i for i, s in enumerate(chain)}
        spans: dict[tuple[str, str], tuple[float, float]] = {}
        for stage, shares in chain.items():
            bottom = 0.0
            for country, share in shares.items():
                x = column[stage]
                colour = GROUP_COLOURS[_group(model, country)]
                ax.bar(x, share, width, bottom=bottom, color=colour, edgecolor="white")
                if share >= 0.06:
                    label = f"{country} {share:.0%}"
                    ax.text(x, bottom + share / 2, label, ha="center", va="center", fontsize=8)
                spans[(stage, country)] = (bottom, bottom + share)
                bottom += share
        out_used = {k: v[0] for k, v in spans.items()}
        in_used = {k: v[0] for k, v in spans.items()}
        t = np.linspace(0, 1, 30)
        ease = 3 * t**2 - 2 * t**3
        for up, a, down, b, value in links(chain):
            x0, x1 = column[up] + width / 2, column[down] - width / 2
            # a band leaves a's block in proportion to b's share and enters b's block in
            # proportion to a's share (split further when a stage has several inputs)
            h0, h1 = value, value / len(declared_inputs(down, chain))
            y0, y1 = out_used[(up, a)], in_used[(down, b)]
            out_used[(up, a)] += h0
            in_used[(down, b)] += h1
            xs = x0 + (x1 - x0) * t
            low = y0 + (y1 - y0) * ease
            high = (y0 + h0) + ((y1 + h1) - (y0 + h0)) * ease
            colour = GROUP_COLOURS[_group(model, a)]
            ax.fill_between(xs, low, high, color=colour, alpha=0.25, linewidth=0)
        ax.set_xticks(range(len(chain)), list(chain))
        ax.set_xlim(-0.5, len(chain) - 0.5)
        ax.set_ylim(0, 1)
        ax.set_ylabel("share of stage")
        ax.set_title(f"{model.name}: deal {deal}", loc="left", fontsize=10)
    handles = [Patch(color=c, label=g) for g, c in GROUP_COLOURS.items()]
    axes[0].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.savefig(path, dpi=120)
    return path
