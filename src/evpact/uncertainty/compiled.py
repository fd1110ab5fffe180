"""When the stages around the engine (inverse CDFs, streaming totals) use their compiled
kernels (``uncertainty.kernels``): exactly when the engine uses its own (``engine.jit``), so a
process that never loads numba for the engine does not load it for these either."""

from __future__ import annotations

from types import ModuleType

from ..engine import jit


def compiled_for(draws: int) -> ModuleType | None:
    """``uncertainty.kernels`` when a block of ``draws`` draws runs through the kernels, else
    None (numpy). Either way the numbers are the same (tests/test_kernels.py)."""
    if jit.compiled_for(draws) is None:
        return None
    from . import kernels

    return kernels
