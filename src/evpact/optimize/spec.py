"""What an optimiser run asks for, read from text: terms, objectives, constraints.

One grammar for the command line and the web form, so both refuse the same inputs with the
same words:

- a term ``PATH=LOW:HIGH``: any scenario path ``vary`` accepts (``evpact run --set``), searched
  between LOW and HIGH, both inside the range the scenario model allows there;
- a target ``METRIC[.STAT]``: a metric of ``evpact run --json`` and a statistic over its draws
  (``mean`` by default; ``p5``, ``p50``, ``p95``; ``cvar5``, the mean of the lowest 5% of
  draws; ``cvar95``, the mean of the highest 5%);
- an objective ``TARGET[:max|min]`` (``max`` by default);
- a constraint ``TARGET >= NUMBER`` or ``TARGET <= NUMBER``.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..errors import EvpactError
from ..scenario.load import vary
from ..scenario.model import Scenario

STATISTICS = ("mean", "p5", "p50", "p95", "cvar5", "cvar95")
#: significant digits a term's value keeps: the optimiser evaluates exactly the value it
#: prints, so every row's ``--set`` command reruns it to the last digit
DIGITS = 6
TAIL = 0.05  # the share of draws a CVaR averages

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_CONSTRAINT = re.compile(rf"^\s*([A-Za-z0-9_.\-]+)\s*(>=|<=)\s*({_NUMBER})\s*$")


@dataclass(frozen=True)
class Term:
    """A scenario path searched between ``low`` and ``high``; ``integer`` paths (years,
    durations) are rounded to whole numbers."""

    path: str
    low: float
    high: float
    integer: bool = False

    def snap(self, value: float) -> float:
        """The value the optimiser evaluates and prints: rounded to a whole number on an
        integer path, else to ``DIGITS`` significant digits, and kept inside the bounds."""
        v = min(max(float(value), self.low), self.high)
        if self.integer:
            return float(min(max(round(v), math.ceil(self.low)), math.floor(self.high)))
        return min(max(float(f"{v:.{DIGITS}g}"), self.low), self.high)

    def text(self, value: float) -> str:
        """``value`` as ``--set`` writes it: YAML reads it back as exactly this float."""
        if self.integer:
            return str(round(value))
        return yaml_float(value)


def yaml_float(value: float) -> str:
    """Python's shortest repr, with the dot YAML 1.1 needs to read ``1e+16`` as a number."""
    text = repr(float(value))
    if "e" in text and "." not in text:
        text = text.replace("e", ".0e")
    return text


@dataclass(frozen=True)
class Target:
    """A statistic of a metric over the draws: ``net_public_benefit_npv.p5``."""

    metric: str
    stat: str = "mean"

    @property
    def label(self) -> str:
        return f"{self.metric}.{self.stat}"

    def of(self, values: np.ndarray[Any, Any]) -> float:
        """The statistic over one run's draws; NaN when it does not exist (a draw without a
        value, e.g. a break-even never reached, counts as later than any year)."""
        return statistic(values, self.stat)


@dataclass(frozen=True)
class Objective:
    target: Target
    sense: Literal["max", "min"] = "max"

    @property
    def label(self) -> str:
        return f"{self.target.label}:{self.sense}"


@dataclass(frozen=True)
class Constraint:
    target: Target
    op: Literal[">=", "<="]
    bound: float

    @property
    def label(self) -> str:
        return f"{self.target.label}{self.op}{self.bound:g}"

    def margin(self, value: float) -> float:
        """How far inside the constraint a value is (negative: violated; NaN: undefined)."""
        return value - self.bound if self.op == ">=" else self.bound - value


def statistic(values: np.ndarray[Any, Any], stat: str) -> float:
    """``stat`` over draws, as ``evpact run`` computes it (``results.statistics``) for mean
    and quantiles; NaN where a draw has no value in the part of the distribution it uses."""
    from ..results import statistics

    v = np.asarray(values, dtype=float)
    if stat in ("cvar5", "cvar95"):
        # a draw without a value sorts after every real value, as in the run's statistics
        w = np.where(np.isnan(v), np.inf, v)
        w = np.sort(w if stat == "cvar5" else -w)
        k = max(1, math.ceil(TAIL * w.size))
        tail = float(w[:k].mean())
        return (tail if stat == "cvar5" else -tail) if math.isfinite(tail) else math.nan
    value = statistics(v)[stat]
    return math.nan if value is None else float(value)


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise EvpactError(f"{what}: '{text[:40]}' is not a number") from None
    if not math.isfinite(value):
        raise EvpactError(f"{what}: '{text[:40]}' must be a finite number")
    return value


