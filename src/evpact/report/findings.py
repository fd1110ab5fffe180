"""Key findings: a handful of sentences built from templates and a run's summary JSON.

Nothing here is written per scenario: each template reads metrics by name from the summary
(``Results.summary_dict``), says what it can with what is there and falls back when a metric
is absent (fiscal metrics split by government replace the combined ones when a run has them).
Every number a sentence shows is a ``Ref``: where it sits in the summary and its text, made
by ``formatting.quantity``, so a test can check each one against ``summary.json``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..formatting import number, quantity
from ..labels import GOVERNMENTS, SCOPE_WORDS, label

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Ref:
    """One number in a sentence: its place in summary.json (or in a sensitivity or stress
    table when ``source`` says so), its unit and the text shown."""

    path: Path
    unit: str
    text: str
    source: str = "summary"


@dataclass(frozen=True)
class Sentence:
    key: str
    text: str
    refs: tuple[Ref, ...] = ()


class _Summary:
    """Read access to one summary with every number turned into a ``Ref``."""

    def __init__(self, summary: Mapping[str, Any]) -> None:
        self.s = summary
        self.metrics: Mapping[str, Any] = summary["metrics"]
        self.refs: list[Ref] = []

    def has(self, name: str, stat: str = "p50") -> bool:
        return name in self.metrics and self.metrics[name].get(stat) is not None

    def value(self, name: str, stat: str = "p50") -> float | None:
        m = self.metrics.get(name)
        return None if m is None else m.get(stat)

    def stat(self, name: str, stat: str = "p50", bare: bool = False) -> str:
        """The statistic with its unit (``bare``: the number alone)."""
        unit = self.metrics[name]["unit"]
        value = self.metrics[name][stat]
        ref = Ref(("metrics", name, stat), unit, (number if bare else quantity)(value, unit))
        self.refs.append(ref)
        return ref.text

    def span(self, name: str) -> str:
        """``90% range A to B``; an open end reads as "not reached" (years) or "n/a"."""
        return f"90% range {self.stat(name, 'p5')} to {self.stat(name, 'p95')}"

    def median_span(self, name: str) -> str:
        return f"{self.stat(name)} ({self.span(name)})"

    def risk(self, *path: str, unit: str = "share") -> str:
        node: Any = self.s["risk"]
        for p in path:
            node = node[p]
        value = node["value"] if isinstance(node, dict) else node
        where = ("risk", *path, *(("value",) if isinstance(node, dict) else ()))
        ref = Ref(where, unit, quantity(value, unit))
        self.refs.append(ref)
        return ref.text

    def horizon(self, end: int) -> str:
        ref = Ref(("horizon", end), "year", quantity(float(self.s["horizon"][end]), "year"))
        self.refs.append(ref)
        return ref.text

    def take(self) -> tuple[Ref, ...]:
        out, self.refs = tuple(self.refs), []
        return out


def _governments(s: _Summary, base: str) -> list[str]:
    return [g for g in GOVERNMENTS if s.has(f"{base}_{g}")]


def _jobs(s: _Summary, subject: str, against: str) -> str:
    text = (
        f"At its peak year {subject} supports {s.median_span('total_jobs_peak')} more than "
        f"{against}, counting direct, indirect and induced jobs"
    )
    if s.has("direct_jobs_peak"):
        text += f"; {s.stat('direct_jobs_peak', bare=True)} of them are direct jobs in the plants"
    if s.has("net_jobs_peak"):
        text += f"; net of jobs drawn from elsewhere, {s.median_span('net_jobs_peak')}"
    return text + "."


def _gdp(s: _Summary, subject: str) -> str:
    return (
        f"Over {s.horizon(0)}-{s.horizon(1)} {subject} adds {s.median_span('gdp_cumulative')} "
        "of GDP, in constant dollars and before any discounting."
    )


def _cost(s: _Summary, subject: str, against: str) -> str:
    govs = _governments(s, "public_cost_npv")
    if govs:
        parts = [f"{s.median_span(f'public_cost_npv_{g}')} for the {GOVERNMENTS[g]}" for g in govs]
        return (
            f"The public cost of {subject} (incentives paid less clawbacks, present value) is "
            + " and ".join(parts)
            + "."
        )
    text = (
        f"The public cost of {subject} (incentives paid less clawbacks, present value) is "
        f"{s.median_span('public_cost_npv')}"
    )
    if (s.value("public_cost_npv") or 0.0) < 0:
        text += f": below zero, the public pays less than in {against}"
    return text + "."


def _balance(s: _Summary) -> str:
    govs = _governments(s, "fiscal_net_npv")
    if govs:
        parts = [f"{s.median_span(f'fiscal_net_npv_{g}')} for the {GOVERNMENTS[g]}" for g in govs]
        text = "Net of the taxes each government collects, the fiscal balance is " + " and ".join(
            parts
        )
    else:
        text = (
            "Net of the taxes it brings in, the fiscal balance in present value is "
            f"{s.median_span('fiscal_net_npv')} counting {SCOPE_WORDS['total']}"
        )
        if s.has("fiscal_net_npv_plant"):
            text += f", and {s.median_span('fiscal_net_npv_plant')} counting {SCOPE_WORDS['plant']}"
    if s.has("net_public_benefit_npv"):
        text += f"; the net public benefit is {s.median_span('net_public_benefit_npv')}"
    return text + "."


def _breakeven(s: _Summary) -> str:
    govs = [g for g in GOVERNMENTS if f"fiscal_breakeven_year_{g}" in s.metrics]
    scopes = [(g, f"for the {GOVERNMENTS[g]}, counting {SCOPE_WORDS['total']}") for g in govs] or [
        (k, f"counting {SCOPE_WORDS[k]}")
        for k in ("total", "plant")
        if f"fiscal_breakeven_year_{k}" in s.metrics
    ]
    parts = []
    for key, words in scopes:
        name = f"fiscal_breakeven_year_{key}"
        chance = f"{name}_reached_share"
        when = (
            f"breaks even in {s.median_span(name)}"
            if s.has(name)
            else f"does not break even by {s.horizon(1)} in the median draw"
        )
        likely = ""
        if chance in s.metrics and s.value(chance, "mean") is not None:
            likely = (
                f", and by {s.horizon(1)} in {s.stat(chance, 'mean')} of draws"
                if s.has(name)
                else f" (it does in {s.stat(chance, 'mean')} of draws)"
            )
        parts.append(f"{words}, the public purse {when}{likely}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _linkage(s: _Summary) -> Sentence | None:
    p = s.s["risk"].get("linkage_holds_over_deal_probability")
    if p is None:
        return None
    text = (
        f"The linkage condition holds in every year of the deal with probability "
        f"{s.risk('linkage_holds_over_deal_probability')}"
    )
    if s.has("linkage_met_share"):
        text += f"; in the median draw it holds in {s.stat('linkage_met_share')} of measured years"
    if s.has("linkage_first_failure_year"):
        text += f" and first fails in {s.stat('linkage_first_failure_year')}"
    return Sentence("linkage", text + ".", s.take())


def _tail(s: _Summary) -> str:
    risk = s.s["risk"]
    text = (
        "In the worst 5% of draws the fiscal balance averages "
        f"{s.risk('fiscal_net_npv_cvar5', unit=risk['fiscal_net_npv_cvar5']['unit'])} "
        f"counting {SCOPE_WORDS['total']}"
    )
    if "fiscal_net_npv_plant_cvar5" in risk:
        unit = risk["fiscal_net_npv_plant_cvar5"]["unit"]
        text += (
            f" and {s.risk('fiscal_net_npv_plant_cvar5', unit=unit)} counting "
            f"{SCOPE_WORDS['plant']}"
        )
    return text + " (expected shortfall)."


def _stress(stress: Mapping[str, Any], subject: str) -> Sentence:
    """The largest loss of the deal's world in a stress test (``StressResult.to_dict``):
    money first, else the first loss that is not zero in the median draw."""
    own = [r for r in stress["losses"] if r["world"] == stress["scenario"]] or stress["losses"]
    hit = [r for r in own if r["p50"]]
    money = [r for r in hit if str(r["unit"]).startswith("CAD")]
    worst = max(money, key=lambda r: abs(r["p50"])) if money else (hit or own)[0]
    cuts = ", ".join(
        f"{100 * c['share']:.0f}% of {c['stage']} from {c['country']}" for c in stress["cuts"]
    )
    refs = [
        Ref(
            ("stress", worst["world"], worst["loss"], k),
            worst["unit"],
            quantity(worst[k], worst["unit"]),
            "stress",
        )
        for k in ("p50", "p5", "p95")
    ]
    what = {"gdp": "GDP", "job_years": "work", "battery_gwh": "cells", "vehicles": "output"}
    text = (
        f"The largest risk tested: losing {cuts} for {stress['weeks']:g} weeks from "
        f"{stress['year']} costs {subject} {refs[0].text} of {what.get(worst['loss'], 'output')} "
        f"(90% range {refs[1].text} to {refs[2].text})"
    )
    if not hit:
        text += ": in the median draw the cut does not reduce output"
    return Sentence("stress", text + ".", tuple(refs))


#: the sensitivity output a sentence speaks for, by preference
DRIVEN = ("fiscal_net_npv", "total_jobs_peak", "fiscal_breakeven_year_total")


def input_words(path: str) -> str:
    """An input path in words, from its last two parts: ``plants.hmg-ontario.capacity_vehicles``
    -> ``hmg-ontario capacity vehicles``, ``fiscal.discount_rate`` -> ``fiscal discount rate``."""
    return " ".join(str(path).split(".")[-2:]).replace("_", " ")


def _driver(table: pd.DataFrame, command: str, units: Mapping[str, str]) -> Sentence:
    """The input that moves a headline output most, from an ``evpact sensitivity`` table."""
    ranked = table[table["rank"].notna()]
    outputs = [o for o in DRIVEN if o in set(ranked["output"])] or list(
        dict.fromkeys(ranked["output"])
    )
    if not outputs:
        return Sentence("driver", f"The sensitivity table ranks no inputs; run `{command}`.")
    output = outputs[0]
    rows = ranked[ranked["output"] == output]
    main = rows.groupby("input")["rank"].min().sort_values()
    first = main.index[0]
    index = str(rows[rows["input"] == first]["index"].iloc[0])
    value = float(rows[(rows["input"] == first) & (rows["index"] == index)]["value"].iloc[0])
    from .charts import LABELS as INDEX_WORDS

    # Morris effects are in the output's unit; variance shares and delta are unitless
    unit = str(units.get(output, "")) if index in ("mu_star", "sigma") else ""
    ref = Ref(("sensitivity", output, first, index), unit, quantity(value, unit), "sensitivity")
    then = f", ahead of {input_words(main.index[1])}" if len(main) > 1 else ""
    text = (
        f"Of the uncertain assumptions, {input_words(first)} moves the "
        f"{label(output).lower()} most ({INDEX_WORDS.get(index, index)} {ref.text}){then}."
    )
    return Sentence("driver", text, (ref,))


def findings(
    summary: Mapping[str, Any],
    *,
    subject: str = "the deal",
    against: str | None = None,
    compared: bool = False,
    sensitivity: pd.DataFrame | None = None,
    stress: Mapping[str, Any] | None = None,
) -> list[Sentence]:
    """Five to eight sentences on one summary. ``compared``: the summary is the difference of
    two deals, so scenario-level facts (the linkage) are left to each deal's own findings."""
    s = _Summary(summary)
    against = against or f"its counterfactual ({summary['counterfactual']})"
    out: list[Sentence] = []

    def add(key: str, text: str) -> None:
        out.append(Sentence(key, text, s.take()))

    if "total_jobs_peak" in s.metrics:
        add("jobs", _jobs(s, subject, against))
    if "gdp_cumulative" in s.metrics:
        add("gdp", _gdp(s, subject))
    if "public_cost_npv" in s.metrics or _governments(s, "public_cost_npv"):
        add("cost", _cost(s, subject, against))
    if "fiscal_net_npv" in s.metrics or _governments(s, "fiscal_net_npv"):
        add("balance", _balance(s))
    if any(k.startswith("fiscal_breakeven_year_") for k in s.metrics):
        add("breakeven", _breakeven(s))
    if not compared:
        linkage = _linkage(s)
        if linkage is not None:
            out.append(linkage)
    if stress is not None and not compared:
        out.append(_stress(stress, subject))
    elif "fiscal_net_npv_cvar5" in summary.get("risk", {}):
        add("tail", _tail(s))
    if not compared:
        command = f"evpact sensitivity {summary['scenario']}"
        out.append(
            _driver(sensitivity, command, {k: v["unit"] for k, v in s.metrics.items()})
            if sensitivity is not None
            else Sentence(
                "driver",
                "Which assumption moves these results most was not measured for this report: "
                f"run `{command}` and pass its folder to `evpact report --sensitivity`.",
            )
        )
    return out


def refs(sentences: Sequence[Sentence]) -> list[Ref]:
    return [r for x in sentences for r in x.refs]


__all__ = ["Ref", "Sentence", "findings", "refs"]
