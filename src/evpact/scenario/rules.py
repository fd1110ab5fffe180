"""Trade rule packs: dated, sourced parameters of trade law, like PolicyEngine's parameters.

A rule pack is a YAML file (bundled ones live in ``data/rules``) that sets some of the
parameters in ``PARAMETERS``, each with the dates it is in force and its source::

    name: us-232-2025
    title: US Section 232 duties on automobiles and automobile parts
    hs: ["8703", "8708"]
    parameters:
      us_vehicle_tariff:
        - value: 0.25
          effective: 2025-04-03
          hs: "8703"
          source: {publisher: The White House, title: Proclamation 10908, year: 2025}

A scenario selects packs in order; a later pack paints its values over an earlier one's from
its effective date on, so a what-if (a USMCA review outcome, the end of an exemption) is a small
pack listed last. A value is either sourced or an ``assumption`` that says why.

A yearly model sees a rule as the share of each calendar year it is in force: a 25% duty from
3 April is a 0.25 x 273/365 duty over that year (``yearly``).
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from ..data import data_dir
from ..errors import EvpactError
from .base import Strict
from .model import DEFAULT_RULES


@dataclass(frozen=True)
class Parameter:
    unit: str  # share (0-1), flag (0 or 1), usd_per_kwh, usd_per_hour
    default: float  # value where no selected pack sets it
    description: str
    kind: str = "trade"  # trade (a scenario's trade rules) or fiscal (the Crown ledger's)


#: every parameter a rule pack may set: unit, value without any rule, meaning
PARAMETERS: dict[str, Parameter] = {
    # USMCA / CUSMA automotive rules of origin (passenger vehicles and light trucks)
    "usmca_in_force": Parameter("flag", 0.0, "USMCA preferential treatment exists (1) or not"),
    "rvc_threshold": Parameter("share", 0.0, "regional value content a vehicle needs (net cost)"),
    "core_rvc_threshold": Parameter(
        "share", 0.0, "regional value content a core part (the battery pack) needs (net cost)"
    ),
    "core_part_roll_up": Parameter(
        "flag", 0.0, "an originating core part counts 100% originating in the vehicle's RVC"
    ),
    "lvc_threshold": Parameter("share", 0.0, "labour value content a vehicle needs"),
    "lvc_high_wage_usd_per_hour": Parameter(
        "usd_per_hour", 16.0, "average base wage at or above which labour is high-wage"
    ),
    "lvc_technology_credit_max": Parameter(
        "share", 0.0, "most LVC the high-wage technology expenditure credit can add"
    ),
    "lvc_assembly_credit": Parameter(
        "share", 0.0, "LVC credit for a high-wage battery (engine, transmission) plant in NA"
    ),
    "steel_aluminium_threshold": Parameter(
        "share", 0.0, "share of NA steel and aluminium purchases that must be originating"
    ),
    # US Section 232 (imports into the US)
    "us_vehicle_tariff": Parameter("share", 0.0, "US duty on imported vehicles (HS 8703)"),
    "us_non_us_content_only": Parameter(
        "flag", 0.0, "USMCA-qualifying vehicles pay the vehicle duty on non-US content only"
    ),
    "us_battery_tariff": Parameter(
        "share", 0.0, "US duty on imported EV cells and packs (HS 8507.60) as auto parts"
    ),
    "us_parts_exempt": Parameter(
        "flag", 0.0, "USMCA-qualifying parts are exempt from the US parts duty"
    ),
    "us_offset_share_of_msrp": Parameter(
        "share", 0.0, "offset of US parts duties for US-assembled vehicles, share of MSRP"
    ),
    # Canada's counter-tariff on US vehicles and its remission
    "ca_surtax_rate": Parameter("share", 0.0, "Canada's surtax on US-assembled vehicles"),
    "ca_surtax_minimum_deduction": Parameter(
        "share", 0.0, "least share of value deducted as Canadian/Mexican content (CUSMA vehicles)"
    ),
    "ca_remission_vehicles_per_vehicle_built": Parameter(
        "ratio", 0.0, "surtax-free US imports earned per vehicle built in Canada"
    ),
    # production credits and investment tax credits
    "us_45x_cell_usd_per_kwh": Parameter("usd_per_kwh", 0.0, "US 45X credit on cells"),
    "us_45x_module_usd_per_kwh": Parameter("usd_per_kwh", 0.0, "US 45X credit on modules"),
    "ca_ctm_itc_rate": Parameter(
        "share", 0.0, "Clean Technology Manufacturing ITC rate by year property is in use"
    ),
    "ca_evsc_itc_rate": Parameter(
        "share", 0.0, "EV Supply Chain ITC rate (buildings) by year property is in use"
    ),
    # the Crown ledger (engine.ledger): tax rates and capital cost allowance, by government
    **{
        name: Parameter("share", 0.0, text, "fiscal")
        for name, text in (
            ("ca_federal_cit_rate", "federal general corporate income tax rate"),
            (
                "ca_federal_zetm_cit_rate",
                "federal rate on zero-emission technology manufacturing income",
            ),
            (
                "ca_federal_labour_revenue_rate",
                "federal personal income tax and EI premiums per dollar of earnings",
            ),
            ("ca_gst_rate", "federal GST (the federal part of HST)"),
            ("ca_provincial_cit_rate", "provincial corporate rate on manufacturing income"),
            ("ca_provincial_general_cit_rate", "provincial general corporate income tax rate"),
            (
                "ca_provincial_labour_revenue_rate",
                "provincial personal income tax, health premium and payroll tax per dollar "
                "of earnings",
            ),
            ("ca_provincial_sales_tax_rate", "provincial sales tax (the provincial part of HST)"),
            (
                "ca_cca_equipment_first_year",
                "share of manufacturing equipment cost deductible as CCA in its first year",
            ),
            ("ca_cca_equipment_rate", "declining-balance CCA rate of manufacturing equipment"),
            ("ca_cca_building_rate", "declining-balance CCA rate of manufacturing buildings"),
        )
    },
}
BOUNDS = {
    "share": (0.0, 1.0),
    "flag": (0.0, 1.0),
    "ratio": (0.0, 100.0),
    "usd_per_kwh": (0.0, 1000.0),
    "usd_per_hour": (0.0, 1000.0),
}


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{field} '{value}' is not a date (YYYY-MM-DD)") from None


@cache
def hs_headings() -> dict[str, str]:
    """The HS headings rule packs may name (bundled ``rules/hs_headings.yaml``)."""
    raw = yaml.safe_load((data_dir() / "rules" / "hs_headings.yaml").read_text(encoding="utf-8"))
    return {str(h["heading"]): str(h["description"]) for h in raw["headings"]}


def _check_hs(code: Any) -> str:
    text = str(code)
    known = hs_headings()
    if text not in known:
        close = difflib.get_close_matches(text, list(known), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(f"unknown HS heading '{text}'{hint}; known: {', '.join(known)}")
    return text


class Source(Strict):
    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    url: str | None = None


class _Dated(Strict):
    """Parses ``effective`` and ``until`` with our own message for a bad date."""

    @model_validator(mode="before")
    @classmethod
    def _dates(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for key in ("effective", "until"):
                if data.get(key) is not None:
                    data[key] = _date(data[key], key)
        return data


class RuleValue(_Dated):
    """One value of a parameter and the dates it is in force ([effective, until])."""

    value: float
    effective: dt.date | None = None
    until: dt.date | None = None
    hs: str | None = None
    source: Source | None = None
    assumption: str | None = Field(default=None, description="Why, when no source gives it.")
    note: str | None = None

    @field_validator("hs", mode="before")
    @classmethod
    def _hs(cls, v: Any) -> Any:
        return None if v is None else _check_hs(v)

    @model_validator(mode="after")
    def _sourced(self) -> RuleValue:
        if self.source is None and not (self.assumption or "").strip():
            raise ValueError("every value needs a 'source' or an 'assumption' saying why")
        if self.effective and self.until and self.until < self.effective:
            raise ValueError(f"until {self.until} is before effective {self.effective}")
        return self


class RulePack(_Dated):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str = ""
    description: str = ""
    effective: dt.date | None = Field(default=None, description="Default start of its values.")
    until: dt.date | None = Field(default=None, description="Last day any of its values apply.")
    hs: tuple[str, ...] = ()
    source: Source | None = None
    what_if: bool = Field(default=False, description="A hypothetical, not law in force.")
    parameters: dict[str, tuple[RuleValue, ...]]

    @field_validator("hs", mode="before")
    @classmethod
    def _hs(cls, v: Any) -> Any:
        return tuple(_check_hs(h) for h in (v or ()))

    @model_validator(mode="after")
    def _known(self) -> RulePack:
        for name, values in self.parameters.items():
            if name not in PARAMETERS:
                close = difflib.get_close_matches(name, list(PARAMETERS), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise ValueError(f"unknown parameter '{name}'{hint}")
            p = PARAMETERS[name]
            lo, hi = BOUNDS[p.unit]
            for v in values:
                if not lo <= v.value <= hi:
                    what = "a threshold" if "threshold" in name else f"a {p.unit}"
                    shown = f"{100 * v.value:g}%" if p.unit == "share" else f"{v.value:g}"
                    raise ValueError(
                        f"{name} = {shown}: {what} must lie in "
                        + ("0-100%" if p.unit == "share" else f"{lo:g}-{hi:g}")
                    )
                if p.unit == "flag" and v.value not in (0.0, 1.0):
                    raise ValueError(f"{name} is a flag: 0 or 1, got {v.value:g}")
                if v.effective is None and self.effective is None:
                    raise ValueError(f"{name}: give 'effective' (here or for the whole pack)")
        if self.effective and self.until and self.until < self.effective:
            raise ValueError(f"until {self.until} is before effective {self.effective}")
        return self


@cache  # the bundled folder does not change while evpact runs; every compile asks
def bundled_rules() -> dict[str, Path]:
    folder = data_dir() / "rules"
    return {p.stem: p for p in sorted(folder.glob("*.yaml")) if p.stem != "hs_headings"}


def load_rule_pack(ref: str | Path, base: Path | None = None) -> RulePack:
    """A validated rule pack from a bundled name or a YAML path (relative to ``base``)."""
    text = str(ref)
    bundled = bundled_rules()
    if text in bundled:
        path = bundled[text]
    else:
        path = Path(text)
        if not path.is_absolute() and base is not None and not path.exists():
            path = base / path
        if path.suffix not in (".yaml", ".yml") or not path.exists():
            close = difflib.get_close_matches(text, list(bundled), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise EvpactError(
                f"unknown rule pack '{text}'{hint}; bundled: {', '.join(bundled)}", "trade.rules"
            )
    return _parse(path)


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad one gets our message, not PyYAML's."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@cache
def _parse(path: Path) -> RulePack:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as e:
        raise EvpactError(f"not valid YAML: {str(e).splitlines()[0]}", path.name) from None
    if not isinstance(raw, dict):
        raise EvpactError("a rule pack is a mapping with 'name' and 'parameters'", path.name)
    try:
        return RulePack.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"] if not str(x).startswith("function-"))
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "required but missing"
        elif err["type"] in ("date_from_datetime_parsing", "date_parsing", "date_type"):
            msg = f"'{err.get('input')}' is not a date (YYYY-MM-DD)"
        raise EvpactError(msg, f"{path.name}: {where}" if where else path.name) from None


def yearly(packs: list[RulePack], name: str, years: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A parameter's value in each year: its in-force values weighted by days of the year.

    Packs paint their values in order over the parameter's default, each from its effective
    date to its ``until`` (the pack's ``until`` clips all of its values).
    """
    first, last = int(years.min()), int(years.max())
    start = dt.date(first, 1, 1)
    days = (dt.date(last + 1, 1, 1) - start).days
    line = np.full(days, PARAMETERS[name].default)
    for pack in packs:
        for v in pack.parameters.get(name, ()):
            eff = v.effective or pack.effective
            assert eff is not None
            ends = [d for d in (v.until, pack.until) if d is not None]
            a = max((eff - start).days, 0)
            b = min((min(ends) - start).days + 1, days) if ends else days
            if b > a:
                line[a:b] = v.value
    edges = [(dt.date(y, 1, 1) - start).days for y in range(first, last + 2)]
    sums = np.add.reduceat(line, edges[:-1])
    out = sums / np.diff(edges)
    return np.asarray(out[np.asarray(years) - first])


def resolve(packs: list[RulePack], years: np.ndarray[Any, Any]) -> dict[str, np.ndarray[Any, Any]]:
    """Every trade parameter's yearly path under the selected packs."""
    return {name: yearly(packs, name, years) for name, p in PARAMETERS.items() if p.kind == "trade"}


__all__ = [
    "DEFAULT_RULES",
    "PARAMETERS",
    "RulePack",
    "bundled_rules",
    "hs_headings",
    "load_rule_pack",
    "resolve",
    "yearly",
]
