"""Net impact (issue 12): the but-for mixture, labour-market slack and the cost of public funds.

Limits (net = gross when nothing is netted; nothing but the cost when nothing is added),
monotonicity per draw on common random numbers, and a hand case.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from evpact import api
from evpact.engine.additionality import excess_burden
from evpact.errors import EvpactError
from evpact.metrics import net_metrics
from evpact.scenario.distributions import fixed
from evpact.scenario.load import load_scenario
from evpact.scenario.model import Additionality, Scenario, Slack

DRAWS = 64
#: gross metric -> its net twin
PAIRS = {
    "total_jobs_peak": "net_jobs_peak",
    "labour_income_cumulative": "net_labour_income_cumulative",
    "tax_revenue_npv": "net_tax_revenue_npv",
    "public_benefit_npv": "net_public_benefit_npv",
    "benefit_cost_ratio_gross": "benefit_cost_ratio",
    "public_cost_per_job": "public_cost_per_net_job",
}


def _with(
    but_for: float, slack: float | None = None, mcpf: float | None = None, migration: float = 0.0
) -> Scenario:
    base = load_scenario("canada-korea-2026")
    payers = {k for d in base.deals for i in d.incentives for k in i.payer}
    add = Additionality(
        but_for=fixed(but_for),
        slack=Slack()
        if slack is None
        else Slack(direct=fixed(slack), indirect=fixed(slack), induced=fixed(slack)),
        in_migration=fixed(migration),
        mcpf={} if mcpf is None else {p: fixed(mcpf) for p in payers},
    )
    return base.model_copy(update={"additionality": add})


def _run(s: Scenario) -> dict[str, Any]:
    return {k: m.values for k, m in api.simulate(s, draws=DRAWS, seed=7).metrics.items()}


def test_net_equals_gross_bit_for_bit_when_nothing_is_netted() -> None:
    m = _run(_with(1.0, slack=1.0, mcpf=1.0))
    for gross, net in PAIRS.items():
        assert np.array_equal(m[gross], m[net], equal_nan=True), net
    assert np.all(m["excess_burden_npv"] == 0)
    assert np.all((m["deadweight_share"] == 0) | np.isnan(m["deadweight_share"]))


def test_no_additionality_leaves_only_the_cost_of_public_funds() -> None:
    m = _run(_with(0.0, mcpf=1.4))
    assert np.all(m["net_jobs_peak"] == 0)
    assert np.all(m["net_tax_revenue_npv"] == 0)
    np.testing.assert_allclose(
        m["net_public_benefit_npv"], -1.4 * m["public_cost_npv"], rtol=1e-9, atol=1e-3
    )
    assert np.all((m["deadweight_share"] == 1) | np.isnan(m["deadweight_share"]))


def test_lowering_but_for_never_raises_the_net_benefit_per_draw() -> None:
    """The mixture makes the net benefit affine in b per draw: NB(b) = NB(0) + b x G, where
    G is what the plants add (residents' income and net revenue) and NB(0) = -mcpf x cost.
    So lowering b never raises NB where G >= 0; where the plants lose the Crown more revenue
    than they add (G < 0: e.g. surtax revenue on US imports the plant replaces, displaced
    labour tax), crediting the deal with less of them must raise it, and does."""
    bs = (1.0, 0.5, 0.12, 0.0)
    runs = dict(zip(bs, (_run(_with(b))["net_public_benefit_npv"] for b in bs), strict=True))
    gain = runs[1.0] - runs[0.0]
    for b in (0.5, 0.12):
        np.testing.assert_allclose(runs[b], runs[0.0] + b * gain, rtol=1e-9, atol=1e-3)
    adds = gain >= 0
    assert adds.sum() > len(gain) // 2  # most draws add: the check below is not empty
    for higher, lower in itertools.pairwise(bs):
        assert np.all(runs[lower][adds] <= runs[higher][adds] + 1e-6 * np.abs(runs[higher][adds]))
        assert np.all(
            runs[lower][~adds] >= runs[higher][~adds] - 1e-6 * np.abs(runs[higher][~adds])
        )
    assert np.any(runs[0.0] < runs[1.0])  # the test can fail: netting bites somewhere


def test_default_case_carries_gross_and_net_metrics() -> None:
    m = _run(load_scenario("canada-korea-2026"))
    for gross, net in PAIRS.items():
        assert gross in m and net in m
    slack_max = 0.35 * 0.106 / 0.074  # bundled share x the highest unemployment / reference
    # the firms' but-for is at most 1
    assert np.all(m["net_jobs_peak"] <= slack_max * m["total_jobs_peak"] + 1e-6)
    # without firms the bundled defaults net out most jobs: b <= 0.25
    m = _run(load_scenario("canada-korea-2026").model_copy(update={"firms": ()}))
    assert np.all(m["net_jobs_peak"] <= 0.25 * slack_max * m["total_jobs_peak"] + 1e-6)


def test_but_for_out_of_range_is_refused() -> None:
    with pytest.raises((EvpactError, ValueError)):
        api.simulate("canada-korea-2026", draws=2, variant={"additionality.but_for": 1.5})


def _hand_worlds(b: float) -> tuple[dict[str, Any], dict[str, Any]]:
    def row(*v: float) -> Any:
        return np.array([v], dtype=float)

    s = {
        "direct_jobs": row(100, 200),
        "indirect_jobs": row(100, 100),
        "induced_jobs": row(100, 100),
        "labour_income_direct": row(10, 10),
        "labour_income_indirect": row(10, 10),
        "labour_income_induced": row(10, 10),
        "tax_total": row(20, 20),
        "public_cost": row(10, 0),
        "but_for": row(b, b),
        "slack_direct": np.array([0.2]),
        "slack_indirect": np.array([0.5]),
        "slack_induced": np.array([1.0]),
        "in_migration": np.array([0.25]),
        "labour_revenue_rate": row(0.3, 0.3),
    }
    s["incentive_paid"] = s["public_cost"]
    s["clawback_repaid"] = row(0, 0)
    s["public_cost_deadweight"] = (1 - b) * s["public_cost"]
    s["excess_burden"] = excess_burden(
        {"federal": s["public_cost"]}, {"federal": np.array([[1.5]])}, np.zeros((1, 2))
    )
    c = {k: np.zeros_like(a) for k, a in s.items()}
    for k in ("slack_direct", "slack_indirect", "slack_induced", "in_migration"):
        c[k] = s[k]
    c["labour_revenue_rate"] = s["labour_revenue_rate"]
    return s, c


def test_hand_case_mixture_slack_and_excess_burden() -> None:
    s, c = _hand_worlds(0.5)
    m = {k: float(v.values[0]) for k, v in net_metrics(s, c, np.ones((1, 2)), "CAD").items()}
    # jobs: 0.5 x (0.2*100 + 0.5*100 + 1*100) = 85, then 0.5 x (40 + 50 + 100) = 95
    assert m["net_jobs_peak"] == pytest.approx(95)
    # income: 0.5 x (0.2 + 0.5 + 1) x 20 = 17
    assert m["net_labour_income_cumulative"] == pytest.approx(17)
    # tax: labour tax of movers 0.3 x (0.8*10 + 0.5*10) = 3.9 a year; 0.5 x (20 - 3.9) x 2
    assert m["net_tax_revenue_npv"] == pytest.approx(16.1)
    # residents: 0.5 x 17 x (1 - 0.3) x (1 - 0.25) = 4.4625 a year; minus cost 10, burden 5
    assert m["net_public_benefit_npv"] == pytest.approx(8.925 + 16.1 - 10 - 5)
    assert m["excess_burden_npv"] == pytest.approx(5)
    assert m["benefit_cost_ratio"] == pytest.approx((8.925 + 16.1) / 15)
    assert m["public_cost_per_net_job"] == pytest.approx(10 / 95)
    assert m["deadweight_share"] == pytest.approx(0.5)
    # the mixture: the expectation over "no plant without the deal" (b) and "the plant
    # anyway" (1 - b), with the cost paid in both
    ends = [
        float(net_metrics(*_hand_worlds(x), np.ones((1, 2)), "CAD")[k].values[0])
        for x in (1.0, 0.0)
        for k in ("net_public_benefit_npv",)
    ]
    assert m["net_public_benefit_npv"] == pytest.approx(0.5 * ends[0] + 0.5 * ends[1])


def _unemployment(rate: float, slack: float | None = None) -> Scenario:
    s = _with(0.5, slack=slack)
    add = s.additionality
    assert add is not None
    return s.model_copy(
        update={"additionality": add.model_copy(update={"unemployment_rate": fixed(rate)})}
    )


def test_bundled_slack_scales_with_the_unemployment_rate() -> None:
    """Slack (model.md): a bundled share s holds at the reference rate u_ref = 7.4% and becomes
    min(1, s x u / u_ref) at the region's rate u, draw by draw; a share the scenario sets is
    used as it is."""
    at_reference = api.simulate(_unemployment(0.074), draws=DRAWS, seed=7).scenario
    doubled = api.simulate(_unemployment(0.148), draws=DRAWS, seed=7).scenario
    for layer in ("direct", "indirect", "induced"):
        s_ref = at_reference[f"slack_{layer}"].values
        assert np.all((s_ref >= 0.15) & (s_ref <= 0.35))  # the bundled range
        np.testing.assert_allclose(doubled[f"slack_{layer}"].values, 2 * s_ref, rtol=1e-12)
    saturated = api.simulate(_unemployment(0.74), draws=DRAWS, seed=7).scenario
    assert np.all(saturated["slack_direct"].values == 1.0)  # ten times the reference: capped
    for rate in (0.02, 0.3):
        given = api.simulate(_unemployment(rate, slack=0.4), draws=DRAWS, seed=7).scenario
        assert np.all(given["slack_induced"].values == 0.4)


def test_higher_unemployment_never_lowers_net_jobs_per_draw() -> None:
    runs = [_run(_unemployment(u))["net_jobs_peak"] for u in (0.03, 0.06, 0.09, 0.2)]
    for lower, higher in itertools.pairwise(runs):
        assert np.all(higher >= lower - 1e-9 * np.abs(lower))
    assert np.any(runs[-1] > runs[0])
