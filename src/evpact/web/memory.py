"""Give freed memory back to the system after a run, and read the process's resident size.

A run allocates arrays of draws x years; once freed, glibc keeps much of that heap mapped, so a
server that served a burst of runs stays at its peak. ``malloc_trim(0)`` hands the free pages
back. Elsewhere (macOS, musl) it is a no-op: those allocators return memory on their own.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
from functools import cache

_lock = threading.Lock()


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
        lib.malloc_trim.argtypes = [ctypes.c_size_t]
        lib.malloc_trim.restype = ctypes.c_int
    except (OSError, AttributeError):
        return None
    return lib


def trim() -> None:
    """Collect cycles, then return free heap pages to the system (glibc only)."""
    gc.collect()
    lib = _libc()
    if lib is not None:
        with _lock:
            lib.malloc_trim(0)


def rss_bytes() -> int:
    """Resident set size of this process, in bytes (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    import os

    return pages * os.sysconf("SC_PAGE_SIZE")
