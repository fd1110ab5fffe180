"""Wall and CPU time of an optimiser run: 5 deal terms of canada-korea-2026, 2,000 candidates
of 1,000 draws each (issue 14's target: under 3 minutes on this 2-core machine).

The machine is shared, so the load average before and after is printed with the times.

Run: ``python benchmarks/bench_optimize.py`` (``--budget N --draws N`` for other sizes;
``--profile`` profiles 60 candidates with cProfile instead and prints the top functions).
"""

from __future__ import annotations

import argparse
import os
import time

TERMS = (
    "deals.hmg-ontario.linkage.threshold=0.1:0.6",
    "deals.hmg-ontario.linkage.from=2029:2036",
    "deals.hmg-ontario.incentives.0.cap_cad=2e9:15e9",
    "deals.hmg-ontario.incentives.1.amount_cad=0:1.5e9",
    "deals.hmg-ontario.incentives.1.clawback_years=1:20",
)
OBJECTIVES = ("net_public_benefit_npv", "linkage_holds_over_deal")
CONSTRAINTS = ("fiscal_net_npv.cvar5>=-8e9",)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    from evpact.optimize.search import optimise, prepare
    from evpact.optimize.spec import parse_constraint, parse_objective, parse_term
    from evpact.scenario.load import load_scenario

    load = os.getloadavg()
    wall, cpu = time.perf_counter(), time.process_time()
    base = load_scenario("canada-korea-2026")
    design, scales = prepare(
        base,
        [parse_term(t) for t in TERMS],
        [parse_objective(o) for o in OBJECTIVES],
        [parse_constraint(c) for c in CONSTRAINTS],
        args.draws,
        args.seed,
    )
    if args.profile:
        import cProfile
        import pstats

        with cProfile.Profile() as prof:
            optimise(design, scales, 60)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        return
    found = optimise(design, scales, args.budget)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    senses = [o.sense for o in design.objectives]
    print(
        f"{len(found.candidates):,} candidates ({len(found.unique()):,} distinct) x "
        f"{args.draws:,} draws, 5 terms: wall {wall:.1f} s, CPU {cpu:.1f} s, "
        f"{1000 * wall / len(found.candidates):.1f} ms a candidate; "
        f"Pareto set {len(found.pareto(senses))}; "
        f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f} "
        f"({os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
