"""The charts of a run as tables plus plotly figure dicts, shared by the web app and reports.

Each view is built from one tidy table, and the figure is drawn from that table only, so the
CSV a user downloads is exactly the data behind the chart. Figures are plain dicts (plotly.js
``data`` and ``layout``) so they travel as JSON and render with the plotly.js served locally.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..engine.compile import MINERALS
from ..labels import unit_text
from ..results import QUANTILES, Results, quantiles_over_draws, statistics

Array = np.ndarray[Any, Any]
BAND_COLUMNS = ["year", "series", "unit", "mean", "p5", "p50", "p95"]
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")


@dataclass(frozen=True)
class View:
    """One chart: an id (used in URLs and file names), a title, its data and its figure."""

    id: str
    title: str
    table: pd.DataFrame
    figure: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "columns": list(self.table.columns),
            "rows": records(self.table),
            "figure": self.figure,
        }


def clean(x: Any) -> Any:
    """JSON-safe: NaN and infinities become null, numpy scalars plain numbers."""
    if isinstance(x, dict):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [clean(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [clean(r) for r in table.to_dict("records")]


def table_from_json(view: Mapping[str, Any]) -> pd.DataFrame:
    """The table of a stored view (``View.to_json``), columns in their order."""
    return pd.DataFrame(list(view["rows"]), columns=list(view["columns"]))


# --- tables --------------------------------------------------------------------------------


def band_table(series: Mapping[str, tuple[Array, str]], years: Array) -> pd.DataFrame:
    """Mean and 90% interval per year of each (draw, year) array; NaN draws are left out."""
    frames = []
    for label, (a, unit) in series.items():
        a = np.asarray(a, dtype=float)
        has_nan = bool(np.isnan(a).any())
        if has_nan and np.isnan(a).all():
            continue
        with np.errstate(all="ignore"):
            q = quantiles_over_draws(a, skip_nan=has_nan)
            mean = np.nanmean(a, axis=0) if has_nan else a.mean(axis=0)
        frames.append(
            pd.DataFrame(
                {
                    "year": years.astype(int),
                    "series": label,
                    "unit": unit,
                    "mean": mean,
                    **{k: q[i] for i, k in enumerate(QUANTILES)},
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=BAND_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _unit(results: Results, name: str) -> str:
    return str(results.scenario[name].attrs.get("units", ""))


def jobs_table(results: Results) -> pd.DataFrame:
    total = sum(results.impact_of(f"{k}_jobs") for k in ("direct", "indirect", "induced"))
    series = {
        "total jobs": (np.asarray(total), "jobs"),
        "direct jobs": (results.impact_of("direct_jobs"), "jobs"),
    }
    return band_table(series, results.scenario["year"].values)


def fiscal_table(results: Results) -> pd.DataFrame:
    """Discounted cumulative balance (tax less public cost) per accounting scope, with each
    scope's median break-even year (empty when the median draw does not break even)."""
    years = results.scenario["year"].values.astype(float)
    rate = results.scenario["discount_rate"].values.astype(float)
    disc = (1.0 + rate[:, None]) ** -(years - years[0])
    cost = results.impact_of("public_cost")
    unit = _unit(results, "public_cost")
    series = {
        scope: (np.cumsum((results.impact_of(f"tax_{scope}") - cost) * disc, axis=1), unit)
        for scope in ("plant", "total")
    }
    table = band_table(series, years)
    table["breakeven_year_p50"] = table["series"].map(
        {
            scope: statistics(results.metrics[f"fiscal_breakeven_year_{scope}"].values)["p50"]
            for scope in series
        }
    )
    return table


def battery_table(results: Results) -> pd.DataFrame:
    """The scenario's battery output: what local assembly absorbs and what is exported."""
    series = {
        label: (np.asarray(results.scenario[name].values), "GWh")
        for label, name in (
            ("local assembly", "battery_local_gwh"),
            ("exports", "battery_export_gwh"),
        )
    }
    return band_table(series, results.scenario["year"].values)


def linkage_table(results: Results) -> pd.DataFrame:
    by_year = results.risk()["linkage_holds_probability_by_year"]
    return pd.DataFrame(
        {
            "year": [int(y) for y in by_year],
            "linkage_met_probability": [
                np.nan if p is None else float(p) for p in by_year.values()
            ],
        }
    )


def _label(name: str) -> str:
    """A yearly variable as a legend label: ``mineral_lithium_t`` -> ``lithium``."""
    for prefix in ("mineral_", "co2e_"):
        name = name.removeprefix(prefix)
    return name.removesuffix("_t").replace("_", " ")


