"""Property: every mutation of a bundled scenario is refused with evpact's own one-line error
naming a path, or runs with finite headline metrics (issue 11). A small deterministic budget
here; ``benchmarks/fuzz.py`` runs 10,000 cases on demand."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing

TEXTS = fuzzing.sources()


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(sorted(TEXTS)),
    kind=st.sampled_from(fuzzing.KINDS),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_mutated_scenario_is_refused_cleanly_or_runs_finite(name: str, kind: str, seed: int):
    data = fuzzing.mutate(TEXTS[name], kind, random.Random(seed))
    result = fuzzing.check(data)
    assert result.ok, f"{kind} of {name}: {result.outcome}: {result.detail}"


def test_every_mutation_kind_is_exercised_and_some_are_accepted():
    """The fuzzer is not vacuous: over a fixed set of cases each kind occurs, most are
    refused, and some mutated scenarios still run (so the accepted branch is checked)."""
    counts, breaches = fuzzing.run_cases(60, seed=11)
    assert not breaches, breaches
    kinds = {k for k, _ in counts}
    outcomes = {o for _, o in counts}
    assert kinds == set(fuzzing.KINDS)
    assert outcomes == {"refused", "accepted"}


def test_the_contract_catches_what_it_should(tmp_path):
    """The checker itself: a non-finite headline is flagged, a path-less refusal too."""
    good = TEXTS["canada-korea-2026"].encode()
    assert fuzzing.check(good).outcome == "accepted"
    assert fuzzing.check(b"\xff\xfe").outcome == "refused"
    assert fuzzing.check(good.replace(b"capacity_gwh: 49.5", b"capacity_gwh: .nan")).outcome == (
        "refused"
    )
