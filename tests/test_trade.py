"""Trade (issue 4): expert cases, no tariff no change, monotonicity, refused rule packs."""

from __future__ import annotations

import itertools
import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import evpact
from cases import evpact_command, one_cell_plant
from evpact.engine.simulate import VARIABLES
from evpact.rulecases import bundled_case_files, load_cases, run_case
from evpact.scenario.rules import bundled_rules, load_rule_pack

EVPACT = evpact_command()
RULES = ["usmca-2020", "us-232-2025", "ca-surtax-2025", "ca-remission-2025"]
#: foundation variables: what the model computed before the trade issue
FOUNDATION_VARIABLES = [
    k
    for k in VARIABLES
    if k
    not in (
        "rvc_pct",
        "lvc_pct",
        "vehicles_usmca_qualifying",
        "us_tariff_cost_cad",
        "us_offset_cad",
        "ca_counter_tariff_cad",
        "remission_value_cad",
    )
]


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [*EVPACT, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


CASES = [(f, c) for f in bundled_case_files() for c in load_cases(f)]


@pytest.mark.parametrize(("path", "case"), CASES, ids=[f"{f.stem}:{c['name']}" for f, c in CASES])
def test_expert_case(path: Path, case: dict[str, Any]) -> None:
    passed, detail = run_case(case, path.parent)
    assert passed, detail


def test_every_bundled_rule_pack_loads_and_is_sourced() -> None:
    for name in bundled_rules():
        pack = load_rule_pack(name)
        for param, values in pack.parameters.items():
            for v in values:
                assert v.source is not None or (v.assumption or "").strip(), (name, param)
                if pack.what_if:
                    assert v.source is not None or "what-if" in (v.assumption or ""), name


def test_test_rules_command(tmp_path: Path) -> None:
    ok = _cli(["test-rules"], tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 failed" in ok.stdout
    bad = tmp_path / "wrong.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "cases": [
                    {
                        "name": "a wrong expectation",
                        "source": "a deliberately wrong figure",
                        "compute": "rvc",
                        "input": {"net_cost": 100, "vnm": 30},
                        "expected": {"rvc": 0.8},
                    }
                ]
            }
        )
    )
    failed = _cli(["test-rules", str(bad)], tmp_path)
    assert failed.returncode == 1
    assert "FAIL" in failed.stdout and "1 failed" in failed.stdout


def _scenario_with(tmp_path: Path, rules: list[str], **change: Any) -> Path:
    raw = yaml.safe_load(
        (Path(evpact.__file__).parent / "data" / "scenarios" / "canada-korea-2026.yaml").read_text()
    )
    raw["trade"] = {"rules": rules, **change}
    raw["counterfactual"] = str(
        Path(evpact.__file__).parent / "data" / "scenarios" / "canada-korea-2026-unlinked.yaml"
    )
    path = tmp_path / f"s{len(list(tmp_path.iterdir()))}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def _pack(tmp_path: Path, name: str, parameters: dict[str, Any], **extra: Any) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump({"name": name, "effective": "2020-01-01", "parameters": parameters, **extra})
    )
    return path


def _what_if(value: float) -> dict[str, Any]:
    return {"value": value, "assumption": "what-if of a test"}


def test_no_tariff_no_change(tmp_path: Path) -> None:
    """Trade rules with every tariff at zero give exactly the foundation's results: the same
    scenario without a trade section and without export friction."""
    foundation = evpact.simulate(
        "canada-korea-2026",
        draws=200,
        seed=5,
        variant={"trade": None, "market.regions.US.export_tariff": 0.0},
    )
    zero = evpact.simulate(str(_scenario_with(tmp_path, [*RULES, "no-tariffs"])), draws=200, seed=5)
    for world in ("scenario", "counterfactual"):
        a, b = getattr(foundation, world), getattr(zero, world)
        for name in FOUNDATION_VARIABLES:
            assert np.array_equal(a[name].values, b[name].values, equal_nan=True), (world, name)
        for name in ("us_tariff_cost_cad", "ca_counter_tariff_cad", "remission_value_cad"):
            assert np.all(b[name].values == 0), (world, name)
    # the rules of origin are still computed
    assert np.isfinite(zero.scenario["rvc_pct"].values).any()


def test_higher_us_tariff_never_raises_exports_or_offtake(tmp_path: Path) -> None:
    runs = []
    for rate in (0.0, 0.1, 0.25, 0.5):
        pack = _pack(
            tmp_path,
            f"tariff-{int(rate * 100)}",
            {"us_vehicle_tariff": [_what_if(rate)], "us_battery_tariff": [_what_if(rate)]},
        )
        runs.append(
            evpact.simulate(str(_scenario_with(tmp_path, [*RULES, str(pack)])), draws=300, seed=9)
        )
    for name in ("vehicles_assembled", "battery_output_gwh", "battery_local_gwh"):
        values = [r.scenario[name].values for r in runs]
        for lower, higher in itertools.pairwise(values):
            assert np.all(higher <= lower + 1e-9), name
    first, last = (r.scenario["vehicles_assembled"].values.sum() for r in (runs[0], runs[-1]))
    assert last < first  # the tariff bites
    costs = [r.scenario["us_tariff_cost_cad"].values.sum() for r in runs]
    assert costs[0] == 0 and costs[-1] > 0


