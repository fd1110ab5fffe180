"""The sampled inputs of a block as the engine reads them."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..scenario.distributions import FloatArray


class Inputs:
    """Sampled inputs shaped to broadcast against (draw, year)."""

    def __init__(self, x: Mapping[str, FloatArray], n: int) -> None:
        self.x = x
        self.n = n

    def __call__(self, key: str) -> FloatArray:
        a = np.asarray(self.x[key], dtype=float)
        return a[:, None] if a.ndim == 1 else a

    def draw(self, key: str) -> FloatArray:
        """A per-draw input as a (draw,) vector."""
        return np.broadcast_to(np.asarray(self.x[key], dtype=float), (self.n,))

    def scaled_path(self, key: str) -> FloatArray:
        value = self(key)
        return value * self(f"{key}.scale") if f"{key}.scale" in self.x else value
