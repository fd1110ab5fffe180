"""When the engine uses its compiled kernels (``engine.kernels``), and where numba caches them.

The kernels fuse chains of (draw, year) temporaries into one pass; they give the same bits as
the numpy expressions they replace (``tests/test_kernels.py`` compares both paths on every
bundled scenario). They pay off on blocks of many draws; for a handful of draws (a
deterministic run, a web-form edit) importing numba and loading its cache would cost more
than the whole run, so below ``JIT_FROM_DRAWS`` draws the numpy path runs and numba is never
imported. ``EVPACT_JIT_FROM_DRAWS`` overrides the threshold (0: always compiled; a huge
number: never).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

FloatArray = np.ndarray[Any, Any]

#: draws per block from which the compiled kernels run (measured: benchmarks/RESULTS.md, Round 3)
JIT_FROM_DRAWS = 1024


def threshold() -> int:
    """The draws from which kernels run: ``EVPACT_JIT_FROM_DRAWS`` if set, else the default."""
    raw = os.environ.get("EVPACT_JIT_FROM_DRAWS", "").strip()
    return int(raw) if raw.isdigit() else JIT_FROM_DRAWS


def compiled_for(draws: int) -> ModuleType | None:
    """The kernels module when a block of ``draws`` draws should use it, else None (numpy)."""
    if draws < threshold():
        return None
    set_cache_dir()
    from . import kernels

    return kernels


def set_cache_dir() -> None:
    """Point numba's cache somewhere writable before it is imported.

    numba caches next to the source (``__pycache__``); in a read-only install it would warn and
    compile on every start. Then the cache goes to ``$XDG_CACHE_HOME/evpact/numba`` (or
    ``~/.cache``, or the temporary directory). An explicit ``NUMBA_CACHE_DIR`` always wins.
    """
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    here = Path(__file__).parent
    pycache = here / "__pycache__"
    if os.access(pycache if pycache.exists() else here, os.W_OK):
        return
    for base in (os.environ.get("XDG_CACHE_HOME"), Path.home() / ".cache", tempfile.gettempdir()):
        if not base:
            continue
        target = Path(base) / "evpact" / "numba"
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(target, os.W_OK):
            os.environ["NUMBA_CACHE_DIR"] = str(target)
            return


def sums_over_years(a: FloatArray) -> FloatArray:
    """``a.sum(axis=1)`` of a (draw, year) array: by the kernel in big blocks (same bits)."""
    k = compiled_for(a.shape[0]) if np.ndim(a) == 2 else None
    return np.asarray(a.sum(axis=1)) if k is None else k.sums_over_years(a)


def sums_over_draws(a: FloatArray) -> FloatArray:
    """``a.sum(axis=0)``: by the kernel in big blocks (same bits)."""
    k = compiled_for(a.shape[0]) if np.ndim(a) >= 2 else None
    return np.asarray(a.sum(axis=0)) if k is None else k.sums_over_draws(a)
