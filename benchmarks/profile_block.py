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

import streamed_blocks  # this folder

from evpact.engine.firms import ids as firm_ids
from evpact.engine.simulate import simulate
from evpact.metrics import draw_metrics
from evpact.uncertainty.montecarlo import CHUNK
from evpact.uncertainty.reduce import Totals


def main() -> None:
    blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    streamed_blocks.as_worker("jit")  # a block worker's allocator and share of the run
    scenario, models = streamed_blocks.worlds()  # the Crown ledger's totals only
    firms = firm_ids(models[0].firms)  # the firms' metrics too, as a run computes them
    stages = dict.fromkeys(("uniforms", "inputs", "engine", "metrics", "totals"), 0.0)
    for i in range(blocks + 1):
        t0 = time.process_time()
        u = streamed_blocks.uniforms(models, i)
        t1 = time.process_time()
        values = streamed_blocks.inputs(models, i, u)
        t2 = time.process_time()
        worlds = [simulate(m, v, CHUNK) for m, v in zip(models, values, strict=True)]
        t3 = time.process_time()
        metrics = draw_metrics(worlds[0], worlds[1], models[0].years, scenario.price_year, firms)
        t4 = time.process_time()
        Totals(streamed_blocks.DRAWS).add(metrics, worlds)
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
