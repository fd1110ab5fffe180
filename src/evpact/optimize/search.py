"""Multi-objective search over deal terms: NSGA-II (pymoo) through one evaluate hook.

``search`` knows nothing of evpact: it hands candidate term vectors to an ``Evaluate`` hook
and gets objective values and constraint margins back, so the same loop is checked against
a test problem with a known front (tests/test_optimize.py) and runs evpact's scenarios
(``scenario_hook``). Each candidate runs the scenario with the same seed and draws, so
candidates differ by their terms only (common random numbers), and the whole search is
reproducible from its seed: pymoo's generator is seeded, the engine's streams are the run's.

The Pareto set is taken over every feasible candidate evaluated, not only the last
population, so nothing found along the way is lost and a stopped search still has one.
"""

from __future__ import annotations

import dataclasses
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import EvpactError
from ..scenario.model import Scenario
from .spec import Constraint, Objective, Target, Term

#: an evaluation: candidate term values -> (objective values, constraint margins); a margin
#: is negative when violated, NaN (and an objective NaN) when the statistic does not exist
Evaluate = Callable[[Sequence[float]], tuple[Sequence[float], Sequence[float]]]
Progress = Callable[[int, int], None]

MIN_BUDGET = 4
MAX_BUDGET = 100_000
#: draws per candidate: every draw is kept up to the streaming threshold, so each statistic
#: is the one ``evpact run`` prints for the same draws (reduce.SUBSAMPLE)
MAX_DRAWS = 65_536
#: penalty (in scaled constraint units) of a candidate whose values cannot be computed
UNDEFINED = 1e3


def check_sizes(draws: int, budget: int) -> None:
    """Refuse draws or a budget outside what the optimiser takes (before anything runs)."""
    if not 1 <= draws <= MAX_DRAWS:
        raise EvpactError(f"--draws must be 1 to {MAX_DRAWS:,} per candidate, got {draws:,}")
    if not MIN_BUDGET <= budget <= MAX_BUDGET:
        raise EvpactError(f"--budget must be {MIN_BUDGET} to {MAX_BUDGET:,}, got {budget:,}")


class _OutOfTime(Exception):
    """The search's time is up, or Ctrl-C was pressed: it stops, keeping what it found."""


class CandidateError(EvpactError):
    """A candidate the scenario model refuses (a value valid at the bounds but not with the
    other terms): recorded as infeasible, the search goes on."""


@dataclass(frozen=True)
class Candidate:
    """One evaluated candidate: its term values, objective values, constraint margins."""

    terms: tuple[float, ...]
    objectives: tuple[float, ...]
    margins: tuple[float, ...]
    error: str | None = None

    @property
    def feasible(self) -> bool:
        values = (*self.objectives, *self.margins)
        return (
            self.error is None
            and all(math.isfinite(v) for v in values)
            and all(m >= 0 for m in self.margins)
        )


@dataclass
class Search:
    """Every candidate in the order evaluated (repeats included), and how the search ended."""

    candidates: list[Candidate] = field(default_factory=list)
    interrupted: bool = False

    def unique(self) -> list[Candidate]:
        """Each distinct term vector once, first evaluation kept."""
        seen: dict[tuple[float, ...], Candidate] = {}
        for c in self.candidates:
            seen.setdefault(c.terms, c)
        return list(seen.values())

    def pareto(self, senses: Sequence[str]) -> list[Candidate]:
        """The feasible distinct candidates no other feasible one dominates."""
        pool = [c for c in self.unique() if c.feasible]
        if not pool:
            return []
        f = minimised([c.objectives for c in pool], senses)
        return [c for c, keep in zip(pool, non_dominated(f), strict=True) if keep]


def minimised(values: Sequence[Sequence[float]], senses: Sequence[str]) -> np.ndarray[Any, Any]:
    """Objective values turned into quantities to minimise (maximised ones negated)."""
    sign = np.array([-1.0 if s == "max" else 1.0 for s in senses])
    return np.asarray(values, dtype=float).reshape(-1, len(senses)) * sign


def non_dominated(f: np.ndarray[Any, Any], chunk: int = 512) -> np.ndarray[Any, Any]:
    """Rows of ``f`` (to minimise) that no other row dominates: no worse in every column and
    better in one. Vectorised over a chunk of rows at a time (memory: chunk x rows x cols)."""
    keep = np.ones(len(f), dtype=bool)
    for start in range(0, len(f), chunk):
        rows = f[start : start + chunk, None, :]  # (chunk, 1, k) against (1, n, k)
        no_worse = np.all(f[None, :, :] <= rows, axis=2)
        better = np.any(f[None, :, :] < rows, axis=2)
        keep[start : start + chunk] = ~np.any(no_worse & better, axis=1)
    return keep


