"""Speed without changing a digit (issue 13): blocks on several threads give the numbers of
one thread, and a compiled model reused from the cache gives the numbers of a fresh compile."""

from __future__ import annotations

import numpy as np
import pytest

import evpact
from evpact.engine import reuse
from evpact.errors import EvpactError
from evpact.results import Results
from evpact.scenario.load import load_counterfactual, load_scenario


def assert_identical(a: Results, b: Results) -> None:
    assert a.metrics.keys() == b.metrics.keys()
    for name in a.metrics:
        np.testing.assert_array_equal(a.metrics[name].values, b.metrics[name].values, name)
    for world in ("scenario", "counterfactual"):
        da, db = getattr(a, world), getattr(b, world)
        for name in da.data_vars:
            np.testing.assert_array_equal(da[name].values, db[name].values, f"{world}.{name}")
    assert a.summary().equals(b.summary())


@pytest.mark.parametrize("sampling", ["mc", "lhs"])
def test_threads_give_the_numbers_of_one_thread(sampling: str) -> None:
    """Eight blocks of 64 draws on one, two and three threads: identical to the last digit
    (summaries are collected in draw order, each block is a pure function of its range)."""
    runs = [
        evpact.simulate(
            "canada-korea-2026", draws=500, seed=5, chunk=64, workers=w, sampling=sampling
        )
        for w in (1, 2, 3)
    ]
    assert_identical(runs[0], runs[1])
    assert_identical(runs[0], runs[2])
    assert np.ptp(runs[0].metrics["gdp_cumulative"].values) > 0  # the draws do differ


def test_workers_must_be_positive() -> None:
    with pytest.raises(EvpactError, match="workers must be at least 1"):
        evpact.simulate("canada-korea-2026", draws=10, workers=0)


def test_a_compiled_model_is_reused_only_for_the_same_scenario() -> None:
    reuse.clear()
    s = load_scenario("canada-korea-2026")
    same = load_scenario("canada-korea-2026")
    other = load_scenario("canada-korea-2026", {"deals.hmg-ontario.linkage.threshold": 0.6})
    assert reuse.compiled(s) is reuse.compiled(same)
    assert reuse.compiled(other) is not reuse.compiled(s)
    assert reuse.compiled(load_counterfactual(s)) is not reuse.compiled(s)
    # a variant of the deal leaves its counterfactual alone: compiled once for both
    assert reuse.compiled(load_counterfactual(other)) is reuse.compiled(load_counterfactual(s))


def test_a_cached_model_gives_the_numbers_of_a_fresh_compile() -> None:
    reuse.clear()
    fresh = evpact.simulate("canada-korea-2026", draws=50, seed=3)
    cached = evpact.simulate("canada-korea-2026", draws=50, seed=3)
    assert_identical(fresh, cached)


def test_a_sweep_reuses_its_counterfactual_without_changing_a_digit() -> None:
    """A candidate run after another (its counterfactual's block kept from the first) gives
    the numbers it gives alone, from nothing kept."""
    from evpact.uncertainty import montecarlo

    variant = {"deals.hmg-ontario.linkage.threshold": 0.65}
    reuse.clear()
    montecarlo.clear_kept()
    evpact.simulate("canada-korea-2026", draws=300, seed=9)
    after = evpact.simulate("canada-korea-2026", draws=300, seed=9, variant=variant)
    assert montecarlo.kept_hits() >= 1  # the counterfactual came from the first run
    reuse.clear()
    montecarlo.clear_kept()
    alone = evpact.simulate("canada-korea-2026", draws=300, seed=9, variant=variant)
    assert_identical(after, alone)
    assert not np.array_equal(  # the variant did change the scenario's world
        after.metrics["linkage_met_share"].values,
        evpact.simulate("canada-korea-2026", draws=300, seed=9).metrics["linkage_met_share"].values,
    )


FORKED_RUN = """
import json, sys, numpy as np
import evpact, evpact.api
from evpact.uncertainty import cores, montecarlo

used = []
forked = cores._forked
def spy(*args, **kwargs):
    used.append(True)
    yield from forked(*args, **kwargs)
cores._forked = spy
here = []  # blocks computed in this process (a forked worker appends to its own copy)
compute = montecarlo.compute_block
def counted(*args, **kwargs):
    here.append(True)
    return compute(*args, **kwargs)
montecarlo.compute_block = counted
evpact.api.SUBSAMPLE = 128  # keep 2 blocks of 64 draws; the other 9 only send summaries
one = evpact.simulate("canada-korea-2026", draws=700, seed=4, chunk=64, workers=1)
assert not used and len(here) == 11
here.clear()
two = evpact.simulate("canada-korea-2026", draws=700, seed=4, chunk=64, workers=2)
same = one.summary_dict() == two.summary_dict() and all(
    np.array_equal(one.metrics[k].values, two.metrics[k].values, equal_nan=True)
    for k in one.metrics
) and all(  # the kept draws' yearly arrays, written by the workers
    list(a.data_vars) == list(b.data_vars)
    and all(a[k].values.tobytes() == b[k].values.tobytes() for k in a.data_vars)
    for a, b in ((one.scenario, two.scenario), (one.counterfactual, two.counterfactual))
)
print(json.dumps({"forked": bool(used), "streamed": two.streamed, "same": same,
                  "kept": len(two.metrics["gdp_cumulative"].values), "here": len(here),
                  "numba": "numba" in sys.modules}))
"""


def test_forked_processes_give_the_numbers_of_one_thread() -> None:
    """A streamed run in a fresh (single-threaded) interpreter: all its blocks run on two
    forked processes (the kept ones write their arrays into memory shared with the caller,
    which computes none), and every statistic and kept draw matches one thread's."""
    import json
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", FORKED_RUN], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    # too few draws per worker to load the kernels: numba is not even imported (engine.jit)
    assert report == {
        "forked": True,
        "streamed": True,
        "same": True,
        "kept": 128,
        "here": 0,
        "numba": False,
    }


def test_a_streamed_run_leaves_its_kept_worlds_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A streamed run drops the ledger's per-draw totals from the blocks it reduces; the
    world-blocks kept for the next run on the same draws must keep them (the same run twice
    raised KeyError 'crown_totals' before: both blocks of both worlds were kept)."""
    import evpact.api

    monkeypatch.setattr(evpact.api, "SUBSAMPLE", 64)
    runs = [
        evpact.simulate("canada-korea-2026", draws=128, seed=2, chunk=64, workers=1)
        for _ in range(2)
    ]
    assert runs[0].streamed
    assert runs[0].summary_dict() == runs[1].summary_dict()
