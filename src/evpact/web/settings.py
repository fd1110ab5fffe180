"""Limits and places of the web app, from ``evpact serve`` options or ``EVPACT_*`` variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any

from ..store import DEFAULT_URL


@dataclass(frozen=True)
class Settings:
    """``sync_draws``: the largest run answered in the request itself (larger ones become
    jobs); ``max_draws`` x horizon years bounds memory, ``max_seconds`` the time of any run.
    ``max_sync``: synchronous runs at once (more get 503 with ``Retry-After``), so a burst
    cannot hold more than that many runs' arrays; ``keep_runs``: stored runs kept, oldest
    dropped first (0 keeps all); ``max_candidates``: the largest budget of an optimiser job
    (its time is bounded by ``max_seconds`` too: it stops there with what it found)."""

    db: str = DEFAULT_URL
    max_draws: int = 20_000
    sync_draws: int = 5_000
    max_seconds: float = 60.0
    max_body_bytes: int = 1_000_000
    max_years: int = 60
    max_queued: int = 8
    max_sync: int = 2
    keep_runs: int = 1000
    max_candidates: int = 2000

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Defaults, then ``EVPACT_<FIELD>`` variables, then explicit (non-None) overrides."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = os.environ.get(f"EVPACT_{f.name.upper()}")
            if raw is not None:
                values[f.name] = type(getattr(cls(), f.name))(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)
