"""The report as one self-contained HTML file: the briefing's ``Document`` rendered with its
charts. plotly.js is inlined, so the file opens offline and can be mailed as it is; the print
stylesheet lays it out in one column for the PDF (``pdf.py``).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..results import Results
from .briefing import build_document, provenance
from .content import Block, Document, Figure, Findings, Heading, Paragraph, Section, Table

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:900px;
padding:1.5rem;color:#1d2733;line-height:1.45}
header h1{font-size:1.6rem;margin:.2rem 0}.kicker{color:#4a5866;margin:0;font-size:.95rem}
h2{border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2rem}h3{margin-top:1.4rem}
#key-findings{background:#f2f6fa;border-left:4px solid #1f77b4;padding:.2rem 1.2rem 1rem;
margin-top:1rem}#key-findings h2{border:0;margin-top:.8rem}
ol.findings{padding-left:1.4rem}ol.findings li{margin:.45rem 0}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0;width:calc(100% - 2px);
table-layout:fixed}
td,th{border:1px solid #dde;padding:.25rem .45rem;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:#f4f6f9}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.metrics th:first-child{width:42%}
table.appendix{font-size:.75rem}table.appendix th:first-child{width:25%}
table.appendix th:nth-child(2){width:21%}table.appendix th:nth-child(3){width:8%}
table.appendix td,table.appendix th{padding:.25rem .35rem}
code{font-size:.9em;overflow-wrap:anywhere}
caption{caption-side:bottom;text-align:left;color:#555;font-size:.8rem;padding-top:.2rem}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#333;margin-top:.2rem}
.chart{width:100%;min-height:300px}
.note{color:#555;font-size:.85rem}
details summary{cursor:pointer;color:#555;font-size:.8rem}
@media print{
body{max-width:none;padding:0;font-size:10pt}
header{margin-bottom:.4rem}
#key-findings{break-after:page}
section.appendix:first-of-type,#appendix-metrics{break-before:page}
h2,h3{break-after:avoid}
figure,tr{break-inside:avoid}
thead{display:table-header-group}
details{display:none}
a{color:inherit;text-decoration:none}
}
"""


def _esc(x: Any) -> str:
    return html.escape(str(x))


def _inline(text: str) -> str:
    """Escaped text with `code` spans, the only markup sentences and paragraphs carry."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", _esc(text))


def _cell(text: str, numeric: bool) -> str:
    """A cell's text; numbers keep their B or M on their line, and a line break in the text
    (median over its range) is kept."""
    if numeric:
        text = re.sub(r" (?=[BM]\b)", "\u00a0", text)
    return _esc(text).replace("\n", "<br>")


def _table(t: Table) -> str:
    def cls(flags: tuple[bool, ...], i: int) -> bool:
        return i < len(flags) and flags[i]

    head = "".join(
        f"<th{' class=num' if cls(t.numeric, i) else ''}>{_esc(c)}</th>"
        for i, c in enumerate(t.columns)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if cls(t.numeric, i) else ''}>"
            + (f"<code>{_esc(v)}</code>" if cls(t.code, i) else _cell(v, cls(t.numeric, i)))
            + "</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in t.rows
    )
    caption = f"<caption>{_inline(t.caption)}</caption>" if t.caption else ""
    css = f' class="{t.css}"' if t.css else ""
    return f"<table{css}>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(f: Figure) -> str:
    data = (
        f"<details><summary>data of figure {f.number}</summary>{_table(f.data)}</details>"
        if f.data is not None
        else ""
    )
    return (
        f'<figure><div class="chart" id="{_esc(f.id)}"></div>'
        f"<figcaption><strong>Figure {f.number}.</strong> {_inline(f.caption)}</figcaption>"
        f"{data}</figure>"
    )


def _block(b: Block) -> str:
    if isinstance(b, Paragraph):
        return f"<p{' class=note' if b.note else ''}>{_inline(b.text)}</p>"
    if isinstance(b, Heading):
        anchor = f' id="{_esc(b.anchor)}"' if b.anchor else ""
        return f"<h3{anchor}>{_esc(b.text)}</h3>"
    if isinstance(b, Findings):
        items = "".join(f'<li data-key="{_esc(s.key)}">{_inline(s.text)}</li>' for s in b.sentences)
        return f'<ol class="findings">{items}</ol>'
    if isinstance(b, Table):
        return _table(b)
    return _figure(b)


def _section(s: Section) -> str:
    css = ' class="appendix"' if s.appendix else ""
    body = "".join(_block(b) for b in s.blocks)
    return f'<section id="{_esc(s.id)}"{css}><h2>{_esc(s.title)}</h2>{body}</section>'


def render_html(doc: Document, plotly_js: str) -> str:
    """The page; ``window.evpactReady`` turns true once every chart is drawn (the PDF waits)."""
    figures = [{"id": f.id, "figure": f.figure} for f in doc.figures()]
    payload = json.dumps(figures).replace("</", "<\\/")
    script = (
        "const figs=" + payload + ";"
        "Promise.all(figs.map(f=>Plotly.newPlot(f.id,f.figure.data,"
        "Object.assign({},f.figure.layout,{autosize:true,width:undefined}),"
        "{displaylogo:false,responsive:true}))).then(()=>{window.evpactReady=true;});"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_esc(doc.subtitle)}</title><style>{STYLE}</style>"
        f"<script>{plotly_js}</script></head><body>"
        f'<header><p class="kicker">{_esc(doc.subtitle)}</p><h1>{_esc(doc.title)}</h1>'
        f'<p class="note">Generated {_esc(doc.created)}.</p></header>'
        f"<main>{''.join(_section(s) for s in doc.sections)}</main>"
        f"<script>{script}</script></body></html>"
    )


def build_report(
    runs: Sequence[Results],
    plotly_js: str,
    difference: Results | None = None,
    *,
    sensitivity: pd.DataFrame | None = None,
    stress: Mapping[str, Any] | None = None,
) -> str:
    """The report page of ``briefing.build_document``'s content."""
    doc = build_document(runs, difference, sensitivity=sensitivity, stress=stress)
    return render_html(doc, plotly_js)


def plotly_js() -> str:
    """plotly.js from the installed plotly package: the version that matches its figures."""
    from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]

    return str(get_plotlyjs())


__all__ = ["build_report", "plotly_js", "provenance", "render_html"]
