"""Chain map and disruption stress tests: hand cases, no cut no change, a sole supplier cut
stops the stages downstream, larger cuts never raise output, and clean errors."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import evpact
from cases import one_cell_plant
from evpact.engine import resilience
from evpact.engine.compile import compile_scenario
from evpact.stress import stress
from test_errors import assert_clean_failure, run_cli

BASE = "canada-korea-2026"


def test_group_shares_and_hhi_by_hand() -> None:
    partners = {"US": "usmca", "MX": "usmca", "KR": "fta"}
    shares = {"CA": 0.2, "US": 0.1, "KR": 0.4, "CN": 0.2, "ZZ": 0.1}
    groups = resilience.group_shares(shares, "CA", partners)
    assert groups == pytest.approx({"domestic": 0.2, "usmca": 0.1, "fta": 0.4, "other": 0.3})
    # 20^2 + 10^2 + 40^2 + 20^2, the unspecified rest of the world adds nothing
    assert resilience.hhi(shares) == pytest.approx(400 + 100 + 1600 + 400)
    assert resilience.hhi({"CN": 1.0}) == 10_000


def test_bundled_partners_are_real_agreements() -> None:
    model = compile_scenario(evpact.load_scenario(BASE))
    assert model.partners["US"] == model.partners["MX"] == "usmca"
    assert model.partners["KR"] == "fta"  # CKFTA
    assert "CN" not in model.partners


def test_cut_propagates_through_buffers_by_hand() -> None:
    chain = {"cam": {"KR": 1.0}, "anode": {"CN": 1.0}, "cell": {"CA": 1.0}, "assembly": {"CA": 1.0}}
    stock = {"cell": 4.0, "assembly": 0.5}
    lost = resilience.lost_weeks(chain, {("cam", "KR"): 1.0}, 12.0, stock)
    assert lost[("cam", "KR")] == 12.0
    assert lost[("anode", "*")] == 0.0
    assert lost[("cell", "CA")] == 12.0 - 4.0  # the cell plant runs 4 weeks on its stock
    assert lost[("assembly", "CA")] == 12.0 - 4.0 - 0.5
    # half of KR's cathode for 12 weeks is 6 weeks of the stage's output
    lost = resilience.lost_weeks(
        {**chain, "cam": {"KR": 0.5, "JP": 0.5}}, {("cam", "KR"): 1.0}, 12, stock
    )
    assert lost[("cam", "*")] == 6.0 and lost[("cell", "CA")] == 2.0
    # concurrent shortfalls: the cell plant needs both inputs, so the larger one counts
    lost = resilience.lost_weeks(chain, {("cam", "KR"): 0.5, ("anode", "CN"): 1.0}, 10, {})
    assert lost[("cell", "CA")] == 10.0


def test_lost_weeks_spread_over_years_by_hand() -> None:
    kept = resilience.yearly_availability(60.0, 2031, np.arange(2030, 2034))
    assert kept == pytest.approx([1.0, 0.0, 1 - 8 / 52, 1.0])


def test_chain_indicators_of_the_bundled_deal() -> None:
    """cam 0% and anode 0% domestic (IEA global shares), cell and assembly in Ontario: 50%."""
    r = evpact.simulate(BASE, draws=20, seed=1)
    summary = r.summary_dict()["metrics"]
    assert summary["domestic_chain_share"]["mean"] == pytest.approx(0.5)
    assert summary["chain_hhi_max"]["mean"] == pytest.approx(98.0**2)  # anode, CN 98%


def _with(raw: dict[str, Any], **deal: Any) -> dict[str, Any]:
    raw["deals"][0].update(deal)
    return raw


def _cut(raw: dict[str, Any], share: float, weeks: float = 52, stage: str = "cam") -> dict:
    return {
        **raw,
        "disruptions": [
            {"stage": stage, "country": "KR", "share": share, "weeks": weeks, "year": 2032}
        ],
    }


def _run(raw: dict[str, Any], write_scenario: Any) -> evpact.Results:
    return evpact.simulate(write_scenario(raw), draws=50, seed=3)


def test_no_cut_no_change(write_scenario: Any) -> None:
    raw = _with(one_cell_plant(), chain={"cam": {"KR": 1.0}})
    base = _run(raw, write_scenario)
    for cut in (_cut(raw, 0.0), _cut(raw, 1.0, stage="anode")):  # nothing, or a stage not used
        other = _run(cut, write_scenario)
        for name in ("battery_output_gwh", "direct_jobs", "gdp_direct", "tax_total"):
            np.testing.assert_array_equal(other.scenario[name].values, base.scenario[name].values)


def test_sole_supplier_cut_without_buffer_stops_downstream(write_scenario: Any) -> None:
    raw = _with(one_cell_plant(), chain={"cam": {"KR": 1.0}}, inventory_weeks={"cell": 0})
    base = _run(raw, write_scenario).scenario["battery_output_gwh"].values
    hit = _run(_cut(raw, 1.0), write_scenario).scenario["battery_output_gwh"].values
    year = list(range(2030, 2035)).index(2032)
    assert base[:, year].min() > 0
    assert np.all(hit[:, year] == 0)  # the cut year: nothing made
    others = [i for i in range(5) if i != year]
    np.testing.assert_array_equal(hit[:, others], base[:, others])


def test_larger_cut_never_raises_output(write_scenario: Any) -> None:
    raw = _with(one_cell_plant(), chain={"cam": {"KR": 0.7, "CN": 0.3}})
    runs = [_run(_cut(raw, s, weeks=20), write_scenario) for s in (0.0, 0.3, 0.6, 1.0)]
    for name in ("battery_output_gwh", "direct_jobs", "gdp_direct"):
        arrays = [r.scenario[name].values for r in runs]
        for less, more in itertools.pairwise(arrays):
            assert np.all(more <= less + 1e-9), name
        assert arrays[-1].sum() < arrays[0].sum(), name


def test_stress_linked_against_unlinked() -> None:
    """The same cut hits both worlds; only the linked one loses vehicles (it alone has the
    assembly plant), and the loss grows with the cut's length."""
    short = stress(BASE, [("cam", "CN", 1.0)], weeks=8, draws=100, seed=5)
    long = stress(BASE, [("cam", "CN", 1.0)], weeks=26, draws=100, seed=5)
    t = short.table.set_index(["world", "loss"])["mean"]
    assert t[(BASE, "vehicles")] > 0
    assert t[(f"{BASE}-unlinked", "vehicles")] == 0
    assert t[(f"{BASE}-unlinked", "battery_gwh")] > 0
    u = long.table.set_index(["world", "loss"])["mean"]
    assert (u >= t - 1e-9).all() and u[(BASE, "gdp")] > t[(BASE, "gdp")]


