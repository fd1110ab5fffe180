"""The Leontief path against Miller & Blair's two-sector example and the laws it must keep."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from evpact.engine import io
from evpact.errors import EvpactError

# Miller & Blair, Input-Output Analysis, 2nd ed. (2009), chapter 2, the two-sector example:
# inter-industry flows and total outputs of a two-sector economy
Z = np.array([[150.0, 500.0], [200.0, 100.0]])
X = np.array([1000.0, 2000.0])


def test_textbook_coefficients_and_inverse() -> None:
    A = io.technical_coefficients(Z, X)
    # published A: [[.15, .25], [.20, .05]]
    np.testing.assert_allclose(A, [[0.15, 0.25], [0.20, 0.05]])
    L = io.leontief_inverse(A)
    # published L (three decimals): [[1.254, .330], [.264, 1.122]]
    np.testing.assert_allclose(L, [[1.254, 0.330], [0.264, 1.122]], atol=5e-4)
    # by hand: det(I - A) = .85 x .95 - .25 x .20 = .7575
    np.testing.assert_allclose(L, np.array([[0.95, 0.25], [0.20, 0.85]]) / 0.7575)


def test_final_demand_reproduces_output() -> None:
    table = io.IOTable(Z=Z, x=X, industries=("agriculture", "manufacturing"))
    np.testing.assert_allclose(table.Y, [350.0, 1700.0])  # x - Z i
    L = io.leontief_inverse(io.technical_coefficients(table.Z, table.x))
    np.testing.assert_allclose(io.output(L, table.Y), X)


def test_output_multipliers_are_column_sums() -> None:
    A = io.technical_coefficients(Z, X)
    np.testing.assert_allclose(
        io.output_multipliers(A), [(0.95 + 0.20) / 0.7575, (0.25 + 0.85) / 0.7575]
    )


def test_open_and_closed_effects_by_hand() -> None:
    A = io.technical_coefficients(Z, X)
    v = np.array([0.3, 0.25])  # labour income per dollar of output
    c = np.array([0.1, 0.2])  # households' domestic spending per dollar of income
    m = io.multipliers(A, v, wage_share=v, consumption_share=c)
    np.testing.assert_allclose(m.direct, v)
    np.testing.assert_allclose(m.simple, v @ np.linalg.inv(np.eye(2) - A))
    # closed model by hand: households as a third sector
    closed = np.array([[0.15, 0.25, 0.1], [0.20, 0.05, 0.2], [0.3, 0.25, 0.0]])
    np.testing.assert_allclose(m.total, v @ np.linalg.inv(np.eye(3) - closed)[:2, :2])
    assert (m.total > m.simple).all() and (m.simple > m.direct).all()
    assert (m.type2 > m.type1).all() and (m.type1 > 1).all()


def test_less_domestic_consumption_means_less_induced() -> None:
    """Import leakage: the more of households' spending goes abroad, the smaller Type II."""
    A = io.technical_coefficients(Z, X)
    v = np.array([0.3, 0.25])
    shares = [0.0, 0.1, 0.2, 0.3]
    type2 = [io.multipliers(A, v, v, np.array([s, s])).type2 for s in shares]
    assert all((b > a).all() for a, b in itertools.pairwise(type2))
    np.testing.assert_allclose(type2[0], io.multipliers(A, v, v, np.zeros(2)).type1)


def test_bad_tables_are_refused() -> None:
    with pytest.raises(EvpactError, match="positive total output"):
        io.IOTable(Z=Z, x=np.array([1000.0, 0.0]), industries=("a", "b"))
    with pytest.raises(EvpactError, match="2x2"):
        io.IOTable(Z=Z, x=np.array([1.0, 2.0, 3.0]), industries=("a", "b"))
    with pytest.raises(EvpactError, match="not productive"):
        io.leontief_inverse(np.array([[0.6, 0.1], [0.5, 0.2]]))


def test_io_table_checks_at_their_boundaries() -> None:
    """Output just above zero and flows of exactly zero are a valid table; a negative flow is
    not. A column of A summing to exactly 1 is not productive (the industry uses all it
    makes), just below 1 it is. The shape refusal names both shapes it got."""
    ok = io.IOTable(Z=np.zeros((2, 2)), x=np.array([0.5, 2.0]), industries=("a", "b"))
    np.testing.assert_array_equal(ok.Y, [0.5, 2.0])
    with pytest.raises(EvpactError, match="flows Z must be non-negative"):
        io.IOTable(Z=np.array([[0.0, -1.0], [0.0, 0.0]]), x=np.ones(2), industries=("a", "b"))
    with pytest.raises(EvpactError) as output:
        io.IOTable(Z=np.zeros((2, 2)), x=np.array([1.0, -1.0]), industries=("a", "b"))
    assert str(output.value) == "every industry needs positive total output x"
    with pytest.raises(EvpactError) as shape:
        io.IOTable(Z=np.zeros((2, 3)), x=np.ones(2), industries=("a", "b"))
    assert str(shape.value) == "Z must be 2x2 and x length 2, got (2, 3) and (2,)"
    with pytest.raises(EvpactError, match="a column of A sums to 1 or more"):
        io.leontief_inverse(np.array([[0.5, 0.1], [0.5, 0.2]]))
    np.testing.assert_allclose(
        io.leontief_inverse(np.array([[0.5, 0.0], [0.49, 0.0]]))
        @ (np.eye(2) - [[0.5, 0], [0.49, 0]]),
        np.eye(2),
        atol=1e-12,
    )
