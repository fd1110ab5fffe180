"""Load, vary and validate scenarios; turn every validation failure into one clear message."""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import types
import typing
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError

from ..data import data_dir
from ..errors import EvpactError
from .model import Scenario

#: sections a counterfactual takes from its scenario: the same world, without the deal
CONTEXT = ("horizon", "price_year", "home_country", "fx_cad_per_usd", "market", "economy", "fiscal")


def bundled_scenarios() -> dict[str, Path]:
    folder = data_dir() / "scenarios"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EvpactError(f"no such file: {path}") from None
    except OSError as e:
        raise EvpactError(f"cannot read {path}: {e.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise EvpactError(f"malformed YAML{where}: {problem}", str(path)) from None
    if not isinstance(raw, dict):
        raise EvpactError("a scenario file must be a YAML mapping (key: value)", str(path))
    return raw


def resolve(ref: str | Path, base: Path | None = None) -> Path:
    """A bundled scenario name or a path (relative to ``base`` when given)."""
    text = str(ref)
    bundled = bundled_scenarios()
    if text in bundled:
        return bundled[text]
    path = Path(text)
    if not path.is_absolute() and base is not None and (base / path).exists():
        path = base / path
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    close = difflib.get_close_matches(text, list(bundled), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise EvpactError(
        f"'{text}' is neither a bundled scenario{hint} nor a YAML file; "
        f"bundled: {', '.join(bundled)}"
    )


# --- variants ------------------------------------------------------------------------------


def parse_assignment(text: str) -> tuple[str, Any]:
    """``PATH=VALUE`` from the command line; the value is read as YAML (numbers, lists, maps)."""
    if "=" not in text:
        raise EvpactError(f"--set expects PATH=VALUE, got '{text}'")
    path, _, raw = text.partition("=")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        raise EvpactError(f"--set {path}: cannot read value '{raw}'") from None
    return path.strip(), value


def _unwrap(annotation: Any) -> Any:
    """The model class (or None) a field annotation leads to, through list/dict/Optional."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _unwrap(arg)
            if found is not None:
                return found
        return None
    if origin in (list, tuple, dict):
        args = typing.get_args(annotation)
        return _unwrap(args[-1 if origin is dict else 0]) if args else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, f in model.model_fields.items():
        out[f.alias or name] = f.annotation
    return out


def apply_variant(raw: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``raw`` with each dotted path set; list items are addressed by their ``id``."""
    out = copy.deepcopy(raw)
    for path, value in variant.items():
        _set(out, path, value)
    return out


def _set(root: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = root
    model: type[BaseModel] | None = Scenario
    walked: list[str] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(walked) or "the scenario"
        if isinstance(node, list):
            idx = next(
                (
                    j
                    for j, item in enumerate(node)
                    if isinstance(item, dict) and str(item.get("id")) == part
                ),
                None,
            )
            if idx is None and part.isdigit() and int(part) < len(node):
                idx = int(part)
            if idx is None:
                ids = [str(item.get("id")) for item in node if isinstance(item, dict)]
                close = difflib.get_close_matches(part, ids, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise EvpactError(
                    f"--set {path}: no item '{part}' in {where}{hint}; "
                    f"items: {', '.join(ids) or 'none'}"
                )
            if last:
                node[idx] = value
                return
            node = node[idx]
        elif isinstance(node, dict):
            fields = _fields(model) if model is not None else {}
            if part not in node and (model is None or part not in fields):
                keys = sorted(set(node) | set(fields))
                close = difflib.get_close_matches(part, keys, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise EvpactError(f"--set {path}: '{part}' does not exist in {where}{hint}")
            if last:
                node[part] = value
                return
            if part not in node:
                node[part] = {}
            if model is not None and part in fields:
                model = _unwrap(fields[part])
            elif model is not None:
                model = None
            node = node[part]
        else:
            raise EvpactError(f"--set {path}: {where} is a value, it has no '{part}'")
        walked.append(part)


# --- validation ----------------------------------------------------------------------------


def _location(raw: Any, loc: tuple[Any, ...]) -> str:
    """Dotted path of a pydantic error location, with list indices replaced by item ids."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, str) and ("[" in item or item.startswith("function-")):
            continue
        if isinstance(item, int) and isinstance(node, list):
            entry = node[item] if item < len(node) else None
            label = entry.get("id") if isinstance(entry, dict) else None
            parts.append(str(label) if label is not None else str(item))
            node = entry
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def validate(raw: dict[str, Any], origin: str) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        where = _location(raw, tuple(err["loc"]))
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "required but missing"
        elif err["type"] in ("float_type", "float_parsing", "int_type", "int_parsing"):
            msg = f"expected a number, got {err.get('input')!r}"
        more = f" (and {len(e.errors()) - 1} more problem(s))" if len(e.errors()) > 1 else ""
        raise EvpactError(f"{msg}{more}", f"{origin}: {where}" if where else origin) from None


def load_raw(ref: str | Path, variant: dict[str, Any] | None = None) -> tuple[dict[str, Any], Path]:
    path = resolve(ref)
    raw = read_yaml(path)
    return (apply_variant(raw, variant) if variant else raw), path


def load_scenario(ref: str | Path, variant: dict[str, Any] | None = None) -> Scenario:
    """A validated scenario from a bundled name or a YAML path, with an optional variant
    (``{"deals.hmg-ontario.linkage.threshold": 0.6}``)."""
    raw, path = load_raw(ref, variant)
    scenario = validate(raw, path.name)
    scenario._origin = path.parent
    return scenario


def vary(scenario: Scenario, variant: dict[str, Any]) -> Scenario:
    """A loaded scenario changed by a variant (validated again)."""
    raw = apply_variant(scenario.model_dump(mode="json", by_alias=True), variant)
    varied = validate(raw, scenario.name)
    varied._origin = scenario._origin
    return varied


def load_counterfactual(scenario: Scenario, variant: dict[str, Any] | None = None) -> Scenario:
    """The scenario's counterfactual in the scenario's own world (horizon, market, economy,
    fiscal). A variant applies there too, where the same path exists, except deal terms."""
    if scenario.counterfactual is None:
        raise EvpactError("this scenario names no counterfactual", "counterfactual")
    path = resolve(scenario.counterfactual, scenario._origin)
    raw = read_yaml(path)
    context = scenario.model_dump(mode="json", by_alias=True, include=set(CONTEXT))
    raw = {**raw, **context}
    for key, value in (variant or {}).items():
        if key.startswith("deals.") or key.split(".")[0] in CONTEXT:
            continue
        try:
            raw = apply_variant(raw, {key: value})
        except EvpactError:
            continue  # the path is the scenario's alone
    cf = validate(raw, path.name)
    cf._origin = path.parent
    return cf


def scenario_sha256(scenario: Scenario) -> str:
    """Hash of the resolved scenario (after variants), independent of key order and comments."""
    text = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def to_yaml(scenario: Scenario) -> str:
    return yaml.safe_dump(
        scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True),
        sort_keys=False,
        allow_unicode=True,
    )
