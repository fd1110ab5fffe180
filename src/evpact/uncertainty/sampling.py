"""Uniform draws per uncertain input, independent of how the draws are chunked.

One ``SeedSequence`` per run; each input gets its own stream, spawned from the run's seed with a
key derived from the input's path (``plants.nextstar-windsor.ramp_years``). Draw ``i`` of a stream
is the ``i``-th number of its PCG64 generator, reached with ``advance``: a chunk ``[start, stop)``
reads exactly the numbers the whole run would. Two scenarios run with the same seed share the
draws of every input they have in common (common random numbers).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np

FloatArray = np.ndarray[Any, Any]


class Input(Protocol):
    """Anything that turns uniform quantiles into values (a ``Dist`` or a yearly path)."""

    @property
    def is_fixed(self) -> bool: ...

    @property
    def central(self) -> Any: ...

    def ppf(self, u: FloatArray) -> FloatArray: ...


def stream_key(path: str) -> int:
    return zlib.crc32(path.encode("utf-8"))


def uniforms(seed: int, path: str, start: int, stop: int) -> FloatArray:
    """Quantiles ``start..stop-1`` of the stream that belongs to ``path``."""
    seq = np.random.SeedSequence(entropy=seed, spawn_key=(stream_key(path),))
    bits = np.random.PCG64(seq)
    bits.advance(start)
    return np.random.Generator(bits).random(stop - start)


def same_input(a: Input, b: Input) -> bool:
    """Two inputs that draw identical values from the same stream."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if hasattr(a, "low"):  # a yearly path: compare its arrays
        return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("low", "mode", "high"))
    return bool(a == b)


def sample(
    inputs: Mapping[str, Input],
    seed: int,
    start: int,
    stop: int,
    shared: dict[str, tuple[Input, FloatArray]] | None = None,
) -> dict[str, FloatArray]:
    """Values of every input for draws ``start..stop-1``; fixed inputs stay scalars.

    ``shared`` carries draws between the scenario and its counterfactual: an input with the
    same path and distribution would draw the same values, so it is drawn once.
    """
    out: dict[str, FloatArray] = {}
    for path, dist in inputs.items():
        if shared is not None and path in shared and same_input(shared[path][0], dist):
            out[path] = shared[path][1]
            continue
        if dist.is_fixed:  # a scalar, or a (1, year) row for a yearly path
            value = np.asarray(dist.central, dtype=float)
            out[path] = value[None, :] if value.ndim == 1 else value
        else:
            out[path] = dist.ppf(uniforms(seed, path, start, stop))
        if shared is not None:
            shared[path] = (dist, out[path])
    return out


def central(inputs: Mapping[str, Input]) -> dict[str, FloatArray]:
    """The deterministic run: every input at its mode, median or fixed value (one draw)."""
    return {path: np.asarray(dist.central, dtype=float)[None, ...] for path, dist in inputs.items()}
