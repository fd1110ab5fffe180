"""The examples in the README run as written: every ``evpact`` command of its bash blocks (the
server aside, which never returns) and its Python block. A renamed flag or metric fails here
before a reader finds it."""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import evpact
from cases import evpact_command
from evpact.defaults import DEFAULT_DRAWS, DEFAULT_SEED
from evpact.engine.compile import compile_scenario
from evpact.scenario.load import load_scenario

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", TEXT, re.S)


COMMANDS = [
    line.split("#")[0].strip()
    for block in blocks("bash")
    for line in block.splitlines()
    if line.startswith("evpact ") and not line.startswith("evpact serve")
]


def test_the_readme_has_examples() -> None:
    assert len(COMMANDS) >= 5 and blocks("python")


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs_and_says_what_the_api_says(command: str, tmp_path: Path) -> None:
    """Each README command exits cleanly, writes the files it says with their columns, and
    its numbers are the API's for the same scenario, draws and seed (issue 17: an exit code
    alone cannot tell a right table from a wrong one)."""
    if "--pdf" in command and not Path("/usr/bin/chromium").exists():
        pytest.skip("PDF reports need Debian's chromium (.ci/run installs it)")
    args = shlex.split(command)[1:]
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    proc = subprocess.run(
        [*evpact_command(), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    CHECKS[args[0]](args, proc.stdout, tmp_path)


def _sets(args: list[str]) -> dict[str, Any]:
    """The ``--set path=value`` pairs of a command, values parsed as YAML."""
    return {
        a.split("=", 1)[0]: yaml.safe_load(a.split("=", 1)[1])
        for flag, a in itertools.pairwise(args)
        if flag == "--set"
    }


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return next(csv.reader(f))


def _check_run(args: list[str], out: str, cwd: Path) -> None:
    folder = cwd / "evpact-out" / "canada-korea-2026"
    summary = json.loads((folder / "summary.json").read_text())
    assert (summary["draws"], summary["seed"]) == (DEFAULT_DRAWS, DEFAULT_SEED)
    variant = _sets(args)
    # the --set reached the scenario the run used and wrote
    written = yaml.safe_load((folder / "scenario.yaml").read_text())
    assert written["deals"][0]["linkage"]["threshold"] == 0.6
    api = evpact.simulate(
        "canada-korea-2026", DEFAULT_DRAWS, DEFAULT_SEED, variant=variant
    ).summary_dict()["metrics"]
    for name in ("direct_jobs_peak", "fiscal_net_npv", "public_cost_npv", "linkage_met_share"):
        for stat in ("mean", "p5", "p50", "p95"):
            assert summary["metrics"][name][stat] == pytest.approx(
                api[name][stat], rel=1e-9, abs=1e-9
            ), (name, stat)
    # the printed median is the file's
    median = f"{round(summary['metrics']['direct_jobs_peak']['p50']):,}"
    assert re.search(rf"direct_jobs_peak .*│ +{median} │", out), median
    assert _csv_header(folder / "summary.csv") == [
        "metric",
        "kind",
        "unit",
        "mean",
        "p5",
        "p50",
        "p95",
    ]
    with (folder / "summary.csv").open(encoding="utf-8") as f:
        rows = {r["metric"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(summary["metrics"])
    assert float(rows["fiscal_net_npv"]["p50"]) == pytest.approx(api["fiscal_net_npv"]["p50"])
    draws = _csv_header(folder / "draws.csv")
    assert draws[0] == "draw" and "fiscal_net_npv" in draws
    with (folder / "draws.csv").open(encoding="utf-8") as f:
        assert sum(1 for _ in f) == DEFAULT_DRAWS + 1
    assert _csv_header(folder / "yearly.csv") == [
        "variable",
        "unit",
        "year",
        "mean",
        "p5",
        "p50",
        "p95",
    ]
    assert (folder / "results.nc").stat().st_size > 0


def _check_fiscal(args: list[str], out: str, cwd: Path) -> None:
    name = args[1]
    ledger = cwd / "evpact-out" / name / "ledger.csv"
    header = _csv_header(ledger)
    assert header[:8] == [
        "line",
        "government",
        "category",
        "instrument",
        "layer",
        "unit",
        "npv",
        "cumulative",
    ]
    model = compile_scenario(load_scenario(name, _sets(args)))
    assert header[8:] == [str(y) for y in model.years]
    with ledger.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["government"] for r in rows} == {"federal", "provincial"}
    for r in rows:  # the cumulative column is the sum of the years
        years = sum(float(r[str(y)]) for y in model.years)
        assert float(r["cumulative"]) == pytest.approx(years, rel=1e-9, abs=1e-3), r["line"]
    assert f"Crown ledger: {name} vs " in out
    conventions = _sets(args)
    if conventions.get("fiscal.price_basis") == "nominal":
        assert {r["unit"] for r in rows} == {"CAD_nominal"} | (
            {"CAD_2026"} & {r["unit"] for r in rows}
        )
        assert "nominal" in out
    else:
        assert {r["unit"] for r in rows} == {"CAD_2026"}


def _check_sensitivity(args: list[str], out: str, cwd: Path) -> None:
    folder = cwd / "evpact-out" / args[1] / "sensitivity"
    outputs = args[args.index("--outputs") + 1].split(",")
    samples = int(args[args.index("--samples") + 1])
    assert _csv_header(folder / "sensitivity.csv") == [
        "output",
        "input",
        "index",
        "value",
        "conf",
        "rank",
        "note",
    ]
    with (folder / "sensitivity.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["output"] for r in rows} == set(outputs)
    assert {r["index"] for r in rows} == {"S1", "ST"}
    # the inputs ranked are exactly the compiled inputs that vary, no fixed one
    model = compile_scenario(load_scenario(args[1]))
    varying = {k for k, v in model.inputs.items() if not v.is_fixed}
    assert {r["input"] for r in rows} == varying
    # Saltelli without second order: N x (inputs + 2) evaluations
    assert f"{samples * (len(varying) + 2):,} evaluations" in out
    for o in outputs:
        assert (folder / f"sensitivity_{o}.html").exists()
        assert (folder / f"sensitivity_{o}.png").stat().st_size > 0


def _check_chain(args: list[str], out: str, cwd: Path) -> None:
    folder = cwd / "evpact-out" / args[1]
    assert _csv_header(folder / "chain.csv") == [
        "deal",
        "stage",
        "domestic",
        "usmca",
        "fta",
        "other",
        "hhi",
        "largest",
        "sourced",
    ]
    with (folder / "chain.csv").open(encoding="utf-8") as f:
        rows = {r["stage"]: r for r in csv.DictReader(f)}
    for r in rows.values():  # each stage's shares add up to 1
        total = sum(float(r[k]) for k in ("domestic", "usmca", "fta", "other"))
        assert total == pytest.approx(1.0), r
    # the scenario's own plants: NextStar's cells and the assembly are domestic
    assert float(rows["cell"]["domestic"]) == 1.0 and float(rows["assembly"]["domestic"]) == 1.0
    # the CAM stage as declared: CN 90%, the other 10% of unknown origin (ZZ, no country to
    # concentrate on) -> HHI 90^2
    assert float(rows["cam"]["hhi"]) == pytest.approx(90**2)
    share = evpact.simulate(args[1], draws=2, seed=1).metrics["domestic_chain_share"].values[0]
    assert f"domestic_chain_share {share:.0%}" in out
    assert (folder / "chain.png").stat().st_size > 0 and (folder / "chain.html").exists()


def _check_stress(args: list[str], out: str, cwd: Path) -> None:
    folder = cwd / "evpact-out" / f"{args[1]}-stress"
    assert _csv_header(folder / "stress.csv") == [
        "world",
        "loss",
        "unit",
        "mean",
        "p5",
        "p50",
        "p95",
    ]
    report = json.loads((folder / "stress.json").read_text())
    assert report["cuts"] == [{"stage": "cam", "country": "CN", "share": 1.0}]
    assert report["weeks"] == 12.0
    losses = {(r["world"], r["loss"]): r for r in report["losses"]}
    # the unlinked world assembles nothing, so it loses no vehicles; the deal's world does
    assert losses[("canada-korea-2026-unlinked", "vehicles")]["p95"] == 0
    assert losses[("canada-korea-2026", "vehicles")]["p5"] > 0
    for r in report["losses"]:
        assert r["p5"] <= r["p50"] <= r["p95"] and r["p5"] >= 0, r


def _check_report(args: list[str], out: str, cwd: Path) -> None:
    target = cwd / args[args.index("--out") + 1]
    r = evpact.simulate(args[1], DEFAULT_DRAWS, DEFAULT_SEED)
    jobs = f"{round(r.summary_dict()['metrics']['total_jobs_peak']['p50']):,}"
    text = target.read_text(encoding="utf-8")
    assert args[1] in text
    assert jobs in text, jobs  # the headline figure is the API's median
    if "--pdf" in args:
        assert target.with_suffix(".pdf").read_bytes()[:5] == b"%PDF-"


def _flag_values(args: list[str], flag: str) -> list[str]:
    return [b for a, b in itertools.pairwise(args) if a == flag]


def _check_zopa(args: list[str], out: str, cwd: Path) -> None:
    """The zone per draw is where the firms' floor is below Canada's ceiling, the summary is
    the table's, and the engine's zopa_exists_share metric holds the same draws."""
    import numpy as np
    import pandas as pd

    folder = cwd / "evpact-out" / args[1] / "zopa"
    table = pd.read_csv(folder / "zopa.csv")
    summary = dict(pd.read_csv(folder / "zopa_summary.csv").itertuples(index=False))
    floor, ceiling = table["firm_min_scale"].to_numpy(), table["canada_max_scale"].to_numpy()
    exists = np.isfinite(floor) & (floor <= ceiling)
    assert np.array_equal(table["zone_exists"].to_numpy() == 1.0, exists)
    assert summary["zopa_exists_share"] == pytest.approx(exists.mean())
    assert f"a zone exists in {summary['zopa_exists_share']:.1%}" in out
    assert "<script" in (folder / "zopa.html").read_text()
    metric = evpact.simulate(args[1], len(table), DEFAULT_SEED, metrics_only=True)
    assert np.array_equal(metric["zopa_exists_share"].values == 1.0, exists)


def _check_optimize(args: list[str], out: str, cwd: Path) -> None:
    """Every Pareto row is feasible, among the candidates evaluated, dominated by none, and
    its printed rerun command gives its objective values exactly."""
    import pandas as pd

    folder = cwd / "evpact-out" / args[1] / "optimize"
    pareto = pd.read_csv(folder / "pareto.csv")
    evaluations = pd.read_csv(folder / "evaluations.csv")
    assert len(pareto) >= 1 and len(evaluations) == int(_flag_values(args, "--budget")[0])
    objectives = []
    for spec in _flag_values(args, "--objective"):
        name, _, sense = spec.partition(":")
        objectives.append((name if "." in name else f"{name}.mean", sense != "min"))
    feasible = evaluations[evaluations["feasible"]]
    margins = [c for c in pareto.columns if c.startswith("margin(")]
    for _, p in pareto.iterrows():
        assert all(p[c] >= 0 for c in margins)
        for _, q in feasible.iterrows():
            better = [(q[o] - p[o]) * (1 if up else -1) for o, up in objectives]
            assert not (min(better) >= 0 and max(better) > 0), (p.to_dict(), q.to_dict())
        assert p["command"] in out
    first = shlex.split(pareto["command"].iloc[0])
    variant = _sets(first)
    draws, seed = int(_flag_values(first, "--draws")[0]), int(_flag_values(first, "--seed")[0])
    rerun = evpact.simulate(args[1], draws, seed, variant=variant, metrics_only=True)
    for o, _ in objectives:
        name = o.split(".")[0]
        assert float(rerun[name].values.mean()) == pytest.approx(pareto[o].iloc[0], rel=1e-12)


CHECKS: dict[str, Callable[[list[str], str, Path], None]] = {
    "run": _check_run,
    "fiscal": _check_fiscal,
    "sensitivity": _check_sensitivity,
    "chain": _check_chain,
    "stress": _check_stress,
    "report": _check_report,
    "zopa": _check_zopa,
    "optimize": _check_optimize,
}


def test_every_readme_command_has_a_content_check() -> None:
    assert {shlex.split(c)[1] for c in COMMANDS} <= set(CHECKS)


def test_readme_python_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for code in blocks("python"):
        exec(compile(code, str(README), "exec"), {})


def test_the_complete_example_of_the_scenario_format_runs(tmp_path: Path) -> None:
    """The guide says its complete example passes ``evpact validate`` and runs: it does."""
    import evpact

    guide = (README.parent / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    full = [b for b in re.findall(r"```yaml\n(.*?)```", guide, re.S) if "\nname: " in b]
    assert full, "no complete scenario in docs/scenario-format.md"
    for i, text in enumerate(full):
        path = tmp_path / f"example{i}.yaml"
        path.write_text(text, encoding="utf-8")
        r = evpact.simulate(path, draws=50, seed=1)
        assert r.summary_dict()["metrics"]["direct_jobs_peak"]["p50"] is not None
