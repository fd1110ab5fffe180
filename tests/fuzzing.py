"""Mutations of the bundled scenarios and the contract every mutated file must meet: it is
refused with the project's own error naming a path, or it runs with finite headline metrics.

Shared by ``tests/test_fuzz.py`` (a few dozen cases under hypothesis) and
``benchmarks/fuzz.py`` (10,000 cases on demand). Mutations act on the parsed YAML (delete a
key, a wrong type, a non-finite or huge number, an unknown key, deep nesting, aliases) or on
the file's bytes (a non-UTF-8 byte, truncation).
"""

from __future__ import annotations

import math
import random
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evpact.errors import EvpactError
from evpact.scenario.load import bundled_scenarios

KINDS = (
    "delete_key",
    "wrong_type",
    "non_finite",
    "huge_number",
    "scaled_number",
    "unknown_key",
    "non_utf8",
    "truncate",
    "deep_nesting",
    "yaml_alias",
)
#: metrics that must be finite in every draw of an accepted scenario: impacts that exist
#: whatever the scenario (levels and break-even years may be undefined: NaN, by design)
HEADLINE = (
    "direct_jobs_peak",
    "total_jobs_peak",
    "gdp_cumulative",
    "labour_income_cumulative",
    "public_cost_npv",
    "tax_revenue_npv",
    "fiscal_net_npv",
    "battery_output_gwh_cumulative",
    "vehicles_assembled_cumulative",
    "co2e_manufacturing_cumulative",
    "co2e_avoided_cumulative",
    "us_tariff_cost_cumulative",
)
WRONG_VALUES: tuple[Any, ...] = ("abc", "", True, None, [], {}, [1, 2], {"x": 1}, "1e999")
HUGE_VALUES: tuple[Any, ...] = (
    10**400,
    -(10**400),
    10**20,
    1e308,
    -1e308,
    1e300,
    1e16,
    -1.0,
    2**63,
)
NON_FINITE = (math.nan, math.inf, -math.inf)


def sources() -> dict[str, str]:
    """Text of each bundled scenario except the world without a deal (no counterfactual)."""
    return {
        name: path.read_text(encoding="utf-8")
        for name, path in bundled_scenarios().items()
        if name != "no-deal"
    }


def _spots(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a parsed YAML document (mapping keys, list indices)."""
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _spots(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _spots(v, (*path, i))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def _numbers(doc: Any) -> list[tuple[Any, ...]]:
    return [
        p
        for p in _spots(doc)
        if p and isinstance(_get(doc, p), int | float) and not isinstance(_get(doc, p), bool)
    ]


def mutate(text: str, kind: str, rng: random.Random) -> bytes:
    """One mutation of a scenario's text, as the bytes of a file."""
    if kind == "non_utf8":
        data = bytearray(text.encode())
        at = rng.randrange(len(data) + 1)
        data[at:at] = bytes([rng.randrange(0x80, 0x100)])
        return bytes(data)
    if kind == "truncate":
        data = text.encode()
        return data[: rng.randrange(len(data))]
    doc = yaml.safe_load(text)
    spots = [p for p in _spots(doc) if p]
    if kind in ("non_finite", "huge_number", "scaled_number"):
        spots = _numbers(doc) or spots
    where = rng.choice(spots)
    parent, key = _get(doc, where[:-1]), where[-1]
    if kind == "delete_key":
        del parent[key]
    elif kind == "wrong_type":
        parent[key] = rng.choice(WRONG_VALUES)
    elif kind == "non_finite":
        parent[key] = rng.choice(NON_FINITE)
    elif kind == "huge_number":
        parent[key] = rng.choice(HUGE_VALUES)
    elif kind == "scaled_number":
        value = parent[key]
        if isinstance(value, int | float) and not isinstance(value, bool):
            parent[key] = value * rng.choice((-1, 0, 0.5, 1.01, 2, 10, 1000, 1e6))
    elif kind == "unknown_key":
        mappings = [p for p in _spots(doc) if isinstance(_get(doc, p), dict)]
        target = _get(doc, rng.choice(mappings))
        target[rng.choice(("extra", "capacity", "treshold", "from_", "Name"))] = 1
    elif kind == "deep_nesting":  # written as text: PyYAML's dumper recurses too
        depth = rng.choice((5, 50, 150, 300, 3000, 100_000))
        parent[key] = "NESTED-HERE"
        text = yaml.dump(doc, sort_keys=False, allow_unicode=True, width=10**6)
        nested = "[" * depth + "1" + "]" * depth
        return text.replace("NESTED-HERE", nested, 1).encode()
    elif kind == "yaml_alias":
        shared = _get(doc, rng.choice(spots))
        other = _get(doc, rng.choice(spots)[:-1] or ())
        if isinstance(other, dict):
            other[rng.choice(list(other) or ["x"])] = shared  # dumped as &anchor / *alias
        elif isinstance(other, list) and other:
            other[rng.randrange(len(other))] = shared
        else:
            parent[key] = [shared, shared]
    else:
        raise ValueError(kind)
    return yaml.dump(doc, sort_keys=False, allow_unicode=True, width=10**6).encode()


@dataclass(frozen=True)
class Outcome:
    """How a case ended: ``refused`` (the project's error naming a path), ``accepted``
    (ran with finite headline metrics), or a contract breach (``refused_without_path``,
    ``refused_multiline``, ``accepted_non_finite``, ``traceback``)."""

    outcome: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in ("refused", "accepted")


def check(data: bytes, folder: Path | None = None, draws: int = 2, seed: int = 1) -> Outcome:
    """Load, validate and (if accepted) run a scenario file's bytes in this process."""
    from evpact import simulate
    from evpact.scenario.load import load_scenario

    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = Path(tmp) / "fuzzed.yaml"
        path.write_bytes(data)
        try:
            scenario = load_scenario(path)
            results = simulate(scenario, draws=draws, seed=seed)
        except EvpactError as e:
            if not e.path:
                return Outcome("refused_without_path", str(e))
            if "\n" in str(e):
                return Outcome("refused_multiline", str(e))
            return Outcome("refused", str(e))
        except Exception as e:
            return Outcome("traceback", f"{type(e).__name__}: {e}"[:300])
    bad = []
    for name, metric in results.metrics.items():
        values = metric.values
        if (name in HEADLINE and not all(math.isfinite(v) for v in values)) or any(
            math.isinf(v) for v in values
        ):
            bad.append(name)
    if bad:
        return Outcome("accepted_non_finite", ", ".join(bad))
    return Outcome("accepted")


def run_cases(n: int, seed: int = 0) -> tuple[Counter[tuple[str, str]], list[str]]:
    """``n`` cases drawn with ``seed``: counts by (mutation, outcome), and the breaches."""
    rng = random.Random(seed)
    texts = sources()
    counts: Counter[tuple[str, str]] = Counter()
    breaches = []
    for i in range(n):
        name = rng.choice(sorted(texts))
        kind = rng.choice(KINDS)
        data = mutate(texts[name], kind, rng)
        result = check(data)
        counts[(kind, result.outcome)] += 1
        if not result.ok:
            breaches.append(f"case {i} ({name}, {kind}): {result.outcome}: {result.detail}")
    return counts, breaches
