"""Exact aggregates over every draw of a run, built block by block in flat memory.

Means, shares, probabilities and the expected shortfall need every draw but not their order:
running sums, NaN counts and the worst tail are enough, and they merge block by block. What a
run keeps per draw (all of them, or the first ``SUBSAMPLE`` of a streamed run) only feeds
quantiles.

Quantiles of a streamed run come from its first ``R`` draws, a uniform random subsample of the
run. By the Dvoretzky-Kiefer-Wolfowitz inequality, with probability at least ``1 - 2 delta``
the rank of such a quantile in the full run's draws is off by at most
``sqrt(ln(2/delta) / (2R)) + sqrt(ln(2/delta) / (2N))`` (``quantile_rank_error``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import jit
from ..metrics import Metric, holds_by_year

Array = np.ndarray[Any, Any]
#: metrics whose expected shortfall (CVaR) the run reports
TAIL_METRICS = ("fiscal_net_npv", "fiscal_net_npv_plant")
CVAR_LEVEL = 0.05
#: per-draw arrays that are not yearly outputs to average: the Crown ledger's totals by
#: government (the metrics read them block by block) and the fiscal conventions
NOT_YEARLY = frozenset(
    {
        "crown_totals",
        "fiscal_conventions",
        "firm_npv_advantage",
        "firm_accepts",
        "firm_builds_anyway",
        "firm_support_scale_min",
    }
)
#: draws a streamed run keeps (a power of two, so a Sobol prefix stays balanced)
SUBSAMPLE = 65_536


def quantile_rank_error(kept: int, draws: int, delta: float = 0.001) -> float:
    """Bound on the rank error of quantiles taken from ``kept`` of ``draws`` draws (DKW),
    holding with probability at least ``1 - 2 delta``; 0 when every draw is kept."""
    if kept >= draws:
        return 0.0
    c = math.log(2 / delta) / 2
    return math.sqrt(c / kept) + math.sqrt(c / draws)


@dataclass
class Totals:
    """Running sums over every draw: exact means, shares and tails, however many draws."""

    draws: int  # the run's planned draws (sets the size of the tails)
    n: int = 0
    sums: dict[str, float] = field(default_factory=dict)
    nans: dict[str, int] = field(default_factory=dict)
    tails: dict[str, Array] = field(default_factory=dict)
    yearly: list[dict[str, Array]] = field(default_factory=lambda: [{}, {}])
    yearly_counts: list[dict[str, Array]] = field(default_factory=lambda: [{}, {}])
    held: Array | None = None
    measured: Array | None = None

    @property
    def tail_size(self) -> int:
        return max(1, math.ceil(CVAR_LEVEL * self.draws))

    def add(self, metrics: dict[str, Metric], worlds: list[dict[str, Array]]) -> None:
        """Fold in one block: its per-draw metrics and both worlds' yearly arrays."""
        rows = len(next(iter(metrics.values())).values)
        self.n += rows
        # every metric's draws as one row of a table: one sum for them all (a row's sum is
        # numpy's pairwise sum of that row alone: the same bits as summing the metric by
        # itself); a metric whose sum is NaN has a NaN draw (or infinities of both signs):
        # only then are its NaN counted and the draws with a value summed
        names = list(metrics)
        table = np.stack([np.asarray(metrics[name].values, dtype=float) for name in names])
        sums = table.sum(axis=1)
        for row in np.flatnonzero(np.isnan(sums)):
            missing = np.isnan(table[row])
            if missing.any():
                sums[row] = table[row][~missing].sum()
                self.nans[names[row]] = self.nans.get(names[row], 0) + int(missing.sum())
        for name, total in zip(names, sums.tolist(), strict=True):
            self.sums[name] = self.sums.get(name, 0.0) + total
            self.nans.setdefault(name, 0)
        for name in TAIL_METRICS:
            self._keep_worst(name, metrics[name].values)
        k = jit.compiled_for(rows, "..uncertainty.kernels")
        over_draws = _numpy_column_sums if k is None else k.sums_over_draws
        for world, block in zip(self.yearly, worlds, strict=True):
            for name, a in block.items():
                if a.ndim >= 2 and name not in NOT_YEARLY:  # (draw, ..., year) arrays
                    # only the linkage has NaN by design (years not measured); elsewhere a
                    # NaN means "no value" and must stay NaN in the mean
                    drawn = np.nansum(a, axis=0) if name == "linkage_met" else over_draws(a)
                    world[name] = world.get(name, 0.0) + drawn
        for counts, block in zip(self.yearly_counts, worlds, strict=True):
            counts["linkage_met"] = counts.get("linkage_met", 0) + (
                ~np.isnan(block["linkage_met"])
            ).sum(axis=0)
        held, measured = holds_by_year(worlds[0]["linkage_met"])
        self.held = held if self.held is None else self.held + held
        self.measured = measured if self.measured is None else self.measured + measured

    def _keep_worst(self, name: str, values: Array) -> None:
        """The lowest ``tail_size`` values seen so far: exactly what the CVaR averages."""
        v = np.concatenate([self.tails.get(name, np.empty(0)), values])
        k = self.tail_size
        self.tails[name] = np.partition(v, k - 1)[:k] if v.size > k else v

    def merge(self, other: Totals) -> None:
        """Add another block's totals (blocks may arrive in any order)."""
        self.n += other.n
        for name, total in other.sums.items():
            self.sums[name] = self.sums.get(name, 0.0) + total
            self.nans[name] = self.nans.get(name, 0) + other.nans[name]
        for name, tail in other.tails.items():
            self._keep_worst(name, tail)
        for mine, theirs in zip(self.yearly, other.yearly, strict=True):
            for name, a in theirs.items():
                mine[name] = mine.get(name, 0.0) + a
        for mine, theirs in zip(self.yearly_counts, other.yearly_counts, strict=True):
            for name, a in theirs.items():
                mine[name] = mine.get(name, 0) + a
        if other.held is not None and other.measured is not None:
            self.held = other.held if self.held is None else self.held + other.held
            self.measured = (
                other.measured if self.measured is None else self.measured + other.measured
            )

    def mean(self, name: str) -> float | None:
        """Exact mean over all draws; None when a draw has no value (it counts as beyond any
        value, as in ``results.statistics``)."""
        if self.nans.get(name, 0) or not self.n:
            return None
        return self.sums[name] / self.n

    def share_defined(self, name: str) -> float:
        return 1.0 - self.nans.get(name, 0) / self.n if self.n else float("nan")

    def expected_shortfall(self, name: str) -> float:
        return float(np.mean(self.tails[name]))

    def yearly_mean(self, world: int, name: str) -> Array:
        """Mean over draws of a yearly variable; NaN entries (years not measured) left out."""
        total = self.yearly[world][name]
        if name == "linkage_met":
            count = self.yearly_counts[world][name]
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(count > 0, total / np.maximum(count, 1), np.nan)
        return total / self.n


def _numpy_column_sums(a: Array) -> Array:
    """``a.sum(axis=0)``, the same bits. For a C-ordered float64 array of two columns or more
    numpy adds row after row into a zeroed total, and so does ``einsum("ij->j")`` (its loop
    adds each row to the total, element by element), with less overhead per row: 29 against
    55 microseconds for 4,096 x 20 draws. A single column numpy adds pairwise: left to it."""
    width = math.prod(a.shape[1:])
    if a.ndim < 2 or a.dtype != np.float64 or width < 2 or not a.flags.c_contiguous:
        return np.asarray(a.sum(axis=0))
    return np.einsum("ij->j", a.reshape(a.shape[0], width)).reshape(a.shape[1:])
