"""Bundled scenarios still give their reviewed summaries (see golden_runs.py)."""

from __future__ import annotations

import json

import pytest

from golden_runs import GOLDEN, SCENARIOS, golden_summary


@pytest.mark.parametrize("name", SCENARIOS)
def test_golden_summary(name):
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    actual = json.loads(json.dumps(golden_summary(name)))
    assert actual.keys() == expected.keys()
    assert actual["metrics"].keys() == expected["metrics"].keys()
    for metric, stats in expected["metrics"].items():
        for key, value in stats.items():
            got = actual["metrics"][metric][key]
            if value is None or isinstance(value, str):
                assert got == value, (metric, key)
            else:
                assert got == pytest.approx(value, rel=1e-9, abs=1e-6), (metric, key)
