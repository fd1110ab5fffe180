"""Uncertain inputs: a number in the scenario file, or a distribution to draw it from.

Every distribution maps uniform quantiles ``u`` in (0, 1) to values through its inverse CDF
(``ppf``). The sampler only ever produces uniforms, so Monte Carlo, Latin hypercube and Sobol
schemes all plug in the same way, and common random numbers across scenarios come for free.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

KINDS = ("fixed", "uniform", "triangular", "pert", "normal", "lognormal")
FloatArray = np.ndarray[Any, Any]
#: largest magnitude any scenario number may reach (a draw included): far beyond every
#: physical quantity of the format, and small enough that products of a few of them stay
#: finite in double precision
MAX_MAGNITUDE = 1e15
#: the most extreme standard normal quantile a draw can reach: uniforms lie in (0, 1) with
#: 53-bit resolution, so the sampler never goes beyond Phi^-1(1 - 2^-53) (scipy's
#: ``special.ndtri(1 - 2.0**-53)``, written out so that reading a scenario does not import
#: scipy; tests/test_cli_imports.py checks the two agree)
Z_REACH = 8.209536151601387


@dataclass(frozen=True)
class Dist:
    """A univariate distribution, declared as ``{kind: params}`` in YAML."""

    kind: str
    params: tuple[float, ...]

    @property
    def is_fixed(self) -> bool:
        return self.kind == "fixed"

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take."""
        p = self.params
        if self.kind == "fixed":
            return p[0], p[0]
        if self.kind in ("uniform",):
            return p[0], p[1]
        if self.kind in ("triangular", "pert"):
            return p[0], p[2]
        if self.kind == "normal":
            return p[2], p[3]
        return 0.0, float("inf")  # lognormal

    @property
    def reach(self) -> tuple[float, float]:
        """Smallest and largest value the sampler can actually draw: the support, with the
        unbounded tails of normals and lognormals cut where uniforms in (0, 1) end."""
        p = self.params
        lo, hi = self.support
        if self.kind == "normal":
            lo, hi = max(lo, p[0] - Z_REACH * p[1]), min(hi, p[0] + Z_REACH * p[1])
        elif self.kind == "lognormal":
            with np.errstate(over="ignore"):
                hi = float(p[0] * np.exp(min(p[1] * Z_REACH, 1e3)))
        return lo, hi

    @property
    def central(self) -> float:
        """The value a deterministic run uses: the mode, median or fixed value."""
        p = self.params
        if self.kind == "fixed":
            return p[0]
        if self.kind == "uniform":
            return (p[0] + p[1]) / 2
        if self.kind in ("triangular", "pert"):
            return p[1]
        return p[0]  # normal mean (before truncation) or lognormal median

    def ppf(self, u: FloatArray) -> FloatArray:
        """Values at quantiles ``u`` (vectorised)."""
        p = self.params
        if self.kind == "fixed":
            return np.full(np.shape(u), p[0])
        if self.kind == "uniform":
            return p[0] + u * (p[1] - p[0])
        if self.kind == "triangular":
            return triangular_ppf(u, p[0], p[1], p[2])
        if self.kind == "pert":
            lo, mode, hi = p
            if hi == lo:
                return np.full(np.shape(u), lo)
            from scipy import special  # lazily: scipy costs a command that never draws

            alpha = 1 + 4 * (mode - lo) / (hi - lo)
            beta = 1 + 4 * (hi - mode) / (hi - lo)
            return lo + (hi - lo) * special.betaincinv(alpha, beta, u)
        if self.kind == "normal":
            mean, sd, lo, hi = p
            if sd == 0:
                return np.full(np.shape(u), mean)
            from scipy import stats

            a, b = (lo - mean) / sd, (hi - mean) / sd
            return np.asarray(stats.truncnorm.ppf(u, a, b, loc=mean, scale=sd), dtype=float)
        from scipy import special

        median, sigma = p
        return median * np.exp(sigma * special.ndtri(u))

    def to_yaml(self) -> float | dict[str, Any]:
        p = self.params
        if self.kind == "fixed":
            return p[0]
        if self.kind == "normal":
            bounds = {k: v for k, v in (("min", p[2]), ("max", p[3])) if np.isfinite(v)}
            return {"normal": {"mean": p[0], "sd": p[1], **bounds}}
        if self.kind == "lognormal":
            return {"lognormal": {"median": p[0], "sigma": p[1]}}
        return {self.kind: list(p)}