def _variables_table(results: Results, names: list[str]) -> pd.DataFrame:
    series = {_label(n): (results.impact_of(n), _unit(results, n)) for n in names}
    return band_table(series, results.scenario["year"].values)


# --- figures -------------------------------------------------------------------------------


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def band_figure(table: pd.DataFrame, title: str, y_title: str) -> dict[str, Any]:
    """Median line with a shaded 90% band per series."""
    data: list[dict[str, Any]] = []
    for k, (label, rows) in enumerate(table.groupby("series", sort=False)):
        colour = COLOURS[k % len(COLOURS)]
        x = rows["year"].tolist()
        data.append(
            {
                "x": x,
                "y": clean(rows["p5"].tolist()),
                "mode": "lines",
                "line": {"width": 0},
                "showlegend": False,
                "hoverinfo": "skip",
                "legendgroup": str(label),
                "type": "scatter",
            }
        )
        data.append(
            {
                "x": x,
                "y": clean(rows["p95"].tolist()),
                "mode": "lines",
                "line": {"width": 0},
                "fill": "tonexty",
                "fillcolor": _rgba(colour, 0.2),
                "name": f"{label} (90% interval)",
                "legendgroup": str(label),
                "showlegend": False,
                "hoverinfo": "skip",
                "type": "scatter",
            }
        )
        data.append(
            {
                "x": x,
                "y": clean(rows["p50"].tolist()),
                "mode": "lines",
                "line": {"color": colour, "width": 2},
                "name": f"{label} (median, 5-95%)",
                "legendgroup": str(label),
                "type": "scatter",
            }
        )
    return _figure(data, title, y_title)


def _figure(data: list[dict[str, Any]], title: str, y_title: str) -> dict[str, Any]:
    return {
        "data": data,
        "layout": {
            "title": {"text": title, "font": {"size": 14}},
            "xaxis": {"title": {"text": "year"}},
            "yaxis": {"title": {"text": y_title}},
            "margin": {"l": 70, "r": 20, "t": 50, "b": 90},
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.25, "font": {"size": 11}},
            "height": 380,
        },
    }


def fiscal_figure(table: pd.DataFrame, title: str, unit: str) -> dict[str, Any]:
    """The band figure plus a dashed line at each scope's median break-even year."""
    fig = band_figure(table, title, f"discounted cumulative balance ({unit})")
    shapes, notes = [], []
    breakeven = table.drop_duplicates("series")[["series", "breakeven_year_p50"]]
    for k, (scope, year) in enumerate(breakeven.itertuples(index=False)):
        if year is None or (isinstance(year, float) and math.isnan(year)):
            continue
        colour = COLOURS[k % len(COLOURS)]
        shapes.append(
            {
                "type": "line",
                "x0": year,
                "x1": year,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dash", "color": colour},
            }
        )
        notes.append(
            {
                "x": year,
                "yref": "paper",
                "y": 1 - 0.08 * k,
                "text": f"break-even ({scope}): {int(year)}",
                "showarrow": False,
                "xanchor": "left",
                "font": {"color": colour},
            }
        )
    fig["layout"]["shapes"] = shapes
    fig["layout"]["annotations"] = notes
    return fig


def stacked_figure(table: pd.DataFrame, title: str, y_title: str) -> dict[str, Any]:
    """Mean of each series stacked as areas (parts of one whole)."""
    data = [
        {
            "x": rows["year"].tolist(),
            "y": clean(rows["mean"].tolist()),
            "name": str(label),
            "stackgroup": "one",
            "mode": "lines",
            "line": {"color": COLOURS[k % len(COLOURS)]},
            "type": "scatter",
        }
        for k, (label, rows) in enumerate(table.groupby("series", sort=False))
    ]
    return _figure(data, title, y_title)


def bar_figure(table: pd.DataFrame, column: str, title: str, y_title: str) -> dict[str, Any]:
    data = [
        {
            "x": table["year"].tolist(),
            "y": clean(table[column].tolist()),
            "type": "bar",
            "name": column,
            "marker": {"color": COLOURS[0]},
        }
    ]
    fig = _figure(data, title, y_title)
    fig["layout"]["yaxis"]["range"] = [0, 1]
    return fig


