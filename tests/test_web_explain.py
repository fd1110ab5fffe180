"""The explain map points at real things: docs/model.md sections and scenario paths."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from evpact.scenario.load import _fields, _shape
from evpact.scenario.model import Scenario
from evpact.web.explain import EXPLAINED

ROOT = Path(__file__).resolve().parents[1]


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    return {
        slug(line.lstrip("#"))
        for line in doc.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def resolves(path: str) -> bool:
    """A dotted scenario path with ``*`` for any list item or mapping key."""
    shape: Any = ("model", Scenario)
    for part in path.split("."):
        if shape[0] == "model":
            fields = _fields(shape[1])
            if part not in fields:
                return False
            shape = _shape(fields[part])
        elif shape[0] in ("list", "mapping"):
            shape = shape[1]
        else:
            return False
    return True


@pytest.mark.parametrize("name", sorted(EXPLAINED))
def test_explanations_point_at_real_sections_and_paths(name):
    entry = EXPLAINED[name]
    doc, _, anchor = entry.docs.partition("#")
    assert anchor in anchors(ROOT / doc), entry.docs
    for path in entry.inputs:
        if path.startswith("reference: "):
            assert (ROOT / "src/evpact/data/reference" / path.split(": ")[1]).exists(), path
        else:
            assert resolves(path), path
