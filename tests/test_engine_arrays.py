"""engine.arrays gives numpy's own bits: ``total`` is ``sum(arrays, zeros)`` and
``cumsum_years`` is ``np.cumsum(axis=-1)``, on every layout the engine passes them (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest

from evpact.engine import linkage
from evpact.engine.arrays import cumsum_years, total

RNG = np.random.default_rng(11)
SHAPE = (64, 20)


def awkward(shape: tuple[int, ...]) -> np.ndarray:
    """Values over many magnitudes with -0.0, +0.0 and NaN in them."""
    a = RNG.normal(size=shape) * 10.0 ** RNG.integers(-4, 10, size=shape)
    a.flat[::7] = -0.0
    a.flat[3::11] = 0.0
    a.flat[5::29] = np.nan
    return a


TERMS = [
    [],
    [awkward(SHAPE)],
    [np.full((1, 20), -0.0)],  # a lone -0.0 term becomes 0.0, as 0.0 + -0.0 does
    [awkward((64, 1)), awkward((1, 20)), awkward(SHAPE)],
    [awkward(SHAPE) for _ in range(5)],
    [np.broadcast_to(awkward((1, 20)), SHAPE), 2.5],
]


@pytest.mark.parametrize("terms", TERMS, ids=range(len(TERMS)))
def test_total_is_python_sum_from_zeros(terms: list[np.ndarray]) -> None:
    expected = sum(terms, np.zeros(SHAPE))
    got = total(terms, SHAPE)
    assert got.shape == SHAPE
    assert got.tobytes() == expected.tobytes()
    if terms:
        assert not np.shares_memory(got, terms[0])  # a fresh array, as sum makes


@pytest.mark.parametrize(
    "a",
    [
        awkward(SHAPE),
        awkward((64, 1)),
        awkward((3, 0)),
        np.broadcast_to(awkward((1, 20)), SHAPE),  # a year path shared by every draw
        awkward((64, 40))[:, ::2],  # strided
        awkward((2, 3, 20)),  # more axes: numpy's own cumsum
    ],
)
def test_cumsum_years_is_numpy_cumsum(a: np.ndarray) -> None:
    assert cumsum_years(a).tobytes() == np.cumsum(a, axis=-1).tobytes()


def test_capped_flow_by_hand_and_as_before() -> None:
    """Payments stop at the cap: 4 a year against caps 10, 0, inf and NaN (no cap known: NaN
    once reached); and the old cumsum/diff form gives the same bits on awkward flows."""
    flow = np.full((4, 5), 4.0)
    cap = np.array([10.0, 0.0, np.inf, np.nan])
    got = linkage.capped_flow(flow, cap)
    np.testing.assert_array_equal(got[0], [4.0, 4.0, 2.0, 0.0, 0.0])
    np.testing.assert_array_equal(got[1], np.zeros(5))
    np.testing.assert_array_equal(got[2], flow[2])
    assert np.isnan(got[3]).all()
    f, c = awkward(SHAPE), np.abs(awkward((64,)))
    old = np.diff(np.minimum(np.cumsum(f, axis=-1), c[:, None]), axis=-1, prepend=0.0)
    assert linkage.capped_flow(f, c).tobytes() == old.tobytes()
