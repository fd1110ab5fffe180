"""CPU seconds of one run in this process: ``python benchmarks/cpu_run.py [DRAWS]``.

For before/after comparisons of the engine on one core (``taskset -c 0``), where a shared
machine makes wall times move: runs ``canada-korea-2026`` with ``workers=1`` after a 10-draw
warm-up (imports, caches) and prints the process's CPU time for the run and its summary.
"""

from __future__ import annotations

import sys
import time

import evpact


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    evpact.simulate("canada-korea-2026", draws=10, seed=1)
    start = time.process_time()
    evpact.simulate("canada-korea-2026", draws=draws, seed=1, workers=1).summary()
    print(f"{time.process_time() - start:.2f}")


if __name__ == "__main__":
    main()