def triangular_ppf(u: FloatArray, lo: Any, mode: Any, hi: Any) -> FloatArray:
    """Inverse CDF of the triangular distribution; ``lo, mode, hi`` may be arrays."""
    lo, mode, hi = (np.asarray(x, dtype=float) for x in (lo, mode, hi))
    width = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        split = np.where(width > 0, (mode - lo) / np.where(width > 0, width, 1.0), 0.5)
        left = lo + np.sqrt(u * width * (mode - lo))
        right = hi - np.sqrt((1 - u) * width * (hi - mode))
    return np.where(u < split, left, right)


def finite(value: Any, what: str = "a number") -> float:
    """``value`` as a finite float, or a ValueError that says why not (NaN, infinite, an
    integer too large for a float, not a number at all)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number, got {_short(value)}")
    try:
        x = float(value)
    except OverflowError:
        raise ValueError(
            f"{what} is too large: an integer of {len(str(abs(int(value))))} digits"
        ) from None
    if not math.isfinite(x):
        raise ValueError(f"{what} must be finite, got {x}")
    return x


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def fixed(value: float) -> Dist:
    return Dist("fixed", (finite(value),))


def _numbers(value: Any, n: int, kind: str, bounds: bool = False) -> tuple[float, ...]:
    if not isinstance(value, list | tuple) or len(value) != n:
        raise ValueError(f"'{kind}' takes a list of {n} numbers, got {_short(value)}")
    out = []
    for v in value:
        if bounds and isinstance(v, float) and math.isinf(v):
            out.append(v)  # a normal's open side
        else:
            out.append(finite(v, f"'{kind}' parameter"))
    return tuple(out)


def parse_dist(value: Any) -> Dist:
    """Read a number or a one-key mapping such as ``{triangular: [2, 3, 5]}``."""
    if isinstance(value, Dist):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected a number or a distribution, got {value!r}")
    if isinstance(value, int | float):
        return fixed(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise ValueError(
                "expected a number or a distribution such as {uniform: [a, b]}, "
                f"got {_short(value)}"
            ) from None
        return fixed(number)
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError(
            f"expected a number or a one-key distribution ({', '.join(KINDS)}), got {_short(value)}"
        )
    ((kind, args),) = value.items()
    if kind == "fixed":
        return fixed(_numbers([args], 1, kind)[0])
    if kind == "uniform":
        lo, hi = _numbers(args, 2, kind)
        if lo > hi:
            raise ValueError(f"uniform needs low <= high, got [{lo}, {hi}]")
        return Dist(kind, (lo, hi))
    if kind in ("triangular", "pert"):
        lo, mode, hi = _numbers(args, 3, kind)
        if not lo <= mode <= hi:
            raise ValueError(f"{kind} needs low <= mode <= high, got [{lo}, {mode}, {hi}]")
        return Dist(kind, (lo, mode, hi))
    if kind == "normal":
        if not isinstance(args, dict) or not {"mean", "sd"} <= set(args):
            raise ValueError("normal takes {mean: m, sd: s, min: a, max: b} (min/max optional)")
        unknown = set(args) - {"mean", "sd", "min", "max"}
        if unknown:
            raise ValueError(f"normal has no parameter {sorted(unknown)}; use mean, sd, min, max")
        mean, sd = _numbers([args["mean"], args["sd"]], 2, kind)
        lo, hi = _numbers([args.get("min", -np.inf), args.get("max", np.inf)], 2, kind, True)
        if sd < 0 or lo >= hi or not lo <= mean <= hi:
            raise ValueError("normal needs sd >= 0, min < max and min <= mean <= max")
        return Dist(kind, (mean, sd, lo, hi))
    if kind == "lognormal":
        if not isinstance(args, dict) or set(args) != {"median", "sigma"}:
            raise ValueError("lognormal takes {median: m, sigma: s}")
        median, sigma = _numbers([args["median"], args["sigma"]], 2, kind)
        if median <= 0 or sigma < 0:
            raise ValueError("lognormal needs median > 0 and sigma >= 0")
        return Dist(kind, (median, sigma))
    raise ValueError(f"unknown distribution '{_short(kind)}'; use one of {', '.join(KINDS)}")


def _bounded(lo: float | None, hi: float | None) -> Any:
    def check(value: Any) -> Dist:
        dist = parse_dist(value)
        s_lo, s_hi = dist.support
        if dist.kind == "lognormal":  # unbounded above: check where the sampler can reach
            s_hi = dist.reach[1]
        if lo is not None and s_lo < lo:
            what = "value" if dist.is_fixed else "every draw"
            raise ValueError(f"{what} must be >= {lo:g}, got {dist.to_yaml()}")
        if hi is not None and s_hi > hi:
            what = "value" if dist.is_fixed else "every draw"
            raise ValueError(f"{what} must be <= {hi:g}, got {dist.to_yaml()}")
        r_lo, r_hi = dist.reach
        if not (r_lo >= -MAX_MAGNITUDE and r_hi <= MAX_MAGNITUDE):
            raise ValueError(
                f"draws would reach {r_lo:.3g} to {r_hi:.3g}; scenario numbers stay within "
                f"+-{MAX_MAGNITUDE:g}, got {dist.to_yaml()}"
            )
        return dist

    return check


_DIST_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "number"},
        {"type": "object", "properties": {"fixed": {"type": "number"}}, "required": ["fixed"]},
        {
            "type": "object",
            "properties": {
                "uniform": {
                    "type": "array",
                    "items": {"type": "number"},
                    "minItems": 2,
                    "maxItems": 2,
                }
            },
            "required": ["uniform"],
        },
        {
            "type": "object",
            "properties": {
                "triangular": {
                    "type": "array",
                    "items": {"type": "number"},
                    "minItems": 3,
                    "maxItems": 3,
                }
            },
            "required": ["triangular"],
        },
        {
            "type": "object",
            "properties": {
                "pert": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3}
            },
            "required": ["pert"],
        },
        {
            "type": "object",
            "properties": {
                "normal": {
                    "type": "object",
                    "properties": {
                        "mean": {"type": "number"},
                        "sd": {"type": "number"},
                        "min": {"type": "number"},
                        "max": {"type": "number"},
                    },
                    "required": ["mean", "sd"],
                }
            },
            "required": ["normal"],
        },
        {
            "type": "object",
            "properties": {
                "lognormal": {
                    "type": "object",
                    "properties": {"median": {"type": "number"}, "sigma": {"type": "number"}},
                    "required": ["median", "sigma"],
                }
            },
            "required": ["lognormal"],
        },
    ],
    "description": "A number, or a distribution: {uniform: [lo, hi]}, "
    "{triangular: [lo, mode, hi]}, {pert: [lo, mode, hi]}, {normal: {mean, sd, min, max}}, "
    "{lognormal: {median, sigma}}.",
}


def _ranged_schema(lo: float | None, hi: float | None) -> dict[str, Any]:
    """The distribution schema with the field's range on every number a user can write
    (a draw's bounds are checked by the validator: the schema cannot say "mode <= hi")."""
    schema = copy.deepcopy(_DIST_SCHEMA)
    bounds = {k: v for k, v in (("minimum", lo), ("maximum", hi)) if v is not None} or {
        "minimum": -MAX_MAGNITUDE,
        "maximum": MAX_MAGNITUDE,
    }

    def bound(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "number":
                node.update(bounds)
            for child in node.values():
                bound(child)
        elif isinstance(node, list):
            for child in node:
                bound(child)

    bound(schema)
    if lo is not None or hi is not None:
        shown = f"[{'-inf' if lo is None else f'{lo:g}'}, {'inf' if hi is None else f'{hi:g}'}]"
        schema["description"] += f" Every draw lies in {shown}."
    return schema


def uncertain(lo: float | None = None, hi: float | None = None) -> Any:
    """Annotated type for a scenario field that may be uncertain, with its allowed range
    (also shown as ``minimum``/``maximum`` in the JSON Schema)."""
    return Annotated[
        Dist,
        BeforeValidator(_bounded(lo, hi)),
        PlainSerializer(lambda d: d.to_yaml()),
        WithJsonSchema(_ranged_schema(lo, hi)),
    ]


Uncertain = uncertain()
NonNegative = uncertain(0.0)
Share = uncertain(0.0, 1.0)
