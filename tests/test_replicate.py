"""Replication of published evaluations: the checks ``evpact replicate`` prints.

Cases still outside their tolerance are strict expected failures, each with the reason the
gap remains: the day the model closes a gap, the case passes and the mark must go; the day a
change moves a passing case out of tolerance, its test fails."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from cases import evpact_command
from evpact.replicate import cases, run_case

#: cases outside tolerance today, and why (not per-case factors: explanations of the gap).
#: Measured with full output from each plant's first year (the schedule under which both
#: subsidies reach their announced totals) and evpact's total scope of the two plants.
_REVENUE_GAP = (
    "evpact's Crown revenue from the plants is about half the PBO's: under the PBO's stated "
    "conventions the two plants yield C$12.7 B (nominal, federal and Ontario, direct + indirect "
    "+ induced) over 2024-2043 against the C$28.2 B the PBO finds they recover by 2043, about "
    "C$5.9 M per GWh-year at full output; the PBO's per-node revenues (Trillium Network "
    "modelling) are not published; most of the gap is in the indirect and induced layers "
    "(evpact's cell-plant job multiplier 2.5 against Trillium's six to eight: scaling those "
    "layers to 7 gives C$24.3 B, still short of 2043; docs/model.md). No public text of the PBO "
    "reports, the PBO's committee testimony or the Trillium / Clean Energy Canada report states "
    "an input that sets revenue per GWh (tax-to-GDP ratio, GDP or revenue per job or per GWh, "
    "layer split), so no documented convention can close the gap: blocked on the PBO's inputs"
)
KNOWN_GAPS = {
    "pbo-2023-09-combined-breakeven": _REVENUE_GAP,
    "pbo-2023-11-volkswagen-breakeven": (
        "PowerCo alone recovers C$12.2 B of the C$13.2 B by 2050, not by 2038: " + _REVENUE_GAP
    ),
    "pbo-2023-11-stellantis-lges-breakeven": (
        "NextStar alone recovers C$7.9 B of the C$15 B by 2050, not by 2046: " + _REVENUE_GAP
    ),
    "government-2023-04-volkswagen-payback": (
        "the government's payback counted investment in other supply-chain nodes that the "
        "powerco-2023 scenario does not contain; the plant alone recovers C$7.5 B of C$13.2 B "
        "by 2043 even on total scope"
    ),
}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c.id, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[c.id]))
        if c.id in KNOWN_GAPS
        else pytest.param(c, id=c.id)
        for c in cases()
    ],
)
def test_replication_within_tolerance(case):
    outcome = run_case(case)
    assert np.isfinite(outcome.value), f"{case.id}: no figure (break-even not reached)"
    assert outcome.within, f"{case.id}: evpact {outcome.value:g} vs {case.published:g}"


def test_every_case_is_sourced_and_says_what_it_assumed():
    for c in cases():
        assert c.publication["publisher"] and c.publication["title"] and c.publication["year"]
        assert c.stated, c.id
        assert c.assumed, c.id
        assert c.measure in ("breakeven", "cost")
        assert c.tolerance == (0.10 if c.measure == "cost" else 2)
        assert set(c.set_by_scenario) <= set(c.scenarios), c.id


def test_subsidy_case_is_set_by_the_caps_not_by_the_ramp():
    """Hand check of the C$28.2 B: with full output from the first year, NextStar's
    45 GWh x (US$35 + US$10 x module share) and PowerCo's 90 GWh x US$35 exceed both caps
    well before the 2030-2032 phase-down, so the sum is the two caps, C$15 B + C$13.2 B; with
    the bundled (slower) ramps the caps do not bind and the sum falls well short."""
    import dataclasses

    case = next(c for c in cases() if c.id == "pbo-2023-09-production-subsidies")
    assert run_case(case).value == pytest.approx(15.0e9 + 13.2e9, rel=1e-6)
    bundled = dataclasses.replace(case, set_by_scenario={})
    assert run_case(bundled).value < 0.9 * case.published


def test_replicate_command_prints_each_case_and_exits_by_tolerance(tmp_path):
    done = subprocess.run(
        [*evpact_command(), "replicate"], capture_output=True, text=True, cwd=tmp_path, timeout=600
    )
    for c in cases():
        assert c.id in done.stdout
    all_within = all(run_case(c).within for c in cases())
    assert done.returncode == (0 if all_within else 1), done.stderr


def test_total_support_case_is_caps_plus_grants_plus_the_exemption():
    """Hand check of the PBO total-support case for the two Ontario plants: its cost is the
    sum of its three ledger lines; the production credits are the two caps; the capital
    grants match what is left of the PBO's C$4.9 B of construction support once Northvolt's
    announced C$1.34 B (federal) and C$1.37 B (Quebec) are taken out; and the exemption can
    forgo at most the combined general CIT rate (15% federal + 11.5% Ontario) on the
    subsidies it exempts."""
    import dataclasses

    case = next(c for c in cases() if c.id == "pbo-2023-11-total-support-two-plants")
    parts = {
        k: run_case(dataclasses.replace(case, cost=(k,))).value
        for k in ("production_credit", "capital_grant", "subsidy_exemption")
    }
    assert run_case(case).value == pytest.approx(sum(parts.values()), rel=1e-9)
    assert parts["production_credit"] == pytest.approx(15.0e9 + 13.2e9, rel=1e-6)
    assert parts["capital_grant"] == pytest.approx(4.9e9 - 1.34e9 - 1.37e9, rel=0.10)
    assert 0 < parts["subsidy_exemption"] <= (0.15 + 0.115) * parts["production_credit"]
