"""The compiled kernels (engine.kernels) give the numpy path's numbers to the last bit, so the
size threshold that picks one or the other (engine.jit) can never change a result (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from evpact.engine import jit
from evpact.engine.reuse import compiled
from evpact.engine.simulate import simulate
from evpact.metrics import draw_metrics
from evpact.scenario.load import load_counterfactual, load_scenario
from evpact.uncertainty.reduce import Totals
from evpact.uncertainty.sampling import block_uniforms, sample, uncertain_paths
from golden_runs import GOLDEN, SCENARIOS, golden_summary


def kernels_on(monkeypatch: Any, on: bool) -> None:
    """Every block through the kernels (``on``) or through numpy."""
    monkeypatch.delenv("EVPACT_JIT_FROM_DRAWS", raising=False)
    monkeypatch.setattr(jit, "JIT_FROM_DRAWS", 0 if on else 10**9)
    monkeypatch.setattr(jit, "JIT_FROM_RUN_DRAWS", 0)


def both_worlds(name: str, draws: int, lines: bool) -> list[dict[str, Any]]:
    scenario = load_scenario(name)
    models = [
        compiled(s, ledger_lines=lines) for s in (scenario, load_counterfactual(scenario, None))
    ]
    u = block_uniforms(
        uncertain_paths(*(m.inputs for m in models)), 7, 0, draws, draws, "mc",
        models[0].correlations,
    )  # fmt: skip
    shared: dict[str, Any] = {}
    values = [sample(m.inputs, 7, 0, draws, shared, u=u) for m in models]
    return [simulate(m, x, draws) for m, x in zip(models, values, strict=True)]


@pytest.mark.parametrize("lines", [False, True], ids=["totals", "lines"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_kernels_give_the_numpy_bits(name: str, lines: bool, monkeypatch: Any) -> None:
    kernels_on(monkeypatch, False)
    plain = both_worlds(name, 600, lines)
    kernels_on(monkeypatch, True)
    fused = both_worlds(name, 600, lines)
    for a, b in zip(plain, fused, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            x, y = np.asarray(a[key]), np.asarray(b[key])
            assert x.shape == y.shape, key
            assert x.tobytes() == y.tobytes(), key  # bit for bit, NaN and -0.0 included


@pytest.mark.parametrize("name", SCENARIOS)
def test_metrics_and_totals_give_the_numpy_bits(name: str, monkeypatch: Any) -> None:
    """Per-draw metrics (row sums, break-even years) and the streaming totals (column sums)
    of the same worlds, through the kernels and through numpy."""
    worlds = both_worlds(name, 700, False)
    years = load_scenario(name)
    out = []
    for on in (False, True):
        kernels_on(monkeypatch, on)
        metrics = draw_metrics(worlds[0], worlds[1], compiled(years).years, years.price_year)
        totals = Totals(700)
        totals.add(metrics, worlds)
        out.append((metrics, totals))
    (m0, t0), (m1, t1) = out
    for key, m in m0.items():
        assert m.values.tobytes() == m1[key].values.tobytes(), key
    for w0, w1 in zip(t0.yearly, t1.yearly, strict=True):
        for key, total in w0.items():
            assert np.asarray(total).tobytes() == np.asarray(w1[key]).tobytes(), key


def test_sums_in_numpy_order_on_every_layout() -> None:
    """Row and column sums of every array a world holds, and of views (broadcast, strided,
    negative zero, NaN, a single column), as numpy adds them."""
    from evpact.engine import kernels

    rng = np.random.default_rng(5)
    base = rng.normal(size=(300, 40)) * 10.0 ** rng.integers(-3, 9, size=(300, 40))
    base[3, 5] = np.nan
    cases = [
        base,
        base[:, :20],  # strided rows
        base[:, :7],  # fewer than eight years: sequential
        base[:, :16],  # exactly two blocks of eight
        np.full((5, 20), -0.0),
        np.broadcast_to(base[:, :1], (300, 20)),
        np.broadcast_to(base[:1, :20], (300, 20)),
        base[:, :1],
        rng.normal(size=(300, 3, 20)),
    ]
    cases += [np.asarray(a) for a in both_worlds("canada-korea-2026", 300, False)[0].values()]
    for a in cases:
        if a.dtype != np.float64 or a.ndim < 2:
            continue
        assert kernels.sums_over_draws(a).tobytes() == a.sum(axis=0).tobytes()
        if a.ndim == 2:
            assert kernels.sums_over_years(a).tobytes() == a.sum(axis=1).tobytes()


def test_breakeven_year_by_hand() -> None:
    """Balances whose break-even year is known, through the kernel and numpy."""
    from evpact.engine import fiscal, kernels

    years = np.arange(2026.0, 2031.0)
    net = np.array(
        [
            [-5.0, 1.0, 2.0, 3.0, 1.0],  # cumulative -5, -4, -2, 1, 2: from 2029
            [1.0, 1.0, 1.0, 1.0, 1.0],  # never negative: the first year
            [-1.0, -1.0, 0.0, 0.0, 0.0],  # still negative at the end: NaN
            [np.nan, 1.0, 1.0, 1.0, 1.0],  # no value: never below the (NaN) tolerance
            [-1e-9, 0.0, 0.0, 0.0, 0.0],  # within 1e-6 of zero: not negative
        ]
    )
    got = kernels.breakeven_year(net, years)
    np.testing.assert_array_equal(got, [2029.0, 2026.0, np.nan, 2026.0, 2026.0])
    plain = fiscal.breakeven_year(net, years)  # 5 draws: numpy
    assert plain.tobytes() == got.tobytes()


@pytest.mark.parametrize("name", SCENARIOS)
def test_golden_summaries_through_the_kernels(name: str, monkeypatch: Any) -> None:
    """The golden runs (300 draws) take the numpy path by default; forced through the kernels
    they give the same summaries exactly."""
    kernels_on(monkeypatch, True)
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    assert json.loads(json.dumps(golden_summary(name))) == expected


def test_kernels_keep_nan_and_limits(monkeypatch: Any) -> None:
    """Edge values the engine can meet, by hand: a NaN purchase share stays NaN, shares outside
    [0, 1] are clipped, a zero direct effect leaves nothing indirect or induced; the numpy
    path agrees bit for bit."""
    from evpact.engine import economy, kernels

    direct = np.array([[1.0, 0.0, 2.0, 3.0, np.nan]])
    simple, total = np.full((1, 5), 1.5), np.full((1, 5), 2.25)
    bought = np.array([[np.nan, 0.3, -1.0, 2.0, 0.5]])
    indirect, induced = kernels.layered(direct, simple, total, bought, (1, 5))
    # d (s - 1)(1 - clip(p)): NaN, 0, 2 x 0.5 x 1, 3 x 0.5 x 0, NaN
    np.testing.assert_array_equal(indirect, [[np.nan, 0.0, 1.0, 0.0, np.nan]])
    # d (t - s) x (d + indirect) / (d + d (s - 1)): 0; 1.5 x 3/3; 2.25 x 3/4.5
    np.testing.assert_allclose(induced[0, 1:4], [0.0, 1.5, 1.5], rtol=1e-15)
    kernels_on(monkeypatch, False)
    plain = economy.layered(direct, simple, total, bought)
    assert plain.indirect.tobytes() == indirect.tobytes()
    assert plain.induced.tobytes() == induced.tobytes()


def test_small_runs_do_not_import_numba() -> None:
    """A deterministic run stays on numpy: no numba import, no JIT compile to wait for."""
    probe = (
        "import sys, evpact; evpact.simulate('canada-korea-2026', deterministic=True);"
        "print('numba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("draws", "loaded"), [(500, False), (700, True)])
def test_only_big_runs_load_the_kernels(draws: int, loaded: bool) -> None:
    """A process loads numba only for a run of which it computes at least
    ``JIT_FROM_RUN_DRAWS`` draws itself (here lowered to 600, blocks of 256)."""
    probe = (
        "import sys, evpact, evpact.engine.jit as jit;"
        "jit.JIT_FROM_DRAWS, jit.JIT_FROM_RUN_DRAWS = 256, 600;"
        f"evpact.simulate('canada-korea-2026', draws={draws}, seed=1, chunk=256, workers=1);"
        "print('numba' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "EVPACT_JIT_FROM_DRAWS"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(loaded)


def test_read_only_install_caches_elsewhere(tmp_path: Path) -> None:
    """Where the package directory is not writable, numba's cache goes to the user's cache
    directory and a big block still runs (with the same numbers)."""
    probe = """
