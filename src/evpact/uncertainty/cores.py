"""Draw blocks on every core of this machine.

A block is a pure function of its draw range (``montecarlo.compute_block``), so where it runs
does not change its numbers; ``montecarlo.run_models`` collects the summaries in draw order,
so sums are added in the same order too. Two ways to run blocks side by side:

- **Forked processes** for a streamed run (one that keeps only its first ``keep`` draws):
  only summaries (about 90 KB a block) travel back, and each process has its own
  interpreter lock and its own memory map; the kept blocks write their arrays into memory
  shared with this process (``montecarlo``). Used when ``fork`` is available and this
  process runs no other thread (a fork copies only the calling thread; a lock another
  thread held would stay held).
- **Threads** otherwise: numpy releases the interpreter lock in its array loops, but the
  engine's many small steps hold it, so threads gain little (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from ..engine import jit

#: ``(start, stop, keep_arrays) -> (arrays or None, summary)`` of one block
BlockFn = Callable[[int, int, bool], tuple[Any, Any]]
Span = tuple[int, int]


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def forks(ranges: list[Span], kept: int) -> bool:
    """Whether ``on_cores`` runs these blocks on forked processes."""
    return any(start >= kept for start, _ in ranges) and _can_fork()


def on_cores(
    compute: BlockFn, ranges: list[Span], kept: int, workers: int
) -> Iterator[tuple[Span, tuple[Any, Any]]]:
    """Every block of ``ranges`` on ``workers`` cores, the kept ones (``start < kept``) with
    their arrays; if ``forks``, ``compute`` must write those to memory shared with this
    process itself (their arrays come back as None). Blocks come back in any order."""
    if forks(ranges, kept):
        yield from _forked(compute, ranges, kept, workers)
    else:
        yield from _threaded(compute, ranges, kept, workers)


def _can_fork() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


_adopted: BlockFn | None = None  # a forked worker's block function, inherited at fork


def _adopt(compute: BlockFn, share: int) -> None:
    global _adopted
    _adopted = compute
    _keep_freed_memory()
    jit.plan(share)  # the draws this worker will compute, about (see engine.jit)


def _keep_freed_memory() -> None:
    """In a block worker, glibc's malloc keeps freed memory instead of returning it to the
    system at once: the engine's block temporaries are then reused, not faulted in afresh
    on every allocation (the same settings a Dask worker gets in ``cluster.py``). Only the
    worker's allocator changes; it exits with its pool."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return
    for option in (_M_MMAP_THRESHOLD, _M_TRIM_THRESHOLD):
        libc.mallopt(option, 2**30)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


def _summary_of(start: int, stop: int, keep: bool) -> tuple[Any, Any]:
    assert _adopted is not None, "a block worker runs only after _adopt"
    return _adopted(start, stop, keep)


def _forked(
    compute: BlockFn, ranges: list[Span], kept: int, workers: int
) -> Iterator[tuple[Span, tuple[Any, Any]]]:
    """Every block on ``workers`` forked processes (the block function, its models and the
    kernels, loaded here once, are inherited, not pickled or loaded again): this process
    computes none, so it holds no block's temporaries beside the kept arrays."""
    share = sum(stop - start for start, stop in ranges) // workers
    jit.preload_for(share)  # once here, inherited by every worker
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_adopt,
        initargs=(compute, share),
    ) as pool:
        futures = [(span, pool.submit(_summary_of, *span, span[0] < kept)) for span in ranges]
        try:
            for span, future in futures:
                yield span, future.result()
        finally:  # an error or an abandoned run: drop the blocks not started
            for _, future in futures:
                future.cancel()


def _threaded(
    compute: BlockFn, ranges: list[Span], kept: int, workers: int
) -> Iterator[tuple[Span, tuple[Any, Any]]]:
    """Blocks on a pool of threads, in draw order, at most two per thread in flight (so
    memory stays that of a few blocks however many draws)."""
    with (
        jit.planned(sum(stop - start for start, stop in ranges)),
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="evpact-block") as pool,
    ):
        waiting: deque[tuple[Span, Future[tuple[Any, Any]]]] = deque()
        try:
            for start, stop in ranges:
                waiting.append(((start, stop), pool.submit(compute, start, stop, start < kept)))
                if len(waiting) >= 2 * workers:
                    span, done = waiting.popleft()
                    yield span, done.result()
            while waiting:
                span, done = waiting.popleft()
                yield span, done.result()
        finally:
            for _, future in waiting:
                future.cancel()
