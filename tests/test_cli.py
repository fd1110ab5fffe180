"""The command line end to end: real subprocesses in a temporary folder, small draw counts."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xarray as xr
import yaml

import evpact
from cases import evpact_command

SCENARIO = "canada-korea-2026"
TOP_KEYS = {
    "scenario",
    "counterfactual",
    "model_version",
    "data_version",
    "scenario_sha256",
    "seed",
    "draws",
    "horizon",
    "metrics",
}
METRICS = (
    "direct_jobs_peak",
    "total_jobs_peak",
    "gdp_cumulative",
    "labour_income_cumulative",
    "public_cost_npv",
    "tax_revenue_npv",
    "fiscal_net_npv",
    "fiscal_breakeven_year_plant",
    "fiscal_breakeven_year_plant_reached_share",
    "fiscal_breakeven_year_total",
    "fiscal_breakeven_year_total_reached_share",
    "battery_output_gwh_cumulative",
    "vehicles_assembled_cumulative",
    "local_absorption_share",
    "linkage_met_share",
    "domestic_chain_share",
    "chain_hhi_max",
    "rvc_margin",
    "usmca_qualifying_share",
    "us_tariff_cost_cumulative",
    "remission_value_cumulative",
    # the Crown ledger (issue 10)
    "public_cost_npv_federal",
    "public_cost_npv_provincial",
    "tax_revenue_npv_federal",
    "tax_revenue_npv_provincial",
    "fiscal_net_npv_federal",
    "fiscal_net_npv_provincial",
    "fiscal_breakeven_year_federal",
    "fiscal_breakeven_year_federal_reached_share",
    "fiscal_breakeven_year_provincial",
    "fiscal_breakeven_year_provincial_reached_share",
    "tax_expenditure_npv",
    # issue 14: the firms' side (per firm: _<firm id>)
    "firm_accepts_share",
    "firm_accepts_share_lges",
    "firm_accepts_share_hmg",
    "firm_npv_advantage",
    "firm_npv_advantage_lges",
    "firm_npv_advantage_hmg",
    "but_for_share",
    "zopa_exists_share",
)
STAT_KEYS = {"unit", "kind", "mean", "p5", "p50", "p95"}
UNITS = {
    "jobs",
    "CAD_2026",
    "GWh",
    "vehicles",
    "year",
    "share",  # the issue-2 units
    "t",  # tonnes of minerals
    "tCO2e",
    "ratio",  # mineral coverage
    "evs_per_port",
    "HHI",  # chain concentration, 0-10,000
    "pp",  # percentage points above a threshold (rvc_margin)
    "scale",  # of the deal's instrument (1 = as written)
}
BUNDLED = (
    "canada-korea-2026",
    "canada-korea-2026-unlinked",
    "no-deal",
    "nextstar-2023",
    "powerco-2023",
)
DRAWS = 300
SEED = 7


EVPACT = evpact_command()


def run_cli(args: list[str], cwd: Path, columns: int = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    proc = subprocess.run(
        [*EVPACT, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    return proc


def one_json(stdout: str) -> dict[str, Any]:
    """stdout holds exactly one JSON object, on one line."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert len(lines) == 1, stdout
    obj = json.loads(lines[0])
    assert isinstance(obj, dict)
    return obj


def run_json(
    tmp: Path, out: str, *extra: str, draws: int = DRAWS, seed: int = SEED
) -> tuple[dict[str, Any], str, Path]:
    out_dir = tmp / out
    proc = run_cli(
        [
            "run",
            "--draws",
            str(draws),
            "--seed",
            str(seed),
            "--json",
            "--out",
            str(out_dir),
            *extra,
        ],
        tmp,
    )
    return one_json(proc.stdout), proc.stdout, out_dir


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def default_run(work: Path) -> tuple[dict[str, Any], str, Path]:
    return run_json(work, "default")


# --- evpact run --json ------------------------------------------------------------------------


def check_keys_and_risk(summary: dict[str, Any]) -> None:
    """The contract's top-level keys, plus the risk block."""
    # the contract, risk and trade blocks, warnings (issue 11), the fiscal conventions the run
    # used and, in compare, B's levels
    assert set(summary) - {"levels_b"} == TOP_KEYS | {
        "risk",
        "trade",
        "warnings",
        "fiscal_conventions",
    }
    conventions = summary["fiscal_conventions"]
    assert conventions["balance"] == "discounted" and conventions["price_basis"] == "real"
    assert conventions["production_basis"] == "market" and conventions["npv_base_year"] == 2026
    risk = summary["risk"]
    assert risk["fiscal_net_npv_cvar5"]["unit"] == "CAD_2026"
    assert risk["fiscal_net_npv_cvar5"]["value"] <= summary["metrics"]["fiscal_net_npv"]["p50"]
    assert 0.0 <= risk["linkage_holds_over_deal_probability"] <= 1.0
    assert set(risk["linkage_holds_probability_by_year"]) == {str(y) for y in range(2026, 2046)}


