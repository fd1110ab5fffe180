"""Bundled data: every figure sourced, ranges ordered, scenarios' sources point at real paths."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from evpact.data import REFERENCE_FILES, data_dir
from evpact.scenario.load import bundled_scenarios

REFERENCE = data_dir() / "reference"


@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_every_row_has_a_source(name):
    with (REFERENCE / name).open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        assert row["source"].strip(), row
        if {"low", "mode", "high"} <= row.keys():
            assert float(row["low"]) <= float(row["mode"]) <= float(row["high"]), row


def test_multipliers_are_ordered():
    with (REFERENCE / "multipliers.csv").open(newline="") as f:
        rows = {(r["industry"], r["measure"]): r for r in csv.DictReader(f)}
    industries = {i for i, _ in rows}
    for ind in industries:
        for col in ("low", "mode", "high"):
            t1 = float(rows[ind, "jobs_type1"][col])
            t2 = float(rows[ind, "jobs_type2"][col])
            assert 1 <= t1 <= t2, (ind, col)
            for kind in ("gdp", "labour_income"):
                d, s, t = (
                    float(rows[ind, f"{kind}_per_output_{x}"][col])
                    for x in ("direct", "simple", "total")
                )
                assert 0 <= d <= s <= t, (ind, kind, col)


def test_45x_phase_down():
    with (REFERENCE / "incentive_schedules.csv").open(newline="") as f:
        rows = [
            r for r in csv.DictReader(f) if r["schedule"] == "us-45x" and r["component"] == "cell"
        ]
    phase = {int(r["year"]): float(r["phase_factor"]) for r in rows}
    assert phase[2029] == 1 and phase[2030] == 0.75 and phase[2031] == 0.5
    assert phase[2032] == 0.25 and phase[2033] == 0
    assert all(float(r["rate_usd_per_kwh"]) == 35 for r in rows)


def _resolves(raw: dict, key: str) -> bool:
    node = raw
    for part in key.split("."):
        if isinstance(node, list):
            match = [
                x
                for x in node
                if isinstance(x, dict) and part in (str(x.get("id")), str(x.get("customer")))
            ]
            if match:
                node = match[0]
            elif part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return False
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    return True


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_scenario_sources_point_at_real_paths(name):
    raw = yaml.safe_load(Path(bundled_scenarios()[name]).read_text())
    sources = raw.get("sources", {})
    assert sources, f"{name} cites no sources"
    for key, text in sources.items():
        assert _resolves(raw, key), f"{name}: sources key '{key}' is not a path in the file"
        assert text.strip()
    for plant in raw["plants"]:
        assert any(k.startswith(f"plants.{plant['id']}") for k in sources), plant["id"]
    for deal in raw["deals"]:
        for i, _ in enumerate(deal.get("incentives", [])):
            assert any(k.startswith(f"deals.{deal['id']}.incentives.{i}") for k in sources)
