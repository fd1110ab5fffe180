"""The speed targets of issue 13, one line each: CLI start-up, a deterministic run in process
and from the CLI, 10^6 draws in process and from the CLI (wall, CPU and peak memory), and a
sweep of candidate deals. Each case runs in a fresh process, so its imports and peak memory
are its own.

Run: ``python benchmarks/bench_speed.py [--cases help,cli-det,det,1e6,cli-1e6,sweep]``.
The 10^6 cases also report ``tree_peak_pss_mib``: the peak proportional set size of the
run's whole process tree (caller and forked workers, sampled every 0.5 s; a page shared
between them counted once), the memory the run takes from the machine.
``--workers N`` runs the 10^6 cases (default: every core) and the sweep (default: one) on N
cores.
``--candidates`` sets how many sweep candidates are timed (the per-candidate time is then
scaled to 2,000). Set ``PYTHONPATH=/path/to/other/src`` to measure another checkout of evpact
with the same script (how the "before" figures in RESULTS.md were taken).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENARIO = "canada-korea-2026"
CLI = [sys.executable, "-c", "from evpact.cli import main; main()"]


def _child_usage() -> tuple[float, float]:
    """(CPU seconds, peak RSS MiB) of the children waited for so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024


def cli(args: list[str], repeat: int) -> dict[str, float]:
    """Best and median wall time of a CLI command, end to end (interpreter start included),
    and its median CPU time (steadier than wall on a shared machine)."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu0, _ = _child_usage()
        t = time.perf_counter()
        subprocess.run([*CLI, *args], check=True, capture_output=True)
        walls.append(time.perf_counter() - t)
        cpus.append(_child_usage()[0] - cpu0)
    return {
        "best_s": min(walls),
        "median_s": statistics.median(walls),
        "cpu_median_s": statistics.median(cpus),
    }


def cli_big(draws: int, workers: int | None) -> dict[str, float]:
    """One CLI run of ``draws`` draws with its files: wall, CPU (all threads) and peak RSS."""
    with tempfile.TemporaryDirectory() as out:
        cpu0, _ = _child_usage()
        t = time.perf_counter()
        _, tree = run_sampled(
            [*CLI, "run", "-n", str(draws), "--json", "--out", out, *_workers(workers)]
        )
        wall = time.perf_counter() - t
        cpu1, peak = _child_usage()
    return {"wall_s": wall, "cpu_s": cpu1 - cpu0, "peak_mib": peak, "tree_peak_pss_mib": tree}


def _tree(pid: int) -> list[int]:
    """``pid`` and its live descendants (Linux ``/proc``)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # exited meanwhile
                todo.extend(int(c) for c in task.read_text().split())
    return found


def _pss_mib(pids: list[int]) -> float:
    """Proportional set size of ``pids`` together: each shared page (the kept arrays a
    streamed run's workers write into memory shared with the caller) counted once."""
    kib = 0
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        kib += next(
            (int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:")), 0
        )
    return kib / 1024


def run_sampled(command: list[str]) -> tuple[str, float]:
    """Run ``command`` to the end; its standard output and the peak of the PSS of its
    process tree (NaN where ``/proc`` has no ``smaps_rollup``), sampled every 0.5 s."""
    peak = float("nan")
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        if Path(f"/proc/{proc.pid}/smaps_rollup").exists():
            peak = 0.0
            while proc.poll() is None:
                peak = max(peak, _pss_mib(_tree(proc.pid)))
                time.sleep(0.5)
        out, _ = proc.communicate()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, command)
    return out, peak


def _workers(workers: int | None) -> list[str]:
    return [] if workers is None else ["--workers", str(workers)]


def in_process(case: str, candidates: int, workers: int | None) -> dict[str, float]:
    """A case run in this process (called in a fresh child by ``main``)."""
    import evpact

    evpact.simulate(SCENARIO, draws=10, seed=1)  # warm imports and caches
    if case == "det":
        scenario = evpact.load_scenario(SCENARIO)
        out = {}
        for label, arg in (("by_name", SCENARIO), ("scenario_object", scenario)):
            walls = []
            for _ in range(30):
                t = time.perf_counter()
                evpact.simulate(arg, deterministic=True)
                walls.append(time.perf_counter() - t)
            out[f"{label}_median_ms"] = 1e3 * statistics.median(walls)
            out[f"{label}_best_ms"] = 1e3 * min(walls)
        return out
    if case == "1e6":
        t, c = time.perf_counter(), time.process_time()
        options = {} if workers is None else {"workers": workers}
        evpact.simulate(SCENARIO, draws=1_000_000, seed=1, **options).summary()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "wall_s": wall,
            "cpu_s": cpu,  # this process only
            "workers_cpu_s": children.ru_utime + children.ru_stime,  # forked block workers
            "peak_mib": peak,
            "worker_peak_mib": children.ru_maxrss / 1024,  # the largest worker
        }
    if case == "sweep":
        from evpact.optimize.sweep import sweep

        thresholds = [round(0.2 + 0.6 * i / max(candidates - 1, 1), 6) for i in range(candidates)]
        t, c = time.perf_counter(), time.process_time()
        cores = {} if workers is None else {"workers": workers}  # the sweep's cores
        grid = {"deals.hmg-ontario.linkage.threshold": thresholds}
        sweep(SCENARIO, grid, draws=1000, seed=1, **cores)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers_cpu = children.ru_utime + children.ru_stime  # forked sweep workers, if any
        return {
            "candidates": candidates,
            "wall_s": wall,
            "cpu_s": cpu,
            "workers_cpu_s": workers_cpu,
            "wall_s_per_2000": wall / candidates * 2000,
            "cpu_s_per_2000": (cpu + workers_cpu) / candidates * 2000,
        }
    raise ValueError(case)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="help,cli-det,det,1e6,cli-1e6,sweep")
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument(
        "--workers", type=int, help="cores of the 10^6 cases (default: all) and the sweep"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(in_process(args.child, args.candidates, args.workers)))
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {sys.version.split()[0]}, {cores} cores allowed, load average {load:.2f}")
    for case in args.cases.split(","):
        if case == "help":
            res = cli(["--help"], 5)
        elif case == "cli-det":
            with tempfile.TemporaryDirectory() as out:
                res = cli(["run", "--deterministic", "--json", "--out", out], 5)
        elif case == "cli-1e6":
            res = cli_big(1_000_000, args.workers)
        else:
            out, tree = run_sampled(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    case,
                    "--candidates",
                    str(args.candidates),
                    *_workers(args.workers),
                ]
            )
            res = json.loads(out.strip().splitlines()[-1])
            if case == "1e6":  # the whole run's memory, its forked workers included
                res["tree_peak_pss_mib"] = tree
        shown = ", ".join(f"{k} {v:,.3g}" for k, v in res.items())
        print(f"{case:<8} {shown}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
