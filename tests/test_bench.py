"""The draws-per-second benchmark, small: it must stay like for like (the loop agrees with the
engine on the scenario it runs), exit 0 when they agree and 1 when they do not, and keep the
summary line scripts read."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_draws_per_second.py"
SUMMARY = re.compile(r"^ratio evpact / loop: [\d,]+x \(wall\), [\d,]+x \(CPU\)$", re.M)
SMALL = ["--evpact-draws", "200", "--loop-draws", "10", "--check-draws", "20"]


def test_small_benchmark_agrees_and_prints_its_ratio() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), *SMALL], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "overall: agree" in proc.stdout
    assert "without its trade section" in proc.stdout  # says what it compares
    assert SUMMARY.search(proc.stdout), proc.stdout


def _bench() -> ModuleType:
    sys.path.insert(0, str(BENCH.parent))
    try:
        spec = importlib.util.spec_from_file_location("bench_draws_per_second", BENCH)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH.parent))


def test_a_disagreement_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = _bench()
    real = bench.compare

    def off(loop: dict[str, list[float]], engine: dict[str, object]) -> dict[str, float]:
        loop["gdp_cumulative"][3] *= 1 + 1e-6  # one metric of one draw a little off
        return real(loop, engine)  # type: ignore[no-any-return]

    monkeypatch.setattr(bench, "compare", off)
    monkeypatch.setattr(sys, "argv", ["bench", *SMALL])
    assert bench.main() == 1
    out = capsys.readouterr().out
    assert "DISAGREE" in out and SUMMARY.search(out)
