"""When the engine uses its compiled kernels (``engine.kernels``, ``engine.kernels_ledger``), and
where numba caches them.

The kernels fuse chains of (draw, year) temporaries into one pass; they give the same bits as
the numpy expressions they replace (``tests/test_kernels.py`` compares both paths on every
bundled scenario), so choosing a path never changes a number, only the time. With the
engine's, the ledger's and the sampling's kernels a block of 4,096 draws costs about 35 ms of
CPU less (benchmarks/RESULTS.md, Round 4), but loading numba and the cached kernels costs a
process about 0.6 s of CPU and 120-170 MB once (Rounds 3, 4). So a process uses them only for
blocks of at least ``JIT_FROM_DRAWS`` draws in a run of which it will compute at least
``JIT_FROM_RUN_DRAWS`` draws itself (``planned``, declared where blocks are dealt out); a
deterministic run, a web-form edit or a sweep candidate never imports numba. A process about
to fork block workers that will use them loads them first, once for all (``preload_for``).
``EVPACT_JIT_FROM_DRAWS=N`` sets the block threshold and drops the run threshold (0: always
compiled; a huge number: never).
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

FloatArray = np.ndarray[Any, Any]

#: draws per block from which the compiled kernels run (in a run big enough: below)
JIT_FROM_DRAWS = 1024
#: draws a process must be about to compute in a run for loading numba to pay off: about
#: 0.6 s of CPU against the CPU the kernels save per block; one core, canada-korea-2026
#: (RESULTS.md "Round 4"): a tie at 10^5 draws, 7% faster with them at 2 x 10^5
JIT_FROM_RUN_DRAWS = 2**17

#: every kernel module, relative to ``evpact.engine`` (``compiled_for``'s names)
KERNEL_MODULES = (
    ".kernels",
    ".kernels_flows",
    ".kernels_ledger",
    "..kernels_metrics",
    "..uncertainty.kernels",
)

_planned = 0  # draws this process computes in the run under way (``planned``)
_loaded: dict[str, ModuleType] = {}  # kernel modules imported so far (``compiled_for``)


def thresholds() -> tuple[int, int]:
    """(block, run) thresholds: ``EVPACT_JIT_FROM_DRAWS`` if set (no run threshold), else
    the defaults."""
    raw = os.environ.get("EVPACT_JIT_FROM_DRAWS", "").strip()
    return (int(raw), 0) if raw.isdigit() else (JIT_FROM_DRAWS, JIT_FROM_RUN_DRAWS)


@contextmanager
def planned(draws: int) -> Iterator[None]:
    """Declare that this process is about to compute ``draws`` draws of a run (the blocks it
    runs itself), for the duration of the block. Process-wide: a concurrent run in another
    thread may see it, which can only change its speed, never its numbers."""
    global _planned
    before, _planned = _planned, draws
    try:
        yield
    finally:
        _planned = before


def plan(draws: int) -> None:
    """``planned`` for the rest of this process's life (a forked block worker's share)."""
    global _planned
    _planned = draws


def compiled_for(draws: int, module: str = ".kernels") -> ModuleType | None:
    """The kernels ``module`` (relative to ``evpact.engine``: ``.kernels``, ``.kernels_flows``
    for the market and the plants' physical chain, ``.kernels_ledger`` for the Crown ledger's
    totals, ``..kernels_metrics`` for the per-draw metrics, ``..uncertainty.kernels`` for the
    inverse CDFs and the streaming totals) when a block of ``draws`` draws should use it,
    else None (numpy)."""
    block, run = thresholds()
    if draws < block or _planned < run:
        return None
    return _load(module)


def _load(module: str) -> ModuleType:
    if module not in _loaded:  # the cache placed once, before numba is first imported
        set_cache_dir()
        _loaded[module] = importlib.import_module(module, __package__)
    return _loaded[module]


def preload_for(draws: int) -> bool:
    """Load every kernel module now if a process computing ``draws`` draws would use them;
    True if loaded. A process about to fork block workers that will each compute ``draws``
    calls it first: they inherit the loaded kernels (memory shared until written) instead
    of each paying numba's import and the kernels' cache, about 0.6 s of CPU apiece."""
    block, run = thresholds()
    if draws < max(block, run):
        return False
    for module in KERNEL_MODULES:
        _load(module)
    return True


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