def stress_figure(table: pd.DataFrame, title: str) -> dict[str, Any]:
    """Mean loss per world, one panel per kind of loss (their units differ), from a stress
    test's table (world, loss, unit, mean, p5, p50, p95)."""
    losses = list(dict.fromkeys(table["loss"]))
    worlds = list(dict.fromkeys(table["world"]))
    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {
        "title": {"text": title, "font": {"size": 14}},
        "grid": {"rows": 1, "columns": max(1, len(losses)), "pattern": "independent"},
        "margin": {"l": 60, "r": 20, "t": 60, "b": 90},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "font": {"size": 11}},
        "height": 380,
        "barmode": "group",
    }
    for i, loss in enumerate(losses, start=1):
        rows = table[table["loss"] == loss]
        unit = str(rows["unit"].iloc[0])
        suffix = "" if i == 1 else str(i)
        for k, world in enumerate(worlds):
            mine = rows[rows["world"] == world]
            data.append(
                {
                    "type": "bar",
                    "x": [str(loss)],
                    "y": clean(mine["mean"].tolist()),
                    "name": str(world),
                    "legendgroup": str(world),
                    "showlegend": i == 1,
                    "marker": {"color": COLOURS[k % len(COLOURS)]},
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                }
            )
        layout[f"yaxis{suffix}"] = {"title": {"text": f"mean loss ({unit})"}}
    return {"data": data, "layout": layout}


# --- views ---------------------------------------------------------------------------------


def views(results: Results) -> list[View]:
    """Every chart the run supports: jobs, fiscal balance, battery split, linkage, and the
    minerals, emissions, charging and trade views where the run has those outputs."""
    m = results.meta
    label = f"{m['scenario']} vs {m['counterfactual']}"
    out: list[View] = []

    jobs = jobs_table(results)
    out.append(View("jobs", "Jobs over time", jobs, band_figure(jobs, f"Jobs: {label}", "jobs")))

    fiscal = fiscal_table(results)
    unit = _unit(results, "public_cost")
    out.append(
        View(
            "fiscal",
            "Cumulative fiscal balance",
            fiscal,
            fiscal_figure(fiscal, f"Cumulative fiscal balance: {label}", unit_text(unit)),
        )
    )

    battery = battery_table(results)
    out.append(
        View(
            "battery",
            "Battery output: local assembly and exports",
            battery,
            stacked_figure(battery, f"Battery output, mean ({m['scenario']})", "GWh"),
        )
    )

    linkage = linkage_table(results)
    if linkage["linkage_met_probability"].notna().any():
        out.append(
            View(
                "linkage",
                "Probability the linkage is met",
                linkage,
                bar_figure(
                    linkage,
                    "linkage_met_probability",
                    f"Linkage met, by year ({m['scenario']})",
                    "probability",
                ),
            )
        )

    groups = {
        "minerals": ("Minerals needed", [f"mineral_{x}_t" for x in MINERALS], "tonnes"),
        "emissions": (
            "Emissions",
            ["co2e_manufacturing_t", "co2e_avoided_t"],
            "tCO2e",
        ),
        "trade": (
            "Duties and remission",
            ["us_tariff_cost_cad", "ca_counter_tariff_cad", "remission_value_cad"],
            unit_text(_unit(results, "public_cost")),
        ),
        "charging": ("EVs per public charging port", ["evs_per_public_port"], "EVs per port"),
    }
    for view_id, (title, names, y_title) in groups.items():
        present = [n for n in names if n in results.scenario and "year" in results.scenario[n].dims]
        table = _variables_table(results, present) if present else None
        if table is None or table.empty or not table["p50"].abs().gt(0).any():
            continue  # no such output, or no difference from the counterfactual anywhere
        out.append(View(view_id, title, table, band_figure(table, f"{title}: {label}", y_title)))
    benefit_cost = _benefit_cost(results)
    if benefit_cost is not None:
        out.append(benefit_cost)
    return out


def _benefit_cost(results: Results) -> View | None:
    """The gross-to-net waterfall per resident (the report's own section draws the same
    figure), for results that carry the net layer's inputs."""
    from .waterfall import figure, population, steps

    rows = steps(results)
    if rows is None:
        return None
    per = population()
    unit = f"{unit_text(_unit(results, 'public_cost'))} per resident, present value"
    words = [w for w, _, _ in rows] + ["Net public benefit"]
    totals = [v for _, _, v in rows] + [sum(v for _, _, v in rows)]
    table = pd.DataFrame(
        {
            "step": words,
            "per_resident": [v / per for v in totals],
            "total": totals,
            "source": [src for _, src, _ in rows] + ["docs/model.md §6b"],
        }
    )
    title = "From gross GDP to net public benefit per resident"
    return View("benefit_cost", title, table, figure(rows, per, unit))


__all__ = [
    "View",
    "band_table",
    "clean",
    "records",
    "stress_figure",
    "table_from_json",
    "views",
]
