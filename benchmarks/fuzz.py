"""Fuzz the scenario format on demand: N mutated bundled scenarios (default 10,000), each
either refused with evpact's own error naming a path or run with finite headline metrics.

    python benchmarks/fuzz.py [N] [SEED]

Prints counts by mutation and outcome, then any breach of the contract (exit 1 if any).
The mutations and the contract live in tests/fuzzing.py (shared with tests/test_fuzz.py).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fuzzing


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    start = time.perf_counter()
    counts, breaches = fuzzing.run_cases(n, seed)
    seconds = time.perf_counter() - start
    outcomes = sorted({o for _, o in counts})
    print(f"{n:,} cases, seed {seed}, {seconds:.0f} s")
    print("| mutation | " + " | ".join(outcomes) + " |")
    print("|---|" + "---:|" * len(outcomes))
    for kind in fuzzing.KINDS:
        row = [f"{counts[(kind, o)]:,}" for o in outcomes]
        print(f"| {kind} | " + " | ".join(row) + " |")
    total: Counter[str] = Counter()
    for (_, o), c in counts.items():
        total[o] += c
    print("| **all** | " + " | ".join(f"**{total[o]:,}**" for o in outcomes) + " |")
    for line in breaches:
        print(line)
    print(f"breaches of the contract: {len(breaches)}")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