def test_linked_canadian_cells_raise_origin(tmp_path: Path) -> None:
    """With NextStar's cells the Hyundai plant's vehicles qualify more often than when every
    cell is imported."""
    linked = evpact.simulate("canada-korea-2026", draws=300, seed=3)
    imported = evpact.simulate(
        "canada-korea-2026", draws=300, seed=3, variant={"deals.hmg-ontario.supply.0.share": 0.0}
    )
    a = linked.metrics["usmca_qualifying_share"].values
    b = imported.metrics["usmca_qualifying_share"].values
    assert np.nanmean(a) > np.nanmean(b)
    assert np.nanmean(linked.metrics["rvc_margin"].values) > np.nanmean(
        imported.metrics["rvc_margin"].values
    )


@pytest.mark.parametrize(
    ("pack", "fragment"),
    [
        (
            {
                "name": "bad-date",
                "parameters": {
                    "rvc_threshold": [{"value": 0.75, "effective": "2025-13-01", "assumption": "x"}]
                },
            },
            "is not a date (YYYY-MM-DD)",
        ),
        (
            {"name": "bad-hs", "effective": "2025-01-01", "hs": ["9999"], "parameters": {}},
            "unknown HS heading '9999'",
        ),
        (
            {
                "name": "bad-threshold",
                "effective": "2025-01-01",
                "parameters": {"rvc_threshold": [{"value": 1.2, "assumption": "x"}]},
            },
            "rvc_threshold = 120%: a threshold must lie in 0-100%",
        ),
    ],
    ids=["bad-date", "unknown-hs", "threshold-above-100"],
)
def test_bad_rule_pack_is_refused(tmp_path: Path, pack: dict[str, Any], fragment: str) -> None:
    path = tmp_path / f"{pack['name']}.yaml"
    # written by hand: an unquoted bad date, as a person would type it
    path.write_text(yaml.safe_dump(pack).replace("'2025-13-01'", "2025-13-01"))
    assert "effective: 2025-13-01" in path.read_text() or pack["name"] != "bad-date"
    scenario = _scenario_with(tmp_path, [*RULES, str(path)])
    for args in (["validate", str(scenario)], ["run", str(scenario), "--out", "out", "-n", "5"]):
        proc = _cli(args, tmp_path)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert fragment in lines[0] and f"{pack['name']}.yaml" in lines[0], lines[0]
        assert "Traceback" not in proc.stderr
        assert not (tmp_path / "out").exists()


def test_canadian_match_is_cut_when_the_us_cuts(tmp_path: Path, write_scenario: Any) -> None:
    """The 45X-matching schedule follows a cut of 45X in the rule packs (never a rise)."""
    data = one_cell_plant()
    data["deals"][0]["incentives"][0]["schedule"] = "ca-match-45x"
    cut = _pack(
        tmp_path,
        "cut-45x",
        {"us_45x_cell_usd_per_kwh": [{**_what_if(17.5), "effective": "2030-01-01"}]},
    )
    data["trade"] = {"rules": ["us-45x-2022", str(cut)]}
    r = evpact.simulate(write_scenario(data), draws=2, seed=1)
    credit = r.impact["public_cost"].isel(draw=0).values - np.array([1e8, 0, 0, 0, 0])
    # statutory 35 x (0.75, 0.5, 0.25, 0, 0); the pack sets 17.5 from 2030: 2030 is cut to
    # 17.5, 2031 stays at 17.5, 2032 stays at 8.75 (a cut only)
    usd = np.array([17.5, 17.5, 8.75, 0.0, 0.0])
    np.testing.assert_allclose(credit, usd * 10e6 * 1.25)
    data["trade"] = {"rules": ["us-45x-2022", "whatif-45x-repeal-2027"]}
    r = evpact.simulate(write_scenario(data), draws=2, seed=1)
    np.testing.assert_allclose(r.impact["public_cost"].isel(draw=0).values, [1e8, 0, 0, 0, 0])


@pytest.mark.parametrize(("start", "rate"), [(2030, 0.30), (2033, 0.10)])
def test_investment_tax_credit_follows_its_phase_down(
    write_scenario: Any, start: int, rate: float
) -> None:
    data = one_cell_plant(start=start)
    data["deals"][0]["incentives"] = [
        {
            "kind": "investment_tax_credit",
            "plant": "cells",
            "schedule": "ca_ctm_itc_rate",
            "base_cad": 1.0e9,
        }
    ]
    r = evpact.simulate(write_scenario(data), draws=2, seed=1)
    paid = r.impact["public_cost"].isel(draw=0).values
    np.testing.assert_allclose(paid, np.where(np.arange(2030, 2035) == start, rate * 1e9, 0.0))


