"""YAML expert cases for the trade rules: input, expected output, and the ``source`` of the
answer (a worked example or the rule text). Run by ``evpact test-rules`` and by pytest.

A case file::

    cases:
      - name: counter-tariff takes at least 15% off a CUSMA vehicle
        source: SOR/2025-118 s. 2(2) ...
        compute: ca_surtax
        rules: [ca-surtax-2025]
        year: 2026
        input: {value_for_duty: 50000, camx_content: 0.10, cusma: 1}
        expected: {surtax: 10625}

``compute`` names one of ``COMPUTE``; ``rules`` (bundled names or paths) and ``year`` give the
rule values in force, ``rule_values`` sets some directly. Expected values match to 1e-9
(relative) unless the case gives ``tolerance``; ``null`` expects no value (NaN).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .data import data_dir
from .engine import origin, tariffs
from .errors import EvpactError
from .scenario.rules import PARAMETERS, load_rule_pack, yearly

Values = dict[str, float]


def _a(x: Any) -> np.ndarray[Any, Any]:
    return np.atleast_1d(np.asarray(x, dtype=float))


def _rvc(i: Values, r: Values) -> Values:
    return {"rvc": float(origin.rvc(_a(i["net_cost"]), _a(i["vnm"]))[0])}


def _origin(i: Values, r: Values) -> Values:
    o = origin.origin(
        pack_share=_a(i["pack_share"]),
        cell_share=_a(i["cell_share"]),
        cells_originating=_a(i["cells_originating"]),
        pack_other_originating=_a(i["pack_other_originating"]),
        core_share=_a(i["core_share"]),
        core_originating=_a(i["core_originating"]),
        other_originating=_a(i["other_originating"]),
        high_wage_share=_a(i["high_wage_share"]),
        technology_credit=_a(i["technology_credit"]),
        has_battery_plant=_a(i["has_battery_plant"]),
        steel_aluminium=_a(i["steel_aluminium"]),
        rules={k: _a(v) for k, v in r.items()},
    )
    return {
        "pack_rvc": float(o.pack_rvc[0]),
        "rvc": float(o.rvc[0]),
        "lvc": float(o.lvc[0]),
        "qualifies": float(o.qualifies[0]),
        "min_cell_share": float(o.min_cell_share[0]),
    }


def _cell_origin(i: Values, r: Values) -> Values:
    return {
        "cell_originating": float(
            origin.cell_origin(_a(i["cam_share"]), _a(i["cam_originating"]))[0]
        )
    }


def _us_vehicle_duty(i: Values, r: Values) -> Values:
    rate = tariffs.us_vehicle_rate(
        _a(r["us_vehicle_tariff"]),
        _a(i["qualifies"]) * _a(r["usmca_in_force"]),
        _a(r["us_non_us_content_only"]),
        _a(i["us_content"]),
    )
    return {"rate": float(rate[0]), "duty": float(rate[0] * i["value"])}


def _ca_surtax(i: Values, r: Values) -> Values:
    rate = tariffs.ca_surtax_rate(
        _a(r["ca_surtax_rate"]),
        _a(r["ca_surtax_minimum_deduction"]),
        _a(i["camx_content"]),
        _a(i["cusma"]),
    )
    return {"rate": float(rate[0]), "surtax": float(rate[0] * i["value_for_duty"])}


def _remission(i: Values, r: Values) -> Values:
    value = tariffs.remission(
        _a(r["ca_remission_vehicles_per_vehicle_built"]),
        _a(i["built_at_home"]),
        _a(i["cusma_imports"]),
        _a(i["surtax_per_vehicle"]),
    )
    return {"remission": float(value[0])}


def _production_credit(i: Values, r: Values) -> Values:
    kwh = i["gwh"] * 1e6
    cell, module = r["us_45x_cell_usd_per_kwh"], r["us_45x_module_usd_per_kwh"]
    return {
        "cell_usd_per_kwh": cell,
        "module_usd_per_kwh": module,
        "credit_usd": kwh * (cell + i.get("module_share", 0.0) * module),
    }


def _rule(i: Values, r: Values) -> Values:
    return dict(r)


COMPUTE: dict[str, Callable[[Values, Values], Values]] = {
    "rvc": _rvc,
    "origin": _origin,
    "cell_origin": _cell_origin,
    "us_vehicle_duty": _us_vehicle_duty,
    "ca_surtax": _ca_surtax,
    "remission": _remission,
    "production_credit": _production_credit,
    "rule": _rule,
}


@dataclass(frozen=True)
class Outcome:
    file: str
    name: str
    passed: bool
    detail: str


def bundled_case_files() -> list[Path]:
    return sorted((data_dir() / "rule_cases").glob("*.yaml"))


def case_files(paths: list[Path]) -> list[Path]:
    """The YAML files named, or found in the folders named; the bundled ones by default."""
    if not paths:
        return bundled_case_files()
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(p.glob("*.yaml")))
        elif p.exists():
            out.append(p)
        else:
            raise EvpactError(f"no such file or folder: {p}")
    return out


def load_cases(path: Path) -> list[dict[str, Any]]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise EvpactError(f"not valid YAML: {str(e).splitlines()[0]}", path.name) from None
    cases = raw.get("cases") if isinstance(raw, dict) else None
    if not isinstance(cases, list) or not cases:
        raise EvpactError("a case file has a non-empty list 'cases'", path.name)
    for k, case in enumerate(cases):
        where = f"{path.name}: cases.{k}"
        if not isinstance(case, dict):
            raise EvpactError("a case is a mapping", where)
        missing = [f for f in ("name", "source", "compute", "expected") if f not in case]
        if missing:
            raise EvpactError(f"missing {', '.join(missing)}", where)
        if case["compute"] not in COMPUTE:
            raise EvpactError(
                f"unknown compute '{case['compute']}'; use one of {', '.join(COMPUTE)}", where
            )
    return list(cases)


def rule_values(case: dict[str, Any], base: Path) -> Values:
    """Every rule parameter's value in the case's year under its packs and ``rule_values``."""
    packs = [load_rule_pack(ref, base) for ref in case.get("rules") or []]
    year = np.array([int(case.get("year", 2026))])
    out = {name: float(yearly(packs, name, year)[0]) for name in PARAMETERS}
    for name, value in (case.get("rule_values") or {}).items():
        if name not in PARAMETERS:
            raise EvpactError(f"unknown rule parameter '{name}'", f"rule_values.{name}")
        out[name] = float(value)
    return out


def run_case(case: dict[str, Any], base: Path) -> tuple[bool, str]:
    """(passed, what differed) for one case."""
    rules = rule_values(case, base)
    inputs = {k: float(v) for k, v in (case.get("input") or {}).items()}
    try:
        got = COMPUTE[case["compute"]](inputs, rules)
    except KeyError as e:
        raise EvpactError(f"input {e} is missing", str(case["name"])) from None
    tol = float(case.get("tolerance", 1e-9))
    wrong = []
    for key, want in case["expected"].items():
        if key not in got:
            raise EvpactError(f"'{key}' is not an output of {case['compute']}", str(case["name"]))
        value = got[key]
        if want is None:
            ok = math.isnan(value)
        else:
            ok = math.isclose(value, float(want), rel_tol=tol, abs_tol=tol)
        if not ok:
            wrong.append(f"{key}: expected {want}, got {value:.10g}")
    return not wrong, "; ".join(wrong) or ", ".join(f"{k} = {got[k]:.6g}" for k in case["expected"])


def run_files(files: list[Path]) -> list[Outcome]:
    out = []
    for f in files:
        for case in load_cases(f):
            passed, detail = run_case(case, f.parent)
            out.append(Outcome(f.name, str(case["name"]), passed, detail))
    return out


__all__ = ["COMPUTE", "Outcome", "bundled_case_files", "case_files", "run_case", "run_files"]
