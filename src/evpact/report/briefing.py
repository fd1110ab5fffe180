"""The report's content, laid out as a briefing note: key findings first, then the deal, what
it buys, what it costs and who pays, risks, method and scope in plain words; the full metric
table, assumptions and provenance go to appendices. Builds a ``content.Document`` only; the
renderers (``html``, ``markdown``) turn it into files.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..formatting import number
from ..labels import label, titled, unit_text
from ..results import Results
from .content import Block, Document, Figure, Findings, Heading, Paragraph, Section, Table
from .figures import View, views
from .findings import findings
from .firms import blocks as firm_blocks
from .firms import has_firms
from .waterfall import blocks as net_blocks

if TYPE_CHECKING:
    from ..design.zopa import Zopa

#: metrics of "what it buys", "what it costs" and "risks", in that order (absent ones skipped)
BUYS = (
    "total_jobs_peak",
    "net_jobs_peak",
    "direct_jobs_peak",
    "gdp_cumulative",
    "labour_income_cumulative",
    "net_labour_income_cumulative",
    "vehicles_assembled_cumulative",
    "battery_output_gwh_cumulative",
    "local_absorption_share",
    "co2e_avoided_cumulative",
)
COSTS = (
    "public_cost_npv",
    "public_cost_npv_federal",
    "public_cost_npv_provincial",
    "public_cost_cumulative",
    "clawback_cumulative",
    "tax_revenue_npv",
    "tax_revenue_npv_plant",
    "fiscal_net_npv",
    "fiscal_net_npv_federal",
    "fiscal_net_npv_provincial",
    "fiscal_net_npv_plant",
    "net_public_benefit_npv",
    "benefit_cost_ratio",
    "public_cost_per_net_job",
    "deadweight_share",
    "fiscal_breakeven_year_total",
    "fiscal_breakeven_year_federal",
    "fiscal_breakeven_year_provincial",
    "fiscal_breakeven_year_plant",
)
RISKS = (
    "linkage_met_share",
    "linkage_first_failure_year",
    "usmca_qualifying_share",
    "rvc_margin",
    "us_tariff_cost_cumulative",
    "domestic_chain_share",
    "chain_hhi_max",
)
#: which section each chart of ``figures.views`` belongs to
FIGURE_SECTION = {
    "jobs": "buys",
    "battery": "buys",
    "minerals": "buys",
    "emissions": "buys",
    "charging": "buys",
    "fiscal": "costs",
    "trade": "costs",
    "linkage": "risks",
}
INCENTIVE_WORDS = {
    "production_credit": "production credit (per kWh)",
    "capital_grant": "capital grant",
    "investment_tax_credit": "investment tax credit",
    "per_vehicle": "support per vehicle",
}


class _Numbers:
    """Figure numbers in reading order."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _name(results: Results) -> str:
    return str(results.meta["scenario"])


def _pair(results: Results) -> str:
    return f"{results.meta['scenario']} against {results.meta['counterfactual']}"


def _range(stats: Mapping[str, Any], unit: str) -> str:
    return f"{number(stats['p5'], unit)} to {number(stats['p95'], unit)}"


def metric_table(runs: Sequence[Results], names: Sequence[str], heads: Sequence[str]) -> Table:
    """Median and 90% range of each metric (plain labels); several runs side by side, one
    column each ("median (range)"), so the table keeps to the page's width."""
    summaries = [r.summary_dict()["metrics"] for r in runs]
    present = [n for n in names if any(n in s for s in summaries)]
    rows = []
    for n in present:
        unit = next(s[n]["unit"] for s in summaries if n in s)
        cells = [titled(n, unit)]
        for s in summaries:
            x = s.get(n)
            if x is None:
                cells += [""] if len(runs) > 1 else ["", ""]
            elif len(runs) > 1:
                cells.append(f"{number(x['p50'], unit)}\n({_range(x, unit)})")
            else:
                cells += [number(x["p50"], unit), _range(x, unit)]
        rows.append(tuple(cells))
    columns = ["", "median", "90% range"] if len(runs) == 1 else ["", *heads]
    caption = "" if len(runs) == 1 else "Median (90% range) of each impact."
    return Table(
        tuple(columns),
        tuple(rows),
        numeric=(False, *([True] * (len(columns) - 1))),
        caption=caption,
        css="metrics",
    )


