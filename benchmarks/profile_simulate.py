"""cProfile of ``evpact.simulate`` on canada-korea-2026: the tables in benchmarks/RESULTS.md.

Run: ``python benchmarks/profile_simulate.py DRAWS SORT [RESTRICTION ...]``, e.g.
``0 cumtime evpact 14`` (deterministic, 10 calls, evpact functions, 14 lines) or
``100000 tottime 14`` (10^5 draws on one thread, all functions). Paths are shortened to
the package.
"""

from __future__ import annotations

import cProfile
import inspect
import io
import pstats
import sys

import evpact


def main() -> None:
    draws, sort, *limits = sys.argv[1:]
    n = int(draws)
    deterministic = n == 0
    one_thread = (
        {"workers": 1} if "workers" in inspect.signature(evpact.simulate).parameters else {}
    )
    evpact.simulate("canada-korea-2026", draws=10, seed=1)  # warm imports and caches
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(10 if deterministic else 1):
        evpact.simulate(
            "canada-korea-2026",
            draws=max(n, 1),
            seed=1,
            deterministic=deterministic,
            **one_thread,  # type: ignore[arg-type]
        )
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats(sort)
    stats.print_stats(*(int(a) if a.isdigit() else a for a in limits))
    for line in out.getvalue().splitlines():
        if line.strip() and not line.startswith(("   List reduced", "   Ordered by")):
            print(line.replace(evpact.__file__.rsplit("evpact", 1)[0], ""))


if __name__ == "__main__":
    main()
