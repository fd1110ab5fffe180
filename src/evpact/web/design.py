"""The Design tab's request and answer: ``evpact optimize`` as a background job.

The request holds terms, objectives and constraints in the command line's own grammar and is
read by the same parser (``optimize.spec``), so the page and the CLI refuse the same inputs
with the same words; everything is checked (and the metrics looked up in a short probe run)
before a job exists, so a refused request is a 422 and leaves nothing behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import EvpactError
from ..optimize.search import Design, Search, prepare
from ..optimize.spec import parse_constraint, parse_objective, parse_term
from ..report.figures import clean, records
from ..scenario.model import Scenario

if TYPE_CHECKING:
    from .app import OptimizeRequest

#: share of the server's time limit a search may use before it stops and keeps what it found
#: (the rest is for writing the answer; the job's own deadline fails the job outright)
TIME_SHARE = 0.85


def _read(items: list[str], parse: Any, field: str) -> list[Any]:
    out = []
    for i, text in enumerate(items):
        if len(text) > 400:
            raise EvpactError("at most 400 characters", f"{field}.{i}")
        try:
            out.append(parse(text))
        except EvpactError as e:
            raise EvpactError(str(e).split(": ", 1)[-1], f"{field}.{i}") from None
    return out


def build(req: OptimizeRequest, scenario: Scenario) -> tuple[Design, list[float]]:
    """The checked design, or an ``EvpactError`` naming the request's field."""
    terms = _read(req.terms, parse_term, "terms")
    objectives = _read(req.objectives, parse_objective, "objectives")
    constraints = _read(req.constraints, parse_constraint, "constraints")
    try:
        return prepare(scenario, terms, objectives, constraints, req.draws, req.seed)
    except EvpactError as e:
        message = str(e)
        for option, field in (
            ("--term ", "terms: "),
            ("--objective", "objectives"),
            ("--constraint", "constraints"),
            ("--draws", "draws"),
        ):
            message = message.replace(option, field)
        raise EvpactError(message) from None


def answer(design: Design, found: Search, budget: int) -> dict[str, Any]:
    """The job's result: the Pareto set (each row with the ``set`` that reruns it), every
    evaluation's terms and flags, the frontier figure, and why the set is empty if it is."""
    from ..optimize import frontier

    name = design.base.name
    pareto = frontier.pareto_table(design, found, name)
    evaluations = frontier.evaluations_table(design, found)
    paths = [t.path for t in design.terms]

    def with_set(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            row["set"] = {
                t.path: (round(row[t.path]) if t.integer else row[t.path]) for t in design.terms
            }
        return rows

    message = ""
    if pareto.empty:
        feasible = sum(c.feasible for c in found.unique())
        message = (
            "No candidate met every constraint: loosen a constraint or widen a term."
            if design.constraints and feasible == 0
            else "No candidate had every objective defined."
        )
    return clean(
        {
            "scenario": name,
            "draws": design.draws,
            "seed": design.seed,
            "budget": budget,
            "evaluated": len(found.candidates),
            "distinct": len(found.unique()),
            "interrupted": found.interrupted,
            "terms": [
                {"path": t.path, "low": t.low, "high": t.high, "integer": t.integer}
                for t in design.terms
            ],
            "objectives": [o.target.label for o in design.objectives],
            "senses": [o.sense for o in design.objectives],
            "constraints": [c.label for c in design.constraints],
            "columns": [c for c in pareto.columns if c != "command"],
            "pareto": with_set(records(pareto)),
            "evaluations": with_set(
                records(evaluations[["evaluation", *paths, "feasible", "pareto"]])
            ),
            "message": message,
            "figure": frontier.figure(
                design, evaluations, frontier.chart_title(design, evaluations, pareto)
            ),
        }
    )