def population_size(terms: int, budget: int) -> int:
    """NSGA-II's population: ten per term, 20 to 100 (assumption: pymoo's default is 100;
    a smaller one gives a small budget more generations), never more than the budget."""
    return min(budget, max(20, min(100, 10 * terms)))


def search(
    evaluate: Evaluate,
    terms: Sequence[Term],
    senses: Sequence[str],
    scales: Sequence[float],
    budget: int,
    seed: int,
    *,
    population: int | None = None,
    progress: Progress | None = None,
    seconds: float | None = None,
) -> Search:
    """NSGA-II over ``terms`` for at most ``budget`` evaluations; ``senses`` says for each
    objective ``max`` or ``min``, ``scales`` for each constraint the size its margin is
    divided by, so constraints in dollars and in shares weigh alike in the violation.

    Ctrl-C (KeyboardInterrupt), or ``seconds`` of wall time, stops the search and returns
    what was evaluated, marked ``interrupted``; any other error propagates."""
    check_sizes(1, budget)
    if not senses:
        raise EvpactError("an optimisation needs at least one --objective")
    from pymoo.algorithms.moo.nsga2 import NSGA2  # type: ignore[import-untyped]
    from pymoo.core.problem import Problem  # type: ignore[import-untyped]
    from pymoo.core.repair import Repair  # type: ignore[import-untyped]

    result = Search()
    cache: dict[tuple[float, ...], Candidate] = {}
    sign = np.array([-1.0 if s == "max" else 1.0 for s in senses])
    scale = np.array([s if s > 0 and math.isfinite(s) else 1.0 for s in scales])

    stop_at = None if seconds is None else time.monotonic() + seconds
    interrupted = threading.Event()

    def one(x: Sequence[float]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        if interrupted.is_set() or (stop_at is not None and time.monotonic() > stop_at):
            raise _OutOfTime
        key = tuple(t.snap(v) for t, v in zip(terms, x, strict=True))
        if key not in cache:
            try:
                objectives, margins = evaluate(key)
                cache[key] = Candidate(
                    key, tuple(map(float, objectives)), tuple(map(float, margins))
                )
            except CandidateError as e:  # a value inside the bounds the model refuses
                nan = (math.nan,)
                cache[key] = Candidate(key, nan * len(senses), nan * len(scale), str(e))
        c = cache[key]
        result.candidates.append(c)
        if progress:
            progress(len(result.candidates), budget)
        f = np.asarray(c.objectives) * sign
        g = -np.asarray(c.margins, dtype=float) / scale
        undefined = not np.all(np.isfinite(f)) or c.error is not None
        # an undefined objective cannot be ranked: the candidate counts as infeasible
        f = np.where(np.isfinite(f), f, 0.0)
        g = np.where(np.isfinite(g), g, UNDEFINED)
        return f, np.append(g, UNDEFINED if undefined else 0.0)

    class Snap(Repair):  # type: ignore[misc]
        """Candidates on the values evaluated (whole numbers, DIGITS significant digits),
        so NSGA-II sees repeats as repeats and drops them."""

        def _do(self, problem: Any, X: Any, **kwargs: Any) -> Any:
            return np.array([[t.snap(v) for t, v in zip(terms, row, strict=True)] for row in X])

    class Deal(Problem):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(
                n_var=len(terms),
                n_obj=len(senses),
                n_ieq_constr=len(scale) + 1,
                xl=np.array([t.low for t in terms]),
                xu=np.array([t.high for t in terms]),
            )

        def _evaluate(self, X: Any, out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
            rows = [one(x) for x in X]  # a loop over candidates; each runs vectorised draws
            out["F"] = np.array([r[0] for r in rows])
            out["G"] = np.array([r[1] for r in rows])

    size = population or population_size(len(terms), budget)
    algorithm = NSGA2(pop_size=min(size, budget), repair=Snap(), eliminate_duplicates=True)
    algorithm.setup(Deal(), termination=("n_eval", budget), seed=seed, verbose=False)
    with _ctrl_c(interrupted):
        try:
            while algorithm.has_next():
                left = budget - algorithm.evaluator.n_eval
                if algorithm.n_gen is not None and left < algorithm.n_offsprings:
                    algorithm.n_offsprings = left  # the last generation fits the budget
                algorithm.next()
        except (KeyboardInterrupt, _OutOfTime):
            result.interrupted = True
    return result


@contextmanager
def _ctrl_c(flag: threading.Event) -> Iterator[None]:
    """Ctrl-C sets ``flag`` and the search stops before its next candidate, instead of a
    KeyboardInterrupt landing anywhere: raised inside a library's callback it comes back as
    that library's error (pydantic wraps it in a serialization error), not as an interrupt.
    A second Ctrl-C interrupts at once. Only the main thread can handle signals; elsewhere
    (a web job) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if flag.is_set():
            raise KeyboardInterrupt
        flag.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# --- evpact's hook ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """An optimiser run on a scenario: what it varies, what it wants, what it must keep."""

    base: Scenario
    terms: tuple[Term, ...]
    objectives: tuple[Objective, ...]
    constraints: tuple[Constraint, ...]
    draws: int
    seed: int
    #: the counterfactual every candidate shares, when the terms are all deal terms (a deal's
    #: terms never reach the world without it): read and validated once, not per candidate
    counterfactual: Scenario | None = None
    #: each objective's and constraint's unit, as the run reports it (``CAD_2026``: present
    #: values in dollars of the price year)
    units: tuple[str, ...] = ()

    @property
    def targets(self) -> list[Target]:
        return [o.target for o in self.objectives] + [c.target for c in self.constraints]

    def run_metrics(self, values: Sequence[float]) -> dict[str, np.ndarray[Any, Any]]:
        """Every metric per draw for the scenario with these term values."""
        from ..api import simulate
        from ..scenario.load import load_counterfactual, vary

        variant = {t.path: _typed(t, v) for t, v in zip(self.terms, values, strict=True)}
        try:  # as simulate(base, variant=...) does, but a refusal is the candidate's own
            scenario = vary(self.base, variant)
            counterfactual = self.counterfactual or load_counterfactual(scenario, variant)
        except EvpactError as e:
            raise CandidateError(str(e)) from None
        metrics = simulate(
            scenario,
            self.draws,
            self.seed,
            counterfactual=counterfactual,
            metrics_only=True,  # per-draw metrics, without datasets or kept arrays
            workers=1,
        )
        return {name: m.values for name, m in metrics.items()}

    def evaluate(self, values: Sequence[float]) -> tuple[list[float], list[float]]:
        """The hook ``search`` calls: objective values and constraint margins."""
        metrics = self.run_metrics(values)
        objectives = [o.target.of(metrics[o.target.metric]) for o in self.objectives]
        margins = [c.margin(c.target.of(metrics[c.target.metric])) for c in self.constraints]
        return objectives, margins

    def command(self, scenario: str, values: Sequence[float]) -> str:
        """The ``evpact run`` command that reruns one candidate exactly."""
        sets = " ".join(
            f"--set {t.path}={t.text(v)}" for t, v in zip(self.terms, values, strict=True)
        )
        return f"evpact run {scenario} --draws {self.draws} --seed {self.seed} {sets}"


def _typed(term: Term, value: float) -> float | int:
    return round(value) if term.integer else float(value)


def prepare(
    base: Scenario,
    terms: Sequence[Term],
    objectives: Sequence[Objective],
    constraints: Sequence[Constraint],
    draws: int,
    seed: int,
) -> tuple[Design, list[float]]:
    """A checked design and its constraints' scales: the base scenario runs once (few draws)
    so unknown metrics are refused before any search, and each constraint's margin is
    scaled by the larger of its bound and the base run's value."""
    from .spec import check_targets, check_terms

    check_sizes(draws, MIN_BUDGET)
    if not objectives:
        raise EvpactError("an optimisation needs at least one --objective METRIC[:max|min]")
    from ..api import simulate
    from ..scenario.load import load_counterfactual

    deal_terms = all(t.path.startswith("deals.") for t in terms)
    design = Design(
        base,
        tuple(check_terms(base, terms)),
        tuple(objectives),
        tuple(constraints),
        draws,
        seed,
        load_counterfactual(base) if deal_terms else None,
    )

    probe = simulate(base, draws=min(draws, 64), seed=seed).metrics
    check_targets([o.target for o in objectives], probe, "--objective")
    check_targets([c.target for c in constraints], probe, "--constraint")
    design = dataclasses.replace(design, units=tuple(probe[t.metric].unit for t in design.targets))
    scales = []
    for c in constraints:
        level = c.target.of(probe[c.target.metric].values)
        scales.append(max(abs(c.bound), abs(level) if math.isfinite(level) else 0.0) or 1.0)
    return design, scales


def optimise(
    design: Design,
    scales: Sequence[float],
    budget: int,
    *,
    population: int | None = None,
    progress: Progress | None = None,
    seconds: float | None = None,
) -> Search:
    """``search`` over a checked design (see ``prepare``)."""
    return search(
        design.evaluate,
        design.terms,
        [o.sense for o in design.objectives],
        scales,
        budget,
        design.seed,
        population=population,
        progress=progress,
        seconds=seconds,
    )
