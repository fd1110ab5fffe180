"""Statistics Canada's input-output multiplier tables, read as the agency publishes them.

Tables 36-10-0594-01 (national) and 36-10-0595-01 (provincial and territorial) download as one
CSV each (``36100594.csv``): a UTF-8 file with a byte-order mark, one row per cell, the standard
columns ``REF_DATE, GEO, DGUID, ..., UOM, UOM_ID, SCALAR_FACTOR, SCALAR_ID, VECTOR, COORDINATE,
VALUE, STATUS, SYMBOL, TERMINATED, DECIMALS`` and, in between, one column per dimension of the
table: the type of multiplier (direct, indirect, simple, induced, total), the variable (output,
GDP, labour income, jobs, imports...), the industry (``Label [IOIC code]``) and, in the
provincial table, the geographical coverage. Dimension columns are found by their content, not
their exact titles, which differ between tables and vintages.

The result is ``economy.multipliers`` as evpact reads it: per-dollar GDP and labour-income
ratios (direct, simple = direct + indirect, total = simple + induced) and jobs Type I/II
(simple and total over direct), for each evpact industry mapped to an IOIC code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import EvpactError

#: columns every Statistics Canada full-table CSV carries besides its dimensions
STANDARD_COLUMNS = frozenset(
    {
        "REF_DATE",
        "GEO",
        "DGUID",
        "UOM",
        "UOM_ID",
        "SCALAR_FACTOR",
        "SCALAR_ID",
        "VECTOR",
        "COORDINATE",
        "VALUE",
        "STATUS",
        "SYMBOL",
        "TERMINATED",
        "DECIMALS",
    }
)
REQUIRED = ("REF_DATE", "GEO", "VALUE")
SCALE = {"units": 1.0, "tens": 1e1, "hundreds": 1e2, "thousands": 1e3, "millions": 1e6}

#: evpact industry -> IOIC codes tried in order (detail, then summary level); a code matches
#: the codes that start with it and is used when it matches exactly one industry of the file
DEFAULT_CODES: dict[str, tuple[str, ...]] = {
    # batteries (NAICS 33591) sit in other electrical equipment and components (3359)
    "battery_cells": ("BS335900", "BS3359", "BS335A0", "BS335"),
    # cathode active material: other basic inorganic chemicals (325180), else basic chemicals
    "cathode_materials": ("BS325180", "BS32510", "BS3251"),
    "vehicle_assembly": ("BS336110", "BS33610", "BS3361"),
    "vehicle_parts": ("BS336300", "BS33630", "BS3363"),
}
#: industries the engine has plants for (vehicle parts are reported, not used)
ENGINE_INDUSTRIES = ("battery_cells", "cathode_materials", "vehicle_assembly")
TYPES = ("direct", "indirect", "simple", "induced", "total")
VARIABLES = ("gdp", "labour_income", "jobs")


@dataclass(frozen=True)
class Imported:
    """Ratios by evpact industry, with what they were read from."""

    ratios: dict[str, dict[str, float]]
    industries: dict[str, str]  # evpact industry -> the table's industry label
    year: str
    geo: str
    coverage: str | None


def _type(label: str) -> str | None:
    s = label.lower()
    for t in ("indirect", "induced", "simple", "total", "direct"):  # "indirect" before "direct"
        if t in s:
            return t
    return None


def _variable(label: str) -> str | None:
    s = label.lower().strip()
    if "gross domestic product" in s or s.startswith("gdp"):
        return "gdp" if "basic prices" in s or s in ("gdp", "gross domestic product") else None
    if s.startswith("labour income"):
        return "labour_income" if s == "labour income" else None
    if s == "jobs" or s.startswith("jobs"):
        return "jobs"
    return None


def _code(label: str) -> str | None:
    m = re.search(r"\[([A-Z0-9]+)\]\s*$", label.strip())
    return m.group(1) if m else None


def read_table(path: Path) -> pd.DataFrame:
    """The CSV as published (byte-order mark and all), every column as text."""
    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except FileNotFoundError:
        raise EvpactError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as e:
        raise EvpactError(f"cannot read {path} as a Statistics Canada CSV: {e}") from None
    df.columns = [c.strip().strip('"') for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise EvpactError(
            f"{path.name} lacks the columns {missing}: expected a Statistics Canada full-table "
            "CSV (REF_DATE, GEO, DGUID, dimensions..., UOM, SCALAR_FACTOR, VALUE, ...)"
        )
    return df


def _dimension(df: pd.DataFrame, parse: Callable[[str], str | None], what: str, skip: str) -> str:
    """The dimension column whose values ``parse`` recognises (most recognised wins)."""
    best, hits = None, 0
    for col in df.columns:
        if col in STANDARD_COLUMNS or col == skip:
            continue
        n = sum(parse(v) is not None for v in df[col].unique())
        if n > hits:
            best, hits = col, n
    if best is None:
        raise EvpactError(f"no column of {what} found (dimension columns: {_dims(df)})")
    return best


def _dims(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in STANDARD_COLUMNS]


def _pick(df: pd.DataFrame, column: str, wanted: str | None, flag: str) -> tuple[pd.DataFrame, str]:
    values = sorted(df[column].unique())
    if wanted is None:
        if len(values) == 1:
            return df, values[0]
        raise EvpactError(f"the file has several {column} values; choose one with {flag}: {values}")
    for v in values:
        if v.lower() == wanted.lower():
            return df[df[column] == v], v
    raise EvpactError(f"{flag} {wanted!r} is not in the file; it has {values}")


def resolve_codes(labels: Sequence[str], codes: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """evpact industry -> the table's industry label, by IOIC code (see ``DEFAULT_CODES``)."""
    by_code = {c: lab for lab in labels if (c := _code(lab)) is not None}
    out: dict[str, str] = {}
    for industry, tries in codes.items():
        for k, code in enumerate(tries):
            hits = sorted(c for c in by_code if c.startswith(code))
            if len(hits) == 1:
                out[industry] = by_code[hits[0]]
                break
            if hits and k == len(tries) - 1:
                raise EvpactError(
                    f"{industry}: code {code} matches several industries {hits}; "
                    f"name one with --industry {industry}=CODE"
                )
    return out