def test_chain_and_stress_commands(tmp_path: Path) -> None:
    proc = run_cli(["chain", BASE, "--out", str(tmp_path / "chain")], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "domestic_chain_share 50%" in proc.stdout
    html = (tmp_path / "chain" / "chain.html").read_text()
    assert "Sankey" in html or "sankey" in html
    assert 'src="http' not in html  # plotly.js is inside: opens offline
    assert (tmp_path / "chain" / "chain.png").read_bytes()[:4] == b"\x89PNG"
    out = tmp_path / "stress"
    proc = run_cli(
        [
            "stress",
            BASE,
            "--cut",
            "cam:CN=1.0",
            "--weeks",
            "8",
            "-n",
            "40",
            "--json",
            "--out",
            str(out),
        ],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["cuts"] == [{"stage": "cam", "country": "CN", "share": 1.0}]
    assert {r["world"] for r in summary["losses"]} == {BASE, f"{BASE}-unlinked"}
    assert (out / "stress.csv").exists() and (out / "stress_yearly.csv").exists()


@pytest.mark.parametrize(
    ("cut", "fragment"),
    [
        ("cam-KR=1", "is not STAGE:COUNTRY=SHARE"),
        ("cathode:KR=1", "unknown stage 'cathode'"),
        ("cel:KR=1", "did you mean 'cell'"),
        ("cam:KR=1.5", "must lie in [0, 1]"),
        ("cam:KR=lots", "is not a number"),
    ],
)
def test_stress_bad_cut(tmp_path: Path, cut: str, fragment: str) -> None:
    out = tmp_path / "out"
    proc = run_cli(["stress", BASE, "--cut", cut, "-n", "10", "--out", str(out)], tmp_path)
    assert_clean_failure(proc, out, [fragment])


@pytest.mark.parametrize(
    ("chain", "fragment"),
    [
        ({"cam": {"KR": 0.5}}, "must add up to 1"),
        ({"cam": {"Korea": 1.0}}, "not an ISO 3166 alpha-2 code"),
        ({"cathode": {"KR": 1.0}}, "cathode"),
    ],
)
def test_bad_chain_is_refused(
    tmp_path: Path, write_scenario: Any, chain: dict[str, Any], fragment: str
) -> None:
    path = write_scenario(_with(one_cell_plant(), chain=chain))
    out = tmp_path / "out"
    proc = run_cli(["run", path.name, "-n", "10", "--out", str(out)], path.parent)
    assert_clean_failure(proc, out, [fragment])