def appendix_table(results: Results) -> Table:
    """Every metric: plain label, raw name (the only place it appears), unit and statistics."""
    metrics = results.summary_dict()["metrics"]
    rows = tuple(
        (
            label(n),
            n,
            unit_text(m["unit"]),
            *(number(m[k], m["unit"]) for k in ("p50", "p5", "p95", "mean")),
        )
        for n, m in metrics.items()
    )
    return Table(
        ("metric", "name", "unit", "median", "p5", "p95", "mean"),
        rows,
        numeric=(False, False, False, True, True, True, True),
        code=(False, True, False, False, False, False, False),
        css="appendix",
    )


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


def _provenance_table(results: Results) -> Table:
    rows = tuple((k, str(v)) for k, v in provenance(results).items())
    return Table(("field", "value"), rows, code=(False, True), css="provenance")


def _data_table(view: View) -> Table:
    def cell(x: Any) -> str:
        if isinstance(x, float):
            return "" if math.isnan(x) else f"{x:,.4g}"
        return str(x)

    t = view.table
    return Table(
        tuple(str(c) for c in t.columns),
        tuple(tuple(cell(x) for x in row) for row in t.itertuples(index=False)),
        numeric=tuple(pd.api.types.is_numeric_dtype(t[c]) for c in t.columns),
    )


def _figures(
    runs: Sequence[Results], numbers: _Numbers, section: str
) -> list[Block]:  # one figure per chart of each run that belongs to the section
    out: list[Block] = []
    for k, results in enumerate(runs):
        for view in views(results):
            if FIGURE_SECTION.get(view.id) != section:
                continue
            caption = f"{view.title}: {_pair(results)}"
            if view.id not in ("battery", "linkage"):
                caption += ". Line: median; band: 90% range over the draws"
            out.append(
                Figure(
                    f"chart-r{k}-{view.id}", numbers.next(), caption, view.figure, _data_table(view)
                )
            )
    return out


def _deal(runs: Sequence[Results], difference: Results | None) -> Section:
    blocks: list[Block] = []
    for results in runs if difference is None else [*runs, difference]:
        model = results.scenario_model
        if model is None:
            continue
        if results is difference:
            model = results.counterfactual_model
            if model is None or any(_name(r) == model.name for r in runs):
                continue
        if len(runs) > 1 or difference is not None:
            blocks.append(Heading(model.title or model.name))
        text = model.description or model.title or model.name
        blocks.append(Paragraph(f"{text.strip()} (scenario {model.name})"))
        if model.hypothetical:
            blocks.append(Paragraph(f"Hypothetical: {model.hypothetical.strip()}", note=True))
    for results in runs:
        blocks.append(
            Paragraph(
                f"Impacts of {_name(results)} are measured against {results.meta['counterfactual']}"
                ", the same world without what the deal changes."
            )
        )
    return Section("deal", "The deal", tuple(blocks))


def _who_pays(runs: Sequence[Results]) -> list[Block]:
    rows = []
    for results in runs:
        model = results.scenario_model
        if model is None:
            continue
        for deal in model.deals:
            for inc in deal.incentives:
                payer = ", ".join(f"{g} {100 * s:.0f}%" for g, s in inc.payer.items())
                terms = []
                if inc.conditional:
                    terms.append("paid only while the linkage holds")
                if inc.clawback != "none":
                    terms.append(f"clawback: {inc.clawback.replace('_', ' ')}")
                rows.append(
                    (
                        model.name,
                        deal.name or deal.id,
                        INCENTIVE_WORDS[inc.kind],
                        inc.plant,
                        payer,
                        "; ".join(terms) or "unconditional",
                    )
                )
    if not rows:
        return [Paragraph("The deals declare no incentives.", note=True)]
    return [
        Heading("Who pays"),
        Table(
            ("scenario", "deal", "incentive", "plant", "paid by", "terms"),
            tuple(rows),
            caption="The incentives each deal declares and the governments that pay them.",
        ),
    ]


