"""Net impact: what the deal adds beyond what would happen without it.

Gross impacts credit the deal with every plant it touches, every job and every dollar of tax.
Three corrections turn them into net impacts (docs/model.md, "Net impact"):

* the but-for probability ``b``: without the deal, the plant is built anyway with
  probability 1 - b (Bartik 2018). The counterfactual is a mixture of "no plant" (the
  no-deal scenario) and "the same plant" (zero impact), so the expected impact of every
  plant-driven quantity is ``b`` times the gross impact. The public cost is paid in the deal
  world either way: its share 1 - b is deadweight.
* labour-market slack ``sigma`` by layer: only new jobs filled by people who would otherwise
  not work add jobs, income and labour tax; the rest move from jobs that are refilled. The
  bundled shares hold at the region's historical unemployment rate and scale with the
  scenario's (``slack_shares``).
* the marginal cost of public funds ``mcpf`` per government: a dollar of subsidy costs society
  ``mcpf`` dollars; the excess burden is (mcpf - 1) x the public cost.

The compile step here resolves which input holds each plant's ``b`` (plant, else deal, else
scenario, else bundled), so a later model may compute ``b`` from the firms' own economics and
put it in the same place. Pure functions otherwise: the engine calls them per block.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..data import ReferenceData
from ..scenario.distributions import Dist, FloatArray
from ..scenario.model import Scenario
from . import arrays

LAYERS = ("direct", "indirect", "induced")
#: per-draw inputs the net metrics read, as the engine outputs them
DRAW_INPUTS = (*(f"slack_{k}" for k in LAYERS), "in_migration")
GOVERNMENTS = ("federal", "provincial")


@dataclass(frozen=True)
class AdditionalitySpec:
    """Input paths of the net layer: each deal plant's but-for probability, the slack shares
    by layer, the in-migration share and each payer's marginal cost of public funds."""

    but_for: dict[str, str]  # deal plant id -> input path
    slack: tuple[str, str, str]  # direct, indirect, induced
    slack_scaled: tuple[bool, bool, bool]  # bundled share: scaled by the unemployment rate
    unemployment: str  # the region's unemployment rate over the deal
    unemployment_reference: str  # the rate at which the bundled shares hold
    in_migration: str
    mcpf: dict[str, str]  # government (federal, provincial) -> input path
    ev_adoption_added: str


def compile_additionality(
    scenario: Scenario, data: ReferenceData, put: Callable[[str, Dist], str]
) -> AdditionalitySpec:
    """Register the net layer's uncertain inputs (``put`` adds one to the model) and say where
    each plant's but-for probability comes from: its own, its deal's, the scenario's, or the
    bundled range."""
    add = scenario.additionality

    def fig(parameter: str) -> Dist:
        return data.figure("additionality", {"parameter": parameter})

    default = put(
        "additionality.but_for",
        add.but_for if add is not None and add.but_for is not None else fig("but_for"),
    )
    but_for: dict[str, str] = {}
    for d in scenario.deals:
        deal_key = put(f"deals.{d.id}.but_for", d.but_for) if d.but_for is not None else default
        touched = [*d.plants, *(r.supplier for r in d.supply), *(r.customer for r in d.supply)]
        touched += [i.plant for i in d.incentives]
        for pid in touched:
            but_for.setdefault(pid, deal_key)
    for p in scenario.plants:
        if p.but_for is not None:
            but_for[p.id] = put(f"plants.{p.id}.but_for", p.but_for)
    slack = add.slack if add is not None else None
    given_slack = [slack is not None and getattr(slack, layer) is not None for layer in LAYERS]
    keys = tuple(
        put(
            f"additionality.slack.{layer}",
            getattr(slack, layer) if given else fig(f"slack_{layer}"),
        )
        for layer, given in zip(LAYERS, given_slack, strict=True)
    )
    rates = tuple(
        put(
            f"additionality.{name}",
            getattr(add, name) if add is not None and getattr(add, name) is not None else fig(name),
        )
        for name in ("unemployment_rate", "unemployment_reference")
    )
    migration = put(
        "additionality.in_migration",
        add.in_migration
        if add is not None and add.in_migration is not None
        else fig("in_migration"),
    )
    given = add.mcpf if add is not None else {}
    mcpf = {}
    for g in GOVERNMENTS:  # a payer's figure counts for its government (ontario: provincial)
        named = [k for k in sorted(given) if (k == "federal") == (g == "federal")]
        mcpf[g] = (
            put(f"additionality.mcpf.{named[0]}", given[named[0]])
            if named
            else put(f"additionality.mcpf.{g}", fig(f"mcpf_{g}"))
        )
    adoption = put(
        "additionality.ev_adoption_added",
        add.ev_adoption_added
        if add is not None and add.ev_adoption_added is not None
        else fig("ev_adoption_added"),
    )
    scaled = (not given_slack[0], not given_slack[1], not given_slack[2])
    return AdditionalitySpec(
        but_for,
        (keys[0], keys[1], keys[2]),
        scaled,
        rates[0],
        rates[1],
        migration,
        mcpf,
        adoption,
    )


