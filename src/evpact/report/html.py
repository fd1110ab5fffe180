"""A self-contained HTML report of one run (and optionally a second, side by side): charts,
tables, the assumptions with their sources and a provenance block. plotly.js is inlined, so
the file opens offline and can be mailed as it is.
"""

from __future__ import annotations

import html
import json
import math
from datetime import UTC, datetime
from typing import Any

from ..formatting import number
from ..results import Results
from .figures import View, views

#: metrics shown first in the report's table (all others follow)
HEADLINE = (
    "direct_jobs_peak",
    "total_jobs_peak",
    "gdp_cumulative",
    "public_cost_npv",
    "fiscal_net_npv",
    "fiscal_breakeven_year_plant",
    "fiscal_breakeven_year_total",
    "local_absorption_share",
    "linkage_met_share",
)

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1200px;
padding:1.5rem;color:#1d2733;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #ccd;padding-bottom:.2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
td,th{border:1px solid #dde;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:repeat(var(--cols),minmax(0,1fr));gap:1rem}
.chart{min-height:360px;break-inside:avoid}
.provenance code{word-break:break-all}
.provenance{background:#f4f6f9;padding:.6rem 1rem;border-radius:6px;font-size:.85rem}
.note{color:#555;font-size:.85rem}
@media print{.chart{page-break-inside:avoid}}
"""


def _esc(x: Any) -> str:
    return html.escape(str(x))


def provenance(results: Results) -> dict[str, Any]:
    m = results.meta
    return {
        "scenario": m["scenario"],
        "counterfactual": m["counterfactual"],
        "scenario_sha256": m["scenario_sha256"],
        "seed": m["seed"],
        "draws": m["draws"],
        "model_version": m["model_version"],
        "data_version": m["data_version"],
        "horizon": f"{m['horizon'][0]}-{m['horizon'][1]}",
        "sampling": m["sampling"],
    }


def _provenance_block(results: Results) -> str:
    rows = "".join(
        f"<tr><th>{_esc(k)}</th><td><code>{_esc(v)}</code></td></tr>"
        for k, v in provenance(results).items()
    )
    return f'<div class="provenance"><table>{rows}</table></div>'


def summary_table(results: Results) -> str:
    metrics = results.summary_dict()["metrics"]
    order = [*(n for n in HEADLINE if n in metrics), *(n for n in metrics if n not in HEADLINE)]
    body = "".join(
        f"<tr><td>{_esc(n)}</td><td>{_esc(metrics[n]['unit'])}</td>"
        + "".join(
            f'<td class="num">{_esc(number(metrics[n][k], metrics[n]["unit"]))}</td>'
            for k in ("p50", "p5", "p95", "mean")
        )
        + "</tr>"
        for n in order
    )
    head = (
        "<tr><th>metric</th><th>unit</th><th>median</th><th>p5</th><th>p95</th><th>mean</th></tr>"
    )
    return f"<table>{head}{body}</table>"


def assumptions(results: Results) -> str:
    """The scenario's own sources (every figure it sets) and what in it is hypothetical."""
    model = results.scenario_model
    if model is None:
        return '<p class="note">No scenario attached to these results.</p>'
    parts = []
    if model.hypothetical:
        parts.append(f"<p><strong>Hypothetical:</strong> {_esc(model.hypothetical)}</p>")
    rows = "".join(
        f"<tr><td><code>{_esc(path)}</code></td><td>{_esc(src)}</td></tr>"
        for path, src in model.sources.items()
    )
    parts.append(
        f"<table><tr><th>input</th><th>source</th></tr>{rows}</table>"
        if rows
        else '<p class="note">The scenario lists no sources.</p>'
    )
    parts.append(
        '<p class="note">Bundled reference figures carry their sources in the data tables '
        "(docs/data-sources.md); the equations are in docs/model.md.</p>"
    )
    return "".join(parts)


def _chart(view: View, key: str) -> tuple[str, dict[str, Any]]:
    div = f"chart-{key}-{view.id}"
    table = view.table.to_html(index=False, float_format=lambda x: f"{x:,.4g}", border=0)
    block = (
        f'<div><div class="chart" id="{div}"></div>'
        f"<details><summary>data: {_esc(view.title)}</summary>{table}</details></div>"
    )
    return block, {"id": div, "figure": view.figure}


def chain_section(results: Results, key: str) -> tuple[str, list[dict[str, Any]]]:
    """The chain map of the run's scenario: the table ``evpact chain`` prints and its Sankey."""
    from ..engine.compile import compile_scenario
    from ..engine.resilience import chain_indicators
    from .chain import chain_table, sankey_figure

    model = results.scenario_model
    if model is None:
        return '<p class="note">No scenario attached to these results.</p>', []
    compiled = compile_scenario(model)
    table = chain_table(compiled)
    if table.empty:
        return '<p class="note">No deal declares a chain or builds a battery-chain plant.</p>', []
    domestic, hhi_max = chain_indicators(compiled.chain_rows())
    shown = table.assign(
        **{g: table[g].map(lambda x: f"{x:.0%}") for g in ("domestic", "usmca", "fta", "other")},
        hhi=[
            f"{h:,.0f}" + ("" if s else " (own plants)")
            for h, s in zip(table["hhi"], table["sourced"], strict=True)
        ],
    ).drop(columns="sourced")
    div = f"chart-{key}-chain"
    hhi_text = "n/a" if math.isnan(hhi_max) else f"{hhi_max:,.0f}"
    block = (
        f"<p>domestic_chain_share {_esc(number(domestic, 'share'))}, "
        f"chain_hhi_max {_esc(hhi_text)} "
        '<span class="note">(HHI 0-10,000 over the stages the deals source; FTA = free-trade '
        "partner of the home country; links assume proportional mixing)</span></p>"
        f"{shown.to_html(index=False, border=0)}"
        f'<div class="chart" id="{div}"></div>'
    )
    return block, [{"id": div, "figure": sankey_figure(compiled)}]


def _run_section(results: Results, key: str) -> tuple[str, list[dict[str, Any]]]:
    m = results.meta
    blocks, figures = [], []
    for view in views(results):
        block, fig = _chart(view, key)
        blocks.append(block)
        figures.append(fig)
    chain, chain_figures = chain_section(results, key)
    figures.extend(chain_figures)
    model = results.scenario_model
    title = model.title if model is not None and model.title else m["scenario"]
    section = (
        f"<section><h2>{_esc(m['scenario'])} vs {_esc(m['counterfactual'])}</h2>"
        f"<p>{_esc(title)}</p>"
        f"<h3>Provenance</h3>{_provenance_block(results)}"
        f"<h3>Charts</h3>{''.join(blocks)}"
        f"<h3>Impacts (scenario minus counterfactual)</h3>{summary_table(results)}"
        f'<h3 id="chain-{key}">Supply chain</h3>{chain}'
        f"<h3>Assumptions and sources</h3>{assumptions(results)}</section>"
    )
    return section, figures


def build_report(runs: list[Results], plotly_js: str, difference: Results | None = None) -> str:
    """The report page: one column per run (two side by side with ``--compare``), then the
    first minus the second when given. ``plotly_js`` is inlined, so nothing is fetched."""
    sections, figures = [], []
    for k, results in enumerate(runs):
        section, figs = _run_section(results, f"r{k}")
        sections.append(section)
        figures.extend(figs)
    names = " vs ".join(r.meta["scenario"] for r in runs)
    diff = ""
    if difference is not None:
        m = difference.meta
        diff = (
            f"<section><h2>{_esc(m['scenario'])} minus {_esc(m['counterfactual'])}</h2>"
            '<p class="note">Draw by draw on common random numbers.</p>'
            f"{_provenance_block(difference)}{summary_table(difference)}</section>"
        )
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    payload = json.dumps(figures).replace("</", "<\\/")
    script = (
        "const figs=" + payload + ";"
        "Promise.all(figs.map(f=>Plotly.newPlot(f.id,f.figure.data,f.figure.layout,"
        "{displaylogo:false,responsive:true}))).then(()=>{window.evpactReady=true;});"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>evpact report: {_esc(names)}</title><style>{STYLE}</style>"
        f"<script>{plotly_js}</script></head><body>"
        f"<h1>evpact report: {_esc(names)}</h1>"
        f'<p class="note">Generated {created}. Every figure is an impact (scenario minus its '
        "counterfactual) with a 90% interval over Monte Carlo draws, unless marked.</p>"
        f'<div class="grid" style="--cols:{len(runs)}">{"".join(sections)}</div>{diff}'
        f"<script>{script}</script></body></html>"
    )


def plotly_js() -> str:
    """plotly.js from the installed plotly package: the version that matches its figures."""
    from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

    return str(get_plotlyjs())


__all__ = ["build_report", "plotly_js", "provenance"]