def _tornado(sensitivity: pd.DataFrame, numbers: _Numbers) -> list[Block]:
    """One tornado chart per output (``charts.figure``), inputs named in words where that
    keeps them apart; the caption, not the chart, carries the title."""
    from .charts import AXIS
    from .charts import figure as tornado
    from .findings import input_words

    words = {i: input_words(i) for i in dict.fromkeys(sensitivity["input"])}
    taken = Counter(words.values())
    names = {i: w if taken[w] == 1 else i for i, w in words.items()}  # clashes keep the path
    table = sensitivity.assign(input=sensitivity["input"].map(names))
    table.attrs = dict(sensitivity.attrs)
    out: list[Block] = []
    for output in dict.fromkeys(sensitivity["output"]):
        fig = json.loads(tornado(table, str(output), top=8).to_json())
        layout = fig["layout"]
        layout.pop("template", None)
        layout.pop("title", None)
        layout["margin"] = {"t": 20, "r": 20}
        method = str(sensitivity.attrs.get("method", ""))
        layout["xaxis"]["title"] = {"text": AXIS.get(method, "index"), "font": {"size": 11}}
        out.append(
            Figure(
                f"chart-tornado-{output}",
                numbers.next(),
                f"The inputs that move {label(str(output)).lower()} most "
                f"({sensitivity.attrs.get('method', '')} sensitivity; lines: 95% interval)",
                fig,
            )
        )
    return out


def _stress_table(stress: Mapping[str, Any]) -> Table:
    rows = tuple(
        (
            str(r["world"]),
            str(r["loss"]).replace("_", " "),
            unit_text(str(r["unit"])),
            number(r["p50"], str(r["unit"])),
            _range(r, str(r["unit"])),
        )
        for r in stress["losses"]
    )
    cuts = ", ".join(f"{c['stage']}:{c['country']}={c['share']:g}" for c in stress["cuts"])
    return Table(
        ("world", "loss", "unit", "median", "90% range"),
        rows,
        numeric=(False, False, False, True, True),
        caption=f"Losses from the cut {cuts} for {stress['weeks']:g} weeks from {stress['year']}, "
        "each world against itself without the cut.",
    )


def _chain(results: Results, key: str, numbers: _Numbers) -> list[Block]:
    """The chain map of the run's scenario: the table ``evpact chain`` prints and its Sankey."""
    from ..engine.compile import compile_scenario
    from ..engine.resilience import chain_indicators
    from .chain import chain_table, sankey_figure

    model = results.scenario_model
    if model is None:
        return [Paragraph("No scenario attached to these results.", note=True)]
    compiled = compile_scenario(model)
    table = chain_table(compiled)
    if table.empty:
        return [Paragraph("No deal declares a chain or builds a battery-chain plant.", note=True)]
    domestic, hhi_max = chain_indicators(compiled.chain_rows())
    hhi_text = "n/a" if math.isnan(hhi_max) else f"{hhi_max:,.0f}"
    shares = ("domestic", "usmca", "fta", "other")
    rows = tuple(
        (
            str(r.deal),
            str(r.stage),
            *(f"{getattr(r, g):.0%}" for g in shares),
            f"{r.hhi:,.0f}" + ("" if r.sourced else " (own plants)"),
            str(r.largest),
        )
        for r in table.itertuples(index=False)
    )
    return [
        Paragraph(
            f"Domestic share of the chain {number(domestic, 'share')}; concentration of the most "
            f"concentrated stage (HHI, 0-10,000) {hhi_text}. FTA: free-trade partner of the "
            "home country; links assume proportional mixing."
        ),
        Table(
            ("deal", "stage", "domestic", "USMCA", "FTA", "other", "HHI", "largest"),
            rows,
            numeric=(False, False, True, True, True, True, True, False),
        ),
        Figure(
            f"chart-{key}-chain",
            numbers.next(),
            f"Where the battery chain of {_name(results)} sits, stage by stage",
            sankey_figure(compiled),
        ),
    ]


