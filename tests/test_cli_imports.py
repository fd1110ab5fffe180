"""The commands that never simulate stay instant: they must not import the heavy libraries
(issue 13). Checked on ``sys.modules`` in a fresh interpreter, not on time, so the test holds
on a loaded machine and fails the day someone adds a top-level import of a heavy module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: plotting, labelled arrays, clusters, statistics: what a listing or a check does not need
HEAVY = (
    "matplotlib",
    "plotly",
    "xarray",
    "dask",
    "distributed",
    "scipy.stats",
    "scipy.special",
    "SALib",
    "sqlalchemy",
    "fastapi",
    "h5netcdf",
    "numba",  # the engine's kernels: only blocks of many draws load them (engine.jit)
    "llvmlite",
    "pymoo",
)

PROBE = """
import json, sys
sys.argv = ["evpact", *json.loads(sys.argv[1])]
from evpact.cli import main
try:
    main()
except SystemExit as e:
    code = e.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def imported(args: list[str]) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True, timeout=120
    )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), proc.stderr
    return set(report["modules"])


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["run", "--help"],
        ["optimize", "--help"],
        ["scenarios"],
        ["validate", "canada-korea-2026"],
    ],
    ids=["help", "run-help", "optimize-help", "scenarios", "validate"],
)
def test_light_commands_import_nothing_heavy(args: list[str]) -> None:
    modules = imported(args)
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


@pytest.mark.parametrize("args", [["--help"], ["scenarios"]], ids=["help", "scenarios"])
def test_help_and_listing_need_neither_pandas_nor_scipy(args: list[str]) -> None:
    modules = imported(args)
    assert "pandas" not in modules
    assert "scipy" not in modules


def test_the_probe_sees_heavy_imports(tmp_path: Path) -> None:
    """The check has teeth: a command that simulates does import the labelled arrays."""
    modules = imported(["run", "-n", "5", "--json", "--out", str(tmp_path)])
    assert {"xarray", "scipy.special", "pandas"} <= modules


def test_the_written_out_normal_reach_is_scipys() -> None:
    """``Z_REACH`` is a literal so that loading a scenario needs no scipy; it must be the
    quantile scipy computes."""
    from scipy import special

    from evpact.scenario.distributions import Z_REACH

    assert float(special.ndtri(1 - 2.0**-53)) == Z_REACH
