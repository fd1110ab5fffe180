"""Wall time and peak memory of canada-korea-2026: deterministic, 10^4, 10^5 and 10^6 draws.

Runs past 65,536 draws stream (flat memory): cost should grow linearly, memory stay flat.

Run: ``python benchmarks/bench_run.py`` (each case in a fresh process, so peak memory is its own).
Pin to one core for the per-core figure: ``taskset -c 0 python benchmarks/bench_run.py``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

CASES = {"deterministic": 0, "10k draws": 10_000, "100k draws": 100_000, "1M draws": 1_000_000}


def one(draws: int) -> dict[str, float]:
    import evpact

    evpact.simulate("canada-korea-2026", draws=10, seed=1)  # warm caches and imports
    t = time.perf_counter()
    r = evpact.simulate("canada-korea-2026", draws=max(draws, 1), seed=1, deterministic=draws == 0)
    r.summary()
    wall = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": wall, "peak_mb": peak_mb}


if __name__ == "__main__":
    if len(sys.argv) == 2:
        print(json.dumps(one(int(sys.argv[1]))))
        sys.exit(0)
    print(f"{'case':<15}{'wall (s)':>10}{'peak RSS (MB)':>16}")
    for label, draws in CASES.items():
        out = subprocess.run(
            [sys.executable, __file__, str(draws)], capture_output=True, text=True, check=True
        )
        res = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{label:<15}{res['seconds']:>10.3f}{res['peak_mb']:>16.0f}")
