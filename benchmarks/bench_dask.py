"""Speed-up of a 2-worker local Dask cluster over one thread on 10^6 draws of
canada-korea-2026 (the numbers are identical; only wall time differs).

Run: ``python benchmarks/bench_dask.py [DRAWS]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

import evpact
from evpact.uncertainty.cluster import dask_client

if __name__ == "__main__":
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    evpact.simulate("canada-korea-2026", draws=10, seed=1)
    t = time.perf_counter()
    alone = evpact.simulate("canada-korea-2026", draws=draws, seed=1, workers=1)
    one = time.perf_counter() - t
    with dask_client(workers=2) as client:
        evpact.simulate("canada-korea-2026", draws=10, seed=1, client=client)  # warm workers
        t = time.perf_counter()
        spread = evpact.simulate("canada-korea-2026", draws=draws, seed=1, client=client)
        two = time.perf_counter() - t
    same = (
        all(
            np.array_equal(alone.metrics[k].values, spread.metrics[k].values, equal_nan=True)
            for k in alone.metrics
        )
        and alone.summary_dict() == spread.summary_dict()
    )
    print(
        f"{draws:,} draws: one process {one:.2f} s, 2-worker local cluster {two:.2f} s, "
        f"speed-up {one / two:.2f}x; identical results: {same}"
    )