def to_ratios(cells: Mapping[tuple[str, str], float], label: str) -> dict[str, float]:
    """evpact measures from one industry's (variable, type) -> value cells."""

    def effects(var: str) -> tuple[float, float, float]:
        got = {t: cells[(var, t)] for t in TYPES if (var, t) in cells}
        if "direct" not in got:
            raise EvpactError(f"{label}: no direct multiplier for {var.replace('_', ' ')}")
        simple = got.get("simple", got["direct"] + got.get("indirect", np.nan))
        total = got.get("total", simple + got.get("induced", np.nan))
        if not (np.isfinite(simple) and np.isfinite(total)):
            raise EvpactError(
                f"{label}: {var.replace('_', ' ')} needs simple and total multipliers "
                "(or indirect and induced ones)"
            )
        return got["direct"], simple, total

    out: dict[str, float] = {}
    d, s, t = effects("jobs")
    if d <= 0:
        raise EvpactError(f"{label}: the direct jobs multiplier is {d}, so Type I/II are undefined")
    out["jobs_type1"], out["jobs_type2"] = s / d, t / d
    for var, stem in (("gdp", "gdp_per_output"), ("labour_income", "labour_income_per_output")):
        for name, x in zip(("direct", "simple", "total"), effects(var), strict=True):
            out[f"{stem}_{name}"] = x
    bad = [k for k, x in out.items() if not np.isfinite(x) or x < 0]
    if bad:
        raise EvpactError(f"{label}: negative or missing values for {bad}")
    return out


def import_multipliers(
    path: Path,
    *,
    year: str | None = None,
    geo: str | None = "Canada",
    coverage: str | None = None,
    codes: Mapping[str, Sequence[str]] | None = None,
) -> Imported:
    """Read one Statistics Canada multiplier CSV into evpact ratios for one year and place."""
    df = read_table(path)
    industry_col = next((c for c in df.columns if c.lower() == "industry"), None)
    if industry_col is None:
        raise EvpactError(f"no 'Industry' column in {path.name} (columns: {_dims(df)})")
    type_col = _dimension(df, _type, "multiplier types (direct, indirect, simple...)", industry_col)
    var_col = _dimension(df, _variable, "variables (GDP, labour income, jobs)", industry_col)
    if type_col == var_col:
        raise EvpactError("cannot tell the multiplier-type column from the variable column")
    if year is None and df["REF_DATE"].nunique() > 1:
        year = max(df["REF_DATE"].unique())  # latest reference year unless told
    df, year = _pick(df, "REF_DATE", year, "--year")
    df, geo = _pick(df, "GEO", geo, "--geo")
    cov_col = next((c for c in _dims(df) if "coverage" in c.lower()), None)
    if cov_col is not None:
        df, coverage = _pick(df, cov_col, coverage, "--coverage")
    labels = sorted(df[industry_col].unique())
    found = resolve_codes(labels, codes or DEFAULT_CODES)
    if not found:
        raise EvpactError(
            f"none of the industries {sorted(codes or DEFAULT_CODES)} was found by IOIC code in "
            f"{path.name}; map one with --industry NAME=CODE"
        )
    scale = df.get("SCALAR_FACTOR", pd.Series("units", index=df.index)).str.strip().str.lower()
    factor = scale.map(lambda s: SCALE.get(s, np.nan))
    if factor.isna().any():
        raise EvpactError(f"unknown SCALAR_FACTOR values {sorted(set(scale[factor.isna()]))}")
    value = pd.to_numeric(df["VALUE"], errors="coerce") * factor
    ratios: dict[str, dict[str, float]] = {}
    for industry, label in found.items():
        rows = df[industry_col] == label
        cells: dict[tuple[str, str], float] = {}
        for t_label, v_label, x in zip(
            df.loc[rows, type_col], df.loc[rows, var_col], value[rows], strict=True
        ):
            t, var = _type(t_label), _variable(v_label)
            if t is not None and var is not None and np.isfinite(x):
                cells[(var, t)] = float(x)
        ratios[industry] = to_ratios(cells, label)
    return Imported(ratios, found, year, geo, coverage)