import os, sys
from pathlib import Path
import evpact.engine.jit as jit
here = Path(jit.__file__).parent
real = os.access
blocked = (here, here / "__pycache__")
os.access = lambda p, mode, **k: Path(p) not in blocked and real(p, mode, **k)
import evpact
from evpact.uncertainty.montecarlo import clear_kept
def mean():
    clear_kept()  # recompute the worlds, not the last run's kept blocks
    r = evpact.simulate("canada-korea-2026", draws=64, seed=3, workers=1)
    return r.summary_dict()["metrics"]["fiscal_net_npv"]["mean"]
plain = mean()
jit.JIT_FROM_DRAWS = 0
jit.JIT_FROM_RUN_DRAWS = 0
fused = mean()
print(os.environ.get("NUMBA_CACHE_DIR"), plain == fused, "numba" in sys.modules)
"""
    env = {
        k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "EVPACT_JIT_FROM_DRAWS")
    }
    env["XDG_CACHE_HOME"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=600
    )
    assert out.returncode == 0, out.stderr
    cache, same, used = out.stdout.split()
    assert Path(cache) == tmp_path / "evpact" / "numba"
    assert any(Path(cache).rglob("*.nbi"))  # the kernels were cached there
    assert (same, used) == ("True", "True")


FORKED_KERNELS = """
import json, os, sys, numpy as np
import evpact, evpact.api
from evpact.engine import jit

