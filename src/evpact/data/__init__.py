"""Bundled reference data and scenarios. Every figure in these files carries its source.

Tables are read once and cached; figures with a range (low, mode, high) become triangular
distributions, so published disagreement turns into model uncertainty instead of a silent pick.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import EvpactError
from ..scenario.distributions import Dist, fixed

if TYPE_CHECKING:  # pandas is imported when the tables are read, not by listing scenarios
    import pandas as pd

REFERENCE_FILES = (
    "chemistries.csv",
    "plant_archetypes.csv",
    "prices.csv",
    "pack_sizes.csv",
    "multipliers.csv",
    "fiscal.csv",
    "market_paths.csv",
    "incentive_schedules.csv",
    "mineral_production.csv",
    "grid_intensity.csv",
    "emissions.csv",
    "charging.csv",
    "trade_partners.csv",
    "chain_inventory.csv",
    "learning.csv",
    "trade_content.csv",
    "additionality.csv",
    "ledger.csv",
    "firms.csv",
)


def data_dir() -> Path:
    return Path(str(resources.files("evpact") / "data"))


def range_dist(low: float, mode: float, high: float) -> Dist:
    """A sourced range as a distribution: fixed when the source gives one figure."""
    if low == mode == high:
        return fixed(mode)
    return Dist("triangular", (float(low), float(mode), float(high)))


@dataclass(frozen=True)
class ReferenceData:
    tables: dict[str, pd.DataFrame]
    version: str
    _figures: dict[tuple[str, tuple[tuple[str, str], ...]], Dist] = field(
        default_factory=dict, repr=False, compare=False
    )
    _rows: dict[tuple[str, tuple[tuple[str, Any], ...]], pd.DataFrame] = field(
        default_factory=dict, repr=False, compare=False
    )
    _derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def rows(self, table: str, **keys: Any) -> pd.DataFrame:
        """The rows of ``table`` whose columns equal ``keys`` (possibly none), selected once:
        every compile of every candidate asks for the same rows, and a pandas mask over a
        table costs more than the rest of the look-up. Callers must not modify them."""
        key = (table, tuple(sorted(keys.items())))
        if key not in self._rows:
            df = self.tables[table]
            mask = np.ones(len(df), dtype=bool)
            for col, val in keys.items():
                mask &= (df[col] == val).to_numpy()
            self._rows[key] = df[mask]
        return self._rows[key]

    def derived(self, name: str, make: Callable[[ReferenceData], Any]) -> Any:
        """A table derived from the bundled ones (a pivot, a lookup dict), made once."""
        if name not in self._derived:
            self._derived[name] = make(self)
        return self._derived[name]

    def _select(self, table: str, key_cols: dict[str, str]) -> pd.DataFrame:
        import pandas as pd

        df = self.tables[table]
        mask = pd.Series(True, index=df.index)
        for col, val in key_cols.items():
            mask &= df[col] == val
        rows = df[mask]
        if rows.empty:
            keys = ", ".join(f"{k}={v}" for k, v in key_cols.items())
            raise EvpactError(f"no rows for {keys} in bundled {table}.csv")
        return rows

    def figure(self, table: str, key_cols: dict[str, str]) -> Dist:
        """One sourced figure (low/mode/high row) selected by its key columns (looked up once
        per table and key: compiling asks for the same figures again and again)."""
        key = (table, tuple(sorted(key_cols.items())))
        if key not in self._figures:
            row = self._select(table, key_cols).iloc[0]
            self._figures[key] = range_dist(row["low"], row["mode"], row["high"])
        return self._figures[key]

    def yearly(self, table: str, key_cols: dict[str, str]) -> pd.DataFrame:
        """Rows of a yearly table (year, low, mode, high) sorted by year."""
        return self._select(table, key_cols).sort_values("year")


@cache
def reference() -> ReferenceData:
    """Load every bundled table; the data version is a hash of their bytes."""
    import pandas as pd

    base = data_dir() / "reference"
    digest = hashlib.sha256()
    tables: dict[str, pd.DataFrame] = {}
    for name in REFERENCE_FILES:
        path = base / name
        raw = path.read_bytes()
        digest.update(name.encode() + b"\0" + raw)
        tables[name.removesuffix(".csv")] = pd.read_csv(path)
    return ReferenceData(tables=tables, version=f"{digest.hexdigest()[:12]}")
