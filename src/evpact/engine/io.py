"""The Leontief path: industry multipliers from a symmetric input-output table.

An analyst with Statistics Canada's symmetric tables (catalogue 15-207-X national, 15-211-X
provincial; domestic-use sheets, so imports leak out of the inverse) gets the per-dollar ratios
``economy.multipliers`` reads, computed the textbook way (Miller & Blair, *Input-Output Analysis:
Foundations and Extensions*, 2nd ed., 2009, ch. 2 and 6):

* ``A = Z x̂⁻¹``: technical coefficients, inter-industry sales ``Z`` over each buyer's output ``x``;
* ``L = (I - A)⁻¹``: the Leontief inverse, total output per dollar of final demand ``Y``, so
  ``x = L Y``;
* a row of per-dollar coefficients ``v`` (value added, labour income or jobs over output) gives
  direct effects ``v`` and simple (direct + indirect) effects ``v L``;
* closing the model for households (their labour-income row and consumption column appended to
  ``A``) gives the total effects, induced spending included; Type I = simple / direct and
  Type II = total / direct.

Pure numpy; the names follow the textbook.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import EvpactError

Matrix = NDArray[np.float64]


@dataclass(frozen=True)
class IOTable:
    """A symmetric (industry x industry) table: ``Z`` inter-industry flows and ``x`` total output,
    in the same currency units; ``industries`` names the rows and columns."""

    Z: Matrix
    x: Matrix
    industries: tuple[str, ...]

    def __post_init__(self) -> None:
        n = len(self.industries)
        if self.Z.shape != (n, n) or self.x.shape != (n,):
            raise EvpactError(
                f"Z must be {n}x{n} and x length {n}, got {self.Z.shape} and {self.x.shape}"
            )
        if (self.x <= 0).any():
            raise EvpactError("every industry needs positive total output x")
        if (self.Z < 0).any():
            raise EvpactError("inter-industry flows Z must be non-negative")

    @property
    def Y(self) -> Matrix:
        """Final demand: output not sold to other industries, ``x - Z i``."""
        return self.x - self.Z.sum(axis=1)


def technical_coefficients(Z: Matrix, x: Matrix) -> Matrix:
    """``A = Z x̂⁻¹``: column j is what industry j buys per dollar of its output."""
    return np.asarray(Z, dtype=float) / np.asarray(x, dtype=float)[None, :]


def leontief_inverse(A: Matrix) -> Matrix:
    """``L = (I - A)⁻¹``; refuses a table whose industries use more than they make."""
    n = A.shape[0]
    if (np.abs(A).sum(axis=0) >= 1.0).any():
        raise EvpactError("a column of A sums to 1 or more: the table is not productive")
    return np.asarray(np.linalg.inv(np.eye(n) - A), dtype=np.float64)


def output(L: Matrix, Y: Matrix) -> Matrix:
    """``x = L Y``: gross output that meets final demand ``Y``."""
    return L @ Y


@dataclass(frozen=True)
class Multipliers:
    """Per dollar of an industry's output delivered to final demand (one entry per industry)."""

    direct: Matrix
    simple: Matrix
    total: Matrix

    @property
    def type1(self) -> Matrix:
        return np.where(self.direct > 0, self.simple / self.direct, np.nan)

    @property
    def type2(self) -> Matrix:
        return np.where(self.direct > 0, self.total / self.direct, np.nan)


def multipliers(
    A: Matrix, coefficient: Matrix, wage_share: Matrix, consumption_share: Matrix
) -> Multipliers:
    """Direct, simple and total effects of a per-dollar ``coefficient`` row.

    ``wage_share`` is labour income per dollar of each industry's output (the households row)
    and ``consumption_share`` how households spend a dollar of it on each industry's output
    (the households column, domestic purchases only: imported consumption leaks out).
    """
    n = A.shape[0]
    v = np.asarray(coefficient, dtype=float)
    L = leontief_inverse(A)
    closed = np.zeros((n + 1, n + 1))
    closed[:n, :n] = A
    closed[n, :n] = wage_share
    closed[:n, n] = consumption_share
    L_closed = leontief_inverse(closed)
    return Multipliers(direct=v, simple=v @ L, total=v @ L_closed[:n, :n])


def output_multipliers(A: Matrix) -> Matrix:
    """Simple output multipliers: column sums of ``L``."""
    return leontief_inverse(A).sum(axis=0)