def test_run_json_contract(default_run: tuple[dict[str, Any], str, Path]) -> None:
    summary, _, _ = default_run
    check_keys_and_risk(summary)
    assert summary["scenario"] == SCENARIO
    assert summary["counterfactual"] == "canada-korea-2026-unlinked"
    assert summary["seed"] == SEED
    assert summary["draws"] == DRAWS
    assert summary["horizon"] == [2026, 2045]
    assert isinstance(summary["model_version"], str) and summary["model_version"]
    assert isinstance(summary["data_version"], str) and summary["data_version"]
    sha = summary["scenario_sha256"]
    assert isinstance(sha, str) and len(sha) == 64 and int(sha, 16) >= 0
    metrics = summary["metrics"]
    missing = [m for m in METRICS if m not in metrics]
    assert not missing, missing
    for name, stats in metrics.items():
        assert set(stats) == STAT_KEYS, name
        assert stats["unit"] in UNITS, (name, stats["unit"])
        for key in ("mean", "p5", "p50", "p95"):
            assert stats[key] is None or isinstance(stats[key], int | float), (name, key)
    for name in METRICS:
        stats = metrics[name]
        if None not in (stats["p5"], stats["p50"], stats["p95"]):
            assert stats["p5"] <= stats["p50"] <= stats["p95"], name
        if stats["unit"] == "share" and stats["mean"] is not None:
            assert 0.0 <= stats["mean"] <= 1.0, name
    assert metrics["direct_jobs_peak"]["unit"] == "jobs"
    assert metrics["gdp_cumulative"]["unit"] == "CAD_2026"
    assert metrics["battery_output_gwh_cumulative"]["unit"] == "GWh"
    assert metrics["vehicles_assembled_cumulative"]["unit"] == "vehicles"
    assert metrics["fiscal_breakeven_year_total"]["unit"] == "year"
    assert metrics["linkage_met_share"]["unit"] == "share"


def test_run_writes_outputs(default_run: tuple[dict[str, Any], str, Path]) -> None:
    summary, _, out = default_run
    for name in (
        "summary.json",
        "summary.csv",
        "yearly.csv",
        "draws.csv",
        "results.nc",
        "scenario.yaml",
    ):
        assert (out / name).is_file(), name
    assert json.loads((out / "summary.json").read_text()) == summary

    table = pd.read_csv(out / "summary.csv")
    assert list(table.columns) == ["metric", "kind", "unit", "mean", "p5", "p50", "p95"]
    assert set(METRICS) <= set(table["metric"])

    yearly = pd.read_csv(out / "yearly.csv")
    assert {"variable", "unit", "year", "mean", "p5", "p50", "p95"} <= set(yearly.columns)
    assert yearly["year"].min() == 2026 and yearly["year"].max() == 2045

    per_draw = pd.read_csv(out / "draws.csv", index_col="draw")
    assert len(per_draw) == DRAWS
    assert set(METRICS) <= set(per_draw.columns)

    with xr.open_dataset(out / "results.nc", group="scenario", engine="h5netcdf") as ds:
        assert ds.sizes["draw"] == DRAWS
        assert ds.sizes["year"] == 20

    resolved = yaml.safe_load((out / "scenario.yaml").read_text())
    assert resolved["name"] == SCENARIO


def test_same_seed_same_json(work: Path, default_run: tuple[dict[str, Any], str, Path]) -> None:
    _, text, _ = default_run
    _, again, _ = run_json(work, "again")
    assert again == text


def test_other_seed_other_numbers(
    work: Path, default_run: tuple[dict[str, Any], str, Path]
) -> None:
    summary, _, _ = default_run
    other, _, _ = run_json(work, "seed8", seed=SEED + 1)
    assert other["seed"] == SEED + 1
    assert other["scenario_sha256"] == summary["scenario_sha256"]
    assert other["metrics"]["direct_jobs_peak"] != summary["metrics"]["direct_jobs_peak"]
    gdp = "gdp_cumulative"
    assert other["metrics"][gdp]["mean"] != summary["metrics"][gdp]["mean"]


def test_set_variant(work: Path, default_run: tuple[dict[str, Any], str, Path]) -> None:
    summary, _, _ = default_run
    varied, _, out = run_json(work, "threshold", "--set", "deals.hmg-ontario.linkage.threshold=0.9")
    assert varied["scenario_sha256"] != summary["scenario_sha256"]
    base_met = summary["metrics"]["linkage_met_share"]["mean"]
    harder_met = varied["metrics"]["linkage_met_share"]["mean"]
    assert base_met is not None and harder_met is not None
    assert harder_met <= base_met
    resolved = yaml.safe_load((out / "scenario.yaml").read_text())
    linkage = next(d for d in resolved["deals"] if d["id"] == "hmg-ontario")["linkage"]
    assert linkage["threshold"] == 0.9


