"""Plain labels: every metric the engine produces has words and a unit a reader knows."""

from __future__ import annotations

import re

import evpact
from evpact.labels import LABELS, has_label, label, titled, unit_text


def test_every_metric_the_engine_produces_has_a_label():
    metrics = evpact.simulate("canada-korea-2026", deterministic=True).metrics
    missing = [n for n in metrics if not has_label(n)]
    assert not missing
    for name, m in metrics.items():
        text = titled(name, m.unit)
        assert "_" not in text, text  # no raw names or raw units in the words
        assert not re.search(r"CAD", text)


def test_units_and_labels_read_as_words():
    assert titled("public_cost_npv", "CAD_2026") == "Public cost, present value, C$ 2026"
    assert unit_text("CAD_2031") == "C$ 2031" and unit_text("share") == "%"
    # a metric without a label still reads as words (reports never fail on a new metric)
    assert label("some_new_metric") == "Some new metric"
    assert len({v.text for v in LABELS.values()}) == len(LABELS)  # no two metrics read alike
