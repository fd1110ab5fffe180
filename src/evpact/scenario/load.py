"""Load, vary and validate scenarios; turn every validation failure into one clear message."""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
import types
import typing
from pathlib import Path
from typing import Any, Union

import numpy as np
import yaml
from pydantic import BaseModel, ValidationError

from ..data import data_dir
from ..errors import EvpactError
from .model import Scenario

#: sections a counterfactual takes from its scenario: the same world, without the deal
CONTEXT = (
    "horizon",
    "price_year",
    "home_country",
    "fx_cad_per_usd",
    "market",
    "economy",
    "fiscal",
    "additionality",
    "emissions",
    "disruptions",
    "trade",
)


def bundled_scenarios() -> dict[str, Path]:
    folder = data_dir() / "scenarios"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


#: libyaml's safe loader when PyYAML was built with it (ten times faster), else the Python one
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


#: libyaml's safe dumper when available: resolved scenarios of large files dump ten times faster
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EvpactError("no such file", str(path)) from None
    except IsADirectoryError:
        raise EvpactError("a folder, not a YAML file", str(path)) from None
    except OSError as e:
        raise EvpactError(f"cannot read it: {e.strerror}", str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise EvpactError(
            f"not UTF-8 text: byte 0x{data[e.start]:02x} at offset {e.start} cannot be decoded; "
            "save the file as UTF-8",
            str(path),
        ) from None
    return parse_yaml(text, str(path), SAFE_LOADER)


#: deepest nesting a scenario file may have: the real format needs under 10 levels, and
#: libyaml's composer recurses on the C stack (tens of thousands of levels crash the process)
MAX_NESTING = 200
_COMPACT = re.compile(rf"(?:[-?][ \t]+){{{MAX_NESTING},}}")
_INDENT = re.compile(rf"^[ \t]{{{MAX_NESTING * 20},}}\S", re.M)
_BRACKETS = np.zeros(256, dtype=np.int8)
_BRACKETS[[ord("["), ord("{")]] = 1
_BRACKETS[[ord("]"), ord("}")]] = -1


def _check_nesting(text: str, where: str) -> None:
    """Refuse text nested deeper than ``MAX_NESTING`` before libyaml composes it: flow
    brackets counted over the whole text (vectorised), compact block indicators on one line
    (``- - - x``) and indentation deep enough for that many levels."""
    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    deep = data.size > 0 and int(np.cumsum(_BRACKETS[data], dtype=np.int32).max()) > MAX_NESTING
    compact = any(m in text for m in ("- - - -", "-\t-", "? ? ?", "?\t?")) and _COMPACT.search(text)
    if deep or compact or _INDENT.search(text):
        raise EvpactError(f"the YAML is nested more than {MAX_NESTING} levels deep", where)


def parse_yaml(text: str, where: str, loader: Any) -> dict[str, Any]:
    """A YAML mapping from text, or one clear error naming ``where``."""
    _check_nesting(text, where)
    try:
        raw = yaml.load(text, Loader=loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise EvpactError(f"malformed YAML{at}: {problem}", where) from None
    except RecursionError:
        raise EvpactError("the YAML is nested too deeply", where) from None
    except ValueError as e:  # e.g. an integer of more than 4,300 digits
        raise EvpactError(f"unreadable value: {e}", where) from None
    if not isinstance(raw, dict):
        raise EvpactError("a scenario file must be a YAML mapping (key: value)", where)
    return raw


def resolve(ref: str | Path, base: Path | None = None) -> Path:
    """A bundled scenario name or a path (relative to ``base`` when given)."""
    text = str(ref)
    if not text.strip():
        raise EvpactError("an empty name; give a bundled scenario name or a YAML file")
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
    _check_nesting(raw, f"--set {path}")
    try:
        value = yaml.load(raw, Loader=SAFE_LOADER)
    except (yaml.YAMLError, ValueError, RecursionError):
        raise EvpactError(f"--set {path}: cannot read value '{raw[:60]}'") from None
    return path.strip(), value


Shape = tuple[Any, ...]  # ("model", cls) | ("mapping", Shape) | ("list", Shape) | ("value",)


def _shape(annotation: Any) -> Shape:
    """What a field holds, through Annotated, Optional, dict and list/tuple."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _shape(args[0])
    if origin in (Union, types.UnionType):
        shapes = [_shape(a) for a in args if a is not type(None)]
        return next((sh for sh in shapes if sh[0] != "value"), ("value",))
    if origin is dict:
        return ("mapping", _shape(args[1]))
    if origin in (list, tuple):
        return ("list", _shape(args[0]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation)
    return ("value",)


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    return {f.alias or name: f.annotation for name, f in model.model_fields.items()}


def apply_variant(raw: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``raw`` with each dotted path set; list items are addressed by their ``id``
    (or ``customer`` for offtake contracts) or by their position."""
    out = copy.deepcopy(raw)
    for path, value in variant.items():
        _set(out, path, value)
    return out


def _item_label(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("id", item.get("customer", "?")))
    return "?"


def _set(root: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = root
    shape: Shape = ("model", Scenario)
    for i, part in enumerate(parts):
        where = ".".join(parts[:i]) or "the scenario"
        if isinstance(node, list):
            labels = [_item_label(item) for item in node]
            idx = labels.index(part) if part in labels else None
            if idx is None and part.isdigit() and int(part) < len(node):
                idx = int(part)
            if idx is None:
                close = difflib.get_close_matches(part, labels, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise EvpactError(
                    f"--set {path}: no item '{part}' in {where}{hint}; "
                    f"items: {', '.join(labels) or 'none'}"
                )
            key: Any = idx
            child: Shape = shape[1] if shape[0] == "list" else ("value",)
        elif isinstance(node, dict):
            if shape[0] == "model":
                fields = _fields(shape[1])
                if part not in fields:
                    close = difflib.get_close_matches(part, sorted(fields), n=1)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    raise EvpactError(f"--set {path}: '{part}' does not exist in {where}{hint}")
                child = _shape(fields[part])
            elif shape[0] == "mapping" or part in node:
                child = shape[1] if shape[0] == "mapping" else ("value",)
            else:
                raise EvpactError(f"--set {path}: '{part}' does not exist in {where}")
            key = part
        else:
            raise EvpactError(f"--set {path}: {where} is a value, it has no '{part}'")
        if i == len(parts) - 1:
            node[key] = value
            return
        if isinstance(node, dict) and node.get(key) is None:
            node[key] = [] if child[0] == "list" else {}
        node, shape = node[key], child


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


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return "a number too large to print"
    return text if len(text) <= 60 else text[:57] + "..."


def validate(raw: dict[str, Any], origin: str) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except RecursionError:
        raise EvpactError("the scenario is nested too deeply", origin) from None
    except ValidationError as e:
        err = e.errors()[0]
        where = _location(raw, tuple(err["loc"]))
        msg = str(err["msg"]).removeprefix("Value error, ")
        value = err.get("input")
        if err["type"] == "missing":
            msg = "required but missing"
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63:
            msg = f"a number of {len(str(abs(value)))} digits is out of range"
        elif err["type"] in ("float_type", "float_parsing", "int_type", "int_parsing"):
            msg = f"expected a number, got {_short(value)}"
        elif err["type"] == "finite_number":
            msg = f"must be a finite number, got {_short(value)}"
        elif err["type"] in (
            "greater_than",
            "greater_than_equal",
            "less_than",
            "less_than_equal",
        ):
            msg = f"{msg.removeprefix('Input should be ')}, got {_short(value)}"
            msg = "must be " + msg
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


def load_counterfactual(
    scenario: Scenario, variant: dict[str, Any] | None = None, *, same_ok: bool = False
) -> Scenario:
    """The scenario's counterfactual in the scenario's own world (horizon, market, economy,
    fiscal). A variant applies there too, where the same path exists, except deal terms.
    A counterfactual that is the scenario itself is refused (every impact would be zero)
    unless ``same_ok``: a caller that names it explicitly, as a check, may want exactly that."""
    if scenario.counterfactual is None:
        raise EvpactError("this scenario names no counterfactual", "counterfactual")
    try:
        path = resolve(scenario.counterfactual, scenario._origin)
    except EvpactError as e:
        raise EvpactError(str(e), e.path or "counterfactual") from None
    raw = read_yaml(path)
    context = scenario.model_dump(mode="json", by_alias=True, include=set(CONTEXT))
    context.setdefault("trade", None)  # the scenario's regime, or none if it has none
    for section in ("trade", "fiscal"):  # its rule packs as the scenario's folder names them
        if context.get(section) and context[section].get("rules"):
            context[section]["rules"] = _rebased(context[section]["rules"], scenario._origin)
    if context["trade"]:  # the same regime; content settings only for plants it has
        own = {p.get("id") for p in raw.get("plants") or [] if isinstance(p, dict)}
        plants = context["trade"].get("plants") or {}
        context["trade"] = {
            **context["trade"],
            "plants": {k: v for k, v in plants.items() if k in own},
        }
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
    same = cf.name == scenario.name or scenario_sha256(cf) == scenario_sha256(scenario)
    if same and not same_ok:
        raise EvpactError(
            f"'{scenario.counterfactual}' is the scenario itself: every impact would be zero; "
            "name the world without the deal (e.g. no-deal)",
            "counterfactual",
        )
    return cf


def _rebased(refs: list[str], origin: Path | None) -> list[str]:
    """Rule-pack references of a scenario as its counterfactual, read from another folder,
    must see them: a path relative to the scenario's folder becomes that file's path (the
    counterfactual's own folder would not have it); names and other paths stay."""
    from .rules import bundled_rules

    bundled = bundled_rules()
    out = []
    for ref in refs:
        path = Path(ref)
        here = origin / path if origin is not None else path
        moved = ref not in bundled and not path.is_absolute() and not path.exists()
        out.append(str(here) if moved and here.exists() else ref)
    return out


def scenario_sha256(scenario: Scenario) -> str:
    """Hash of the resolved scenario (after variants), independent of key order and comments."""
    text = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def to_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML (libyaml's dumper where PyYAML has it)."""
    return yaml.dump(
        scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True),
        Dumper=SAFE_DUMPER,
        sort_keys=False,
        allow_unicode=True,
    )
