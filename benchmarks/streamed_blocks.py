"""What the profiling scripts share: the blocks a forked worker of a 10^6-draw run computes.

A worker keeps the memory it frees (``cores._keep_freed_memory``), plans its share of the run
(so the kernels run, or not: ``path``), and computes blocks of ``CHUNK`` draws past the kept
ones, both worlds of a scenario, with the Crown ledger's totals only.
"""

from __future__ import annotations

from typing import Any

from evpact.engine import jit
from evpact.engine.compile import Model
from evpact.engine.reuse import compiled
from evpact.scenario.load import load_counterfactual, load_scenario
from evpact.scenario.model import Scenario
from evpact.uncertainty.cores import _keep_freed_memory
from evpact.uncertainty.montecarlo import CHUNK
from evpact.uncertainty.sampling import block_uniforms, sample, uncertain_paths

DRAWS = 1_000_000
FIRST = 20  # the first block timed: past the kept draws, as a worker


def as_worker(path: str) -> None:
    """This process set up as a block worker of a 10^6-draw run, on the kernels (``jit``) or
    on numpy (anything else)."""
    _keep_freed_memory()
    jit.plan(DRAWS // 2 if path == "jit" else 0)


def worlds(name: str = "canada-korea-2026") -> tuple[Scenario, list[Model]]:
    """The scenario and the models of it and its counterfactual, as a streamed run has them."""
    scenario = load_scenario(name)
    models = [
        compiled(w, ledger_lines=False) for w in (scenario, load_counterfactual(scenario, None))
    ]
    return scenario, models


def span(i: int) -> tuple[int, int]:
    """The draws of the ``i``-th block timed."""
    return (FIRST + i) * CHUNK, (FIRST + i + 1) * CHUNK


def uniforms(models: list[Model], i: int) -> dict[str, Any]:
    """The uniforms of block ``i``, for every uncertain input of both worlds."""
    start, stop = span(i)
    paths = uncertain_paths(*(m.inputs for m in models))
    return block_uniforms(paths, 1, start, stop, DRAWS, "mc", models[0].correlations)


def inputs(models: list[Model], i: int, u: dict[str, Any] | None = None) -> list[Any]:
    """Both worlds' sampled inputs of block ``i`` (from its uniforms ``u`` if given)."""
    start, stop = span(i)
    shared: dict[str, Any] = {}
    u = uniforms(models, i) if u is None else u
    return [sample(m.inputs, 1, start, stop, shared, u=u) for m in models]
