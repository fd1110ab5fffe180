"""Sensitivity analysis: the SALib path checked on Ishigami, then on evpact and its CLI."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

from cases import evpact_command
from evpact.engine.compile import compile_scenario
from evpact.errors import EvpactError
from evpact.scenario.load import load_counterfactual, load_scenario
from evpact.uncertainty import sensitivity as sa

SCENARIO = "canada-korea-2026"
# Ishigami-Homma (a = 7, b = 0.1): analytic first-order and total indices
S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(u: np.ndarray, names: Sequence[str]) -> dict[str, np.ndarray]:
    """The hook for SALib's test function: uniforms mapped to its inputs' range [-pi, pi]."""
    assert list(names) == ["x1", "x2", "x3"]
    return {"y": Ishigami.evaluate(-np.pi + 2 * np.pi * u)}


def test_ishigami_indices_match_analytic_values_within_their_interval() -> None:
    table = sa.analyse(sa.make_problem(["x1", "x2", "x3"]), ishigami, "sobol", 1024, ["y"], seed=3)
    assert list(table.columns) == list(sa.COLUMNS)
    got = table.set_index(["index", "input"])
    for index, expected in (("S1", S1), ("ST", ST)):
        for name, value in expected.items():
            row = got.loc[(index, name)]
            assert abs(row["value"] - value) <= row["conf"], (index, name, row.to_dict())
    ranks = table[table["index"] == "ST"].set_index("input")["rank"]
    assert list(ranks.sort_values().index) == ["x1", "x2", "x3"]


def test_negative_noise_is_explained_not_an_error() -> None:
    table = sa.analyse(sa.make_problem(["x1", "x2", "x3"]), ishigami, "sobol", 256, ["y"], seed=1)
    noise = table[table["note"] == sa.NOISE]
    assert (noise["value"] < 0).all() and (noise["value"] + noise["conf"] >= 0).all()
    assert bool(len(noise)) == bool(table.attrs["notes"])


def test_power_of_two_warning() -> None:
    with pytest.warns(sa.SensitivityWarning, match="not a power of two"):
        sa.analyse(sa.make_problem(["x1", "x2", "x3"]), ishigami, "sobol", 100, ["y"], seed=1)


def test_morris_and_delta_run_through_the_same_path() -> None:
    prob = sa.make_problem(["x1", "x2", "x3"])
    morris = sa.analyse(prob, ishigami, "morris", 40, ["y"], seed=1)
    assert set(morris["index"]) == {"mu_star", "sigma"}
    assert morris.loc[morris["rank"] == 3, "input"].iloc[0] == "x3"
    delta = sa.analyse(prob, ishigami, "delta", 500, ["y"], seed=1)
    assert set(delta["index"]) == {"delta", "S1"}
    assert delta["value"].notna().all()


def test_nan_outputs_are_filled_or_skipped_with_a_warning() -> None:
    def hook(u: np.ndarray, names: Sequence[str]) -> dict[str, np.ndarray]:
        y = u[:, 0] + 0.1 * u[:, 1]
        return {"late": np.where(y > 0.9, np.nan, y), "gappy": np.where(y > 0.9, np.nan, y)}

    prob = sa.make_problem(["a", "b"])
    with pytest.warns(sa.SensitivityWarning, match="undefined") as record:
        table = sa.analyse(
            prob, hook, "sobol", 64, ["late", "gappy"], seed=1, nan_fill={"late": 2.0}
        )
    assert set(table["output"]) == {"late"}
    assert any("skipped" in str(w.message) for w in record)


def test_bad_input_is_an_evpact_error() -> None:
    prob = sa.make_problem(["x1", "x2", "x3"])
    for kwargs, match in (
        ({"method": "fast"}, "unknown method"),
        ({"samples": 1}, "at least 2"),
        ({"outputs": ["z"]}, "unknown output 'z'"),
    ):
        with pytest.raises(EvpactError, match=match):
            sa.analyse(
                prob, ishigami, **{"method": "sobol", "samples": 64, "outputs": ["y"], **kwargs}
            )  # type: ignore[arg-type]


def test_problem_shares_paths_between_scenario_and_counterfactual() -> None:
    s = load_scenario(SCENARIO)
    a, b = compile_scenario(s), compile_scenario(load_counterfactual(s))
    prob = sa.problem(a, b)
    both = {p for m in (a, b) for p, d in m.inputs.items() if not d.is_fixed}
    assert sorted(prob["names"]) == sorted(both)
    assert len(prob["names"]) == len(both) == prob["num_vars"]
    assert all(bounds == [0.0, 1.0] for bounds in prob["bounds"])


def test_evpact_sobol_table() -> None:
    with pytest.warns(sa.SensitivityWarning) as record:
        table = sa.analyse_scenario(SCENARIO, "sobol", 64, seed=5)
    messages = [str(w.message) for w in record]
    assert any("is few" in m for m in messages)  # 64 samples < 2 x the uncertain inputs
    # a break-even some evaluations never reach is filled with the year after the horizon
    assert all("is few" in m or "undefined (NaN)" in m for m in messages), messages
    s = load_scenario(SCENARIO)
    names = sa.problem(compile_scenario(s), compile_scenario(load_counterfactual(s)))["names"]
    assert list(table.columns) == list(sa.COLUMNS)
    assert table.attrs["evaluations"] == 64 * (len(names) + 2)
    jobs = table[table["output"] == "total_jobs_peak"]
    for index in ("S1", "ST"):
        rows = jobs[jobs["index"] == index]
        assert sorted(rows["input"]) == sorted(names)
        assert np.isfinite(rows["value"]).all() and np.isfinite(rows["conf"]).all()
    assert list(dict.fromkeys(table["output"])) == list(sa.DEFAULT_OUTPUTS)
    top = jobs.loc[jobs["rank"] == 1, "input"].iloc[0]
    # the assembly plant's own inputs, its multipliers, (since issue 12) the cost of
    # supplying its US buyers from elsewhere, which decides whether it keeps its US exports,
    # or (since issue 14) the linked deal's terms, such as the share of cells it supplies
    assert top.startswith(
        (
            "plants.hmg-ontario",
            "economy.multipliers.vehicle_assembly",
            "trade.plants.hmg-ontario",
            "deals.hmg-ontario",
        )
    )


def test_evpact_morris_is_reproducible() -> None:
    one = sa.analyse_scenario(SCENARIO, "morris", 10, ["total_jobs_peak"], seed=2)
    two = sa.analyse_scenario(SCENARIO, "morris", 10, ["total_jobs_peak"], seed=2)
    pd.testing.assert_frame_equal(one, two)
    assert set(one["index"]) == {"mu_star", "sigma"}


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [*evpact_command(), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def test_cli_writes_table_and_charts(tmp_path: Path) -> None:
    out = tmp_path / "sens"
    proc = run_cli(
        [
            "sensitivity",
            SCENARIO,
            "--method",
            "sobol",
            "--samples",
            "64",
            "--outputs",
            "total_jobs_peak,fiscal_net_npv",
            "--out",
            str(out),
            "--seed",
            "4",
        ],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "warning:" in proc.stderr and "use at least" in proc.stderr
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == list(sa.COLUMNS)
    assert set(table["output"]) == {"total_jobs_peak", "fiscal_net_npv"}
    for output in ("total_jobs_peak", "fiscal_net_npv"):
        assert (out / f"sensitivity_{output}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        html = (out / f"sensitivity_{output}.html").read_text()
        assert "plotly" in html and "<script" in html and 'src="https://cdn' not in html
    # the printed table shows each output's top input as the CSV ranks it
    for output in ("total_jobs_peak", "fiscal_net_npv"):
        rows = table[(table["output"] == output) & (table["rank"] == 1)]
        assert rows["input"].iloc[0] in proc.stdout, output


def test_cli_bad_output_exits_2_with_one_line(tmp_path: Path) -> None:
    proc = run_cli(
        ["sensitivity", SCENARIO, "--outputs", "total_jobs_peek", "--out", str(tmp_path / "x")],
        tmp_path,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "unknown output 'total_jobs_peek'" in lines[0]
    assert not (tmp_path / "x").exists()
