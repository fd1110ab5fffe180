"""Issue 11: each reproducer of the issue through the real CLI (exit 2, one line, nothing
written) and through a real server (422 naming the field, nothing stored); warnings for
inputs that do nothing; limits with a way through; atomic outputs; impact and level labels."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import yaml

import evpact
from cases import evpact_command
from evpact.errors import EvpactError
from evpact.results import Results
from evpact.scenario.load import bundled_scenarios, load_scenario
from evpact.scenario.model import Scenario

BASE = "canada-korea-2026"
HUGE = "1" + "0" * 400  # a 400-digit integer
BASE_TEXT = bundled_scenarios()[BASE].read_text(encoding="utf-8")
#: a variant whose incentives are valid but pay nothing: a zero credit rate and a zero grant
NEVER_PAID = {
    "deals.hmg-ontario.incentives.0.rate_scale": 0,
    "deals.hmg-ontario.incentives.1.amount_cad": 0,
}


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [*evpact_command(), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


#: (id, file text or None for the bundled scenario, extra CLI arguments, fragments of the message)
REPRODUCERS: list[tuple[str, bytes | None, list[str], list[str]]] = [
    (
        "latin-1-quebec",
        edit(BASE_TEXT, "title: NextStar", "title: Québec NextStar").encode("latin-1"),
        [],
        ["case.yaml", "not UTF-8", "offset"],
    ),
    ("binary-file", bytes(range(256)) * 4, [], ["case.yaml", "not UTF-8", "offset 128"]),
    (
        "400-digit-field",
        edit(BASE_TEXT, "capacity_gwh: 49.5", f"capacity_gwh: {HUGE}").encode(),
        [],
        ["plants.nextstar-windsor.capacity_gwh", "401 digits"],
    ),
    (
        "400-digit-in-distribution",
        edit(
            BASE_TEXT,
            "module_share: {uniform: [0.5, 1.0]}",
            f"module_share: {{uniform: [0.5, {HUGE}]}}",
        ).encode(),
        [],
        ["plants.nextstar-windsor.module_share", "too large"],
    ),
    (
        "400-digit-set",
        None,
        ["--set", f"plants.hmg-ontario.capacity_vehicles={HUGE}"],
        ["plants.hmg-ontario.capacity_vehicles", "401 digits"],
    ),
    ("seed-negative", None, ["--seed", "-1"], ["seed", "[0, 2^63)"]),
    ("seed-2-to-64", None, ["--seed", str(2**64)], ["seed", "[0, 2^63)"]),
    (
        "nan-threshold",
        edit(BASE_TEXT, "threshold: 0.30", "threshold: .nan").encode(),
        [],
        ["deals.hmg-ontario.linkage.threshold", "finite"],
    ),
    (
        "nan-payer-share",
        None,
        ["--set", "deals.hmg-ontario.incentives.0.payer={federal: .nan, ontario: 0.5}"],
        ["deals.hmg-ontario.incentives.0.payer.federal", "finite"],
    ),
    (
        "inf-capacity",
        edit(BASE_TEXT, "capacity_gwh: 49.5", "capacity_gwh: .inf").encode(),
        [],
        ["plants.nextstar-windsor.capacity_gwh", "finite"],
    ),
    (
        "minus-inf-in-distribution",
        None,
        ["--set", "market.regions.US.price_elasticity={triangular: [-.inf, 1, 2]}"],
        ["market.regions.US.price_elasticity", "finite"],
    ),
    (
        "ev-share-table-1.6",
        None,
        ["--set", "market.regions.CA.ev_share={table: {2030: 0.5, 2035: 1.6}}"],
        ["market.regions.CA.ev_share.table.2035", "1.6"],
    ),
    (
        "linkage-after-horizon",
        None,
        ["--set", "deals.hmg-ontario.linkage.from=2050"],
        ["deals.hmg-ontario.linkage.from", "after the horizon"],
    ),
    (
        "plant-after-horizon",
        None,
        ["--set", "plants.hmg-ontario.start=2050"],
        ["plants.hmg-ontario.start", "after the horizon"],
    ),
    (
        "counterfactual-is-itself",
        None,
        ["--set", f"counterfactual={BASE}"],
        ["counterfactual", "the scenario itself"],
    ),
    (
        "deep-nesting",
        edit(
            BASE_TEXT, "horizon: [2026, 2045]", "horizon: " + "[" * 50_000 + "]" * 50_000
        ).encode(),
        [],
        ["case.yaml", "nested"],
    ),
    ("hour-long-run", None, ["--draws", str(10**8)], ["--yes", "h (estimated"]),
]


@pytest.mark.parametrize(
    ("data", "extra", "fragments"),
    [pytest.param(d, e, f, id=i) for i, d, e, f in REPRODUCERS],
)
def test_cli_refuses_each_reproducer(
    tmp_path: Path, data: bytes | None, extra: list[str], fragments: list[str]
) -> None:
    target = BASE
    if data is not None:
        (tmp_path / "case.yaml").write_bytes(data)
        target = "case.yaml"
    out = tmp_path / "out"
    proc = run_cli(["run", target, "--draws", "20", "--out", str(out), *extra], tmp_path)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, f"{fragment!r} not in {proc.stderr!r}"
    assert not out.exists() and not (tmp_path / "evpact-out").exists()


def test_a_million_point_sweep_asks_for_yes(tmp_path: Path) -> None:
    args = ["sweep", BASE, "--grid", "deals.hmg-ontario.linkage.threshold=0:1:1000"]
    proc = run_cli([*args, "--grid", "plants.hmg-ontario.capacity_vehicles=1e5:3e5:1000"], tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "1,000,000 variants" in proc.stderr and "--yes" in proc.stderr
    assert not (tmp_path / "evpact-out").exists()


def test_a_nan_grid_value_is_refused_before_running(tmp_path: Path) -> None:
    proc = run_cli(
        ["sweep", BASE, "--grid", "deals.hmg-ontario.linkage.threshold=0.2,nan"], tmp_path
    )
    assert proc.returncode == 2 and "finite" in proc.stderr, proc.stderr


# --- the same inputs through the HTTP API ----------------------------------------------------

API_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("huge-set", {"set": {"plants.hmg-ontario.capacity_vehicles": 10**400}}, "capacity_vehicles"),
    (
        "huge-in-distribution",
        {"set": {"plants.nextstar-windsor.module_share": {"uniform": [0.5, 10**400]}}},
        "module_share",
    ),
    ("nan-threshold", {"set": {"deals.hmg-ontario.linkage.threshold": math.nan}}, "threshold"),
    ("inf-capacity", {"set": {"plants.nextstar-windsor.capacity_gwh": math.inf}}, "capacity_gwh"),
    (
        "ev-share-1.6",
        {"set": {"market.regions.CA.ev_share": {"table": {"2035": 1.6}}}},
        "market.regions.CA.ev_share.table.2035",
    ),
    ("linkage-2050", {"set": {"deals.hmg-ontario.linkage.from": 2050}}, "linkage.from"),
    ("plant-2050", {"set": {"plants.hmg-ontario.start": 2050}}, "plants.hmg-ontario.start"),
    ("counterfactual-itself", {"set": {"counterfactual": BASE}}, "counterfactual"),
    ("seed-negative", {"seed": -1}, "seed"),
    ("seed-2-to-64", {"seed": 2**64}, "seed"),
]


def _post(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    text = json.dumps(
        {"scenario": BASE, "draws": 20, **body}
    )  # NaN and big ints as Python writes them
    return client.post(
        "/api/runs?mode=sync", content=text, headers={"content-type": "application/json"}
    )


@pytest.mark.parametrize(("body", "field"), [pytest.param(b, f, id=i) for i, b, f in API_CASES])
def test_api_refuses_each_reproducer_and_stores_nothing(
    web_server: str, body: dict[str, Any], field: str
) -> None:
    with httpx.Client(base_url=web_server, timeout=60) as client:
        before = client.get("/api/runs").json()
        response = _post(client, body)
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert field in detail, detail
        assert "\n" not in detail
        assert client.get("/api/runs").json() == before


def test_api_refuses_an_upload_that_is_not_a_scenario(web_server: str) -> None:
    deep = "name: x\nhorizon: " + "[" * 50_000 + "]" * 50_000
    with httpx.Client(base_url=web_server, timeout=60) as client:
        before = client.get("/api/runs").json()
        for text in (deep, edit(BASE_TEXT, "threshold: 0.30", "threshold: .nan")):
            response = client.post("/api/runs?mode=sync", json={"yaml": text, "draws": 20})
            assert response.status_code == 422, response.text
            assert "uploaded scenario" in response.json()["detail"]
        assert client.get("/api/runs").json() == before


def test_api_run_returns_warnings_and_kinds(web_server: str) -> None:
    with httpx.Client(base_url=web_server, timeout=60) as client:
        body = {"scenario": BASE, "draws": 20, "set": NEVER_PAID}
        summary = client.post("/api/runs?mode=sync", json=body).json()["summary"]
    assert any("none is paid" in w for w in summary["warnings"])
    assert summary["metrics"]["local_absorption_share"]["kind"] == "level"
    assert summary["metrics"]["fiscal_net_npv"]["kind"] == "impact"


# --- the validation layer itself -------------------------------------------------------------


def test_the_schema_shows_each_fields_range() -> None:
    schema = Scenario.model_json_schema(by_alias=True)
    plant = schema["$defs"]["Plant"]["properties"]

    def numbers(node: Any) -> list[dict[str, Any]]:
        found = []
        if isinstance(node, dict):
            if node.get("type") == "number":
                found.append(node)
            for child in node.values():
                found += numbers(child)
        elif isinstance(node, list):
            for child in node:
                found += numbers(child)
        return found

    capacity = numbers(plant["capacity_gwh"])
    assert capacity and all(n["minimum"] == 0 and n["maximum"] == 1e4 for n in capacity)
    share = numbers(plant["module_share"])
    assert share and all(n["minimum"] == 0 and n["maximum"] == 1 for n in share)
    horizon = schema["properties"]["horizon"]["prefixItems"]
    assert all(y["minimum"] == 1990 and y["maximum"] == 2100 for y in horizon)
    table = schema["$defs"]["SharePathRef"]["properties"]["table"]
    assert "maximum" in json.dumps(table) and '"maximum": 1' in json.dumps(table)


def test_a_lognormal_is_bounded_by_what_the_sampler_can_reach() -> None:
    from evpact.scenario.distributions import MAX_MAGNITUDE, parse_dist

    reach = parse_dist({"lognormal": {"median": 1.0, "sigma": 1.0}}).reach[1]
    assert 3000 < reach < 5000  # exp(8.2): the most extreme quantile of a 53-bit uniform
    with pytest.raises(EvpactError, match=r"vehicle_price_cad: every draw must be <= 1e\+07"):
        load_scenario(
            BASE,
            {"plants.hmg-ontario.vehicle_price_cad": {"lognormal": {"median": 1e6, "sigma": 5}}},
        )
    dist = parse_dist({"lognormal": {"median": 1.0, "sigma": 1.0}})
    assert float(dist.ppf(np.array([1 - 2.0**-53]))[0]) == pytest.approx(reach)
    ok = load_scenario(
        BASE, {"plants.nextstar-windsor.capacity_gwh": {"lognormal": {"median": 50, "sigma": 0.3}}}
    )
    capacity = ok.plants[0].capacity_gwh
    assert capacity is not None and capacity.reach[1] < 1e4 < MAX_MAGNITUDE


def test_incentives_never_paid_are_a_warning_not_a_silence() -> None:
    r = evpact.simulate(BASE, draws=5, seed=1, variant=NEVER_PAID)
    assert any("none is paid" in w for w in r.warnings), r.warnings
    assert r.summary_dict()["warnings"] == r.warnings
    assert evpact.simulate(BASE, draws=5, seed=1).warnings == []


def test_a_linkage_never_measured_is_reported() -> None:
    """The plant the linkage measures has no output (capacity 0): there is nothing to
    measure in any year, so the condition never binds, and the run says so."""
    r = evpact.simulate(BASE, draws=5, seed=1, variant={"plants.nextstar-windsor.capacity_gwh": 0})
    assert any("linkage: never measured" in w for w in r.warnings), r.warnings
    assert np.isnan(r.scenario["linkage_met"].values).all()


def test_a_stress_cut_that_touches_nothing_warns(tmp_path: Path) -> None:
    proc = run_cli(
        ["stress", BASE, "--cut", "refinery:BR=1.0", "--draws", "20", "--out", "o"], tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "warning:" in proc.stderr and "touches nothing" in proc.stderr
    proc = run_cli(["stress", BASE, "--cut", "cam:CN=1.0", "--draws", "20", "--json"], tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["warnings"] == []


# --- atomic outputs --------------------------------------------------------------------------


def test_a_failed_write_leaves_the_previous_output_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "run"
    first = evpact.simulate(BASE, draws=10, seed=1)
    first.write(out)
    (out / "notes.txt").write_text("mine")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(self: Results, path: Path) -> None:
        path.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(Results, "_write_netcdf", broken)
    with pytest.raises(OSError, match="disk full"):
        evpact.simulate(BASE, draws=10, seed=2).write(out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folder left
    monkeypatch.undo()
    second = evpact.simulate(BASE, draws=10, seed=2)
    second.write(out)
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    assert (out / "notes.txt").read_text() == "mine"  # other files of the folder stay


# --- impacts and levels ----------------------------------------------------------------------


def test_every_metric_says_whether_it_is_an_impact_or_a_level() -> None:
    r = evpact.simulate(BASE, draws=20, seed=1)
    kinds = {name: m["kind"] for name, m in r.summary_dict()["metrics"].items()}
    assert set(kinds.values()) == {"impact", "level"}
    for name in ("local_absorption_share", "linkage_met_share", "rvc_margin", "chain_hhi_max"):
        assert kinds[name] == "level"
    assert all(kinds[n] == "level" for n in kinds if n.startswith("mineral_coverage_"))
    for name in ("fiscal_net_npv", "total_jobs_peak", "us_tariff_cost_cumulative"):
        assert kinds[name] == "impact"
    assert list(r.summary()["kind"]) == [r.metrics[n].kind for n in r.metrics]


def test_compare_shows_b_levels_equal_to_bs_own_run(tmp_path: Path) -> None:
    """In ``compare A B``, B's level of a metric is B's value in a run of B itself (same
    seed and draws, common random numbers), and A's level is A's."""
    b = "canada-korea-2026-unlinked"
    proc = run_cli(["compare", BASE, b, "--draws", "50", "--seed", "3", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    own_b = evpact.simulate(b, draws=50, seed=3).summary_dict()["metrics"]
    own_a = evpact.simulate(BASE, draws=50, seed=3).summary_dict()["metrics"]
    for name in ("mineral_coverage_lithium", "domestic_chain_share"):
        assert out["levels_b"][name]["p50"] == pytest.approx(own_b[name]["p50"])
        assert out["metrics"][name]["p50"] == pytest.approx(own_a[name]["p50"])
    assert out["levels_b"]["mineral_coverage_lithium"]["p50"] != pytest.approx(
        out["metrics"]["mineral_coverage_lithium"]["p50"]
    )
    table = run_cli(["compare", BASE, b, "--draws", "50", "--seed", "3"], tmp_path).stdout
    assert "A - B median" in table and "B median" in table
    row = next(line for line in table.splitlines() if "mineral_coverage_lithium" in line)
    assert "level" in row


def test_the_readme_sensitivity_counts_match_the_run(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if line.startswith("evpact sensitivity"))
    samples = int(re.search(r"--samples (\d+)", command).group(1))  # type: ignore[union-attr]
    proc = run_cli(command.split()[1:], tmp_path)
    assert proc.returncode == 0, proc.stderr
    evaluations = int(
        re.search(r"([\d,]+) evaluations", proc.stdout).group(1).replace(",", "")  # type: ignore[union-attr]
    )
    inputs = evaluations // samples - 2
    assert evaluations == samples * (inputs + 2)
    claimed = re.search(r"over the (\d+) uncertain inputs", readme)
    shape = re.search(r"\((\d+) \N{MULTIPLICATION SIGN} (\d+) evaluations", readme)
    assert claimed and shape
    assert int(claimed.group(1)) == inputs, f"README says {claimed.group(1)}, the run {inputs}"
    assert (int(shape.group(1)), int(shape.group(2))) == (samples, inputs + 2)


def test_the_resolved_scenario_dumps_with_libyaml_and_reads_back() -> None:
    from evpact.scenario.load import SAFE_DUMPER, to_yaml, validate

    assert SAFE_DUMPER is getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    s = load_scenario(BASE)
    again = validate(yaml.safe_load(to_yaml(s)), "dumped")
    assert again.model_dump() == s.model_dump()


def test_a_share_of_draws_never_rounds_up_to_all_of_them() -> None:
    from evpact.cli.common import share_of_draws

    assert share_of_draws(0.997) == "99.7%"
    assert share_of_draws(0.003) == "0.3%"
    assert (share_of_draws(1.0), share_of_draws(0.0)) == ("100%", "0%")
