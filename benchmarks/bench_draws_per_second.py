"""Draws per second on one core: evpact's vectorised engine against a plain per-draw loop,
like for like.

The loop (``baseline_loop.py``) implements the model of docs/model.md sections 1-6 but not
the trade rules, so both run the same scenario the loop implements: canada-korea-2026 without
its trade section (``baseline_loop.FOUNDATION``), against its counterfactual, on the same
sampled inputs. First the loop is checked against ``evpact.simulate``: every metric of the
first ``--check-draws`` draws must agree to a relative 1e-9. Then each is timed end to end
(load, compile, sample, simulate, metrics), evpact with 100,000 draws, the loop with 2,000.

Run on one core: ``taskset -c 0 python benchmarks/bench_draws_per_second.py``
(``--evpact-draws``, ``--loop-draws``, ``--check-draws``, ``--seed`` change the defaults).
Exits with status 1 if the loop and the engine disagree; the last line reads
``ratio evpact / loop: <N>x (wall), <M>x (CPU)``.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import time
from collections.abc import Callable

from baseline_loop import FOUNDATION, METRICS, SCENARIO, SEED, compare, run  # this folder

import evpact

RTOL = 1e-9


def check(draws: int, seed: int) -> bool:
    """Every metric of the loop against the engine, draw by draw; prints the worst gap."""
    loop = run(SCENARIO, draws=draws, seed=seed, variant=FOUNDATION)
    engine = evpact.simulate(SCENARIO, draws=draws, seed=seed, variant=FOUNDATION)
    worst = compare(loop, {name: engine.metrics[name].values for name in METRICS})
    print(f"agreement, {draws} draws, seed {seed} (max relative difference, tolerance {RTOL:g}):")
    for name, gap in worst.items():
        print(f"  {name:<38}{gap:>10.2e}  {'ok' if gap <= RTOL else 'DISAGREES'}")
    ok = all(gap <= RTOL for gap in worst.values())
    print(f"  overall: {'agree' if ok else 'DISAGREE'} (worst {max(worst.values()):.2e})")
    return ok


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call. CPU time is the per-core figure
    that holds when other processes share the core; wall time is what a user waits."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evpact-draws", type=int, default=100_000)
    parser.add_argument("--loop-draws", type=int, default=2_000)
    parser.add_argument("--check-draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    changes = ", ".join(f"{k}={v}" for k, v in FOUNDATION.items())
    print(
        f"{SCENARIO} without its trade section ({changes}) against its counterfactual: the "
        f"model both implement; python {sys.version.split()[0]}; cores allowed: "
        f"{cores or 'unknown'}"
    )
    if len(cores) != 1:
        print("  (not pinned to one core: run under `taskset -c 0` for the per-core figure)")
    ok = check(args.check_draws, args.seed)

    # one thread: the per-core figure, whatever the machine's default (an evpact without the
    # option runs on one anyway)
    one_thread = (
        {"workers": 1} if "workers" in inspect.signature(evpact.simulate).parameters else {}
    )

    def engine(draws: int) -> object:
        return evpact.simulate(
            SCENARIO,
            draws=draws,
            seed=args.seed,
            variant=FOUNDATION,
            **one_thread,  # type: ignore[arg-type]
        )

    engine(10)  # warm imports and caches
    run(SCENARIO, draws=10, seed=args.seed, variant=FOUNDATION)
    cases = {
        "evpact.simulate": (args.evpact_draws, timed(lambda: engine(args.evpact_draws))),
        "per-draw Python loop": (
            args.loop_draws,
            timed(lambda: run(SCENARIO, draws=args.loop_draws, seed=args.seed, variant=FOUNDATION)),
        ),
    }
    print()
    print(f"{'':<22}{'draws':>9}{'wall s':>8}{'CPU s':>8}{'draws/s wall':>14}{'draws/s CPU':>13}")
    rates = {}
    for label, (n, (wall, cpu)) in cases.items():
        rates[label] = (n / wall, n / cpu)
        print(f"{label:<22}{n:>9,}{wall:>8.2f}{cpu:>8.2f}{n / wall:>14,.0f}{n / cpu:>13,.0f}")
    (ew, ec), (lw, lc) = rates.values()
    if not ok:
        print("the loop and the engine DISAGREE: the ratio below is not like for like")
    print(f"ratio evpact / loop: {ew / lw:,.0f}x (wall), {ec / lc:,.0f}x (CPU)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
