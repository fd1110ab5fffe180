"""CPU per block of a streamed run, by stage: what a forked worker spends on one block of
``CHUNK`` draws of canada-korea-2026 and its counterfactual (the tables in RESULTS.md, "Round 2"
and "Round 3"; since Round 3 with a worker's allocator settings and the ledger's totals only,
as a worker runs them).

Run: ``python benchmarks/profile_block.py [BLOCKS]`` (default 20 blocks, after one warm-up).
Stages: the uniforms of the block, the inputs' values (inverse CDFs), the engine (both worlds),
the per-draw metrics and the streaming totals.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from evpact.engine.firms import ids as firm_ids
from evpact.engine.reuse import compiled
from evpact.engine.simulate import simulate
from evpact.metrics import draw_metrics
from evpact.scenario.load import load_counterfactual, load_scenario
from evpact.uncertainty.cores import _keep_freed_memory
from evpact.uncertainty.montecarlo import CHUNK
from evpact.uncertainty.reduce import Totals
from evpact.uncertainty.sampling import block_uniforms, sample, uncertain_paths

DRAWS = 1_000_000


def main() -> None:
    blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    _keep_freed_memory()  # the allocator settings of a block worker ...
    try:  # ... and its share of a 10^6-draw run on two cores (engine.jit, since Round 3)
        from evpact.engine import jit

        jit.plan(DRAWS // 2)
    except ImportError:  # an evpact before the kernels
        pass
    scenario = load_scenario("canada-korea-2026")
    # as a streamed run's blocks: the Crown ledger's totals only, not its lines
    worlds = (scenario, load_counterfactual(scenario, None))
    models = [compiled(w, ledger_lines=False) for w in worlds]
    firms = firm_ids(models[0].firms)  # the firms' metrics too, as a run computes them
    stages = dict.fromkeys(("uniforms", "inputs", "engine", "metrics", "totals"), 0.0)
    for i in range(blocks + 1):
        start, stop = (20 + i) * CHUNK, (21 + i) * CHUNK  # past the kept draws, as a worker
        t0 = time.process_time()
        paths = uncertain_paths(*(m.inputs for m in models))
        u = block_uniforms(paths, 1, start, stop, DRAWS, "mc", models[0].correlations)
        t1 = time.process_time()
        shared: dict[str, Any] = {}
        values = [sample(m.inputs, 1, start, stop, shared, u=u) for m in models]
        t2 = time.process_time()
        worlds = [simulate(m, v, stop - start) for m, v in zip(models, values, strict=True)]
        t3 = time.process_time()
        metrics = draw_metrics(worlds[0], worlds[1], models[0].years, scenario.price_year, firms)
        t4 = time.process_time()
        Totals(DRAWS).add(metrics, worlds)
        t5 = time.process_time()
        if i:  # the first block warms caches and lazy imports
            for stage, dt in zip(
                stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True
            ):
                stages[stage] += dt / blocks
    shown = ", ".join(f"{k} {1e3 * v:.1f}" for k, v in stages.items())
    print(f"CPU ms per block of {CHUNK} draws: {shown}; total {1e3 * sum(stages.values()):.1f}")


if __name__ == "__main__":
    main()