def test_origin_command_and_trade_block(tmp_path: Path) -> None:
    proc = _cli(["origin", "--out", str(tmp_path / "o")], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "change to qualify" in proc.stdout and "hmg-ontario" in proc.stdout
    table = (tmp_path / "o" / "origin.csv").read_text().splitlines()
    assert table[0].startswith("plant,year,vehicles,pack_rvc_pct")
    r = evpact.simulate("canada-korea-2026", draws=100, seed=2)
    block = r.summary_dict()["trade"]
    assert block["rules"] == RULES
    for name in ("usmca_qualifying_share", "us_tariff_cost_cad", "remission_value_cad"):
        assert len(block[name]) == len(block["years"]) == 20, name
    shares = [x for x in block["usmca_qualifying_share"] if x is not None]
    assert shares and all(0 <= x <= 1 for x in shares)
    assert evpact.simulate("nextstar-2023", draws=20, seed=2).summary_dict()["trade"] is None


def test_without_usmca_no_vehicle_qualifies_and_nothing_is_remitted(tmp_path: Path) -> None:
    """After the USMCA review what-if no vehicle qualifies, the full duty moves US supply to
    the automaker's other plant or cuts it (never more vehicles, draw by draw), and US imports
    lose their CUSMA treatment in Canada, so the (CUSMA-only) remission stops."""
    base = evpact.simulate(str(_scenario_with(tmp_path, RULES)), draws=100, seed=4)
    ended = evpact.simulate(
        str(_scenario_with(tmp_path, [*RULES, "whatif-usmca-review-2026"])), draws=100, seed=4
    )
    later = ended.scenario["year"].values >= 2027
    assert np.all(ended.scenario["vehicles_usmca_qualifying"].values[:, later] == 0)
    assert np.all(ended.scenario["remission_value_cad"].values[:, later] == 0)
    made, made_base = (r.scenario["vehicles_assembled"].values[:, later] for r in (ended, base))
    assert np.all(made <= made_base + 1e-6)
    assert np.any(made < made_base)


def test_tracing_the_cathode_lowers_origin_without_a_linked_cam_plant() -> None:
    linked = evpact.simulate("canada-korea-2026", draws=200, seed=6)
    traced = evpact.simulate(
        "canada-korea-2026",
        draws=200,
        seed=6,
        variant={"trade.plants.hmg-ontario.trace_cathode": True},
    )
    a = linked.scenario["assembly_pack_rvc_pct"].values
    b = traced.scenario["assembly_pack_rvc_pct"].values
    assert np.all(b <= a + 1e-9) and np.nanmean(b) < np.nanmean(a)
    assert np.nanmean(traced.metrics["usmca_qualifying_share"].values) < np.nanmean(
        linked.metrics["usmca_qualifying_share"].values
    )


def test_investment_tax_credit_without_a_base_is_rate_x_archetype_capex_x_capacity(
    write_scenario: Any,
) -> None:
    """An ITC by rate with no base_cad applies to the plant's archetype capital cost per GWh
    times its capacity (compile wires the capacity as the base's units): 10 GWh at the
    archetype's central capex per GWh, 10%, paid in the start year."""
    from evpact.engine.compile import compile_scenario
    from evpact.scenario.load import load_scenario

    data = one_cell_plant()
    data["deals"][0]["incentives"] = [
        {"kind": "investment_tax_credit", "plant": "cells", "rate": 0.1, "year": 2030}
    ]
    path = write_scenario(data)
    model = compile_scenario(load_scenario(path))
    per_gwh = float(np.asarray(model.inputs["deals.deal.incentives.0.capex_per_unit"].central))
    assert per_gwh > 1e7  # CAD per GWh of cell capacity, not per kWh
    r = evpact.simulate(path, draws=1, seed=1, deterministic=True)
    paid = r.impact["public_cost"].isel(draw=0).values
    np.testing.assert_allclose(paid, [0.1 * per_gwh * 10.0, 0, 0, 0, 0], rtol=1e-9)


def test_scenario_content_is_the_home_plants_content_where_they_build() -> None:
    """``rvc_pct`` and ``lvc_pct`` (simulate's trade outputs) weight the home assembly plants'
    contents by their output: with one home plant they are its own ``assembly_*_pct`` in the
    years it builds, and NaN before it builds anything."""
    r = evpact.simulate("canada-korea-2026", draws=3, seed=1)
    s = r.scenario
    made = s["vehicles_assembled"].values > 0
    assert made.any() and (~made).any()
    for key in ("rvc_pct", "lvc_pct"):
        plants = s[f"assembly_{key}"]
        home = plants.isel({plants.dims[1]: 0}).values  # the one home assembly plant
        total = s[key].values
        np.testing.assert_allclose(total[made], home[made], rtol=1e-12, err_msg=key)
        assert np.isnan(total[~made]).all(), key
        assert ((total[made] > 0) & (total[made] <= 100)).all(), key
