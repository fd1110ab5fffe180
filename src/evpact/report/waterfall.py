"""The benefit-cost view: a waterfall from gross GDP to the net public benefit per resident
(docs/model.md §6b). Each step removes one thing the gross figure counts that residents do not
gain, or adds what the public accounts gain; every step names its source."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data import reference
from ..formatting import number
from ..metrics import METRIC_INPUTS, WATERFALL, waterfall
from ..results import Results
from .content import Block, Figure, Paragraph, Table


def population() -> float:
    """Residents the net benefit is shared among (additionality.csv ``population_home``)."""
    table = reference().table("additionality")
    return float(table.loc[table["parameter"] == "population_home", "mode"].iloc[0])


def steps(results: Results) -> list[tuple[str, str, float]] | None:
    """(words, source, mean present value over the kept draws) per step; None for results
    without the net layer's inputs (files written before it)."""
    if any(n not in results.scenario or n not in results.counterfactual for n in METRIC_INPUTS):
        return None
    s = {n: np.asarray(results.scenario[n].values, dtype=float) for n in METRIC_INPUTS}
    c = {n: np.asarray(results.counterfactual[n].values, dtype=float) for n in METRIC_INPUTS}
    values = waterfall(s, c, results.scenario["year"].values)
    return [(words, source, float(values[key].mean())) for key, words, source in WATERFALL]


def figure(rows: list[tuple[str, str, float]], per: float, unit: str) -> dict[str, Any]:
    """A plotly waterfall (a figure dict), read top down: gross GDP, the steps, the net
    benefit as the total. Horizontal, so the steps' words stay whole on a page or a phone."""
    words = [words for words, _, _ in rows] + ["Net public benefit"]
    values = [value / per for _, _, value in rows] + [0.0]
    return {
        "data": [
            {
                "type": "waterfall",
                "orientation": "h",
                "name": "C$ per resident",
                "y": words,
                "x": values,
                "measure": ["absolute"] + ["relative"] * (len(rows) - 1) + ["total"],
                "connector": {"line": {"color": "#999"}},
            }
        ],
        "layout": {
            "title": {"text": "From gross GDP to net public benefit per resident"},
            "xaxis": {"title": {"text": unit}, "automargin": True},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "margin": {"t": 50, "r": 20},
            "height": 460,
            "showlegend": False,
        },
    }


def blocks(results: Results, number_of_figure: int) -> list[Block]:
    rows = steps(results)
    if rows is None:
        return [Paragraph("These results predate the net layer: no benefit-cost view.", True)]
    per = population()
    cad = results.metrics["net_public_benefit_npv"].unit if results.metrics else "CAD"
    year = cad.removeprefix("CAD_")
    unit = f"C$ {year} per resident, present value"
    total = sum(v for _, _, v in rows)
    table = Table(
        ("step", "C$ per resident", "C$ total", "source"),
        tuple(
            (words, f"{value / per:,.2f}", number(value, cad), source)
            for words, source, value in [*rows, ("Net public benefit", "model.md §6b", total)]
        ),
        numeric=(False, True, True, False),
        caption=f"Mean over the draws; {per:,.0f} residents (Statistics Canada, July 1, 2025).",
    )
    return [
        Paragraph(
            "From gross GDP to the net public benefit: what the deal adds to residents' "
            "after-tax labour income, net of plants built anyway, of workers who leave other "
            "jobs and of in-migrants, plus the net tax revenue, less the public cost and the "
            "excess burden of raising it. Each step is a present value at the social rate."
        ),
        Figure(
            "chart-waterfall",
            number_of_figure,
            f"From gross GDP to the net public benefit per resident ({unit})",
            figure(rows, per, unit),
            table,
        ),
    ]