def test_run_table(work: Path) -> None:
    proc = run_cli(
        ["run", "--draws", "100", "--seed", str(SEED), "--out", str(work / "table")], work
    )
    assert "direct_jobs_peak" in proc.stdout
    assert "median" in proc.stdout
    assert (work / "table" / "summary.json").is_file()


def test_run_deterministic(work: Path) -> None:
    proc = run_cli(["run", "--deterministic", "--json", "--out", str(work / "det")], work)
    summary = one_json(proc.stdout)
    check_keys_and_risk(summary)
    assert summary["draws"] == 1
    assert summary["seed"] is None
    # the CLI runs the central values, as the Python API does (same numbers through JSON)
    direct = evpact.simulate(SCENARIO, deterministic=True).summary_dict()["metrics"]
    for name in METRICS:
        got, want = summary["metrics"][name]["mean"], direct[name]["mean"]
        assert (got is None) == (want is None), name  # e.g. a break-even never reached
        if want is not None:
            assert got == pytest.approx(want, rel=1e-12), name


# --- the other commands -----------------------------------------------------------------------


def test_scenarios_lists_bundled(work: Path) -> None:
    # a standard 80-column terminal (or a pipe): the names users type must appear in full
    proc = run_cli(["scenarios"], work, columns=80)
    for name in BUNDLED:
        assert name in proc.stdout, f"{name!r} not listed in full:\n{proc.stdout}"


def test_validate_ok(work: Path) -> None:
    proc = run_cli(["validate", SCENARIO], work)
    assert "ok" in proc.stdout
    assert SCENARIO in proc.stdout


def test_schema(work: Path) -> None:
    proc = run_cli(["schema"], work)
    schema = json.loads(proc.stdout)
    assert "plants" in schema["properties"]
    assert "deals" in schema["properties"]


def test_compare(work: Path) -> None:
    out = work / "compare"
    proc = run_cli(
        [
            "compare",
            SCENARIO,
            "canada-korea-2026-unlinked",
            "--draws",
            "200",
            "--json",
            "--out",
            str(out),
        ],
        work,
    )
    summary = one_json(proc.stdout)
    check_keys_and_risk(summary)
    assert summary["scenario"] == SCENARIO
    assert summary["counterfactual"] == "canada-korea-2026-unlinked"
    assert summary["draws"] == 200
    assert set(METRICS) <= set(summary["metrics"])
    assert {m["kind"] for m in summary["levels_b"].values()} == {"level"}
    assert json.loads((out / "summary.json").read_text()) == summary


def test_large_run_shows_progress_and_writes_statistics(work: Path) -> None:
    """Past 20,000 draws the table run has a progress bar (stderr) and keeps per-draw data in
    results.nc only: yearly statistics per world, and every metric per draw."""
    out = work / "large"
    proc = run_cli(["run", "--draws", "20000", "--out", str(out)], work)
    assert "direct_jobs_peak" in proc.stdout
    assert not (out / "draws.csv").exists()
    stats = xr.open_dataset(out / "results.nc", group="scenario", engine="h5netcdf")
    assert list(stats["stat"].values) == ["mean", "p5", "p50", "p95"]
    assert "draw" not in stats.dims
    metrics = xr.open_dataset(out / "results.nc", group="metrics", engine="h5netcdf")
    assert metrics.sizes["draw"] == 20000
    summary = json.loads((out / "summary.json").read_text())
    mean = summary["metrics"]["gdp_cumulative"]["mean"]
    assert float(metrics["gdp_cumulative"].mean()) == pytest.approx(mean, rel=1e-12)
    stats.close()
    metrics.close()


def test_sweep_and_workers(work: Path) -> None:
    out = work / "sweep"
    proc = run_cli(
        [
            "sweep",
            SCENARIO,
            "--grid",
            "deals.hmg-ontario.linkage.threshold=0.2,0.6",
            "--draws",
            "100",
            "--out",
            str(out),
        ],
        work,
    )
    assert "linkage_met_share" in proc.stdout
    table = pd.read_csv(out / "sweep.csv")
    assert sorted(table["deals.hmg-ontario.linkage.threshold"].unique()) == [0.2, 0.6]
    alone, _, _ = run_json(work, "w1", draws=300)
    spread, _, _ = run_json(work, "w2", "--workers", "2", draws=300)
    assert spread == alone  # a local Dask cluster gives the same numbers