def _risks(
    runs: Sequence[Results],
    heads: Sequence[str],
    numbers: _Numbers,
    sensitivity: pd.DataFrame | None,
    stress: Mapping[str, Any] | None,
) -> Section:
    blocks: list[Block] = [metric_table(runs, RISKS, heads), *_figures(runs, numbers, "risks")]
    blocks.append(Heading("Sensitivity"))
    if sensitivity is not None:
        blocks.append(
            Paragraph(
                "How far each uncertain input moves each output, from "
                f"`evpact sensitivity` ({sensitivity.attrs.get('method', '')}): the longest bars "
                "are the assumptions worth checking first."
            )
        )
        blocks.extend(_tornado(sensitivity, numbers))
    else:
        blocks.append(
            Paragraph(
                "Not run for this report. `evpact sensitivity "
                f"{_name(runs[0])} --out DIR` ranks the uncertain inputs by how much each "
                "moves jobs, the fiscal balance and the break-even year; "
                "`evpact report --sensitivity DIR` adds its chart here.",
                note=True,
            )
        )
    if stress is not None:
        blocks += [Heading("Supply-cut stress test"), _stress_table(stress)]
    for k, results in enumerate(runs):
        blocks.append(Heading(f"Supply chain: {_name(results)}", f"chain-r{k}"))
        blocks.extend(_chain(results, f"r{k}", numbers))
    return Section("risks", "Risks and sensitivity", tuple(blocks))


def _method(runs: Sequence[Results]) -> Section:
    r = runs[0]
    m = r.meta
    metrics = r.summary_dict()["metrics"]
    unit = str(metrics["public_cost_npv"]["unit"])
    net = [n for n in ("net_jobs_peak", "net_public_benefit_npv") if n in metrics]
    texts = [
        f"Every figure is an impact: the deal's world minus its counterfactual "
        f"({m['counterfactual']}), computed draw by draw on the same random numbers, so "
        "differences come from the deal and not from chance.",
        f"Uncertain inputs (demand, ramp-up, costs, multipliers) are drawn {m['draws']:,} "
        f"times (seed {m['seed']}); figures are medians with a 90% range: 5% of draws fall "
        "below it and 5% above.",
        f"Money is in {unit_text(unit)}: constant {unit.split('_')[-1]} Canadian dollars. "
        f"Present values discount each year to {m['horizon'][0]} at the scenario's discount "
        f"rate; sums over the horizon ({m['horizon'][0]}-{m['horizon'][1]}) are not discounted.",
        "Tax revenue is counted in three scopes: the plants only (as the Parliamentary Budget "
        "Officer counts), plants and their supply chain, and with induced household spending. "
        "The scope explains most of the gap between published paybacks of the same deals.",
        (
            "Jobs and GDP are gross: they count work in the plants, their suppliers and induced "
            "spending, without subtracting workers and capital drawn from elsewhere. "
            if not net
            else "Net figures ("
            + ", ".join(label(n).lower() for n in net)
            + ") subtract activity drawn from elsewhere; the others are gross. "
        )
        + "The equations and their sources are in docs/model.md.",
    ]
    return Section("method", "Method and scope", tuple(Paragraph(t) for t in texts))


def _assumptions(runs: Sequence[Results]) -> list[Block]:
    out: list[Block] = []
    for results in runs:
        model = results.scenario_model
        if model is None:
            continue
        out.append(Heading(f"Assumptions of {model.name}"))
        if model.hypothetical:
            out.append(Paragraph(f"Hypothetical: {model.hypothetical.strip()}"))
        rows = tuple((path, src) for path, src in model.sources.items())
        out.append(
            Table(("input", "source"), rows, code=(True, False), css="sources")
            if rows
            else Paragraph("The scenario lists no sources.", note=True)
        )
    out.append(
        Paragraph(
            "Bundled reference figures carry their sources in the data tables "
            "(docs/data-sources.md); the equations are in docs/model.md.",
            note=True,
        )
    )
    return out