def parse_term(text: str) -> Term:
    """``PATH=LOW:HIGH`` (syntax only; ``check_terms`` asks the scenario model)."""
    path, eq, spec = text.partition("=")
    path = path.strip()
    if not eq or not path or spec.count(":") != 1:
        raise EvpactError(f"--term expects PATH=LOW:HIGH, got '{text[:80]}'")
    low_text, high_text = spec.split(":")
    low = _number(low_text.strip(), f"--term {path}")
    high = _number(high_text.strip(), f"--term {path}")
    if low >= high:
        raise EvpactError(f"--term {path}: LOW must be below HIGH, got {low:g}:{high:g}")
    return Term(path, low, high)


def parse_target(text: str, what: str) -> Target:
    metric, _, stat = text.strip().partition(".")
    stat = stat or "mean"
    if not metric:
        raise EvpactError(f"{what}: name a metric, got '{text[:80]}'")
    if stat not in STATISTICS:
        raise EvpactError(
            f"{what}: unknown statistic '{stat[:40]}' of {metric}; use one of "
            f"{', '.join(STATISTICS)}"
        )
    return Target(metric, stat)


def parse_objective(text: str) -> Objective:
    """``METRIC[.STAT][:max|min]``; maximised unless it says ``:min``."""
    body, colon, sense = text.strip().rpartition(":")
    if not colon:
        body, sense = text.strip(), "max"
    if sense not in ("max", "min"):
        raise EvpactError(f"--objective {text[:80]}: the sense is 'max' or 'min', got '{sense}'")
    return Objective(parse_target(body, f"--objective {text[:80]}"), sense)  # type: ignore[arg-type]


def parse_constraint(text: str) -> Constraint:
    """``METRIC[.STAT] >= NUMBER`` or ``<=``."""
    match = _CONSTRAINT.match(text)
    if match is None:
        raise EvpactError(
            f"--constraint expects METRIC[.STAT]>=NUMBER or METRIC[.STAT]<=NUMBER, "
            f"got '{text[:80]}'"
        )
    name, op, number = match.groups()
    target = parse_target(name, f"--constraint {text[:80]}")
    return Constraint(target, op, _number(number, f"--constraint {text[:80]}"))  # type: ignore[arg-type]


def check_terms(base: Scenario, terms: Sequence[Term]) -> list[Term]:
    """Each term checked against the scenario model at both ends (its path exists, the value
    fits the field's range), and marked integer where the field takes whole numbers only."""
    if not terms:
        raise EvpactError("an optimisation needs at least one --term PATH=LOW:HIGH")
    paths = [t.path for t in terms]
    twice = sorted({p for p in paths if paths.count(p) > 1})
    if twice:
        raise EvpactError(f"--term: each path once, got {', '.join(twice)} more than once")
    checked = []
    for term in terms:
        for end in (term.low, term.high):
            try:
                vary(base, {term.path: end})
            except EvpactError as e:
                raise EvpactError(f"--term {term.path}={term.low:g}:{term.high:g}: {e}") from None
        integer = _integer_path(base, term)
        if integer and math.ceil(term.low) > math.floor(term.high):
            raise EvpactError(
                f"--term {term.path}: takes whole numbers, and none lies in "
                f"{term.low:g}:{term.high:g}"
            )
        checked.append(Term(term.path, term.low, term.high, integer))
    return checked


def _integer_path(base: Scenario, term: Term) -> bool:
    """Whether the field takes whole numbers only: it refuses a value halfway between two
    whole numbers inside the bounds but accepts the whole number next to it."""
    whole = math.floor((term.low + term.high) / 2)
    half = whole + 0.5
    if not term.low <= half <= term.high:
        return False
    try:
        vary(base, {term.path: half})
    except EvpactError:
        try:
            vary(base, {term.path: whole if whole >= term.low else whole + 1})
        except EvpactError:
            return False
        return True
    return False


def check_targets(targets: Iterable[Target], metrics: Iterable[str], what: str) -> None:
    """Refuse a metric a run does not report, naming the closest one."""
    known = sorted(metrics)
    for target in targets:
        if target.metric not in known:
            close = difflib.get_close_matches(target.metric, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise EvpactError(
                f"{what}: '{target.metric}' is not a metric of this scenario{hint}; "
                "see the metric names of `evpact run --json`"
            )
