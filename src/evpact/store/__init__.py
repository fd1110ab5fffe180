"""The run store: every saved run with what reproduces it (scenario hash, variant, seed)."""

from .runs import DEFAULT_URL, RunRecord, RunStore

__all__ = ["DEFAULT_URL", "RunRecord", "RunStore"]