def build_document(
    runs: Sequence[Results],
    difference: Results | None = None,
    *,
    sensitivity: pd.DataFrame | None = None,
    stress: Mapping[str, Any] | None = None,
    zopa: Zopa | None = None,
) -> Document:
    """The briefing of one run (``runs[0]``), and with ``difference`` (the first deal minus a
    second, draw by draw) what separates two deals; ``runs[1]`` is the second deal's own run
    when it has a counterfactual."""
    first = runs[0]
    numbers = _Numbers()
    heads = [_pair(r) for r in runs]
    table_runs = list(runs)
    # comparing with the deal's own counterfactual: the difference is the first run itself
    same = (
        difference is not None and difference.meta["counterfactual"] == first.meta["counterfactual"]
    )
    if difference is not None and not same:
        table_runs.append(difference)
        heads.append(f"{_name(first)} minus {difference.meta['counterfactual']}")

    blocks: list[Block] = [
        Paragraph(
            f"{_pair(first)}, {first.meta['horizon'][0]}-{first.meta['horizon'][1]}: median "
            f"and 90% range over {first.meta['draws']:,} draws.",
            note=True,
        ),
        Findings(
            tuple(
                findings(
                    first.summary_dict(),
                    sensitivity=sensitivity,
                    stress=stress,
                )
            )
        ),
    ]
    if difference is not None:
        other = str(difference.meta["counterfactual"])
        blocks.append(Heading(f"{_name(first)} compared with {other}", "compare"))
        if same:
            blocks.append(
                Paragraph(
                    f"{other} is the counterfactual of {_name(first)}: the findings above "
                    "are the difference between the two deals."
                )
            )
        else:
            blocks.append(
                Findings(
                    tuple(
                        findings(
                            difference.summary_dict(),
                            subject=_name(first),
                            against=other,
                            compared=True,
                        )
                    )
                )
            )
    sections = [
        Section("key-findings", "Key findings", tuple(blocks)),
        _deal(runs, difference),
        Section(
            "buys",
            "What it buys",
            (metric_table(table_runs, BUYS, heads), *_figures(runs, numbers, "buys")),
        ),
        Section(
            "costs",
            "What it costs and who pays",
            (
                metric_table(table_runs, COSTS, heads),
                *_who_pays(runs),
                *_figures(runs, numbers, "costs"),
            ),
        ),
        Section("net", "From gross to net", tuple(net_blocks(first, numbers.next()))),
        *(
            [Section("firms", "The firms' side", tuple(firm_blocks(first, zopa, numbers.next())))]
            if has_firms(first)
            else []
        ),
        _risks(runs, heads[: len(runs)], numbers, sensitivity, stress),
        _method(runs),
    ]
    metrics: list[Block] = []
    for results in table_runs:
        verb = "minus" if results is difference else "against"
        metrics += [
            Heading(f"{_name(results)} {verb} {results.meta['counterfactual']}"),
            appendix_table(results),
        ]
    sections += [
        Section("appendix-metrics", "Appendix A. All metrics", tuple(metrics), appendix=True),
        Section(
            "appendix-assumptions",
            "Appendix B. Assumptions and sources",
            tuple(_assumptions(runs)),
            appendix=True,
        ),
        Section(
            "appendix-provenance",
            "Appendix C. Provenance",
            tuple(
                b
                for r in table_runs
                for b in (
                    Heading(_pair(r) if r is not difference else heads[-1]),
                    _provenance_table(r),
                )
            ),
            appendix=True,
        ),
    ]
    model = first.scenario_model
    title = model.title if model is not None and model.title else _name(first)
    names = " compared with ".join(dict.fromkeys([_name(first), *(_name(r) for r in runs[1:])]))
    if difference is not None and len(runs) == 1:
        names += f" compared with {difference.meta['counterfactual']}"
    return Document(
        title=title,
        subtitle=f"evpact report: {names}",
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        sections=tuple(sections),
    )


__all__ = ["appendix_table", "build_document", "metric_table", "provenance"]