log = sys.argv[1]
chosen = jit.compiled_for
def spy(draws):
    k = chosen(draws)
    if k is not None:
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\\n")
    return k
jit.compiled_for = spy
evpact.api.SUBSAMPLE = 128  # keep 2 blocks of 64 draws; the other 9 only send summaries
jit.JIT_FROM_DRAWS, jit.JIT_FROM_RUN_DRAWS = 64, 200  # workers compute 288 draws each
two = evpact.simulate("canada-korea-2026", draws=700, seed=4, chunk=64, workers=2)
jit.JIT_FROM_DRAWS = 10**9  # numpy everywhere
plain = evpact.simulate("canada-korea-2026", draws=700, seed=4, chunk=64, workers=1)
same = two.summary_dict() == plain.summary_dict() and all(
    two.metrics[k].values.tobytes() == plain.metrics[k].values.tobytes() for k in two.metrics
)
pids = {int(p) for p in open(log).read().split()} if os.path.exists(log) else set()
print(json.dumps({"same": same, "here": os.getpid() in pids, "workers": len(pids - {os.getpid()})}))
"""


def test_forked_workers_use_the_kernels_with_the_same_numbers(tmp_path: Path) -> None:
    """A streamed run whose forked workers compute enough draws to load the kernels (the
    thresholds lowered), while the calling process keeps numpy for its kept blocks: every
    statistic and kept metric equals an all-numpy run's."""
    env = {k: v for k, v in os.environ.items() if k != "EVPACT_JIT_FROM_DRAWS"}
    proc = subprocess.run(
        [sys.executable, "-c", FORKED_KERNELS, str(tmp_path / "pids")],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report == {"same": True, "here": False, "workers": 2}


def test_numba_cache_goes_to_the_first_writable_cache_dir(tmp_path: Path, monkeypatch: Any) -> None:
    """In a read-only install the cache goes to $XDG_CACHE_HOME/evpact/numba, else
    ~/.cache/evpact/numba; a writable install or an explicit NUMBA_CACHE_DIR is left alone.
    In process (the subprocess probe above cannot see a mutated ``jit``)."""
    package = Path(jit.__file__).parent
    real_access = os.access

    def read_only_package(path: Any, mode: int) -> bool:
        return not Path(path).is_relative_to(package) and real_access(path, mode)

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    jit.set_cache_dir()  # the package itself is writable here: nothing to do
    assert "NUMBA_CACHE_DIR" not in os.environ

    monkeypatch.setattr(jit.os, "access", read_only_package)
    jit.set_cache_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "xdg" / "evpact" / "numba")
    assert (tmp_path / "xdg" / "evpact" / "numba").is_dir()

    jit.set_cache_dir()  # an explicit (here: the previous) choice wins
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "xdg" / "evpact" / "numba")
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    jit.set_cache_dir()  # the next start finds the folder it made: the same cache again
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "xdg" / "evpact" / "numba")

    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME")
    jit.set_cache_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "home" / ".cache" / "evpact" / "numba")


def test_jit_thresholds_come_from_the_environment(monkeypatch: Any) -> None:
    """EVPACT_JIT_FROM_DRAWS sets the block threshold and drops the run threshold; unset or
    not a number, the defaults stand (1,024 draws a block, 2**18 a run)."""
    monkeypatch.delenv("EVPACT_JIT_FROM_DRAWS", raising=False)
    assert jit.thresholds() == (1024, 2**18)
    monkeypatch.setenv("EVPACT_JIT_FROM_DRAWS", " 64 ")
    assert jit.thresholds() == (64, 0)
    monkeypatch.setenv("EVPACT_JIT_FROM_DRAWS", "many")
    assert jit.thresholds() == (1024, 2**18)
