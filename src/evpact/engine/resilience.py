"""Mechanism 8d, resilience: where each stage of a deal's battery chain sits, how concentrated
it is, and what a supply cut at one stage does downstream once inventories run out.

A chain maps each stage to country shares. Stages form a small graph (mine -> refinery -> pcam
-> cam -> cell, refinery -> anode -> cell, cell -> module -> pack -> assembly); a stage a chain
leaves out passes its inputs straight through. Cuts are measured in *weeks of output lost*:
a cut of share ``g`` of a stage for ``W`` weeks loses ``g x W`` weeks of that stage's output,
and every downstream stage first draws down the weeks of input stock it holds. A stage needs
all of its inputs (fixed proportions), so concurrent shortfalls combine by their maximum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ..scenario.distributions import FloatArray
from ..scenario.model import STAGES

#: direct inputs of each stage
INPUTS: dict[str, tuple[str, ...]] = {
    "mine": (),
    "refinery": ("mine",),
    "pcam": ("refinery",),
    "cam": ("pcam",),
    "anode": ("refinery",),
    "cell": ("cam", "anode"),
    "module": ("cell",),
    "pack": ("module",),
    "assembly": ("pack",),
}
GROUPS = ("domestic", "usmca", "fta", "other")
UNSPECIFIED = "ZZ"  # rest of the world, not attributed to a country
WEEKS_PER_YEAR = 52.0

Chain = Mapping[str, Mapping[str, float]]  # stage -> country -> share


def group_shares(
    shares: Mapping[str, float], home: str, partners: Mapping[str, str]
) -> dict[str, float]:
    """A stage's country shares summed by group: domestic, usmca, fta (partners of ``home``)
    or other (``ZZ`` and every country without an agreement)."""
    out = dict.fromkeys(GROUPS, 0.0)
    for country, share in shares.items():
        group = "domestic" if country == home else partners.get(country, "other")
        out[group] += share
    return out


def hhi(shares: Mapping[str, float]) -> float:
    """Herfindahl-Hirschman index on the 0-10,000 scale (sum of squared percentage shares).
    The unspecified rest of the world (``ZZ``) is taken as fragmented: it adds nothing, so the
    index is a lower bound when a chain uses it."""
    return float(sum((100.0 * s) ** 2 for c, s in shares.items() if c != UNSPECIFIED))


def declared_inputs(stage: str, chain: Chain) -> tuple[str, ...]:
    """The nearest upstream stages the chain declares (undeclared ones pass through)."""
    found: list[str] = []
    for upstream in INPUTS[stage]:
        found.extend([upstream] if upstream in chain else declared_inputs(upstream, chain))
    return tuple(dict.fromkeys(found))


def lost_weeks(
    chain: Chain,
    cuts: Mapping[tuple[str, str], float],
    weeks: float,
    inventory_weeks: Mapping[str, float],
) -> dict[tuple[str, str], float]:
    """Weeks of output lost by each (stage, country) of the chain under concurrent ``cuts``
    ({(stage, country): share cut}) lasting ``weeks``, and by each stage as a whole under
    the key (stage, "*"), which is what its customers miss."""
    out: dict[tuple[str, str], float] = {}
    for stage in STAGES:
        if stage not in chain:
            continue
        short = max(
            (
                max(0.0, out[(u, "*")] - inventory_weeks.get(stage, 0.0))
                for u in declared_inputs(stage, chain)
            ),
            default=0.0,
        )
        own = sum(share * cuts.get((stage, c), 0.0) for c, share in chain[stage].items())
        out[(stage, "*")] = max(short, weeks * own)
        for country in chain[stage]:
            out[(stage, country)] = max(short, weeks * cuts.get((stage, country), 0.0))
        for (cut_stage, country), share in cuts.items():  # a cut plant the chain doesn't list
            if cut_stage == stage and country not in chain[stage]:
                out[(stage, country)] = max(short, weeks * share)
    return out


def yearly_availability(lost: float, start_year: int, years: FloatArray) -> FloatArray:
    """Share of each year's output left when ``lost`` weeks are lost from the start of
    ``start_year`` on, one year after another."""
    since = np.asarray(years, dtype=float) - start_year
    done = np.where(since >= 0, np.clip(lost - WEEKS_PER_YEAR * since, 0, WEEKS_PER_YEAR), 0)
    return 1.0 - done / WEEKS_PER_YEAR


@dataclass(frozen=True)
class StageRow:
    """Where one stage of one deal's chain sits, by group, and how concentrated it is."""

    deal: str
    stage: str
    domestic: float
    usmca: float
    fta: float
    other: float
    hhi: float
    largest: str  # the largest country and its share, e.g. "KR 60%"
    sourced: bool  # declared in the deal's chain (False: the deal's own plants)


def stage_rows(
    chains: Mapping[str, Chain],
    home: str,
    partners: Mapping[str, str],
    sourced: Mapping[str, Iterable[str]],
) -> list[StageRow]:
    """One row per deal and stage, upstream first; ``sourced`` names the stages each deal
    buys (declared in its chain) rather than builds."""
    rows = []
    for deal, chain in chains.items():
        for stage in STAGES:
            if stage in chain:
                shares = chain[stage]
                top = max(shares, key=lambda c: shares[c])
                g = group_shares(shares, home, partners)
                rows.append(
                    StageRow(
                        deal,
                        stage,
                        g["domestic"],
                        g["usmca"],
                        g["fta"],
                        g["other"],
                        hhi(shares),
                        f"{top} {shares[top]:.0%}",
                        stage in sourced.get(deal, ()),
                    )
                )
    return rows


def chain_indicators(rows: list[StageRow]) -> tuple[float, float]:
    """(domestic share, highest HHI) over the deals' chains. The domestic share averages the
    stages of each chain (each stage counts once), then the deals. The HHI looks at the stages
    a deal sources: one plant of its own is concentrated by construction, not by exposure.
    NaN where there is nothing to measure."""
    deals = dict.fromkeys(r.deal for r in rows)
    per_deal = [np.mean([r.domestic for r in rows if r.deal == d]) for d in deals]
    hhis = [r.hhi for r in rows if r.sourced]
    return (
        float(np.mean(per_deal)) if per_deal else float("nan"),
        max(hhis) if hhis else float("nan"),
    )