def slack_shares(
    shares: Sequence[FloatArray],
    scaled: Sequence[bool],
    unemployment: FloatArray,
    reference: FloatArray,
) -> list[FloatArray]:
    """Each layer's slack share per draw: a bundled share ``s`` holds at the reference
    unemployment rate ``u_ref`` and scales with the region's rate ``u``,
    ``min(1, s x u / u_ref)`` (more of the new jobs go to people out of work where more are
    out of work); a share the scenario sets is used as it is."""
    return [
        np.minimum(1.0, s * (unemployment / reference)) if scale else s
        for s, scale in zip(shares, scaled, strict=True)
    ]


def effective_but_for(
    weights: Sequence[FloatArray], probabilities: Sequence[FloatArray], shape: tuple[int, int]
) -> FloatArray:
    """The but-for probability of the deal's plants together, per draw-year: their own
    probabilities weighted by their output value (the plants' gross effects scale with it);
    the plain mean where no plant produces yet. An approximation when plants differ: the
    layers' multipliers differ by industry too (docs/model.md)."""
    if not probabilities:
        return np.ones(shape)
    # the sums of 0.0 + each term, left to right, as ``sum(..., np.zeros(shape))`` adds them,
    # in two buffers; the mean of the probabilities at their own (often per-draw) shape
    total = arrays.total(weights, shape)
    weighted = np.zeros(shape)
    for w, p in zip(weights, probabilities, strict=True):
        np.add(weighted, np.multiply(w, p), out=weighted)
    mean = sum(probabilities, np.zeros(np.broadcast_shapes(*map(np.shape, probabilities))))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(weighted, total, out=weighted)
    np.copyto(out, mean / len(probabilities), where=~(total > 0))
    return out


def excess_burden(
    cost_by_government: Mapping[str, FloatArray], mcpf: Mapping[str, FloatArray], zero: FloatArray
) -> FloatArray:
    """Deadweight cost of raising the public cost: sum over governments of (mcpf - 1) x cost
    (Dahlby 2008). Exactly zero when every mcpf is 1."""
    return sum(((mcpf[g] - 1.0) * c for g, c in cost_by_government.items()), zero)


def net_world(
    w: Mapping[str, FloatArray], b: FloatArray, sigma: Sequence[FloatArray], migration: FloatArray
) -> dict[str, FloatArray]:
    """One world's arrays with the net factors applied, so the gross formulas give the net
    metrics: jobs and income by layer x b x slack share; tax x b less the labour tax of the
    jobs that move from elsewhere; residents' after-tax income gains net of in-migrants.

    ``b`` and the factors are the scenario's, applied to both worlds, so differences stay
    linear: net(s) - net(c) = factors x (s - c). With b = 1, slack 1 and no in-migration each
    array is its gross array bit for bit (x * 1 = x, x - 0 = x)."""
    rate = w["labour_revenue_rate"]
    out: dict[str, FloatArray] = {}
    moved = np.zeros_like(w["tax_total"])
    for layer, s in zip(LAYERS, sigma, strict=True):
        f = b * s[:, None]
        out[f"{layer}_jobs"] = f * w[f"{layer}_jobs"]
        out[f"labour_income_{layer}"] = f * w[f"labour_income_{layer}"]
        moved = moved + (1.0 - s[:, None]) * w[f"labour_income_{layer}"]
    out["tax_total"] = b * (w["tax_total"] - rate * moved)
    out["resident_income"] = (1.0 - migration[:, None]) * after_tax_income(out, rate)
    return out


def after_tax_income(w: Mapping[str, FloatArray], rate: FloatArray) -> FloatArray:
    """Labour income of all layers after labour taxes (those are counted as tax revenue)."""
    li = w["labour_income_direct"] + w["labour_income_indirect"] + w["labour_income_induced"]
    return np.asarray(li * (1.0 - rate))
